//! The desk panes as an official sees them: TestBackend + insta snapshots of every step of
//! the intake wizard (procedure, case, applicant, the inline account form, documents,
//! delivery, review, done with cash and with VietQR, the draft offer) and of the citizens
//! pane (results, a record, the form with errors, the activation slip), at 80×24 and
//! 160×48, in Vietnamese and English.
//!
//! The state is reached only through `update`, with the portal's answers fed as actions;
//! the catalog is the real sample catalog of `src/portal/seed/procedures.toml`.
//! Update after a deliberate change with
//! `INSTA_UPDATE=always cargo test --test tui_desk_snapshots` and review the diff.

mod common;

use common::tui::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::api::catalog::{ProcedureDetail, ProcedureSummary};
use motcua::api::citizens::{Activation, Citizen, CitizenCreated, CitizenDetail, CitizenDossier};
use motcua::api::dossiers::{
    Applicant, Channel, Delivery, Document, Dossier, Fee, HistoryEntry, NamedRef, PaymentStatus,
    Relation, Submitter,
};
use motcua::api::payments::Payment;
use motcua::client::Uploaded;
use motcua::domain::Lang;
use motcua::domain::catalog::Procedure;
use motcua::domain::identity::Gender;
use motcua::domain::status::Status;
use motcua::domain::workflow::DeliveryMethod;
use motcua::tui::action::{Action, Effect};
use motcua::tui::intake::Draft;
use motcua::tui::state::App;
use motcua::tui::update::update;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// What a chip card's QR code holds (number, old number, name, birth date, gender,
/// address, date of issue), as a scanner types it.
const CHIP_QR: &str =
    "083078238953||Nguyễn Văn An|14031978|Nam|Số 12 đường Hùng Vương, Bến Tre|01012021";

/// The VietQR test vector of docs/domain.md.
const VIETQR: &str = "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C";

// ---------------------------------------------------------------------------------------
// Fixtures

/// The sample catalog shipped with the portal.
fn catalog() -> Vec<Procedure> {
    motcua::portal::seed::builtin_catalog().expect("the built-in catalog parses")
}

/// `GET /procedures` item, as the portal words it in `lang`.
fn procedure_summary(p: &Procedure, lang: Lang) -> ProcedureSummary {
    let first = p.cases.first().expect("every procedure has a case");
    ProcedureSummary {
        code: p.code.clone(),
        name: p.name.clone(),
        field: p.field.clone(),
        online_level: p.online_level,
        desk_duration: first.desk_duration,
        online_duration: first.online_duration,
        fee: first.fees.desk.describe(lang),
    }
}

fn procedure_detail(code: &str) -> ProcedureDetail {
    let procedure = catalog()
        .into_iter()
        .find(|p| p.code == code)
        .unwrap_or_else(|| panic!("no procedure {code} in the catalog"));
    ProcedureDetail {
        procedure,
        version: 1,
    }
}

fn citizen(id: i64, id_number: &str, name: &str, dob: &str, gender: Gender) -> Citizen {
    Citizen {
        id: format!("{id:032x}"),
        id_number: id_number.into(),
        legacy_id_number: None,
        full_name: name.into(),
        date_of_birth: dob.into(),
        gender,
        phone: "0384350158".into(),
        email: None,
        address: "Số 12 đường Hùng Vương, phường An Hội, tỉnh Bến Tre".into(),
        office_id: 1,
        created_at: "2025-06-02T09:15:00+07:00".into(),
        activated: true,
    }
}

/// The applicant of the wizard's walk.
fn an() -> Citizen {
    citizen(
        42,
        "083078238953",
        "Nguyễn Văn An",
        "1978-03-14",
        Gender::Male,
    )
}

fn search_results() -> Vec<Citizen> {
    let mut anh = citizen(
        57,
        "083095007781",
        "Nguyễn Văn Anh",
        "1995-11-02",
        Gender::Male,
    );
    anh.phone = "0912345678".into();
    anh.address = "Số 4 Nguyễn Đình Chiểu, phường Phú Khương, tỉnh Bến Tre".into();
    let mut ngan = citizen(
        63,
        "083188012345",
        "Nguyễn Vân An",
        "1988-07-21",
        Gender::Female,
    );
    ngan.phone = "0977001122".into();
    ngan.email = Some("vanan88@example.vn".into());
    ngan.activated = false;
    vec![an(), anh, ngan]
}

