//! The outbox on a bad link: officer-assisted submissions queued on disk and sent through
//! the link emulator (256 kbit/s, 300 ms round trips, a cut about every 20 KB) by a client
//! process that is killed with SIGKILL at random moments and started again. Exactly as
//! many dossiers as were queued reach the portal: none twice, none lost.
//!
//! CI runs 100 submissions and 3 kills. The full run (1,000 and 10 kills):
//! `MOTCUA_RELIABILITY_FULL=1 cargo test --release --test outbox_reliability -- --nocapture`.
//!
//! On PostgreSQL (`MOTCUA_TEST_POSTGRES`) the same drill runs a second time against three
//! `motcua serve` processes on one database, the link handing each new connection to the
//! next process in turn, one process killed and started again midway: the codes of the
//! day stay unique and without a gap.
//!
//! The client process is this test binary run again with `MOTCUA_DRILL` set; without it,
//! `drill_client` runs the same drill in-process on a clean link and checks its count.

mod common;

use common::{DEMO_PASSWORD, Portal};
use motcua::api::dossiers::{
    ApplicantRef, CreateDossier, Delivery, DocumentIn, Relation, Submitter,
};
use motcua::client::PortalClient;
use motcua::client::outbox::{self, Outbox, Report, Write};
use motcua::domain::Lang;
use motcua::domain::workflow::DeliveryMethod;
use motcua::linksim::{self, LinkSpec};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use rand::{Rng, SeedableRng};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The client process, when `MOTCUA_DRILL` names the link to send through (the test
/// below runs this binary again so). In a normal run, the same drill in-process on a
/// clean link: every submission arrives once, and a second run finds nothing to send.
#[test]
fn drill_client() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    if let Ok(base) = std::env::var("MOTCUA_DRILL") {
        let dir = PathBuf::from(std::env::var("MOTCUA_DRILL_DIR").unwrap());
        let number = |name: &str| std::env::var(name).unwrap().parse::<i64>().unwrap();
        let count = number("MOTCUA_DRILL_COUNT") as usize;
        let citizen = std::env::var("MOTCUA_DRILL_CITIZEN").unwrap();
        rt.block_on(drill(&base, &dir, count, &citizen));
        return;
    }
    rt.block_on(async {
        let portal = Portal::with(Settings::default(), Seed::Demo).await;
        let (citizen, _) = portal.citizen_of(1).await;
        let dossiers = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM dossiers")
                .fetch_one(&portal.running.state.db)
                .await
                .unwrap()
        };
        let before = dossiers().await;
        let dir = tempfile::tempdir().unwrap();
        drill(&portal.base, dir.path(), 5, &citizen).await;
        assert_eq!(
            dossiers().await - before,
            5,
            "every queued submission arrives"
        );
        drill(&portal.base, dir.path(), 5, &citizen).await;
        assert_eq!(
            dossiers().await - before,
            5,
            "a finished drill sends nothing again"
        );
    });
}

