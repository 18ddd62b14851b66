//! Two reception desks of one office through the same outage (issue 19), each a real
//! desk app (update loop and effect executor) on a link of its own to the real portal:
//! both keep numbers online, both links go down at once, each takes dossiers in on its
//! held numbers, interleaved, one desk restarted in the middle with the link down, while
//! the portal numbers an intake of its own; the links come back and both outboxes drain.
//! No code is given twice, and the office's register of the day lists every number of
//! the day once: a dossier, a number voided with its reason, or (until the desks next log
//! in) a number still held; the next morning, once both desks have logged in, only
//! dossiers and voided numbers.

mod common;

use common::desk::{Desk, link_to};
use common::{DEMO_PASSWORD, Portal};
use motcua::api::dossiers::CreateDossier;
use motcua::clock::Clock;
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use motcua::tui::action::{Action, Effect};
use motcua::tui::offline::Numbered;
use motcua::tui::state::Screen;
use std::collections::BTreeMap;
use std::path::Path;

/// A Wednesday, and the Thursday after.
const MORNING: &str = "2026-03-04T08:00:00+07:00";
const NEXT_MORNING: &str = "2026-03-05T07:45:00+07:00";
const DAY: &str = "2026-03-04";

/// A desk's officer logs in online and waits for the 20 numbers the desk keeps.
async fn open_desk(url: &str, data: &Path, clock: &Clock, user: &str) -> Desk {
    let mut desk = Desk::start(url, data, clock);
    desk.log_in(user, DEMO_PASSWORD);
    desk.until("the held numbers", |app, _| app.held_codes == Some(20))
        .await;
    desk
}

/// Takes a dossier in on the desk's next held number, into its outbox; the number.
async fn take_in(desk: &mut Desk, body: &CreateDossier) -> Numbered {
    let n = desk.number_offline().await;
    let mut request = body.clone();
    request.code = Some(n.code.clone());
    request.received_at = Some(n.received_at.clone());
    let queued = desk.app.outbox + 1;
    let id = desk.id();
    desk.run(vec![Effect::CreateDossier {
        id,
        key: uuid::Uuid::new_v4().to_string(),
        request: Box::new(request),
    }]);
    desk.until("the dossier queued", |app, _| app.outbox == queued)
        .await;
    n
}

async fn drained(desk: &mut Desk) {
    desk.until(
        "the outbox drained",
        |_, a| matches!(a, Action::OutboxCount { queued: 0, dead, .. } if dead.is_empty()),
    )
    .await;
}

