//! The TUI's whole state: what `update` changes and `render` draws. No IO here.

use crate::api::auth::Me;
use crate::api::dossiers::{Dossier, DossierSummary};
use crate::api::stats::Stats;
use crate::domain::Lang;
use crate::domain::forms::Form;
use crate::domain::status::Queue;
use crate::domain::text::{Matcher, search_key};
use crate::domain::workflow::{Action as Step, Input};
use crate::tui::keymap::{Context, Keymap};
use crate::tui::theme::Theme;
use chrono::{DateTime, FixedOffset};
use ratatui_textarea::TextArea;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

/// A portal the user can log into, from the config (or the training sandbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    /// Base URL of the API, e.g. `http://127.0.0.1:8080/api/v1`.
    pub url: String,
    pub training: bool,
    /// Shown on the login screen of a training portal.
    pub demo_hint: Option<String>,
}

/// What a profile changes when it is chosen: its language, theme and keymap, and the
/// username last used with it. Kept beside `App::profiles`, index for index.
#[derive(Debug, Clone, Default)]
pub struct ProfileSettings {
    pub language: Option<Lang>,
    pub theme: Option<Theme>,
    pub keymap: Option<Keymap>,
    pub last_username: Option<String>,
}

/// Identifies one request in flight, so a late answer to a cancelled request is dropped.
pub type RequestId = u64;

/// What a request is for: the spinner's label and what Esc cancels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Login,
    Inbox,
    Stats,
    Poll,
    Detail,
    /// The detail of the inbox's selected dossier, asked for by `f`: its forms menu
    /// opens when it arrives.
    DetailForms,
    Act,
    Form,
    Download,
    Logout,
    /// The procedure catalog and procedure details.
    Catalog,
    /// Citizen searches, records, accounts and activation codes.
    Citizens,
    /// Officer-assisted submission.
    Submit,
    /// A certification entered, the books searched, the day's totals (issue 21).
    Certify,
    /// A certification being entered, and whether its fee's transfer arrived (looked at
    /// every few seconds while the code is on screen): the pane says so itself, and Esc
    /// does not stop them, since the citizen has paid.
    Entry,
    /// A file going up: shown in its row, not with the spinner; Esc does not stop it.
    Upload,
    /// A fee taken during an intake.
    Payment,
    /// A fee taken from the dossier detail (`p`): its answer never reaches the intake,
    /// whether or not the dialog is still open.
    DetailPayment,
    /// Training mode: reading the sandbox's journal.
    Journal,
    /// Issue 18: a page of the inbox, shown in the list's own row, not with the spinner.
    Page,
    /// Issue 16: a citizen's store read for the wizard or the citizens pane, and the
    /// digitizations sent after an intake: shown in their rows, not with the spinner.
    Documents,
    /// An attachment fetched to be shown in the viewer or opened with the system viewer.
    Attachment,
}

