//! `update`: the one place the app's state changes. Synchronous and free of IO, so every
//! action is unit-tested by feeding it and looking at the state and the effects.

use crate::api::dossiers::{ActionRequest, Change, Dossier, DossierSummary};
use crate::domain::forms::Form;
use crate::domain::status::{Queue, Status};
use crate::domain::workflow::{
    self, Action as Step, DeliveryMethod, Input, Refusal, Role, Verdict,
};
use crate::domain::{Lang, RuleError};
use crate::tui::action::{Action, Delta, Effect};
use crate::tui::i18n::{tr, trf};
use crate::tui::keymap::Command;
use crate::tui::state::*;
use crate::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::path::PathBuf;

/// How long a toast stays, in ticks (seconds).
const TOAST_TTL: u32 = 6;
/// The longest wait between background attempts while the portal is unreachable.
const MAX_BACKOFF: u32 = 60;
/// Inbox pages fetched at most when loading (500 each): 100,000 dossiers.
pub const MAX_INBOX_PAGES: usize = 200;

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) => on_key(app, key),
        Action::Paste(text) => {
            on_paste(app, &text);
            vec![]
        }
        Action::Resize(_, height) => {
            app.inbox.page_rows = crate::tui::view::inbox_rows(height, app.training()).max(1);
            app.inbox.scroll_into_view();
            vec![]
        }
        Action::Tick(now) => on_tick(app, now),
        Action::TokenStored { persistent } => {
            if !persistent && app.notice.is_none() {
                let text = tr(app.lang, "notice.memory_only").to_owned();
                app.notice = Some(text.clone());
                toast(app, ToastKind::Info, text);
            }
            vec![]
        }
        Action::Link { rtt, reached } => {
            app.link.last_rtt = rtt.or(app.link.last_rtt);
            app.link.state = match (reached, rtt) {
                (false, _) => LinkState::Offline,
                (true, Some(rtt)) if rtt.as_millis() >= 1000 => LinkState::Slow,
                (true, _) => LinkState::Online,
            };
            if reached {
                app.link.retry_in = None;
            }
            vec![]
        }
        Action::LoggedIn(id, result) => on_logged_in(app, id, result),
        Action::Resumed(me) => {
            // Only if the official has not started logging in meanwhile.
            if app.screen != Screen::Login || app.login.pending.is_some() || !me.role.is_staff() {
                return vec![];
            }
            app.me = Some(me);
            app.screen = Screen::Main;
            vec![
                Effect::LoadInbox(request(app, Purpose::Inbox)),
                Effect::LoadStats(request(app, Purpose::Stats)),
            ]
        }
        Action::LoggedOut => vec![],
        Action::InboxLoaded(id, result) => {
            if app.pending.remove(&id).is_none() {
                return vec![];
            }
            match result {
                Ok(snapshot) => {
                    app.inbox.replace(snapshot.items);
                    app.inbox.seq = Some(snapshot.seq);
                    app.poll_in = app.poll_every;
                    vec![]
                }
                Err(f) => fail(app, f),
            }
        }
        Action::StatsLoaded(id, result) => {
            if app.pending.remove(&id).is_none() {
                return vec![];
            }
            match result {
                Ok(stats) => {
                    app.inbox.stats = Some(stats);
                    vec![]
                }
                Err(Failure::Unauthorized(_)) => expire(app),
                Err(_) => vec![],
            }
        }
        Action::Polled(id, result) => on_polled(app, id, result),
        Action::DetailLoaded(id, result) => {
            if app.pending.remove(&id).is_none() {
                return vec![];
            }
            match result {
                Ok(dossier) => {
                    refresh_from(app, &dossier);
                    if let Some(detail) =
                        app.inbox.detail.as_mut().filter(|d| d.code == dossier.code)
                    {
                        detail.dossier = Some(Box::new(dossier));
                    }
                    vec![]
                }
                Err(f) => {
                    if let Some(d) = &app.inbox.detail
                        && d.dossier.is_none()
                        && !matches!(f, Failure::Unauthorized(_))
                    {
                        app.inbox.detail = None;
                    }
                    fail(app, f)
                }
            }
        }
        Action::Acted(id, result) => on_acted(app, id, result),
        Action::FormLoaded(id, result) => {
            if app.pending.remove(&id).is_none() {
                return vec![];
            }
            match result {
                Ok(text) => {
                    if let Some(Overlay::Form(view)) = app.overlay.as_mut() {
                        view.text = Some(text);
                    }
                    vec![]
                }
                Err(f) => {
                    if matches!(app.overlay, Some(Overlay::Form(_))) {
                        app.overlay = None;
                    }
                    fail(app, f)
                }
            }
        }
        Action::Downloaded(id, result) => {
            if app.pending.remove(&id).is_none() {
                return vec![];
            }
            match result {
                Ok((path, bytes)) => {
                    let text = trf(
                        app.lang,
                        "toast.downloaded",
                        &[
                            ("path", &path.display().to_string()),
                            ("size", &human_size(bytes)),
                        ],
                    );
                    toast(app, ToastKind::Success, text);
                    vec![]
                }
                Err(f) => fail(app, f),
            }
        }
        Action::Saved(result) => {
            match result {
                Ok(path) => {
                    let text = trf(
                        app.lang,
                        "toast.saved",
                        &[("path", &path.display().to_string())],
                    );
                    toast(app, ToastKind::Success, text);
                }
                Err(e) => {
                    let text = trf(app.lang, "error.save", &[("problem", &e)]);
                    toast(app, ToastKind::Error, text);
                }
            }
            vec![]
        }
    }
}

// ---------------------------------------------------------------------------------------
// Requests

fn request(app: &mut App, purpose: Purpose) -> RequestId {
    let id = app.next_request;
    app.next_request += 1;
    app.pending.insert(id, Pending { purpose, ticks: 0 });
    id
}

fn pending_for(app: &App, purpose: Purpose) -> bool {
    app.pending.values().any(|p| p.purpose == purpose)
}

