//! Writes go through the outbox (`crate::client::outbox`): queued on disk with their key,
//! then sent by a background task that retries on a bad link. The screen that asked for
//! a write still hears of it as before (`Acted`, `DossierCreated`, …) when it goes through
//! at once; if the link is down it hears `Queued` and can move on, and the write goes
//! later by itself (`SentLater`). After a crash or a restart, what was queued goes on.

use crate::client::PortalClient;
use crate::client::outbox::{self, Outbox, Report, Sent, Verdict, Write};
use crate::domain::Lang;
use crate::tui::action::{Action, DeadLetter};
use crate::tui::state::{Failure, RequestId};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

/// Who waits for a write's answer, and how it wants to hear it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiter {
    Act(RequestId),
    Create(RequestId),
    Cash(RequestId),
    Citizen(RequestId),
}

impl Waiter {
    fn id(self) -> RequestId {
        match self {
            Waiter::Act(id) | Waiter::Create(id) | Waiter::Cash(id) | Waiter::Citizen(id) => id,
        }
    }

    fn failed(self, f: Failure) -> Action {
        match self {
            Waiter::Act(id) => Action::Acted(id, Err(f)),
            Waiter::Create(id) => Action::DossierCreated(id, Err(f)),
            Waiter::Cash(id) => Action::PaidCash(id, Err(f)),
            Waiter::Citizen(id) => Action::CitizenCreated(id, Err(f)),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub struct Sending {
    /// Whose outbox it is: (profile, username).
    pub owner: (String, String),
    outbox: Arc<Mutex<Outbox>>,
    client: Arc<Mutex<Option<PortalClient>>>,
    waiters: Arc<Mutex<HashMap<u64, Waiter>>>,
    wake: Arc<Notify>,
    task: AbortHandle,
}

impl Drop for Sending {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Sending {
    /// Opens the outbox in `dir` and starts sending what it holds.
    pub fn start(
        dir: &Path,
        owner: (String, String),
        client: PortalClient,
        tx: UnboundedSender<Action>,
        lang: Lang,
    ) -> std::io::Result<Sending> {
        let outbox = Arc::new(Mutex::new(Outbox::open(dir)?));
        let client = Arc::new(Mutex::new(Some(client)));
        let waiters: Arc<Mutex<HashMap<u64, Waiter>>> = Arc::default();
        let wake = Arc::new(Notify::new());
        let task = tokio::spawn(run(
            outbox.clone(),
            client.clone(),
            waiters.clone(),
            wake.clone(),
            tx,
            lang,
        ))
        .abort_handle();
        Ok(Sending {
            owner,
            outbox,
            client,
            waiters,
            wake,
            task,
        })
    }

    /// Queues a write (on disk before this returns) and wakes the sender.
    pub fn send(
        &self,
        write: Write,
        label: String,
        key: Option<String>,
        waiter: Option<Waiter>,
    ) -> std::io::Result<()> {
        let entry = {
            let mut o = lock(&self.outbox);
            match key {
                Some(key) => o.push_with_key(write, label, key)?,
                None => o.push(write, label)?,
            }
        };
        if let Some(w) = waiter {
            lock(&self.waiters).insert(entry.id, w);
        }
        self.wake.notify_one();
        Ok(())
    }

    /// A new session (logged in again): the queue goes on with its client.
    pub fn resume(&self, client: PortalClient) {
        *lock(&self.client) = Some(client);
        lock(&self.outbox).paused = false;
        self.wake.notify_one();
    }

    pub fn retry(&self, id: u64) {
        let _ = lock(&self.outbox).revive(id);
        self.wake.notify_one();
    }

    pub fn discard(&self, id: u64) {
        let _ = lock(&self.outbox).discard(id);
        self.wake.notify_one();
    }
}

async fn run(
    outbox: Arc<Mutex<Outbox>>,
    client: Arc<Mutex<Option<PortalClient>>>,
    waiters: Arc<Mutex<HashMap<u64, Waiter>>>,
    wake: Arc<Notify>,
    tx: UnboundedSender<Action>,
    lang: Lang,
) {
    loop {
        let current = lock(&client).clone();
        if let Some(c) = current {
            let report = |r: Report| {
                if let Some(action) = answer(&outbox, &waiters, r, lang) {
                    let _ = tx.send(action);
                }
                let _ = tx.send(count(&outbox));
            };
            if outbox::drain(&c, &outbox, 2, lang, report).await.is_err() {
                // The disk refused the journal: say so and wait for the next write.
                let _ = tx.send(Action::SendFailed {
                    label: String::new(),
                    message: "outbox".into(),
                });
            }
        }
        let _ = tx.send(count(&outbox));
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
}

fn count(outbox: &Mutex<Outbox>) -> Action {
    let o = lock(outbox);
    let now = outbox::now_ms();
    Action::OutboxCount {
        queued: o.queued(),
        dead: o
            .dead()
            .into_iter()
            .map(|e| DeadLetter {
                id: e.id,
                label: e.label.clone(),
                message: match &e.state {
                    outbox::State::Dead { message, .. } => message.clone(),
                    outbox::State::Queued => String::new(),
                },
            })
            .collect(),
        retry_in: o
            .next_due_ms()
            .filter(|due| *due > now)
            .map(|due| ((due - now) / 1000) as u32),
    }
}

/// What the screen hears of one report.
fn answer(
    outbox: &Mutex<Outbox>,
    waiters: &Mutex<HashMap<u64, Waiter>>,
    report: Report,
    lang: Lang,
) -> Option<Action> {
    match report {
        Report::Sent(entry, sent) => {
            let waiter = lock(waiters).remove(&entry.id);
            Some(match (waiter, sent) {
                (Some(Waiter::Act(id)), Sent::Acted(d)) => Action::Acted(id, Ok(*d)),
                (Some(Waiter::Create(id)), Sent::CreatedDossier(d)) => {
                    Action::DossierCreated(id, Ok(*d))
                }
                (Some(Waiter::Cash(id)), Sent::Paid(p)) => Action::PaidCash(id, Ok(*p)),
                (Some(Waiter::Citizen(id)), Sent::CreatedCitizen(c)) => {
                    Action::CitizenCreated(id, Ok(*c))
                }
                (_, sent) => Action::SentLater {
                    key: entry.key.clone(),
                    sent: Box::new(sent),
                },
            })
        }
        Report::Failed(entry, error, verdict) => {
            let waiter = lock(waiters).remove(&entry.id);
            match (waiter, verdict) {
                (Some(w), Verdict::Dead(..)) => {
                    // The officer reads it on the screen that asked: not a dead letter.
                    let _ = lock(outbox).discard(entry.id);
                    Some(w.failed(crate::tui::runtime::failure(*error, lang)))
                }
                (Some(w), Verdict::Pause) => {
                    Some(w.failed(crate::tui::runtime::failure(*error, lang)))
                }
                (Some(w), Verdict::Retry(_)) => Some(Action::Queued(w.id())),
                (None, Verdict::Dead(_, message)) => Some(Action::SendFailed {
                    label: entry.label.clone(),
                    message,
                }),
                (None, _) => None,
            }
        }
    }
}
