//! The screens as a user sees them: TestBackend + insta snapshots of login, the shell with
//! the training banner, the inbox with data, the detail pane, an action dialog and the
//! help overlay, at 80×24 and 160×48, in Vietnamese and English.
//! Update after a deliberate change with `INSTA_UPDATE=always cargo test --test tui_snapshots`
//! and review the diff.

use chrono::{DateTime, FixedOffset};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::api::auth::{LoginResponse, Me, OfficeRef};
use motcua::api::dossiers::*;
use motcua::api::stats::{QueueCounts, Stats, TimelinessCounts};
use motcua::domain::Lang;
use motcua::domain::identity::Gender;
use motcua::domain::status::Status;
use motcua::domain::workflow::{DeliveryMethod, Role};
use motcua::tui::action::{Action, Snapshot};
use motcua::tui::keymap::Keymap;
use motcua::tui::state::{App, Profile};
use motcua::tui::theme::Theme;
use motcua::tui::update::update;
use motcua::tui::view::render;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
const LANGS: [(Lang, &str); 2] = [(Lang::Vi, "vi"), (Lang::En, "en")];

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-24T10:00:00+07:00").unwrap()
}

fn profiles(training: bool) -> Vec<Profile> {
    vec![Profile {
        name: if training {
            "Đào tạo"
        } else {
            "Phường An Hội"
        }
        .into(),
        url: "http://127.0.0.1:8080/api/v1".into(),
        training,
        demo_hint: training
            .then(|| "tiepnhan1, chuyenvien1, lanhdao1 — Motcua-demo-2026".to_owned()),
    }]
}

fn me(training: bool) -> Me {
    Me {
        id: 1,
        username: "tiepnhan1".into(),
        full_name: "Lê Thị Hoa".into(),
        role: Role::Reception,
        office: Some(OfficeRef {
            id: 1,
            code: "000.01.27.H07".into(),
            name: "UBND phường An Hội".into(),
        }),
        training,
    }
}

fn summary(n: u32, name: &str, status: Status, due: Option<&str>, overdue: bool) -> DossierSummary {
    DossierSummary {
        code: format!("000.01.27.H07-261124-{n:04}"),
        status,
        channel: if n.is_multiple_of(2) {
            Channel::Online
        } else {
            Channel::Desk
        },
        applicant_name: name.into(),
        procedure_code: "1.001193".into(),
        procedure_name: "Đăng ký khai sinh".into(),
        submitted_at: format!("2026-11-2{}T08:{:02}:00+07:00", n % 4, n % 60),
        received_at: due.map(|_| "2026-11-20T09:00:00+07:00".to_owned()),
        due_at: due.map(str::to_owned),
        overdue,
        payment_status: if n.is_multiple_of(3) {
            PaymentStatus::Paid
        } else {
            PaymentStatus::Unpaid
        },
        version: 3,
    }
}

fn summaries() -> Vec<DossierSummary> {
    vec![
        summary(1, "Nguyễn Văn An", Status::Submitted, None, false),
        summary(2, "Trần Thị Bình", Status::Submitted, None, false),
        summary(3, "Nguyễn Văn Anh", Status::Submitted, None, false),
        summary(
            4,
            "Phạm Minh Châu",
            Status::Received,
            Some("2026-11-24T16:00:00+07:00"),
            false,
        ),
        summary(
            5,
            "Võ Thị Diệu",
            Status::InProgress,
            Some("2026-11-20T17:00:00+07:00"),
            true,
        ),
        summary(
            6,
            "Huỳnh Quốc Đạt",
            Status::InProgress,
            Some("2026-11-28T10:00:00+07:00"),
            false,
        ),
        summary(
            7,
            "Đặng Thị Én",
            Status::ResultReady,
            Some("2026-11-25T17:00:00+07:00"),
            false,
        ),
    ]
}

fn stats() -> Stats {
    Stats {
        at: "2026-11-24T10:00:00+07:00".into(),
        queues: QueueCounts {
            online_pending: 3,
            received: 1,
            in_progress: 2,
            supplement: 0,
            awaiting_payment: 0,
            result_ready: 1,
            returned: 0,
            closed: 0,
            overdue: 1,
            all: 7,
        },
        returned: TimelinessCounts::default(),
    }
}

