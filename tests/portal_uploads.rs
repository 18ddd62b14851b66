//! Resumable uploads over real HTTP: create, HEAD, PATCH in chunks, a chunk cut by a
//! dropped connection, a stalled connection overtaken by a resumed one, checksum and
//! content checks, the file as the truth after a crash, and the helpers for dossiers.

mod common;

use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::api::uploads::{MAX_CHUNK_SIZE, MAX_UPLOAD_SIZE};
use motcua::portal::service::uploads::{claim_for_dossier, open_complete};
use reqwest::{Response, header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CHUNK_TYPE: &str = "application/offset+octet-stream";
const CITIZEN: &str = "083078238953";

/// PDF-looking bytes: the signature, then a reproducible noise that compresses badly.
fn pdf_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut data = b"%PDF-1.7\n".to_vec();
    let mut x = seed | 1;
    while data.len() < len {
        // xorshift64: enough randomness to catch a misplaced byte, no dependency.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data.extend_from_slice(&x.to_le_bytes());
    }
    data.truncate(len);
    data
}

fn sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn key() -> String {
    format!("\"{}\"", uuid::Uuid::new_v4())
}

fn declare(data: &[u8], content_type: &str) -> Value {
    json!({"filename": "giay-khai-sinh.pdf", "size": data.len(), "sha256": sha(data), "content_type": content_type})
}

