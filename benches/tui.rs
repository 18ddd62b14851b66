//! TUI figures (issue 18: the inbox pages). Prints them beside the targets; asserts no
//! timing.
//!
//! In process, no network: time to first frame; an office of 100,000 dossiers served
//! page by page as the portal would, scrolled from the first to the last (resident
//! memory after, target ≤ 40 MB); inbox render time; the filter's answer from the rows
//! held, per keystroke (target ≤ 20 ms).
//!
//! Over the link emulator at 256 kbit/s each way and 600 ms round trips, against the
//! portal with an office of 70,000 dossiers (built once by `portal::bulk` and cached
//! under `target/bench-data/`): the first screen after login (target ≤ 1.5 × the floor of
//! one page: its bytes at the link's bandwidth plus one round trip), and the filter's
//! answer from the portal after typing stops (target: one round trip, i.e. ≤ the floor
//! of that one request, beside the pause the filter waits for).
//!
//! Run: `cargo bench --bench tui`.

use chrono::{DateTime, FixedOffset};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::api::auth::{LoginResponse, Me, OfficeRef};
use motcua::api::dossiers::{Channel, DossierSummary, PaymentStatus};
use motcua::client::PortalClient;
use motcua::domain::Lang;
use motcua::domain::calendar::Calendar;
use motcua::domain::status::{Queue, Status};
use motcua::domain::workflow::Role;
use motcua::linksim::{self, LinkSpec};
use motcua::portal::state::Settings;
use motcua::portal::{self, Seed, bulk};
use motcua::tui::action::{Action, Effect};
use motcua::tui::keymap::Keymap;
use motcua::tui::paging::{FILTER_PAUSE, Fetch, PAGE_ROWS, PageAnswer};
use motcua::tui::state::{App, Profile};
use motcua::tui::theme::Theme;
use motcua::tui::update::update;
use motcua::tui::view::render;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const DOSSIERS: usize = 100_000;
const LINK_OFFICE: usize = 70_000;
const KBPS: u64 = 256;
const RTT_MS: u64 = 600;
const PASSWORD: &str = "Motcua-demo-2026";
const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"];
const MIDDLE: [&str; 6] = ["Văn", "Thị", "Minh", "Quốc", "Ngọc", "Hữu"];
const GIVEN: [&str; 10] = [
    "An", "Anh", "Bình", "Châu", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Yến",
];
const STATUSES: [Status; 5] = [
    Status::Received,
    Status::InProgress,
    Status::AwaitingPayment,
    Status::ResultReady,
    Status::Returned,
];

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-24T10:00:00+07:00").unwrap()
}

/// The `n`-th dossier of the office in the portal's order (due time, then code), made
/// when served: the bench never holds the office either.
fn dossier(n: usize) -> DossierSummary {
    let status = STATUSES[n % STATUSES.len()];
    let minutes = n as i64;
    let due = now() + chrono::Duration::minutes(minutes);
    DossierSummary {
        code: format!(
            "000.01.27.H07-26{:02}{:02}-{:04}",
            11,
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
        received_at: Some("2026-11-20T09:00:00+07:00".into()),
        due_at: Some(due.to_rfc3339()),
        overdue: false,
        payment_status: PaymentStatus::Unpaid,
        version: 1,
    }
}

/// A page of the `all` queue as the portal answers it; the cursor is the next index.
fn serve(fetch: &Fetch) -> PageAnswer {
    let from: usize = fetch.cursor.as_deref().map_or(0, |c| c.parse().unwrap());
    let to = (from + PAGE_ROWS as usize).min(DOSSIERS);
    PageAnswer {
        key: fetch.key.clone(),
        number: fetch.number,
        items: (from..to).map(dossier).collect(),
        next_cursor: (to < DOSSIERS).then(|| to.to_string()),
        total: DOSSIERS as u64,
    }
}

fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn per(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1000.0 / n as f64
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn page_asked(effects: &[Effect]) -> Option<(u64, Fetch)> {
    effects.iter().find_map(|e| match e {
        Effect::LoadPage { id, fetch } => Some((*id, fetch.clone())),
        _ => None,
    })
}

/// A new app, the login typed and answered (state only); returns its first effects.
fn logged_in(url: &str, queue: Queue) -> (App, Vec<Effect>) {
    let profiles = vec![Profile {
        name: "bench".into(),
        url: url.into(),
        training: false,
        demo_hint: None,
    }];
    let mut app = App::new(
        Lang::Vi,
        Theme::default(),
        Keymap::default(),
        profiles,
        now(),
    );
    update(&mut app, Action::Resize(160, 48));
    for c in "tiepnhan1".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Char('x')));
    let effects = update(&mut app, key(KeyCode::Enter));
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
            address: "Số 1 đường Hai Bà Trưng".into(),
            phone: "02753822101".into(),
        }),
        training: false,
    };
    let response = LoginResponse {
        token: "t".into(),
        expires_at: String::new(),
        idle_timeout_s: 1800,
        user,
    };
    // The queue the officer works in (the default is the online submissions).
    app.inbox.queue = queue;
    let effects = update(&mut app, Action::LoggedIn(id, Ok(response)));
    (app, effects)
}

