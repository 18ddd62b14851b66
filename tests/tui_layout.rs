//! The screen at the sizes officials have, 80×24 first: the status bar keeps the link and
//! the writes waiting; names, statuses and hints are shortened at a word with "…"; toasts
//! keep off the field being typed in and off the VietQR code; the VietQR code is drawn
//! whole at 80×24, and a training sandbox is told of a code only when it is. Snapshots of
//! every screen the other snapshot files leave out, at 80×24 and 120×40 in both languages,
//! and of the inbox at 180 columns.
//! Update after a deliberate change with `INSTA_UPDATE=always cargo test --test tui_layout`
//! and review the diff.

mod common;

use common::tui::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::api::payments::Payment;
use motcua::domain::Lang;
use motcua::domain::status::Status;
use motcua::domain::vietqr::{VietQrRequest, build};
use motcua::tui::action::{Action, DeadLetter, Effect, Snapshot};
use motcua::tui::intake::{PayChoice, WizardStep};
use motcua::tui::state::*;
use motcua::tui::update::update;
use std::time::Duration;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const CODE: &str = "000.01.27.H07-261124-0001";

// ---------------------------------------------------------------------------------------
// Fixtures

fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

fn type_in(app: &mut App, text: &str) {
    for c in text.chars() {
        update(app, ch(c));
    }
}

/// What the screen shows, as text.
fn screen(app: &App, size: (u16, u16)) -> String {
    text(&draw(app, size), None)
}

/// The row `y` of the screen.
fn row(screen: &str, y: u16) -> &str {
    screen.lines().nth(usize::from(y)).unwrap_or("")
}

/// The payment of the fixture dossier, with the VietQR payload the demo office's account
/// gives: what a sandbox sends.
fn payment() -> Payment {
    let d = dossier();
    let payload = build(&VietQrRequest {
        bank_bin: "970415".into(),
        account: "100000000202".into(),
        amount: Some(d.fee.amount),
        purpose: Some("HS 261124-0001".into()),
    })
    .unwrap();
    Payment {
        code: d.code.clone(),
        reference: "261124-0001".into(),
        amount: d.fee.amount,
        status: motcua::api::dossiers::PaymentStatus::Unpaid,
        paid_at: None,
        method: None,
        receipt_no: None,
        vietqr: Some(payload),
        purpose: "HS 261124-0001".into(),
        bank_bin: "970415".into(),
        account: "100000000202".into(),
        account_name: "UBND PHUONG AN HOI".into(),
        dossier_status: Status::Received,
        version: d.version + 1,
    }
}

/// The rows of the code that carry modules (the quiet zone's blank rows say nothing).
fn code_rows() -> Vec<String> {
    motcua::tui::view::qr_rows(payment().vietqr.as_deref().unwrap())
        .into_iter()
        .map(|r| r.trim_end().to_owned())
        .filter(|r| !r.trim().is_empty())
        .collect()
}

/// Every row of the code is on the screen.
fn code_drawn_whole(screen: &str) -> bool {
    code_rows().iter().all(|r| screen.contains(r.as_str()))
}

fn told(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::TellVietQrShown { code } => Some(code.clone()),
            _ => None,
        })
        .collect()
}

/// The intake's done screen of the fixture dossier with the fee chosen by VietQR, the
/// payment on its way: what `payment_arrives` answers.
fn done_waiting_for_the_code(lang: Lang, training: bool, size: (u16, u16)) -> (App, RequestId) {
    let mut app = logged_in(lang, training, size);
    update(&mut app, ch('2'));
    let mut created = dossier();
    created.status = Status::Received;
    created.channel = motcua::api::dossiers::Channel::Desk;
    created.due_at = Some("2026-11-24T17:00:00+07:00".into());
    app.intake.step = WizardStep::Done;
    app.intake.created = Some(Box::new(created));
    app.intake.pay = PayChoice::VietQr;
    let id = app.next_request;
    app.next_request += 1;
    app.pending.insert(
        id,
        Pending {
            purpose: Purpose::Payment,
            ticks: 0,
        },
    );
    app.toasts.clear();
    (app, id)
}

