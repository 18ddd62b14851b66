//! The event loop: terminal events and ticks become `Action`s, `update` turns them into
//! `Effect`s, and network effects run as tokio tasks through `crate::client`, reporting
//! back as `Action`s. Nothing awaits the network on the drawing path; every request can
//! be aborted (Esc).

use crate::api::dossiers::ApplicantRef;
use crate::api::error::ErrorCode;
use crate::client::leases::HeldCodes;
use crate::client::outbox::Write;
use crate::client::{ClientError, PortalClient, token_store::TokenStore};
use crate::config::Config;
use crate::domain::Lang;
use crate::domain::workflow::Role;
use crate::tui::action::{Action, Delta, Effect};
use crate::tui::drafts;
use crate::tui::i18n::{tr, trf};
use crate::tui::keymap::Keymap;
use crate::tui::memory::Memory;
use crate::tui::sending::Waiter;
use crate::tui::state::{App, Failure, Profile, ProfileSettings, RequestId};
use crate::tui::theme::Theme;
use crate::tui::update::update;
use crate::tui::{terminal, view};
use chrono::FixedOffset;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::AbortHandle;

/// The desk's copy of citizens, shared with the tasks that read and feed it.
type CitizenSlot = Arc<Mutex<Option<crate::client::citizen_cache::CitizenCache>>>;

/// Opens the officer's copy of citizens into `slot` (on the blocking pool: the key may
/// come from argon2id, the keyring may block on D-Bus).
fn open_citizens(
    slot: &CitizenSlot,
    store: &Arc<Mutex<Option<TokenStore>>>,
    data_dir: Option<&std::path::Path>,
    (profile, user): (&str, &str),
    password: Option<&str>,
    (now, keep_days): (crate::domain::calendar::LocalTime, u32),
) {
    let Some(dir) = data_dir else { return };
    let path = crate::tui::offline::citizens_path(dir, profile, user);
    let owner = crate::client::citizen_cache::CacheOwner::new(profile, user);
    let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
    let keyring = guard.get_or_insert_with(|| TokenStore::open("motcua"));
    let cache = crate::tui::offline::open_citizens(&path, owner, keyring, password, now, keep_days);
    *slot.lock().unwrap_or_else(|p| p.into_inner()) = cache;
}

/// Keeps what the portal showed of `found` in the desk's copy (saved at once).
fn keep_citizens(
    slot: &CitizenSlot,
    found: &[crate::api::citizens::Citizen],
    now: crate::domain::calendar::LocalTime,
) {
    let mut guard = slot.lock().unwrap_or_else(|p| p.into_inner());
    let Some(cache) = guard.as_mut() else { return };
    for c in found {
        cache.put(crate::client::citizen_cache::CachedCitizen::from_citizen(
            c, now,
        ));
    }
    if let Err(e) = cache.save(now) {
        tracing::warn!("the desk's copy of citizens not saved: {e}");
    }
}

/// What the desk's copy finds for `query`, as `GET /citizens` would: the exact number,
/// or words of the name or phone.
fn cached_citizens(
    cache: &crate::client::citizen_cache::CitizenCache,
    query: &str,
) -> Vec<crate::api::citizens::Citizen> {
    let query = query.trim();
    if let Some(c) = cache.by_number(query) {
        return vec![crate::tui::offline::citizen_of(c)];
    }
    cache
        .search(query, 50)
        .into_iter()
        .map(crate::tui::offline::citizen_of)
        .collect()
}

/// The held numbers and whose they are (profile, username).
type HeldOf = ((String, String), Arc<tokio::sync::Mutex<HeldCodes>>);

/// What the app starts with.
#[derive(Debug, Clone)]
pub struct Options {
    pub config: Config,
    /// Where remembered usernames go (the platform data directory).
    pub data_dir: Option<PathBuf>,
    /// Extra profiles placed first (the training sandbox).
    pub extra_profiles: Vec<Profile>,
    /// The training sandbox's own link to its portal, which `:offline` takes down and
    /// `:online` brings back (an outage to practise); `None` elsewhere.
    pub outage: Option<Outage>,
}

/// Takes a link down (`true`) or brings it back (`false`).
#[derive(Clone)]
pub struct Outage(pub Arc<dyn Fn(bool) + Send + Sync>);

impl std::fmt::Debug for Outage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Outage")
    }
}

/// Why the app could not start (after it starts, problems are shown, not returned).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("{0}")]
    Theme(#[from] crate::tui::theme::ThemeError),
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
}

/// Vietnam's clock: the portal's times are all +07:00.
pub fn vn_now() -> chrono::DateTime<FixedOffset> {
    crate::clock::Clock::system().now()
}

/// Builds the app's starting state from the configuration (no terminal needed).
pub fn initial_state(options: &Options) -> Result<App, StartError> {
    let config = &options.config;
    let keymap = Keymap::with_overrides(&config.keys).map_err(|e| {
        let line = config.key_lines.get(e.command()).copied();
        config.error(line, e.to_string())
    })?;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let user_themes =
        crate::config::default_path().and_then(|p| p.parent().map(|d| d.join("themes")));
    let theme = Theme::choose(config.theme.as_deref(), no_color, user_themes.as_deref())?;
    let memory = options
        .data_dir
        .as_deref()
        .map(Memory::load)
        .unwrap_or_default();
    let mut profiles: Vec<Profile> = options.extra_profiles.clone();
    let mut settings: Vec<ProfileSettings> = options
        .extra_profiles
        .iter()
        .map(|p| ProfileSettings {
            last_username: memory.last_username.get(&p.name).cloned(),
            ..ProfileSettings::default()
        })
        .collect();
    // Training brings its own portal: the "this machine" default would only confuse.
    let configured = if options.extra_profiles.is_empty() {
        config.profiles_or_default()
    } else {
        config.profiles.clone()
    };
    for p in configured {
        let keymap = if p.keys.is_empty() {
            None
        } else {
            let mut keys = config.keys.clone();
            keys.extend(p.keys.clone());
            Some(
                Keymap::with_overrides(&keys)
                    .map_err(|e| config.error(p.line, format!("profile '{}': {e}", p.name)))?,
            )
        };
        let theme = match (&p.theme, no_color) {
            (Some(name), false) => Some(Theme::load(name, user_themes.as_deref())?),
            _ => None,
        };
        settings.push(ProfileSettings {
            language: p.language,
            theme,
            keymap,
            last_username: memory.last_username.get(&p.name).cloned(),
        });
        profiles.push(Profile {
            name: p.name,
            url: p.url,
            training: p.training,
            demo_hint: None,
        });
    }
    let mut app = App::new(config.language, theme, keymap, profiles, vn_now());
    app.poll_every = config.poll_seconds;
    app.calendar = config.calendar.clone();
    app.paper_folder = Some(crate::tui::paper::folder(&config.printing));
    app.profile_settings = settings;
    app.apply_profile();
    Ok(app)
}