/// The dossier the portal makes of the walk: late birth registration, 5,000 đ.
fn created_dossier() -> Dossier {
    let mut d = dossier();
    d.code = "000.01.27.H07-261124-0008".into();
    d.version = 1;
    d.status = Status::Received;
    d.channel = Channel::Desk;
    d.case = NamedRef {
        code: "qua_han".into(),
        name: "Đăng ký khai sinh quá hạn".into(),
    };
    d.applicant = Applicant {
        citizen_id: format!("{:032x}", 42),
        id_number: "083078238953".into(),
        full_name: "Nguyễn Văn An".into(),
        date_of_birth: "1978-03-14".into(),
        gender: Gender::Male,
        phone: "0384350158".into(),
        email: None,
        address: "Số 12 đường Hùng Vương, phường An Hội, tỉnh Bến Tre".into(),
    };
    d.submitter = Submitter {
        full_name: "Nguyễn Văn An".into(),
        id_number: Some("083078238953".into()),
        relation: Relation::Myself,
        authorization_doc: None,
    };
    d.documents = vec![
        Document {
            part_id: "to_khai".into(),
            name: "Tờ khai đăng ký khai sinh".into(),
            originals: 0,
            copies: 0,
            on_paper: false,
            digitization: None,
            attachment: None,
        },
        Document {
            part_id: "giay_chung_sinh".into(),
            name: "Giấy chứng sinh".into(),
            originals: 1,
            copies: 0,
            on_paper: true,
            digitization: None,
            attachment: None,
        },
    ];
    d.fee = Fee {
        amount: 5000,
        status: PaymentStatus::Unpaid,
        paid_at: None,
        method: None,
        receipt_no: None,
    };
    d.delivery = Delivery {
        method: DeliveryMethod::Postal,
        address: Some("Số 12 đường Hùng Vương, phường An Hội, tỉnh Bến Tre".into()),
    };
    d.submitted_at = "2026-11-24T10:00:00+07:00".into();
    d.received_at = Some("2026-11-24T10:00:00+07:00".into());
    d.due_at = Some("2026-11-24T17:00:00+07:00".into());
    d.timeline = vec![HistoryEntry {
        at: "2026-11-24T10:00:00+07:00".into(),
        username: Some("tiepnhan1".into()),
        role: Some("reception".into()),
        action: "created".into(),
        from: None,
        to: Some(Status::Received),
        reason: None,
        handover: None,
    }];
    d
}

fn payment(cash: bool) -> Payment {
    Payment {
        code: "000.01.27.H07-261124-0008".into(),
        reference: "261124-0008".into(),
        amount: 5000,
        status: if cash {
            PaymentStatus::Paid
        } else {
            PaymentStatus::Unpaid
        },
        paid_at: cash.then(|| "2026-11-24T10:00:00+07:00".to_owned()),
        method: cash.then(|| "cash".to_owned()),
        receipt_no: cash.then(|| "BL-0001234".to_owned()),
        vietqr: (!cash).then(|| VIETQR.to_owned()),
        purpose: "HS 261124-0008".into(),
        bank_bin: "970415".into(),
        account: "113366668888".into(),
        account_name: "UBND PHUONG AN HOI".into(),
        dossier_status: Status::Received,
        version: 2,
    }
}

// ---------------------------------------------------------------------------------------
// Driving the app

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Answers the catalog requests among `effects` (and those their answers make), as the
/// portal would; returns the other effects.
fn serve(app: &mut App, effects: Vec<Effect>) -> Vec<Effect> {
    let mut queue = effects;
    let mut rest = Vec::new();
    while !queue.is_empty() {
        let mut next = Vec::new();
        for effect in queue {
            match effect {
                Effect::LoadCatalog(id) => {
                    let list = catalog()
                        .iter()
                        .map(|p| procedure_summary(p, app.lang))
                        .collect();
                    next.extend(update(app, Action::CatalogLoaded(id, Ok(list))));
                }
                Effect::LoadProcedure { id, code } => {
                    next.extend(update(
                        app,
                        Action::ProcedureLoaded(id, Ok(procedure_detail(&code))),
                    ));
                }
                other => rest.push(other),
            }
        }
        queue = next;
    }
    rest
}

