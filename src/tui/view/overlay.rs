//! What sits over the body: help, the command line, menus, action dialogs, forms, the
//! download prompt.

use super::{centered, field};
use crate::domain::workflow::Input;
use crate::tui::i18n::{lookup, tr, trf};
use crate::tui::state::{ActionDialog, App, HelpPage, Overlay, PayDialog, Printable};
use crate::tui::update::complete;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

pub fn render(app: &App, overlay: &Overlay, frame: &mut Frame, body: Rect) {
    match overlay {
        Overlay::Help(page) => help(app, page, frame, body),
        Overlay::Payment(d) => payment(app, d, frame, body),
        Overlay::CommandLine(input) => command_line(app, input, frame, body),
        Overlay::Actions(menu) => {
            let items: Vec<String> = menu
                .items
                .iter()
                .map(|s| s.label(app.lang).to_owned())
                .collect();
            let title = trf(app.lang, "actions.title", &[("code", &menu.code)]);
            choose(app, frame, body, &title, &items, menu.selected);
        }
        Overlay::Forms(menu) => {
            let items: Vec<String> = menu
                .items
                .iter()
                .map(|f| crate::tui::update::form_title(app, &menu.code, *f))
                .collect();
            choose(
                app,
                frame,
                body,
                tr(app.lang, "forms.title"),
                &items,
                menu.selected,
            );
        }
        Overlay::Attachments(menu) => {
            let items: Vec<String> = menu.items.iter().map(|(_, name)| name.clone()).collect();
            choose(
                app,
                frame,
                body,
                tr(app.lang, "download.choose"),
                &items,
                menu.selected,
            );
        }
        Overlay::DeadLetters(menu) => {
            let items: Vec<String> = menu
                .items
                .iter()
                .map(|d| format!("{} — {}", d.label, d.message))
                .collect();
            choose(
                app,
                frame,
                body,
                tr(app.lang, "outbox.title"),
                &items,
                menu.selected,
            );
        }
        Overlay::Dialog(d) => dialog(app, d, frame, body),
        Overlay::Exercises(view) => super::exercises::render(app, view, frame, body),
        Overlay::Form(view) => {
            let rect = centered(body, 100, body.height);
            frame.render_widget(Clear, rect);
            let name = match view.printable {
                Printable::Form(form) => crate::tui::update::form_title(app, &view.code, form),
                Printable::Slip => tr(app.lang, "slip.title").to_owned(),
            };
            let title = format!(" {name} — {} ", view.code);
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(app.theme.accent)
                .title(Span::styled(
                    title,
                    app.theme.accent.add_modifier(Modifier::BOLD),
                ))
                .title_bottom(Span::styled(super::shell::key_hints(app), app.theme.muted));
            let text = view.text.as_deref().unwrap_or(tr(app.lang, "busy.form"));
            let inner = block.inner(rect);
            frame.render_widget(
                Paragraph::new(text)
                    .style(app.theme.base)
                    .block(block)
                    .scroll((view.scroll, 0)),
                rect,
            );
            if let Some(path) = &view.save_to {
                let row = Rect {
                    y: inner.y + inner.height.saturating_sub(1),
                    height: 1,
                    ..inner
                };
                frame.render_widget(Clear, row);
                let [label, input] =
                    Layout::horizontal([Constraint::Length(14), Constraint::Min(10)]).areas(row);
                frame.render_widget(
                    Paragraph::new(tr(app.lang, "forms.save_to")).style(app.theme.accent),
                    label,
                );
                field(
                    frame,
                    input,
                    path,
                    true,
                    app.theme.base.add_modifier(Modifier::UNDERLINED),
                );
            }
        }
        Overlay::Download(prompt) => {
            let rect = centered(body, 76, 6);
            frame.render_widget(Clear, rect);
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(app.theme.accent)
                .title(Span::styled(
                    format!(
                        " {} ",
                        trf(app.lang, "download.title", &[("file", &prompt.filename)])
                    ),
                    app.theme.accent,
                ));
            let inner = block.inner(rect);
            frame.render_widget(block, rect);
            let [l1, input, keys] = Layout::vertical([
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Min(1),
            ])
            .areas(inner);
            frame.render_widget(
                Paragraph::new(tr(app.lang, "download.path")).style(app.theme.muted),
                l1,
            );
            field(
                frame,
                input,
                &prompt.path,
                true,
                app.theme.base.add_modifier(Modifier::UNDERLINED),
            );
            frame.render_widget(
                Paragraph::new(super::shell::key_hints(app)).style(app.theme.muted),
                keys,
            );
        }
    }
}

