//! The intake wizard: keys step by step, the catalog and the applicant lookups, the
//! uploads, the submission and the payment, and the draft saved on every change.

use super::*;
use crate::api::catalog::{ProcedureDetail, ProcedureSummary};
use crate::api::citizens::{Citizen, CitizenCreated};
use crate::api::error::ErrorCode;
use crate::api::payments::Payment;
use crate::client::Uploaded;
use crate::domain::catalog::{Case, OnlineLevel, Procedure};
use crate::domain::identity::{Gender, parse_cccd, parse_chip_qr};
use crate::tui::intake::{
    ApplicantRow, CitizenField, CitizenForm, Draft, FileState, PayChoice, PresentedCheck,
    ReviewRow, Wizard, WizardStep, fields_of, parse_date, picker_view, read_date,
};
use chrono::NaiveDate;

/// A new idempotency key, from the app's source (no randomness here).
pub(super) fn new_key(app: &mut App) -> String {
    app.keys.next_key()
}

pub fn fresh_wizard(keys: &mut crate::tui::idempotency::KeySource) -> Wizard {
    Wizard::new(keys.next_key(), keys.next_key())
}

fn today(app: &App) -> chrono::NaiveDate {
    app.now.date_naive()
}

/// The chosen procedure's detail, when loaded.
pub fn chosen_procedure(app: &App) -> Option<&Procedure> {
    app.intake
        .procedure
        .as_deref()
        .and_then(|c| app.procedures.get(c))
}

pub fn chosen_case(app: &App) -> Option<&Case> {
    let p = chosen_procedure(app)?;
    p.case(app.intake.case_id.as_deref()?)
}

/// The picker's rows, as filtered now.
pub fn picker_rows(app: &App) -> Vec<usize> {
    let w = &app.intake;
    picker_view(
        &app.catalog,
        &field_text(&w.query),
        w.field_filter.as_deref(),
        w.level_filter,
    )
}

/// The procedure under the picker's cursor.
pub fn highlighted(app: &App) -> Option<&ProcedureSummary> {
    let rows = picker_rows(app);
    rows.get(app.intake.selected).map(|&i| &app.catalog[i])
}

/// Entering the tab: the catalog once, and a draft to offer.
pub(super) fn enter_intake(app: &mut App) -> Vec<Effect> {
    let mut effects = vec![];
    if app.catalog.is_empty() && !pending_for(app, Purpose::Catalog) {
        effects.push(Effect::LoadCatalog(request(app, Purpose::Catalog)));
    }
    effects.extend(want_detail(app));
    effects
}

/// Loads the highlighted procedure's detail when it is not here yet.
fn want_detail(app: &mut App) -> Vec<Effect> {
    let Some(code) = highlighted(app).map(|p| p.code.clone()) else {
        return vec![];
    };
    if app.procedures.contains_key(&code) || app.loading_procedure.as_deref() == Some(&code) {
        return vec![];
    }
    app.loading_procedure = Some(code.clone());
    let id = request(app, Purpose::Catalog);
    vec![Effect::LoadProcedure { id, code }]
}

pub(super) fn intake_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    // A draft from an earlier run waits for a decision first.
    if app.draft_offer.is_some() {
        return offer_key(app, key);
    }
    let effects = match app.intake.step {
        WizardStep::Procedure => procedure_key(app, key),
        WizardStep::Applicant => applicant_key(app, key),
        WizardStep::Documents => documents_key(app, key),
        WizardStep::Delivery => delivery_key(app, key),
        WizardStep::Review => review_key(app, key),
        WizardStep::Done => done_key(app, key),
    };
    let mut effects = effects;
    effects.extend(autosave(app));
    effects
}

fn offer_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    match key {
        KeyInput::Command(Command::Resume) => {
            if let Some(draft) = app.draft_offer.take() {
                app.intake = Wizard::from_draft(&draft);
                app.last_draft = Some(draft);
                let mut effects = enter_intake(app);
                if let Some(code) = app.intake.procedure.clone()
                    && !app.procedures.contains_key(&code)
                {
                    let id = request(app, Purpose::Catalog);
                    app.loading_procedure = Some(code.clone());
                    effects.push(Effect::LoadProcedure { id, code });
                }
                effects.extend(resume_uploads(app));
                effects.extend(super::documents::want_store(app));
                return effects;
            }
            vec![]
        }
        KeyInput::Command(Command::Discard) => {
            app.draft_offer = None;
            app.last_draft = None;
            app.intake = fresh_wizard(&mut app.keys);
            vec![Effect::SaveDraft(None)]
        }
        KeyInput::Command(Command::Back) => {
            app.tab = Tab::Inbox;
            vec![]
        }
        _ => vec![],
    }
}

/// Uploads the crash interrupted go on (the same key: the portal keeps what it has).
fn resume_uploads(app: &mut App) -> Vec<Effect> {
    let unfinished: Vec<(usize, String, String)> = app
        .intake
        .docs
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let f = d.file.as_ref()?;
            (f.upload_id.is_none()).then(|| (i, f.key.clone(), f.path.clone()))
        })
        .collect();
    let mut effects = vec![];
    for (i, key, path) in unfinished {
        let id = request(app, Purpose::Upload);
        app.uploads.insert(id, i);
        effects.push(Effect::Upload {
            id,
            key,
            path: PathBuf::from(path),
        });
    }
    effects
}

/// Saves the draft when it changed; forgets it when the wizard is blank or done.
pub(super) fn autosave(app: &mut App) -> Vec<Effect> {
    if app.intake.step == WizardStep::Done {
        return vec![];
    }
    // Emptied again (a search typed and wiped): the draft saved meanwhile goes, or the
    // next login would offer nothing back as a draft.
    if app.intake.is_blank() {
        return match app.last_draft.take() {
            Some(_) => vec![Effect::SaveDraft(None)],
            None => vec![],
        };
    }
    let draft = app.intake.to_draft(app.now.to_rfc3339());
    if app
        .last_draft
        .as_ref()
        .is_some_and(|d| d.content_eq(&draft))
    {
        return vec![];
    }
    app.last_draft = Some(draft.clone());
    vec![Effect::SaveDraft(Some(Box::new(draft)))]
}

