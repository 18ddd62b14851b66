//! Fixtures for the TUI's tests: a logged-in app with a small inbox, a full dossier, the
//! fixed "now" every snapshot is drawn at, and the screen drawn as text for snapshots
//! (`snapshot_each!`). No IO: `update` is fed directly.

#![allow(dead_code)] // each test binary uses its own part of this module

use chrono::{DateTime, FixedOffset};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::api::auth::{LoginResponse, Me, OfficeRef};
use motcua::api::dossiers::*;
use motcua::api::stats::{
    CertificationCounts, Indices, Period, QueueCounts, Ratio, ReuseCounts, Stats, TimelinessCounts,
};
use motcua::domain::Lang;
use motcua::domain::identity::Gender;
use motcua::domain::status::Status;
use motcua::domain::workflow::{DeliveryMethod, Role};
use motcua::tui::action::{Action, Effect, Snapshot};
use motcua::tui::keymap::Keymap;
use motcua::tui::state::{App, Profile};
use motcua::tui::theme::Theme;
use motcua::tui::update::update;
use motcua::tui::view::render;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The languages every snapshot is taken in, with the tag its name carries.
pub const LANGS: [(Lang, &str); 2] = [(Lang::Vi, "vi"), (Lang::En, "en")];

/// `app` drawn on a test terminal of `(width, height)`.
pub fn draw(app: &App, (w, h): (u16, u16)) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| render(app, f)).unwrap();
    terminal
}