/// Cancels the newest request the user is waiting for (Esc).
fn cancel_newest(app: &mut App) -> Option<Effect> {
    let id = app
        .pending
        .iter()
        .rev()
        .find(|(_, p)| !p.purpose.is_background())
        .map(|(id, _)| *id)?;
    app.pending.remove(&id);
    if app.login.pending == Some(id) {
        app.login.pending = None;
    }
    if let Some(Overlay::Dialog(d)) = app.overlay.as_mut()
        && d.pending == Some(id)
    {
        d.pending = None;
        d.confirming = false;
    }
    toast(
        app,
        ToastKind::Info,
        tr(app.lang, "toast.cancelled").to_owned(),
    );
    Some(Effect::Cancel(id))
}

/// A failure the user must see; 401 turns into the re-login prompt.
fn fail(app: &mut App, failure: Failure) -> Vec<Effect> {
    match failure {
        Failure::Unauthorized(_) => expire(app),
        other => {
            let text = failure_text(app.lang, &other);
            toast(app, ToastKind::Error, text);
            vec![]
        }
    }
}

pub fn failure_text(lang: Lang, failure: &Failure) -> String {
    match failure {
        Failure::Offline(m) | Failure::Unauthorized(m) | Failure::Other(m) => m.clone(),
        Failure::Refused {
            message, fields, ..
        } => {
            if fields.is_empty() {
                message.clone()
            } else {
                let detail: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{message} ({})", detail.join("; "))
            }
        }
        Failure::Conflict(_) => tr(lang, "error.conflict").to_owned(),
    }
}

/// The session ended: ask for the password again over the current screen.
fn expire(app: &mut App) -> Vec<Effect> {
    if app.screen == Screen::Main && !app.relogin {
        app.relogin = true;
        app.login.focus = LoginField::Password;
        app.login.password = LoginForm::new().password;
        app.login.error = Some(tr(app.lang, "login.expired").to_owned());
    }
    vec![]
}

pub fn toast(app: &mut App, kind: ToastKind, text: String) {
    app.toasts.retain(|t| t.text != text);
    app.toasts.push_back(Toast {
        kind,
        text,
        ttl: TOAST_TTL,
    });
    while app.toasts.len() > 3 {
        app.toasts.pop_front();
    }
}

// ---------------------------------------------------------------------------------------
// Time

fn on_tick(app: &mut App, now: chrono::DateTime<chrono::FixedOffset>) -> Vec<Effect> {
    app.now = now;
    for t in app.toasts.iter_mut() {
        t.ttl = t.ttl.saturating_sub(1);
    }
    app.toasts.retain(|t| t.ttl > 0);
    for p in app.pending.values_mut() {
        p.ticks += 1;
    }
    if app.screen != Screen::Main || app.relogin {
        return vec![];
    }
    let Some(since) = app.inbox.seq else {
        return vec![];
    };
    if pending_for(app, Purpose::Poll) || pending_for(app, Purpose::Inbox) {
        return vec![];
    }
    app.poll_in = app.poll_in.saturating_sub(1);
    if app.link.state == LinkState::Offline {
        app.link.retry_in = Some(app.poll_in);
    }
    if app.poll_in > 0 {
        return vec![];
    }
    app.poll_in = backoff(app.poll_every, app.poll_failures);
    let id = request(app, Purpose::Poll);
    vec![Effect::Poll { id, since }]
}

/// The wait before the next background attempt: doubling after each failure, capped.
pub fn backoff(every: u32, failures: u32) -> u32 {
    every
        .saturating_mul(1u32 << failures.min(6))
        .min(MAX_BACKOFF)
        .max(every)
}

fn on_polled(app: &mut App, id: RequestId, result: Result<Delta, Failure>) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    match result {
        Ok(Delta::Changes { changes, seq }) => {
            app.poll_failures = 0;
            app.inbox.seq = Some(seq);
            if changes.is_empty() {
                return vec![];
            }
            let keep = app.inbox.selected_code();
            let open = app.inbox.detail.as_ref().map(|d| d.code.clone());
            let mut reload_detail = false;
            for change in changes {
                match change {
                    Change::Dossier(summary) => {
                        if open.as_deref() == Some(summary.code.as_str())
                            && app
                                .inbox
                                .detail
                                .as_ref()
                                .and_then(|d| d.dossier.as_ref())
                                .is_none_or(|d| d.version != summary.version)
                        {
                            reload_detail = true;
                        }
                        app.inbox.upsert(summary);
                    }
                    Change::Deleted { code, .. } => app.inbox.remove(&code),
                }
            }
            app.inbox.rebuild(keep);
            let mut effects = vec![Effect::LoadStats(request(app, Purpose::Stats))];
            if reload_detail && let Some(code) = open {
                effects.push(Effect::LoadDetail {
                    id: request(app, Purpose::Detail),
                    code,
                });
            }
            effects
        }
        Ok(Delta::Expired) => {
            let id = request(app, Purpose::Inbox);
            vec![Effect::LoadInbox(id)]
        }
        Err(Failure::Unauthorized(_)) => expire(app),
        Err(_) => {
            // Background: the status bar says offline; the data on screen stays.
            app.poll_failures += 1;
            app.poll_in = backoff(app.poll_every, app.poll_failures);
            app.link.retry_in = Some(app.poll_in);
            vec![]
        }
    }
}

// ---------------------------------------------------------------------------------------
// Login