/// One key, with the catalog requests it makes answered.
fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    let effects = update(app, key(code));
    serve(app, effects)
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn expect<T>(effects: &[Effect], what: &str, pick: impl Fn(&Effect) -> Option<T>) -> T {
    effects
        .iter()
        .find_map(pick)
        .unwrap_or_else(|| panic!("expected {what}, got {effects:?}"))
}

// ---------------------------------------------------------------------------------------
// The intake wizard, step by step

/// The intake tab open, the catalog loaded, the first procedure highlighted.
fn intake(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    press(&mut app, KeyCode::Char('2'));
    app
}

/// Enter on birth registration: its two cases to choose from, the late one highlighted.
fn case_chooser(lang: Lang, size: (u16, u16)) -> App {
    let mut app = intake(lang, size);
    assert_eq!(
        motcua::tui::update::highlighted(&app).map(|p| p.code.as_str()),
        Some("1.001193")
    );
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    app
}

/// The late registration (5,000 đ) chosen: the applicant step.
fn applicant_step(lang: Lang, size: (u16, u16)) -> App {
    let mut app = case_chooser(lang, size);
    press(&mut app, KeyCode::Enter);
    app
}

/// The number looked up and the citizen found.
fn applicant_found(lang: Lang, size: (u16, u16)) -> App {
    let mut app = applicant_step(lang, size);
    type_text(&mut app, "083078238953");
    let effects = press(&mut app, KeyCode::Enter);
    let id = expect(&effects, "a citizen lookup", |e| match e {
        Effect::FindCitizens { id, query } => {
            assert_eq!(query, "083078238953");
            Some(*id)
        }
        _ => None,
    });
    update(&mut app, Action::CitizensFound(id, Ok(vec![an()])));
    app
}

/// A chip card scanned for a citizen without an account: the inline form, prefilled,
/// with a phone number typed wrong.
fn applicant_new_citizen(lang: Lang, size: (u16, u16)) -> App {
    let mut app = applicant_step(lang, size);
    type_text(&mut app, CHIP_QR);
    let effects = press(&mut app, KeyCode::Enter);
    let id = expect(&effects, "a citizen lookup", |e| match e {
        Effect::FindCitizens { id, query } => {
            assert_eq!(query, "083078238953", "the card's number is looked up");
            Some(*id)
        }
        _ => None,
    });
    update(&mut app, Action::CitizensFound(id, Ok(vec![])));
    // The form waits on the phone: the card has none.
    type_text(&mut app, "038435");
    app
}

/// The chip card scanned belongs to a citizen another office serves: the account form
/// was sent and the portal answered 409 without an account; the wizard asks to confirm
/// the date of birth on the card (prefilled from the scan).
fn applicant_other_office(lang: Lang, size: (u16, u16)) -> App {
    let mut app = applicant_new_citizen(lang, size);
    type_text(&mut app, "0158");
    let mut effects = Vec::new();
    for _ in 0..3 {
        effects = press(&mut app, KeyCode::Enter);
    }
    let id = expect(&effects, "the account sent", |e| match e {
        Effect::CreateCitizen { id, .. } => Some(*id),
        _ => None,
    });
    let message = "exists elsewhere".to_owned();
    update(
        &mut app,
        Action::CitizenCreated(
            id,
            Err(motcua::tui::state::Failure::Exists { id: None, message }),
        ),
    );
    app
}

/// A scanned form to attach (the runtime's answer about it is fed below: no disk read).
const SCAN_FILE: &str = "/home/tiepnhan/scan/to-khai-khai-sinh.pdf";
const SCAN_SIZE: u64 = 21;

