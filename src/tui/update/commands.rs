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
    "offline",
    "online",
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
                "logout" => vec!["wipe".to_owned(), "xoa".to_owned()],
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

/// What Tab puts on the command line: the one completion of what is typed, or what all
/// of them share when that is longer. Never anything on an empty line: Tab there would
/// pick the first command in the list (it was `:quit`), which no one asked for.
pub fn completion(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return None;
    }
    let options = complete(text);
    let first = options.first()?;
    let shared = options.iter().skip(1).fold(first.as_str(), |acc, o| {
        let n = acc
            .char_indices()
            .zip(o.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8());
        &acc[..n]
    });
    (shared.len() > text.len()).then(|| shared.to_owned())
}

pub(super) fn run_command(app: &mut App, text: &str) -> Vec<Effect> {
    let mut parts = text.split_whitespace();
    let head = parts.next().unwrap_or("");
    let arg = parts.next();
    match (head, arg) {
        ("", _) => vec![],
        ("q" | "quit", _) => ask_to_leave(app, Leaving::Quit),
        ("refresh", _) => refresh(app),
        ("outbox", _) => super::outbox::open_dead_letters(app),
        ("exercises" | "baitap", _) => super::training::open_exercises(app),
        ("hint" | "goiy", _) => super::training::hint_command(app),
        ("logout", Some("wipe" | "xoa" | "xoá")) => {
            app.wipe_at_logout = true;
            ask_to_leave(app, Leaving::Logout)
        }
        ("logout", _) => ask_to_leave(app, Leaving::Logout),
        ("offline" | "online", _) => cut_link(app, head == "offline"),
        ("help", _) => {
            app.overlay = Some(super::keys::help_page(app));
            vec![]
        }
        ("code", Some(code)) => match code_of(app, code) {
            Ok(code) => open_code(app, code),
            Err(problem) => {
                toast(app, ToastKind::Error, problem);
                vec![]
            }
        },
        ("so" | "register", _) => {
            let args: Vec<&str> = text.split_whitespace().skip(1).collect();
            super::forms::register_command(app, &args)
        }
        ("theme", Some(name)) => {
            // A name that is none of them is said in the official's words (the theme's
            // own error is for the configuration's readers, in English).
            if !Theme::built_in_names().any(|n| n == name) {
                let names: Vec<&str> = Theme::built_in_names().collect();
                let text = trf(
                    app.lang,
                    "error.theme_unknown",
                    &[("name", name), ("names", &names.join(", "))],
                );
                toast(app, ToastKind::Error, text);
                return vec![];
            }
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
                    return super::paging::follow(app, true);
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

/// Training: `:offline` cuts the sandbox's link as an outage would (the portal goes on,
/// the desk cannot reach it), `:online` brings it back. Nowhere else: a real desk's link
/// is not the app's to cut.
fn cut_link(app: &mut App, down: bool) -> Vec<Effect> {
    if !app.training() {
        let text = tr(app.lang, "training.only").to_owned();
        toast(app, ToastKind::Error, text);
        return vec![];
    }
    let key = if down {
        "training.link_cut"
    } else {
        "training.link_back"
    };
    let text = tr(app.lang, key).to_owned();
    toast(app, ToastKind::Info, text);
    // Cut before the desk held any number (straight after login, its renewal still on
    // its way): the practice would queue dossiers without a code. Said, not refused.
    let reception = app.me.as_ref().is_some_and(|m| m.role == Role::Reception);
    if down && reception && app.held_codes.unwrap_or(0) == 0 {
        let text = tr(app.lang, "training.no_held_codes").to_owned();
        toast(app, ToastKind::Error, text);
    }
    let mut effects = vec![Effect::CutLink(down)];
    if down {
        // Known at once, not at the next failed request: the next intake is numbered
        // from the held numbers rather than sent into the cut.
        app.link.state = LinkState::Offline;
    } else {
        // Try at once rather than at the next background round.
        app.poll_in = 0;
        effects.push(Effect::KeepCodes);
    }
    effects
}
