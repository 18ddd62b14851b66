//! Documents in the TUI (issue 16), through `update()` and drawn: the applicant's store
//! offered at intake and reused with one key, a paper part digitized in the wizard (its
//! scan and metadata, checked as the portal checks them, kept in the draft, sent after
//! the dossier is made), a part digitized later from the detail, the scanner missing, the
//! citizen's store in the citizens pane, the indices in the stats pane; snapshots at
//! 80×24 and 160×48.

mod common;

use common::tui::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::api::catalog::{ProcedureDetail, ProcedureSummary};
use motcua::api::citizens::{Citizen, CitizenDetail};
use motcua::api::documents::{
    Digitization, DigitizationKind, DigitizationRequest, StoredDocument, StoredKind,
};
use motcua::api::dossiers::Dossier;
use motcua::client::Uploaded;
use motcua::domain::Lang;
use motcua::domain::catalog::Procedure;
use motcua::domain::identity::Gender;
use motcua::domain::status::Status;
use motcua::tui::action::{Action, Effect, ScanProblem};
use motcua::tui::documents::{DigitizeRow, DigitizeTarget};
use motcua::tui::intake::WizardStep;
use motcua::tui::state::*;
use motcua::tui::update::update;

const SIZE: (u16, u16) = (120, 32);
const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
const CITIZEN_ID: &str = "5c1e0b7d9a3f4e2c8b6a0d1f3e5c7a9b";

fn ch(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
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

fn stored(id: &str, doc_type: &str, number: &str, until: &str, expired: bool) -> StoredDocument {
    StoredDocument {
        id: id.into(),
        doc_type: doc_type.into(),
        number: Some(number.into()),
        issued_on: Some("2021-04-10".into()),
        issuer: Some("Cục Cảnh sát QLHC về TTXH".into()),
        valid_until: Some(until.into()),
        source_dossier: "000.01.27.H07-261020-0007".into(),
        source_part: Some("giay_to_tuy_than".into()),
        kind: StoredKind::Digitized,
        filename: "giay_to_tuy_than.pdf".into(),
        content_type: "application/pdf".into(),
        size: 120_000,
        sha256: "ab".repeat(32),
        created_at: "2026-10-20T09:00:00+07:00".into(),
        expired,
    }
}

fn store() -> Vec<StoredDocument> {
    vec![
        stored(
            "cmnd",
            "Chứng minh nhân dân",
            "380123456",
            "2026-11-01",
            true,
        ),
        stored(
            "cccd",
            "Căn cước công dân",
            "083078238953",
            "2036-04-10",
            false,
        ),
    ]
}

fn id_of(effects: &[Effect], pick: impl Fn(&Effect) -> Option<RequestId>) -> RequestId {
    effects
        .iter()
        .find_map(pick)
        .unwrap_or_else(|| panic!("no such effect in {effects:?}"))
}

/// On the intake tab with the catalog loaded.
fn on_intake(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    let effects = update(&mut app, ch('2'));
    let id = id_of(&effects, |e| match e {
        Effect::LoadCatalog(id) => Some(*id),
        _ => None,
    });
    let procedures = catalog();
    let mut effects = update(
        &mut app,
        Action::CatalogLoaded(id, Ok(procedures.iter().map(summary_of).collect())),
    );
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
    for p in procedures {
        app.procedures.insert(p.code.clone(), p);
    }
    app
}

/// Birth registration (on time) for Nguyễn Văn An, on the documents step with his store
/// read.
fn on_documents(lang: Lang, size: (u16, u16)) -> App {
    let mut app = on_intake(lang, size);
    type_in(&mut app, "khai sinh");
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.intake.step, WizardStep::Applicant);
    type_in(&mut app, "083078238953");
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::FindCitizens { id, .. } => Some(*id),
        _ => None,
    });
    update(&mut app, Action::CitizensFound(id, Ok(vec![citizen()])));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.intake.step, WizardStep::Documents);
    let (id, citizen_id) = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadStore { id, citizen_id } => Some((*id, citizen_id.clone())),
            _ => None,
        })
        .expect("the documents step reads the applicant's store");
    assert_eq!(citizen_id, CITIZEN_ID);
    update(&mut app, Action::StoreLoaded(id, Ok(store())));
    app
}

fn row_of(app: &App, part: &str) -> usize {
    app.intake
        .docs
        .iter()
        .position(|d| d.part_id == part)
        .unwrap()
}

