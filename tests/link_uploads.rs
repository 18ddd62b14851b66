//! A 5 MB attachment through a link that cuts the connection again and again: the upload
//! completes, each try going on from what the portal has, and the bytes sent stay close to
//! the file's size. And on a slow link the progress moves while a chunk crosses it, not
//! only when the portal has taken the whole chunk.

mod common;

use common::{DEMO_PASSWORD, Portal};
use motcua::client::{ClientError, PortalClient};
use motcua::linksim::{self, LinkSpec};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn a_5_mb_upload_survives_five_cuts_with_little_sent_twice() {
    let portal = Portal::demo().await;
    // About 1 MB per connection: a 5 MB file needs five cuts or so.
    let spec = LinkSpec {
        cut_after: Some(950_000),
        ..LinkSpec::slow(40_000, 40)
    };
    let link = linksim::start(portal.running.addr, spec).await.unwrap();
    let base = format!("http://{}/api/v1", link.addr);
    let client = PortalClient::builder(&base)
        .read_timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    // Logging in may meet a cut too.
    for _ in 0..5 {
        if client.login("tiepnhan1", DEMO_PASSWORD).await.is_ok() {
            break;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ho-so-scan.pdf");
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut x: u64 = 0x2545F4914F6CDD1D;
    while bytes.len() < 5 * 1024 * 1024 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    std::fs::write(&path, &bytes).unwrap();
    let size = bytes.len() as u64;
    let (up_before, _, _, _) = link.stats.snapshot();
    let key = uuid::Uuid::new_v4().to_string();
    let mut tries = 0;
    let uploaded = loop {
        tries += 1;
        assert!(tries <= 20, "the upload never completed");
        match client.upload_file(&key, &path, |_| {}).await {
            Ok(up) => break up,
            Err(ClientError::Offline(_) | ClientError::Timeout) => continue,
            Err(e) => panic!("{e}"),
        }
    };
    let (up, _, connections, cuts) = link.stats.snapshot();
    let sent = up - up_before;
    println!(
        "5 MB upload: {size} B file, {sent} B sent ({:.3} × the file), {tries} tries, \
         {cuts} cuts over {connections} connections",
        sent as f64 / size as f64
    );
    assert_eq!(uploaded.size, size);
    assert!(cuts >= 5, "the link cut {cuts} times");
    assert!(
        sent as f64 <= 1.10 * size as f64,
        "{sent} B sent for a {size} B file"
    );
    // The portal has it whole: attach it and download it back.
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _) = portal.citizen_of(1).await;
    let mut body = portal.submission("1.001193", &citizen).await;
    body["documents"][0]["upload_id"] = serde_json::json!(uploaded.id);
    let (status, d) = portal.create_dossier(&token, &body).await;
    assert_eq!(status, 201, "{d}");
    let code = d["code"].as_str().unwrap();
    let attachment = d["documents"][0]["attachment"]["id"].as_str().unwrap();
    let file = portal
        .get(&format!("/dossiers/{code}/attachments/{attachment}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        hex::encode(Sha256::digest(&file)),
        hex::encode(Sha256::digest(&bytes))
    );
}

/// A PDF of `len` bytes whose content does not compress.
fn pdf_of(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut x: u64 = 0x9E3779B97F4A7C15;
    while bytes.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_progress_moves_piece_by_piece_while_a_chunk_crosses_a_slow_link() {
    let portal = Portal::demo().await;
    // 512 kbit/s: the first chunk (256 KiB) alone takes four seconds to cross.
    let link = linksim::start(portal.running.addr, LinkSpec::slow(512, 40))
        .await
        .unwrap();
    let client = PortalClient::builder(&format!("http://{}/api/v1", link.addr))
        .read_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    client.login("tiepnhan1", DEMO_PASSWORD).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("giay-to.pdf");
    let bytes = pdf_of(320 * 1024);
    std::fs::write(&path, &bytes).unwrap();
    let size = bytes.len() as u64;

    // Each report, with what the link had delivered to the portal by then.
    let reports: Arc<Mutex<Vec<(u64, u64)>>> = Arc::default();
    let (seen, stats) = (reports.clone(), link.stats.clone());
    let uploaded = client
        .upload_file(&uuid::Uuid::new_v4().to_string(), &path, move |p| {
            assert_eq!(p.total, size);
            let delivered = stats.snapshot().0;
            seen.lock().unwrap().push((p.sent, delivered));
        })
        .await
        .unwrap();
    assert_eq!(uploaded.size, size);
    let reports = reports.lock().unwrap().clone();
    let sent: Vec<u64> = reports.iter().map(|r| r.0).collect();
    assert!(
        sent.windows(2).all(|w| w[0] <= w[1]),
        "progress never goes back on a link that does not cut: {sent:?}"
    );
    assert_eq!(sent.first(), Some(&0));
    assert_eq!(sent.last(), Some(&size));
    // Two chunks, but many values between: the pieces as they went out.
    let mut between: Vec<u64> = sent
        .iter()
        .copied()
        .filter(|s| 0 < *s && *s < size)
        .collect();
    between.dedup();
    assert!(
        between.len() >= 10,
        "progress between the chunks' ends: {between:?}"
    );
    let first = reports.iter().find(|r| r.0 > 0).unwrap();
    println!(
        "{size} B upload at 512 kbit/s: {} reports, {} values between 0 and the size; the first \
         above 0 said {} B sent when the link had delivered {} B",
        reports.len(),
        between.len(),
        first.0,
        first.1
    );
}
