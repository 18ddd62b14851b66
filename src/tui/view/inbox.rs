//! The incoming-dossiers pane: queues with counts, the filter, and a table that draws only
//! the rows that fit (100,000 loaded dossiers cost what 20 do).

use super::field;
use crate::api::dossiers::{Channel, PaymentStatus};
use crate::domain::Lang;
use crate::domain::status::Queue;
use crate::tui::i18n::{tr, trf};
use crate::tui::state::{App, Item, Loaded};
use crate::tui::theme::Theme;
use chrono::{DateTime, FixedOffset};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, List, ListItem, Paragraph, Row, Table};

/// Rows of the table area that are not dossier rows: the queue line, the filter line,
/// the header.
pub const TABLE_CHROME_ROWS: u16 = 3;

/// Wide enough to list the queues in a column beside the table.
const WIDE: u16 = 110;
/// Wide enough to show the detail beside the table.
pub const SIDE_BY_SIDE: u16 = 140;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let (list_area, detail_area) = match &app.inbox.detail {
        Some(_) if area.width >= SIDE_BY_SIDE => {
            let [l, d] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(area);
            (Some(l), Some(d))
        }
        Some(_) => (None, Some(area)),
        None => (Some(area), None),
    };
    if let Some(list_area) = list_area {
        list(app, frame, list_area);
    }
    if let Some(d) = detail_area {
        super::detail::render(app, frame, d);
    }
}

fn list(app: &App, frame: &mut Frame, area: Rect) {
    let inbox = &app.inbox;
    let table_area = if area.width >= WIDE {
        let [queues, rest] =
            Layout::horizontal([Constraint::Length(34), Constraint::Min(40)]).areas(area);
        queue_column(app, frame, queues);
        rest
    } else {
        area
    };
    let [queue_line, filter_line, table] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(table_area);
    let theme = &app.theme;
    let lang = app.lang;
    // The current queue (also in the column when wide: it says where the keys lead).
    let position = Queue::ALL
        .iter()
        .position(|q| *q == inbox.queue)
        .unwrap_or(0)
        + 1;
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("◀ ", theme.muted),
            Span::styled(
                format!("{} ({})", inbox.queue.label(lang), inbox.count(inbox.queue)),
                theme.accent.add_modifier(Modifier::BOLD),
            ),
            Span::styled(format!(" ▶  {position}/{}", Queue::ALL.len()), theme.muted),
            Span::styled(
                format!("   {} {}", inbox.shown(), tr(lang, "inbox.shown")),
                theme.muted,
            ),
        ])),
        queue_line,
    );
    // The filter.
    let [slash, text] =
        Layout::horizontal([Constraint::Length(2), Constraint::Min(1)]).areas(filter_line);
    frame.render_widget(Paragraph::new("/ ").style(theme.muted), slash);
    if inbox.filtering || !inbox.filter_text().is_empty() {
        field(
            frame,
            text,
            &inbox.filter,
            inbox.filtering && app.overlay.is_none(),
            theme.base,
        );
    } else {
        frame.render_widget(
            Paragraph::new(tr(lang, "inbox.filter_hint")).style(theme.muted),
            text,
        );
    }

    if inbox.loaded == Loaded::Nothing {
        frame.render_widget(
            Paragraph::new(tr(lang, "inbox.loading")).style(theme.muted),
            table,
        );
        return;
    }
    if inbox.view.is_empty() {
        let text = if inbox.window.loading.is_some() {
            tr(lang, "inbox.loading").to_owned()
        } else if inbox.window.failed {
            tr(lang, "inbox.page_failed").to_owned()
        } else if inbox.matches_elsewhere > 0 {
            trf(
                lang,
                "inbox.elsewhere",
                &[("n", &inbox.matches_elsewhere.to_string())],
            )
        } else {
            tr(lang, "inbox.empty").to_owned()
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.muted)
                .wrap(ratatui::widgets::Wrap { trim: true }),
            table,
        );
        return;
    }
    rows(app, frame, table);
}

fn queue_column(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let items: Vec<ListItem> = Queue::ALL
        .iter()
        .map(|q| {
            let known = app.inbox.count_known(*q);
            let style = if *q == app.inbox.queue {
                theme.selection
            } else if *q == Queue::Overdue && known.is_some_and(|n| n > 0) {
                theme.danger
            } else {
                theme.base
            };
            let count = known.map_or_else(|| "…".to_owned(), |n| n.to_string());
            let width = 31usize.saturating_sub(count.chars().count() + 1);
            let label = super::fit::pad(q.label(app.lang), width);
            ListItem::new(Line::from(format!(" {label} {count}"))).style(style)
        })
        .collect();
    frame.render_widget(
        List::new(items).block(
            Block::default()
                .borders(Borders::RIGHT)
                .border_style(theme.border)
                .title(Span::styled(tr(app.lang, "inbox.queues"), theme.muted)),
        ),
        area,
    );
}

/// The table's columns at `width` cells: (header key, constraint). The procedure, the
/// channel and the fee need a wide table.
fn columns(width: u16) -> Vec<(&'static str, Constraint)> {
    let wide = width >= 120;
    let mut columns = vec![
        ("col.code", Constraint::Length(26)),
        ("col.applicant", Constraint::Fill(2)),
    ];
    // Wide, the status gets the largest share: its labels are the longest, and the
    // procedure repeats across rows.
    if wide {
        columns.push(("col.procedure", Constraint::Fill(2)));
    }
    columns.push(("col.due", Constraint::Length(13)));
    columns.push(("col.status", Constraint::Fill(if wide { 3 } else { 2 })));
    if wide {
        // "at the desk", "trực tuyến".
        columns.push(("col.channel", Constraint::Length(11)));
        columns.push(("col.paid", Constraint::Length(10)));
    }
    columns
}

