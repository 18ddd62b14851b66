//! `update()` of the desk panes, action by action: the wizard's rules (what blocks each
//! step), one submission however often Enter is pressed, the same key on a retry, a
//! chip-card scan, drafts, uploads that come back after a cut, and the citizens pane.

mod common;

use common::tui::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::api::catalog::{ProcedureDetail, ProcedureSummary};
use motcua::api::citizens::{Activation, Citizen, CitizenCreated, CitizenDetail};
use motcua::api::dossiers::{ApplicantRef, PaymentStatus, Presented, Relation};
use motcua::api::payments::Payment;
use motcua::client::Uploaded;
use motcua::domain::Lang;
use motcua::domain::catalog::Procedure;
use motcua::domain::identity::Gender;
use motcua::domain::status::Status;
use motcua::tui::action::{Action, Effect};
use motcua::tui::intake::{
    ApplicantRow, CitizenField, CitizenForm, CitizensDraft, DateProblem, PayChoice, Wizard,
    WizardStep, parse_date,
};
use motcua::tui::state::*;
use motcua::tui::update::update;

const SIZE: (u16, u16) = (120, 32);

fn ch(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn type_in(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(app, ch(c))).collect()
}

fn catalog() -> Vec<Procedure> {
    motcua::portal::seed::builtin_catalog().unwrap()
}

fn summary_of(p: &Procedure) -> ProcedureSummary {
    let case = &p.cases[0];
    ProcedureSummary {
        code: p.code.clone(),
        name: p.name.clone(),
        field: p.field.clone(),
        online_level: p.online_level,
        desk_duration: case.desk_duration,
        online_duration: case.online_duration,
        fee: case.fees.desk.describe(Lang::Vi),
    }
}

/// The id of the test's citizen, opaque like the portal's.
const CITIZEN_ID: &str = "5c1e0b7d9a3f4e2c8b6a0d1f3e5c7a9b";

fn citizen() -> Citizen {
    Citizen {
        id: CITIZEN_ID.into(),
        id_number: "083078238953".into(),
        legacy_id_number: None,
        full_name: "Nguyễn Văn An".into(),
        date_of_birth: "1978-03-14".into(),
        gender: Gender::Male,
        phone: "0384350158".into(),
        email: None,
        address: "Số 12 đường Hùng Vương, Bến Tre".into(),
        office_id: 1,
        created_at: "2026-11-01T08:00:00+07:00".into(),
        activated: true,
    }
}

/// The effects' request id of the first effect `pick` recognises.
fn id_of(effects: &[Effect], pick: impl Fn(&Effect) -> Option<RequestId>) -> RequestId {
    effects
        .iter()
        .find_map(pick)
        .unwrap_or_else(|| panic!("no such effect in {effects:?}"))
}

/// On the intake tab with the catalog and every procedure's detail loaded.
fn on_intake() -> App {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    let effects = update(&mut app, ch('2'));
    assert_eq!(app.tab, Tab::Intake);
    let id = id_of(&effects, |e| match e {
        Effect::LoadCatalog(id) => Some(*id),
        _ => None,
    });
    let procedures = catalog();
    let mut effects = update(
        &mut app,
        Action::CatalogLoaded(id, Ok(procedures.iter().map(summary_of).collect())),
    );
    // Details as the app asks for them (the highlighted one each time).
    while let Some((id, code)) = effects.iter().find_map(|e| match e {
        Effect::LoadProcedure { id, code } => Some((*id, code.clone())),
        _ => None,
    }) {
        let p = procedures.iter().find(|p| p.code == code).unwrap().clone();
        effects = update(
            &mut app,
            Action::ProcedureLoaded(
                id,
                Ok(ProcedureDetail {
                    procedure: p,
                    version: 1,
                }),
            ),
        );
    }
    // The others too, so any can be picked at once.
    for p in procedures {
        app.procedures.insert(p.code.clone(), p);
    }
    app
}

/// The rest of Nguyễn Văn An's account, right in every field.
fn fill(form: &mut CitizenForm) {
    form.set(CitizenField::FullName, "Nguyễn Văn An");
    form.set(CitizenField::DateOfBirth, "14/03/1978");
    form.gender = Some(Gender::Male);
    form.set(CitizenField::Phone, "0384350158");
    form.set(CitizenField::Address, "Bến Tre");
}

/// Picks `search`'s first match and its `case`-th case.
fn pick(app: &mut App, search: &str, case: usize) {
    type_in(app, search);
    update(app, key(KeyCode::Enter));
    if app.intake.choosing_case.is_some() {
        for _ in 0..case {
            update(app, key(KeyCode::Down));
        }
        update(app, key(KeyCode::Enter));
    }
    assert_eq!(
        app.intake.step,
        WizardStep::Applicant,
        "{:?}",
        app.intake.error
    );
}

/// Types the number, answers the lookup with `found`.
fn look_up(app: &mut App, text: &str, found: Vec<Citizen>) -> Vec<Effect> {
    type_in(app, text);
    let effects = update(app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::FindCitizens { id, .. } => Some(*id),
        _ => None,
    });
    update(app, Action::CitizensFound(id, Ok(found)))
}

/// Through to the review of a signature certification (10,000 đ, documents on paper).
fn at_review() -> App {
    let mut app = on_intake();
    pick(&mut app, "chu ky", 0);
    look_up(&mut app, "083078238953", vec![citizen()]);
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.intake.step, WizardStep::Documents);
    let parts = app.intake.docs.len();
    for _ in 0..parts {
        update(&mut app, ch(' '));
        update(&mut app, key(KeyCode::Down));
    }
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        app.intake.step,
        WizardStep::Delivery,
        "{:?}",
        app.intake.error
    );
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.intake.step, WizardStep::Review);
    app
}

fn dossier_for(app: &App) -> motcua::api::dossiers::Dossier {
    let mut d = dossier();
    d.code = "000.01.27.H07-261124-0042".into();
    d.status = Status::Received;
    d.applicant.full_name = app.intake.applicant.as_ref().unwrap().full_name.clone();
    d.fee.amount = 10_000;
    d.fee.status = PaymentStatus::Unpaid;
    d
}

#[test]
fn the_picker_filters_without_marks_and_by_level() {
    let mut app = on_intake();
    type_in(&mut app, "khai sinh");
    let rows = motcua::tui::update::picker_rows(&app);
    assert_eq!(rows.len(), 1);
    assert_eq!(app.catalog[rows[0]].code, "1.001193");
    // Ctrl-L: level 3 (partial) only; birth registration is level 4.
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL)),
    );
    assert!(motcua::tui::update::picker_rows(&app).is_empty());
    // Enter with nothing to pick says so and stays.
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.intake.step, WizardStep::Procedure);
    assert!(app.intake.error.is_some());
}

#[test]
fn a_procedure_with_cases_asks_which_one() {
    let mut app = on_intake();
    pick(&mut app, "khai sinh", 1);
    assert_eq!(app.intake.procedure.as_deref(), Some("1.001193"));
    assert_eq!(app.intake.case_id.as_deref(), Some("qua_han"));
    // The checklist is the case's.
    let case = motcua::tui::update::chosen_case(&app).unwrap().clone();
    let ids: Vec<&str> = app.intake.docs.iter().map(|d| d.part_id.as_str()).collect();
    let want: Vec<&str> = case.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, want);
}