/// The documents step: the form uploaded, the birth certificate on paper, the cursor on
/// the identity paper.
fn documents(lang: Lang, size: (u16, u16)) -> App {
    let mut app = applicant_found(lang, size);
    press(&mut app, KeyCode::Enter); // on the submitter row: forward
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, SCAN_FILE);
    let effects = press(&mut app, KeyCode::Enter);
    let effects = file_checked(&mut app, &effects, SCAN_SIZE);
    let id = expect(&effects, "an upload", |e| match e {
        Effect::Upload { id, .. } => Some(*id),
        _ => None,
    });
    update(
        &mut app,
        Action::Uploaded(
            id,
            Ok(Uploaded {
                id: "up-7f3a".into(),
                size: 245_760,
                content_type: "application/pdf".into(),
            }),
        ),
    );
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Down);
    app
}

/// The path prompt open on the identity paper, a path typed.
fn attach_prompt(lang: Lang, size: (u16, u16)) -> App {
    let mut app = documents(lang, size);
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "~/Tài liệu/cccd-mat-truoc.jpg");
    app
}

/// Delivery by post, the address typed.
fn delivery(lang: Lang, size: (u16, u16)) -> App {
    let mut app = documents(lang, size);
    press(&mut app, KeyCode::Char(' ')); // the identity paper shown too
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down); // in person → by post
    press(&mut app, KeyCode::Tab);
    type_text(
        &mut app,
        "Số 12 đường Hùng Vương, phường An Hội, tỉnh Bến Tre",
    );
    app
}

/// The review of the 5,000 đ case: cash, a receipt number, the declaration ticked.
fn review(lang: Lang, size: (u16, u16)) -> App {
    let mut app = delivery(lang, size);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Tab); // payment → receipt number
    type_text(&mut app, "BL-0001234");
    press(&mut app, KeyCode::Tab); // → declaration
    press(&mut app, KeyCode::Char(' '));
    app
}

/// Submits the review and answers the creation; returns the effects that follow.
fn submit(app: &mut App) -> Vec<Effect> {
    let effects = press(app, KeyCode::Enter);
    let id = expect(&effects, "the dossier's creation", |e| match e {
        Effect::CreateDossier { id, request, .. } => {
            assert_eq!(request.case_id, "qua_han");
            Some(*id)
        }
        _ => None,
    });
    update(app, Action::DossierCreated(id, Ok(created_dossier())))
}

/// Done, the fee paid in cash.
fn done_cash(lang: Lang, size: (u16, u16)) -> App {
    let mut app = review(lang, size);
    let effects = submit(&mut app);
    let id = expect(&effects, "the cash payment", |e| match e {
        Effect::PayCash {
            id,
            amount,
            receipt_no,
            ..
        } => {
            assert_eq!((*amount, receipt_no.as_str()), (5000, "BL-0001234"));
            Some(*id)
        }
        _ => None,
    });
    update(&mut app, Action::PaidCash(id, Ok(payment(true))));
    app
}

/// Done, the fee to be paid by VietQR.
fn done_vietqr(lang: Lang, size: (u16, u16)) -> App {
    let mut app = delivery(lang, size);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Right); // cash → VietQR
    press(&mut app, KeyCode::Tab); // → declaration
    press(&mut app, KeyCode::Char(' '));
    let effects = submit(&mut app);
    let id = expect(&effects, "the payment's QR", |e| match e {
        Effect::LoadPayment { id, .. } => Some(*id),
        _ => None,
    });
    update(&mut app, Action::PaymentLoaded(id, Ok(payment(false))));
    app
}

/// The draft the documents step saved, offered on the next run.
fn draft_offer(lang: Lang, size: (u16, u16)) -> App {
    let mut earlier = applicant_found(lang, size);
    let effects = press(&mut earlier, KeyCode::Enter);
    let draft: Draft = expect(&effects, "a saved draft", |e| match e {
        Effect::SaveDraft(Some(d)) => Some((**d).clone()),
        _ => None,
    });
    let mut app = logged_in(lang, false, size);
    update(&mut app, Action::DraftFound(Box::new(draft)));
    press(&mut app, KeyCode::Char('2'));
    app
}

#[test]
fn intake_procedure_picker() {
    snapshot_each!("intake_procedure", SIZES, intake);
}

#[test]
fn intake_case_chooser() {
    snapshot_each!("intake_case", SIZES, case_chooser);
}

