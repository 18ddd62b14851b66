//! What sits over the body: help, the command line, menus, action dialogs, forms, the
//! download prompt.

use super::{centered, field, wrapped_lines};
use crate::domain::workflow::Input;
use crate::tui::i18n::{lookup, tr, trf};
use crate::tui::keymap::{Command, Context};
use crate::tui::state::{
    ActionDialog, App, DialogField, HelpPage, LeavePrompt, Leaving, Overlay, PayDialog, Printable,
};
use crate::tui::update::complete;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

pub fn render(app: &App, overlay: &Overlay, frame: &mut Frame, body: Rect) {
    match overlay {
        Overlay::Help(page) => help(app, page, frame, body),
        Overlay::Leave(prompt) => {
            // What it covers stays in sight beneath it.
            if let Some(under) = &prompt.under {
                render(app, under, frame, body);
            }
            leave(app, prompt, frame, body);
        }
        Overlay::Payment(d) => payment(app, d, frame, body),
        Overlay::Digitize(form) => super::documents::render(app, form, frame, body),
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
        Overlay::Viewer(v) => super::viewer::render(app, v, frame, body),
        Overlay::OpenAttachment(menu) => {
            let items: Vec<String> = menu
                .items
                .iter()
                .map(|a| super::safe(&a.filename))
                .collect();
            choose(
                app,
                frame,
                body,
                tr(app.lang, "open.choose"),
                &items,
                menu.selected,
            );
        }
        Overlay::DeadLetters(menu) => {
            let items: Vec<String> = menu
                .items
                .iter()
                .map(|d| {
                    let mut line = format!("{} — {}", d.label, d.message);
                    if d.renumber {
                        line.push_str(tr(app.lang, "outbox.renumber"));
                    }
                    line
                })
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
        Overlay::Rating(s) => super::results::rating(app, s, frame, body),
        Overlay::Exercises(view) => super::exercises::render(app, view, frame, body),
        Overlay::Form(view) => {
            let rect = centered(body, 100, body.height);
            frame.render_widget(Clear, rect);
            let title = match view.printable {
                Printable::Form(form) => format!(
                    " {} — {} ",
                    crate::tui::update::form_title(app, &view.code, form),
                    view.code
                ),
                Printable::Slip => format!(" {} — {} ", tr(app.lang, "slip.title"), view.code),
                // An entry's id means nothing to the desk: its book and number do.
                Printable::Certificate { kind, year, number } => format!(
                    " {} — {} ",
                    tr(app.lang, "certify.text_title"),
                    crate::tui::i18n::trf(
                        app.lang,
                        "certify.book_number",
                        &[
                            ("book", &crate::domain::certification::book(kind, year)),
                            ("number", &number.to_string()),
                        ],
                    )
                ),
            };
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(app.theme.accent)
                .title(Span::styled(
                    title,
                    app.theme.accent.add_modifier(Modifier::BOLD),
                ))
                .title_bottom(Span::styled(
                    super::shell::key_hints(app, rect.width.saturating_sub(2)),
                    app.theme.muted,
                ));
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
                Paragraph::new(super::shell::key_hints(app, keys.width)).style(app.theme.muted),
                keys,
            );
        }
    }
}

/// Before quitting or logging out with something left behind: what, and the keys.
fn leave(app: &App, prompt: &LeavePrompt, frame: &mut Frame, body: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let width = body.width.min(72);
    let text_width = width.saturating_sub(4);
    let reasons: Vec<String> = prompt.reasons.iter().map(|r| format!("• {r}")).collect();
    let keys = trf(
        lang,
        "leave.keys",
        &[
            ("leave", &app.keymap.key_of(Context::Leave, Command::Leave)),
            ("stay", &app.keymap.key_of(Context::Leave, Command::Stay)),
        ],
    );
    let rows: u16 = reasons
        .iter()
        .map(|r| wrapped_lines(r, text_width))
        .sum::<u16>()
        + 1
        + wrapped_lines(&keys, text_width);
    let rect = centered(body, width, rows + 2);
    let title = match prompt.leaving {
        Leaving::Quit => tr(lang, "leave.title_quit"),
        Leaving::Logout => tr(lang, "leave.title_logout"),
    };
    let inner = framed(app, frame, rect, title, theme.warn);
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    let mut lines: Vec<Line> = reasons.into_iter().map(Line::from).collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(keys, theme.muted)));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