#[test]
fn a_chip_card_scan_looks_up_the_number_and_prefills_a_new_account() {
    let mut app = on_intake();
    pick(&mut app, "khai tu", 0);
    let scan = "083185012345||Huỳnh Thị Thu Trang|12041985|Nữ|Ấp Phú Chánh, Bến Tre|15062021";
    type_in(&mut app, scan);
    let effects = update(&mut app, key(KeyCode::Enter));
    let (id, query) = effects
        .iter()
        .find_map(|e| match e {
            Effect::FindCitizens { id, query } => Some((*id, query.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(query, "083185012345", "the number, not the whole scan");
    update(&mut app, Action::CitizensFound(id, Ok(vec![])));
    let form = app.intake.new_citizen.as_ref().expect("the account form");
    assert_eq!(form.text(CitizenField::FullName), "Huỳnh Thị Thu Trang");
    assert_eq!(form.text(CitizenField::DateOfBirth), "12/04/1985");
    assert_eq!(form.gender, Some(Gender::Female));
    assert_eq!(form.focused(), CitizenField::Phone, "the card has no phone");
    // A bad scan says what is wrong and looks nothing up.
    let mut app = on_intake();
    pick(&mut app, "khai tu", 0);
    type_in(&mut app, "083185012345|x|y");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::FindCitizens { .. }))
    );
    assert!(app.intake.error.is_some());
}

#[test]
fn an_inline_account_is_created_once_and_becomes_the_applicant() {
    let mut app = on_intake();
    pick(&mut app, "khai tu", 0);
    look_up(&mut app, "083078238953", vec![]);
    assert!(app.intake.new_citizen.is_some());
    // Enter down to the last field sends; missing fields stop it with the rule.
    for _ in 0..CitizenField::ALL.len() {
        update(&mut app, key(KeyCode::Enter));
    }
    let form = app.intake.new_citizen.as_ref().unwrap();
    assert!(form.error.is_some());
    assert!(form.pending.is_none());
    // Fill it.
    let form = app.intake.new_citizen.as_mut().unwrap();
    fill(form);
    let key_before = form.key.clone();
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::CreateCitizen { id, key, citizen } => {
            assert_eq!(key, &key_before);
            assert_eq!(citizen.date_of_birth, "1978-03-14");
            Some(*id)
        }
        _ => None,
    });
    // A second Enter while it travels sends nothing.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    update(
        &mut app,
        Action::CitizenCreated(
            id,
            Ok(CitizenCreated {
                citizen: citizen(),
                activation: Activation {
                    code: Some("ABCD2345".into()),
                    expires_at: "2026-11-27T10:00:00+07:00".into(),
                },
            }),
        ),
    );
    assert!(app.intake.new_citizen.is_none());
    assert_eq!(app.intake.applicant.as_ref().unwrap().id, CITIZEN_ID);
    assert_eq!(app.intake.applicant_row, ApplicantRow::Relation);
    assert_eq!(
        app.intake.activation.as_ref().unwrap().code.as_deref(),
        Some("ABCD2345")
    );
    // The code is a secret: the draft on disk keeps its expiry, never the code.
    let draft = app.intake.to_draft(String::new());
    let kept = draft.activation.clone().expect("the expiry is kept");
    assert_eq!(kept.code, None);
    assert!(!serde_json::to_string(&draft).unwrap().contains("ABCD2345"));
}

#[test]
fn an_account_made_meanwhile_elsewhere_is_taken_instead() {
    let mut app = on_intake();
    pick(&mut app, "khai tu", 0);
    look_up(&mut app, "083078238953", vec![]);
    let form = app.intake.new_citizen.as_mut().unwrap();
    fill(form);
    form.focus = CitizenField::ALL.len() - 1;
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::CreateCitizen { id, .. } => Some(*id),
        _ => None,
    });
    let effects = update(
        &mut app,
        Action::CitizenCreated(
            id,
            Err(Failure::Exists {
                id: Some(CITIZEN_ID.into()),
                message: "đã có".into(),
            }),
        ),
    );
    let id = id_of(&effects, |e| match e {
        Effect::LoadCitizen { id, citizen_id } if citizen_id == CITIZEN_ID => Some(*id),
        _ => None,
    });
    update(
        &mut app,
        Action::CitizenLoaded(
            id,
            Ok(CitizenDetail {
                citizen: citizen(),
                dossiers: vec![],
            }),
        ),
    );
    assert_eq!(app.intake.applicant.as_ref().unwrap().id, CITIZEN_ID);
}

#[test]
fn each_step_says_what_keeps_it_from_going_on() {
    let mut app = on_intake();
    pick(&mut app, "chu ky", 0);
    // No applicant yet.
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.intake.step, WizardStep::Applicant);
    assert!(app.intake.error.is_some());
    // Authorized without the authorization document.
    let mut app = on_intake();
    pick(&mut app, "chu ky", 0);
    look_up(&mut app, "083078238953", vec![citizen()]);
    update(&mut app, key(KeyCode::Right));
    assert!(app.intake.authorized);
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "Trần Văn Bảy");
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.intake.step, WizardStep::Applicant);
    assert!(app.intake.error.as_deref().unwrap().contains("ủy quyền"));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "GUQ số 12/2026 ngày 20/11/2026");
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.intake.step, WizardStep::Documents);
    // Mandatory documents missing.
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.intake.step, WizardStep::Documents);
    let error = app.intake.error.clone().unwrap();
    assert!(error.contains("Còn thiếu"), "{error}");
}

#[test]
fn review_needs_the_receipt_for_cash_and_the_declaration() {
    let mut app = at_review();
    assert_eq!(app.intake.pay, PayChoice::Cash);
    update(&mut app, key(KeyCode::Enter));
    assert!(app.intake.error.as_deref().unwrap().contains("biên lai"));
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "BL-1");
    update(&mut app, key(KeyCode::Enter));
    assert!(app.intake.error.as_deref().unwrap().contains("cam đoan"));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, ch(' '));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::CreateDossier { .. }))
    );
}

fn ready_to_submit() -> App {
    let mut app = at_review();
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "BL-0042");
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, ch(' '));
    app
}