impl Purpose {
    /// Background requests are not shown with a spinner and are not cancelled by Esc.
    pub fn is_background(self) -> bool {
        matches!(
            self,
            Purpose::Poll
                | Purpose::Page
                | Purpose::Stats
                | Purpose::Upload
                | Purpose::Journal
                | Purpose::Documents
                | Purpose::Entry
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    pub purpose: Purpose,
    /// Ticks (seconds) since it started, for the spinner.
    pub ticks: u32,
}

/// Why a request failed, as the TUI needs to tell it apart.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The portal could not be reached (or did not answer in time).
    Offline(String),
    /// 401: the session ended (or the credentials were wrong, at login).
    Unauthorized(String),
    /// 412: someone changed the dossier first; here is what it is now.
    Conflict(Box<Dossier>),
    /// A rule refused the request (4xx with the server's message and field errors).
    Refused {
        code: String,
        message: String,
        fields: BTreeMap<String, String>,
    },
    /// 409 `citizen_exists`: the number has an account, this one; `None` when another
    /// office serves the citizen (the portal names no account then).
    Exists { id: Option<String>, message: String },
    /// Anything else, already worded for the user.
    Other(String),
}

/// The connection as the status bar shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkState {
    #[default]
    Unknown,
    Online,
    /// Answers, but a round trip took over a second.
    Slow,
    Offline,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Link {
    pub state: LinkState,
    pub last_rtt: Option<Duration>,
    /// Seconds until the next background attempt while offline.
    pub retry_in: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Login,
    Main,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Inbox,
    Intake,
    Citizens,
    Lookup,
    Stats,
    /// Certification at the desk (issue 21): the entry and the books.
    Certify,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Inbox,
        Tab::Intake,
        Tab::Citizens,
        Tab::Lookup,
        Tab::Stats,
        Tab::Certify,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginField {
    Profile,
    Username,
    Password,
}

/// The login form (also the re-login prompt when a session expires).
#[derive(Debug, Clone)]
pub struct LoginForm {
    pub profile: usize,
    pub username: TextArea<'static>,
    pub password: TextArea<'static>,
    pub focus: LoginField,
    pub error: Option<String>,
    pub pending: Option<RequestId>,
}

/// One dossier in the inbox, with what filtering and sorting need computed once.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub summary: DossierSummary,
    /// `" "` + the search key of code, applicant and procedure: what `/` matches against
    /// ([`Matcher::matches_key`]).
    pub search: String,
    pub due: Option<DateTime<FixedOffset>>,
}

impl Item {
    pub fn new(summary: DossierSummary) -> Item {
        let search = format!(
            " {}",
            search_key(&format!(
                "{} {} {} {}",
                summary.code,
                summary.applicant_name,
                summary.procedure_name,
                summary.procedure_code
            ))
        );
        let due = summary
            .due_at
            .as_deref()
            .and_then(|d| DateTime::parse_from_rfc3339(d).ok());
        Item {
            summary,
            search,
            due,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Loaded {
    #[default]
    Nothing,
    /// Loaded once; shown even when the portal is unreachable.
    Cached,
}

/// The incoming-dossiers pane.
#[derive(Debug, Clone)]
pub struct Inbox {
    pub items: Vec<Item>,
    pub by_code: HashMap<String, usize>,
    /// Every item's index, sorted by due date once per change of the data, so a
    /// keystroke in the filter never sorts.
    pub order: Vec<usize>,
    /// Dossiers per queue among the loaded ones (used until the portal's stats arrive).
    pub local_counts: [u64; 10],
    /// Indices into `items` in the current queue that match the filter, by due date.
    pub view: Vec<usize>,
    /// What `view` was computed for: a filter typed further narrows `view` itself.
    pub view_for: Option<(Queue, String)>,
    /// Items changed since `order` and the counts were computed.
    pub stale: bool,
    /// When the filter finds nothing in this queue: how many it finds in the others.
    pub matches_elsewhere: usize,
    pub queue: Queue,
    pub stats: Option<Stats>,
    /// The request whose answer `stats` is: an older request answering late (a poll's,
    /// overtaken by an action's) must not put back counts from before the action.
    pub stats_request: RequestId,
    pub filter: TextArea<'static>,
    /// The filter field has the keyboard.
    pub filtering: bool,
    pub selected: usize,
    /// First row drawn: the table draws only the rows that fit.
    pub offset: usize,
    /// Rows visible at the last draw, for paging.
    pub page_rows: usize,
    /// Position in the delta feed.
    pub seq: Option<i64>,
    pub loaded: Loaded,
    pub detail: Option<DetailView>,
    /// Dossiers seen extended (in a detail or an action's answer): the list's rows do
    /// not say, and an extension is never taken back, so the menu of a row can leave it out.
    pub extended: std::collections::HashSet<String>,
    /// Issue 18: which pages of which listing `items` holds.
    pub window: crate::tui::paging::Window,
    /// Keystrokes in the filter so far: the pause after the last one asks the portal.
    pub filter_gen: u64,
    /// Paged: how many dossiers of every queue the portal found for a search (the text)
    /// that found none in the queue on screen.
    pub elsewhere: Option<(String, u64)>,
}

/// The detail pane of one dossier.
#[derive(Debug, Clone, PartialEq)]
pub struct DetailView {
    pub code: String,
    pub dossier: Option<Box<Dossier>>,
    pub scroll: u16,
    /// What changed when a 412 made us reload: shown above the detail.
    pub changed: Vec<String>,
    /// The notices sent to the citizen, once asked for (`n`): shown at the end of the
    /// detail as the citizen gets them.
    pub notices: Option<Vec<crate::api::results::Notification>>,
}

/// A field of an action dialog.
#[derive(Debug, Clone)]
pub struct DialogField {
    pub input: Input,
    pub required: bool,
    pub text: TextArea<'static>,
    /// For inputs with fixed choices (verdict, delivery): the options and the chosen one.
    pub choices: Vec<&'static str>,
    pub choice: usize,
}

/// The dialog of one action: its inputs, then a confirmation.
#[derive(Debug, Clone)]
pub struct ActionDialog {
    pub code: String,
    pub version: i64,
    pub step: Step,
    pub fields: Vec<DialogField>,
    pub focus: usize,
    /// Enter on the last field asks to confirm; the second Enter sends.
    pub confirming: bool,
    pub error: Option<String>,
    pub pending: Option<RequestId>,
    /// A return's dialog: what it knows of the applicant, to prefill and check who
    /// collects (`None` for other actions, or when the dossier is not loaded).
    pub facts: Option<ReturnFacts>,
}

/// What a return's dialog knows of the dossier and the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnFacts {
    pub applicant_name: String,
    pub applicant_id: String,
    /// The day a scanned card or a typed number is checked against.
    pub today: chrono::NaiveDate,
}

/// The satisfaction screen offered right after a handover at the desk, turned to the
/// citizen at the counter: three large choices and a comment.
#[derive(Debug, Clone)]
pub struct RatingScreen {
    pub code: String,
    /// 0 very satisfied, 1 satisfied, 2 unsatisfied (`RatingLevel::ALL`).
    pub choice: usize,
    pub comment: TextArea<'static>,
    /// The comment has the keyboard (Tab); else the choices do.
    pub on_comment: bool,
    /// The idempotency key of this rating, fixed when the screen opens.
    pub key: String,
    pub pending: Option<RequestId>,
    pub error: Option<String>,
}

/// What a text view over the screen shows, to read, save or print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printable {
    /// A form (Mẫu 01–05) of the dossier `code`.
    Form(Form),
    /// The activation slip of the citizen whose number is `code`.
    Slip,
    /// Issue 21: the certificate of the certification entry whose id is `code`.
    Certificate {
        kind: crate::api::certifications::Kind,
        year: i32,
        number: u32,
    },
}

impl Printable {
    /// The file name it is saved under by default.
    pub fn file_name(self, code: &str) -> String {
        match self {
            Printable::Form(form) => format!("{code}-{}.txt", form.as_str()),
            Printable::Slip => format!("kich-hoat-{code}.txt"),
            // `01/2026-SCT/BS` number 12 → `chung-thuc-01-2026-SCT-BS-12.pdf`.
            Printable::Certificate { kind, year, number } => {
                let book: String = crate::domain::text::search_key(
                    &crate::domain::certification::book(kind, year),
                )
                .chars()
                .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '-' })
                .collect();
                format!("chung-thuc-{book}-{number}.pdf")
            }
        }
    }
}