fn select(app: &mut App, part: &str) {
    let at = row_of(app, part);
    while app.intake.doc_selected > at {
        update(app, key(KeyCode::Up));
    }
    while app.intake.doc_selected < at {
        update(app, key(KeyCode::Down));
    }
}

fn form(app: &App) -> &motcua::tui::documents::DigitizeForm {
    match &app.overlay {
        Some(Overlay::Digitize(f)) => f,
        other => panic!("no digitize form: {other:?}"),
    }
}

/// Fills the open form's metadata below the scan, row by row.
fn fill_meta(app: &mut App, number: &str, issued: &str, issuer: &str) {
    update(app, key(KeyCode::Tab)); // type, filled with the part's name
    update(app, key(KeyCode::Tab));
    type_in(app, number);
    update(app, key(KeyCode::Tab));
    type_in(app, issued);
    update(app, key(KeyCode::Tab));
    type_in(app, issuer);
}

#[test]
fn the_store_is_offered_first_and_u_reuses_a_valid_document() {
    let mut app = on_documents(Lang::Vi, SIZE);
    select(&mut app, "giay_to_tuy_than");
    // Only the valid card is offered: the expired one never is.
    let offered: Vec<String> = motcua::tui::update::offered(&app, app.intake.doc_selected)
        .iter()
        .map(|d| d.id.clone())
        .collect();
    assert_eq!(offered, vec!["cccd".to_owned()]);
    let screen = text(&draw(&app, SIZE), None);
    assert!(
        screen.contains("u: dùng lại từ kho — Căn cước công dân"),
        "{screen}"
    );
    update(&mut app, ch('u'));
    let at = row_of(&app, "giay_to_tuy_than");
    assert_eq!(
        app.intake.docs[at].reuse.as_ref().map(|r| r.id.as_str()),
        Some("cccd")
    );
    assert!(app.intake.docs[at].present());
    let body = app.intake.request().unwrap();
    let part = body
        .documents
        .iter()
        .find(|d| d.part_id == "giay_to_tuy_than")
        .unwrap();
    assert_eq!(part.stored_document_id.as_deref(), Some("cccd"));
    assert_eq!((part.upload_id.as_deref(), part.originals), (None, 0));
    // In the draft, so a crash keeps it.
    let draft = app.intake.to_draft(String::new());
    assert!(draft.docs[at].reuse.is_some());
    // Again: no other offer, so none; the part is back to nothing.
    update(&mut app, ch('u'));
    assert!(app.intake.docs[at].reuse.is_none());
    // Paper taken after a reuse undoes the reuse.
    update(&mut app, ch('u'));
    update(&mut app, ch(' '));
    assert!(app.intake.docs[at].reuse.is_none() && app.intake.docs[at].on_paper);
}

