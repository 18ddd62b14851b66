//! A property of code leases (issue 19): whatever the interleaving of leases, offline
//! intakes, sends whose answer is lost, releases, desk clients that crash and portal
//! processes that restart, over several officers and processes on one database, no code
//! numbers two dossiers, every offline dossier arrives once with the number printed on
//! its receipt, no ordinary intake gets a leased number, and every number of the day is
//! a dossier's, voided, or still held by the officer who leased it.

mod common;

use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::portal::state::Settings;
use motcua::portal::{Running, Seed};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Đăng ký khai sinh.
const PROCEDURE: &str = "1.001193";

const MORNING: &str = "2026-03-04T08:00:00+07:00";
const CLIENTS: usize = 3;
const PROCESSES: usize = 2;

#[derive(Debug, Clone)]
enum Op {
    Lease {
        client: usize,
        count: i64,
        process: usize,
    },
    /// The desk takes a dossier in with the link down on its next held number.
    TakeOffline {
        client: usize,
    },
    /// An ordinary intake, link up.
    Intake {
        client: usize,
        process: usize,
    },
    /// The first waiting offline dossier is sent; `lost`: the answer never comes back
    /// (the link cut after the portal committed), so it stays waiting.
    Send {
        client: usize,
        process: usize,
        lost: bool,
    },
    /// The desk gives back every number it holds and has not used.
    Release {
        client: usize,
        process: usize,
    },
    /// The desk client is killed and started again: what it had sent is known only from
    /// its saved outbox, what it holds from the portal.
    CrashClient {
        client: usize,
    },
    RestartProcess {
        process: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let client = 0..CLIENTS;
    let process = 0..PROCESSES;
    prop_oneof![
        3 => (client.clone(), 1..8i64, process.clone())
            .prop_map(|(client, count, process)| Op::Lease { client, count, process }),
        4 => client.clone().prop_map(|client| Op::TakeOffline { client }),
        2 => (client.clone(), process.clone()).prop_map(|(client, process)| Op::Intake { client, process }),
        4 => (client.clone(), process.clone(), any::<bool>())
            .prop_map(|(client, process, lost)| Op::Send { client, process, lost }),
        1 => (client.clone(), process.clone()).prop_map(|(client, process)| Op::Release { client, process }),
        1 => client.prop_map(|client| Op::CrashClient { client }),
        1 => process.prop_map(|process| Op::RestartProcess { process }),
    ]
}

/// An offline dossier waiting in a desk's outbox: kept across a crash.
#[derive(Debug, Clone)]
struct Waiting {
    key: String,
    code: String,
    received_at: String,
}

#[derive(Default)]
struct Desk {
    token: String,
    /// What the desk believes it may still number dossiers with (lost in a crash).
    held: Vec<String>,
    /// Each leased code's lease id (lost in a crash, read back).
    lease_of: BTreeMap<String, String>,
    /// Saved to disk: survives a crash.
    outbox: Vec<Waiting>,
    /// Codes printed on receipts offline.
    printed: BTreeSet<String>,
}

struct World {
    portal: Portal,
    processes: Vec<Option<Running>>,
    desks: Vec<Desk>,
    http: reqwest::Client,
    ordinary: BTreeSet<String>,
}

impl World {
    fn url(&self, process: usize, path: &str) -> String {
        let running = self.processes[process].as_ref().expect("a running process");
        format!("http://{}/api/v1{path}", running.addr)
    }

    async fn post(
        &self,
        process: usize,
        path: &str,
        token: &str,
        key: Option<&str>,
        body: &Value,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .post(self.url(process, path))
            .bearer_auth(token)
            .json(body);
        if let Some(key) = key {
            req = req.header("Idempotency-Key", format!("\"{key}\""));
        }
        status_json(req.send().await.unwrap()).await
    }

    /// What the desk holds, as the portal says, less what waits in its outbox.
    async fn read_back(&mut self, client: usize) {
        let res = self
            .http
            .get(self.url(0, "/code-leases"))
            .bearer_auth(&self.desks[client].token)
            .send()
            .await
            .unwrap();
        let (status, leases) = status_json(res).await;
        assert_eq!(status, 200, "{leases}");
        let desk = &mut self.desks[client];
        let waiting: BTreeSet<&str> = desk.outbox.iter().map(|w| w.code.as_str()).collect();
        desk.held.clear();
        desk.lease_of.clear();
        for lease in leases.as_array().unwrap() {
            for code in lease["held"].as_array().unwrap() {
                let code = code.as_str().unwrap();
                desk.lease_of
                    .insert(code.to_owned(), lease["id"].as_str().unwrap().to_owned());
                if !waiting.contains(code) {
                    desk.held.push(code.to_owned());
                }
            }
        }
    }

