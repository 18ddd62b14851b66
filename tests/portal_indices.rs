//! The indices month by month (`GET /stats?months=N`): each month counts what happened
//! in it by the local date (+07:00), the current month to date, the satisfaction index
//! from the ratings; the bounds on `months`. The portal's clock is moved by the test
//! across three months, never waited for.

mod common;

use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::clock::parse_instant;
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::{Value, json};

struct Office {
    p: Portal,
    desk: String,
    specialist: String,
    leader: String,
    citizen: String,
}

impl Office {
    async fn start(now: &str) -> Office {
        let p = Portal::at(now, Settings::default(), Seed::Accounts).await;
        let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
        let specialist = p.login("chuyenvien1", DEMO_PASSWORD).await;
        let leader = p.login("lanhdao1", DEMO_PASSWORD).await;
        let (citizen, _) = p.citizen_of(1).await;
        Office {
            p,
            desk,
            specialist,
            leader,
            citizen,
        }
    }

    /// Moves the portal's clock; the sessions of before have expired meanwhile, so the
    /// staff log in again.
    async fn set_clock(&mut self, at: &str) {
        self.p.running.state.clock.set(parse_instant(at).unwrap());
        self.desk = self.p.login("tiepnhan1", DEMO_PASSWORD).await;
        self.specialist = self.p.login("chuyenvien1", DEMO_PASSWORD).await;
        self.leader = self.p.login("lanhdao1", DEMO_PASSWORD).await;
    }

    /// A free certificate taken in at the desk now; its code.
    async fn take_in(&self) -> String {
        let body = self.p.submission("1.004873", &self.citizen).await;
        let (s, d) = self.p.create_dossier(&self.desk, &body).await;
        assert_eq!(s, 201, "{d}");
        d["code"].as_str().unwrap().to_owned()
    }

