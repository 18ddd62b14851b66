//! Issue 18: the inbox pages its listing instead of loading the office's whole inbox.
//! `update()` against a listing served here page by page as the portal would (keyset
//! cursors, `total`, `q`): what is asked, what is held, what is shown. No network, no
//! clock: the filter's pause is the `FilterPaused` action sent by the test.

mod common;

use common::tui::*;
use crossterm::event::KeyCode;
use motcua::api::auth::LoginResponse;
use motcua::api::dossiers::{Change, DossierSummary};
use motcua::domain::Lang;
use motcua::domain::status::{Queue, Status};
use motcua::domain::text::Matcher;
use motcua::tui::action::{Action, Delta, Effect, Snapshot};
use motcua::tui::paging::{Fetch, HELD_PAGES, ListKey, PAGE_ROWS, PageAnswer, row_key};
use motcua::tui::state::*;
use motcua::tui::update::update;

const SIZE: (u16, u16) = (120, 32);
const PAGE: usize = PAGE_ROWS as usize;

/// The portal's side: an office's dossiers in its listing's order.
struct Listing {
    rows: Vec<DossierSummary>,
}

impl Listing {
    /// `n` received dossiers due one after the other, and a few online submissions.
    fn office(n: u32) -> Listing {
        let mut rows: Vec<DossierSummary> = (0..n)
            .map(|i| {
                let due = format!(
                    "2026-12-{:02}T{:02}:{:02}:00+07:00",
                    1 + i / 600,
                    7 + (i / 60) % 10,
                    i % 60
                );
                let name = if i % 10 == 7 {
                    "Trần Thị Yến"
                } else {
                    "Lê Văn Tám"
                };
                summary(i, name, Status::Received, Some(&due), false)
            })
            .collect();
        rows.extend((n..n + 3).map(|i| summary(i, "Ngô Bảo", Status::Submitted, None, false)));
        rows.sort_by_key(row_key);
        Listing { rows }
    }

    /// One page as `GET /dossiers?queue=&q=&limit=&cursor=` answers it; the cursor here
    /// is the code of the row before (the portal's is opaque).
    fn serve(&self, fetch: &Fetch) -> PageAnswer {
        let matcher = Matcher::new(&fetch.key.q);
        let listed: Vec<&DossierSummary> = self
            .rows
            .iter()
            .filter(|s| fetch.key.queue.contains(s.status, s.overdue))
            .filter(|s| matcher.matches(&s.applicant_name))
            .collect();
        let from = match &fetch.cursor {
            Some(after) => listed.iter().position(|s| &s.code == after).unwrap() + 1,
            None => 0,
        };
        let items: Vec<DossierSummary> = listed
            .iter()
            .skip(from)
            .take(PAGE)
            .map(|s| (*s).clone())
            .collect();
        let next_cursor = (from + PAGE < listed.len()).then(|| items.last().unwrap().code.clone());
        PageAnswer {
            key: fetch.key.clone(),
            number: fetch.number,
            items,
            next_cursor,
            total: listed.len() as u64,
        }
    }
}

fn page_asked(effects: &[Effect]) -> Option<(RequestId, Fetch)> {
    effects.iter().find_map(|e| match e {
        Effect::LoadPage { id, fetch } => Some((*id, fetch.clone())),
        _ => None,
    })
}

/// Logs in; returns the app with the first page of `queue` held, the stats not yet
/// answered, and their request.
fn logged_in_paged(listing: &Listing) -> (App, RequestId) {
    let (app, stats, effects) = logged_in_paged_at(listing, SIZE);
    assert!(page_asked(&effects).is_none(), "{effects:?}");
    (app, stats)
}

