//! `update()` for every `Action` and every keymap command: the state it leaves and the
//! exact effects it asks for. No terminal, no network: the runtime is not involved.

mod common;

use common::tui::*;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use motcua::api::auth::LoginResponse;
use motcua::api::dossiers::{Change, Dossier};
use motcua::domain::Lang;
use motcua::domain::forms::Form;
use motcua::domain::status::{Queue, Status};
use motcua::domain::workflow::{self, Action as Step, DeliveryMethod, Role, Verdict};
use motcua::tui::action::{Action, Delta, Effect, Snapshot};
use motcua::tui::state::*;
use motcua::tui::update::{backoff, build_request, complete, parse_due, steps_for, update};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

const SIZE: (u16, u16) = (120, 32);

fn press(code: KeyCode, modifiers: KeyModifiers) -> Action {
    Action::Key(KeyEvent::new(code, modifiers))
}

fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

fn type_in(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(app, ch(c))).collect()
}

fn ids<F: Fn(&Effect) -> Option<RequestId>>(effects: &[Effect], pick: F) -> RequestId {
    effects.iter().find_map(pick).expect("the expected effect")
}

fn offline() -> Failure {
    Failure::Offline("Không kết nối được".into())
}

/// The app with the detail of `dossier()` (status submitted, version 3) open.
fn with_detail() -> App {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    open_detail(&mut app);
    app
}

// --- login ------------------------------------------------------------------------------

#[test]
fn login_needs_both_fields_then_asks_the_portal() {
    let mut app = app(Lang::Vi, false, SIZE);
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert_eq!(app.login.error.as_deref(), Some("Hãy nhập tên đăng nhập."));
    type_in(&mut app, "tiepnhan1");
    // Enter on the username moves to the password rather than failing.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert_eq!(app.login.focus, LoginField::Password);
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert_eq!(app.login.error.as_deref(), Some("Hãy nhập mật khẩu."));
    type_in(&mut app, "Mật-khẩu-x");
    // Ctrl-H deletes backwards, as input methods send it.
    update(&mut app, press(KeyCode::Char('h'), KeyModifiers::CONTROL));
    type_in(&mut app, "y");
    let effects = update(&mut app, key(KeyCode::Enter));
    match &effects[..] {
        [
            Effect::Login {
                url,
                username,
                password,
                ..
            },
        ] => {
            assert_eq!(url, "http://127.0.0.1:8080/api/v1");
            assert_eq!(username, "tiepnhan1");
            assert_eq!(password, "Mật-khẩu-y");
        }
        other => panic!("{other:?}"),
    }
    assert!(app.busy());
    // A second Enter while waiting sends nothing more.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
}

#[test]
fn tab_and_arrows_move_between_login_fields() {
    let mut app = app(Lang::Vi, false, SIZE);
    assert_eq!(app.login.focus, LoginField::Username);
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.login.focus, LoginField::Password);
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.login.focus, LoginField::Username);
    update(&mut app, key(KeyCode::Up));
    assert_eq!(app.login.focus, LoginField::Password);
}

#[test]
fn several_profiles_are_chosen_with_left_and_right() {
    let mut app = app(Lang::Vi, false, SIZE);
    app.profiles.push(Profile {
        name: "Cổng tỉnh".into(),
        url: "https://dvc.example/api/v1".into(),
        training: false,
        demo_hint: None,
    });
    app.profile_settings = vec![
        ProfileSettings::default(),
        ProfileSettings {
            language: Some(Lang::En),
            last_username: Some("chuyenvien1".into()),
            ..ProfileSettings::default()
        },
    ];
    update(&mut app, key(KeyCode::BackTab));
    assert_eq!(app.login.focus, LoginField::Profile);
    update(&mut app, key(KeyCode::Right));
    assert_eq!(app.profile().unwrap().name, "Cổng tỉnh");
    assert_eq!(app.lang, Lang::En);
    assert_eq!(field_text(&app.login.username), "chuyenvien1");
    update(&mut app, key(KeyCode::Left));
    assert_eq!(app.lang, Lang::Vi);
    assert_eq!(field_text(&app.login.username), "");
}

fn submit_login(app: &mut App) -> RequestId {
    type_in(app, "tiepnhan1");
    update(app, key(KeyCode::Tab));
    type_in(app, "pw");
    let effects = update(app, key(KeyCode::Enter));
    ids(&effects, |e| match e {
        Effect::Login { id, .. } => Some(*id),
        _ => None,
    })
}

fn login_ok(training: bool) -> LoginResponse {
    LoginResponse {
        token: "t".into(),
        expires_at: "2026-11-24T22:00:00+07:00".into(),
        idle_timeout_s: 1800,
        user: me(training),
    }
}

#[test]
fn logged_in_loads_the_inbox_and_remembers_the_user() {
    let mut app = app(Lang::Vi, false, SIZE);
    let id = submit_login(&mut app);
    let effects = update(&mut app, Action::LoggedIn(id, Ok(login_ok(false))));
    assert_eq!(app.screen, Screen::Main);
    assert!(
        matches!(effects[0], Effect::RememberUser { ref username, .. } if username == "tiepnhan1")
    );
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadInbox(_))));
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadStats(_))));
    // The password is not kept once used.
    assert_eq!(field_text(&app.login.password), "");
}

#[test]
fn a_refused_login_shows_the_portals_message() {
    let mut app = app(Lang::Vi, false, SIZE);
    let id = submit_login(&mut app);
    let message = "Tên đăng nhập hoặc mật khẩu không đúng. Hãy kiểm tra và thử lại.";
    let effects = update(
        &mut app,
        Action::LoggedIn(id, Err(Failure::Unauthorized(message.into()))),
    );
    assert!(effects.is_empty());
    assert_eq!(app.screen, Screen::Login);
    assert_eq!(app.login.error.as_deref(), Some(message));
    assert!(!app.busy());
}

