//! The frame around every pane: tabs and the training banner, the status bar, key hints,
//! toasts.

use super::fit;
use crate::tui::i18n::{lookup, tr, trf};
use crate::tui::state::{App, LinkState, Purpose, Tab, ToastKind};
use crate::tui::update::human_size;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn tab_label(app: &App, tab: Tab) -> &'static str {
    match tab {
        Tab::Inbox => tr(app.lang, "tab.inbox"),
        Tab::Intake => tr(app.lang, "tab.intake"),
        Tab::Citizens => tr(app.lang, "tab.citizens"),
        Tab::Lookup => tr(app.lang, "tab.lookup"),
        Tab::Stats => tr(app.lang, "tab.stats"),
        Tab::Certify => tr(app.lang, "tab.certify"),
    }
}

pub fn top_bar(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let mut rows = area;
    if app.training() {
        let [banner, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        frame.render_widget(
            Paragraph::new(super::exercises::banner(app, banner.width))
                .style(theme.training)
                .centered(),
            banner,
        );
        rows = rest;
    }
    frame.render_widget(Paragraph::new(tabs_line(app, rows.width)), rows);
}

/// The tabs as they fit in `width`: with the name of the program and room around each
/// label; on a narrow screen without the name, then closer together, then with only the
/// numbers of the tabs not shown (the one shown keeps its label).
fn tabs_line(app: &App, width: u16) -> Line<'static> {
    let theme = &app.theme;
    let build = |brand: bool, roomy: bool, labels: bool| {
        let mut spans = Vec::new();
        if brand {
            spans.push(Span::styled(
                " motcua ",
                theme.accent.add_modifier(Modifier::BOLD),
            ));
        }
        for (i, tab) in Tab::ALL.iter().enumerate() {
            let shown = *tab == app.tab;
            let label = match (labels || shown, roomy) {
                (true, true) => format!(" {} {} ", i + 1, tab_label(app, *tab)),
                (true, false) => format!(" {} {}", i + 1, tab_label(app, *tab)),
                (false, _) => format!(" {}", i + 1),
            };
            let style = if shown { theme.selection } else { theme.base };
            spans.push(Span::styled(label, style));
            spans.push(Span::styled("│", theme.border));
        }
        Line::from(spans)
    };
    let ways = [
        (true, true, true),
        (false, true, true),
        (false, false, true),
    ];
    ways.iter()
        .map(|(brand, roomy, labels)| build(*brand, *roomy, *labels))
        .find(|line| line.width() <= usize::from(width))
        .unwrap_or_else(|| build(false, false, false))
}

/// One piece of a bar and when it goes: `0` never, else the highest go first when the
/// bar is too narrow.
struct Piece {
    text: String,
    style: Style,
    drop: u8,
}

fn piece(text: impl Into<String>, style: Style, drop: u8) -> Piece {
    Piece {
        text: text.into(),
        style,
        drop,
    }
}

/// The pieces that fit in `width` cells: the droppable ones go, highest rank first,
/// until the rest fits; what is essential stays (and is cut with "…" only when even it
/// is wider than the screen).
fn fit_pieces(mut pieces: Vec<Piece>, width: usize) -> Line<'static> {
    let total = |ps: &[Piece]| ps.iter().map(|p| fit::width(&p.text)).sum::<usize>();
    while total(&pieces) > width {
        let Some(rank) = pieces.iter().map(|p| p.drop).filter(|d| *d > 0).max() else {
            break;
        };
        pieces.retain(|p| p.drop != rank);
    }
    let mut left = width;
    let mut spans = Vec::new();
    for p in pieces {
        if left == 0 {
            break;
        }
        let text = fit::truncate(&p.text, left).into_owned();
        left -= fit::width(&text);
        spans.push(Span::styled(text, p.style));
    }
    Line::from(spans)
}

