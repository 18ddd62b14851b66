//! Keys → commands. The built-in defaults are data; the config's `[keys]` table overrides
//! them per command. The help overlay and the key hints in the status bar are generated
//! from the same table, so they can never disagree with what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;

/// Where a command applies. A key is looked up in the current context first, then in
/// `Global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    Inbox,
    Detail,
}

/// Everything a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Command {
    Quit,
    Help,
    CommandLine,
    Filter,
    Refresh,
    Tab1,
    Tab2,
    Tab3,
    Tab4,
    Tab5,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    NextQueue,
    PrevQueue,
    Actions,
    Form,
    Download,
    Logout,
}

/// One row of the built-in table.
struct Binding {
    command: Command,
    /// The name used in the config's `[keys]` table and in the help catalog (`key.<name>`).
    name: &'static str,
    context: Context,
    keys: &'static [&'static str],
    /// Shown in the status bar's hints for this context.
    hint: bool,
}

const fn bind(
    command: Command,
    name: &'static str,
    context: Context,
    keys: &'static [&'static str],
    hint: bool,
) -> Binding {
    Binding {
        command,
        name,
        context,
        keys,
        hint,
    }
}

use Command as C;
use Context::{Detail, Global, Inbox};

/// The defaults: conventions of k9s, lazygit and gitui. Ctrl-H is never bound: input
/// methods send it as Backspace.
const DEFAULTS: &[Binding] = &[
    bind(C::Help, "help", Global, &["?", "f1"], true),
    bind(C::CommandLine, "command_line", Global, &[":"], false),
    bind(C::Quit, "quit", Global, &["q", "ctrl-c"], true),
    bind(C::Tab1, "tab_inbox", Global, &["1"], false),
    bind(C::Tab2, "tab_intake", Global, &["2"], false),
    bind(C::Tab3, "tab_citizens", Global, &["3"], false),
    bind(C::Tab4, "tab_lookup", Global, &["4"], false),
    bind(C::Tab5, "tab_stats", Global, &["5"], false),
    bind(C::Refresh, "refresh", Global, &["r", "f5"], true),
    bind(C::Logout, "logout", Global, &["ctrl-l"], false),
    bind(C::Filter, "filter", Inbox, &["/"], true),
    bind(C::Up, "up", Inbox, &["up", "k"], false),
    bind(C::Down, "down", Inbox, &["down", "j"], false),
    bind(C::PageUp, "page_up", Inbox, &["pageup", "ctrl-b"], false),
    bind(
        C::PageDown,
        "page_down",
        Inbox,
        &["pagedown", "ctrl-f"],
        false,
    ),
    bind(C::Top, "top", Inbox, &["home", "g"], false),
    bind(C::Bottom, "bottom", Inbox, &["end", "shift-g"], false),
    bind(C::Open, "open", Inbox, &["enter"], true),
    bind(
        C::NextQueue,
        "next_queue",
        Inbox,
        &["right", "l", "tab"],
        true,
    ),
    bind(
        C::PrevQueue,
        "prev_queue",
        Inbox,
        &["left", "h", "backtab"],
        false,
    ),
    bind(C::Actions, "actions", Inbox, &["a"], true),
    bind(C::Back, "back", Detail, &["esc"], true),
    bind(C::Up, "up", Detail, &["up", "k"], false),
    bind(C::Down, "down", Detail, &["down", "j"], false),
    bind(C::PageUp, "page_up", Detail, &["pageup"], false),
    bind(C::PageDown, "page_down", Detail, &["pagedown"], false),
    bind(C::Actions, "actions", Detail, &["a"], true),
    bind(C::Form, "form", Detail, &["f"], true),
    bind(C::Download, "download", Detail, &["d"], true),
];

/// A key as written in the config: `q`, `?`, `ctrl-c`, `f5`, `shift-tab`, `pagedown`…
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    code: KeyCodeOrd,
    ctrl: bool,
    alt: bool,
}

/// `KeyCode` restricted to what keymaps use, with an order for stable help output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Backspace,
    Delete,
}