fn main() {
    in_process();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(over_the_link());
}

fn in_process() {
    let rss_start = rss_mb();
    // Time to first frame: the state built from defaults, and one full draw.
    let start = Instant::now();
    let app = App::new(Lang::Vi, Theme::default(), Keymap::default(), vec![], now());
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    terminal.draw(|f| render(&app, f)).unwrap();
    let first_frame = start.elapsed();
    drop(app);

    let (mut app, effects) = logged_in("http://127.0.0.1:9/api/v1", Queue::All);
    let inbox = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadInbox(id) => Some(*id),
            _ => None,
        })
        .expect("the login asks for the inbox");
    let first = serve(&Fetch {
        key: app.inbox.wanted(),
        number: 0,
        cursor: None,
    });
    update(
        &mut app,
        Action::InboxLoaded(inbox, Ok(motcua::tui::action::Snapshot { first, seq: 1 })),
    );
    let rss_first = rss_mb();

    // From the first dossier to the last, one row at a time, every page asked for served
    // at once.
    let start = Instant::now();
    let mut pages = 0;
    let mut most_held = 0;
    for _ in 0..DOSSIERS {
        let mut effects = update(&mut app, key(KeyCode::Down));
        while let Some((id, fetch)) = page_asked(&effects) {
            pages += 1;
            effects = update(&mut app, Action::PageLoaded(id, Ok(serve(&fetch))));
        }
        most_held = most_held.max(app.inbox.items.len());
    }
    let scroll = start.elapsed();
    let last = app.inbox.selected_code().unwrap_or_default();
    assert_eq!(
        last,
        dossier(DOSSIERS - 1).code,
        "the scroll reached the end"
    );
    let rss_end = rss_mb();

    // Render with a window held.
    let draws = 300;
    let start = Instant::now();
    for i in 0..draws {
        if i % 2 == 0 {
            update(&mut app, key(KeyCode::Up));
        }
        terminal.draw(|f| render(&app, f)).unwrap();
    }
    let render_ms = per(start.elapsed(), draws);

    // Filter: one keystroke at a time, as typed, answered from the rows held.
    update(&mut app, key(KeyCode::Char('/')));
    let query = "nguyen van an";
    let mut worst = Duration::ZERO;
    let start = Instant::now();
    for c in query.chars() {
        let t = Instant::now();
        update(&mut app, key(KeyCode::Char(c)));
        worst = worst.max(t.elapsed());
    }
    let filter_ms = per(start.elapsed(), query.chars().count());
    let matches = app.inbox.view.len();
    let held = app.inbox.items.len();

    println!("motcua TUI benchmark, in process ({DOSSIERS} dossiers served page by page)");
    println!(
        "  time to first frame:        {:8.2} ms   (target ≤ 100 ms)",
        ms(first_frame)
    );
    println!(
        "  scroll first → last:        {:8.0} ms   ({DOSSIERS} rows, {pages} pages asked, at most {most_held} rows held)",
        ms(scroll)
    );
    println!("  inbox render (160×48):      {render_ms:8.3} ms   (target ≤ 5 ms; mean of {draws})");
    println!(
        "  filter per keystroke:       {filter_ms:8.3} ms   (target ≤ 20 ms; worst {:.3} ms; '{query}' → {matches} of the {held} rows held)",
        ms(worst)
    );
    match (rss_start, rss_first, rss_end) {
        (Some(start), Some(first), Some(end)) => println!(
            "  resident memory, scrolled:  {end:8.1} MB   (target ≤ 40 MB; {start:.1} MB at start, {first:.1} MB with the first page)"
        ),
        _ => println!("  resident memory:            not available on this platform"),
    }
}

