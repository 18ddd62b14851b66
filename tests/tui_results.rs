//! Giving results back in the TUI (issue 17), through `update()` and the screens drawn:
//! the return's dialog prefilled with the applicant, a chip-card scan filling the
//! receiver, the handover checked before it is sent and the portal's 422 taking the
//! focus to its field; the satisfaction screen right after the handover, its rating sent
//! through the outbox and shown in the detail; the notices as the citizen got them; the
//! ratings in the statistics pane. Snapshots at 80×24 and 160×48, Vietnamese and English.

mod common;

use common::tui::*;
use crossterm::event::{KeyCode, KeyModifiers};
use motcua::api::dossiers::{Channel, Dossier};
use motcua::api::results::{
    Handover, NoticeChannel, NoticeEvent, NoticeStatus, Notification, Rating, RatingLevel,
    Receiver, ReceiverRelation,
};
use motcua::domain::Lang;
use motcua::domain::status::Status;
use motcua::domain::workflow::{Action as Step, DeliveryMethod, Input};
use motcua::tui::action::{Action, Effect};
use motcua::tui::state::*;
use motcua::tui::update::update;
use std::collections::BTreeMap;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> Action {
    Action::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    ))
}

fn type_in(app: &mut App, text: &str) {
    for c in text.chars() {
        update(app, ch(c));
    }
}

/// The app with the detail of a dossier whose result is ready, paid.
fn ready(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    open_detail(&mut app);
    let d = app.inbox.detail.as_mut().unwrap().dossier.as_mut().unwrap();
    d.status = Status::ResultReady;
    d.fee.status = motcua::api::dossiers::PaymentStatus::Paid;
    app
}

fn open_return(app: &mut App) {
    update(app, ch('a'));
    let Some(Overlay::Actions(menu)) = &app.overlay else {
        panic!("no menu: {:?}", app.overlay)
    };
    let at = menu
        .items
        .iter()
        .position(|s| *s == Step::ReturnResult)
        .expect("return offered");
    for _ in 0..at {
        update(app, key(KeyCode::Down));
    }
    update(app, key(KeyCode::Enter));
}

fn dialog(app: &App) -> &ActionDialog {
    match &app.overlay {
        Some(Overlay::Dialog(d)) => d,
        other => panic!("no dialog: {other:?}"),
    }
}

fn text_of(d: &ActionDialog, input: Input) -> String {
    field_text(&d.fields.iter().find(|f| f.input == input).unwrap().text)
}

fn focused(d: &ActionDialog) -> Input {
    d.fields[d.focus].input
}

/// Enter through the fields until the dialog asks to confirm (or stops with an error).
fn enter_through(app: &mut App) -> Vec<Effect> {
    for _ in 0..12 {
        let effects = update(app, key(KeyCode::Enter));
        let d = dialog(app);
        if !effects.is_empty() || d.error.is_some() || d.confirming {
            return effects;
        }
    }
    panic!("the dialog never asked to confirm")
}

fn sent(effects: &[Effect]) -> (RequestId, motcua::api::dossiers::ActionRequest) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Act { id, request, .. } => Some((*id, request.clone())),
            _ => None,
        })
        .expect("the action is sent")
}

fn returned(app: &App) -> Dossier {
    let mut d = app
        .inbox
        .detail
        .as_ref()
        .unwrap()
        .dossier
        .as_deref()
        .unwrap()
        .clone();
    d.status = Status::Returned;
    d.version += 1;
    d.returned_at = Some("2026-11-24T10:00:00+07:00".into());
    d.handover = Some(Handover {
        receiver: Some(Receiver {
            full_name: "Nguyễn Văn An".into(),
            id_number: "083095001234".into(),
            relation: ReceiverRelation::Myself,
            authorization_doc: None,
        }),
        originals_returned: vec!["Giấy chứng sinh".into()],
        result_documents: vec!["Giấy khai sinh (bản chính)".into()],
        postal_tracking: None,
    });
    d
}