/// The fee of an open dossier: cash with a receipt number, or the VietQR code to scan.
fn payment(app: &App, d: &PayDialog, frame: &mut Frame, body: Rect) {
    use crate::tui::intake::PayChoice;
    let theme = &app.theme;
    let lang = app.lang;
    let qr = d
        .payment
        .as_ref()
        .and_then(|p| p.vietqr.as_deref())
        .map(super::intake::qr_rows)
        .unwrap_or_default();
    let height = (7 + qr.len() as u16).min(body.height);
    let width = qr
        .first()
        .map_or(0, |r| r.chars().count() as u16 + 4)
        .max(60)
        .min(body.width);
    let rect = centered(body, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(Span::styled(
            format!(" {} ", trf(lang, "pay.title", &[("code", &d.code)])),
            theme.accent,
        ))
        .style(theme.base);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let amount = crate::domain::fees::format_vnd(d.amount, lang);
    let choice = |c: PayChoice, key: &'static str| {
        let style = if d.choice == c {
            theme.selection
        } else {
            theme.muted
        };
        Span::styled(format!(" {} ", tr(lang, key)), style)
    };
    let [l1, l2, l3, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!("{}: ", tr(lang, "detail.fee")), theme.muted),
            Span::styled(amount, theme.base.add_modifier(Modifier::BOLD)),
        ])),
        l1,
    );
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            choice(PayChoice::Cash, "pay.cash"),
            Span::raw(" "),
            choice(PayChoice::VietQr, "pay.vietqr"),
        ])),
        l2,
    );
    if d.choice == PayChoice::Cash {
        let [label, input] =
            Layout::horizontal([Constraint::Length(18), Constraint::Min(1)]).areas(l3);
        frame.render_widget(
            Paragraph::new(tr(lang, "pay.receipt")).style(theme.muted),
            label,
        );
        field(
            frame,
            input,
            &d.receipt_no,
            d.pending.is_none(),
            theme.base.add_modifier(Modifier::UNDERLINED),
        );
    }
    let mut lines = vec![];
    if let Some(error) = &d.error {
        lines.push(Line::from(Span::styled(error.clone(), theme.danger)));
    } else if d.pending.is_some() {
        lines.push(Line::from(Span::styled(
            tr(lang, "pay.sending"),
            theme.muted,
        )));
    } else if let Some(p) = &d.payment {
        lines.push(Line::from(Span::styled(
            trf(lang, "pay.scan", &[("reference", &p.reference)]),
            theme.muted,
        )));
    }
    let style = ratatui::style::Style::default()
        .fg(ratatui::style::Color::Black)
        .bg(ratatui::style::Color::White);
    lines.extend(qr.into_iter().map(|r| Line::from(Span::styled(r, style))));
    frame.render_widget(Paragraph::new(lines), rest);
}

fn help(app: &App, page: &HelpPage, frame: &mut Frame, body: Rect) {
    let theme = &app.theme;
    let entries: Vec<(String, &str)> = app
        .keymap
        .help(page.context, &page.enabled)
        .into_iter()
        .map(|l| {
            let keys: Vec<String> = l.keys.iter().map(|k| k.to_string()).collect();
            let text = lookup(app.lang, &format!("key.{}", l.name)).unwrap_or(l.name);
            (keys.join(" / "), text)
        })
        .collect();
    // One column when it fits, else two side by side (80×24 must show every key).
    let rows_free = body.height.saturating_sub(2) as usize;
    let columns = if entries.len() <= rows_free { 1 } else { 2 };
    let per_column = entries.len().div_ceil(columns);
    let (width, key_width) = if columns == 1 {
        (76, 22)
    } else {
        (body.width, 17)
    };
    let height = (per_column as u16 + 2).min(body.height);
    let rect = centered(body, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(Span::styled(
            format!(" {} ", tr(app.lang, "help.title")),
            theme.accent.add_modifier(Modifier::BOLD),
        ))
        .title_bottom(Span::styled(tr(app.lang, "help.close"), theme.muted))
        .style(theme.base);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let areas =
        Layout::horizontal(vec![Constraint::Ratio(1, columns as u32); columns]).split(inner);
    for (chunk, area) in entries.chunks(per_column.max(1)).zip(areas.iter()) {
        let lines: Vec<Line> = chunk
            .iter()
            .map(|(keys, text)| {
                Line::from(vec![
                    Span::styled(format!(" {keys:<key_width$} "), theme.accent),
                    Span::raw((*text).to_owned()),
                ])
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), *area);
    }
}

fn command_line(
    app: &App,
    input: &ratatui_textarea::TextArea<'static>,
    frame: &mut Frame,
    body: Rect,
) {
    let theme = &app.theme;
    let text = input.lines().join(" ");
    let options = complete(&text);
    let height = (options.len().min(6) as u16) + 1;
    let rect = Rect {
        x: body.x,
        y: body.y + body.height.saturating_sub(height),
        width: body.width,
        height: height.min(body.height),
    };
    frame.render_widget(Clear, rect);
    let [list, line] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(rect);
    let items: Vec<ListItem> = options
        .iter()
        .take(6)
        .map(|o| ListItem::new(format!("  {o}")).style(theme.muted))
        .collect();
    frame.render_widget(List::new(items), list);
    let [colon, field_area] =
        Layout::horizontal([Constraint::Length(1), Constraint::Min(1)]).areas(line);
    frame.render_widget(Paragraph::new(":").style(theme.accent), colon);
    field(frame, field_area, input, true, theme.base);
}

fn choose(
    app: &App,
    frame: &mut Frame,
    body: Rect,
    title: &str,
    items: &[String],
    selected: usize,
) {
    let theme = &app.theme;
    let width = items
        .iter()
        .map(|i| i.chars().count())
        .max()
        .unwrap_or(10)
        .max(title.chars().count()) as u16
        + 6;
    let rect = centered(body, width.max(36), items.len() as u16 + 3);
    frame.render_widget(Clear, rect);
    let list = List::new(items.iter().map(|i| ListItem::new(format!(" {i}"))))
        .style(theme.base)
        .highlight_style(theme.selection)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.accent)
                .title(Span::styled(
                    format!(" {title} "),
                    theme.accent.add_modifier(Modifier::BOLD),
                ))
                .title_bottom(Span::styled(super::shell::key_hints(app), theme.muted)),
        );
    let mut state = ListState::default().with_selected(Some(selected));
    frame.render_stateful_widget(list, rect, &mut state);
}

