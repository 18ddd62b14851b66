//! Issue 18 against the real portal (an office of 400 dossiers from the bulk loader,
//! plus the demo's): the inbox's pages as `tui::paging` asks
//! for them — the keyset cursors walk the listing in the order the inbox keeps its rows,
//! the window holds a bounded run of it, and the search goes to the portal.

mod common;

use common::{DEMO_PASSWORD, Portal};
use motcua::api::dossiers::{ActionRequest, Change};
use motcua::client::{ChangesOutcome, PortalClient};
use motcua::domain::status::Queue;
use motcua::domain::workflow::Action as Step;
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use motcua::tui::paging::{self, Fetch, HELD_PAGES, ListKey, PAGE_ROWS, row_key};
use motcua::tui::state::Inbox;
use std::collections::HashSet;

/// Rows enough for more pages than the window holds.
const DOSSIERS: usize = 400;

async fn office() -> Portal {
    let p = Portal::with(Settings::default(), Seed::Demo).await;
    motcua::portal::bulk::desk_dossiers(&p.running.state, 1, DOSSIERS)
        .await
        .unwrap();
    p
}

async fn officer(p: &Portal) -> PortalClient {
    let c = PortalClient::builder(&p.base).build().unwrap();
    c.login("tiepnhan1", DEMO_PASSWORD).await.unwrap();
    c
}

fn first(key: ListKey) -> Fetch {
    Fetch {
        key,
        number: 0,
        cursor: None,
    }
}

#[tokio::test]
async fn the_cursors_walk_the_listing_in_the_inboxs_order() {
    let p = office().await;
    let c = officer(&p).await;
    let key = ListKey::new(Queue::All, "");
    let mut ask = first(key);
    let mut rows = Vec::new();
    let total = loop {
        let page = paging::fetch(&c, &ask).await.unwrap();
        assert!(page.items.len() <= PAGE_ROWS as usize);
        rows.extend(page.items);
        match page.next_cursor {
            Some(next) => {
                ask.number += 1;
                ask.cursor = Some(next);
            }
            None => break page.total,
        }
    };
    assert_eq!(rows.len() as u64, total);
    assert!(rows.len() > DOSSIERS);
    assert!(ask.number > HELD_PAGES, "more pages than the window holds");
    let codes: HashSet<&str> = rows.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes.len(), rows.len(), "no row twice");
    for pair in rows.windows(2) {
        assert!(
            row_key(&pair[0]) < row_key(&pair[1]),
            "{:?} before {:?}",
            row_key(&pair[0]),
            row_key(&pair[1])
        );
    }
}

#[tokio::test]
async fn the_window_scrolls_the_whole_queue_holding_a_few_pages() {
    let p = office().await;
    let c = officer(&p).await;
    let mut inbox = Inbox::new();
    inbox.queue = Queue::All;
    let page = paging::fetch(&c, &first(inbox.wanted())).await.unwrap();
    let total = page.total as usize;
    inbox.replace(page);
    let mut seen = HashSet::new();
    let mut asked = 0;
    loop {
        for &i in &inbox.view {
            seen.insert(inbox.items[i].summary.code.clone());
        }
        inbox.move_by(isize::MAX / 2);
        let Some(ask) = inbox.next_fetch(true) else {
            break;
        };
        asked += 1;
        assert!(asked < 1_000, "the pages never end");
        let page = paging::fetch(&c, &ask).await.unwrap();
        assert!(inbox.add_page(page));
        assert!(inbox.items.len() <= HELD_PAGES * PAGE_ROWS as usize);
    }
    assert_eq!(seen.len(), total, "every dossier of the queue came by");
    assert!(inbox.window.first > 0, "the first pages were let go");
    assert!(inbox.window.next.is_none());
    // And back to the top, by the cursors kept.
    loop {
        inbox.move_by(isize::MIN / 2);
        let Some(ask) = inbox.next_fetch(true) else {
            break;
        };
        let page = paging::fetch(&c, &ask).await.unwrap();
        assert!(inbox.add_page(page));
    }
    assert_eq!(inbox.window.first, 0);
    assert_eq!(inbox.selected, 0);
}

#[tokio::test]
async fn the_first_screen_has_the_feed_position_and_the_search_goes_to_the_portal() {
    let p = office().await;
    let c = officer(&p).await;
    let ChangesOutcome::Changes(before) = c.changes(None, true).await.unwrap() else {
        panic!("no feed position")
    };
    let snapshot = paging::first_screen(&c, ListKey::new(Queue::Received, ""))
        .await
        .unwrap();
    let ChangesOutcome::Changes(after) = c.changes(None, true).await.unwrap() else {
        panic!("no feed position")
    };
    // The position read with the first page: nothing changed in between here, so it is
    // the feed's, no older (an older one may be past what the portal keeps).
    assert_eq!((before.seq, after.seq), (snapshot.seq, snapshot.seq));
    assert_eq!(snapshot.first.number, 0);
    assert!(!snapshot.first.items.is_empty());
    assert!(
        snapshot
            .first
            .items
            .iter()
            .all(|s| Queue::Received.contains(s.status, s.overdue))
    );
    let everyone = paging::fetch(&c, &first(ListKey::new(Queue::All, "")))
        .await
        .unwrap();
    let name = &everyone.items[0].applicant_name;
    let folded = motcua::domain::text::search_key(name);
    let found = paging::fetch(&c, &first(ListKey::new(Queue::All, &folded)))
        .await
        .unwrap();
    assert!(found.total >= 1 && found.total < everyone.total);
    assert!(found.items.iter().any(|s| &s.applicant_name == name));
}