/// A form (Mẫu 01–05) or an activation slip shown as text.
#[derive(Debug, Clone)]
pub struct FormView {
    pub code: String,
    pub printable: Printable,
    pub text: Option<String>,
    pub scroll: u16,
    /// The save-to path prompt, when open.
    pub save_to: Option<TextArea<'static>>,
}

/// A choice among a few things (actions, forms, attachments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu<T> {
    pub code: String,
    pub items: Vec<T>,
    pub selected: usize,
}

/// Where to save an attachment.
#[derive(Debug, Clone)]
pub struct DownloadPrompt {
    pub code: String,
    pub attachment_id: String,
    pub filename: String,
    pub path: TextArea<'static>,
}

/// The help overlay: the keys of the pane it was opened over, as they were then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpPage {
    pub context: Context,
    pub enabled: Vec<crate::tui::keymap::Command>,
}

/// Taking the fee of an open dossier at any time: cash (a receipt number) or VietQR (the
/// code shown until the bank's payment arrives in the delta feed).
#[derive(Debug, Clone)]
pub struct PayDialog {
    pub code: String,
    pub amount: u64,
    /// Cash or VietQR (never "later": closing the dialog is later).
    pub choice: crate::tui::intake::PayChoice,
    pub receipt_no: TextArea<'static>,
    /// The idempotency key of the cash payment: a retry records it once.
    pub key: String,
    pub pending: Option<RequestId>,
    /// The VietQR payment to show, once loaded.
    pub payment: Option<crate::api::payments::Payment>,
    pub error: Option<String>,
}

/// What the official asked to do that would leave something behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    Quit,
    Logout,
}

/// Asked before quitting or logging out while writes wait in the outbox or a form holds
/// typed text: what would be left, one line each, and what leaving does to it.
#[derive(Debug, Clone)]
pub struct LeavePrompt {
    pub leaving: Leaving,
    pub reasons: Vec<String>,
    /// What the prompt covers (Ctrl-C reaches it over a dialog): back on top when the
    /// official stays.
    pub under: Option<Box<Overlay>>,
}

