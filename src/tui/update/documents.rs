//! Documents (issue 16): the applicant's store offered at intake and reused with one
//! key, the digitize form (a part's scan and metadata) from the wizard and from a
//! dossier's detail, the scanner, the digitizations sent once a dossier is made, and the
//! citizens pane's store.

use super::*;
use crate::api::documents::{DigitizationKind, StoredDocument};
use crate::client::Uploaded;
use crate::tui::action::ScanProblem;
use crate::tui::documents::{
    DigitizeForm, DigitizeRow, DigitizeTarget, MetaDraft, PartChoice, Reuse, offers,
};
use crate::tui::intake::{FileState, WizardStep};

// ---------------------------------------------------------------------------------------
// The applicant's store, in the wizard

/// Reads the applicant's store once the wizard is past the applicant step, so the
/// documents step can offer it (again when the applicant changes).
pub(super) fn want_store(app: &mut App) -> Vec<Effect> {
    let w = &app.intake;
    if matches!(
        w.step,
        WizardStep::Procedure | WizardStep::Applicant | WizardStep::Done
    ) {
        return vec![];
    }
    let Some(citizen) = w.applicant.as_ref().map(|c| c.id.clone()) else {
        return vec![];
    };
    let held = w.store.as_ref().is_some_and(|(id, _)| *id == citizen);
    let asked = w
        .store_pending
        .as_ref()
        .is_some_and(|(_, id)| *id == citizen);
    if held || asked {
        return vec![];
    }
    let id = request(app, Purpose::Documents);
    app.intake.store_pending = Some((id, citizen.clone()));
    vec![Effect::LoadStore {
        id,
        citizen_id: citizen,
    }]
}

/// A store read, for the wizard or the citizens pane.
pub(super) fn on_store(
    app: &mut App,
    id: RequestId,
    result: Result<Vec<StoredDocument>, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    if let Some((_, citizen)) = app.intake.store_pending.take_if(|(at, _)| *at == id) {
        return match result {
            Ok(docs) => {
                app.intake.store = Some((citizen, docs));
                vec![]
            }
            Err(f) => {
                // Nothing to offer: the parts are taken on paper as before; said once.
                app.intake.store = Some((citizen, vec![]));
                let text = trf(
                    app.lang,
                    "store.unread",
                    &[("problem", &failure_text(app.lang, &f))],
                );
                toast(app, ToastKind::Error, text);
                super::intake::fail_quietly(app, f)
            }
        };
    }
    if let Some((_, citizen)) = app.citizens.store_pending.take_if(|(at, _)| *at == id) {
        return match result {
            Ok(docs) => {
                app.citizens.store = Some((citizen, docs));
                vec![]
            }
            Err(f) => fail(app, f),
        };
    }
    vec![]
}

/// The stored documents offered for the wizard's part `at`, best first.
pub fn offered(app: &App, at: usize) -> Vec<&StoredDocument> {
    let w = &app.intake;
    let (Some(doc), Some((citizen, store))) = (w.docs.get(at), w.store.as_ref()) else {
        return vec![];
    };
    if w.applicant.as_ref().is_none_or(|a| a.id != *citizen) {
        return vec![];
    }
    let name = chosen_case(app)
        .and_then(|c| c.documents.iter().find(|p| p.id == doc.part_id))
        .map(|p| p.name.as_str())
        .unwrap_or(&doc.part_id);
    offers(store, &doc.part_id, name)
}

/// The offer shown under the wizard's part `at`: the best one, when it fits the part.
pub fn shown_offer(app: &App, at: usize) -> Option<&StoredDocument> {
    let doc = app.intake.docs.get(at)?;
    let name = chosen_case(app)
        .and_then(|c| c.documents.iter().find(|p| p.id == doc.part_id))
        .map(|p| p.name.as_str())
        .unwrap_or(&doc.part_id);
    offered(app, at)
        .into_iter()
        .next()
        .filter(|d| crate::tui::documents::fits(d, &doc.part_id, name))
}

/// `u` does something on the selected part: reuses an offer, or takes the reuse back.
pub fn offers_here(app: &App) -> bool {
    let at = app.intake.doc_selected;
    app.intake.docs.get(at).is_some_and(|d| d.reuse.is_some()) || !offered(app, at).is_empty()
}