#[test]
fn a_citizen_account_cannot_use_the_staff_app() {
    let mut app = app(Lang::Vi, false, SIZE);
    let id = submit_login(&mut app);
    let mut response = login_ok(false);
    response.user.role = Role::Citizen;
    let effects = update(&mut app, Action::LoggedIn(id, Ok(response)));
    assert_eq!(effects, vec![Effect::Logout]);
    assert_eq!(app.screen, Screen::Login);
    assert!(app.login.error.as_deref().unwrap().contains("công dân"));
}

#[test]
fn esc_cancels_a_login_and_its_late_answer_is_ignored() {
    let mut app = app(Lang::Vi, false, SIZE);
    let id = submit_login(&mut app);
    assert_eq!(
        update(&mut app, key(KeyCode::Esc)),
        vec![Effect::Cancel(id)]
    );
    assert!(!app.busy());
    assert!(update(&mut app, Action::LoggedIn(id, Ok(login_ok(false)))).is_empty());
    assert_eq!(app.screen, Screen::Login);
}

#[test]
fn a_kept_session_resumes_without_a_password() {
    let mut app = app(Lang::Vi, false, SIZE);
    let effects = update(&mut app, Action::Resumed(me(false)));
    assert_eq!(app.screen, Screen::Main);
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadInbox(_))));
    // Not once the official has started logging in by hand.
    let mut app = app_with_pending_login();
    assert!(update(&mut app, Action::Resumed(me(false))).is_empty());
    assert_eq!(app.screen, Screen::Login);
}

fn app_with_pending_login() -> App {
    let mut app = app(Lang::Vi, false, SIZE);
    submit_login(&mut app);
    app
}

#[test]
fn memory_only_token_storage_is_said_once() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, Action::TokenStored { persistent: false });
    assert!(app.notice.is_some());
    let toasts = app.toasts.len();
    update(&mut app, Action::TokenStored { persistent: false });
    assert_eq!(app.toasts.len(), toasts);
    let mut other = logged_in(Lang::Vi, false, SIZE);
    update(&mut other, Action::TokenStored { persistent: true });
    assert!(other.notice.is_none());
}

// --- the link, ticks and the delta feed -------------------------------------------------

#[test]
fn link_reports_set_online_slow_and_offline() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(
        &mut app,
        Action::Link {
            rtt: Some(Duration::from_millis(30)),
            reached: true,
        },
    );
    assert_eq!(app.link.state, LinkState::Online);
    update(
        &mut app,
        Action::Link {
            rtt: Some(Duration::from_millis(1500)),
            reached: true,
        },
    );
    assert_eq!(app.link.state, LinkState::Slow);
    update(
        &mut app,
        Action::Link {
            rtt: None,
            reached: false,
        },
    );
    assert_eq!(app.link.state, LinkState::Offline);
    // The last measured round trip stays on show.
    assert_eq!(app.link.last_rtt, Some(Duration::from_millis(1500)));
}

fn tick_until_poll(app: &mut App) -> (RequestId, i64) {
    for _ in 0..200 {
        let effects = update(app, Action::Tick(now()));
        if let Some(Effect::Poll { id, since }) = effects.into_iter().next() {
            return (id, since);
        }
    }
    panic!("no poll")
}

#[test]
fn ticks_poll_the_delta_feed_from_the_last_position() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    let (id, since) = tick_until_poll(&mut app);
    assert_eq!(since, 10);
    // No second poll while one is in flight.
    for _ in 0..20 {
        assert!(update(&mut app, Action::Tick(now())).is_empty());
    }
    let mut moved = summary(
        1,
        "Nguyễn Văn An",
        Status::Received,
        Some("2026-11-26T17:00:00+07:00"),
        false,
    );
    moved.version = 4;
    let effects = update(
        &mut app,
        Action::Polled(
            id,
            Ok(Delta::Changes {
                changes: vec![
                    Change::Dossier(moved),
                    Change::Deleted {
                        code: "000.01.27.H07-261124-0002".into(),
                        deleted: true,
                    },
                ],
                seq: 12,
            }),
        ),
    );
    assert_eq!(app.inbox.seq, Some(12));
    assert!(matches!(effects[..], [Effect::LoadStats(_)]));
    assert_eq!(app.inbox.items.len(), 6);
    let item = &app.inbox.items[app.inbox.by_code["000.01.27.H07-261124-0001"]];
    assert_eq!(item.summary.status, Status::Received);
    // The online-pending queue now holds one of the three it had.
    assert_eq!(app.inbox.view.len(), 1);
    let (_, since) = tick_until_poll(&mut app);
    assert_eq!(since, 12);
}

#[test]
fn no_polling_before_login_or_load() {
    let mut app = app(Lang::Vi, false, SIZE);
    for _ in 0..30 {
        assert!(update(&mut app, Action::Tick(now())).is_empty());
    }
}

#[test]
fn an_open_detail_reloads_when_the_feed_changes_it() {
    let mut app = with_detail();
    let (id, _) = tick_until_poll(&mut app);
    let mut changed = summary(
        1,
        "Nguyễn Văn An",
        Status::Received,
        Some("2026-11-26T17:00:00+07:00"),
        false,
    );
    changed.version = 4;
    let effects = update(
        &mut app,
        Action::Polled(
            id,
            Ok(Delta::Changes {
                changes: vec![Change::Dossier(changed)],
                seq: 11,
            }),
        ),
    );
    assert!(effects.iter().any(
        |e| matches!(e, Effect::LoadDetail { code, .. } if code == "000.01.27.H07-261124-0001")
    ));
}

#[test]
fn an_expired_feed_position_reloads_everything() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    let (id, _) = tick_until_poll(&mut app);
    let effects = update(&mut app, Action::Polled(id, Ok(Delta::Expired)));
    assert!(matches!(effects[..], [Effect::LoadInbox(_)]));
}

#[test]
fn a_failed_poll_backs_off_and_keeps_the_data() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    let (id, _) = tick_until_poll(&mut app);
    update(&mut app, Action::Polled(id, Err(offline())));
    assert_eq!(app.inbox.items.len(), 7);
    assert_eq!(app.poll_failures, 1);
    assert_eq!(app.poll_in, backoff(app.poll_every, 1));
    assert!(
        app.toasts.iter().all(|t| t.kind != ToastKind::Error),
        "background failures are quiet"
    );
    assert_eq!(backoff(5, 0), 5);
    assert_eq!(backoff(5, 1), 10);
    assert_eq!(backoff(5, 10), 60);
}

