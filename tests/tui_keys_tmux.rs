//! Issue 14 end to end in tmux: the real `motcua` against the real portal on loopback.
//! The code the done screen prints large finds the dossier in the lookup pane; a code
//! with no dossier stays there and says so; and `motcua.log`, which officials send to
//! the administrator, tells of the refusal, the lost link, the outbox's retries and the
//! write that went after them — without the password.

mod common;

use common::tmux::{Screen, WAIT};
use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The first demo citizen of office 1: its identity number.
async fn demo_citizen_number(portal: &Portal) -> String {
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let (id, _) = portal.citizen_of(1).await;
    let (status, body) = status_json(
        portal
            .get(&format!("/citizens/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["id_number"].as_str().unwrap().to_owned()
}

/// The app's log: `motcua.log` in its data directory under the test's HOME.
fn log_of(app: &Screen) -> PathBuf {
    app.home.path().join(".local/share/motcua/motcua.log")
}

/// Waits until the log holds `text` (it is written as things happen; bounded).
async fn log_until(app: &Screen, text: &str) -> String {
    let start = std::time::Instant::now();
    loop {
        let log = std::fs::read_to_string(log_of(app)).unwrap_or_default();
        if log.contains(text) {
            return log;
        }
        assert!(
            start.elapsed() < WAIT,
            "no {text:?} in motcua.log:\n{log}\nthe screen:\n{}",
            app.screen()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A marriage registration (free, every document on paper) taken in at the desk for
/// `number`; answers the done screen.
async fn desk_intake(app: &Screen, number: &str) -> String {
    app.keys(&["2"]);
    app.wait_for("Tìm thủ tục").await;
    app.type_text("ket hon");
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
    // The citizen found (not before: Enter then looks up again), on to the documents.
    app.wait_for("Người yêu cầu:").await;
    app.keys(&["Enter"]);
    let screen = app.wait_for("[ ]").await;
    for _ in 0..screen.lines().filter(|l| l.contains("[ ]")).count() {
        app.keys(&["Space", "Down"]);
    }
    app.keys(&["Enter"]);
    app.wait_for("Nhận trực tiếp tại Bộ phận Một cửa").await;
    app.keys(&["Enter"]);
    app.wait_for("Người nộp cam đoan").await;
    app.keys(&["Space", "Enter"]);
    app.wait_for("Đã tiếp nhận hồ sơ").await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_code_on_the_done_screen_finds_the_dossier_in_the_lookup() {
    let portal = Portal::with(Settings::default(), Seed::Demo).await;
    let number = demo_citizen_number(&portal).await;
    let app = Screen::start("lookup", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;

    let done = desk_intake(&app, &number).await;
    let code = done
        .split_whitespace()
        .find(|w| w.starts_with("000.01.27.H07-"))
        .expect("the full code on the done screen")
        .to_owned();
    // What the citizen is given to read out: the end of the code, printed large.
    let short = code.trim_start_matches("000.01.27.H07-").to_owned();
    assert_eq!(short.len(), "261203-0009".len(), "{code}");

    // The lookup pane (Alt+4: on the desk panes digits are typed), the short code, Enter.
    app.keys(&["M-4"]);
    app.wait_for("Tra cứu hồ sơ theo mã").await;
    app.type_text(&short);
    app.keys(&["Enter"]);
    let detail = app
        .until(&format!("the detail of {code}"), |s| {
            s.contains(&format!("┌ {code} ─")) && s.contains("Trạng thái:")
        })
        .await;
    assert!(detail.contains("Đã tiếp nhận"), "{detail}");

    // A code of that day with no dossier: the pane stays, says which code, and the field
    // is empty for the next one.
    let missing = format!("{}-9999", &short[..6]);
    app.keys(&["4"]);
    app.wait_for("Tra cứu hồ sơ theo mã").await;
    app.type_text(&missing);
    app.keys(&["Enter"]);
    let screen = app.wait_for("Không có hồ sơ mã").await;
    assert!(screen.contains("Tra cứu hồ sơ theo mã"), "{screen}");
    assert!(
        screen.contains(&format!("000.01.27.H07-{missing}")),
        "{screen}"
    );
    assert!(!screen.contains("đường dẫn"), "{screen}");
    let field = screen
        .lines()
        .find(|l| l.contains("Mã hồ sơ:"))
        .expect("the code field");
    assert_eq!(field.trim(), "Mã hồ sơ:", "{screen}");

    // The refusal is in the log for the administrator; the password is not.
    let log = log_until(&app, "not_found").await;
    assert!(
        log.contains("load a dossier: refused, 404 not_found"),
        "{log}"
    );
    assert!(!log.contains(DEMO_PASSWORD), "{log}");
}

/// A loopback proxy to `upstream` that the test takes down (every connection cut, new
/// ones refused) and brings back, as a desk's link comes and goes.
async fn switchable_proxy(upstream: String) -> (String, watch::Sender<bool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (down_tx, down) = watch::channel(false);
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            if *down.borrow() {
                let _ = client.shutdown().await;
                continue;
            }
            let upstream = upstream.clone();
            let mut down = down.clone();
            tokio::spawn(async move {
                let Ok(mut server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                    _ = down.wait_for(|d| *d) => {}
                }
            });
        }
    });
    (format!("http://{addr}/api/v1"), down_tx)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_log_tells_of_a_lost_link_the_retries_and_the_write_sent_after() {
    let portal = Portal::with(Settings::default(), Seed::Demo).await;
    let upstream = portal
        .base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let (base, down) = switchable_proxy(upstream).await;
    let app = Screen::start("log", &base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    // The first queue: online submissions waiting for reception.
    app.until("the online submissions", |s| {
        s.contains("Chờ tiếp nhận trực tuyến") && s.contains("000.01.27.H07-")
    })
    .await;
    app.keys(&["Enter"]);
    let detail = app.wait_for("Trạng thái:").await;
    let code = detail
        .split("┌ ")
        .filter_map(|rest| rest.split_whitespace().next())
        .find(|w| w.starts_with("000.01.27.H07-"))
        .expect("the detail's code in its title")
        .to_owned();

    // The link goes down; the action is asked for all the same.
    down.send(true).unwrap();
    app.wait_for("mất kết nối").await;
    app.keys(&["a"]);
    app.wait_for(&format!("Thao tác — {code}")).await;
    // "Tiếp nhận", the usual next step, is the one preselected.
    app.keys(&["Enter"]);
    app.wait_for(&format!("Xác nhận Tiếp nhận hồ sơ {code}?"))
        .await;
    app.keys(&["Enter"]);
    app.wait_for("Chưa gửi được vì đường truyền").await;
    let log = log_until(&app, "trying again").await;
    assert!(log.contains("the portal was not reached"), "{log}");
    assert!(
        log.contains(&format!("(receive {code}): not sent")),
        "{log}"
    );

    // Back: the outbox sends it by itself.
    down.send(false).unwrap();
    let log = log_until(&app, "sent after").await;
    assert!(
        log.contains(&format!("(receive {code}): sent after")),
        "{log}"
    );
    assert!(!log.contains(DEMO_PASSWORD), "{log}");
    assert!(!log.to_lowercase().contains("bearer"), "{log}");
}