/// Esc when nothing is open: one step back (the first step leaves the tab).
fn back(app: &mut App) -> Vec<Effect> {
    app.intake.error = None;
    match app.intake.step.previous() {
        Some(step) => app.intake.step = step,
        None => app.tab = Tab::Inbox,
    }
    vec![]
}

/// Enter on a step: forward when nothing blocks.
fn forward(app: &mut App) -> Vec<Effect> {
    let step = app.intake.step;
    let blocker = app
        .intake
        .blocker(step, chosen_procedure(app), app.lang, today(app));
    let blocker = blocker.or_else(|| {
        (step == WizardStep::Documents)
            .then(|| super::documents::documents_blocker(app))
            .flatten()
    });
    if let Some(problem) = blocker {
        app.intake.error = Some(problem);
        return vec![];
    }
    app.intake.error = None;
    if let Some(at) = WizardStep::WALK.iter().position(|s| *s == step)
        && let Some(next) = WizardStep::WALK.get(at + 1)
    {
        app.intake.step = *next;
        if *next == WizardStep::Documents {
            return super::documents::want_store(app);
        }
        if *next == WizardStep::Review {
            app.intake.review_row = *app
                .intake
                .review_rows(chosen_case(app))
                .first()
                .unwrap_or(&ReviewRow::Declaration);
        }
    }
    vec![]
}

// ---------------------------------------------------------------------------------------
// 1. Procedure

fn procedure_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    if let Some(at) = app.intake.choosing_case {
        let cases = chosen_or_highlighted(app)
            .map(|p| p.cases.len())
            .unwrap_or(0);
        match key {
            K(Command::Back) => app.intake.choosing_case = None,
            K(Command::Up) => app.intake.choosing_case = Some(at.saturating_sub(1)),
            K(Command::Down) => {
                app.intake.choosing_case = Some((at + 1).min(cases.saturating_sub(1)))
            }
            K(Command::Choose) => {
                if let Some(p) = chosen_or_highlighted(app).cloned()
                    && let Some(case) = p.cases.get(at)
                {
                    app.intake.choose(&p, case);
                }
            }
            _ => {}
        }
        return vec![];
    }
    let rows = picker_rows(app).len();
    match key {
        K(Command::Back) => return back(app),
        K(Command::Up) => app.intake.selected = app.intake.selected.saturating_sub(1),
        K(Command::Down) => {
            app.intake.selected = (app.intake.selected + 1).min(rows.saturating_sub(1))
        }
        K(Command::PageUp) => app.intake.selected = app.intake.selected.saturating_sub(10),
        K(Command::PageDown) => {
            app.intake.selected = (app.intake.selected + 10).min(rows.saturating_sub(1))
        }
        K(Command::FieldFilter) => {
            let fields = fields_of(&app.catalog);
            let at = app
                .intake
                .field_filter
                .as_ref()
                .and_then(|f| fields.iter().position(|x| x == f));
            app.intake.field_filter = match at {
                None => fields.first().cloned(),
                Some(i) => fields.get(i + 1).cloned(),
            };
            app.intake.selected = 0;
        }
        K(Command::LevelFilter) => {
            app.intake.level_filter = match app.intake.level_filter {
                None => Some(OnlineLevel::Partial),
                Some(OnlineLevel::Partial) => Some(OnlineLevel::Full),
                Some(_) => None,
            };
            app.intake.selected = 0;
        }
        K(Command::Choose) => return pick(app),
        K(_) => {}
        KeyInput::Text(key) => {
            if edit(&mut app.intake.query, key) {
                app.intake.selected = 0;
            }
        }
    }
    want_detail(app)
}

/// The procedure the case list is for: the highlighted one.
fn chosen_or_highlighted(app: &App) -> Option<&Procedure> {
    highlighted(app).and_then(|s| app.procedures.get(&s.code))
}

fn pick(app: &mut App) -> Vec<Effect> {
    let Some(code) = highlighted(app).map(|p| p.code.clone()) else {
        app.intake.error = Some(tr(app.lang, "intake.no_procedure_match").to_owned());
        return vec![];
    };
    let Some(p) = app.procedures.get(&code).cloned() else {
        // Chosen as soon as its detail arrives.
        app.pick_when_loaded = true;
        return want_detail(app);
    };
    app.intake.error = None;
    match p.cases.len() {
        0 => app.intake.error = Some(tr(app.lang, "intake.no_cases").to_owned()),
        1 => app.intake.choose(&p, &p.cases[0]),
        _ => app.intake.choosing_case = Some(0),
    }
    vec![]
}

pub(super) fn on_catalog(
    app: &mut App,
    id: RequestId,
    result: Result<Vec<ProcedureSummary>, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    match result {
        Ok(list) => {
            app.catalog = list;
            want_detail(app)
        }
        Err(f) => fail(app, f),
    }
}

pub(super) fn on_procedure(
    app: &mut App,
    id: RequestId,
    result: Result<ProcedureDetail, Failure>,
) -> Vec<Effect> {
    let mine = app.pending.remove(&id).is_some();
    app.loading_procedure = None;
    if !mine {
        return vec![];
    }
    match result {
        Ok(detail) => {
            let code = detail.procedure.code.clone();
            app.procedures.insert(code.clone(), detail.procedure);
            if app.pick_when_loaded
                && app.intake.step == WizardStep::Procedure
                && highlighted(app).is_some_and(|p| p.code == code)
            {
                app.pick_when_loaded = false;
                pick(app);
            }
            let mut effects = autosave(app);
            effects.extend(want_detail(app));
            effects
        }
        Err(f) => {
            app.pick_when_loaded = false;
            fail(app, f)
        }
    }
}

// ---------------------------------------------------------------------------------------
// 2. Applicant

