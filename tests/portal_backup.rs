//! `motcua backup` (src/portal/backup.rs), the real binary against a running portal's
//! database: a copy taken while desks keep creating dossiers is one instant of the portal
//! (the per-status counts the triggers keep agree with the table, every office's day is
//! numbered without a gap) and a portal started on it answers as the original did; an
//! existing file is never overwritten, a missing database is said plainly.

mod common;

use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::domain::calendar::Calendar;
use motcua::portal::state::Settings;
use motcua::portal::{self, Seed};
use std::path::Path;
use std::process::{Command, Output};

fn backup(db: &Path, to: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["backup", "--db"])
        .arg(db)
        .arg("--to")
        .arg(to)
        .output()
        .expect("motcua runs")
}

async fn scalar(db: &sqlx::AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(db)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
async fn a_backup_taken_while_desks_write_is_one_instant_of_the_portal() {
    // A PostgreSQL database is backed up by pg_dump (docs/portal.md); the next test
    // checks that `motcua backup` says so.
    if common::on_postgres() {
        return;
    }
    let p = Portal::with(Settings::default(), Seed::Demo).await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _) = p.citizen_of(1).await;
    let body = p.submission("1.004873", &citizen).await;
    let before: i64 = scalar(&p.running.state.db, "SELECT COUNT(*) FROM dossiers").await;

    let out_dir = tempfile::tempdir().unwrap();
    let target = out_dir.path().join("nightly").join("portal-backup.sqlite3");
    let (db, to) = (p.db_path.clone(), target.clone());
    let copying = tokio::task::spawn_blocking(move || backup(&db, &to));
    // Desks go on taking dossiers in while the copy is made.
    let mut created = 0;
    while !copying.is_finished() || created < 5 {
        let (status, d) = p.create_dossier(&token, &body).await;
        assert_eq!(status, 201, "{d}");
        created += 1;
        assert!(created < 2000, "the backup does not end");
    }
    let out = copying.await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("integrity ok"), "{said}");
    assert!(
        !target
            .with_file_name("portal-backup.sqlite3.partial")
            .exists()
    );

    // The copy, served by a portal of its own.
    let copy = portal::start(portal::Options {
        bind: "127.0.0.1:0".parse().unwrap(),
        db: target.clone().into(),
        calendar: Calendar::default(),
        seed: Seed::None,
        settings: Settings::default(),
        clock: common::test_clock(),
    })
    .await
    .unwrap();
    let db = &copy.state.db;
    let n = scalar(db, "SELECT COUNT(*) FROM dossiers").await;
    assert!(
        n >= before && n <= before + created,
        "{before} ≤ {n} ≤ {before} + {created}"
    );
    assert!(said.contains(&format!("{n} dossiers")), "{said}");
    // One instant: the counts the triggers keep in each writing transaction agree with
    // the rows, and no day's numbers have a hole (a half-copied write would leave one).
    assert_eq!(scalar(db, "SELECT SUM(n) FROM dossier_counts").await, n);
    let holes = scalar(
        db,
        "SELECT COUNT(*) FROM (SELECT substr(code, 1, length(code) - 4) AS day, \
         COUNT(*) AS k, MAX(CAST(substr(code, -4) AS INTEGER)) AS top \
         FROM dossiers GROUP BY day) WHERE k <> top",
    )
    .await;
    assert_eq!(holes, 0, "a day of the copy is numbered with a gap");
    // The word index came along: a search on the copy answers as on the original.
    let base = format!("http://{}/api/v1", copy.addr);
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{base}/auth/login"))
        .json(&serde_json::json!({"username": "tiepnhan1", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let (status, session) = status_json(login).await;
    assert_eq!(status, 200, "{session}");
    let copy_token = session["token"].as_str().unwrap();
    let (_, first) = status_json(
        p.get("/dossiers?limit=1&queue=all")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let code = first["items"][0]["code"].as_str().unwrap();
    let name = first["items"][0]["applicant_name"].as_str().unwrap();
    let q: String = name
        .split_whitespace()
        .map(|w| format!("{w} "))
        .collect::<String>()
        .trim()
        .replace(' ', "%20");
    let (s, found) = status_json(
        http.get(format!("{base}/dossiers?q={q}&limit=500"))
            .bearer_auth(copy_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{found}");
    assert!(
        found["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == code),
        "{found}"
    );
    copy.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_backup_never_overwrites_and_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    // A PostgreSQL URL: not ours to copy; the answer names pg_dump.
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args([
            "backup",
            "--db",
            "postgres://motcua@127.0.0.1:1/motcua",
            "--to",
        ])
        .arg(dir.path().join("pg"))
        .output()
        .expect("motcua runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pg_dump"), "{err}");
    assert!(!dir.path().join("pg").exists());
    if common::on_postgres() {
        return;
    }
    let p = Portal::demo().await;
    let earlier = dir.path().join("earlier.sqlite3");
    std::fs::write(&earlier, b"last week's backup").unwrap();
    let out = backup(&p.db_path, &earlier);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("exists") && err.contains("đã có"), "{err}");
    assert_eq!(std::fs::read(&earlier).unwrap(), b"last week's backup");

    let out = backup(&dir.path().join("nowhere.sqlite3"), &dir.path().join("b"));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("there is no database"), "{err}");
    assert!(!dir.path().join("b").exists());
}