/// `u`: the best offer; pressed again, the next one; after the last, none (paper or a
/// file again).
pub(super) fn reuse_key(app: &mut App) -> Vec<Effect> {
    let at = app.intake.doc_selected;
    let offers: Vec<Reuse> = offered(app, at).into_iter().map(Reuse::from).collect();
    let Some(doc) = app.intake.docs.get_mut(at) else {
        return vec![];
    };
    let next = match &doc.reuse {
        None => offers.first().cloned(),
        Some(now) => offers
            .iter()
            .position(|o| o.id == now.id)
            .and_then(|i| offers.get(i + 1))
            .cloned(),
    };
    match next {
        Some(reuse) => {
            // The store's document stands for the part: no paper, no file, no scan.
            doc.reuse = Some(reuse);
            doc.on_paper = false;
            doc.file = None;
            doc.meta = None;
            app.uploads.retain(|_, i| *i != at);
        }
        None => doc.reuse = None,
    }
    app.intake.error = None;
    vec![]
}

// ---------------------------------------------------------------------------------------
// The digitize form

/// `s` on the wizard's selected part: its scan and metadata, as typed so far (the type
/// filled with the part's name the first time).
pub(super) fn open_in_wizard(app: &mut App) -> Vec<Effect> {
    let at = app.intake.doc_selected;
    let Some(doc) = app.intake.docs.get(at) else {
        return vec![];
    };
    let name = chosen_case(app)
        .and_then(|c| c.documents.iter().find(|p| p.id == doc.part_id))
        .map(|p| p.name.clone())
        .unwrap_or_else(|| doc.part_id.clone());
    let draft = doc.meta.clone().unwrap_or(MetaDraft {
        doc_type: short_type(&name),
        ..MetaDraft::default()
    });
    let path = match (&doc.file, draft.scan.is_empty()) {
        (Some(f), true) => f.path.clone(),
        _ => draft.scan.clone(),
    };
    let key = super::intake::new_key(app);
    app.overlay = Some(Overlay::Digitize(Box::new(DigitizeForm::new(
        DigitizeTarget::Wizard { doc: at },
        &draft,
        &path,
        key,
    ))));
    vec![]
}

/// A part's name as a document type: the words before a bracket or a comma ("Giấy tờ
/// tùy thân của người yêu cầu (xuất trình)" → "Giấy tờ tùy thân của người yêu cầu").
fn short_type(name: &str) -> String {
    let cut = name.find(['(', ',']).unwrap_or(name.len());
    let short = name[..cut].trim();
    let short = if short.is_empty() { name.trim() } else { short };
    short
        .chars()
        .take(crate::domain::documents::DOC_TYPE_MAX)
        .collect()
}

/// Reception may digitize the open dossier's parts (every part but those reused).
pub fn may_digitize(app: &App) -> bool {
    let reception = app.me.as_ref().is_some_and(|m| m.role == Role::Reception);
    reception
        && app
            .inbox
            .detail
            .as_ref()
            .and_then(|d| d.dossier.as_deref())
            .is_some_and(|d| {
                d.documents.iter().any(|p| {
                    p.digitization
                        .as_ref()
                        .is_none_or(|x| x.kind == DigitizationKind::Digitized)
                })
            })
}

/// `s` in a dossier's detail: the form on its first part not digitized yet.
pub(super) fn open_from_detail(app: &mut App) -> Vec<Effect> {
    if !may_digitize(app) {
        return vec![];
    }
    let Some(d) = app.inbox.detail.as_ref().and_then(|d| d.dossier.as_deref()) else {
        return vec![];
    };
    let parts: Vec<PartChoice> = d
        .documents
        .iter()
        .filter(|p| {
            p.digitization
                .as_ref()
                .is_none_or(|x| x.kind == DigitizationKind::Digitized)
        })
        .map(|p| PartChoice {
            part_id: p.part_id.clone(),
            name: p.name.clone(),
            has_file: p.attachment.is_some(),
            digitized: p.digitization.is_some(),
        })
        .collect();
    let part = parts.iter().position(|p| !p.digitized).unwrap_or(0);
    let (code, version) = (d.code.clone(), d.version);
    let draft = detail_draft(d, parts.get(part));
    let key = super::intake::new_key(app);
    app.overlay = Some(Overlay::Digitize(Box::new(DigitizeForm::new(
        DigitizeTarget::Dossier {
            code,
            version,
            parts,
            part,
        },
        &draft,
        "",
        key,
    ))));
    vec![]
}