fn on_logged_in(
    app: &mut App,
    id: RequestId,
    result: Result<crate::api::auth::LoginResponse, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() || app.login.pending != Some(id) {
        return vec![];
    }
    app.login.pending = None;
    match result {
        Ok(response) if !response.user.role.is_staff() => {
            app.login.error = Some(tr(app.lang, "login.not_staff").to_owned());
            vec![Effect::Logout]
        }
        Ok(response) => {
            app.login.password = LoginForm::new().password;
            app.login.error = None;
            let resumed = app.relogin;
            app.relogin = false;
            app.me = Some(response.user);
            app.screen = Screen::Main;
            let mut effects = vec![];
            let username = field_text(&app.login.username);
            if let Some(settings) = app.profile_settings.get_mut(app.login.profile) {
                settings.last_username = Some(username);
            }
            if let Some(profile) = app.profile() {
                effects.push(Effect::RememberUser {
                    profile: profile.name.clone(),
                    username: field_text(&app.login.username),
                });
            }
            if !resumed || app.inbox.seq.is_none() {
                effects.push(Effect::LoadInbox(request(app, Purpose::Inbox)));
            } else {
                app.poll_in = 0;
            }
            effects.push(Effect::LoadStats(request(app, Purpose::Stats)));
            effects
        }
        Err(failure) => {
            app.login.error = Some(failure_text(app.lang, &failure));
            app.login.focus = LoginField::Password;
            vec![]
        }
    }
}

fn login_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            if app.login.pending.is_some() {
                return cancel_newest(app).into_iter().collect();
            }
            vec![]
        }
        KeyCode::Tab | KeyCode::Down => {
            app.login.focus = next_login_field(app, app.login.focus, true);
            vec![]
        }
        KeyCode::BackTab | KeyCode::Up => {
            app.login.focus = next_login_field(app, app.login.focus, false);
            vec![]
        }
        KeyCode::Left | KeyCode::Right if app.login.focus == LoginField::Profile => {
            let n = app.profiles.len().max(1);
            app.login.profile = if key.code == KeyCode::Right {
                (app.login.profile + 1) % n
            } else {
                (app.login.profile + n - 1) % n
            };
            app.apply_profile();
            app.login.focus = LoginField::Profile;
            vec![]
        }
        KeyCode::Enter => submit_login(app),
        _ if is_enter(&key) => submit_login(app),
        _ => {
            match app.login.focus {
                LoginField::Username => edit(&mut app.login.username, key),
                LoginField::Password => edit(&mut app.login.password, key),
                LoginField::Profile => false,
            };
            vec![]
        }
    }
}

fn next_login_field(app: &App, from: LoginField, forward: bool) -> LoginField {
    // The profile row exists only when there is a choice to make (and not on re-login:
    // the session belongs to the profile it was opened on).
    let with_profile = app.profiles.len() > 1 && !app.relogin;
    let order: &[LoginField] = if with_profile {
        &[
            LoginField::Profile,
            LoginField::Username,
            LoginField::Password,
        ]
    } else {
        &[LoginField::Username, LoginField::Password]
    };
    let at = order.iter().position(|f| *f == from).unwrap_or(0);
    let n = order.len();
    order[if forward {
        (at + 1) % n
    } else {
        (at + n - 1) % n
    }]
}

fn submit_login(app: &mut App) -> Vec<Effect> {
    if app.login.pending.is_some() {
        return vec![];
    }
    let username = field_text(&app.login.username).trim().to_owned();
    let password = app.login.password.lines().join("");
    if username.is_empty() {
        app.login.error = Some(tr(app.lang, "login.need_username").to_owned());
        app.login.focus = LoginField::Username;
        return vec![];
    }
    if app.login.focus == LoginField::Username && password.is_empty() {
        app.login.focus = LoginField::Password;
        return vec![];
    }
    if password.is_empty() {
        app.login.error = Some(tr(app.lang, "login.need_password").to_owned());
        return vec![];
    }
    let Some(profile) = app.profile() else {
        app.login.error = Some(tr(app.lang, "login.no_profile").to_owned());
        return vec![];
    };
    let url = profile.url.clone();
    let id = request(app, Purpose::Login);
    app.login.pending = Some(id);
    app.login.error = None;
    vec![Effect::Login {
        id,
        url,
        username,
        password,
    }]
}

// ---------------------------------------------------------------------------------------
// Keys

fn is_enter(key: &KeyEvent) -> bool {
    key.code == KeyCode::Enter
        || (key.modifiers.contains(KeyModifiers::CONTROL)
            && matches!(key.code, KeyCode::Char('m') | KeyCode::Char('j')))
}

/// Sends a key to a one-line field. Enter never reaches it (a field is one line; Enter
/// submits), nor Tab. Ctrl-H deletes backwards, as input methods expect.
pub fn edit(field: &mut ratatui_textarea::TextArea<'static>, key: KeyEvent) -> bool {
    if is_enter(&key) || matches!(key.code, KeyCode::Tab | KeyCode::BackTab | KeyCode::Esc) {
        return false;
    }
    field.input(key)
}

fn on_paste(app: &mut App, text: &str) {
    // A pasted newline must not submit anything: paste as one line.
    let one_line: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let one_line = one_line.trim();
    let field = if app.screen == Screen::Login || app.relogin {
        match app.login.focus {
            LoginField::Username => Some(&mut app.login.username),
            LoginField::Password => Some(&mut app.login.password),
            LoginField::Profile => None,
        }
    } else {
        match app.overlay.as_mut() {
            Some(Overlay::CommandLine(t)) => Some(&mut **t),
            Some(Overlay::Dialog(d)) => {
                let focus = d.focus;
                d.fields.get_mut(focus).map(|f| &mut f.text)
            }
            Some(Overlay::Download(p)) => Some(&mut p.path),
            Some(Overlay::Form(v)) => v.save_to.as_mut(),
            Some(_) => None,
            None if app.tab == Tab::Inbox && app.inbox.filtering => Some(&mut app.inbox.filter),
            None if app.tab == Tab::Lookup => Some(&mut app.lookup),
            None => None,
        }
    };
    if let Some(field) = field {
        field.insert_str(one_line);
    }
    if app.inbox.filtering && app.overlay.is_none() {
        let keep = app.inbox.selected_code();
        app.inbox.rebuild(keep);
    }
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind != KeyEventKind::Press {
        return vec![];
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return quit(app);
    }
    if app.screen == Screen::Login || app.relogin {
        return login_key(app, key);
    }
    if let Some(overlay) = app.overlay.take() {
        return overlay_key(app, overlay, key);
    }
    if app.tab == Tab::Inbox && app.inbox.filtering {
        return filter_key(app, key);
    }
    if app.tab == Tab::Lookup {
        match key.code {
            KeyCode::Esc => {
                app.tab = Tab::Inbox;
                return vec![];
            }
            _ if is_enter(&key) => {
                let code = field_text(&app.lookup).trim().to_owned();
                if code.is_empty() {
                    return vec![];
                }
                return open_code(app, code);
            }
            // Codes begin with digits: on this tab every character is text (Esc leaves).
            KeyCode::Char(_) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                edit(&mut app.lookup, key);
                return vec![];
            }
            KeyCode::Backspace | KeyCode::Delete | KeyCode::Left | KeyCode::Right => {
                edit(&mut app.lookup, key);
                return vec![];
            }
            _ => {}
        }
    }
    if key.code == KeyCode::Esc && app.busy() {
        return cancel_newest(app).into_iter().collect();
    }
    let Some(command) = app.keymap.command(app.context(), &key) else {
        return vec![];
    };
    command_effects(app, command)
}

