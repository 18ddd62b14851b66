//! The configuration file (`config.toml` in the platform config directory, or
//! `--config PATH`). A missing default file means the defaults; an invalid file gives an
//! error naming the file, the line and the problem. `config.example.toml` documents
//! every key and must stay true to this module (a test loads it).

use crate::domain::calendar::{Calendar, OfficeHours, Overrides};
use crate::domain::{Lang, RuleError};
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::value::Datetime;

/// What the rest of the program reads.
#[derive(Debug, Clone)]
pub struct Config {
    /// The language of every message (`vi` by default).
    pub language: Lang,
    /// Office hours and the government's per-year changes to the days off.
    pub calendar: Calendar,
    /// The TUI's colour theme (a name from `themes/`); `NO_COLOR` wins.
    pub theme: Option<String>,
    /// The portals the TUI can log into, in the order the login screen offers them.
    pub profiles: Vec<Profile>,
    /// Keymap overrides: command name → keys (`refresh = ["ctrl-r", "f5"]`).
    pub keys: BTreeMap<String, Vec<String>>,
    /// The line of each `[keys]` entry, so a bad key is reported where it is.
    pub key_lines: BTreeMap<String, usize>,
    /// Seconds between background refreshes of the inbox.
    pub poll_seconds: u32,
    /// Seconds a request may wait for the portal's answer.
    pub request_timeout_seconds: u32,
    /// Seconds between two rounds of the training sandbox's simulated citizens
    /// (0: they stay quiet).
    pub training_pace_seconds: u32,
    /// Where printed forms go and which printer prints them.
    pub printing: Printing,
    /// How `motcua serve` tells citizens of their dossiers' steps (`[notifications]`).
    pub notifications: Notifications,
    /// The file this came from, if any.
    pub path: Option<PathBuf>,
    /// How attachments are opened and shown (`[attachments]`).
    pub attachments: Attachments,
    /// Intake with the link down (`[offline]`).
    pub offline: Offline,
}

/// `[offline]`: what a reception desk keeps so that intake goes on through an outage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offline {
    /// Dossier numbers of the day the desk keeps leased from the portal (0: none, and
    /// a dossier taken in with the link down gets its code when it arrives). At most
    /// 50, the portal's cap on the numbers one officer holds.
    pub codes: u32,
    /// Days after which the session kept for an offline login and the desk's copy of
    /// its citizens are wiped when nobody logged in online meanwhile.
    pub keep_days: u32,
}

impl Default for Offline {
    fn default() -> Self {
        Offline {
            codes: 20,
            keep_days: 30,
        }
    }
}

/// `[attachments]`: the system viewer and the pictures drawn in the terminal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attachments {
    /// The program (and its arguments) that opens a checked file; `{file}` among them is
    /// replaced by the file's path, else the path goes last. Empty: the system's own
    /// (`xdg-open`, `open`, Explorer). Run directly, never through a shell.
    pub open_with: Vec<String>,
    /// How pictures are drawn inside the terminal.
    pub images: Images,
}

/// How a picture (a JPEG or PNG attachment, a PDF's first page) is drawn in the terminal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Images {
    /// The terminal's graphics protocol when it answers that it has one (kitty, sixel,
    /// iTerm2); half blocks in tmux, screen, the Linux console and everywhere else.
    #[default]
    Auto,
    /// Coloured half blocks (▀) only: works in every terminal with colours.
    Halfblocks,
    Kitty,
    Sixel,
    Iterm2,
}

/// `[printing]`: the printer, its paper, and the folder PDFs are saved in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printing {
    /// The printer's name as the print system knows it (`lpstat -p`), or `default` for the
    /// system's default printer; `None`: no printer, forms are saved only.
    pub printer: Option<String>,
    /// The paper (`-o media=`): the forms are A4.
    pub paper: String,
    /// Copies of each print.
    pub copies: u32,
    /// The folder PDFs are saved in (`~/` allowed); `None`: `motcua` in the documents
    /// folder, else in the home folder.
    pub folder: Option<PathBuf>,
    /// The print command: `lp` or `lpr` (or a path to one); `None`: `lp`, else `lpr`.
    pub command: Option<String>,
}