fn payment_arrives(app: &mut App, id: RequestId) -> Vec<Effect> {
    update(app, Action::PaymentLoaded(id, Ok(payment())))
}

fn done_vietqr(lang: Lang, training: bool, size: (u16, u16)) -> App {
    let (mut app, id) = done_waiting_for_the_code(lang, training, size);
    payment_arrives(&mut app, id);
    app
}

/// The fee dialog over the fixture dossier's detail, VietQR chosen, the code loaded.
fn fee_dialog_vietqr(lang: Lang, training: bool, size: (u16, u16)) -> (App, Vec<Effect>) {
    let mut app = logged_in(lang, training, size);
    open_detail(&mut app);
    update(&mut app, ch('p'));
    update(&mut app, key(KeyCode::Down));
    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::LoadPayment { id, .. }] = effects[..] else {
        panic!("{effects:?}")
    };
    let effects = update(&mut app, Action::PaymentLoaded(id, Ok(payment())));
    app.toasts.clear();
    (app, effects)
}

// ---------------------------------------------------------------------------------------
// The VietQR code at 80×24, and what a training sandbox is told

#[test]
fn at_80x24_the_done_screen_draws_the_code_whole_and_tells_the_sandbox_once() {
    for lang in [Lang::Vi, Lang::En] {
        let (mut app, id) = done_waiting_for_the_code(lang, true, (80, 24));
        let effects = payment_arrives(&mut app, id);
        assert_eq!(told(&effects), [CODE], "{effects:?}");
        let shown = screen(&app, (80, 24));
        assert!(code_drawn_whole(&shown), "{shown}");
        assert!(!shown.contains("19"), "no line asks for rows: {shown}");
        // Once: the next tick, a key, tell nothing more.
        assert!(told(&update(&mut app, Action::Tick(now()))).is_empty());
        assert!(told(&update(&mut app, key(KeyCode::Down))).is_empty());
    }
}

#[test]
fn a_window_too_small_for_the_code_tells_nothing_until_it_grows() {
    let (mut app, id) = done_waiting_for_the_code(Lang::Vi, true, (80, 20));
    assert!(told(&payment_arrives(&mut app, id)).is_empty());
    let small = screen(&app, (80, 20));
    assert!(small.contains("cần 19 dòng"), "{small}");
    assert!(!code_drawn_whole(&small), "{small}");
    assert!(told(&update(&mut app, Action::Tick(now()))).is_empty());
    // The window is made taller: now a citizen can scan it.
    assert_eq!(told(&update(&mut app, Action::Resize(80, 24))), [CODE]);
    assert!(code_drawn_whole(&screen(&app, (80, 24))));
}

#[test]
fn a_code_under_an_overlay_or_off_its_tab_is_not_shown() {
    let (mut app, id) = done_waiting_for_the_code(Lang::Vi, true, (80, 24));
    update(&mut app, key(KeyCode::F(1)));
    assert!(matches!(app.overlay, Some(Overlay::Help(_))));
    assert!(told(&payment_arrives(&mut app, id)).is_empty());
    // Closing the help uncovers it.
    assert_eq!(told(&update(&mut app, key(KeyCode::Esc))), [CODE]);

    let (mut app, id) = done_waiting_for_the_code(Lang::Vi, true, (80, 24));
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('1'), KeyModifiers::ALT)),
    );
    assert_eq!(app.tab, Tab::Inbox);
    assert!(told(&payment_arrives(&mut app, id)).is_empty());
}

#[test]
fn outside_training_nothing_is_told() {
    let (mut app, id) = done_waiting_for_the_code(Lang::Vi, false, (80, 24));
    assert!(told(&payment_arrives(&mut app, id)).is_empty());
    assert!(code_drawn_whole(&screen(&app, (80, 24))));
}