fn applicant_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    if app.intake.new_citizen.is_some() {
        return new_citizen_key(app, key);
    }
    if app.intake.presented.as_ref().is_some_and(|p| !p.confirmed) {
        return presented_key(app, key);
    }
    let rows = app.intake.applicant_rows();
    let at = rows
        .iter()
        .position(|r| *r == app.intake.applicant_row)
        .unwrap_or(0);
    let row = rows[at];
    match key {
        K(Command::Back) => return back(app),
        K(Command::Up) => app.intake.match_selected = app.intake.match_selected.saturating_sub(1),
        K(Command::Down) => {
            app.intake.match_selected =
                (app.intake.match_selected + 1).min(app.intake.matches.len().saturating_sub(1))
        }
        K(Command::NextField) => {
            app.intake.applicant_row = rows[(at + 1).min(rows.len() - 1)];
        }
        K(Command::PrevField) => {
            app.intake.applicant_row = rows[at.saturating_sub(1)];
        }
        K(Command::Toggle) => app.intake.authorized = !app.intake.authorized,
        // A choice, not a switch: pressing → twice leaves "authorized" chosen.
        K(Command::PrevChoice) => app.intake.authorized = false,
        K(Command::NextChoice) => app.intake.authorized = true,
        K(Command::Lookup) => return lookup(app),
        K(Command::NextStep) => return forward(app),
        K(_) => {}
        KeyInput::Text(key) => {
            let field = match row {
                ApplicantRow::Lookup => &mut app.intake.lookup,
                ApplicantRow::SubmitterName => &mut app.intake.submitter_name,
                ApplicantRow::SubmitterId => &mut app.intake.submitter_id,
                ApplicantRow::Authorization => &mut app.intake.authorization,
                ApplicantRow::Relation => return vec![],
            };
            if edit(field, key) && row == ApplicantRow::Lookup {
                app.intake.matches.clear();
                app.intake.error = None;
            }
        }
    }
    vec![]
}

/// Enter on the lookup row: a scanned chip card, a number or words of a name.
fn lookup(app: &mut App) -> Vec<Effect> {
    let text = field_text(&app.intake.lookup).trim().to_owned();
    if text.is_empty() {
        if app.intake.applicant.is_some() {
            return forward(app);
        }
        app.intake.error = Some(tr(app.lang, "intake.need_applicant").to_owned());
        return vec![];
    }
    // Enter again on the same search: take the highlighted match.
    if app.intake.looked_up.as_deref() == Some(&text) && !app.intake.matches.is_empty() {
        let chosen = app.intake.matches[app.intake.match_selected].clone();
        take_applicant(app, chosen);
        return vec![];
    }
    let query = if text.contains('|') {
        match parse_chip_qr(&text, today(app)) {
            Ok(card) => {
                let number = card.id_number.clone();
                app.intake.scanned = Some(card);
                // The field shows the number; the rest waits for the account form.
                let mut t = text_field();
                t.insert_str(&number);
                app.intake.lookup = t;
                number
            }
            Err(e) => {
                app.intake.error = Some(e.message(app.lang));
                // A scanner types the next card into this field: emptied, so that it does
                // not land on top of the rejected one (the message says what was wrong).
                app.intake.lookup = text_field();
                app.intake.looked_up = None;
                app.intake.scanned = None;
                return vec![];
            }
        }
    } else {
        app.intake.scanned = None;
        text
    };
    // Twelve digits that are no identity number (a province code that does not exist, a
    // century digit over 5, a birth year to come) can have no account: say what is wrong
    // rather than offer to create one.
    if query.len() == 12
        && query.bytes().all(|b| b.is_ascii_digit())
        && let Err(e) = parse_cccd(&query, today(app))
    {
        app.intake.error = Some(e.message(app.lang));
        app.intake.looked_up = None;
        return vec![];
    }
    app.intake.looked_up = Some(query.clone());
    app.intake.error = None;
    let id = request(app, Purpose::Citizens);
    app.intake.pending = Some(id);
    vec![Effect::FindCitizens { id, query }]
}

/// Opens the date-of-birth check for a citizen another office serves: prefilled with
/// the date already typed, or the scanned card's when it is this number's.
pub(super) fn ask_date_of_birth(app: &mut App, number: String, typed: Option<NaiveDate>) {
    let scanned = app
        .intake
        .scanned
        .as_ref()
        .filter(|c| c.id_number == number)
        .map(|c| c.date_of_birth);
    app.intake.applicant = None;
    app.intake.new_citizen = None;
    app.intake.matches.clear();
    app.intake.presented = Some(PresentedCheck::new(number, typed.or(scanned)));
    app.intake.applicant_row = ApplicantRow::Lookup;
    app.intake.error = Some(tr(app.lang, "intake.other_office").to_owned());
}

/// Keys of the date-of-birth check: Enter confirms the date typed, Esc gives up (back
/// to the lookup).
fn presented_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    let lang = app.lang;
    let today = today(app);
    let Some(check) = app.intake.presented.as_mut() else {
        return vec![];
    };
    match key {
        K(Command::Back) => {
            app.intake.presented = None;
            app.intake.error = None;
        }
        K(Command::Lookup | Command::NextStep) => {
            match read_date(&field_text(&check.date_of_birth)) {
                Ok(d) if d <= today => {
                    check.confirmed = true;
                    app.intake.applicant_row = ApplicantRow::Relation;
                    app.intake.error = None;
                }
                Ok(_) => app.intake.error = Some(tr(lang, "form.future_date").to_owned()),
                Err(problem) => app.intake.error = Some(problem.message(lang)),
            }
        }
        K(_) => {}
        KeyInput::Text(key) => {
            if edit(&mut check.date_of_birth, key) {
                app.intake.error = None;
            }
        }
    }
    autosave(app)
}

fn take_applicant(app: &mut App, citizen: Citizen) {
    let mut t = text_field();
    t.insert_str(&citizen.id_number);
    app.intake.lookup = t;
    app.intake.looked_up = Some(citizen.id_number.clone());
    app.intake.applicant = Some(citizen);
    app.intake.presented = None;
    app.intake.matches.clear();
    app.intake.match_selected = 0;
    app.intake.new_citizen = None;
    app.intake.applicant_row = ApplicantRow::Relation;
    app.intake.error = None;
}