impl Default for Printing {
    fn default() -> Self {
        Printing {
            printer: None,
            paper: "A4".into(),
            copies: 1,
            folder: None,
            command: None,
        }
    }
}

/// One portal the TUI can log into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    /// The API's base URL, ending in `/api/v1`.
    pub url: String,
    /// A training sandbox: shown with the training banner.
    pub training: bool,
    pub language: Option<Lang>,
    pub theme: Option<String>,
    /// Keymap overrides for this portal, over the file's `[keys]`.
    pub keys: BTreeMap<String, Vec<String>>,
    /// The line of the profile's `name`, to point at it when its settings are wrong.
    pub line: Option<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            language: Lang::default(),
            calendar: Calendar::default(),
            theme: None,
            profiles: Vec::new(),
            keys: BTreeMap::new(),
            key_lines: BTreeMap::new(),
            poll_seconds: DEFAULT_POLL_SECONDS,
            training_pace_seconds: DEFAULT_TRAINING_PACE_SECONDS,
            request_timeout_seconds: DEFAULT_REQUEST_TIMEOUT_SECONDS,
            printing: Printing::default(),
            notifications: Notifications::default(),
            path: None,
            attachments: Attachments::default(),
            offline: Offline::default(),
        }
    }
}

impl Config {
    /// The profiles to offer: the configured ones, or a portal on this machine.
    pub fn profiles_or_default(&self) -> Vec<Profile> {
        if !self.profiles.is_empty() {
            return self.profiles.clone();
        }
        vec![Profile {
            name: "local".into(),
            url: "http://127.0.0.1:8080/api/v1".into(),
            training: false,
            language: None,
            theme: None,
            keys: BTreeMap::new(),
            line: None,
        }]
    }

    /// A [`ConfigError`] for a problem found after parsing (for example a `[keys]` entry
    /// that is not a key), at `line` if known.
    pub fn error(&self, line: Option<usize>, problem: String) -> ConfigError {
        ConfigError {
            path: self
                .path
                .clone()
                .unwrap_or_else(|| PathBuf::from("config.toml")),
            line,
            problem,
        }
    }
}

pub const DEFAULT_POLL_SECONDS: u32 = 5;
/// A new online dossier (and a supplement or payment) every 45 s or so: enough that the
/// inbox visibly lives during a lesson, not so much that it buries the exercises.
pub const DEFAULT_TRAINING_PACE_SECONDS: u32 = 45;
pub const DEFAULT_REQUEST_TIMEOUT_SECONDS: u32 = 20;

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {problem}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line of the problem, when known.
    pub line: Option<usize>,
    pub problem: String,
}

impl RuleError for ConfigError {
    fn code(&self) -> &'static str {
        "config_invalid"
    }

    fn message(&self, lang: Lang) -> String {
        let at = match (self.line, lang) {
            (Some(l), Lang::Vi) => format!(", dòng {l}"),
            (Some(l), Lang::En) => format!(", line {l}"),
            (None, _) => String::new(),
        };
        match lang {
            Lang::Vi => format!(
                "Tệp cấu hình {}{at} không hợp lệ: {}. Hãy sửa tệp (xem config.example.toml) rồi chạy lại.",
                self.path.display(),
                self.problem
            ),
            Lang::En => format!(
                "The configuration file {}{at} is invalid: {}. Fix it (see config.example.toml) and run again.",
                self.path.display(),
                self.problem
            ),
        }
    }
}

/// Where the configuration file lives when no `--config` is given.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("vn", "motcua", "motcua")
        .map(|dirs| dirs.config_dir().join("config.toml"))
}