#[test]
fn intake_applicant_found() {
    snapshot_each!("intake_applicant", SIZES, applicant_found);
}

#[test]
fn intake_applicant_new_citizen_from_chip_card() {
    snapshot_each!("intake_new_citizen", SIZES, applicant_new_citizen);
}

#[test]
fn intake_applicant_of_another_office_confirms_the_date_of_birth() {
    snapshot_each!("intake_other_office", SIZES, applicant_other_office);
}

#[test]
fn intake_documents() {
    snapshot_each!("intake_documents", SIZES, documents);
}

#[test]
fn intake_documents_attach_prompt() {
    snapshot_each!("intake_attach", SIZES, attach_prompt);
}

#[test]
fn intake_delivery_by_post() {
    snapshot_each!("intake_delivery", SIZES, delivery);
}

#[test]
fn intake_review_cash() {
    snapshot_each!("intake_review", SIZES, review);
}

#[test]
fn intake_done_paid_in_cash() {
    snapshot_each!("intake_done", SIZES, done_cash);
}

#[test]
fn intake_done_vietqr() {
    snapshot_each!("intake_done_vietqr", SIZES, done_vietqr);
}

#[test]
fn intake_draft_offer() {
    snapshot_each!("intake_draft_offer", SIZES, draft_offer);
}