#[test]
fn submit_twice_sends_once_and_a_retry_reuses_the_key() {
    let mut app = ready_to_submit();
    let first = update(&mut app, key(KeyCode::Enter));
    let (id, key1, body) = first
        .iter()
        .find_map(|e| match e {
            Effect::CreateDossier { id, key, request } => Some((*id, key.clone(), request.clone())),
            _ => None,
        })
        .unwrap();
    assert!(body.declaration_accepted);
    assert_eq!(body.applicant, ApplicantRef::citizen(CITIZEN_ID));
    assert!(
        body.documents
            .iter()
            .all(|d| d.originals == 1 && d.upload_id.is_none())
    );
    // Enter again while it travels: nothing.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    // The link cut the answer: the error says a retry is safe; the retry has the key.
    update(
        &mut app,
        Action::DossierCreated(id, Err(Failure::Offline("mất kết nối".into()))),
    );
    assert_eq!(app.intake.step, WizardStep::Review);
    assert!(
        app.intake
            .error
            .as_deref()
            .unwrap()
            .contains("không bị tạo hai lần")
    );
    let again = update(&mut app, key(KeyCode::Enter));
    let (id, key2) = again
        .iter()
        .find_map(|e| match e {
            Effect::CreateDossier { id, key, .. } => Some((*id, key.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(key1, key2);
    uuid_shaped(&key1);
    // Made: the done step, the cash recorded with its own fixed key and the fee.
    let d = dossier_for(&app);
    let effects = update(&mut app, Action::DossierCreated(id, Ok(d.clone())));
    assert_eq!(app.intake.step, WizardStep::Done);
    let cash = effects
        .iter()
        .find_map(|e| match e {
            Effect::PayCash {
                code,
                key,
                amount,
                receipt_no,
                ..
            } => Some((code.clone(), key.clone(), *amount, receipt_no.clone())),
            _ => None,
        })
        .expect("the cash payment");
    assert_eq!(cash.0, d.code);
    assert_eq!(cash.1, app.intake.cash_key);
    assert_ne!(cash.1, key1);
    assert_eq!(cash.2, 10_000);
    assert_eq!(cash.3, "BL-0042");
    // The new dossier is in the inbox at once.
    assert!(app.inbox.by_code.contains_key(&d.code));
}

fn uuid_shaped(key: &str) {
    assert_eq!(key.len(), 36, "{key}");
    assert_eq!(key.matches('-').count(), 4, "{key}");
}

#[test]
fn paid_cash_ends_the_draft_and_a_new_intake_gets_new_keys() {
    let mut app = ready_to_submit();
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::CreateDossier { id, .. } => Some(*id),
        _ => None,
    });
    let d = dossier_for(&app);
    let effects = update(&mut app, Action::DossierCreated(id, Ok(d.clone())));
    let id = id_of(&effects, |e| match e {
        Effect::PayCash { id, .. } => Some(*id),
        _ => None,
    });
    let payment = Payment {
        code: d.code.clone(),
        reference: "261124-0042".into(),
        amount: 10_000,
        status: PaymentStatus::Paid,
        paid_at: Some("2026-11-24T10:00:00+07:00".into()),
        method: Some("cash".into()),
        receipt_no: Some("BL-0042".into()),
        vietqr: None,
        purpose: "HS 261124-0042".into(),
        bank_bin: "970403".into(),
        account: "1".into(),
        account_name: "UBND".into(),
        dossier_status: Status::Received,
        version: 3,
    };
    let effects = update(&mut app, Action::PaidCash(id, Ok(payment)));
    assert!(app.intake.paid);
    assert!(effects.contains(&Effect::SaveDraft(None)));
    let old = (app.intake.key.clone(), app.intake.cash_key.clone());
    let effects = update(&mut app, ch('n'));
    assert!(effects.contains(&Effect::SaveDraft(None)));
    assert_eq!(app.intake.step, WizardStep::Procedure);
    assert_ne!(app.intake.key, old.0);
    assert_ne!(app.intake.cash_key, old.1);
}

#[test]
fn every_change_saves_the_draft_once_and_it_comes_back_whole() {
    let mut app = on_intake();
    let effects = type_in(&mut app, "chu");
    let saves = effects
        .iter()
        .filter(|e| matches!(e, Effect::SaveDraft(Some(_))))
        .count();
    assert_eq!(saves, 3, "one save per change");
    // A key that changes nothing saves nothing.
    let effects = update(&mut app, key(KeyCode::Up));
    assert!(effects.iter().all(|e| !matches!(e, Effect::SaveDraft(_))));
    pick(&mut app, " ky", 0);
    look_up(&mut app, "083078238953", vec![citizen()]);
    update(&mut app, key(KeyCode::Right));
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "Trần Văn Bảy");
    let draft = app.intake.to_draft("2026-11-24T09:00:00+07:00".into());
    // As after a crash: a fresh app, logged in, finds the draft and offers it.
    let mut again = logged_in(Lang::Vi, false, SIZE);
    update(&mut again, Action::DraftFound(Box::new(draft.clone())));
    assert!(again.draft_offer.is_some());
    update(&mut again, ch('2'));
    update(&mut again, key(KeyCode::Enter));
    assert!(again.draft_offer.is_none());
    let restored = again.intake.to_draft("2026-11-24T09:00:00+07:00".into());
    assert_eq!(restored, draft);
    assert_eq!(again.intake.step, WizardStep::Applicant);
    // Del instead discards it, on disk too.
    let mut other = logged_in(Lang::Vi, false, SIZE);
    update(&mut other, Action::DraftFound(Box::new(draft)));
    update(&mut other, ch('2'));
    let effects = update(&mut other, key(KeyCode::Delete));
    assert!(effects.contains(&Effect::SaveDraft(None)));
    assert!(other.intake.is_blank());
}

#[test]
fn a_draft_is_not_offered_over_work_in_progress() {
    let mut app = on_intake();
    type_in(&mut app, "chu");
    let draft = Wizard::new("k".into(), "c".into()).to_draft(String::new());
    update(&mut app, Action::DraftFound(Box::new(draft)));
    assert!(app.draft_offer.is_none());
}

#[test]
fn an_upload_cut_by_the_link_goes_on_by_itself_with_the_same_key() {
    let mut app = on_intake();
    pick(&mut app, "khai sinh", 0);
    look_up(&mut app, "083078238953", vec![citizen()]);
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.intake.step, WizardStep::Documents);
    update(&mut app, ch('a'));
    type_in(&mut app, "/home/tiepnhan/to-khai.pdf");
    let effects = update(&mut app, key(KeyCode::Enter));
    let effects = file_checked(&mut app, &effects, 13);
    let (id, key1) = effects
        .iter()
        .find_map(|e| match e {
            Effect::Upload { id, key, .. } => Some((*id, key.clone())),
            _ => None,
        })
        .unwrap();
    // Going on is refused while it uploads.
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.intake.step, WizardStep::Documents);
    update(
        &mut app,
        Action::Uploaded(id, Err(Failure::Offline("cut".into()))),
    );
    let f = app.intake.docs[0].file.clone().unwrap();
    assert!(f.error.is_some());
    let wait = f.retry_in.expect("a retry is due");
    let mut retried = None;
    for _ in 0..=wait {
        let effects = update(&mut app, Action::Tick(now()));
        if let Some(e) = effects.iter().find_map(|e| match e {
            Effect::Upload { id, key, .. } => Some((*id, key.clone())),
            _ => None,
        }) {
            retried = Some(e);
        }
    }
    let (id, key2) = retried.expect("the upload again after its wait");
    assert_eq!(key1, key2, "the same upload, continued");
    update(
        &mut app,
        Action::Uploaded(
            id,
            Ok(Uploaded {
                id: "u-1".into(),
                size: 13,
                content_type: "application/pdf".into(),
            }),
        ),
    );
    let d = &app.intake.docs[0];
    assert!(d.present());
    assert_eq!(d.file.as_ref().unwrap().upload_id.as_deref(), Some("u-1"));
    // A refusal (not the link) waits for the officer instead.
    let id2 = {
        update(&mut app, key(KeyCode::Down));
        update(&mut app, ch('a'));
        type_in(&mut app, "/home/tiepnhan/to-khai.pdf");
        let effects = update(&mut app, key(KeyCode::Enter));
        let effects = file_checked(&mut app, &effects, 13);
        id_of(&effects, |e| match e {
            Effect::Upload { id, .. } => Some(*id),
            _ => None,
        })
    };
    update(
        &mut app,
        Action::Uploaded(
            id2,
            Err(Failure::Refused {
                code: "upload_type_mismatch".into(),
                message: "không phải PDF".into(),
                fields: Default::default(),
            }),
        ),
    );
    assert!(app.intake.docs[1].file.as_ref().unwrap().retry_in.is_none());
}

#[test]
fn the_citizen_form_checks_fields_as_typed() {
    let today = now().date_naive();
    let mut form = CitizenForm::new("k".into());
    // Nothing typed: no noise until a first attempt.
    assert!(form.problems(Lang::Vi, today).is_empty());
    form.attempted = true;
    assert_eq!(form.problems(Lang::Vi, today).len(), 6, "all but e-mail");
    form.set(CitizenField::IdNumber, "083078238953");
    form.set(CitizenField::DateOfBirth, "14/03/1979");
    assert!(
        form.problem(CitizenField::IdNumber, Lang::Vi, today)
            .unwrap()
            .contains("1978"),
        "the number's birth year disagrees"
    );
    form.set(CitizenField::DateOfBirth, "31/02/1978");
    assert!(
        form.problem(CitizenField::DateOfBirth, Lang::En, today)
            .is_some()
    );
    form.set(CitizenField::DateOfBirth, "14/03/1978");
    form.gender = Some(Gender::Female);
    assert!(
        form.problem(CitizenField::IdNumber, Lang::Vi, today)
            .is_some(),
        "gender"
    );
    form.gender = Some(Gender::Male);
    assert!(
        form.problem(CitizenField::IdNumber, Lang::Vi, today)
            .is_none()
    );
    form.set(CitizenField::Phone, "0123");
    assert!(form.problem(CitizenField::Phone, Lang::Vi, today).is_some());
    form.set(CitizenField::Phone, "+84 384 350 158");
    assert!(form.problem(CitizenField::Phone, Lang::Vi, today).is_none());
    form.set(CitizenField::Email, "an@@example");
    assert!(form.problem(CitizenField::Email, Lang::Vi, today).is_some());
    form.set(CitizenField::Email, "");
    assert!(
        form.problem(CitizenField::Email, Lang::Vi, today).is_none(),
        "optional"
    );
    // A date of birth in the future.
    form.set(CitizenField::DateOfBirth, "01/01/2099");
    assert!(
        form.problem(CitizenField::DateOfBirth, Lang::Vi, today)
            .is_some()
    );
    assert_eq!(
        parse_date("2/7/1990"),
        chrono::NaiveDate::from_ymd_opt(1990, 7, 2)
    );
    assert_eq!(
        parse_date("1990-07-02"),
        chrono::NaiveDate::from_ymd_opt(1990, 7, 2)
    );
    assert_eq!(parse_date("02/07/90"), None, "a four-digit year");
}

