//! The outbox: writes waiting for the portal, kept on disk so that a dropped link, a
//! crash or `kill -9` loses none and sends none twice.
//!
//! Each write gets its idempotency key when it is queued, and the key never changes: a
//! retry after a cut is a replay the portal recognises. Writes to one dossier go in the
//! order they were queued; others may go side by side. A write is frozen once queued (its
//! body is what the key was given for). Failures of the link are retried with exponential
//! back-off and jitter, honouring `Retry-After`; a refusal (a definitive 4xx) goes to the
//! dead letters with the portal's message, where the officer retries or discards it; 401
//! pauses everything until the officer logs in again.
//!
//! On disk it is a journal of JSON lines (`outbox.jsonl`): a line per change, flushed to
//! the disk before the change counts, compacted when opened.

use super::{ClientError, PortalClient};
use crate::api::citizens::NewCitizen;
use crate::api::dossiers::{ActionRequest, CreateDossier, Dossier};
use crate::api::error::ErrorCode;
use crate::api::payments::CashPayment;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A write the officer made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Write {
    CreateDossier {
        request: Box<CreateDossier>,
    },
    Act {
        code: String,
        version: i64,
        request: ActionRequest,
    },
    PayCash {
        code: String,
        payment: CashPayment,
    },
    CreateCitizen {
        citizen: NewCitizen,
    },
    /// A document part digitized (issue 16), at the dossier's `version`.
    Digitize {
        code: String,
        part_id: String,
        version: i64,
        request: crate::api::documents::DigitizationRequest,
    },
    /// A satisfaction rating recorded at the desk.
    Rate {
        code: String,
        rating: crate::api::results::RatingIn,
    },
    /// A certification entered in its book (issue 21): its number comes from the
    /// portal, so a retry with the key gets the same number, never a second.
    Certify {
        request: Box<crate::api::certifications::NewCertification>,
    },
}

impl Write {
    /// What must have gone before it: the writes queued earlier that share one of these
    /// go first. A dossier's writes go in order; an account made offline goes before a
    /// dossier taken in offline for the same identity number (which names its applicant
    /// by that number and date of birth, the account having no id yet).
    pub fn order_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.dossier().map(str::to_owned).into_iter().collect();
        match self {
            Write::CreateCitizen { citizen } => keys.push(format!("citizen {}", citizen.id_number)),
            Write::CreateDossier { request } => {
                if let crate::api::dossiers::ApplicantRef::Presented(p) = &request.applicant {
                    keys.push(format!("citizen {}", p.id_number));
                }
            }
            _ => {}
        }
        keys
    }

    /// The dossier it belongs to, for the order of writes to one dossier.
    pub fn dossier(&self) -> Option<&str> {
        match self {
            Write::Act { code, .. }
            | Write::PayCash { code, .. }
            | Write::Digitize { code, .. }
            | Write::Rate { code, .. } => Some(code),
            // Numbered at the desk with the link down (issue 19): its code is known, and
            // the fee paid or the parts digitized meanwhile go after it.
            Write::CreateDossier { request } => request.code.as_deref(),
            Write::CreateCitizen { .. } | Write::Certify { .. } => None,
        }
    }
}

/// Where a write stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Waiting for its turn (or for its back-off to end).
    Queued,
    /// Refused for good, or out of retries: the officer decides.
    Dead { status: u16, message: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: u64,
    pub key: String,
    pub write: Write,
    /// RFC 3339, when queued.
    pub queued_at: String,
    pub attempts: u32,
    /// Not before this (milliseconds since the epoch).
    pub next_at_ms: u64,
    pub state: State,
    /// A label for lists (e.g. the citizen or the dossier code).
    #[serde(default)]
    pub label: String,
}

/// One line of the journal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Record {
    Push {
        entry: Box<Entry>,
    },
    Attempt {
        id: u64,
        attempts: u32,
        next_at_ms: u64,
    },
    Done {
        id: u64,
    },
    Dead {
        id: u64,
        status: u16,
        message: String,
    },
    Revive {
        id: u64,
    },
    Discard {
        id: u64,
    },
}

/// Attempts before a write that keeps failing on the link becomes a dead letter.
pub const MAX_ATTEMPTS: u32 = 12;
/// The longest back-off between attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(120);