#[test]
fn the_return_dialog_is_prefilled_with_the_applicant() {
    let mut app = ready(Lang::Vi, (120, 32));
    open_return(&mut app);
    let d = dialog(&app);
    assert_eq!(text_of(d, Input::ReceiverName), "Nguyễn Văn An");
    assert_eq!(text_of(d, Input::ReceiverIdNumber), "083095001234");
    assert!(motcua::tui::update::applies(d, Input::ReceiverName));
    assert!(!motcua::tui::update::applies(d, Input::PostalTracking));
    assert!(!motcua::tui::update::applies(d, Input::AuthorizationDoc));
    // Tab goes through the fields that apply only.
    let mut seen = vec![focused(d)];
    for _ in 0..6 {
        update(&mut app, key(KeyCode::Tab));
        seen.push(focused(dialog(&app)));
    }
    assert_eq!(
        seen,
        vec![
            Input::Delivery,
            Input::ReceiverRelation,
            Input::ReceiverName,
            Input::ReceiverIdNumber,
            Input::ResultDocuments,
            Input::OriginalsReturned,
            Input::Delivery,
        ]
    );
    // The result documents, then Enter to the end, Enter to send.
    for _ in 0..4 {
        update(&mut app, key(KeyCode::Tab));
    }
    assert_eq!(focused(dialog(&app)), Input::ResultDocuments);
    type_in(&mut app, "Giấy khai sinh (bản chính); Bản sao trích lục");
    let effects = enter_through(&mut app);
    assert!(effects.is_empty() && dialog(&app).confirming);
    let (_, request) = sent(&update(&mut app, key(KeyCode::Enter)));
    assert_eq!(request.delivery, Some(DeliveryMethod::InPerson));
    let h = request.handover.expect("a handover");
    let r = h.receiver.expect("a receiver");
    assert_eq!(
        (r.full_name.as_str(), r.id_number.as_str(), r.relation),
        ("Nguyễn Văn An", "083095001234", ReceiverRelation::Myself)
    );
    assert_eq!(
        h.result_documents,
        vec!["Giấy khai sinh (bản chính)", "Bản sao trích lục"]
    );
}

#[test]
fn a_chip_card_scan_fills_the_receiver() {
    let mut app = ready(Lang::Vi, (120, 32));
    open_return(&mut app);
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(focused(dialog(&app)), Input::ReceiverName);
    update(&mut app, ctrl('u'));
    // The scanner types the card's QR and Enter: another person, who must be authorized.
    type_in(
        &mut app,
        "083195009999||Trần Thị Bình|14031995|Nữ|5 Hùng Vương, Bến Tre|01012021",
    );
    update(&mut app, key(KeyCode::Enter));
    let d = dialog(&app);
    assert_eq!(d.error, None);
    assert_eq!(text_of(d, Input::ReceiverName), "Trần Thị Bình");
    assert_eq!(text_of(d, Input::ReceiverIdNumber), "083195009999");
    let relation = d
        .fields
        .iter()
        .find(|f| f.input == Input::ReceiverRelation)
        .unwrap();
    assert_eq!(relation.choice, 1, "authorized: not the applicant's card");
    assert_eq!(focused(d), Input::AuthorizationDoc);
    // Without the authorization it is not sent.
    enter_through(&mut app);
    let error = dialog(&app).error.clone().expect("an error");
    assert!(error.contains("ủy quyền"), "{error}");

    // A scan that is no card: said, and the field emptied for the next scan.
    let mut app = ready(Lang::Vi, (120, 32));
    open_return(&mut app);
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, ctrl('u'));
    type_in(&mut app, "123|x|y");
    update(&mut app, key(KeyCode::Enter));
    let d = dialog(&app);
    assert!(d.error.is_some());
    assert_eq!(text_of(d, Input::ReceiverIdNumber), "");
}

