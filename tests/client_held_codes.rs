//! The desk's held numbers (issue 19) against the real portal: leased while online and
//! renewed as used, handed out once even across a crash, a lost lease answer that does
//! not lease twice, numbers given offline arriving with their dossiers, and the rest
//! released at the end of the day.

mod common;

use common::{DEMO_PASSWORD, Portal};
use motcua::client::PortalClient;
use motcua::client::leases::HeldCodes;
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use std::collections::BTreeSet;

const MORNING: &str = "2026-03-04T08:00:00+07:00";

fn at(s: &str) -> motcua::domain::calendar::LocalTime {
    motcua::clock::parse_instant(s).unwrap()
}

async fn desk(p: &Portal) -> PortalClient {
    let c = PortalClient::builder(&p.base).build().unwrap();
    c.login("tiepnhan1", DEMO_PASSWORD).await.unwrap();
    c
}

#[tokio::test]
async fn a_desk_keeps_its_block_gives_each_number_once_and_gives_back_the_rest() {
    let p = Portal::at(MORNING, Settings::default(), Seed::Demo).await;
    let c = desk(&p).await;
    let dir = tempfile::tempdir().unwrap();
    let now = at("2026-03-04T08:00:30+07:00");

    let mut held = HeldCodes::open(dir.path(), "tiepnhan1");
    held.refresh(&c, 10, now).await.unwrap();
    assert_eq!(held.available(now), 10);
    // Enough held: a refresh leases nothing more.
    held.refresh(&c, 10, now).await.unwrap();
    assert_eq!(p.audit_count("codes_leased").await, 1);

    // Six given offline, the desk killed after the third and started again.
    let mut given = Vec::new();
    for _ in 0..3 {
        given.push(held.take(now).unwrap().unwrap());
    }
    drop(held);
    let mut held = HeldCodes::open(dir.path(), "tiepnhan1");
    for _ in 0..3 {
        given.push(held.take(now).unwrap().unwrap());
    }
    let codes: BTreeSet<&str> = given.iter().map(|h| h.code.as_str()).collect();
    assert_eq!(codes.len(), 6, "a number handed out twice: {given:?}");

    // Below half of the target: a refresh renews to it, and still never hands out a
    // number given to a dossier that has not arrived.
    held.refresh(&c, 10, now).await.unwrap();
    assert_eq!(held.available(now), 10);
    let mut next = Vec::new();
    while let Some(h) = held.take(now).unwrap() {
        assert!(!codes.contains(h.code.as_str()), "{} again", h.code);
        next.push(h);
    }
    assert_eq!(next.len(), 10);

    // The link returns: the six dossiers arrive on their numbers.
    let (citizen, _) = p.citizen_of(1).await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    for h in &given {
        let mut body = p.submission("1.001193", &citizen).await;
        body["code"] = h.code.clone().into();
        body["received_at"] = "2026-03-04T08:00:40+07:00".into();
        let (status, dossier) = p.create_dossier(&token, &body).await;
        assert_eq!(
            (status, dossier["code"].as_str()),
            (201, Some(h.code.as_str()))
        );
    }

    // The end of the day: the ten never used go back, with the reason.
    held.refresh(&c, 0, now).await.unwrap();
    let released = held
        .release_all(&c, "Hết ngày làm việc, không dùng")
        .await
        .unwrap();
    assert_eq!(
        released, 0,
        "numbers handed out stay written off until their dossier"
    );
    let leases = c.code_leases().await.unwrap();
    let still: usize = leases.iter().map(|l| l.held.len()).sum();
    assert_eq!(
        still, 10,
        "the ten handed out after the refresh, not yet sent"
    );
}