fn offset_of(res: &Response) -> u64 {
    res.headers()["upload-offset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn create(p: &Portal, token: &str, body: &Value) -> Response {
    p.post("/uploads")
        .bearer_auth(token)
        .header("idempotency-key", key())
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Declares `data` and returns the new upload's id.
async fn new_upload(p: &Portal, token: &str, data: &[u8], content_type: &str) -> String {
    let (status, body) = status_json(create(p, token, &declare(data, content_type)).await).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

async fn patch(p: &Portal, token: &str, id: &str, offset: u64, chunk: &[u8]) -> Response {
    p.http
        .patch(p.url(&format!("/uploads/{id}")))
        .bearer_auth(token)
        .header("upload-offset", offset)
        .header(header::CONTENT_TYPE, CHUNK_TYPE)
        .body(chunk.to_vec())
        .send()
        .await
        .unwrap()
}

async fn head(p: &Portal, token: &str, id: &str) -> Response {
    p.http
        .head(p.url(&format!("/uploads/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

fn files_dir(p: &Portal) -> PathBuf {
    p.running.state.files_dir.clone()
}

/// The upload's content as the dossier code would read it.
async fn stored(p: &Portal, id: &str) -> Vec<u8> {
    let (row, mut file) = open_complete(&p.running.state, id)
        .await
        .expect("a complete upload");
    assert!(row.complete);
    let mut content = Vec::new();
    file.read_to_end(&mut content).await.unwrap();
    assert_eq!(sha(&content), row.sha256);
    content
}

async fn upload_rows(p: &Portal) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM uploads")
        .fetch_one(&p.running.state.db)
        .await
        .unwrap()
}

/// What a client does after a broken connection: send the rest in chunks from `at`,
/// going on from the server's `Upload-Offset` after a 409, or after asking (HEAD) when a
/// connection breaks. Bounded: every round either moves the upload on or takes over from
/// a stale request.
async fn resume(p: &Portal, token: &str, id: &str, data: &[u8], mut at: u64) {
    let len = data.len() as u64;
    for _ in 0..10 {
        let end = (at + 100_000).min(len);
        let chunk = &data[at as usize..end as usize];
        let request = p
            .http
            .patch(p.url(&format!("/uploads/{id}")))
            .bearer_auth(token)
            .header("upload-offset", at)
            .header(header::CONTENT_TYPE, CHUNK_TYPE)
            .body(chunk.to_vec());
        at = match request.send().await {
            Ok(res) if matches!(res.status().as_u16(), 204 | 409) => offset_of(&res),
            Ok(res) => panic!("unexpected {}", res.status()),
            // The server may close a connection whose body it refused unread.
            Err(_) => offset_of(&head(p, token, id).await),
        };
        if at == len {
            return;
        }
    }
    panic!("the upload does not get anywhere");
}

/// Sends a request by hand, on a socket the test controls: what reqwest cannot do is
/// promise a body and not send it.
async fn raw(p: &Portal, request_head: &str, body: &[u8]) -> TcpStream {
    let mut socket = TcpStream::connect(p.running.addr).await.unwrap();
    socket.write_all(request_head.as_bytes()).await.unwrap();
    socket.write_all(body).await.unwrap();
    socket.flush().await.unwrap();
    socket
}

fn raw_patch_head(p: &Portal, token: &str, id: &str, offset: u64, length: u64) -> String {
    format!(
        "PATCH /api/v1/uploads/{id} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Upload-Offset: {offset}\r\nContent-Type: {CHUNK_TYPE}\r\nContent-Length: {length}\r\n\r\n",
        p.running.addr
    )
}

/// Everything the server sends until it closes, bounded so that a test never hangs.
async fn read_to_close(socket: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), socket.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .ok();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn create_answers_201_with_location_and_replays_a_retry() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let data = pdf_bytes(10_000, 1);
    let k = key();
    let send = |body: String| {
        p.post("/uploads")
            .bearer_auth(&token)
            .header("idempotency-key", &k)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
    };
    let first = send(declare(&data, "application/pdf").to_string())
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let location = first.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let (_, body) = status_json(first).await;
    let id = body["id"].as_str().unwrap();
    assert_eq!(body["offset"], 0);
    assert_eq!(location, format!("/api/v1/uploads/{id}"));
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
    let part = files_dir(&p).join(format!("{id}.part"));
    assert_eq!(std::fs::metadata(&part).unwrap().len(), 0, "an empty file");

    // The same payload, spelled differently: the first answer again, Location included.
    let pretty = serde_json::to_string_pretty(&declare(&data, "application/pdf")).unwrap();
    let again = send(pretty).await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(
        again.headers()[header::LOCATION].to_str().unwrap(),
        location
    );
    let (_, replayed) = status_json(again).await;
    assert_eq!(replayed, body);
    assert_eq!(upload_rows(&p).await, 1, "a replay creates nothing");

    let other = send(declare(&pdf_bytes(10, 2), "application/pdf").to_string())
        .await
        .unwrap();
    let (status, reused) = status_json(other).await;
    assert_eq!(status, 422);
    assert_eq!(reused["error"]["code"], "idempotency_key_reused");

    let res = p
        .post("/uploads")
        .bearer_auth(&token)
        .json(&declare(&data, "application/pdf"))
        .send()
        .await
        .unwrap();
    let (status, missing) = status_json(res).await;
    assert_eq!(status, 400);
    assert_eq!(missing["error"]["code"], "idempotency_key_missing");

    let res = p
        .post("/uploads")
        .header("idempotency-key", key())
        .json(&declare(&data, "application/pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "only logged-in users upload");
    assert_eq!(upload_rows(&p).await, 1);

    // The name is kept for display only: no path, NFC.
    let mut declared = declare(&data, "Application/PDF");
    declared["filename"] = json!("C:\\fakepath\\Gia\u{0301}y khai sinh.pdf");
    let (status, body) = status_json(create(&p, &token, &declared).await).await;
    assert_eq!(status, 201, "{body}");
    let (filename, content_type): (String, String) =
        sqlx::query_as("SELECT filename, content_type FROM uploads WHERE id = $1")
            .bind(body["id"].as_str().unwrap())
            .fetch_one(&p.running.state.db)
            .await
            .unwrap();
    assert_eq!(filename, "Giáy khai sinh.pdf");
    assert_eq!(content_type, "application/pdf");
}

#[tokio::test]
async fn create_refuses_what_cannot_be_kept() {
    let p = Portal::demo().await;
    let token = p.login(CITIZEN, DEMO_PASSWORD).await;
    let data = pdf_bytes(100, 3);

    let mut too_big = declare(&data, "application/pdf");
    too_big["size"] = json!(MAX_UPLOAD_SIZE + 1);
    let (status, vi) = status_json(create(&p, &token, &too_big).await).await;
    assert_eq!(status, 413);
    assert_eq!(vi["error"]["code"], "payload_too_large");
    assert!(
        vi["error"]["message"].as_str().unwrap().contains("20 MB"),
        "{vi}"
    );
    let res = p
        .post("/uploads")
        .bearer_auth(&token)
        .header("idempotency-key", key())
        .header(header::ACCEPT_LANGUAGE, "en")
        .json(&too_big)
        .send()
        .await
        .unwrap();
    let (_, en) = status_json(res).await;
    assert!(
        en["error"]["message"]
            .as_str()
            .unwrap()
            .contains("over the 20 MB limit"),
        "{en}"
    );

    let mut largest = declare(&data, "application/pdf");
    largest["size"] = json!(MAX_UPLOAD_SIZE);
    assert_eq!(create(&p, &token, &largest).await.status(), 201);

    let (status, body) = status_json(create(&p, &token, &declare(&data, "text/plain")).await).await;
    assert_eq!(status, 415);
    assert_eq!(body["error"]["code"], "unsupported_media_type");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("text/plain")
    );

    let bad = json!({"filename": "../", "size": 0, "sha256": "abc", "content_type": "image/png"});
    let (status, body) = status_json(create(&p, &token, &bad).await).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "validation_failed");
    for field in ["filename", "size", "sha256"] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }

    let (status, body) = status_json(create(&p, &token, &json!({"size": 1})).await).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(upload_rows(&p).await, 1);
}

#[tokio::test]
async fn json_routes_keep_their_limit_and_chunks_have_their_own() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    // Bodies are promised and not sent: the limits answer on the announced length, and a
    // test that sent megabytes to be refused would race the server closing the socket.
    let json_head = format!(
        "POST /api/v1/uploads HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Idempotency-Key: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        p.running.addr,
        key(),
        1024 * 1024 + 1
    );
    let mut socket = raw(&p, &json_head, b"").await;
    let answer = read_to_close(&mut socket).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    let data = pdf_bytes(MAX_CHUNK_SIZE as usize + 10, 4);
    let id = new_upload(&p, &token, &data, "application/pdf").await;
    let head_ = raw_patch_head(&p, &token, &id, 0, MAX_CHUNK_SIZE + 1);
    let mut socket = raw(&p, &head_, b"").await;
    let answer = read_to_close(&mut socket).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
}

#[tokio::test]
async fn only_the_owner_sees_an_upload() {
    let p = Portal::demo().await;
    let officer = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let citizen = p.login(CITIZEN, DEMO_PASSWORD).await;
    let data = pdf_bytes(5000, 5);
    let id = new_upload(&p, &officer, &data, "application/pdf").await;

    let own = head(&p, &officer, &id).await;
    assert_eq!(own.status(), 200);
    assert_eq!(offset_of(&own), 0);
    assert_eq!(own.headers()["upload-length"], "5000");
    assert_eq!(own.headers()[header::CACHE_CONTROL], "no-store");

    assert_eq!(head(&p, &citizen, &id).await.status(), 404);
    let (status, body) = status_json(patch(&p, &citizen, &id, 0, &data).await).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(offset_of(&head(&p, &officer, &id).await), 0, "untouched");

    let unknown = uuid::Uuid::new_v4().to_string();
    assert_eq!(head(&p, &officer, &unknown).await.status(), 404);
    assert_eq!(head(&p, &officer, "not-an-id").await.status(), 404);
    assert_eq!(
        head(&p, &officer, "..%2Fportal.sqlite3").await.status(),
        404
    );

    // Citizens upload too, and see only their own.
    let theirs = new_upload(&p, &citizen, &data, "application/pdf").await;
    assert_eq!(head(&p, &citizen, &theirs).await.status(), 200);
    assert_eq!(head(&p, &officer, &theirs).await.status(), 404);
}

#[tokio::test]
async fn three_chunks_make_a_complete_upload() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let data = pdf_bytes(1_500_000, 6);
    let id = new_upload(&p, &token, &data, "application/pdf").await;
    // The first chunk is over the 1 MiB JSON limit on purpose.
    let cuts = [0, 1_100_000, 1_400_000, 1_500_000];
    for pair in cuts.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        let res = patch(&p, &token, &id, from as u64, &data[from..to]).await;
        assert_eq!(res.status(), 204, "chunk {from}..{to}");
        assert_eq!(offset_of(&res), to as u64);
        if to < data.len() {
            assert_eq!(offset_of(&head(&p, &token, &id).await), to as u64);
        }
    }
    let done = head(&p, &token, &id).await;
    assert_eq!(offset_of(&done), 1_500_000);
    assert_eq!(done.headers()["upload-length"], "1500000");
    assert_eq!(stored(&p, &id).await, data);
    assert!(!files_dir(&p).join(format!("{id}.part")).exists());

    // A repeat of a chunk whose answer got lost hurts nothing. (Bodies refused before
    // they are read are kept small in these tests: the server closes a connection whose
    // unread body is large, and the client may then see the reset before the answer.)
    let res = patch(&p, &token, &id, 1_400_000, &data[1_400_000..1_401_000]).await;
    assert_eq!(res.status(), 409);
    assert_eq!(offset_of(&res), 1_500_000, "the client learns it is done");
    let res = patch(&p, &token, &id, 1_500_000, b"").await;
    assert_eq!(res.status(), 204);
    assert_eq!(stored(&p, &id).await, data);
}

#[tokio::test]
async fn a_wrong_offset_is_refused_with_the_right_one() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let data = pdf_bytes(1000, 7);
    let id = new_upload(&p, &token, &data, "application/pdf").await;
    assert_eq!(patch(&p, &token, &id, 0, &data[..400]).await.status(), 204);

    for wrong in [0, 399, 401, 800] {
        let res = patch(&p, &token, &id, wrong, &data[wrong as usize..]).await;
        assert_eq!(res.status(), 409, "offset {wrong}");
        assert_eq!(offset_of(&res), 400, "the header says where to go on");
        let (_, body) = status_json(res).await;
        assert_eq!(body["error"]["code"], "upload_offset_mismatch");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("từ byte 400")
        );
    }
    assert_eq!(offset_of(&head(&p, &token, &id).await), 400);
    assert_eq!(
        patch(&p, &token, &id, 400, &data[400..]).await.status(),
        204
    );
    assert_eq!(stored(&p, &id).await, data);
}