#[test]
fn an_expired_session_asks_for_the_password_over_the_kept_screen() {
    let mut app = with_detail();
    let (id, _) = tick_until_poll(&mut app);
    update(
        &mut app,
        Action::Polled(id, Err(Failure::Unauthorized("hết phiên".into()))),
    );
    assert!(app.relogin);
    assert!(app.inbox.detail.is_some());
    assert_eq!(app.login.focus, LoginField::Password);
    // Keys go to the password now, not to the inbox.
    type_in(&mut app, "pw");
    assert_eq!(app.login.password.lines().join(""), "pw");
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = ids(&effects, |e| match e {
        Effect::Login { id, .. } => Some(*id),
        _ => None,
    });
    let effects = update(&mut app, Action::LoggedIn(id, Ok(login_ok(false))));
    assert!(!app.relogin);
    assert!(app.inbox.detail.is_some(), "the screen is kept");
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::LoadInbox(_))),
        "no reload: {effects:?}"
    );
    assert_eq!(app.poll_in, 0);
}

#[test]
fn stats_answers_fill_the_counts() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    assert_eq!(app.inbox.count(Queue::Overdue), 1);
    let effects = update(&mut app, key(KeyCode::Char('5')));
    let id = ids(&effects, |e| match e {
        Effect::LoadStats(id) => Some(*id),
        _ => None,
    });
    let mut fresh = stats();
    fresh.queues.overdue = 9;
    update(&mut app, Action::StatsLoaded(id, Ok(fresh)));
    assert_eq!(app.inbox.count(Queue::Overdue), 9);
    assert_eq!(app.tab, Tab::Stats);
}

#[test]
fn an_older_stats_answer_arriving_late_keeps_the_newer_counts() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    // Two counts asked (a poll's, then an action's); the newer answers first.
    let ask = |app: &mut App| {
        let effects = update(app, key(KeyCode::Char('5')));
        ids(&effects, |e| match e {
            Effect::LoadStats(id) => Some(*id),
            _ => None,
        })
    };
    let older = ask(&mut app);
    let newer = ask(&mut app);
    assert!(newer > older);
    let (mut before, mut after) = (stats(), stats());
    before.queues.received = 8;
    after.queues.received = 9;
    update(&mut app, Action::StatsLoaded(newer, Ok(after)));
    update(&mut app, Action::StatsLoaded(older, Ok(before)));
    assert_eq!(
        app.inbox.count(Queue::Received),
        9,
        "the late answer is dropped"
    );
}

#[test]
fn a_failed_inbox_load_says_why() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    let effects = update(&mut app, key(KeyCode::Char('r')));
    let id = ids(&effects, |e| match e {
        Effect::LoadInbox(id) => Some(*id),
        _ => None,
    });
    update(&mut app, Action::InboxLoaded(id, Err(offline())));
    assert_eq!(app.toasts.back().unwrap().kind, ToastKind::Error);
    assert_eq!(app.inbox.items.len(), 7, "the cached rows stay");
    let effects = update(&mut app, key(KeyCode::Char('r')));
    let id = ids(&effects, |e| match e {
        Effect::LoadInbox(id) => Some(*id),
        _ => None,
    });
    update(
        &mut app,
        Action::InboxLoaded(id, Ok(Snapshot::whole(vec![], 20))),
    );
    assert!(app.inbox.items.is_empty());
    assert_eq!(app.inbox.seq, Some(20));
}

// --- the inbox --------------------------------------------------------------------------

#[test]
fn rows_are_sorted_by_due_time_and_queues_switch() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    assert_eq!(app.inbox.queue, Queue::OnlinePending);
    assert_eq!(app.inbox.view.len(), 3);
    update(&mut app, key(KeyCode::BackTab));
    assert_eq!(app.inbox.queue, Queue::All);
    let order: Vec<&str> = app
        .inbox
        .view
        .iter()
        .map(|&i| app.inbox.items[i].summary.applicant_name.as_str())
        .collect();
    // Not yet received first (oldest first), then by due time: the overdue one leads.
    assert_eq!(
        &order[3..],
        [
            "Võ Thị Diệu",
            "Phạm Minh Châu",
            "Đặng Thị Én",
            "Huỳnh Quốc Đạt"
        ]
    );
    update(&mut app, key(KeyCode::Right));
    assert_eq!(app.inbox.queue, Queue::OnlinePending);
    update(&mut app, key(KeyCode::Char('l')));
    assert_eq!(app.inbox.queue, Queue::Received);
    update(&mut app, key(KeyCode::Char('h')));
    update(&mut app, key(KeyCode::Left));
    assert_eq!(app.inbox.queue, Queue::All);
}

#[test]
fn selection_moves_within_bounds() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, key(KeyCode::BackTab));
    update(&mut app, key(KeyCode::Up));
    assert_eq!(app.inbox.selected, 0);
    update(&mut app, key(KeyCode::Down));
    update(&mut app, ch('j'));
    assert_eq!(app.inbox.selected, 2);
    update(&mut app, ch('k'));
    assert_eq!(app.inbox.selected, 1);
    update(&mut app, key(KeyCode::End));
    assert_eq!(app.inbox.selected, 6);
    update(&mut app, key(KeyCode::PageDown));
    assert_eq!(app.inbox.selected, 6);
    update(&mut app, key(KeyCode::Home));
    assert_eq!(app.inbox.selected, 0);
    update(&mut app, press(KeyCode::Char('G'), KeyModifiers::SHIFT));
    assert_eq!(app.inbox.selected, 6);
    update(&mut app, key(KeyCode::PageUp));
    assert_eq!(app.inbox.selected, 0);
    update(&mut app, ch('g'));
    assert_eq!(app.inbox.selected, 0);
}