#[derive(Debug)]
pub struct Outbox {
    path: PathBuf,
    entries: BTreeMap<u64, Entry>,
    next_id: u64,
    /// 401: nothing goes until the officer has logged in again.
    pub paused: bool,
    /// Writes an older version queued that this one cannot read (citizen ids were
    /// numbers then): kept in `outbox.unreadable.jsonl`, not sent, not lost.
    pub set_aside: usize,
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Outbox {
    /// The outbox in `dir` (created when missing): what the journal holds, compacted.
    pub fn open(dir: &Path) -> std::io::Result<Outbox> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("outbox.jsonl");
        let mut entries = BTreeMap::new();
        let mut next_id = 1;
        let mut set_aside = Vec::new();
        if let Ok(text) = std::fs::read_to_string(&path) {
            for line in text.lines() {
                let Ok(record) = serde_json::from_str::<Record>(line) else {
                    // Whole JSON that is no record of this version: an older version's
                    // write (a citizen id that was a number), set aside for the officer.
                    // A line cut short by a crash is not JSON: it never counted.
                    if serde_json::from_str::<serde_json::Value>(line)
                        .is_ok_and(|v| v["op"] == "push")
                    {
                        set_aside.push(line.to_owned());
                    }
                    continue;
                };
                apply(&mut entries, &record);
                if let Record::Push { entry } = &record {
                    next_id = next_id.max(entry.id + 1);
                }
            }
        }
        if !set_aside.is_empty() {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join("outbox.unreadable.jsonl"))?;
            for line in &set_aside {
                writeln!(f, "{line}")?;
            }
            f.sync_all()?;
        }
        let outbox = Outbox {
            path,
            entries,
            next_id,
            paused: false,
            set_aside: set_aside.len(),
        };
        outbox.compact()?;
        Ok(outbox)
    }

    /// Rewrites the journal with only what is left, through a temporary file.
    fn compact(&self) -> std::io::Result<()> {
        let tmp = self.path.with_extension("jsonl.part");
        {
            let mut f = std::fs::File::create(&tmp)?;
            for entry in self.entries.values() {
                let line = serde_json::to_string(&Record::Push {
                    entry: Box::new(entry.clone()),
                })
                .map_err(std::io::Error::other)?;
                writeln!(f, "{line}")?;
            }
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)
    }

    /// Appends a change to the journal and applies it. A write that is not on disk is not
    /// queued (the caller sends it otherwise); any other change has happened whether or
    /// not the journal could say so (a write the portal took is done), so it applies, and
    /// the disk's refusal is returned for the officer to hear of. At worst a restart then
    /// replays a write with its key, which the portal recognises.
    fn record(&mut self, record: Record) -> std::io::Result<()> {
        let written = self.append(&record);
        if written.is_ok() || !matches!(record, Record::Push { .. }) {
            apply(&mut self.entries, &record);
        }
        written
    }

    fn append(&self, record: &Record) -> std::io::Result<()> {
        let line = serde_json::to_string(record).map_err(std::io::Error::other)?;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        writeln!(f, "{line}")?;
        f.sync_data()
    }

    /// Where the journal lives (for messages about the disk).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queues a write under a new idempotency key; it is on disk when this returns.
    pub fn push(&mut self, write: Write, label: String) -> std::io::Result<Entry> {
        self.push_with_key(write, label, uuid::Uuid::new_v4().to_string())
    }

    /// Queues a write under a key chosen earlier (an intake draft keeps its own).
    pub fn push_with_key(
        &mut self,
        write: Write,
        label: String,
        key: String,
    ) -> std::io::Result<Entry> {
        let entry = Entry {
            id: self.next_id,
            key,
            write,
            queued_at: chrono::Utc::now().to_rfc3339(),
            attempts: 0,
            next_at_ms: 0,
            state: State::Queued,
            label,
        };
        self.next_id += 1;
        self.record(Record::Push {
            entry: Box::new(entry.clone()),
        })?;
        Ok(entry)
    }

    /// Queues many writes with one flush to the disk: all are queued, or (after a crash
    /// in the middle) the journal holds a prefix of them and none was sent yet.
    pub fn push_all(&mut self, writes: Vec<(Write, String)>) -> std::io::Result<Vec<Entry>> {
        let mut entries = Vec::with_capacity(writes.len());
        let mut text = String::new();
        for (write, label) in writes {
            let entry = Entry {
                id: self.next_id,
                key: uuid::Uuid::new_v4().to_string(),
                write,
                queued_at: chrono::Utc::now().to_rfc3339(),
                attempts: 0,
                next_at_ms: 0,
                state: State::Queued,
                label,
            };
            self.next_id += 1;
            let line = serde_json::to_string(&Record::Push {
                entry: Box::new(entry.clone()),
            })
            .map_err(std::io::Error::other)?;
            text.push_str(&line);
            text.push('\n');
            entries.push(entry);
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        f.write_all(text.as_bytes())?;
        f.sync_data()?;
        for entry in &entries {
            self.entries.insert(entry.id, entry.clone());
        }
        Ok(entries)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// Writes still to send (not dead).
    pub fn queued(&self) -> usize {
        self.entries
            .values()
            .filter(|e| e.state == State::Queued)
            .count()
    }

    pub fn dead(&self) -> Vec<&Entry> {
        self.entries
            .values()
            .filter(|e| matches!(e.state, State::Dead { .. }))
            .collect()
    }

    /// The writes that may go now, oldest first: due, not paused, and the first of their
    /// dossier still waiting (a later write to a dossier waits for the earlier ones, and
    /// a dead letter holds its dossier's later writes until the officer decides).
    pub fn ready(&self, now_ms: u64, busy: &[u64]) -> Vec<Entry> {
        if self.paused {
            return vec![];
        }
        let mut seen: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for e in self.entries.values() {
            let keys = e.write.order_keys();
            let blocked = keys.iter().any(|k| seen.contains(k));
            seen.extend(keys);
            if blocked || e.state != State::Queued || busy.contains(&e.id) {
                continue;
            }
            if e.next_at_ms <= now_ms {
                out.push(e.clone());
            }
        }
        out
    }

    /// When the next queued write is due (for a status bar's "next retry").
    pub fn next_due_ms(&self) -> Option<u64> {
        self.entries
            .values()
            .filter(|e| e.state == State::Queued)
            .map(|e| e.next_at_ms)
            .min()
    }

    pub fn done(&mut self, id: u64) -> std::io::Result<()> {
        self.record(Record::Done { id })
    }

    /// A failure of the link (or of the portal, 5xx, 429): again later, or dead after
    /// [`MAX_ATTEMPTS`].
    pub fn retry_later(
        &mut self,
        id: u64,
        retry_after: Option<Duration>,
        message: &str,
    ) -> std::io::Result<()> {
        let Some(e) = self.entries.get(&id) else {
            return Ok(());
        };
        let attempts = e.attempts + 1;
        if attempts >= MAX_ATTEMPTS {
            return self.record(Record::Dead {
                id,
                status: 0,
                message: message.to_owned(),
            });
        }
        let wait = retry_after.unwrap_or_else(|| backoff(attempts, id));
        self.record(Record::Attempt {
            id,
            attempts,
            next_at_ms: now_ms() + wait.as_millis() as u64,
        })
    }

    pub fn kill(&mut self, id: u64, status: u16, message: String) -> std::io::Result<()> {
        self.record(Record::Dead {
            id,
            status,
            message,
        })
    }

    /// The officer sends a dead letter again (its key unchanged).
    pub fn revive(&mut self, id: u64) -> std::io::Result<()> {
        self.record(Record::Revive { id })
    }

    /// Every queued write is due now, its back-off forgotten (in memory: a restart reads
    /// the journal's times again, and sends what is due then). For when the link is seen
    /// to be back, or the officer has just logged in: a write should not sit out two more
    /// minutes of a back-off that began in the outage.
    pub fn due_now(&mut self) {
        for e in self.entries.values_mut() {
            if e.state == State::Queued {
                e.next_at_ms = 0;
            }
        }
    }

    /// The officer gives a dead letter up.
    pub fn discard(&mut self, id: u64) -> std::io::Result<()> {
        self.record(Record::Discard { id })
    }

    /// The officer sends a dead letter again. A dossier numbered offline that the
    /// portal refused its number ([`refused_number`]) would be refused again: it goes
    /// without the number, under a new key (a new body), so the portal gives it the
    /// next code; the dead one is dropped in the same breath. Anything else is sent
    /// again with its key.
    pub fn send_again(&mut self, id: u64) -> std::io::Result<()> {
        let Some(entry) = self.entries.get(&id).filter(|e| refused_number(e)) else {
            return self.revive(id);
        };
        let Write::CreateDossier { request } = &entry.write else {
            return self.revive(id);
        };
        let mut request = request.clone();
        request.code = None;
        request.received_at = None;
        let label = entry.label.clone();
        self.push(Write::CreateDossier { request }, label)?;
        self.discard(id)
    }
}

/// Whether the outbox kept in `dir` was ever handed a write under `key` (still waiting,
/// refused, or sent and not yet compacted away). A dossier's draft that the outbox has
/// is spent: offering it again would only make the officer type it twice.
pub fn holds_key(dir: &Path, key: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("outbox.jsonl")) else {
        return false;
    };
    text.lines().any(|line| {
        matches!(
            serde_json::from_str::<Record>(line),
            Ok(Record::Push { entry }) if entry.key == key
        )
    })
}