/// Runs the TUI until the user quits.
pub async fn run(options: Options) -> Result<(), StartError> {
    let mut app = initial_state(&options)?;
    let mut term = terminal::enter()?;
    let (tx, mut rx) = unbounded_channel::<Action>();
    let mut executor = Executor::new(tx.clone(), &options, app.lang);
    // Before anything reads the terminal's input: asking it how it draws pictures reads
    // its answers from there.
    app.attachments.graphics = executor.detect_graphics();

    // Terminal events: Press only (Windows also reports releases).
    let input_tx = tx.clone();
    let input = tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(Ok(event)) = events.next().await {
            let action = match event {
                Event::Key(k) if k.kind == KeyEventKind::Press => Action::Key(k),
                Event::Paste(text) => Action::Paste(text),
                Event::Resize(w, h) => Action::Resize(w, h),
                _ => continue,
            };
            if input_tx.send(action).is_err() {
                break;
            }
        }
    });
    let tick_tx = tx.clone();
    let clock = executor.clock.clone();
    let ticker = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        every.tick().await;
        loop {
            every.tick().await;
            if tick_tx.send(Action::Tick(clock.now())).is_err() {
                break;
            }
        }
    });

    executor.resume(&app);
    let size = term.size()?;
    update(&mut app, Action::Resize(size.width, size.height));
    let result = loop {
        if let Err(e) = terminal::draw(&mut term, |f| view::render(&app, f)) {
            break Err(StartError::Terminal(e));
        }
        let Some(first) = rx.recv().await else {
            break Ok(());
        };
        // Apply everything already waiting before drawing again: one frame per burst.
        let mut batch = vec![first];
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        let mut clear = false;
        for action in batch {
            // A key acts at the portal's now, not at the last tick's: in the first second
            // after the login the ticks still read the desk's own clock (the month a
            // register is exported for, the day an intake is due from).
            if matches!(action, Action::Key(_) | Action::Paste(_)) {
                app.now = executor.clock.now();
            }
            for effect in update(&mut app, action) {
                clear |= effect == Effect::ClearScreen;
                executor.run(effect, &app);
            }
        }
        if clear && let Err(e) = term.clear() {
            break Err(StartError::Terminal(e));
        }
        if app.quit {
            break Ok(());
        }
    };
    input.abort();
    ticker.abort();
    executor.shutdown();
    terminal::leave();
    result
}

/// Carries out effects: network requests as tasks, files, the token store. Public so
/// that benchmarks drive the app headless through the very same effects.
pub struct Executor {
    tx: UnboundedSender<Action>,
    client: Option<PortalClient>,
    store: Arc<Mutex<Option<TokenStore>>>,
    tasks: HashMap<RequestId, AbortHandle>,
    data_dir: Option<PathBuf>,
    timeout: Duration,
    /// The language of what the executor says (offline, expired session, the outbox):
    /// the app's, which is the profile's once one is chosen.
    lang: Lang,
    profile_of_session: Option<(String, String)>,
    /// Writes of the intake draft, and of the training progress, in the order asked.
    draft_writes: OrderedWrites,
    citizens_draft_writes: OrderedWrites,
    certify_draft_writes: OrderedWrites,
    training_writes: OrderedWrites,
    /// The outbox of the session's user, once logged in (needs the data directory).
    sending: Option<crate::tui::sending::Sending>,
    /// Kept in step with the portal's `Date` by every client made here: the ticks that
    /// count down to due times read it.
    pub clock: crate::clock::Clock,
    /// The writer of the last session's outbox, until the next session's waits for it.
    last_writer: Option<tokio::task::JoinHandle<()>>,
    /// `[attachments]` of the configuration.
    attachments: crate::config::Attachments,
    /// The terminal's graphics protocol, when it has one (`detect_graphics`).
    picker: Option<ratatui_image::picker::Picker>,
    /// Where forms are saved and which printer prints them (`[printing]`).
    printing: crate::config::Printing,
    /// `[offline] keep_days`: how old a kept session may be.
    keep_days: u32,
    /// `[offline] codes`: the numbers a reception desk keeps held.
    codes_target: u32,
    /// The held numbers of the officer logged in, beside their outbox (issue 19).
    held: Option<HeldOf>,
    /// The officer's encrypted copy of the citizens the desk has seen, once opened at
    /// login: lookups with the link down answer from it.
    citizens: CitizenSlot,
    outage: Option<Outage>,
}

/// Fetches a job's document, saves it and prints it if asked (`tui::paper`); the file
/// work on the blocking pool.
async fn paper_job(
    c: PortalClient,
    settings: crate::config::Printing,
    job: crate::tui::paper::Job,
) -> Result<crate::tui::paper::Outcome, ClientError> {
    use crate::tui::paper::{self, Document};
    let file = match &job.document {
        Document::Form { code, form } => c.form_pdf(code, form.as_str()).await?,
        Document::Certificate { id, .. } => c.certificate_pdf(id).await?,
        Document::Register { from, to, format } => c.register(*from, *to, *format).await?,
        Document::OfflineReceipt(r) => {
            let r = r.clone();
            let code = r.dossier.code.clone();
            let made = tokio::task::spawn_blocking(move || r.pdf())
                .await
                .map_err(|e| ClientError::Decode(e.to_string()))?
                .map_err(ClientError::Decode)?;
            crate::client::PrintedFile {
                bytes: made.0,
                form_set: made.1.to_owned(),
                filename: Some(format!("{code}-mau-01.pdf")),
            }
        }
    };
    let name = file
        .filename
        .clone()
        .unwrap_or_else(|| job.document.fallback_name());
    let print = job.print && job.document.printable();
    let folder = paper::folder(&settings).display().to_string();
    tokio::task::spawn_blocking(move || {
        let path = paper::target(&settings, job.file.as_deref(), &name);
        let path = paper::save(&path, &file.bytes).map_err(|e| ClientError::File {
            path: path.display().to_string(),
            kind: e.kind(),
        })?;
        let printed = print.then(|| paper::print(&settings, &path));
        Ok(paper::Outcome {
            path,
            bytes: file.bytes.len(),
            form_set: file.form_set,
            printed,
        })
    })
    .await
    .map_err(|_| ClientError::File {
        path: folder,
        kind: std::io::ErrorKind::Other,
    })?
}

