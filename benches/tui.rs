//! TUI figures: time to first frame, inbox render time and filter time per keystroke with
//! 100,000 dossiers loaded, and resident memory. Prints them beside the targets
//! (first frame ≤ 100 ms, render ≤ 5 ms, filter ≤ 20 ms, RSS ≤ 100 MB).
//! Run: `cargo bench --bench tui`.

use chrono::{DateTime, FixedOffset};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::api::auth::{LoginResponse, Me, OfficeRef};
use motcua::api::dossiers::{Channel, DossierSummary, PaymentStatus};
use motcua::domain::Lang;
use motcua::domain::status::Status;
use motcua::domain::workflow::Role;
use motcua::tui::action::{Action, Effect, Snapshot};
use motcua::tui::keymap::Keymap;
use motcua::tui::state::{App, Profile};
use motcua::tui::theme::Theme;
use motcua::tui::update::update;
use motcua::tui::view::render;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};

const DOSSIERS: usize = 100_000;
const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"];
const MIDDLE: [&str; 6] = ["Văn", "Thị", "Minh", "Quốc", "Ngọc", "Hữu"];
const GIVEN: [&str; 10] = [
    "An", "Anh", "Bình", "Châu", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Yến",
];
const STATUSES: [Status; 6] = [
    Status::Submitted,
    Status::Received,
    Status::InProgress,
    Status::AwaitingPayment,
    Status::ResultReady,
    Status::Returned,
];

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-24T10:00:00+07:00").unwrap()
}

fn dossiers() -> Vec<DossierSummary> {
    (0..DOSSIERS)
        .map(|n| {
            let status = STATUSES[n % STATUSES.len()];
            let due = (status != Status::Submitted)
                .then(|| format!("2026-12-{:02}T{:02}:00:00+07:00", n % 28 + 1, 7 + n % 10));
            DossierSummary {
                code: format!(
                    "000.01.27.H07-26{:02}{:02}-{:04}",
                    n % 12 + 1,
                    n % 28 + 1,
                    n % 10_000
                ),
                status,
                channel: if n.is_multiple_of(2) {
                    Channel::Online
                } else {
                    Channel::Desk
                },
                applicant_name: format!(
                    "{} {} {}",
                    FAMILY[n % 8],
                    MIDDLE[(n / 8) % 6],
                    GIVEN[(n / 48) % 10]
                ),
                procedure_code: "1.001193".into(),
                procedure_name: "Đăng ký khai sinh".into(),
                submitted_at: "2026-11-20T08:00:00+07:00".into(),
                received_at: due.as_ref().map(|_| "2026-11-20T09:00:00+07:00".to_owned()),
                due_at: due,
                overdue: false,
                payment_status: PaymentStatus::Unpaid,
                version: 1,
            }
        })
        .collect()
}

fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn per(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1000.0 / n as f64
}

fn main() {
    let profiles = vec![Profile {
        name: "bench".into(),
        url: "http://127.0.0.1:9/api/v1".into(),
        training: false,
        demo_hint: None,
    }];
    // Time to first frame: the state built from defaults, and one full draw.
    let start = Instant::now();
    let mut app = App::new(
        Lang::Vi,
        Theme::default(),
        Keymap::default(),
        profiles,
        now(),
    );
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    terminal.draw(|f| render(&app, f)).unwrap();
    let first_frame = start.elapsed();

    // Log in (state only) and load 100,000 dossiers.
    update(&mut app, Action::Resize(160, 48));
    for c in "tiepnhan1".chars() {
        update(&mut app, key(c));
    }
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
    );
    update(&mut app, key('x'));
    let effects = update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let Some(Effect::Login { id, .. }) = effects.into_iter().next() else {
        panic!("no login effect")
    };
    let user = Me {
        id: 1,
        username: "tiepnhan1".into(),
        full_name: "Lê Thị Hoa".into(),
        role: Role::Reception,
        office: Some(OfficeRef {
            id: 1,
            code: "000.01.27.H07".into(),
            name: "UBND phường An Hội".into(),
        }),
        training: false,
    };
    let response = LoginResponse {
        token: "t".into(),
        expires_at: String::new(),
        idle_timeout_s: 1800,
        user,
    };
    let rss_before = rss_mb();
    let load_start = Instant::now();
    for effect in update(&mut app, Action::LoggedIn(id, Ok(response))) {
        if let Effect::LoadInbox(id) = effect {
            update(
                &mut app,
                Action::InboxLoaded(
                    id,
                    Ok(Snapshot {
                        items: dossiers(),
                        seq: 1,
                    }),
                ),
            );
        }
    }
    // Every queue at once: the largest view.
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    let load = load_start.elapsed();
    assert_eq!(app.inbox.items.len(), DOSSIERS);
    let rss_loaded = rss_mb();

    // Render with 100,000 loaded.
    let draws = 300;
    let start = Instant::now();
    for i in 0..draws {
        if i % 2 == 0 {
            update(
                &mut app,
                Action::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
            );
        }
        terminal.draw(|f| render(&app, f)).unwrap();
    }
    let render_ms = per(start.elapsed(), draws);

    // Filter: one keystroke at a time, as typed.
    update(&mut app, key('/'));
    let query = "nguyen van an";
    let mut worst = Duration::ZERO;
    let start = Instant::now();
    for c in query.chars() {
        let t = Instant::now();
        update(&mut app, key(c));
        worst = worst.max(t.elapsed());
    }
    let filter_ms = per(start.elapsed(), query.chars().count());
    let matches = app.inbox.view.len();

    println!("motcua TUI benchmark ({DOSSIERS} dossiers loaded)");
    println!(
        "  time to first frame:        {:8.2} ms   (target ≤ 100 ms)",
        first_frame.as_secs_f64() * 1000.0
    );
    println!(
        "  load + index 100,000:       {:8.2} ms",
        load.as_secs_f64() * 1000.0
    );
    println!("  inbox render (160×48):      {render_ms:8.3} ms   (target ≤ 5 ms; mean of {draws})");
    println!(
        "  filter per keystroke:       {filter_ms:8.2} ms   (target ≤ 20 ms; worst {:.2} ms; '{query}' → {matches} matches)",
        worst.as_secs_f64() * 1000.0
    );
    match (rss_before, rss_loaded) {
        (Some(before), Some(after)) => println!(
            "  resident memory, loaded:    {after:8.1} MB   (target ≤ 100 MB; {before:.1} MB before loading)"
        ),
        _ => println!("  resident memory:            not available on this platform"),
    }
}