/// What sits on top of the screen and has the keyboard.
#[derive(Debug, Clone)]
pub enum Overlay {
    Leave(LeavePrompt),
    Help(HelpPage),
    Payment(Box<PayDialog>),
    CommandLine(Box<TextArea<'static>>),
    Actions(Menu<Step>),
    Dialog(Box<ActionDialog>),
    /// The citizen's satisfaction, asked after a handover.
    Rating(Box<RatingScreen>),
    Forms(Menu<Form>),
    Form(Box<FormView>),
    Attachments(Menu<(String, String)>),
    DeadLetters(Menu<crate::tui::action::DeadLetter>),
    Download(Box<DownloadPrompt>),
    /// An attachment shown inside the terminal, with the dossier's others a key away.
    Viewer(Box<crate::tui::viewer::Viewer>),
    /// Which attachment to open with the system viewer.
    OpenAttachment(Menu<crate::api::dossiers::Attachment>),
    /// Training mode: the exercises and their progress.
    Exercises(Box<crate::tui::training::ExercisesView>),
    /// Issue 16: a document part's scan and metadata.
    Digitize(Box<crate::tui::documents::DigitizeForm>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Info,
    Success,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub kind: ToastKind,
    pub text: String,
    /// Ticks left before it fades.
    pub ttl: u32,
}

/// A write the outbox delivered while no screen waited for it.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivered {
    /// The dossier a submission made.
    Dossier(Box<Dossier>),
    /// A citizen account made.
    Citizen,
}

/// How many delivered writes [`App::delivered`] remembers.
pub const DELIVERED_KEPT: usize = 16;

/// Everything the screen shows.
#[derive(Debug, Clone)]
pub struct App {
    pub lang: Lang,
    pub theme: Theme,
    pub keymap: Keymap,
    pub profiles: Vec<Profile>,
    /// Per-profile settings (may be shorter than `profiles`: missing means none).
    pub profile_settings: Vec<ProfileSettings>,
    /// What the configuration says when a profile says nothing.
    pub defaults: (Lang, Theme, Keymap),
    pub screen: Screen,
    pub login: LoginForm,
    pub me: Option<Me>,
    /// The session expired: the login form sits over the screen, which keeps its state.
    pub relogin: bool,
    pub tab: Tab,
    pub inbox: Inbox,
    /// The procedure catalog, once loaded, and the procedures whose detail is here.
    pub catalog: Vec<crate::api::catalog::ProcedureSummary>,
    pub procedures: HashMap<String, crate::domain::catalog::Procedure>,
    /// The procedure whose detail is being fetched.
    pub loading_procedure: Option<String>,
    /// Enter was pressed on a procedure whose detail had not arrived.
    pub pick_when_loaded: bool,
    pub intake: crate::tui::intake::Wizard,
    /// A draft from an earlier run, offered before a new intake starts.
    pub draft_offer: Option<crate::tui::intake::Draft>,
    /// The draft as last saved: a change that saves nothing new writes nothing.
    pub last_draft: Option<crate::tui::intake::Draft>,
    /// The citizens pane's forms as last saved (likewise).
    pub last_citizens_draft: Option<crate::tui::intake::CitizensDraft>,
    /// Writes the outbox delivered with no screen waiting for them, by idempotency key,
    /// the last few: a draft read from disk after its write went (a restart's race) is
    /// closed, not offered to be typed in again.
    pub delivered: VecDeque<(String, Delivered)>,
    /// Uploads in flight: which document row each request is for.
    pub uploads: HashMap<RequestId, usize>,
    pub citizens: crate::tui::intake::CitizensPane,
    pub lookup: TextArea<'static>,
    /// Under the lookup field: why the last search found nothing (or could not search).
    pub lookup_note: Option<String>,
    /// The lookup's search on its way: its request and the code asked for. The pane stays
    /// until the dossier is found.
    pub lookup_pending: Option<(RequestId, String)>,
    pub overlay: Option<Overlay>,
    pub toasts: VecDeque<Toast>,
    pub link: Link,
    /// Logged in without the portal (issue 19): the password checked against the last
    /// online login's; the first request that reaches the portal asks for a real login.
    pub offline_session: bool,
    /// Dossier numbers the desk holds for intake with the link down (`None`: none kept).
    pub held_codes: Option<usize>,
    /// `:logout wipe`: the desk's copies kept for an outage (the session, the citizens)
    /// are wiped at this logout.
    pub wipe_at_logout: bool,
    /// The working-day calendar (the configuration's, as the portal's): a dossier taken
    /// in with the link down has its due time from it.
    pub calendar: crate::domain::calendar::Calendar,
    pub pending: BTreeMap<RequestId, Pending>,
    pub next_request: RequestId,
    /// Writes queued and not yet confirmed by the portal.
    pub outbox: usize,
    /// Seconds to the outbox's next retry, when one waits.
    pub outbox_retry_in: Option<u32>,
    /// Writes the portal refused (or that ran out of retries): `:outbox` lists them.
    pub dead_letters: Vec<crate::tui::action::DeadLetter>,
    /// Said once: the session token is kept in memory only.
    pub notice: Option<String>,
    /// Seconds until the next background refresh.
    pub poll_in: u32,
    pub poll_every: u32,
    /// Consecutive failed background polls, for the back-off.
    pub poll_failures: u32,
    pub now: DateTime<FixedOffset>,
    pub quit: bool,
    /// Training mode: the exercises' judge, once the trainee's saved progress is read.
    pub exercises: Option<crate::training::exercises::Tracker>,
    /// Seconds until the sandbox's journal is read again.
    pub journal_in: u32,
    /// The journal is being read up to now after a login: what it holds was announced in
    /// earlier sessions, so it completes exercises without toasts.
    pub journal_catching_up: bool,
    /// Idempotency keys for writes: drawn here, not at random inside `update`.
    pub keys: crate::tui::idempotency::KeySource,
    /// The folder forms and registers are saved in (`[printing] folder`, resolved): a
    /// form's save prompt starts with it, so the officer sees where the file goes and
    /// may choose another folder. `None`: the prompt offers the bare file name, which is
    /// saved in that folder all the same.
    pub paper_folder: Option<std::path::PathBuf>,
    /// The statistics pane: which index its chart shows, and counts or rates.
    pub stats_view: StatsView,
    /// The terminal's columns and rows, as the last resize said (0×0 before any): what
    /// `update` knows of the screen, to page the inbox and to know whether a VietQR code
    /// is drawn whole.
    pub size: (u16, u16),
    /// Training mode: the dossiers whose VietQR code the sandbox was told is on screen
    /// (told once each; a failed telling is forgotten, so it is told again).
    pub vietqr_told: std::collections::BTreeSet<String>,
    /// How pictures are drawn here, the downloads under way, the viewer under its help.
    pub attachments: crate::tui::viewer::Attachments,
    /// The certification pane (issue 21).
    pub certify: crate::tui::certify::CertifyPane,
    /// The certification being typed as last saved (a change that saves nothing new
    /// writes nothing).
    pub last_certify_draft: Option<crate::tui::certify::CertifyDraft>,
}

impl App {
    pub fn new(
        lang: Lang,
        theme: Theme,
        keymap: Keymap,
        profiles: Vec<Profile>,
        now: DateTime<FixedOffset>,
    ) -> App {
        let mut keys = crate::tui::idempotency::KeySource::random();
        App {
            defaults: (lang, theme.clone(), keymap.clone()),
            lang,
            theme,
            keymap,
            profiles,
            profile_settings: Vec::new(),
            screen: Screen::Login,
            login: LoginForm::new(),
            me: None,
            relogin: false,
            tab: Tab::Inbox,
            inbox: Inbox::new(),
            catalog: Vec::new(),
            procedures: HashMap::new(),
            loading_procedure: None,
            pick_when_loaded: false,
            intake: crate::tui::update::fresh_wizard(&mut keys),
            certify: crate::tui::certify::CertifyPane::new(keys.next_key()),
            last_certify_draft: None,
            draft_offer: None,
            last_draft: None,
            last_citizens_draft: None,
            delivered: VecDeque::new(),
            uploads: HashMap::new(),
            citizens: crate::tui::intake::CitizensPane::new(),
            lookup: text_field(),
            lookup_note: None,
            lookup_pending: None,
            overlay: None,
            toasts: VecDeque::new(),
            link: Link::default(),
            offline_session: false,
            held_codes: None,
            wipe_at_logout: false,
            calendar: crate::domain::calendar::Calendar::default(),
            pending: BTreeMap::new(),
            next_request: 1,
            outbox: 0,
            outbox_retry_in: None,
            dead_letters: Vec::new(),
            notice: None,
            poll_in: 0,
            poll_every: 5,
            poll_failures: 0,
            now,
            quit: false,
            exercises: None,
            journal_in: 0,
            journal_catching_up: false,
            keys,
            paper_folder: None,
            stats_view: StatsView::default(),
            size: (0, 0),
            vietqr_told: std::collections::BTreeSet::new(),
            attachments: crate::tui::viewer::Attachments::default(),
        }
    }

