//! Crash safety: the real `motcua serve` is killed with SIGKILL in the middle of a burst of
//! officer-assisted creations, three times over on one database, at a different moment
//! each time. After each kill the database must open, pass `PRAGMA integrity_check`, and
//! hold no half-written dossier: every dossier has its audit row, its delta-feed row, its
//! documents and its stored idempotent response; no code is issued twice and the daily
//! counter has not fallen behind; and every 201 the client saw is there, because the
//! server answers only after the commit. A restarted server must then serve and go on
//! numbering without reusing a code.

mod common;

use common::DEMO_PASSWORD;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, oneshot};

/// Concurrent clients in a burst: more than the server's eight database connections,
/// so that requests queue for the write lock when the kill comes.
const CLIENTS: usize = 16;

/// How many creations each round lets succeed before the kill: three different moments.
const KILL_AFTER: [usize; 3] = [50, 85, 130];

/// How long any one wait may take before the test gives up (a debug build on two busy
/// cores is slow, but not this slow).
const PATIENCE: Duration = Duration::from_secs(30);

/// The procedures the burst submits: a free one and one with a fee.
const PROCEDURES: [&str; 2] = ["1.001193", "2.001035"];

/// A `motcua serve` child process; killed (SIGKILL) when dropped, so a failing test
/// leaves no server behind.
struct Server {
    child: Child,
    base: String,
    /// Everything it wrote to stderr, for the failure messages.
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the binary on `db` with a port the system picks, and waits for the log line
    /// that names the address: it is written after the listener is bound and serving.
    async fn start(db: &Path, config: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .arg("--config")
            .arg(config)
            .args(["serve", "--seed", "demo", "--bind", "127.0.0.1:0", "--db"])
            .arg(db)
            // The listening line is logged at info; plain text makes it easy to find.
            .env("RUST_LOG", "info,sqlx=warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the motcua binary starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (found, listening) = oneshot::channel::<String>();
        let lines = Arc::clone(&log);
        // Reads stderr to the end, so the server never blocks on a full pipe; the address
        // goes to the test as soon as its line appears.
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(addr) = listening_address(&line)
                    && let Some(tx) = found.take()
                {
                    let _ = tx.send(addr);
                }
                lines.lock().unwrap().push(line);
            }
        });
        let addr = match tokio::time::timeout(PATIENCE, listening).await {
            Ok(Ok(addr)) => addr,
            // The sender is dropped at end of stream: the server exited without listening.
            Ok(Err(_)) => panic!("the server exited before listening: {:?}", log.lock()),
            Err(_) => panic!("the server did not listen within {PATIENCE:?}: {:?}", log),
        };
        Server {
            child,
            base: format!("http://{addr}/api/v1"),
            log,
        }
    }

    /// SIGKILL (what `Child::kill` sends on Unix): no shutdown code runs.
    fn kill(&mut self) {
        self.child.kill().expect("the server can be killed");
        self.child.wait().expect("the killed server is reaped");
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `ADDR` of the serve log line `… listening on http://ADDR/api/v1 (database …)`.
fn listening_address(line: &str) -> Option<String> {
    let rest = line.split("listening on http://").nth(1)?;
    Some(rest.split("/api/v1").next()?.to_owned())
}

async fn login(http: &Client, server: &Server) -> String {
    let res = http
        .post(format!("{}/auth/login", server.base))
        .json(&json!({"username": "tiepnhan1", "password": DEMO_PASSWORD}))
        .send()
        .await
        .expect("login answers");
    assert_eq!(res.status(), StatusCode::OK, "login: {}", server.log());
    let body: Value = res.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// The server answers `/healthz` with its database up.
async fn healthy(http: &Client, server: &Server) {
    let res = http
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .expect("healthz answers");
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["database"], "ok", "{body}");
}

/// One valid desk submission per procedure (first case, every mandatory part on paper),
/// for office 1's first citizen, with how many documents each carries.
async fn submissions(http: &Client, server: &Server, citizen: &str) -> Vec<(Value, usize)> {
    let mut out = Vec::new();
    for code in PROCEDURES {
        let p: Value = http
            .get(format!("{}/procedures/{code}", server.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let case = &p["cases"][0];
        let documents: Vec<Value> = case["documents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["mandatory"] == true)
            .map(|d| json!({"part_id": d["id"], "originals": 1, "copies": 0}))
            .collect();
        let n = documents.len();
        let body = json!({
            "procedure_code": code,
            "case_id": case["id"],
            "applicant": {"citizen_id": citizen},
            "submitter": {"full_name": "Người Nộp Thử", "relation": "self"},
            "documents": documents,
            "delivery": {"method": "in_person"},
            "declaration_accepted": true
        });
        out.push((body, n));
    }
    out
}

/// What the clients saw of one burst.
#[derive(Default)]
struct Seen {
    /// Codes of the 201 answers received in full.
    created: Vec<String>,
    /// Answers other than 201, or a 201 without a code: a failure before the kill.
    unexpected: Vec<String>,
}

/// Runs [`CLIENTS`] tasks creating dossiers in a loop, kills the server once
/// `kill_after` creations have been answered, and returns what the clients saw. Each
/// task ends at its first transport error, which the kill causes.
async fn burst(
    http: &Client,
    server: &mut Server,
    token: &str,
    bodies: &[(Value, usize)],
    kill_after: usize,
) -> Seen {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let answered = Arc::new(AtomicUsize::new(0));
    let enough = Arc::new(Notify::new());
    let mut tasks = Vec::new();
    for t in 0..CLIENTS {
        let (http, url, token) = (
            http.clone(),
            format!("{}/dossiers", server.base),
            token.to_owned(),
        );
        let (seen, answered, enough) = (
            Arc::clone(&seen),
            Arc::clone(&answered),
            Arc::clone(&enough),
        );
        let bodies: Vec<Value> = bodies.iter().map(|(b, _)| b.clone()).collect();
        tasks.push(tokio::spawn(async move {
            for i in 0.. {
                let res = http
                    .post(&url)
                    .bearer_auth(&token)
                    .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
                    .json(&bodies[(t + i) % bodies.len()])
                    .send()
                    .await;
                let Ok(res) = res else { break };
                let status = res.status();
                let Ok(body) = res.json::<Value>().await else {
                    break;
                };
                let mut seen = seen.lock().unwrap();
                match (status, body["code"].as_str()) {
                    (StatusCode::CREATED, Some(code)) => seen.created.push(code.to_owned()),
                    _ => {
                        seen.unexpected.push(format!("{status}: {body}"));
                        break;
                    }
                }
                drop(seen);
                if answered.fetch_add(1, Ordering::SeqCst) + 1 == kill_after {
                    enough.notify_one();
                }
            }
        }));
    }
    // The kill comes the moment enough creations are answered, with the other clients'
    // requests in flight. Should the clients stop early, the timeout says so.
    let waited = tokio::time::timeout(PATIENCE, enough.notified()).await;
    server.kill();
    for task in tasks {
        task.await.expect("a client task ends cleanly");
    }
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    assert!(
        seen.unexpected.is_empty(),
        "answers before the kill: {:?}",
        seen.unexpected
    );
    assert!(
        waited.is_ok(),
        "only {} creations answered in {PATIENCE:?}",
        seen.created.len()
    );
    seen
}

/// Opens the database file as it was left, without the portal's code: what an operator
/// would find after the crash.
async fn open(db: &Path) -> SqliteConnection {
    let options = SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(false);
    SqliteConnection::connect_with(&options)
        .await
        .expect("the database opens")
}

async fn codes(db: &Path) -> HashSet<String> {
    let mut conn = open(db).await;
    let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM dossiers")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    codes.into_iter().collect()
}

/// The sequence number of a dossier code (`<unit>-YYMMDD-NNNN`) and its day as the
/// counter table spells it (`YYYY-MM-DD`).
fn day_and_seq(code: &str) -> (String, i64) {
    let mut parts = code.rsplitn(3, '-');
    let seq = parts.next().unwrap().parse().unwrap();
    let d = parts.next().unwrap();
    (format!("20{}-{}-{}", &d[0..2], &d[2..4], &d[4..6]), seq)
}

/// Every check of a database after a crash; returns the codes it holds.
async fn check_after_crash(
    db: &Path,
    before: &HashSet<String>,
    seen: &Seen,
    documents_of: &HashMap<String, usize>,
) -> HashSet<String> {
    let mut conn = open(db).await;
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(integrity, ["ok"]);
    let dangling: Vec<(String, Option<i64>, String, i64)> =
        sqlx::query_as("PRAGMA foreign_key_check")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert!(dangling.is_empty(), "foreign keys broken: {dangling:?}");

    let twice: Vec<(String, i64)> =
        sqlx::query_as("SELECT code, COUNT(*) FROM dossiers GROUP BY code HAVING COUNT(*) > 1")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert!(twice.is_empty(), "codes issued twice: {twice:?}");

    // The dossier, its audit row, its feed row and its documents are one transaction:
    // none may be found without the others.
    let scalar = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
    let no_audit = scalar(
        "SELECT COUNT(*) FROM dossiers d WHERE NOT EXISTS (SELECT 1 FROM audit a \
         WHERE a.dossier_code = d.code AND a.event = 'dossier_created')",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        no_audit, 0,
        "dossiers without their dossier_created audit row"
    );
    let odd_audit: Vec<(String, i64)> = sqlx::query_as(
        "SELECT a.dossier_code, COUNT(*) FROM audit a WHERE a.event = 'dossier_created' \
         GROUP BY a.dossier_code HAVING COUNT(*) <> 1 \
            OR NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.code = a.dossier_code)",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(
        odd_audit.is_empty(),
        "creation audit rows repeated or without their dossier: {odd_audit:?}"
    );
    let no_change = scalar(
        "SELECT COUNT(*) FROM dossiers d WHERE NOT EXISTS \
         (SELECT 1 FROM changes c WHERE c.dossier_code = d.code)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(no_change, 0, "dossiers missing from the delta feed");
    let no_documents = scalar(
        "SELECT COUNT(*) FROM dossiers d WHERE NOT EXISTS \
         (SELECT 1 FROM dossier_documents dd WHERE dd.dossier_id = d.id)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(no_documents, 0, "dossiers without their documents");

    let rows: Vec<(String, i64, String, i64)> = sqlx::query_as(
        "SELECT d.code, d.office_id, d.procedure_code, \
                (SELECT COUNT(*) FROM dossier_documents dd WHERE dd.dossier_id = d.id) \
         FROM dossiers d",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let after: HashSet<String> = rows.iter().map(|r| r.0.clone()).collect();
    let new: HashSet<&String> = after.difference(before).collect();
    for (code, _, procedure, documents) in rows.iter().filter(|r| new.contains(&r.0)) {
        assert_eq!(
            Some(*documents as usize),
            documents_of.get(procedure).copied(),
            "{code}: every document of the request, no fewer"
        );
    }
    // The stored response of each POST commits with its dossier: each new dossier has
    // one, and no stored 201 names a dossier that is not there.
    let answered: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT json_extract(response, '$.code') FROM idempotency WHERE status = 201",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let answered: HashSet<String> = answered.into_iter().flatten().collect();
    for code in &new {
        assert!(answered.contains(*code), "{code} has no stored response");
    }
    for code in &answered {
        assert!(after.contains(code), "stored response for a missing {code}");
    }

    // The server answered 201 only after the commit: each of those is there, and new.
    for code in &seen.created {
        assert!(new.contains(code), "{code} was answered 201 but is not new");
    }
    let unanswered = new.len() - seen.created.len();
    assert!(
        unanswered <= CLIENTS,
        "{unanswered} committed dossiers were never answered, more than were in flight"
    );

    // The daily counter is bumped in the creating transaction: for each office and day
    // it equals the highest number issued, and every number up to it is in use.
    let counters: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT office_id, day, last FROM dossier_counters")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let counters: HashMap<(i64, String), i64> = counters
        .into_iter()
        .map(|(office, day, last)| ((office, day), last))
        .collect();
    let mut issued: BTreeMap<(i64, String), Vec<i64>> = BTreeMap::new();
    for (code, office, _, _) in &rows {
        let (day, seq) = day_and_seq(code);
        issued.entry((*office, day)).or_default().push(seq);
    }
    for (key, mut seqs) in issued {
        seqs.sort_unstable();
        let last = counters.get(&key).copied().unwrap_or(0);
        let highest = *seqs.last().unwrap();
        assert!(
            last >= highest,
            "{key:?}: counter {last} < issued {highest}"
        );
        assert_eq!(
            seqs,
            (1..=last).collect::<Vec<_>>(),
            "{key:?}: numbers up to the counter, each once"
        );
    }
    conn.close().await.unwrap();
    println!(
        "answered 201 before the kill: {}; new dossiers found: {}; committed but unanswered: {}; \
         dossiers in all: {}",
        seen.created.len(),
        new.len(),
        unanswered,
        after.len()
    );
    after
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_burst_of_creations_leaves_no_half_written_dossier() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.sqlite3");
    // An empty configuration: the defaults, whatever the machine's own file says.
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let http = Client::builder().timeout(PATIENCE).build().unwrap();

    let mut server = Server::start(&db, &config).await;
    let citizen: String = {
        let mut conn = open(&db).await;
        let id = sqlx::query_scalar(
            "SELECT c.public_id FROM citizens c JOIN offices o ON o.id = c.office_id \
             WHERE o.number = 1 ORDER BY c.id LIMIT 1",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
        id
    };
    let bodies = submissions(&http, &server, &citizen).await;
    let documents_of: HashMap<String, usize> = bodies
        .iter()
        .map(|(b, n)| (b["procedure_code"].as_str().unwrap().to_owned(), *n))
        .collect();
    let mut all_created: HashSet<String> = HashSet::new();

    for (round, kill_after) in KILL_AFTER.into_iter().enumerate() {
        healthy(&http, &server).await;
        let token = login(&http, &server).await;
        let before = codes(&db).await;
        let seen = burst(&http, &mut server, &token, &bodies, kill_after).await;
        // What the kill left beside the database: the write-ahead log, not yet
        // checkpointed, which the next opening must replay.
        let wal = std::fs::metadata(dir.path().join("p.sqlite3-wal")).map_or(0, |m| m.len());
        println!(
            "round {}: killed after {kill_after} answers, leaving a WAL of {wal} bytes",
            round + 1
        );
        check_after_crash(&db, &before, &seen, &documents_of).await;
        for code in &seen.created {
            assert!(all_created.insert(code.clone()), "{code} answered twice");
        }
        // The next round runs on a restarted server, on the same file.
        server = Server::start(&db, &config).await;
    }

    // The last restart: it serves, and its first dossier takes the next number of the
    // day, after every number issued before the crashes.
    healthy(&http, &server).await;
    let token = login(&http, &server).await;
    let before = codes(&db).await;
    let res = http
        .post(format!("{}/dossiers", server.base))
        .bearer_auth(&token)
        .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
        .json(&bodies[0].0)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "{}", server.log());
    let body: Value = res.json().await.unwrap();
    let code = body["code"].as_str().unwrap().to_owned();
    assert!(!before.contains(&code), "{code} was issued before");
    let (day, seq) = day_and_seq(&code);
    let highest_before = before
        .iter()
        .filter(|c| c.starts_with(&code[..code.len() - 4]))
        .map(|c| day_and_seq(c).1)
        .max()
        .unwrap_or(0);
    assert_eq!(
        seq,
        highest_before + 1,
        "{code} on {day} continues the numbering"
    );
    println!(
        "after three kills: {} dossiers answered in all; the restarted server issued {code}",
        all_created.len()
    );
}
