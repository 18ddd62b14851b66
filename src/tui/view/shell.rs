//! The frame around every pane: tabs and the training banner, the status bar, key hints,
//! toasts.

use crate::tui::i18n::{lookup, tr, trf};
use crate::tui::state::{App, LinkState, Purpose, Tab, ToastKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn tab_label(app: &App, tab: Tab) -> &'static str {
    match tab {
        Tab::Inbox => tr(app.lang, "tab.inbox"),
        Tab::Intake => tr(app.lang, "tab.intake"),
        Tab::Citizens => tr(app.lang, "tab.citizens"),
        Tab::Lookup => tr(app.lang, "tab.lookup"),
        Tab::Stats => tr(app.lang, "tab.stats"),
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
    let mut spans = vec![Span::styled(
        " motcua ",
        theme.accent.add_modifier(Modifier::BOLD),
    )];
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let label = format!(" {} {} ", i + 1, tab_label(app, *tab));
        let style = if *tab == app.tab {
            theme.selection
        } else {
            theme.base
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::styled("│", theme.border));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), rows);
}

pub fn status_bar(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let mut spans = Vec::new();
    if let Some(me) = &app.me {
        // At 80 columns the office name would push the link state off the screen.
        let office = me
            .office
            .as_ref()
            .filter(|_| area.width >= 120)
            .map(|o| format!(" · {}", o.name))
            .unwrap_or_default();
        // In a sandbox the user's own corner wears the training colours too, so a
        // screenshot of any pane still says it is not a real portal.
        let style = if app.training() {
            theme.training
        } else {
            theme.accent
        };
        spans.push(Span::styled(
            format!(" {} · {}{office} ", me.username, me.role.label(lang)),
            style,
        ));
        spans.push(Span::styled("│", theme.border));
    }
    let rtt = app
        .link
        .last_rtt
        .map(|d| format!(" {} ms", d.as_millis()))
        .unwrap_or_default();
    let (dot, label, style) = match app.link.state {
        LinkState::Online => ("●", tr(lang, "link.online"), theme.ok),
        LinkState::Slow => ("●", tr(lang, "link.slow"), theme.warn),
        LinkState::Offline => ("○", tr(lang, "link.offline"), theme.danger),
        LinkState::Unknown => ("·", tr(lang, "link.unknown"), theme.muted),
    };
    let mut link = format!(" {dot} {label}{rtt}");
    if app.link.state == LinkState::Offline
        && let Some(n) = app.link.retry_in
    {
        link.push_str(&trf(lang, "link.retry_in", &[("s", &n.to_string())]));
    }
    spans.push(Span::styled(link + " ", style));
    spans.push(Span::styled("│", theme.border));
    spans.push(Span::raw(trf(
        lang,
        "status.outbox",
        &[("n", &app.outbox.to_string())],
    )));
    if let Some(s) = app.outbox_retry_in {
        spans.push(Span::styled(
            trf(lang, "status.outbox_retry", &[("s", &s.to_string())]),
            theme.warn,
        ));
    }
    if !app.dead_letters.is_empty() {
        spans.push(Span::styled(
            trf(
                lang,
                "status.dead_letters",
                &[("n", &app.dead_letters.len().to_string())],
            ),
            theme.danger,
        ));
    }
    if let Some((_, p)) = app
        .pending
        .iter()
        .rev()
        .find(|(_, p)| !p.purpose.is_background())
    {
        spans.push(Span::styled("│", theme.border));
        let label = match p.purpose {
            Purpose::Login => tr(lang, "busy.login"),
            Purpose::Inbox => tr(lang, "busy.inbox"),
            Purpose::Detail | Purpose::DetailForms => tr(lang, "busy.detail"),
            Purpose::Act => tr(lang, "busy.act"),
            Purpose::Form => tr(lang, "busy.form"),
            Purpose::Download => tr(lang, "busy.download"),
            Purpose::Catalog => tr(lang, "busy.catalog"),
            Purpose::Citizens => tr(lang, "busy.citizens"),
            Purpose::Submit => tr(lang, "busy.submit"),
            Purpose::Payment | Purpose::DetailPayment => tr(lang, "busy.payment"),
            Purpose::Logout
            | Purpose::Poll
            | Purpose::Stats
            | Purpose::Upload
            | Purpose::Journal => tr(lang, "busy.other"),
        };
        spans.push(Span::styled(
            format!(
                " {} {label} {}",
                SPINNER[p.ticks as usize % SPINNER.len()],
                tr(lang, "busy.esc")
            ),
            theme.warn,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The hinted keys of what has the keyboard now as one line ("Enter log in · Tab next
/// field"), for the boxes that say their keys inside their border.
pub fn key_hints(app: &App) -> String {
    let Some(context) = crate::tui::update::key_context(app) else {
        return String::new();
    };
    let enabled = crate::tui::update::enabled_commands(app);
    let parts: Vec<String> = app
        .keymap
        .hints(context, &enabled)
        .into_iter()
        .filter_map(|line| {
            let key = line.keys.first()?;
            let text = lookup(app.lang, &format!("hint.{}", line.name))
                .or_else(|| lookup(app.lang, &format!("key.{}", line.name)))
                .unwrap_or(line.name);
            Some(format!("{key} {text}"))
        })
        .collect();
    format!(" {} ", parts.join(" · "))
}

/// The keys of what is on screen now, from the keymap and the pane's enabled commands.
pub fn hint_bar(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let mut spans = Vec::new();
    let Some(context) = crate::tui::update::key_context(app) else {
        return;
    };
    let enabled = crate::tui::update::enabled_commands(app);
    for line in app.keymap.hints(context, &enabled) {
        let Some(key) = line.keys.first() else {
            continue;
        };
        let text = lookup(app.lang, &format!("hint.{}", line.name))
            .or_else(|| lookup(app.lang, &format!("key.{}", line.name)))
            .unwrap_or(line.name);
        spans.push(Span::styled(format!(" {key} "), theme.selection));
        spans.push(Span::styled(format!(" {text} "), theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn toasts(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let width = area.width.min(60);
    let mut y = area.y + area.height.saturating_sub(3);
    for toast in app.toasts.iter().rev() {
        let lines = (toast.text.chars().count() as u16 / width.saturating_sub(4).max(1)) + 3;
        if y < area.y + lines {
            break;
        }
        y -= lines;
        let rect = Rect {
            x: area.x + area.width - width,
            y,
            width,
            height: lines,
        };
        let style = match toast.kind {
            ToastKind::Info => theme.accent,
            ToastKind::Success => theme.ok,
            ToastKind::Error => theme.danger,
        };
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(toast.text.as_str())
                .wrap(Wrap { trim: true })
                .style(theme.base)
                .block(Block::default().borders(Borders::ALL).border_style(style)),
            rect,
        );
    }
}