/// [`logged_in_paged`] on a terminal of `size`; also returns what the first page's
/// answer asked (a tall terminal asks for the next page at once).
fn logged_in_paged_at(listing: &Listing, size: (u16, u16)) -> (App, RequestId, Vec<Effect>) {
    let mut app = app(Lang::En, false, size);
    for c in "tiepnhan1".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Char('x')));
    let effects = update(&mut app, key(KeyCode::Enter));
    let Some(Effect::Login { id, .. }) = effects.first() else {
        panic!("no login: {effects:?}")
    };
    let response = LoginResponse {
        token: "t".into(),
        expires_at: "2026-11-24T22:00:00+07:00".into(),
        idle_timeout_s: 1800,
        user: me(false),
    };
    let effects = update(&mut app, Action::LoggedIn(*id, Ok(response)));
    let inbox = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadInbox(id) => Some(*id),
            _ => None,
        })
        .expect("the login asks for the inbox");
    let stats = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadStats(id) => Some(*id),
            _ => None,
        })
        .expect("and for the counts");
    // The runtime asks the listing on screen: the current queue, no search.
    let wanted = app.inbox.wanted();
    assert_eq!(wanted, ListKey::new(Queue::OnlinePending, ""));
    app.inbox.queue = Queue::Received;
    let first = listing.serve(&Fetch {
        key: ListKey::new(Queue::Received, ""),
        number: 0,
        cursor: None,
    });
    let effects = update(
        &mut app,
        Action::InboxLoaded(inbox, Ok(Snapshot { first, seq: 7 })),
    );
    (app, stats, effects)
}

/// Answers every page asked for by `effects` (and by the answers) from `listing`.
fn serve_all(app: &mut App, listing: &Listing, mut effects: Vec<Effect>) -> usize {
    let mut served = 0;
    while let Some((id, fetch)) = page_asked(&effects) {
        served += 1;
        effects = update(app, Action::PageLoaded(id, Ok(listing.serve(&fetch))));
    }
    served
}

/// [`serve_all`], giving up after `most` pages (a loop that would never end).
fn serve_at_most(app: &mut App, listing: &Listing, mut effects: Vec<Effect>, most: usize) -> usize {
    let mut served = 0;
    while let Some((id, fetch)) = page_asked(&effects) {
        served += 1;
        if served > most {
            break;
        }
        effects = update(app, Action::PageLoaded(id, Ok(listing.serve(&fetch))));
    }
    served
}

/// The codes of the rows the inbox shows, in order.
fn shown_codes(app: &App) -> Vec<String> {
    app.inbox
        .view
        .iter()
        .map(|&i| app.inbox.items[i].summary.code.clone())
        .collect()
}

#[test]
fn the_first_screen_is_one_page_and_the_counts_come_from_the_portal() {
    let listing = Listing::office(1_000);
    let (mut app, stats_id) = logged_in_paged(&listing);
    assert_eq!(app.inbox.items.len(), PAGE);
    assert!(!app.inbox.whole());
    // Before the stats: the count of the queue on screen is the page's total.
    assert_eq!(app.inbox.count(Queue::Received), 1_000);
    assert!(text(&draw(&app, SIZE), None).contains("Newly received (1000)"));
    let mut counts = stats();
    counts.queues.received = 1_000;
    counts.queues.online_pending = 3;
    update(&mut app, Action::StatsLoaded(stats_id, Ok(counts)));
    assert_eq!(app.inbox.count(Queue::OnlinePending), 3);
    let screen = text(&draw(&app, SIZE), None);
    assert!(screen.contains("Newly received (1000)"), "{screen}");
    assert!(screen.contains("1000 shown"), "{screen}");
}

#[test]
fn scrolling_past_the_rows_held_fetches_the_next_page_without_blocking_keys() {
    let listing = Listing::office(1_000);
    let (mut app, _) = logged_in_paged(&listing);
    let mut asked = None;
    for _ in 0..PAGE {
        let effects = update(&mut app, key(KeyCode::Down));
        if let Some(found) = page_asked(&effects) {
            assert!(asked.is_none(), "asked twice: {effects:?}");
            asked = Some(found);
        }
    }
    let (id, fetch) = asked.expect("nearing the last row held asks for the next page");
    assert_eq!(fetch.number, 1);
    assert_eq!(
        fetch.cursor.as_deref(),
        Some(listing.rows[PAGE - 1].code.as_str())
    );
    // Keys still move while the page is on its way; the list says it is loading.
    assert_eq!(app.inbox.selected, PAGE - 1);
    let screen = text(&draw(&app, SIZE), None);
    assert!(screen.contains("Loading more dossiers"), "{screen}");
    update(&mut app, Action::PageLoaded(id, Ok(listing.serve(&fetch))));
    assert_eq!(app.inbox.items.len(), 2 * PAGE);
    assert_eq!(
        app.inbox.selected_code().unwrap(),
        listing.rows[PAGE - 1].code
    );
    update(&mut app, key(KeyCode::Down));
    assert_eq!(app.inbox.selected_code().unwrap(), listing.rows[PAGE].code);
}