/// The wizard's new account is in the outbox (the link is down): the officer takes the
/// dossier in for it now. Until the portal has it, the account has no id
/// ([`crate::tui::intake::Wizard::applicant_ref`] names it by number and date of birth).
pub(super) fn applicant_queued(app: &mut App) -> Vec<Effect> {
    let today = today(app);
    let Some(form) = app.intake.new_citizen.as_ref() else {
        return vec![];
    };
    let Ok(new) = form.request(app.lang, today) else {
        return vec![];
    };
    let office_id = app
        .me
        .as_ref()
        .and_then(|m| m.office.as_ref())
        .map_or(0, |o| o.id);
    take_applicant(
        app,
        Citizen {
            id: String::new(),
            id_number: new.id_number,
            legacy_id_number: new.legacy_id_number,
            full_name: new.full_name,
            date_of_birth: new.date_of_birth,
            gender: new.gender.unwrap_or(crate::domain::identity::Gender::Male),
            phone: new.phone,
            email: new.email,
            address: new.address,
            office_id,
            created_at: String::new(),
            activated: false,
        },
    );
    autosave(app)
}

/// The answer to a lookup of the wizard.
pub(super) fn on_found_for_intake(
    app: &mut App,
    result: Result<Vec<Citizen>, Failure>,
) -> Vec<Effect> {
    app.intake.pending = None;
    let found = match result {
        Ok(found) => found,
        Err(f) => return fail(app, f),
    };
    let query = app.intake.looked_up.clone().unwrap_or_default();
    let by_number = query.len() == 12 && query.chars().all(|c| c.is_ascii_digit());
    if by_number {
        if let Some(c) = found.into_iter().find(|c| c.id_number == query) {
            take_applicant(app, c);
        } else {
            // No account yet: create it here, from the card when one was scanned. A form
            // put aside for this number comes back as it was left (with its key: if it was
            // sent already, sending it again makes no second account).
            let kept = match app.intake.set_aside.take() {
                Some(form) if form.text(CitizenField::IdNumber) == query => Some(form),
                other => {
                    app.intake.set_aside = other;
                    None
                }
            };
            let scanned = app.intake.scanned.clone();
            let form = match (kept, scanned) {
                (Some(mut form), card) => {
                    if let Some(card) = card {
                        form.fill_blanks(&card);
                    }
                    form.error = None;
                    form
                }
                (None, Some(card)) => {
                    let mut form = CitizenForm::new(new_key(app));
                    form.prefill(&card);
                    form
                }
                (None, None) => {
                    let mut form = CitizenForm::new(new_key(app));
                    form.set(CitizenField::IdNumber, &query);
                    form.focus = CitizenField::FullName as usize;
                    form
                }
            };
            app.intake.applicant = None;
            app.intake.new_citizen = Some(form);
            app.intake.error = Some(tr(app.lang, "intake.no_account").to_owned());
        }
    } else if found.is_empty() {
        app.intake.error = Some(tr(app.lang, "intake.no_citizen_match").to_owned());
    } else {
        app.intake.matches = found;
        app.intake.match_selected = 0;
    }
    autosave(app)
}

fn new_citizen_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    let lang = app.lang;
    let today = today(app);
    let Some(form) = app.intake.new_citizen.as_mut() else {
        return vec![];
    };
    match citizen_form_key(form, key, lang, today) {
        FormKey::Close => {
            // Put aside, not thrown away: looking the number up again brings it back.
            if let Some(form) = app.intake.new_citizen.take().filter(|f| !f.is_blank()) {
                let number = form.text(CitizenField::IdNumber);
                app.intake.set_aside = Some(form);
                let text = trf(app.lang, "intake.form_set_aside", &[("number", &number)]);
                toast(app, ToastKind::Info, text);
            }
            app.intake.error = None;
            vec![]
        }
        FormKey::Stay => vec![],
        FormKey::Send { key, citizen } => {
            let id = request(app, Purpose::Citizens);
            if let Some(form) = app.intake.new_citizen.as_mut() {
                form.pending = Some(id);
            }
            vec![Effect::CreateCitizen { id, key, citizen }]
        }
    }
}

/// What a key did to a citizen form.
pub(super) enum FormKey {
    Close,
    Stay,
    /// Every field is right and nothing is on its way: send this.
    Send {
        key: String,
        citizen: crate::api::citizens::NewCitizen,
    },
}

/// Keys of the citizen form: Tab/arrows move, ←/→/Space choose the gender, Enter moves
/// on and, from the last field, sends when every field is right (else it says what is
/// wrong).
pub(super) fn citizen_form_key(
    form: &mut CitizenForm,
    key: KeyInput,
    lang: crate::domain::Lang,
    today: chrono::NaiveDate,
) -> FormKey {
    let last = CitizenField::ALL.len() - 1;
    use KeyInput::Command as K;
    let on_gender = form.focused() == CitizenField::Gender;
    match key {
        K(Command::Back) => return FormKey::Close,
        K(Command::NextField) => form.focus = (form.focus + 1).min(last),
        K(Command::PrevField) => form.focus = form.focus.saturating_sub(1),
        // Space toggles (nam first), → is nữ/female, ← is nam/male.
        K(c @ (Command::Toggle | Command::NextChoice | Command::PrevChoice)) => {
            form.gender = Some(match (c, form.gender) {
                (Command::Toggle, Some(Gender::Male)) => Gender::Female,
                (Command::Toggle, _) => Gender::Male,
                (Command::NextChoice, _) => Gender::Female,
                _ => Gender::Male,
            });
            form.server.remove("gender");
        }
        // Typed initials choose too: n/m = nam/male, f = nữ/female.
        KeyInput::Text(TextInput::Key(KeyEvent {
            code: KeyCode::Char(c),
            ..
        })) if on_gender => {
            match c.to_ascii_lowercase() {
                'n' | 'm' => form.gender = Some(Gender::Male),
                'f' | 'u' => form.gender = Some(Gender::Female),
                _ => {}
            }
            form.server.remove("gender");
        }
        K(Command::Create) => {
            if form.focus < last {
                form.focus += 1;
                return FormKey::Stay;
            }
            form.attempted = true;
            if form.pending.is_some() {
                return FormKey::Stay;
            }
            return match form.request(lang, today) {
                Err(problem) => {
                    form.error = Some(problem);
                    FormKey::Stay
                }
                Ok(citizen) => {
                    form.error = None;
                    FormKey::Send {
                        key: form.key.clone(),
                        citizen,
                    }
                }
            };
        }
        K(_) => {}
        KeyInput::Text(key) => {
            let field = form.focused();
            if edit(&mut form.texts[field as usize], key) {
                form.server.remove(field.wire_name());
            }
        }
    }
    FormKey::Stay
}