    /// Taken in, processed, approved and returned now, then rated at the desk.
    async fn returned_and_rated(&self, level: &str) -> String {
        let code = self.take_in().await;
        let steps = [
            (
                &self.desk,
                json!({"action": "forward", "assignee": "chuyenvien1"}),
            ),
            (
                &self.specialist,
                json!({"action": "propose_result", "result": "approved", "summary": "Đủ"}),
            ),
            (&self.leader, json!({"action": "approve"})),
            (
                &self.desk,
                json!({"action": "return_result", "delivery": "in_person",
                       "handover": common::authorized_receiver("Lê Thị Cúc")}),
            ),
        ];
        let mut version = 1;
        for (token, body) in steps {
            let (s, d) = self.p.act(token, &code, version, body).await;
            assert_eq!(s, 200, "{d}");
            version = d["version"].as_i64().unwrap();
        }
        let (s, r) = status_json(
            self.p
                .post(&format!("/dossiers/{code}/rating"))
                .bearer_auth(&self.desk)
                .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
                .json(&json!({"level": level}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 201, "{r}");
        code
    }

    async fn stats(&self, token: &str, query: &str) -> (u16, Value) {
        status_json(
            self.p
                .get(&format!("/stats{query}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

fn ratio(n: u64, d: u64) -> Value {
    json!({"numerator": n, "denominator": d})
}

#[tokio::test]
async fn each_month_counts_its_own_steps_by_the_local_date() {
    // September: one returned on time and rated unsatisfied.
    let mut o = Office::start("2026-09-15T09:00:00+07:00").await;
    o.returned_and_rated("unsatisfied").await;
    // 1 October 06:30 in Vietnam is still 30 September in UTC: October's.
    o.set_clock("2026-10-01T06:30:00+07:00").await;
    o.returned_and_rated("very_satisfied").await;
    o.set_clock("2026-10-20T10:00:00+07:00").await;
    o.returned_and_rated("satisfied").await;
    // November to date: one taken in, nothing rated.
    o.set_clock("2026-11-04T09:00:00+07:00").await;
    o.take_in().await;

    let (s, stats) = o.stats(&o.desk, "?months=4").await;
    assert_eq!(s, 200, "{stats}");
    let months = stats["months"].as_array().unwrap();
    let names: Vec<&str> = months
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["2026-08", "2026-09", "2026-10", "2026-11"]);

    let index = |m: usize, name: &str| months[m]["indices"][name].clone();
    // August: nothing at all, 0/0 everywhere (not 0 %).
    for name in [
        "on_time",
        "online_submission",
        "online_payment",
        "digitization",
        "satisfaction",
    ] {
        assert_eq!(index(0, name), ratio(0, 0), "August {name}");
    }
    // Received at the desk: none online.
    assert_eq!(index(1, "online_submission"), ratio(0, 1));
    assert_eq!(index(2, "online_submission"), ratio(0, 2));
    assert_eq!(index(3, "online_submission"), ratio(0, 1));
    // Returned the day they were received: on time.
    assert_eq!(index(1, "on_time"), ratio(1, 1));
    assert_eq!(index(2, "on_time"), ratio(2, 2));
    assert_eq!(index(3, "on_time"), ratio(0, 0));
    // Satisfaction from the ratings: unsatisfied in September; very satisfied and
    // satisfied in October.
    assert_eq!(index(1, "satisfaction"), ratio(0, 1));
    assert_eq!(index(2, "satisfaction"), ratio(2, 2));
    assert_eq!(index(3, "satisfaction"), ratio(0, 0));
    assert_eq!(
        months[1]["ratings"],
        json!({"very_satisfied": 0, "satisfied": 0, "unsatisfied": 1})
    );
    assert_eq!(
        months[2]["ratings"],
        json!({"very_satisfied": 1, "satisfied": 1, "unsatisfied": 0})
    );

    // The period (the month to date) agrees with the last month.
    assert_eq!(stats["indices"], months[3]["indices"]);
    assert_eq!(stats["ratings"], months[3]["ratings"]);
    // October as a period: the same as October's month.
    let (_, october) = o
        .stats(&o.desk, "?from=2026-10-01&to=2026-10-31&months=1")
        .await;
    assert_eq!(october["indices"], months[2]["indices"]);
    assert_eq!(october["ratings"], months[2]["ratings"]);
    assert_eq!(
        october["months"][0]["month"], "2026-11",
        "months end with the current month, whatever the period"
    );

    // Another office counts its own: its months are there, empty.
    let other = o.p.login("tiepnhan2", DEMO_PASSWORD).await;
    let (_, theirs) = o.stats(&other, "?months=4").await;
    for m in theirs["months"].as_array().unwrap() {
        assert_eq!(m["indices"]["satisfaction"], ratio(0, 0), "{m}");
        assert_eq!(m["indices"]["online_submission"], ratio(0, 0), "{m}");
    }
}

#[tokio::test]
async fn months_are_given_only_when_asked_and_within_bounds() {
    let o = Office::start("2026-03-04T09:00:00+07:00").await;
    let (s, plain) = o.stats(&o.desk, "").await;
    assert_eq!(s, 200, "{plain}");
    assert_eq!(plain["months"], json!([]));

    // Twenty-four months end in this one and begin in April two years back.
    let (s, most) = o.stats(&o.desk, "?months=24").await;
    assert_eq!(s, 200, "{most}");
    let months = most["months"].as_array().unwrap();
    assert_eq!(months.len(), 24);
    assert_eq!(months[0]["month"], "2024-04");
    assert_eq!(months[23]["month"], "2026-03");

    for bad in ["0", "25", "1000"] {
        let (s, err) = o.stats(&o.desk, &format!("?months={bad}")).await;
        assert_eq!(s, 422, "months={bad}: {err}");
        assert!(err["error"]["fields"]["months"].is_string(), "{err}");
    }
    // Not a number at all: the query is malformed.
    let (s, err) = o.stats(&o.desk, "?months=many").await;
    assert_eq!(s, 400, "{err}");

    // Staff only, as the rest of the stats.
    let anonymous = status_json(o.p.get("/stats?months=3").send().await.unwrap()).await;
    assert_eq!(anonymous.0, 401, "{}", anonymous.1);
}