async fn over_the_link() {
    let cached = match cached_office().await {
        Ok(path) => path,
        Err(e) => {
            println!("slow link: no database ({e})");
            return;
        }
    };
    let work = tempfile::tempdir().unwrap();
    let db = work.path().join("portal.sqlite3");
    std::fs::copy(&cached, &db).unwrap();
    let running = portal::start(options(db)).await.unwrap();
    let link = linksim::start(running.addr, LinkSpec::slow(KBPS, RTT_MS))
        .await
        .unwrap();
    let base = format!("http://{}/api/v1", link.addr);
    let client = PortalClient::builder(&base)
        .read_timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    client.login("tiepnhan1", PASSWORD).await.unwrap();
    let bps = (KBPS * 1000) as f64;
    let floor_of = |up: u64, down: u64| {
        Duration::from_secs_f64((up + down) as f64 * 8.0 / bps + RTT_MS as f64 / 1000.0)
    };

    // The floor: one page of the queue, alone.
    let (mut app, effects) = logged_in(&base, Queue::All);
    let (u0, d0, _, _) = link.stats.snapshot();
    let t = Instant::now();
    motcua::tui::paging::fetch(
        &client,
        &Fetch {
            key: app.inbox.wanted(),
            number: 0,
            cursor: None,
        },
    )
    .await
    .unwrap();
    let one_page = t.elapsed();
    let (u1, d1, _, _) = link.stats.snapshot();
    let (page_up, page_down) = (u1 - u0, d1 - d0);
    let page_floor = floor_of(page_up, page_down);

    // The first screen: what the login asks (the first page with the feed's position,
    // and the counts) at once, as the executor does; the screen is drawn when the page
    // is in.
    let (u0, d0, _, _) = link.stats.snapshot();
    let start = Instant::now();
    let inbox_id = effects.iter().find_map(|e| match e {
        Effect::LoadInbox(id) => Some(*id),
        _ => None,
    });
    let stats_id = effects.iter().find_map(|e| match e {
        Effect::LoadStats(id) => Some(*id),
        _ => None,
    });
    let key = app.inbox.wanted();
    let counts = {
        let client = client.clone();
        tokio::spawn(async move {
            let r = client.stats().await;
            (r, start.elapsed())
        })
    };
    let first = motcua::tui::paging::first_screen(&client, key).await;
    let first_at = start.elapsed();
    update(
        &mut app,
        Action::InboxLoaded(inbox_id.unwrap(), Ok(first.unwrap())),
    );
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    terminal.draw(|f| render(&app, f)).unwrap();
    let screen_at = start.elapsed();
    let rows = app.inbox.view.len();
    let (stats, stats_at) = counts.await.unwrap();
    update(
        &mut app,
        Action::StatsLoaded(stats_id.unwrap(), Ok(stats.unwrap())),
    );
    terminal.draw(|f| render(&app, f)).unwrap();
    let counted_at = start.elapsed();
    let (u1, d1, _, _) = link.stats.snapshot();

    // The filter from the portal: typed, then the pause, then one request.
    update(&mut app, key_char('/'));
    let query = "nguyen van an";
    let mut generation = 0;
    let mut worst = Duration::ZERO;
    for c in query.chars() {
        let t = Instant::now();
        for e in update(&mut app, key_char(c)) {
            if let Effect::FilterPause { generation: g } = e {
                generation = g;
            }
        }
        worst = worst.max(t.elapsed());
    }
    let stopped = Instant::now();
    tokio::time::sleep(FILTER_PAUSE).await;
    let effects = update(&mut app, Action::FilterPaused(generation));
    let (id, fetch) = page_asked(&effects).expect("the pause asks the portal");
    let (fu0, fd0, _, _) = link.stats.snapshot();
    let asked = Instant::now();
    let answer = motcua::tui::paging::fetch(&client, &fetch).await.unwrap();
    let request = asked.elapsed();
    let (fu1, fd1, _, _) = link.stats.snapshot();
    update(&mut app, Action::PageLoaded(id, Ok(answer)));
    let completed = stopped.elapsed();
    let search_floor = floor_of(fu1 - fu0, fd1 - fd0);

    println!(
        "motcua TUI over the link: {KBPS} kbit/s each way, {RTT_MS} ms round trips, an office of {LINK_OFFICE} dossiers (queue all)"
    );
    println!(
        "  one page alone:             {:8.0} ms   (its floor {:.0} ms: {page_up} B up, {page_down} B down + 1 round trip)",
        ms(one_page),
        ms(page_floor),
    );
    println!(
        "  first screen after login:   {:8.0} ms   ({:.2} × the floor of one page; target ≤ 1.5; page + feed position in at {:.0} ms, {rows} rows drawn)",
        ms(screen_at),
        screen_at.as_secs_f64() / page_floor.as_secs_f64(),
        ms(first_at)
    );
    println!(
        "  … with the queue counts:    {:8.0} ms   ({:.2} × the floor of one page; GET /stats asked at the same time, in at {:.0} ms)",
        ms(counted_at),
        counted_at.as_secs_f64() / page_floor.as_secs_f64(),
        ms(stats_at)
    );
    println!(
        "  bytes of the first screen:  {:>8} B up, {} B down (page, feed position, counts)",
        u1 - u0,
        d1 - d0
    );
    println!(
        "  filter per keystroke:       {:8.3} ms   (worst, from the rows held; target ≤ 20 ms)",
        ms(worst)
    );
    println!(
        "  filter from the portal:     {:8.0} ms   after typing stops = {:.0} ms pause + {:.0} ms request ({:.2} × the floor of one round trip, {:.0} ms; '{query}' → {} rows shown)",
        ms(completed),
        ms(FILTER_PAUSE),
        ms(request),
        request.as_secs_f64() / search_floor.as_secs_f64(),
        ms(search_floor),
        app.inbox.view.len()
    );
    let _ = running.shutdown().await;
}