fn command_effects(app: &mut App, command: Command) -> Vec<Effect> {
    let page = app.inbox.page_rows.max(1) as isize;
    let in_detail = app.inbox.detail.is_some() && app.tab == Tab::Inbox;
    match command {
        Command::Quit => quit(app),
        Command::Help => {
            app.overlay = Some(Overlay::Help(app.context()));
            vec![]
        }
        Command::CommandLine => {
            app.overlay = Some(Overlay::CommandLine(Box::new(text_field())));
            vec![]
        }
        Command::Filter => {
            app.tab = Tab::Inbox;
            app.inbox.detail = None;
            app.inbox.filtering = true;
            vec![]
        }
        Command::Refresh => refresh(app),
        Command::Tab1 => switch_tab(app, Tab::Inbox),
        Command::Tab2 => switch_tab(app, Tab::Intake),
        Command::Tab3 => switch_tab(app, Tab::Citizens),
        Command::Tab4 => switch_tab(app, Tab::Lookup),
        Command::Tab5 => switch_tab(app, Tab::Stats),
        Command::Up if in_detail => scroll_detail(app, -1),
        Command::Down if in_detail => scroll_detail(app, 1),
        Command::PageUp if in_detail => scroll_detail(app, -10),
        Command::PageDown if in_detail => scroll_detail(app, 10),
        Command::Up => move_selection(app, -1),
        Command::Down => move_selection(app, 1),
        Command::PageUp => move_selection(app, -page),
        Command::PageDown => move_selection(app, page),
        Command::Top => move_selection(app, isize::MIN / 2),
        Command::Bottom => move_selection(app, isize::MAX / 2),
        Command::Open => match app.inbox.selected_code() {
            Some(code) => open_code(app, code),
            None => vec![],
        },
        Command::Back => {
            app.inbox.detail = None;
            vec![]
        }
        Command::NextQueue | Command::PrevQueue => {
            let all = Queue::ALL;
            let at = all.iter().position(|q| *q == app.inbox.queue).unwrap_or(0);
            let n = all.len();
            let next = if command == Command::NextQueue {
                (at + 1) % n
            } else {
                (at + n - 1) % n
            };
            app.inbox.queue = all[next];
            app.inbox.offset = 0;
            let keep = app.inbox.selected_code();
            app.inbox.rebuild(keep);
            vec![]
        }
        Command::Actions => open_actions(app),
        Command::Form => open_forms(app),
        Command::Download => open_downloads(app),
        Command::Logout => logout(app),
    }
}

fn switch_tab(app: &mut App, tab: Tab) -> Vec<Effect> {
    app.tab = tab;
    if tab == Tab::Stats {
        return vec![Effect::LoadStats(request(app, Purpose::Stats))];
    }
    vec![]
}

fn move_selection(app: &mut App, delta: isize) -> Vec<Effect> {
    app.inbox.move_by(delta);
    vec![]
}

fn scroll_detail(app: &mut App, delta: i32) -> Vec<Effect> {
    if let Some(d) = app.inbox.detail.as_mut() {
        d.scroll = (d.scroll as i32 + delta).clamp(0, u16::MAX as i32) as u16;
    }
    vec![]
}

fn refresh(app: &mut App) -> Vec<Effect> {
    let mut effects = vec![];
    if !pending_for(app, Purpose::Inbox) {
        effects.push(Effect::LoadInbox(request(app, Purpose::Inbox)));
    }
    effects.push(Effect::LoadStats(request(app, Purpose::Stats)));
    if let Some(code) = app.inbox.detail.as_ref().map(|d| d.code.clone()) {
        effects.push(Effect::LoadDetail {
            id: request(app, Purpose::Detail),
            code,
        });
    }
    effects
}

fn open_code(app: &mut App, code: String) -> Vec<Effect> {
    app.tab = Tab::Inbox;
    app.inbox.filtering = false;
    app.inbox.detail = Some(DetailView {
        code: code.clone(),
        dossier: None,
        scroll: 0,
        changed: vec![],
    });
    let id = request(app, Purpose::Detail);
    vec![Effect::LoadDetail { id, code }]
}

fn quit(app: &mut App) -> Vec<Effect> {
    app.quit = true;
    vec![Effect::Quit]
}

fn logout(app: &mut App) -> Vec<Effect> {
    let profile = app.login.profile;
    let username = app.login.username.clone();
    app.me = None;
    app.screen = Screen::Login;
    app.relogin = false;
    app.inbox = Inbox::new();
    app.overlay = None;
    app.pending.clear();
    app.login = LoginForm::new();
    app.login.profile = profile;
    app.login.username = username;
    app.login.focus = LoginField::Password;
    vec![Effect::Logout]
}

