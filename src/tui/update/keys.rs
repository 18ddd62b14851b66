//! Keys outside overlays: the keymap's commands, the filter, the lookup field, pastes.

use super::*;

pub(super) fn is_enter(key: &KeyEvent) -> bool {
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

pub(super) fn on_paste(app: &mut App, text: &str) {
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
    }
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
    Text(KeyEvent),
}

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind != KeyEventKind::Press {
        return vec![];
    }
    // Ctrl-C quits wherever the keyboard is, whatever the keymap says.
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return quit(app);
    }
    let Some(context) = super::panes::key_context(app) else {
        return vec![];
    };
    let enabled = super::panes::enabled_commands(app);
    let input = match app.keymap.resolve(context, &key, &enabled) {
        Some(command) => KeyInput::Command(command),
        None => KeyInput::Text(key),
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
        | X::Exercises
        | X::Activation => match app.overlay.take() {
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
        _ => intake_key(app, input),
    }
}

/// The commands every pane inherits; `None` for the pane's own.
fn global_command(app: &mut App, command: Command) -> Option<Vec<Effect>> {
    Some(match command {
        Command::Quit => quit(app),
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
        Command::Logout => logout(app),
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
            let code = field_text(&app.lookup).trim().to_owned();
            if code.is_empty() {
                return vec![];
            }
            open_code(app, code)
        }
        KeyInput::Text(key) => {
            edit(&mut app.lookup, key);
            vec![]
        }
        KeyInput::Command(_) => vec![],
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
        Command::Pay => open_payment(app),
        Command::ExportRegister => super::forms::open_export(app),
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
    vec![]
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
    });
    let id = request(app, Purpose::Detail);
    vec![Effect::LoadDetail { id, code }]
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
    app.citizens = crate::tui::intake::CitizensPane::new();
    app.overlay = None;
    app.pending.clear();
    app.exercises = None;
    app.login = LoginForm::new();
    app.login.profile = profile;
    app.login.username = username;
    app.login.focus = LoginField::Password;
    vec![Effect::Logout]
}

pub(super) fn filter_key(app: &mut App, input: KeyInput) -> Vec<Effect> {
    match input {
        KeyInput::Command(Command::ClearFilter) => {
            app.inbox.filter = text_field();
            app.inbox.filtering = false;
            let keep = app.inbox.selected_code();
            app.inbox.rebuild(keep);
        }
        KeyInput::Command(Command::KeepFilter) => app.inbox.filtering = false,
        // The filter stays while the queues change under it.
        KeyInput::Command(c @ (Command::NextQueue | Command::PrevQueue)) => {
            return command_effects(app, c);
        }
        KeyInput::Command(Command::Up) => app.inbox.move_by(-1),
        KeyInput::Command(Command::Down) => app.inbox.move_by(1),
        KeyInput::Command(_) => {}
        KeyInput::Text(key) => {
            if edit(&mut app.inbox.filter, key) {
                let keep = app.inbox.selected_code();
                app.inbox.rebuild(keep);
            }
        }
    }
    vec![]
}
