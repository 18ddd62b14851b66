//! Several `motcua serve` processes on one PostgreSQL database (issue 18): a guesser
//! spreading wrong passwords over them meets one limit, a token given by one is good at
//! the other, and two desks acting on one dossier through two processes at once get one
//! success and one 412. SQLite portals are one process each: these tests return at once
//! without `MOTCUA_TEST_POSTGRES` (`.ci/run` sets it).

mod common;

use common::{DEMO_PASSWORD, Portal, on_postgres, status_json};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::{Value, json};

/// Several processes share only a PostgreSQL database: on SQLite a test says it is
/// skipped, and returns at once.
fn skipped_on_sqlite() -> bool {
    if on_postgres() {
        return false;
    }
    eprintln!("skipped: several processes need PostgreSQL (MOTCUA_TEST_POSTGRES)");
    true
}

/// The API base of a second portal process.
fn base(running: &motcua::portal::Running) -> String {
    format!("http://{}/api/v1", running.addr)
}

#[tokio::test]
async fn a_guesser_meets_one_limit_across_processes_and_tokens_travel() {
    if skipped_on_sqlite() {
        return;
    }
    let settings = Settings {
        max_failures_per_account: 4,
        ..Settings::default()
    };
    let a = Portal::with(settings.clone(), Seed::Accounts).await;
    let b = a.beside(settings).await;
    let bases = [a.base.clone(), base(&b)];
    let http = reqwest::Client::new();
    let login = |base: String, password: &'static str| {
        let http = http.clone();
        async move {
            http.post(format!("{base}/auth/login"))
                .json(&json!({"username": "tiepnhan1", "password": password}))
                .send()
                .await
                .unwrap()
        }
    };
    // Four wrong passwords, two through each process: the account's limit is spent.
    for i in 0..4 {
        let res = login(bases[i % 2].clone(), "Wrong-password-1!").await;
        assert_eq!(res.status(), 401, "attempt {i}");
    }
    for base in &bases {
        let res = login(base.clone(), DEMO_PASSWORD).await;
        assert_eq!(
            res.status(),
            429,
            "{base}: the limit is the database's, not a process's"
        );
    }

    // A token given by one process is good at the other.
    let c = Portal::with(Settings::default(), Seed::Accounts).await;
    let d = c.beside(Settings::default()).await;
    let token = c.login("tiepnhan1", DEMO_PASSWORD).await;
    let res = http
        .get(format!("{}/me", base(&d)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    d.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

#[tokio::test]
async fn two_actions_on_one_dossier_through_two_processes_one_wins() {
    if skipped_on_sqlite() {
        return;
    }
    let a = Portal::with(Settings::default(), Seed::Demo).await;
    let b = a.beside(Settings::default()).await;
    let token = a.login("tiepnhan1", DEMO_PASSWORD).await;
    let http = reqwest::Client::new();
    for round in 0..5 {
        let res = a
            .get("/dossiers?queue=online_pending&limit=1")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let (_, page) = status_json(res).await;
        let d = &page["items"][0];
        let code = d["code"].as_str().expect("a pending dossier").to_owned();
        let version = d["version"].as_i64().unwrap();
        let act = |base: String| {
            let (http, token, code) = (http.clone(), token.clone(), code.clone());
            async move {
                let res = http
                    .post(format!("{base}/dossiers/{code}/actions"))
                    .bearer_auth(token)
                    .header("If-Match", format!("\"{version}\""))
                    .json(&json!({"action": "receive"}))
                    .send()
                    .await
                    .unwrap();
                status_json(res).await
            }
        };
        let (one, other) = tokio::join!(act(a.base.clone()), act(base(&b)));
        let mut statuses = [one.0, other.0];
        statuses.sort();
        assert_eq!(statuses, [200, 412], "round {round}: {one:?} {other:?}");
        let loser: &Value = if one.0 == 412 { &one.1 } else { &other.1 };
        assert_eq!(loser["error"]["code"], "version_conflict", "{loser}");
        // The history holds the step once.
        let res = a
            .get(&format!("/dossiers/{code}/history"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let (_, history) = status_json(res).await;
        let received = history
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["to"] == "received")
            .count();
        assert_eq!(received, 1, "{history}");
    }
    b.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_upload_started_through_one_process_completes_through_another() {
    if skipped_on_sqlite() {
        return;
    }
    let a = Portal::with(Settings::default(), Seed::Accounts).await;
    let b = a.beside(Settings::default()).await;
    let token = a.login("tiepnhan1", DEMO_PASSWORD).await;
    let http = reqwest::Client::new();
    let data = common::pdf("moved between processes");
    let third = data.len() / 3;
    let id = a.declare_upload(&token, "don.pdf", &data).await;
    let patch = |base: String, from: usize, to: usize| {
        let (http, token, id, chunk) = (
            http.clone(),
            token.clone(),
            id.clone(),
            data[from..to].to_vec(),
        );
        async move {
            http.patch(format!("{base}/uploads/{id}"))
                .bearer_auth(token)
                .header("Upload-Offset", from.to_string())
                .header("Content-Type", "application/offset+octet-stream")
                .body(chunk)
                .send()
                .await
                .unwrap()
        }
    };
    // The first third through one process; the other process knows how far it got.
    let res = patch(a.base.clone(), 0, third).await;
    assert_eq!(res.status(), 204);
    let res = http
        .head(format!("{}/uploads/{id}", base(&b)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["upload-offset"], third.to_string().as_str());
    // A chunk from the wrong place is refused there too, and the rest goes through it.
    let res = patch(base(&b), 0, third).await;
    assert_eq!(res.status(), 409);
    let res = patch(base(&b), third, data.len()).await;
    assert_eq!(res.status(), 204);
    let row = motcua::portal::service::uploads::open_complete(&a.running.state, &id)
        .await
        .expect("a complete upload");
    assert!(row.0.complete);
    b.shutdown().await.unwrap();
}

/// One upload, two processes: while one process writes a chunk, the other neither cuts
/// its file back when asked how far the upload got (`HEAD`) nor writes into it; a
/// `PATCH` there waits for the writer to finish, and one that waits too long is told
/// `upload_busy` with the offset. The upload completes whole.
#[tokio::test]
async fn a_chunk_being_written_through_one_process_is_left_alone_by_another() {
    if skipped_on_sqlite() {
        return;
    }
    let a = Portal::with(Settings::default(), Seed::Accounts).await;
    let impatient = Settings {
        upload_lock_wait: std::time::Duration::from_millis(500),
        ..Settings::default()
    };
    let b = a.beside(impatient).await;
    let c = a.beside(Settings::default()).await;
    let token = a.login("tiepnhan1", DEMO_PASSWORD).await;
    let http = reqwest::Client::new();
    let data = common::pdf("written through one process at a time");
    let id = a.declare_upload(&token, "don.pdf", &data).await;
    let url = |base: &str| format!("{base}/uploads/{id}");

    // Through process A: the whole file as one chunk, its first bytes now, the rest later.
    let first = 100.min(data.len() / 2);
    let (more, pieces) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(2);
    more.send(Ok(data[..first].to_vec())).await.unwrap();
    let body = reqwest::Body::wrap_stream(futures_util::stream::unfold(pieces, |mut rx| async {
        rx.recv().await.map(|piece| (piece, rx))
    }));
    let writer = tokio::spawn(
        http.patch(url(&a.base))
            .bearer_auth(&token)
            .header("Upload-Offset", "0")
            .header("Content-Type", "application/offset+octet-stream")
            .header("Content-Length", data.len().to_string())
            .body(body)
            .send(),
    );
    // The bytes are in A's file once it has them; nothing tells another process that.
    let motcua::portal::db::Database::Postgres { files, .. } = &a.database else {
        unreachable!("on PostgreSQL")
    };
    let part = files.join(format!("{id}.part"));
    while std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) < first as u64 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }

    // B is asked how far the upload got: what is recorded, and A's bytes stay.
    let res = http
        .head(url(&base(&b)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["upload-offset"], "0");
    assert_eq!(std::fs::metadata(&part).unwrap().len(), first as u64);

    // A PATCH through B waits for A, and B gives up after its wait: 409 upload_busy.
    let res = http
        .patch(url(&base(&b)))
        .bearer_auth(&token)
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(data.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(res.headers()["upload-offset"], "0");
    let (_, problem) = status_json(res).await;
    assert_eq!(problem["error"]["code"], "upload_busy", "{problem}");

    // A PATCH through C (which waits longer) is under way when A's chunk ends.
    let waiting = tokio::spawn(
        http.patch(url(&base(&c)))
            .bearer_auth(&token)
            .header("Upload-Offset", "0")
            .header("Content-Type", "application/offset+octet-stream")
            .body(data.clone())
            .send(),
    );
    more.send(Ok(data[first..].to_vec())).await.unwrap();
    drop(more);
    let res = writer.await.unwrap().unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        res.headers()["upload-offset"],
        data.len().to_string().as_str()
    );
    // C then finds the upload complete, not where its chunk starts.
    let res = waiting.await.unwrap().unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(
        res.headers()["upload-offset"],
        data.len().to_string().as_str()
    );
    let (row, _) = motcua::portal::service::uploads::open_complete(&a.running.state, &id)
        .await
        .expect("the upload completes whole: its SHA-256 held");
    assert!(row.complete);
    b.shutdown().await.unwrap();
    c.shutdown().await.unwrap();
}

/// One `Idempotency-Key`, retried at once through two processes many times over: one
/// dossier. Each process knows only its own requests in flight; the database's stored
/// answer, read in the write transaction that every process takes in turn, is what
/// makes the retries through the other one replays.
#[tokio::test]
async fn one_key_retried_through_two_processes_makes_one_dossier() {
    if skipped_on_sqlite() {
        return;
    }
    let a = Portal::with(Settings::default(), Seed::Demo).await;
    let b = a.beside(Settings::default()).await;
    let token = a.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _) = a.citizen_of(1).await;
    let body = a.submission("1.000656", &citizen).await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM dossiers")
            .fetch_one(&a.running.state.db)
            .await
            .unwrap()
    };
    let before = count().await;
    let key = format!("\"{}\"", uuid::Uuid::new_v4());
    let http = reqwest::Client::new();
    let bases = [a.base.clone(), base(&b)];
    let tries = (0..20).map(|n| {
        let (http, token, key, body) = (http.clone(), token.clone(), key.clone(), body.clone());
        let base = bases[n % 2].clone();
        async move {
            let res = http
                .post(format!("{base}/dossiers"))
                .bearer_auth(token)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .unwrap();
            status_json(res).await
        }
    });
    let answers = futures_util::future::join_all(tries).await;
    let codes: std::collections::BTreeSet<String> = answers
        .iter()
        .filter(|(status, _)| *status == 201)
        .map(|(_, d)| d["code"].as_str().unwrap().to_owned())
        .collect();
    for (status, answer) in &answers {
        assert!(
            *status == 201 || (*status == 409 && answer["error"]["code"] == "request_in_progress"),
            "{status} {answer}"
        );
    }
    assert_eq!(codes.len(), 1, "every 201 names the one dossier: {codes:?}");
    assert_eq!(count().await - before, 1, "one dossier made");
    b.shutdown().await.unwrap();
}

/// The notice workers of several processes take the queued notices between them: each
/// goes out once. A worker of another process is in the middle of claiming one notice
/// (its row locked, its lease not yet committed) when this process's worker looks: it
/// must pass over that notice, not wait and then take it as well.
#[tokio::test]
async fn a_notice_another_worker_is_claiming_is_not_sent_twice() {
    use common::smtp::{SmtpServer, free_port};
    use motcua::portal::notify::{
        self,
        email::{EmailSettings, TlsMode},
    };
    use sqlx::Connection;
    if skipped_on_sqlite() {
        return;
    }
    let port = free_port();
    let settings = Settings {
        notify: notify::Settings {
            lookup_url: "https://dichvucong.example.gov.vn/tra-cuu?ma={code}".into(),
            email: Some(EmailSettings {
                host: "127.0.0.1".into(),
                port,
                tls: TlsMode::None,
                username: None,
                password: None,
                from: "Bộ phận Một cửa <motcua@anhoi.example.gov.vn>".into(),
                timeout: std::time::Duration::from_secs(20),
            }),
            sms: None,
            ..Default::default()
        },
        ..Default::default()
    };
    // The clock stands still: nothing that failed comes due again during the test.
    let clock = motcua::clock::Clock::system();
    clock.stop_at(motcua::clock::parse_instant("2026-03-04T09:00:00+07:00").unwrap());
    let a = Portal::with_clock(settings.clone(), Seed::Accounts, clock).await;
    let db = a.running.state.db.clone();
    let desk = a.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _): (String, String) = sqlx::query_as(
        "SELECT c.public_id, c.email FROM citizens c JOIN offices o ON o.id = c.office_id \
         WHERE o.number = 1 AND c.email IS NOT NULL ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let body = a.submission("1.004873", &citizen).await;
    let count = 10;
    for _ in 0..count {
        let (status, d) = a.create_dossier(&desk, &body).await;
        assert_eq!(status, 201, "{d}");
    }
    // A's worker found nobody listening: one notice failed, the channel rests there.
    tokio::time::timeout(common::smtp::PATIENCE, a.running.state.notifier.settle())
        .await
        .unwrap();
    // (SMS notices are queued too; no gateway is set, so no worker sends them.)
    let queued: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM notifications WHERE status = 'queued' AND channel = 'email' ORDER BY id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(queued.len(), count - 1);

    // Another worker claims the first queued notice: its lease written, not committed.
    let Some(test_db) = &a.postgres else {
        unreachable!("on PostgreSQL")
    };
    let mut other = sqlx::PgConnection::connect(&test_db.url).await.unwrap();
    let mut claiming = other.begin().await.unwrap();
    sqlx::query("UPDATE notifications SET lease_until = 4102444800 WHERE id = $1")
        .bind(queued[0])
        .execute(&mut *claiming)
        .await
        .unwrap();

    // B's worker starts: it sends the rest, and must not queue up behind the claim.
    let mut smtp = SmtpServer::start(port, &[]).await;
    let b = a.beside(settings).await;
    let sent = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM notifications WHERE status = 'sent'")
            .fetch_one(&db)
            .await
            .unwrap() as usize
    };
    let waiting = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM pg_locks WHERE NOT granted")
            .fetch_one(&db)
            .await
            .unwrap()
    };
    // Polled: a worker in another connection gives no sign to await. Either it waits
    // for the claim's row (the fault) or it has sent the rest.
    let deadline = std::time::Instant::now() + common::smtp::PATIENCE;
    while waiting().await == 0 && sent().await < count - 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "B's worker did nothing"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    claiming.commit().await.unwrap();
    tokio::time::timeout(common::smtp::PATIENCE, b.state.notifier.settle())
        .await
        .unwrap();
    let messages = smtp.messages(count - 2).await;
    let ids: std::collections::BTreeSet<String> = messages
        .iter()
        .map(|m| m["message_id"].to_string())
        .collect();
    assert_eq!(ids.len(), count - 2, "no notice twice: {messages:?}");
    assert_eq!(
        sent().await,
        count - 2,
        "all but the failed and the claimed"
    );
    let status: String = sqlx::query_scalar("SELECT status FROM notifications WHERE id = $1")
        .bind(queued[0])
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(status, "queued", "the other worker's notice is left to it");
    let extra: Vec<Value> = smtp
        .pending()
        .into_iter()
        .filter(|e| e["event"] == "message")
        .collect();
    assert!(extra.is_empty(), "sent twice: {extra:?}");
    b.shutdown().await.unwrap();
}