    /// Applies the chosen profile's language, theme, keymap and last username.
    pub fn apply_profile(&mut self) {
        let settings = self
            .profile_settings
            .get(self.login.profile)
            .cloned()
            .unwrap_or_default();
        self.lang = settings.language.unwrap_or(self.defaults.0);
        self.theme = settings.theme.unwrap_or_else(|| self.defaults.1.clone());
        self.keymap = settings.keymap.unwrap_or_else(|| self.defaults.2.clone());
        self.login.username = text_field();
        if let Some(user) = settings.last_username {
            self.login.username.insert_str(user);
            self.login.focus = LoginField::Password;
        } else if self.login.focus == LoginField::Password {
            self.login.focus = LoginField::Username;
        }
    }

    pub fn profile(&self) -> Option<&Profile> {
        self.profiles.get(self.login.profile)
    }

    /// True when the portal says (or the profile says) this is a training sandbox.
    pub fn training(&self) -> bool {
        self.me.as_ref().is_some_and(|m| m.training) || self.profile().is_some_and(|p| p.training)
    }

    /// The keymap context of what has the keyboard.
    pub fn busy(&self) -> bool {
        self.pending.values().any(|p| !p.purpose.is_background())
    }
}

impl LoginForm {
    pub fn new() -> LoginForm {
        let mut password = text_field();
        password.set_mask_char('•');
        LoginForm {
            profile: 0,
            username: text_field(),
            password,
            focus: LoginField::Username,
            error: None,
            pending: None,
        }
    }
}

impl Default for LoginForm {
    fn default() -> Self {
        LoginForm::new()
    }
}

impl Inbox {
    pub fn new() -> Inbox {
        Inbox {
            items: Vec::new(),
            by_code: HashMap::new(),
            order: Vec::new(),
            local_counts: [0; 10],
            view: Vec::new(),
            view_for: None,
            stale: false,
            matches_elsewhere: 0,
            queue: Queue::OnlinePending,
            stats: None,
            stats_request: 0,
            filter: text_field(),
            filtering: false,
            selected: 0,
            offset: 0,
            page_rows: 10,
            seq: None,
            loaded: Loaded::Nothing,
            detail: None,
            extended: std::collections::HashSet::new(),
            window: crate::tui::paging::Window::empty(crate::tui::paging::ListKey::new(
                Queue::OnlinePending,
                "",
            )),
            filter_gen: 0,
            elsewhere: None,
        }
    }