/// The fee of an open dossier: cash with a receipt number, or the VietQR code to scan,
/// where [`super::vietqr::dialog_layout`] puts it (the box gives way when the screen is
/// short, so the code is drawn whole at 80×24).
fn payment(app: &App, d: &PayDialog, frame: &mut Frame, body: Rect) {
    use super::vietqr::Place;
    use crate::tui::intake::PayChoice;
    let theme = &app.theme;
    let lang = app.lang;
    let layout = super::vietqr::dialog_layout(d, body);
    let rect = layout.rect;
    frame.render_widget(Clear, rect);
    let title = trf(lang, "pay.title", &[("code", &d.code)]);
    let place = layout.code.as_ref().map(|(_, place)| *place);
    let mut text_area = match place {
        Some(Place::Framed { text, .. } | Place::Bare { text, .. }) => text,
        _ => rect,
    };
    if layout.boxed {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.accent)
            .title(Span::styled(
                format!(
                    " {} ",
                    super::fit::truncate(&title, usize::from(rect.width.saturating_sub(4)))
                ),
                theme.accent,
            ))
            .style(theme.base);
        if !matches!(place, Some(Place::Framed { .. })) {
            text_area = block.inner(rect);
        }
        frame.render_widget(block, rect);
    } else {
        frame.render_widget(Block::default().style(theme.base), rect);
        let [head, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(text_area);
        frame.render_widget(
            Paragraph::new(super::fit::truncate(&title, usize::from(head.width)).into_owned())
                .style(theme.accent.add_modifier(Modifier::BOLD)),
            head,
        );
        text_area = rest;
    }
    let amount = crate::domain::fees::format_vnd(d.amount, lang);
    let choice = |c: PayChoice, key: &'static str| {
        let style = if d.choice == c {
            theme.selection
        } else {
            theme.muted
        };
        Span::styled(format!(" {} ", tr(lang, key)), style)
    };
    let cash = d.choice == PayChoice::Cash;
    let [l1, l2, l3, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(u16::from(cash)),
        Constraint::Min(0),
    ])
    .areas(text_area);
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
    if cash {
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
    if let Some(Place::TooSmall { rows }) = place {
        lines.push(Line::from(Span::styled(
            trf(lang, "intake.qr_too_small", &[("rows", &rows.to_string())]),
            theme.warn,
        )));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), rest);
    if let Some((code, place)) = &layout.code
        && let Some(at) = place.code()
    {
        super::vietqr::draw(frame, code, at);
    }
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
                let keys = format!(" {keys:<key_width$} ");
                // Two columns at 80: a description too long for its half ends at a word.
                let room = usize::from(area.width).saturating_sub(super::fit::width(&keys));
                Line::from(vec![
                    Span::styled(keys, theme.accent),
                    Span::raw(super::fit::truncate(text, room).into_owned()),
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
        .map(|i| super::fit::width(i))
        .max()
        .unwrap_or(10)
        .max(super::fit::width(title)) as u16
        + 6;
    let rect = centered(body, width.max(36), items.len() as u16 + 3);
    frame.render_widget(Clear, rect);
    // An item wider than the box is shortened at a word, not cut inside one.
    let room = usize::from(rect.width.saturating_sub(3));
    let list = List::new(
        items
            .iter()
            .map(|i| ListItem::new(format!(" {}", super::fit::truncate(i, room)))),
    )
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
            .title_bottom(Span::styled(
                super::shell::key_hints(app, rect.width.saturating_sub(2)),
                theme.muted,
            )),
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
        Input::Verdict | Input::Delivery | Input::ReceiverRelation => {
            tr(app.lang, "dialog.hint_choice")
        }
        Input::ReceiverName | Input::ReceiverIdNumber => tr(app.lang, "handover.hint_scan"),
        Input::ResultDocuments | Input::OriginalsReturned => tr(app.lang, "handover.hint_list"),
        Input::AuthorizationDoc => tr(app.lang, "handover.hint_authorization"),
        Input::PostalTracking => tr(app.lang, "handover.hint_tracking"),
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
        "self" => tr(app.lang, "handover.self"),
        "authorized" => tr(app.lang, "detail.authorized"),
        _ => D::Online.label(app.lang),
    }
}

/// A choice field's options on one row: the chosen one in brackets (the selection's
/// colour while the field has the focus), the others muted in its place's spaces. `pad`
/// goes on both sides of each label inside that place: a roomy dialog breathes, a
/// compact one does not.
fn choice_spans(app: &App, f: &DialogField, focused: bool, pad: &str) -> Vec<Span<'static>> {
    let theme = &app.theme;
    f.choices
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let text = format!("{pad}{}{pad}", choice_label(app, c));
            if i == f.choice {
                let style = if focused {
                    theme.selection
                } else {
                    theme.accent
                };
                Span::styled(format!("[{text}]"), style)
            } else {
                Span::styled(format!(" {text} "), theme.muted)
            }
        })
        .collect()
}

