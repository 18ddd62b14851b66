//! The citizens pane: search and results, a citizen's record with their dossiers, the
//! account form.

use super::intake::{citizen_form, date_vn, labelled};
use crate::tui::i18n::{tr, trf};
use crate::tui::keymap::{Command, Context};
use crate::tui::state::App;
use crate::tui::update::short_time;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let pane = &app.citizens;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" {} ", tr(lang, "citizens.title")),
            theme.accent.add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(form) = &pane.form {
        let [title, rest] =
            Layout::vertical([Constraint::Length(2), Constraint::Min(3)]).areas(inner);
        frame.render_widget(
            Paragraph::new(tr(lang, "citizen.new"))
                .style(theme.accent.add_modifier(Modifier::BOLD)),
            title,
        );
        citizen_form(app, form, frame, rest);
        return;
    }
    if let (Some(prompt), Some(detail)) = (&pane.reset, &pane.detail) {
        let [title, keys, number, born, error, _] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(3),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(3),
            Constraint::Min(0),
        ])
        .areas(inner);
        frame.render_widget(
            Paragraph::new(format!(
                "{} — {}",
                tr(lang, "citizen.reset_title"),
                detail.citizen.full_name
            ))
            .style(theme.accent.add_modifier(Modifier::BOLD)),
            title,
        );
        frame.render_widget(
            Paragraph::new(tr(lang, "citizen.reset_keys"))
                .style(theme.muted)
                .wrap(Wrap { trim: true }),
            keys,
        );
        labelled(
            app,
            frame,
            number,
            tr(lang, "citizen.id_number"),
            true,
            &prompt.id_number,
            prompt.focus == 0,
        );
        labelled(
            app,
            frame,
            born,
            tr(lang, "citizen.date_of_birth"),
            true,
            &prompt.date_of_birth,
            prompt.focus == 1,
        );
        if let Some(problem) = &prompt.error {
            frame.render_widget(
                Paragraph::new(problem.clone())
                    .style(theme.danger)
                    .wrap(Wrap { trim: true }),
                error,
            );
        }
        return;
    }
    if let Some(detail) = &pane.detail {
        let c = &detail.citizen;
        let mut lines = Vec::new();
        if let Some(note) = &pane.note {
            lines.push(Line::from(Span::styled(note.clone(), theme.warn)));
        }
        lines.push(Line::from(Span::styled(
            c.full_name.clone(),
            theme.accent.add_modifier(Modifier::BOLD),
        )));
        let row = |k: &'static str, v: String| {
            Line::from(vec![
                Span::styled(format!("{:<23} ", tr(lang, k)), theme.muted),
                Span::raw(v),
            ])
        };
        lines.push(row("citizen.id_number", c.id_number.clone()));
        lines.push(row(
            "citizen.date_of_birth",
            format!("{}  ·  {}", date_vn(&c.date_of_birth), c.gender.label(lang)),
        ));
        lines.push(row("citizen.phone", c.phone.clone()));
        lines.push(row(
            "citizen.email",
            c.email.clone().unwrap_or_else(|| "—".into()),
        ));
        lines.push(row("citizen.address", c.address.clone()));
        lines.push(row(
            "citizen.account",
            tr(
                lang,
                if c.activated {
                    "citizen.activated"
                } else {
                    "citizen.not_activated"
                },
            )
            .to_owned(),
        ));
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            trf(
                lang,
                "citizen.dossiers",
                &[("n", &detail.dossiers.len().to_string())],
            ),
            theme.muted,
        )));
        for (i, d) in detail.dossiers.iter().enumerate() {
            let style = if i == pane.dossier_selected {
                theme.selection
            } else {
                theme.base
            };
            lines.push(Line::from(Span::styled(
                format!(
                    "  {}  {}  {}  {}",
                    d.code,
                    d.procedure_code,
                    d.status.label(lang),
                    short_time(d.due_at.as_deref())
                ),
                style,
            )));
        }
        // The citizen's store (issue 16): digitized papers and results, expired marked.
        match pane.store.as_ref().filter(|(id, _)| *id == c.id) {
            Some((_, docs)) => {
                lines.push(Line::from(Span::styled(
                    trf(lang, "store.title", &[("n", &docs.len().to_string())]),
                    theme.muted,
                )));
                for d in docs {
                    lines.push(super::documents::store_line(lang, theme, d));
                }
            }
            None => lines.push(Line::from(Span::styled(
                tr(lang, "store.loading"),
                theme.muted,
            ))),
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            super::shell::key_hints(app, inner.width),
            theme.muted,
        )));
        super::safe_lines(&mut lines);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    let [search, help, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Min(1),
    ])
    .areas(inner);
    let [l, t] = Layout::horizontal([
        Constraint::Length(24.min(search.width / 3)),
        Constraint::Min(4),
    ])
    .spacing(1)
    .areas(search);
    frame.render_widget(
        Paragraph::new(tr(lang, "citizens.search")).style(theme.accent),
        l,
    );
    super::field(
        frame,
        t,
        &pane.query,
        app.overlay.is_none(),
        theme.base.add_modifier(Modifier::UNDERLINED),
    );
    frame.render_widget(
        Paragraph::new(trf(
            lang,
            "citizens.keys",
            &[
                (
                    "lookup",
                    &app.keymap.key_of(Context::Citizens, Command::Lookup),
                ),
                (
                    "new",
                    &app.keymap.key_of(Context::Citizens, Command::NewCitizen),
                ),
            ],
        ))
        .style(theme.muted)
        .wrap(Wrap { trim: true }),
        help,
    );
    if pane.searched.is_some() && pane.results.is_empty() && pane.pending.is_none() {
        frame.render_widget(
            Paragraph::new(tr(lang, "citizens.none")).style(theme.muted),
            list,
        );
        return;
    }
    let height = list.height as usize;
    let first = pane.selected.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line> = pane
        .results
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(i, c)| {
            let style = if i == pane.selected {
                theme.selection
            } else {
                theme.base
            };
            Line::from(Span::styled(
                format!(
                    "{}  {:<24}  {}  {}  {}",
                    c.id_number,
                    c.full_name,
                    date_vn(&c.date_of_birth),
                    c.phone,
                    c.address
                ),
                style,
            ))
        })
        .collect();
    let mut lines = lines;
    super::safe_lines(&mut lines);
    frame.render_widget(Paragraph::new(lines), list);
}