#[tokio::test]
async fn a_cut_chunk_keeps_what_arrived_and_resumes() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let data = pdf_bytes(600_000, 8);
    let id = new_upload(&p, &token, &data, "application/pdf").await;

    // The whole file is promised and an odd number of bytes sent; then the client stops
    // sending but still listens (half-close): the answer tells it where to go on.
    let first = 250_001;
    let request = raw_patch_head(&p, &token, &id, 0, data.len() as u64);
    let mut socket = raw(&p, &request, &data[..first]).await;
    socket.shutdown().await.unwrap();
    let answer = read_to_close(&mut socket).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("upload_chunk_incomplete"), "{answer}");
    assert!(
        answer.contains(&format!("\r\nupload-offset: {first}\r\n")),
        "{answer}"
    );

    // Then a real disconnect: the rest is promised, part of it sent, and the socket
    // closed for good. Nothing can answer the client now.
    let second = first + 100_000;
    let request = raw_patch_head(&p, &token, &id, first as u64, (data.len() - first) as u64);
    drop(raw(&p, &request, &data[first..second]).await);
    // The server commits once it sees the body end early, with no event the client can
    // await: ask until the answer settles, a few milliseconds apart, boundedly.
    let mut offset = 0;
    for _ in 0..500 {
        offset = offset_of(&head(&p, &token, &id).await);
        if offset == second as u64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        offset, second as u64,
        "exactly the bytes that arrived are kept"
    );

    let res = patch(&p, &token, &id, offset, &data[second..]).await;
    assert_eq!(res.status(), 204);
    assert_eq!(offset_of(&res), data.len() as u64);
    assert_eq!(stored(&p, &id).await, data);
}