#[test]
fn a_telling_that_failed_is_told_again_at_the_next_action_not_at_once() {
    let (mut app, id) = done_waiting_for_the_code(Lang::Vi, true, (80, 24));
    assert_eq!(told(&payment_arrives(&mut app, id)), [CODE]);
    let failed = Action::VietQrTold {
        code: CODE.into(),
        heard: false,
    };
    assert!(told(&update(&mut app, failed)).is_empty());
    assert_eq!(told(&update(&mut app, Action::Tick(now()))), [CODE]);
    let heard = Action::VietQrTold {
        code: CODE.into(),
        heard: true,
    };
    assert!(told(&update(&mut app, heard)).is_empty());
    assert!(told(&update(&mut app, Action::Tick(now()))).is_empty());
}

#[test]
fn at_80x24_the_fee_dialog_draws_the_code_whole_and_tells_the_sandbox() {
    for lang in [Lang::Vi, Lang::En] {
        let (app, effects) = fee_dialog_vietqr(lang, true, (80, 24));
        assert_eq!(told(&effects), [CODE], "{effects:?}");
        let shown = screen(&app, (80, 24));
        assert!(code_drawn_whole(&shown), "{shown}");
    }
}

/// `update` decides from the size it knows; `view` draws from the same layout: at every
/// size, the code is drawn whole exactly when the state says it is on screen.
#[test]
fn the_code_is_drawn_whole_exactly_when_the_state_says_it_is_on_screen() {
    let mut shown_sizes = 0;
    for training in [true, false] {
        for width in [60, 72, 80, 100, 120] {
            for height in [16, 19, 20, 21, 22, 24, 30] {
                let size = (width, height);
                let apps = [
                    done_vietqr(Lang::Vi, training, size),
                    fee_dialog_vietqr(Lang::Vi, training, size).0,
                ];
                for app in apps {
                    let on_screen = motcua::tui::view::vietqr_on_screen(&app);
                    let whole = code_drawn_whole(&screen(&app, size));
                    assert_eq!(
                        on_screen.is_some(),
                        whole,
                        "{size:?}, training {training}:\n{}",
                        screen(&app, size)
                    );
                    shown_sizes += usize::from(whole);
                }
            }
        }
    }
    assert!(shown_sizes > 0);
}

#[test]
fn toasts_never_cover_the_code() {
    let mut app = done_vietqr(Lang::Vi, true, (80, 24));
    for n in 0..3 {
        app.toasts.push_back(Toast {
            kind: ToastKind::Info,
            text: format!(
                "Thông báo số {n}: một câu dài để hộp phải xuống dòng vài lần trên màn hình hẹp."
            ),
            ttl: 6,
        });
    }
    let shown = screen(&app, (80, 24));
    assert!(code_drawn_whole(&shown), "{shown}");
    assert!(
        shown.contains("Thông báo số 2"),
        "the newest toast shows: {shown}"
    );
}

// ---------------------------------------------------------------------------------------
// The status bar

/// Offline with writes waiting and a retry counting down, the inbox being fetched.
fn offline_and_busy(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    app.link = Link {
        state: LinkState::Offline,
        last_rtt: Some(Duration::from_millis(1234)),
        retry_in: Some(30),
    };
    app.outbox = 3;
    app.outbox_retry_in = Some(12);
    let id = app.next_request;
    app.next_request += 1;
    app.pending.insert(
        id,
        Pending {
            purpose: Purpose::Inbox,
            ticks: 3,
        },
    );
    app
}

#[test]
fn the_status_bar_keeps_the_link_the_waiting_writes_and_esc_at_any_width() {
    for (lang, offline, waiting, esc) in [
        (Lang::Vi, "mất kết nối", "chờ gửi: 3", "(Esc để hủy)"),
        (Lang::En, "offline", "outbox: 3", "(Esc cancels)"),
    ] {
        for width in [60, 80, 100, 120, 160] {
            let size = (width, 24);
            let shown = screen(&offline_and_busy(lang, size), size);
            let bar = row(&shown, 22);
            for essential in [offline, waiting, esc] {
                assert!(bar.contains(essential), "{width}: {essential:?} in {bar:?}");
            }
            assert!(
                motcua::tui::view::fit::width(bar) <= usize::from(width),
                "{bar:?}"
            );
        }
    }
    // With room, the rest too.
    let shown = screen(&offline_and_busy(Lang::Vi, (160, 24)), (160, 24));
    let bar = row(&shown, 22);
    for detail in [
        "Cán bộ tiếp nhận",
        "1234 ms",
        "thử lại sau 30 giây",
        "Đang tải",
    ] {
        assert!(bar.contains(detail), "{detail:?} in {bar:?}");
    }
}