/// A dossier numbered at the desk with the link down whose number the portal refused
/// (not leased to this officer, used already, or its moment received out of the
/// lease's day): sending it again as it is cannot succeed.
pub fn refused_number(entry: &Entry) -> bool {
    let numbered =
        matches!(&entry.write, Write::CreateDossier { request } if request.code.is_some());
    numbered
        && matches!(
            entry.state,
            State::Dead {
                status: 409 | 422,
                ..
            }
        )
}

fn apply(entries: &mut BTreeMap<u64, Entry>, record: &Record) {
    match record {
        Record::Push { entry } => {
            entries.insert(entry.id, (**entry).clone());
        }
        Record::Attempt {
            id,
            attempts,
            next_at_ms,
        } => {
            if let Some(e) = entries.get_mut(id) {
                e.attempts = *attempts;
                e.next_at_ms = *next_at_ms;
            }
        }
        Record::Done { id } | Record::Discard { id } => {
            entries.remove(id);
        }
        Record::Dead {
            id,
            status,
            message,
        } => {
            if let Some(e) = entries.get_mut(id) {
                e.state = State::Dead {
                    status: *status,
                    message: message.clone(),
                };
            }
        }
        Record::Revive { id } => {
            if let Some(e) = entries.get_mut(id) {
                e.state = State::Queued;
                e.attempts = 0;
                e.next_at_ms = 0;
            }
        }
    }
}