#[tokio::test]
async fn a_stalled_chunk_gives_way_to_a_resumed_one() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let data = pdf_bytes(300_000, 9);
    let id = new_upload(&p, &token, &data, "application/pdf").await;

    // A connection that went silent mid-chunk, as on a dropped 3G link: no FIN, no RST.
    let request = raw_patch_head(&p, &token, &id, 0, data.len() as u64);
    let mut stalled = raw(&p, &request, &data[..100_000]).await;

    // The client reconnects and starts again from what it last knew. The server stops the
    // stalled writer (keeping what it had) instead of making the client wait for it.
    tokio::time::timeout(Duration::from_secs(10), resume(&p, &token, &id, &data, 0))
        .await
        .expect("a stalled chunk does not block the upload");
    assert_eq!(stored(&p, &id).await, data);

    // The stalled request is told, should its client still listen: usually that it was
    // superseded; an offset mismatch if the server got to it only after the other.
    let answer = read_to_close(&mut stalled).await;
    assert!(answer.starts_with("HTTP/1.1 409"), "{answer}");
    assert!(answer.contains("\r\nupload-offset: "), "{answer}");
}

#[tokio::test]
async fn a_checksum_mismatch_discards_the_upload() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let data = pdf_bytes(4000, 10);
    let mut declared = declare(&data, "application/pdf");
    declared["sha256"] = json!(sha(b"another file"));
    let (_, body) = status_json(create(&p, &token, &declared).await).await;
    let id = body["id"].as_str().unwrap();

    assert_eq!(patch(&p, &token, id, 0, &data[..1000]).await.status(), 204);
    let res = patch(&p, &token, id, 1000, &data[1000..]).await;
    let (status, body) = status_json(res).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "upload_checksum_mismatch");
    assert!(body["error"]["message"].as_str().unwrap().contains("Hãy"));

    assert_eq!(head(&p, &token, id).await.status(), 404, "discarded");
    assert_eq!(upload_rows(&p).await, 0);
    assert!(!files_dir(&p).join(format!("{id}.part")).exists());
    assert!(!files_dir(&p).join(id).exists());
}

