//! The exercises screen of training mode, and the line the training banner gives them.

use super::{centered, field};
use crate::training::exercises::{EXERCISES, ExerciseId, Tracker};
use crate::tui::i18n::{tr, trf};
use crate::tui::state::App;
use crate::tui::training::{ActivationField, ExercisesView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

/// The banner's words: where the trainee stands, in one line of at most `width` columns.
/// A narrow screen drops the exercise's title first, then the progress: a cut-off score
/// ("9/9" for 9/90) would mislead.
pub fn banner(app: &App, width: u16) -> String {
    let lang = app.lang;
    let base = tr(lang, "banner.training");
    let Some(t) = &app.exercises else {
        return base.to_owned();
    };
    let current = t.current();
    let progress = |with_title: bool| match current {
        Some(id) => {
            let n = crate::training::exercises::number(id);
            let title = if with_title {
                crate::training::exercises::exercise(id).words(lang).title
            } else {
                ""
            };
            let text = trf(
                lang,
                "training.banner.next",
                &[
                    ("n", &n.to_string()),
                    ("total", &EXERCISES.len().to_string()),
                    ("title", title),
                ],
            );
            text.trim_end_matches([':', ' ']).to_owned()
        }
        None => tr(lang, "training.banner.all_done").to_owned(),
    };
    let line = |with_title: bool| {
        trf(
            lang,
            "training.banner",
            &[
                ("progress", &progress(with_title)),
                ("score", &t.score().to_string()),
                ("max", &Tracker::max_score().to_string()),
            ],
        )
    };
    [line(true), line(false)]
        .into_iter()
        .find(|l| l.width() <= usize::from(width))
        .unwrap_or_else(|| base.to_owned())
}

fn mark(t: &Tracker, id: ExerciseId, steps: usize) -> &'static str {
    if t.is_done(id) {
        "✓"
    } else if (0..steps).any(|s| t.step_done(id, s)) {
        "◐"
    } else {
        "·"
    }
}

/// The rows the selected exercise's task, steps and hint get at least under the list.
const DETAIL_ROWS: u16 = 14;