#[test]
fn the_citizens_pane_searches_opens_and_shows_an_existing_account() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, ch('3'));
    assert_eq!(app.tab, Tab::Citizens);
    type_in(&mut app, "nguyen van");
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::FindCitizens { id, query } if query == "nguyen van" => Some(*id),
        _ => None,
    });
    update(&mut app, Action::CitizensFound(id, Ok(vec![citizen()])));
    // Enter again on the same text opens the one selected.
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        effects.iter().any(
            |e| matches!(e, Effect::LoadCitizen { citizen_id, .. } if citizen_id == CITIZEN_ID)
        )
    );
    // A new account whose number exists: the existing one opens, with the reason.
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, ch('3'));
    type_in(&mut app, "083078238953");
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL)),
    );
    let form = app.citizens.form.as_mut().expect("the form");
    assert_eq!(
        form.text(CitizenField::IdNumber),
        "083078238953",
        "prefilled"
    );
    fill(form);
    form.focus = CitizenField::ALL.len() - 1;
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::CreateCitizen { id, .. } => Some(*id),
        _ => None,
    });
    let effects = update(
        &mut app,
        Action::CitizenCreated(
            id,
            Err(Failure::Exists {
                id: Some(CITIZEN_ID.into()),
                message: "Số định danh này đã có tài khoản".into(),
            }),
        ),
    );
    assert!(app.citizens.form.is_none());
    assert!(app.citizens.note.as_deref().unwrap().contains("đã có"));
    assert!(
        effects.iter().any(
            |e| matches!(e, Effect::LoadCitizen { citizen_id, .. } if citizen_id == CITIZEN_ID)
        )
    );
}

#[test]
fn a_new_account_shows_its_slip_and_a_code_can_be_reissued() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, ch('3'));
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL)),
    );
    let form = app.citizens.form.as_mut().unwrap();
    form.set(CitizenField::IdNumber, "083078238953");
    fill(form);
    form.focus = CitizenField::ALL.len() - 1;
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::CreateCitizen { id, .. } => Some(*id),
        _ => None,
    });
    update(
        &mut app,
        Action::CitizenCreated(
            id,
            Ok(CitizenCreated {
                citizen: Citizen {
                    activated: false,
                    ..citizen()
                },
                activation: Activation {
                    code: Some("ABCD2345".into()),
                    expires_at: "2026-11-27T10:00:00+07:00".into(),
                },
            }),
        ),
    );
    let Some(Overlay::Form(view)) = &app.overlay else {
        panic!("the slip");
    };
    let text = view.text.clone().unwrap();
    assert!(
        text.contains("ABCD2345") && text.contains("083078238953"),
        "{text}"
    );
    // p prints it.
    let effects = update(&mut app, ch('p'));
    assert!(matches!(&effects[..], [Effect::Print { text: t }] if *t == text));
    update(&mut app, key(KeyCode::Esc));
    // `a` on the record: a new code, with its own key each time.
    let first = update(&mut app, ch('a'));
    let second = {
        let id = id_of(&first, |e| match e {
            Effect::ReissueActivation { id, .. } => Some(*id),
            _ => None,
        });
        update(
            &mut app,
            Action::ActivationIssued(
                id,
                Ok(Activation {
                    code: Some("EFGH6789".into()),
                    expires_at: "2026-11-27T11:00:00+07:00".into(),
                }),
            ),
        );
        assert!(
            matches!(&app.overlay, Some(Overlay::Form(v)) if v.text.as_deref().unwrap().contains("EFGH6789"))
        );
        update(&mut app, key(KeyCode::Esc));
        update(&mut app, ch('a'))
    };
    let key_of = |effects: &[Effect]| {
        effects
            .iter()
            .find_map(|e| match e {
                Effect::ReissueActivation { key, .. } => Some(key.clone()),
                _ => None,
            })
            .unwrap()
    };
    assert_ne!(key_of(&first), key_of(&second));
}

/// `update` reads no disk: Tab asks the runtime to complete the path and Enter to look at
/// the file; their answers come back as actions.
#[test]
fn the_path_field_asks_the_runtime_about_files() {
    let mut app = on_intake();
    pick(&mut app, "khai sinh", 0);
    look_up(&mut app, "083078238953", vec![citizen()]);
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.intake.step, WizardStep::Documents);
    update(&mut app, ch('a'));
    type_in(&mut app, "~/scan/gi");
    let typed = "~/scan/gi".to_owned();
    assert_eq!(
        update(&mut app, key(KeyCode::Tab)),
        [Effect::CompletePath {
            typed: typed.clone()
        }]
    );
    let field = |app: &App| app.intake.attach.as_ref().map(field_text);
    update(
        &mut app,
        Action::PathCompleted {
            typed: typed.clone(),
            completed: "~/scan/giay-".into(),
        },
    );
    assert_eq!(field(&app).as_deref(), Some("~/scan/giay-"));
    // A completion that comes after the officer typed on is dropped.
    type_in(&mut app, "c");
    update(
        &mut app,
        Action::PathCompleted {
            typed: "~/scan/giay-".into(),
            completed: "~/scan/giay-to.jpg".into(),
        },
    );
    assert_eq!(field(&app).as_deref(), Some("~/scan/giay-c"));
    // Enter asks about the file; a missing one comes back to the field with the reason.
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        effects,
        [Effect::CheckFile {
            doc: 0,
            path: "~/scan/giay-c".into()
        }]
    );
    let effects = update(
        &mut app,
        Action::FileChecked {
            doc: 0,
            path: "/home/tiepnhan/scan/giay-c".into(),
            size: None,
        },
    );
    assert!(effects.is_empty());
    assert_eq!(field(&app).as_deref(), Some("/home/tiepnhan/scan/giay-c"));
    assert!(
        app.intake
            .error
            .as_deref()
            .is_some_and(|e| e.contains("/home/tiepnhan/scan/giay-c")),
        "{:?}",
        app.intake.error
    );
    assert!(app.intake.docs[0].file.is_none());
}

#[test]
fn a_write_queued_by_a_bad_link_frees_the_screen_and_lands_later() {
    use motcua::client::outbox::Sent;
    use motcua::tui::action::DeadLetter;
    let mut app = ready_to_submit();
    let effects = update(&mut app, key(KeyCode::Enter));
    let (id, key1) = effects
        .iter()
        .find_map(|e| match e {
            Effect::CreateDossier { id, key, .. } => Some((*id, key.clone())),
            _ => None,
        })
        .unwrap();
    // The link failed: the write is in the outbox; the wizard waits no more and says so.
    update(&mut app, Action::Queued(id));
    assert!(app.intake.pending.is_none());
    assert!(app.intake.error.as_deref().unwrap().contains("hàng chờ"));
    assert!(!app.busy());
    // Enter again does not queue it a second time: it goes by itself.
    let again = update(&mut app, key(KeyCode::Enter));
    assert!(
        again
            .iter()
            .all(|e| !matches!(e, Effect::CreateDossier { .. })),
        "{again:?}"
    );
    // It goes through later: the wizard finishes as if it had waited, cash included.
    let d = dossier_for(&app);
    let effects = update(
        &mut app,
        Action::SentLater {
            key: key1.clone(),
            sent: Box::new(Sent::CreatedDossier(Box::new(d.clone()))),
        },
    );
    assert_eq!(app.intake.step, WizardStep::Done);
    assert!(effects.iter().any(|e| matches!(e, Effect::PayCash { .. })));
    assert!(app.inbox.by_code.contains_key(&d.code));
    // The status bar counts what waits; refused writes are listed by `:outbox`.
    update(
        &mut app,
        Action::OutboxCount {
            queued: 2,
            dead: vec![DeadLetter {
                renumber: false,
                id: 9,
                label: "receive 000.01.27.H07-261124-0001".into(),
                message: "Hồ sơ đã đóng".into(),
            }],
            retry_in: Some(4),
        },
    );
    assert_eq!(app.outbox, 2);
    assert_eq!(app.outbox_retry_in, Some(4));
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    app.tab = Tab::Inbox;
    update(&mut app, ch(':'));
    type_in(&mut app, "outbox");
    update(&mut app, key(KeyCode::Enter));
    assert!(matches!(app.overlay, Some(Overlay::DeadLetters(_))));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::OutboxRetry(9)]);
    update(&mut app, ch(':'));
    type_in(&mut app, "outbox");
    update(&mut app, key(KeyCode::Enter));
    let effects = update(&mut app, ch('d'));
    assert_eq!(effects, vec![Effect::OutboxDiscard(9)]);
}

