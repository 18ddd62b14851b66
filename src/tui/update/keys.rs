//! Keys outside overlays: the keymap's commands, the filter, the lookup field, pastes.

use super::*;

pub(super) fn is_enter(key: &KeyEvent) -> bool {
    key.code == KeyCode::Enter
        || (key.modifiers.contains(KeyModifiers::CONTROL)
            && matches!(key.code, KeyCode::Char('m') | KeyCode::Char('j')))
}

/// What reaches the focused text field: a key to type, or the keymap's `clear_field`.
/// Every pane hands it to [`edit`] where it handles typing, so clearing a field has the
/// same consequences there as typing in it (the filter narrows again, a lookup's matches
/// go, the draft is saved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextInput {
    Key(KeyEvent),
    Clear,
}

/// Sends a key to a one-line field; `true` when its text changed. Enter never reaches it
/// (a field is one line; Enter submits), nor Tab. Ctrl-H deletes backwards, as input
/// methods expect. The text area's own undo and redo (Ctrl-U, Ctrl-R) are not passed
/// on: what Ctrl-U does is the keymap's to say (`clear_field`), and an undo took back a
/// letter in one field, a whole completed path in another and nothing in a third.
pub fn edit(field: &mut ratatui_textarea::TextArea<'static>, input: TextInput) -> bool {
    let key = match input {
        TextInput::Clear => return field.clear(),
        TextInput::Key(key) => key,
    };
    if is_enter(&key) || matches!(key.code, KeyCode::Tab | KeyCode::BackTab | KeyCode::Esc) {
        return false;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('u') | KeyCode::Char('r')) {
        return false;
    }
    field.input(key)
}

pub(super) fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
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
            Some(Overlay::Digitize(f)) => {
                let row = f.row;
                f.field_mut(row)
            }
            Some(_) => None,
            None if app.tab == Tab::Inbox && app.inbox.filtering => Some(&mut app.inbox.filter),
            None if app.tab == Tab::Lookup => Some(&mut app.lookup),
            None if app.tab == Tab::Certify => super::certify::paste_target(app),
            None if app.tab == Tab::Intake => intake_paste_target(&mut app.intake),
            None if app.tab == Tab::Citizens => match app.citizens.form.as_mut() {
                Some(form) => {
                    let f = form.focused();
                    (f != crate::tui::intake::CitizenField::Gender)
                        .then(|| &mut form.texts[f as usize])
                }
                None if app.citizens.detail.is_none() => Some(&mut app.citizens.query),
                None => None,
            },
            None => None,
        }
    };
    if let Some(field) = field {
        field.insert_str(one_line);
    }
    if app.inbox.filtering && app.overlay.is_none() {
        let keep = app.inbox.selected_code();
        app.inbox.rebuild(keep);
        return super::paging::typed(app);
    }
    vec![]
}

/// The field of the wizard that takes a paste (a scanner may paste a chip-card QR).
fn intake_paste_target(
    w: &mut crate::tui::intake::Wizard,
) -> Option<&mut ratatui_textarea::TextArea<'static>> {
    use crate::tui::intake::{ApplicantRow, ReviewRow, WizardStep};
    match w.step {
        WizardStep::Procedure => Some(&mut w.query),
        WizardStep::Applicant => {
            if let Some(form) = w.new_citizen.as_mut() {
                let f = form.focused();
                return (f != crate::tui::intake::CitizenField::Gender)
                    .then(|| &mut form.texts[f as usize]);
            }
            match w.applicant_row {
                ApplicantRow::Lookup => Some(&mut w.lookup),
                ApplicantRow::SubmitterName => Some(&mut w.submitter_name),
                ApplicantRow::SubmitterId => Some(&mut w.submitter_id),
                ApplicantRow::Authorization => Some(&mut w.authorization),
                ApplicantRow::Relation => None,
            }
        }
        WizardStep::Documents => w.attach.as_mut(),
        WizardStep::Delivery => w.on_address.then_some(&mut w.address),
        WizardStep::Review => match w.review_row {
            ReviewRow::Pages => Some(&mut w.pages),
            ReviewRow::Copies => Some(&mut w.copies),
            ReviewRow::Receipt => Some(&mut w.receipt_no),
            _ => None,
        },
        WizardStep::Done => None,
    }
}