pub fn render(app: &App, view: &ExercisesView, frame: &mut Frame, body: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let Some(t) = &app.exercises else {
        return;
    };
    let rect = centered(body, 110, 40);
    frame.render_widget(Clear, rect);
    let title = trf(
        lang,
        "training.title",
        &[
            ("done", &t.done_count().to_string()),
            ("total", &EXERCISES.len().to_string()),
            ("score", &t.score().to_string()),
            ("max", &Tracker::max_score().to_string()),
            ("mistakes", &t.mistake_count().to_string()),
        ],
    );
    let keys = super::shell::key_hints(app, rect.width.saturating_sub(2));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.training)
        .title(Span::styled(
            format!(" {title} "),
            theme.accent.add_modifier(Modifier::BOLD),
        ))
        .title_bottom(Span::styled(keys, theme.muted));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    // The whole list when there is room for it and a readable task below (14 rows),
    // parted from the task by a blank row when that fits too (the 15 exercises list
    // whole at 120×35, without it); else only the selected exercise's row, and ↑/↓ walk
    // through them.
    let count = EXERCISES.len() as u16;
    let full_list = inner.height >= count + DETAIL_ROWS;
    let list_rows = if !full_list {
        2
    } else if inner.height > count + DETAIL_ROWS {
        count + 1
    } else {
        count
    };
    let [list, detail] =
        Layout::vertical([Constraint::Length(list_rows), Constraint::Min(1)]).areas(inner);

    let rows: Vec<Line> = EXERCISES
        .iter()
        .enumerate()
        .filter(|(i, _)| full_list || *i == view.selected)
        .map(|(i, e)| {
            let words = e.words(lang);
            let text = format!(
                " {} {}. {}  ({}/{})",
                mark(t, e.id, words.steps.len()),
                i + 1,
                words.title,
                t.points(e.id),
                crate::training::exercises::POINTS
            );
            let style = if i == view.selected {
                theme.selection
            } else if t.is_done(e.id) {
                theme.ok
            } else {
                theme.base
            };
            let mut spans = vec![Span::styled(text, style)];
            if !full_list {
                spans.push(Span::styled(
                    format!("   ↑/↓ {}/{}", i + 1, EXERCISES.len()),
                    theme.muted,
                ));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(rows), list);

    let id = view.exercise();
    let words = crate::training::exercises::exercise(id).words(lang);
    let mut lines = vec![Line::from(Span::styled(
        words.title,
        theme.accent.add_modifier(Modifier::BOLD),
    ))];
    // The quiz comes first: its question and answers must show even on a small screen.
    if id == ExerciseId::Levels {
        quiz_lines(app, t, view, &mut lines);
    }
    lines.push(Line::from(Span::styled(words.task, theme.base)));
    if !words.prepare.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("{} {}", tr(lang, "training.prepare"), words.prepare),
            theme.accent,
        )));
    }
    for (i, step) in words.steps.iter().enumerate() {
        let (tick, style) = if t.step_done(id, i) {
            ("✓", theme.ok)
        } else {
            ("·", theme.muted)
        };
        lines.push(Line::from(Span::styled(format!("  {tick} {step}"), style)));
    }
    if t.saved.hints.contains(&id) {
        lines.push(Line::from(Span::styled(
            format!("{} {}", tr(lang, "training.hint"), words.hint),
            theme.warn,
        )));
    }
    if id == ExerciseId::Account && view.activation.is_none() && !t.is_done(id) {
        lines.push(Line::from(Span::styled(
            tr(lang, "training.activation.offer"),
            theme.muted,
        )));
    }
    // A wrong quiz answer is its own verdict above: not said twice.
    let verdict_shown = matches!(view.verdict, Some((false, _))) && id == ExerciseId::Levels;
    if let Some(last) = t.last_mistake_of(id).filter(|_| !verdict_shown) {
        lines.push(Line::from(Span::styled(
            trf(lang, "training.last_mistake", &[("text", last)]),
            theme.danger,
        )));
    }
    match &view.activation {
        None => frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), detail),
        Some(form) => {
            // The portal's refusal may be long: it gets the rows it needs, three at most.
            let error_rows = form.error.as_deref().map_or(1, |e| {
                super::fit::wrap(e, usize::from(detail.width))
                    .len()
                    .clamp(1, 3)
            }) as u16;
            let [text, fields] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(4 + error_rows)])
                    .areas(detail);
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
            let rows = Layout::vertical([
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(error_rows),
            ])
            .split(fields);
            let label_width = 22;
            let items = [
                (
                    ActivationField::Number,
                    "training.activation.number",
                    &form.number,
                ),
                (
                    ActivationField::Code,
                    "training.activation.code",
                    &form.code,
                ),
                (
                    ActivationField::Password,
                    "training.activation.password",
                    &form.password,
                ),
            ];
            frame.render_widget(
                Paragraph::new(Span::styled(
                    tr(lang, "training.activation.title"),
                    theme.accent.add_modifier(Modifier::BOLD),
                )),
                rows[0],
            );
            for (i, (which, label, input)) in items.into_iter().enumerate() {
                let [l, f] =
                    Layout::horizontal([Constraint::Length(label_width), Constraint::Min(1)])
                        .areas(rows[i + 1]);
                frame.render_widget(Paragraph::new(tr(lang, label)).style(theme.muted), l);
                let focused = form.focus == which && form.pending.is_none();
                let style = if focused { theme.selection } else { theme.base };
                field(frame, f, input, focused, style);
            }
            let (status, style) = match (&form.pending, &form.error) {
                (Some(_), _) => (tr(lang, "training.activation.sending"), theme.muted),
                (None, Some(e)) => (e.as_str(), theme.danger),
                (None, None) => ("", theme.base),
            };
            let status: Vec<Line> = super::fit::lines(
                status,
                usize::from(rows[4].width),
                usize::from(rows[4].height),
            )
            .into_iter()
            .map(|l| Line::from(Span::styled(l, style)))
            .collect();
            frame.render_widget(Paragraph::new(status), rows[4]);
        }
    }
}

fn quiz_lines(app: &App, t: &Tracker, view: &ExercisesView, lines: &mut Vec<Line<'static>>) {
    let theme = &app.theme;
    let lang = app.lang;
    if let Some((verdict_ok, text)) = &view.verdict {
        let style = if *verdict_ok { theme.ok } else { theme.danger };
        lines.push(Line::from(Span::styled(text.clone(), style)));
    }
    match t.question() {
        Some((n, q)) => {
            let (question, answers) = q.text(lang);
            lines.push(Line::from(Span::styled(
                trf(
                    lang,
                    "training.quiz.question",
                    &[
                        ("n", &(n + 1).to_string()),
                        ("total", &crate::training::exercises::QUIZ.len().to_string()),
                        ("text", question),
                    ],
                ),
                theme.accent,
            )));
            for (i, answer) in answers.iter().enumerate() {
                lines.push(Line::from(Span::styled(
                    format!("   {}. {answer}", i + 1),
                    theme.base,
                )));
            }
        }
        None if view.verdict.is_none() => lines.push(Line::from(Span::styled(
            tr(lang, "training.quiz.finished"),
            theme.ok,
        ))),
        None => {}
    }
}