#[tokio::test]
async fn a_lease_whose_answer_was_lost_is_asked_again_with_its_key() {
    let p = Portal::at(MORNING, Settings::default(), Seed::Demo).await;
    let c = desk(&p).await;
    let dir = tempfile::tempdir().unwrap();
    let now = at("2026-03-04T08:00:30+07:00");

    // The desk asked for a lease and the link dropped before the answer: its file holds
    // the key. The portal did lease.
    let key = uuid::Uuid::new_v4().to_string();
    c.lease_codes(&key, 8).await.unwrap();
    std::fs::write(
        dir.path().join("held-codes.json"),
        serde_json::json!({"user": "tiepnhan1", "codes": [], "given": [], "asking": [key, 8]})
            .to_string(),
    )
    .unwrap();
    let mut held = HeldCodes::open(dir.path(), "tiepnhan1");
    held.refresh(&c, 8, now).await.unwrap();
    assert_eq!(held.available(now), 8);
    assert_eq!(p.audit_count("codes_leased").await, 1, "one lease, not two");

    // Another officer on the same desk starts from nothing.
    let other = HeldCodes::open(dir.path(), "tiepnhan2");
    assert_eq!(other.available(now), 0);

    // Given back at the end of the day.
    let released = held
        .release_all(&c, "Hết ngày làm việc, không dùng")
        .await
        .unwrap();
    assert_eq!(released, 8);
    let leases = c.code_leases().await.unwrap();
    assert_eq!(leases[0].voided.len(), 8);
    assert_eq!(leases[0].voided[0].reason, "Hết ngày làm việc, không dùng");
}

#[tokio::test]
async fn numbers_of_a_day_gone_are_given_back_and_the_new_day_leased() {
    let p = Portal::at(MORNING, Settings::default(), Seed::Demo).await;
    let c = desk(&p).await;
    let dir = tempfile::tempdir().unwrap();
    let mut held = HeldCodes::open(dir.path(), "tiepnhan1");
    held.refresh(&c, 6, at("2026-03-04T08:00:30+07:00"))
        .await
        .unwrap();
    let yesterday = c.code_leases().await.unwrap()[0].codes.clone();

    // The next morning (the session of yesterday has ended: the officer logs in again).
    let morning = at("2026-03-05T07:30:00+07:00");
    p.running.state.clock.set(morning);
    c.login("tiepnhan1", DEMO_PASSWORD).await.unwrap();
    assert_eq!(
        held.available(morning),
        0,
        "yesterday's numbers are not today's"
    );
    held.refresh(&c, 6, morning).await.unwrap();
    assert_eq!(held.available(morning), 6);
    let leases = c.code_leases().await.unwrap();
    let today: Vec<&String> = leases
        .iter()
        .filter(|l| l.date == "2026-03-05")
        .flat_map(|l| &l.held)
        .collect();
    assert_eq!(today.len(), 6);
    let old = leases.iter().find(|l| l.date == "2026-03-04");
    assert!(
        old.is_none(),
        "yesterday's lease holds nothing now: {leases:?}"
    );
    // The register of yesterday says why each went unused.
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let csv = p
        .get("/registers/dossiers?from=2026-03-04&to=2026-03-04&format=csv")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for code in &yesterday {
        let row = csv.lines().find(|l| l.contains(code.as_str())).unwrap();
        assert!(
            row.contains(motcua::client::leases::PAST_DAY_REASON),
            "{row}"
        );
    }
}

/// An officer may work at two desks: each desk hands out only the numbers it leased,
/// though the portal lists all of the officer's, so two dossiers taken in offline at
/// the two desks never share a code.
#[tokio::test]
async fn two_desks_of_one_officer_never_hand_out_the_same_number() {
    let p = Portal::at(MORNING, Settings::default(), Seed::Demo).await;
    let (a, b) = (desk(&p).await, desk(&p).await);
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let now = at("2026-03-04T08:00:30+07:00");
    let mut held_a = HeldCodes::open(dir_a.path(), "tiepnhan1");
    let mut held_b = HeldCodes::open(dir_b.path(), "tiepnhan1");
    held_a.refresh(&a, 8, now).await.unwrap();
    held_b.refresh(&b, 8, now).await.unwrap();
    // Each refreshes again after the other leased: still only its own.
    held_a.refresh(&a, 8, now).await.unwrap();
    assert_eq!((held_a.available(now), held_b.available(now)), (8, 8));
    let mut codes = BTreeSet::new();
    for held in [&mut held_a, &mut held_b] {
        while let Some(h) = held.take(now).unwrap() {
            assert!(
                codes.insert(h.code.clone()),
                "{} given at both desks",
                h.code
            );
        }
    }
    assert_eq!(codes.len(), 16);
}