/// Who is logged in, the link, the writes waiting, what is being fetched. The link's
/// state and the count of waiting writes always show, whatever the width; so does "Esc
/// cancels" while a request is waited for, but on the narrowest screens (under about 45
/// columns). The office, the round-trip time, the request's name, the retry countdowns,
/// the role and the username give way first, in that order.
pub fn status_bar(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let mut pieces = Vec::new();
    if let Some(me) = &app.me {
        // In a sandbox the user's own corner wears the training colours too, so a
        // screenshot of any pane still says it is not a real portal.
        let style = if app.training() {
            theme.training
        } else {
            theme.accent
        };
        pieces.push(piece(format!(" {}", me.username), style, 3));
        pieces.push(piece(format!(" · {}", me.role.label(lang)), style, 5));
        if let Some(o) = &me.office {
            pieces.push(piece(format!(" · {}", o.name), style, 9));
        }
        pieces.push(piece(" ", style, 3));
        pieces.push(piece("│", theme.border, 3));
    }
    let (dot, label, style) = match app.link.state {
        LinkState::Online => ("●", tr(lang, "link.online"), theme.ok),
        LinkState::Slow => ("●", tr(lang, "link.slow"), theme.warn),
        LinkState::Offline => ("○", tr(lang, "link.offline"), theme.danger),
        LinkState::Unknown => ("·", tr(lang, "link.unknown"), theme.muted),
    };
    pieces.push(piece(format!(" {dot} {label}"), style, 0));
    if let Some(d) = app.link.last_rtt {
        pieces.push(piece(format!(" {} ms", d.as_millis()), style, 8));
    }
    if app.link.state == LinkState::Offline
        && let Some(n) = app.link.retry_in
    {
        pieces.push(piece(
            trf(lang, "link.retry_in", &[("s", &n.to_string())]),
            style,
            6,
        ));
    }
    // With the link down, how many dossiers the desk can still number itself.
    if (app.link.state == LinkState::Offline || app.offline_session)
        && let Some(n) = app.held_codes
    {
        pieces.push(piece(
            trf(lang, "status.held_codes", &[("n", &n.to_string())]),
            if n == 0 { theme.danger } else { theme.warn },
            5,
        ));
    }
    pieces.push(piece(" ", style, 0));
    pieces.push(piece("│", theme.border, 0));
    pieces.push(piece(
        trf(lang, "status.outbox", &[("n", &app.outbox.to_string())])
            .trim_end()
            .to_owned(),
        theme.base,
        0,
    ));
    if let Some(s) = app.outbox_retry_in {
        pieces.push(piece(
            trf(lang, "status.outbox_retry", &[("s", &s.to_string())]),
            theme.warn,
            6,
        ));
    }
    if !app.dead_letters.is_empty() {
        pieces.push(piece(
            trf(
                lang,
                "status.dead_letters",
                &[("n", &app.dead_letters.len().to_string())],
            ),
            theme.danger,
            1,
        ));
    }
    pieces.push(piece(" ", theme.base, 0));
    if let Some((id, p)) = app
        .pending
        .iter()
        .rev()
        .find(|(_, p)| !p.purpose.is_background())
    {
        let label = match p.purpose {
            Purpose::Attachment => tr(lang, "busy.attachment"),
            Purpose::Download => tr(lang, "busy.download"),
            Purpose::Login => tr(lang, "busy.login"),
            Purpose::Inbox => tr(lang, "busy.inbox"),
            Purpose::Detail | Purpose::DetailForms => tr(lang, "busy.detail"),
            Purpose::Act => tr(lang, "busy.act"),
            Purpose::Form => tr(lang, "busy.form"),
            Purpose::Catalog => tr(lang, "busy.catalog"),
            Purpose::Citizens => tr(lang, "busy.citizens"),
            Purpose::Submit => tr(lang, "busy.submit"),
            Purpose::Certify => tr(lang, "busy.certify"),
            Purpose::Payment | Purpose::DetailPayment => tr(lang, "busy.payment"),
            Purpose::Logout
            | Purpose::Poll
            | Purpose::Page
            | Purpose::Stats
            | Purpose::Upload
            | Purpose::Journal
            | Purpose::Documents
            | Purpose::Entry => tr(lang, "busy.other"),
        };
        pieces.push(piece("│", theme.border, 2));
        pieces.push(piece(
            format!(" {}", SPINNER[p.ticks as usize % SPINNER.len()]),
            theme.warn,
            2,
        ));
        pieces.push(piece(format!(" {label}"), theme.warn, 7));
        // A download says how far it has come: its share stays as long as the spinner.
        match app.attachments.transfers.progress.get(id) {
            Some((received, Some(total))) if *total > 0 => {
                let share = received.saturating_mul(100) / total;
                pieces.push(piece(format!(" {share}%"), theme.warn, 2));
                pieces.push(piece(
                    format!(" ({}/{})", human_size(*received), human_size(*total)),
                    theme.warn,
                    7,
                ));
            }
            Some((received, _)) => {
                pieces.push(piece(format!(" {}", human_size(*received)), theme.warn, 2));
            }
            None => {}
        }
        pieces.push(piece(format!(" {}", tr(lang, "busy.esc")), theme.warn, 2));
    }
    frame.render_widget(
        Paragraph::new(fit_pieces(pieces, usize::from(area.width))),
        area,
    );
}