#[tokio::test]
async fn content_must_match_the_declared_type() {
    let p = Portal::demo().await;
    let token = p.login(CITIZEN, DEMO_PASSWORD).await;
    let pdf = pdf_bytes(3000, 11);
    let id = new_upload(&p, &token, &pdf, "image/png").await;
    let res = p
        .http
        .patch(p.url(&format!("/uploads/{id}")))
        .bearer_auth(&token)
        .header("upload-offset", 0)
        .header(header::CONTENT_TYPE, CHUNK_TYPE)
        .header(header::ACCEPT_LANGUAGE, "en")
        .body(pdf.clone())
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(res).await;
    assert_eq!(status, 415);
    assert_eq!(body["error"]["code"], "upload_type_mismatch");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("The file's content is not PNG")
    );
    assert_eq!(head(&p, &token, &id).await.status(), 404, "discarded");

    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.extend_from_slice(&pdf[..2000]);
    let id = new_upload(&p, &token, &jpeg, "image/jpeg").await;
    assert_eq!(patch(&p, &token, &id, 0, &jpeg).await.status(), 204);
    assert_eq!(stored(&p, &id).await, jpeg);
}

#[tokio::test]
async fn chunks_must_be_well_formed() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let data = pdf_bytes(100, 12);
    let id = new_upload(&p, &token, &data, "application/pdf").await;
    let url = p.url(&format!("/uploads/{id}"));

    let res = p
        .http
        .patch(&url)
        .bearer_auth(&token)
        .header("upload-offset", 0)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(data.clone())
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(res).await;
    assert_eq!(status, 415);
    assert_eq!(body["error"]["code"], "unsupported_media_type");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(CHUNK_TYPE)
    );

    for offset in [None, Some("+0"), Some("-1"), Some("zero")] {
        let mut request = p
            .http
            .patch(&url)
            .bearer_auth(&token)
            .header(header::CONTENT_TYPE, CHUNK_TYPE);
        if let Some(offset) = offset {
            request = request.header("upload-offset", offset);
        }
        let (status, body) = status_json(request.body(data.clone()).send().await.unwrap()).await;
        assert_eq!(status, 400, "{offset:?}");
        assert_eq!(body["error"]["code"], "bad_request");
    }

    let mut longer = data.clone();
    longer.extend_from_slice(b"one byte too many? no, more");
    let res = patch(&p, &token, &id, 0, &longer).await;
    assert_eq!(res.status(), 413);
    assert_eq!(offset_of(&res), 0);
    let (_, body) = status_json(res).await;
    assert_eq!(body["error"]["code"], "payload_too_large");
    assert_eq!(offset_of(&head(&p, &token, &id).await), 0, "nothing kept");

    assert_eq!(patch(&p, &token, &id, 0, &data).await.status(), 204);
    assert_eq!(stored(&p, &id).await, data);
}