/// What the office's register of `DAY` says of each of the day's numbers, by number:
/// "dossier" for a dossier received that day, "used" for a dossier submitted online that
/// day and not received in it, else the note of a leased number without a dossier. A
/// number listed twice fails.
async fn register(portal: &Portal, token: &str, unit: &str) -> BTreeMap<u32, String> {
    let csv = portal
        .get(&format!(
            "/registers/dossiers?from={DAY}&to={DAY}&format=csv"
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let prefix = format!("{unit}-260304-");
    let mut rows = BTreeMap::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.as_bytes());
    for record in reader.records() {
        let record = record.unwrap();
        let Some(seq) = record.get(1).and_then(|c| c.strip_prefix(prefix.as_str())) else {
            continue;
        };
        let seq: u32 = seq.parse().unwrap();
        let note = record.get(13).unwrap_or_default();
        let what = if record.get(3) == Some("1") {
            "dossier".to_owned()
        } else if note.starts_with("Nộp trực tuyến") {
            "used".to_owned()
        } else {
            record.get(13).unwrap_or_default().to_owned()
        };
        assert!(
            rows.insert(seq, what).is_none(),
            "number {seq} listed twice:\n{csv}"
        );
    }
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn two_desks_offline_at_once_never_share_a_number_and_the_register_accounts_for_each() {
    let clock = Clock::starting_at(motcua::clock::parse_instant(MORNING).unwrap());
    let portal = Portal::with_clock(Settings::default(), Seed::Demo, clock.clone()).await;
    portal.colleague_of("tiepnhan1", "tiepnhan1b").await;
    let unit: String = sqlx::query_scalar(
        "SELECT o.code FROM users u JOIN offices o ON o.id = u.office_id \
         WHERE u.username = 'tiepnhan1'",
    )
    .fetch_one(&portal.running.state.db)
    .await
    .unwrap();
    let (citizen, _) = portal.citizen_of(1).await;
    let body: CreateDossier =
        serde_json::from_value(portal.submission("1.001193", &citizen).await).unwrap();
    let (link_a, url_a) = link_to(&portal.base).await;
    let (link_b, url_b) = link_to(&portal.base).await;
    let (data_a, data_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    // Morning: both desks online, each keeping its numbers.
    let mut a = open_desk(&url_a, data_a.path(), &clock, "tiepnhan1").await;
    let mut b = open_desk(&url_b, data_b.path(), &clock, "tiepnhan1b").await;

    // Both links down at once; the desks take dossiers in turn.
    link_a.switch().set_down(true);
    link_b.switch().set_down(true);
    let mut taken: Vec<Numbered> = Vec::new();
    for _ in 0..3 {
        taken.push(take_in(&mut a, &body).await);
        taken.push(take_in(&mut b, &body).await);
    }
    // Desk B is restarted with the link still down (its officer back from the offline
    // session) and goes on numbering where it stopped.
    drop(b);
    let mut b = Desk::start(&url_b, data_b.path(), &clock);
    b.log_in("tiepnhan1b", DEMO_PASSWORD);
    b.until("the offline session", |app, _| app.screen == Screen::Main)
        .await;
    assert!(b.app.offline_session);
    if b.app.outbox != 3 {
        b.until("its outbox read", |app, _| app.outbox == 3).await;
    }
    taken.push(take_in(&mut b, &body).await);
    assert_eq!((a.app.outbox, b.app.outbox), (3, 4));

    // Meanwhile the portal numbers an intake of its own (a desk still online).
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let (status, online) = portal
        .create_dossier(&token, &portal.submission("1.001193", &citizen).await)
        .await;
    assert_eq!(status, 201, "{online}");
    let online = online["code"].as_str().unwrap().to_owned();

    let mut codes: Vec<&str> = taken.iter().map(|n| n.code.as_str()).collect();
    codes.push(&online);
    let distinct: std::collections::BTreeSet<&&str> = codes.iter().collect();
    assert_eq!(distinct.len(), codes.len(), "a code given twice: {codes:?}");

    // The links are back: desk A (logged in online) sends at once, desk B's officer
    // logs in again and its outbox goes on.
    link_a.switch().set_down(false);
    link_b.switch().set_down(false);
    a.run(vec![Effect::SendNow, Effect::KeepCodes]);
    drained(&mut a).await;
    drop(b);
    let mut b = Desk::start(&url_b, data_b.path(), &clock);
    b.log_in("tiepnhan1b", DEMO_PASSWORD);
    b.until("logged in", |app, _| app.screen == Screen::Main)
        .await;
    drained(&mut b).await;

    let db = &portal.running.state.db;
    for n in &taken {
        let (count, received): (i64, Option<String>) =
            sqlx::query_as("SELECT COUNT(*), MAX(received_at) FROM dossiers WHERE code = $1")
                .bind(&n.code)
                .fetch_one(db)
                .await
                .unwrap();
        assert_eq!(count, 1, "{} arrived once", n.code);
        assert_eq!(received.as_deref(), Some(n.received_at.as_str()));
    }
    assert_eq!(portal.audit_count("offline_intake_arrived").await, 7);

    // The register of the day: every number from the first to the last once, each a
    // dossier, voided or still held by a desk; the dossiers taken offline among them.
    let seq = |code: &str| -> u32 { code.rsplit('-').next().unwrap().parse().unwrap() };
    let day = register(&portal, &token, &unit).await;
    let last = *day.keys().last().unwrap();
    let missing: Vec<u32> = (1..=last).filter(|n| !day.contains_key(n)).collect();
    assert!(
        missing.is_empty(),
        "numbers missing from the register: {missing:?} of {day:#?}"
    );
    for code in &codes {
        assert_eq!(day[&seq(code)], "dossier", "{code}");
    }
    for (n, what) in &day {
        assert!(
            ["dossier", "used"].contains(&what.as_str())
                || what.starts_with("Số đã hủy")
                || what.starts_with("Số giữ trước"),
            "number {n}: {what}"
        );
    }
    assert!(day.values().any(|w| w.starts_with("Số giữ trước")));

    // The next morning both officers log in: the numbers of yesterday no dossier had
    // are given back, and the register of yesterday has only dossiers and voided numbers.
    drop((a, b));
    clock.set(motcua::clock::parse_instant(NEXT_MORNING).unwrap());
    let _a = open_desk(&url_a, data_a.path(), &clock, "tiepnhan1").await;
    let _b = open_desk(&url_b, data_b.path(), &clock, "tiepnhan1b").await;
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let after = register(&portal, &token, &unit).await;
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        day.keys().collect::<Vec<_>>(),
        "yesterday's numbers are yesterday's"
    );
    for (n, what) in &after {
        assert!(
            ["dossier", "used"].contains(&what.as_str())
                || what.starts_with("Số đã hủy, không có hồ sơ: Hết ngày làm việc, không dùng"),
            "number {n} is neither used nor voided: {what}"
        );
    }
    let voided = after
        .values()
        .filter(|w| w.starts_with("Số đã hủy"))
        .count();
    let held = day
        .values()
        .filter(|w| w.starts_with("Số giữ trước"))
        .count();
    assert_eq!(
        voided, held,
        "every number held yesterday, voided: {after:#?}"
    );
}