impl Executor {
    pub fn new(tx: UnboundedSender<Action>, options: &Options, lang: Lang) -> Executor {
        Executor {
            tx,
            client: None,
            store: Arc::new(Mutex::new(None)),
            tasks: HashMap::new(),
            data_dir: options.data_dir.clone(),
            timeout: Duration::from_secs(u64::from(options.config.request_timeout_seconds)),
            lang,
            profile_of_session: None,
            draft_writes: OrderedWrites::default(),
            citizens_draft_writes: OrderedWrites::default(),
            certify_draft_writes: OrderedWrites::default(),
            training_writes: OrderedWrites::default(),
            sending: None,
            clock: crate::clock::Clock::system(),
            last_writer: None,
            printing: options.config.printing.clone(),
            keep_days: options.config.offline.keep_days,
            codes_target: options.config.offline.codes,
            held: None,
            citizens: Arc::new(Mutex::new(None)),
            outage: options.outage.clone(),
            attachments: options.config.attachments.clone(),
            picker: None,
        }
    }

    /// How this terminal draws pictures, by the configuration and (for `auto`) by asking
    /// it: call once, before the terminal's input is read.
    pub fn detect_graphics(&mut self) -> crate::tui::viewer::Graphics {
        let (graphics, picker) = crate::tui::attachments::graphics::detect(self.attachments.images);
        self.picker = picker;
        graphics
    }