/// Ctrl-L while a citizen account is being typed in the citizens pane does not log out
/// in the middle of it; with the form closed (and kept in its draft) it does.
#[test]
fn ctrl_l_keeps_a_citizen_form_being_typed() {
    let ctrl = |c| Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, ch('3'));
    type_in(&mut app, "083078238953");
    update(&mut app, ctrl('n'));
    assert!(app.citizens.form.is_some());
    let effects = update(&mut app, ctrl('l'));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Logout)),
        "{effects:?}"
    );
    assert!(app.citizens.form.is_some(), "the form is kept");
    assert!(app.me.is_some(), "still logged in");
    update(&mut app, key(KeyCode::Esc));
    assert!(app.citizens.form.is_none());
    let effects = update(&mut app, ctrl('l'));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Logout)),
        "{effects:?}"
    );
}

/// Another office's citizen: creating the account answers 409 without an id, and the
/// wizard asks for the date of birth on the card (prefilled from the form) and files
/// the dossier by number and date of birth; a mismatch brings the check back.
#[test]
fn another_offices_citizen_is_taken_in_by_number_and_date_of_birth() {
    let mut app = on_intake();
    pick(&mut app, "khai tu", 0);
    look_up(&mut app, "083069502300", vec![]);
    let form = app.intake.new_citizen.as_mut().expect("the account form");
    fill(form);
    form.set(CitizenField::DateOfBirth, "16/06/1969");
    form.focus = CitizenField::ALL.len() - 1;
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::CreateCitizen { id, .. } => Some(*id),
        _ => None,
    });
    update(
        &mut app,
        Action::CitizenCreated(
            id,
            Err(Failure::Exists {
                id: None,
                message: "nơi khác".into(),
            }),
        ),
    );
    assert!(app.intake.new_citizen.is_none());
    assert!(app.intake.applicant.is_none());
    let check = app
        .intake
        .presented
        .as_ref()
        .expect("the date-of-birth check");
    assert_eq!(check.id_number, "083069502300");
    assert!(!check.confirmed);
    assert!(
        app.intake
            .error
            .as_deref()
            .unwrap()
            .contains("nơi khác quản lý")
    );
    // Typing edits the date; Enter confirms it.
    for _ in 0..10 {
        update(&mut app, key(KeyCode::Backspace));
    }
    type_in(&mut app, "16/06/1969");
    update(&mut app, key(KeyCode::Enter));
    assert!(app.intake.presented.as_ref().unwrap().confirmed);
    assert_eq!(app.intake.applicant_row, ApplicantRow::Relation);
    assert_eq!(
        app.intake.applicant_ref(),
        Some(ApplicantRef::Presented(Presented {
            id_number: "083069502300".into(),
            date_of_birth: "1969-06-16".into(),
        }))
    );
    let request = app.intake.request().unwrap();
    assert_eq!(request.submitter.relation, Relation::Myself);
    assert_eq!(request.submitter.id_number.as_deref(), Some("083069502300"));
    // The draft keeps it.
    let draft = app.intake.to_draft("2026-11-24T09:00:00+07:00".into());
    let back = Wizard::from_draft(&draft);
    assert_eq!(back.applicant_ref(), app.intake.applicant_ref());

    // The portal says the two do not match: back to the check, with what to do.
    app.intake.pending = Some(9_999);
    app.pending.insert(
        9_999,
        Pending {
            purpose: Purpose::Submit,
            ticks: 0,
        },
    );
    update(
        &mut app,
        Action::DossierCreated(
            9_999,
            Err(Failure::Refused {
                code: "applicant_mismatch".into(),
                message: "không khớp".into(),
                fields: Default::default(),
            }),
        ),
    );
    assert_eq!(app.intake.step, WizardStep::Applicant);
    assert!(!app.intake.presented.as_ref().unwrap().confirmed);
    assert!(
        app.intake
            .error
            .as_deref()
            .unwrap()
            .contains("đối chiếu lại")
    );
    // Esc gives the check up: back to the lookup.
    update(&mut app, key(KeyCode::Esc));
    assert!(app.intake.presented.is_none());
}

/// A new code for an active account asks for the citizen's card first, and sends it.
#[test]
fn reissuing_for_an_active_account_asks_for_the_card() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, ch('3'));
    app.citizens.detail = Some(CitizenDetail {
        citizen: citizen(),
        dossiers: vec![],
    });
    let effects = update(&mut app, ch('a'));
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::ReissueActivation { .. })),
        "nothing is sent before the card is typed"
    );
    assert!(app.citizens.reset.is_some());
    // Enter with nothing typed moves on, then says what is missing.
    update(&mut app, key(KeyCode::Enter));
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(app.citizens.reset.as_ref().unwrap().error.is_some());
    update(&mut app, key(KeyCode::BackTab));
    type_in(&mut app, "083078238953");
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "14/03/1978");
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::ReissueActivation {
            id,
            citizen_id,
            presented: Some(p),
            ..
        } => {
            assert_eq!(citizen_id, CITIZEN_ID);
            assert_eq!(p.id_number, "083078238953");
            assert_eq!(p.date_of_birth, "1978-03-14");
            Some(*id)
        }
        _ => None,
    });
    update(
        &mut app,
        Action::ActivationIssued(
            id,
            Err(Failure::Refused {
                code: "applicant_mismatch".into(),
                message: "x".into(),
                fields: Default::default(),
            }),
        ),
    );
    let error = app.citizens.reset.as_ref().unwrap().error.clone().unwrap();
    assert!(error.contains("không khớp"), "{error}");
}

// ---------------------------------------------------------------------------------------
// Issue 14: the counter, tried as a new user would

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// The last citizens-pane draft the effects save (`Some(None)`: it is forgotten).
fn citizens_saved(effects: &[Effect]) -> Option<Option<CitizensDraft>> {
    effects.iter().rev().find_map(|e| match e {
        Effect::SaveCitizensDraft(d) => Some(d.as_deref().cloned()),
        _ => None,
    })
}

