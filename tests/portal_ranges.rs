//! `GET /dossiers/{code}/attachments/{id}` by byte ranges: 206 with `Content-Range`,
//! `If-Range` on the file's ETag (its SHA-256), 416 with the file's size for a range past
//! the end, the whole file when a range is ignored; and never compressed, so that ranges
//! count the file's own bytes.

mod common;

use common::{DEMO_PASSWORD, Portal, status_json};
use sha2::{Digest, Sha256};

/// A file of `len` bytes that looks like a PDF and does not compress.
fn pdf_of(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut x: u64 = 0x2545F4914F6CDD1D;
    while bytes.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

/// A dossier of office 1 with `file` attached to its first part: (token, url of the file).
async fn attached(portal: &Portal, file: &[u8]) -> (String, String) {
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let upload = portal.upload(&token, "ban-quet.pdf", file).await;
    let (citizen, _) = portal.citizen_of(1).await;
    let mut body = portal.submission("1.001193", &citizen).await;
    body["documents"][0]["upload_id"] = serde_json::json!(upload);
    let (status, d) = portal.create_dossier(&token, &body).await;
    assert_eq!(status, 201, "{d}");
    let code = d["code"].as_str().unwrap();
    let id = d["documents"][0]["attachment"]["id"].as_str().unwrap();
    (token, format!("/dossiers/{code}/attachments/{id}"))
}

#[tokio::test]
async fn ranges_of_an_attachment_are_206_with_their_place_in_the_file() {
    let portal = Portal::demo().await;
    let file = pdf_of(100_000);
    let sha = hex::encode(Sha256::digest(&file));
    let (token, url) = attached(&portal, &file).await;

    // The whole file offers ranges, names itself by its SHA-256, and is not compressed
    // even to a client that takes gzip.
    let res = portal
        .get(&url)
        .bearer_auth(&token)
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(h["etag"], format!("\"{sha}\""));
    assert_eq!(h["x-content-sha256"], sha.as_str());
    assert!(h.get("content-encoding").is_none(), "{h:?}");
    assert_eq!(h["content-length"], "100000");
    assert_eq!(res.bytes().await.unwrap().to_vec(), file);

    let etag = format!("\"{sha}\"");
    for (range, start, end) in [
        ("bytes=40000-", 40_000, 99_999),
        ("bytes=0-9", 0, 9),
        ("bytes=99990-200000", 99_990, 99_999),
        ("bytes=-100", 99_900, 99_999),
    ] {
        let res = portal
            .get(&url)
            .bearer_auth(&token)
            .header("Range", range)
            .header("If-Range", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 206, "{range}");
        let h = res.headers().clone();
        assert_eq!(
            h["content-range"],
            format!("bytes {start}-{end}/100000"),
            "{range}"
        );
        assert_eq!(
            h["content-length"],
            (end - start + 1).to_string(),
            "{range}"
        );
        assert_eq!(h["etag"], etag.as_str());
        assert_eq!(h["x-content-sha256"], sha.as_str());
        assert_eq!(
            res.bytes().await.unwrap().to_vec(),
            file[start..=end].to_vec(),
            "{range}"
        );
    }
}

#[tokio::test]
async fn if_range_naming_another_file_gets_the_whole_file() {
    let portal = Portal::demo().await;
    let file = pdf_of(20_000);
    let (token, url) = attached(&portal, &file).await;
    for if_range in [
        "\"0000\"".to_owned(),
        format!("W/\"{}\"", hex::encode(Sha256::digest(&file))),
        "Wed, 21 Oct 2015 07:28:00 GMT".to_owned(),
    ] {
        let res = portal
            .get(&url)
            .bearer_auth(&token)
            .header("Range", "bytes=10000-")
            .header("If-Range", &if_range)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{if_range}");
        assert!(res.headers().get("content-range").is_none());
        assert_eq!(res.bytes().await.unwrap().to_vec(), file);
    }
    // Ranges the portal does not serve are ignored, as RFC 9110 allows.
    for range in ["bytes=0-1,5-6", "items=0-5", "bytes=9-2", "bytes=abc"] {
        let res = portal
            .get(&url)
            .bearer_auth(&token)
            .header("Range", range)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{range}");
        assert_eq!(res.bytes().await.unwrap().len(), file.len(), "{range}");
    }
}

#[tokio::test]
async fn a_range_past_the_end_is_416_with_the_size() {
    let portal = Portal::demo().await;
    let file = pdf_of(5_000);
    let (token, url) = attached(&portal, &file).await;
    for (range, lang) in [("bytes=5000-", "vi"), ("bytes=90000-90010", "en")] {
        let res = portal
            .get(&url)
            .bearer_auth(&token)
            .header("Range", range)
            .header("Accept-Language", lang)
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["content-range"], "bytes */5000");
        let (status, body) = status_json(res).await;
        assert_eq!(status, 416, "{body}");
        assert_eq!(body["error"]["code"], "range_not_satisfiable");
        let message = body["error"]["message"].as_str().unwrap();
        match lang {
            "vi" => assert!(message.contains("tải lại từ đầu"), "{message}"),
            _ => assert!(message.contains("from the start"), "{message}"),
        }
    }
    // Ranges change nothing of who may see the file.
    let other = portal.login("tiepnhan2", DEMO_PASSWORD).await;
    let res = portal
        .get(&url)
        .bearer_auth(&other)
        .header("Range", "bytes=0-")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = portal
        .get(&url)
        .header("Range", "bytes=0-")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}