/// A field's label as the dialog shows it: capitalised.
fn field_label(app: &App, input: Input) -> String {
    let label = input.label(app.lang);
    let mut chars = label.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Before sending: every field read back whole, the list of missing documents one per
/// line, numbered — the one-line field shows only the part of a long list around its
/// caret, and the list goes to the citizen in one go ("một lần đầy đủ").
fn read_back(app: &App, d: &ActionDialog) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut lines = Vec::new();
    for f in &d.fields {
        if !crate::tui::update::applies(d, f.input) {
            continue;
        }
        let label = field_label(app, f.input);
        let text = crate::tui::state::field_text(&f.text).trim().to_owned();
        if !f.choices.is_empty() {
            let chosen = f.choices.get(f.choice).copied().unwrap_or_default();
            lines.push(Line::from(vec![
                Span::styled(format!("{label}: "), theme.muted),
                Span::raw(choice_label(app, chosen).to_owned()),
            ]));
        } else if f.input == Input::MissingDocuments {
            let docs: Vec<&str> = text
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            lines.push(Line::from(Span::styled(
                format!("{label} ({}):", docs.len()),
                theme.muted,
            )));
            for (n, doc) in docs.iter().enumerate() {
                lines.push(Line::from(format!("  {}. {}", n + 1, super::safe(doc))));
            }
        } else if !text.is_empty() {
            lines.push(Line::from(vec![
                Span::styled(format!("{label}: "), theme.muted),
                Span::raw(super::safe(&text)),
            ]));
        }
    }
    lines
}

fn dialog(app: &App, d: &ActionDialog, frame: &mut Frame, body: Rect) {
    if d.confirming && !d.fields.is_empty() {
        return confirm_dialog(app, d, frame, body);
    }
    // Many fields (a return's handover) on a small screen: one row each.
    if d.fields.len() as u16 * 3 + 7 > body.height {
        return compact_dialog(app, d, frame, body);
    }
    let theme = &app.theme;
    let lang = app.lang;
    let height = (d.fields.len() as u16) * 3 + 7;
    let rect = centered(body, 78, height);
    let inner = framed(
        app,
        frame,
        rect,
        &format!("{} — {}", d.step.label(lang), d.code),
        theme.accent,
    );
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
        let label = field_label(app, f.input);
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
            let spans = choice_spans(app, f, focused, " ");
            frame.render_widget(Paragraph::new(Line::from(spans)), rows[n * 3 + 1]);
        }
    }
    let status_row = rows[d.fields.len() * 3];
    let message = if let Some(err) = &d.error {
        // The portal's words in the rows there are, "…" at a word when they need more.
        let rows = super::fit::lines(
            err,
            usize::from(status_row.width),
            usize::from(status_row.height),
        );
        Paragraph::new(rows.into_iter().map(Line::from).collect::<Vec<_>>()).style(theme.danger)
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
    let keys_row = rows[d.fields.len() * 3 + 1];
    let keys = super::shell::key_hints(app, keys_row.width);
    frame.render_widget(Paragraph::new(keys).style(theme.muted), keys_row);
}