fn filter_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            app.inbox.filter = text_field();
            app.inbox.filtering = false;
            let keep = app.inbox.selected_code();
            app.inbox.rebuild(keep);
        }
        _ if is_enter(&key) => app.inbox.filtering = false,
        // The filter stays while the queues change under it.
        KeyCode::Tab => return command_effects(app, Command::NextQueue),
        KeyCode::BackTab => return command_effects(app, Command::PrevQueue),
        KeyCode::Up => app.inbox.move_by(-1),
        KeyCode::Down => app.inbox.move_by(1),
        _ => {
            if edit(&mut app.inbox.filter, key) {
                let keep = app.inbox.selected_code();
                app.inbox.rebuild(keep);
            }
        }
    }
    vec![]
}

// ---------------------------------------------------------------------------------------
// Overlays

fn overlay_key(app: &mut App, overlay: Overlay, key: KeyEvent) -> Vec<Effect> {
    match overlay {
        // Any key closes help.
        Overlay::Help(_) => vec![],
        Overlay::CommandLine(mut input) => {
            if key.code == KeyCode::Esc {
                return vec![];
            }
            if is_enter(&key) {
                return run_command(app, &field_text(&input));
            }
            if key.code == KeyCode::Tab {
                let text = field_text(&input);
                if let Some(done) = complete(&text).first() {
                    *input = text_field();
                    input.insert_str(done);
                }
            } else {
                edit(&mut input, key);
            }
            app.overlay = Some(Overlay::CommandLine(input));
            vec![]
        }
        Overlay::Actions(mut menu) => match menu_key(&mut menu, &key) {
            MenuKey::Close => vec![],
            MenuKey::Moved => {
                app.overlay = Some(Overlay::Actions(menu));
                vec![]
            }
            MenuKey::Chosen => {
                if let Some(step) = menu.items.get(menu.selected).copied() {
                    open_dialog(app, &menu.code, step);
                }
                vec![]
            }
        },
        Overlay::Dialog(dialog) => dialog_key(app, dialog, key),
        Overlay::Forms(mut menu) => match menu_key(&mut menu, &key) {
            MenuKey::Close => vec![],
            MenuKey::Moved => {
                app.overlay = Some(Overlay::Forms(menu));
                vec![]
            }
            MenuKey::Chosen => match menu.items.get(menu.selected).copied() {
                Some(form) => {
                    let id = request(app, Purpose::Form);
                    app.overlay = Some(Overlay::Form(Box::new(FormView {
                        code: menu.code.clone(),
                        form,
                        text: None,
                        scroll: 0,
                        save_to: None,
                    })));
                    vec![Effect::LoadForm {
                        id,
                        code: menu.code,
                        form,
                    }]
                }
                None => vec![],
            },
        },
        Overlay::Form(mut view) => {
            if let Some(mut path) = view.save_to.take() {
                match key.code {
                    KeyCode::Esc => {}
                    _ if is_enter(&key) => {
                        let target = field_text(&path).trim().to_owned();
                        if let (false, Some(text)) = (target.is_empty(), view.text.clone()) {
                            app.overlay = Some(Overlay::Form(view));
                            return vec![Effect::SaveText {
                                path: PathBuf::from(target),
                                text,
                            }];
                        }
                        view.save_to = Some(path);
                    }
                    _ => {
                        edit(&mut path, key);
                        view.save_to = Some(path);
                    }
                }
                app.overlay = Some(Overlay::Form(view));
                return vec![];
            }
            match key.code {
                KeyCode::Esc | KeyCode::Char('q') => {
                    if let Some((id, _)) =
                        app.pending.iter().find(|(_, p)| p.purpose == Purpose::Form)
                    {
                        let id = *id;
                        app.pending.remove(&id);
                        return vec![Effect::Cancel(id)];
                    }
                    return vec![];
                }
                KeyCode::Up | KeyCode::Char('k') => view.scroll = view.scroll.saturating_sub(1),
                KeyCode::Down | KeyCode::Char('j') => view.scroll = view.scroll.saturating_add(1),
                KeyCode::PageUp => view.scroll = view.scroll.saturating_sub(10),
                KeyCode::PageDown => view.scroll = view.scroll.saturating_add(10),
                KeyCode::Char('s') if view.text.is_some() => {
                    let mut path = text_field();
                    path.insert_str(format!("{}-{}.txt", view.code, view.form.as_str()));
                    view.save_to = Some(path);
                }
                _ => {}
            }
            app.overlay = Some(Overlay::Form(view));
            vec![]
        }
        Overlay::Attachments(mut menu) => match menu_key(&mut menu, &key) {
            MenuKey::Close => vec![],
            MenuKey::Moved => {
                app.overlay = Some(Overlay::Attachments(menu));
                vec![]
            }
            MenuKey::Chosen => {
                if let Some((id, filename)) = menu.items.get(menu.selected).cloned() {
                    app.overlay = Some(download_prompt(&menu.code, id, filename));
                }
                vec![]
            }
        },
        Overlay::Download(mut prompt) => {
            match key.code {
                KeyCode::Esc => return vec![],
                _ if is_enter(&key) => {
                    let dest = field_text(&prompt.path).trim().to_owned();
                    if !dest.is_empty() {
                        let id = request(app, Purpose::Download);
                        return vec![Effect::Download {
                            id,
                            code: prompt.code,
                            attachment_id: prompt.attachment_id,
                            dest: PathBuf::from(dest),
                        }];
                    }
                }
                _ => {
                    edit(&mut prompt.path, key);
                }
            }
            app.overlay = Some(Overlay::Download(prompt));
            vec![]
        }
    }
}

/// What a key does to a menu.
enum MenuKey {
    Close,
    /// Moved, or a key the menu ignores: the menu stays.
    Moved,
    Chosen,
}

fn menu_key<T>(menu: &mut Menu<T>, key: &KeyEvent) -> MenuKey {
    match key.code {
        KeyCode::Esc => MenuKey::Close,
        KeyCode::Up | KeyCode::Char('k') => {
            menu.selected = menu.selected.saturating_sub(1);
            MenuKey::Moved
        }
        KeyCode::Down | KeyCode::Char('j') => {
            menu.selected = (menu.selected + 1).min(menu.items.len().saturating_sub(1));
            MenuKey::Moved
        }
        _ if is_enter(key) => MenuKey::Chosen,
        _ => MenuKey::Moved,
    }
}