impl Key {
    /// Parses the config's notation; `None` when it is not a key.
    pub fn parse(text: &str) -> Option<Key> {
        let lower = text.trim();
        let mut ctrl = false;
        let mut alt = false;
        let mut shift = false;
        let mut rest = lower;
        loop {
            let l = rest.to_ascii_lowercase();
            if l.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if l.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else if l.starts_with("shift-") && rest.len() > 6 {
                shift = true;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" => KeyCodeOrd::Enter,
            "esc" => KeyCodeOrd::Esc,
            "tab" if shift => KeyCodeOrd::BackTab,
            "tab" => KeyCodeOrd::Tab,
            "backtab" => KeyCodeOrd::BackTab,
            "up" => KeyCodeOrd::Up,
            "down" => KeyCodeOrd::Down,
            "left" => KeyCodeOrd::Left,
            "right" => KeyCodeOrd::Right,
            "pageup" | "pgup" => KeyCodeOrd::PageUp,
            "pagedown" | "pgdn" => KeyCodeOrd::PageDown,
            "home" => KeyCodeOrd::Home,
            "end" => KeyCodeOrd::End,
            "backspace" => KeyCodeOrd::Backspace,
            "delete" | "del" => KeyCodeOrd::Delete,
            "space" => KeyCodeOrd::Char(' '),
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                let n: u8 = f[1..].parse().ok()?;
                if !(1..=12).contains(&n) {
                    return None;
                }
                KeyCodeOrd::F(n)
            }
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                // `shift-g` is `G`: terminals report the shifted character.
                KeyCodeOrd::Char(if shift { c.to_ascii_uppercase() } else { c })
            }
        };
        // Ctrl-H arrives as Backspace from some input methods; it may not be bound.
        if ctrl && code == KeyCodeOrd::Char('h') {
            return None;
        }
        Some(Key { code, ctrl, alt })
    }

    /// The key a terminal event stands for, if keymaps can name it.
    pub fn from_event(event: &KeyEvent) -> Option<Key> {
        let code = match event.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            _ => return None,
        };
        Some(Key {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("Space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "F{n}"),
            KeyCodeOrd::Enter => f.write_str("Enter"),
            KeyCodeOrd::Esc => f.write_str("Esc"),
            KeyCodeOrd::Tab => f.write_str("Tab"),
            KeyCodeOrd::BackTab => f.write_str("Shift-Tab"),
            KeyCodeOrd::Up => f.write_str("↑"),
            KeyCodeOrd::Down => f.write_str("↓"),
            KeyCodeOrd::Left => f.write_str("←"),
            KeyCodeOrd::Right => f.write_str("→"),
            KeyCodeOrd::PageUp => f.write_str("PgUp"),
            KeyCodeOrd::PageDown => f.write_str("PgDn"),
            KeyCodeOrd::Home => f.write_str("Home"),
            KeyCodeOrd::End => f.write_str("End"),
            KeyCodeOrd::Backspace => f.write_str("Backspace"),
            KeyCodeOrd::Delete => f.write_str("Del"),
        }
    }
}

/// A config override that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error("unknown command '{0}' in [keys]")]
    UnknownCommand(String),
    #[error("'{key}' for '{command}' is not a key (examples: q, ctrl-r, f5, shift-tab)")]
    BadKey { command: String, key: String },
}

/// One line of the help overlay or the hint bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpLine {
    pub context: Context,
    pub name: &'static str,
    pub keys: Vec<Key>,
    pub hint: bool,
}

/// The active keymap.
#[derive(Debug, Clone)]
pub struct Keymap {
    lines: Vec<HelpLine>,
    lookup: BTreeMap<(Context, Key), Command>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::with_overrides(&BTreeMap::new()).expect("the built-in keymap is valid")
    }
}

impl Keymap {
    /// The defaults with `overrides` (command name → keys) applied. An override replaces
    /// the command's keys in every context it appears in.
    pub fn with_overrides(
        overrides: &BTreeMap<String, Vec<String>>,
    ) -> Result<Keymap, KeymapError> {
        for name in overrides.keys() {
            if !DEFAULTS.iter().any(|b| b.name == name) {
                return Err(KeymapError::UnknownCommand(name.clone()));
            }
        }
        let mut lines = Vec::new();
        let mut lookup = BTreeMap::new();
        for b in DEFAULTS {
            let keys: Vec<Key> = match overrides.get(b.name) {
                Some(texts) => texts
                    .iter()
                    .map(|t| {
                        Key::parse(t).ok_or_else(|| KeymapError::BadKey {
                            command: b.name.to_owned(),
                            key: t.clone(),
                        })
                    })
                    .collect::<Result<_, _>>()?,
                None => b
                    .keys
                    .iter()
                    .map(|t| Key::parse(t).expect("built-in keys parse"))
                    .collect(),
            };
            for key in &keys {
                lookup.insert((b.context, *key), b.command);
            }
            lines.push(HelpLine {
                context: b.context,
                name: b.name,
                keys,
                hint: b.hint,
            });
        }
        Ok(Keymap { lines, lookup })
    }