#[test]
fn a_paper_part_is_digitized_in_the_wizard_and_sent_after_the_dossier() {
    let mut app = on_documents(Lang::Vi, SIZE);
    select(&mut app, "giay_chung_sinh");
    update(&mut app, ch('s'));
    assert_eq!(form(&app).row, DigitizeRow::Scan);
    assert_eq!(
        form(&app).target,
        DigitizeTarget::Wizard {
            doc: row_of(&app, "giay_chung_sinh")
        }
    );
    // Enter without a scan: said under the scan row.
    update(&mut app, key(KeyCode::Enter));
    assert!(matches!(
        &form(&app).error,
        Some((Some(DigitizeRow::Scan), _))
    ));
    type_in(&mut app, "/tmp/giay-chung-sinh.pdf");
    fill_meta(
        &mut app,
        "123/2026",
        "10/01/2027",
        "Bệnh viện Nguyễn Đình Chiểu",
    );
    // What is typed is in the part (and so in the draft) before Enter.
    let at = row_of(&app, "giay_chung_sinh");
    assert_eq!(
        app.intake.docs[at].meta.as_ref().unwrap().number,
        "123/2026"
    );
    // Issued in the future (the test's today is 24/11/2026): refused on its row.
    update(&mut app, key(KeyCode::Enter));
    let f = form(&app);
    assert_eq!(
        f.row,
        DigitizeRow::Meta(motcua::domain::documents::MetaField::IssuedOn)
    );
    assert!(f.error.as_ref().unwrap().1.contains("tương lai"), "{f:?}");
    // Corrected: Ctrl-U empties the field.
    update(&mut app, ctrl('u'));
    type_in(&mut app, "10/01/2026");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(app.overlay.is_none());
    let effects = file_checked(&mut app, &effects, 2048);
    let id = id_of(&effects, |e| match e {
        Effect::Upload { id, .. } => Some(*id),
        _ => None,
    });
    update(
        &mut app,
        Action::Uploaded(
            id,
            Ok(Uploaded {
                id: "scan-1".into(),
                size: 2048,
                content_type: "application/pdf".into(),
            }),
        ),
    );
    let d = &app.intake.docs[at];
    assert!(d.on_paper && d.meta.is_some());
    assert_eq!(
        d.file.as_ref().and_then(|f| f.upload_id.as_deref()),
        Some("scan-1")
    );
    // The other parts: the card reused, the form on paper; then on to the review.
    select(&mut app, "giay_to_tuy_than");
    update(&mut app, ch('u'));
    select(&mut app, "to_khai");
    update(&mut app, ch(' '));
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        app.intake.step,
        WizardStep::Delivery,
        "{:?}",
        app.intake.error
    );
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, ch(' '));
    let effects = update(&mut app, key(KeyCode::Enter));
    let (id, body) = effects
        .iter()
        .find_map(|e| match e {
            Effect::CreateDossier { id, request, .. } => Some((*id, request.clone())),
            _ => None,
        })
        .expect("submitted");
    let scanned = body
        .documents
        .iter()
        .find(|d| d.part_id == "giay_chung_sinh")
        .unwrap();
    assert_eq!(scanned.upload_id.as_deref(), Some("scan-1"));
    let mut made = dossier();
    made.code = "000.01.27.H07-261124-0042".into();
    made.status = Status::Received;
    made.version = 1;
    made.fee.amount = 0;
    let effects = update(&mut app, Action::DossierCreated(id, Ok(made.clone())));
    let sent: Vec<(RequestId, String, i64, DigitizationRequest)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Digitize {
                id,
                code,
                part_id,
                version,
                request,
            } => {
                assert_eq!(code, &made.code);
                Some((*id, part_id.clone(), *version, request.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(sent.len(), 1, "{effects:?}");
    let (did, part, version, request) = &sent[0];
    assert_eq!((part.as_str(), *version), ("giay_chung_sinh", 1));
    assert_eq!(request.upload_id, None, "the scan is the part's attachment");
    assert_eq!(request.number.as_deref(), Some("123/2026"));
    assert_eq!(request.issued_on.as_deref(), Some("2026-01-10"));
    // Done: the dossier as the portal has it now, the stats read again.
    let mut after = made.clone();
    after.version = 2;
    let effects = update(&mut app, Action::Digitized(*did, Ok(after)));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::LoadStats(_))),
        "{effects:?}"
    );
    assert_eq!(app.intake.created.as_ref().unwrap().version, 2);
    assert!(
        app.toasts
            .iter()
            .any(|t| t.kind == ToastKind::Success && t.text.contains("số hóa"))
    );
}

#[test]
fn esc_keeps_what_was_typed_and_the_step_waits_for_a_scan() {
    let mut app = on_documents(Lang::En, SIZE);
    select(&mut app, "giay_chung_sinh");
    update(&mut app, ch('s'));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Tab));
    let effects = type_in(&mut app, "77");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SaveDraft(Some(_)))),
        "typed text is saved: {effects:?}"
    );
    update(&mut app, key(KeyCode::Esc));
    assert!(app.overlay.is_none());
    // Back in: the number is still there.
    update(&mut app, ch('s'));
    let number = form(&app).draft().number;
    assert_eq!(number, "77");
    update(&mut app, key(KeyCode::Esc));
    // Details without a scan keep the step: the message says what to do.
    for part in ["to_khai", "giay_to_tuy_than", "giay_chung_sinh"] {
        select(&mut app, part);
        update(&mut app, ch(' '));
    }
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.intake.step, WizardStep::Documents);
    let error = app.intake.error.clone().unwrap();
    assert!(
        error.contains("no scan") && error.contains("Press s"),
        "{error}"
    );
}

#[test]
fn no_scanner_is_said_plainly_and_a_scan_fills_the_path() {
    let mut app = on_documents(Lang::Vi, SIZE);
    select(&mut app, "giay_chung_sinh");
    update(&mut app, ch('s'));
    let effects = update(&mut app, ctrl('s'));
    assert_eq!(effects, vec![Effect::Scan]);
    assert!(form(&app).scanning);
    update(&mut app, Action::Scanned(Err(ScanProblem::NoScanner)));
    let (row, text) = form(&app).error.clone().unwrap();
    assert_eq!(row, Some(DigitizeRow::Scan));
    assert!(text.contains("scanimage"), "{text}");
    update(&mut app, ctrl('s'));
    update(
        &mut app,
        Action::Scanned(Ok("/data/scans/scan-1.png".into())),
    );
    assert_eq!(form(&app).path(), "/data/scans/scan-1.png");
    assert!(form(&app).error.is_none());
}