fn download_prompt(code: &str, attachment_id: String, filename: String) -> Overlay {
    let mut path = text_field();
    path.insert_str(&filename);
    Overlay::Download(Box::new(DownloadPrompt {
        code: code.to_owned(),
        attachment_id,
        filename,
        path,
    }))
}

/// The dossier the action keys apply to: the open detail, or the selected row.
fn target(app: &App) -> Option<(String, Status, i64)> {
    if let Some(detail) = &app.inbox.detail {
        let d = detail.dossier.as_ref()?;
        return Some((d.code.clone(), d.status, d.version));
    }
    let item = app.inbox.selected_item()?;
    Some((
        item.summary.code.clone(),
        item.summary.status,
        item.summary.version,
    ))
}

/// The actions the table lets this role take on this status. Time rules (supplement
/// window, extension deadline, payment) are the portal's to judge: a refusal comes back
/// as the rule's message.
pub fn steps_for(role: Role, status: Status) -> Vec<Step> {
    workflow::TRANSITIONS
        .iter()
        .filter(|t| t.from.contains(&status) && t.roles.contains(&role))
        .map(|t| t.action)
        .fold(Vec::new(), |mut acc, a| {
            if !acc.contains(&a) {
                acc.push(a);
            }
            acc
        })
}

fn open_actions(app: &mut App) -> Vec<Effect> {
    let Some(role) = app.me.as_ref().map(|m| m.role) else {
        return vec![];
    };
    let Some((code, status, _)) = target(app) else {
        return vec![];
    };
    let steps = steps_for(role, status);
    if steps.is_empty() {
        let text = trf(
            app.lang,
            "toast.no_actions",
            &[
                ("role", role.label(app.lang)),
                ("status", status.label(app.lang)),
            ],
        );
        toast(app, ToastKind::Info, text);
        return vec![];
    }
    app.overlay = Some(Overlay::Actions(Menu {
        code,
        items: steps,
        selected: 0,
    }));
    vec![]
}

fn open_dialog(app: &mut App, code: &str, step: Step) {
    let Some((_, status, version)) = target(app).filter(|(c, ..)| c == code) else {
        return;
    };
    let Some(transition) = workflow::TRANSITIONS
        .iter()
        .find(|t| t.action == step && t.from.contains(&status))
    else {
        return;
    };
    let fields: Vec<DialogField> = transition
        .needs
        .iter()
        .map(|need| DialogField {
            input: need.input,
            required: need.required,
            text: text_field(),
            choices: match need.input {
                Input::Verdict => vec!["approved", "denied"],
                Input::Delivery => vec!["in_person", "postal", "online"],
                _ => vec![],
            },
            choice: 0,
        })
        .collect();
    let confirming = fields.is_empty();
    app.overlay = Some(Overlay::Dialog(Box::new(ActionDialog {
        code: code.to_owned(),
        version,
        step,
        fields,
        focus: 0,
        confirming,
        error: None,
        pending: None,
    })));
}

fn dialog_key(app: &mut App, mut d: Box<ActionDialog>, key: KeyEvent) -> Vec<Effect> {
    if d.pending.is_some() {
        if key.code == KeyCode::Esc {
            app.overlay = Some(Overlay::Dialog(d));
            return cancel_newest(app).into_iter().collect();
        }
        app.overlay = Some(Overlay::Dialog(d));
        return vec![];
    }
    match key.code {
        KeyCode::Esc if d.confirming && !d.fields.is_empty() => d.confirming = false,
        KeyCode::Esc => return vec![],
        KeyCode::Tab | KeyCode::Down if !d.confirming && !d.fields.is_empty() => {
            d.focus = (d.focus + 1) % d.fields.len();
        }
        KeyCode::BackTab | KeyCode::Up if !d.confirming && !d.fields.is_empty() => {
            d.focus = (d.focus + d.fields.len() - 1) % d.fields.len();
        }
        KeyCode::Left | KeyCode::Right
            if !d.confirming && d.fields.get(d.focus).is_some_and(|f| !f.choices.is_empty()) =>
        {
            let f = &mut d.fields[d.focus];
            let n = f.choices.len();
            f.choice = if key.code == KeyCode::Right {
                (f.choice + 1) % n
            } else {
                (f.choice + n - 1) % n
            };
        }
        _ if is_enter(&key) => {
            if d.confirming {
                match build_request(&d, app.lang) {
                    Ok(request_body) => {
                        let id = request(app, Purpose::Act);
                        d.pending = Some(id);
                        d.error = None;
                        let effect = Effect::Act {
                            id,
                            code: d.code.clone(),
                            version: d.version,
                            request: request_body,
                        };
                        app.overlay = Some(Overlay::Dialog(d));
                        return vec![effect];
                    }
                    Err(message) => {
                        d.error = Some(message);
                        d.confirming = false;
                    }
                }
            } else if d.focus + 1 < d.fields.len() {
                d.focus += 1;
            } else {
                match build_request(&d, app.lang) {
                    Ok(_) => {
                        d.confirming = true;
                        d.error = None;
                    }
                    Err(message) => d.error = Some(message),
                }
            }
        }
        _ if !d.confirming => {
            let focus = d.focus;
            if let Some(f) = d.fields.get_mut(focus)
                && f.choices.is_empty()
            {
                edit(&mut f.text, key);
            }
        }
        _ => {}
    }
    app.overlay = Some(Overlay::Dialog(d));
    vec![]
}