pub(super) fn on_created_for_intake(
    app: &mut App,
    result: Result<CitizenCreated, Failure>,
) -> Vec<Effect> {
    // The answer is for the form on screen, or for the one put aside while it was sent.
    for form in [
        app.intake.new_citizen.as_mut(),
        app.intake.set_aside.as_mut(),
    ]
    .into_iter()
    .flatten()
    {
        form.pending = None;
    }
    match result {
        Ok(created) => {
            app.intake.activation = Some(created.activation);
            // Its form, if put aside meanwhile, is done with.
            if app
                .intake
                .set_aside
                .as_ref()
                .is_some_and(|f| f.text(CitizenField::IdNumber) == created.citizen.id_number)
            {
                app.intake.set_aside = None;
            }
            take_applicant(app, created.citizen);
            let text = tr(app.lang, "toast.citizen_created").to_owned();
            toast(app, ToastKind::Success, text);
            autosave(app)
        }
        // Another office's citizen: no account named; the dossier goes with the number
        // and the date of birth on the card, which the officer confirms.
        Err(Failure::Exists { id: None, .. }) => {
            let form = app
                .intake
                .new_citizen
                .take()
                .or_else(|| app.intake.set_aside.take());
            let number = form
                .as_ref()
                .map(|f| f.text(CitizenField::IdNumber))
                .unwrap_or_default();
            let typed = form
                .as_ref()
                .and_then(|f| parse_date(&f.text(CitizenField::DateOfBirth)));
            ask_date_of_birth(app, number, typed);
            autosave(app)
        }
        // The number has an account after all (another desk made it): take it.
        Err(Failure::Exists { id: Some(id), .. }) => {
            app.intake.new_citizen = None;
            let rid = request(app, Purpose::Citizens);
            app.intake.pending = Some(rid);
            vec![Effect::LoadCitizen {
                id: rid,
                citizen_id: id,
            }]
        }
        Err(Failure::Refused {
            message, fields, ..
        }) => {
            let w = &mut app.intake;
            if let Some(form) = w.new_citizen.as_mut().or(w.set_aside.as_mut()) {
                form.server = fields;
                form.error = Some(message);
            }
            vec![]
        }
        Err(f) => {
            let text = failure_text(app.lang, &f);
            let w = &mut app.intake;
            if let Some(form) = w.new_citizen.as_mut().or(w.set_aside.as_mut()) {
                form.error = Some(text);
            }
            fail_quietly(app, f)
        }
    }
}

/// 401 still means log in again; other failures were shown where they belong.
pub(super) fn fail_quietly(app: &mut App, f: Failure) -> Vec<Effect> {
    match f {
        Failure::Unauthorized(_) => expire(app),
        _ => vec![],
    }
}

// ---------------------------------------------------------------------------------------
// 3. Documents

fn documents_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    if let Some(mut path) = app.intake.attach.take() {
        match key {
            K(Command::Back) => {}
            K(Command::Complete) => {
                let typed = field_text(&path);
                app.intake.attach = Some(path);
                return vec![Effect::CompletePath { typed }];
            }
            K(Command::Upload) => {
                let typed = field_text(&path).trim().to_owned();
                if typed.is_empty() {
                    app.intake.attach = Some(path);
                    return vec![];
                }
                let doc = app.intake.doc_selected;
                return vec![Effect::CheckFile { doc, path: typed }];
            }
            K(_) => app.intake.attach = Some(path),
            KeyInput::Text(key) => {
                edit(&mut path, key);
                app.intake.attach = Some(path);
            }
        }
        return vec![];
    }
    let n = app.intake.docs.len();
    let at = app.intake.doc_selected.min(n.saturating_sub(1));
    match key {
        K(Command::Back) => return back(app),
        K(Command::Up) => app.intake.doc_selected = at.saturating_sub(1),
        K(Command::Down) => app.intake.doc_selected = (at + 1).min(n.saturating_sub(1)),
        K(Command::Paper) => {
            if let Some(d) = app.intake.docs.get_mut(at) {
                d.on_paper = !d.on_paper;
                d.reuse = None;
                app.intake.error = None;
            }
        }
        K(Command::Digitize) if at < n => return super::documents::open_in_wizard(app),
        K(Command::Reuse) => return super::documents::reuse_key(app),
        K(Command::Attach) if at < n => {
            let mut t = text_field();
            let start = app
                .intake
                .docs
                .get(at)
                .and_then(|d| d.file.as_ref())
                .map(|f| f.path.clone())
                .unwrap_or_default();
            t.insert_str(start);
            app.intake.attach = Some(t);
        }
        K(Command::Detach) => {
            if let Some(d) = app.intake.docs.get_mut(at) {
                d.file = None;
            }
            app.uploads.retain(|_, i| *i != at);
        }
        K(Command::NextStep) => return forward(app),
        _ => {}
    }
    vec![]
}

/// Once a second: uploads whose link failed are tried again when their wait is over.
pub(super) fn retry_uploads(app: &mut App) -> Vec<Effect> {
    let mut due = Vec::new();
    for (i, d) in app.intake.docs.iter_mut().enumerate() {
        let Some(f) = d.file.as_mut() else { continue };
        match f.retry_in {
            Some(0) => {
                f.retry_in = None;
                due.push((i, f.key.clone(), f.path.clone()));
            }
            Some(n) => f.retry_in = Some(n - 1),
            None => {}
        }
    }
    let mut effects = Vec::new();
    for (i, key, path) in due {
        let id = request(app, Purpose::Upload);
        app.uploads.insert(id, i);
        effects.push(Effect::Upload {
            id,
            key,
            path: PathBuf::from(path),
        });
    }
    effects
}

/// Tab's answer: the completion replaces what was typed, unless the officer typed on.
pub(super) fn on_path_completed(app: &mut App, typed: &str, completed: String) -> Vec<Effect> {
    if let Some(field) = app.intake.attach.as_mut()
        && field_text(field) == typed
    {
        let mut t = text_field();
        t.insert_str(completed);
        *field = t;
    }
    vec![]
}

