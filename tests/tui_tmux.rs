//! End to end in tmux: the real `motcua` binary in a terminal, driven by keystrokes, against
//! the real portal on loopback. Each test has its own tmux server (`-L`), HOME and config.
//! Waits poll the screen until the expected text appears (bounded), never a blind sleep.

mod common;

use common::tmux::Screen;
use common::{DEMO_PASSWORD, Portal};
use motcua::domain::calendar::Calendar;
use motcua::portal::state::Settings;
use motcua::portal::{self, Seed};
use serde_json::Value;

/// The line of the screen that holds `needle`.
fn line_with<'a>(screen: &'a str, needle: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.contains(needle))
}

/// The code of the first dossier row on the screen.
fn first_code(screen: &str) -> String {
    line_with(screen, "000.01.27.H07-")
        .and_then(|l| {
            l.split(|c: char| c.is_whitespace() || c == '│')
                .find(|w| w.starts_with("000.01.27.H07-"))
        })
        .expect("a dossier row")
        .to_owned()
}

/// The count shown beside a queue in the queue column.
fn queue_count(screen: &str, label: &str) -> Option<u64> {
    let line = screen.lines().find(|l| l.trim_start().starts_with(label))?;
    let column = line.split('│').next()?;
    column.split_whitespace().last()?.parse().ok()
}

