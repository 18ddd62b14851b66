//! Documents end to end in tmux (issue 16): the real `motcua` against the real demo
//! portal — a desk intake where the identity papers reuse the citizen's stored card with
//! one key and the two other parts are digitized from files with their metadata; the
//! dossier shows both, the citizen's store then holds the new scans, and the stats pane's
//! digitization rate moves.

mod common;

use common::tmux::Screen;
use common::{DEMO_PASSWORD, Portal, pdf, status_json};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::Value;

/// A Wednesday morning: the portal's clock starts here, whatever the day the test runs.
const WEDNESDAY_MORNING: &str = "2026-03-04T09:00:00+07:00";

/// Nguyễn Văn An, the first citizen of office 1: the seed stored his chip card.
const NUMBER: &str = "083078238953";

/// "▸Số hóa hồ sơ   3/12   ▁▂▃" on the stats pane showing counts (`c`) → (3, 12).
fn digitization_rate(screen: &str) -> Option<(u64, u64)> {
    let line = screen.lines().find(|l| l.contains("Số hóa hồ sơ"))?;
    let after = line.split("Số hóa hồ sơ").nth(1)?;
    let fraction = after.split_whitespace().find(|w| w.contains('/'))?;
    let (n, d) = fraction.split_once('/')?;
    Some((n.parse().ok()?, d.trim_end_matches('│').parse().ok()?))
}

