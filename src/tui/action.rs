//! What happens to the app (`Action`: keys, ticks, answers from the portal) and what the
//! app asks the outside world to do (`Effect`: requests, files). `update` turns one into
//! the other; the runtime carries them out and reports back as `Action`s.

use crate::api::auth::{LoginResponse, Me};
use crate::api::catalog::{ProcedureDetail, ProcedureSummary};
use crate::api::citizens::{Activation, Citizen, CitizenCreated, CitizenDetail, NewCitizen};
use crate::api::dossiers::CreateDossier;
use crate::api::dossiers::{ActionRequest, Change, Dossier, DossierSummary};
use crate::api::payments::Payment;
use crate::api::stats::Stats;
use crate::client::Uploaded;
use crate::domain::forms::Form;
use crate::tui::intake::{CitizensDraft, Draft};
use crate::tui::state::{Failure, RequestId};
use chrono::{DateTime, FixedOffset};
use crossterm::event::KeyEvent;
use std::path::PathBuf;
use std::time::Duration;

/// The inbox as loaded at login or on a refresh: the first page of the listing on screen,
/// and the feed position it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub first: crate::tui::paging::PageAnswer,
    pub seq: i64,
}

impl Snapshot {
    /// The portal's answer when every dossier of the office fitted in one page of the
    /// `all` queue: every queue and every filter then answers from what is held.
    pub fn whole(items: Vec<DossierSummary>, seq: i64) -> Snapshot {
        let total = items.len() as u64;
        Snapshot {
            first: crate::tui::paging::PageAnswer {
                key: crate::tui::paging::ListKey::new(crate::domain::status::Queue::All, ""),
                number: 0,
                items,
                next_cursor: None,
                total,
            },
            seq,
        }
    }
}