/// Exponential back-off with jitter: about 1, 2, 4 … s, at most [`MAX_BACKOFF`], each
/// stretched by up to half at random (from the entry, so retries of many writes spread).
pub fn backoff(attempts: u32, salt: u64) -> Duration {
    let base = Duration::from_secs(1u64 << attempts.saturating_sub(1).min(7)).min(MAX_BACKOFF);
    let mix = (salt ^ u64::from(attempts))
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(17);
    let jitter = base.as_millis() as u64 / 2 * (mix % 1000) / 1000;
    (base + Duration::from_millis(jitter)).min(MAX_BACKOFF)
}

/// What sending one write came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    CreatedDossier(Box<Dossier>),
    Acted(Box<Dossier>),
    Paid(Box<crate::api::payments::Payment>),
    CreatedCitizen(Box<crate::api::citizens::CitizenCreated>),
    /// An account made offline existed by the time it was sent: the one with this
    /// number (its id when this office serves the citizen).
    CitizenExisted {
        id_number: String,
        id: Option<String>,
    },
    Rated {
        code: String,
        rating: Box<crate::api::results::Rating>,
    },
    Certified(Box<crate::api::certifications::Certification>),
}

/// How a failed send is handled.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The link or a busy portal: again later.
    Retry(Option<Duration>),
    /// 401: log in again; the queue waits.
    Pause,
    /// A refusal: the officer reads the message.
    Dead(u16, String),
}

/// The rule for errors: what is worth retrying with the same key.
pub fn verdict(e: &ClientError, lang: crate::domain::Lang) -> Verdict {
    match e {
        ClientError::Offline(_) | ClientError::Timeout | ClientError::Decode(_) => {
            Verdict::Retry(None)
        }
        ClientError::RateLimited { retry_after, .. } => Verdict::Retry(*retry_after),
        ClientError::Unauthorized { .. } => Verdict::Pause,
        // The first try of this key is still running on the portal: ask again later.
        ClientError::Api {
            status: 409, code, ..
        } if ErrorCode::from_wire(code) == Some(ErrorCode::RequestInProgress) => {
            Verdict::Retry(None)
        }
        ClientError::Api { status, .. } if *status >= 500 => Verdict::Retry(None),
        ClientError::Api { status, .. } => Verdict::Dead(*status, e.message(lang)),
        ClientError::Conflict { .. } => Verdict::Dead(412, e.message(lang)),
        ClientError::File { .. }
        | ClientError::Damaged { .. }
        | ClientError::FileRead { .. }
        | ClientError::UnsupportedFile(_)
        | ClientError::FileSize { .. }
        | ClientError::BadUrl(_) => Verdict::Dead(0, e.message(lang)),
    }
}