/// A key after the keymap: a command of the context, or text for the focused field.
#[derive(Debug, Clone, Copy)]
pub(super) enum KeyInput {
    Command(Command),
    Text(TextInput),
}

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind != KeyEventKind::Press {
        return vec![];
    }
    // Ctrl-C quits wherever the keyboard is, whatever the keymap says: at once when
    // nothing would be left behind, else after asking, where a second Ctrl-C quits.
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        if matches!(app.overlay, Some(Overlay::Leave(_))) {
            return quit(app);
        }
        return ask_to_leave(app, Leaving::Quit);
    }
    let Some(context) = super::panes::key_context(app) else {
        return vec![];
    };
    let enabled = super::panes::enabled_commands(app);
    let input = match app.keymap.resolve(context, &key, &enabled) {
        // Whichever key the keymap gives it, clearing reaches the field as text does.
        Some(Command::ClearField) => KeyInput::Text(TextInput::Clear),
        Some(command) => KeyInput::Command(command),
        None => KeyInput::Text(TextInput::Key(key)),
    };
    dispatch(app, context, input)
}

/// Sends a resolved key to the pane, step or overlay it is for.
fn dispatch(app: &mut App, context: Context, input: KeyInput) -> Vec<Effect> {
    use Context as X;
    if context == X::Login {
        return login_key(app, input);
    }
    if let KeyInput::Command(command) = input
        && context.inherits_global()
        && let Some(effects) = global_command(app, command)
    {
        return effects;
    }
    match context {
        X::Help
        | X::Menu
        | X::DeadLetters
        | X::Prompt
        | X::CommandLine
        | X::FormView
        | X::Payment
        | X::Dialog
        | X::Viewer
        | X::Exercises
        | X::Activation
        | X::DigitizeForm
        | X::Leave => match app.overlay.take() {
            Some(overlay) => overlay_input(app, overlay, input),
            None => vec![],
        },
        X::Filter => filter_key(app, input),
        X::Lookup => lookup_key(app, input),
        X::Inbox | X::Detail | X::Stats | X::Global => match input {
            KeyInput::Command(command) => command_effects(app, command),
            KeyInput::Text(_) => vec![],
        },
        X::Citizens | X::CitizenRecord => citizens_key(app, input),
        X::CitizenForm if app.tab == Tab::Citizens => citizens_key(app, input),
        X::Certify | X::CertifyBook => super::certify::certify_key(app, input),
        _ => intake_key(app, input),
    }
}

/// The commands every pane inherits; `None` for the pane's own.
fn global_command(app: &mut App, command: Command) -> Option<Vec<Effect>> {
    Some(match command {
        Command::Quit => ask_to_leave(app, Leaving::Quit),
        Command::Help => {
            app.overlay = Some(help_page(app));
            vec![]
        }
        Command::CommandLine => {
            app.overlay = Some(Overlay::CommandLine(Box::new(text_field())));
            vec![]
        }
        Command::Refresh => refresh(app),
        Command::Tab1 => switch_tab(app, Tab::Inbox),
        Command::Tab2 => switch_tab(app, Tab::Intake),
        Command::Tab3 => switch_tab(app, Tab::Citizens),
        Command::Tab4 => switch_tab(app, Tab::Lookup),
        Command::Tab5 => switch_tab(app, Tab::Stats),
        Command::Tab6 => switch_tab(app, Tab::Certify),
        Command::Logout => ask_to_leave(app, Leaving::Logout),
        Command::Cancel => cancel_newest(app).into_iter().collect(),
        _ => return None,
    })
}

/// The help overlay for what is on screen now: its enabled commands, as they are.
pub(super) fn help_page(app: &App) -> Overlay {
    Overlay::Help(HelpPage {
        context: super::panes::key_context(app).unwrap_or(Context::Global),
        enabled: super::panes::enabled_commands(app),
    })
}

