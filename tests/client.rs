//! `PortalClient` against the real portal on loopback, and against servers that are gone,
//! silent or talking nonsense: every answer becomes data or a `ClientError`, never a panic.

mod common;

use common::{DEMO_PASSWORD, Portal, pdf};
use motcua::api::dossiers::ActionRequest;
use motcua::client::token_store::TokenStore;
use motcua::client::{ChangesOutcome, ClientError, DossierQuery, PortalClient};
use motcua::domain::Lang;
use motcua::domain::status::{Queue, Status};
use motcua::domain::workflow::Action as Step;
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn client(p: &Portal, user: &str) -> PortalClient {
    let c = PortalClient::builder(&p.base).build().unwrap();
    c.login(user, DEMO_PASSWORD).await.unwrap();
    c
}

/// A desk dossier of office 1 with one attached PDF; returns its code.
async fn desk_dossier(p: &Portal) -> String {
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _) = p.citizen_of(1).await;
    let mut body = p.submission("1.001193", &citizen).await;
    let upload = p.upload(&token, "to-khai.pdf", &pdf("client test")).await;
    body["documents"][0]["upload_id"] = json!(upload);
    let (status, d) = p.create_dossier(&token, &body).await;
    assert_eq!(status, 201, "{d}");
    d["code"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn login_me_and_a_wrong_password() {
    let p = Portal::demo().await;
    let c = client(&p, "tiepnhan1").await;
    assert!(c.token().is_some());
    assert_eq!(c.me().await.unwrap().username, "tiepnhan1");
    assert!(c.last_rtt().is_some());
    assert_eq!(c.online(), Some(true));

    let vi = PortalClient::builder(&p.base).build().unwrap();
    match vi.login("tiepnhan1", "wrong-password").await {
        Err(ClientError::Unauthorized { code, message }) => {
            assert_eq!(code, "invalid_credentials");
            assert!(message.contains("không đúng"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(vi.token().is_none());
    let en = PortalClient::builder(&p.base)
        .lang(Lang::En)
        .build()
        .unwrap();
    let e = en.login("nobody", "wrong-password").await.unwrap_err();
    assert!(
        e.message(Lang::En).contains("incorrect") || e.message(Lang::En).contains("wrong"),
        "{e:?}"
    );

    c.logout().await.unwrap();
    assert!(matches!(
        c.me().await,
        Err(ClientError::Unauthorized { .. })
    ));
}

#[tokio::test]
async fn lists_follow_cursors_and_the_feed_reports_changes() {
    let p = Portal::with(
        Settings {
            changes_kept: 5,
            ..Settings::default()
        },
        Seed::Demo,
    )
    .await;
    let c = client(&p, "tiepnhan1").await;
    let first = c
        .dossiers(&DossierQuery {
            queue: Some(Queue::All),
            limit: Some(7),
            ..DossierQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(first.items.len(), 7);
    let all = c.all_dossiers(Queue::All, 100).await.unwrap();
    assert_eq!(all.len() as u64, first.total);
    let codes: HashSet<_> = all.iter().map(|d| d.code.clone()).collect();
    assert_eq!(codes.len(), all.len(), "no dossier twice across pages");

    let ChangesOutcome::Changes(start) = c.changes(None, true).await.unwrap() else {
        panic!()
    };
    let pending = c
        .dossiers(&DossierQuery {
            queue: Some(Queue::OnlinePending),
            limit: Some(1),
            ..DossierQuery::default()
        })
        .await
        .unwrap();
    let target = &pending.items[0];
    let request = ActionRequest {
        action: Some(Step::Receive),
        ..ActionRequest::default()
    };
    let after = c.act(&target.code, target.version, &request).await.unwrap();
    assert_eq!(after.status, Status::Received);
    assert_eq!(after.version, target.version + 1);
    let ChangesOutcome::Changes(delta) = c.changes(Some(start.seq), true).await.unwrap() else {
        panic!()
    };
    assert_eq!(delta.changes.len(), 1);
    assert!(delta.seq > start.seq);

    // Enough other changes and the old position is gone: 410 → Expired.
    let more = c.all_dossiers(Queue::Received, 2).await.unwrap();
    for d in more.iter().filter(|d| d.code != target.code).take(6) {
        let forward = ActionRequest {
            action: Some(Step::Forward),
            ..ActionRequest::default()
        };
        c.act(&d.code, d.version, &forward).await.unwrap();
    }
    assert_eq!(
        c.changes(Some(start.seq), true).await.unwrap(),
        ChangesOutcome::Expired
    );
}

#[tokio::test]
async fn details_are_revalidated_and_actions_checked() {
    let p = Portal::demo().await;
    let code = desk_dossier(&p).await;
    let c = client(&p, "tiepnhan1").await;
    let first = c.dossier(&code).await.unwrap();
    // The portal answers the second request 304: the client's cached copy comes back.
    let etag = p
        .get(&format!("/dossiers/{code}"))
        .bearer_auth(p.login("tiepnhan1", DEMO_PASSWORD).await)
        .send()
        .await
        .unwrap()
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let not_modified = p
        .get(&format!("/dossiers/{code}"))
        .bearer_auth(c.token().unwrap())
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);
    assert_eq!(c.dossier(&code).await.unwrap(), first);

    // A stale version: 412 with the current dossier.
    let forward = ActionRequest {
        action: Some(Step::Forward),
        ..ActionRequest::default()
    };
    let moved = c.act(&code, first.version, &forward).await.unwrap();
    match c.act(&code, first.version, &forward).await {
        Err(ClientError::Conflict { current }) => assert_eq!(current.version, moved.version),
        other => panic!("{other:?}"),
    }
    // A rule's refusal: 422 with its code and message.
    let receive = ActionRequest {
        action: Some(Step::Receive),
        ..ActionRequest::default()
    };
    match c.act(&code, moved.version, &receive).await {
        Err(ClientError::Api {
            status: 422,
            code,
            message,
            ..
        }) => {
            assert_eq!(code, "invalid_transition");
            assert!(!message.is_empty());
        }
        other => panic!("{other:?}"),
    }
    // Another office's dossier does not exist for this user.
    let other = client(&p, "tiepnhan2").await;
    assert!(matches!(
        other.dossier(&code).await,
        Err(ClientError::Api { status: 404, .. })
    ));
}

#[tokio::test]
async fn forms_attachments_and_stats() {
    let p = Portal::demo().await;
    let code = desk_dossier(&p).await;
    let c = client(&p, "tiepnhan1").await;
    let receipt = c.form(&code, "receipt").await.unwrap();
    assert!(receipt.contains(&code), "{receipt}");

    let d = c.dossier(&code).await.unwrap();
    let attachment = d
        .documents
        .iter()
        .find_map(|x| x.attachment.clone())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("tải về.pdf");
    let bytes = c
        .download_attachment(&code, &attachment.id, &dest)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), pdf("client test"));
    assert_eq!(bytes, attachment.size);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 1, "no partial file left: {left:?}");

    let stats = c.stats().await.unwrap();
    assert!(stats.queues.all >= 1);
}

#[tokio::test]
async fn a_portal_that_is_not_there_is_offline() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = PortalClient::builder(&format!("http://127.0.0.1:{port}/api/v1"))
        .build()
        .unwrap();
    let e = c.health().await.unwrap_err();
    assert!(matches!(e, ClientError::Offline(_)), "{e:?}");
    assert_eq!(c.online(), Some(false));
    assert!(e.message(Lang::Vi).contains("Kiểm tra mạng"));
    assert!(matches!(
        PortalClient::builder("not a url").build(),
        Err(ClientError::BadUrl(_))
    ));
}

/// A one-connection server that answers every request with `reply` (or never answers).
async fn fake_server(reply: Option<&'static [u8]>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                match reply {
                    Some(bytes) => {
                        let _ = socket.write_all(bytes).await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    format!("http://{addr}/api/v1")
}

#[tokio::test]
async fn nonsense_is_a_decode_error_and_silence_a_timeout() {
    let base = fake_server(Some(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5\r\n\r\nhello",
    ))
    .await;
    let c = PortalClient::builder(&base).build().unwrap();
    let e = c.me().await.unwrap_err();
    assert!(matches!(e, ClientError::Decode(_)), "{e:?}");
    assert!(!e.message(Lang::Vi).is_empty());

    let base = fake_server(Some(
        b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 4\r\n\r\noops",
    ))
    .await;
    let e = PortalClient::builder(&base)
        .build()
        .unwrap()
        .me()
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::Decode(_)), "{e:?}");

    let base = fake_server(None).await;
    let c = PortalClient::builder(&base)
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let e = c.me().await.unwrap_err();
    assert_eq!(e, ClientError::Timeout);
    assert!(e.message(Lang::Vi).contains("thử lại"));
}

#[test]
fn memory_token_store_round_trip() {
    let mut store = TokenStore::memory("motcua-test");
    store.save("Đào tạo", "tiepnhan1", "abc").unwrap();
    assert_eq!(store.load("Đào tạo", "tiepnhan1").as_deref(), Some("abc"));
    store.delete("Đào tạo", "tiepnhan1").unwrap();
    assert_eq!(store.load("Đào tạo", "tiepnhan1"), None);
}
