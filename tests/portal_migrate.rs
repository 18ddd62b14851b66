//! `motcua migrate` (src/portal/migrate.rs), the real binary from an SQLite portal's file
//! into a PostgreSQL database: a portal started on the copy answers every list, dossier,
//! history, the statistics and the delta feed exactly as a portal on the original does,
//! and takes new writes without an id colliding; a target that holds data is refused
//! and left as it was; a copy that fails half-way leaves nothing; an outdated or missing
//! source is refused, saying what to do.
//!
//! The tests that copy need a PostgreSQL server: `MOTCUA_TEST_POSTGRES` names its
//! maintenance database (as in `tests/common/mod.rs`, which `.ci/run` sets). Without it
//! they say they were skipped and pass; the refusals that never reach the target run
//! anyway.

mod common;

use common::{DEMO_PASSWORD, TestDatabase, status_json};
use motcua::clock::Clock;
use motcua::domain::calendar::{Calendar, LocalTime};
use motcua::portal::db::Database;
use motcua::portal::state::Settings;
use motcua::portal::{self, Running, Seed};
use serde_json::{Value, json};
use sqlx::{Connection, Row};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The instant the source portal is seeded at: a Tuesday morning, +07:00.
const SEEDED_AT: &str = "2026-03-10T09:00:00+07:00";

fn at(instant: &str) -> LocalTime {
    motcua::clock::parse_instant(instant).expect("a test instant")
}

/// The PostgreSQL server's maintenance URL, or `None` (and a line saying `test` is
/// skipped).
fn postgres_admin(test: &str) -> Option<String> {
    match std::env::var("MOTCUA_TEST_POSTGRES") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            eprintln!("{test}: skipped: MOTCUA_TEST_POSTGRES is not set (no PostgreSQL server)");
            None
        }
    }
}

/// A new database on the test server (`common::TestDatabase`: byte-order collation,
/// dropped with this value).
struct Scratch {
    /// Held: the database is dropped with it.
    _db: TestDatabase,
    url: String,
}

impl Scratch {
    async fn new(admin: &str) -> Scratch {
        let db = TestDatabase::create(admin).await;
        let url = db.url.clone();
        Scratch { _db: db, url }
    }

    async fn connect(&self) -> sqlx::PgConnection {
        sqlx::PgConnection::connect(&self.url).await.unwrap()
    }

    /// The rows of every table (the migrations' aside), and the database's name token.
    async fn contents(&self) -> (BTreeMap<String, i64>, String) {
        let mut conn = self.connect().await;
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
               AND table_name <> '_sqlx_migrations'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let mut counts = BTreeMap::new();
        for table in tables {
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM \"{table}\""
            )))
            .fetch_one(&mut conn)
            .await
            .unwrap();
            counts.insert(table, n);
        }
        let token: String = sqlx::query_scalar("SELECT token FROM portal_identity")
            .fetch_optional(&mut conn)
            .await
            .unwrap()
            .unwrap_or_default();
        conn.close().await.unwrap();
        (counts, token)
    }
}

/// `motcua migrate --from FROM --to TO`, the real binary.
fn migrate(from: &Path, to: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["migrate", "--from"])
        .arg(from)
        .args(["--to", to])
        .env_remove("MOTCUA_DATABASE_URL")
        .output()
        .expect("motcua runs")
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn start(db: Database, seed: Seed, clock: Clock) -> Running {
    portal::start(portal::Options {
        bind: "127.0.0.1:0".parse().unwrap(),
        db,
        calendar: Calendar::default(),
        seed,
        settings: Settings::default(),
        clock,
    })
    .await
    .expect("portal starts")
}

/// A portal over HTTP, logged in as one user.
struct Api {
    base: String,
    http: reqwest::Client,
    token: String,
}

