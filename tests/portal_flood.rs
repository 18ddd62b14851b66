//! The portal under floods and slow clients: password hashing bounded in memory, the
//! throttles counted atomically, the password change and the public lookup throttled,
//! the audit log bounded against long usernames, slow headers dropped, connections per
//! address capped, downloads that a browser cannot sniff, and a delta feed whose cursor
//! tells nothing of other offices.

// The memory test is Linux only; elsewhere its helpers go unused.
#![cfg_attr(not(target_os = "linux"), allow(dead_code, unused_imports))]

mod common;

use common::{DEMO_PASSWORD, Portal, pdf, status_json};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use reqwest::header;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A guard against a hang: what the tests await should come long before.
const PATIENCE: Duration = Duration::from_secs(30);

async fn login(p: &Portal, username: &str, password: &str) -> reqwest::Response {
    p.post("/auth/login")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()
        .get(header::RETRY_AFTER)
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// A field of `/proc/PID/status`, in kB.
fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
}

/// `motcua serve` as a process of its own, on a free port with a fresh database, so that
/// its memory is its own.
struct Served {
    child: std::process::Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Served {
    fn start() -> Served {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["serve", "--bind", "127.0.0.1:0", "--db"])
            .arg(dir.path().join("portal.sqlite3"))
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let base = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| {
                l.split("listening on ")
                    .nth(1)
                    .map(|r| r.split_whitespace().next().unwrap().to_owned())
            })
            .expect("the portal says where it listens");
        // Keep draining its log so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Served {
            child,
            base,
            _dir: dir,
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Linux only: it reads `/proc` and sends from 100 loopback addresses (127.0.1.x), which
/// Linux routes without configuration.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_crowd_of_unknown_users_keeps_the_memory_bounded() {
    let served = Served::start();
    let pid = served.child.id();
    let before = status_kb(pid, "VmRSS:");
    // 100 logins at once, each for another unknown user from another address, so that
    // no throttle stops them: only the bound on hashing keeps the memory down.
    // The clients are made first and the requests then sent together, as a crowd.
    let crowd = Arc::new(tokio::sync::Barrier::new(100));
    let mut tasks = Vec::new();
    for i in 0..100u8 {
        let client = reqwest::Client::builder()
            .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 1, i + 1)))
            .build()
            .unwrap();
        let url = format!("{}/auth/login", served.base);
        let crowd = crowd.clone();
        tasks.push(tokio::spawn(async move {
            let request = client
                .post(url)
                .json(&json!({"username": format!("khongco{i}"), "password": "Sai-mat-khau-1"}));
            crowd.wait().await;
            let res = request.send().await.unwrap();
            let busy = res.headers().contains_key(header::RETRY_AFTER);
            (res.status().as_u16(), busy)
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    let peak = status_kb(pid, "VmHWM:");
    let after = status_kb(pid, "VmRSS:");
    eprintln!(
        "motcua serve: VmRSS {} MB before, {} MB after, peak (VmHWM) {} MB",
        before / 1024,
        after / 1024,
        peak / 1024
    );
    let checked = answers.iter().filter(|(s, _)| *s == 401).count();
    eprintln!(
        "{checked} checked (401), {} told to come back (503)",
        answers.len() - checked
    );
    for (status, busy) in &answers {
        assert!(
            *status == 401 || (*status == 503 && *busy),
            "401, or 503 with Retry-After: {answers:?}"
        );
    }
    assert!(
        answers.iter().any(|(s, _)| *s == 401),
        "some were checked: {answers:?}"
    );
    assert!(peak < 300 * 1024, "peak resident memory {} MB", peak / 1024);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_passwords_verify_at_most_the_limit() {
    let p = Portal::demo().await;
    let limit = Settings::default().max_failures_per_account;
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let req = p
            .post("/auth/login")
            .json(&json!({"username": "tiepnhan1", "password": "Sai-mat-khau-1"}));
        tasks.push(tokio::spawn(async move {
            let res = req.send().await.unwrap();
            let wait = res.headers().get(header::RETRY_AFTER).cloned();
            (res.status().as_u16(), wait)
        }));
    }
    let mut refused = 0;
    for t in tasks {
        let (status, wait) = t.await.unwrap();
        match status {
            401 => {}
            429 => {
                assert!(wait.is_some(), "429 carries Retry-After");
                refused += 1;
            }
            other => panic!("{other}"),
        }
    }
    let verified = p.audit_count("login_failed").await;
    assert!(
        verified <= i64::from(limit),
        "{verified} wrong passwords were checked; the limit is {limit}"
    );
    assert_eq!(refused, 40 - verified);
    assert!(
        p.running.state.passwords.verifications() <= u64::from(limit),
        "verifications counted by the hashing bound"
    );
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled() {
    let p = Portal::demo().await;
    let token = p.login("chuyenvien1", DEMO_PASSWORD).await;
    let change = |current: &str| {
        p.post("/auth/password")
            .bearer_auth(&token)
            .json(&json!({"current_password": current, "new_password": "Doi-mat-khau-2027!"}))
    };
    let limit = Settings::default().max_failures_per_account;
    for _ in 0..limit {
        let res = change("Sai-mat-khau-1").send().await.unwrap();
        assert_eq!(res.status(), 401);
    }
    let res = change("Sai-mat-khau-1").send().await.unwrap();
    assert_eq!(res.status(), 429);
    assert!(retry_after(&res) > 0);
    // Locked: even the right one waits for the window.
    let res = change(DEMO_PASSWORD).send().await.unwrap();
    assert_eq!(res.status(), 429);
    let (_, body) = status_json(res).await;
    assert_eq!(body["error"]["code"], "too_many_requests");

    p.running
        .state
        .clock
        .advance(chrono::TimeDelta::seconds(16 * 60));
    // The window has passed; the session stays alive only if it is used, so log in again.
    let token = p.login("chuyenvien1", DEMO_PASSWORD).await;
    let res = p
        .post("/auth/password")
        .bearer_auth(&token)
        .json(&json!({"current_password": DEMO_PASSWORD, "new_password": "Doi-mat-khau-2027!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
}

#[tokio::test]
async fn the_public_lookup_is_throttled_per_code_and_per_address() {
    let p = Portal::demo().await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _) = p.citizen_of(1).await;
    let (_, d) = p
        .create_dossier(&desk, &p.submission("1.001193", &citizen).await)
        .await;
    let code = d["code"].as_str().unwrap().to_owned();
    let number: String = sqlx::query_scalar("SELECT id_number FROM citizens WHERE public_id = $1")
        .bind(citizen)
        .fetch_one(&p.running.state.db)
        .await
        .unwrap();
    let lookup = |code: &str, number: &str| {
        p.get(&format!("/public/dossiers/{code}?id_number={number}"))
            .send()
    };
    assert_eq!(lookup(&code, &number).await.unwrap().status(), 200);
    let settings = Settings::default();
    for i in 0..settings.max_lookup_misses_per_code {
        let res = lookup(&code, &format!("0010990000{i:02}")).await.unwrap();
        assert_eq!(res.status(), 404);
    }
    let res = lookup(&code, "001099000099").await.unwrap();
    assert_eq!(res.status(), 429, "the code has used up its misses");
    assert!(retry_after(&res) > 0);
    assert_eq!(
        lookup(&code, &number).await.unwrap().status(),
        429,
        "even the right number waits: a search cannot go on"
    );
    // Other codes from the same address, until the address's own limit.
    let mut answers = Vec::new();
    for i in 0..settings.max_lookup_misses_per_address {
        let other = format!("000.01.27.H07-260101-{:04}", 9000 + i);
        answers.push(lookup(&other, &number).await.unwrap().status().as_u16());
    }
    assert_eq!(answers.last(), Some(&429), "{answers:?}");
    assert!(
        answers.iter().all(|s| *s == 404 || *s == 429),
        "{answers:?}"
    );
}

#[tokio::test]
async fn long_usernames_and_throttled_floods_do_not_fill_the_audit_log() {
    let p = Portal::demo().await;
    let long = "a".repeat(200_000);
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let req = p
            .post("/auth/login")
            .json(&json!({"username": long, "password": "Sai-mat-khau-1"}));
        tasks.push(tokio::spawn(async move {
            status_json(req.send().await.unwrap()).await
        }));
    }
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, 422, "refused before anything is checked: {body}");
        assert!(body["error"]["fields"]["username"].is_string(), "{body}");
    }
    let (total, longest): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(LENGTH(username)), 0), COALESCE(MAX(LENGTH(username)), 0) FROM audit",
    )
    .fetch_one(&p.running.state.db)
    .await
    .unwrap();
    assert!(longest <= 64, "an audit row keeps {longest} characters");
    assert!(total <= 40 * 64, "the audit log holds {total} characters");

    // A run of throttled attempts for one account is noted once per window, not once
    // per attempt.
    for _ in 0..60 {
        login(&p, "chuyenvien2", "Sai-mat-khau-1").await;
    }
    let throttled = p.audit_count("login_throttled").await;
    assert!(
        (1..=2).contains(&throttled),
        "{throttled} rows for one throttled account"
    );
}