    /// Replaces everything with a fresh load: the first page of a listing.
    pub fn replace(&mut self, first: crate::tui::paging::PageAnswer) {
        let keep = self.selected_code();
        self.window = crate::tui::paging::Window::start(&first);
        self.items = first.items.into_iter().map(Item::new).collect();
        self.by_code = self
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.summary.code.clone(), i))
            .collect();
        self.loaded = Loaded::Cached;
        self.reindex();
        self.rebuild(keep);
    }

    /// The listing the screen asks for: the queue, and the filter as typed.
    pub fn wanted(&self) -> crate::tui::paging::ListKey {
        crate::tui::paging::ListKey::new(self.queue, &self.filter_text())
    }

    /// Every dossier of the office is held (it fitted in one page of `all`): queues and
    /// filters answer from what is held and never ask the portal.
    pub fn whole(&self) -> bool {
        let key = &self.window.key;
        self.window.complete() && key.queue == Queue::All && key.q.is_empty()
    }

    /// Takes a page of the listing held, next to the held ones, and lets go of the page
    /// farthest from the selection when too many are held. `false`: the page was not
    /// for this window (a late answer), and nothing changed.
    pub fn add_page(&mut self, answer: crate::tui::paging::PageAnswer) -> bool {
        if !self.window.take(&answer) {
            return false;
        }
        let keep = self.selected_code();
        for summary in answer.items {
            self.put(summary);
        }
        let near = keep
            .as_ref()
            .and_then(|code| self.by_code.get(code))
            .map(|&i| self.page_of(&crate::tui::paging::row_key(&self.items[i].summary)))
            .unwrap_or(answer.number);
        if let Some((lower, upper)) = self.window.evict(near, answer.number) {
            let gone: Vec<String> = self
                .items
                .iter()
                .map(|it| crate::tui::paging::row_key(&it.summary))
                .filter(|k| {
                    lower.as_ref().is_none_or(|l| k > l) && upper.as_ref().is_none_or(|u| k <= u)
                })
                .map(|(_, code)| code)
                .collect();
            for code in gone {
                self.take_out(&code);
            }
        }
        self.stale = true;
        self.rebuild(keep);
        true
    }

    /// The held page a row at `key` belongs to.
    fn page_of(&self, key: &crate::tui::paging::RowKey) -> usize {
        let w = &self.window;
        (w.first..=w.last())
            .find(|&n| {
                w.ends
                    .get(n)
                    .cloned()
                    .flatten()
                    .is_none_or(|end| *key <= end)
            })
            .unwrap_or(w.last())
    }

    /// The next page to ask for, if any: the first page of the listing wanted when it is
    /// not the one held (`settled`: the filter is not being typed), else the page past
    /// either end of the held ones when the selection is within a screen of it.
    pub fn next_fetch(&self, settled: bool) -> Option<crate::tui::paging::Fetch> {
        use crate::tui::paging::Fetch;
        if self.loaded == Loaded::Nothing || self.whole() {
            return None;
        }
        let wanted = self.wanted();
        let w = &self.window;
        if wanted != w.key {
            let asked = w
                .loading
                .as_ref()
                .is_some_and(|(_, f)| f.key == wanted && f.number == 0);
            // While the filter is typed, only a change of queue asks at once.
            let now = settled || wanted.queue != w.key.queue;
            return (!asked && now).then_some(Fetch {
                key: wanted,
                number: 0,
                cursor: None,
            });
        }
        if w.loading.is_some() {
            return None;
        }
        // Within a page of either end, at most: a margin as tall as a tall terminal
        // would ask for pages past what is held (`HELD_PAGES`), letting go of the one
        // just taken, without end.
        let page = crate::tui::paging::PAGE_ROWS as usize;
        let margin = self.page_rows.clamp(1, page);
        let held = w.held > 0;
        // A screen taller than the rows held is filled, while that lets nothing go.
        let unfilled = w.held < crate::tui::paging::HELD_PAGES
            && self.offset + self.page_rows > self.view.len();
        if held && w.next.is_some() && (self.selected + margin >= self.view.len() || unfilled) {
            return Some(Fetch {
                key: w.key.clone(),
                number: w.last() + 1,
                cursor: w.next.clone(),
            });
        }
        if held && w.first > 0 && self.selected < margin {
            return Some(Fetch {
                key: w.key.clone(),
                number: w.first - 1,
                cursor: w.starts.get(w.first - 1).cloned().flatten(),
            });
        }
        None
    }

    /// How many rows the list has: the portal's count for the listing when the screen
    /// shows it whole, else the rows found among those held.
    pub fn shown(&self) -> u64 {
        if self.whole() || self.wanted() != self.window.key {
            return self.view.len() as u64;
        }
        if self.window.key.q.is_empty() {
            self.count(self.queue)
        } else {
            self.window.total
        }
    }

    /// After the data changed: the due-date order and the local counts. Callers then
    /// `rebuild` the view.
    ///
    /// With the whole office held, dossiers without a due time (online submissions not
    /// yet received) come first, oldest first, then by due time. With pages held, the
    /// order is the portal's listing (due time, then code, those without a due time
    /// last): the keyset its cursors walk, so that the rows held are one unbroken run.
    pub fn reindex(&mut self) {
        let items = &self.items;
        let mut order: Vec<usize> = (0..items.len()).collect();
        if self.whole() {
            order.sort_by(|&a, &b| {
                let (a, b) = (&items[a], &items[b]);
                (
                    a.due.is_some(),
                    a.due,
                    &a.summary.submitted_at,
                    &a.summary.code,
                )
                    .cmp(&(
                        b.due.is_some(),
                        b.due,
                        &b.summary.submitted_at,
                        &b.summary.code,
                    ))
            });
        } else {
            order.sort_by(|&a, &b| {
                let (a, b) = (&items[a].summary, &items[b].summary);
                crate::tui::paging::row_key_ref(a).cmp(&crate::tui::paging::row_key_ref(b))
            });
        }
        self.order = order;
        let mut counts = [0u64; 10];
        for item in items {
            for (n, queue) in Queue::ALL.iter().enumerate() {
                if queue.contains(item.summary.status, item.summary.overdue) {
                    counts[n] += 1;
                }
            }
        }
        self.local_counts = counts;
        self.view_for = None;
    }

    /// Applies one changed dossier from the delta feed (or an action's answer): held
    /// when it belongs to the run of the listing held, let go when it left it (another
    /// queue, or past the held pages).
    pub fn upsert(&mut self, summary: DossierSummary) {
        if self.whole() || self.belongs(&summary) {
            self.put(summary);
        } else {
            self.take_out(&summary.code.clone());
        }
    }

    /// Would the listing held have `summary` among its held rows?
    fn belongs(&self, summary: &DossierSummary) -> bool {
        let key = &self.window.key;
        if !key.queue.contains(summary.status, summary.overdue) {
            return false;
        }
        if !key.q.is_empty() {
            let item = Item::new(summary.clone());
            if !Matcher::new(&key.q).matches_key(&item.search) {
                return false;
            }
        }
        self.window.covers(&crate::tui::paging::row_key(summary))
    }

    fn put(&mut self, summary: DossierSummary) {
        self.stale = true;
        match self.by_code.get(&summary.code) {
            Some(&i) => self.items[i] = Item::new(summary),
            None => {
                self.by_code.insert(summary.code.clone(), self.items.len());
                self.items.push(Item::new(summary));
            }
        }
    }

    /// Removes a dossier the feed says is gone.
    pub fn remove(&mut self, code: &str) {
        self.take_out(code);
    }

    fn take_out(&mut self, code: &str) {
        if let Some(i) = self.by_code.remove(code) {
            self.stale = true;
            self.items.swap_remove(i);
            if let Some(moved) = self.items.get(i) {
                self.by_code.insert(moved.summary.code.clone(), i);
            }
        }
    }

    pub fn filter_text(&self) -> String {
        self.filter.lines().join(" ")
    }

    /// Recomputes the visible rows: the queue and the filter over the items in due-date
    /// order (dossiers without a due time — online submissions not yet received — first,
    /// oldest first), keeping the selected dossier selected when it is still there. When
    /// the filter only grew since the last time, only the rows shown are searched.
    pub fn rebuild(&mut self, keep: Option<String>) {
        if self.stale {
            self.reindex();
            self.stale = false;
        }
        let text = self.filter_text();
        let matcher = Matcher::new(&text);
        let queue = self.queue;
        let narrowing = self
            .view_for
            .as_ref()
            .is_some_and(|(q, t)| *q == queue && text.starts_with(t.as_str()));
        // Rows the portal found for this very text need no second look (its search may
        // find what the local one would not); a text typed since narrows them here.
        let held = &self.window.key;
        let searched = !self.whole() && held.queue == queue && held.q == text.trim();
        // Rows held of another queue's listing are neither this queue's order nor all
        // of it: nothing is shown until its own first page comes.
        let other_queue = !self.whole() && self.window.key.queue != queue;
        let items = &self.items;
        let keeps = |i: &usize| {
            let it = &items[*i];
            !other_queue
                && queue.contains(it.summary.status, it.summary.overdue)
                && (searched || matcher.matches_key(&it.search))
        };
        self.view = if narrowing {
            self.view.iter().copied().filter(keeps).collect()
        } else {
            self.order.iter().copied().filter(keeps).collect()
        };
        self.matches_elsewhere = if self.view.is_empty() && !matcher.is_empty() {
            if self.whole() {
                items
                    .iter()
                    .filter(|it| matcher.matches_key(&it.search))
                    .count()
            } else {
                // Paged: what the portal counted in every queue for this very search.
                self.elsewhere
                    .as_ref()
                    .filter(|(q, _)| *q == text.trim())
                    .map_or(0, |(_, n)| *n as usize)
            }
        } else {
            0
        };
        self.view_for = Some((queue, text));
        self.selected = keep
            .and_then(|code| {
                self.view
                    .iter()
                    .position(|&i| self.items[i].summary.code == code)
            })
            .unwrap_or(0)
            .min(self.view.len().saturating_sub(1));
        self.scroll_into_view();
    }

    pub fn selected_item(&self) -> Option<&Item> {
        self.view.get(self.selected).map(|&i| &self.items[i])
    }

    pub fn selected_code(&self) -> Option<String> {
        self.selected_item().map(|it| it.summary.code.clone())
    }

    /// How many dossiers are in `queue` (before the filter); 0 while unknown.
    pub fn count(&self, queue: Queue) -> u64 {
        self.count_known(queue).unwrap_or(0)
    }

    /// How many dossiers are in `queue`, when known: from the portal's counts, else from
    /// the rows held when they are the whole office or that queue's listing. `None`
    /// before the counts come for a queue not held (the first screen's page can arrive
    /// before them): shown as "…", never as a count of the rows that happen to be held.
    pub fn count_known(&self, queue: Queue) -> Option<u64> {
        if let Some(stats) = &self.stats {
            let q = &stats.queues;
            return Some(match queue {
                Queue::OnlinePending => q.online_pending,
                Queue::Received => q.received,
                Queue::InProgress => q.in_progress,
                Queue::Supplement => q.supplement,
                Queue::AwaitingPayment => q.awaiting_payment,
                Queue::ResultReady => q.result_ready,
                Queue::Returned => q.returned,
                Queue::Closed => q.closed,
                Queue::Overdue => q.overdue,
                Queue::All => q.all,
            });
        }
        if self.whole() {
            let at = Queue::ALL.iter().position(|q| *q == queue).unwrap_or(0);
            return Some(self.local_counts[at]);
        }
        let held = &self.window.key;
        (held.queue == queue && held.q.is_empty()).then_some(self.window.total)
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.view.is_empty() {
            return;
        }
        let last = self.view.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.scroll_into_view();
    }

    pub fn scroll_into_view(&mut self) {
        let rows = self.page_rows.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        // A list that shrank scrolls back, so the rows it has fill the screen.
        self.offset = self.offset.min(self.view.len().saturating_sub(rows));
    }
}

impl Default for Inbox {
    fn default() -> Self {
        Inbox::new()
    }
}

/// A one-line text field: no block, no underline on the cursor line.
pub fn text_field() -> TextArea<'static> {
    let mut t = TextArea::default();
    t.set_cursor_line_style(ratatui::style::Style::default());
    t
}

/// A field's text as one line.
pub fn field_text(t: &TextArea<'_>) -> String {
    t.lines().join(" ")
}

/// The statistics pane's choices (↑/↓ an index, `c` counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsView {
    /// The index charted month by month, a row of [`crate::tui::view::stats::INDICES`].
    pub index: usize,
    /// Counts (numerator / denominator) instead of rates.
    pub counts: bool,
}
