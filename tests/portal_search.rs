//! Indexed search (migration 0023, src/portal/search.rs): the word indexes find the same
//! rows as the rule they replaced (every query word begins a word of the row, accents and
//! case ignored), worked out here in Rust from the table itself for many queries; the
//! citizens list ranks rows holding the query's words whole first and pages through that
//! order; and the indexes follow every write (FTS5's own integrity check against the
//! tables after inserts, a deletion and a changed key).

mod common;

use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::domain::status::Queue;
use motcua::domain::text::{Matcher, search_key};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::{Value, json};

/// Every page of a list, three at a time, following the cursors: each item's `field`,
/// and each page's `total`.
async fn walk(p: &Portal, token: &str, list: &str, field: &str) -> (Vec<String>, Vec<u64>) {
    p.walk(token, list, 3, field).await
}

fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// FTS5's integrity check of each word index against its content (rank 1: the rows
/// themselves, not only the index's own structure): an error if a row's
/// words and the index disagree.
async fn indexes_agree(p: &Portal) {
    // PostgreSQL's trigram indexes are ordinary indexes of the rows, kept by the engine
    // itself: nothing of ours to disagree.
    if common::on_postgres() {
        return;
    }
    for table in ["dossier_words", "citizen_words", "certification_words"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)"
        )))
        .execute(&p.running.state.db)
        .await
        .unwrap_or_else(|e| panic!("{table}: {e}"));
    }
}

/// Which dossiers (by status and procedure) a filter of the list keeps.
type Keep = Box<dyn Fn(&str, &str) -> bool>;

#[tokio::test]
async fn the_inbox_search_finds_what_the_rule_finds() {
    let p = Portal::with(Settings::default(), Seed::Demo).await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let rows: Vec<(String, Option<String>, String, String, String, String)> = sqlx::query_as(
        "SELECT d.code, d.due_at, d.search_key, d.applicant_name, d.status, d.procedure_code \
         FROM dossiers d JOIN offices o ON o.id = d.office_id WHERE o.number = 1",
    )
    .fetch_all(&p.running.state.db)
    .await
    .unwrap();
    assert!(rows.len() > 20, "the demo office has a real inbox");

    // Queries as a desk types them: whole names with and without accents, a word's first
    // one, two and three letters, several words in any order, whole codes and their
    // parts, digits of a number, a word found nowhere, punctuation only, another script.
    let name = &rows[0].3;
    let procedure = rows[0].5.clone();
    let words: Vec<&str> = name.split_whitespace().collect();
    let code = &rows[rows.len() / 2].0;
    let mut queries: Vec<String> = vec![
        name.clone(),
        search_key(name),
        name.to_uppercase(),
        words.iter().rev().cloned().collect::<Vec<_>>().join(" "),
        code.clone(),
        code[..code.len() - 5].to_owned(),
        code.rsplit('-').next().unwrap().to_owned(),
        "zzqx".into(),
        " -- ".into(),
        "北京".into(),
        "Nguyễn 北京".into(),
        "0".into(),
        "09".into(),
    ];
    for w in &words {
        let folded = search_key(w);
        for n in 1..=folded.len().min(3) {
            queries.push(folded[..n].to_owned());
        }
    }
    for (_, _, _, other, _, _) in rows.iter().step_by(7).take(6) {
        queries.push(other.split_whitespace().last().unwrap().to_owned());
    }

    // Each search alone (its total from the index), and within a queue, a status and a
    // procedure (the found dossiers checked one by one, or the list's index walked,
    // whichever the counts make cheaper): every plan against the same rule.
    let closed = Queue::Closed.statuses();
    let filters: Vec<(String, Keep)> = vec![
        (String::new(), Box::new(|_, _| true)),
        (
            "&queue=closed".into(),
            Box::new(move |status, _| closed.iter().any(|s| s.as_str() == status)),
        ),
        (
            "&status=received".into(),
            Box::new(|status, _| status == "received"),
        ),
        (
            format!("&procedure={procedure}"),
            Box::new(move |_, p| p == procedure),
        ),
    ];
    for q in &queries {
        let matcher = Matcher::new(q);
        for (filter, keep) in &filters {
            let mut expected: Vec<(String, String)> = rows
                .iter()
                .filter(|(_, _, key, _, status, procedure)| {
                    matcher.matches_folded(key) && keep(status, procedure)
                })
                .map(|(code, due, ..)| (due.clone().unwrap_or_else(|| "9999".into()), code.clone()))
                .collect();
            expected.sort();
            let expected: Vec<String> = expected.into_iter().map(|(_, c)| c).collect();
            let list = format!("/dossiers?q={}{filter}", encode(q));
            let (codes, totals) = walk(&p, &token, &list, "code").await;
            assert_eq!(codes, expected, "{list}");
            let n = expected.len() as u64;
            assert!(
                totals.iter().all(|t| *t == n),
                "{list}: totals {totals:?}, want {n}"
            );
        }
    }
}

