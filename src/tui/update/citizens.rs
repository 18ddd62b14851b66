//! The citizens pane: search, the account form, a citizen's record, activation codes.

use super::intake::{FormKey, citizen_form_key, fail_quietly, new_key};
use super::*;
use crate::api::citizens::{Activation, Citizen, CitizenCreated, CitizenDetail};
use crate::api::error::ErrorCode;
use crate::tui::intake::{CitizenDraft, CitizenForm, CitizensDraft, ResetPrompt, Slip, slip_text};

pub(super) fn citizens_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    if app.citizens.form.is_some() {
        return form_key(app, key);
    }
    if app.citizens.reset.is_some() {
        return reset_key(app, key);
    }
    if app.citizens.detail.is_some() {
        return detail_key(app, key);
    }
    let pane = &mut app.citizens;
    match key {
        K(Command::Back) => {
            if field_text(&pane.query).is_empty() {
                app.tab = Tab::Inbox;
            } else {
                pane.query = text_field();
                pane.results.clear();
                pane.searched = None;
            }
        }
        K(Command::NewCitizen) => {
            use crate::tui::intake::CitizenField;
            // A number searched for and not found is the account to create.
            let typed = field_text(&pane.query).trim().to_owned();
            let number =
                (typed.len() == 12 && typed.chars().all(|c| c.is_ascii_digit())).then_some(typed);
            // The form put aside comes back as it was left, unless another number is
            // searched for now: that citizen gets a form of their own (the one aside stays).
            let kept = match pane.set_aside.take() {
                Some(form)
                    if number.as_ref().is_none_or(|n| {
                        let had = form.text(CitizenField::IdNumber);
                        had.is_empty() || had == *n
                    }) =>
                {
                    Some(form)
                }
                other => {
                    pane.set_aside = other;
                    None
                }
            };
            let form = match kept {
                Some(mut form) => {
                    if let Some(n) = &number
                        && form.text(CitizenField::IdNumber).is_empty()
                    {
                        form.set(CitizenField::IdNumber, n);
                    }
                    form
                }
                None => {
                    let mut form = CitizenForm::new(app.keys.next_key());
                    if let Some(n) = &number {
                        form.set(CitizenField::IdNumber, n);
                        form.focus = 1;
                    }
                    form
                }
            };
            app.citizens.form = Some(form);
        }
        K(Command::Up) => pane.selected = pane.selected.saturating_sub(1),
        K(Command::Down) => {
            pane.selected = (pane.selected + 1).min(pane.results.len().saturating_sub(1))
        }
        K(Command::Lookup) => {
            let text = field_text(&pane.query).trim().to_owned();
            if pane.searched.as_deref() == Some(text.as_str()) && !pane.results.is_empty() {
                let id = pane.results[pane.selected.min(pane.results.len() - 1)]
                    .id
                    .clone();
                return open_citizen(app, id, None);
            }
            if text.is_empty() {
                return vec![];
            }
            pane.searched = Some(text.clone());
            let id = request(app, Purpose::Citizens);
            app.citizens.pending = Some(id);
            return vec![Effect::FindCitizens { id, query: text }];
        }
        K(_) => {}
        KeyInput::Text(key) => {
            if edit(&mut pane.query, key) {
                pane.searched = None;
            }
        }
    }
    vec![]
}

fn open_citizen(app: &mut App, citizen_id: String, note: Option<String>) -> Vec<Effect> {
    app.citizens.note = note;
    let id = request(app, Purpose::Citizens);
    app.citizens.pending = Some(id);
    vec![Effect::LoadCitizen { id, citizen_id }]
}

