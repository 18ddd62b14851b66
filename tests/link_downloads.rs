//! A 5 MB attachment downloaded through the link emulator at 2 Mbit/s, the connection cut
//! in the middle: the client keeps what arrived in the `.part` file, asks for the rest
//! with `Range`, and checks the whole file's SHA-256; the link carries little more than
//! the file once.

mod common;

use common::{DEMO_PASSWORD, Portal};
use motcua::client::{DownloadProgress, PortalClient, download};
use motcua::linksim::{self, LinkSpec};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A file of `len` bytes that looks like a PDF and does not compress.
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
async fn a_5_mb_download_cut_in_the_middle_goes_on_from_where_it_stopped() {
    let portal = Portal::demo().await;
    // The file goes up straight to the portal; only the download crosses the bad link.
    let file = pdf_of(5 * 1024 * 1024);
    let size = file.len() as u64;
    let sha = hex::encode(Sha256::digest(&file));
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let upload = portal.upload(&token, "ho-so-quet.pdf", &file).await;
    let (citizen, _) = portal.citizen_of(1).await;
    let mut body = portal.submission("1.001193", &citizen).await;
    body["documents"][0]["upload_id"] = serde_json::json!(upload);
    let (status, d) = portal.create_dossier(&token, &body).await;
    assert_eq!(status, 201, "{d}");
    let code = d["code"].as_str().unwrap().to_owned();
    let id = d["documents"][0]["attachment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // 2 Mbit/s each way; a connection is cut once about half the file has crossed it,
    // so the second connection carries the rest within its own budget.
    let spec = LinkSpec {
        cut_after: Some(size / 2 + 100_000),
        ..LinkSpec::slow(2_000, 40)
    };
    let link = linksim::start(portal.running.addr, spec).await.unwrap();
    let client = PortalClient::builder(&format!("http://{}/api/v1", link.addr))
        .read_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    client.login("tiepnhan1", DEMO_PASSWORD).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("ho-so-quet.pdf");
    let reports: Arc<Mutex<Vec<DownloadProgress>>> = Arc::default();
    let seen = reports.clone();
    let (_, down_before, _, _) = link.stats.snapshot();
    let done = client
        .download_to(
            &download::attachment_path(&code, &id),
            &dest,
            Some(&sha),
            move |p| seen.lock().unwrap().push(p),
        )
        .await
        .unwrap();
    let (_, down_after, connections, cuts) = link.stats.snapshot();
    let received = down_after - down_before;
    println!(
        "5 MB download at 2 Mbit/s: {size} B file, {received} B received over the link \
         ({:.3} × the file), {} tries, the last from byte {}, {cuts} cut(s) over \
         {connections} connections",
        received as f64 / size as f64,
        done.tries,
        done.resumed_from
    );
    assert_eq!(cuts, 1, "the link was to cut once");
    assert_eq!(done.tries, 2);
    assert!(
        done.resumed_from > size / 3,
        "the second try went on from byte {}",
        done.resumed_from
    );
    assert!(
        received as f64 <= 1.10 * size as f64,
        "{received} B received for a {size} B file"
    );
    assert_eq!(done.size, size);
    assert_eq!(done.sha256, sha);
    assert_eq!(std::fs::read(&dest).unwrap(), file);
    assert!(!download::part_path(&dest).exists());

    // The progress never went back to the start: it went on from the cut.
    let reports = reports.lock().unwrap().clone();
    let got: Vec<u64> = reports.iter().map(|p| p.received).collect();
    assert!(got.windows(2).all(|w| w[0] <= w[1]), "{got:?}");
    assert_eq!(got.first(), Some(&0));
    assert_eq!(got.last(), Some(&size));
    assert!(reports.iter().all(|p| p.total == Some(size)));
}

#[tokio::test]
async fn a_part_left_by_an_earlier_run_is_continued_and_a_damaged_one_removed() {
    let portal = Portal::demo().await;
    let file = pdf_of(300_000);
    let sha = hex::encode(Sha256::digest(&file));
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let upload = portal.upload(&token, "a.pdf", &file).await;
    let (citizen, _) = portal.citizen_of(1).await;
    let mut body = portal.submission("1.001193", &citizen).await;
    body["documents"][0]["upload_id"] = serde_json::json!(upload);
    let (_, d) = portal.create_dossier(&token, &body).await;
    let path = download::attachment_path(
        d["code"].as_str().unwrap(),
        d["documents"][0]["attachment"]["id"].as_str().unwrap(),
    );
    let client = PortalClient::builder(&portal.base).build().unwrap();
    client.login("tiepnhan1", DEMO_PASSWORD).await.unwrap();
    let dir = tempfile::tempdir().unwrap();

    // The first 100,000 bytes were on disk: only the rest is asked for.
    let dest = dir.path().join("a.pdf");
    std::fs::write(download::part_path(&dest), &file[..100_000]).unwrap();
    let done = client
        .download_to(&path, &dest, Some(&sha), |_| {})
        .await
        .unwrap();
    assert_eq!((done.resumed_from, done.tries), (100_000, 1));
    assert_eq!(std::fs::read(&dest).unwrap(), file);

    // A part whose bytes are not the file's: the whole fails its check and is removed.
    let dest = dir.path().join("b.pdf");
    let mut wrong = file[..100_000].to_vec();
    wrong[5_000] ^= 0xFF;
    std::fs::write(download::part_path(&dest), &wrong).unwrap();
    let err = client
        .download_to(&path, &dest, Some(&sha), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(err, motcua::client::ClientError::Damaged { .. }),
        "{err:?}"
    );
    assert!(err.message(motcua::domain::Lang::Vi).contains("bị hỏng"));
    assert!(!dest.exists() && !download::part_path(&dest).exists());
    // Asked again, it comes whole.
    client
        .download_to(&path, &dest, Some(&sha), |_| {})
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), file);

    // A part longer than the file (of another file): 416, then the whole file.
    let dest = dir.path().join("c.pdf");
    std::fs::write(download::part_path(&dest), vec![0u8; 400_000]).unwrap();
    let done = client
        .download_to(&path, &dest, Some(&sha), |_| {})
        .await
        .unwrap();
    assert_eq!((done.resumed_from, done.tries), (0, 2));
    assert_eq!(std::fs::read(&dest).unwrap(), file);
}
