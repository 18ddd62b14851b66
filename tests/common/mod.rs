//! Test support: a real portal on 127.0.0.1:0 with a fresh database, and an HTTP client.

#![allow(dead_code)] // each test binary uses its own part of this module

pub mod desk;
pub mod pages;
pub mod pdf;
pub mod pictures;
pub mod smtp;
pub mod tmux;
pub mod tui;

use motcua::clock::Clock;
use motcua::domain::calendar::Calendar;
use motcua::portal::state::Settings;
use motcua::portal::{self, Running, Seed};
use reqwest::{Client, RequestBuilder, Response};
use serde_json::{Value, json};

pub const DEMO_PASSWORD: &str = "Motcua-demo-2026";

/// The environment variable that starts every test portal's clock at a chosen instant
/// (RFC 3339). `.ci/run` runs the suites that read due times again at a Saturday 10:00
/// and a weekday 16:30 (+07:00) with it, so a test that silently depends on the hour or
/// the weekday fails in CI, not on the day it happens to run then.
pub const TEST_NOW: &str = "MOTCUA_TEST_NOW";

/// The clock of a test portal: started at `MOTCUA_TEST_NOW` when set, else the system's.
pub fn test_clock() -> Clock {
    match std::env::var(TEST_NOW) {
        Ok(now) if !now.trim().is_empty() => Clock::starting_at(
            motcua::clock::parse_instant(&now).unwrap_or_else(|e| panic!("{TEST_NOW}: {e}")),
        ),
        _ => Clock::system(),
    }
}

/// The environment variable that runs every test portal on PostgreSQL: the URL of a
/// server's maintenance database (`postgres://motcua@127.0.0.1:5432/postgres`) as a role
/// that may create databases. Each portal gets a database of its own, dropped with it.
/// `.ci/run` runs the portal suites a second time with it set.
pub const TEST_POSTGRES: &str = "MOTCUA_TEST_POSTGRES";

pub struct Portal {
    pub running: Running,
    pub base: String,
    pub http: Client,
    /// The portal's SQLite file, in a directory that goes with the portal (on
    /// PostgreSQL: no such file; see `postgres`).
    pub db_path: std::path::PathBuf,
    /// On PostgreSQL: the portal's own database, dropped with the portal.
    pub postgres: Option<TestDatabase>,
    /// Where the portal keeps its data (for a second process on it: `beside`).
    pub database: portal::db::Database,
    _dir: tempfile::TempDir,
}

/// Whether the test portals run on PostgreSQL (`MOTCUA_TEST_POSTGRES`).
pub fn on_postgres() -> bool {
    postgres_admin().is_some()
}

fn postgres_admin() -> Option<String> {
    std::env::var(TEST_POSTGRES)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// A fresh database on the test server, sorting text byte by byte as the portal needs.
async fn fresh_postgres(admin: &str) -> (String, String) {
    use sqlx::Connection;
    let name = format!("motcua_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .unwrap_or_else(|e| panic!("{TEST_POSTGRES}={admin}: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' \
         LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
    )))
    .execute(&mut conn)
    .await
    .expect("a test database");
    let mut url = url::Url::parse(admin).expect("a PostgreSQL URL");
    url.set_path(&name);
    (url.to_string(), name)
}

/// A test's PostgreSQL database: the server's maintenance URL, its name and its URL;
/// dropped with this value.
pub struct TestDatabase {
    pub admin: String,
    pub name: String,
    pub url: String,
}

impl TestDatabase {
    /// A fresh database on the server `admin` names.
    pub async fn create(admin: &str) -> TestDatabase {
        let (url, name) = fresh_postgres(admin).await;
        TestDatabase {
            admin: admin.to_owned(),
            name,
            url,
        }
    }
}

impl Drop for TestDatabase {
    /// A PostgreSQL test database goes with its portal (`FORCE` closes the portal's
    /// connections), from a thread of its own: a drop cannot await.
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            use sqlx::Connection;
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            rt.block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await;
                }
            });
        })
        .join();
    }
}

impl Portal {
    /// A portal with the demo accounts (no dossiers) and default settings.
    pub async fn demo() -> Portal {
        Portal::with(Settings::default(), Seed::Accounts).await
    }

    pub async fn with(settings: Settings, seed: Seed) -> Portal {
        Portal::with_clock(settings, seed, test_clock()).await
    }

    /// A portal whose clock reads `now` (RFC 3339) at the start and runs on: for the
    /// tests that read due times, which must hold at any hour of any day.
    pub async fn at(now: &str, settings: Settings, seed: Seed) -> Portal {
        let now = motcua::clock::parse_instant(now).expect("a test instant");
        Portal::with_clock(settings, seed, Clock::starting_at(now)).await
    }