/// The request an action dialog sends, or the rule's message for what is missing or
/// malformed — checked here so the officer hears it before a round trip.
pub fn build_request(d: &ActionDialog, lang: Lang) -> Result<ActionRequest, String> {
    let mut r = ActionRequest {
        action: Some(d.step),
        ..ActionRequest::default()
    };
    for f in &d.fields {
        let text = crate::domain::text::nfc(field_text(&f.text).trim());
        let missing = || Refusal::MissingInput(f.input).message(lang);
        if f.choices.is_empty() && text.is_empty() {
            if f.required {
                return Err(missing());
            }
            continue;
        }
        match f.input {
            Input::Reason => r.reason = Some(text),
            Input::Summary => r.summary = Some(text),
            Input::Recipient => r.recipient = Some(text),
            Input::Assignee => r.assignee = Some(text),
            Input::MissingDocuments => {
                r.missing_documents = text
                    .split(';')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                if r.missing_documents.is_empty() {
                    return Err(missing());
                }
            }
            Input::Amount => {
                let digits: String = text
                    .chars()
                    .filter(|c| !matches!(c, '.' | ',' | ' '))
                    .collect();
                match digits.parse::<u64>() {
                    Ok(0) => return Err(Refusal::AmountNotPositive.message(lang)),
                    Ok(n) => r.amount = Some(n),
                    Err(_) => return Err(tr(lang, "dialog.bad_amount").to_owned()),
                }
            }
            Input::NewDueAt => match parse_due(&text) {
                Some(at) => r.new_due_at = Some(at),
                None => return Err(tr(lang, "dialog.bad_date").to_owned()),
            },
            Input::Verdict => {
                r.result = Some(if f.choice == 0 {
                    Verdict::Approved
                } else {
                    Verdict::Denied
                })
            }
            Input::Delivery => {
                r.delivery = Some(match f.choice {
                    0 => DeliveryMethod::InPerson,
                    1 => DeliveryMethod::Postal,
                    _ => DeliveryMethod::Online,
                })
            }
        }
    }
    Ok(r)
}

/// `DD/MM/YYYY [HH:MM]` (as officials write dates) or `YYYY-MM-DD [HH:MM]`, local time
/// (UTC+7), to RFC 3339. A date alone means the end of that working day, 17:00.
pub fn parse_due(text: &str) -> Option<String> {
    use chrono::{NaiveDate, NaiveTime};
    let mut parts = text.split_whitespace();
    let date_text = parts.next()?;
    let time_text = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let date = NaiveDate::parse_from_str(date_text, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(date_text, "%Y-%m-%d"))
        .ok()?;
    let time = match time_text {
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M").ok()?,
        None => NaiveTime::from_hms_opt(17, 0, 0)?,
    };
    Some(format!(
        "{}T{}:00+07:00",
        date.format("%Y-%m-%d"),
        time.format("%H:%M")
    ))
}

fn on_acted(app: &mut App, id: RequestId, result: Result<Dossier, Failure>) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    let step = match app.overlay.as_mut() {
        Some(Overlay::Dialog(d)) if d.pending == Some(id) => {
            d.pending = None;
            Some(d.step)
        }
        _ => None,
    };
    match result {
        Ok(dossier) => {
            if step.is_some() {
                app.overlay = None;
            }
            let label = step.map(|s| s.label(app.lang)).unwrap_or_default();
            let text = trf(
                app.lang,
                "toast.acted",
                &[
                    ("action", label),
                    ("code", &dossier.code),
                    ("status", dossier.status.label(app.lang)),
                ],
            );
            toast(app, ToastKind::Success, text);
            refresh_from(app, &dossier);
            if let Some(detail) = app.inbox.detail.as_mut().filter(|d| d.code == dossier.code) {
                detail.changed.clear();
                detail.dossier = Some(Box::new(dossier));
            }
            vec![Effect::LoadStats(request(app, Purpose::Stats))]
        }
        Err(Failure::Conflict(current)) => {
            // Someone acted first: show what they changed, on the fresh dossier.
            app.overlay = None;
            let before = app
                .inbox
                .detail
                .as_ref()
                .and_then(|d| d.dossier.as_deref().cloned());
            let changed = describe_changes(app.lang, before.as_ref(), &current);
            refresh_from(app, &current);
            let code = current.code.clone();
            app.inbox.detail = Some(DetailView {
                code,
                dossier: Some(current),
                scroll: 0,
                changed,
            });
            toast(
                app,
                ToastKind::Error,
                tr(app.lang, "error.conflict").to_owned(),
            );
            vec![]
        }
        Err(Failure::Unauthorized(_)) => {
            if let Some(Overlay::Dialog(d)) = app.overlay.as_mut() {
                d.confirming = false;
            }
            expire(app)
        }
        Err(failure) => {
            let text = failure_text(app.lang, &failure);
            match app.overlay.as_mut() {
                Some(Overlay::Dialog(d)) => {
                    d.confirming = false;
                    d.error = Some(text);
                }
                _ => toast(app, ToastKind::Error, text),
            }
            vec![]
        }
    }
}

/// Lines saying what differs between what the officer saw and the portal's dossier.
pub fn describe_changes(lang: Lang, before: Option<&Dossier>, after: &Dossier) -> Vec<String> {
    let mut out = Vec::new();
    let Some(before) = before else {
        out.push(trf(
            lang,
            "conflict.reloaded",
            &[("status", after.status.label(lang))],
        ));
        return out;
    };
    if before.status != after.status {
        out.push(trf(
            lang,
            "conflict.status",
            &[
                ("from", before.status.label(lang)),
                ("to", after.status.label(lang)),
            ],
        ));
    }
    if before.due_at != after.due_at {
        out.push(trf(
            lang,
            "conflict.due",
            &[
                ("from", &short_time(before.due_at.as_deref())),
                ("to", &short_time(after.due_at.as_deref())),
            ],
        ));
    }
    if before.assignee != after.assignee {
        out.push(trf(
            lang,
            "conflict.assignee",
            &[("to", after.assignee.as_deref().unwrap_or("—"))],
        ));
    }
    if before.fee.status != after.fee.status {
        out.push(tr(lang, "conflict.payment").to_owned());
    }
    if let Some(last) = after.timeline.last()
        && before.timeline.len() != after.timeline.len()
    {
        out.push(trf(
            lang,
            "conflict.by",
            &[
                ("who", last.username.as_deref().unwrap_or("—")),
                ("action", &last.action),
            ],
        ));
    }
    if out.is_empty() {
        out.push(trf(
            lang,
            "conflict.reloaded",
            &[("status", after.status.label(lang))],
        ));
    }
    out
}