/// Creates a citizen of office 1 named `name` with the 12-digit `number`; its id.
async fn create_citizen(p: &Portal, token: &str, number: &str, name: &str) -> String {
    let body = json!({
        "id_number": number,
        "full_name": name,
        "date_of_birth": "1990-05-17",
        "gender": "male",
        "phone": "0912 345 678",
        "address": "Số 5 đường Nguyễn Đình Chiểu, Phường An Hội, TP. Bến Tre",
    });
    let res = p
        .post("/citizens")
        .bearer_auth(token)
        .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, v) = status_json(res).await;
    assert_eq!(status, 201, "{v}");
    v["citizen"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn citizens_holding_the_words_whole_come_first_page_after_page() {
    let p = Portal::with(Settings::default(), Seed::Accounts).await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    // Created in this order: the longer names first, so the ranking, not the list's
    // own order, is what puts the exact name ahead.
    let names = [
        ("083090777101", "Nguyễn Văn Anh"),
        ("083090777102", "Nguyễn Văn Ánh Dương"),
        ("083090777103", "Nguyễn Văn An"),
        ("083090777104", "Trần Văn An"),
        ("083090777105", "Nguyễn Văn An"),
        ("083090777106", "Nguyễn Thị An"),
    ];
    let mut ids = Vec::new();
    for (number, name) in names {
        ids.push(create_citizen(&p, &token, number, name).await);
    }
    let (found, totals) = walk(&p, &token, "/citizens?q=nguyen%20van%20an", "id").await;
    // The two Nguyễn Văn An hold all three words whole, in the list's order; then the
    // Anh and the Ánh Dương, which hold two.
    let ours: Vec<&str> = found
        .iter()
        .map(String::as_str)
        .filter(|id| ids.iter().any(|i| i == id))
        .collect();
    assert_eq!(ours, [&ids[2], &ids[4], &ids[0], &ids[1]]);
    let n = found.len() as u64;
    assert!(totals.iter().all(|t| *t == n), "{totals:?}, want {n}");

    // Without accents, in capitals, in another order: the same answer.
    let (again, _) = walk(
        &p,
        &token,
        "/citizens?q=AN%20nguy%E1%BB%85n%20V%C4%83n",
        "id",
    )
    .await;
    assert_eq!(again, found);

    // A cursor from another list is refused, not taken for a position.
    let foreign = motcua::portal::search::cursor("certifications:", "x");
    let (status, body) = status_json(
        p.get(&format!("/citizens?q=an&cursor={foreign}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn the_word_indexes_follow_every_write() {
    let p = Portal::with(Settings::default(), Seed::Demo).await;
    indexes_agree(&p).await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;

    // A new citizen and a dossier for them are found at once by a word of the name.
    let id = create_citizen(&p, &token, "083090777201", "Lưu Quỳnh Hương").await;
    let (status, found) = status_json(
        p.get("/citizens?q=quynh%20huo")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(found["items"][0]["id"], Value::from(id.clone()), "{found}");
    let body = p.submission("1.004873", &id).await;
    let (status, dossier) = p.create_dossier(&token, &body).await;
    assert_eq!(status, 201, "{dossier}");
    let code = dossier["code"].as_str().unwrap().to_owned();
    let (codes, _) = walk(&p, &token, "/dossiers?q=luu%20quynh", "code").await;
    assert_eq!(codes, std::slice::from_ref(&code));
    indexes_agree(&p).await;

    // A key rewritten (as a correction of the name would) is found by its new words only.
    sqlx::query("UPDATE dossiers SET search_key = $1 WHERE code = $2")
        .bind(search_key(&format!("{code} Lưu Quỳnh Hoa")))
        .bind(&code)
        .execute(&p.running.state.db)
        .await
        .unwrap();
    indexes_agree(&p).await;
    assert_eq!(
        walk(&p, &token, "/dossiers?q=luu%20hoa", "code").await.0,
        std::slice::from_ref(&code)
    );
    assert!(
        walk(&p, &token, "/dossiers?q=luu%20huong", "code")
            .await
            .0
            .is_empty()
    );

    // A dossier moved to another office leaves this office's words for that office's.
    let office_two: i64 = sqlx::query_scalar("SELECT id FROM offices WHERE number = 2")
        .fetch_one(&p.running.state.db)
        .await
        .unwrap();
    let move_to = |office: i64| {
        sqlx::query("UPDATE dossiers SET office_id = $1 WHERE code = $2")
            .bind(office)
            .bind(&code)
    };
    let office_one: i64 = sqlx::query_scalar("SELECT office_id FROM dossiers WHERE code = $1")
        .bind(&code)
        .fetch_one(&p.running.state.db)
        .await
        .unwrap();
    move_to(office_two)
        .execute(&p.running.state.db)
        .await
        .unwrap();
    indexes_agree(&p).await;
    let other = p.login("tiepnhan2", DEMO_PASSWORD).await;
    assert!(
        walk(&p, &token, "/dossiers?q=luu%20hoa", "code")
            .await
            .0
            .is_empty()
    );
    assert_eq!(
        walk(&p, &other, "/dossiers?q=luu%20hoa", "code").await.0,
        std::slice::from_ref(&code)
    );
    move_to(office_one)
        .execute(&p.running.state.db)
        .await
        .unwrap();
    indexes_agree(&p).await;

    // A citizen's key rewritten, then the citizen deleted: the index follows both.
    let other_citizen = create_citizen(&p, &token, "083090777202", "Đinh Thị Mây").await;
    sqlx::query("UPDATE citizens SET search_key = $1 WHERE public_id = $2")
        .bind(search_key("Đinh Thị Mai 083090777202"))
        .bind(&other_citizen)
        .execute(&p.running.state.db)
        .await
        .unwrap();
    indexes_agree(&p).await;
    assert_eq!(
        walk(&p, &token, "/citizens?q=dinh%20mai", "id").await.0,
        std::slice::from_ref(&other_citizen)
    );
    assert!(
        walk(&p, &token, "/citizens?q=dinh%20may", "id")
            .await
            .0
            .is_empty()
    );

    // A deleted row leaves the index with it. No route deletes a dossier; the trigger is
    // checked all the same, on one connection with the references to it not enforced.
    let mut conn = p.running.state.db.acquire().await.unwrap();
    // (PostgreSQL checks references by triggers, which a replica session skips.)
    let (off, on) = if common::on_postgres() {
        (
            "SET session_replication_role = replica",
            "SET session_replication_role = DEFAULT",
        )
    } else {
        ("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON")
    };
    for sql in [
        off,
        "DELETE FROM dossiers WHERE code = $1",
        "DELETE FROM users WHERE citizen_id = (SELECT id FROM citizens WHERE public_id = $2)",
        "DELETE FROM citizens WHERE public_id = $2",
        on,
    ] {
        sqlx::query(sql)
            .bind(&code)
            .bind(&other_citizen)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    drop(conn);
    indexes_agree(&p).await;
    assert!(
        walk(&p, &token, "/dossiers?q=luu", "code")
            .await
            .0
            .is_empty()
    );
    assert!(
        walk(&p, &token, "/citizens?q=dinh", "id")
            .await
            .0
            .is_empty()
    );
}

/// A name may hold punctuation and spaces other than ASCII ones (an apostrophe in
/// "H’Hen Niê", a no-break space pasted from a document): the matcher splits words
/// there, and so must the index, for new citizens and for those stored before it.
#[tokio::test]
async fn names_with_punctuation_are_found_by_each_of_their_words() {
    let p = Portal::with(Settings::default(), Seed::Accounts).await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let hhen = create_citizen(&p, &token, "083090777301", "H’Hen Niê").await;
    let nbsp = create_citizen(&p, &token, "083090777302", "Nguyễn\u{a0}Thị–Lan").await;
    for (q, id) in [
        ("hen", &hhen),
        ("h%20nie", &hhen),
        ("lan", &nbsp),
        ("thi", &nbsp),
    ] {
        let (found, _) = walk(&p, &token, &format!("/citizens?q={q}"), "id").await;
        assert!(found.contains(id), "q={q}: {found:?}");
    }

    // A key written the old way (folded text, punctuation kept) is rewritten as words
    // when the database is opened again, and its index entry with it. Only SQLite
    // databases hold such keys: PostgreSQL ones start with this version.
    if common::on_postgres() {
        return;
    }
    sqlx::query("UPDATE citizens SET search_key = $1 WHERE public_id = $2")
        .bind("h’hen nie 083090777301 0912345678")
        .bind(&hhen)
        .execute(&p.running.state.db)
        .await
        .unwrap();
    let hen = || async { walk(&p, &token, "/citizens?q=hen", "id").await.0 };
    assert!(
        !hen().await.contains(&hhen),
        "the old key is one word, h’hen"
    );
    let reopened = motcua::portal::db::open(&p.db_path.clone().into())
        .await
        .unwrap();
    let key: String = sqlx::query_scalar("SELECT search_key FROM citizens WHERE public_id = $1")
        .bind(&hhen)
        .fetch_one(&reopened)
        .await
        .unwrap();
    assert_eq!(key, "h hen nie 083090777301 0912345678");
    reopened.close().await;
    assert!(hen().await.contains(&hhen));
    indexes_agree(&p).await;
}