fn key_char(c: char) -> Action {
    key(KeyCode::Char(c))
}

fn options(db: PathBuf) -> portal::Options {
    portal::Options {
        bind: "127.0.0.1:0".parse().unwrap(),
        db: db.into(),
        calendar: Calendar::default(),
        seed: Seed::Accounts,
        settings: Settings::default(),
        clock: Default::default(),
    }
}

/// Office 1 with [`LINK_OFFICE`] desk dossiers, built by the bulk loader the first time
/// and kept under `target/bench-data/` (delete it after changing the schema or the
/// loader).
async fn cached_office() -> Result<PathBuf, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("bench-data");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join(format!("tui-{LINK_OFFICE}.sqlite3"));
    if path.exists() {
        return Ok(path);
    }
    let building = tempfile::Builder::new()
        .prefix(".building-")
        .tempdir_in(&dir)
        .map_err(|e| e.to_string())?;
    let db = building.path().join("portal.sqlite3");
    let started = Instant::now();
    let state = portal::prepare(&options(db.clone()))
        .await
        .map_err(|e| e.to_string())?;
    bulk::desk_dossiers(&state, 1, LINK_OFFICE)
        .await
        .map_err(|e| e.to_string())?;
    state.db.close().await;
    std::fs::rename(&db, &path).map_err(|e| e.to_string())?;
    println!(
        "database: {LINK_OFFICE} dossiers built in {:.0} s, cached as {}",
        started.elapsed().as_secs_f64(),
        path.display()
    );
    Ok(path)
}
