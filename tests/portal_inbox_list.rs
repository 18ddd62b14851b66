//! The inbox list against a reference worked out in Rust from the demo office's rows:
//! every queue, status and overdue filter gives the same dossiers in the same order,
//! page after page through the cursors, with the right `total`. The list reads queues one
//! status at a time and takes queue totals from the per-status counts that triggers keep
//! (migration 0003), and the overdue total from per-day counts (migration 0004) as the
//! clock runs; this is what pins those down. The counts themselves are checked against
//! the table after inserts, actions, a deletion and changed due times.

mod common;

use chrono::{DateTime, TimeDelta, Timelike};
use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::domain::status::{Queue, Status, is_overdue};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::Value;

/// One dossier of office 1 as the reference needs it.
struct Dossier {
    code: String,
    status: Status,
    due_at: Option<String>,
    procedure: String,
}

async fn office1(p: &Portal) -> Vec<Dossier> {
    let rows: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT d.code, d.status, d.due_at, d.procedure_code FROM dossiers d \
         JOIN offices o ON o.id = d.office_id WHERE o.number = 1",
    )
    .fetch_all(&p.running.state.db)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(code, status, due_at, procedure)| Dossier {
            code,
            status: Status::from_wire(&status).unwrap(),
            due_at,
            procedure,
        })
        .collect()
}

