//! The statistics pane: the office's dossiers per queue on the left; on the right the
//! indices of Decision 766/QĐ-TTg for the period (the month to date), each with a
//! sparkline of the last months, and a bar chart of the chosen index month by month.
//! ↑/↓ choose the index the chart shows; `c` shows counts (numerator / denominator)
//! instead of rates. Between the indices and the chart, the certifications of today and
//! of this month by kind with the fees taken, each with its last months when there is
//! room.

use crate::api::stats::{CertificationCounts, Indices, MonthIndices, Ratio, Stats};
use crate::domain::Lang;
use crate::domain::status::Queue;
use crate::tui::i18n::{tr, trf};
use crate::tui::state::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Borders, Paragraph, Row, Sparkline, Table};
use unicode_width::UnicodeWidthStr;

/// An index on the pane: the key of its label, and where it is in [`Indices`].
type IndexRow = (&'static str, fn(&Indices) -> Ratio);

/// The indices in the pane's order: digitization first (the one desks are scored on and
/// report behind), then the others of the decision.
pub const INDICES: [IndexRow; 5] = [
    ("stats.index.digitization", |i| i.digitization),
    ("stats.index.on_time", |i| i.on_time),
    ("stats.index.online_submission", |i| i.online_submission),
    ("stats.index.online_payment", |i| i.online_payment),
    ("stats.index.satisfaction", |i| i.satisfaction),
];

/// The counts' box: the longest queue label (26) and its number, with borders.
const COUNTS_WIDTH: u16 = 36;
/// An index row: the mark, the label, the value and the sparkline's months.
const LABEL: u16 = 18;
const VALUE: u16 = 9;
/// The chart's bars at most this high: taller says no more.
const CHART_ROWS: u16 = 14;
/// The certifications' block: its heading, the three kinds, the fees.
const CERT_ROWS: u16 = 5;
/// Below this many rows inside the box the chart keeps the blank line above it.
const ROOMY: u16 = 24;
/// A certification row's sparkline is drawn only with at least this many months' room.
const CERT_SPARK_MIN: u16 = 4;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let Some(stats) = &app.inbox.stats else {
        frame.render_widget(
            Paragraph::new(tr(lang, "busy.other")).style(theme.muted),
            area,
        );
        return;
    };
    // Wide screens give the counts room to breathe; 80 columns keep both boxes whole.
    let counts_width = if area.width >= 120 { 44 } else { COUNTS_WIDTH };
    let [counts_area, indices_area] =
        Layout::horizontal([Constraint::Length(counts_width), Constraint::Min(0)]).areas(area);
    counts(app, stats, frame, counts_area);
    indices(app, stats, frame, indices_area);
}

/// The dossiers per queue, the returned ones by punctuality, the ratings by level.
fn counts(app: &App, stats: &Stats, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
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
    rows.push(Row::new(vec![String::new(), String::new()]));
    rows.extend(
        super::results::stats_ratings(app, stats)
            .into_iter()
            .map(|(label, n)| Row::new(vec![label, n.to_string()])),
    );
    let at = crate::tui::update::short_time(Some(&stats.at));
    // The office's name gives way to the time on a narrow screen.
    let full = format!(" {} — {at} ", tr(lang, "stats.title"));
    let title = if full.width() + 2 <= area.width as usize {
        full
    } else {
        format!(" {at} ")
    };
    frame.render_widget(
        Table::new(rows, [Constraint::Min(20), Constraint::Length(7)]).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border)
                .title(Line::from(Span::styled(title, theme.accent))),
        ),
        area,
    );
}

/// A rate as text, or the counts behind it.
fn value_text(r: Ratio, counts: bool, lang: Lang) -> String {
    if counts {
        format!("{}/{}", r.numerator, r.denominator)
    } else {
        crate::tui::documents::percent_text(r.numerator, r.denominator, lang)
    }
}

/// A rate in whole per cent for a chart, `None` where nothing was counted.
fn percent(r: Ratio) -> Option<u64> {
    crate::domain::documents::percent(r.numerator, r.denominator).map(|p| p.round() as u64)
}

