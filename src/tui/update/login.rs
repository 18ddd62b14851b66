//! The login form, also the re-login prompt over a kept screen.

use super::*;

pub(super) fn on_logged_in(
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
            app.offline_session = false;
            enter(app, response.user)
        }
        Err(failure) => {
            app.login.error = Some(failure_text(app.lang, &failure));
            app.login.focus = LoginField::Password;
            vec![]
        }
    }
}

/// The portal could not be reached at login, and the desk checked the password against
/// the last online login's (`tui::offline`): in, or why not. (The login's own answer,
/// the link failure, comes next and finds nothing waiting.)
pub(super) fn on_offline_session(
    app: &mut App,
    id: RequestId,
    result: Result<crate::api::auth::Me, String>,
) -> Vec<Effect> {
    if app.login.pending != Some(id) {
        return vec![];
    }
    app.pending.remove(&id);
    app.login.pending = None;
    app.link.state = LinkState::Offline;
    match result {
        Ok(me) if me.role.is_staff() => {
            app.offline_session = true;
            let mut effects = enter(app, me);
            let text = tr(app.lang, "login.offline").to_owned();
            toast(app, ToastKind::Info, text);
            effects.push(Effect::CountCodes);
            effects
        }
        Ok(_) => {
            app.login.error = Some(tr(app.lang, "login.not_staff").to_owned());
            vec![]
        }
        Err(text) => {
            app.login.error = Some(text);
            app.login.focus = LoginField::Password;
            vec![]
        }
    }
}

/// Logged in (online or off): the main screen, and what it loads.
fn enter(app: &mut App, me: crate::api::auth::Me) -> Vec<Effect> {
    app.login.password = LoginForm::new().password;
    app.login.error = None;
    let resumed = app.relogin;
    app.relogin = false;
    app.me = Some(me);
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
    if !resumed {
        effects.push(Effect::LoadDraft);
        if app.training() {
            effects.push(Effect::LoadTraining);
        }
    }
    if !resumed || app.inbox.seq.is_none() {
        effects.push(Effect::LoadInbox(request(app, Purpose::Inbox)));
    } else {
        app.poll_in = 0;
    }
    effects.push(Effect::LoadStats(request(app, Purpose::Stats)));
    if !app.offline_session {
        effects.push(Effect::ResumeOutbox);
        effects.push(Effect::KeepCodes);
    }
    effects
}

pub(super) fn login_key(app: &mut App, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    match key {
        K(Command::Cancel) => cancel_newest(app).into_iter().collect(),
        K(Command::NextField) => {
            app.login.focus = next_login_field(app, app.login.focus, true);
            vec![]
        }
        K(Command::PrevField) => {
            app.login.focus = next_login_field(app, app.login.focus, false);
            vec![]
        }
        K(c @ (Command::NextChoice | Command::PrevChoice)) => {
            let n = app.profiles.len().max(1);
            app.login.profile = if c == Command::NextChoice {
                (app.login.profile + 1) % n
            } else {
                (app.login.profile + n - 1) % n
            };
            app.apply_profile();
            app.login.focus = LoginField::Profile;
            vec![]
        }
        K(Command::LogIn) => submit_login(app),
        K(_) => vec![],
        KeyInput::Text(key) => {
            match app.login.focus {
                LoginField::Username => edit(&mut app.login.username, key),
                LoginField::Password => edit(&mut app.login.password, key),
                LoginField::Profile => false,
            };
            vec![]
        }
    }
}

pub(super) fn next_login_field(app: &App, from: LoginField, forward: bool) -> LoginField {
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

pub(super) fn submit_login(app: &mut App) -> Vec<Effect> {
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