/// A dialog with a row per field, the labels in a column: for the return's handover,
/// which asks more than a small screen holds three rows each. Fields that do not apply
/// to the choices made (a receiver for a postal return) are left out.
fn compact_dialog(app: &App, d: &ActionDialog, frame: &mut Frame, body: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let shown: Vec<usize> = (0..d.fields.len())
        .filter(|i| crate::tui::update::applies(d, d.fields[*i].input))
        .collect();
    let labels: Vec<String> = shown
        .iter()
        .map(|i| {
            let f = &d.fields[*i];
            let star = if crate::tui::update::required(d, f) {
                " (*)"
            } else {
                ""
            };
            format!("{}{star}", field_label(app, f.input))
        })
        .collect();
    let label_width = labels
        .iter()
        .map(|l| super::fit::width(l))
        .max()
        .unwrap_or(0)
        .min(30) as u16
        + 2;
    let height = shown.len() as u16 + 2 + 3 + 2;
    let rect = centered(body, 78, height);
    let inner = framed(
        app,
        frame,
        rect,
        &format!("{} — {}", d.step.label(lang), d.code),
        theme.accent,
    );
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    let mut constraints: Vec<Constraint> = shown.iter().map(|_| Constraint::Length(1)).collect();
    constraints.extend([
        Constraint::Length(1),
        Constraint::Min(2),
        Constraint::Length(1),
    ]);
    let rows = Layout::vertical(constraints).split(inner);
    for (row, (i, label)) in shown.iter().zip(&labels).enumerate() {
        let f = &d.fields[*i];
        let focused = *i == d.focus && !d.confirming && d.pending.is_none();
        let [l, v] = Layout::horizontal([Constraint::Length(label_width), Constraint::Min(4)])
            .areas(rows[row]);
        frame.render_widget(
            Paragraph::new(Span::styled(
                super::fit::truncate(label, usize::from(label_width) - 1).into_owned(),
                if focused { theme.accent } else { theme.muted },
            )),
            l,
        );
        if f.choices.is_empty() {
            field(
                frame,
                v,
                &f.text,
                focused,
                theme.base.add_modifier(Modifier::UNDERLINED),
            );
        } else {
            let line = Line::from(choice_spans(app, f, focused, ""));
            // Too wide for the row (the delivery methods at 80 columns): the chosen one
            // alone, between the arrows that change it.
            let line = if line.width() > usize::from(v.width) {
                let chosen = f.choices.get(f.choice).copied().unwrap_or_default();
                Line::from(Span::styled(
                    format!(
                        "‹ {} › {}/{}",
                        choice_label(app, chosen),
                        f.choice + 1,
                        f.choices.len()
                    ),
                    if focused {
                        theme.selection
                    } else {
                        theme.accent
                    },
                ))
            } else {
                line
            };
            frame.render_widget(Paragraph::new(line), v);
        }
    }
    let status_row = rows[shown.len() + 1];
    let message = if let Some(err) = &d.error {
        let lines = super::fit::lines(
            err,
            usize::from(status_row.width),
            usize::from(status_row.height),
        );
        Paragraph::new(lines.into_iter().map(Line::from).collect::<Vec<_>>()).style(theme.danger)
    } else if d.pending.is_some() {
        Paragraph::new(tr(lang, "busy.act")).style(theme.warn)
    } else {
        // The focused field's hint, where the tall dialog shows it beside the label.
        let hint = d
            .fields
            .get(d.focus)
            .map(|f| input_hint(app, f.input))
            .unwrap_or("");
        Paragraph::new(hint).style(theme.muted)
    };
    frame.render_widget(message.wrap(Wrap { trim: true }), status_row);
    let keys_row = rows[shown.len() + 2];
    let keys = super::shell::key_hints(app, keys_row.width);
    frame.render_widget(Paragraph::new(keys).style(theme.muted), keys_row);
}

/// The confirmation of an action with inputs: what will be sent, read back, then the
/// question. Sized to what it reads back (within the screen).
fn confirm_dialog(app: &App, d: &ActionDialog, frame: &mut Frame, body: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let width = body.width.min(78);
    let text_width = width.saturating_sub(4);
    let lines = read_back(app, d);
    let question = trf(
        lang,
        "dialog.confirm",
        &[("action", d.step.label(lang)), ("code", &d.code)],
    );
    let status = match (&d.error, d.pending.is_some()) {
        (Some(err), _) => Paragraph::new(err.as_str()).style(theme.danger),
        (None, true) => Paragraph::new(tr(lang, "busy.act")).style(theme.warn),
        (None, false) => {
            Paragraph::new(question.clone()).style(theme.warn.add_modifier(Modifier::BOLD))
        }
    };
    let status_rows = wrapped_lines(&question, text_width).max(2);
    let text_rows: u16 = lines
        .iter()
        .map(|l| wrapped_lines(&l.to_string(), text_width))
        .sum();
    let height = text_rows + 1 + status_rows + 1 + 2;
    let rect = centered(body, width, height);
    let inner = framed(
        app,
        frame,
        rect,
        &format!("{} — {}", d.step.label(lang), d.code),
        theme.accent,
    );
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    let [text, _, status_row, keys] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(status_rows),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
    frame.render_widget(status.wrap(Wrap { trim: true }), status_row);
    frame.render_widget(
        Paragraph::new(super::shell::key_hints(app, keys.width)).style(theme.muted),
        keys,
    );
}

/// A box drawn over whatever is under it: cleared, bordered and titled in `tone` (the
/// title bold), its inside in the theme's base style. Answers the inside.
fn framed(app: &App, frame: &mut Frame, rect: Rect, title: &str, tone: Style) -> Rect {
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(tone)
        .title(Span::styled(
            format!(" {title} "),
            tone.add_modifier(Modifier::BOLD),
        ))
        .style(app.theme.base);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}