#[test]
fn far_pages_are_let_go_and_fetched_again_by_their_cursor() {
    let listing = Listing::office(1_000);
    let (mut app, _) = logged_in_paged(&listing);
    let mut most = 0;
    let received = 1_000;
    for _ in 0..received {
        let effects = update(&mut app, key(KeyCode::Down));
        serve_all(&mut app, &listing, effects);
        most = most.max(app.inbox.items.len());
    }
    assert_eq!(
        app.inbox.selected_code().unwrap(),
        listing.rows[received - 1].code
    );
    assert!(most <= HELD_PAGES * PAGE, "held {most} rows");
    assert!(app.inbox.window.first > 0, "the first pages were let go");
    // Back to the top: each dropped page comes back, by the cursor kept for it.
    let mut served = 0;
    for _ in 0..received {
        let effects = update(&mut app, key(KeyCode::Up));
        served += serve_all(&mut app, &listing, effects);
    }
    assert!(
        served >= 1_000 / PAGE - HELD_PAGES,
        "{served} pages fetched again"
    );
    assert_eq!(app.inbox.window.first, 0);
    assert_eq!(app.inbox.selected, 0);
    assert_eq!(app.inbox.selected_code().unwrap(), listing.rows[0].code);
    assert!(app.inbox.items.len() <= HELD_PAGES * PAGE);
    // What is held is one unbroken run of the listing.
    let held: Vec<&str> = app
        .inbox
        .view
        .iter()
        .map(|&i| app.inbox.items[i].summary.code.as_str())
        .collect();
    let run: Vec<&str> = listing.rows[..held.len()]
        .iter()
        .map(|s| s.code.as_str())
        .collect();
    assert_eq!(held, run);
}

#[test]
fn a_page_that_fails_says_so_and_the_next_move_asks_again() {
    let listing = Listing::office(200);
    let (mut app, _) = logged_in_paged(&listing);
    let mut effects = vec![];
    while page_asked(&effects).is_none() {
        effects = update(&mut app, key(KeyCode::Down));
    }
    let (id, fetch) = page_asked(&effects).unwrap();
    let offline = Failure::Offline("no route to the portal".into());
    let effects = update(&mut app, Action::PageLoaded(id, Err(offline)));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(app.inbox.window.failed);
    app.inbox.selected = app.inbox.view.len() - 1;
    app.inbox.scroll_into_view();
    let screen = text(&draw(&app, SIZE), None);
    assert!(screen.contains("Could not load more dossiers"), "{screen}");
    let effects = update(&mut app, key(KeyCode::Down));
    let (_, again) = page_asked(&effects).expect("the next move asks again");
    assert_eq!(again, fetch);
    assert!(!app.inbox.window.failed);
}

#[test]
fn the_filter_answers_from_the_rows_held_then_from_the_portal_after_the_pause() {
    let listing = Listing::office(1_000);
    let (mut app, _) = logged_in_paged(&listing);
    update(&mut app, key(KeyCode::Char('/')));
    let mut last = None;
    for c in "yen".chars() {
        let effects = update(&mut app, key(KeyCode::Char(c)));
        assert!(
            page_asked(&effects).is_none(),
            "not while typing: {effects:?}"
        );
        last = effects.iter().find_map(|e| match e {
            Effect::FilterPause { generation } => Some(*generation),
            _ => None,
        });
        assert!(
            last.is_some(),
            "each keystroke asks for the pause: {effects:?}"
        );
    }
    // At once: the rows held that match (accents optional).
    assert_eq!(app.inbox.view.len(), PAGE / 10);
    assert!(
        app.inbox
            .view
            .iter()
            .all(|&i| { app.inbox.items[i].summary.applicant_name == "Trần Thị Yến" })
    );
    // The pause after an earlier keystroke asks nothing.
    let generation = last.unwrap();
    assert!(update(&mut app, Action::FilterPaused(generation - 1)).is_empty());
    // After the last one: the portal is asked for the search.
    let effects = update(&mut app, Action::FilterPaused(generation));
    let (id, fetch) = page_asked(&effects).expect("the portal is asked after the pause");
    assert_eq!(fetch.key, ListKey::new(Queue::Received, "yen"));
    assert_eq!(fetch.number, 0);
    update(&mut app, Action::PageLoaded(id, Ok(listing.serve(&fetch))));
    assert_eq!(app.inbox.view.len(), PAGE, "a page of the portal's matches");
    assert_eq!(app.inbox.shown(), 100, "the portal's total");
    // Esc: the listing without the search comes back, at once.
    let effects = update(&mut app, key(KeyCode::Esc));
    let (_, fetch) = page_asked(&effects).expect("clearing the filter asks at once");
    assert_eq!(fetch.key, ListKey::new(Queue::Received, ""));
}