/// Esc on the inline account form half filled, then Enter on the same number again: the
/// portal still has no account, and the form comes back as it was left, with its key.
#[test]
fn esc_on_a_half_filled_inline_form_then_enter_again_keeps_the_fields() {
    let mut app = on_intake();
    pick(&mut app, "khai tu", 0);
    look_up(&mut app, "083078238953", vec![]);
    type_in(&mut app, "Nguyễn Văn An");
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "14/03/1978");
    let key_before = app.intake.new_citizen.as_ref().unwrap().key.clone();
    let effects = update(&mut app, key(KeyCode::Esc));
    assert!(app.intake.new_citizen.is_none(), "the form closes");
    // What was typed is kept, and in the draft on disk.
    let draft = effects
        .iter()
        .find_map(|e| match e {
            Effect::SaveDraft(Some(d)) => Some(d.clone()),
            _ => None,
        })
        .expect("the draft saved");
    let aside = draft.set_aside.as_ref().expect("the form in the draft");
    assert!(aside.values.contains(&"Nguyễn Văn An".to_owned()));
    assert!(
        app.toasts
            .iter()
            .any(|t| t.text.contains("083078238953") && t.text.contains("tra cứu lại"))
    );
    // Enter on the lookup again: the same number, still no account.
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::FindCitizens { id, query } => {
            assert_eq!(query, "083078238953");
            Some(*id)
        }
        _ => None,
    });
    update(&mut app, Action::CitizensFound(id, Ok(vec![])));
    let form = app.intake.new_citizen.as_ref().expect("the form again");
    assert_eq!(form.text(CitizenField::IdNumber), "083078238953");
    assert_eq!(form.text(CitizenField::FullName), "Nguyễn Văn An");
    assert_eq!(form.text(CitizenField::DateOfBirth), "14/03/1978");
    assert_eq!(form.key, key_before, "sent again, it makes one account");
    assert!(app.intake.set_aside.is_none());
    // The draft comes back with it after a crash, too.
    let mut again = logged_in(Lang::Vi, false, SIZE);
    update(&mut again, Action::DraftFound(draft));
    update(&mut again, ch('2'));
    update(&mut again, key(KeyCode::Enter));
    let kept = again
        .intake
        .set_aside
        .as_ref()
        .expect("kept after a restart");
    assert_eq!(kept.text(CitizenField::FullName), "Nguyễn Văn An");
    // Another number looked up gets a form of its own; the one aside stays aside.
    let mut app = on_intake();
    pick(&mut app, "khai tu", 0);
    look_up(&mut app, "083078238953", vec![]);
    type_in(&mut app, "Nguyễn Văn An");
    update(&mut app, key(KeyCode::Esc));
    for _ in 0..12 {
        update(&mut app, key(KeyCode::Backspace));
    }
    look_up(&mut app, "083185012345", vec![]);
    let form = app.intake.new_citizen.as_ref().unwrap();
    assert_eq!(form.text(CitizenField::FullName), "");
    let aside = app.intake.set_aside.as_ref().unwrap();
    assert_eq!(aside.text(CitizenField::FullName), "Nguyễn Văn An");
}

/// The citizens pane's Ctrl-N form: Esc puts it aside and Ctrl-N brings it back; every
/// change is saved in a draft of its own, which a restart restores; the account made
/// forgets it.
#[test]
fn the_citizens_pane_form_is_kept_on_esc_and_in_a_draft_across_a_restart() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, ch('3'));
    update(&mut app, ctrl('n'));
    let mut saved = None;
    for (text, next) in [
        ("083078238953", KeyCode::Tab),
        ("Nguyễn Văn An", KeyCode::Tab),
    ] {
        for c in text.chars() {
            let effects = update(&mut app, ch(c));
            saved = citizens_saved(&effects).or(saved);
        }
        update(&mut app, key(next));
    }
    let draft = saved.expect("saved as typed").expect("a draft");
    let open = draft.form.as_ref().expect("the open form");
    assert_eq!(open.values[1], "Nguyễn Văn An");
    let form_key = open.key.clone();
    // A key that changes nothing saves nothing.
    let effects = update(&mut app, Action::Tick(now()));
    assert_eq!(citizens_saved(&effects), None);
    // Esc: put aside, still on disk; Ctrl-N brings the same fields back.
    let effects = update(&mut app, key(KeyCode::Esc));
    assert!(app.citizens.form.is_none());
    let aside = citizens_saved(&effects).unwrap().unwrap();
    assert!(aside.form.is_none());
    assert_eq!(aside.set_aside.as_ref().unwrap().values[1], "Nguyễn Văn An");
    assert!(
        app.toasts
            .iter()
            .any(|t| t.text.to_lowercase().contains("ctrl-n"))
    );
    update(&mut app, ctrl('n'));
    let form = app.citizens.form.as_ref().expect("the form back");
    assert_eq!(form.text(CitizenField::FullName), "Nguyễn Văn An");
    assert_eq!(form.key, form_key);
    // Killed here: the next run of this user finds it, with its key.
    let mut again = logged_in(Lang::Vi, false, SIZE);
    let effects = update(&mut again, Action::CitizensDraftFound(Box::new(draft)));
    assert_eq!(citizens_saved(&effects), None, "nothing new to write");
    assert!(again.toasts.iter().any(|t| t.text.contains("màn hình 3")));
    update(&mut again, ch('3'));
    let form = again.citizens.form.as_ref().expect("restored");
    assert_eq!(form.text(CitizenField::IdNumber), "083078238953");
    assert_eq!(form.text(CitizenField::FullName), "Nguyễn Văn An");
    assert_eq!(form.key, form_key, "one account, however often it is sent");
    // Made: the form and its draft are done with.
    let form = again.citizens.form.as_mut().unwrap();
    fill(form);
    form.focus = CitizenField::ALL.len() - 1;
    let effects = update(&mut again, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::CreateCitizen { id, .. } => Some(*id),
        _ => None,
    });
    let effects = update(
        &mut again,
        Action::CitizenCreated(
            id,
            Ok(CitizenCreated {
                citizen: citizen(),
                activation: Activation {
                    code: Some("ABCD2345".into()),
                    expires_at: "2026-11-27T10:00:00+07:00".into(),
                },
            }),
        ),
    );
    assert!(again.citizens.form.is_none() && again.citizens.set_aside.is_none());
    assert_eq!(
        citizens_saved(&effects),
        Some(None),
        "the draft is forgotten"
    );
    // A form left blank is not worth a draft.
    let mut blank = logged_in(Lang::Vi, false, SIZE);
    update(&mut blank, ch('3'));
    let effects = update(&mut blank, ctrl('n'));
    assert_eq!(citizens_saved(&effects), None);
    update(&mut blank, key(KeyCode::Esc));
    assert!(blank.citizens.set_aside.is_none());
}

/// After a restart the outbox sends the submission an earlier run queued: the draft of
/// that submission (same idempotency key) is closed and the wizard shows the dossier
/// made, whichever comes first, the draft read from disk or the outbox's word.
#[test]
fn a_draft_whose_submission_the_outbox_delivered_is_closed_with_its_code() {
    use motcua::client::outbox::Sent;
    let earlier = ready_to_submit();
    let draft = earlier.intake.to_draft("2026-11-24T09:00:00+07:00".into());
    let mut d = dossier_for(&earlier);
    d.fee.amount = 0;
    let sent = |key: &str| Action::SentLater {
        key: key.to_owned(),
        sent: Box::new(Sent::CreatedDossier(Box::new(d.clone()))),
    };
    let closed = |app: &App, effects: &[Effect]| {
        assert!(app.draft_offer.is_none(), "not offered again");
        assert_eq!(app.intake.step, WizardStep::Done);
        assert_eq!(app.intake.created.as_ref().unwrap().code, d.code);
        assert!(effects.contains(&Effect::SaveDraft(None)), "{effects:?}");
        assert!(app.toasts.iter().any(|t| t.text.contains(&d.code)));
    };
    // The draft is read first, offered, then the outbox delivers.
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, Action::DraftFound(Box::new(draft.clone())));
    assert!(app.draft_offer.is_some());
    let effects = update(&mut app, sent(&draft.key));
    closed(&app, &effects);
    // The outbox delivers before the draft is read.
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, sent(&draft.key));
    assert!(app.inbox.by_code.contains_key(&d.code));
    let effects = update(&mut app, Action::DraftFound(Box::new(draft.clone())));
    closed(&app, &effects);
    // Another submission's delivery leaves the draft offered.
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, Action::DraftFound(Box::new(draft.clone())));
    update(&mut app, sent("0b7e2c1a-9d3f-4e5a-8b6c-1d2e3f4a5b6c"));
    assert!(app.draft_offer.is_some());
}