fn lookup_key(app: &mut App, input: KeyInput) -> Vec<Effect> {
    match input {
        KeyInput::Command(Command::Back) => {
            app.tab = Tab::Inbox;
            vec![]
        }
        KeyInput::Command(Command::Open) => {
            let typed = field_text(&app.lookup).trim().to_owned();
            if typed.is_empty() || app.lookup_pending.is_some() {
                return vec![];
            }
            match code_of(app, &typed) {
                Ok(code) => {
                    // Searched: the field is free for the next code, and the note says
                    // what became of this one.
                    app.lookup = text_field();
                    app.lookup_note = None;
                    let id = request(app, Purpose::Detail);
                    app.lookup_pending = Some((id, code.clone()));
                    vec![Effect::LoadDetail { id, code }]
                }
                // Not searched: the text stays, to be corrected.
                Err(problem) => {
                    app.lookup_note = Some(problem);
                    vec![]
                }
            }
        }
        KeyInput::Text(key) => {
            if edit(&mut app.lookup, key) {
                app.lookup_note = None;
            }
            vec![]
        }
        KeyInput::Command(_) => vec![],
    }
}

/// The dossier code an official typed, as the portal spells it: the full code in any
/// case, or the short `YYMMDD-NNNN` of the receipt for this office's; else what is wrong.
pub(super) fn code_of(app: &App, typed: &str) -> Result<String, String> {
    use crate::domain::dossier_code::{CodeError, DossierCode, UnitCode};
    let lang = app.lang;
    let unit = app
        .me
        .as_ref()
        .and_then(|m| m.office.as_ref())
        .and_then(|o| UnitCode::parse(&o.code).ok());
    let parsed = match &unit {
        Some(unit) => DossierCode::parse_at(typed, unit),
        None => DossierCode::parse(typed),
    };
    match parsed {
        Ok(code) => Ok(code.to_string()),
        Err(CodeError::BadShape(_)) => {
            let example =
                unit.map_or_else(|| "000.01.27.H07".to_owned(), |u| u.as_str().to_owned());
            Err(trf(
                lang,
                "lookup.bad_code",
                &[("typed", typed), ("unit", &example)],
            ))
        }
        Err(e) => Err(e.message(lang)),
    }
}

/// The answer to the lookup's search: the dossier opens in the inbox; a miss stays on
/// the lookup pane, saying which code was not found.
pub(super) fn on_lookup_loaded(app: &mut App, result: Result<Dossier, Failure>) -> Vec<Effect> {
    let Some((_, code)) = app.lookup_pending.take() else {
        return vec![];
    };
    match result {
        Ok(dossier) => {
            refresh_from(app, &dossier);
            // Only while the official still waits on the lookup pane.
            if app.tab == Tab::Lookup && app.overlay.is_none() {
                app.tab = Tab::Inbox;
                app.inbox.filtering = false;
                app.inbox.detail = Some(DetailView {
                    code: dossier.code.clone(),
                    dossier: Some(Box::new(dossier)),
                    scroll: 0,
                    changed: vec![],
                    notices: None,
                });
            }
            vec![]
        }
        Err(Failure::Refused { code: error, .. })
            if error == crate::api::error::ErrorCode::NotFound.as_str() =>
        {
            app.lookup_note = Some(trf(app.lang, "lookup.not_found", &[("code", &code)]));
            vec![]
        }
        Err(failure) => {
            // Not searched after all (the link, the session): the code comes back, so
            // Enter tries again.
            if field_text(&app.lookup).is_empty() {
                app.lookup.insert_str(&code);
            }
            if let Failure::Unauthorized(_) = failure {
                return expire(app);
            }
            app.lookup_note = Some(failure_text(app.lang, &failure));
            vec![]
        }
    }
}

pub(super) fn command_effects(app: &mut App, command: Command) -> Vec<Effect> {
    let page = app.inbox.page_rows.max(1) as isize;
    let in_detail = app.inbox.detail.is_some() && app.tab == Tab::Inbox;
    if let Some(effects) = global_command(app, command) {
        return effects;
    }
    match command {
        Command::Filter => {
            app.tab = Tab::Inbox;
            app.inbox.detail = None;
            app.inbox.filtering = true;
            vec![]
        }
        Command::ClearFilter => filter_key(app, KeyInput::Command(command)),
        Command::Up | Command::Down if app.tab == Tab::Stats => {
            let last = crate::tui::view::stats::INDICES.len() - 1;
            let at = app.stats_view.index;
            app.stats_view.index = if command == Command::Up {
                at.saturating_sub(1)
            } else {
                (at + 1).min(last)
            };
            vec![]
        }
        Command::ToggleCounts => {
            app.stats_view.counts = !app.stats_view.counts;
            vec![]
        }
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
            super::paging::follow(app, true)
        }
        Command::Actions => open_actions(app),
        Command::Form => open_forms(app),
        Command::Download => open_downloads(app),
        Command::Pay => open_payment(app),
        Command::Digitize => super::documents::open_from_detail(app),
        Command::View => super::viewer::open_viewer(app),
        Command::OpenExternal => super::viewer::open_external_from_detail(app),
        Command::ExportRegister => super::forms::open_export(app),
        Command::Notices => super::results::open_notices(app),
        // The commands of other contexts do not arrive here.
        _ => vec![],
    }
}