/// Cells between two columns.
const COLUMN_GAP: u16 = 1;

fn rows(app: &App, frame: &mut Frame, area: Rect) {
    let inbox = &app.inbox;
    let theme = &app.theme;
    let lang = app.lang;
    let columns = columns(area.width);
    let wide = columns.len() > 4;
    // The widths are settled here, not by the table, so that every cell is shortened at
    // a word with "…" to its own column and never runs into the next one.
    let widths: Vec<u16> = Layout::horizontal(columns.iter().map(|(_, c)| *c))
        .spacing(COLUMN_GAP)
        .split(Rect { height: 1, ..area })
        .iter()
        .map(|r| r.width)
        .collect();
    let cell = |i: usize, text: &str| -> String {
        super::fit::truncate(text, usize::from(widths[i])).into_owned()
    };
    let visible = area.height.saturating_sub(1) as usize;
    // A page on its way, or one that did not come, says so in a line of its own where its
    // rows will be, above the rows drawn or below them: the table draws one row fewer.
    let w = &inbox.window;
    let note = if w.failed {
        Some((tr(lang, "inbox.page_failed"), None))
    } else {
        w.loading
            .as_ref()
            .filter(|(_, f)| f.key == w.key)
            .map(|(_, f)| (tr(lang, "inbox.loading_more"), Some(f.number > w.first)))
    };
    let len = inbox.view.len();
    let room = visible.saturating_sub(usize::from(note.is_some()));
    let mut start = inbox.offset.min(len.saturating_sub(1));
    // The selection stays on screen when the note takes the table's last line.
    if room > 0 && inbox.selected >= start + room {
        start = inbox.selected + 1 - room;
    }
    let end = (start + room).min(len);
    // A page that failed: below, unless the rows drawn are the first held and more follow.
    let note = note.map(|(text, below)| (text, below.unwrap_or(start > 0 || end == len)));
    let mut rows: Vec<Row> = inbox.view[start..end]
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let item = &inbox.items[i];
            let s = &item.summary;
            let (left, left_style) = remaining(lang, theme, item, app.now);
            let mut texts = vec![super::safe(&s.code), super::safe(&s.applicant_name)];
            if wide {
                texts.push(super::safe(&s.procedure_name));
            }
            texts.push(left);
            texts.push(s.status.label(lang).to_owned());
            if wide {
                texts.push(
                    match s.channel {
                        Channel::Online => tr(lang, "channel.online"),
                        Channel::Desk => tr(lang, "channel.desk"),
                    }
                    .to_owned(),
                );
                texts.push(
                    match s.payment_status {
                        PaymentStatus::Paid => tr(lang, "payment.paid"),
                        PaymentStatus::Unpaid => tr(lang, "payment.unpaid"),
                        PaymentStatus::Exempt => tr(lang, "payment.exempt"),
                    }
                    .to_owned(),
                );
            }
            let due_column = if wide { 3 } else { 2 };
            let cells: Vec<Cell> = texts
                .iter()
                .enumerate()
                .map(|(c, text)| {
                    let cell = Cell::from(cell(c, text));
                    if c == due_column {
                        cell.style(left_style)
                    } else {
                        cell
                    }
                })
                .collect();
            let row = Row::new(cells);
            if start + n == inbox.selected {
                row.style(theme.selection)
            } else {
                row
            }
        })
        .collect();
    if note.is_some_and(|(_, below)| !below) {
        rows.insert(0, Row::new(Vec::<Cell>::new()));
    }
    let header: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(c, (key, _))| cell(c, tr(lang, key)))
        .collect();
    // The note's line: the empty first row, or the line after the last row.
    let at = if note.is_some_and(|(_, below)| below) {
        rows.len()
    } else {
        0
    };
    let table = Table::new(rows, widths.iter().map(|w| Constraint::Length(*w)))
        .header(Row::new(header).style(theme.muted.add_modifier(Modifier::BOLD)))
        .column_spacing(COLUMN_GAP);
    frame.render_widget(table, area);
    if let Some((text, _)) = note {
        let line = Rect {
            y: area.y + 1 + at as u16,
            height: 1,
            ..area
        };
        if line.y < area.y + area.height {
            frame.render_widget(Paragraph::new(text).style(theme.muted), line);
        }
    }
}

/// Time left before the due time, as officials say it, coloured: late in red, less than a
/// day in yellow.
pub fn remaining(
    lang: Lang,
    theme: &Theme,
    item: &Item,
    now: DateTime<FixedOffset>,
) -> (String, Style) {
    let Some(due) = item.due else {
        return ("—".to_owned(), theme.muted);
    };
    if !item.summary.status.clock_runs() {
        return (due.format("%d/%m/%Y").to_string(), theme.muted);
    }
    let minutes = (due - now).num_minutes();
    let (amount, late) = (minutes.unsigned_abs(), minutes < 0 || item.summary.overdue);
    let span = if amount >= 24 * 60 {
        format!("{}{}", amount / (24 * 60), tr(lang, "time.days"))
    } else if amount >= 60 {
        format!("{}{}", amount / 60, tr(lang, "time.hours"))
    } else {
        format!("{}{}", amount, tr(lang, "time.minutes"))
    };
    if late {
        (format!("{} {span}", tr(lang, "time.late")), theme.danger)
    } else if minutes < 24 * 60 {
        (format!("{} {span}", tr(lang, "time.left")), theme.warn)
    } else {
        (format!("{} {span}", tr(lang, "time.left")), theme.ok)
    }
}