/// The QR must fit beside the code on a large terminal.
#[test]
fn vietqr_is_drawn_at_160x48() {
    let app = done_vietqr(Lang::Vi, (160, 48));
    let screen = text(&draw(&app, (160, 48)), None);
    let rows = motcua::tui::view::qr_rows(VIETQR);
    assert!(!rows.is_empty());
    for row in &rows {
        let row = row.trim_end();
        if !row.trim().is_empty() {
            assert!(screen.contains(row), "QR row {row:?} missing:\n{screen}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// The citizens pane

fn citizens(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    press(&mut app, KeyCode::Char('3'));
    app
}

/// Words of a name, without marks: three citizens found, the second highlighted.
fn citizen_results(lang: Lang, size: (u16, u16)) -> App {
    let mut app = citizens(lang, size);
    type_text(&mut app, "nguyen van an");
    let effects = press(&mut app, KeyCode::Enter);
    let id = expect(&effects, "a citizen search", |e| match e {
        Effect::FindCitizens { id, .. } => Some(*id),
        _ => None,
    });
    update(&mut app, Action::CitizensFound(id, Ok(search_results())));
    press(&mut app, KeyCode::Down);
    app
}

/// The first result's record, with its dossiers at this office.
fn citizen_detail(lang: Lang, size: (u16, u16)) -> App {
    let mut app = citizen_results(lang, size);
    press(&mut app, KeyCode::Up);
    let effects = press(&mut app, KeyCode::Enter);
    let id = expect(&effects, "the citizen's record", |e| match e {
        Effect::LoadCitizen { id, citizen_id } => {
            assert_eq!(*citizen_id, format!("{:032x}", 42));
            Some(*id)
        }
        _ => None,
    });
    let dossiers = vec![
        CitizenDossier {
            code: "000.01.27.H07-261124-0008".into(),
            status: Status::Received,
            procedure_code: "1.001193".into(),
            submitted_at: "2026-11-24T10:00:00+07:00".into(),
            due_at: Some("2026-11-24T17:00:00+07:00".into()),
        },
        CitizenDossier {
            code: "000.01.27.H07-261020-0031".into(),
            status: Status::Returned,
            procedure_code: "2.000884".into(),
            submitted_at: "2026-10-20T08:30:00+07:00".into(),
            due_at: Some("2026-10-20T17:00:00+07:00".into()),
        },
        CitizenDossier {
            code: "000.01.27.H07-250611-0102".into(),
            status: Status::Submitted,
            procedure_code: "1.004194".into(),
            submitted_at: "2025-06-11T14:05:00+07:00".into(),
            due_at: None,
        },
    ];
    update(
        &mut app,
        Action::CitizenLoaded(
            id,
            Ok(CitizenDetail {
                citizen: an(),
                dossiers,
            }),
        ),
    );
    app
}

/// Moves the citizen form to the next field.
fn next_field(app: &mut App) {
    press(app, KeyCode::Tab);
}

/// The new-account form filled wrongly and sent: every problem shows.
fn citizen_form_errors(lang: Lang, size: (u16, u16)) -> App {
    let mut app = citizens(lang, size);
    update(&mut app, ctrl('n'));
    type_text(&mut app, "08317900123"); // 11 digits
    next_field(&mut app);
    type_text(&mut app, "Trần Thị Bình");
    next_field(&mut app);
    type_text(&mut app, "31/02/1985"); // no such day
    next_field(&mut app); // gender left unchosen
    next_field(&mut app);
    type_text(&mut app, "0912 345 67"); // a digit short
    next_field(&mut app);
    type_text(&mut app, "binh@");
    next_field(&mut app); // address left empty
    let effects = press(&mut app, KeyCode::Enter);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::CreateCitizen { .. })),
        "nothing is sent while a field is wrong: {effects:?}"
    );
    app
}

/// The form filled rightly and sent: the account made, its activation slip shown.
fn activation_slip(lang: Lang, size: (u16, u16)) -> App {
    let mut app = citizens(lang, size);
    update(&mut app, ctrl('n'));
    type_text(&mut app, "083179004567");
    next_field(&mut app);
    type_text(&mut app, "Trần Thị Bình");
    next_field(&mut app);
    type_text(&mut app, "05/09/1979");
    next_field(&mut app);
    press(&mut app, KeyCode::Char('f'));
    next_field(&mut app);
    type_text(&mut app, "0912345678");
    next_field(&mut app);
    next_field(&mut app);
    type_text(
        &mut app,
        "Số 5 Nguyễn Đình Chiểu, phường An Hội, tỉnh Bến Tre",
    );
    let effects = press(&mut app, KeyCode::Enter);
    let id = expect(&effects, "the account's creation", |e| match e {
        Effect::CreateCitizen { id, citizen, .. } => {
            assert_eq!(citizen.date_of_birth, "1979-09-05");
            assert_eq!(citizen.gender, Some(Gender::Female));
            Some(*id)
        }
        _ => None,
    });
    let mut binh = citizen(
        88,
        "083179004567",
        "Trần Thị Bình",
        "1979-09-05",
        Gender::Female,
    );
    binh.phone = "0912345678".into();
    binh.address = "Số 5 Nguyễn Đình Chiểu, phường An Hội, tỉnh Bến Tre".into();
    binh.created_at = "2026-11-24T10:00:00+07:00".into();
    binh.activated = false;
    update(
        &mut app,
        Action::CitizenCreated(
            id,
            Ok(CitizenCreated {
                citizen: binh,
                activation: Activation {
                    code: Some("K7P2-9XQM-4RTD".into()),
                    expires_at: "2026-12-01T10:00:00+07:00".into(),
                },
            }),
        ),
    );
    app
}

#[test]
fn citizens_search_results() {
    snapshot_each!("citizens_results", SIZES, citizen_results);
}

#[test]
fn citizens_record_with_dossiers() {
    snapshot_each!("citizens_detail", SIZES, citizen_detail);
}

#[test]
fn citizens_form_with_errors() {
    snapshot_each!("citizens_form_errors", SIZES, citizen_form_errors);
}

#[test]
fn citizens_activation_slip() {
    snapshot_each!("citizens_slip", SIZES, activation_slip);
}

// ---------------------------------------------------------------------------------------
// F1 on every desk pane and wizard step: only the keys that work there

type Maker = fn(Lang, (u16, u16)) -> App;

const PANES: [(&str, Maker); 16] = [
    ("procedure", intake),
    ("case", case_chooser),
    ("applicant", applicant_step),
    ("applicant_matches", applicant_found),
    ("applicant_new_citizen", applicant_new_citizen),
    ("documents", documents),
    ("attach_path", attach_prompt),
    ("delivery", delivery),
    ("review", review),
    ("done_cash", done_cash),
    ("done_vietqr", done_vietqr),
    ("draft_offer", draft_offer),
    ("citizens", citizens),
    ("citizens_results", citizen_results),
    ("citizen_record", citizen_detail),
    ("citizen_form", citizen_form_errors),
];

fn with_help(make: Maker, lang: Lang, size: (u16, u16)) -> App {
    let mut app = make(lang, size);
    press(&mut app, KeyCode::F(1));
    assert!(
        matches!(app.overlay, Some(motcua::tui::state::Overlay::Help(_))),
        "F1 opens the help"
    );
    app
}

#[test]
fn help_on_every_desk_pane_and_step() {
    let size = (80, 24);
    for (name, make) in PANES {
        let app = with_help(make, Lang::Vi, size);
        let screen = text(&draw(&app, size), None);
        // The global keys that are text here never show (q, ?, digits, r), nor a command
        // the pane does not enable now.
        let Some(motcua::tui::state::Overlay::Help(page)) = &app.overlay else {
            unreachable!()
        };
        for line in app.keymap.help(page.context, &page.enabled) {
            assert!(
                line.context != motcua::tui::keymap::Context::Global
                    || line.keys.iter().all(|k| !k.is_plain()),
                "{name}: {line:?}"
            );
        }
        insta::assert_snapshot!(format!("help_{name}_vi_80x24"), screen);
    }
    for name in ["procedure", "review", "citizen_record"] {
        let (_, make) = PANES.iter().find(|(n, _)| *n == name).unwrap();
        let screen = text(&draw(&with_help(*make, Lang::En, size), size), None);
        insta::assert_snapshot!(format!("help_{name}_en_80x24"), screen);
    }
}

/// `[keys] attach = ["ctrl-o"]`: the documents step's key and its hint both change.
#[test]
fn an_intake_key_override_changes_the_key_and_its_hint() {
    let overrides =
        std::collections::BTreeMap::from([("attach".to_owned(), vec!["ctrl-o".to_owned()])]);
    let keymap = motcua::tui::keymap::Keymap::with_overrides(&overrides).unwrap();
    let make = |lang, size| {
        let mut app = documents(lang, size);
        app.keymap = keymap.clone();
        app
    };
    let app = make(Lang::Vi, (80, 24));
    let screen = text(&draw(&app, (80, 24)), None);
    assert!(screen.contains("Ctrl-o"), "{screen}");
    insta::assert_snapshot!("documents_attach_override_vi_80x24", screen);
    let help = {
        let mut app = make(Lang::Vi, (80, 24));
        press(&mut app, KeyCode::F(1));
        text(&draw(&app, (80, 24)), None)
    };
    insta::assert_snapshot!("help_documents_attach_override_vi_80x24", help);
}

/// The same override, through `update`: the old key is no longer the command, the new one is.
#[test]
fn an_intake_key_override_moves_the_command() {
    let overrides =
        std::collections::BTreeMap::from([("attach".to_owned(), vec!["ctrl-o".to_owned()])]);
    let mut app = documents(Lang::Vi, (80, 24));
    app.keymap = motcua::tui::keymap::Keymap::with_overrides(&overrides).unwrap();
    app.intake.attach = None;
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE)),
    );
    assert!(app.intake.attach.is_none(), "a no longer attaches");
    update(&mut app, ctrl('o'));
    assert!(app.intake.attach.is_some(), "Ctrl-O opens the path prompt");
}

