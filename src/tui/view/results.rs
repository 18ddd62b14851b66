//! Giving results back (issue 17): the handover and the rating in a dossier's detail,
//! the notices as the citizen got them, and the satisfaction screen turned to the
//! citizen at the counter.

use crate::api::dossiers::Dossier;
use crate::api::results::{NoticeChannel, NoticeStatus, Notification, RatingLevel};
use crate::api::stats::Stats;
use crate::domain::results::ReceiverRelation;
use crate::tui::i18n::{tr, trf};
use crate::tui::state::{App, RatingScreen};
use crate::tui::update::short_time;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

fn section(app: &App, key: &'static str) -> Line<'static> {
    Line::styled(
        tr(app.lang, key).to_owned(),
        app.theme.accent.add_modifier(Modifier::BOLD),
    )
}

/// Who collected the result and what was handed over, and the citizen's rating.
pub fn detail_lines(app: &App, d: &Dossier) -> Vec<Line<'static>> {
    let lang = app.lang;
    let theme = &app.theme;
    let mut lines = Vec::new();
    let label = |key: &'static str| Span::styled(format!("  {}: ", tr(lang, key)), theme.muted);
    if let Some(h) = &d.handover {
        lines.push(Line::raw(""));
        lines.push(section(app, "handover.title"));
        if let Some(r) = &h.receiver {
            let how = match r.relation {
                ReceiverRelation::Myself => tr(lang, "detail.self").to_owned(),
                ReceiverRelation::Authorized => trf(
                    lang,
                    "handover.authorized_by",
                    &[("doc", r.authorization_doc.as_deref().unwrap_or("—"))],
                ),
            };
            lines.push(Line::from(vec![
                label("handover.receiver"),
                Span::raw(format!(
                    "{} — {} {} ({how})",
                    r.full_name,
                    tr(lang, "detail.id"),
                    r.id_number
                )),
            ]));
        }
        if let Some(code) = &h.postal_tracking {
            lines.push(Line::from(vec![
                label("handover.tracking"),
                Span::raw(code.clone()),
            ]));
        }
        if !h.result_documents.is_empty() {
            lines.push(Line::from(vec![
                label("handover.results"),
                Span::raw(h.result_documents.join("; ")),
            ]));
        }
        if !h.originals_returned.is_empty() {
            lines.push(Line::from(vec![
                label("handover.originals"),
                Span::raw(h.originals_returned.join("; ")),
            ]));
        }
    }
    if let Some(r) = &d.rating {
        lines.push(Line::raw(""));
        lines.push(section(app, "rating.section"));
        let style = match r.level {
            RatingLevel::Unsatisfied => theme.danger,
            _ => theme.ok,
        };
        let channel = match r.channel {
            crate::api::dossiers::Channel::Desk => tr(lang, "rating.at_desk"),
            crate::api::dossiers::Channel::Online => tr(lang, "rating.online"),
        };
        lines.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(
                r.level.label(lang).to_owned(),
                style.add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!(" · {channel} · {}", short_time(Some(&r.rated_at))),
                theme.muted,
            ),
        ]));
        if let Some(c) = &r.comment {
            lines.push(Line::styled(format!("  “{c}”"), theme.muted));
        }
    }
    lines
}

/// The notices sent to the citizen, each as the citizen got it: the e-mail with its
/// subject, the SMS as it reads on a phone.
pub fn notice_lines(app: &App, notices: &[Notification], width: usize) -> Vec<Line<'static>> {
    let lang = app.lang;
    let theme = &app.theme;
    let mut lines = vec![Line::raw(""), section(app, "notices.title")];
    if notices.is_empty() {
        lines.push(Line::styled(
            format!("  {}", tr(lang, "notices.none")),
            theme.muted,
        ));
        return lines;
    }
    if notices.iter().any(|n| n.caught) {
        lines.push(Line::styled(
            format!("  {}", tr(lang, "notices.caught")),
            theme.warn,
        ));
    }
    for n in notices {
        let (channel, icon) = match n.channel {
            NoticeChannel::Email => (tr(lang, "notices.email"), "✉"),
            NoticeChannel::Sms => (tr(lang, "notices.sms"), "✆"),
        };
        let (state, style) = match n.status {
            NoticeStatus::Sent => (
                trf(
                    lang,
                    "notices.sent",
                    &[("at", &short_time(n.sent_at.as_deref()))],
                ),
                theme.ok,
            ),
            NoticeStatus::Queued if n.attempts == 0 => {
                (tr(lang, "notices.queued").to_owned(), theme.warn)
            }
            NoticeStatus::Queued | NoticeStatus::Failed => match &n.next_attempt_at {
                Some(at) => (
                    trf(
                        lang,
                        "notices.retry",
                        &[
                            ("n", &n.attempts.to_string()),
                            ("at", &short_time(Some(at))),
                        ],
                    ),
                    theme.warn,
                ),
                None => (
                    trf(lang, "notices.gave_up", &[("n", &n.attempts.to_string())]),
                    theme.danger,
                ),
            },
        };
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled(format!("  {icon} {channel} → {}  ", n.to), theme.accent),
            Span::styled(state, style),
        ]));
        if let Some(e) = &n.last_error
            && n.status != NoticeStatus::Sent
        {
            lines.push(Line::styled(format!("    {e}"), theme.danger));
        }
        if !n.subject.is_empty() {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("    {}: ", tr(lang, "notices.subject")),
                    theme.muted,
                ),
                Span::styled(n.subject.clone(), theme.base.add_modifier(Modifier::BOLD)),
            ]));
        }
        // Wrapped here, so that every row of the message keeps its margin.
        let room = width.saturating_sub(6).max(20);
        for line in n.body.lines() {
            let rows = crate::tui::view::fit::wrap(line, room);
            if rows.is_empty() {
                lines.push(Line::raw("    │"));
            }
            for row in rows {
                lines.push(Line::raw(format!("    │ {row}")));
            }
        }
    }
    lines
}