#[test]
fn the_filter_matches_without_accents() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, key(KeyCode::BackTab));
    update(&mut app, ch('/'));
    assert!(app.inbox.filtering);
    type_in(&mut app, "nguyen van a");
    let names: Vec<&str> = app
        .inbox
        .view
        .iter()
        .map(|&i| app.inbox.items[i].summary.applicant_name.as_str())
        .collect();
    assert_eq!(names, ["Nguyễn Văn An", "Nguyễn Văn Anh"]);
    // Keys that are commands elsewhere are text here.
    type_in(&mut app, "nh");
    assert_eq!(app.inbox.view.len(), 1);
    assert_eq!(app.tab, Tab::Inbox);
    // Backspace widens again.
    update(&mut app, key(KeyCode::Backspace));
    update(&mut app, key(KeyCode::Backspace));
    assert_eq!(app.inbox.view.len(), 2);
    // Enter keeps the filter and gives the keys back.
    update(&mut app, key(KeyCode::Enter));
    assert!(!app.inbox.filtering);
    assert_eq!(app.inbox.view.len(), 2);
    // Esc (from the filter) clears it.
    update(&mut app, ch('/'));
    update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.inbox.filter_text(), "");
    assert_eq!(app.inbox.view.len(), 7);
}

#[test]
fn a_paste_is_one_line_in_the_focused_field() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, ch('/'));
    update(&mut app, Action::Paste("Trần Thị\nBình\r\n".into()));
    assert_eq!(app.inbox.filter_text(), "Trần Thị Bình");
    assert!(app.inbox.filtering, "a pasted newline does not submit");
    assert_eq!(app.inbox.view.len(), 1);
}

#[test]
fn enter_opens_the_detail_and_esc_closes_it() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = ids(&effects, |e| match e {
        Effect::LoadDetail { id, code } if code == "000.01.27.H07-261124-0001" => Some(*id),
        _ => None,
    });
    assert!(app.inbox.detail.as_ref().unwrap().dossier.is_none());
    // Esc while loading cancels the request.
    assert_eq!(
        update(&mut app, key(KeyCode::Esc)),
        vec![Effect::Cancel(id)]
    );
    assert!(update(&mut app, Action::DetailLoaded(id, Ok(dossier()))).is_empty());
    assert!(
        app.inbox.detail.as_ref().unwrap().dossier.is_none(),
        "a cancelled answer is dropped"
    );
    update(&mut app, key(KeyCode::Esc));
    assert!(app.inbox.detail.is_none());
    open_detail(&mut app);
    assert_eq!(
        motcua::tui::update::key_context(&app),
        Some(motcua::tui::keymap::Context::Detail)
    );
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::PageDown));
    assert_eq!(app.inbox.detail.as_ref().unwrap().scroll, 11);
    update(&mut app, key(KeyCode::PageUp));
    update(&mut app, key(KeyCode::Up));
    assert_eq!(app.inbox.detail.as_ref().unwrap().scroll, 0);
}

#[test]
fn a_detail_that_cannot_load_closes_with_the_reason() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = ids(&effects, |e| match e {
        Effect::LoadDetail { id, .. } => Some(*id),
        _ => None,
    });
    update(&mut app, Action::DetailLoaded(id, Err(offline())));
    assert!(app.inbox.detail.is_none());
    assert_eq!(app.toasts.back().unwrap().text, "Không kết nối được");
}

// --- actions ----------------------------------------------------------------------------

#[test]
fn the_menu_offers_what_the_table_allows_this_role() {
    for (role, status) in [
        (Role::Reception, Status::Submitted),
        (Role::Specialist, Status::InProgress),
        (Role::Leader, Status::AwaitingApproval),
        (Role::Reception, Status::ResultReady),
    ] {
        let expected: Vec<Step> = workflow::TRANSITIONS
            .iter()
            .filter(|t| t.from.contains(&status) && t.roles.contains(&role))
            .map(|t| t.action)
            .collect();
        let mut got = steps_for(role, status);
        got.dedup();
        assert_eq!(got, expected, "{role:?} {status:?}");
    }
    let mut app = with_detail();
    update(&mut app, ch('a'));
    match &app.overlay {
        Some(Overlay::Actions(menu)) => {
            assert_eq!(menu.items, steps_for(Role::Reception, Status::Submitted));
        }
        other => panic!("{other:?}"),
    }
    // Esc closes it; a role with nothing to do is told so.
    update(&mut app, key(KeyCode::Esc));
    assert!(app.overlay.is_none());
    app.me.as_mut().unwrap().role = Role::Leader;
    update(&mut app, ch('a'));
    assert!(app.overlay.is_none());
    assert!(
        app.toasts
            .back()
            .unwrap()
            .text
            .contains("không có thao tác")
    );
}