/// The instruction lines that name keys take them from the keymap too: `[keys]
/// new_citizen = ["f2"]` is what the citizens pane tells the official to press.
#[test]
fn instruction_lines_name_the_overridden_keys() {
    let overrides =
        std::collections::BTreeMap::from([("new_citizen".to_owned(), vec!["f2".to_owned()])]);
    let mut app = citizen_results(Lang::Vi, (160, 48));
    app.keymap = motcua::tui::keymap::Keymap::with_overrides(&overrides).unwrap();
    let screen = text(&draw(&app, (160, 48)), None);
    assert!(screen.contains("F2: tạo tài khoản mới"), "{screen}");
    assert!(!screen.contains("Ctrl-n: tạo"), "{screen}");
}

// ---------------------------------------------------------------------------------------
// Issue 14: the counter, tried as a new user would

/// Issue 14's sizes for the screens it changed.
const ISSUE_SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// The chip card scanned, no account: the inline form half filled (the phone begun),
/// then Esc: the form is put aside, and the toast says how to get it back.
fn new_citizen_set_aside(lang: Lang, size: (u16, u16)) -> App {
    let mut app = applicant_new_citizen(lang, size);
    press(&mut app, KeyCode::Esc);
    app
}

/// …and Enter on the same number again: the form as it was left.
fn new_citizen_back(lang: Lang, size: (u16, u16)) -> App {
    let mut app = new_citizen_set_aside(lang, size);
    let effects = press(&mut app, KeyCode::Enter);
    let id = expect(&effects, "the number looked up again", |e| match e {
        Effect::FindCitizens { id, .. } => Some(*id),
        _ => None,
    });
    update(&mut app, Action::CitizensFound(id, Ok(vec![])));
    app
}