/// What the file to attach turned out to be (Enter asked): attached and uploading, or
/// the path back in its field with the reason.
pub(super) fn on_file_checked(
    app: &mut App,
    doc: usize,
    path: String,
    size: Option<u64>,
) -> Vec<Effect> {
    if app.intake.step != WizardStep::Documents || doc >= app.intake.docs.len() {
        return vec![];
    }
    match size {
        Some(size) => attach(app, doc, path, size),
        None => {
            app.intake.error = Some(trf(app.lang, "intake.no_file", &[("path", &path)]));
            app.intake.attach = Some({
                let mut t = text_field();
                t.insert_str(&path);
                t
            });
            vec![]
        }
    }
}

fn attach(app: &mut App, at: usize, path: String, size: u64) -> Vec<Effect> {
    let key = new_key(app);
    if let Some(d) = app.intake.docs.get_mut(at) {
        // A file of its own: the part no longer reuses the store's.
        d.reuse = None;
        d.file = Some(FileState {
            path: path.clone(),
            key: key.clone(),
            size,
            sent: 0,
            upload_id: None,
            content_type: None,
            error: None,
            retry_in: None,
            failures: 0,
        });
    }
    app.intake.error = None;
    app.uploads.retain(|_, i| *i != at);
    let id = request(app, Purpose::Upload);
    app.uploads.insert(id, at);
    vec![Effect::Upload {
        id,
        key,
        path: PathBuf::from(path),
    }]
}

pub(super) fn on_upload_progress(app: &mut App, key: &str, sent: u64, total: u64) {
    for d in &mut app.intake.docs {
        if let Some(f) = d.file.as_mut().filter(|f| f.key == key) {
            f.sent = sent;
            f.size = total;
        }
    }
}

pub(super) fn on_uploaded(
    app: &mut App,
    id: RequestId,
    result: Result<Uploaded, Failure>,
) -> Vec<Effect> {
    app.pending.remove(&id);
    let Some(at) = app.uploads.remove(&id) else {
        return vec![];
    };
    let lang = app.lang;
    let Some(file) = app.intake.docs.get_mut(at).and_then(|d| d.file.as_mut()) else {
        return vec![];
    };
    match result {
        Ok(up) => {
            file.upload_id = Some(up.id);
            file.sent = up.size;
            file.size = up.size;
            file.content_type = Some(up.content_type);
            file.error = None;
            file.retry_in = None;
            file.failures = 0;
            autosave(app)
        }
        Err(f) => {
            // The link's general message speaks of the data on screen; a row of the
            // documents step says what became of its file.
            file.error = Some(match &f {
                Failure::Offline(_) => tr(lang, "upload.offline").to_owned(),
                other => failure_text(lang, other),
            });
            // A cut link: again by itself, later and later; a refusal is for the officer.
            if matches!(f, Failure::Offline(_)) {
                file.failures += 1;
                file.retry_in = Some(backoff(2, file.failures - 1));
            }
            fail_quietly(app, f)
        }
    }
}

// ---------------------------------------------------------------------------------------
// 4. Delivery

pub fn delivery_choices(app: &App) -> Vec<DeliveryMethod> {
    chosen_procedure(app)
        .map(|p| p.delivery.clone())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| vec![DeliveryMethod::InPerson])
}

fn delivery_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    let choices = delivery_choices(app);
    let at = choices
        .iter()
        .position(|d| *d == app.intake.delivery)
        .unwrap_or(0);
    let postal = app.intake.delivery == DeliveryMethod::Postal;
    if app.intake.on_address {
        match key {
            K(Command::Back | Command::PrevField) => app.intake.on_address = false,
            K(Command::NextStep) => return forward(app),
            K(_) => {}
            KeyInput::Text(key) => {
                edit(&mut app.intake.address, key);
            }
        }
        return vec![];
    }
    match key {
        K(Command::Back) => return back(app),
        K(Command::PrevChoice) => app.intake.delivery = choices[at.saturating_sub(1)],
        K(Command::NextChoice) => app.intake.delivery = choices[(at + 1).min(choices.len() - 1)],
        K(Command::Address) if postal => app.intake.on_address = true,
        K(Command::NextStep) => {
            if postal && field_text(&app.intake.address).trim().is_empty() {
                app.intake.on_address = true;
                return vec![];
            }
            return forward(app);
        }
        _ => {}
    }
    vec![]
}

// ---------------------------------------------------------------------------------------
// 5. Review and submit

fn review_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    let rows = app.intake.review_rows(chosen_case(app));
    let at = rows
        .iter()
        .position(|r| *r == app.intake.review_row)
        .unwrap_or(rows.len() - 1);
    let row = rows[at];
    match key {
        K(Command::Back) => return back(app),
        K(Command::NextField) => app.intake.review_row = rows[(at + 1).min(rows.len() - 1)],
        K(Command::PrevField) => app.intake.review_row = rows[at.saturating_sub(1)],
        K(c @ (Command::NextChoice | Command::PrevChoice)) if row == ReviewRow::Payment => {
            let n = PayChoice::ALL.len();
            let i = PayChoice::ALL
                .iter()
                .position(|p| *p == app.intake.pay)
                .unwrap_or(0);
            app.intake.pay = PayChoice::ALL[if c == Command::PrevChoice {
                (i + n - 1) % n
            } else {
                (i + 1) % n
            }];
        }
        K(Command::Tick) if row == ReviewRow::Declaration => {
            app.intake.declaration = !app.intake.declaration;
            app.intake.error = None;
        }
        K(Command::Submit) => return submit(app),
        K(_) => {}
        KeyInput::Text(key) => {
            let field = match row {
                ReviewRow::Pages => &mut app.intake.pages,
                ReviewRow::Copies => &mut app.intake.copies,
                ReviewRow::Receipt => &mut app.intake.receipt_no,
                _ => return vec![],
            };
            edit(field, key);
        }
    }
    vec![]
}

