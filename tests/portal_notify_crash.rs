//! Notices survive a crash and go out exactly once: the real `motcua serve` queues e-mail
//! notices with the steps it takes and is killed with SIGKILL between queueing and
//! sending — one notice claimed and its SMTP connection open (the mail server hangs
//! without greeting), the others queued. After the restart, with a mail server that
//! answers, each notice is sent exactly once: the claimed one after its lease, the others
//! at once; a third start sends none again (a new notice is the next message to arrive).
//! Time is the portals' own (`--now`): the restart is set past the lease instead of
//! waiting it out.

mod common;

use common::DEMO_PASSWORD;
use common::smtp::{PATIENCE, SmtpServer};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use tokio::sync::mpsc;

/// A `motcua serve` child process; killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    base: String,
    /// Its stderr, line by line (the log says "notice N sent").
    log: mpsc::UnboundedReceiver<String>,
}

impl Server {
    async fn start(db: &Path, config: &Path, now: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .arg("--config")
            .arg(config)
            .args([
                "serve",
                "--seed",
                "demo",
                "--bind",
                "127.0.0.1:0",
                "--now",
                now,
            ])
            .arg("--db")
            .arg(db)
            .env("RUST_LOG", "info,sqlx=warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the motcua binary starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, mut log) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let addr = tokio::time::timeout(PATIENCE, async {
            while let Some(line) = log.recv().await {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    return rest.split("/api/v1").next().map(str::to_owned);
                }
            }
            None
        })
        .await
        .expect("the server listens in time")
        .expect("the server exited before listening");
        Server {
            child,
            base: format!("http://{addr}/api/v1"),
            log,
        }
    }

    /// Waits until the log says `n` more notices were sent.
    async fn sent(&mut self, n: usize) {
        let mut seen = 0;
        tokio::time::timeout(PATIENCE, async {
            while seen < n {
                let line = self.log.recv().await.expect("the server runs");
                if line.contains("notice ") && line.contains(" sent (email)") {
                    seen += 1;
                }
            }
        })
        .await
        .expect("the notices are marked sent in time");
    }

    fn kill(&mut self) {
        self.child.kill().expect("the server can be killed");
        self.child.wait().expect("the killed server is reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn login(http: &Client, server: &Server, user: &str) -> String {
    let res = http
        .post(format!("{}/auth/login", server.base))
        .json(&json!({"username": user, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn db(path: &Path) -> SqliteConnection {
    SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(path))
        .await
        .unwrap()
}

/// A desk dossier (marital status certificate) for `citizen`: its code.
async fn take_in(http: &Client, server: &Server, desk: &str, citizen: &str) -> String {
    let p: Value = http
        .get(format!("{}/procedures/1.004873", server.base))
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
        .map(|d| json!({"part_id": d["id"], "originals": 1}))
        .collect();
    let res = http
        .post(format!("{}/dossiers", server.base))
        .bearer_auth(desk)
        .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
        .json(&json!({
            "procedure_code": "1.004873", "case_id": case["id"],
            "applicant": {"citizen_id": citizen},
            "submitter": {"full_name": "", "relation": "self"},
            "documents": documents, "delivery": {"method": "in_person"},
            "declaration_accepted": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn act(http: &Client, server: &Server, token: &str, code: &str, body: Value) {
    let res = http
        .post(format!("{}/dossiers/{code}/actions", server.base))
        .bearer_auth(token)
        .header("If-Match", "\"1\"")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

/// (id, status, attempts, lease_until) of every e-mail notice.
async fn emails(path: &Path) -> Vec<(i64, String, i64, Option<i64>)> {
    sqlx::query_as(
        "SELECT id, status, attempts, lease_until FROM notifications \
         WHERE channel = 'email' ORDER BY id",
    )
    .fetch_all(&mut db(path).await)
    .await
    .unwrap()
}

#[tokio::test]
async fn killed_between_queueing_and_sending_each_notice_goes_out_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portal.sqlite3");
    let config = dir.path().join("config.toml");
    // A mail server that takes the connection and never greets: the worker stays
    // mid-send (its command timeout is long) until the kill.
    let mut hold = SmtpServer::start(0, &["--hold"]).await;
    let port = hold.port;
    std::fs::write(
        &config,
        format!(
            "[notifications]\n\
             lookup_url = \"https://dichvucong.example.gov.vn/tra-cuu?ma={{code}}\"\n\
             [notifications.email]\n\
             host = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\n\
             from = \"Bộ phận Một cửa <motcua@anhoi.example.gov.vn>\"\n\
             timeout_seconds = 600\n"
        ),
    )
    .unwrap();
    let http = Client::new();

    let mut server = Server::start(&path, &config, "2026-03-04T09:00:00+07:00").await;
    let desk = login(&http, &server, "tiepnhan1").await;
    let (citizen,): (String,) = sqlx::query_as(
        "SELECT c.public_id FROM citizens c JOIN offices o ON o.id = c.office_id \
         WHERE o.number = 1 AND c.email IS NOT NULL ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&mut db(&path).await)
    .await
    .unwrap();
    // Five steps a citizen is told of: three intakes, a supplement request, a refusal.
    let a = take_in(&http, &server, &desk, &citizen).await;
    act(
        &http,
        &server,
        &desk,
        &a,
        json!({"action": "request_supplement", "reason": "Thiếu giấy tờ",
               "missing_documents": ["Giấy xác nhận cư trú"]}),
    )
    .await;
    let b = take_in(&http, &server, &desk, &citizen).await;
    act(
        &http,
        &server,
        &desk,
        &b,
        json!({"action": "refuse", "reason": "Không thuộc thẩm quyền"}),
    )
    .await;
    let c = take_in(&http, &server, &desk, &citizen).await;
    // The worker has claimed one and is connected, waiting for a greeting.
    assert_eq!(hold.next().await["event"], "connected");
    server.kill();

    // Nothing was sent; one notice is claimed (counted, leased), the others queued.
    let before = emails(&path).await;
    assert_eq!(before.len(), 5, "{before:?}");
    assert!(
        before.iter().all(|(_, status, ..)| status == "queued"),
        "{before:?}"
    );
    let claimed: Vec<i64> = before
        .iter()
        .filter(|(_, _, attempts, lease)| *attempts == 1 && lease.is_some())
        .map(|(id, ..)| *id)
        .collect();
    assert_eq!(claimed.len(), 1, "{before:?}");
    assert!(
        before
            .iter()
            .filter(|(id, ..)| !claimed.contains(id))
            .all(|(_, _, attempts, lease)| *attempts == 0 && lease.is_none()),
        "{before:?}"
    );

    // The mail server answers now, on the same port; the portal restarts past the lease.
    hold.stop();
    let mut smtp = SmtpServer::start(port, &[]).await;
    let mut server = Server::start(&path, &config, "2026-03-04T09:20:00+07:00").await;
    let messages = smtp.messages(5).await;
    server.sent(5).await;
    let mut by_subject: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
    for m in &messages {
        *by_subject
            .entry(m["subject"].as_str().unwrap().to_owned())
            .or_default() += 1;
        *by_id
            .entry(m["message_id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(by_id.len(), 5, "each Message-ID once: {by_id:?}");
    let want: BTreeMap<String, usize> = [
        (format!("Hồ sơ {a}: Đã tiếp nhận hồ sơ"), 1),
        (format!("Hồ sơ {a}: Yêu cầu bổ sung hồ sơ"), 1),
        (format!("Hồ sơ {b}: Đã tiếp nhận hồ sơ"), 1),
        (format!("Hồ sơ {b}: Từ chối tiếp nhận hồ sơ"), 1),
        (format!("Hồ sơ {c}: Đã tiếp nhận hồ sơ"), 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(by_subject, want);
    // In the order they were queued: the claimed one first, though it waited for its
    // lease.
    let after = emails(&path).await;
    for (id, status, attempts, lease) in &after {
        assert_eq!(status, "sent", "{after:?}");
        assert_eq!(*lease, None);
        let expected = if claimed.contains(id) { 2 } else { 1 };
        assert_eq!(*attempts, expected, "notice {id}: {after:?}");
    }
    server.kill();

    // A third start sends none of them again: the next message is a new notice.
    let mut server = Server::start(&path, &config, "2026-03-04T09:40:00+07:00").await;
    let desk = login(&http, &server, "tiepnhan1").await;
    let d = take_in(&http, &server, &desk, &citizen).await;
    let next = smtp.messages(1).await;
    assert_eq!(
        next[0]["subject"],
        format!("Hồ sơ {d}: Đã tiếp nhận hồ sơ"),
        "a notice sent before came again"
    );
    server.sent(1).await;
    server.kill();
}
