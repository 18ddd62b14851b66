//! Issue 19's acceptance in tmux: the real `motcua` against the real portal through the
//! link emulator. The desk works online once (its numbers held, the catalog and a
//! citizen seen); the link goes down and the app is killed; the officer logs in with the
//! session kept on the desk, takes three dossiers in for the citizen (the app killed
//! with SIGKILL right after the third) and one for a new citizen, each receipt saved with
//! its final code; the link comes back, the officer logs in again, and all four arrive
//! once on the codes printed, the new citizen made once.

mod common;

use common::tmux::Screen;
use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::Value;

/// A Wednesday morning (the portal's clock; the app follows it).
const WEDNESDAY_MORNING: &str = "2026-03-04T09:00:00+07:00";
const NEW_NUMBER: &str = "083191234561";

/// On the intake tab: a procedure and the applicant by number.
async fn start_intake(app: &Screen, search: &str, number: &str) {
    app.wait_for("Tìm thủ tục").await;
    app.type_text(search);
    app.until("the procedure's documents", |s| {
        s.contains("Thành phần hồ sơ")
    })
    .await;
    app.keys(&["Enter"]);
    let screen = app
        .until("the case chooser or the applicant step", |s| {
            s.contains("Chọn trường hợp") || s.contains("Số định danh / QR / tên")
        })
        .await;
    if screen.contains("Chọn trường hợp") {
        app.keys(&["Enter"]);
    }
    app.wait_for("Số định danh / QR / tên").await;
    app.type_text(number);
    app.keys(&["Enter"]);
}

/// Presses `key` until `text` shows: a key pressed while an answer is still on its way
/// (the applicant's stored documents, refused with the link down) may go unheard.
async fn press_until(app: &Screen, key: &str, text: &str) -> String {
    for _ in 0..5 {
        app.keys(&[key]);
        let waited =
            tokio::time::timeout(std::time::Duration::from_secs(3), app.wait_for(text)).await;
        if let Ok(screen) = waited {
            return screen;
        }
    }
    app.wait_for(text).await
}

/// From the applicant step to the done screen of a free marriage registration with its
/// documents on paper; the code on the done screen.
async fn take_in(app: &Screen) -> String {
    app.wait_for("Người nộp hồ sơ:").await;
    press_until(app, "Enter", "[ ]").await;
    let parts = app.screen().lines().filter(|l| l.contains("[ ]")).count();
    for _ in 0..parts {
        app.keys(&["Space", "Down"]);
    }
    app.keys(&["Enter"]);
    app.wait_for("Nhận trực tiếp tại Bộ phận Một cửa").await;
    app.keys(&["Enter"]);
    app.wait_for("Người nộp cam đoan").await;
    app.keys(&["Space", "Enter"]);
    let done = app.wait_for("Tiếp nhận khi mất mạng lúc").await;
    done.split_whitespace()
        .find(|w| w.starts_with("000.01.27.H07-260304-"))
        .unwrap_or_else(|| panic!("the final code on the done screen:\n{done}"))
        .to_owned()
}

/// The receipt saved from the done screen (`s`): its file holds the code.
async fn save_receipt(app: &Screen, code: &str) {
    app.keys(&["s"]);
    app.wait_for(&format!("{}-mau-01.pdf", &code[code.len() - 4..]))
        .await;
    let saved = app.files().into_iter().any(|(path, bytes)| {
        path.to_string_lossy()
            .ends_with(&format!("{code}-mau-01.pdf"))
            && bytes.starts_with(b"%PDF")
    });
    assert!(
        saved,
        "the receipt of {code} saved as a PDF:\n{}\n{:?}",
        app.screen(),
        app.files()
            .iter()
            .map(|(p, _)| p.clone())
            .collect::<Vec<_>>()
    );
}

