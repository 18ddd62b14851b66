//! The certification pane (issue 21), through `update()` and snapshots: a repeat copy
//! certification in few keys and at most two round trips, a scanned chip card with none
//! before the entry, the fee reckoned as typed, a refusal taken back to its row, a link
//! that fails (the entry waits in the outbox and its number shows when it goes), and the
//! books with their search and the day's totals.

mod common;

use common::tui::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::api::Page;
use motcua::api::certifications::{
    Certification, CertificationApplicant, CertifiedApplicant, FeeOrder, FeeOrderStatus, Kind,
};
use motcua::api::citizens::Citizen;
use motcua::api::stats::{CertificationCounts, Period};
use motcua::domain::Lang;
use motcua::tui::action::{Action, Effect};
use motcua::tui::certify::{Field, PayWay, Stage};
use motcua::tui::state::*;
use motcua::tui::update::update;
use std::collections::BTreeMap;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
const NUMBER: &str = "083078238953";
const QR: &str =
    "083078238953||Nguyễn Văn An|14031978|Nam|Số 12 đường Hùng Vương, Bến Tre|01012021";

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn alt(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
}

/// Types `text` (data, not counted as keys of the pane).
fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    let mut effects = vec![];
    for c in text.chars() {
        effects.extend(update(app, key(KeyCode::Char(c))));
    }
    effects
}

fn on_pane(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    update(&mut app, alt('6'));
    assert_eq!(app.tab, Tab::Certify);
    app
}

fn citizen() -> Citizen {
    Citizen {
        id: "c-an".into(),
        id_number: NUMBER.into(),
        legacy_id_number: None,
        full_name: "Nguyễn Văn An".into(),
        date_of_birth: "1978-03-14".into(),
        gender: motcua::domain::identity::Gender::Male,
        phone: "0384350158".into(),
        email: None,
        address: "Số 12 đường Hùng Vương, Bến Tre".into(),
        office_id: 1,
        created_at: "2026-01-05T09:00:00+07:00".into(),
        activated: true,
    }
}

/// What the portal answers to `request`, as its entry number `number`.
fn entered(request: &motcua::api::certifications::NewCertification, number: u32) -> Certification {
    let (pages, copies) = (
        request.pages.unwrap_or(1) as u32,
        request.copies.unwrap_or(1) as u32,
    );
    let (citizen_id, full_name, id_number) = match &request.applicant {
        CertificationApplicant::Citizen(c) => (
            Some(c.citizen_id.clone()),
            "Nguyễn Văn An".to_owned(),
            NUMBER.to_owned(),
        ),
        CertificationApplicant::Named(n) => (None, n.full_name.clone(), n.id_number.clone()),
    };
    let book = motcua::domain::certification::book(request.kind, 2026);
    Certification {
        id: format!("cert-{number}"),
        kind: request.kind,
        act: request.act,
        book: book.clone(),
        number,
        year: 2026,
        applicant: CertifiedApplicant {
            citizen_id,
            full_name: full_name.clone(),
            id_number,
        },
        document_name: request.document_name.clone(),
        pages,
        copies,
        note: None,
        fee: motcua::domain::certification::fee(
            request.kind,
            request.act.unwrap_or_default(),
            pages,
            copies,
        ),
        payment_method: if request.fee_order.is_some() {
            "vietqr"
        } else {
            "cash"
        }
        .into(),
        fee_order: request.fee_order.clone(),
        certified_at: "2026-11-24T10:05:00+07:00".into(),
        certified_by: "Lê Thị Tiếp Nhận".into(),
        text: format!(
            "Chứng thực bản sao đúng với bản chính.\nSố chứng thực {number}, quyển số {book}.\nNgày 24/11/2026.\nNgười thực hiện chứng thực: Lê Thị Tiếp Nhận."
        ),
    }
}

/// A copy certification typed after the number: the paper, pages and copies, then the
/// fee (Enter) and the cash taken (Enter). Returns the keys pressed and the effects.
fn paper_then_cash(app: &mut App, document: &str, pages: &str, copies: &str) -> (u32, Vec<Effect>) {
    let (mut keys, mut effects) = to_the_fee(app, document, pages, copies);
    effects.extend(update(app, key(KeyCode::Enter)));
    keys += 1;
    (keys, effects)
}