#[test]
fn a_change_of_queue_asks_for_its_first_page() {
    let listing = Listing::office(300);
    let (mut app, _) = logged_in_paged(&listing);
    let effects = update(&mut app, key(KeyCode::Left));
    assert_eq!(app.inbox.queue, Queue::OnlinePending);
    let (id, fetch) = page_asked(&effects).expect("the queue's first page is asked");
    assert_eq!(fetch.key, ListKey::new(Queue::OnlinePending, ""));
    assert!(
        app.inbox.view.is_empty(),
        "another queue's rows are not this one's"
    );
    let screen = text(&draw(&app, SIZE), None);
    assert!(screen.contains("Loading the dossiers"), "{screen}");
    update(&mut app, Action::PageLoaded(id, Ok(listing.serve(&fetch))));
    assert_eq!(app.inbox.view.len(), 3);
    assert_eq!(
        app.inbox.items.len(),
        3,
        "the other queue's rows are let go"
    );
}

#[test]
fn the_delta_feed_updates_the_rows_held_and_moves_what_left_the_queue() {
    let listing = Listing::office(1_000);
    let (mut app, _) = logged_in_paged(&listing);
    let mut renamed = listing.rows[3].clone();
    renamed.applicant_name = "Lê Văn Tám Mới".into();
    renamed.version += 1;
    let mut moved = listing.rows[4].clone();
    moved.status = Status::InProgress;
    // A dossier entering the queue beyond the page held is not held.
    let mut beyond = listing.rows[900].clone();
    beyond.code = "000.01.27.H07-261124-9999".into();
    // One entering inside it is.
    let mut inside = listing.rows[10].clone();
    inside.code = format!("{}a", inside.code);
    app.pending.clear();
    app.poll_in = 1;
    let effects = update(&mut app, Action::Tick(now()));
    let Some(Effect::Poll { id, since }) =
        effects.iter().find(|e| matches!(e, Effect::Poll { .. }))
    else {
        panic!("no poll: {effects:?}")
    };
    assert_eq!(*since, 7);
    let effects = update(
        &mut app,
        Action::Polled(
            *id,
            Ok(Delta::Changes {
                changes: vec![
                    Change::Dossier(renamed.clone()),
                    Change::Dossier(moved.clone()),
                    Change::Dossier(beyond.clone()),
                    Change::Dossier(inside.clone()),
                ],
                seq: 11,
            }),
        ),
    );
    let inbox = &app.inbox;
    let held = |code: &str| inbox.by_code.get(code).map(|&i| &inbox.items[i].summary);
    assert_eq!(
        held(&renamed.code).unwrap().applicant_name,
        "Lê Văn Tám Mới"
    );
    assert!(held(&moved.code).is_none(), "it left the queue");
    assert!(held(&beyond.code).is_none(), "past the rows held");
    assert!(held(&inside.code).is_some());
    assert_eq!(inbox.view.len(), PAGE);
    // The counts are asked again: the queue bar follows the portal.
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadStats(_))));
}