/// `X-Changes-Seq` of a raw `GET /dossiers` page.
async fn listed_seq(p: &Portal, token: &str, query: &str) -> (i64, serde_json::Value) {
    let res = p
        .get(&format!("/dossiers{query}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let seq = res.headers()["x-changes-seq"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    (seq, res.json().await.unwrap())
}

#[tokio::test]
async fn every_page_names_the_feed_position_and_it_moves_with_the_office_only() {
    let p = office().await;
    let c = officer(&p).await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let ChangesOutcome::Changes(feed) = c.changes(None, true).await.unwrap() else {
        panic!("no feed position")
    };
    let (seq, page) = listed_seq(&p, &token, "?limit=2").await;
    assert_eq!(seq, feed.seq);
    // The next page says it too, and a search.
    let cursor = page["next_cursor"].as_str().unwrap();
    assert_eq!(
        listed_seq(&p, &token, &format!("?limit=2&cursor={cursor}"))
            .await
            .0,
        feed.seq
    );
    assert_eq!(listed_seq(&p, &token, "?q=nguyen").await.0, feed.seq);

    // Another office's action does not move it; the office's own does, to the feed's
    // position, and the page read with it shows the change.
    let other = p.login("tiepnhan2", DEMO_PASSWORD).await;
    let (_, theirs) = listed_seq(&p, &other, "?queue=received&limit=1").await;
    let d = &theirs["items"][0];
    let (status, _) = p
        .act(
            &other,
            d["code"].as_str().unwrap(),
            d["version"].as_i64().unwrap(),
            serde_json::json!({"action": "forward"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed_seq(&p, &token, "?limit=1").await.0, feed.seq);
    let (_, ours) = listed_seq(&p, &token, "?queue=received&limit=1").await;
    let d = &ours["items"][0];
    let code = d["code"].as_str().unwrap();
    let (status, _) = p
        .act(
            &token,
            code,
            d["version"].as_i64().unwrap(),
            serde_json::json!({"action": "forward"}),
        )
        .await;
    assert_eq!(status, 200);
    let ChangesOutcome::Changes(moved) = c.changes(None, true).await.unwrap() else {
        panic!("no feed position")
    };
    assert!(moved.seq > feed.seq);
    let (seq, page) = listed_seq(&p, &token, "?queue=in_progress&limit=500").await;
    assert_eq!(seq, moved.seq);
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == code)
    );
    // And the first screen takes its position from the page's header.
    let snapshot = paging::first_screen(&c, ListKey::new(Queue::Received, ""))
        .await
        .unwrap();
    assert_eq!(snapshot.seq, moved.seq);
}

#[tokio::test]
async fn the_first_poll_never_reaches_back_past_what_the_portal_keeps() {
    // A portal that keeps only the last 5 changes of an office's feed, and many more
    // changes than that (the dossiers taken in).
    let p = Portal::with(
        Settings {
            changes_kept: 5,
            ..Settings::default()
        },
        Seed::Demo,
    )
    .await;
    motcua::portal::bulk::desk_dossiers(&p.running.state, 1, 40)
        .await
        .unwrap();
    let c = officer(&p).await;
    let ChangesOutcome::Changes(position) = c.changes(None, true).await.unwrap() else {
        panic!("no feed position")
    };
    assert!(position.seq > 30, "{}", position.seq);
    // Login, then the first poll from the position the first screen gave: changes, not
    // "expired" (which reloads the first screen, which expires again, without end).
    let snapshot = paging::first_screen(&c, ListKey::new(Queue::Received, ""))
        .await
        .unwrap();
    let first_poll = c.changes(Some(snapshot.seq), true).await.unwrap();
    assert!(
        matches!(first_poll, ChangesOutcome::Changes(_)),
        "the first poll from {} expired",
        snapshot.seq
    );
    // A change after the first screen is seen by the first poll.
    let received = c.all_dossiers(Queue::Received, 100).await.unwrap();
    let d = &received[0];
    let forward = ActionRequest {
        action: Some(Step::Forward),
        ..ActionRequest::default()
    };
    c.act(&d.code, d.version, &forward).await.unwrap();
    let ChangesOutcome::Changes(seen) = c.changes(Some(snapshot.seq), true).await.unwrap() else {
        panic!("expired")
    };
    let codes: Vec<&str> = seen
        .changes
        .iter()
        .map(|ch| match ch {
            Change::Dossier(s) => s.code.as_str(),
            Change::Deleted { code, .. } => code.as_str(),
        })
        .collect();
    assert_eq!(codes, [d.code.as_str()]);
}