    pub async fn with_clock(settings: Settings, seed: Seed, clock: Clock) -> Portal {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_path = dir.path().join("portal.sqlite3");
        let postgres = match postgres_admin() {
            Some(admin) => Some(TestDatabase::create(&admin).await),
            None => None,
        };
        let db = match &postgres {
            Some(test_db) => portal::db::Database::Postgres {
                url: test_db.url.clone(),
                files: dir.path().join("files"),
            },
            None => db_path.clone().into(),
        };
        let options = portal::Options {
            bind: "127.0.0.1:0".parse().unwrap(),
            db: db.clone(),
            calendar: Calendar::default(),
            seed,
            settings,
            clock,
        };
        let running = portal::start(options).await.expect("portal starts");
        let base = format!("http://{}/api/v1", running.addr);
        Portal {
            running,
            base,
            http: Client::new(),
            db_path,
            postgres,
            database: db,
            _dir: dir,
        }
    }

    /// Another portal process on this portal's database (PostgreSQL: several processes
    /// share one), with its own address; its database goes with this portal.
    pub async fn beside(&self, settings: Settings) -> Running {
        let options = portal::Options {
            bind: "127.0.0.1:0".parse().unwrap(),
            db: self.database.clone(),
            calendar: Calendar::default(),
            seed: Seed::None,
            settings,
            clock: self.running.state.clock.clone(),
        };
        portal::start(options)
            .await
            .expect("a second portal starts")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.http.post(self.url(path))
    }

    /// Logs in and returns the token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let res = self
            .post("/auth/login")
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "login of {username}");
        let body: Value = res.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    /// Every page of a list (`list` is its path and query), `limit` at a time, following
    /// the cursors: each item's string `field`, and each page's `total`.
    pub async fn walk(
        &self,
        token: &str,
        list: &str,
        limit: usize,
        field: &str,
    ) -> (Vec<String>, Vec<u64>) {
        let mut found = Vec::new();
        let mut totals = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(c) => format!("{list}&limit={limit}&cursor={c}"),
                None => format!("{list}&limit={limit}"),
            };
            let (status, page) =
                status_json(self.get(&url).bearer_auth(token).send().await.unwrap()).await;
            assert_eq!(status, 200, "{url}: {page}");
            for item in page["items"].as_array().unwrap() {
                found.push(item[field].as_str().unwrap().to_owned());
            }
            totals.push(page["total"].as_u64().unwrap());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            assert!(found.len() <= 5000, "{list}: the cursors do not end");
        }
        (found, totals)
    }

    /// The number of audit rows of one kind.
    pub async fn audit_count(&self, event: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit WHERE event = $1")
            .bind(event)
            .fetch_one(&self.running.state.db)
            .await
            .unwrap()
    }

    /// A second account `username` like `like`'s (same role, office and password), as
    /// an office with two reception desks has.
    pub async fn colleague_of(&self, like: &str, username: &str) {
        sqlx::query(
            "INSERT INTO users (username, full_name, role, office_id, password_hash, active, \
             created_at) SELECT $1, 'Trần Thị Hai', role, office_id, password_hash, 1, \
             created_at FROM users WHERE username = $2",
        )
        .bind(username)
        .bind(like)
        .execute(&self.running.state.db)
        .await
        .unwrap();
    }
}

/// The secret the test payment gateway signs its notices with
/// (`Settings::payment_secret`).
pub const GATEWAY_SECRET: &str = "khoa-bi-mat-cua-cong-thanh-toan";

/// The settings of a portal that takes gateway notices signed with [`GATEWAY_SECRET`].
pub fn gateway_settings() -> Settings {
    Settings {
        payment_secret: Some(GATEWAY_SECRET.into()),
        ..Default::default()
    }
}