fn dossier() -> Dossier {
    Dossier {
        code: "000.01.27.H07-261124-0001".into(),
        version: 3,
        status: Status::Submitted,
        channel: Channel::Online,
        office: NamedRef {
            code: "000.01.27.H07".into(),
            name: "UBND phường An Hội".into(),
        },
        procedure: NamedRef {
            code: "1.001193".into(),
            name: "Đăng ký khai sinh".into(),
        },
        case: NamedRef {
            code: "dung-han".into(),
            name: "Đăng ký khai sinh đúng hạn".into(),
        },
        applicant: Applicant {
            citizen_id: 7,
            id_number: "083095001234".into(),
            full_name: "Nguyễn Văn An".into(),
            date_of_birth: "1995-03-14".into(),
            gender: Gender::Male,
            phone: "0912345678".into(),
            email: None,
            address: "12 Đồng Khởi, phường An Hội, thành phố Bến Tre".into(),
        },
        submitter: Submitter {
            full_name: "Nguyễn Văn An".into(),
            id_number: Some("083095001234".into()),
            relation: Relation::Myself,
            authorization_doc: None,
        },
        documents: vec![
            Document {
                part_id: "to-khai".into(),
                name: "Tờ khai đăng ký khai sinh".into(),
                originals: 1,
                copies: 0,
                on_paper: false,
                attachment: Some(Attachment {
                    id: "u1".into(),
                    filename: "to-khai.pdf".into(),
                    content_type: "application/pdf".into(),
                    size: 123_456,
                    sha256: "ab".repeat(32),
                }),
            },
            Document {
                part_id: "giay-chung-sinh".into(),
                name: "Giấy chứng sinh".into(),
                originals: 1,
                copies: 0,
                on_paper: true,
                attachment: None,
            },
        ],
        fee: Fee {
            amount: 8000,
            status: PaymentStatus::Unpaid,
            paid_at: None,
            method: None,
            receipt_no: None,
        },
        delivery: Delivery {
            method: DeliveryMethod::InPerson,
            address: None,
        },
        submitted_at: "2026-11-24T08:01:00+07:00".into(),
        received_at: None,
        due_at: None,
        overdue: false,
        extensions: 0,
        assignee: None,
        supplement: None,
        proposal: None,
        returned_at: None,
        recipient: None,
        timeliness: None,
        note: None,
        timeline: vec![HistoryEntry {
            at: "2026-11-24T08:01:00+07:00".into(),
            username: Some("083095001234".into()),
            role: Some("citizen".into()),
            action: "created".into(),
            from: None,
            to: Some(Status::Submitted),
            reason: None,
        }],
    }
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn app(lang: Lang, training: bool, size: (u16, u16)) -> App {
    let mut app = App::new(
        lang,
        Theme::default(),
        Keymap::default(),
        profiles(training),
        now(),
    );
    update(&mut app, Action::Resize(size.0, size.1));
    app
}

/// An app logged in with the inbox loaded.
fn logged_in(lang: Lang, training: bool, size: (u16, u16)) -> App {
    let mut app = app(lang, training, size);
    for c in "tiepnhan1".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, key(KeyCode::Tab));
    for c in "Motcua-demo-2026".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = match &effects[..] {
        [motcua::tui::action::Effect::Login { id, .. }] => *id,
        other => panic!("expected a login effect, got {other:?}"),
    };
    let response = LoginResponse {
        token: "t".into(),
        expires_at: "2026-11-24T22:00:00+07:00".into(),
        idle_timeout_s: 1800,
        user: me(training),
    };
    let effects = update(&mut app, Action::LoggedIn(id, Ok(response)));
    for effect in effects {
        match effect {
            motcua::tui::action::Effect::LoadInbox(id) => {
                update(
                    &mut app,
                    Action::InboxLoaded(
                        id,
                        Ok(Snapshot {
                            items: summaries(),
                            seq: 10,
                        }),
                    ),
                );
            }
            motcua::tui::action::Effect::LoadStats(id) => {
                update(&mut app, Action::StatsLoaded(id, Ok(stats())));
            }
            _ => {}
        }
    }
    update(
        &mut app,
        Action::Link {
            rtt: Some(std::time::Duration::from_millis(42)),
            reached: true,
        },
    );
    app
}

fn draw(app: &App, (w, h): (u16, u16)) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| render(app, f)).unwrap();
    terminal
}

fn text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        for x in 0..buffer.area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Snapshots `make` for every size and language.
fn each(name: &str, make: impl Fn(Lang, (u16, u16)) -> App) {
    for (lang, tag) in LANGS {
        for size in SIZES {
            let app = make(lang, size);
            let screen = text(&draw(&app, size));
            insta::assert_snapshot!(format!("{name}_{tag}_{}x{}", size.0, size.1), screen);
        }
    }
}

fn open_detail(app: &mut App) {
    let effects = update(app, key(KeyCode::Enter));
    let id = effects
        .iter()
        .find_map(|e| match e {
            motcua::tui::action::Effect::LoadDetail { id, .. } => Some(*id),
            _ => None,
        })
        .expect("Enter opens the detail");
    update(app, Action::DetailLoaded(id, Ok(dossier())));
}