/// `2027-04-20T09:00:00+07:00` → `09:00 20/04/2027`.
pub fn short_time(rfc3339: Option<&str>) -> String {
    rfc3339
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.format("%H:%M %d/%m/%Y").to_string())
        .unwrap_or_else(|| "—".to_owned())
}

/// The list row of a full dossier: the table updates at once after an action.
pub fn summary_of(d: &Dossier) -> DossierSummary {
    DossierSummary {
        code: d.code.clone(),
        status: d.status,
        channel: d.channel,
        applicant_name: d.applicant.full_name.clone(),
        procedure_code: d.procedure.code.clone(),
        procedure_name: d.procedure.name.clone(),
        submitted_at: d.submitted_at.clone(),
        received_at: d.received_at.clone(),
        due_at: d.due_at.clone(),
        overdue: d.overdue,
        payment_status: d.fee.status,
        version: d.version,
    }
}

fn refresh_from(app: &mut App, d: &Dossier) {
    let keep = app.inbox.selected_code();
    app.inbox.upsert(summary_of(d));
    app.inbox.rebuild(keep);
}

/// The forms a dossier has, by what happened to it.
pub fn forms_for(d: &Dossier) -> Vec<Form> {
    let mut forms = Vec::new();
    if d.received_at.is_some() {
        forms.push(Form::Receipt);
    }
    if d.supplement.is_some() {
        forms.push(Form::Supplement);
    }
    if d.status == Status::Refused {
        forms.push(Form::Refusal);
    }
    if d.extensions > 0 {
        forms.push(Form::Apology);
    }
    if d.received_at.is_some() {
        forms.push(Form::ControlSheet);
    }
    forms
}

fn open_forms(app: &mut App) -> Vec<Effect> {
    let Some(d) = app.inbox.detail.as_ref().and_then(|d| d.dossier.as_deref()) else {
        return vec![];
    };
    let forms = forms_for(d);
    let code = d.code.clone();
    if forms.is_empty() {
        toast(
            app,
            ToastKind::Info,
            tr(app.lang, "toast.no_forms").to_owned(),
        );
        return vec![];
    }
    app.overlay = Some(Overlay::Forms(Menu {
        code,
        items: forms,
        selected: 0,
    }));
    vec![]
}

fn open_downloads(app: &mut App) -> Vec<Effect> {
    let Some(d) = app.inbox.detail.as_ref().and_then(|d| d.dossier.as_deref()) else {
        return vec![];
    };
    let code = d.code.clone();
    let files: Vec<(String, String)> = d
        .documents
        .iter()
        .filter_map(|doc| doc.attachment.as_ref())
        .map(|a| (a.id.clone(), a.filename.clone()))
        .collect();
    match files.len() {
        0 => toast(
            app,
            ToastKind::Info,
            tr(app.lang, "toast.no_attachments").to_owned(),
        ),
        1 => {
            let (id, name) = files.into_iter().next().expect("one file");
            app.overlay = Some(download_prompt(&code, id, name));
        }
        _ => {
            app.overlay = Some(Overlay::Attachments(Menu {
                code,
                items: files,
                selected: 0,
            }))
        }
    }
    vec![]
}

// ---------------------------------------------------------------------------------------
// The command line

const COMMANDS: &[&str] = &[
    "quit", "q", "code", "theme", "queue", "refresh", "logout", "help",
];

/// Completions of what is typed: a command name, or a command's argument.
pub fn complete(text: &str) -> Vec<String> {
    let mut parts = text.splitn(2, ' ');
    let head = parts.next().unwrap_or("");
    match parts.next() {
        None => COMMANDS
            .iter()
            .filter(|c| c.starts_with(head) && c.len() > 1)
            .map(|c| format!("{c} "))
            .collect(),
        Some(arg) => {
            let options: Vec<String> = match head {
                "theme" => Theme::built_in_names().map(str::to_owned).collect(),
                "queue" => Queue::ALL.iter().map(|q| q.as_str().to_owned()).collect(),
                _ => vec![],
            };
            options
                .into_iter()
                .filter(|o| o.starts_with(arg.trim()))
                .map(|o| format!("{head} {o}"))
                .collect()
        }
    }
}

fn run_command(app: &mut App, text: &str) -> Vec<Effect> {
    let mut parts = text.split_whitespace();
    let head = parts.next().unwrap_or("");
    let arg = parts.next();
    match (head, arg) {
        ("", _) => vec![],
        ("q" | "quit", _) => quit(app),
        ("refresh", _) => refresh(app),
        ("logout", _) => logout(app),
        ("help", _) => {
            app.overlay = Some(Overlay::Help(app.context()));
            vec![]
        }
        ("code", Some(code)) => open_code(app, code.to_owned()),
        ("theme", Some(name)) => {
            match Theme::load(name, None) {
                Ok(theme) => app.theme = theme,
                Err(e) => {
                    let text = trf(app.lang, "error.theme", &[("problem", &e.to_string())]);
                    toast(app, ToastKind::Error, text);
                }
            }
            vec![]
        }
        ("queue", Some(name)) => {
            match Queue::from_wire(name) {
                Some(q) => {
                    app.tab = Tab::Inbox;
                    app.inbox.queue = q;
                    let keep = app.inbox.selected_code();
                    app.inbox.rebuild(keep);
                }
                None => {
                    let text = trf(app.lang, "error.queue", &[("name", name)]);
                    toast(app, ToastKind::Error, text);
                }
            }
            vec![]
        }
        _ => {
            let text = trf(app.lang, "error.command", &[("command", text.trim())]);
            toast(app, ToastKind::Error, text);
            vec![]
        }
    }
}

/// Sizes as officials read them.
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}