#[test]
fn snapshot_status_bar_offline_and_busy() {
    snapshot_each!("status_offline_busy", SIZES, offline_and_busy);
}

// ---------------------------------------------------------------------------------------
// Names, statuses and hints shortened at a word

fn long_names(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    let mut items = summaries();
    items[0].applicant_name = "Nguyễn Thị Thanh Hương".into();
    items[1].applicant_name = "Tôn Nữ Hoàng Phương Thảo".into();
    items[1].procedure_name =
        "Cấp Giấy xác nhận tình trạng hôn nhân cho công dân cư trú trong nước".into();
    let id = app.next_request;
    app.next_request += 1;
    app.pending.insert(
        id,
        Pending {
            purpose: Purpose::Inbox,
            ticks: 0,
        },
    );
    update(
        &mut app,
        Action::InboxLoaded(id, Ok(Snapshot::whole(items, 11))),
    );
    app.toasts.clear();
    app
}

#[test]
fn names_and_statuses_are_shortened_at_a_word_never_inside_one() {
    let shown = screen(&long_names(Lang::Vi, (80, 24)), (80, 24));
    assert!(shown.contains("Nguyễn Thị Thanh…"), "{shown}");
    assert!(!shown.contains("Thanh Hư"), "{shown}");
    assert!(shown.contains("Mới đăng ký…"), "{shown}");
    assert!(!shown.contains("(trực t"), "{shown}");
    // The hints: whole ones only, the help key kept.
    let hints = row(&shown, 23);
    assert!(hints.trim_end().ends_with("trợ giúp"), "{hints:?}");
}

/// At 180 columns the status column ends where the channel column starts: a status too
/// long for it reads "…", never its first words run on into the channel's ("Mới đăng ký
/// (trực tuyến trực tuyến").
#[test]
fn at_180_columns_a_status_ends_before_the_channel_column() {
    for (lang, status, channel) in [
        (Lang::Vi, "Trạng thái", "Kênh"),
        (Lang::En, "Status", "Channel"),
    ] {
        let app = long_names(lang, (180, 40));
        let shown = screen(&app, (180, 40));
        let header = shown.lines().find(|l| l.contains(channel)).unwrap();
        let column = |name: &str| header[..header.find(name).unwrap()].chars().count();
        let (from, to) = (column(status), column(channel));
        let labels: Vec<&str> = [
            Status::Submitted,
            Status::Received,
            Status::InProgress,
            Status::ResultReady,
        ]
        .iter()
        .map(|s| s.label(lang))
        .collect();
        let mut rows = 0;
        for line in shown.lines().filter(|l| l.contains("000.01.27.H07-")) {
            let cell: String = line.chars().skip(from).take(to - from).collect();
            let cell = cell.trim();
            assert!(
                labels.contains(&cell) || cell.ends_with('…'),
                "{cell:?} in {line:?}"
            );
            rows += 1;
        }
        assert!(rows > 0);
    }
}

#[test]
fn snapshot_inbox_at_120_and_180_columns() {
    snapshot_each!(
        "inbox_long_names",
        [(80, 24), (120, 40), (180, 40)],
        long_names
    );
}

// ---------------------------------------------------------------------------------------
// Toasts keep off the field being typed in