/// The hinted keys of what has the keyboard now, as (key, words) pairs in the keymap's
/// order, the help key last: it is the way to every other key, so the one a narrow
/// screen must keep.
fn hint_pairs(app: &App) -> Vec<(String, &'static str)> {
    let Some(context) = crate::tui::update::key_context(app) else {
        return Vec::new();
    };
    let enabled = crate::tui::update::enabled_commands(app);
    let mut pairs = Vec::new();
    let mut help = None;
    for line in app.keymap.hints(context, &enabled) {
        let Some(key) = line.keys.first() else {
            continue;
        };
        let text = lookup(app.lang, &format!("hint.{}", line.name))
            .or_else(|| lookup(app.lang, &format!("key.{}", line.name)))
            .unwrap_or(line.name);
        if line.command == crate::tui::keymap::Command::Help {
            help = Some((key.to_string(), text));
        } else {
            pairs.push((key.to_string(), text));
        }
    }
    pairs.extend(help);
    pairs
}

/// The longest run of whole hints, in order, that fits `width` cells with the last
/// (help) one kept: a hint is never cut in the middle of its words.
fn fitting_hints(
    pairs: &[(String, &'static str)],
    width: usize,
    cost: impl Fn(&(String, &'static str)) -> usize,
) -> Vec<usize> {
    let Some((last, rest)) = pairs.split_last() else {
        return Vec::new();
    };
    let mut used = cost(last);
    if used > width {
        return Vec::new();
    }
    let mut chosen = Vec::new();
    for (i, pair) in rest.iter().enumerate() {
        if used + cost(pair) > width {
            break;
        }
        used += cost(pair);
        chosen.push(i);
    }
    chosen.push(pairs.len() - 1);
    chosen
}

/// The hinted keys of what has the keyboard now as one line ("Enter log in · Tab next
/// field") of at most `width` cells, for the boxes that say their keys inside their
/// border.
pub fn key_hints(app: &App, width: u16) -> String {
    let pairs = hint_pairs(app);
    let sep = " · ";
    let chosen = fitting_hints(&pairs, usize::from(width).saturating_sub(2), |(k, t)| {
        fit::width(k) + 1 + fit::width(t) + fit::width(sep)
    });
    let parts: Vec<String> = chosen
        .into_iter()
        .map(|i| format!("{} {}", pairs[i].0, pairs[i].1))
        .collect();
    format!(" {} ", parts.join(sep))
}

/// The keys of what is on screen now, from the keymap and the pane's enabled commands:
/// as many whole hints as fit, and the help key always.
pub fn hint_bar(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let pairs = hint_pairs(app);
    let chosen = fitting_hints(&pairs, usize::from(area.width), |(k, t)| {
        fit::width(k) + fit::width(t) + 4
    });
    let mut spans = Vec::new();
    for i in chosen {
        let (key, text) = &pairs[i];
        spans.push(Span::styled(format!(" {key} "), theme.selection));
        spans.push(Span::styled(format!(" {text} "), theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The toasts, newest nearest the status bar, each wrapped to its box. They go where
/// they hide neither the field with the caret nor a VietQR code ([`super::keep_clear`]):
/// bottom right as usual, else top right, else in the band beside what they must not
/// cover.
pub fn toasts(app: &App, frame: &mut Frame, area: Rect) {
    if app.toasts.is_empty() || area.width < 3 {
        return;
    }
    let keep = super::kept_clear();
    // Under the tabs (and the training banner) and the pane's title; above the pane's
    // bottom border, the status bar and the hints.
    let chrome = if app.screen == crate::tui::state::Screen::Login {
        0
    } else {
        2 + u16::from(app.training())
    };
    let top = area.y + chrome.min(area.height);
    let bottom = (area.y + area.height.saturating_sub(3)).max(top);
    let width = area.width.min(60);
    let right = |w: u16| area.x + area.width - w;
    // Each candidate: stacked from the bottom (or the top), at x, w wide, between the
    // rows high..low. First the usual corner and the top; then the rows below or above
    // what must stay seen (the newest toasts that fit); then the band beside it.
    let mut candidates = vec![
        (true, right(width), width, top, bottom),
        (false, right(width), width, top, bottom),
    ];
    for (k, _) in &keep {
        let below = (k.y + k.height).clamp(top, bottom);
        let above = k.y.clamp(top, bottom);
        candidates.push((true, right(width), width, below, bottom));
        candidates.push((false, right(width), width, top, above));
    }
    for (k, _) in &keep {
        let left_band = k.x.saturating_sub(area.x);
        let right_band = (area.x + area.width).saturating_sub(k.x + k.width);
        if right_band >= 20 {
            let w = right_band.min(60);
            candidates.push((true, right(w), w, top, bottom));
            candidates.push((false, right(w), w, top, bottom));
        }
        if left_band >= 20 {
            let w = left_band.min(60);
            candidates.push((true, area.x, w, top, bottom));
            candidates.push((false, area.x, w, top, bottom));
        }
    }
    let stack = |from_bottom: bool,
                 x: u16,
                 w: u16,
                 high: u16,
                 low: u16|
     -> Vec<(Rect, &crate::tui::state::Toast)> {
        let mut placed = Vec::new();
        let (mut low, mut high) = (low, high);
        for toast in app.toasts.iter().rev() {
            let lines = fit::wrap(&toast.text, usize::from(w.saturating_sub(2))).len() as u16;
            let h = lines + 2;
            if low < high + h {
                break;
            }
            let y = if from_bottom {
                low -= h;
                low
            } else {
                high += h;
                high - h
            };
            placed.push((
                Rect {
                    x,
                    y,
                    width: w,
                    height: h,
                },
                toast,
            ));
        }
        placed
    };
    let clear = |placed: &[(Rect, _)]| {
        !placed.is_empty()
            && placed
                .iter()
                .all(|(r, _)| keep.iter().all(|(k, _)| !r.intersects(*k)))
    };
    // No place is free: the usual one, less any toast over what must stay seen.
    let fallback = || {
        let mut placed = stack(true, right(width), width, top, bottom);
        placed.retain(|(r, _)| keep.iter().all(|(k, always)| !always || !r.intersects(*k)));
        placed
    };
    let placed = candidates
        .iter()
        .map(|&(from_bottom, x, w, high, low)| stack(from_bottom, x, w, high, low))
        .find(|p| clear(p))
        .unwrap_or_else(fallback);
    let theme = &app.theme;
    for (rect, toast) in placed {
        let style = match toast.kind {
            ToastKind::Info => theme.accent,
            ToastKind::Success => theme.ok,
            ToastKind::Error => theme.danger,
        };
        let lines: Vec<Line> = fit::wrap(&toast.text, usize::from(rect.width.saturating_sub(2)))
            .into_iter()
            .map(Line::from)
            .collect();
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(lines)
                .style(theme.base)
                .block(Block::default().borders(Borders::ALL).border_style(style)),
            rect,
        );
    }
}
