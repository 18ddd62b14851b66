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

/// The API base of a second portal process.
fn base(running: &motcua::portal::Running) -> String {
    format!("http://{}/api/v1", running.addr)
}

#[tokio::test]
async fn a_guesser_meets_one_limit_across_processes_and_tokens_travel() {
    if !on_postgres() {
        eprintln!("skipped: several processes need PostgreSQL (MOTCUA_TEST_POSTGRES)");
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
    if !on_postgres() {
        eprintln!("skipped: several processes need PostgreSQL (MOTCUA_TEST_POSTGRES)");
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
    use sha2::Digest;
    if !on_postgres() {
        eprintln!("skipped: several processes need PostgreSQL (MOTCUA_TEST_POSTGRES)");
        return;
    }
    let a = Portal::with(Settings::default(), Seed::Accounts).await;
    let b = a.beside(Settings::default()).await;
    let token = a.login("tiepnhan1", DEMO_PASSWORD).await;
    let http = reqwest::Client::new();
    let data = common::pdf("moved between processes");
    let third = data.len() / 3;
    let res = a
        .post("/uploads")
        .bearer_auth(&token)
        .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
        .json(&json!({
            "filename": "don.pdf",
            "size": data.len(),
            "sha256": hex::encode(sha2::Sha256::digest(&data)),
            "content_type": "application/pdf"
        }))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(res).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
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
    use sha2::Digest;
    if !on_postgres() {
        eprintln!("skipped: several processes need PostgreSQL (MOTCUA_TEST_POSTGRES)");
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
    let res = a
        .post("/uploads")
        .bearer_auth(&token)
        .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
        .json(&json!({
            "filename": "don.pdf",
            "size": data.len(),
            "sha256": hex::encode(sha2::Sha256::digest(&data)),
            "content_type": "application/pdf"
        }))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(res).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
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