impl Api {
    async fn login(running: &Running, username: &str) -> Api {
        let base = format!("http://{}/api/v1", running.addr);
        let http = reqwest::Client::new();
        let (status, body) = status_json(
            http.post(format!("{base}/auth/login"))
                .json(&json!({"username": username, "password": DEMO_PASSWORD}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "login of {username}: {body}");
        let token = body["token"].as_str().unwrap().to_owned();
        Api { base, http, token }
    }

    /// GET `path`: must answer 200 with JSON.
    async fn get(&self, path: &str) -> Value {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let (status, body) = status_json(res).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    async fn post(&self, path: &str, body: &Value, if_match: Option<i64>) -> (u16, Value) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
            .json(body);
        if let Some(version) = if_match {
            req = req.header("If-Match", format!("\"{version}\""));
        }
        status_json(req.send().await.unwrap()).await
    }

    /// Every page of a list (`path` has a query already), following `next_cursor`.
    async fn pages(&self, path: &str) -> Vec<Value> {
        let mut pages = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}&cursor={c}"),
                None => path.to_owned(),
            };
            let page = self.get(&url).await;
            cursor = page["next_cursor"].as_str().map(str::to_owned);
            pages.push(page);
            if cursor.is_none() {
                break;
            }
            assert!(pages.len() < 100, "{path}: the cursors do not end");
        }
        pages
    }

    /// A new citizen; answers the citizen's id.
    async fn new_citizen(&self, id_number: &str, name: &str) -> String {
        let (status, body) = self
            .post(
                "/citizens",
                &json!({
                    "id_number": id_number,
                    "full_name": name,
                    "date_of_birth": "1991-07-21",
                    "gender": "female",
                    "phone": "0913 456 789",
                    "email": "chuyen.nha@example.com",
                    "address": "Số 12 đường Hùng Vương, Phường An Hội, TP. Bến Tre",
                }),
                None,
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["citizen"]["id"].as_str().unwrap().to_owned()
    }

    /// A desk dossier of procedure 1.004873 for `citizen`, forwarded to `chuyenvien1`;
    /// answers its code.
    async fn dossier_forwarded(&self, citizen: &str) -> String {
        let procedure = self.get("/procedures/1.004873").await;
        let case = &procedure["cases"][0];
        let documents: Vec<Value> = case["documents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["mandatory"] == true)
            .map(|d| json!({"part_id": d["id"], "originals": 1, "copies": 0}))
            .collect();
        let (status, dossier) = self
            .post(
                "/dossiers",
                &json!({
                    "procedure_code": "1.004873",
                    "case_id": case["id"],
                    "applicant": {"citizen_id": citizen},
                    "submitter": {"full_name": "Người Nộp Thử", "relation": "self"},
                    "documents": documents,
                    "delivery": {"method": procedure["delivery"][0]},
                    "declaration_accepted": true
                }),
                None,
            )
            .await;
        assert_eq!(status, 201, "{dossier}");
        let code = dossier["code"].as_str().unwrap().to_owned();
        let (status, moved) = self
            .post(
                &format!("/dossiers/{code}/actions"),
                &json!({"action": "forward", "assignee": "chuyenvien1"}),
                dossier["version"].as_i64(),
            )
            .await;
        assert_eq!(status, 200, "{moved}");
        code
    }
}

/// An SQLite portal's file in `dir`: the demo seed, then a citizen created and a dossier
/// taken in and forwarded through the API, so that the feed, the audit and the counters
/// have rows of their own; the portal is then stopped.
async fn sqlite_source(dir: &Path, seed: Seed) -> PathBuf {
    let path = dir.join("portal.sqlite3");
    let running = start(
        Database::Sqlite(path.clone()),
        seed,
        Clock::starting_at(at(SEEDED_AT)),
    )
    .await;
    let desk = Api::login(&running, "tiepnhan1").await;
    let citizen = desk.new_citizen("083191777002", "Lê Thị Chuyển").await;
    desk.dossier_forwarded(&citizen).await;
    let pool = running.state.db.clone();
    running.shutdown().await.unwrap();
    pool.close().await;
    path
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

async fn sqlite_token(path: &Path) -> String {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    let token = sqlx::query("SELECT token FROM portal_identity")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get::<String, _>(0);
    conn.close().await.unwrap();
    token
}

#[tokio::test]
async fn a_migrated_portal_answers_as_the_original_and_takes_new_writes() {
    let test = "a_migrated_portal_answers_as_the_original_and_takes_new_writes";
    let Some(admin) = postgres_admin(test) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let source = sqlite_source(dir.path(), Seed::Demo).await;
    let target = Scratch::new(&admin).await;

    let out = migrate(&source, &target.url);
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("counts and checksums agree"), "{text}");
    assert!(
        text.contains("--files"),
        "the files are the user's to copy: {text}"
    );
    for table in [
        "offices",
        "dossiers",
        "audit",
        "changes",
        "dossier_documents",
    ] {
        assert!(text.contains(table), "{table} in the report: {text}");
    }
    // The portal keeps its name (e-mail Message-IDs) when it moves.
    assert_eq!(target.contents().await.1, sqlite_token(&source).await);

    // What `docs/portal.md` tells the user to do with the uploaded files.
    let files = dir.path().join("pg-files");
    copy_dir(&dir.path().join("files"), &files);

    // One clock for both, stopped: every due time and overdue flag is judged at the
    // same instant on each side.
    let clock = Clock::starting_at(at(SEEDED_AT));
    clock.stop_at(at("2026-03-10T10:00:00+07:00"));
    let original = start(Database::Sqlite(source.clone()), Seed::None, clock.clone()).await;
    let copy = start(
        Database::Postgres {
            url: target.url.clone(),
            files,
        },
        Seed::None,
        clock.clone(),
    )
    .await;
    let (a, b) = (
        Api::login(&original, "tiepnhan1").await,
        Api::login(&copy, "tiepnhan1").await,
    );

    let inbox = a.pages("/dossiers?limit=500").await;
    assert_eq!(inbox, b.pages("/dossiers?limit=500").await, "the inbox");
    let codes: Vec<String> = inbox
        .iter()
        .flat_map(|page| page["items"].as_array().unwrap())
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        codes.len() > 50,
        "the demo seed has dossiers: {}",
        codes.len()
    );
    let queues = a.pages("/dossiers?limit=500&queue=all").await;
    assert_eq!(queues, b.pages("/dossiers?limit=500&queue=all").await);
    // A sample of 30 spread over the inbox, and every dossier of the first page's top.
    let step = (codes.len() / 30).max(1);
    for code in codes.iter().step_by(step).chain(codes.iter().take(10)) {
        for path in [
            format!("/dossiers/{code}"),
            format!("/dossiers/{code}/history"),
        ] {
            assert_eq!(a.get(&path).await, b.get(&path).await, "{path}");
        }
    }
    for path in [
        "/stats",
        "/dossiers/changes",
        "/dossiers/changes?since=0",
        "/offices",
    ] {
        assert_eq!(a.get(path).await, b.get(path).await, "{path}");
    }
    let citizens = a.pages("/citizens?limit=500").await;
    assert_eq!(
        citizens,
        b.pages("/citizens?limit=500").await,
        "the citizens"
    );
    assert!(
        citizens[0]["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["full_name"] == "Lê Thị Chuyển"),
        "the citizen created before the move"
    );
    // The other roles see the same too.
    let (sa, sb) = (
        Api::login(&original, "chuyenvien1").await,
        Api::login(&copy, "chuyenvien1").await,
    );
    assert_eq!(
        sa.pages("/dossiers?limit=500").await,
        sb.pages("/dossiers?limit=500").await
    );

    // New writes on the copy: a citizen, a dossier taken in and forwarded. Each new row
    // gets an id past the copied ones (a collision would be a 500).
    let feed_before = b.get("/dossiers/changes").await["seq"].as_i64().unwrap();
    let citizen = b.new_citizen("083191777003", "Phạm Văn Sau").await;
    let code = b.dossier_forwarded(&citizen).await;
    assert!(!codes.contains(&code), "{code} is a new code");
    let history = b.get(&format!("/dossiers/{code}/history")).await;
    assert!(!history.to_string().is_empty());
    let feed = b
        .get(&format!("/dossiers/changes?since={feed_before}"))
        .await;
    assert!(
        feed["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == code.as_str()),
        "{feed}"
    );
    assert!(feed["seq"].as_i64().unwrap() > feed_before, "{feed}");
    let mut conn = target.connect().await;
    for (table, column) in [
        ("audit", "id"),
        ("changes", "seq"),
        ("citizens", "id"),
        ("dossiers", "id"),
    ] {
        let duplicated: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) - COUNT(DISTINCT {column}) FROM {table}"
        )))
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(duplicated, 0, "{table}.{column}");
    }
    // The new dossier's parts come after every copied part, in the order given.
    let last: String = sqlx::query_scalar(
        "SELECT d.code FROM dossier_documents p JOIN dossiers d ON d.id = p.dossier_id \
         ORDER BY p.position DESC LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(last, code);
    conn.close().await.unwrap();

    original.shutdown().await.unwrap();
    copy.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_target_with_data_is_refused_and_a_failed_copy_leaves_nothing() {
    let test = "a_target_with_data_is_refused_and_a_failed_copy_leaves_nothing";
    let Some(admin) = postgres_admin(test) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let source = sqlite_source(dir.path(), Seed::Accounts).await;
    let target = Scratch::new(&admin).await;

    // A value PostgreSQL will not take (text in an integer column, which SQLite keeps):
    // the copy stops at that table, and the target is as empty as before.
    let mut sqlite = sqlx::SqliteConnection::connect(&format!("sqlite:{}", source.display()))
        .await
        .unwrap();
    sqlx::query("INSERT INTO sandbox (key, value) VALUES ('khong_phai_so', 'not a number')")
        .execute(&mut sqlite)
        .await
        .unwrap();
    let out = migrate(&source, &target.url);
    let text = said(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("table sandbox"), "{text}");
    assert!(text.contains("nothing was written"), "{text}");
    let (counts, _) = target.contents().await;
    let holding: Vec<_> = counts
        .iter()
        .filter(|(table, n)| **n > 0 && table.as_str() != "portal_identity")
        .collect();
    assert!(
        holding.is_empty(),
        "rows left by a failed copy: {holding:?}"
    );

    sqlx::query("DELETE FROM sandbox WHERE key = 'khong_phai_so'")
        .execute(&mut sqlite)
        .await
        .unwrap();
    sqlite.close().await.unwrap();
    let out = migrate(&source, &target.url);
    assert!(out.status.success(), "{}", said(&out));
    let before = target.contents().await;
    assert!(
        before.0["offices"] > 0 && before.0["citizens"] > 0,
        "{before:?}"
    );

    // Again into the same, now full, database: refused, naming a table; nothing changes.
    let out = migrate(&source, &target.url);
    let text = said(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("new, empty database"), "{text}");
    let named = before
        .0
        .iter()
        .any(|(table, n)| *n > 0 && text.contains(&format!("(table {table})")));
    assert!(named, "the message names a table that holds rows: {text}");
    assert_eq!(target.contents().await, before);
}

#[tokio::test]
async fn a_source_not_at_this_version_or_missing_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // The target is never reached: these are refused first (no server needed).
    let nowhere = "postgres://motcua@127.0.0.1:1/motcua";
    let out = migrate(&dir.path().join("nowhere.sqlite3"), nowhere);
    let text = said(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("there is no database at"), "{text}");
    assert!(text.contains("nowhere.sqlite3"), "{text}");

    // A file last served by an older motcua: one migration short of this version.
    let path = dir.path().join("old.sqlite3");
    motcua::portal::db::open(&Database::Sqlite(path.clone()))
        .await
        .unwrap()
        .close()
        .await;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let out = migrate(&path, nowhere);
    let text = said(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("motcua serve --db"), "{text}");
    assert!(text.contains("is not at this version's schema"), "{text}");

    // Not a PostgreSQL URL.
    let out = migrate(&path, "/tmp/portal.sqlite3");
    assert!(!out.status.success());
    assert!(
        said(&out).contains("--to is a PostgreSQL URL"),
        "{}",
        said(&out)
    );
}