#[test]
fn a_missing_receiver_is_said_before_sending_and_the_portals_field_is_focused() {
    let mut app = ready(Lang::Vi, (120, 32));
    open_return(&mut app);
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, ctrl('u'));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, ctrl('u'));
    enter_through(&mut app);
    let error = dialog(&app).error.clone().unwrap();
    assert!(error.contains("người nhận"), "{error}");

    // The portal refuses a field: the message, and the focus on that field.
    let mut app = ready(Lang::Vi, (120, 32));
    open_return(&mut app);
    enter_through(&mut app);
    let (id, _) = sent(&update(&mut app, key(KeyCode::Enter)));
    update(
        &mut app,
        Action::Acted(
            id,
            Err(Failure::Refused {
                code: "validation_failed".into(),
                message: "Số định danh này không phải của người nộp hồ sơ.".into(),
                fields: BTreeMap::from([(
                    "handover.receiver.id_number".into(),
                    "Số định danh này không phải của người nộp hồ sơ.".into(),
                )]),
            }),
        ),
    );
    let d = dialog(&app);
    assert_eq!(focused(d), Input::ReceiverIdNumber);
    assert!(d.error.as_deref().unwrap().contains("người nộp"));
}

/// The app after a handover at the desk: the satisfaction screen is up.
fn handed_over(lang: Lang, size: (u16, u16)) -> App {
    let mut app = ready(lang, size);
    open_return(&mut app);
    enter_through(&mut app);
    let (id, _) = sent(&update(&mut app, key(KeyCode::Enter)));
    let d = returned(&app);
    update(&mut app, Action::Acted(id, Ok(d)));
    app
}

#[test]
fn the_rating_screen_follows_the_handover_and_its_rating_shows_in_the_detail() {
    let mut app = handed_over(Lang::Vi, (120, 32));
    let Some(Overlay::Rating(s)) = &app.overlay else {
        panic!("no rating screen: {:?}", app.overlay)
    };
    assert_eq!(s.code, "000.01.27.H07-261124-0001");
    let key_before = s.key.clone();
    // → satisfied; Tab to the comment; letters are text there.
    update(&mut app, key(KeyCode::Right));
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "Cán bộ hướng dẫn tận tình");
    let effects = update(&mut app, key(KeyCode::Enter));
    let (id, rating, rate_key) = effects
        .iter()
        .find_map(|e| match e {
            Effect::Rate {
                id, rating, key, ..
            } => Some((*id, rating.clone(), key.clone())),
            _ => None,
        })
        .expect("the rating is sent");
    assert_eq!(rating.level, RatingLevel::Satisfied);
    assert_eq!(rating.comment.as_deref(), Some("Cán bộ hướng dẫn tận tình"));
    assert_eq!(rate_key, key_before, "the key fixed when the screen opened");
    let effects = update(
        &mut app,
        Action::Rated(
            id,
            Ok(Rating {
                level: RatingLevel::Satisfied,
                comment: rating.comment.clone(),
                channel: Channel::Desk,
                rated_at: "2026-11-24T10:01:00+07:00".into(),
            }),
        ),
    );
    assert!(app.overlay.is_none());
    assert!(app.toasts.back().unwrap().text.contains("Hài lòng"));
    let reload = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadDetail { id, code } => Some((*id, code.clone())),
            _ => None,
        })
        .expect("the detail is read again");
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadStats(_))));
    let mut d = returned(&app);
    d.rating = Some(Rating {
        level: RatingLevel::Satisfied,
        comment: rating.comment,
        channel: Channel::Desk,
        rated_at: "2026-11-24T10:01:00+07:00".into(),
    });
    update(&mut app, Action::DetailLoaded(reload.0, Ok(d)));
    app.inbox.detail.as_mut().unwrap().scroll = 20;
    let screen = text(&draw(&app, (120, 32)), None);
    assert!(screen.contains("Đánh giá của công dân"), "{screen}");
    assert!(screen.contains("Hài lòng · tại quầy"), "{screen}");
    assert!(screen.contains("Bàn giao kết quả"), "{screen}");
}

#[test]
fn the_citizen_may_decline_to_rate() {
    let mut app = handed_over(Lang::Vi, (120, 32));
    assert!(update(&mut app, key(KeyCode::Esc)).is_empty());
    assert!(app.overlay.is_none());
    assert!(app.toasts.back().unwrap().text.contains("trực tuyến"));
}