/// The submitter row reads "( ) in person   ( ) authorized" with "←/→ to choose": →
/// chooses authorized however often it is pressed, ← in person; Space switches.
#[test]
fn the_submitter_row_follows_the_arrow_chosen() {
    let mut app = on_intake();
    pick(&mut app, "khai sinh", 0);
    look_up(&mut app, "083078238953", vec![citizen()]);
    assert_eq!(app.intake.applicant_row, ApplicantRow::Relation);
    update(&mut app, key(KeyCode::Right));
    assert!(app.intake.authorized);
    update(&mut app, key(KeyCode::Right));
    assert!(app.intake.authorized, "a second → keeps the choice");
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "Trần Văn Bảy");
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "GUQ 12/2026");
    let request = app.intake.request().unwrap();
    assert_eq!(request.submitter.relation, Relation::Authorized);
    assert_eq!(request.submitter.full_name, "Trần Văn Bảy");
    // Back on the row: ← is in person, and the request names the applicant.
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    assert_eq!(app.intake.applicant_row, ApplicantRow::Relation);
    update(&mut app, key(KeyCode::Left));
    assert!(!app.intake.authorized);
    update(&mut app, key(KeyCode::Left));
    assert!(!app.intake.authorized);
    let request = app.intake.request().unwrap();
    assert_eq!(request.submitter.relation, Relation::Myself);
    assert_eq!(request.submitter.full_name, "Nguyễn Văn An");
    assert_eq!(request.submitter.authorization_doc, None);
    update(&mut app, ch(' '));
    assert!(app.intake.authorized, "Space switches");
    // In a text row ←/→ move the caret: the choice stays.
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Left));
    update(&mut app, key(KeyCode::Right));
    assert!(app.intake.authorized);
}

/// Dates of birth as officials type them: eight digits are ddmmyyyy, as on the card; a
/// day that does not exist is said to not exist, not to be in the wrong format.
#[test]
fn dates_of_birth_in_eight_digits_and_days_that_do_not_exist() {
    let today = now().date_naive();
    assert_eq!(
        parse_date("20081978"),
        chrono::NaiveDate::from_ymd_opt(1978, 8, 20)
    );
    assert_eq!(
        motcua::tui::intake::read_date("31/02/1978"),
        Err(DateProblem::NoSuchDay {
            day: 31,
            month: 2,
            year: 1978
        })
    );
    assert_eq!(
        motcua::tui::intake::read_date("1978-02-31"),
        Err(DateProblem::NoSuchDay {
            day: 31,
            month: 2,
            year: 1978
        })
    );
    assert_eq!(
        motcua::tui::intake::read_date("20/08/78"),
        Err(DateProblem::Format)
    );
    assert_eq!(
        motcua::tui::intake::read_date("2008197"),
        Err(DateProblem::Format)
    );
    let mut form = CitizenForm::new("k".into());
    form.set(CitizenField::IdNumber, "083078238953");
    form.gender = Some(Gender::Male);
    form.set(CitizenField::DateOfBirth, "20081978");
    assert_eq!(
        form.problem(CitizenField::DateOfBirth, Lang::Vi, today),
        None
    );
    assert_eq!(form.problem(CitizenField::IdNumber, Lang::Vi, today), None);
    form.set(CitizenField::DateOfBirth, "31/02/1978");
    let vi = form
        .problem(CitizenField::DateOfBirth, Lang::Vi, today)
        .unwrap();
    assert!(vi.contains("Không có ngày 31/02/1978"), "{vi}");
    assert!(vi.contains("tháng 02/1978 chỉ có 28 ngày"), "{vi}");
    let en = form
        .problem(CitizenField::DateOfBirth, Lang::En, today)
        .unwrap();
    assert!(en.contains("There is no 31/02/1978"), "{en}");
    form.set(CitizenField::DateOfBirth, "12/13/1978");
    let vi = form
        .problem(CitizenField::DateOfBirth, Lang::Vi, today)
        .unwrap();
    assert!(vi.contains("tháng phải từ 01 đến 12"), "{vi}");
    form.set(CitizenField::DateOfBirth, "20-08");
    assert_eq!(
        form.problem(CitizenField::DateOfBirth, Lang::Vi, today),
        Some(motcua::tui::i18n::tr(Lang::Vi, "form.bad_date").to_owned())
    );
    // The date-of-birth check of another office's citizen says the same.
    let mut app = on_intake();
    pick(&mut app, "khai tu", 0);
    look_up(&mut app, "083069502300", vec![]);
    let form = app.intake.new_citizen.as_mut().unwrap();
    fill(form);
    form.set(CitizenField::DateOfBirth, "16/06/1969");
    form.focus = CitizenField::ALL.len() - 1;
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::CreateCitizen { id, .. } => Some(*id),
        _ => None,
    });
    update(
        &mut app,
        Action::CitizenCreated(
            id,
            Err(Failure::Exists {
                id: None,
                message: "nơi khác".into(),
            }),
        ),
    );
    for _ in 0..10 {
        update(&mut app, key(KeyCode::Backspace));
    }
    type_in(&mut app, "30/02/1969");
    update(&mut app, key(KeyCode::Enter));
    let error = app.intake.error.clone().unwrap();
    assert!(error.contains("Không có ngày 30/02/1969"), "{error}");
    for _ in 0..10 {
        update(&mut app, key(KeyCode::Backspace));
    }
    type_in(&mut app, "16061969");
    update(&mut app, key(KeyCode::Enter));
    assert!(app.intake.presented.as_ref().unwrap().confirmed);
}

/// Twelve digits whose first three are no province code: no account can have them, so
/// the wizard says which code is wrong and offers no account.
#[test]
fn a_number_with_an_unknown_province_code_is_refused_not_offered_an_account() {
    let mut app = on_intake();
    pick(&mut app, "khai tu", 0);
    type_in(&mut app, "003078238953");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::FindCitizens { .. })),
        "{effects:?}"
    );
    assert!(app.intake.new_citizen.is_none());
    let error = app.intake.error.clone().unwrap();
    assert!(
        error.contains("(003)") && error.contains("mã tỉnh"),
        "{error}"
    );
}

/// A chip-card scan refused: the field is emptied so the next scan does not land on top
/// of it, and the message blames the card, not a choice the officer never made.
#[test]
fn a_rejected_chip_card_scan_empties_the_field_and_says_what_the_card_holds() {
    let mut app = on_intake();
    pick(&mut app, "khai tu", 0);
    // The number is a man's; the card's gender field says Nữ.
    type_in(
        &mut app,
        "083078238953||Nguyễn Văn An|14031978|Nữ|Bến Tre|01012021",
    );
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(motcua::tui::state::field_text(&app.intake.lookup), "");
    let error = app.intake.error.clone().unwrap();
    assert!(!error.contains("đã chọn"), "{error}");
    assert!(error.contains("còn trường «Giới tính» ghi Nữ"), "{error}");
    // The next scan, typed into the empty field, is read alone.
    let effects = type_in(
        &mut app,
        "083185012345||Huỳnh Thị Thu Trang|12041985|Nữ|Bến Tre|15062021",
    );
    let _ = effects;
    let effects = update(&mut app, key(KeyCode::Enter));
    let query = effects
        .iter()
        .find_map(|e| match e {
            Effect::FindCitizens { query, .. } => Some(query.clone()),
            _ => None,
        })
        .expect("the second scan is looked up");
    assert_eq!(query, "083185012345");
}