/// What the terminal shows, one line per row with trailing spaces trimmed; only the
/// first `rows` rows when given.
pub fn text(terminal: &Terminal<TestBackend>, rows: Option<u16>) -> String {
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..rows.unwrap_or(buffer.area.height).min(buffer.area.height) {
        let mut line = String::new();
        for x in 0..buffer.area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The app `make` builds for every language and size, drawn as text (the first `rows`
/// rows, or all), with the suffix of its snapshot's name (`vi_80x24`).
pub fn screens(
    sizes: &[(u16, u16)],
    rows: Option<u16>,
    make: impl Fn(Lang, (u16, u16)) -> App,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (lang, tag) in LANGS {
        for &size in sizes {
            let app = make(lang, size);
            let screen = text(&draw(&app, size), rows);
            out.push((format!("{tag}_{}x{}", size.0, size.1), screen));
        }
    }
    out
}

/// Snapshots what `make` builds for every language and size:
/// `snapshot_each!(name, sizes, make)` or `snapshot_each!(name, sizes, rows, make)`.
/// A macro, so that insta names and files each snapshot after the test file it is in.
#[allow(unused_macros)] // not every test binary takes snapshots
macro_rules! snapshot_each {
    ($name:expr, $sizes:expr, $rows:expr, $make:expr) => {
        for (suffix, screen) in $crate::common::tui::screens(&$sizes, $rows, $make) {
            insta::assert_snapshot!(format!("{}_{suffix}", $name), screen);
        }
    };
    ($name:expr, $sizes:expr, $make:expr) => {
        $crate::common::tui::snapshot_each!($name, $sizes, None, $make)
    };
}
#[allow(unused_imports)]
pub(crate) use snapshot_each;

pub fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-24T10:00:00+07:00").unwrap()
}

pub fn profiles(training: bool) -> Vec<Profile> {
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

pub fn me(training: bool) -> Me {
    Me {
        id: 1,
        username: "tiepnhan1".into(),
        full_name: "Lê Thị Hoa".into(),
        role: Role::Reception,
        office: Some(OfficeRef {
            id: 1,
            code: "000.01.27.H07".into(),
            name: "UBND phường An Hội".into(),
            address: "Số 1 đường Hai Bà Trưng".into(),
            phone: "02753822101".into(),
        }),
        training,
    }
}

pub fn summary(
    n: u32,
    name: &str,
    status: Status,
    due: Option<&str>,
    overdue: bool,
) -> DossierSummary {
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

pub fn summaries() -> Vec<DossierSummary> {
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

pub fn stats() -> Stats {
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
        period: Period {
            from: "2026-11-01".into(),
            to: "2026-11-24".into(),
        },
        indices: this_month(),
        reuse: ReuseCounts {
            documents: 1,
            dossiers: 1,
        },
        ratings: motcua::api::results::RatingCounts {
            very_satisfied: 3,
            satisfied: 1,
            unsatisfied: 1,
        },
        months: months(),
        certifications: this_month_certifications(),
        certifications_day: CertificationCounts {
            copy: 5,
            signature: 2,
            contract: 0,
            fees: 41_000,
        },
    }
}

/// The certifications of the month to date of [`stats`].
fn this_month_certifications() -> CertificationCounts {
    CertificationCounts {
        copy: 46,
        signature: 12,
        contract: 3,
        fees: 412_000,
    }
}

fn ratio(numerator: u64, denominator: u64) -> Ratio {
    Ratio {
        numerator,
        denominator,
    }
}

/// The month to date of [`stats`]: the ratings' 4 of 5 satisfied among them.
fn this_month() -> Indices {
    Indices {
        on_time: ratio(6, 8),
        online_submission: ratio(3, 7),
        online_payment: ratio(1, 2),
        digitization: ratio(2, 5),
        satisfaction: ratio(4, 5),
    }
}

/// Thirteen months up to November 2026, rising, with one (February, Tết) where nothing
/// was counted.
fn months() -> Vec<motcua::api::stats::MonthIndices> {
    (0..13u64)
        .map(|n| {
            let (year, month) = if n < 2 { (2025, 11 + n) } else { (2026, n - 1) };
            let indices = if n == 12 {
                this_month()
            } else if month == 2 {
                Indices::default()
            } else {
                Indices {
                    on_time: ratio(10 + n / 2, 12),
                    online_submission: ratio(n, 12),
                    online_payment: ratio(n / 3, 4),
                    digitization: ratio(n, 20),
                    satisfaction: ratio(8 - n % 3, 8),
                }
            };
            // Fewer in February (Tết), this month's to date last.
            let certifications = if n == 12 {
                this_month_certifications()
            } else {
                let copy = if month == 2 { 9 } else { 30 + 2 * n };
                let (signature, contract) = (8 + n % 4, n % 3);
                CertificationCounts {
                    copy,
                    signature,
                    contract,
                    fees: copy * 6_000 + signature * 10_000 + contract * 50_000,
                }
            };
            motcua::api::stats::MonthIndices {
                month: format!("{year}-{month:02}"),
                indices,
                ratings: Default::default(),
                certifications,
            }
        })
        .collect()
}

pub fn dossier() -> Dossier {
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
            citizen_id: "7f3a9c0e5b2d4e6f8a1b3c5d7e9f0a2b".into(),
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
                digitization: None,
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
                digitization: None,
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
            handover: None,
        }],
        result_files: vec![],
        handover: None,
        rating: None,
    }
}

pub fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn app(lang: Lang, training: bool, size: (u16, u16)) -> App {
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
pub fn logged_in(lang: Lang, training: bool, size: (u16, u16)) -> App {
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
        [Effect::Login { id, .. }] => *id,
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
            Effect::LoadInbox(id) => {
                update(
                    &mut app,
                    Action::InboxLoaded(id, Ok(Snapshot::whole(summaries(), 10))),
                );
            }
            Effect::LoadStats(id) => {
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

pub fn open_detail(app: &mut App) {
    let effects = update(app, key(KeyCode::Enter));
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadDetail { id, .. } => Some(*id),
            _ => None,
        })
        .expect("Enter opens the detail");
    update(app, Action::DetailLoaded(id, Ok(dossier())));
}

/// Enter on a path to attach asks the runtime about the file (`Effect::CheckFile`): the
/// answer here says it is a file of `size` bytes; returns what `update` then asks (the
/// upload).
pub fn file_checked(app: &mut App, effects: &[Effect], size: u64) -> Vec<Effect> {
    let (doc, path) = effects
        .iter()
        .find_map(|e| match e {
            Effect::CheckFile { doc, path } => Some((*doc, path.clone())),
            _ => None,
        })
        .expect("Enter on a path asks about the file");
    update(
        app,
        Action::FileChecked {
            doc,
            path,
            size: Some(size),
        },
    )
}