/// A raw connection to the portal.
async fn connect(p: &Portal) -> TcpStream {
    TcpStream::connect(p.running.addr).await.unwrap()
}

/// Reads until the portal closes the connection (a reset counts as closed).
async fn until_closed(socket: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let _ = socket.read_to_end(&mut got).await;
    got
}

#[tokio::test]
async fn slow_headers_are_dropped_at_the_header_timeout() {
    let p = Portal::with(
        Settings {
            header_read_timeout: Duration::from_secs(1),
            ..Default::default()
        },
        Seed::None,
    )
    .await;
    // Half a request line, then nothing.
    let mut half = connect(&p).await;
    half.write_all(b"GET /api/v1/hea").await.unwrap();
    // Headers trickled a byte at a time, never finished.
    let mut trickle = connect(&p).await;
    trickle
        .write_all(b"GET /api/v1/healthz HTTP/1.1\r\n")
        .await
        .unwrap();
    let (mut reader, mut writer) = trickle.into_split();
    let trickling = tokio::spawn(async move {
        for b in b"X-Slow: ".iter().cycle() {
            if writer.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    tokio::time::timeout(PATIENCE, until_closed(&mut half))
        .await
        .expect("half a request line is dropped");
    let mut rest = Vec::new();
    tokio::time::timeout(PATIENCE, reader.read_to_end(&mut rest))
        .await
        .expect("trickled headers are dropped")
        .ok();
    trickling.abort();
    // A prompt request on a fresh connection is served as always.
    let res = p.get("/healthz").send().await.unwrap();
    assert_eq!(res.status(), 200);
}

/// A whole request on a raw connection, which the portal answers and then closes.
const HEALTHZ: &[u8] = b"GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

#[tokio::test]
async fn connections_beyond_the_cap_per_address_are_closed() {
    let p = Portal::with(
        Settings {
            max_connections_per_address: 4,
            ..Default::default()
        },
        Seed::None,
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect(&p).await);
    }
    // The listener accepts in order, so the fifth is counted after the four.
    let mut fifth = connect(&p).await;
    let got = tokio::time::timeout(PATIENCE, until_closed(&mut fifth))
        .await
        .expect("the fifth connection is closed");
    assert!(got.is_empty(), "closed without an answer");

    // The four are served, and when one ends its place is free again.
    let first = &mut held[0];
    first.write_all(HEALTHZ).await.unwrap();
    let answer = tokio::time::timeout(PATIENCE, until_closed(first))
        .await
        .unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{answer:?}");
    let mut again = connect(&p).await;
    again.write_all(HEALTHZ).await.unwrap();
    let answer = tokio::time::timeout(PATIENCE, until_closed(&mut again))
        .await
        .unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{answer:?}");
}

/// A trusted reverse proxy carries many clients: its connections are not capped.
#[tokio::test]
async fn a_trusted_proxy_s_connections_are_not_capped() {
    let p = Portal::with(
        Settings {
            max_connections_per_address: 2,
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
            ..Default::default()
        },
        Seed::None,
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect(&p).await);
    }
    for socket in held.iter_mut().rev() {
        socket.write_all(HEALTHZ).await.unwrap();
        let answer = tokio::time::timeout(PATIENCE, until_closed(socket))
            .await
            .unwrap();
        assert!(answer.starts_with(b"HTTP/1.1 200"), "{answer:?}");
    }
}

fn assert_not_sniffable(res: &reqwest::Response, what: &str) {
    assert_eq!(
        res.headers()
            .get("x-content-type-options")
            .map(|v| v.to_str().unwrap()),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        res.headers()
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap()),
        Some("sandbox"),
        "{what}"
    );
}

