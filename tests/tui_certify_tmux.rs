//! End to end in tmux (issue 21): the real `motcua` binary enters a copy certification
//! from its pane against the real portal, paid in cash, and shows the entry's number and
//! certification text; the books then find it by the applicant's name typed without
//! accents. Waits poll the screen (bounded), never a blind sleep.

mod common;

use common::tmux::Screen;
use common::{DEMO_PASSWORD, Portal};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::Value;

/// Logged in as reception, pane 6: an applicant with no account at the office (the
/// number on their card is looked up and not found, so `name` is typed from the card),
/// and the name of the `paper`.
async fn entry_for_someone_new(app: &Screen, name: &str, paper: &str) {
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;
    app.keys(&["6"]);
    app.wait_for("Loại việc").await;
    app.type_text("001196012345");
    app.keys(&["Enter"]);
    app.wait_for("Chưa có tài khoản ở đơn vị").await;
    app.type_text(name);
    app.keys(&["Tab"]);
    app.type_text(paper);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copy_certification_paid_in_cash_then_found_in_the_books_without_accents() {
    let portal = Portal::with(Settings::default(), Seed::Demo).await;
    let app = Screen::start("certify", &portal.base, "");
    entry_for_someone_new(&app, "Phạm Thị Thu Hường", "Bằng tốt nghiệp THPT").await;
    app.keys(&["Tab"]);
    app.type_text("5");
    app.keys(&["Tab"]);
    app.type_text("3");
    app.keys(&["Enter"]);
    app.until("the fee to take in cash", |s| {
        s.contains("Lệ phí: 21.000 đ") && s.contains("Thu 21.000 đ tiền mặt")
    })
    .await;
    app.keys(&["Enter"]);
    let screen = app
        .until("the entry's number and text", |s| {
            s.contains("Sổ 01/") && s.contains("-SCT/BS, số 1") && s.contains("Lời chứng")
        })
        .await;
    assert!(screen.contains("21.000 đ tiền mặt"), "{screen}");
    assert!(screen.contains("Phạm Thị Thu Hường"), "{screen}");
    // The text names the book and the number, as the portal wrote it.
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let book: Value = portal
        .get("/certifications")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = &book["items"][0];
    assert_eq!(entry["number"], 1);
    assert_eq!(entry["fee"], 21_000);
    assert_eq!(entry["payment_method"], "cash");
    assert_eq!(entry["applicant"]["full_name"], "Phạm Thị Thu Hường");
    let first_line = entry["text"]
        .as_str()
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let shown: String = first_line.chars().take(30).collect();
    assert!(screen.contains(&shown), "{shown:?} not on\n{screen}");

    // The books, searched without accents.
    app.keys(&["C-b"]);
    app.wait_for("Sổ chứng thực").await;
    app.type_text("pham thi thu huong");
    app.keys(&["Enter"]);
    let screen = app
        .until("the entry found", |s| {
            s.contains("Phạm Thị Thu Hường") && s.contains("Bằng tốt nghiệp THPT")
        })
        .await;
    assert!(screen.contains("21.000 đ"), "{screen}");
    // A name that is not in the books finds nothing.
    app.keys(&["C-u"]);
    app.type_text("tran van khong");
    app.keys(&["Enter"]);
    app.wait_for("Không có chứng thực nào khớp").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certification_typed_survives_a_killed_app() {
    let portal = Portal::with(Settings::default(), Seed::Demo).await;
    let app = Screen::start("certify-kill", &portal.base, "");
    entry_for_someone_new(&app, "Lê Văn Tám", "Giấy chứng nhận quyền sử dụng đất").await;
    app.draft_holds("quyền sử dụng đất").await;

    app.kill_and_restart();
    app.wait_for("Mật khẩu").await;
    app.type_text(DEMO_PASSWORD);
    app.keys(&["Enter"]);
    app.wait_for("Tất cả").await;
    app.keys(&["6"]);
    app.until("the entry as it was typed", |s| {
        s.contains("Lê Văn Tám") && s.contains("Giấy chứng nhận quyền sử dụng đất")
    })
    .await;
    // It goes on from there (on its last row): the fee, cash, the number.
    app.keys(&["Enter"]);
    app.wait_for("Thu 2.000 đ tiền mặt").await;
    app.keys(&["Enter"]);
    app.wait_for("-SCT/BS, số 1").await;
}
