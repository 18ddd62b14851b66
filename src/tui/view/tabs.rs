//! The body under the tabs: the inbox, intake, citizens, lookup and statistics.

use super::field;
use crate::tui::i18n::{tr, trf};
use crate::tui::keymap::{Command, Context};
use crate::tui::state::{App, Tab};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;

use ratatui::widgets::{Paragraph, Wrap};

pub fn body(app: &App, frame: &mut Frame, area: Rect) {
    match app.tab {
        Tab::Inbox => super::inbox::render(app, frame, area),
        Tab::Lookup => lookup(app, frame, area),
        Tab::Stats => super::stats::render(app, frame, area),
        Tab::Intake => super::intake::render(app, frame, area),
        Tab::Citizens => super::citizens::render(app, frame, area),
        Tab::Certify => super::certify::render(app, frame, area),
    }
}

fn lookup(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    // The note under the field, a blank line either side.
    let note_rows = app
        .lookup_note
        .as_deref()
        .map_or(0, |n| super::wrapped_lines(n, area.width) + 2);
    let [title, input, note, help] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(note_rows),
        Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(tr(app.lang, "lookup.title"))
            .style(theme.accent.add_modifier(Modifier::BOLD)),
        title,
    );
    let [label, text] =
        Layout::horizontal([Constraint::Length(18), Constraint::Min(10)]).areas(input);
    frame.render_widget(
        Paragraph::new(tr(app.lang, "lookup.code")).style(theme.muted),
        label,
    );
    field(
        frame,
        text,
        &app.lookup,
        app.overlay.is_none(),
        theme.base.add_modifier(Modifier::UNDERLINED),
    );
    if let Some(text) = &app.lookup_note {
        // Below the field, a blank line between: what became of the last search.
        let [_, text_row, _] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(note);
        frame.render_widget(
            Paragraph::new(super::safe(text))
                .style(theme.danger)
                .wrap(Wrap { trim: true }),
            text_row,
        );
    }
    frame.render_widget(
        Paragraph::new(trf(
            app.lang,
            "lookup.help",
            &[
                ("open", &app.keymap.key_of(Context::Lookup, Command::Open)),
                ("back", &app.keymap.key_of(Context::Lookup, Command::Back)),
            ],
        ))
        .style(theme.muted)
        .wrap(Wrap { trim: true }),
        help,
    );
}