/// The period's indices with their sparklines, the documents reused, and the chosen
/// index's chart.
fn indices(app: &App, stats: &Stats, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let view = app.stats_view;
    let period = format!(
        "{} – {}",
        super::documents::dmy(Some(&stats.period.from)),
        super::documents::dmy(Some(&stats.period.to))
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::from(Span::styled(
            format!(" {} {period} ", tr(lang, "stats.indices")),
            theme.accent,
        )));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    // On a short screen the chart keeps the line that would part the certifications from
    // the documents reused: their heading parts them.
    let gap = u16::from(inner.height >= ROOMY);
    let [rows_area, reuse_area, _, cert_area, _, chart_area] = Layout::vertical([
        Constraint::Length(INDICES.len() as u16),
        Constraint::Length(2),
        Constraint::Length(gap),
        Constraint::Length(CERT_ROWS),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    let rows = Layout::vertical([Constraint::Length(1); INDICES.len()]).split(rows_area);
    for (n, ((key, pick), row)) in INDICES.iter().zip(rows.iter()).enumerate() {
        let chosen = n == view.index;
        let style = if chosen { theme.selection } else { theme.base };
        let [label_area, value_area, _, spark_area] = Layout::horizontal([
            Constraint::Length(LABEL + 1),
            Constraint::Length(VALUE),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(*row);
        let mark = if chosen { "▸" } else { " " };
        frame.render_widget(
            Paragraph::new(format!("{mark}{}", tr(lang, key))).style(style),
            label_area,
        );
        frame.render_widget(
            Paragraph::new(value_text(pick(&stats.indices), view.counts, lang))
                .alignment(ratatui::layout::Alignment::Right)
                .style(style.add_modifier(Modifier::BOLD)),
            value_area,
        );
        // One column a month, the latest on the right; a month with nothing counted
        // is left blank rather than drawn as 0 %.
        let series: Vec<Option<u64>> = stats
            .months
            .iter()
            .map(|m| percent(pick(&m.indices)))
            .collect();
        let take = series.len().min(spark_area.width as usize);
        frame.render_widget(
            Sparkline::default()
                .data(series[series.len() - take..].to_vec())
                .max(100)
                .absent_value_symbol(" ")
                .style(theme.accent),
            spark_area,
        );
    }
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(format!(
                " {}: {}",
                tr(lang, "stats.reused_documents"),
                stats.reuse.documents
            )),
            Line::from(format!(
                " {}: {}",
                tr(lang, "stats.reused_dossiers"),
                stats.reuse.dossiers
            )),
        ])
        .style(theme.base),
        reuse_area,
    );
    certifications(app, stats, frame, cert_area);
    chart(app, stats, frame, chart_area);
}

/// Where a certification row's number is in [`CertificationCounts`].
type CertRow = (&'static str, fn(&CertificationCounts) -> u64);

/// The kinds in the order of the books (DOMAIN.md), then the fees.
const CERT_KINDS: [CertRow; 3] = [
    ("stats.cert.copy", |c| c.copy),
    ("stats.cert.signature", |c| c.signature),
    ("stats.cert.contract", |c| c.contract),
];
const CERT_FEES: CertRow = ("stats.cert.fees", |c| c.fees);

/// Certifications entered today and this month by kind, and the fees taken (in đồng, as
/// money is written everywhere else); to their right, with room, each row's last months.
/// This month is the last of `months` (the current one to date), else the period.
fn certifications(app: &App, stats: &Stats, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let day = &stats.certifications_day;
    let month = stats
        .months
        .last()
        .map_or(&stats.certifications, |m| &m.certifications);
    let fees = |n: u64| crate::domain::fees::format_vnd(n, lang);
    let mut rows: Vec<(CertRow, String, String)> = CERT_KINDS
        .iter()
        .map(|&(key, pick)| ((key, pick), pick(day).to_string(), pick(month).to_string()))
        .collect();
    rows.push((CERT_FEES, fees(day.fees), fees(month.fees)));

    let title = format!(" {}", tr(lang, "stats.cert.title"));
    let today = tr(lang, "stats.cert.today");
    let this_month = tr(lang, "stats.cert.month");
    let width = |s: &str| s.width() as u16;
    let label_w = rows
        .iter()
        .map(|((key, _), _, _)| width(tr(lang, key)) + 1)
        .chain([width(&title)])
        .max()
        .unwrap_or(0);
    let day_w = rows
        .iter()
        .map(|(_, d, _)| width(d))
        .chain([width(today)])
        .max()
        .unwrap_or(0);
    let month_w = rows
        .iter()
        .map(|(_, _, m)| width(m))
        .chain([width(this_month)])
        .max()
        .unwrap_or(0);
    // Two spaces before each number, one when that is all there is; the label gives way
    // first on a narrow box, and the months take what is left, after the same space.
    let numbers = label_w + day_w + month_w;
    let pad = if numbers + 4 <= area.width { 2 } else { 1 };
    let rest = area.width.saturating_sub(numbers + 2 * pad);
    let spark_w = rest.saturating_sub(pad);
    let columns = |area: Rect| {
        Layout::horizontal([
            Constraint::Min(0),
            Constraint::Length(day_w + pad),
            Constraint::Length(month_w + pad),
            Constraint::Length(rest - spark_w),
            Constraint::Length(spark_w),
        ])
        .areas::<5>(area)
    };
    let lines = Layout::vertical([Constraint::Length(1); CERT_ROWS as usize]).split(area);
    let right = |text: String, style| {
        Paragraph::new(text)
            .alignment(ratatui::layout::Alignment::Right)
            .style(style)
    };

    let [label, day_area, month_area, _, spark_area] = columns(lines[0]);
    let spark = stats.months.len().min(spark_area.width as usize);
    let sparks = spark_area.width >= CERT_SPARK_MIN && spark > 0;
    frame.render_widget(Paragraph::new(title).style(theme.accent), label);
    frame.render_widget(right(today.to_owned(), theme.muted), day_area);
    frame.render_widget(right(this_month.to_owned(), theme.muted), month_area);
    if sparks {
        let months = trf(lang, "stats.cert.months", &[("months", &spark.to_string())]);
        frame.render_widget(Paragraph::new(months).style(theme.muted), spark_area);
    }
    // Each row on its own scale: a trend to read, not sizes to compare (copies outnumber
    // contracts many times over, which would flatten them).
    let months = &stats.months[stats.months.len() - spark..];
    for (((key, pick), d, m), line) in rows.into_iter().zip(lines.iter().skip(1)) {
        let [label, day_area, month_area, _, spark_area] = columns(*line);
        frame.render_widget(
            Paragraph::new(format!(" {}", tr(lang, key))).style(theme.base),
            label,
        );
        let bold = theme.base.add_modifier(Modifier::BOLD);
        frame.render_widget(right(d, bold), day_area);
        frame.render_widget(right(m, bold), month_area);
        if sparks {
            let series: Vec<u64> = months.iter().map(|m| pick(&m.certifications)).collect();
            let max = series.iter().copied().max().unwrap_or(0);
            frame.render_widget(
                Sparkline::default()
                    .data(series)
                    .max(max.max(1))
                    .style(theme.accent),
                spark_area,
            );
        }
    }
}

/// The chosen index month by month: one bar a month, its rate (or, with counts, the
/// number that met it) on the bar, the month under it.
fn chart(app: &App, stats: &Stats, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let view = app.stats_view;
    if area.height < 4 || stats.months.is_empty() {
        return;
    }
    let (key, pick) = INDICES[view.index.min(INDICES.len() - 1)];
    let bars_height = area.height.saturating_sub(1).min(CHART_ROWS + 1);
    let [title_area, bars_area, _] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(bars_height),
        Constraint::Min(0),
    ])
    .areas(area);
    let title = trf(
        lang,
        if view.counts {
            "stats.chart_counts"
        } else {
            "stats.chart_rates"
        },
        &[
            ("index", tr(lang, key)),
            ("months", &stats.months.len().to_string()),
        ],
    );
    frame.render_widget(
        Paragraph::new(format!(" {title}")).style(theme.accent),
        title_area,
    );
    // As many months as fit, the latest kept; bars as wide as the room allows.
    let gap = 1u16;
    let fit = ((bars_area.width + gap) / 3) as usize;
    let months: &[MonthIndices] = &stats.months[stats.months.len().saturating_sub(fit)..];
    let count = months.len().max(1) as u16;
    let width = ((bars_area.width + gap) / count)
        .saturating_sub(gap)
        .clamp(2, 7);
    // A number goes on a bar only when the bar fills its bottom row: it is written
    // over the bar.
    let rows = u64::from(bars_area.height.saturating_sub(1)).max(1);
    let bars: Vec<Bar> = months
        .iter()
        .map(|m| {
            let r = pick(&m.indices);
            let label = month_label(&m.month, width);
            let bar = Bar::default().label(Line::from(label));
            match percent(r) {
                None => bar.value(0).text_value(String::new()),
                Some(p) if p * rows < 100 => bar.value(p).text_value(String::new()),
                Some(p) if view.counts => bar.value(p).text_value(r.numerator.to_string()),
                Some(p) if width >= 4 => bar.value(p).text_value(format!("{p}%")),
                Some(p) => bar.value(p).text_value(p.to_string()),
            }
        })
        .collect();
    frame.render_widget(
        BarChart::new(bars)
            .max(100)
            .bar_width(width)
            .bar_gap(gap)
            .bar_style(theme.accent)
            .value_style(theme.accent.add_modifier(Modifier::REVERSED))
            .label_style(theme.muted),
        bars_area,
    );
}

/// "11" under a narrow bar, "11/26" under a wide one.
fn month_label(month: &str, width: u16) -> String {
    let (year, mm) = month.split_once('-').unwrap_or(("", month));
    if width >= 5 && year.len() == 4 {
        format!("{mm}/{}", &year[2..])
    } else {
        mm.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_labels_fit_their_bars() {
        assert_eq!(month_label("2026-11", 2), "11");
        assert_eq!(month_label("2026-11", 5), "11/26");
        assert_eq!(month_label("bad", 6), "bad");
    }

    #[test]
    fn a_month_with_nothing_counted_has_no_rate() {
        assert_eq!(percent(Ratio::default()), None);
        let r = Ratio {
            numerator: 2,
            denominator: 3,
        };
        assert_eq!(percent(r), Some(67));
        assert_eq!(value_text(r, true, Lang::Vi), "2/3");
        assert_eq!(value_text(r, false, Lang::Vi), "66,7 %");
    }
}