fn form_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    let lang = app.lang;
    let today = app.now.date_naive();
    let Some(form) = app.citizens.form.as_mut() else {
        return vec![];
    };
    match citizen_form_key(form, key, lang, today) {
        FormKey::Close => {
            // Put aside, not thrown away: Ctrl-N brings it back.
            if let Some(form) = app.citizens.form.take().filter(|f| !f.is_blank()) {
                app.citizens.set_aside = Some(form);
                let key = app.keymap.key_of(Context::Citizens, Command::NewCitizen);
                let text = trf(app.lang, "citizen.form_set_aside", &[("key", &key)]);
                toast(app, ToastKind::Info, text);
            }
            vec![]
        }
        FormKey::Stay => vec![],
        FormKey::Send { key, citizen } => {
            let id = request(app, Purpose::Citizens);
            if let Some(form) = app.citizens.form.as_mut() {
                form.pending = Some(id);
            }
            app.citizens.pending = Some(id);
            vec![Effect::CreateCitizen { id, key, citizen }]
        }
    }
}

fn detail_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    let KeyInput::Command(command) = key else {
        return vec![];
    };
    let Some(detail) = app.citizens.detail.as_ref() else {
        return vec![];
    };
    let n = detail.dossiers.len();
    let citizen_id = detail.citizen.id.clone();
    let active = detail.citizen.activated;
    match command {
        Command::Back => {
            app.citizens.detail = None;
            app.citizens.note = None;
        }
        Command::Up => {
            app.citizens.dossier_selected = app.citizens.dossier_selected.saturating_sub(1)
        }
        Command::Down => {
            app.citizens.dossier_selected =
                (app.citizens.dossier_selected + 1).min(n.saturating_sub(1))
        }
        // An active account's new code is a password reset: the citizen's card first.
        Command::Reissue if active => {
            app.citizens.reset = Some(ResetPrompt::new(new_key(app)));
        }
        Command::Reissue => {
            let id = request(app, Purpose::Citizens);
            app.citizens.pending = Some(id);
            return vec![Effect::ReissueActivation {
                id,
                citizen_id,
                key: new_key(app),
                presented: None,
            }];
        }
        Command::Open => {
            if let Some(d) = detail.dossiers.get(app.citizens.dossier_selected) {
                let code = d.code.clone();
                return open_code(app, code);
            }
        }
        _ => {}
    }
    vec![]
}

/// Keys of the reset prompt: the number and the date of birth on the citizen's card.
/// Tab/arrows move, Enter moves on and from the date sends, Esc gives up.
fn reset_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    let lang = app.lang;
    let Some(citizen_id) = app.citizens.detail.as_ref().map(|d| d.citizen.id.clone()) else {
        app.citizens.reset = None;
        return vec![];
    };
    let pending = app.citizens.pending.is_some();
    let Some(prompt) = app.citizens.reset.as_mut() else {
        return vec![];
    };
    match key {
        K(Command::Back) => app.citizens.reset = None,
        K(Command::NextField) => prompt.focus = 1,
        K(Command::PrevField) => prompt.focus = 0,
        K(Command::Create) if prompt.focus == 0 => prompt.focus = 1,
        K(Command::Create) => {
            if pending {
                return vec![];
            }
            let Some(presented) = prompt.presented() else {
                // A date typed in full but not a real one says so, not "incomplete".
                let typed = field_text(&prompt.date_of_birth);
                prompt.error = Some(match crate::tui::intake::read_date(&typed) {
                    Err(problem @ crate::tui::intake::DateProblem::NoSuchDay { .. }) => {
                        problem.message(lang)
                    }
                    _ => tr(lang, "citizen.reset_incomplete").to_owned(),
                });
                return vec![];
            };
            prompt.error = None;
            let key = prompt.key.clone();
            let id = request(app, Purpose::Citizens);
            app.citizens.pending = Some(id);
            return vec![Effect::ReissueActivation {
                id,
                citizen_id,
                key,
                presented: Some(presented),
            }];
        }
        K(_) => {}
        KeyInput::Text(key) => {
            let field = if prompt.focus == 0 {
                &mut prompt.id_number
            } else {
                &mut prompt.date_of_birth
            };
            if edit(field, key) {
                prompt.error = None;
            }
        }
    }
    vec![]
}