/// The paper, pages and copies typed after the applicant, then Enter: the fee's screen.
/// Returns the keys pressed and the effects.
fn to_the_fee(app: &mut App, document: &str, pages: &str, copies: &str) -> (u32, Vec<Effect>) {
    let mut keys = 0;
    let mut effects = type_text(app, document);
    effects.extend(update(app, key(KeyCode::Tab)));
    keys += 1;
    // Pages and copies show 1: what is typed replaces it.
    effects.extend(type_text(app, pages));
    effects.extend(update(app, key(KeyCode::Tab)));
    keys += 1;
    effects.extend(type_text(app, copies));
    effects.extend(update(app, key(KeyCode::Enter)));
    keys += 1;
    assert_eq!(
        app.certify.entry.stage,
        Stage::Confirm,
        "the fee is asked for"
    );
    (keys, effects)
}

/// What an update asks of the portal and the screen: the draft kept on disk after every
/// change left out.
fn asked(effects: Vec<Effect>) -> Vec<Effect> {
    effects
        .into_iter()
        .filter(|e| !matches!(e, Effect::SaveCertifyDraft(_)))
        .collect()
}

fn round_trips(effects: &[Effect]) -> u32 {
    effects
        .iter()
        .filter(|e| {
            matches!(
                e,
                Effect::FindCitizens { .. } | Effect::Certify { .. } | Effect::LoadBook { .. }
            )
        })
        .count() as u32
}

fn certify_effect(
    effects: &[Effect],
) -> (
    RequestId,
    String,
    motcua::api::certifications::NewCertification,
) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Certify { id, key, request } => Some((*id, key.clone(), (**request).clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no certification sent: {effects:?}"))
}

#[test]
fn a_repeat_copy_certification_by_number_is_few_keys_and_two_round_trips() {
    let mut app = on_pane(Lang::Vi, (80, 24));
    // The first of the day set the kind (copy, the default); the next is the repeat.
    let mut keys = 0;
    let mut effects = type_text(&mut app, NUMBER);
    let e = asked(update(&mut app, key(KeyCode::Enter)));
    keys += 1;
    let id = match &e[..] {
        [Effect::FindCitizens { id, query }] if query == NUMBER => *id,
        other => panic!("the number is looked up: {other:?}"),
    };
    effects.extend(e);
    update(&mut app, Action::CitizensFound(id, Ok(vec![citizen()])));
    assert_eq!(app.certify.entry.focus, Field::Document);
    assert_eq!(app.certify.entry.text(Field::FullName), "Nguyễn Văn An");
    let (more, e) = paper_then_cash(&mut app, "Bằng tốt nghiệp THPT", "5", "3");
    keys += more;
    effects.extend(e.clone());
    let (id, _, request) = certify_effect(&e);
    assert!(
        matches!(request.applicant, CertificationApplicant::Citizen(ref c) if c.citizen_id == "c-an")
    );
    assert_eq!((request.pages, request.copies), (Some(5), Some(3)));
    update(&mut app, Action::Certified(id, Ok(entered(&request, 12))));
    let screen = text(&draw(&app, (80, 24)), None);
    assert!(screen.contains("Sổ 01/2026-SCT/BS, số 12"), "{screen}");
    assert!(screen.contains("21.000 đ tiền mặt"), "{screen}");
    assert!(screen.contains("Số chứng thực 12"), "{screen}");
    assert!(keys <= 12, "{keys} keys");
    assert!(round_trips(&effects) <= 2, "{effects:?}");
}

#[test]
fn a_scanned_chip_card_needs_no_lookup_and_enter_goes_on_to_the_next_paper() {
    let mut app = on_pane(Lang::En, (80, 24));
    let effects = type_text(&mut app, QR);
    assert!(asked(update(&mut app, key(KeyCode::Enter))).is_empty());
    let e = &app.certify.entry;
    assert_eq!(e.text(Field::IdNumber), NUMBER);
    assert_eq!(e.text(Field::FullName), "Nguyễn Văn An");
    assert_eq!(e.focus, Field::Document);
    let (keys, more) = paper_then_cash(&mut app, "Giấy khai sinh", "1", "2");
    assert_eq!(round_trips(&effects) + round_trips(&more), 1);
    assert!(keys < 12);
    let (id, key1, request) = certify_effect(&more);
    assert!(
        matches!(request.applicant, CertificationApplicant::Named(ref n)
        if n.full_name == "Nguyễn Văn An" && n.id_number == NUMBER)
    );
    update(&mut app, Action::Certified(id, Ok(entered(&request, 7))));
    // Enter: the same applicant's next paper, with a key of its own.
    update(&mut app, key(KeyCode::Enter));
    let e = &app.certify.entry;
    assert_eq!(e.stage, Stage::Editing);
    assert_eq!(e.focus, Field::Document);
    assert_eq!(e.text(Field::FullName), "Nguyễn Văn An");
    assert!(e.text(Field::Document).is_empty());
    assert_ne!(e.key, key1);
    // Ctrl-N: someone else; the kind stays.
    update(&mut app, ctrl('n'));
    assert!(app.certify.entry.text(Field::FullName).is_empty());
    assert_eq!(app.certify.entry.kind, Kind::Copy);
}

#[test]
fn the_fee_follows_the_kind_and_what_is_typed() {
    let mut app = on_pane(Lang::Vi, (80, 24));
    let shown = |app: &App| text(&draw(app, (80, 24)), None);
    update(&mut app, key(KeyCode::BackTab));
    assert_eq!(app.certify.entry.focus, Field::Kind);
    assert!(shown(&app).contains("Lệ phí: 2.000 đ"), "{}", shown(&app));
    update(&mut app, key(KeyCode::Right));
    assert_eq!(app.certify.entry.kind, Kind::Signature);
    assert!(shown(&app).contains("Lệ phí: 10.000 đ"));
    update(&mut app, key(KeyCode::Right));
    assert!(shown(&app).contains("Lệ phí: 50.000 đ"));
    update(&mut app, key(KeyCode::Right));
    assert!(shown(&app).contains("Lệ phí: 30.000 đ"));
    update(&mut app, key(KeyCode::Right));
    assert!(shown(&app).contains("Lệ phí: 25.000 đ"));
    // Round again to copies; 300 pages cost the cap per copy.
    update(&mut app, key(KeyCode::Right));
    assert_eq!(app.certify.entry.kind, Kind::Copy);
    for _ in 0..4 {
        update(&mut app, key(KeyCode::Tab));
    }
    assert_eq!(app.certify.entry.focus, Field::Pages);
    type_text(&mut app, "300");
    assert!(shown(&app).contains("Lệ phí: 200.000 đ"), "{}", shown(&app));
    // Copies pasted replace the 1 shown, as typed ones do.
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, Action::Paste("2".into()));
    assert_eq!(app.certify.entry.text(Field::Copies), "2");
    assert!(shown(&app).contains("Lệ phí: 400.000 đ"), "{}", shown(&app));
}