/// What the delta feed said.
#[derive(Debug, Clone, PartialEq)]
pub enum Delta {
    Changes {
        changes: Vec<Change>,
        seq: i64,
    },
    /// 410: too far behind; reload everything.
    Expired,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// Once a second, with the time.
    Tick(DateTime<FixedOffset>),
    /// Where the session token ended up: `false` = memory only.
    TokenStored {
        persistent: bool,
    },
    /// A request reached (or failed to reach) the portal.
    Link {
        rtt: Option<Duration>,
        reached: bool,
    },
    LoggedIn(RequestId, Result<LoginResponse, Failure>),
    /// A token kept from an earlier run still works: no password needed.
    Resumed(Me),
    /// The portal could not be reached at login: the desk's kept session let the officer
    /// in (issue 19), or why it did not (the whole message).
    OfflineSession(RequestId, Result<Me, String>),
    /// Numbers the desk holds for intake with the link down, usable now.
    HeldCodes(usize),
    /// The desk has a copy of every procedure of the catalog (this many), for intake
    /// with the link down. Nothing to show: the intake reads the copies by itself.
    CatalogKept(usize),
    /// A dossier taken in with the link down got a held number, or why it did not.
    NumberedOffline(RequestId, Result<crate::tui::offline::Numbered, String>),
    LoggedOut,
    InboxLoaded(RequestId, Result<Snapshot, Failure>),
    /// Issue 18: a further page of the inbox's listing.
    PageLoaded(RequestId, Result<crate::tui::paging::PageAnswer, Failure>),
    /// Issue 18: the filter's pause after typing ([`crate::tui::paging::FILTER_PAUSE`]);
    /// the number says which keystroke it follows, so only the last one asks the portal.
    FilterPaused(u64),
    /// Issue 18: how many dossiers of every queue match a search that found none in the
    /// queue on screen.
    CountedElsewhere(RequestId, Result<(String, u64), Failure>),
    StatsLoaded(RequestId, Result<Stats, Failure>),
    Polled(RequestId, Result<Delta, Failure>),
    DetailLoaded(RequestId, Result<Dossier, Failure>),
    Acted(RequestId, Result<Dossier, Failure>),
    /// A rating recorded at the desk.
    Rated(RequestId, Result<crate::api::results::Rating, Failure>),
    /// The notices sent to a dossier's applicant.
    NoticesLoaded(
        RequestId,
        Result<Vec<crate::api::results::Notification>, Failure>,
    ),
    FormLoaded(RequestId, Result<String, Failure>),
    Downloaded(RequestId, Result<(PathBuf, u64), Failure>),
    /// A text saved to a file (`s`), or why not (the system's reason).
    Saved(Result<PathBuf, std::io::ErrorKind>),
    CatalogLoaded(RequestId, Result<Vec<ProcedureSummary>, Failure>),
    ProcedureLoaded(RequestId, Result<ProcedureDetail, Failure>),
    CitizensFound(RequestId, Result<Vec<Citizen>, Failure>),
    CitizenLoaded(RequestId, Result<CitizenDetail, Failure>),
    CitizenCreated(RequestId, Result<CitizenCreated, Failure>),
    ActivationIssued(RequestId, Result<Activation, Failure>),
    /// How far an upload has come (bytes the portal has).
    UploadProgress {
        key: String,
        sent: u64,
        total: u64,
    },
    Uploaded(RequestId, Result<Uploaded, Failure>),
    DossierCreated(RequestId, Result<Dossier, Failure>),
    PaidCash(RequestId, Result<Payment, Failure>),
    /// Issue 21: a certification entered in its book (or why not).
    Certified(
        RequestId,
        Result<crate::api::certifications::Certification, Failure>,
    ),
    /// Issue 21: a page of the books.
    BookLoaded(
        RequestId,
        Result<crate::api::Page<crate::api::certifications::Certification>, Failure>,
    ),
    /// Issue 21: the day's certifications and fees, for the books' totals.
    CertifyTotalsLoaded(RequestId, Result<Stats, Failure>),
    /// Issue 21: a fee order made, or read again (has the transfer arrived?).
    FeeOrdered(
        RequestId,
        Result<crate::api::certifications::FeeOrder, Failure>,
    ),
    PaymentLoaded(RequestId, Result<Payment, Failure>),
    /// An intake draft saved by an earlier run of this profile and user.
    DraftFound(Box<Draft>),
    /// The citizens pane's unfinished account form, saved by an earlier run.
    CitizensDraftFound(Box<CitizensDraft>),
    /// Issue 21: a certification an earlier run left typed and not sent.
    CertifyDraftFound(Box<crate::tui::certify::CertifyDraft>),
    /// The print command took the text (its name), or why it could not.
    Printed(Result<String, PrintProblem>),
    /// A form or the register fetched as a file: where it was saved, and whether it
    /// printed (`tui::paper`).
    PaperDone(RequestId, Result<crate::tui::paper::Outcome, Failure>),
    /// The link failed: the write is in the outbox and goes by itself later.
    Queued(RequestId),
    /// A queued write went through after its screen stopped waiting (or after a restart).
    SentLater {
        key: String,
        sent: Box<crate::client::outbox::Sent>,
    },
    /// A queued write nobody waits for was refused: it is in the dead letters.
    SendFailed {
        label: String,
        message: String,
    },
    /// Training mode: what the trainee's machine kept of the exercises.
    TrainingLoaded(crate::training::exercises::Saved),
    /// Training mode: the sandbox's journal since the last entry seen.
    JournalLoaded(RequestId, Result<crate::api::training::Journal, Failure>),
    /// Training mode: the trainee, playing the citizen, activated an account.
    AccountActivated(RequestId, Result<(), Failure>),
    /// Training mode: whether the sandbox heard that the dossier's VietQR code is shown.
    VietQrTold {
        code: String,
        heard: bool,
    },
    /// The disk refused the outbox's journal (`path`): writes go straight to the portal
    /// meanwhile. Said once until the disk takes a write again.
    OutboxDiskFailed {
        path: PathBuf,
        problem: DiskProblem,
    },
    /// Writes an older version queued that this one cannot read were set aside in `path`.
    OutboxSetAside {
        n: usize,
        path: PathBuf,
    },
    /// The file to attach to document `doc` (`path` with `~/` expanded): its size, or
    /// `None` when it is missing or unreadable.
    FileChecked {
        doc: usize,
        path: String,
        size: Option<u64>,
    },
    /// Tab in a path field: what `typed` completes to.
    PathCompleted {
        typed: String,
        completed: String,
    },
    /// How far the download of request `id` has come (an attachment to show, open or
    /// save).
    Transfer {
        id: RequestId,
        received: u64,
        total: Option<u64>,
    },
    /// The attachment the viewer asked for, ready to show (or why it cannot be).
    AttachmentShown(RequestId, Result<crate::tui::viewer::Shown, Failure>),
    /// What opening an attachment with the system viewer came to.
    AttachmentOpened(RequestId, Result<crate::tui::attachments::Opened, Failure>),
    /// A view of a picture encoded for the terminal's graphics protocol.
    GraphicReady(Box<crate::tui::viewer::Graphic>),
    /// How the outbox stands.
    OutboxCount {
        queued: usize,
        dead: Vec<DeadLetter>,
        /// Seconds to the next retry, when one waits.
        retry_in: Option<u32>,
    },
    /// Issue 16: a citizen's store read (the request says for whom).
    StoreLoaded(
        RequestId,
        Result<Vec<crate::api::documents::StoredDocument>, Failure>,
    ),
    /// A document part digitized: the dossier after it.
    Digitized(RequestId, Result<Dossier, Failure>),
    /// What the scanner saved, or why it did not.
    Scanned(Result<PathBuf, ScanProblem>),
}