/// Lookups answer either pane: whichever asked.
pub(super) fn on_found(
    app: &mut App,
    id: RequestId,
    result: Result<Vec<Citizen>, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    if app.intake.pending == Some(id) {
        return super::intake::on_found_for_intake(app, result);
    }
    if app.citizens.pending != Some(id) {
        return vec![];
    }
    app.citizens.pending = None;
    match result {
        Ok(found) => {
            app.citizens.results = found;
            app.citizens.selected = 0;
            vec![]
        }
        Err(f) => fail(app, f),
    }
}

pub(super) fn on_citizen(
    app: &mut App,
    id: RequestId,
    result: Result<CitizenDetail, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    if app.intake.pending == Some(id) {
        // The wizard asked: the number had an account after all.
        app.intake.pending = None;
        return match result {
            Ok(detail) => {
                let mut t = text_field();
                t.insert_str(&detail.citizen.id_number);
                app.intake.lookup = t;
                app.intake.looked_up = Some(detail.citizen.id_number.clone());
                app.intake.applicant = Some(detail.citizen);
                app.intake.applicant_row = crate::tui::intake::ApplicantRow::Relation;
                app.intake.error = Some(tr(app.lang, "intake.had_account").to_owned());
                super::intake::autosave(app)
            }
            Err(f) => fail(app, f),
        };
    }
    if app.citizens.pending != Some(id) {
        return vec![];
    }
    app.citizens.pending = None;
    match result {
        Ok(detail) => {
            app.citizens.detail = Some(detail);
            app.citizens.dossier_selected = 0;
            vec![]
        }
        Err(f) => fail(app, f),
    }
}

pub(super) fn on_created(
    app: &mut App,
    id: RequestId,
    result: Result<CitizenCreated, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    let w = &app.intake;
    if [w.new_citizen.as_ref(), w.set_aside.as_ref()]
        .into_iter()
        .flatten()
        .any(|f| f.pending == Some(id))
    {
        return super::intake::on_created_for_intake(app, result);
    }
    if app.citizens.pending != Some(id) {
        return vec![];
    }
    app.citizens.pending = None;
    // The form sent may have been put aside (Esc) while on its way.
    let pane = &mut app.citizens;
    let sent_aside = pane
        .set_aside
        .as_ref()
        .is_some_and(|f| f.pending == Some(id));
    for form in [pane.form.as_mut(), pane.set_aside.as_mut()]
        .into_iter()
        .flatten()
    {
        form.pending = None;
    }
    match result {
        Ok(created) => {
            if sent_aside {
                app.citizens.set_aside = None;
            } else {
                app.citizens.form = None;
            }
            let text = tr(app.lang, "toast.citizen_created").to_owned();
            toast(app, ToastKind::Success, text);
            let citizen = created.citizen.clone();
            app.citizens.detail = Some(CitizenDetail {
                citizen: created.citizen.clone(),
                dossiers: vec![],
            });
            show_slip(app, citizen, created.activation);
            vec![]
        }
        Err(Failure::Exists {
            id: Some(id),
            message,
        }) => {
            if sent_aside {
                app.citizens.set_aside = None;
            } else {
                app.citizens.form = None;
            }
            open_citizen(app, id, Some(message))
        }
        // Another office's citizen: no account to open; the form stays, with why.
        Err(Failure::Exists { id: None, .. }) => {
            let text = tr(app.lang, "citizen.exists_elsewhere").to_owned();
            let pane = &mut app.citizens;
            if let Some(form) = pane.form.as_mut().or(pane.set_aside.as_mut()) {
                form.error = Some(text);
            }
            vec![]
        }
        Err(Failure::Refused {
            message, fields, ..
        }) => {
            let pane = &mut app.citizens;
            if let Some(form) = pane.form.as_mut().or(pane.set_aside.as_mut()) {
                form.server = fields;
                form.error = Some(message);
            }
            vec![]
        }
        Err(f) => {
            let text = failure_text(app.lang, &f);
            let pane = &mut app.citizens;
            if let Some(form) = pane.form.as_mut().or(pane.set_aside.as_mut()) {
                form.error = Some(text);
            }
            fail_quietly(app, f)
        }
    }
}