#[tokio::test]
async fn the_file_is_the_truth_after_a_crash() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let data = pdf_bytes(1000, 13);
    let id = new_upload(&p, &token, &data, "application/pdf").await;
    let part = files_dir(&p).join(format!("{id}.part"));
    let db = &p.running.state.db;
    let received = || async {
        sqlx::query_scalar::<_, i64>("SELECT received FROM uploads WHERE id = $1")
            .bind(&id)
            .fetch_one(db)
            .await
            .unwrap()
    };
    assert_eq!(patch(&p, &token, &id, 0, &data[..600]).await.status(), 204);

    // The disk lost the tail the database had recorded: the server claims only the file.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&part)
        .unwrap()
        .set_len(500)
        .unwrap();
    assert_eq!(offset_of(&head(&p, &token, &id).await), 500);
    assert_eq!(received().await, 500);

    // Bytes written but never recorded (a crash before the update): cut back.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&part)
        .unwrap()
        .write_all(&[0u8; 300])
        .unwrap();
    assert_eq!(offset_of(&head(&p, &token, &id).await), 500);
    assert_eq!(std::fs::metadata(&part).unwrap().len(), 500);
    let res = patch(&p, &token, &id, 500, &data[500..]).await;
    assert_eq!(res.status(), 204);
    assert_eq!(stored(&p, &id).await, data);

    // A crash between the final rename and the database update: the next look finishes it.
    sqlx::query("UPDATE uploads SET complete = 0 WHERE id = $1")
        .bind(&id)
        .execute(db)
        .await
        .unwrap();
    assert!(open_complete(&p.running.state, &id).await.is_err());
    let res = head(&p, &token, &id).await;
    assert_eq!(res.status(), 200);
    assert_eq!(offset_of(&res), 1000);
    assert_eq!(stored(&p, &id).await, data);
}