#[test]
fn login() {
    each("login", |lang, size| {
        let mut app = app(lang, true, size);
        for c in "tiepnhan1".chars() {
            update(&mut app, key(KeyCode::Char(c)));
        }
        app
    });
}

#[test]
fn shell_with_training_banner() {
    each("shell_training", |lang, size| logged_in(lang, true, size));
}

#[test]
fn inbox_with_data() {
    each("inbox", |lang, size| {
        let mut app = logged_in(lang, false, size);
        // The queue of all dossiers, the third row selected.
        update(
            &mut app,
            Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
        );
        update(&mut app, key(KeyCode::Down));
        update(&mut app, key(KeyCode::Down));
        app
    });
}

#[test]
fn inbox_filtered_without_accents() {
    each("inbox_filter", |lang, size| {
        let mut app = logged_in(lang, false, size);
        update(&mut app, key(KeyCode::Char('/')));
        for c in "nguyen van".chars() {
            update(&mut app, key(KeyCode::Char(c)));
        }
        app
    });
}

#[test]
fn detail_pane() {
    each("detail", |lang, size| {
        let mut app = logged_in(lang, false, size);
        open_detail(&mut app);
        app
    });
}

#[test]
fn action_dialog() {
    each("dialog", |lang, size| {
        let mut app = logged_in(lang, false, size);
        open_detail(&mut app);
        update(&mut app, key(KeyCode::Char('a')));
        // Receive, request a supplement, refuse…: choose "refuse", which needs a reason.
        let steps = motcua::tui::update::steps_for(Role::Reception, Status::Submitted);
        let refuse = steps
            .iter()
            .position(|s| *s == motcua::domain::workflow::Action::Refuse)
            .unwrap();
        for _ in 0..refuse {
            update(&mut app, key(KeyCode::Down));
        }
        update(&mut app, key(KeyCode::Enter));
        update(&mut app, key(KeyCode::Enter)); // empty: the rule's message
        app
    });
}

#[test]
fn help_overlay() {
    each("help", |lang, size| {
        let mut app = logged_in(lang, false, size);
        update(&mut app, key(KeyCode::Char('?')));
        app
    });
}

/// NO_COLOR's theme draws the selection reversed, so it stays visible without colour.
#[test]
fn monochrome_keeps_the_selection_visible() {
    let mut app = logged_in(Lang::Vi, false, (80, 24));
    app.theme = Theme::load("monochrome", None).unwrap();
    let terminal = draw(&app, (80, 24));
    let buffer = terminal.backend().buffer();
    let reversed_rows = (0..24)
        .filter(|&y| {
            (0..80).all(|x| {
                buffer[(x, y)].modifier.contains(Modifier::REVERSED)
                    || buffer[(x, y)].symbol() == " "
            })
        })
        .filter(|&y| {
            text(&terminal)
                .lines()
                .nth(y as usize)
                .is_some_and(|l| l.contains("000.01.27.H07-"))
        })
        .count();
    assert_eq!(reversed_rows, 1, "{}", text(&terminal));
}

/// Overdue dossiers are drawn in the theme's danger style.
#[test]
fn remaining_time_is_coloured() {
    let mut app = logged_in(Lang::Vi, false, (160, 48));
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    let terminal = draw(&app, (160, 48));
    let screen = text(&terminal);
    let buffer = terminal.backend().buffer();
    let (y, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("Võ Thị Diệu"))
        .expect("the overdue dossier is listed");
    let x = line
        .find("quá")
        .map(|b| line[..b].chars().count())
        .expect("shown as late");
    assert_eq!(
        buffer[(x as u16, y as u16)].fg,
        app.theme.danger.fg.unwrap()
    );
}

/// A filter that finds nothing in the queue on screen says how many it finds elsewhere.
#[test]
fn filter_says_what_other_queues_hold() {
    let mut app = logged_in(Lang::Vi, false, (80, 24));
    update(&mut app, key(KeyCode::Char('/')));
    for c in "vo thi".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    assert!(app.inbox.view.is_empty());
    assert_eq!(app.inbox.matches_elsewhere, 1);
    let screen = text(&draw(&app, (80, 24)));
    assert!(screen.contains("có 1 hồ sơ khớp"), "{screen}");
    // Tab moves to the next queue with the filter kept.
    for _ in 0..2 {
        update(&mut app, key(KeyCode::Tab));
    }
    assert_eq!(app.inbox.filter_text(), "vo thi");
    assert_eq!(app.inbox.view.len(), 1);
}