/// Issue 19: with the link down, the desk numbers the dossier from its held numbers:
/// the draft keeps the number before the outbox gets the dossier with it, the done
/// screen shows the final code and the due time by the portal's rules, marked offline,
/// and the portal's answer replaces it when it arrives.
#[test]
fn with_the_link_down_a_held_number_is_the_receipt_s_final_code() {
    use motcua::tui::offline::Numbered;
    let mut app = ready_to_submit();
    app.link.state = LinkState::Offline;
    app.held_codes = Some(3);
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::NumberOffline(id) => Some(*id),
        _ => None,
    });
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::CreateDossier { .. })),
        "not sent before it has its number"
    );
    // Enter again while the number is taken: nothing more.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    let numbered = Numbered {
        code: "000.01.27.H07-261124-0050".into(),
        received_at: "2026-11-24T09:15:00+07:00".into(),
    };
    let effects = update(&mut app, Action::NumberedOffline(id, Ok(numbered.clone())));
    let saved_first = effects.iter().position(|e| match e {
        Effect::SaveDraft(Some(d)) => d.offline.as_ref() == Some(&numbered),
        _ => false,
    });
    let (create, sent_at) = effects
        .iter()
        .enumerate()
        .find_map(|(i, e)| match e {
            Effect::CreateDossier { id, request, .. } => {
                assert_eq!(request.code.as_deref(), Some(numbered.code.as_str()));
                assert_eq!(
                    request.received_at.as_deref(),
                    Some("2026-11-24T09:15:00+07:00")
                );
                Some((*id, i))
            }
            _ => None,
        })
        .expect("the dossier goes to the outbox with its number");
    assert!(saved_first.is_some_and(|i| i < sent_at), "{effects:?}");
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::SaveDraft(None))),
        "the draft stays until the outbox has the dossier"
    );
    // The fee is recorded on the same code (the outbox sends it after the dossier).
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::PayCash { code, .. } if *code == numbered.code
    )));
    assert_eq!(app.intake.step, WizardStep::Done);
    let shown = app.intake.created.clone().unwrap();
    assert_eq!(shown.code, numbered.code);
    let case = motcua::tui::update::chosen_case(&app).unwrap().clone();
    let due = app.calendar.due(
        motcua::clock::parse_instant(&numbered.received_at).unwrap(),
        case.desk_duration.amount,
        case.desk_duration.unit,
    );
    assert_eq!(shown.due_at, Some(due.to_rfc3339()));
    // What the receipt promises goes with the dossier, for its history.
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::CreateDossier { request, .. } if request.printed_due_at == shown.due_at
    )));
    let screen = text(&draw(&app, SIZE), None);
    assert!(screen.contains(&numbered.code), "{screen}");
    assert!(screen.contains("Tiếp nhận khi mất mạng"), "{screen}");
    // The receipt shows and prints from the desk's own data, marked as taken offline.
    assert!(
        update(&mut app, key(KeyCode::Enter)).is_empty(),
        "no portal asked"
    );
    match &app.overlay {
        Some(Overlay::Form(view)) => {
            let text = view.text.as_deref().unwrap_or_default();
            assert!(text.contains(&numbered.code), "{text}");
            assert!(text.contains("mất kết nối"), "{text}");
            // Where to collect the result: the office's address, as the portal's reprint
            // has it.
            assert!(
                text.contains("phường An Hội, Số 1 đường Hai Bà Trưng"),
                "{text}"
            );
        }
        other => panic!("the receipt: {other:?}"),
    }
    update(&mut app, key(KeyCode::Esc));
    assert!(app.overlay.is_none());
    let effects = update(&mut app, ch('p'));
    let receipt = effects
        .iter()
        .find_map(|e| match e {
            Effect::Paper(job) => match &job.document {
                motcua::tui::paper::Document::OfflineReceipt(r) => Some(r.clone()),
                _ => None,
            },
            _ => None,
        })
        .expect("the receipt printed offline");
    assert_eq!(receipt.dossier.code, numbered.code);
    let (pdf, set) = receipt.pdf().unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    assert_eq!(set, "03/2025/TT-VPCP");
    // Queued on disk: the draft is done with.
    let effects = update(&mut app, Action::Queued(create));
    assert!(effects.iter().any(|e| matches!(e, Effect::SaveDraft(None))));
    assert!(app.intake.queued);
    // The link is back and the portal counted another due time: said, and shown.
    let mut real = dossier_for(&app);
    real.code = numbered.code.clone();
    real.due_at = Some("2026-11-27T17:00:00+07:00".into());
    real.timeline = dossier().timeline;
    let key = app.intake.key.clone();
    update(
        &mut app,
        Action::SentLater {
            key,
            sent: Box::new(motcua::client::outbox::Sent::CreatedDossier(Box::new(
                real.clone(),
            ))),
        },
    );
    assert_eq!(app.intake.created.as_ref().unwrap().due_at, real.due_at);
    let said: Vec<String> = app.toasts.iter().map(|t| t.text.clone()).collect();
    assert!(said.iter().any(|t| t.contains("khác hạn")), "{said:?}");
}

#[test]
fn with_the_link_down_and_no_number_held_the_dossier_queues_without_one() {
    let mut app = ready_to_submit();
    app.link.state = LinkState::Offline;
    app.held_codes = Some(0);
    let effects = update(&mut app, key(KeyCode::Enter));
    let body = effects
        .iter()
        .find_map(|e| match e {
            Effect::CreateDossier { request, .. } => Some(request.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!((body.code, body.received_at), (None, None));
    // The desk ran out while numbering: said, and nothing is sent.
    let mut app = ready_to_submit();
    app.link.state = LinkState::Offline;
    app.held_codes = Some(1);
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::NumberOffline(id) => Some(*id),
        _ => None,
    });
    let effects = update(&mut app, Action::NumberedOffline(id, Err("hết số".into())));
    assert!(effects.is_empty());
    assert_eq!(app.intake.error.as_deref(), Some("hết số"));
    assert_eq!(app.intake.step, WizardStep::Review);
}

/// Issue 19: an account made in the wizard with the link down waits in the outbox, and
/// the intake goes on with it: the dossier names the applicant by number and date of
/// birth (the account has no id yet), and takes the id when the account arrives.
#[test]
fn an_account_queued_offline_is_the_applicant_by_number_and_date_of_birth() {
    let mut app = on_intake();
    app.link.state = LinkState::Offline;
    pick(&mut app, "khai tu", 0);
    look_up(&mut app, "083078238953", vec![]);
    let form = app.intake.new_citizen.as_mut().unwrap();
    fill(form);
    let form_key = form.key.clone();
    // Enter down to the last field sends.
    let mut effects = vec![];
    for _ in 0..CitizenField::ALL.len() {
        effects = update(&mut app, key(KeyCode::Enter));
        if effects
            .iter()
            .any(|e| matches!(e, Effect::CreateCitizen { .. }))
        {
            break;
        }
    }
    let id = id_of(&effects, |e| match e {
        Effect::CreateCitizen { id, .. } => Some(*id),
        _ => None,
    });
    update(&mut app, Action::Queued(id));
    let applicant = app.intake.applicant.clone().expect("the queued account");
    assert_eq!(applicant.id, "", "no id until the portal has it");
    assert_eq!(applicant.id_number, "083078238953");
    assert_eq!(
        app.intake.applicant_ref(),
        Some(ApplicantRef::Presented(Presented {
            id_number: "083078238953".into(),
            date_of_birth: "1978-03-14".into(),
        }))
    );
    assert_eq!(app.intake.applicant_row, ApplicantRow::Relation);
    // The account arrives while the intake is still open: the applicant gets its id.
    update(
        &mut app,
        Action::SentLater {
            key: form_key,
            sent: Box::new(motcua::client::outbox::Sent::CreatedCitizen(Box::new(
                CitizenCreated {
                    citizen: citizen(),
                    activation: Activation {
                        code: None,
                        expires_at: "2026-11-27T10:00:00+07:00".into(),
                    },
                },
            ))),
        },
    );
    assert_eq!(app.intake.applicant.as_ref().unwrap().id, CITIZEN_ID);
    assert_eq!(
        app.intake.applicant_ref(),
        Some(ApplicantRef::citizen(CITIZEN_ID))
    );
}

/// A search typed and wiped leaves no draft behind: the next login offers nothing.
#[test]
fn a_wizard_emptied_again_deletes_its_draft() {
    let mut app = on_intake();
    let effects = type_in(&mut app, "ket");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SaveDraft(Some(_)))),
        "{effects:?}"
    );
    let mut last = vec![];
    for _ in 0..3 {
        last = update(&mut app, key(KeyCode::Backspace));
    }
    assert!(
        last.iter().any(|e| matches!(e, Effect::SaveDraft(None))),
        "{last:?}"
    );
    assert!(app.last_draft.is_none());
}