#[tokio::test]
async fn claim_for_dossier_attaches_a_complete_upload_once() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (_, me) = status_json(p.get("/me").bearer_auth(&token).send().await.unwrap()).await;
    let owner = me["id"].as_i64().unwrap();
    let data = pdf_bytes(2000, 14);
    let id = new_upload(&p, &token, &data, "application/pdf").await;
    let db = &p.running.state.db;

    let code =
        |r: Result<_, motcua::portal::error::ApiError>| r.map(|_| ()).unwrap_err().code().as_str();
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        code(claim_for_dossier(&mut tx, &id, owner, 7).await),
        "upload_incomplete"
    );
    tx.rollback().await.unwrap();

    assert_eq!(patch(&p, &token, &id, 0, &data).await.status(), 204);
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        code(claim_for_dossier(&mut tx, &id, owner + 1, 7).await),
        "upload_not_found",
        "someone else's"
    );
    assert_eq!(
        code(claim_for_dossier(&mut tx, "../x", owner, 7).await),
        "upload_not_found"
    );
    let info = claim_for_dossier(&mut tx, &id, owner, 7).await.unwrap();
    assert_eq!(info.id, id);
    assert_eq!(info.size, 2000);
    assert_eq!(info.sha256, sha(&data));
    assert_eq!(info.filename, "giay-khai-sinh.pdf");
    assert!(claim_for_dossier(&mut tx, &id, owner, 7).await.is_ok());
    assert_eq!(
        code(claim_for_dossier(&mut tx, &id, owner, 8).await),
        "upload_already_attached"
    );
    tx.commit().await.unwrap();
    let attached: Option<i64> = sqlx::query_scalar("SELECT dossier_id FROM uploads WHERE id = $1")
        .bind(&id)
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(attached, Some(7));
}

#[tokio::test]
async fn uploads_never_attached_are_discarded_after_a_day() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (_, me) = status_json(p.get("/me").bearer_auth(&token).send().await.unwrap()).await;
    let owner = me["id"].as_i64().unwrap();
    let data = pdf_bytes(3000, 15);
    // Finished but never attached; half sent; finished and attached to a dossier.
    let finished = new_upload(&p, &token, &data, "application/pdf").await;
    assert_eq!(patch(&p, &token, &finished, 0, &data).await.status(), 204);
    let half = new_upload(&p, &token, &data, "application/pdf").await;
    assert_eq!(
        patch(&p, &token, &half, 0, &data[..1500]).await.status(),
        204
    );
    let attached = new_upload(&p, &token, &data, "application/pdf").await;
    assert_eq!(patch(&p, &token, &attached, 0, &data).await.status(), 204);
    let mut tx = p.running.state.db.begin().await.unwrap();
    claim_for_dossier(&mut tx, &attached, owner, 7)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let dir = files_dir(&p);
    let file_of = |id: &str, done: bool| {
        dir.join(if done {
            id.to_owned()
        } else {
            format!("{id}.part")
        })
    };

    // A new upload 23 hours on (after a new login: tokens do not last that long):
    // everything is young enough to keep.
    let clock = &p.running.state.clock;
    clock.advance(chrono::TimeDelta::hours(23));
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let young = new_upload(&p, &token, &data, "application/pdf").await;
    assert_eq!(upload_rows(&p).await, 4);

    // Another one past the day: the first two are gone, rows and bytes.
    clock.advance(chrono::TimeDelta::hours(2));
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    new_upload(&p, &token, &data, "application/pdf").await;
    assert_eq!(upload_rows(&p).await, 3, "attached, young and the new one");
    assert!(!file_of(&finished, true).exists());
    assert!(!file_of(&half, false).exists());
    assert_eq!(head(&p, &token, &finished).await.status(), 404);
    assert_eq!(head(&p, &token, &half).await.status(), 404);
    assert!(file_of(&attached, true).exists());
    assert_eq!(stored(&p, &attached).await, data);
    assert!(file_of(&young, false).exists());
    assert_eq!(head(&p, &token, &young).await.status(), 200);
}