#[tokio::test]
async fn downloads_cannot_be_sniffed_or_run() {
    let p = Portal::demo().await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _) = p.citizen_of(1).await;
    let upload = p.upload(&desk, "to_khai.pdf", &pdf("to_khai")).await;
    let mut body = p.submission("1.001193", &citizen).await;
    body["documents"][0]["upload_id"] = json!(upload);
    let (s, d) = p.create_dossier(&desk, &body).await;
    assert_eq!(s, 201, "{d}");
    let code = d["code"].as_str().unwrap();
    let attachment = d["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|doc| doc["attachment"]["id"].as_str())
        .expect("an attachment");
    let res = p
        .get(&format!("/dossiers/{code}/attachments/{attachment}"))
        .bearer_auth(&desk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_not_sniffable(&res, "attachment");
    let res = p
        .get(&format!("/dossiers/{code}/forms/receipt"))
        .bearer_auth(&desk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_not_sniffable(&res, "form");
    // Every answer says nosniff.
    let res = p.get("/healthz").send().await.unwrap();
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn the_feed_cursor_tells_nothing_of_other_offices() {
    let p = Portal::demo().await;
    let one = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let two = p.login("tiepnhan2", DEMO_PASSWORD).await;
    let seq = |token: String, since: Option<i64>| {
        let path = match since {
            Some(s) => format!("/dossiers/changes?since={s}"),
            None => "/dossiers/changes".into(),
        };
        let req = p.get(&path).bearer_auth(token);
        async move {
            let (status, body): (u16, Value) = status_json(req.send().await.unwrap()).await;
            assert_eq!(status, 200, "{body}");
            body["seq"].as_i64().unwrap()
        }
    };
    let start = seq(one.clone(), None).await;
    let (citizen, _) = p.citizen_of(2).await;
    for _ in 0..3 {
        let (s, d) = p
            .create_dossier(&two, &p.submission("1.001193", &citizen).await)
            .await;
        assert_eq!(s, 201, "{d}");
    }
    assert_eq!(
        seq(one.clone(), None).await,
        start,
        "office 2's work is not seen"
    );
    assert_eq!(seq(one.clone(), Some(start)).await, start);
    let (citizen, _) = p.citizen_of(1).await;
    p.create_dossier(&one, &p.submission("1.001193", &citizen).await)
        .await;
    assert_eq!(
        seq(one.clone(), Some(start)).await,
        start + 1,
        "one change of its own"
    );
    assert_eq!(seq(two, None).await, 3);
}