#[test]
fn intake_inline_form_put_aside_and_back() {
    snapshot_each!("intake_form_set_aside", ISSUE_SIZES, new_citizen_set_aside);
    snapshot_each!("intake_form_back", ISSUE_SIZES, new_citizen_back);
    let app = new_citizen_back(Lang::Vi, (120, 40));
    let form = app.intake.new_citizen.as_ref().unwrap();
    assert_eq!(
        form.text(motcua::tui::intake::CitizenField::Phone),
        "038435",
        "the phone begun before Esc"
    );
}

/// A draft from an earlier run offered; meanwhile the outbox delivers its submission:
/// the wizard shows the dossier made instead of the offer.
fn draft_delivered(lang: Lang, size: (u16, u16)) -> App {
    let mut app = draft_offer(lang, size);
    let key = app.draft_offer.as_ref().unwrap().key.clone();
    let mut d = created_dossier();
    d.fee.amount = 0;
    update(
        &mut app,
        Action::SentLater {
            key,
            sent: Box::new(motcua::client::outbox::Sent::CreatedDossier(Box::new(d))),
        },
    );
    app
}

#[test]
fn intake_draft_closed_when_the_outbox_delivers_it() {
    snapshot_each!("intake_draft_delivered", ISSUE_SIZES, draft_delivered);
}

/// The citizens pane's form, half typed, found on disk at the next login.
fn citizens_form_restored(lang: Lang, size: (u16, u16)) -> App {
    let mut earlier = citizens(lang, size);
    update(&mut earlier, ctrl('n'));
    type_text(&mut earlier, "083179004567");
    next_field(&mut earlier);
    type_text(&mut earlier, "Trần Thị Bình");
    next_field(&mut earlier);
    type_text(&mut earlier, "05091979");
    let draft = earlier
        .citizens
        .to_draft("2026-11-24T09:00:00+07:00".into())
        .unwrap();
    let mut app = logged_in(lang, false, size);
    update(&mut app, Action::CitizensDraftFound(Box::new(draft)));
    press(&mut app, KeyCode::Char('3'));
    app
}

#[test]
fn citizens_form_restored_after_a_restart() {
    snapshot_each!(
        "citizens_form_restored",
        ISSUE_SIZES,
        citizens_form_restored
    );
}

/// A number whose province code does not exist: refused, with the code named.
fn unknown_province(lang: Lang, size: (u16, u16)) -> App {
    let mut app = applicant_step(lang, size);
    type_text(&mut app, "003078238953");
    let effects = press(&mut app, KeyCode::Enter);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::FindCitizens { .. })),
        "{effects:?}"
    );
    app
}

/// A scan whose number and gender disagree: the field emptied for the next scan, the
/// message about the card.
fn chip_card_rejected(lang: Lang, size: (u16, u16)) -> App {
    let mut app = applicant_step(lang, size);
    type_text(
        &mut app,
        "083078238953||Nguyễn Văn An|14031978|Nữ|Số 12 đường Hùng Vương, Bến Tre|01012021",
    );
    press(&mut app, KeyCode::Enter);
    app
}

#[test]
fn intake_applicant_numbers_refused() {
    snapshot_each!("intake_unknown_province", ISSUE_SIZES, unknown_province);
    snapshot_each!("intake_chip_card_rejected", ISSUE_SIZES, chip_card_rejected);
}
