//! Writes go through the outbox (`crate::client::outbox`): queued on disk with their key,
//! then sent by a background task that retries on a bad link. The screen that asked for
//! a write still hears of it as before (`Acted`, `DossierCreated`, …) when it goes through
//! at once; if the link is down it hears `Queued` and can move on, and the write goes
//! later by itself (`SentLater`). After a crash or a restart, what was queued goes on.
//!
//! Nothing here touches the disk on the caller's thread (the UI's): the executor hands
//! each request to a writer task, which opens the outbox and appends to its journal on
//! the blocking pool. When the disk refuses (full, read-only), the write goes straight to
//! the portal instead, and the officer hears once what failed and what to do.

use crate::client::PortalClient;
use crate::client::outbox::{self, Entry, Outbox, Report, Sent, Verdict, Write};
use crate::domain::Lang;
use crate::tui::action::{Action, DeadLetter, DiskProblem};
use crate::tui::state::{Failure, RequestId};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::{Notify, watch};
use tokio::task::{AbortHandle, JoinHandle};

/// Who waits for a write's answer, and how it wants to hear it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiter {
    Act(RequestId),
    /// A document part digitized (issue 16): answered as `Action::Digitized`.
    Digitize(RequestId),
    Create(RequestId),
    Cash(RequestId),
    Citizen(RequestId),
    Rate(RequestId),
    /// A certification (issue 21): answered as `Action::Certified`.
    Certify(RequestId),
}

impl Waiter {
    fn id(self) -> RequestId {
        match self {
            Waiter::Act(id)
            | Waiter::Digitize(id)
            | Waiter::Create(id)
            | Waiter::Cash(id)
            | Waiter::Citizen(id)
            | Waiter::Rate(id)
            | Waiter::Certify(id) => id,
        }
    }

    fn failed(self, f: Failure) -> Action {
        match self {
            Waiter::Act(id) => Action::Acted(id, Err(f)),
            Waiter::Digitize(id) => Action::Digitized(id, Err(f)),
            Waiter::Create(id) => Action::DossierCreated(id, Err(f)),
            Waiter::Cash(id) => Action::PaidCash(id, Err(f)),
            Waiter::Citizen(id) => Action::CitizenCreated(id, Err(f)),
            Waiter::Rate(id) => Action::Rated(id, Err(f)),
            Waiter::Certify(id) => Action::Certified(id, Err(f)),
        }
    }