fn submit(app: &mut App) -> Vec<Effect> {
    if app.intake.pending.is_some() {
        // Pressed again while the first is on its way: the same dossier, not a second.
        return vec![];
    }
    if app.intake.queued {
        // In the outbox already: it goes by itself when the link is back.
        app.intake.error = Some(tr(app.lang, "toast.queued").to_owned());
        return vec![];
    }
    // Everything before the review must still hold (a draft may come back incomplete).
    for step in WizardStep::WALK {
        if let Some(problem) = app
            .intake
            .blocker(step, chosen_procedure(app), app.lang, today(app))
        {
            app.intake.error = Some(problem);
            if step != WizardStep::Review {
                app.intake.step = step;
            }
            return vec![];
        }
    }
    if let Some(problem) = super::documents::documents_blocker(app) {
        app.intake.error = Some(problem);
        app.intake.step = WizardStep::Documents;
        return vec![];
    }
    let Some(body) = app.intake.request() else {
        app.intake.error = Some(tr(app.lang, "intake.need_procedure").to_owned());
        return vec![];
    };
    app.intake.error = None;
    // With the link down, the desk numbers the dossier from the numbers it holds, so
    // the receipt carries its final code (issue 19). A dossier numbered before a crash
    // keeps its number.
    let offline = app.offline_session || app.link.state == LinkState::Offline;
    if app.intake.offline.is_some() {
        return take_in_offline(app);
    }
    if offline && app.held_codes.unwrap_or(0) > 0 {
        let id = request(app, Purpose::Submit);
        app.intake.pending = Some(id);
        return vec![Effect::NumberOffline(id)];
    }
    let id = request(app, Purpose::Submit);
    app.intake.pending = Some(id);
    vec![Effect::CreateDossier {
        id,
        key: app.intake.key.clone(),
        request: Box::new(body),
    }]
}

/// The held number for the dossier being taken in with the link down, or why none.
pub(super) fn on_numbered_offline(
    app: &mut App,
    id: RequestId,
    result: Result<crate::tui::offline::Numbered, String>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() || app.intake.pending != Some(id) {
        return vec![];
    }
    app.intake.pending = None;
    match result {
        Ok(numbered) => {
            app.intake.offline = Some(numbered);
            take_in_offline(app)
        }
        Err(text) => {
            app.intake.error = Some(text);
            vec![]
        }
    }
}

/// The dossier numbered offline: the draft keeps the number first, the outbox gets the
/// dossier with it, and the done screen shows what the portal will make of it (the code
/// final, the due time and fee by the same rules), marked as taken offline.
fn take_in_offline(app: &mut App) -> Vec<Effect> {
    let (Some(numbered), Some(body)) = (app.intake.offline.clone(), app.intake.request()) else {
        return vec![];
    };
    let applicant = match (&app.intake.applicant, &app.intake.presented) {
        (Some(c), _) => Some(crate::tui::offline::applicant_of(c)),
        (None, Some(p)) => p.date().map(|dob| crate::api::dossiers::Applicant {
            citizen_id: String::new(),
            id_number: p.id_number.clone(),
            full_name: body.submitter.full_name.clone(),
            date_of_birth: dob.format("%Y-%m-%d").to_string(),
            gender: crate::domain::identity::Gender::Male,
            phone: String::new(),
            email: None,
            address: String::new(),
        }),
        (None, None) => None,
    };
    let office = app.me.as_ref().and_then(|m| m.office.clone());
    let made = match (chosen_procedure(app), applicant, office) {
        (Some(procedure), Some(applicant), Some(office)) => crate::tui::offline::provisional(
            &body,
            procedure,
            applicant,
            &office,
            &app.calendar,
            &numbered,
        ),
        _ => None,
    };
    let Some(made) = made else {
        app.intake.error = Some(tr(app.lang, "intake.need_procedure").to_owned());
        return vec![];
    };
    // What the receipt promises goes with it, for the dossier's history.
    let mut body = body;
    body.printed_due_at = made.due_at.clone();
    let draft = app.intake.to_draft(app.now.to_rfc3339());
    app.last_draft = Some(draft.clone());
    let id = request(app, Purpose::Submit);
    let mut effects = vec![
        Effect::SaveDraft(Some(Box::new(draft))),
        Effect::CreateDossier {
            id,
            key: app.intake.key.clone(),
            request: Box::new(body),
        },
    ];
    // The draft goes when the outbox has the dossier (`Queued`), not before.
    effects.extend(
        created(app, made)
            .into_iter()
            .filter(|e| !matches!(e, Effect::SaveDraft(None))),
    );
    app.intake.pending = Some(id);
    effects
}

/// The portal's answer for a dossier taken in offline and shown provisionally: it
/// replaces what the done screen shows, and a due time the portal counted otherwise is
/// said.
pub(super) fn arrived_offline(app: &mut App, dossier: Dossier) -> Vec<Effect> {
    app.intake.pending = None;
    app.intake.error = None;
    app.inbox.upsert(summary_of(&dossier));
    let keep = app.inbox.selected_code();
    app.inbox.rebuild(keep);
    let printed = app.intake.created.as_ref().and_then(|d| d.due_at.clone());
    if printed != dossier.due_at {
        let text = trf(
            app.lang,
            "intake.offline_due_changed",
            &[
                ("code", &dossier.code),
                ("printed", &short_time(printed.as_deref())),
                ("due", &short_time(dossier.due_at.as_deref())),
            ],
        );
        toast(app, ToastKind::Error, text);
    }
    app.intake.created = Some(Box::new(dossier));
    app.last_draft = None;
    vec![Effect::SaveDraft(None)]
}

/// Whether `d` is the portal's answer for the dossier the done screen shows as taken
/// offline.
pub(super) fn is_offline_shown(app: &App, d: &Dossier) -> bool {
    app.intake
        .offline
        .as_ref()
        .is_some_and(|n| n.code == d.code)
        && app.intake.step == WizardStep::Done
}

pub(super) fn on_dossier_created(
    app: &mut App,
    id: RequestId,
    result: Result<Dossier, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() || app.intake.pending != Some(id) {
        return vec![];
    }
    app.intake.pending = None;
    if let Ok(d) = &result
        && is_offline_shown(app, d)
    {
        return arrived_offline(app, d.clone());
    }
    let dossier = match result {
        Ok(d) => d,
        Err(Failure::Offline(m)) => {
            // Not known to have arrived: the same key makes a retry safe.
            app.intake.error = Some(format!("{m} {}", tr(app.lang, "intake.retry_safe")));
            return vec![];
        }
        // The number and date of birth presented match no citizen: back to the check.
        Err(Failure::Refused { code, .. }) if code == ErrorCode::ApplicantMismatch.as_str() => {
            if let Some(check) = app.intake.presented.as_mut() {
                check.confirmed = false;
            }
            app.intake.step = WizardStep::Applicant;
            app.intake.applicant_row = ApplicantRow::Lookup;
            app.intake.error = Some(tr(app.lang, "intake.applicant_mismatch").to_owned());
            return autosave(app);
        }
        Err(f) => {
            app.intake.error = Some(failure_text(app.lang, &f));
            return fail_quietly(app, f);
        }
    };
    created(app, dossier)
}