fn choose(app: &mut App, step: Step) {
    update(app, ch('a'));
    let Some(Overlay::Actions(menu)) = &app.overlay else {
        panic!("no menu")
    };
    let at = menu.items.iter().position(|s| *s == step).expect("offered");
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

fn act_effect(effects: &[Effect]) -> (RequestId, i64, motcua::api::dossiers::ActionRequest) {
    match effects {
        [
            Effect::Act {
                id,
                version,
                request,
                ..
            },
        ] => (*id, *version, request.clone()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn refusing_needs_a_reason_then_a_confirmation() {
    let mut app = with_detail();
    choose(&mut app, Step::Refuse);
    assert!(!dialog(&app).confirming);
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    let rule = workflow::Refusal::MissingInput(workflow::Input::Reason);
    assert_eq!(
        dialog(&app).error,
        Some(motcua::domain::RuleError::message(&rule, Lang::Vi))
    );
    type_in(&mut app, "Hồ sơ không thuộc thẩm quyền");
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(dialog(&app).confirming);
    // Esc goes back to the fields with the text kept.
    update(&mut app, key(KeyCode::Esc));
    assert!(!dialog(&app).confirming);
    update(&mut app, key(KeyCode::Enter));
    let (id, version, request) = act_effect(&update(&mut app, key(KeyCode::Enter)));
    assert_eq!(version, 3);
    assert_eq!(request.action, Some(Step::Refuse));
    assert_eq!(
        request.reason.as_deref(),
        Some("Hồ sơ không thuộc thẩm quyền")
    );
    assert!(dialog(&app).pending.is_some());
    // While sending, keys other than Esc do nothing.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());

    let mut after: Dossier = dossier();
    after.status = Status::Refused;
    after.version = 4;
    let effects = update(&mut app, Action::Acted(id, Ok(after)));
    assert!(matches!(effects[..], [Effect::LoadStats(_)]));
    assert!(app.overlay.is_none());
    let detail = app.inbox.detail.as_ref().unwrap().dossier.as_ref().unwrap();
    assert_eq!(detail.status, Status::Refused);
    let row = &app.inbox.items[app.inbox.by_code["000.01.27.H07-261124-0001"]];
    assert_eq!(row.summary.status, Status::Refused);
    assert_eq!(app.toasts.back().unwrap().kind, ToastKind::Success);
}

#[test]
fn a_rule_refusal_keeps_the_dialog_and_what_was_typed() {
    let mut app = with_detail();
    choose(&mut app, Step::RequestSupplement);
    type_in(&mut app, "Thiếu giấy tờ");
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "Giấy chứng sinh; Tờ khai");
    update(&mut app, key(KeyCode::Enter));
    let (id, _, request) = act_effect(&update(&mut app, key(KeyCode::Enter)));
    assert_eq!(request.missing_documents, ["Giấy chứng sinh", "Tờ khai"]);
    let message = "Chỉ được yêu cầu bổ sung đến 17:00 27/11/2026.";
    update(
        &mut app,
        Action::Acted(
            id,
            Err(Failure::Refused {
                code: "supplement_window_closed".into(),
                message: message.into(),
                fields: BTreeMap::new(),
            }),
        ),
    );
    let d = dialog(&app);
    assert_eq!(d.error.as_deref(), Some(message));
    assert!(!d.confirming && d.pending.is_none());
    assert_eq!(field_text(&d.fields[0].text), "Thiếu giấy tờ");
}

#[test]
fn a_version_conflict_shows_the_current_dossier_and_what_changed() {
    let mut app = with_detail();
    choose(&mut app, Step::Receive);
    assert!(dialog(&app).confirming, "receive needs no input");
    let (id, _, _) = act_effect(&update(&mut app, key(KeyCode::Enter)));
    let mut current = dossier();
    current.status = Status::Received;
    current.version = 4;
    current.due_at = Some("2026-11-26T17:00:00+07:00".into());
    current.timeline.push(motcua::api::dossiers::HistoryEntry {
        at: "2026-11-24T09:59:00+07:00".into(),
        username: Some("tiepnhan2".into()),
        role: Some("reception".into()),
        action: "receive".into(),
        from: Some(Status::Submitted),
        to: Some(Status::Received),
        reason: None,
        handover: None,
    });
    update(
        &mut app,
        Action::Acted(id, Err(Failure::Conflict(Box::new(current)))),
    );
    assert!(app.overlay.is_none());
    let detail = app.inbox.detail.as_ref().unwrap();
    assert_eq!(detail.dossier.as_ref().unwrap().version, 4);
    let changed = detail.changed.join("\n");
    assert!(changed.contains("Đã tiếp nhận"), "{changed}");
    assert!(changed.contains("tiepnhan2"), "{changed}");
    assert_eq!(app.toasts.back().unwrap().kind, ToastKind::Error);
}

#[test]
fn an_expired_session_during_an_action_keeps_the_dialog() {
    let mut app = with_detail();
    choose(&mut app, Step::Refuse);
    type_in(&mut app, "lý do");
    update(&mut app, key(KeyCode::Enter));
    let (id, _, _) = act_effect(&update(&mut app, key(KeyCode::Enter)));
    update(
        &mut app,
        Action::Acted(id, Err(Failure::Unauthorized("hết phiên".into()))),
    );
    assert!(app.relogin);
    assert_eq!(field_text(&dialog(&app).fields[0].text), "lý do");
}

#[test]
fn extension_proposal_and_return_build_their_requests() {
    assert_eq!(
        parse_due("31/12/2026").as_deref(),
        Some("2026-12-31T17:00:00+07:00")
    );
    assert_eq!(
        parse_due("2026-12-31 09:30").as_deref(),
        Some("2026-12-31T09:30:00+07:00")
    );
    assert_eq!(parse_due("31/02/2026"), None);
    assert_eq!(parse_due("mai"), None);

    let mut app = with_detail();
    // A leader extending an in-progress dossier.
    app.me.as_mut().unwrap().role = Role::Leader;
    let detail = app.inbox.detail.as_mut().unwrap();
    detail.dossier.as_mut().unwrap().status = Status::InProgress;
    choose(&mut app, Step::Extend);
    type_in(&mut app, "Cần xác minh thêm");
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "32/12/2026");
    update(&mut app, key(KeyCode::Enter));
    assert!(
        dialog(&app)
            .error
            .as_deref()
            .unwrap()
            .contains("dd/mm/yyyy")
    );
    for _ in 0..10 {
        update(&mut app, key(KeyCode::Backspace));
    }
    type_in(&mut app, "31/12/2026");
    update(&mut app, key(KeyCode::Enter));
    let (_, _, request) = act_effect(&update(&mut app, key(KeyCode::Enter)));
    assert_eq!(
        request.new_due_at.as_deref(),
        Some("2026-12-31T17:00:00+07:00")
    );

    // A specialist proposing a denial: the verdict is a choice.
    let mut app = with_detail();
    app.me.as_mut().unwrap().role = Role::Specialist;
    app.inbox
        .detail
        .as_mut()
        .unwrap()
        .dossier
        .as_mut()
        .unwrap()
        .status = Status::InProgress;
    choose(&mut app, Step::ProposeResult);
    update(&mut app, key(KeyCode::Right));
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "Không đủ điều kiện");
    update(&mut app, key(KeyCode::Enter));
    let (_, _, request) = act_effect(&update(&mut app, key(KeyCode::Enter)));
    assert_eq!(request.result, Some(Verdict::Denied));
    assert_eq!(request.summary.as_deref(), Some("Không đủ điều kiện"));

    // Reception returning the result by post.
    let mut app = with_detail();
    app.inbox
        .detail
        .as_mut()
        .unwrap()
        .dossier
        .as_mut()
        .unwrap()
        .status = Status::ResultReady;
    choose(&mut app, Step::ReturnResult);
    // By post: the receiver's fields give way to the tracking code.
    update(&mut app, key(KeyCode::Right));
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "Kết quả");
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "eb123456789vn");
    update(&mut app, key(KeyCode::Enter));
    let (_, _, request) = act_effect(&update(&mut app, key(KeyCode::Enter)));
    assert_eq!(request.delivery, Some(DeliveryMethod::Postal));
    let handover = request.handover.expect("a handover");
    assert_eq!(handover.postal_tracking.as_deref(), Some("EB123456789VN"));
    assert_eq!(handover.receiver, None);
}