/// The citizen form, its last field being typed in, three toasts up.
fn typing_under_toasts(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    update(&mut app, ch('3'));
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL)),
    );
    for _ in 0..6 {
        update(&mut app, key(KeyCode::Tab));
    }
    type_in(&mut app, "12 Đồng Khởi");
    // Long ones, as a portal's refusals are: stacked at the bottom they would reach
    // the field.
    for text in [
        "Cổng từ chối thao tác đang chờ (Tiếp nhận hồ sơ của Nguyễn Thị Thanh Hương): Hồ sơ đã được người khác cập nhật trước. Xem :outbox để gửi lại hoặc bỏ.",
        "Chưa gửi được vì đường truyền: đã lưu vào hàng chờ, ứng dụng sẽ tự gửi khi có mạng (không bị gửi hai lần).",
        "Đã tiếp nhận hồ sơ 000.01.27.H07-261124-0008. Giấy tiếp nhận và hẹn trả kết quả đã sẵn sàng để in cho công dân.",
    ] {
        app.toasts.push_back(Toast {
            kind: ToastKind::Info,
            text: text.into(),
            ttl: 6,
        });
    }
    app
}

#[test]
fn toasts_keep_off_the_field_being_typed_in() {
    for size in SIZES {
        let app = typing_under_toasts(Lang::Vi, size);
        let mut terminal = draw(&app, size);
        let shown = text(&terminal, None);
        let cursor = terminal.get_cursor_position().unwrap();
        assert!(
            row(&shown, cursor.y).contains("12 Đồng Khởi"),
            "the field at row {} is seen whole:\n{shown}",
            cursor.y
        );
        // And the toasts are not lost: the newest shows.
        assert!(shown.contains("000.01.27.H07-261124-0008"), "{shown}");
    }
}

#[test]
fn snapshot_toasts_beside_the_field_being_typed_in() {
    snapshot_each!("toasts_over_form", SIZES, typing_under_toasts);
}

// ---------------------------------------------------------------------------------------
// Every other screen, at 80×24 and 120×40

#[test]
fn snapshot_done_screen_with_vietqr_in_training() {
    snapshot_each!("done_vietqr_training", SIZES, |lang, size| done_vietqr(
        lang, true, size
    ));
}

#[test]
fn snapshot_fee_dialog_with_vietqr_in_training() {
    snapshot_each!("fee_vietqr_training", SIZES, |lang, size| {
        fee_dialog_vietqr(lang, true, size).0
    });
}

#[test]
fn snapshot_lookup_and_stats() {
    snapshot_each!("lookup", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        update(&mut app, ch('4'));
        type_in(&mut app, "000.01.27.H07-261124-00");
        app
    });
    snapshot_each!("stats", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        update(&mut app, ch('5'));
        app
    });
}

#[test]
fn snapshot_actions_forms_and_attachments_menus() {
    snapshot_each!("actions_menu", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        open_detail(&mut app);
        update(&mut app, ch('a'));
        app
    });
    snapshot_each!("forms_menu", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        open_detail(&mut app);
        let d = app.inbox.detail.as_mut().unwrap().dossier.as_mut().unwrap();
        d.received_at = Some("2026-11-24T09:00:00+07:00".into());
        update(&mut app, ch('f'));
        app
    });
    snapshot_each!("form_view", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        open_detail(&mut app);
        let d = app.inbox.detail.as_mut().unwrap().dossier.as_mut().unwrap();
        d.received_at = Some("2026-11-24T09:00:00+07:00".into());
        update(&mut app, ch('f'));
        let effects = update(&mut app, key(KeyCode::Enter));
        let [Effect::LoadForm { id, .. }] = effects[..] else {
            panic!("{effects:?}")
        };
        let text = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ\n\nMã hồ sơ: 000.01.27.H07-261124-0001\nNgười nộp: Nguyễn Văn An";
        update(&mut app, Action::FormLoaded(id, Ok(text.into())));
        app
    });
    snapshot_each!("download_prompt", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        open_detail(&mut app);
        update(&mut app, ch('d'));
        app
    });
}