/// What the form starts with for a dossier's part: its digitization when it has one (a
/// correction), else its name as the type.
fn detail_draft(d: &Dossier, part: Option<&PartChoice>) -> MetaDraft {
    let Some(part) = part else {
        return MetaDraft::default();
    };
    let dmy = |iso: &Option<String>| {
        iso.as_deref()
            .and_then(crate::domain::documents::iso_date)
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default()
    };
    match d
        .documents
        .iter()
        .find(|p| p.part_id == part.part_id)
        .and_then(|p| p.digitization.as_ref())
    {
        Some(x) => MetaDraft {
            scan: String::new(),
            doc_type: x.doc_type.clone(),
            number: x.number.clone().unwrap_or_default(),
            issued_on: dmy(&x.issued_on),
            issuer: x.issuer.clone().unwrap_or_default(),
            valid_until: dmy(&x.valid_until),
        },
        None => MetaDraft {
            doc_type: short_type(&part.name),
            ..MetaDraft::default()
        },
    }
}

/// The form's enabled commands.
pub fn form_commands(app: &App) -> Vec<Command> {
    use Command as C;
    let Some(Overlay::Digitize(form)) = &app.overlay else {
        return vec![];
    };
    if form.pending.is_some() || form.scanning {
        return vec![C::Cancel];
    }
    let mut on = vec![C::NextField, C::PrevField, C::Confirm, C::Close];
    match form.row {
        DigitizeRow::Part => on.extend([C::PrevChoice, C::NextChoice]),
        DigitizeRow::Scan => on.extend([C::Scan, C::Complete]),
        DigitizeRow::Meta(_) => {}
    }
    on
}

pub(super) fn form_key(app: &mut App, mut form: Box<DigitizeForm>, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    let mut effects = vec![];
    match key {
        K(Command::Cancel) => {
            if let Some(id) = form.pending.take() {
                app.pending.remove(&id);
                effects.push(Effect::Cancel(id));
            }
            form.scanning = false;
            form.upload = None;
        }
        K(Command::Close) => {
            app.overlay = None;
            return super::intake::autosave(app);
        }
        K(Command::NextField) => form.move_focus(1),
        K(Command::PrevField) => form.move_focus(-1),
        K(c @ (Command::PrevChoice | Command::NextChoice)) => {
            let app_detail = app.inbox.detail.as_ref().and_then(|d| d.dossier.as_deref());
            if let (DigitizeTarget::Dossier { parts, part, .. }, Some(d)) =
                (&mut form.target, app_detail)
            {
                let n = parts.len().max(1);
                *part = if c == Command::NextChoice {
                    (*part + 1) % n
                } else {
                    (*part + n - 1) % n
                };
                let draft = detail_draft(d, parts.get(*part));
                let target = form.target.clone();
                let key = form.upload_key.clone();
                *form = DigitizeForm::new(target, &draft, "", key);
            }
        }
        K(Command::Complete) => {
            let typed = field_text(&form.scan);
            effects.push(Effect::CompletePath { typed });
        }
        K(Command::Scan) => {
            form.scanning = true;
            form.error = None;
            effects.push(Effect::Scan);
        }
        K(Command::Confirm) => return confirm(app, form),
        K(_) => {}
        KeyInput::Text(input) => {
            let row = form.row;
            if let Some(field) = form.field_mut(row)
                && edit(field, input)
            {
                form.error = None;
                keep_typed(app, &form);
            }
        }
    }
    app.overlay = Some(Overlay::Digitize(form));
    effects.extend(super::intake::autosave(app));
    effects
}

/// What is typed in the wizard's form goes into its part at once, so the draft on disk
/// has it (a crash or Esc loses none of it); it counts once confirmed.
fn keep_typed(app: &mut App, form: &DigitizeForm) {
    if let DigitizeTarget::Wizard { doc } = form.target
        && let Some(d) = app.intake.docs.get_mut(doc)
    {
        d.meta = Some(form.draft());
    }
}

