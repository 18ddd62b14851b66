//! The body under the tabs: the inbox, intake, citizens, lookup and statistics.

use super::field;
use crate::domain::status::Queue;
use crate::tui::i18n::{tr, trf};
use crate::tui::keymap::{Command, Context};
use crate::tui::state::{App, Tab};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};

pub fn body(app: &App, frame: &mut Frame, area: Rect) {
    match app.tab {
        Tab::Inbox => super::inbox::render(app, frame, area),
        Tab::Lookup => lookup(app, frame, area),
        Tab::Stats => stats(app, frame, area),
        Tab::Intake => super::intake::render(app, frame, area),
        Tab::Citizens => super::citizens::render(app, frame, area),
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

fn stats(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let Some(stats) = &app.inbox.stats else {
        frame.render_widget(
            Paragraph::new(tr(lang, "busy.other")).style(theme.muted),
            area,
        );
        return;
    };
    let q = &stats.queues;
    let counts = [
        (Queue::OnlinePending, q.online_pending),
        (Queue::Received, q.received),
        (Queue::InProgress, q.in_progress),
        (Queue::Supplement, q.supplement),
        (Queue::AwaitingPayment, q.awaiting_payment),
        (Queue::ResultReady, q.result_ready),
        (Queue::Returned, q.returned),
        (Queue::Closed, q.closed),
        (Queue::Overdue, q.overdue),
        (Queue::All, q.all),
    ];
    let mut rows: Vec<Row> = counts
        .iter()
        .map(|(queue, n)| {
            let style = if *queue == Queue::Overdue && *n > 0 {
                theme.danger
            } else {
                theme.base
            };
            Row::new(vec![queue.label(lang).to_owned(), n.to_string()]).style(style)
        })
        .collect();
    let t = &stats.returned;
    rows.push(Row::new(vec![String::new(), String::new()]));
    for (key, n) in [
        ("stats.early", t.early),
        ("stats.on_time", t.on_time),
        ("stats.late", t.late),
    ] {
        rows.push(Row::new(vec![tr(lang, key).to_owned(), n.to_string()]));
    }
    // The satisfaction ratings given (issue 17), by level.
    rows.push(Row::new(vec![String::new(), String::new()]));
    rows.extend(
        super::results::stats_ratings(app, stats)
            .into_iter()
            .map(|(label, n)| Row::new(vec![label, n.to_string()])),
    );
    let at = crate::tui::update::short_time(Some(&stats.at));
    // The period's indices beside the counts: both fit at 80 columns.
    let [area, indices_area, _] = Layout::horizontal([
        Constraint::Max(54),
        Constraint::Length(INDICES_WIDTH),
        Constraint::Min(0),
    ])
    .areas(area);
    indices(app, stats, frame, indices_area);
    frame.render_widget(
        Table::new(rows, [Constraint::Min(20), Constraint::Length(8)]).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border)
                .title(Line::from(vec![Span::styled(
                    format!(" {} — {at} ", tr(lang, "stats.title")),
                    theme.accent,
                )])),
        ),
        area,
    );
}

/// The indices' box: its columns (18 + 8 + 7), their gaps and its borders.
const INDICES_WIDTH: u16 = 37;

/// The period's indices (Decision 766/QĐ-TTg) and the documents reused: each as its
/// count over its total and the rate, "—" where nothing was counted (satisfaction, until
/// the portal records ratings).
fn indices(app: &App, stats: &crate::api::stats::Stats, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let i = &stats.indices;
    let rate = |key: &'static str, r: &crate::api::stats::Ratio, strong: bool| {
        let style = if strong {
            theme.accent.add_modifier(ratatui::style::Modifier::BOLD)
        } else {
            theme.base
        };
        Row::new(vec![
            tr(lang, key).to_owned(),
            format!("{}/{}", r.numerator, r.denominator),
            crate::tui::documents::percent_text(r.numerator, r.denominator, lang),
        ])
        .style(style)
    };
    let count = |key: &'static str, n: u64| {
        Row::new(vec![tr(lang, key).to_owned(), n.to_string(), String::new()])
    };
    let rows = vec![
        rate("stats.index.digitization", &i.digitization, true),
        count("stats.reused_documents", stats.reuse.documents),
        count("stats.reused_dossiers", stats.reuse.dossiers),
        rate("stats.index.on_time", &i.on_time, false),
        rate("stats.index.online_submission", &i.online_submission, false),
        rate("stats.index.online_payment", &i.online_payment, false),
        rate("stats.index.satisfaction", &i.satisfaction, false),
    ];
    let period = format!(
        "{} – {}",
        crate::tui::view::documents::dmy(Some(&stats.period.from)),
        crate::tui::view::documents::dmy(Some(&stats.period.to))
    );
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(18),
                Constraint::Length(8),
                Constraint::Length(7),
            ],
        )
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border)
                .title(Line::from(vec![Span::styled(
                    format!(" {} {period} ", tr(lang, "stats.indices")),
                    theme.accent,
                )])),
        ),
        area,
    );
}