#[test]
fn a_missing_row_or_a_refusal_takes_the_official_to_that_row() {
    let mut app = on_pane(Lang::Vi, (80, 24));
    // An old 9-digit CMND is not what the book records: said before anything is sent.
    type_text(&mut app, "123456789");
    assert!(asked(update(&mut app, key(KeyCode::Enter))).is_empty());
    assert!(app.certify.entry.error.is_some());
    assert_eq!(app.certify.entry.focus, Field::IdNumber);
    update(&mut app, ctrl('u'));
    // A number nobody at the office has: the name is typed from the card.
    type_text(&mut app, "001196012345");
    let id = match &asked(update(&mut app, key(KeyCode::Enter)))[..] {
        [Effect::FindCitizens { id, .. }] => *id,
        other => panic!("a lookup: {other:?}"),
    };
    update(&mut app, Action::CitizensFound(id, Ok(vec![])));
    assert_eq!(app.certify.entry.focus, Field::FullName);
    type_text(&mut app, "Trần Thị Hoa");
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Enter));
    let e = &app.certify.entry;
    assert_eq!(e.stage, Stage::Editing);
    assert_eq!(e.focus, Field::Document);
    assert!(e.error.as_ref().unwrap().1.contains("tên giấy tờ"));
    type_text(&mut app, "Hợp đồng thuê nhà");
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Enter));
    let effects = update(&mut app, key(KeyCode::Enter));
    let (id, _, _) = certify_effect(&effects);
    let mut fields = BTreeMap::new();
    fields.insert("pages".to_owned(), "Số trang phải từ 1".to_owned());
    update(
        &mut app,
        Action::Certified(
            id,
            Err(Failure::Refused {
                code: "validation_failed".into(),
                message: "Số trang phải từ 1 đến 10.000.".into(),
                fields,
            }),
        ),
    );
    let e = &app.certify.entry;
    assert_eq!(e.stage, Stage::Editing);
    assert_eq!(e.focus, Field::Pages);
    assert!(e.error.as_ref().unwrap().1.contains("Số trang"));
    // A twelve-digit number that is no identity number is said at once too.
    let mut app = on_pane(Lang::En, (80, 24));
    type_text(&mut app, "999999999999");
    assert!(asked(update(&mut app, key(KeyCode::Enter))).is_empty());
    assert!(app.certify.entry.error.is_some());
}

