//! The `:` command line: completion and the commands.

use super::*;

pub(super) const COMMANDS: &[&str] = &[
    "quit",
    "q",
    "code",
    "theme",
    "queue",
    "refresh",
    "logout",
    "help",
    "outbox",
    "exercises",
    "baitap",
    "hint",
    "goiy",
    "so",
    "register",
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

pub(super) fn run_command(app: &mut App, text: &str) -> Vec<Effect> {
    let mut parts = text.split_whitespace();
    let head = parts.next().unwrap_or("");
    let arg = parts.next();
    match (head, arg) {
        ("", _) => vec![],
        ("q" | "quit", _) => quit(app),
        ("refresh", _) => refresh(app),
        ("outbox", _) => super::outbox::open_dead_letters(app),
        ("exercises" | "baitap", _) => super::training::open_exercises(app),
        ("hint" | "goiy", _) => super::training::hint_command(app),
        ("logout", _) => logout(app),
        ("help", _) => {
            app.overlay = Some(super::keys::help_page(app));
            vec![]
        }
        ("code", Some(code)) => open_code(app, code.to_owned()),
        ("so" | "register", _) => {
            let args: Vec<&str> = text.split_whitespace().skip(1).collect();
            super::forms::register_command(app, &args)
        }
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