#[test]
fn amounts_are_whole_positive_numbers() {
    let fields = |text: &str| {
        let mut t = text_field();
        t.insert_str(text);
        ActionDialog {
            code: "X".into(),
            version: 1,
            step: Step::RequestPayment,
            fields: vec![DialogField {
                input: workflow::Input::Amount,
                required: true,
                text: t,
                choices: vec![],
                choice: 0,
            }],
            focus: 0,
            confirming: false,
            error: None,
            pending: None,
            facts: None,
        }
    };
    assert_eq!(
        build_request(&fields("50.000"), Lang::Vi).unwrap().amount,
        Some(50_000)
    );
    assert!(build_request(&fields("0"), Lang::Vi).is_err());
    assert!(build_request(&fields("năm chục"), Lang::Vi).is_err());
}

// --- forms, downloads, files ------------------------------------------------------------

#[test]
fn forms_are_viewed_and_saved() {
    let mut app = with_detail();
    // A dossier not yet received has no form.
    update(&mut app, ch('f'));
    assert!(app.overlay.is_none());
    let d = app.inbox.detail.as_mut().unwrap().dossier.as_mut().unwrap();
    d.received_at = Some("2026-11-24T09:00:00+07:00".into());
    update(&mut app, ch('f'));
    let Some(Overlay::Forms(menu)) = &app.overlay else {
        panic!("no menu")
    };
    assert_eq!(menu.items, [Form::Receipt, Form::ControlSheet]);
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = match &effects[..] {
        [
            Effect::LoadForm {
                id,
                form: Form::Receipt,
                ..
            },
        ] => *id,
        other => panic!("{other:?}"),
    };
    update(
        &mut app,
        Action::FormLoaded(id, Ok("GIẤY TIẾP NHẬN HỒ SƠ".into())),
    );
    update(&mut app, key(KeyCode::Down));
    // A form is saved as the portal's PDF (tests/tui_paper.rs); the slip's text as text.
    update(&mut app, ch('s'));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(matches!(&effects[..], [Effect::Paper(_)]), "{effects:?}");
    update(&mut app, Action::Saved(Ok(PathBuf::from("a.txt"))));
    assert_eq!(app.toasts.back().unwrap().kind, ToastKind::Success);
    update(
        &mut app,
        Action::Saved(Err(std::io::ErrorKind::PermissionDenied)),
    );
    assert!(
        app.toasts
            .back()
            .unwrap()
            .text
            .contains("Không lưu được tệp: không có quyền ghi")
    );
    update(&mut app, key(KeyCode::Esc));
    assert!(app.overlay.is_none());
}

#[test]
fn an_attachment_is_downloaded_to_the_chosen_path() {
    let mut app = with_detail();
    update(&mut app, ch('d'));
    let Some(Overlay::Download(prompt)) = &app.overlay else {
        panic!("no prompt")
    };
    assert_eq!(field_text(&prompt.path), "to-khai.pdf");
    type_in(&mut app, "x");
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = match &effects[..] {
        [
            Effect::Download {
                id,
                attachment_id,
                dest,
                ..
            },
        ] => {
            assert_eq!(attachment_id, "u1");
            assert_eq!(dest, &PathBuf::from("to-khai.pdfx"));
            *id
        }
        other => panic!("{other:?}"),
    };
    update(
        &mut app,
        Action::Downloaded(id, Ok((PathBuf::from("to-khai.pdf"), 123_456))),
    );
    assert!(app.toasts.back().unwrap().text.contains("121 KB"));
}

// --- commands, tabs, help, quitting -----------------------------------------------------

#[test]
fn the_command_line_runs_and_completes_commands() {
    assert_eq!(complete("th"), ["theme "]);
    assert_eq!(complete("theme l"), ["theme light"]);
    assert_eq!(complete("queue ov"), ["queue overdue"]);
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, ch(':'));
    type_in(&mut app, "th");
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "light");
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.theme.name, "light");
    update(&mut app, ch(':'));
    type_in(&mut app, "queue overdue");
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.inbox.queue, Queue::Overdue);
    update(&mut app, ch(':'));
    type_in(&mut app, "code 000.01.27.H07-261124-0007");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Effect::LoadDetail { code, .. }] if code == "000.01.27.H07-261124-0007")
    );
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, ch(':'));
    type_in(&mut app, "bay");
    update(&mut app, key(KeyCode::Enter));
    assert!(app.toasts.back().unwrap().text.contains("bay"));
    update(&mut app, ch(':'));
    type_in(&mut app, "q");
    assert_eq!(update(&mut app, key(KeyCode::Enter)), vec![Effect::Quit]);
    assert!(app.quit);
}

#[test]
fn help_opens_for_the_context_and_any_key_closes_it() {
    let mut app = with_detail();
    update(&mut app, ch('?'));
    assert!(matches!(
        &app.overlay,
        Some(Overlay::Help(page)) if page.context == motcua::tui::keymap::Context::Detail
    ));
    assert!(update(&mut app, ch('x')).is_empty());
    assert!(app.overlay.is_none());
    update(&mut app, key(KeyCode::F(1)));
    assert!(matches!(app.overlay, Some(Overlay::Help(_))));
}

