//! `--seed demo`: every office gets dossiers in every status and every queue, desk and
//! online, free and fee-bearing (paid and unpaid), some overdue and some due today.

mod common;

use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::domain::status::{Queue, Status};
use motcua::portal::Seed;

#[tokio::test]
async fn every_office_has_every_status_and_queue() {
    let started = std::time::Instant::now();
    // A working day: the seed spreads due times around "now", so something is due today
    // (on a day off nothing is; the seed's rows then sit on the next working day).
    let p = Portal::at("2026-03-04T09:00:00+07:00", Default::default(), Seed::Demo).await;
    eprintln!("demo seed with dossiers: {:?}", started.elapsed());
    let db = &p.running.state.db;
    let offices: Vec<i64> = sqlx::query_scalar("SELECT id FROM offices")
        .fetch_all(db)
        .await
        .unwrap();
    assert!(offices.len() >= 3);
    for office in &offices {
        for status in Status::ALL {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM dossiers WHERE office_id = $1 AND status = $2",
            )
            .bind(office)
            .bind(status.as_str())
            .fetch_one(db)
            .await
            .unwrap();
            assert!(n > 0, "office {office} has no {status} dossier");
        }
        let count = |sql: &'static str| async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(office)
                .fetch_one(db)
                .await
                .unwrap()
        };
        assert!(
            count("SELECT COUNT(*) FROM dossiers WHERE office_id = $1 AND channel = 'online'")
                .await
                > 0
        );
        assert!(
            count("SELECT COUNT(*) FROM dossiers WHERE office_id = $1 AND channel = 'desk'").await
                > 0
        );
        assert!(
            count("SELECT COUNT(*) FROM dossiers WHERE office_id = $1 AND payment_status = 'paid'")
                .await
                > 0
        );
        assert!(
            count(
                "SELECT COUNT(*) FROM dossiers WHERE office_id = $1 AND payment_status = 'unpaid'"
            )
            .await
                > 0
        );
        assert!(
            count(
                "SELECT COUNT(*) FROM dossiers WHERE office_id = $1 AND payment_status = 'exempt'"
            )
            .await
                > 0
        );
    }
    // Every dossier came in through intake: it has its creation audit row.
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM dossiers d WHERE NOT EXISTS \
         (SELECT 1 FROM audit a WHERE a.dossier_code = d.code AND a.event = 'dossier_created')",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(orphans, 0);

    // Through the API, an officer of office 1 sees every queue filled, overdue included,
    // and something due today.
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    for queue in Queue::ALL {
        let res = p
            .get(&format!("/dossiers?queue={}&limit=500", queue.as_str()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let (status, page) = status_json(res).await;
        assert_eq!(status, 200);
        assert!(
            page["total"].as_u64().unwrap() > 0,
            "queue {queue} is empty"
        );
    }
    let today = p.running.state.clock.now().format("%Y-%m-%d").to_string();
    let res = p
        .get("/dossiers?limit=500")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (_, all) = status_json(res).await;
    let due_today = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["due_at"].as_str().is_some_and(|t| t.starts_with(&today)))
        .count();
    assert!(due_today > 0, "nothing due today");
    // Names carry full diacritics and the accent-insensitive search finds them.
    let res = p
        .get("/dossiers?q=nguyen")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (_, found) = status_json(res).await;
    assert!(found["total"].as_u64().unwrap() > 0);
    assert!(
        found["items"][0]["applicant_name"]
            .as_str()
            .unwrap()
            .contains("Nguyễn")
    );
}