    async fn apply(&mut self, op: &Op, submission: &Value) {
        match *op {
            Op::Lease {
                client,
                count,
                process,
            } => {
                let key = uuid::Uuid::new_v4().to_string();
                let token = self.desks[client].token.clone();
                let (status, lease) = self
                    .post(
                        process,
                        "/code-leases",
                        &token,
                        Some(&key),
                        &json!({"count": count}),
                    )
                    .await;
                let desk = &mut self.desks[client];
                match status {
                    201 => {
                        for code in lease["codes"].as_array().unwrap() {
                            let code = code.as_str().unwrap().to_owned();
                            desk.lease_of
                                .insert(code.clone(), lease["id"].as_str().unwrap().to_owned());
                            desk.held.push(code);
                        }
                    }
                    409 => assert_eq!(lease["error"]["code"], "lease_limit", "{lease}"),
                    _ => panic!("lease: {status} {lease}"),
                }
            }
            Op::TakeOffline { client } => {
                let at = self.portal.running.state.clock.now().to_rfc3339();
                let desk = &mut self.desks[client];
                if !desk.held.is_empty() {
                    let code = desk.held.remove(0);
                    desk.printed.insert(code.clone());
                    desk.outbox.push(Waiting {
                        key: uuid::Uuid::new_v4().to_string(),
                        code,
                        received_at: at,
                    });
                }
            }
            Op::Intake { client, process } => {
                let key = uuid::Uuid::new_v4().to_string();
                let token = self.desks[client].token.clone();
                let (status, dossier) = self
                    .post(process, "/dossiers", &token, Some(&key), submission)
                    .await;
                assert_eq!(status, 201, "{dossier}");
                assert!(
                    self.ordinary
                        .insert(dossier["code"].as_str().unwrap().to_owned())
                );
            }
            Op::Send {
                client,
                process,
                lost,
            } => {
                let Some(first) = self.desks[client].outbox.first().cloned() else {
                    return;
                };
                let mut body = submission.clone();
                body["code"] = json!(first.code);
                body["received_at"] = json!(first.received_at);
                let token = self.desks[client].token.clone();
                let (status, dossier) = self
                    .post(process, "/dossiers", &token, Some(&first.key), &body)
                    .await;
                assert_eq!(status, 201, "{} {dossier}", first.code);
                assert_eq!(dossier["code"], first.code.as_str());
                if !lost {
                    self.desks[client].outbox.remove(0);
                }
            }
            Op::Release { client, process } => {
                let desk = &self.desks[client];
                let mut by_lease: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for code in &desk.held {
                    by_lease
                        .entry(desk.lease_of[code].clone())
                        .or_default()
                        .push(code.clone());
                }
                let token = desk.token.clone();
                for (id, unused) in by_lease {
                    let (status, after) = self
                        .post(
                            process,
                            &format!("/code-leases/{id}/release"),
                            &token,
                            None,
                            &json!({"unused": unused, "reason": "Hết ca, không dùng"}),
                        )
                        .await;
                    assert_eq!(status, 200, "{after}");
                }
                self.desks[client].held.clear();
            }
            Op::CrashClient { client } => self.read_back(client).await,
            Op::RestartProcess { process } => {
                if let Some(running) = self.processes[process].take() {
                    running.shutdown().await.unwrap();
                }
                self.processes[process] = Some(self.portal.beside(Settings::default()).await);
            }
        }
    }
}

async fn run(ops: Vec<Op>) {
    let portal = Portal::at(MORNING, Settings::default(), Seed::Demo).await;
    for n in 1..CLIENTS {
        sqlx::query(
            "INSERT INTO users (username, full_name, role, office_id, password_hash, active, \
             created_at) SELECT $1, 'Cán bộ tiếp nhận', role, office_id, password_hash, 1, \
             created_at FROM users WHERE username = 'tiepnhan1'",
        )
        .bind(format!("tiepnhan1_{n}"))
        .execute(&portal.running.state.db)
        .await
        .unwrap();
    }
    let mut desks = Vec::new();
    for n in 0..CLIENTS {
        let name = if n == 0 {
            "tiepnhan1".to_owned()
        } else {
            format!("tiepnhan1_{n}")
        };
        desks.push(Desk {
            token: portal.login(&name, DEMO_PASSWORD).await,
            ..Desk::default()
        });
    }
    let mut processes = Vec::new();
    for _ in 0..PROCESSES {
        processes.push(Some(portal.beside(Settings::default()).await));
    }
    let (citizen, _) = portal.citizen_of(1).await;
    let submission = portal.submission(PROCEDURE, &citizen).await;
    let mut world = World {
        portal,
        processes,
        desks,
        http: reqwest::Client::new(),
        ordinary: BTreeSet::new(),
    };
    for op in &ops {
        world.apply(op, &submission).await;
    }
    // The link returns for good: every desk sends what waits.
    for client in 0..CLIENTS {
        while !world.desks[client].outbox.is_empty() {
            world
                .apply(
                    &Op::Send {
                        client,
                        process: client % PROCESSES,
                        lost: false,
                    },
                    &submission,
                )
                .await;
        }
    }

    let db = &world.portal.running.state.db;
    let day_codes: Vec<String> = sqlx::query_scalar(
        "SELECT d.code FROM dossiers d JOIN offices o ON o.id = d.office_id \
         WHERE o.number = 1 AND d.code LIKE '%-260304-%'",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let unique: BTreeSet<&String> = day_codes.iter().collect();
    assert_eq!(unique.len(), day_codes.len(), "a code numbers two dossiers");

    // Every offline receipt's number is a dossier's now, and one the desk had leased.
    let leases: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "SELECT l.first, l.count, l.user_id, u.username FROM code_leases l \
         JOIN users u ON u.id = l.user_id WHERE l.day = '2026-03-04'",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let seq = |code: &str| -> i64 { code.rsplit('-').next().unwrap().parse().unwrap() };
    let leased_to = |n: i64| {
        leases
            .iter()
            .find(|(first, count, ..)| n >= *first && n < first + count)
    };
    for (client, desk) in world.desks.iter().enumerate() {
        let name = if client == 0 {
            "tiepnhan1".to_owned()
        } else {
            format!("tiepnhan1_{client}")
        };
        for code in &desk.printed {
            assert!(unique.contains(code), "receipt {code} never arrived");
            let lease = leased_to(seq(code)).unwrap_or_else(|| panic!("{code} was never leased"));
            assert_eq!(
                lease.3, name,
                "{code} printed by a desk that did not lease it"
            );
        }
    }
    let printed: usize = world.desks.iter().map(|d| d.printed.len()).sum();
    let arrived: i64 = world.portal.audit_count("offline_intake_arrived").await;
    assert_eq!(
        arrived as usize, printed,
        "each offline dossier arrives once"
    );
    for code in &world.ordinary {
        assert!(
            leased_to(seq(code)).is_none(),
            "an ordinary intake got leased {code}"
        );
    }

    // Every number of the day up to the counter: a dossier's, or a lease's (and then
    // exactly one of used, voided, held).
    let last: i64 = sqlx::query_scalar(
        "SELECT c.last FROM dossier_counters c JOIN offices o ON o.id = c.office_id \
         WHERE o.number = 1 AND c.day = '2026-03-04'",
    )
    .fetch_optional(db)
    .await
    .unwrap()
    .unwrap_or(0);
    let used: BTreeSet<i64> = day_codes.iter().map(|c| seq(c)).collect();
    let voided: BTreeSet<i64> = sqlx::query_scalar::<_, String>("SELECT code FROM code_voids")
        .fetch_all(db)
        .await
        .unwrap()
        .iter()
        .map(|c| seq(c))
        .collect();
    for n in 1..=last {
        match leased_to(n) {
            None => assert!(
                used.contains(&n),
                "number {n} of the day is unaccounted for"
            ),
            Some(_) => assert!(
                !(used.contains(&n) && voided.contains(&n)),
                "number {n} is both used and voided"
            ),
        }
    }
    assert!(
        used.iter().all(|n| *n <= last),
        "a code past the day's counter"
    );
    for running in world.processes.into_iter().flatten() {
        running.shutdown().await.unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn leased_codes_are_never_given_twice_nor_lost(ops in proptest::collection::vec(op(), 5..40)) {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(run(ops));
    }
}