/// Loads `explicit` (which must exist), or else the default file if there is one.
pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match default_path() {
            Some(p) if p.exists() => p,
            _ => return Ok(Config::default()),
        },
    };
    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError {
        path: path.clone(),
        line: None,
        problem: e.to_string(),
    })?;
    parse(&text, &path)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    language: Option<Lang>,
    theme: Option<String>,
    #[serde(default)]
    calendar: RawCalendar,
    #[serde(default)]
    profile: Vec<RawProfile>,
    #[serde(default)]
    keys: BTreeMap<String, Spanned<Vec<String>>>,
    #[serde(default)]
    tui: RawTui,
    #[serde(default)]
    training: RawTraining,
    #[serde(default)]
    attachments: RawAttachments,
    #[serde(default)]
    printing: RawPrinting,
    #[serde(default)]
    notifications: RawNotifications,
    #[serde(default)]
    offline: RawOffline,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOffline {
    codes: Option<Spanned<u32>>,
    keep_days: Option<Spanned<u32>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttachments {
    open_with: Option<Spanned<Vec<String>>>,
    images: Option<Images>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrinting {
    printer: Option<Spanned<String>>,
    paper: Option<Spanned<String>>,
    copies: Option<Spanned<u32>>,
    folder: Option<String>,
    command: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTraining {
    pace_seconds: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: Spanned<String>,
    url: Spanned<String>,
    #[serde(default)]
    training: bool,
    language: Option<Lang>,
    theme: Option<String>,
    #[serde(default)]
    keys: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTui {
    poll_seconds: Option<Spanned<u32>>,
    request_timeout_seconds: Option<Spanned<u32>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    morning: Option<[Spanned<String>; 2]>,
    afternoon: Option<[Spanned<String>; 2]>,
    same_day_cutoff: Option<Spanned<String>>,
    #[serde(default)]
    year: Vec<RawYear>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: Spanned<i32>,
    #[serde(default)]
    days_off: Vec<RawDayOff>,
    #[serde(default)]
    remove_days_off: Vec<Spanned<Datetime>>,
    #[serde(default)]
    working_saturdays: Vec<Spanned<Datetime>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDayOff {
    date: Spanned<Datetime>,
    name: String,
}

/// Parses the text of a configuration file; `path` only names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let fail = |span: Option<Range<usize>>, problem: String| ConfigError {
        path: path.to_path_buf(),
        line: span.map(|s| line_of(text, s.start)),
        problem,
    };
    let raw: RawConfig =
        toml::from_str(text).map_err(|e| fail(e.span(), e.message().to_owned()))?;

    let defaults = OfficeHours::default();
    let time = |value: &Spanned<String>| {
        NaiveTime::parse_from_str(value.get_ref(), "%H:%M").map_err(|_| {
            fail(
                Some(value.span()),
                format!("'{}' is not a time of the form HH:MM", value.get_ref()),
            )
        })
    };
    let session = |pair: &Option<[Spanned<String>; 2]>, default: (NaiveTime, NaiveTime)| match pair
    {
        None => Ok(default),
        Some([start, end]) => {
            let (s, e) = (time(start)?, time(end)?);
            if s >= e {
                return Err(fail(
                    Some(start.span()),
                    "a session must end after it starts".into(),
                ));
            }
            Ok((s, e))
        }
    };
    let (morning_start, morning_end) = session(
        &raw.calendar.morning,
        (defaults.morning_start, defaults.morning_end),
    )?;
    let (afternoon_start, afternoon_end) = session(
        &raw.calendar.afternoon,
        (defaults.afternoon_start, defaults.afternoon_end),
    )?;
    if afternoon_start < morning_end {
        let span = raw.calendar.afternoon.as_ref().map(|[s, _]| s.span());
        return Err(fail(
            span,
            "the afternoon must start after the morning ends".into(),
        ));
    }
    let same_day_cutoff = match &raw.calendar.same_day_cutoff {
        None => defaults.same_day_cutoff,
        Some(v) => time(v)?,
    };
    let hours = OfficeHours {
        morning_start,
        morning_end,
        afternoon_start,
        afternoon_end,
        same_day_cutoff,
    };

    let mut overrides = Overrides::default();
    for y in &raw.calendar.year {
        let year = *y.year.get_ref();
        // A date listed under the wrong year is almost always a typo: refuse it.
        let date = |value: &Spanned<Datetime>| {
            let d = value.get_ref();
            let naive = match (d.date, d.time) {
                (Some(date), None) => NaiveDate::from_ymd_opt(
                    i32::from(date.year),
                    u32::from(date.month),
                    u32::from(date.day),
                ),
                _ => None,
            }
            .ok_or_else(|| {
                fail(
                    Some(value.span()),
                    format!("'{d}' is not a date such as 2026-02-16"),
                )
            })?;
            if naive.year() != year {
                return Err(fail(
                    Some(value.span()),
                    format!("{naive} is listed under year {year}"),
                ));
            }
            Ok(naive)
        };
        for off in &y.days_off {
            overrides
                .add_days_off
                .push((date(&off.date)?, off.name.trim().to_owned()));
        }
        for d in &y.remove_days_off {
            overrides.remove_days_off.push(date(d)?);
        }
        for d in &y.working_saturdays {
            let day = date(d)?;
            if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                return Err(fail(
                    Some(d.span()),
                    format!("{day} is not a Saturday or Sunday, so it is a working day already"),
                ));
            }
            overrides.working_saturdays.push(day);
        }
    }

    let mut profiles: Vec<Profile> = Vec::new();
    for p in &raw.profile {
        let name = p.name.get_ref().trim().to_owned();
        if name.is_empty() || profiles.iter().any(|q| q.name == name) {
            return Err(fail(
                Some(p.name.span()),
                format!("profile names must be present and different ('{name}')"),
            ));
        }
        let url = p.url.get_ref().trim().trim_end_matches('/').to_owned();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(fail(
                Some(p.url.span()),
                format!("'{url}' is not an http:// or https:// address"),
            ));
        }
        profiles.push(Profile {
            name,
            url,
            training: p.training,
            language: p.language,
            theme: p.theme.clone(),
            keys: p.keys.clone(),
            line: Some(line_of(text, p.name.span().start)),
        });
    }
    let seconds = |value: &Option<Spanned<u32>>, default: u32, range: Range<u32>| match value {
        None => Ok(default),
        Some(v) if range.contains(v.get_ref()) => Ok(*v.get_ref()),
        Some(v) => Err(fail(
            Some(v.span()),
            format!("must be from {} to {} seconds", range.start, range.end - 1),
        )),
    };
    let poll_seconds = seconds(&raw.tui.poll_seconds, DEFAULT_POLL_SECONDS, 1..3601)?;
    let request_timeout_seconds = seconds(
        &raw.tui.request_timeout_seconds,
        DEFAULT_REQUEST_TIMEOUT_SECONDS,
        1..601,
    )?;
    let training_pace_seconds = seconds(
        &raw.training.pace_seconds,
        DEFAULT_TRAINING_PACE_SECONDS,
        0..86401,
    )?;
    let open_with = match raw.attachments.open_with {
        None => Vec::new(),
        Some(v) => {
            let span = v.span();
            let args = v.into_inner();
            if args.first().is_none_or(|program| program.trim().is_empty()) {
                return Err(fail(
                    Some(span),
                    "open_with needs a program first, e.g. [\"evince\"] or [\"okular\", \"{file}\"]"
                        .into(),
                ));
            }
            args
        }
    };
    let printing = printing(&raw.printing, &fail)?;
    let count =
        |value: &Option<Spanned<u32>>, default: u32, range: Range<u32>, what: &str| match value {
            None => Ok(default),
            Some(v) if range.contains(v.get_ref()) => Ok(*v.get_ref()),
            Some(v) => Err(fail(
                Some(v.span()),
                format!("must be from {} to {} {what}", range.start, range.end - 1),
            )),
        };
    let defaults = Offline::default();
    let offline = Offline {
        codes: count(&raw.offline.codes, defaults.codes, 0..51, "numbers")?,
        keep_days: count(&raw.offline.keep_days, defaults.keep_days, 1..366, "days")?,
    };
    let key_lines = raw
        .keys
        .iter()
        .map(|(k, v)| (k.clone(), line_of(text, v.span().start)))
        .collect();
    let keys = raw
        .keys
        .into_iter()
        .map(|(k, v)| (k, v.into_inner()))
        .collect();

    Ok(Config {
        language: raw.language.unwrap_or_default(),
        calendar: Calendar::new(hours, overrides),
        theme: raw.theme,
        profiles,
        keys,
        key_lines,
        poll_seconds,
        request_timeout_seconds,
        training_pace_seconds,
        printing,
        notifications: notifications(&raw.notifications, &fail)?,
        path: Some(path.to_path_buf()),
        attachments: Attachments {
            open_with,
            images: raw.attachments.images.unwrap_or_default(),
        },
        offline,
    })
}

/// `[printing]`, checked: names are handed to a print command as arguments (never to a
/// shell), and must be one word a print system accepts.
fn printing(
    raw: &RawPrinting,
    fail: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<Printing, ConfigError> {
    let word = |value: &Option<Spanned<String>>,
                what: &str|
     -> Result<Option<String>, ConfigError> {
        match value {
            None => Ok(None),
            Some(v) => {
                let text = v.get_ref().trim();
                let fits = !text.is_empty()
                    && !text.starts_with('-')
                    && text.len() <= 127
                    && text
                        .chars()
                        .all(|c| c.is_alphanumeric() || "._-@:/+".contains(c));
                if fits {
                    Ok(Some(text.to_owned()))
                } else {
                    Err(fail(
                        Some(v.span()),
                        format!(
                            "'{}' is not a {what}: one word of letters, digits and . _ - @ : / +",
                            v.get_ref()
                        ),
                    ))
                }
            }
        }
    };
    let copies = match &raw.copies {
        None => 1,
        Some(v) if (1..=20).contains(v.get_ref()) => *v.get_ref(),
        Some(v) => return Err(fail(Some(v.span()), "copies must be from 1 to 20".into())),
    };
    Ok(Printing {
        printer: word(&raw.printer, "printer name")?,
        paper: word(&raw.paper, "paper name")?.unwrap_or_else(|| "A4".into()),
        copies,
        folder: raw
            .folder
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(PathBuf::from),
        command: word(&raw.command, "print command")?,
    })
}

// ---------------------------------------------------------------------------------------
// [notifications] (issue 17): how the portal tells citizens. Secrets are named here by the
// environment variable that holds them, never written in the file.

/// `[notifications]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notifications {
    /// The public lookup link a notice carries, with `{code}`; `None`: the portal's own
    /// public lookup at its `--bind` address.
    pub lookup_url: Option<String>,
    /// The first retry after a failed send, in seconds; each next one waits twice as long,
    /// up to `retry_max_seconds`.
    pub retry_seconds: u32,
    pub retry_max_seconds: u32,
    pub email: Option<EmailConfig>,
    pub sms: Option<SmsConfig>,
}

impl Default for Notifications {
    fn default() -> Self {
        Notifications {
            lookup_url: None,
            retry_seconds: 30,
            retry_max_seconds: 3600,
            email: None,
            sms: None,
        }
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// STARTTLS, required (port 587 unless given).
    Starttls,
    /// TLS from the first byte (port 465 unless given).
    Tls,
    /// None (port 25 unless given): a relay on the same machine only.
    None,
}

/// `[notifications.email]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    /// The environment variable holding the SMTP password.
    pub password_env: String,
    /// `Name <address>` or `address`.
    pub from: String,
    pub timeout_seconds: u32,
}

/// `[notifications.sms]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsConfig {
    pub url: String,
    /// The environment variable holding the gateway's token (`Authorization: Bearer`).
    pub token_env: String,
    /// The request body, with `{to}`, `{text}` and `{id}`.
    pub template: String,
    pub content_type: String,
    pub timeout_seconds: u32,
}

