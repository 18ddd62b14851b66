//! End to end in tmux: the fee of a dossier awaiting payment, taken in cash from its detail
//! pane (not during intake), with the real binary against the real portal. Once paid, the
//! dossier moves on in the workflow (back to processing, so a result can be proposed,
//! approved and returned).

mod common;

use common::tmux::Screen;
use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::portal::Seed;
use motcua::portal::state::Settings;

#[tokio::test(flavor = "multi_thread")]
async fn an_unpaid_dossier_awaiting_payment_is_paid_in_cash_from_the_detail() {
    let portal = Portal::with(Settings::default(), Seed::Demo).await;
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let (status, page) = status_json(
        portal
            .get("/dossiers?queue=awaiting_payment&limit=500")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let item = page["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|d| d["payment_status"] == "unpaid" && d["status"] == "awaiting_payment")
        })
        .unwrap_or_else(|| panic!("the demo seed has an unpaid dossier awaiting payment: {page}"))
        .clone();
    let code = item["code"].as_str().unwrap().to_owned();

    let app = Screen::start("fee", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Chờ thanh toán").await;
    // The lookup tab opens the dossier by its code.
    app.keys(&["4"]);
    app.wait_for("Mã hồ sơ:").await;
    app.type_text(&code);
    app.keys(&["Enter"]);
    app.until("the detail with the fee unpaid", |s| {
        s.contains(&code) && s.contains("chưa nộp") && s.contains(" thu phí ")
    })
    .await;
    // p: the fee dialog; cash is the first choice; the receipt number, Enter.
    app.keys(&["p"]);
    app.wait_for("Thu phí hồ sơ").await;
    app.type_text("BL-2026-0042");
    app.keys(&["Enter"]);
    let screen = app
        .until("the fee paid in the detail", |s| {
            s.contains("đã nộp") && s.contains("BL-2026-0042") && !s.contains("Thu phí hồ sơ")
        })
        .await;
    // Paid: the key is gone from the hints, and the dossier is being processed again.
    assert!(!screen.contains(" thu phí "), "{screen}");
    app.wait_for("Đang xử lý").await;

    // The portal agrees: paid in cash with that receipt, and back in processing, where the
    // specialist can propose the result.
    let (status, body) = status_json(
        portal
            .get(&format!("/dossiers/{code}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["fee"]["status"], "paid", "{body}");
    assert_eq!(body["fee"]["receipt_no"], "BL-2026-0042", "{body}");
    assert_eq!(body["status"], "in_progress", "{body}");
    app.keys(&["q"]);
}