async fn dossier(portal: &Portal, token: &str, code: &str) -> (u16, Value) {
    status_json(
        portal
            .get(&format!("/dossiers/{code}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn through_an_outage_from_before_login_four_dossiers_arrive_once_on_their_printed_codes() {
    let portal = Portal::at(WEDNESDAY_MORNING, Settings::default(), Seed::Demo).await;
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen_id, _) = portal.citizen_of(1).await;
    let (_, citizen) = status_json(
        portal
            .get(&format!("/citizens/{citizen_id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let number = citizen["id_number"].as_str().unwrap().to_owned();
    let upstream: std::net::SocketAddr = portal.base["http://".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let link = motcua::linksim::start(upstream, motcua::linksim::LinkSpec::default())
        .await
        .unwrap();
    let switch = link.switch();
    let url = format!("http://{}{}", link.addr, motcua::api::BASE_PATH);
    let app = Screen::start("outage", &url, "");

    // Online once: the numbers held, the catalog and the citizen seen.
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;
    app.keys(&["3"]);
    app.wait_for("Tìm công dân").await;
    app.type_text(&number);
    app.keys(&["Enter"]);
    app.wait_for(citizen["full_name"].as_str().unwrap()).await;
    app.keys(&["M-2"]);
    app.wait_for("Tìm thủ tục").await;
    app.type_text("ket hon");
    app.wait_for("Thành phần hồ sơ").await;
    for _ in 0.."ket hon".len() {
        app.keys(&["BSpace"]);
    }
    app.until("the numbers held", |_| app.held_codes() == 20)
        .await;

    // The link goes down; the app is killed and started again.
    switch.set_down(true);
    app.kill_and_restart();
    app.wait_for("Mật khẩu").await;
    app.type_text("mat-khau-sai");
    app.keys(&["Enter"]);
    app.wait_for("Mật khẩu không khớp").await;
    for _ in 0.."mat-khau-sai".len() {
        app.keys(&["BSpace"]);
    }
    app.type_text(DEMO_PASSWORD);
    app.keys(&["Enter"]);
    app.wait_for("ngoại tuyến").await;

    // Three dossiers for the citizen of the desk's copy, each receipt saved.
    let mut codes = Vec::new();
    app.keys(&["2"]);
    for i in 0..3 {
        start_intake(&app, "ket hon", &number).await;
        let code = take_in(&app).await;
        assert!(!codes.contains(&code), "{code} given twice");
        if i < 2 {
            save_receipt(&app, &code).await;
            app.keys(&["n"]);
        }
        codes.push(code);
    }
    // Killed at once after the third was numbered: nothing numbered is lost.
    app.kill_and_restart();
    app.wait_for("Mật khẩu").await;
    app.type_text(DEMO_PASSWORD);
    app.keys(&["Enter"]);
    app.wait_for("ngoại tuyến").await;
    app.wait_for("chờ gửi: 3").await;

    // A new citizen: the account and the dossier for it, offline.
    app.keys(&["2"]);
    let screen = app
        .until("the intake, or a draft to resume", |s| {
            s.contains("Tìm thủ tục") || s.contains("Có bản nháp")
        })
        .await;
    assert!(
        !screen.contains("Có bản nháp"),
        "the third dossier is in the outbox, not a draft:\n{screen}"
    );
    start_intake(&app, "ket hon", NEW_NUMBER).await;
    app.wait_for("Tạo tài khoản công dân").await;
    for (text, next) in [("Phạm Thị Mỹ Duyên", "Tab"), ("21/09/1991", "Tab")] {
        app.type_text(text);
        app.keys(&[next]);
    }
    app.keys(&["Right", "Tab"]);
    app.type_text("0912 345 678");
    app.keys(&["Tab", "Tab"]);
    app.type_text("Số 7 đường Đồng Khởi, Phường An Hội, Bến Tre");
    app.keys(&["Enter"]);
    let code = take_in(&app).await;
    save_receipt(&app, &code).await;
    assert!(!codes.contains(&code), "{code} given twice");
    codes.push(code);
    app.wait_for("chờ gửi: 5").await;

    // The link is back: the portal asks for a real login, and the outbox sends it all.
    // The officer sees the link back (or asks now: `r` on the inbox, rather than wait
    // for the app's next try, up to a minute away after a long outage).
    switch.set_down(false);
    app.keys(&["M-1"]);
    app.wait_for("Tất cả").await;
    press_until(&app, "r", "đăng nhập lại").await;
    app.type_text(DEMO_PASSWORD);
    app.keys(&["Enter"]);
    if tokio::time::timeout(
        std::time::Duration::from_secs(25),
        app.wait_for("chờ gửi: 0"),
    )
    .await
    .is_err()
    {
        let log = app
            .files()
            .into_iter()
            .find(|(p, _)| p.ends_with("motcua.log"))
            .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        panic!("the outbox did not drain:\n{}\n{log}", app.screen());
    }

    for code in &codes {
        let (status, d) = dossier(&portal, &token, code).await;
        assert_eq!(status, 200, "{code} arrived: {d}");
        assert_eq!(d["status"], "received", "{d}");
        assert!(
            d["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["action"] == "taken_offline"),
            "{d}"
        );
    }
    let (_, last) = dossier(&portal, &token, &codes[3]).await;
    assert_eq!(last["applicant"]["id_number"], NEW_NUMBER, "{last}");
    let made: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM citizens WHERE id_number = $1")
        .bind(NEW_NUMBER)
        .fetch_one(&portal.running.state.db)
        .await
        .unwrap();
    assert_eq!(made, 1, "the new citizen, once");
    assert_eq!(portal.audit_count("offline_intake_arrived").await, 4);
}