fn input_hint(app: &App, input: Input) -> &'static str {
    match input {
        Input::MissingDocuments => tr(app.lang, "dialog.hint_missing"),
        Input::NewDueAt => tr(app.lang, "dialog.hint_date"),
        Input::Amount => tr(app.lang, "dialog.hint_amount"),
        Input::Assignee => tr(app.lang, "dialog.hint_assignee"),
        Input::Verdict | Input::Delivery => tr(app.lang, "dialog.hint_choice"),
        _ => "",
    }
}

fn choice_label(app: &App, wire: &str) -> &'static str {
    use crate::domain::workflow::DeliveryMethod as D;
    match wire {
        "approved" => tr(app.lang, "verdict.approved"),
        "denied" => tr(app.lang, "verdict.denied"),
        "in_person" => D::InPerson.label(app.lang),
        "postal" => D::Postal.label(app.lang),
        _ => D::Online.label(app.lang),
    }
}

fn dialog(app: &App, d: &ActionDialog, frame: &mut Frame, body: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let height = (d.fields.len() as u16) * 3 + 7;
    let rect = centered(body, 78, height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(Span::styled(
            format!(" {} — {} ", d.step.label(lang), d.code),
            theme.accent.add_modifier(Modifier::BOLD),
        ))
        .style(theme.base);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let mut constraints: Vec<Constraint> = d
        .fields
        .iter()
        .flat_map(|_| {
            [
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(1),
            ]
        })
        .collect();
    constraints.extend([Constraint::Min(2), Constraint::Length(1)]);
    let rows = Layout::vertical(constraints).split(inner);
    for (n, f) in d.fields.iter().enumerate() {
        let focused = n == d.focus && !d.confirming && d.pending.is_none();
        let star = if f.required { " (*)" } else { "" };
        let mut label = f.input.label(lang).to_owned();
        if let Some(first) = label.get(..1) {
            label = first.to_uppercase() + &label[1..];
        }
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(
                    format!("{label}{star}"),
                    if focused { theme.accent } else { theme.muted },
                ),
                Span::styled(format!("  {}", input_hint(app, f.input)), theme.muted),
            ])),
            rows[n * 3],
        );
        if f.choices.is_empty() {
            field(
                frame,
                rows[n * 3 + 1],
                &f.text,
                focused,
                theme.base.add_modifier(Modifier::UNDERLINED),
            );
        } else {
            let spans: Vec<Span> = f
                .choices
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let text = format!(" {} ", choice_label(app, c));
                    if i == f.choice {
                        Span::styled(
                            format!("[{text}]"),
                            if focused {
                                theme.selection
                            } else {
                                theme.accent
                            },
                        )
                    } else {
                        Span::styled(format!(" {text} "), theme.muted)
                    }
                })
                .collect();
            frame.render_widget(Paragraph::new(Line::from(spans)), rows[n * 3 + 1]);
        }
    }
    let status_row = rows[d.fields.len() * 3];
    let message = if let Some(err) = &d.error {
        Paragraph::new(err.as_str()).style(theme.danger)
    } else if d.pending.is_some() {
        Paragraph::new(tr(lang, "busy.act")).style(theme.warn)
    } else if d.confirming {
        Paragraph::new(trf(
            lang,
            "dialog.confirm",
            &[("action", d.step.label(lang)), ("code", &d.code)],
        ))
        .style(theme.warn.add_modifier(Modifier::BOLD))
    } else {
        Paragraph::new("")
    };
    frame.render_widget(message.wrap(Wrap { trim: true }), status_row);
    let keys = super::shell::key_hints(app);
    frame.render_widget(
        Paragraph::new(keys).style(theme.muted),
        rows[d.fields.len() * 3 + 1],
    );
}
