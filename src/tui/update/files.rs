//! Forms and attachments of the open dossier.

use super::*;

/// The forms a dossier has, by what happened to it (and the set it prints in: the stop
/// notice exists from the 03/2025 set on).
pub fn forms_for(d: &Dossier) -> Vec<Form> {
    let mut forms = Vec::new();
    if d.received_at.is_some() {
        forms.push(Form::Receipt);
    }
    if d.supplement.is_some() {
        forms.push(Form::Supplement);
    }
    if d.status == Status::Refused {
        forms.push(Form::Refusal);
    }
    if d.extensions > 0 {
        forms.push(Form::Apology);
    }
    let received = d.received_at.as_deref().unwrap_or(&d.submitted_at);
    let set = chrono::DateTime::parse_from_rfc3339(received)
        .map(|t| crate::domain::forms::FormSet::for_received(t.date_naive()))
        .unwrap_or(crate::domain::forms::FormSet::Circular03_2025);
    if d.status == Status::Stopped && set.number(Form::StopNotice).is_some() {
        forms.push(Form::StopNotice);
    }
    if d.received_at.is_some() {
        forms.push(Form::ControlSheet);
    }
    forms
}

pub(super) fn open_forms(app: &mut App) -> Vec<Effect> {
    // From the inbox's list: the forms depend on the dossier's history, which only its
    // detail has; the detail is opened, and the menu follows it (`Purpose::DetailForms`).
    if app.inbox.detail.is_none() {
        let Some(code) = app.inbox.selected_code() else {
            return vec![];
        };
        let mut effects = open_code(app, code);
        if let [Effect::LoadDetail { id, .. }] = &effects[..]
            && let Some(p) = app.pending.get_mut(id)
        {
            p.purpose = Purpose::DetailForms;
        } else {
            effects.clear();
        }
        return effects;
    }
    let Some(d) = app.inbox.detail.as_ref().and_then(|d| d.dossier.as_deref()) else {
        return vec![];
    };
    let forms = forms_for(d);
    let code = d.code.clone();
    if forms.is_empty() {
        toast(
            app,
            ToastKind::Info,
            tr(app.lang, "toast.no_forms").to_owned(),
        );
        return vec![];
    }
    app.overlay = Some(Overlay::Forms(Menu {
        code,
        items: forms,
        selected: 0,
    }));
    vec![]
}

pub(super) fn open_downloads(app: &mut App) -> Vec<Effect> {
    let Some(d) = app.inbox.detail.as_ref().and_then(|d| d.dossier.as_deref()) else {
        return vec![];
    };
    let code = d.code.clone();
    let files: Vec<(String, String)> = d
        .documents
        .iter()
        .filter_map(|doc| doc.attachment.as_ref())
        .map(|a| (a.id.clone(), a.filename.clone()))
        .collect();
    match files.len() {
        0 => toast(
            app,
            ToastKind::Info,
            tr(app.lang, "toast.no_attachments").to_owned(),
        ),
        1 => {
            let (id, name) = files.into_iter().next().expect("one file");
            app.overlay = Some(download_prompt(&code, id, name));
        }
        _ => {
            app.overlay = Some(Overlay::Attachments(Menu {
                code,
                items: files,
                selected: 0,
            }))
        }
    }
    vec![]
}