/// Enter: the metadata checked as the portal checks it; then, from the wizard, the scan
/// attached (uploading) and the part marked on paper and digitized; from the detail, the
/// scan uploaded and the digitization sent.
fn confirm(app: &mut App, mut form: Box<DigitizeForm>) -> Vec<Effect> {
    let lang = app.lang;
    let today = app.now.date_naive();
    let draft = form.draft();
    if let Err(faults) = draft.request(None, today, lang) {
        if let Some((field, message)) = faults.into_iter().next() {
            form.row = DigitizeRow::Meta(field);
            form.error = Some((Some(DigitizeRow::Meta(field)), message));
        }
        app.overlay = Some(Overlay::Digitize(form));
        return vec![];
    }
    let path = form.path();
    match form.target.clone() {
        DigitizeTarget::Wizard { doc } => {
            let attached = app
                .intake
                .docs
                .get(doc)
                .and_then(|d| d.file.as_ref())
                .map(|f| f.path.clone());
            if path.is_empty() && attached.is_none() {
                return need_scan(app, form);
            }
            if let Some(d) = app.intake.docs.get_mut(doc) {
                d.meta = Some(draft);
                d.on_paper = true;
                d.reuse = None;
            }
            app.intake.error = None;
            app.overlay = None;
            let mut effects = vec![];
            if !path.is_empty() && attached.as_deref() != Some(path.as_str()) {
                // Checked, then attached and uploaded as any file (`on_file_checked`).
                effects.push(Effect::CheckFile { doc, path });
            }
            effects.extend(super::intake::autosave(app));
            effects
        }
        DigitizeTarget::Dossier { .. } => {
            let has_file = form.part().is_some_and(|p| p.has_file);
            if path.is_empty() && !has_file {
                return need_scan(app, form);
            }
            form.error = None;
            let effects = if path.is_empty() {
                vec![send_from_form(app, &mut form, None)]
            } else {
                let id = request(app, Purpose::Upload);
                form.pending = Some(id);
                form.upload = Some(FileState {
                    path: path.clone(),
                    key: form.upload_key.clone(),
                    ..FileState::default()
                });
                vec![Effect::Upload {
                    id,
                    key: form.upload_key.clone(),
                    path: PathBuf::from(&path),
                }]
            };
            app.overlay = Some(Overlay::Digitize(form));
            effects
        }
    }
}

fn need_scan(app: &mut App, mut form: Box<DigitizeForm>) -> Vec<Effect> {
    form.row = DigitizeRow::Scan;
    form.error = Some((
        Some(DigitizeRow::Scan),
        tr(app.lang, "digitize.need_scan").to_owned(),
    ));
    app.overlay = Some(Overlay::Digitize(form));
    vec![]
}

/// The PUT of the detail's form.
fn send_from_form(app: &mut App, form: &mut DigitizeForm, upload_id: Option<String>) -> Effect {
    let (code, version, part_id) = match &form.target {
        DigitizeTarget::Dossier {
            code,
            version,
            parts,
            part,
        } => (
            code.clone(),
            *version,
            parts
                .get(*part)
                .map(|p| p.part_id.clone())
                .unwrap_or_default(),
        ),
        DigitizeTarget::Wizard { .. } => (String::new(), 0, String::new()),
    };
    // Checked on Enter: the form has not changed since.
    let request_body = form
        .draft()
        .request(upload_id, app.now.date_naive(), app.lang)
        .unwrap_or_default();
    let id = request(app, Purpose::Act);
    form.pending = Some(id);
    Effect::Digitize {
        id,
        code,
        part_id,
        version,
        request: request_body,
    }
}

/// The form's upload: its progress.
pub(super) fn on_form_upload_progress(app: &mut App, key: &str, sent: u64, total: u64) -> bool {
    if let Some(Overlay::Digitize(form)) = app.overlay.as_mut()
        && let Some(f) = form.upload.as_mut().filter(|f| f.key == key)
    {
        f.sent = sent;
        f.size = total;
        return true;
    }
    false
}