/// The codes a filter should list, in the list's order: by due time (none last), then
/// by code.
fn reference(all: &[Dossier], keep: impl Fn(&Dossier) -> bool) -> Vec<String> {
    let mut kept: Vec<&Dossier> = all.iter().filter(|d| keep(d)).collect();
    kept.sort_by(|a, b| {
        let key = |d: &Dossier| {
            (
                d.due_at.clone().unwrap_or_else(|| "9999".into()),
                d.code.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    kept.into_iter().map(|d| d.code.clone()).collect()
}

/// Every page of `query`, seven at a time, following the cursors: the codes and each
/// page's `total`.
async fn walk(p: &Portal, token: &str, query: &str) -> (Vec<String>, Vec<u64>) {
    p.walk(token, &format!("/dossiers?{query}"), 7, "code")
        .await
}

#[tokio::test]
async fn every_queue_and_filter_lists_what_the_reference_lists() {
    let p = Portal::with(Settings::default(), Seed::Demo).await;
    // Twenty seconds past a whole minute: due times are whole minutes, so no dossier
    // turns overdue while the test compares.
    let clock = &p.running.state.clock;
    let now = clock.now();
    clock.set(now.with_second(20).unwrap() - TimeDelta::minutes(i64::from(now.second() < 20)));
    let now = clock.now();
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let all = office1(&p).await;
    let overdue = |d: &Dossier| {
        let due = d
            .due_at
            .as_deref()
            .map(|t| DateTime::parse_from_rfc3339(t).unwrap());
        is_overdue(d.status, due, now)
    };

    let mut cases: Vec<(String, Vec<String>)> = vec![
        ("queue=all".into(), reference(&all, |_| true)),
        ("overdue=true".into(), reference(&all, overdue)),
    ];
    for queue in Queue::ALL {
        let expected = reference(&all, |d| queue.contains(d.status, overdue(d)));
        cases.push((format!("queue={queue}", queue = queue.as_str()), expected));
    }
    for status in Status::ALL {
        let expected = reference(&all, |d| d.status == status);
        cases.push((format!("status={}", status.as_str()), expected));
    }
    // A status inside its queue, a status outside it, and overdue within a queue.
    cases.push((
        "queue=in_progress&status=awaiting_approval".into(),
        reference(&all, |d| d.status == Status::AwaitingApproval),
    ));
    cases.push(("queue=returned&status=received".into(), vec![]));
    cases.push((
        "queue=in_progress&overdue=true".into(),
        reference(&all, |d| {
            Queue::InProgress.contains(d.status, false) && overdue(d)
        }),
    ));
    let procedure = all[0].procedure.clone();
    cases.push((
        format!("queue=closed&procedure={procedure}"),
        reference(&all, |d| {
            Queue::Closed.contains(d.status, false) && d.procedure == procedure
        }),
    ));

    let mut nonempty = 0;
    for (query, expected) in &cases {
        let (codes, totals) = walk(&p, &token, query).await;
        assert_eq!(&codes, expected, "{query}");
        let n = expected.len() as u64;
        assert!(
            totals.iter().all(|t| *t == n),
            "{query}: totals {totals:?}, want {n}"
        );
        nonempty += usize::from(!expected.is_empty());
    }
    assert!(nonempty >= 12, "the demo office fills most queues");

    // A search within a queue lists what both list: the queue is read one status at a
    // time, the search alone in one go.
    let name: String = sqlx::query_scalar(
        "SELECT applicant_name FROM dossiers d JOIN offices o ON o.id = d.office_id \
         WHERE o.number = 1 AND d.status IN ('refused', 'withdrawn', 'stopped') LIMIT 1",
    )
    .fetch_one(&p.running.state.db)
    .await
    .unwrap();
    let q = name.split_whitespace().last().unwrap().to_owned();
    let (closed, _) = walk(&p, &token, "queue=closed").await;
    let (found, _) = walk(&p, &token, &format!("q={q}")).await;
    let (both, totals) = walk(&p, &token, &format!("queue=closed&q={q}")).await;
    let expected: Vec<String> = found.into_iter().filter(|c| closed.contains(c)).collect();
    assert!(!expected.is_empty());
    assert_eq!(both, expected);
    assert!(totals.iter().all(|t| *t == expected.len() as u64));
}

/// `dossier_counts` against a real count of the table.
async fn counts_agree(p: &Portal) {
    let kept: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT office_id, status, n FROM dossier_counts WHERE n <> 0 ORDER BY 1, 2",
    )
    .fetch_all(&p.running.state.db)
    .await
    .unwrap();
    let counted: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT office_id, status, COUNT(*) FROM dossiers GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .fetch_all(&p.running.state.db)
    .await
    .unwrap();
    assert_eq!(kept, counted);
}

/// `due_counts` (migration 0004) against a real count of the table.
async fn due_counts_agree(p: &Portal) {
    let kept: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT office_id, status, due_day, n FROM due_counts WHERE n <> 0 ORDER BY 1, 2, 3",
    )
    .fetch_all(&p.running.state.db)
    .await
    .unwrap();
    let counted: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT office_id, status, substr(due_at, 1, 10), COUNT(*) FROM dossiers \
         WHERE due_at IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )
    .fetch_all(&p.running.state.db)
    .await
    .unwrap();
    assert!(!counted.is_empty());
    assert_eq!(kept, counted);
}

/// The overdue total and the overdue dossiers listed, at the portal's time now.
async fn overdue_listed(p: &Portal) -> (u64, Vec<String>) {
    // Logged in afresh: the clock may have jumped past a token's lifetime.
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (codes, totals) = walk(p, &token, "queue=overdue").await;
    let (flagged, _) = walk(p, &token, "overdue=true").await;
    assert_eq!(codes, flagged);
    assert!(totals.windows(2).all(|w| w[0] == w[1]), "{totals:?}");
    (totals[0], codes)
}

#[tokio::test]
async fn the_overdue_total_follows_the_clock() {
    let p = Portal::with(Settings::default(), Seed::Demo).await;
    let clock = &p.running.state.clock;
    let all = office1(&p).await;
    let start = clock.now().with_second(20).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    // Later and later: dossiers fall due during the day (counted one by one) and on the
    // days before (counted by day), and nothing is written meanwhile.
    for hours in [0, 2, 5, 24, 26, 24 * 4 + 3, 24 * 12, 24 * 40, 24 * 120] {
        let now = start + TimeDelta::hours(hours);
        clock.set(now);
        let expected = reference(&all, |d| {
            let due = d
                .due_at
                .as_deref()
                .map(|t| DateTime::parse_from_rfc3339(t).unwrap());
            is_overdue(d.status, due, now)
        });
        let (total, codes) = overdue_listed(&p).await;
        assert_eq!(codes, expected, "{hours} h on");
        assert_eq!(total, expected.len() as u64, "{hours} h on");
        seen.insert(total);
    }
    // How many distinct totals depends on the time of day the test runs at (the demo's
    // due times are relative to it); that the total moves at all is what is asserted.
    assert!(
        seen.len() >= 2,
        "the demo's dossiers fall due over time: {seen:?}"
    );
}

#[tokio::test]
async fn a_new_dossier_turns_overdue_when_its_due_time_passes() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _) = p.citizen_of(1).await;
    let body = p.submission("1.001193", &citizen).await;
    let (status, created) = p.create_dossier(&token, &body).await;
    assert_eq!(status, 201, "{created}");
    let code = created["code"].as_str().unwrap().to_owned();
    let due = DateTime::parse_from_rfc3339(created["due_at"].as_str().unwrap()).unwrap();
    let clock = &p.running.state.clock;

    clock.set(due - TimeDelta::minutes(1));
    assert_eq!(overdue_listed(&p).await, (0, vec![]), "a minute before");
    clock.set(due + TimeDelta::minutes(1));
    assert_eq!(
        overdue_listed(&p).await,
        (1, vec![code.clone()]),
        "a minute after: due today"
    );
    clock.set(due + TimeDelta::days(3));
    assert_eq!(
        overdue_listed(&p).await,
        (1, vec![code.clone()]),
        "days after: due on an earlier day"
    );
}