#[test]
fn a_failed_link_keeps_the_entry_in_the_outbox_and_its_number_shows_when_it_goes() {
    let mut app = on_pane(Lang::Vi, (80, 24));
    type_text(&mut app, QR);
    update(&mut app, key(KeyCode::Enter));
    let (_, effects) = paper_then_cash(&mut app, "Sổ hộ khẩu", "2", "1");
    let (id, key1, request) = certify_effect(&effects);
    update(&mut app, Action::Queued(id));
    assert!(matches!(
        app.certify.entry.stage,
        Stage::Sending { queued: true, .. }
    ));
    let screen = text(&draw(&app, (80, 24)), None);
    assert!(screen.contains("hàng đợi"), "{screen}");
    update(
        &mut app,
        Action::SentLater {
            key: key1,
            sent: Box::new(motcua::client::outbox::Sent::Certified(Box::new(entered(
                &request, 3,
            )))),
        },
    );
    assert!(app.certify.entry.is_done());
    let screen = text(&draw(&app, (80, 24)), None);
    assert!(screen.contains("số 3"), "{screen}");
}

fn order(status: FeeOrderStatus) -> FeeOrder {
    let reference = "CT7KQ2M9XA".to_owned();
    FeeOrder {
        vietqr: (status == FeeOrderStatus::Unpaid).then(|| {
            motcua::domain::vietqr::build(&motcua::domain::vietqr::VietQrRequest {
                bank_bin: "970415".into(),
                account: "113366668888".into(),
                amount: Some(21_000),
                purpose: Some("CT 7KQ2M9XA".into()),
            })
            .unwrap()
        }),
        reference,
        amount: 21_000,
        status,
        bank_bin: "970415".into(),
        account: "113366668888".into(),
        account_name: "UBND PHUONG AN HOI".into(),
        created_at: "2026-11-24T10:04:00+07:00".into(),
        paid_at: (status != FeeOrderStatus::Unpaid).then(|| "2026-11-24T10:05:00+07:00".into()),
        transaction_id: (status != FeeOrderStatus::Unpaid).then(|| "FT123".into()),
    }
}

/// Up to the fee of a 5-page paper in 3 copies, then VietQR chosen and its code shown.
fn vietqr_shown(lang: Lang, size: (u16, u16)) -> App {
    let mut app = on_pane(lang, size);
    type_text(&mut app, QR);
    update(&mut app, key(KeyCode::Enter));
    to_the_fee(&mut app, "Bằng tốt nghiệp THPT", "5", "3");
    update(&mut app, key(KeyCode::Right));
    let effects = asked(update(&mut app, key(KeyCode::Enter)));
    let id = match &effects[..] {
        [Effect::OrderFee { id, amount, .. }] => {
            assert_eq!(*amount, 21_000);
            *id
        }
        other => panic!("a fee order: {other:?}"),
    };
    update(
        &mut app,
        Action::FeeOrdered(id, Ok(order(FeeOrderStatus::Unpaid))),
    );
    app
}