    /// A sender of a download's progress as `Action::Transfer`s: every 64 KiB and at the
    /// end, so a fast link does not flood the screen with redraws.
    fn transfer_progress(
        &self,
        id: RequestId,
    ) -> impl Fn(crate::client::DownloadProgress) + Send + Sync + 'static {
        let tx = self.tx.clone();
        let last = std::sync::atomic::AtomicU64::new(u64::MAX);
        move |p| {
            let before = last.load(std::sync::atomic::Ordering::Relaxed);
            let end = p.total == Some(p.received);
            if before != u64::MAX && p.received < before.saturating_add(64 * 1024) && !end {
                return;
            }
            last.store(p.received, std::sync::atomic::Ordering::Relaxed);
            let _ = tx.send(Action::Transfer {
                id,
                received: p.received,
                total: p.total,
            });
        }
    }

    /// At start: if the keyring holds a token for the remembered user of the first
    /// profile and the portal still accepts it, go straight in.
    fn resume(&mut self, app: &App) {
        let Some(profile) = app.profile().cloned() else {
            return;
        };
        let username = crate::tui::state::field_text(&app.login.username);
        if username.is_empty() {
            return;
        }
        let Ok(client) = self.client_for(&profile, app.lang) else {
            return;
        };
        self.client = Some(client.clone());
        self.profile_of_session = Some((profile.name.clone(), username.clone()));
        let store = self.store.clone();
        let store2 = self.store.clone();
        let tx = self.tx.clone();
        let (clock, keep_days) = (self.clock.clone(), self.keep_days);
        let (slot, data_dir) = (self.citizens.clone(), self.data_dir.clone());
        tokio::spawn(async move {
            let (name, user) = (profile.name.clone(), username.clone());
            let token = tokio::task::spawn_blocking(move || {
                let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
                guard
                    .get_or_insert_with(|| TokenStore::open("motcua"))
                    .load(&name, &user)
            })
            .await
            .ok()
            .flatten();
            let Some(token) = token else { return };
            client.set_token(Some(token));
            let (now, data) = (clock.now(), data_dir.clone());
            let me = match client.me().await {
                Ok(me) => me,
                // The link is down: the account kept at the last online login stands in
                // (the token is this desk's; the portal judges it when the link returns).
                Err(e) if e.is_offline() => {
                    let kept = data.as_deref().and_then(|dir| {
                        let path = crate::tui::offline::session_path(dir, &profile.name, &username);
                        let desk_now = crate::clock::Clock::system().now();
                        crate::tui::offline::kept_me(&path, desk_now, keep_days)
                    });
                    match kept {
                        Some((me, portal_now)) => {
                            clock.set(portal_now);
                            me
                        }
                        None => return client.set_token(None),
                    }
                }
                Err(_) => return client.set_token(None),
            };
            let (slot, store2) = (slot.clone(), store2.clone());
            let (n, u) = (profile.name.clone(), username.clone());
            let _ = tokio::task::spawn_blocking(move || {
                open_citizens(
                    &slot,
                    &store2,
                    data.as_deref(),
                    (&n, &u),
                    None,
                    (now, keep_days),
                );
            })
            .await;
            let _ = tx.send(Action::Resumed(me));
        });
    }

    fn shutdown(&mut self) {
        for (_, task) in self.tasks.drain() {
            task.abort();
        }
    }

    /// Spawns `work` as request `id`; its answer comes back through `done`, followed by
    /// how the link fared.
    fn spawn<T, F>(
        &mut self,
        id: RequestId,
        what: &'static str,
        work: F,
        done: fn(RequestId, Result<T, Failure>) -> Action,
    ) where
        T: Send + 'static,
        F: std::future::Future<Output = Result<T, ClientError>> + Send + 'static,
    {
        let Some(client) = self.client.clone() else {
            let _ = self.tx.send(done(
                id,
                Err(Failure::Unauthorized(
                    tr(self.lang, "login.expired").to_owned(),
                )),
            ));
            return;
        };
        let tx = self.tx.clone();
        let lang = self.lang;
        self.tasks.retain(|_, t| !t.is_finished());
        let handle = tokio::spawn(async move {
            let result = work.await;
            if let Err(e) = &result {
                log_failure(what, e);
            }
            // An answer from the desk's own copies (the catalog, the citizens) is no
            // sign of the link: the client says whether its last request got through.
            let reached = match &result {
                Err(e) => !e.is_offline(),
                Ok(_) => client.online() != Some(false),
            };
            let _ = tx.send(Action::Link {
                rtt: client.last_rtt(),
                reached,
            });
            let _ = tx.send(done(id, result.map_err(|e| failure(e, lang))));
        });
        self.tasks.insert(id, handle.abort_handle());
    }

    pub fn run(&mut self, effect: Effect, app: &App) {
        self.follow_language(app.lang);
        match effect {
            Effect::Login {
                id,
                url,
                username,
                password,
            } => {
                let profile = app.profile().cloned().unwrap_or(Profile {
                    name: String::new(),
                    url: url.clone(),
                    training: false,
                    demo_hint: None,
                });
                let client = match self.client_for(&Profile { url, ..profile }, app.lang) {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = self
                            .tx
                            .send(Action::LoggedIn(id, Err(failure(e, self.lang))));
                        return;
                    }
                };
                self.client = Some(client.clone());
                let profile = app.profile().map(|p| p.name.clone()).unwrap_or_default();
                // The outbox belongs to one user of one portal: the same one logging in
                // again (a session that expired) sends on; anyone else does not.
                let owner = (profile.clone(), username.clone());
                if self.sending.as_ref().is_some_and(|s| s.owner != owner) {
                    self.stop_sending();
                }
                // The queue goes on with the new session once it is one (ResumeOutbox):
                // handed a client without its token yet, it would be refused and pause.
                self.profile_of_session = Some((profile.clone(), username.clone()));
                let store = self.store.clone();
                let tx = self.tx.clone();
                let c = client.clone();
                let kept = self
                    .data_dir
                    .as_deref()
                    .map(|dir| crate::tui::offline::session_path(dir, &profile, &username));
                let (clock, keep_days, lang) = (self.clock.clone(), self.keep_days, self.lang);
                let (slot, data_dir) = (self.citizens.clone(), self.data_dir.clone());
                *slot.lock().unwrap_or_else(|p| p.into_inner()) = None;
                self.spawn(
                    id,
                    "log in",
                    async move {
                        let response = match c.login(&username, &password).await {
                            Ok(response) => response,
                            Err(e) if e.is_offline() => {
                                // The link is down: the password of the last online
                                // login on this desk opens an offline session.
                                if let Some(path) = kept {
                                    let pw = password.clone();
                                    let desk_now = crate::clock::Clock::system().now();
                                    let (slot, store, dir) =
                                        (slot.clone(), store.clone(), data_dir.clone());
                                    let (profile, username) = (profile.clone(), username.clone());
                                    let clock = clock.clone();
                                    let checked = tokio::task::spawn_blocking(move || {
                                        let (me, now) = crate::tui::offline::check(
                                            &path, &pw, desk_now, keep_days,
                                        )?;
                                        // The portal's time, as the desk last knew its
                                        // difference: the held numbers are of its day.
                                        clock.set(now);
                                        open_citizens(
                                            &slot,
                                            &store,
                                            dir.as_deref(),
                                            (&profile, &username),
                                            Some(&pw),
                                            (now, keep_days),
                                        );
                                        Ok::<_, crate::tui::offline::Refusal>(me)
                                    })
                                    .await;
                                    let _ = tx.send(match checked {
                                        Ok(Ok(me)) => Action::OfflineSession(id, Ok(me)),
                                        Ok(Err(why)) => Action::OfflineSession(
                                            id,
                                            Err(format!(
                                                "{} {}",
                                                e.message(lang),
                                                why.message(lang)
                                            )),
                                        ),
                                        Err(_) => return Err(e),
                                    });
                                }
                                return Err(e);
                            }
                            Err(e) => return Err(e),
                        };
                        if let Some(path) = kept {
                            let (me, pw, now) = (response.user.clone(), password, clock.now());
                            let (slot, store, dir) = (slot, store.clone(), data_dir);
                            let (profile, username) = (profile.clone(), username.clone());
                            // Kept before the main screen shows (an argon2id hash, tens of
                            // milliseconds): a link that drops the next moment finds it.
                            let _ = tokio::task::spawn_blocking(move || {
                                let desk_now = crate::clock::Clock::system().now();
                                if let Err(e) =
                                    crate::tui::offline::remember(&path, &me, &pw, now, desk_now)
                                {
                                    tracing::warn!("offline session {}: {e}", path.display());
                                }
                                open_citizens(
                                    &slot,
                                    &store,
                                    dir.as_deref(),
                                    (&profile, &username),
                                    Some(&pw),
                                    (now, keep_days),
                                );
                            })
                            .await;
                        }
                        // The keyring may block (D-Bus): keep it off the async threads.
                        let token = response.token.clone();
                        let persistent = tokio::task::spawn_blocking(move || {
                            let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
                            let store = guard.get_or_insert_with(|| TokenStore::open("motcua"));
                            store.save(&profile, &username, &token).is_ok() && store.is_persistent()
                        })
                        .await
                        .unwrap_or(false);
                        let _ = tx.send(Action::TokenStored { persistent });
                        Ok(response)
                    },
                    Action::LoggedIn,
                );
            }
            Effect::WipeOffline => {
                *self.citizens.lock().unwrap_or_else(|p| p.into_inner()) = None;
                let (Some(dir), Some((profile, user))) =
                    (self.data_dir.clone(), self.profile_of_session.clone())
                else {
                    return;
                };
                let store = self.store.clone();
                tokio::task::spawn_blocking(move || {
                    let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
                    crate::tui::offline::wipe(&dir, &profile, &user, guard.as_mut());
                });
            }
            Effect::CutLink(down) => {
                if let Some(outage) = &self.outage {
                    (outage.0)(down);
                }
            }
            Effect::KeepCodes => {
                let reception = app.me.as_ref().is_some_and(|m| m.role == Role::Reception);
                let (Some(held), Some(client)) = (self.held_codes(), self.client.clone()) else {
                    return;
                };
                if !reception || self.codes_target == 0 {
                    return;
                }
                let (tx, clock) = (self.tx.clone(), self.clock.clone());
                let target = self.codes_target as usize;
                let (catalog_tx, catalog_client) = (tx.clone(), client.clone());
                tokio::spawn(async move {
                    let mut held = held.lock().await;
                    if let Err(e) = held.refresh(&client, target, clock.now()).await {
                        tracing::info!("held numbers not renewed: {e}");
                    }
                    let _ = tx.send(Action::HeldCodes(held.available(clock.now())));
                });
                // Apart from the numbers' lock: a slow catalog never delays a number.
                tokio::spawn(async move {
                    match catalog_client.keep_catalog().await {
                        Ok(n) => {
                            let _ = catalog_tx.send(Action::CatalogKept(n));
                        }
                        Err(e) => tracing::info!("the catalog's copy not renewed: {e}"),
                    }
                });
            }
            Effect::ResumeOutbox => {
                if let (Some(sending), Some(client)) = (&self.sending, &self.client) {
                    sending.resume(client.clone());
                }
            }
            Effect::SendNow => {
                if let Some(sending) = &self.sending {
                    sending.send_now();
                }
            }
            Effect::CountCodes => {
                // Only a reception desk holds numbers (as for `KeepCodes`).
                let reception = app.me.as_ref().is_some_and(|m| m.role == Role::Reception);
                if !reception || self.codes_target == 0 {
                    return;
                }
                let Some(held) = self.held_codes() else {
                    return;
                };
                let (tx, clock) = (self.tx.clone(), self.clock.clone());
                tokio::spawn(async move {
                    let n = held.lock().await.available(clock.now());
                    let _ = tx.send(Action::HeldCodes(n));
                });
            }
            Effect::NumberOffline(id) => {
                let tx = self.tx.clone();
                let (clock, lang) = (self.clock.clone(), self.lang);
                let Some(held) = self.held_codes() else {
                    let _ = tx.send(Action::NumberedOffline(
                        id,
                        Err(tr(lang, "intake.no_held_codes").to_owned()),
                    ));
                    return;
                };
                // The number is written off on disk before it is handed out.
                tokio::task::spawn_blocking(move || {
                    let mut held = held.blocking_lock();
                    let now = clock.now();
                    let result = match held.take(now) {
                        Ok(Some(h)) => Ok(crate::tui::offline::Numbered {
                            // Taken only when it has one.
                            received_at: h.received_at(now).unwrap_or_else(|| now.to_rfc3339()),
                            code: h.code,
                        }),
                        Ok(None) => Err(tr(lang, "intake.no_held_codes").to_owned()),
                        Err(e) => Err(trf(
                            lang,
                            "intake.held_codes_disk",
                            &[("problem", &e.to_string())],
                        )),
                    };
                    let _ = tx.send(Action::HeldCodes(held.available(now)));
                    let _ = tx.send(Action::NumberedOffline(id, result));
                });
            }
            Effect::Logout => {
                // What is queued stays on disk for this user's next session.
                self.stop_sending();
                if let Some(client) = self.client.take() {
                    tokio::spawn(async move {
                        let _ = client.logout().await;
                    });
                }
                if let Some((profile, username)) = self.profile_of_session.take() {
                    let store = self.store.clone();
                    tokio::task::spawn_blocking(move || {
                        if let Some(store) =
                            store.lock().unwrap_or_else(|p| p.into_inner()).as_mut()
                        {
                            let _ = store.delete(&profile, &username);
                        }
                    });
                }
                let _ = self.tx.send(Action::LoggedOut);
            }
            Effect::LoadInbox(id) => {
                let Some(c) = self.client.clone() else { return };
                let key = app.inbox.wanted();
                self.spawn(
                    id,
                    "load the inbox",
                    async move { crate::tui::paging::first_screen(&c, key).await },
                    Action::InboxLoaded,
                );
            }
            Effect::LoadPage { id, fetch } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "load a page of the inbox",
                    async move { crate::tui::paging::fetch(&c, &fetch).await },
                    Action::PageLoaded,
                );
            }
            Effect::CountElsewhere { id, q } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "count a search in every queue",
                    async move { crate::tui::paging::count_everywhere(&c, q).await },
                    Action::CountedElsewhere,
                );
            }
            Effect::FilterPause { generation } => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(crate::tui::paging::FILTER_PAUSE).await;
                    let _ = tx.send(Action::FilterPaused(generation));
                });
            }
            Effect::LoadStats(id) => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "load the statistics",
                    async move { c.stats().await },
                    Action::StatsLoaded,
                );
            }
            Effect::Poll { id, since } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "poll for changes",
                    async move {
                        Ok(match c.changes(Some(since), true).await? {
                            crate::client::ChangesOutcome::Changes(ch) => Delta::Changes {
                                changes: ch.changes,
                                seq: ch.seq,
                            },
                            crate::client::ChangesOutcome::Expired => Delta::Expired,
                        })
                    },
                    Action::Polled,
                );
            }
            Effect::LoadDetail { id, code } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "load a dossier",
                    async move { c.dossier(&code).await },
                    Action::DetailLoaded,
                );
            }
            Effect::Act {
                id,
                code,
                version,
                request,
            } => {
                let label = format!(
                    "{} {code}",
                    request.action.map(|a| a.as_str()).unwrap_or_default()
                );
                let write = Write::Act {
                    code: code.clone(),
                    version,
                    request: request.clone(),
                };
                if self.queue(write, label, None, Waiter::Act(id)) {
                    return;
                }
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "act on a dossier",
                    async move { c.act(&code, version, &request).await },
                    Action::Acted,
                );
            }
            Effect::LoadForm { id, code, form } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "load a form",
                    async move { c.form(&code, form.as_str()).await },
                    Action::FormLoaded,
                );
            }
            Effect::Download {
                id,
                code,
                attachment_id,
                dest,
            } => {
                let Some(c) = self.client.clone() else { return };
                let progress = self.transfer_progress(id);
                self.spawn(
                    id,
                    "download an attachment",
                    async move {
                        let path = crate::client::download::attachment_path(&code, &attachment_id);
                        let done = c.download_to(&path, &dest, None, progress).await?;
                        Ok((dest, done.size))
                    },
                    Action::Downloaded,
                );
            }
            Effect::ViewAttachment {
                id,
                code,
                attachment,
            } => {
                let Some(c) = self.client.clone() else { return };
                let folder = crate::tui::attachments::cache::folder(self.data_dir.as_deref());
                let (progress, lang) = (self.transfer_progress(id), self.lang);
                self.spawn(
                    id,
                    "show an attachment",
                    async move {
                        crate::tui::attachments::show(
                            &c,
                            &folder,
                            &code,
                            &attachment,
                            lang,
                            progress,
                        )
                        .await
                    },
                    Action::AttachmentShown,
                );
            }
            Effect::OpenAttachment {
                id,
                code,
                attachment,
            } => {
                let Some(c) = self.client.clone() else { return };
                let folder = crate::tui::attachments::cache::folder(self.data_dir.as_deref());
                let (progress, lang) = (self.transfer_progress(id), self.lang);
                let program = self.attachments.open_with.clone();
                self.spawn(
                    id,
                    "open an attachment",
                    async move {
                        crate::tui::attachments::open_with(
                            &c,
                            &folder,
                            &code,
                            &attachment,
                            program,
                            lang,
                            progress,
                        )
                        .await
                    },
                    Action::AttachmentOpened,
                );
            }
            Effect::EncodeGraphic { key, picture } => {
                let Some(picker) = self.picker.clone() else {
                    return;
                };
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    if let Some(graphic) =
                        crate::tui::attachments::graphics::encode(&picker, &picture, key)
                    {
                        let _ = tx.send(Action::GraphicReady(Box::new(graphic)));
                    }
                });
            }
            Effect::SaveText { path, text } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = write_new_file(&path, &text)
                        .map(|_| path)
                        .map_err(|e| e.kind());
                    let _ = tx.send(Action::Saved(result));
                });
            }
            Effect::Cancel(id) => {
                if let Some(task) = self.tasks.remove(&id) {
                    task.abort();
                }
            }
            Effect::LoadTraining => {
                let path = self.data_dir.as_deref().map(crate::training::progress_path);
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let saved = path.and_then(|p| drafts::load_json(&p)).unwrap_or_default();
                    let _ = tx.send(Action::TrainingLoaded(saved));
                });
            }
            Effect::SaveTraining(saved) => {
                let Some(path) = self.data_dir.as_deref().map(crate::training::progress_path)
                else {
                    return;
                };
                self.training_writes.spawn(move || {
                    if let Err(e) = drafts::save_json(&path, &saved) {
                        tracing::warn!(
                            "could not save the training progress {}: {e}",
                            path.display()
                        );
                    }
                });
            }
            Effect::LoadJournal { id, after } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "read the training journal",
                    async move { c.training_journal(after).await },
                    Action::JournalLoaded,
                );
            }
            Effect::TellVietQrShown { code } => {
                // In the background and without a request id: nothing waits for it, and
                // Esc has nothing to cancel. A failure is reported so it is told again.
                let Some(c) = self.client.clone() else { return };
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let heard = match c.training_vietqr_shown(&code).await {
                        Ok(()) => true,
                        Err(e) => {
                            tracing::warn!(
                                "could not tell the sandbox a VietQR code is shown: {e}"
                            );
                            false
                        }
                    };
                    let _ = tx.send(Action::VietQrTold { code, heard });
                });
            }
            Effect::ActivateAccount { id, request } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "activate an account",
                    async move { c.activate_account(&request).await },
                    Action::AccountActivated,
                );
            }
            Effect::RememberUser { profile, username } => {
                if let Some(dir) = self.data_dir.clone() {
                    tokio::task::spawn_blocking(move || {
                        let mut memory = Memory::load(&dir);
                        memory.last_username.insert(profile, username);
                        let _ = memory.save(&dir);
                    });
                }
            }
            Effect::LoadCatalog(id) => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "load the catalog",
                    async move { c.procedures().await },
                    Action::CatalogLoaded,
                );
            }
            Effect::LoadProcedure { id, code } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "load a procedure",
                    async move { c.procedure(&code).await },
                    Action::ProcedureLoaded,
                );
            }
            Effect::FindCitizens { id, query } => {
                let Some(c) = self.client.clone() else { return };
                let (slot, clock) = (self.citizens.clone(), self.clock.clone());
                self.spawn(
                    id,
                    "find citizens",
                    async move {
                        match c.citizens(&query).await {
                            Ok(found) => {
                                // Kept before the answer shows: what the officer saw
                                // is what an outage a moment later finds.
                                let (keep, now) = (found.clone(), clock.now());
                                let _ = tokio::task::spawn_blocking(move || {
                                    keep_citizens(&slot, &keep, now)
                                })
                                .await;
                                Ok(found)
                            }
                            // With the link down, the desk's own copy answers.
                            Err(e) if e.is_offline() => {
                                let guard = slot.lock().unwrap_or_else(|p| p.into_inner());
                                match guard.as_ref() {
                                    Some(cache) => Ok(cached_citizens(cache, &query)),
                                    None => Err(e),
                                }
                            }
                            Err(e) => Err(e),
                        }
                    },
                    Action::CitizensFound,
                );
            }
            Effect::LoadStore { id, citizen_id } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "load a citizen's store",
                    async move { c.citizen_documents(&citizen_id).await },
                    Action::StoreLoaded,
                );
            }
            Effect::Digitize {
                id,
                code,
                part_id,
                version,
                request,
            } => {
                let label = format!("{code} {part_id}");
                let write = Write::Digitize {
                    code: code.clone(),
                    part_id: part_id.clone(),
                    version,
                    request: request.clone(),
                };
                if self.queue(write, label, None, Waiter::Digitize(id)) {
                    return;
                }
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "digitize a document",
                    async move { c.digitize(&code, &part_id, version, &request).await },
                    Action::Digitized,
                );
            }
            Effect::Scan => {
                let tx = self.tx.clone();
                let dir = self
                    .data_dir
                    .clone()
                    .unwrap_or_else(std::env::temp_dir)
                    .join("scans");
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Action::Scanned(crate::tui::paths::scan(&dir)));
                });
            }
            Effect::LoadCitizen { id, citizen_id } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "load a citizen",
                    async move { c.citizen(&citizen_id).await },
                    Action::CitizenLoaded,
                );
            }
            Effect::CreateCitizen { id, key, citizen } => {
                let write = Write::CreateCitizen {
                    citizen: citizen.clone(),
                };
                let label = citizen.full_name.clone();
                if self.queue(write, label, Some(key.clone()), Waiter::Citizen(id)) {
                    return;
                }
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "create a citizen account",
                    async move { c.create_citizen(&key, &citizen).await },
                    Action::CitizenCreated,
                );
            }
            Effect::ReissueActivation {
                id,
                citizen_id,
                key,
                presented,
            } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "issue an activation code",
                    async move {
                        c.reissue_activation(&citizen_id, &key, presented.as_ref())
                            .await
                    },
                    Action::ActivationIssued,
                );
            }
            Effect::Upload { id, key, path } => {
                let Some(c) = self.client.clone() else { return };
                let tx = self.tx.clone();
                // A path as typed (the digitize form's `~/…`) is the file system's word.
                let path = PathBuf::from(crate::tui::paths::expand_home(&path.to_string_lossy()));
                self.spawn(
                    id,
                    "upload a file",
                    async move {
                        let k = key.clone();
                        c.upload_file(&key, &path, move |p| {
                            let _ = tx.send(Action::UploadProgress {
                                key: k.clone(),
                                sent: p.sent,
                                total: p.total,
                            });
                        })
                        .await
                    },
                    Action::Uploaded,
                );
            }
            Effect::CreateDossier { id, key, request } => {
                let who = match &request.applicant {
                    ApplicantRef::Presented(p) => p.id_number.clone(),
                    ApplicantRef::Citizen(_) => request.submitter.full_name.clone(),
                };
                let label = format!("{} {who}", request.procedure_code);
                let write = Write::CreateDossier {
                    request: request.clone(),
                };
                if self.queue(write, label, Some(key.clone()), Waiter::Create(id)) {
                    return;
                }
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "submit a dossier",
                    async move { c.create_dossier(&key, &request).await },
                    Action::DossierCreated,
                );
            }
            Effect::Rate {
                id,
                code,
                key,
                rating,
            } => {
                let write = Write::Rate {
                    code: code.clone(),
                    rating: rating.clone(),
                };
                let label = format!("rating {code}");
                if self.queue(write, label, Some(key.clone()), Waiter::Rate(id)) {
                    return;
                }
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "record a rating",
                    async move { c.rate(&code, &key, &rating).await },
                    Action::Rated,
                );
            }
            Effect::Certify { id, key, request } => {
                let write = Write::Certify {
                    request: request.clone(),
                };
                let label = format!("certification ({})", request.kind.as_str());
                if self.queue(write, label, Some(key.clone()), Waiter::Certify(id)) {
                    return;
                }
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "enter a certification",
                    async move { c.certify(&key, &request).await },
                    Action::Certified,
                );
            }
            Effect::LoadBook { id, query } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "load the certification books",
                    async move { c.certifications(&query).await },
                    Action::BookLoaded,
                );
            }
            Effect::OrderFee { id, key, amount } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "make a fee order",
                    async move { c.order_fee(&key, amount).await },
                    Action::FeeOrdered,
                );
            }
            Effect::LoadFeeOrder { id, reference } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "read a fee order",
                    async move { c.fee_order(&reference).await },
                    Action::FeeOrdered,
                );
            }
            Effect::LoadCertifyTotals { id, day } => {
                let Some(c) = self.client.clone() else { return };
                let day = day.format("%Y-%m-%d").to_string();
                self.spawn(
                    id,
                    "load the day's certifications",
                    async move {
                        c.stats_for(&crate::api::stats::StatsQuery {
                            from: Some(day.clone()),
                            to: Some(day),
                            months: None,
                        })
                        .await
                    },
                    Action::CertifyTotalsLoaded,
                );
            }
            Effect::LoadNotices { id, code } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "load the notices",
                    async move { c.notifications(&code).await },
                    Action::NoticesLoaded,
                );
            }
            Effect::PayCash {
                id,
                code,
                key,
                amount,
                receipt_no,
            } => {
                let body = crate::api::payments::CashPayment {
                    amount: i64::try_from(amount).ok(),
                    receipt_no: Some(receipt_no),
                };
                let write = Write::PayCash {
                    code: code.clone(),
                    payment: body.clone(),
                };
                if self.queue(write, code.clone(), Some(key.clone()), Waiter::Cash(id)) {
                    return;
                }
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "record a cash payment",
                    async move { c.pay_cash(&code, &key, &body).await },
                    Action::PaidCash,
                );
            }
            Effect::LoadPayment { id, code } => {
                let Some(c) = self.client.clone() else { return };
                self.spawn(
                    id,
                    "load a payment",
                    async move { c.payment(&code).await },
                    Action::PaymentLoaded,
                );
            }
            Effect::SaveDraft(draft) => {
                let Some(path) = self.draft_path() else {
                    return;
                };
                self.draft_writes.spawn(move || match draft {
                    Some(d) => {
                        if let Err(e) = drafts::save(&path, &d) {
                            tracing::warn!(
                                "could not save the intake draft {}: {e}",
                                path.display()
                            );
                        }
                    }
                    None => drafts::delete(&path),
                });
            }
            Effect::SaveCitizensDraft(draft) => {
                let Some(path) = self.citizens_draft_path() else {
                    return;
                };
                self.citizens_draft_writes.spawn(move || match draft {
                    Some(d) => {
                        if let Err(e) = drafts::save_json(&path, &d) {
                            tracing::warn!(
                                "could not save the citizens pane's forms {}: {e}",
                                path.display()
                            );
                        }
                    }
                    None => drafts::delete(&path),
                });
            }
            Effect::SaveCertifyDraft(draft) => {
                let Some(path) = self.certify_draft_path() else {
                    return;
                };
                self.certify_draft_writes.spawn(move || match draft {
                    Some(d) => {
                        if let Err(e) = drafts::save_json(&path, &d) {
                            tracing::warn!(
                                "could not save the certification being typed {}: {e}",
                                path.display()
                            );
                        }
                    }
                    None => drafts::delete(&path),
                });
            }
            Effect::LoadDraft => {
                // The session has begun: its outbox goes on with what an earlier run left.
                self.start_sending();
                let (Some(path), Some(citizens), Some(certify)) = (
                    self.draft_path(),
                    self.citizens_draft_path(),
                    self.certify_draft_path(),
                ) else {
                    return;
                };
                let tx = self.tx.clone();
                let outbox = self.outbox_dir();
                tokio::task::spawn_blocking(move || {
                    if let Some(draft) = drafts::load(&path) {
                        // Numbered offline and in the outbox already (a crash came between
                        // the two): taken in, not a draft.
                        let spent = draft.offline.is_some()
                            && outbox.as_deref().is_some_and(|dir| {
                                crate::client::outbox::holds_key(dir, &draft.key)
                            });
                        if spent {
                            drafts::delete(&path);
                        } else {
                            let _ = tx.send(Action::DraftFound(Box::new(draft)));
                        }
                    }
                    if let Some(forms) = drafts::load_json(&citizens) {
                        let _ = tx.send(Action::CitizensDraftFound(Box::new(forms)));
                    }
                    if let Some(entry) = drafts::load_json(&certify) {
                        let _ = tx.send(Action::CertifyDraftFound(Box::new(entry)));
                    }
                });
            }
            Effect::CheckFile { doc, path } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let path = crate::tui::paths::expand_home(&path);
                    let size = crate::tui::paths::attachable_size(std::path::Path::new(&path));
                    let _ = tx.send(Action::FileChecked { doc, path, size });
                });
            }
            Effect::CompletePath { typed } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let completed = crate::tui::paths::complete_path(&typed);
                    let _ = tx.send(Action::PathCompleted { typed, completed });
                });
            }
            Effect::Print { text } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Action::Printed(drafts::print(&text)));
                });
            }
            Effect::Paper(job) => {
                let Some(c) = self.client.clone() else { return };
                let settings = self.printing.clone();
                let id = job.id;
                self.spawn(
                    id,
                    "fetch, save or print a paper",
                    paper_job(c, settings, job),
                    Action::PaperDone,
                );
            }
            Effect::OutboxRetry(id) => {
                if let Some(s) = &self.sending {
                    s.retry(id);
                }
            }
            Effect::OutboxDiscard(id) => {
                if let Some(s) = &self.sending {
                    s.discard(id);
                }
            }
            // The drawing loop's own (see `run`).
            Effect::ClearScreen | Effect::Quit => {}
        }
    }

    /// Speaks the app's language from now on (it changes with the profile at login).
    fn follow_language(&mut self, lang: Lang) {
        if self.lang != lang {
            self.lang = lang;
            if let Some(s) = &self.sending {
                s.set_lang(lang);
            }
        }
    }

    /// A client for a profile's portal, with the catalog kept in the data directory.
    fn client_for(&self, profile: &Profile, lang: Lang) -> Result<PortalClient, ClientError> {
        let mut builder = PortalClient::builder(&profile.url)
            .lang(lang)
            .read_timeout(self.timeout)
            .clock(self.clock.clone());
        if let Some(dir) = &self.data_dir {
            builder = builder.cache_dir(dir.join("cache").join(drafts::safe_name(&profile.name)));
        }
        builder.build()
    }

    /// Hands a write to the outbox; `false` when there is none (no data directory, or
    /// not logged in): the caller then sends it straight away. The disk is not touched
    /// here (the outbox's writer does it, and sends directly if the disk refuses).
    fn queue(&mut self, write: Write, label: String, key: Option<String>, waiter: Waiter) -> bool {
        let Some(sending) = &self.sending else {
            return false;
        };
        sending.send(write, label, key, Some(waiter));
        true
    }

    fn start_sending(&mut self) {
        if self.sending.is_some() {
            return;
        }
        let (Some(dir), Some(client), Some((profile, user))) = (
            self.data_dir.clone(),
            self.client.clone(),
            self.profile_of_session.clone(),
        ) else {
            return;
        };
        let dir = dir
            .join("outbox")
            .join(drafts::safe_name(&format!("{profile}-{user}")));
        let owner = (profile, user);
        self.sending = Some(crate::tui::sending::Sending::start(
            &dir,
            owner,
            client,
            self.tx.clone(),
            self.lang,
            self.last_writer.take(),
        ));
    }

    /// The held numbers of the officer logged in, opened on first use (the file is
    /// beside their outbox); another officer's are dropped.
    fn held_codes(&mut self) -> Option<Arc<tokio::sync::Mutex<HeldCodes>>> {
        let (dir, owner) = (self.data_dir.clone()?, self.profile_of_session.clone()?);
        if let Some((of, held)) = &self.held
            && *of == owner
        {
            return Some(held.clone());
        }
        let dir = dir
            .join("outbox")
            .join(drafts::safe_name(&format!("{}-{}", owner.0, owner.1)));
        let held = Arc::new(tokio::sync::Mutex::new(HeldCodes::open(&dir, &owner.1)));
        self.held = Some((owner, held.clone()));
        Some(held)
    }

    /// Where the logged-in user's outbox is kept.
    fn outbox_dir(&self) -> Option<PathBuf> {
        let (dir, (profile, user)) = (self.data_dir.as_ref()?, self.profile_of_session.as_ref()?);
        Some(
            dir.join("outbox")
                .join(drafts::safe_name(&format!("{profile}-{user}"))),
        )
    }

    /// Ends the session's sending; its writer, still finishing, is kept for the next.
    fn stop_sending(&mut self) {
        if let Some(sending) = self.sending.take() {
            self.last_writer = sending.stop();
        }
    }

    /// Where the logged-in user's intake draft lives.
    fn draft_path(&self) -> Option<PathBuf> {
        let (profile, user) = self.profile_of_session.as_ref()?;
        Some(drafts::path(self.data_dir.as_deref()?, profile, user))
    }

    fn certify_draft_path(&self) -> Option<PathBuf> {
        let (profile, user) = self.profile_of_session.as_ref()?;
        Some(drafts::certify_path(
            self.data_dir.as_deref()?,
            profile,
            user,
        ))
    }

    fn citizens_draft_path(&self) -> Option<PathBuf> {
        let (profile, user) = self.profile_of_session.as_ref()?;
        Some(drafts::citizens_path(
            self.data_dir.as_deref()?,
            profile,
            user,
        ))
    }
}