/// Sends one write with its key.
pub async fn send(client: &PortalClient, entry: &Entry) -> Result<Sent, ClientError> {
    match &entry.write {
        Write::CreateDossier { request } => client
            .create_dossier(&entry.key, request)
            .await
            .map(|d| Sent::CreatedDossier(Box::new(d))),
        Write::Act {
            code,
            version,
            request,
        } => match client.act(code, *version, request).await {
            Ok(d) => Ok(Sent::Acted(Box::new(d))),
            // Sent before and cut on the way back: the portal has moved on by exactly this
            // action. That is this write, done.
            Err(ClientError::Conflict { current })
                if entry.attempts > 0 && already_applied(&current, *version, request) =>
            {
                Ok(Sent::Acted(current))
            }
            Err(e) => Err(e),
        },
        Write::PayCash { code, payment } => client
            .pay_cash(code, &entry.key, payment)
            .await
            .map(|p| Sent::Paid(Box::new(p))),
        Write::CreateCitizen { citizen } => {
            match client.create_citizen(&entry.key, citizen).await {
                Ok(c) => Ok(Sent::CreatedCitizen(Box::new(c))),
                // Made at the desk with the link down and sent later: the account was made
                // meanwhile (another desk, the citizen online). That is the account: a
                // dossier taken in for them names them by number and date of birth, and
                // joins it (issue 19). A first try refused so is the officer's to see.
                Err(ClientError::Api {
                    status: 409,
                    code,
                    existing_id,
                    ..
                }) if entry.attempts > 0
                    && ErrorCode::from_wire(&code) == Some(ErrorCode::CitizenExists) =>
                {
                    Ok(Sent::CitizenExisted {
                        id_number: citizen.id_number.clone(),
                        id: existing_id,
                    })
                }
                Err(e) => Err(e),
            }
        }
        Write::Digitize {
            code,
            part_id,
            version,
            request,
        } => match client.digitize(code, part_id, *version, request).await {
            Ok(d) => Ok(Sent::Acted(Box::new(d))),
            // The dossier moved on meanwhile (a fee paid, another part digitized first):
            // a part nobody has digitized yet is digitized on the version it has now.
            // A part digitized already is someone's work: left to the officer (412).
            Err(ClientError::Conflict { current })
                if current
                    .documents
                    .iter()
                    .any(|d| d.part_id == *part_id && d.digitization.is_none()) =>
            {
                client
                    .digitize(code, part_id, current.version, request)
                    .await
                    .map(|d| Sent::Acted(Box::new(d)))
            }
            Err(e) => Err(e),
        },
        Write::Rate { code, rating } => {
            client
                .rate(code, &entry.key, rating)
                .await
                .map(|r| Sent::Rated {
                    code: code.clone(),
                    rating: Box::new(r),
                })
        }
        Write::Certify { request } => client
            .certify(&entry.key, request)
            .await
            .map(|c| Sent::Certified(Box::new(c))),
    }
}

/// The dossier is one version on from the one acted on, and its last step is this action.
fn already_applied(current: &Dossier, version: i64, request: &ActionRequest) -> bool {
    current.version == version + 1
        && request.action.is_some_and(|a| {
            current
                .timeline
                .last()
                .is_some_and(|h| h.action == a.as_str())
        })
}

/// What became of one write, as the drain reports it.
#[derive(Debug)]
pub enum Report {
    Sent(Box<Entry>, Sent),
    /// What the portal (or the link) said, and what the outbox does about it.
    Failed(Box<Entry>, Box<ClientError>, Verdict),
    /// The disk refused the journal what became of a write. The drain goes on: what it
    /// did holds in memory, and a restart at worst replays the write with its key.
    Journal(std::io::Error),
}

fn lock(outbox: &std::sync::Mutex<Outbox>) -> std::sync::MutexGuard<'_, Outbox> {
    outbox.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `change` on the outbox on the blocking pool: the journal's fsync never holds an