#[test]
fn digits_switch_tabs_and_lookup_opens_a_code() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, ch('2'));
    assert_eq!(app.tab, Tab::Intake);
    // The desk panes are typing panes: a digit is text there, Alt+digit switches.
    update(&mut app, ch('3'));
    assert_eq!(app.tab, Tab::Intake);
    assert_eq!(field_text(&app.intake.query), "3");
    let alt = |c| Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT));
    update(&mut app, alt('3'));
    assert_eq!(app.tab, Tab::Citizens);
    update(&mut app, alt('1'));
    assert_eq!(app.tab, Tab::Inbox);
    update(&mut app, ch('4'));
    assert_eq!(app.tab, Tab::Lookup);
    // On the lookup tab, the code is typed (digits included) and Enter opens it.
    type_in(&mut app, "000.01.27.H07-261124-0004");
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = match &effects[..] {
        [Effect::LoadDetail { id, code }] if code == "000.01.27.H07-261124-0004" => *id,
        other => panic!("{other:?}"),
    };
    // The lookup stays until the dossier is found, then it opens in the inbox.
    assert_eq!(app.tab, Tab::Lookup);
    let mut found = dossier();
    found.code = "000.01.27.H07-261124-0004".into();
    update(&mut app, Action::DetailLoaded(id, Ok(found)));
    assert_eq!(app.tab, Tab::Inbox);
}

#[test]
fn refresh_reloads_the_inbox_the_counts_and_the_open_detail() {
    let mut app = with_detail();
    let effects = update(&mut app, key(KeyCode::F(5)));
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadInbox(_))));
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadStats(_))));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadDetail { .. }))
    );
}

#[test]
fn logout_forgets_the_session_and_the_data() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    let effects = update(&mut app, press(KeyCode::Char('l'), KeyModifiers::CONTROL));
    assert_eq!(effects, vec![Effect::Logout]);
    assert_eq!(app.screen, Screen::Login);
    assert!(app.me.is_none());
    assert!(app.inbox.items.is_empty());
    assert_eq!(field_text(&app.login.username), "tiepnhan1");
    assert!(update(&mut app, Action::LoggedOut).is_empty());
}

#[test]
fn q_and_ctrl_c_quit() {
    let mut main = logged_in(Lang::Vi, false, SIZE);
    assert_eq!(update(&mut main, ch('q')), vec![Effect::Quit]);
    let mut app = app(Lang::Vi, false, SIZE);
    // Ctrl-C quits even from the login form, where q is text.
    assert!(update(&mut app, ch('q')).is_empty());
    assert_eq!(
        update(&mut app, press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        vec![Effect::Quit]
    );
}

#[test]
fn releases_are_ignored_and_resizes_set_the_page() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    let release = KeyEvent {
        code: KeyCode::Char('q'),
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Release,
        state: KeyEventState::NONE,
    };
    assert!(update(&mut app, Action::Key(release)).is_empty());
    assert!(!app.quit);
    update(&mut app, Action::Resize(80, 24));
    let small = app.inbox.page_rows;
    update(&mut app, Action::Resize(160, 48));
    assert!(app.inbox.page_rows > small);
}

#[test]
fn alt_digits_switch_tabs_from_the_inbox_too() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    assert_eq!(app.tab, Tab::Inbox);
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT)),
    );
    assert_eq!(app.tab, Tab::Intake);
}

#[test]
fn a_list_that_shrinks_scrolls_back_to_fill_the_screen() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    app.inbox.page_rows = 3;
    update(&mut app, key(KeyCode::BackTab)); // the whole inbox
    update(&mut app, key(KeyCode::End));
    assert!(app.inbox.offset > 0, "scrolled to the end");
    // A queue with fewer rows than the screen shows them all, from the first.
    update(&mut app, key(KeyCode::Tab));
    assert!(app.inbox.view.len() <= 3, "{}", app.inbox.view.len());
    assert_eq!(app.inbox.offset, 0);
}

#[test]
fn logging_out_keeps_the_screens_rows() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    app.inbox.page_rows = 17;
    update(&mut app, press(KeyCode::Char('l'), KeyModifiers::CONTROL));
    assert_eq!(app.screen, Screen::Login);
    assert_eq!(app.inbox.page_rows, 17);
}

#[test]
fn the_bank_paying_takes_the_vietqr_code_off_the_done_screen() {
    use motcua::api::dossiers::PaymentStatus;
    let mut app = logged_in(Lang::Vi, false, SIZE);
    let created = dossier();
    app.intake.created = Some(Box::new(created.clone()));
    app.intake.pay = motcua::tui::intake::PayChoice::VietQr;
    app.intake.paid = false;
    let (id, since) = tick_until_poll(&mut app);
    let mut changed = summary(1, "Nguyễn Văn An", Status::Received, None, false);
    changed.code = created.code.clone();
    changed.payment_status = PaymentStatus::Unpaid;
    update(
        &mut app,
        Action::Polled(
            id,
            Ok(Delta::Changes {
                changes: vec![Change::Dossier(changed.clone())],
                seq: since + 1,
            }),
        ),
    );
    assert!(!app.intake.paid, "a change that is not the payment");
    changed.payment_status = PaymentStatus::Paid;
    changed.version += 1;
    let (id, since) = tick_until_poll(&mut app);
    update(
        &mut app,
        Action::Polled(
            id,
            Ok(Delta::Changes {
                changes: vec![Change::Dossier(changed)],
                seq: since + 1,
            }),
        ),
    );
    assert!(app.intake.paid);
    let toast = app.toasts.back().expect("a toast");
    assert_eq!(toast.kind, ToastKind::Success);
    assert!(toast.text.contains(&created.code), "{}", toast.text);
}

// --- the fee from the detail --------------------------------------------------------------

fn paid(code: &str, cash: bool) -> motcua::api::payments::Payment {
    let d = dossier();
    assert_eq!(d.code, code);
    motcua::api::payments::Payment {
        code: d.code.clone(),
        reference: "261124-0001".into(),
        amount: d.fee.amount,
        status: if cash {
            motcua::api::dossiers::PaymentStatus::Paid
        } else {
            motcua::api::dossiers::PaymentStatus::Unpaid
        },
        paid_at: None,
        method: cash.then(|| "cash".to_owned()),
        receipt_no: cash.then(|| "BL-77".to_owned()),
        vietqr: (!cash).then(|| "00020101021238570010A000000727".to_owned()),
        purpose: "HS 261124-0001".into(),
        bank_bin: "970415".into(),
        account: "113366668888".into(),
        account_name: "UBND".into(),
        dossier_status: d.status,
        version: d.version + 1,
    }
}