/// The detail's dossier: the form attached online (a file), the birth certificate on
/// paper; reception.
fn detail_app(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    open_detail(&mut app);
    app
}

fn digitized_dossier() -> Dossier {
    let mut d = dossier();
    d.version = 4;
    d.documents[0].digitization = Some(Digitization {
        kind: DigitizationKind::Digitized,
        stored_document_id: "s1".into(),
        doc_type: "Tờ khai đăng ký khai sinh".into(),
        number: None,
        issued_on: Some("2026-11-20".into()),
        issuer: None,
        valid_until: None,
        at: "2026-11-24T10:05:00+07:00".into(),
        by: Some("tiepnhan1".into()),
    });
    d.documents[1].digitization = Some(Digitization {
        kind: DigitizationKind::Reused,
        stored_document_id: "s2".into(),
        doc_type: "Giấy chứng sinh".into(),
        number: Some("45/2026".into()),
        issued_on: Some("2026-11-02".into()),
        issuer: Some("Bệnh viện Nguyễn Đình Chiểu".into()),
        valid_until: None,
        at: "2026-11-24T10:05:00+07:00".into(),
        by: Some("tiepnhan1".into()),
    });
    d
}

#[test]
fn the_detail_digitizes_a_part_afterwards() {
    let mut app = detail_app(Lang::Vi, SIZE);
    assert!(motcua::tui::update::may_digitize(&app));
    update(&mut app, ch('s'));
    let f = form(&app);
    assert_eq!(f.row, DigitizeRow::Part);
    assert_eq!(f.part().unwrap().part_id, "to-khai");
    // Its attachment is the scan: Enter sends at once, on the version seen.
    let effects = update(&mut app, key(KeyCode::Enter));
    let (id, version, request) = effects
        .iter()
        .find_map(|e| match e {
            Effect::Digitize {
                id,
                part_id,
                version,
                request,
                ..
            } if part_id == "to-khai" => Some((*id, *version, request.clone())),
            _ => None,
        })
        .expect("a digitization");
    assert_eq!(version, 3);
    assert_eq!(request.upload_id, None);
    assert_eq!(request.doc_type, "Tờ khai đăng ký khai sinh");
    // Someone changed the dossier meanwhile: said in the form, which goes on from the
    // new version.
    let mut moved = dossier();
    moved.version = 4;
    update(
        &mut app,
        Action::Digitized(id, Err(Failure::Conflict(Box::new(moved)))),
    );
    match &form(&app).target {
        DigitizeTarget::Dossier { version, .. } => assert_eq!(*version, 4),
        other => panic!("{other:?}"),
    }
    assert!(form(&app).error.is_some());
    // The next part is on paper: a scan is needed, uploaded, then named.
    update(&mut app, key(KeyCode::Right));
    assert_eq!(form(&app).part().unwrap().part_id, "giay-chung-sinh");
    update(&mut app, key(KeyCode::Enter));
    assert!(matches!(
        &form(&app).error,
        Some((Some(DigitizeRow::Scan), _))
    ));
    assert_eq!(form(&app).row, DigitizeRow::Scan);
    type_in(&mut app, "/tmp/gcs.png");
    let effects = update(&mut app, key(KeyCode::Enter));
    let (up, key_sent) = effects
        .iter()
        .find_map(|e| match e {
            Effect::Upload { id, key, .. } => Some((*id, key.clone())),
            _ => None,
        })
        .expect("the scan goes up first");
    update(
        &mut app,
        Action::UploadProgress {
            key: key_sent,
            sent: 50,
            total: 100,
        },
    );
    assert!(text(&draw(&app, SIZE), None).contains("50%"));
    let effects = update(
        &mut app,
        Action::Uploaded(
            up,
            Ok(Uploaded {
                id: "scan-9".into(),
                size: 100,
                content_type: "image/png".into(),
            }),
        ),
    );
    let (id, request) = effects
        .iter()
        .find_map(|e| match e {
            Effect::Digitize { id, request, .. } => Some((*id, request.clone())),
            _ => None,
        })
        .expect("then the digitization");
    assert_eq!(request.upload_id.as_deref(), Some("scan-9"));
    update(&mut app, Action::Digitized(id, Ok(digitized_dossier())));
    assert!(app.overlay.is_none());
    let shown = app.inbox.detail.as_ref().unwrap().dossier.as_ref().unwrap();
    assert!(shown.documents[1].digitization.is_some());
    let screen = text(&draw(&app, SIZE), None);
    assert!(screen.contains("đã số hóa"), "{screen}");
    assert!(screen.contains("dùng lại từ kho"), "{screen}");
}