#[test]
fn by_vietqr_the_code_shows_until_the_transfer_arrives_then_the_entry_goes_by_itself() {
    let mut app = vietqr_shown(Lang::Vi, (80, 24));
    let screen = text(&draw(&app, (80, 24)), None);
    assert!(screen.contains("Chuyển khoản 21.000 đ"), "{screen}");
    assert!(screen.contains("CT 7KQ2M9XA"), "{screen}");
    assert!(
        screen.contains("▀") || screen.contains("█"),
        "the code is drawn: {screen}"
    );
    // The screen shows it whole: a training sandbox would be told.
    assert_eq!(
        motcua::tui::view::vietqr_on_screen(&app).as_deref(),
        Some("CT7KQ2M9XA")
    );
    // Every two seconds the order is looked at; unpaid, the code stays.
    let now = app.now;
    assert!(
        update(&mut app, Action::Tick(now))
            .iter()
            .all(|e| !matches!(e, Effect::LoadFeeOrder { .. }))
    );
    let effects = update(&mut app, Action::Tick(now));
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadFeeOrder { id, reference } if reference == "CT7KQ2M9XA" => Some(*id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("a look at the order: {effects:?}"));
    update(
        &mut app,
        Action::FeeOrdered(id, Ok(order(FeeOrderStatus::Unpaid))),
    );
    assert!(app.certify.entry.order().is_some());
    update(&mut app, Action::Tick(now));
    let effects = update(&mut app, Action::Tick(now));
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadFeeOrder { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    // Paid: the entry goes, naming the order.
    let effects = update(
        &mut app,
        Action::FeeOrdered(id, Ok(order(FeeOrderStatus::Paid))),
    );
    let (id, _, request) = certify_effect(&effects);
    assert_eq!(request.fee_order.as_deref(), Some("CT7KQ2M9XA"));
    update(&mut app, Action::Certified(id, Ok(entered(&request, 4))));
    let screen = text(&draw(&app, (80, 24)), None);
    assert!(screen.contains("21.000 đ chuyển khoản VietQR"), "{screen}");
    assert!(screen.contains("số 4"), "{screen}");
}

#[test]
fn no_transfer_after_all_goes_back_to_cash_and_a_failed_order_says_so() {
    let mut app = vietqr_shown(Lang::En, (80, 24));
    update(&mut app, key(KeyCode::Esc));
    let e = &app.certify.entry;
    assert_eq!(e.stage, Stage::Confirm);
    assert_eq!(e.pay, PayWay::Cash);
    let effects = update(&mut app, key(KeyCode::Enter));
    let (_, _, request) = certify_effect(&effects);
    assert_eq!(request.fee_order, None, "taken in cash");
    // The order cannot be made (the link): back to the fee, saying why.
    let mut app = on_pane(Lang::En, (80, 24));
    type_text(&mut app, QR);
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "Giấy khai sinh");
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.certify.entry.pay, PayWay::VietQr);
    let effects = asked(update(&mut app, key(KeyCode::Enter)));
    let [Effect::OrderFee { id, key: key1, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    update(
        &mut app,
        Action::FeeOrdered(*id, Err(Failure::Offline("no route to host".into()))),
    );
    let e = &app.certify.entry;
    assert_eq!(e.stage, Stage::Confirm);
    assert!(e.error.as_ref().unwrap().1.contains("no route to host"));
    // Tried again for the same amount: the same order's key (a retry, not a second order).
    let effects = asked(update(&mut app, key(KeyCode::Enter)));
    let [Effect::OrderFee { key: key2, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(key1, key2);
}

#[test]
fn leaving_asks_first_with_a_certification_typed_or_waiting_for_its_transfer() {
    let mut app = on_pane(Lang::En, (80, 24));
    assert!(motcua::tui::update::left_behind(&app).is_empty());
    type_text(&mut app, QR);
    update(&mut app, key(KeyCode::Enter));
    let said = motcua::tui::update::left_behind(&app);
    assert!(said.iter().any(|s| s.contains("being typed")), "{said:?}");
    let app = vietqr_shown(Lang::En, (80, 24));
    let said = motcua::tui::update::left_behind(&app);
    assert!(
        said.iter().any(|s| s.contains("waits for its transfer")),
        "{said:?}"
    );
}

#[test]
fn the_entry_typed_is_kept_as_a_draft_and_comes_back_after_a_restart() {
    let mut app = on_pane(Lang::Vi, (80, 24));
    type_text(&mut app, QR);
    update(&mut app, key(KeyCode::Enter));
    let effects = type_text(&mut app, "Sổ đỏ");
    let draft = effects
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::SaveCertifyDraft(Some(d)) => Some((**d).clone()),
            _ => None,
        })
        .expect("the draft saved as typed");
    assert_eq!(draft.document, "Sổ đỏ");
    assert_eq!(draft.full_name, "Nguyễn Văn An");
    let key1 = app.certify.entry.key.clone();
    // A fresh run finds it.
    let mut again = on_pane(Lang::Vi, (80, 24));
    update(&mut again, Action::CertifyDraftFound(Box::new(draft)));
    let e = &again.certify.entry;
    assert_eq!(e.text(Field::Document), "Sổ đỏ");
    assert_eq!(e.text(Field::IdNumber), NUMBER);
    assert_eq!(e.key, key1, "the same entry, never sent: the same key");
    // Once sent it is the outbox's: the draft is forgotten.
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Enter));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SaveCertifyDraft(None))),
        "{effects:?}"
    );
}