/// Writes of one file, numbered: each runs only if no later one has (they run on the
/// blocking pool, in any order), one at a time, so the file ends as last asked.
#[derive(Default)]
struct OrderedWrites {
    seq: u64,
    written: Arc<Mutex<u64>>,
}

impl OrderedWrites {
    fn spawn(&mut self, write: impl FnOnce() + Send + 'static) {
        self.seq += 1;
        let seq = self.seq;
        let written = self.written.clone();
        tokio::task::spawn_blocking(move || {
            let mut last = written.lock().unwrap_or_else(|p| p.into_inner());
            if *last > seq {
                return;
            }
            *last = seq;
            write();
        });
    }
}

/// Writes a whole file through a temporary one beside it, so a crash never leaves half.
fn write_new_file(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("part");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// Writes a failed request to the log (`motcua.log`, which officials send to the
/// administrator): what was asked and what came back, the link's trouble as the system
/// said it. Never a token or a password: requests are not logged, and no error carries
/// either.
pub fn log_failure(what: &str, e: &ClientError) {
    match e {
        ClientError::Offline(_) | ClientError::Timeout => {
            tracing::warn!("{what}: the portal was not reached: {e}");
        }
        // A wrong password, or a session that ended: the official is asked again.
        ClientError::Unauthorized { code, .. } => {
            tracing::info!("{what}: refused ({code})");
        }
        ClientError::Conflict { current } => {
            tracing::info!(
                "{what}: {} was changed first (now version {})",
                current.code,
                current.version
            );
        }
        ClientError::Api {
            status,
            code,
            message,
            fields,
            ..
        } => {
            let fields: Vec<&str> = fields.keys().map(String::as_str).collect();
            tracing::warn!("{what}: refused, {status} {code}: {message} (fields: {fields:?})");
        }
        _ => tracing::warn!("{what}: {e}"),
    }
}

/// The TUI's view of a client error.
pub fn failure(e: ClientError, lang: Lang) -> Failure {
    let message = e.message(lang);
    match e {
        ClientError::Offline(_) | ClientError::Timeout => Failure::Offline(message),
        ClientError::Unauthorized { .. } => Failure::Unauthorized(message),
        ClientError::Conflict { current } => Failure::Conflict(current),
        ClientError::Api {
            code, existing_id, ..
        } if existing_id.is_some() || code == ErrorCode::CitizenExists.as_str() => {
            Failure::Exists {
                id: existing_id,
                message,
            }
        }
        ClientError::Api { code, fields, .. } => Failure::Refused {
            code,
            message,
            fields: fields.into_iter().collect(),
        },
        _ => Failure::Other(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str) -> Profile {
        Profile {
            name: name.into(),
            url: "http://127.0.0.1:1/api/v1".into(),
            training: true,
            demo_hint: None,
        }
    }

    #[test]
    fn training_offers_its_own_portal_and_the_configured_ones_only() {
        let options = |extra: Vec<Profile>, config: Config| Options {
            config,
            data_dir: None,
            extra_profiles: extra,
            outage: None,
        };
        let app = initial_state(&options(vec![profile("Đào tạo")], Config::default())).unwrap();
        let names: Vec<_> = app.profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Đào tạo"]);
        // Without training, an empty config means this machine's portal.
        let app = initial_state(&options(vec![], Config::default())).unwrap();
        assert_eq!(app.profiles[0].url, "http://127.0.0.1:8080/api/v1");
        // Configured portals follow the sandbox.
        let config = crate::config::parse(
            "[[profile]]\nname = \"Tỉnh\"\nurl = \"https://dvc.example/api/v1\"\nlanguage = \"en\"\n",
            std::path::Path::new("c.toml"),
        )
        .unwrap();
        let mut app = initial_state(&options(vec![profile("Đào tạo")], config)).unwrap();
        assert_eq!(app.profiles.len(), 2);
        assert_eq!(app.lang, Lang::Vi);
        app.login.profile = 1;
        app.apply_profile();
        assert_eq!(app.lang, Lang::En);
    }

    #[test]
    fn a_bad_key_in_the_config_names_its_line() {
        let config = crate::config::parse(
            "\n[keys]\nrefresh = [\"hyper-r\"]\n",
            std::path::Path::new("c.toml"),
        )
        .unwrap();
        let options = Options {
            config,
            data_dir: None,
            extra_profiles: vec![],
            outage: None,
        };
        match initial_state(&options) {
            Err(StartError::Config(e)) => {
                assert_eq!(e.line, Some(3));
                assert!(e.problem.contains("hyper-r"), "{e}");
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
}