#[test]
fn an_unpaid_fee_is_taken_in_cash_from_the_detail() {
    let mut app = with_detail();
    let enabled = motcua::tui::update::enabled_commands(&app);
    assert!(enabled.contains(&motcua::tui::keymap::Command::Pay));
    assert!(update(&mut app, ch('p')).is_empty());
    assert!(matches!(app.overlay, Some(Overlay::Payment(_))));
    // No receipt number: it says what to type, and sends nothing.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    let Some(Overlay::Payment(d)) = &app.overlay else {
        panic!("the dialog stays")
    };
    assert!(d.error.as_deref().unwrap().contains("biên lai"));
    type_in(&mut app, "BL-77");
    let effects = update(&mut app, key(KeyCode::Enter));
    let (id, code, amount, receipt_no, first_key) = match &effects[..] {
        [
            Effect::PayCash {
                id,
                code,
                key,
                amount,
                receipt_no,
            },
        ] => (*id, code.clone(), *amount, receipt_no.clone(), key.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(code, dossier().code);
    assert_eq!(amount, dossier().fee.amount);
    assert_eq!(receipt_no, "BL-77");
    assert!(!first_key.is_empty());
    // Enter again while it is on its way sends nothing twice.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    let effects = update(&mut app, Action::PaidCash(id, Ok(paid(&code, true))));
    assert!(app.overlay.is_none(), "paid: the dialog closes");
    assert!(
        matches!(&effects[..], [Effect::LoadDetail { code: c, .. }] if *c == code),
        "the detail reloads to show the fee paid: {effects:?}"
    );
}

/// The dialog closed while the cash was on its way: the answer is still the detail's (a
/// toast and a reload), never the intake's — an intake in progress keeps its draft.
#[test]
fn a_fee_dialog_closed_early_leaves_the_intake_alone() {
    let mut app = with_detail();
    update(&mut app, ch('p'));
    type_in(&mut app, "BL-77");
    let effects = update(&mut app, key(KeyCode::Enter));
    let Some(Effect::PayCash { id, code, .. }) = effects.into_iter().next() else {
        panic!("cash sent")
    };
    update(&mut app, key(KeyCode::Esc));
    assert!(app.overlay.is_none());
    let effects = update(&mut app, Action::PaidCash(id, Ok(paid(&code, true))));
    assert!(!app.intake.paid, "the intake was not paid");
    assert!(app.intake.payment.is_none());
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::SaveDraft(None))),
        "the intake's draft is kept: {effects:?}"
    );
    assert!(
        matches!(&effects[..], [Effect::LoadDetail { code: c, .. }] if *c == code),
        "the detail reloads: {effects:?}"
    );
    assert!(app.toasts.iter().any(|t| t.kind == ToastKind::Success));

    // A refusal that arrives after the dialog closed is said in a toast.
    update(&mut app, ch('p'));
    type_in(&mut app, "BL-78");
    let Some(Effect::PayCash { id, .. }) = update(&mut app, key(KeyCode::Enter)).into_iter().next()
    else {
        panic!("cash sent")
    };
    update(&mut app, key(KeyCode::Esc));
    let refused = Failure::Refused {
        code: "already_paid".into(),
        message: "Đã nộp phí".into(),
        fields: Default::default(),
    };
    update(&mut app, Action::PaidCash(id, Err(refused)));
    assert!(app.intake.error.is_none(), "not the intake's error");
    assert!(
        app.toasts
            .iter()
            .any(|t| t.kind == ToastKind::Error && t.text.contains("Đã nộp phí"))
    );
}

#[test]
fn the_fee_by_vietqr_shows_the_code_until_the_bank_pays() {
    let mut app = with_detail();
    update(&mut app, ch('p'));
    update(&mut app, key(KeyCode::Down));
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = match &effects[..] {
        [Effect::LoadPayment { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    update(
        &mut app,
        Action::PaymentLoaded(id, Ok(paid(&dossier().code, false))),
    );
    assert!(
        matches!(&app.overlay, Some(Overlay::Payment(d)) if d.payment.as_ref().is_some_and(|p| p.vietqr.is_some())),
        "the code is shown"
    );
    // The bank's payment arrives in the delta feed: the code goes.
    let mut summary = motcua::tui::update::summary_of(&dossier());
    summary.payment_status = motcua::api::dossiers::PaymentStatus::Paid;
    summary.version += 1;
    let id = app.next_request;
    app.pending.insert(
        id,
        motcua::tui::state::Pending {
            purpose: motcua::tui::state::Purpose::Poll,
            ticks: 0,
        },
    );
    app.next_request += 1;
    let effects = update(
        &mut app,
        Action::Polled(
            id,
            Ok(motcua::tui::action::Delta::Changes {
                changes: vec![motcua::api::dossiers::Change::Dossier(summary)],
                seq: 99,
            }),
        ),
    );
    assert!(app.overlay.is_none(), "paid by the bank: the code leaves");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadDetail { .. }))
    );
}

#[test]
fn the_fee_command_is_enabled_only_when_unpaid_and_for_reception() {
    use motcua::tui::keymap::Command;
    let mut app = with_detail();
    // Paid: no command, no key, no hint.
    if let Some(d) = app
        .inbox
        .detail
        .as_mut()
        .and_then(|d| d.dossier.as_deref_mut())
    {
        d.fee.status = motcua::api::dossiers::PaymentStatus::Paid;
    }
    assert!(!motcua::tui::update::enabled_commands(&app).contains(&Command::Pay));
    assert!(update(&mut app, ch('p')).is_empty());
    assert!(app.overlay.is_none());
    // Unpaid but a leader: not theirs to take.
    let mut app = with_detail();
    app.me.as_mut().unwrap().role = motcua::domain::workflow::Role::Leader;
    assert!(!motcua::tui::update::enabled_commands(&app).contains(&Command::Pay));
    update(&mut app, ch('p'));
    assert!(app.overlay.is_none());
}