#[test]
fn only_reception_digitizes_from_the_detail() {
    let mut app = detail_app(Lang::Vi, SIZE);
    app.me.as_mut().unwrap().role = motcua::domain::workflow::Role::Specialist;
    assert!(!motcua::tui::update::may_digitize(&app));
    assert!(update(&mut app, ch('s')).is_empty());
    assert!(app.overlay.is_none());
}

fn citizen_record(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    update(&mut app, ch('3'));
    type_in(&mut app, "083078238953");
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::FindCitizens { id, .. } => Some(*id),
        _ => None,
    });
    update(&mut app, Action::CitizensFound(id, Ok(vec![citizen()])));
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = id_of(&effects, |e| match e {
        Effect::LoadCitizen { id, .. } => Some(*id),
        _ => None,
    });
    let effects = update(
        &mut app,
        Action::CitizenLoaded(
            id,
            Ok(CitizenDetail {
                citizen: citizen(),
                dossiers: vec![],
            }),
        ),
    );
    let id = id_of(&effects, |e| match e {
        Effect::LoadStore { id, .. } => Some(*id),
        _ => None,
    });
    update(&mut app, Action::StoreLoaded(id, Ok(store())));
    app
}

#[test]
fn the_citizen_record_lists_the_store() {
    let app = citizen_record(Lang::Vi, SIZE);
    let screen = text(&draw(&app, SIZE), None);
    assert!(
        screen.contains("Kho dữ liệu của công dân (2 giấy tờ)"),
        "{screen}"
    );
    assert!(screen.contains("không dùng lại được"), "{screen}");
}

// ---------------------------------------------------------------------------------------
// Snapshots

#[test]
fn snapshot_documents_step_with_the_store() {
    snapshot_each!("documents_store", SIZES, |lang, size| {
        let mut app = on_documents(lang, size);
        select(&mut app, "giay_chung_sinh");
        update(&mut app, ch(' '));
        let at = row_of(&app, "giay_chung_sinh");
        app.intake.docs[at].meta = Some(motcua::tui::documents::MetaDraft {
            doc_type: "Giấy chứng sinh".into(),
            number: "123/2026".into(),
            ..Default::default()
        });
        select(&mut app, "giay_to_tuy_than");
        app
    });
}

#[test]
fn snapshot_digitize_form_in_the_wizard() {
    snapshot_each!("digitize_wizard", SIZES, |lang, size| {
        let mut app = on_documents(lang, size);
        select(&mut app, "giay_chung_sinh");
        update(&mut app, ch('s'));
        type_in(&mut app, "~/scans/giay-chung-sinh.pdf");
        fill_meta(&mut app, "123/2026", "10/01/2030", "Bệnh viện");
        update(&mut app, key(KeyCode::Enter));
        app
    });
}

#[test]
fn snapshot_digitize_form_in_the_detail() {
    snapshot_each!("digitize_detail", SIZES, |lang, size| {
        let mut app = detail_app(lang, size);
        update(&mut app, ch('s'));
        update(&mut app, key(KeyCode::Right));
        app
    });
}

#[test]
fn snapshot_detail_with_digitization() {
    snapshot_each!("detail_digitized", SIZES, |lang, size| {
        let mut app = detail_app(lang, size);
        let id = 9999;
        app.pending.insert(
            id,
            Pending {
                purpose: Purpose::Detail,
                ticks: 0,
            },
        );
        update(&mut app, Action::DetailLoaded(id, Ok(digitized_dossier())));
        // The documents in sight.
        for _ in 0..12 {
            update(&mut app, key(KeyCode::Down));
        }
        app
    });
}

#[test]
fn snapshot_citizen_record_with_the_store() {
    snapshot_each!("citizen_store", SIZES, citizen_record);
}

#[test]
fn snapshot_stats_with_the_indices() {
    snapshot_each!("stats_indices", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        let effects = update(&mut app, ch('5'));
        let id = id_of(&effects, |e| match e {
            Effect::LoadStats(id) => Some(*id),
            _ => None,
        });
        update(&mut app, Action::StatsLoaded(id, Ok(stats())));
        app
    });
}