pub const DEFAULT_SMTP_PASSWORD_ENV: &str = "MOTCUA_SMTP_PASSWORD";
pub const DEFAULT_SMS_TOKEN_ENV: &str = "MOTCUA_SMS_TOKEN";
pub const DEFAULT_SMS_TEMPLATE: &str = r#"{"to": "{to}", "text": "{text}", "ref": "{id}"}"#;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotifications {
    lookup_url: Option<Spanned<String>>,
    retry_seconds: Option<Spanned<u32>>,
    retry_max_seconds: Option<Spanned<u32>>,
    email: Option<RawEmail>,
    sms: Option<RawSms>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEmail {
    host: Spanned<String>,
    port: Option<Spanned<u16>>,
    tls: Option<SmtpTls>,
    username: Option<String>,
    password_env: Option<Spanned<String>>,
    from: Spanned<String>,
    timeout_seconds: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSms {
    url: Spanned<String>,
    token_env: Option<Spanned<String>>,
    template: Option<String>,
    content_type: Option<String>,
    timeout_seconds: Option<Spanned<u32>>,
}

fn notifications(
    raw: &RawNotifications,
    fail: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<Notifications, ConfigError> {
    let web = |v: &Spanned<String>| {
        let url = v.get_ref().trim();
        if url.starts_with("http://") || url.starts_with("https://") {
            Ok(url.to_owned())
        } else {
            Err(fail(
                Some(v.span()),
                format!("'{url}' is not an http:// or https:// address"),
            ))
        }
    };
    let seconds = |v: &Option<Spanned<u32>>, default: u32, range: Range<u32>| match v {
        None => Ok(default),
        Some(v) if range.contains(v.get_ref()) => Ok(*v.get_ref()),
        Some(v) => Err(fail(
            Some(v.span()),
            format!("must be from {} to {} seconds", range.start, range.end - 1),
        )),
    };
    // An environment variable's name: letters, digits and `_`, not starting with a digit.
    let env_name = |v: &Option<Spanned<String>>, default: &str| match v {
        None => Ok(default.to_owned()),
        Some(v) => {
            let name = v.get_ref().trim();
            let ok = !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if ok {
                Ok(name.to_owned())
            } else {
                Err(fail(
                    Some(v.span()),
                    format!(
                        "'{name}' is not the name of an environment variable (the secret                          itself never goes in this file)"
                    ),
                ))
            }
        }
    };
    let lookup_url = match &raw.lookup_url {
        None => None,
        Some(v) => {
            let url = web(v)?;
            if !url.contains("{code}") {
                return Err(fail(
                    Some(v.span()),
                    "the lookup link must hold {code}, where the dossier's code goes".into(),
                ));
            }
            Some(url)
        }
    };
    let retry_seconds = seconds(&raw.retry_seconds, 30, 1..86401)?;
    let retry_max_seconds = seconds(&raw.retry_max_seconds, 3600, 1..86401)?;
    if retry_max_seconds < retry_seconds {
        return Err(fail(
            raw.retry_max_seconds.as_ref().map(|v| v.span()),
            "retry_max_seconds must not be less than retry_seconds".into(),
        ));
    }
    let email = match &raw.email {
        None => None,
        Some(e) => {
            let host = e.host.get_ref().trim().to_owned();
            if host.is_empty() || host.contains(char::is_whitespace) {
                return Err(fail(
                    Some(e.host.span()),
                    format!("'{host}' is not a host name"),
                ));
            }
            let from = e.from.get_ref().trim().to_owned();
            if !from.contains('@') {
                return Err(fail(
                    Some(e.from.span()),
                    format!("'{from}' is not an e-mail address (Name <address> or address)"),
                ));
            }
            let tls = e.tls.unwrap_or(SmtpTls::Starttls);
            let port = match &e.port {
                Some(p) if *p.get_ref() == 0 => {
                    return Err(fail(Some(p.span()), "the port must not be 0".into()));
                }
                Some(p) => *p.get_ref(),
                None => match tls {
                    SmtpTls::Starttls => 587,
                    SmtpTls::Tls => 465,
                    SmtpTls::None => 25,
                },
            };
            Some(EmailConfig {
                host,
                port,
                tls,
                username: e
                    .username
                    .as_deref()
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned),
                password_env: env_name(&e.password_env, DEFAULT_SMTP_PASSWORD_ENV)?,
                from,
                timeout_seconds: seconds(&e.timeout_seconds, 30, 1..601)?,
            })
        }
    };
    let sms = match &raw.sms {
        None => None,
        Some(s) => Some(SmsConfig {
            url: web(&s.url)?,
            token_env: env_name(&s.token_env, DEFAULT_SMS_TOKEN_ENV)?,
            template: s
                .template
                .clone()
                .unwrap_or_else(|| DEFAULT_SMS_TEMPLATE.to_owned()),
            content_type: s
                .content_type
                .clone()
                .unwrap_or_else(|| "application/json".to_owned()),
            timeout_seconds: seconds(&s.timeout_seconds, 30, 1..601)?,
        }),
    };
    Ok(Notifications {
        lookup_url,
        retry_seconds,
        retry_max_seconds,
        email,
        sms,
    })
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::DurationUnit;
    use chrono::DateTime;

    fn parse_str(text: &str) -> Result<Config, ConfigError> {
        parse(text, Path::new("test.toml"))
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_example_file_is_valid_and_means_what_it_says() {
        let text = include_str!("../config.example.toml");
        let config = parse_str(text).expect("config.example.toml must load");
        assert_eq!(config.language, Lang::Vi);
        // The example's overrides for 2026 are in force.
        assert!(Calendar::default().is_working_day(day("2026-02-23")));
        assert!(!config.calendar.is_working_day(day("2026-02-23")));
        assert!(!Calendar::default().is_working_day(day("2026-02-28")));
        assert!(config.calendar.is_working_day(day("2026-02-28")));
        // The example's notifications: e-mail by STARTTLS, its password from the
        // environment; SMS through a gateway; retries from 30 s up to an hour.
        let n = &config.notifications;
        let email = n.email.as_ref().expect("the example configures e-mail");
        assert_eq!((email.port, email.tls), (587, SmtpTls::Starttls));
        assert_eq!(email.password_env, DEFAULT_SMTP_PASSWORD_ENV);
        let sms = n.sms.as_ref().expect("the example configures SMS");
        assert_eq!(sms.token_env, DEFAULT_SMS_TOKEN_ENV);
        assert!(n.lookup_url.as_deref().unwrap().contains("{code}"));
        assert_eq!((n.retry_seconds, n.retry_max_seconds), (30, 3600));
        assert_eq!(
            config.printing,
            Printing {
                printer: Some("default".into()),
                paper: "A4".into(),
                copies: 1,
                folder: Some(PathBuf::from("~/motcua")),
                command: None,
            }
        );
    }

    #[test]
    fn attachments_are_opened_with_the_command_given_as_arguments() {
        let config = parse_str(
            "[attachments]\nopen_with = [\"okular\", \"--unique\", \"{file}\"]\nimages = \"halfblocks\"\n",
        )
        .unwrap();
        assert_eq!(
            config.attachments.open_with,
            ["okular", "--unique", "{file}"]
        );
        assert_eq!(config.attachments.images, Images::Halfblocks);
        assert_eq!(parse_str("").unwrap().attachments, Attachments::default());
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        let config = parse_str("").unwrap();
        assert_eq!(config.language, Lang::Vi);
        assert_eq!(config.calendar.hours(), &OfficeHours::default());
        assert_eq!(config.printing, Printing::default());
        assert_eq!(
            config.printing.printer, None,
            "no printer unless one is named"
        );
    }

    #[test]
    fn printing_names_are_one_word_and_copies_are_bounded() {
        let ok = parse_str(
            "[printing]\nprinter = \"HP_LaserJet-P1102\"\npaper = \"A5\"\ncopies = 2\n\
             command = \"/usr/bin/lpr\"\nfolder = \"/srv/giay to\"\n",
        )
        .unwrap();
        assert_eq!(ok.printing.printer.as_deref(), Some("HP_LaserJet-P1102"));
        assert_eq!(ok.printing.copies, 2);
        assert_eq!(ok.printing.folder, Some(PathBuf::from("/srv/giay to")));
        for (text, line) in [
            ("[printing]\nprinter = \"a; rm -rf /\"\n", 2),
            ("[printing]\n\nprinter = \"-oraw\"\n", 3),
            ("[printing]\ncopies = 0\n", 2),
            ("[printing]\ncopies = 21\n", 2),
            ("[printing]\ncommand = \"lp -d x\"\n", 2),
            ("[printing]\ncolour = true\n", 2),
        ] {
            let err = parse_str(text).unwrap_err();
            assert_eq!(err.line, Some(line), "{text}: {err}");
        }
    }

    #[test]
    fn a_missing_explicit_file_is_an_error_naming_it() {
        let err = load(Some(Path::new("/nonexistent/motcua.toml"))).unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent/motcua.toml"),
            "{err}"
        );
        assert!(err.message(Lang::Vi).contains("Tệp cấu hình"));
    }

    #[test]
    fn offline_numbers_are_bounded_by_the_portal_s_cap() {
        let path = Path::new("c.toml");
        let c = parse("[offline]\ncodes = 0\nkeep_days = 7\n", path).unwrap();
        assert_eq!((c.offline.codes, c.offline.keep_days), (0, 7));
        assert_eq!(parse("", path).unwrap().offline, Offline::default());
        let err = parse("[offline]\ncodes = 51\n", path).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.problem.contains("from 0 to 50"), "{}", err.problem);
        let err = parse("[offline]\nkeep_days = 0\n", path).unwrap_err();
        assert!(err.problem.contains("from 1 to 365"), "{}", err.problem);
    }

    #[test]
    fn a_file_on_disk_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "language = \"en\"\n").unwrap();
        assert_eq!(load(Some(&path)).unwrap().language, Lang::En);
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let cases = [
            ("language = \"fr\"\n", 1, "unknown variant"),
            ("\n\nlanguag = \"vi\"\n", 3, "unknown field"),
            ("[calendar]\nmorning = [\"7h\", \"11:30\"]\n", 2, "HH:MM"),
            (
                "[calendar]\nmorning = [\"11:30\", \"07:00\"]\n",
                2,
                "end after",
            ),
            (
                "[[calendar.year]]\nyear = 2026\nremove_days_off = [2025-01-01]\n",
                3,
                "listed under year 2026",
            ),
            (
                "[[calendar.year]]\nyear = 2026\n\nworking_saturdays = [2026-03-04]\n",
                4,
                "not a Saturday",
            ),
            ("[calendar\n", 1, ""),
            ("[[profile]]\nname = \"a\"\nurl = \"ftp://x\"\n", 3, "http"),
            (
                "[[profile]]\nname = \"a\"\nurl = \"http://x\"\n[[profile]]\nname = \"a\"\nurl = \"http://y\"\n",
                5,
                "different",
            ),
            ("[tui]\npoll_seconds = 0\n", 2, "from 1"),
            ("[attachments]\nopen_with = []\n", 2, "program first"),
            (
                "[attachments]\n\nimages = \"blocks\"\n",
                3,
                "unknown variant",
            ),
            (
                "[notifications]\nlookup_url = \"https://dvc.example/tra-cuu\"\n",
                2,
                "{code}",
            ),
            (
                "[notifications.email]\nhost = \"smtp.example\"\nfrom = \"motcua\"\n",
                3,
                "e-mail address",
            ),
            (
                "[notifications.email]\nhost = \"smtp.example\"\nfrom = \"a@b.vn\"\npassword = \"x\"\n",
                4,
                "unknown field",
            ),
            (
                "[notifications.email]\nhost = \"smtp.example\"\nfrom = \"a@b.vn\"\npassword_env = \"hunter 2\"\n",
                4,
                "environment variable",
            ),
            (
                "[notifications.sms]\nurl = \"sms.example/send\"\n",
                2,
                "http",
            ),
        ];
        for (text, line, needle) in cases {
            let err = parse_str(text).unwrap_err();
            assert_eq!(err.line, Some(line), "{text:?}: {err}");
            assert!(err.problem.contains(needle), "{text:?}: {err}");
            assert!(err.to_string().starts_with(&format!("test.toml:{line}:")));
        }
    }

    #[test]
    fn office_hours_and_overrides_change_due_dates() {
        let config = parse_str(
            "[calendar]\nsame_day_cutoff = \"16:00\"\n\
             [[calendar.year]]\nyear = 2026\ndays_off = [{ date = 2026-03-09, name = \"Bão\" }]\n",
        )
        .unwrap();
        let at = |s| DateTime::parse_from_rfc3339(s).unwrap();
        // Friday 15:30 is before the later cut-off: due the same day.
        assert_eq!(
            config.calendar.due(
                at("2026-03-06T15:30:00+07:00"),
                0,
                DurationUnit::WorkingDays
            ),
            at("2026-03-06T17:00:00+07:00")
        );
        // Monday 9 March is now a day off: one working day from Friday is Tuesday.
        assert_eq!(
            config.calendar.due(
                at("2026-03-06T10:00:00+07:00"),
                1,
                DurationUnit::WorkingDays
            ),
            at("2026-03-10T10:00:00+07:00")
        );
    }
}