/// Queues `count` submissions in `dir` (once), then sends them through `base` until the
/// outbox is empty; nothing may end in the dead letters.
async fn drill(base: &str, dir: &std::path::Path, count: usize, citizen: &str) {
    // Queued all at once, or not at all: until the marker is on disk nothing was
    // sent, so an interrupted queueing starts over.
    let marker = dir.join("queued");
    if !marker.exists() {
        let _ = std::fs::remove_file(dir.join("outbox.jsonl"));
        let mut o = Outbox::open(dir).unwrap();
        let writes = (0..count)
            .map(|n| (submission(citizen), format!("drill-{n}")))
            .collect();
        o.push_all(writes).unwrap();
        std::fs::File::create(&marker).unwrap().sync_all().unwrap();
    }
    let outbox = Arc::new(Mutex::new(Outbox::open(dir).unwrap()));
    let client = PortalClient::builder(base)
        .read_timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    // Logging in is a read: retried until it goes through.
    loop {
        if client.login("tiepnhan1", DEMO_PASSWORD).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    outbox::drain(&client, &outbox, 4, Lang::En, |r| match r {
        Report::Failed(e, _, v) => eprintln!("drill: {} {:?}", e.label, v),
        Report::Journal(e) => panic!("the drill's disk refused the journal: {e}"),
        Report::Sent(..) => {}
    })
    .await;
    let o = outbox.lock().unwrap();
    assert_eq!(o.queued(), 0);
    assert!(o.dead().is_empty(), "{:?}", o.dead());
}

fn submission(citizen: &str) -> Write {
    Write::CreateDossier {
        request: Box::new(CreateDossier {
            procedure_code: "1.000656".into(),
            case_id: "dung_han".into(),
            applicant: ApplicantRef::citizen(citizen),
            submitter: Submitter {
                full_name: "Nguyễn Văn An".into(),
                id_number: None,
                relation: Relation::Myself,
                authorization_doc: None,
            },
            documents: ["to_khai", "giay_bao_tu", "giay_to_tuy_than"]
                .into_iter()
                .map(|part| DocumentIn {
                    part_id: part.into(),
                    originals: 1,
                    copies: 0,
                    upload_id: None,
                    stored_document_id: None,
                })
                .collect(),
            delivery: Delivery {
                method: DeliveryMethod::InPerson,
                address: None,
            },
            declaration_accepted: true,
            note: None,
            pages: None,
            copies: None,
            code: None,
            received_at: None,
            printed_due_at: None,
        }),
    }
}

/// The drill's size: (submissions, client kills).
fn drill_size() -> (usize, usize) {
    if std::env::var_os("MOTCUA_RELIABILITY_FULL").is_some() {
        (1000, 10)
    } else {
        (100, 3)
    }
}

/// The link of both drills: 256 kbit/s, 300 ms, a cut about every 20 KB.
fn cutting_link() -> LinkSpec {
    LinkSpec {
        cut_mean: Some(20_000),
        seed: 20261130,
        ..LinkSpec::slow(256, 300)
    }
}

/// Runs the drill client through `base`, killing it `kills` times at random moments
/// (`between_kills` runs after each), then lets a last run finish; `arrived` counts the
/// drill's dossiers on the portal.
async fn drill_with_kills<A, F>(
    base: &str,
    citizen: &str,
    count: usize,
    kills: usize,
    arrived: A,
    mut between_kills: impl FnMut(usize),
) where
    A: Fn() -> F,
    F: std::future::Future<Output = usize>,
{
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let spawn = || {
        Command::new(std::env::current_exe().unwrap())
            .args(["drill_client", "--exact", "--nocapture", "--test-threads=1"])
            .env("MOTCUA_DRILL", base)
            .env("MOTCUA_DRILL_DIR", dir.path())
            .env("MOTCUA_DRILL_COUNT", count.to_string())
            .env("MOTCUA_DRILL_CITIZEN", citizen)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    for k in 0..kills {
        let mut child = spawn();
        let target = count * (k + 1) / (kills + 1);
        let jitter = rng.random_range(0..(count / (kills + 1)).max(1));
        let at = (target + jitter / 2).min(count - 1);
        let deadline = Instant::now() + Duration::from_secs(600);
        // Polled: the count is another process's doing, with nothing to await.
        while arrived().await < at && Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(rng.random_range(5..60))).await;
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        eprintln!("killed the client at {} dossiers", arrived().await);
        between_kills(k);
    }
    let mut child = spawn();
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "the last client run failed");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_queued_submission_arrives_exactly_once_through_cuts_and_kills() {
    let (count, kills) = drill_size();
    let portal = Portal::with(Settings::default(), Seed::Demo).await;
    let (citizen, _) = portal.citizen_of(1).await;
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
        .fetch_one(&portal.running.state.db)
        .await
        .unwrap();
    let link = linksim::start(portal.running.addr, cutting_link())
        .await
        .unwrap();
    let base = format!("http://{}/api/v1", link.addr);
    let started = Instant::now();
    let arrived = || async {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
            .fetch_one(&portal.running.state.db)
            .await
            .unwrap();
        (n - before) as usize
    };
    drill_with_kills(&base, &citizen, count, kills, arrived, |_| {}).await;
    let made = arrived().await;
    let codes: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT code) FROM dossiers")
        .fetch_one(&portal.running.state.db)
        .await
        .unwrap();
    let (up, down, connections, cuts) = link.stats.snapshot();
    println!(
        "outbox reliability: queued {count}, on the portal {made}, distinct codes {}, \
         {kills} kills, {cuts} cuts over {connections} connections, {up} B up, {down} B down, \
         {:.0} s",
        codes - before,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(made, count, "every submission exactly once");
    assert_eq!((codes - before) as usize, count);
    assert!(cuts > 0, "the link did cut");
}

/// A `motcua serve` process on a shared PostgreSQL database, killed with SIGKILL when
/// dropped.
struct ServeProcess {
    child: std::process::Child,
    addr: std::net::SocketAddr,
}

impl ServeProcess {
    /// Starts `motcua serve` on `bind` and waits for the log line that says where it
    /// listens (the event to wait for: it migrates and opens its pool first).
    fn start(url: &str, files: &std::path::Path, home: &std::path::Path, bind: &str) -> Self {
        use std::io::{BufRead, BufReader};
        let mut command = Command::new(env!("CARGO_BIN_EXE_motcua"));
        command
            .args(["serve", "--db", url, "--bind", bind])
            .arg("--files")
            .arg(files)
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // The processes run on the test portals' clock.
        if let Ok(now) = std::env::var(common::TEST_NOW)
            && !now.trim().is_empty()
        {
            command.args(["--now", &now]);
        }
        let mut child = command.spawn().unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let addr = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                let rest = line.split("listening on http://").nth(1)?;
                rest.split('/').next()?.parse().ok()
            })
            .expect("the portal process says where it listens");
        // The rest of its log is read and dropped, so that a full pipe never stops it.
        std::thread::spawn(move || lines.for_each(drop));
        ServeProcess { child, addr }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Issue 18's acceptance: three portal processes on one PostgreSQL, a client that
/// spreads its requests over them, submissions through the cutting link with client
/// kills and one portal process killed and started again on its port → every
/// submission exactly once, no code twice, and each day's numbers without a gap.
#[tokio::test(flavor = "multi_thread")]
async fn three_portal_processes_give_every_submission_one_code_without_gaps() {
    if !common::on_postgres() {
        eprintln!("skipped: several processes need PostgreSQL (MOTCUA_TEST_POSTGRES)");
        return;
    }
    let (count, kills) = drill_size();
    // The test's own portal makes and seeds the database; the three processes serve.
    let portal = Portal::with(Settings::default(), Seed::Demo).await;
    let (citizen, _) = portal.citizen_of(1).await;
    let motcua::portal::db::Database::Postgres { url, files } = portal.database.clone() else {
        unreachable!("on PostgreSQL")
    };
    let home = tempfile::tempdir().unwrap();
    let mut processes: Vec<ServeProcess> = (0..3)
        .map(|_| ServeProcess::start(&url, &files, home.path(), "127.0.0.1:0"))
        .collect();
    let addrs: Vec<_> = processes.iter().map(|p| p.addr).collect();
    let db = portal.running.state.db.clone();
    let last_before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM dossiers")
        .fetch_one(&db)
        .await
        .unwrap();
    let link = linksim::start_spread(&addrs, cutting_link()).await.unwrap();
    let base = format!("http://{}/api/v1", link.addr);
    let started = Instant::now();
    let arrived = || async {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM dossiers WHERE id > {last_before}"
        )))
        .fetch_one(&db)
        .await
        .unwrap();
        n as usize
    };
    // After the first client kill, the second portal process is killed too and started
    // again on its port: what it was writing is rolled back, and the client retries.
    let restart_at = kills / 2;
    drill_with_kills(&base, &citizen, count, kills, arrived, |k| {
        if k == restart_at {
            let addr = processes[1].addr;
            let _ = processes[1].child.kill();
            let _ = processes[1].child.wait();
            processes[1] = ServeProcess::start(&url, &files, home.path(), &addr.to_string());
            eprintln!("killed and restarted the portal process on {addr}");
        }
    })
    .await;
    let made = arrived().await;
    let codes: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT code FROM dossiers WHERE id > {last_before}"
    )))
    .fetch_all(&db)
    .await
    .unwrap();
    // Every code of the days (and offices) the drill's dossiers were numbered in.
    let prefixes: std::collections::BTreeSet<String> = codes
        .iter()
        .map(|c| c.rsplit_once('-').unwrap().0.to_owned())
        .collect();
    let mut gaps = Vec::new();
    for prefix in &prefixes {
        let day: Vec<String> = sqlx::query_scalar("SELECT code FROM dossiers WHERE code LIKE $1")
            .bind(format!("{prefix}-%"))
            .fetch_all(&db)
            .await
            .unwrap();
        let mut numbers: Vec<u32> = day
            .iter()
            .map(|c| c.rsplit_once('-').unwrap().1.parse().unwrap())
            .collect();
        numbers.sort_unstable();
        if numbers != (1..=numbers.len() as u32).collect::<Vec<_>>() {
            gaps.push(format!("{prefix}: {numbers:?}"));
        }
    }
    let (up, down, connections, cuts) = link.stats.snapshot();
    let spread = link.stats.spread();
    println!(
        "three portal processes: queued {count}, on the portal {made}, distinct codes {} \
         over {} day(s), {kills} client kills and 1 portal kill, {cuts} cuts over \
         {connections} connections spread {spread:?}, {up} B up, {down} B down, {:.0} s",
        codes
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        prefixes.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(made, count, "every submission exactly once");
    assert_eq!(
        codes
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        count,
        "no code twice"
    );
    assert!(gaps.is_empty(), "the day's numbers have gaps: {gaps:?}");
    assert!(
        spread.iter().all(|&n| n > 0),
        "every process served: {spread:?}"
    );
    assert!(cuts > 0, "the link did cut");
}