    /// The answer the screen waits for, when the write went through; `None` when what
    /// came back is not what this waiter asked for.
    fn succeeded(self, sent: Sent) -> Result<Action, Sent> {
        Ok(match (self, sent) {
            (Waiter::Act(id), Sent::Acted(d)) => Action::Acted(id, Ok(*d)),
            (Waiter::Digitize(id), Sent::Acted(d)) => Action::Digitized(id, Ok(*d)),
            (Waiter::Create(id), Sent::CreatedDossier(d)) => Action::DossierCreated(id, Ok(*d)),
            (Waiter::Cash(id), Sent::Paid(p)) => Action::PaidCash(id, Ok(*p)),
            (Waiter::Citizen(id), Sent::CreatedCitizen(c)) => Action::CitizenCreated(id, Ok(*c)),
            (Waiter::Rate(id), Sent::Rated { rating, .. }) => Action::Rated(id, Ok(*rating)),
            (Waiter::Certify(id), Sent::Certified(c)) => Action::Certified(id, Ok(*c)),
            (_, sent) => return Err(sent),
        })
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What the executor asks of the outbox; carried out in order by the writer task.
enum Command {
    Send {
        write: Box<Write>,
        label: String,
        key: Option<String>,
        waiter: Option<Waiter>,
    },
    /// A new session (logged in again): the queue goes on with its client.
    Resume(PortalClient),
    Retry(u64),
    Discard(u64),
    /// The link is back: what waits out a back-off goes now.
    Now,
}

/// What the writer and the sender share.
struct Shared {
    dir: PathBuf,
    /// Set once the outbox is open (the writer opens it, off the UI thread).
    outbox: Mutex<Option<Arc<Mutex<Outbox>>>>,
    client: Mutex<Option<PortalClient>>,
    waiters: Mutex<HashMap<u64, Waiter>>,
    wake: Notify,
    tx: UnboundedSender<Action>,
    lang: watch::Receiver<Lang>,
    /// The officer has heard that the disk refuses; not again until it takes a write.
    disk_failed: AtomicBool,
    /// Counts the logins of this outbox's session: a drain still running with the client
    /// of the session before may be refused (401) after the new login unpaused the queue,
    /// and that refusal must not pause the new session's queue.
    logins: std::sync::atomic::AtomicU64,
}

impl Shared {
    fn lang(&self) -> Lang {
        *self.lang.borrow()
    }

    fn outbox(&self) -> Option<Arc<Mutex<Outbox>>> {
        lock(&self.outbox).clone()
    }

    fn tell(&self, action: Action) {
        let _ = self.tx.send(action);
    }

    /// The disk refused: say so once, plainly.
    fn disk_refused(&self, e: &std::io::Error) {
        tracing::warn!("outbox {}: {e}", self.dir.display());
        if !self.disk_failed.swap(true, Ordering::SeqCst) {
            self.tell(Action::OutboxDiskFailed {
                path: self.dir.clone(),
                problem: DiskProblem::of(e),
            });
        }
    }

    fn disk_took_a_write(&self) {
        self.disk_failed.store(false, Ordering::SeqCst);
    }
}

pub struct Sending {
    /// Whose outbox it is: (profile, username).
    pub owner: (String, String),
    commands: UnboundedSender<Command>,
    lang: watch::Sender<Lang>,
    sender: AbortHandle,
    /// The writer task, which outlives the session until it has put on disk what it
    /// was handed: the next session's writer waits for it (see [`Sending::stop`]).
    writer: Option<JoinHandle<()>>,
}

impl Drop for Sending {
    /// The session is over: nothing more is sent. The writer is not stopped: it puts on
    /// disk what it was handed before (its channel then closes and it ends), so a write
    /// made just before a logout waits for this user's next session instead of being lost.
    fn drop(&mut self) {
        self.sender.abort();
    }
}

impl Sending {
    /// Starts the outbox in `dir` for `owner`: the writer opens it (on the blocking pool)
    /// and the sender sends what it holds. Returns at once; nothing waits for the disk.
    /// `after`: the writer of the session before ([`Sending::stop`]), which the new
    /// writer lets finish before it opens the outbox — opening compacts the journal, and
    /// an append of the old writer between its read and its rename would be lost.
    pub fn start(
        dir: &Path,
        owner: (String, String),
        client: PortalClient,
        tx: UnboundedSender<Action>,
        lang: Lang,
        after: Option<JoinHandle<()>>,
    ) -> Sending {
        let (lang_tx, lang_rx) = watch::channel(lang);
        let shared = Arc::new(Shared {
            dir: dir.to_owned(),
            outbox: Mutex::new(None),
            client: Mutex::new(Some(client)),
            waiters: Mutex::default(),
            wake: Notify::new(),
            tx,
            lang: lang_rx,
            disk_failed: AtomicBool::new(false),
            logins: std::sync::atomic::AtomicU64::new(0),
        });
        let (commands, inbox) = unbounded_channel();
        let shared_for_sender = shared.clone();
        let writer = tokio::spawn(async move {
            if let Some(before) = after {
                let _ = before.await;
            }
            write_loop(shared.clone(), inbox).await;
        });
        let sender = tokio::spawn(send_loop(shared_for_sender)).abort_handle();
        Sending {
            owner,
            commands,
            lang: lang_tx,
            sender,
            writer: Some(writer),
        }
    }

    /// Ends the session's sending and hands back its writer, still finishing what it
    /// was given, for the next session to wait on.
    pub fn stop(mut self) -> Option<JoinHandle<()>> {
        self.writer.take()
    }

    /// Queues a write; the writer puts it on disk and wakes the sender. If the disk
    /// refuses, the write is sent at once instead and `waiter` hears as usual.
    pub fn send(&self, write: Write, label: String, key: Option<String>, waiter: Option<Waiter>) {
        let _ = self.commands.send(Command::Send {
            write: Box::new(write),
            label,
            key,
            waiter,
        });
    }

    /// A new session (logged in again): the queue goes on with its client.
    pub fn resume(&self, client: PortalClient) {
        let _ = self.commands.send(Command::Resume(client));
    }

    pub fn retry(&self, id: u64) {
        let _ = self.commands.send(Command::Retry(id));
    }

    pub fn discard(&self, id: u64) {
        let _ = self.commands.send(Command::Discard(id));
    }

    /// The link is back: what waits out a back-off goes now.
    pub fn send_now(&self) {
        let _ = self.commands.send(Command::Now);
    }

    /// The language of what the outbox says from now on (the profile's, at login).
    pub fn set_lang(&self, lang: Lang) {
        self.lang.send_replace(lang);
    }
}

/// Runs `work` on the blocking pool and waits for it.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(t) => t,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// The outbox, opened when it is not yet (again at each request after the disk refused,
/// so that it is used again once the disk takes writes).
async fn open(shared: &Arc<Shared>) -> Option<Arc<Mutex<Outbox>>> {
    if let Some(o) = shared.outbox() {
        return Some(o);
    }
    let dir = shared.dir.clone();
    match blocking(move || Outbox::open(&dir)).await {
        Ok(o) => {
            if o.set_aside > 0 {
                shared.tell(Action::OutboxSetAside {
                    n: o.set_aside,
                    path: shared.dir.join("outbox.unreadable.jsonl"),
                });
            }
            let o = Arc::new(Mutex::new(o));
            *lock(&shared.outbox) = Some(o.clone());
            shared.disk_took_a_write();
            shared.wake.notify_one();
            Some(o)
        }
        Err(e) => {
            shared.disk_refused(&e);
            None
        }
    }
}

/// Carries out the executor's requests in order, the disk's part on the blocking pool.
async fn write_loop(shared: Arc<Shared>, mut commands: UnboundedReceiver<Command>) {
    open(&shared).await;
    while let Some(command) = commands.recv().await {
        let outbox = open(&shared).await;
        match command {
            Command::Send {
                write,
                label,
                key,
                waiter,
            } => {
                let queued = match outbox {
                    Some(o) => queue(&shared, o, write, label, key, waiter).await,
                    None => Err((write, key)),
                };
                if let Err((write, key)) = queued {
                    tokio::spawn(send_directly(shared.clone(), write, key, waiter));
                }
            }
            Command::Resume(client) => {
                *lock(&shared.client) = Some(client);
                shared.logins.fetch_add(1, Ordering::SeqCst);
                if let Some(o) = outbox {
                    // The lock may be held through a journal's fsync: wait for it off the
                    // async threads. Logged in again: nothing waits out a back-off.
                    blocking(move || {
                        let mut o = lock(&o);
                        o.paused = false;
                        o.due_now();
                    })
                    .await;
                }
            }
            Command::Now => {
                if let Some(o) = outbox {
                    blocking(move || lock(&o).due_now()).await;
                }
            }
            Command::Retry(id) => {
                if let Some(o) = outbox {
                    journal(&shared, o, move |o| o.send_again(id)).await;
                }
            }
            Command::Discard(id) => {
                if let Some(o) = outbox {
                    journal(&shared, o, move |o| o.discard(id)).await;
                }
            }
        }
        shared.wake.notify_one();
    }
}

/// Puts a write in the journal; gives it back when the disk refused.
async fn queue(
    shared: &Arc<Shared>,
    outbox: Arc<Mutex<Outbox>>,
    write: Box<Write>,
    label: String,
    key: Option<String>,
    waiter: Option<Waiter>,
) -> Result<(), (Box<Write>, Option<String>)> {
    let waiters = shared.clone();
    let pushed = blocking(move || {
        let mut o = lock(&outbox);
        let pushed = match key.clone() {
            Some(k) => o.push_with_key((*write).clone(), label, k),
            None => o.push((*write).clone(), label),
        };
        match pushed {
            // Still under the outbox's lock: the sender cannot answer before the waiter
            // is known.
            Ok(entry) => {
                if let Some(w) = waiter {
                    lock(&waiters.waiters).insert(entry.id, w);
                }
                Ok(())
            }
            Err(e) => Err((e, write, key)),
        }
    })
    .await;
    match pushed {
        Ok(()) => {
            shared.disk_took_a_write();
            Ok(())
        }
        Err((e, write, key)) => {
            shared.disk_refused(&e);
            Err((write, key))
        }
    }
}

/// A change to the journal (no new write); a refusal is said once.
async fn journal(
    shared: &Arc<Shared>,
    outbox: Arc<Mutex<Outbox>>,
    change: impl FnOnce(&mut Outbox) -> std::io::Result<()> + Send + 'static,
) {
    if let Err(e) = blocking(move || change(&mut lock(&outbox))).await {
        shared.disk_refused(&e);
    }
}

/// The disk refused the write: it goes now, without the outbox's retries, under its key
/// (or a new one), and whoever waits hears as from the outbox.
async fn send_directly(
    shared: Arc<Shared>,
    write: Box<Write>,
    key: Option<String>,
    waiter: Option<Waiter>,
) {
    let Some(client) = lock(&shared.client).clone() else {
        return;
    };
    let entry = Entry {
        id: 0,
        key: key.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        write: *write,
        queued_at: String::new(),
        attempts: 0,
        next_at_ms: 0,
        state: outbox::State::Queued,
        label: String::new(),
    };
    let result = outbox::send(&client, &entry).await;
    if let Err(e) = &result {
        crate::tui::runtime::log_failure("send a write directly (the outbox's disk refused)", e);
    }
    shared.tell(Action::Link {
        rtt: client.last_rtt(),
        reached: !matches!(
            result,
            Err(crate::client::ClientError::Offline(_) | crate::client::ClientError::Timeout)
        ),
    });
    let lang = shared.lang();
    let action = match (waiter, result) {
        (Some(w), Ok(sent)) => w.succeeded(sent).unwrap_or_else(|sent| Action::SentLater {
            key: entry.key.clone(),
            sent: Box::new(sent),
        }),
        (Some(w), Err(e)) => w.failed(crate::tui::runtime::failure(e, lang)),
        (None, Ok(sent)) => Action::SentLater {
            key: entry.key.clone(),
            sent: Box::new(sent),
        },
        (None, Err(e)) => Action::SendFailed {
            label: entry.label.clone(),
            message: e.message(lang),
        },
    };
    shared.tell(action);
}

/// Sends what the outbox holds whenever woken (or every two seconds, for back-offs).
async fn send_loop(shared: Arc<Shared>) {
    loop {
        let client = lock(&shared.client).clone();
        if let (Some(c), Some(outbox)) = (client, shared.outbox()) {
            let lang = shared.lang();
            let login = shared.logins.load(Ordering::SeqCst);
            outbox::drain(&c, &outbox, 2, lang, |r| {
                if let Some(action) = answer(&shared, &outbox, r) {
                    shared.tell(action);
                }
                shared.tell(count(&outbox));
            })
            .await;
            // Paused by a 401 to the session before a login that came meanwhile: the
            // queue goes on with the new one.
            if shared.logins.load(Ordering::SeqCst) != login {
                let o = outbox.clone();
                blocking(move || lock(&o).paused = false).await;
                continue;
            }
            shared.tell(count(&outbox));
        }
        tokio::select! {
            _ = shared.wake.notified() => {}
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
                renumber: outbox::refused_number(e),
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

/// A write as the log names it: its place in the outbox and what it does, never the
/// citizen's details it carries.
fn described(entry: &Entry) -> String {
    let what = match &entry.write {
        Write::Act { code, request, .. } => format!(
            "{} {code}",
            request.action.map(|a| a.as_str()).unwrap_or("action")
        ),
        Write::PayCash { code, .. } => format!("cash payment {code}"),
        Write::CreateDossier { request } => format!("submission of {}", request.procedure_code),
        Write::CreateCitizen { .. } => "citizen account".to_owned(),
        Write::Digitize { code, part_id, .. } => format!("digitization {code} {part_id}"),
        Write::Rate { code, .. } => format!("rating {code}"),
        Write::Certify { request } => format!("certification ({})", request.kind.as_str()),
    };
    format!("outbox #{} ({what})", entry.id)
}

/// Writes what became of a queued write to the log (`motcua.log`): the link's failures
/// and the retries they bring, the portal's refusals, and a write that went after them.
fn log_report(report: &Report) {
    match report {
        Report::Sent(entry, _) if entry.attempts > 0 => {
            tracing::info!(
                "{}: sent after {} failed attempt(s)",
                described(entry),
                entry.attempts
            );
        }
        Report::Sent(..) => {}
        Report::Failed(entry, error, Verdict::Retry(after)) => {
            let after = after.map_or_else(
                || " later, by itself".to_owned(),
                |d| format!(" in {} s, as the portal asked", d.as_secs()),
            );
            tracing::warn!(
                "{}: not sent ({error}); trying again{after} (attempt {})",
                described(entry),
                entry.attempts + 1
            );
        }
        Report::Failed(entry, error, Verdict::Pause) => {
            tracing::info!("{}: waits for the next login ({error})", described(entry));
        }
        Report::Failed(entry, error, Verdict::Dead(..)) => {
            tracing::warn!("{}: refused, not sent again: {error}", described(entry));
        }
        // Said by `disk_refused`.
        Report::Journal(_) => {}
    }
}

/// What the screen hears of one report.
fn answer(shared: &Arc<Shared>, outbox: &Arc<Mutex<Outbox>>, report: Report) -> Option<Action> {
    log_report(&report);
    let lang = shared.lang();
    match report {
        Report::Sent(entry, sent) => {
            let waiter = lock(&shared.waiters).remove(&entry.id);
            let unasked = match waiter {
                Some(w) => match w.succeeded(sent) {
                    Ok(action) => return Some(action),
                    Err(sent) => sent,
                },
                None => sent,
            };
            Some(Action::SentLater {
                key: entry.key.clone(),
                sent: Box::new(unasked),
            })
        }
        Report::Failed(entry, error, verdict) => {
            let waiter = lock(&shared.waiters).remove(&entry.id);
            match (waiter, verdict) {
                (Some(w), Verdict::Dead(..)) => {
                    // The officer reads it on the screen that asked: not a dead letter.
                    let (id, o, s) = (entry.id, outbox.clone(), shared.clone());
                    tokio::spawn(async move { journal(&s, o, move |o| o.discard(id)).await });
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
        Report::Journal(e) => {
            shared.disk_refused(&e);
            None
        }
    }
}