#[test]
fn a_search_that_finds_nothing_here_says_how_many_it_finds_elsewhere() {
    let listing = Listing::office(300);
    let (mut app, _) = logged_in_paged(&listing);
    update(&mut app, key(KeyCode::Char('/')));
    for c in "ngo".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    assert!(app.inbox.view.is_empty());
    let effects = update(&mut app, key(KeyCode::Enter));
    let (id, fetch) = page_asked(&effects).expect("Enter asks the portal at once");
    assert_eq!(fetch.key, ListKey::new(Queue::Received, "ngo"));
    let effects = update(&mut app, Action::PageLoaded(id, Ok(listing.serve(&fetch))));
    let Some(Effect::CountElsewhere { id, q }) = effects
        .iter()
        .find(|e| matches!(e, Effect::CountElsewhere { .. }))
    else {
        panic!("no count asked: {effects:?}")
    };
    assert_eq!(q, "ngo");
    let everywhere = listing.serve(&Fetch {
        key: ListKey::new(Queue::All, "ngo"),
        number: 0,
        cursor: None,
    });
    update(
        &mut app,
        Action::CountedElsewhere(*id, Ok((q.clone(), everywhere.total))),
    );
    assert_eq!(app.inbox.matches_elsewhere, 3);
    let screen = text(&draw(&app, SIZE), None);
    assert!(screen.contains("3 dossiers in other queues"), "{screen}");
}

#[test]
fn a_search_cleared_while_on_its_way_leaves_the_pages_held_alone() {
    let listing = Listing::office(1_000);
    let (mut app, _) = logged_in_paged(&listing);
    // Two pages held.
    while app.inbox.window.held < 2 {
        let effects = update(&mut app, key(KeyCode::Down));
        serve_all(&mut app, &listing, effects);
    }
    let held = (app.inbox.window.first, app.inbox.window.held);
    update(&mut app, key(KeyCode::Char('/')));
    let mut generation = 0;
    for c in "yen".chars() {
        let effects = update(&mut app, key(KeyCode::Char(c)));
        generation = effects
            .iter()
            .find_map(|e| match e {
                Effect::FilterPause { generation } => Some(*generation),
                _ => None,
            })
            .unwrap();
    }
    let effects = update(&mut app, Action::FilterPaused(generation));
    let (id, search) = page_asked(&effects).expect("the search goes to the portal");
    assert_eq!(search.key, ListKey::new(Queue::Received, "yen"));
    // Esc before the portal answers: the listing held is the one wanted again.
    let effects = update(&mut app, key(KeyCode::Esc));
    serve_all(&mut app, &listing, effects);
    let before = shown_codes(&app);
    assert_eq!(app.inbox.window.key, ListKey::new(Queue::Received, ""));
    // The search's late answer changes nothing.
    let effects = update(&mut app, Action::PageLoaded(id, Ok(listing.serve(&search))));
    assert!(page_asked(&effects).is_none(), "{effects:?}");
    assert_eq!(app.inbox.window.key, ListKey::new(Queue::Received, ""));
    assert_eq!(
        (app.inbox.window.first, app.inbox.window.held),
        held,
        "the pages held stay"
    );
    assert_eq!(shown_codes(&app), before);
    assert!(app.inbox.window.loading.is_none());
}

#[test]
fn a_queue_left_and_come_back_to_ignores_the_others_first_page() {
    let listing = Listing::office(300);
    let (mut app, _) = logged_in_paged(&listing);
    let before = shown_codes(&app);
    let effects = update(&mut app, key(KeyCode::Right));
    let (id, other) = page_asked(&effects).expect("the next queue's first page is asked");
    assert_ne!(other.key.queue, Queue::Received);
    let effects = update(&mut app, key(KeyCode::Left));
    assert_eq!(app.inbox.queue, Queue::Received);
    assert!(page_asked(&effects).is_none(), "held already: {effects:?}");
    assert_eq!(shown_codes(&app), before, "the rows held are shown again");
    // The other queue's answer comes late: the list stays this queue's.
    update(&mut app, Action::PageLoaded(id, Ok(listing.serve(&other))));
    assert_eq!(app.inbox.window.key, ListKey::new(Queue::Received, ""));
    assert_eq!(shown_codes(&app), before);
}