async fn get(portal: &Portal, token: &str, path: &str) -> Value {
    let (status, body) =
        status_json(portal.get(path).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// The open digitize form: its scan, then the metadata below the type (kept as the
/// part's name), Enter; waits until the scan is up.
async fn digitize(app: &Screen, path: &str, number: &str, issued: &str, issuer: &str) {
    app.keys(&["s"]);
    app.wait_for("Số hóa:").await;
    app.type_text(path);
    // Tab past the type (kept as the part's name) to the number, then on.
    app.keys(&["Tab"]);
    for (text, then) in [(number, "Tab"), (issued, "Tab"), (issuer, "Enter")] {
        app.keys(&["Tab"]);
        if !text.is_empty() {
            app.type_text(text);
        }
        if then == "Enter" {
            app.keys(&["Enter"]);
        }
    }
    app.until("the form to close", |s| !s.contains("Số hóa:"))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_desk_intake_reuses_a_stored_card_and_digitizes_the_paper() {
    let portal = Portal::at(WEDNESDAY_MORNING, Settings::default(), Seed::Demo).await;
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _) = portal.citizen_of(1).await;
    let before = get(&portal, &token, &format!("/citizens/{citizen}/documents")).await;
    let cards: Vec<&Value> = before
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["expired"] == false)
        .collect();
    assert_eq!(cards.len(), 1, "the seeded card: {before}");
    let card = cards[0]["id"].as_str().unwrap().to_owned();

    let app = Screen::start("documents", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;
    // The rate before, as the stats pane shows it with its counts (`c`).
    app.keys(&["5"]);
    app.wait_for("Số hóa hồ sơ").await;
    app.keys(&["c"]);
    let screen = app
        .until("the indices", |s| digitization_rate(s).is_some())
        .await;
    let (done_before, received_before) = digitization_rate(&screen).unwrap();

    // The scans on this computer.
    let form = app.home.path().join("to-khai.pdf");
    let certificate = app.home.path().join("giay-chung-sinh.pdf");
    std::fs::write(&form, pdf("tờ khai")).unwrap();
    std::fs::write(&certificate, pdf("giấy chứng sinh")).unwrap();

    // Birth registration, on time, for Nguyễn Văn An.
    app.keys(&["M-2"]);
    app.wait_for("Tìm thủ tục").await;
    app.type_text("khai sinh");
    app.until("the procedure's documents", |s| {
        s.contains("Thành phần hồ sơ")
    })
    .await;
    app.keys(&["Enter"]);
    app.wait_for("Chọn trường hợp").await;
    app.keys(&["Enter"]);
    app.wait_for("Số định danh / QR / tên").await;
    app.type_text(NUMBER);
    app.keys(&["Enter"]);
    app.wait_for("Nguyễn Văn An").await;
    app.keys(&["Enter"]);
    // The documents step offers the stored card under the identity papers.
    app.wait_for("u: dùng lại từ kho — Căn cước công dân").await;
    // Row 1, the form: digitized from its file.
    digitize(&app, &form.display().to_string(), "", "03/03/2026", "").await;
    // Row 2, the birth certificate: digitized with its number and issuer.
    app.keys(&["Down"]);
    digitize(
        &app,
        &certificate.display().to_string(),
        "123/2026",
        "01/03/2026",
        "Bệnh viện Nguyễn Đình Chiểu",
    )
    .await;
    app.until("both scans uploaded", |s| {
        s.matches("đã tải lên").count() >= 2
    })
    .await;
    // Row 3, the identity papers: one key.
    app.keys(&["Down", "u"]);
    app.wait_for("Dùng lại từ kho: Căn cước công dân").await;
    app.keys(&["Enter"]);
    app.wait_for("Nhận trực tiếp tại Bộ phận Một cửa").await;
    app.keys(&["Enter"]);
    app.wait_for("cam đoan").await;
    app.keys(&["Space"]);
    app.wait_for("[x]").await;
    app.keys(&["Enter"]);
    let done = app
        .until("the done screen with the code", |s| {
            s.contains("Đã tiếp nhận hồ sơ") && s.contains("000.01.27.H07-")
        })
        .await;
    let code = done
        .split_whitespace()
        .find(|w| w.starts_with("000.01.27.H07-"))
        .expect("the code on the done screen")
        .to_owned();

    // The stats pane: the rate moves once both digitizations have gone (each answer
    // reads the stats again).
    app.keys(&["M-5"]);
    app.until("the digitization rate to move", |s| {
        digitization_rate(s) == Some((done_before + 1, received_before + 1))
    })
    .await;

    // The dossier shows both: the card reused, the paper digitized with its details.
    let d = get(&portal, &token, &format!("/dossiers/{code}")).await;
    let part = |id: &str| {
        d["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["part_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no part {id} in {d}"))
    };
    let reused = part("giay_to_tuy_than");
    assert_eq!(reused["digitization"]["kind"], "reused", "{d}");
    assert_eq!(reused["digitization"]["stored_document_id"], card.as_str());
    let scanned = part("giay_chung_sinh");
    assert_eq!(scanned["digitization"]["kind"], "digitized", "{d}");
    assert_eq!(scanned["digitization"]["number"], "123/2026");
    assert_eq!(scanned["digitization"]["issued_on"], "2026-03-01");
    assert_eq!(
        scanned["digitization"]["issuer"],
        "Bệnh viện Nguyễn Đình Chiểu"
    );
    assert_eq!(part("to_khai")["digitization"]["kind"], "digitized");

    // The detail in the app says so (found by the lookup tab).
    app.keys(&["M-4"]);
    app.wait_for("Tra cứu hồ sơ theo mã").await;
    app.type_text(&code);
    app.keys(&["Enter"]);
    app.until(&format!("the detail of {code}"), |s| {
        s.contains(&format!("┌ {code} ─")) && s.contains("Thành phần hồ sơ")
    })
    .await;
    app.keys(&["PageDown"]);
    let detail = app
        .until("the parts' digitization", |s| {
            s.contains("dùng lại từ kho") && s.contains("đã số hóa")
        })
        .await;
    assert!(detail.contains("123/2026"), "{detail}");

    // The citizen's store holds the new scans, as the portal and the citizens pane say.
    let after = get(&portal, &token, &format!("/citizens/{citizen}/documents")).await;
    let new: Vec<&Value> = after
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["source_dossier"] == code.as_str())
        .collect();
    assert_eq!(new.len(), 2, "{after}");
    assert!(new.iter().any(|d| d["number"] == "123/2026"), "{after}");
    app.keys(&["Escape"]);
    app.keys(&["M-3"]);
    app.wait_for("Tìm công dân").await;
    app.type_text(NUMBER);
    app.keys(&["Enter"]);
    app.wait_for("Nguyễn Văn An").await;
    app.keys(&["Enter"]);
    let record = app
        .until("the store in the record", |s| {
            s.contains("Kho dữ liệu của công dân (")
        })
        .await;
    assert!(record.contains("123/2026"), "{record}");
}