pub(super) fn switch_tab(app: &mut App, tab: Tab) -> Vec<Effect> {
    app.tab = tab;
    match tab {
        Tab::Stats => vec![Effect::LoadStats(request(app, Purpose::Stats))],
        Tab::Intake => enter_intake(app),
        _ => vec![],
    }
}

pub(super) fn move_selection(app: &mut App, delta: isize) -> Vec<Effect> {
    app.inbox.move_by(delta);
    // Past the rows held the next page comes; a page that failed is asked again.
    super::paging::follow(app, true)
}

pub(super) fn scroll_detail(app: &mut App, delta: i32) -> Vec<Effect> {
    if let Some(d) = app.inbox.detail.as_mut() {
        d.scroll = (d.scroll as i32 + delta).clamp(0, u16::MAX as i32) as u16;
    }
    vec![]
}

pub(super) fn refresh(app: &mut App) -> Vec<Effect> {
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

pub(super) fn open_code(app: &mut App, code: String) -> Vec<Effect> {
    app.tab = Tab::Inbox;
    app.inbox.filtering = false;
    app.inbox.detail = Some(DetailView {
        code: code.clone(),
        dossier: None,
        scroll: 0,
        changed: vec![],
        notices: None,
    });
    let id = request(app, Purpose::Detail);
    vec![Effect::LoadDetail { id, code }]
}

/// Quits or logs out, first asking when that would leave something behind: writes
/// waiting in the outbox, text typed in a form.
pub(super) fn ask_to_leave(app: &mut App, leaving: Leaving) -> Vec<Effect> {
    let reasons = left_behind(app);
    if reasons.is_empty() {
        return leave(app, leaving);
    }
    let under = app.overlay.take().map(Box::new);
    app.overlay = Some(Overlay::Leave(LeavePrompt {
        leaving,
        reasons,
        under,
    }));
    vec![]
}

/// The official stays: what the prompt covered comes back, unless it was waiting for an
/// answer that came meanwhile (it would wait for ever; the answer was told as a toast).
pub(super) fn stay(app: &mut App, prompt: LeavePrompt) -> Vec<Effect> {
    app.wipe_at_logout = false;
    let waiting = |id: &Option<RequestId>| id.is_some_and(|id| !app.pending.contains_key(&id));
    app.overlay = prompt.under.map(|o| *o).filter(|o| match o {
        Overlay::Dialog(d) => !waiting(&d.pending),
        Overlay::Payment(p) => !waiting(&p.pending),
        Overlay::Form(v) => {
            v.text.is_some() || app.pending.values().any(|p| p.purpose == Purpose::Form)
        }
        Overlay::Exercises(v) => !v.activation.as_ref().is_some_and(|f| waiting(&f.pending)),
        _ => true,
    });
    vec![]
}

pub(super) fn leave(app: &mut App, leaving: Leaving) -> Vec<Effect> {
    match leaving {
        Leaving::Quit => quit(app),
        Leaving::Logout => logout(app),
    }
}

/// What quitting or logging out now would leave behind, one line each for the official.
/// Nothing is lost on disk (the outbox and the intake draft wait for the next session),
/// but an official who leaves believing a write went, or who forgets the intake of a
/// citizen still at the counter, has lost it all the same.
pub fn left_behind(app: &App) -> Vec<String> {
    let lang = app.lang;
    let mut out = Vec::new();
    if app.screen != Screen::Main {
        return out;
    }
    if app.outbox > 0 {
        out.push(trf(lang, "leave.outbox", &[("n", &app.outbox.to_string())]));
    }
    if !app.dead_letters.is_empty() {
        let n = app.dead_letters.len().to_string();
        out.push(trf(lang, "leave.refused", &[("n", &n)]));
    }
    let w = &app.intake;
    if w.step != crate::tui::intake::WizardStep::Done && !w.is_blank() {
        out.push(tr(lang, "leave.intake").to_owned());
    }
    let typed = |texts: &[ratatui_textarea::TextArea<'static>]| {
        texts.iter().any(|t| !field_text(t).trim().is_empty())
    };
    if app.citizens.form.as_ref().is_some_and(|f| typed(&f.texts)) {
        out.push(tr(lang, "leave.citizen_form").to_owned());
    }
    // A certification typed and not entered; or one whose fee the citizen may be
    // transferring now (the entry goes only while the app looks at the transfer).
    let entry = &app.certify.entry;
    match entry.stage {
        crate::tui::certify::Stage::Transfer { .. } => {
            out.push(tr(lang, "leave.certify_transfer").to_owned());
        }
        crate::tui::certify::Stage::Editing | crate::tui::certify::Stage::Confirm
            if !entry.is_blank() =>
        {
            out.push(tr(lang, "leave.certify").to_owned());
        }
        _ => {}
    }
    // Typed and not sent (once on its way, a write is the outbox's).
    match &app.overlay {
        Some(Overlay::Dialog(d))
            if d.pending.is_none()
                && d.fields
                    .iter()
                    .any(|f| typed(std::slice::from_ref(&f.text))) =>
        {
            out.push(trf(lang, "leave.dialog", &[("action", d.step.label(lang))]));
        }
        Some(Overlay::Payment(p))
            if p.pending.is_none() && typed(std::slice::from_ref(&p.receipt_no)) =>
        {
            out.push(tr(lang, "leave.payment").to_owned());
        }
        _ => {}
    }
    out
}

pub(super) fn quit(app: &mut App) -> Vec<Effect> {
    app.quit = true;
    vec![Effect::Quit]
}

pub(super) fn logout(app: &mut App) -> Vec<Effect> {
    let profile = app.login.profile;
    let username = app.login.username.clone();
    app.me = None;
    app.screen = Screen::Login;
    app.relogin = false;
    // The screen keeps its size: the next inbox fills the same rows.
    let rows = app.inbox.page_rows;
    app.inbox = Inbox::new();
    app.inbox.page_rows = rows;
    // What was typed stays in the draft on disk, for this user's next login.
    app.intake = fresh_wizard(&mut app.keys);
    app.draft_offer = None;
    app.last_draft = None;
    app.uploads.clear();
    // The citizens pane's forms stay on disk too, for this user's next login.
    app.citizens = crate::tui::intake::CitizensPane::new();
    app.last_citizens_draft = None;
    app.delivered.clear();
    app.overlay = None;
    app.pending.clear();
    app.exercises = None;
    app.login = LoginForm::new();
    app.login.profile = profile;
    app.login.username = username;
    app.login.focus = LoginField::Password;
    // `:logout wipe`: the desk's copies for an outage go first (the session is needed
    // to know whose they are).
    if std::mem::take(&mut app.wipe_at_logout) {
        return vec![Effect::WipeOffline, Effect::Logout];
    }
    vec![Effect::Logout]
}

pub(super) fn filter_key(app: &mut App, input: KeyInput) -> Vec<Effect> {
    match input {
        KeyInput::Command(Command::ClearFilter) => {
            app.inbox.filter = text_field();
            app.inbox.filtering = false;
            app.inbox.filter_gen += 1;
            let keep = app.inbox.selected_code();
            app.inbox.rebuild(keep);
            super::paging::follow(app, true)
        }
        // Enter: no need to wait for the pause.
        KeyInput::Command(Command::KeepFilter) => {
            app.inbox.filtering = false;
            app.inbox.filter_gen += 1;
            super::paging::follow(app, true)
        }
        // The filter stays while the queues change under it.
        KeyInput::Command(c @ (Command::NextQueue | Command::PrevQueue)) => command_effects(app, c),
        KeyInput::Command(Command::Up) => move_selection(app, -1),
        KeyInput::Command(Command::Down) => move_selection(app, 1),
        KeyInput::Command(_) => vec![],
        KeyInput::Text(key) => {
            if edit(&mut app.inbox.filter, key) {
                let keep = app.inbox.selected_code();
                app.inbox.rebuild(keep);
                return super::paging::typed(app);
            }
            vec![]
        }
    }
}