fn notices() -> Vec<Notification> {
    let body = "Kính gửi ông/bà Nguyễn Văn An,\n\nHồ sơ 000.01.27.H07-261124-0001 (Đăng ký khai sinh): Đã trả kết quả.\n\nTra cứu tình trạng hồ sơ: https://dichvucong.example.gov.vn/tra-cuu?ma=000.01.27.H07-261124-0001";
    vec![
        Notification {
            id: 7,
            event: NoticeEvent::Returned,
            channel: NoticeChannel::Email,
            to: "an.nv78@example.com".into(),
            status: NoticeStatus::Sent,
            attempts: 1,
            created_at: "2026-11-24T10:00:00+07:00".into(),
            sent_at: Some("2026-11-24T10:00:00+07:00".into()),
            next_attempt_at: None,
            last_error: None,
            subject: "Hồ sơ 000.01.27.H07-261124-0001: Đã trả kết quả".into(),
            body: body.into(),
            caught: true,
        },
        Notification {
            id: 8,
            event: NoticeEvent::Returned,
            channel: NoticeChannel::Sms,
            to: "0912345678".into(),
            status: NoticeStatus::Failed,
            attempts: 2,
            created_at: "2026-11-24T10:00:00+07:00".into(),
            sent_at: None,
            next_attempt_at: Some("2026-11-24T10:02:00+07:00".into()),
            last_error: Some("the SMS gateway answered 503 Service Unavailable".into()),
            subject: String::new(),
            body: "[Mot cua] HS 000.01.27.H07-261124-0001: Da tra ket qua. Moi danh gia muc do hai long.".into(),
            caught: false,
        },
    ]
}

#[test]
fn the_notices_show_as_the_citizen_got_them() {
    let mut app = ready(Lang::Vi, (120, 32));
    let effects = update(&mut app, ch('n'));
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadNotices { id, code } => {
                assert_eq!(code, "000.01.27.H07-261124-0001");
                Some(*id)
            }
            _ => None,
        })
        .expect("n asks for the notices");
    update(&mut app, Action::NoticesLoaded(id, Ok(notices())));
    assert_eq!(
        app.inbox
            .detail
            .as_ref()
            .unwrap()
            .notices
            .as_ref()
            .unwrap()
            .len(),
        2
    );
}

// --- snapshots ---------------------------------------------------------------------------

#[test]
fn snapshot_the_return_dialog() {
    snapshot_each!("return_dialog", SIZES, |lang, size| {
        let mut app = ready(lang, size);
        open_return(&mut app);
        app
    });
    snapshot_each!("return_dialog_postal", SIZES, |lang, size| {
        let mut app = ready(lang, size);
        open_return(&mut app);
        update(&mut app, key(KeyCode::Right));
        app
    });
}

#[test]
fn snapshot_the_rating_screen() {
    snapshot_each!("rating_screen", SIZES, |lang, size| {
        let mut app = handed_over(lang, size);
        update(&mut app, key(KeyCode::Right));
        update(&mut app, key(KeyCode::Tab));
        type_in(&mut app, "Nhanh, gọn");
        app
    });
}

#[test]
fn snapshot_the_detail_with_handover_rating_and_notices() {
    snapshot_each!("detail_returned", SIZES, |lang, size| {
        let mut app = ready(lang, size);
        let mut d = returned(&app);
        d.rating = Some(Rating {
            level: RatingLevel::VerySatisfied,
            comment: Some("Cán bộ hướng dẫn tận tình".into()),
            channel: Channel::Desk,
            rated_at: "2026-11-24T10:01:00+07:00".into(),
        });
        let view = app.inbox.detail.as_mut().unwrap();
        view.dossier = Some(Box::new(d));
        view.notices = Some(notices());
        // Down to the handover: what this issue adds.
        view.scroll = if size.1 > 30 { 18 } else { 22 };
        app
    });
}

#[test]
fn snapshot_the_stats_with_ratings() {
    snapshot_each!("stats_ratings", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        let mut stats = stats();
        stats.ratings.very_satisfied = 12;
        stats.ratings.satisfied = 5;
        stats.ratings.unsatisfied = 1;
        app.inbox.stats = Some(stats);
        app.tab = Tab::Stats;
        app
    });
}