/// Why the scanner gave no scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanProblem {
    /// No `scanimage` (SANE) on this computer.
    NoScanner,
    /// It ran and refused (no scanner plugged in, paper jam…), in its own words.
    Refused(String),
    /// The scan could not be written.
    Broken(std::io::ErrorKind),
}

/// A write the portal refused (or that ran out of retries), for the officer to decide on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub id: u64,
    /// A dossier numbered offline whose number the portal refused: sent again, it goes
    /// without it and gets a new code (the receipt printed must be replaced).
    pub renumber: bool,
    pub label: String,
    pub message: String,
}

/// Why a text could not be printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintProblem {
    /// This machine has neither `lp` nor `lpr` (Windows usually has neither).
    NoCommand,
    /// The print command refused: its name and what it said (the printing system's own
    /// words, quoted as they are).
    Refused { command: String, said: String },
    /// The text could not be handed to the print command.
    Broken(std::io::ErrorKind),
}

/// Why the disk refused a write, as an official can act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskProblem {
    /// No space left.
    Full,
    /// The folder cannot be written (permissions, a read-only disk, a file in the way).
    NotWritable,
    /// Anything else: the system's reason, worded by the screen in the official's
    /// language (the system says it in English).
    Other(std::io::ErrorKind),
}

impl DiskProblem {
    pub fn of(e: &std::io::Error) -> DiskProblem {
        use std::io::ErrorKind::*;
        match e.kind() {
            StorageFull | QuotaExceeded => DiskProblem::Full,
            PermissionDenied | ReadOnlyFilesystem | NotADirectory | AlreadyExists => {
                DiskProblem::NotWritable
            }
            other => DiskProblem::Other(other),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Login {
        id: RequestId,
        url: String,
        username: String,
        password: String,
    },
    Logout,
    /// The first page of the inbox's listing and the feed position.
    LoadInbox(RequestId),
    /// Issue 18: one page of a listing.
    LoadPage {
        id: RequestId,
        fetch: crate::tui::paging::Fetch,
    },
    /// Issue 18: answer with `Action::FilterPaused(generation)` after the filter's pause.
    FilterPause {
        generation: u64,
    },
    /// Issue 18: count the dossiers of every queue matching `q` (`Action::CountedElsewhere`).
    CountElsewhere {
        id: RequestId,
        q: String,
    },
    LoadStats(RequestId),
    Poll {
        id: RequestId,
        since: i64,
    },
    LoadDetail {
        id: RequestId,
        code: String,
    },
    Act {
        id: RequestId,
        code: String,
        version: i64,
        request: ActionRequest,
    },
    LoadForm {
        id: RequestId,
        code: String,
        form: Form,
    },
    /// Record the citizen's rating (through the outbox, with its key).
    Rate {
        id: RequestId,
        code: String,
        key: String,
        rating: crate::api::results::RatingIn,
    },
    /// The notices sent to the dossier's applicant (`NoticesLoaded`).
    LoadNotices {
        id: RequestId,
        code: String,
    },
    Download {
        id: RequestId,
        code: String,
        attachment_id: String,
        dest: PathBuf,
    },
    SaveText {
        path: PathBuf,
        text: String,
    },
    /// Fetch an attachment into the cache, check it and make it ready to show
    /// (`Transfer`s, then `AttachmentShown`).
    ViewAttachment {
        id: RequestId,
        code: String,
        attachment: crate::api::dossiers::Attachment,
    },
    /// Fetch an attachment into the cache, check it and open it with the system viewer
    /// or the configured program (`Transfer`s, then `AttachmentOpened`).
    OpenAttachment {
        id: RequestId,
        code: String,
        attachment: crate::api::dossiers::Attachment,
    },
    /// Redraw every cell at the next frame: a picture the terminal's graphics protocol drew
    /// (sixel, iTerm2) may stay on screen where nothing new is drawn over it.
    ClearScreen,
    /// Encode a view of a picture for the terminal's graphics protocol (`GraphicReady`).
    EncodeGraphic {
        key: crate::tui::viewer::GraphicKey,
        picture: std::sync::Arc<crate::tui::viewer::Picture>,
    },
    LoadCatalog(RequestId),
    LoadProcedure {
        id: RequestId,
        code: String,
    },
    /// By the exact 12-digit number, or by words of the name or phone.
    FindCitizens {
        id: RequestId,
        query: String,
    },
    LoadCitizen {
        id: RequestId,
        citizen_id: String,
    },
    CreateCitizen {
        id: RequestId,
        key: String,
        citizen: NewCitizen,
    },
    ReissueActivation {
        id: RequestId,
        citizen_id: String,
        key: String,
        /// The citizen's card, for an account already active (a password reset).
        presented: Option<crate::api::dossiers::Presented>,
    },
    /// Upload a file resumably under `key` (progress comes as `UploadProgress`).
    Upload {
        id: RequestId,
        key: String,
        path: PathBuf,
    },
    CreateDossier {
        id: RequestId,
        key: String,
        request: Box<CreateDossier>,
    },
    /// Keep what intake with the link down needs (a reception officer, online): the
    /// desk's held numbers topped up, and a copy of every procedure of the catalog.
    KeepCodes,
    /// Say how many numbers the desk holds, from its file only (the link is down).
    CountCodes,
    /// The link is back: the outbox sends what waits out a back-off now.
    SendNow,
    /// Logged in (again): the outbox goes on with this session.
    ResumeOutbox,
    /// Training: take the sandbox's link down (`true`) or bring it back.
    CutLink(bool),
    /// Wipe the officer's copies kept for an outage (`:logout wipe`).
    WipeOffline,
    /// Give the dossier being taken in the next held number (the link is down).
    NumberOffline(RequestId),
    PayCash {
        id: RequestId,
        code: String,
        key: String,
        amount: u64,
        receipt_no: String,
    },
    LoadPayment {
        id: RequestId,
        code: String,
    },
    /// Find out whether a file to attach to document `doc` exists and how big it is
    /// (`FileChecked`).
    CheckFile {
        doc: usize,
        path: String,
    },
    /// Complete a typed path from the directory's entries (`PathCompleted`).
    CompletePath {
        typed: String,
    },
    /// Keep the intake draft on disk (`None`: forget it).
    SaveDraft(Option<Box<Draft>>),
    /// Keep the citizens pane's unfinished account form on disk (`None`: forget it).
    SaveCitizensDraft(Option<Box<CitizensDraft>>),
    /// Keep the certification being typed on disk (`None`: forget it).
    SaveCertifyDraft(Option<Box<crate::tui::certify::CertifyDraft>>),
    /// Look for the drafts of the logged-in user (the intake's and the citizens pane's).
    LoadDraft,
    /// Hand a text to the system's print command.
    Print {
        text: String,
    },
    /// Fetch a form's PDF or the register from the portal, save it, maybe print it.
    Paper(crate::tui::paper::Job),
    /// Send a dead letter again (same key), or give it up.
    OutboxRetry(u64),
    OutboxDiscard(u64),
    /// Stop the request; its answer, if any, is ignored.
    Cancel(RequestId),
    /// Training mode: read what the trainee's machine kept of the exercises.
    LoadTraining,
    /// Training mode: keep it.
    SaveTraining(crate::training::exercises::Saved),
    /// Training mode: the sandbox's journal after entry `after`.
    LoadJournal {
        id: RequestId,
        after: i64,
    },
    /// Training mode: tell the sandbox that the dossier's VietQR code is on screen, whole
    /// (`VietQrTold`).
    TellVietQrShown {
        code: String,
    },
    /// Training mode: the citizen's side of an activation.
    ActivateAccount {
        id: RequestId,
        request: crate::api::citizens::ActivateRequest,
    },
    /// Remember the last username of a profile.
    RememberUser {
        profile: String,
        username: String,
    },
    /// Issue 16: read a citizen's store (`StoreLoaded`).
    LoadStore {
        id: RequestId,
        citizen_id: String,
    },
    /// Digitize a document part at the dossier's `version`, through the outbox
    /// (`Digitized`).
    Digitize {
        id: RequestId,
        code: String,
        part_id: String,
        version: i64,
        request: crate::api::documents::DigitizationRequest,
    },
    /// Scan a page with the scanner (`Scanned`).
    Scan,
    /// Issue 21: enter a certification, through the outbox with its key (`Certified`).
    Certify {
        id: RequestId,
        key: String,
        request: Box<crate::api::certifications::NewCertification>,
    },
    /// Issue 21: a page of the books (`BookLoaded`).
    LoadBook {
        id: RequestId,
        query: crate::api::certifications::CertificationQuery,
    },
    /// Issue 21: a fee order for `amount` đồng under `key` (`FeeOrdered`).
    OrderFee {
        id: RequestId,
        key: String,
        amount: u64,
    },
    /// Issue 21: a fee order as it stands (`FeeOrdered`).
    LoadFeeOrder {
        id: RequestId,
        reference: String,
    },
    /// Issue 21: the certifications and fees of one day (`CertifyTotalsLoaded`).
    LoadCertifyTotals {
        id: RequestId,
        day: chrono::NaiveDate,
    },
    Quit,
}