/// A notice's `X-Signature`: the hex HMAC-SHA256 of `body` under [`GATEWAY_SECRET`].
pub fn sign(body: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(GATEWAY_SECRET.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// POSTs raw bytes to the gateway endpoint with an optional signature; answers (status,
/// body, whether it was a replay).
pub async fn notify(p: &Portal, body: &[u8], signature: Option<&str>) -> (u16, Value, bool) {
    let mut req = p
        .post("/payments/notify")
        .header("Content-Type", "application/json")
        .body(body.to_vec());
    if let Some(signature) = signature {
        req = req.header("X-Signature", signature);
    }
    let res = req.send().await.unwrap();
    let replayed = res.headers().contains_key("idempotent-replayed");
    let (status, body) = status_json(res).await;
    (status, body, replayed)
}

/// POSTs `notice`, signed properly.
pub async fn signed_notice(p: &Portal, notice: &Value) -> (u16, Value, bool) {
    let body = serde_json::to_vec(notice).unwrap();
    notify(p, &body, Some(&sign(&body))).await
}

/// The status and JSON body of a response.
pub async fn status_json(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let body = res.json().await.unwrap_or(Value::Null);
    (status, body)
}

impl Portal {
    /// A demo citizen of office `n` (the first created), as (public id, full name).
    pub async fn citizen_of(&self, n: i64) -> (String, String) {
        sqlx::query_as(
            "SELECT c.public_id, c.full_name FROM citizens c JOIN offices o ON o.id = c.office_id \
             WHERE o.number = $1 ORDER BY c.id LIMIT 1",
        )
        .bind(n)
        .fetch_one(&self.running.state.db)
        .await
        .unwrap()
    }

    /// A submission of `procedure` (first case, every mandatory part on paper).
    pub async fn submission(&self, procedure: &str, citizen: &str) -> Value {
        let detail: Value = self
            .get(&format!("/procedures/{procedure}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let case = &detail["cases"][0];
        let documents: Vec<Value> = case["documents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["mandatory"] == true)
            .map(|d| json!({"part_id": d["id"], "originals": 1, "copies": 0}))
            .collect();
        json!({
            "procedure_code": procedure,
            "case_id": case["id"],
            "applicant": {"citizen_id": citizen},
            "submitter": {"full_name": "Người Nộp Thử", "relation": "self"},
            "documents": documents,
            "delivery": {"method": detail["delivery"][0]},
            "declaration_accepted": true
        })
    }

    /// POSTs a dossier with a fresh idempotency key; returns (status, body).
    pub async fn create_dossier(&self, token: &str, body: &Value) -> (u16, Value) {
        let key = format!("\"{}\"", uuid::Uuid::new_v4());
        let res = self
            .post("/dossiers")
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap();
        status_json(res).await
    }

    /// POSTs an action with `If-Match: "version"`.
    pub async fn act(&self, token: &str, code: &str, version: i64, body: Value) -> (u16, Value) {
        let res = self
            .post(&format!("/dossiers/{code}/actions"))
            .bearer_auth(token)
            .header("If-Match", format!("\"{version}\""))
            .json(&body)
            .send()
            .await
            .unwrap();
        status_json(res).await
    }
}

/// The `handover` of a return in person to someone the applicant authorized: what a test
/// sends when who collects is not its point (an authorized receiver needs no applicant's
/// number).
pub fn authorized_receiver(name: &str) -> Value {
    json!({"receiver": {"full_name": name, "id_number": "083095001234",
                        "relation": "authorized",
                        "authorization_doc": "Giấy ủy quyền số 12/2026, chứng thực ngày 02/03/2026"},
           "result_documents": ["Kết quả giải quyết"]})
}

/// A small PDF-looking file: the bytes a test attaches.
pub fn pdf(tag: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {tag}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").into_bytes()
}

impl Portal {
    /// Declares an upload of `data` as a PDF (nothing sent yet) and returns its id.
    pub async fn declare_upload(&self, token: &str, name: &str, data: &[u8]) -> String {
        use sha2::Digest;
        let res = self
            .post("/uploads")
            .bearer_auth(token)
            .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
            .json(&json!({
                "filename": name,
                "size": data.len(),
                "sha256": hex::encode(sha2::Sha256::digest(data)),
                "content_type": "application/pdf"
            }))
            .send()
            .await
            .unwrap();
        let (status, body) = status_json(res).await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// Uploads `data` as a PDF in one chunk and returns the upload id.
    pub async fn upload(&self, token: &str, name: &str, data: &[u8]) -> String {
        let id = self.declare_upload(token, name, data).await;
        let res = self
            .http
            .patch(self.url(&format!("/uploads/{id}")))
            .bearer_auth(token)
            .header("Upload-Offset", "0")
            .header("Content-Type", "application/offset+octet-stream")
            .body(data.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
        id
    }
}

/// A desk submission of `procedure` for `citizen`: its first case, every mandatory
/// document on paper, the first delivery method.
pub async fn desk_submission(
    c: &motcua::client::PortalClient,
    procedure: &str,
    citizen: &str,
) -> motcua::api::dossiers::CreateDossier {
    use motcua::api::dossiers::*;
    let detail = c.procedure(procedure).await.unwrap();
    let case = &detail.procedure.cases[0];
    CreateDossier {
        procedure_code: procedure.to_owned(),
        case_id: case.id.clone(),
        applicant: ApplicantRef::citizen(citizen),
        submitter: Submitter {
            full_name: "Người Nộp Thử".into(),
            id_number: None,
            relation: Relation::Myself,
            authorization_doc: None,
        },
        documents: case
            .documents
            .iter()
            .filter(|d| d.mandatory)
            .map(|d| DocumentIn {
                part_id: d.id.clone(),
                originals: 1,
                copies: 0,
                upload_id: None,
                stored_document_id: None,
            })
            .collect(),
        delivery: Delivery {
            method: detail.procedure.delivery[0],
            address: None,
        },
        declaration_accepted: true,
        note: None,
        pages: None,
        copies: None,
        code: None,
        received_at: None,
        printed_due_at: None,
    }
}

/// Every `.rs` file under `dir`, for the tests that read the source (the architecture's
/// rooms, the portal's layers, the error codes spelled out).
pub fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
