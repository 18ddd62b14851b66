//! The login screen, and the same form as a pop-up when a session expires.

use super::{centered, field};
use crate::tui::i18n::{tr, trf};
use crate::tui::state::{App, LoginField};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 72, 16);
    form(app, frame, rect, tr(app.lang, "login.title"));
}

pub fn render_popup(app: &App, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 72, 14);
    frame.render_widget(Clear, rect);
    form(app, frame, rect, tr(app.lang, "login.relogin_title"));
}

fn form(app: &App, frame: &mut Frame, rect: Rect, title: &str) {
    let theme = &app.theme;
    let lang = app.lang;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" {title} "),
            theme.accent.add_modifier(Modifier::BOLD),
        ))
        .style(theme.base);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);

    let rows = Layout::vertical([
        Constraint::Length(1), // profile
        Constraint::Length(1), // training / url
        Constraint::Length(1),
        Constraint::Length(1), // username
        Constraint::Length(1), // password
        Constraint::Length(1),
        Constraint::Min(2),    // error / hint
        Constraint::Length(1), // keys
    ])
    .split(inner);

    let profile = app.profile();
    let name = profile.map(|p| p.name.as_str()).unwrap_or("—");
    let choice = if app.profiles.len() > 1 && !app.relogin {
        format!("◀ {name} ▶")
    } else {
        name.to_owned()
    };
    let style = if app.login.focus == LoginField::Profile {
        theme.selection
    } else {
        theme.base
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!("{:<16}", tr(lang, "login.portal")), theme.muted),
            Span::styled(choice, style),
        ])),
        rows[0],
    );
    let mut about = vec![Span::styled(
        profile.map(|p| p.url.clone()).unwrap_or_default(),
        theme.muted,
    )];
    if app.training() {
        about.insert(
            0,
            Span::styled(format!(" {} ", tr(lang, "login.training")), theme.training),
        );
        about.insert(1, Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(about)), rows[1]);

    for (row, label, text, which) in [
        (
            rows[3],
            tr(lang, "login.username"),
            &app.login.username,
            LoginField::Username,
        ),
        (
            rows[4],
            tr(lang, "login.password"),
            &app.login.password,
            LoginField::Password,
        ),
    ] {
        let [l, f] = Layout::horizontal([Constraint::Length(16), Constraint::Min(10)]).areas(row);
        frame.render_widget(Paragraph::new(label).style(theme.muted), l);
        let focused = app.login.focus == which;
        let style = if focused {
            theme.base.add_modifier(Modifier::UNDERLINED)
        } else {
            theme.base
        };
        field(frame, f, text, focused, style);
    }

    let message = if let Some(err) = &app.login.error {
        Paragraph::new(err.as_str()).style(theme.danger)
    } else if app.login.pending.is_some() {
        Paragraph::new(tr(lang, "busy.login")).style(theme.warn)
    } else if let Some(hint) = profile.and_then(|p| p.demo_hint.as_deref()) {
        Paragraph::new(trf(lang, "login.demo_hint", &[("hint", hint)])).style(theme.muted)
    } else {
        Paragraph::new("")
    };
    frame.render_widget(message.wrap(Wrap { trim: true }), rows[6]);
    frame.render_widget(
        Paragraph::new(super::shell::key_hints(app, rows[7].width)).style(theme.muted),
        rows[7],
    );
}