#[test]
fn snapshot_command_line_and_dead_letters() {
    snapshot_each!("command_line", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        update(&mut app, ch(':'));
        type_in(&mut app, "th");
        app
    });
    snapshot_each!("dead_letters", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        app.dead_letters = vec![DeadLetter {
            renumber: false,
            id: 7,
            label: "Tiếp nhận hồ sơ của Nguyễn Thị Thanh Hương".into(),
            message: "Hồ sơ đã được người khác cập nhật trước; hãy mở lại hồ sơ rồi thao tác lại."
                .into(),
        }];
        update(&mut app, ch(':'));
        type_in(&mut app, "outbox");
        update(&mut app, key(KeyCode::Enter));
        app
    });
}

#[test]
fn snapshot_relogin_over_the_inbox() {
    snapshot_each!("relogin", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        let id = app.next_request;
        app.next_request += 1;
        app.pending.insert(
            id,
            Pending {
                purpose: Purpose::Stats,
                ticks: 0,
            },
        );
        update(
            &mut app,
            Action::StatsLoaded(id, Err(Failure::Unauthorized("401".into()))),
        );
        assert!(app.relogin);
        app
    });
}

// ---------------------------------------------------------------------------------------
// Messages wrapped, not cut

/// The screen's words, borders dropped, as one line: a message that wraps still matches.
fn squash(screen: &str) -> String {
    screen
        .replace(['│', '┌', '┐', '└', '┘', '─'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

const NO_FILE: &str = "Không đọc được tệp /home/canbo/Tài liệu/Hồ sơ tiếp nhận/2026/khai-sinh-nguyen-thi-thanh-huong.pdf (không có hoặc rỗng). Kiểm tra đường dẫn; Tab để gợi ý.";

/// The intake with a problem too long for two rows (a long path).
fn intake_with_a_long_problem(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    update(&mut app, ch('2'));
    app.intake.error = Some(NO_FILE.into());
    app.pending.clear();
    app
}

#[test]
fn a_long_problem_in_the_intake_wraps_to_its_end() {
    for size in SIZES {
        let shown = screen(&intake_with_a_long_problem(Lang::Vi, size), size);
        assert!(squash(&shown).contains(NO_FILE), "{shown}");
    }
}

#[test]
fn a_long_refusal_of_the_activation_wraps_to_its_end() {
    let refusal = "Mã kích hoạt không đúng hoặc đã hết hạn (mã chỉ dùng một lần, trong 72 giờ). Hãy đến Bộ phận Một cửa để được cấp mã mới; mang theo thẻ căn cước công dân.";
    let mut app = logged_in(Lang::Vi, true, (80, 24));
    let mut view = motcua::tui::training::ExercisesView::new(None);
    let mut form = motcua::tui::training::ActivationForm::new(Some("083195000999"));
    form.error = Some(refusal.into());
    view.activation = Some(form);
    app.exercises = Some(motcua::training::exercises::Tracker::default());
    app.overlay = Some(Overlay::Exercises(Box::new(view)));
    let shown = screen(&app, (80, 24));
    assert!(squash(&shown).contains(refusal), "{shown}");
}

#[test]
fn snapshot_intake_with_a_long_problem() {
    snapshot_each!("intake_long_problem", SIZES, intake_with_a_long_problem);
}

/// No size is too small to draw: a terminal being resized passes through all of them.
#[test]
fn every_screen_here_draws_at_any_size_without_panicking() {
    type Make = fn(Lang, (u16, u16)) -> App;
    let screens: [Make; 6] = [
        |lang, size| done_vietqr(lang, true, size),
        |lang, size| fee_dialog_vietqr(lang, true, size).0,
        offline_and_busy,
        long_names,
        typing_under_toasts,
        intake_with_a_long_problem,
    ];
    for make in screens {
        for size in [
            (0, 0),
            (1, 1),
            (2, 3),
            (10, 5),
            (20, 8),
            (37, 19),
            (40, 12),
            (79, 23),
        ] {
            let app = make(Lang::Vi, size);
            let _ = motcua::tui::view::vietqr_on_screen(&app);
            draw(&app, size);
        }
    }
}