/// async thread, nor (through the lock) anyone who only wants to read the queue.
async fn on_disk<T: Send + 'static>(
    outbox: &std::sync::Arc<std::sync::Mutex<Outbox>>,
    change: impl FnOnce(&mut Outbox) -> T + Send + 'static,
) -> T {
    let outbox = outbox.clone();
    match tokio::task::spawn_blocking(move || change(&mut lock(&outbox))).await {
        Ok(t) => t,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Sends what is ready, `concurrency` writes at a time, until nothing is left to send
/// (every write done or dead) or the queue is paused by a 401. Waits out back-offs.
pub async fn drain(
    client: &PortalClient,
    outbox: &std::sync::Arc<std::sync::Mutex<Outbox>>,
    concurrency: usize,
    lang: crate::domain::Lang,
    mut report: impl FnMut(Report),
) {
    use futures_util::stream::{FuturesUnordered, StreamExt};
    let mut in_flight = FuturesUnordered::new();
    let mut busy: Vec<u64> = Vec::new();
    loop {
        let (ready, queued, paused, next_due) = {
            let o = lock(outbox);
            (
                o.ready(now_ms(), &busy),
                o.queued(),
                o.paused,
                o.next_due_ms(),
            )
        };
        for entry in ready
            .into_iter()
            .take(concurrency.max(1).saturating_sub(busy.len()))
        {
            busy.push(entry.id);
            in_flight.push(async move {
                let result = send(client, &entry).await;
                (entry, result)
            });
        }
        if in_flight.is_empty() {
            if paused || queued == 0 {
                return;
            }
            let wait = next_due
                .map(|due| due.saturating_sub(now_ms()))
                .unwrap_or(100)
                .clamp(10, 1000);
            tokio::time::sleep(Duration::from_millis(wait)).await;
            continue;
        }
        let Some((entry, result)) = in_flight.next().await else {
            continue;
        };
        busy.retain(|id| *id != entry.id);
        let id = entry.id;
        match result {
            Ok(sent) => {
                if let Err(e) = on_disk(outbox, move |o| o.done(id)).await {
                    report(Report::Journal(e));
                }
                report(Report::Sent(Box::new(entry), sent));
            }
            Err(e) => {
                let v = verdict(&e, lang);
                let (change, message) = (v.clone(), e.message(lang));
                let written = on_disk(outbox, move |o| match change {
                    Verdict::Retry(after) => o.retry_later(id, after, &message),
                    Verdict::Pause => {
                        o.paused = true;
                        Ok(())
                    }
                    Verdict::Dead(status, message) => o.kill(id, status, message),
                })
                .await;
                if let Err(e) = written {
                    report(Report::Journal(e));
                }
                report(Report::Failed(Box::new(entry), Box::new(e), v));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::dossiers::{ApplicantRef, Delivery, Relation, Submitter};
    use crate::domain::workflow::DeliveryMethod;

    fn create(n: i64) -> Write {
        Write::CreateDossier {
            request: Box::new(CreateDossier {
                procedure_code: "1.001193".into(),
                case_id: "dung_han".into(),
                applicant: ApplicantRef::citizen(n.to_string()),
                submitter: Submitter {
                    full_name: "A".into(),
                    id_number: None,
                    relation: Relation::Myself,
                    authorization_doc: None,
                },
                documents: vec![],
                delivery: Delivery {
                    method: DeliveryMethod::InPerson,
                    address: None,
                },
                declaration_accepted: true,
                note: None,
                pages: None,
                copies: None,
                code: None,
                received_at: None,
                printed_due_at: None,
            }),
        }
    }

    fn pay(code: &str) -> Write {
        Write::PayCash {
            code: code.into(),
            payment: CashPayment {
                amount: Some(5000),
                receipt_no: Some("BL".into()),
            },
        }
    }

    #[test]
    fn writes_survive_a_reopen_with_their_keys_and_state() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path()).unwrap();
        let a = o.push(create(1), "a".into()).unwrap();
        let b = o.push(create(2), "b".into()).unwrap();
        let c = o.push(pay("X"), "c".into()).unwrap();
        o.done(a.id).unwrap();
        o.retry_later(b.id, Some(Duration::from_secs(60)), "cut")
            .unwrap();
        o.kill(c.id, 422, "amount_mismatch".into()).unwrap();
        drop(o);
        let o = Outbox::open(dir.path()).unwrap();
        let left: Vec<&Entry> = o.entries().collect();
        assert_eq!(left.len(), 2);
        assert_eq!(left[0].key, b.key);
        assert_eq!(left[0].attempts, 1);
        assert!(left[0].next_at_ms > now_ms());
        assert_eq!(o.dead().len(), 1);
        assert_eq!(o.queued(), 1);
        // New ids do not reuse old ones.
        let mut o = o;
        let d = o.push(create(3), "d".into()).unwrap();
        assert!(d.id > c.id);
    }

    /// A write the disk refused is not queued (the caller sends it another way); what
    /// became of a queued one holds in memory even when the journal cannot say it.
    #[test]
    fn a_full_disk_queues_nothing_but_what_happened_still_holds() {
        let full = Path::new("/dev/full");
        if !full.exists() {
            eprintln!("skipped: no /dev/full to stand for a full disk");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path()).unwrap();
        let a = o.push(create(1), "a".into()).unwrap();
        let journal = dir.path().join("outbox.jsonl");
        std::fs::remove_file(&journal).unwrap();
        std::os::unix::fs::symlink(full, &journal).unwrap();
        let refused = o.push(create(2), "b".into()).unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::StorageFull);
        assert_eq!(o.queued(), 1);
        assert!(o.done(a.id).is_err());
        assert_eq!(o.queued(), 0, "the portal has it: not sent again");
    }

    #[test]
    fn a_line_cut_short_by_a_crash_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path()).unwrap();
        o.push(create(1), "a".into()).unwrap();
        drop(o);
        let path = dir.path().join("outbox.jsonl");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{\"op\":\"done\",\"i");
        std::fs::write(&path, text).unwrap();
        let o = Outbox::open(dir.path()).unwrap();
        assert_eq!(o.queued(), 1);
    }

    #[test]
    fn one_dossier_s_writes_go_in_order_and_a_dead_letter_holds_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path()).unwrap();
        let first = o.push(pay("X"), String::new()).unwrap();
        let second = o.push(pay("X"), String::new()).unwrap();
        let other = o.push(pay("Y"), String::new()).unwrap();
        let ids = |v: Vec<Entry>| v.into_iter().map(|e| e.id).collect::<Vec<_>>();
        assert_eq!(ids(o.ready(now_ms(), &[])), vec![first.id, other.id]);
        // While the first is on its way, the second still waits.
        assert_eq!(ids(o.ready(now_ms(), &[first.id])), vec![other.id]);
        o.kill(first.id, 422, "no".into()).unwrap();
        assert_eq!(ids(o.ready(now_ms(), &[])), vec![other.id]);
        o.discard(first.id).unwrap();
        assert_eq!(ids(o.ready(now_ms(), &[])), vec![second.id, other.id]);
        o.paused = true;
        assert!(o.ready(now_ms(), &[]).is_empty());
    }

    #[test]
    fn retries_back_off_and_end_in_the_dead_letters() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path()).unwrap();
        let e = o.push(create(1), String::new()).unwrap();
        for _ in 0..MAX_ATTEMPTS {
            o.retry_later(e.id, None, "the link").unwrap();
        }
        assert_eq!(o.dead().len(), 1);
        o.revive(e.id).unwrap();
        assert_eq!(o.queued(), 1);
        assert_eq!(o.ready(now_ms(), &[]).len(), 1);
        // Back-off grows, with jitter, and stays bounded.
        let waits: Vec<Duration> = (1..10).map(|a| backoff(a, 7)).collect();
        assert!(waits[0] >= Duration::from_secs(1) && waits[0] < Duration::from_secs(2));
        assert!(waits[3] >= Duration::from_secs(8));
        assert!(waits.iter().all(|w| *w <= MAX_BACKOFF));
        assert_ne!(backoff(3, 1), backoff(3, 2), "jitter spreads retries");
    }

    #[test]
    fn an_older_versions_writes_are_set_aside_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path()).unwrap();
        o.push(create(1), String::new()).unwrap();
        drop(o);
        // As an older version wrote it: the citizen id a number.
        let text = std::fs::read_to_string(dir.path().join("outbox.jsonl")).unwrap();
        let old = text.replace("\"citizen_id\":\"1\"", "\"citizen_id\":1");
        assert_ne!(old, text);
        std::fs::write(
            dir.path().join("outbox.jsonl"),
            format!("{old}{{\"op\":\"pu"),
        )
        .unwrap();
        let o = Outbox::open(dir.path()).unwrap();
        assert_eq!(o.queued(), 0);
        assert_eq!(o.set_aside, 1, "the cut line is not counted");
        let kept = std::fs::read_to_string(dir.path().join("outbox.unreadable.jsonl")).unwrap();
        assert!(kept.contains("\"citizen_id\":1"), "{kept}");
    }

    #[test]
    fn what_is_retried_paused_or_given_up() {
        use crate::domain::Lang;
        let api = |status: u16, code: &str| ClientError::Api {
            status,
            code: code.into(),
            message: "m".into(),
            fields: BTreeMap::new(),
            existing_id: None,
        };
        assert_eq!(
            verdict(&ClientError::Timeout, Lang::Vi),
            Verdict::Retry(None)
        );
        assert_eq!(
            verdict(&ClientError::Offline("x".into()), Lang::Vi),
            Verdict::Retry(None)
        );
        assert_eq!(verdict(&api(503, "x"), Lang::Vi), Verdict::Retry(None));
        assert_eq!(
            verdict(&api(409, "request_in_progress"), Lang::Vi),
            Verdict::Retry(None)
        );
        assert_eq!(
            verdict(
                &ClientError::RateLimited {
                    retry_after: Some(Duration::from_secs(9)),
                    message: "m".into()
                },
                Lang::Vi
            ),
            Verdict::Retry(Some(Duration::from_secs(9)))
        );
        assert_eq!(
            verdict(
                &ClientError::Unauthorized {
                    code: "x".into(),
                    message: "m".into()
                },
                Lang::Vi
            ),
            Verdict::Pause
        );
        assert_eq!(
            verdict(&api(422, "x"), Lang::Vi),
            Verdict::Dead(422, "m".into())
        );
        assert_eq!(
            verdict(&api(409, "already_paid"), Lang::Vi),
            Verdict::Dead(409, "m".into())
        );
    }

    fn numbered(code: &str) -> Write {
        let Write::CreateDossier { mut request } = create(7) else {
            unreachable!()
        };
        request.code = Some(code.into());
        request.received_at = Some("2026-11-24T09:15:00+07:00".into());
        Write::CreateDossier { request }
    }

    #[test]
    fn a_dossier_numbered_offline_goes_before_its_fee() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path()).unwrap();
        let made = o.push(numbered("X-0050"), "a".into()).unwrap();
        o.push(pay("X-0050"), "b".into()).unwrap();
        let ready: Vec<u64> = o.ready(now_ms(), &[]).iter().map(|e| e.id).collect();
        assert_eq!(ready, vec![made.id], "the fee waits for its dossier");
        // A dossier without a number yet has no code to wait on.
        o.push(create(8), "c".into()).unwrap();
        assert_eq!(o.ready(now_ms(), &[]).len(), 2);
    }

    #[test]
    fn a_refused_number_is_sent_again_without_it_under_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path()).unwrap();
        let a = o.push(numbered("X-0050"), "a".into()).unwrap();
        o.kill(a.id, 409, "code_not_leased".into()).unwrap();
        assert!(refused_number(o.dead()[0]));
        o.send_again(a.id).unwrap();
        assert!(o.dead().is_empty());
        let left: Vec<&Entry> = o.entries().collect();
        assert_eq!(left.len(), 1);
        assert_ne!(left[0].key, a.key, "a new body needs a new key");
        let Write::CreateDossier { request } = &left[0].write else {
            panic!("{:?}", left[0].write)
        };
        assert_eq!((&request.code, &request.received_at), (&None, &None));
        // Anything else goes again as it was, with its key.
        let b = o.push(numbered("X-0051"), "b".into()).unwrap();
        o.kill(b.id, 0, "file".into()).unwrap();
        assert!(!refused_number(o.dead()[0]));
        o.send_again(b.id).unwrap();
        assert!(
            o.entries()
                .any(|e| e.id == b.id && e.state == State::Queued)
        );
        // And it holds across a reopen.
        drop(o);
        let o = Outbox::open(dir.path()).unwrap();
        assert_eq!(o.entries().count(), 2);
    }

    #[test]
    fn an_account_made_offline_goes_before_the_dossier_that_names_its_number() {
        use crate::api::citizens::NewCitizen;
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path()).unwrap();
        let account = o
            .push(
                Write::CreateCitizen {
                    citizen: NewCitizen {
                        id_number: "083078238953".into(),
                        full_name: "Nguyễn Văn An".into(),
                        date_of_birth: "1978-03-14".into(),
                        gender: None,
                        phone: "0384350158".into(),
                        email: None,
                        address: "Bến Tre".into(),
                        legacy_id_number: None,
                    },
                },
                "a".into(),
            )
            .unwrap();
        let Write::CreateDossier { mut request } = numbered("X-0050") else {
            unreachable!()
        };
        request.applicant = ApplicantRef::Presented(crate::api::dossiers::Presented {
            id_number: "083078238953".into(),
            date_of_birth: "1978-03-14".into(),
        });
        o.push(Write::CreateDossier { request }, "b".into())
            .unwrap();
        o.push(pay("X-0050"), "c".into()).unwrap();
        let ready: Vec<u64> = o.ready(now_ms(), &[]).iter().map(|e| e.id).collect();
        assert_eq!(ready, vec![account.id], "the dossier and its fee wait");
        o.done(account.id).unwrap();
        assert_eq!(
            o.ready(now_ms(), &[]).len(),
            1,
            "then the dossier, then its fee"
        );
    }

    #[test]
    fn the_journal_says_whether_a_key_was_ever_queued() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!holds_key(dir.path(), "k"));
        let mut o = Outbox::open(dir.path()).unwrap();
        let a = o
            .push_with_key(numbered("X-1"), "a".into(), "draft-key".into())
            .unwrap();
        assert!(holds_key(dir.path(), "draft-key"));
        assert!(!holds_key(dir.path(), "another"));
        o.done(a.id).unwrap();
        assert!(
            holds_key(dir.path(), "draft-key"),
            "sent, still in the journal"
        );
    }

    #[test]
    fn writes_waiting_out_a_back_off_are_due_at_once_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path()).unwrap();
        let a = o.push(create(1), "a".into()).unwrap();
        o.retry_later(a.id, Some(Duration::from_secs(100)), "cut")
            .unwrap();
        assert!(o.ready(now_ms(), &[]).is_empty());
        o.due_now();
        assert_eq!(o.ready(now_ms(), &[]).len(), 1);
    }
}