/// Whether request `id` is the form's.
pub(super) fn is_form_request(app: &App, id: RequestId) -> bool {
    matches!(&app.overlay, Some(Overlay::Digitize(f)) if f.pending == Some(id))
}

/// The form's scan is up: the digitization goes, naming it.
pub(super) fn on_form_uploaded(
    app: &mut App,
    id: RequestId,
    result: Result<Uploaded, Failure>,
) -> Vec<Effect> {
    app.pending.remove(&id);
    let Some(Overlay::Digitize(mut form)) = app.overlay.take() else {
        return vec![];
    };
    form.pending = None;
    let effects = match result {
        Ok(up) => {
            if let Some(f) = form.upload.as_mut() {
                f.upload_id = Some(up.id.clone());
                f.sent = up.size;
                f.size = up.size;
            }
            vec![send_from_form(app, &mut form, Some(up.id))]
        }
        Err(f) => {
            form.error = Some((Some(DigitizeRow::Scan), failure_text(app.lang, &f)));
            form.upload = None;
            app.overlay = Some(Overlay::Digitize(form));
            return super::intake::fail_quietly(app, f);
        }
    };
    app.overlay = Some(Overlay::Digitize(form));
    effects
}

/// Tab completion of the form's path (Ctrl-T), unless the officer typed on.
pub(super) fn on_path_completed(app: &mut App, typed: &str, completed: &str) -> bool {
    if let Some(Overlay::Digitize(form)) = app.overlay.as_mut() {
        if field_text(&form.scan) == typed {
            let mut t = text_field();
            t.insert_str(completed);
            form.scan = t;
            let form = form.clone();
            keep_typed(app, &form);
        }
        return true;
    }
    false
}

/// What the scanner gave: its file in the scan field, or why there is none.
pub(super) fn on_scanned(app: &mut App, result: Result<PathBuf, ScanProblem>) -> Vec<Effect> {
    let lang = app.lang;
    let Some(Overlay::Digitize(form)) = app.overlay.as_mut() else {
        return vec![];
    };
    if !form.scanning {
        // Cancelled meanwhile.
        return vec![];
    }
    form.scanning = false;
    match result {
        Ok(path) => {
            let mut t = text_field();
            t.insert_str(path.display().to_string());
            form.scan = t;
            form.error = None;
            let form = form.clone();
            keep_typed(app, &form);
        }
        Err(problem) => {
            let text = match problem {
                ScanProblem::NoScanner => trf(
                    lang,
                    "digitize.no_scanner",
                    &[("program", crate::tui::documents::SCANNER)],
                ),
                ScanProblem::Refused(said) => {
                    trf(lang, "digitize.scan_refused", &[("said", &said)])
                }
                ScanProblem::Broken(kind) => io_text(lang, kind),
            };
            form.error = Some((Some(DigitizeRow::Scan), text));
        }
    }
    super::intake::autosave(app)
}

/// A digitization done (or refused): from the detail's form, or sent after an intake.
pub(super) fn on_digitized(
    app: &mut App,
    id: RequestId,
    result: Result<Dossier, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    let lang = app.lang;
    let from_form = is_form_request(app, id);
    match result {
        Ok(dossier) => {
            let part = match app.overlay.take() {
                Some(Overlay::Digitize(form)) if from_form => {
                    form.part().map(|p| p.name.clone()).unwrap_or_default()
                }
                other => {
                    app.overlay = other;
                    String::new()
                }
            };
            let text = if part.is_empty() {
                trf(lang, "digitize.sent", &[("code", &dossier.code)])
            } else {
                trf(
                    lang,
                    "digitize.done",
                    &[("part", &part), ("code", &dossier.code)],
                )
            };
            toast(app, ToastKind::Success, text);
            super::training::soon(app);
            refresh_from(app, &dossier);
            if let Some(detail) = app.inbox.detail.as_mut().filter(|d| d.code == dossier.code) {
                detail.changed.clear();
                detail.dossier = Some(Box::new(dossier.clone()));
            }
            if let Some(made) = app
                .intake
                .created
                .as_mut()
                .filter(|d| d.code == dossier.code)
            {
                **made = dossier;
            }
            // The store now holds the scan: read again when next shown.
            app.intake.store = None;
            app.citizens.store = None;
            vec![Effect::LoadStats(request(app, Purpose::Stats))]
        }
        Err(Failure::Unauthorized(m)) => {
            if let Some(Overlay::Digitize(form)) = app.overlay.as_mut().filter(|_| from_form) {
                form.pending = None;
            }
            fail(app, Failure::Unauthorized(m))
        }
        Err(f) => {
            let text = failure_text(lang, &f);
            if let Some(Overlay::Digitize(form)) = app.overlay.as_mut().filter(|_| from_form) {
                form.pending = None;
                // Someone changed the dossier: the form goes on with its new version.
                if let (Failure::Conflict(current), DigitizeTarget::Dossier { version, .. }) =
                    (&f, &mut form.target)
                {
                    *version = current.version;
                }
                form.error = Some((None, text));
                if let Failure::Conflict(current) = f {
                    refresh_from(app, &current);
                    if let Some(detail) =
                        app.inbox.detail.as_mut().filter(|d| d.code == current.code)
                    {
                        detail.dossier = Some(current);
                    }
                }
                return vec![];
            }
            let text = trf(lang, "digitize.failed", &[("problem", &text)]);
            toast(app, ToastKind::Error, text);
            vec![]
        }
    }
}