pub(super) fn on_activation(
    app: &mut App,
    id: RequestId,
    result: Result<Activation, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    app.citizens.pending = None;
    match result {
        Ok(activation) => {
            app.citizens.reset = None;
            if let Some(citizen) = app.citizens.detail.as_ref().map(|d| d.citizen.clone()) {
                show_slip(app, citizen, activation);
            }
            vec![]
        }
        // The card does not match, or was not given: the prompt says what to do.
        Err(Failure::Refused { code, message, .. })
            if code == ErrorCode::ApplicantMismatch.as_str()
                || code == ErrorCode::ValidationFailed.as_str() =>
        {
            let text = if code == ErrorCode::ApplicantMismatch.as_str() {
                tr(app.lang, "citizen.reset_mismatch").to_owned()
            } else {
                message
            };
            let prompt = app
                .citizens
                .reset
                .get_or_insert_with(|| ResetPrompt::new(app.keys.next_key()));
            prompt.error = Some(text);
            vec![]
        }
        Err(f) => fail(app, f),
    }
}

/// The activation slip, as a printable text over the screen.
pub(super) fn show_slip(app: &mut App, citizen: Citizen, activation: Activation) {
    let office = app
        .me
        .as_ref()
        .and_then(|m| m.office.as_ref())
        .map(|o| o.name.clone())
        .unwrap_or_default();
    let slip = Slip {
        citizen,
        activation,
    };
    let text = slip_text(app.lang, &slip, &office);
    app.overlay = Some(Overlay::Form(Box::new(FormView {
        code: slip.citizen.id_number.clone(),
        printable: Printable::Slip,
        text: Some(text),
        scroll: 0,
        save_to: None,
    })));
}

/// Saves the pane's unfinished forms when they changed (forgets them when none is left).
/// Only in a session: after a logout the file on disk is the next login's.
pub(super) fn autosave(app: &mut App) -> Vec<Effect> {
    if app.me.is_none() {
        return vec![];
    }
    let draft = app.citizens.to_draft(app.now.to_rfc3339());
    let same = match (&draft, &app.last_citizens_draft) {
        (None, None) => true,
        (Some(a), Some(b)) => a.content_eq(b),
        _ => false,
    };
    if same {
        return vec![];
    }
    app.last_citizens_draft = draft.clone();
    vec![Effect::SaveCitizensDraft(draft.map(Box::new))]
}

/// The forms an earlier run left unfinished come back where they were (unless the
/// officer has a form going already, or the outbox has meanwhile made that account).
pub(super) fn on_draft_found(app: &mut App, draft: CitizensDraft) -> Vec<Effect> {
    let pane = &app.citizens;
    if pane.form.is_some() || pane.set_aside.is_some() {
        return vec![];
    }
    let delivered = |d: &CitizenDraft| {
        app.delivered
            .iter()
            .any(|(key, what)| *key == d.key && *what == Delivered::Citizen)
    };
    let restore = |d: &Option<CitizenDraft>| {
        d.as_ref()
            .filter(|d| !delivered(d))
            .map(CitizenForm::from_draft)
    };
    let (form, set_aside) = (restore(&draft.form), restore(&draft.set_aside));
    let any = form.is_some() || set_aside.is_some();
    app.citizens.form = form;
    app.citizens.set_aside = set_aside;
    // As on disk: the autosave after this action writes only if a form was dropped.
    app.last_citizens_draft = Some(draft);
    if any {
        let text = tr(app.lang, "citizen.draft_restored").to_owned();
        toast(app, ToastKind::Info, text);
    }
    vec![]
}