/// The rows of the statistics pane for the ratings: (label, count) by level.
pub fn stats_ratings(app: &App, stats: &Stats) -> Vec<(String, u64)> {
    let r = &stats.ratings;
    RatingLevel::ALL
        .iter()
        .zip([r.very_satisfied, r.satisfied, r.unsatisfied])
        .map(|(level, n)| {
            (
                trf(app.lang, "stats.rated", &[("level", level.label(app.lang))]),
                n,
            )
        })
        .collect()
}

/// The satisfaction screen: the question in large print, three boxes, the comment.
pub fn rating(app: &App, s: &RatingScreen, frame: &mut Frame, body: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    frame.render_widget(Clear, body);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(Span::styled(
            format!(" {} — {} ", tr(lang, "rating.title"), s.code),
            theme.accent.add_modifier(Modifier::BOLD),
        ))
        .style(theme.base);
    let inner = block.inner(body);
    frame.render_widget(block, body);
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    // The boxes grow with the screen: a citizen reads them across the counter.
    let box_height = (inner.height.saturating_sub(8) / 2).clamp(3, 9);
    let [_, question, _, boxes, _, comment, status, keys] = Layout::vertical([
        // What is left, a third above: the screen's weight sits a little high.
        Constraint::Length(inner.height.saturating_sub(box_height + 10) / 3),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(box_height),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled(
                tr(lang, "rating.question").to_owned(),
                theme.accent.add_modifier(Modifier::BOLD),
            ),
            Line::styled(tr(lang, "rating.once").to_owned(), theme.muted),
        ])
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true }),
        question,
    );
    let columns = Layout::horizontal([
        Constraint::Ratio(1, 3),
        Constraint::Ratio(1, 3),
        Constraint::Ratio(1, 3),
    ])
    .spacing(1)
    .split(boxes);
    for (i, level) in RatingLevel::ALL.iter().enumerate() {
        let chosen = i == s.choice;
        let style = if chosen {
            if s.on_comment {
                theme.accent
            } else {
                theme.selection
            }
        } else {
            theme.muted
        };
        let b = Block::default()
            .borders(Borders::ALL)
            .border_type(if chosen {
                BorderType::Double
            } else {
                BorderType::Plain
            })
            .border_style(style);
        let area = b.inner(columns[i]);
        frame.render_widget(b, columns[i]);
        let mark = if chosen { "▶ " } else { "" };
        let text = format!("{mark}{}", level.label(lang).to_uppercase());
        let pad = area.height.saturating_sub(1) / 2;
        let mut lines: Vec<Line> = (0..pad).map(|_| Line::raw("")).collect();
        lines.push(Line::styled(text, style.add_modifier(Modifier::BOLD)));
        frame.render_widget(
            Paragraph::new(lines)
                .alignment(Alignment::Center)
                .style(if chosen && !s.on_comment {
                    theme.selection
                } else {
                    theme.base
                })
                .wrap(Wrap { trim: true }),
            area,
        );
    }
    let label = format!("{} ", tr(lang, "rating.comment"));
    let width = crate::tui::view::fit::width(&label) as u16;
    let [l, f] =
        Layout::horizontal([Constraint::Length(width), Constraint::Min(10)]).areas(comment);
    frame.render_widget(
        Paragraph::new(Span::styled(
            label,
            if s.on_comment {
                theme.accent
            } else {
                theme.muted
            },
        )),
        l,
    );
    super::field(
        frame,
        f,
        &s.comment,
        s.on_comment && s.pending.is_none(),
        theme.base.add_modifier(Modifier::UNDERLINED),
    );
    let message = match (&s.error, s.pending.is_some()) {
        (Some(e), _) => Paragraph::new(e.as_str()).style(theme.danger),
        (None, true) => Paragraph::new(tr(lang, "busy.act")).style(theme.warn),
        (None, false) => Paragraph::new(tr(lang, "rating.skip_note")).style(theme.muted),
    };
    frame.render_widget(message.wrap(Wrap { trim: true }), status);
    frame.render_widget(
        Paragraph::new(super::shell::key_hints(app, keys.width)).style(theme.muted),
        keys,
    );
}