/// The dossier is made: the done step, the inbox row, and the payment to record.
pub(super) fn created(app: &mut App, dossier: Dossier) -> Vec<Effect> {
    app.intake.pending = None;
    app.intake.error = None;
    app.inbox.upsert(summary_of(&dossier));
    let keep = app.inbox.selected_code();
    app.inbox.rebuild(keep);
    let amount = dossier.fee.amount;
    let code = dossier.code.clone();
    app.intake.created = Some(Box::new(dossier));
    app.intake.step = WizardStep::Done;
    app.intake.paid = amount == 0;
    // The parts scanned with their metadata are digitized first: the outbox sends a
    // dossier's writes in order, each on the version the one before leaves.
    let made = app.intake.created.as_deref().cloned();
    let mut effects = match made {
        Some(d) => super::documents::after_intake(app, &d),
        None => vec![],
    };
    if amount > 0 {
        match app.intake.pay {
            PayChoice::Cash => {
                let rid = request(app, Purpose::Payment);
                effects.push(Effect::PayCash {
                    id: rid,
                    code,
                    key: app.intake.cash_key.clone(),
                    amount,
                    receipt_no: field_text(&app.intake.receipt_no).trim().to_owned(),
                });
            }
            PayChoice::VietQr => {
                let rid = request(app, Purpose::Payment);
                effects.push(Effect::LoadPayment { id: rid, code });
            }
            PayChoice::Later => {}
        }
    }
    if !effects
        .iter()
        .any(|e| matches!(e, Effect::PayCash { .. } | Effect::LoadPayment { .. }))
    {
        effects.push(Effect::SaveDraft(None));
        app.last_draft = None;
    }
    let text = trf(
        app.lang,
        "toast.dossier_created",
        &[(
            "code",
            &app.intake
                .created
                .as_ref()
                .map(|d| d.code.clone())
                .unwrap_or_default(),
        )],
    );
    toast(app, ToastKind::Success, text);
    effects
}

/// A draft from an earlier run whose submission the outbox has delivered (matched by the
/// submission's idempotency key): the wizard comes back as it was and ends as a
/// submission ends, with the code of the dossier made, its receipt and its fee; the draft
/// is closed instead of being offered again.
pub(super) fn finish_draft(app: &mut App, draft: Draft, dossier: Dossier) -> Vec<Effect> {
    app.draft_offer = None;
    app.intake = Wizard::from_draft(&draft);
    app.last_draft = None;
    // "A draft waits: resume it" no longer holds.
    let offer = tr(app.lang, "toast.draft_found");
    app.toasts.retain(|t| t.text != offer);
    created(app, dossier)
}

pub(super) fn on_payment(
    app: &mut App,
    id: RequestId,
    result: Result<Payment, Failure>,
    cash: bool,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    // Only the fee of the dossier this intake made: the draft is not another's to close.
    let ours = |code: &str| app.intake.created.as_ref().is_some_and(|d| d.code == code);
    match result {
        Ok(payment) if !ours(&payment.code) => vec![],
        Ok(payment) => {
            if cash {
                app.intake.paid = true;
            }
            if let Some(d) = app.intake.created.as_mut()
                && d.code == payment.code
            {
                d.version = payment.version;
                d.status = payment.dossier_status;
            }
            app.intake.payment = Some(payment);
            app.last_draft = None;
            vec![Effect::SaveDraft(None)]
        }
        Err(f) => {
            app.intake.error = Some(failure_text(app.lang, &f));
            fail_quietly(app, f)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Done

fn done_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    let KeyInput::Command(command) = key else {
        return vec![];
    };
    let Some(code) = app.intake.created.as_ref().map(|d| d.code.clone()) else {
        return vec![];
    };
    match command {
        Command::Receipt => open_receipt(app, code),
        Command::NewDossier => {
            app.intake = fresh_wizard(&mut app.keys);
            app.last_draft = None;
            vec![Effect::SaveDraft(None)]
        }
        Command::Open => open_code(app, code),
        Command::Print => super::forms::receipt_paper(app, true),
        Command::Save => super::forms::receipt_paper(app, false),
        // A cash payment that failed (wrong amount, link cut) can be sent again: same key.
        Command::RetryCash if !app.intake.paid && app.intake.pay == PayChoice::Cash => {
            let amount = app
                .intake
                .created
                .as_ref()
                .map(|d| d.fee.amount)
                .unwrap_or(0);
            let id = request(app, Purpose::Payment);
            app.intake.error = None;
            vec![Effect::PayCash {
                id,
                code,
                key: app.intake.cash_key.clone(),
                amount,
                receipt_no: field_text(&app.intake.receipt_no).trim().to_owned(),
            }]
        }
        Command::Back => {
            app.tab = Tab::Inbox;
            vec![]
        }
        _ => vec![],
    }
}

fn open_receipt(app: &mut App, code: String) -> Vec<Effect> {
    // Taken in offline and not at the portal yet: the desk's own layout of it.
    if let Some(receipt) = super::forms::offline_receipt(app, &code) {
        let text = receipt.text().unwrap_or_else(|why| why);
        app.overlay = Some(Overlay::Form(Box::new(FormView {
            code,
            printable: Printable::Form(Form::Receipt),
            text: Some(text),
            scroll: 0,
            save_to: None,
        })));
        return vec![];
    }
    let id = request(app, Purpose::Form);
    app.overlay = Some(Overlay::Form(Box::new(FormView {
        code: code.clone(),
        printable: Printable::Form(Form::Receipt),
        text: None,
        scroll: 0,
        save_to: None,
    })));
    vec![Effect::LoadForm {
        id,
        code,
        form: Form::Receipt,
    }]
}