#[test]
fn the_loading_note_takes_a_line_of_its_own() {
    let listing = Listing::office(1_000);
    let (mut app, _) = logged_in_paged(&listing);
    // Down until the next page is asked, then on while it comes until the list scrolls:
    // the selection on the table's last line, with rows held below it.
    let mut effects = vec![];
    while page_asked(&effects).is_none() {
        effects = update(&mut app, key(KeyCode::Down));
    }
    while app.inbox.offset == 0 || app.inbox.selected + 1 < app.inbox.offset + app.inbox.page_rows {
        let effects = update(&mut app, key(KeyCode::Down));
        assert!(page_asked(&effects).is_none(), "{effects:?}");
    }
    assert!(app.inbox.selected + 1 < app.inbox.view.len(), "rows below");
    let selected = app.inbox.selected_code().unwrap();
    let screen = text(&draw(&app, SIZE), None);
    let lines: Vec<&str> = screen.lines().collect();
    let note = lines
        .iter()
        .position(|l| l.contains("Loading more dossiers"))
        .unwrap_or_else(|| panic!("the note is drawn: {screen}"));
    let row = lines
        .iter()
        .position(|l| l.contains(&selected))
        .unwrap_or_else(|| panic!("the selected row is drawn: {screen}"));
    assert!(lines[row].contains("Lê Văn Tám"), "the whole row: {screen}");
    assert_eq!(row + 1, note, "the note below the selected row: {screen}");
    insta::assert_snapshot!("paging_loading_below_en_120x32", screen);
}

#[test]
fn a_tall_terminal_asks_for_a_bounded_number_of_pages() {
    let listing = Listing::office(1_000);
    let tall = (120, 160);
    let (mut app, _, effects) = logged_in_paged_at(&listing, tall);
    assert!(app.inbox.page_rows >= 150, "{}", app.inbox.page_rows);
    let most = 1_000 / PAGE + 2;
    let mut served = serve_at_most(&mut app, &listing, effects, most);
    for _ in 0..1_000 {
        let effects = update(&mut app, key(KeyCode::Down));
        served += serve_at_most(&mut app, &listing, effects, most);
        assert!(served <= most, "{served} pages asked going down");
    }
    assert_eq!(
        app.inbox.selected_code().unwrap(),
        listing.rows[999].code,
        "the last received dossier"
    );
    let mut back = 0;
    for _ in 0..1_000 {
        let effects = update(&mut app, key(KeyCode::Up));
        back += serve_at_most(&mut app, &listing, effects, most);
        assert!(back <= most, "{back} pages asked going up");
    }
    assert_eq!(app.inbox.selected_code().unwrap(), listing.rows[0].code);
    assert!(app.inbox.items.len() <= HELD_PAGES * PAGE);
}

#[test]
fn a_page_that_comes_after_the_selection_left_for_the_top_is_the_one_let_go() {
    let listing = Listing::office(1_000);
    let (mut app, _) = logged_in_paged(&listing);
    // Down until the pages held are as many as kept, and one more is on its way.
    let (id, seventh) = 'down: loop {
        let mut effects = update(&mut app, key(KeyCode::Down));
        while let Some((id, fetch)) = page_asked(&effects) {
            if fetch.number == HELD_PAGES {
                break 'down (id, fetch);
            }
            effects = update(&mut app, Action::PageLoaded(id, Ok(listing.serve(&fetch))));
        }
    };
    assert_eq!(app.inbox.window.first, 0);
    // Home before it comes: the selection is on the first row held.
    let effects = update(&mut app, key(KeyCode::Home));
    assert!(page_asked(&effects).is_none(), "{effects:?}");
    assert_eq!(app.inbox.selected_code().unwrap(), listing.rows[0].code);
    update(
        &mut app,
        Action::PageLoaded(id, Ok(listing.serve(&seventh))),
    );
    assert_eq!(
        app.inbox.selected_code().unwrap(),
        listing.rows[0].code,
        "the selected row stays"
    );
    assert_eq!(app.inbox.window.first, 0);
    assert!(app.inbox.items.len() <= HELD_PAGES * PAGE);
}

#[test]
fn a_tall_terminal_is_filled_at_once() {
    let listing = Listing::office(1_000);
    let tall = (120, 160);
    let (mut app, _, effects) = logged_in_paged_at(&listing, tall);
    serve_at_most(&mut app, &listing, effects, HELD_PAGES);
    assert!(
        app.inbox.view.len() >= app.inbox.page_rows,
        "{} rows for {} lines",
        app.inbox.view.len(),
        app.inbox.page_rows
    );
    assert!(app.inbox.window.held < HELD_PAGES);
}
