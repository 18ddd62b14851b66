//! Issue 18 end to end in tmux: the real `motcua` binary pages the inbox of an office
//! larger than the pages it holds (the bulk loader's 400 dossiers and the demo's), and
//! its filter, after the pause, finds in the portal a dossier it no longer holds.
//! Waits poll the screen (bounded), never a blind sleep.

mod common;

use common::tmux::Screen;
use common::{DEMO_PASSWORD, Portal};
use motcua::portal::Seed;
use motcua::portal::state::Settings;

/// The codes of the `all` queue in the portal's order, by its own cursors.
async fn listing(portal: &Portal) -> Vec<String> {
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    portal
        .walk(&token, "/dossiers?queue=all", 500, "code")
        .await
        .0
}

#[tokio::test(flavor = "multi_thread")]
async fn the_inbox_pages_to_the_last_dossier_and_the_filter_asks_the_portal() {
    let portal = Portal::with(Settings::default(), Seed::Demo).await;
    motcua::portal::bulk::desk_dossiers(&portal.running.state, 1, 400)
        .await
        .unwrap();
    let codes = listing(&portal).await;
    let total = codes.len();
    let app = Screen::start("paging", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;
    app.keys(&["BTab"]);
    // The portal's count of the queue, though one page is held.
    app.wait_for(&format!("{total} hồ sơ đang hiển thị")).await;
    // End: the last row held, and the next page comes; again until the last dossier.
    let page = motcua::tui::paging::PAGE_ROWS as usize;
    assert!(total > 7 * page, "more pages than the app holds");
    let mut held = page;
    loop {
        let row = held.min(total) - 1;
        app.keys(&["End"]);
        let code = codes[row].clone();
        app.until(&format!("row {row} ({code}) and its next page"), |s| {
            s.contains(&code) && !s.contains("Đang tải thêm")
        })
        .await;
        if held >= total {
            break;
        }
        held += page;
    }
    // The first dossier is no longer held: the filter finds it in the portal after the
    // pause.
    let first = &codes[0];
    app.keys(&["/"]);
    app.type_text(first);
    app.until("the first dossier, from the portal", |s| {
        s.contains(&format!("/ {first}"))
            && s.lines()
                .filter(|l| l.contains("000.01.27.H07-"))
                .any(|l| l.contains(first.as_str()) && !l.contains("/ "))
    })
    .await;
}