#[tokio::test]
async fn the_per_status_counts_follow_every_write() {
    let p = Portal::with(Settings::default(), Seed::Demo).await;
    // The demo seed went through intake and actions: inserts and status changes.
    counts_agree(&p).await;
    due_counts_agree(&p).await;

    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _) = p.citizen_of(1).await;
    let body = p.submission("1.001193", &citizen).await;
    let (status, created) = p.create_dossier(&token, &body).await;
    assert_eq!(status, 201, "{created}");
    let code = created["code"].as_str().unwrap();
    let (status, moved) = p
        .act(&token, code, 1, serde_json::json!({"action": "forward"}))
        .await;
    assert_eq!(status, 200, "{moved}");
    counts_agree(&p).await;
    due_counts_agree(&p).await;
    let listed = |query: &'static str| {
        let p = &p;
        let token = token.clone();
        async move {
            let res = p.get(query).bearer_auth(&token).send().await.unwrap();
            let (_, page): (u16, Value) = status_json(res).await;
            page["total"].as_u64().unwrap()
        }
    };
    let in_progress = listed("/dossiers?queue=in_progress").await;

    // No route deletes a dossier; the trigger for it is checked all the same.
    let db = &p.running.state.db;
    let id: i64 = sqlx::query_scalar("SELECT id FROM dossiers WHERE code = $1")
        .bind(code)
        .fetch_one(db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM dossier_documents WHERE dossier_id = $1")
        .bind(id)
        .execute(db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM dossiers WHERE id = $1")
        .bind(id)
        .execute(db)
        .await
        .unwrap();
    counts_agree(&p).await;
    due_counts_agree(&p).await;
    assert_eq!(listed("/dossiers?queue=in_progress").await, in_progress - 1);

    // A due time moved to another day, cleared, and set again (no route clears one;
    // the triggers must follow all the same).
    let (id, due): (i64, String) = sqlx::query_as(
        "SELECT id, due_at FROM dossiers WHERE due_at IS NOT NULL ORDER BY id LIMIT 1",
    )
    .fetch_one(db)
    .await
    .unwrap();
    let later = DateTime::parse_from_rfc3339(&due).unwrap() + TimeDelta::days(2);
    for value in [Some(later.to_rfc3339()), None, Some(due)] {
        sqlx::query("UPDATE dossiers SET due_at = $1 WHERE id = $2")
            .bind(value)
            .bind(id)
            .execute(db)
            .await
            .unwrap();
        due_counts_agree(&p).await;
    }
}
