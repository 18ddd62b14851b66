//! Every row of the transition table over HTTP: for a demo dossier in each status, every
//! action by every staff role is answered as the domain's rules predict — refused with
//! the rule's code and nothing changed, or applied with the table's target status.

mod common;

use chrono::{DateTime, TimeDelta};
use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::domain::RuleError;
use motcua::domain::calendar::Calendar;
use motcua::domain::status::Status;
use motcua::domain::workflow::{Action, DossierFacts, Role, permit};
use motcua::portal::Seed;
use serde_json::{Value, json};

/// What an action needs, filled in so that only the table and the time rules decide.
fn full_input(action: Action, dossier: &Value) -> Value {
    let later = dossier["due_at"]
        .as_str()
        .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
        .map(|d| (d + TimeDelta::days(10)).to_rfc3339());
    json!({
        "action": action.as_str(),
        "reason": "Lý do kiểm thử",
        "missing_documents": ["Giấy tờ cần bổ sung"],
        "assignee": "chuyenvien1",
        "amount": 20000,
        "result": "approved",
        "summary": "Kết quả kiểm thử",
        "new_due_at": later,
        "delivery": "in_person",
        "recipient": "Người nhận",
        "handover": common::authorized_receiver("Người nhận")
    })
}

fn facts(d: &Value) -> DossierFacts {
    let time = |k: &str| {
        d[k].as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
    };
    DossierFacts {
        status: serde_json::from_value(d["status"].clone()).unwrap(),
        received_at: time("received_at"),
        due_at: time("due_at"),
        extensions: d["extensions"].as_u64().unwrap() as u32,
        fee_settled: d["fee"]["status"] != "unpaid",
    }
}

#[tokio::test]
async fn every_action_by_every_role_in_every_status() {
    let p = Portal::with(Default::default(), Seed::Demo).await;
    let calendar = Calendar::default();
    let roles = [
        (Role::Reception, "tiepnhan1"),
        (Role::Specialist, "chuyenvien1"),
        (Role::Leader, "lanhdao1"),
        (Role::Admin, "quantri1"),
    ];
    let mut tokens = Vec::new();
    for (role, user) in roles {
        tokens.push((role, p.login(user, DEMO_PASSWORD).await));
    }
    let desk = &tokens[0].1;
    let (mut applied, mut refused) = (0, 0);
    for status in Status::ALL {
        // Every dossier of office 1 in this status: one is used per applied action.
        let res = p
            .get(&format!("/dossiers?status={}&limit=500", status.as_str()))
            .bearer_auth(desk)
            .send()
            .await
            .unwrap();
        let (_, page) = status_json(res).await;
        let mut codes: Vec<String> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap().to_owned())
            .collect();
        assert!(!codes.is_empty(), "no {status} dossier in office 1");
        for action in Action::ALL {
            for (role, token) in &tokens {
                let Some(code) = codes.last().cloned() else {
                    break;
                };
                let res = p
                    .get(&format!("/dossiers/{code}"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap();
                let (_, dossier) = status_json(res).await;
                let now = p.running.state.clock.now();
                let expected = permit(action, *role, &facts(&dossier), now, &calendar);
                let version = dossier["version"].as_i64().unwrap();
                let (s, answer) = p
                    .act(token, &code, version, full_input(action, &dossier))
                    .await;
                match expected {
                    Ok(row) => {
                        assert_eq!(s, 200, "{action:?} by {role:?} on {status:?}: {answer}");
                        let to = row.target(status);
                        assert_eq!(answer["status"], to.as_str(), "{action:?} by {role:?}");
                        assert_eq!(answer["version"], version + 1);
                        applied += 1;
                        // That dossier has moved on: use another for what follows.
                        codes.pop();
                    }
                    Err(refusal) => {
                        assert_eq!(s, 422, "{action:?} by {role:?} on {status:?}: {answer}");
                        assert_eq!(
                            answer["error"]["code"],
                            refusal.code(),
                            "{action:?} by {role:?} on {status:?}"
                        );
                        let res = p
                            .get(&format!("/dossiers/{code}"))
                            .bearer_auth(token)
                            .send()
                            .await
                            .unwrap();
                        let (_, after) = status_json(res).await;
                        assert_eq!(after["version"], version, "a refusal changes nothing");
                        refused += 1;
                    }
                }
            }
        }
    }
    eprintln!("transition table over HTTP: {applied} applied, {refused} refused");
    assert!(applied >= 15, "only {applied} actions applied");
    // A citizen has no staff actions at all.
    let number: String = sqlx::query_scalar("SELECT id_number FROM citizens LIMIT 1")
        .fetch_one(&p.running.state.db)
        .await
        .unwrap();
    let citizen = p.login(&number, DEMO_PASSWORD).await;
    let (s, _) = p
        .act(
            &citizen,
            "000.01.27.H07-000101-0001",
            1,
            json!({"action": "withdraw", "reason": "x"}),
        )
        .await;
    assert_eq!(s, 403);
}