#[test]
fn snapshot_the_vietqr_code_to_scan() {
    snapshot_each!("vietqr", SIZES, vietqr_shown);
}

fn book_page(n: u32) -> Page<Certification> {
    let mut request = motcua::api::certifications::NewCertification {
        kind: Kind::Copy,
        act: None,
        applicant: CertificationApplicant::Named(motcua::api::certifications::NamedApplicant {
            full_name: "Nguyễn Thị Hòa".into(),
            id_number: NUMBER.into(),
        }),
        document_name: "Bằng tốt nghiệp THPT".into(),
        pages: Some(5),
        copies: Some(3),
        note: None,
        fee_order: None,
    };
    let mut items = vec![];
    for i in (1..=n).rev() {
        if i % 3 == 0 {
            request.document_name = format!("Giấy khai sinh bản {i}");
        }
        items.push(entered(&request, i));
    }
    Page {
        items,
        next_cursor: None,
        total: u64::from(n),
    }
}

fn in_book(lang: Lang, size: (u16, u16)) -> App {
    let mut app = on_pane(lang, size);
    let effects = update(&mut app, ctrl('b'));
    for effect in effects {
        match effect {
            Effect::LoadBook { id, .. } => {
                update(&mut app, Action::BookLoaded(id, Ok(book_page(6))));
            }
            Effect::LoadCertifyTotals { id, day } => {
                assert_eq!(day.to_string(), "2026-11-24");
                let mut stats = stats();
                stats.period = Period {
                    from: "2026-11-24".into(),
                    to: "2026-11-24".into(),
                };
                stats.certifications = CertificationCounts {
                    copy: 6,
                    signature: 2,
                    contract: 1,
                    fees: 196_000,
                };
                update(&mut app, Action::CertifyTotalsLoaded(id, Ok(stats)));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    app
}

#[test]
fn the_books_search_the_words_typed_and_show_the_days_totals() {
    let mut app = in_book(Lang::Vi, (80, 24));
    let screen = text(&draw(&app, (80, 24)), None);
    assert!(screen.contains("Nguyễn Thị Hòa"), "{screen}");
    assert!(
        screen.contains("6 bản sao · 2 chữ ký · 1 hợp đồng"),
        "{screen}"
    );
    assert!(screen.contains("196.000 đ"), "{screen}");
    type_text(&mut app, "nguyen thi hoa");
    let effects = update(&mut app, key(KeyCode::Enter));
    match &effects[..] {
        [Effect::LoadBook { query, .. }] => assert_eq!(query.q.as_deref(), Some("nguyen thi hoa")),
        other => panic!("a search: {other:?}"),
    }
    let id = app.certify.book.pending.unwrap();
    update(&mut app, Action::BookLoaded(id, Ok(book_page(2))));
    // Enter again: the highlighted entry's text, to read or print.
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(&app.overlay, Some(Overlay::Form(v)) if v.code == "cert-1"
        && v.text.as_deref().is_some_and(|t| t.contains("Số chứng thực 1,")))
    );
    // Esc closes it; Ctrl-B is the entry again.
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, ctrl('b'));
    assert!(!app.certify.in_book);
}

#[test]
fn snapshot_the_entry_with_its_fee() {
    snapshot_each!("entry", SIZES, |lang, size| {
        let mut app = on_pane(lang, size);
        type_text(&mut app, QR);
        update(&mut app, key(KeyCode::Enter));
        to_the_fee(&mut app, "Bằng tốt nghiệp THPT", "5", "3");
        app
    });
}

#[test]
fn snapshot_the_entry_in_its_book() {
    snapshot_each!("done", SIZES, |lang, size| {
        let mut app = on_pane(lang, size);
        type_text(&mut app, QR);
        update(&mut app, key(KeyCode::Enter));
        let (_, effects) = paper_then_cash(&mut app, "Bằng tốt nghiệp THPT", "5", "3");
        let (id, _, request) = certify_effect(&effects);
        update(&mut app, Action::Certified(id, Ok(entered(&request, 12))));
        app
    });
}

#[test]
fn snapshot_the_books() {
    snapshot_each!("book", SIZES, in_book);
}
