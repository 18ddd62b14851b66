//! The desk panes end to end in tmux: the real `motcua` against the real portal on
//! loopback — an account created, a birth registration taken in with a PDF, paper and
//! cash, one dossier however often submit is pressed or the link cuts, a chip-card scan,
//! and a draft that survives `kill -9`.

mod common;

use common::tmux::Screen;
use common::{DEMO_PASSWORD, Portal, pdf, status_json};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A Wednesday morning: a same-day procedure taken in now is due at 17:00 today, so the
/// inbox counts down in hours, whatever the hour and the day the test runs.
const WEDNESDAY_MORNING: &str = "2026-03-04T09:00:00+07:00";

/// The portal's clock starts at [`WEDNESDAY_MORNING`]; the app follows it through the
/// `Date` header of the portal's answers, as it follows any portal's clock.
async fn demo_portal() -> Portal {
    Portal::at(WEDNESDAY_MORNING, Settings::default(), Seed::Demo).await
}

/// The citizen's dossiers as the portal has them.
async fn dossiers_of(portal: &Portal, token: &str, citizen: &str) -> Vec<Value> {
    let (status, body) = status_json(
        portal
            .get(&format!("/citizens/{citizen}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["dossiers"].as_array().cloned().unwrap_or_default()
}

/// The first demo citizen of office 1: id and identity number.
async fn demo_citizen(portal: &Portal, token: &str) -> (String, String) {
    let (id, _) = portal.citizen_of(1).await;
    let (status, body) = status_json(
        portal
            .get(&format!("/citizens/{id}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    (id, body["id_number"].as_str().unwrap().to_owned())
}

async fn citizen_by_number(portal: &Portal, token: &str, number: &str) -> Option<Value> {
    let (status, body) = status_json(
        portal
            .get(&format!("/citizens?id_number={number}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array()?.first().cloned()
}

/// On the intake tab: procedure → case (`case_down` rows below the first, when the
/// procedure has cases to choose) → applicant by number, as a desk officer types it.
async fn start_intake(app: &Screen, search: &str, case_down: usize, number: &str) {
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
        for _ in 0..case_down {
            app.keys(&["Down"]);
        }
        app.keys(&["Enter"]);
    }
    app.wait_for("Số định danh / QR / tên").await;
    app.type_text(number);
    app.keys(&["Enter"]);
    if !number.contains('|') {
        app.wait_for("Người yêu cầu:").await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn create_a_citizen_then_take_a_birth_registration_in_with_a_pdf_paper_and_cash() {
    let portal = demo_portal().await;
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let app = Screen::start("desk", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;

    // The account: citizens pane, Ctrl-N, the fields, Enter on the last one.
    let number = "083191234561";
    app.create_citizen(number).await;
    let slip = app.wait_for("PHIẾU KÍCH HOẠT TÀI KHOẢN").await;
    assert!(slip.contains("Mã kích hoạt:"), "{slip}");
    let citizen = citizen_by_number(&portal, &token, number)
        .await
        .expect("the account exists on the portal");
    assert_eq!(citizen["full_name"], "Phạm Thị Mỹ Duyên");
    let citizen_id = citizen["id"].as_str().unwrap().to_owned();
    app.keys(&["Escape"]);
    app.until("the slip to close", |s| !s.contains("PHIẾU KÍCH HOẠT"))
        .await;
    app.keys(&["Escape"]);
    app.wait_for("Tìm công dân").await;

    // The intake: birth registration, late case (5,000 đ), the new citizen.
    let file = app.home.path().join("to-khai.pdf");
    std::fs::write(&file, pdf("tờ khai khai sinh")).unwrap();
    app.keys(&["M-2"]);
    start_intake(&app, "khai sinh", 1, number).await;
    app.wait_for("Phạm Thị Mỹ Duyên").await;
    app.keys(&["Enter"]); // the relation row: self; on to the documents
    app.wait_for("Tờ khai đăng ký khai sinh").await;
    // The form attached as a PDF, the birth certificate and the ID on paper.
    app.keys(&["a"]);
    app.wait_for("Đường dẫn tệp").await;
    app.type_text(&file.display().to_string());
    app.keys(&["Enter"]);
    app.wait_for("đã tải lên").await;
    app.keys(&["Down", "Space", "Down", "Space"]);
    app.keys(&["Enter"]);
    app.wait_for("Nhận trực tiếp tại Bộ phận Một cửa").await;
    app.keys(&["Enter"]);
    app.wait_for("5.000 đ").await;
    // Review: cash (the first choice), the receipt number, the declaration, submit —
    // pressed twice.
    app.keys(&["Tab"]);
    app.type_text("BL-0042");
    app.keys(&["Tab", "Space"]);
    app.wait_for("[x]").await;
    app.keys(&["Enter", "Enter"]);
    let done = app.wait_for("đã thu tiền mặt, biên lai BL-0042").await;
    let code = done
        .split_whitespace()
        .find(|w| w.starts_with("000.01.27.H07-"))
        .expect("the code on the done screen")
        .to_owned();

    // Exactly one dossier, paid, with the attachment and the paper parts.
    let dossiers = dossiers_of(&portal, &token, &citizen_id).await;
    assert_eq!(dossiers.len(), 1, "{dossiers:?}");
    let (_, d) = status_json(
        portal
            .get(&format!("/dossiers/{code}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(d["procedure"]["code"], "1.001193", "{d}");
    assert_eq!(d["fee"]["amount"], 5000, "{d}");
    assert_eq!(d["fee"]["status"], "paid", "{d}");
    let attached = d["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|doc| !doc["attachment"].is_null())
        .count();
    assert_eq!(attached, 1, "{d}");
    // The due date on the screen is the portal's.
    let due = chrono::DateTime::parse_from_rfc3339(d["due_at"].as_str().unwrap()).unwrap();
    let due_text = due.format("%H:%M %d/%m/%Y").to_string();
    assert!(done.contains(&due_text), "{due_text} not in\n{done}");

    // The receipt (Mẫu 01) from the done screen.
    app.keys(&["Enter"]);
    app.wait_for("đã tiếp nhận hồ sơ của:").await;
    // Two Escapes in one read arrive as one Alt-Escape: let the first one land.
    app.keys(&["Escape"]);
    app.until("the receipt to close", |s| {
        !s.contains("đã tiếp nhận hồ sơ của:")
    })
    .await;

    // The inbox has it, in "Mới tiếp nhận", with its due time.
    app.keys(&["Escape"]);
    app.wait_for("Mới tiếp nhận").await;
    app.keys(&["BTab"]);
    app.wait_for("◀ Tất cả").await;
    app.keys(&["/"]);
    app.type_text(&code);
    let inbox = app
        .until("the new dossier's row", |s| {
            s.lines()
                .any(|l| l.contains(&code) && l.contains("Phạm Thị Mỹ Duyên"))
        })
        .await;
    let row = inbox
        .lines()
        .find(|l| l.contains(&code) && l.contains("Phạm Thị Mỹ Duyên"))
        .unwrap();
    // The inbox counts down to the due time in hours (within a tick either way).
    let hours = (due - portal.running.state.clock.now()).num_hours();
    assert!((7..=8).contains(&hours), "due at {due}, {hours} hours away");
    assert!(
        (hours - 1..=hours + 1).any(|h| row.contains(&format!("còn {h} giờ"))),
        "due in about {hours} hours: {row}"
    );
    assert!(row.contains("Đã tiếp nhận"), "{row}");
}

/// A loopback proxy to the portal that cuts the connection once, right when the portal
/// answers the first `POST /api/v1/dossiers`: the dossier is made, the answer is lost.
async fn cutting_proxy(upstream: String) -> (String, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let cut_done = Arc::new(AtomicBool::new(false));
    let flag = cut_done.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let upstream = upstream.clone();
            let flag = flag.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let armed = Arc::new(AtomicBool::new(false));
                let armed_up = armed.clone();
                let flag_up = flag.clone();
                let up = tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = match cr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        if !flag_up.load(Ordering::SeqCst)
                            && String::from_utf8_lossy(&buf[..n])
                                .contains("POST /api/v1/dossiers HTTP")
                        {
                            armed_up.store(true, Ordering::SeqCst);
                        }
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match sr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if armed.load(Ordering::SeqCst) && !flag.swap(true, Ordering::SeqCst) {
                        // The answer to the submission: dropped with the connection.
                        break;
                    }
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                up.abort();
            });
        }
    });
    let base_path = "/api/v1";
    (format!("http://{addr}{base_path}"), cut_done)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_a_cut_connection_makes_one_dossier() {
    let portal = demo_portal().await;
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let upstream = portal
        .base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let (via_proxy, cut) = cutting_proxy(upstream).await;
    let (citizen_id, number) = demo_citizen(&portal, &token).await;
    let before = dossiers_of(&portal, &token, &citizen_id).await.len();

    let app = Screen::start("cut", &via_proxy, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;
    app.keys(&["2"]);
    // Marriage registration, ordinary case: free, documents on paper.
    start_intake(&app, "ket hon", 0, &number).await;
    app.wait_for("Người nộp hồ sơ:").await;
    app.keys(&["Enter"]);
    app.wait_for("[ ]").await;
    let screen = app.screen();
    let parts = screen.lines().filter(|l| l.contains("[ ]")).count();
    for _ in 0..parts {
        app.keys(&["Space", "Down"]);
    }
    app.keys(&["Enter"]);
    app.wait_for("Nhận trực tiếp tại Bộ phận Một cửa").await;
    app.keys(&["Enter"]);
    app.wait_for("Người nộp cam đoan").await;
    app.keys(&["Space", "Enter"]);
    // The answer is lost on the way back; the outbox sends the write again with its
    // key, by itself, and the portal answers with the dossier it made the first time.
    app.wait_for("Đã tiếp nhận hồ sơ").await;
    assert!(cut.load(Ordering::SeqCst));
    assert_eq!(
        dossiers_of(&portal, &token, &citizen_id).await.len(),
        before + 1,
        "the retry made no second dossier"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chip_card_scan_prefills_the_new_account() {
    let portal = demo_portal().await;
    let app = Screen::start("qr", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;
    app.keys(&["2"]);
    // What a desk scanner types: number|old number|name|birth|gender|address|issued.
    let scan =
        "083185012345||Huỳnh Thị Thu Trang|12041985|Nữ|Ấp Phú Chánh, xã Phú Hưng, Bến Tre|15062021";
    start_intake(&app, "khai tu", 0, scan).await;
    let form = app
        .until("the account form, filled from the card", |s| {
            s.contains("Tạo tài khoản công dân") && s.contains("Huỳnh Thị Thu Trang")
        })
        .await;
    assert!(form.contains("12/04/1985"), "{form}");
    assert!(form.contains("(•) Nữ"), "{form}");
    assert!(form.contains("Ấp Phú Chánh, xã Phú Hưng"), "{form}");
    assert!(form.contains("083185012345"), "{form}");
    // The card has no phone: the cursor waits there; the account is made with it.
    app.type_text("0987654321");
    app.keys(&["Enter", "Enter", "Enter"]);
    let screen = app.wait_for("Tài khoản mới — mã kích hoạt").await;
    assert!(screen.contains("Huỳnh Thị Thu Trang"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_app_offers_its_draft_back() {
    let portal = demo_portal().await;
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let (_, number) = demo_citizen(&portal, &token).await;
    let app = Screen::start("draft", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;
    app.keys(&["2"]);
    start_intake(&app, "khai sinh", 0, &number).await;
    app.wait_for("Người nộp hồ sơ:").await;
    app.keys(&["Right"]); // authorized
    app.wait_for("(•) được ủy quyền").await;
    app.keys(&["Tab"]);
    app.type_text("Trần Văn Bảy");
    app.wait_for("Trần Văn Bảy").await;
    // The draft is on disk before anything else happens.
    app.draft_holds("Trần Văn Bảy").await;

    app.kill_and_restart();
    // The username is remembered; the password is asked again (no keyring here).
    app.wait_for("Mật khẩu").await;
    app.type_text(DEMO_PASSWORD);
    app.keys(&["Enter"]);
    app.wait_for("Tất cả").await;
    app.keys(&["2"]);
    app.wait_for("Có bản nháp tiếp nhận chưa nộp").await;
    app.keys(&["Enter"]);
    let screen = app.wait_for("Trần Văn Bảy").await;
    assert!(screen.contains("(•) được ủy quyền"), "{screen}");
    assert!(screen.contains(&number), "{screen}");
}

/// Issue 14: Esc on the inline account form of the wizard, half filled, then Enter on
/// the same number again: the fields typed are still there.
#[tokio::test(flavor = "multi_thread")]
async fn esc_on_a_half_filled_inline_citizen_form_then_enter_again_keeps_the_fields() {
    let portal = demo_portal().await;
    let app = Screen::start("aside", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;
    app.keys(&["2"]);
    app.wait_for("Tìm thủ tục").await;
    app.type_text("khai tu");
    app.until("the procedure's documents", |s| {
        s.contains("Thành phần hồ sơ")
    })
    .await;
    app.keys(&["Enter"]);
    app.wait_for("Số định danh / QR / tên").await;
    // A number with no account: the form opens on the full name.
    app.type_text("083191234562");
    app.keys(&["Enter"]);
    app.wait_for("Tạo tài khoản công dân").await;
    app.type_text("Phạm Thị Mỹ Duyên");
    app.keys(&["Tab"]);
    app.type_text("21/09/1991");
    app.wait_for("21/09/1991").await;
    app.keys(&["Escape"]);
    let closed = app
        .until("the form to close", |s| {
            !s.contains("Tạo tài khoản công dân")
        })
        .await;
    assert!(closed.contains("083191234562"), "{closed}");
    app.keys(&["Enter"]);
    let form = app
        .until("the form again, as it was left", |s| {
            s.contains("Tạo tài khoản công dân") && s.contains("Phạm Thị Mỹ Duyên")
        })
        .await;
    assert!(form.contains("21/09/1991"), "{form}");
    assert!(form.contains("083191234562"), "{form}");
}

/// Issue 14: the citizens pane's Ctrl-N form, half filled, is in the draft on disk; the
/// app killed with SIGKILL and started again gives it back, and it makes the account.
#[tokio::test(flavor = "multi_thread")]
async fn the_citizens_form_comes_back_from_its_draft_after_a_kill() {
    let portal = demo_portal().await;
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let app = Screen::start("ctrln", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;
    app.keys(&["3"]);
    app.wait_for("Tìm công dân").await;
    app.keys(&["C-n"]);
    app.wait_for("Tạo tài khoản công dân").await;
    let number = "083191234563";
    app.type_text(number);
    app.keys(&["Tab"]);
    app.type_text("Phạm Thị Mỹ Duyên");
    app.keys(&["Tab"]);
    app.type_text("21091991");
    app.wait_for("21091991").await;
    app.draft_holds("21091991").await;

    app.kill_and_restart();
    app.wait_for("Mật khẩu").await;
    app.type_text(DEMO_PASSWORD);
    app.keys(&["Enter"]);
    app.wait_for("Tất cả").await;
    app.keys(&["3"]);
    let form = app
        .until("the form restored", |s| {
            s.contains("Tạo tài khoản công dân") && s.contains("Phạm Thị Mỹ Duyên")
        })
        .await;
    assert!(form.contains(number) && form.contains("21091991"), "{form}");
    // The cursor is where it was (the date of birth): the rest, and Enter on the last.
    app.keys(&["Tab", "Right", "Tab"]);
    app.type_text("0912 345 678");
    app.keys(&["Tab", "Tab"]);
    app.type_text("Số 7 đường Đồng Khởi, Phường An Hội, Bến Tre");
    app.keys(&["Enter"]);
    app.wait_for("PHIẾU KÍCH HOẠT TÀI KHOẢN").await;
    let citizen = citizen_by_number(&portal, &token, number)
        .await
        .expect("the account exists on the portal");
    assert_eq!(citizen["date_of_birth"], "1991-09-21");
}