async fn demo_portal() -> Portal {
    Portal::with(Settings::default(), Seed::Demo).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reception_officer_logs_in_and_sees_the_inbox() {
    let portal = demo_portal().await;
    let app = Screen::start("login", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Chờ tiếp nhận trực tuyến").await;
    let screen = app
        .until("the status bar and the counts", |s| {
            s.contains("Chờ tiếp nhận trực tuyến")
                && s.contains("tiepnhan1 · Cán bộ tiếp nhận")
                && queue_count(s, "Tất cả").is_some_and(|n| n > 0)
        })
        .await;
    assert!(screen.contains("trực tuyến"), "{screen}");
    assert!(queue_count(&screen, "Tất cả").unwrap() > 0, "{screen}");
    // Help is generated from the keymap.
    app.keys(&["?"]);
    app.wait_for("Phím tắt").await;
    app.keys(&["Escape"]);
    app.keys(&["q"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn filtering_without_accents_finds_vietnamese_names() {
    let portal = demo_portal().await;
    let app = Screen::start("filter", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;
    // Every queue, then the filter typed without marks.
    app.keys(&["BTab"]);
    app.wait_for("◀ Tất cả").await;
    // Every row the filter may show: both words start a word of its code, applicant or
    // procedure, marks ignored ("Văn" in a name, "nguyện" in a procedure's name count).
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let all: Value = portal
        .get("/dossiers?limit=500")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let words = |d: &Value| {
        let text = format!(
            "{} {} {}",
            d["code"].as_str().unwrap_or_default(),
            d["applicant_name"].as_str().unwrap_or_default(),
            d["procedure_name"].as_str().unwrap_or_default()
        );
        motcua::domain::text::search_key(&text)
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let matches = |words: &[String]| {
        ["nguyen", "van"]
            .iter()
            .all(|wanted| words.iter().any(|w| w.starts_with(wanted)))
    };
    let matching: std::collections::HashSet<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| matches(&words(d)))
        .filter_map(|d| d["code"].as_str())
        .collect();
    let code_of = |line: &str| {
        line.split(|c: char| c.is_whitespace() || c == '│')
            .find(|w| w.starts_with("000.01.27.H07-"))
            .map(str::to_owned)
    };
    let rows = |s: &str| {
        s.lines()
            .filter(|l| l.contains("000.01.27.H07-"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    app.keys(&["/"]);
    app.type_text("nguyen van");
    // A whole screen of the filtered list: under load a capture can be taken mid-redraw,
    // still holding rows of before the filter, so every row must be a match, not one.
    let screen = app
        .until("only Nguyễn Văn dossiers", |s| {
            let rows = rows(s);
            s.contains("/ nguyen van")
                && rows.iter().any(|l| l.contains("Nguyễn Văn"))
                && rows
                    .iter()
                    .all(|l| code_of(l).is_some_and(|c| matching.contains(c.as_str())))
        })
        .await;
    // And each of them, by the portal's own record.
    for line in rows(&screen) {
        let code = code_of(&line).unwrap_or_else(|| panic!("a code in {line}"));
        let dossier = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code.as_str())
            .unwrap_or_else(|| panic!("{code} is a dossier of the office"));
        let words = words(dossier);
        for wanted in ["nguyen", "van"] {
            assert!(
                words.iter().any(|w| w.starts_with(wanted)),
                "{line}: no word starts with {wanted} in {words:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn receive_then_forward_an_online_dossier() {
    let portal = demo_portal().await;
    let app = Screen::start("act", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    let before = app
        .until("the queue counts", |s| {
            // The portal's counts, not only the held queue's ("…" until they come).
            queue_count(s, "Chờ tiếp nhận trực tuyến").is_some_and(|n| n > 0)
                && queue_count(s, "Mới tiếp nhận").is_some()
                && s.contains("◀ Chờ tiếp nhận trực tuyến")
                && s.contains("000.01.27.H07-")
        })
        .await;
    let pending = queue_count(&before, "Chờ tiếp nhận trực tuyến").unwrap();
    let received = queue_count(&before, "Mới tiếp nhận").unwrap();
    let code = first_code(&before);

    // Open it, act: receive (the first action offered), confirm, send.
    app.keys(&["Enter"]);
    app.wait_for("Thành phần hồ sơ").await;
    app.keys(&["a"]);
    app.wait_for("Thao tác —").await;
    app.keys(&["Enter"]);
    app.wait_for("Xác nhận").await;
    app.keys(&["Enter"]);
    app.wait_for("Trạng thái: Đã tiếp nhận").await;
    app.keys(&["Escape"]);
    app.until("the counts to move", |s| {
        queue_count(s, "Chờ tiếp nhận trực tuyến") == Some(pending - 1)
            && queue_count(s, "Mới tiếp nhận") == Some(received + 1)
    })
    .await;

    // It is now in "Mới tiếp nhận": go there, open it, forward it.
    app.keys(&["Tab"]);
    app.wait_for("◀ Mới tiếp nhận").await;
    app.keys(&["/"]);
    app.type_text(&code);
    app.keys(&["Enter"]);
    app.until("the one dossier", |s| s.contains(" 1 hồ sơ đang hiển thị"))
        .await;
    app.keys(&["Enter"]);
    app.wait_for("Trạng thái: Đã tiếp nhận").await;
    app.keys(&["a"]);
    // The menu (the detail's line of actions names them too): find forward's place,
    // the first, the usual next step.
    let menu = app.wait_for("Thao tác —").await;
    let items: Vec<&str> = menu
        .lines()
        .skip_while(|l| !l.contains("Thao tác —"))
        .skip(1)
        .take_while(|l| !l.contains("└"))
        .collect();
    let at = items
        .iter()
        .position(|l| l.contains("Chuyển xử lý"))
        .unwrap_or_else(|| panic!("no forward in the menu:\n{menu}"));
    assert_eq!(at, 0, "forward is the usual next step:\n{menu}");
    for _ in 0..at {
        app.keys(&["Down"]);
    }
    app.keys(&["Enter"]);
    app.wait_for("Chuyên viên xử lý").await;
    app.keys(&["Enter"]); // the assignee is optional
    app.wait_for("Xác nhận").await;
    app.keys(&["Enter"]);
    app.wait_for("Trạng thái: Đang xử lý").await;
    app.keys(&["Escape"]);
    app.until("the queue to change", |s| {
        queue_count(s, "Mới tiếp nhận") == Some(received)
    })
    .await;

    // The portal agrees.
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let body: Value = portal
        .get(&format!("/dossiers/{code}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "in_progress", "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_shows_the_error_and_stores_nothing() {
    let portal = demo_portal().await;
    let app = Screen::start("wrong", &portal.base, "");
    let wrong = "Sai-mat-khau-2026";
    app.log_in("tiepnhan1", wrong).await;
    app.wait_for("Tên đăng nhập hoặc mật khẩu không đúng").await;
    assert!(app.screen().contains("motcua — Đăng nhập"));
    for (path, bytes) in app.files() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(wrong),
            "{} holds the password",
            path.display()
        );
        assert!(
            !path.ends_with("tui-state.toml"),
            "a failed login remembered the user: {}",
            path.display()
        );
    }
    // The right password then works, and still no secret reaches the disk.
    app.keys(&["C-u"]);
    for _ in 0..wrong.chars().count() {
        app.keys(&["BSpace"]);
    }
    app.type_text(DEMO_PASSWORD);
    app.keys(&["Enter"]);
    app.wait_for("Chờ tiếp nhận trực tuyến").await;
    for (path, bytes) in app.files() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(DEMO_PASSWORD),
            "{} holds the password",
            path.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_survives_the_portal_going_away_and_coming_back() {
    // A portal whose database outlives it, so it can be started again on the same address.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("portal.sqlite3");
    let options = |bind| portal::Options {
        bind,
        db: db.clone().into(),
        calendar: Calendar::default(),
        seed: Seed::Demo,
        settings: Settings::default(),
        clock: common::test_clock(),
    };
    let running = portal::start(options("127.0.0.1:0".parse().unwrap()))
        .await
        .unwrap();
    let addr = running.addr;
    let base = format!("http://{addr}/api/v1");
    let app = Screen::start("offline", &base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    let before = app
        .until("the inbox", |s| {
            s.contains("● trực tuyến") && s.contains("000.01.27.H07-")
        })
        .await;
    let pending = queue_count(&before, "Chờ tiếp nhận trực tuyến").unwrap();
    let first_code = first_code(&before);

    running.shutdown().await.unwrap();
    app.wait_for("mất kết nối").await;
    // Still usable on what it holds: move, change queue, come back.
    app.keys(&["Down", "Tab"]);
    app.wait_for("◀ Mới tiếp nhận").await;
    app.keys(&["BTab"]);
    let offline = app.wait_for("◀ Chờ tiếp nhận trực tuyến").await;
    assert!(offline.contains(&first_code), "{offline}");
    assert!(offline.contains("mất kết nối"), "{offline}");

    // Back on the same address and database: the app notices on its own.
    let running = portal::start(options(addr)).await.unwrap();
    app.until("online again", |s| {
        s.contains("● trực tuyến") && !s.contains("mất kết nối")
    })
    .await;
    // A change made elsewhere reaches the screen through the delta feed.
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{base}/auth/login"))
        .json(&serde_json::json!({"username": "tiepnhan1", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    let current: Value = http
        .get(format!("{base}/dossiers/{first_code}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = http
        .post(format!("{base}/dossiers/{first_code}/actions"))
        .bearer_auth(&token)
        .header("If-Match", format!("\"{}\"", current["version"]))
        .json(&serde_json::json!({"action": "receive"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.until("the received dossier to leave the queue", |s| {
        queue_count(s, "Chờ tiếp nhận trực tuyến") == Some(pending - 1) && !s.contains(&first_code)
    })
    .await;
    running.shutdown().await.unwrap();
}
