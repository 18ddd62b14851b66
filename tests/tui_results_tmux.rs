//! Giving a result back end to end in tmux (issue 17): the real `motcua` against the
//! real portal — a dossier taken in, forwarded, decided and approved; at the desk the
//! return's dialog prefilled with the applicant, the handover sent, the satisfaction
//! screen turned to the citizen, the rating in the dossier's detail and in the
//! statistics pane, and on the portal.

mod common;

use common::tmux::Screen;
use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::{Value, json};

/// A Wednesday morning, whatever the hour the test runs.
const WEDNESDAY_MORNING: &str = "2026-03-04T09:00:00+07:00";

#[tokio::test(flavor = "multi_thread")]
async fn receive_decide_return_with_a_handover_then_the_citizen_rates_it() {
    let portal = Portal::at(WEDNESDAY_MORNING, Settings::default(), Seed::Accounts).await;
    let desk = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let specialist = portal.login("chuyenvien1", DEMO_PASSWORD).await;
    let leader = portal.login("lanhdao1", DEMO_PASSWORD).await;
    let (citizen, name) = portal.citizen_of(1).await;
    // Received at the desk, forwarded, decided and approved: the result is ready.
    let (s, d) = portal
        .create_dossier(&desk, &portal.submission("1.004873", &citizen).await)
        .await;
    assert_eq!(s, 201, "{d}");
    let code = d["code"].as_str().unwrap().to_owned();
    let steps = [
        (
            &desk,
            json!({"action": "forward", "assignee": "chuyenvien1"}),
        ),
        (
            &specialist,
            json!({"action": "propose_result", "result": "approved", "summary": "Đủ điều kiện"}),
        ),
        (&leader, json!({"action": "approve"})),
    ];
    for (n, (token, body)) in steps.into_iter().enumerate() {
        let (s, d) = portal.act(token, &code, n as i64 + 1, body).await;
        assert_eq!(s, 200, "{d}");
    }

    let app = Screen::start("results", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;
    // The dossier by its code, from the lookup tab.
    app.keys(&["4"]);
    app.wait_for("Tra cứu").await;
    app.type_text(&code);
    app.keys(&["Enter"]);
    app.wait_for("Trạng thái: Đã có kết quả").await;

    // The return: the applicant prefilled as the receiver.
    app.keys(&["a"]);
    let menu = app.wait_for("Thao tác —").await;
    let items: Vec<&str> = menu
        .lines()
        .skip_while(|l| !l.contains("Thao tác —"))
        .skip(1)
        .take_while(|l| !l.contains("└"))
        .collect();
    let at = items
        .iter()
        .position(|l| l.contains("Trả kết quả"))
        .unwrap_or_else(|| panic!("no return in the menu:\n{menu}"));
    for _ in 0..at {
        app.keys(&["Down"]);
    }
    app.keys(&["Enter"]);
    let dialog = app.wait_for("Hình thức trả kết quả").await;
    assert!(dialog.contains(&name), "the applicant prefilled:\n{dialog}");
    // Down to the result documents (delivery, relation, name, number, then them).
    app.keys(&["Tab", "Tab", "Tab", "Tab"]);
    app.type_text("Giấy xác nhận tình trạng hôn nhân");
    app.keys(&["Enter", "Enter"]);
    app.wait_for("Xác nhận Trả kết quả").await;
    app.keys(&["Enter"]);

    // The satisfaction screen, turned to the citizen: very satisfied, with a comment.
    app.wait_for("Ông/bà có hài lòng").await;
    app.keys(&["Right", "Left"]);
    app.keys(&["Tab"]);
    app.type_text("Nhanh gọn");
    app.keys(&["Enter"]);
    app.wait_for("Đã ghi nhận đánh giá: Rất hài lòng").await;
    // In the detail, below the fold.
    app.until("the rating in the detail", |s| {
        if s.contains("Rất hài lòng · tại quầy") {
            return true;
        }
        app.keys(&["PageDown"]);
        false
    })
    .await;
    let detail = app.screen();
    assert!(detail.contains("“Nhanh gọn”"), "{detail}");

    // The portal agrees: the handover to the applicant, the rating from the desk.
    let (s, d): (u16, Value) = status_json(
        portal
            .get(&format!("/dossiers/{code}"))
            .bearer_auth(&desk)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(d["status"], "returned");
    assert_eq!(d["handover"]["receiver"]["full_name"], name.as_str());
    assert_eq!(d["handover"]["receiver"]["relation"], "self");
    assert_eq!(
        d["handover"]["result_documents"],
        json!(["Giấy xác nhận tình trạng hôn nhân"])
    );
    assert_eq!(d["rating"]["level"], "very_satisfied");
    assert_eq!(d["rating"]["channel"], "desk");
    assert_eq!(d["rating"]["comment"], "Nhanh gọn");

    // The statistics pane counts it.
    app.keys(&["Escape"]);
    app.keys(&["5"]);
    let stats = app
        .until("the rating counted", |s| {
            s.lines()
                .any(|l| l.contains("Đánh giá: Rất hài lòng") && l.contains(" 1 "))
        })
        .await;
    assert!(stats.contains("Đánh giá: Không hài lòng"), "{stats}");
}