    /// The command `event` means in `context` (or globally).
    pub fn command(&self, context: Context, event: &KeyEvent) -> Option<Command> {
        let key = Key::from_event(event)?;
        // Terminals differ on whether Shift is reported with an upper-case letter.
        self.lookup
            .get(&(context, key))
            .or_else(|| self.lookup.get(&(Context::Global, key)))
            .copied()
    }

    /// The lines for the help overlay of `context`: its own commands, then the global ones.
    pub fn help(&self, context: Context) -> Vec<&HelpLine> {
        let own = self.lines.iter().filter(|l| l.context == context);
        let global = self
            .lines
            .iter()
            .filter(|l| l.context == Context::Global && context != Context::Global);
        own.chain(global).collect()
    }

    /// The hints for the status bar of `context`.
    pub fn hints(&self, context: Context) -> Vec<&HelpLine> {
        self.help(context).into_iter().filter(|l| l.hint).collect()
    }

    /// Every command name, for `:` completion and config docs.
    pub fn names() -> impl Iterator<Item = &'static str> {
        DEFAULTS.iter().map(|b| b.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: crossterm::event::KeyEventState::NONE,
        }
    }

    #[test]
    fn defaults_resolve_in_context_then_globally() {
        let map = Keymap::default();
        let slash = ev(KeyCode::Char('/'), KeyModifiers::NONE);
        assert_eq!(map.command(Context::Inbox, &slash), Some(Command::Filter));
        let q = ev(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.command(Context::Detail, &q), Some(Command::Quit));
        let esc = ev(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(map.command(Context::Detail, &esc), Some(Command::Back));
        let cc = ev(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.command(Context::Inbox, &cc), Some(Command::Quit));
    }

    #[test]
    fn overrides_replace_keys_and_name_bad_entries() {
        let mut o = BTreeMap::new();
        o.insert("refresh".to_owned(), vec!["ctrl-r".to_owned()]);
        let map = Keymap::with_overrides(&o).unwrap();
        let r = ev(KeyCode::Char('r'), KeyModifiers::NONE);
        assert_eq!(map.command(Context::Inbox, &r), None);
        let cr = ev(KeyCode::Char('r'), KeyModifiers::CONTROL);
        assert_eq!(map.command(Context::Inbox, &cr), Some(Command::Refresh));

        o.insert("fly".to_owned(), vec!["x".to_owned()]);
        assert_eq!(
            Keymap::with_overrides(&o).unwrap_err(),
            KeymapError::UnknownCommand("fly".into())
        );
        let mut bad = BTreeMap::new();
        bad.insert("quit".to_owned(), vec!["hyper-q".to_owned()]);
        assert!(matches!(
            Keymap::with_overrides(&bad),
            Err(KeymapError::BadKey { .. })
        ));
    }

    #[test]
    fn ctrl_h_can_never_be_bound() {
        assert_eq!(Key::parse("ctrl-h"), None);
    }

    #[test]
    fn key_notation_round_trips_through_display() {
        assert_eq!(Key::parse("shift-tab").unwrap().to_string(), "Shift-Tab");
        assert_eq!(Key::parse("shift-g").unwrap().to_string(), "G");
        assert_eq!(Key::parse("F5").unwrap().to_string(), "F5");
        assert_eq!(Key::parse("ctrl-c").unwrap().to_string(), "Ctrl-c");
        assert_eq!(Key::parse("f13"), None);
    }

    #[test]
    fn help_lists_context_first_then_global() {
        let map = Keymap::default();
        let help = map.help(Context::Detail);
        assert_eq!(help[0].context, Context::Detail);
        assert!(help.iter().any(|l| l.name == "quit"));
        assert!(map.hints(Context::Inbox).iter().all(|l| l.hint));
    }
}