/// Once the dossier is made: one digitization per part scanned with its metadata, each
/// on the next version (the outbox sends a dossier's writes in order).
pub(super) fn after_intake(app: &mut App, dossier: &Dossier) -> Vec<Effect> {
    let today = app.now.date_naive();
    let lang = app.lang;
    let ready: Vec<(String, crate::api::documents::DigitizationRequest)> = app
        .intake
        .docs
        .iter()
        .filter(|d| d.reuse.is_none())
        .filter(|d| d.file.as_ref().is_some_and(|f| f.upload_id.is_some()))
        .filter_map(|d| {
            let meta = d.meta.as_ref()?;
            // The scan is the part's attachment already (sent with the dossier).
            let body = meta.request(None, today, lang).ok()?;
            Some((d.part_id.clone(), body))
        })
        .collect();
    let mut effects = vec![];
    for (n, (part_id, body)) in ready.into_iter().enumerate() {
        let id = request(app, Purpose::Documents);
        effects.push(Effect::Digitize {
            id,
            code: dossier.code.clone(),
            part_id,
            version: dossier.version + n as i64,
            request: body,
        });
    }
    effects
}

/// Why the documents step cannot be left: a part with metadata but no scan, or
/// metadata the portal would refuse (typed, then left with Esc).
pub fn documents_blocker(app: &App) -> Option<String> {
    let lang = app.lang;
    let today = app.now.date_naive();
    let case = chosen_case(app);
    for d in &app.intake.docs {
        let Some(meta) = d.meta.as_ref().filter(|_| d.reuse.is_none()) else {
            continue;
        };
        let name = case
            .and_then(|c| c.documents.iter().find(|p| p.id == d.part_id))
            .map(|p| p.name.as_str())
            .unwrap_or(&d.part_id);
        if d.file.is_none() {
            return Some(trf(lang, "intake.digitize_no_scan", &[("part", name)]));
        }
        if let Err(faults) = meta.request(None, today, lang)
            && let Some((_, problem)) = faults.first()
        {
            return Some(trf(
                lang,
                "intake.digitize_invalid",
                &[("part", name), ("problem", problem)],
            ));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// The citizens pane

/// The open citizen's store, read once per citizen opened.
pub(super) fn want_citizen_store(app: &mut App) -> Vec<Effect> {
    let Some(citizen) = app.citizens.detail.as_ref().map(|d| d.citizen.id.clone()) else {
        return vec![];
    };
    let held = app
        .citizens
        .store
        .as_ref()
        .is_some_and(|(id, _)| *id == citizen);
    let asked = app
        .citizens
        .store_pending
        .as_ref()
        .is_some_and(|(_, id)| *id == citizen);
    if held || asked {
        return vec![];
    }
    let id = request(app, Purpose::Documents);
    app.citizens.store_pending = Some((id, citizen.clone()));
    vec![Effect::LoadStore {
        id,
        citizen_id: citizen,
    }]
}
