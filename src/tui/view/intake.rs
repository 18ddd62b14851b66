//! The intake wizard on screen: the steps across the top, the current step's body, the
//! problem that keeps it from going on, and at the end the code in large type, the due
//! date and the VietQR code.

use super::field;
use crate::domain::fees::format_vnd;
use crate::domain::identity::Gender;
use crate::tui::i18n::{tr, trf};
use crate::tui::intake::{
    ApplicantRow, CitizenField, CitizenForm, PayChoice, PresentedCheck, ReviewRow, WizardStep,
};
use crate::tui::keymap::{Command, Context};
use crate::tui::state::{App, field_text};
use crate::tui::update::{
    chosen_case, chosen_procedure, delivery_choices, highlighted, human_size, picker_rows,
    short_time,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let done_place = if app.draft_offer.is_none() {
        done_layout(app, area)
    } else {
        None
    };
    // Too little room for the VietQR code inside the frame: the frame gives way.
    if let Some((code, place @ super::vietqr::Place::Bare { .. })) = &done_place {
        done(app, frame, area, Some((code, *place)));
        return;
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" {} ", tr(app.lang, "intake.title")),
            theme.accent.add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(draft) = &app.draft_offer {
        let when = short_time(Some(&draft.saved_at));
        let text = vec![
            Line::from(Span::styled(
                trf(
                    app.lang,
                    "intake.offer",
                    &[
                        ("time", &when),
                        ("step", tr(app.lang, draft.step.label_key())),
                    ],
                ),
                theme.accent.add_modifier(Modifier::BOLD),
            )),
            Line::from(""),
            Line::from(Span::styled(
                super::shell::key_hints(app, inner.width),
                theme.muted,
            )),
        ];
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), inner);
        return;
    }
    let w = &app.intake;
    let [steps, problem, body] = framed_areas(app, inner);
    frame.render_widget(Paragraph::new(step_line(app)), steps);
    if let Some(error) = &w.error {
        let lines: Vec<Line> = super::fit::lines(
            error,
            usize::from(problem.width),
            usize::from(problem.height),
        )
        .into_iter()
        .map(Line::from)
        .collect();
        frame.render_widget(Paragraph::new(lines).style(theme.danger), problem);
    }
    match w.step {
        WizardStep::Procedure => procedure(app, frame, body),
        WizardStep::Applicant => applicant(app, frame, body),
        WizardStep::Documents => documents(app, frame, body),
        WizardStep::Delivery => delivery(app, frame, body),
        WizardStep::Review => review(app, frame, body),
        WizardStep::Done => done(
            app,
            frame,
            body,
            done_place.as_ref().map(|(code, place)| (code, *place)),
        ),
    }
}

/// Inside the intake's frame: the steps line, the problem that holds the step back, the
/// step's body.
fn framed_areas(app: &App, inner: Rect) -> [Rect; 3] {
    // The problem takes the rows its words need (a long path wraps), four at most.
    let problem = app.intake.error.as_deref().map_or(0, |e| {
        super::fit::wrap(e, usize::from(inner.width))
            .len()
            .min(PROBLEM_ROWS) as u16
    });
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(problem),
        Constraint::Min(3),
    ])
    .areas(inner)
}

/// The most rows the problem under the steps takes.
const PROBLEM_ROWS: usize = 4;

/// Where the done screen puts its VietQR code in the intake's `pane` (the body under the
/// tabs), when it has one to show: what `render` draws and `update` asks about.
pub(super) fn done_layout(
    app: &App,
    pane: Rect,
) -> Option<(super::vietqr::Code, super::vietqr::Place)> {
    super::vietqr::done_payload(app)?;
    let inner = Block::default().borders(Borders::ALL).inner(pane);
    let [_, _, body] = framed_areas(app, inner);
    super::vietqr::done_place(app, pane, body, |width| {
        done_lines(app, width)
            .iter()
            .map(|l| {
                let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                super::fit::wrap(&text, usize::from(width)).len() as u16
            })
            .sum()
    })
}

fn step_line(app: &App) -> Line<'static> {
    let theme = &app.theme;
    let mut spans = Vec::new();
    for (i, step) in WizardStep::WALK.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" › ", theme.muted));
        }
        let style = if *step == app.intake.step {
            theme.selection.add_modifier(Modifier::BOLD)
        } else {
            theme.muted
        };
        spans.push(Span::styled(
            format!("{} {}", i + 1, tr(app.lang, step.label_key())),
            style,
        ));
    }
    Line::from(spans)
}

/// The label column of a form: room for the longest label with its `(*)`, but never
/// more than two fifths of the row.
pub(super) fn label_width(area: Rect) -> u16 {
    32.min(area.width * 2 / 5)
}

/// A labelled one-line field; `(*)` marks a required one.
pub(super) fn labelled(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    label: &str,
    required: bool,
    text: &ratatui_textarea::TextArea<'static>,
    focused: bool,
) {
    let width = label_width(area);
    labelled_in(app, frame, area, width, label, required, text, focused);
}

/// [`labelled`] with the labels' column `width` wide.
#[allow(clippy::too_many_arguments)]
pub(super) fn labelled_in(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    width: u16,
    label: &str,
    required: bool,
    text: &ratatui_textarea::TextArea<'static>,
    focused: bool,
) {
    let theme = &app.theme;
    let [l, t] = Layout::horizontal([Constraint::Length(width), Constraint::Min(4)])
        .spacing(1)
        .areas(area);
    let star = if required { " (*)" } else { "" };
    let style = if focused { theme.accent } else { theme.muted };
    frame.render_widget(Paragraph::new(format!("{label}{star}")).style(style), l);
    field(
        frame,
        t,
        text,
        focused && app.overlay.is_none(),
        theme.base.add_modifier(Modifier::UNDERLINED),
    );
}

/// A citizen of another office: the date of birth on their card, to confirm (Enter), or
/// as confirmed.
fn presented(app: &App, check: &PresentedCheck, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let [field_row, note] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    labelled(
        app,
        frame,
        field_row,
        tr(lang, "intake.presented"),
        true,
        &check.date_of_birth,
        !check.confirmed,
    );
    let text = if check.confirmed {
        let born = check
            .date()
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default();
        trf(
            lang,
            "intake.presented_card",
            &[("number", &check.id_number), ("born", &born)],
        )
    } else {
        tr(lang, "intake.need_dob").to_owned()
    };
    let style = if check.confirmed {
        theme.ok
    } else {
        theme.muted
    };
    frame.render_widget(
        Paragraph::new(text).style(style).wrap(Wrap { trim: true }),
        note,
    );
}

// ---------------------------------------------------------------------------------------

fn procedure(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let w = &app.intake;
    let [search, filters, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(2),
    ])
    .areas(area);
    labelled(
        app,
        frame,
        search,
        tr(lang, "intake.search_procedure"),
        false,
        &w.query,
        w.choosing_case.is_none(),
    );
    let field_name = w
        .field_filter
        .clone()
        .unwrap_or_else(|| tr(lang, "intake.all").to_owned());
    let level = match w.level_filter {
        None => tr(lang, "intake.all").to_owned(),
        Some(l) => format!("{} {}", tr(lang, "intake.level"), l.old_level()),
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!("{}: ", tr(lang, "intake.field")), theme.muted),
            Span::styled(field_name, theme.base),
            Span::styled(" (Ctrl-F)   ", theme.muted),
            Span::styled(format!("{}: ", tr(lang, "intake.level")), theme.muted),
            Span::styled(level, theme.base),
            Span::styled(" (Ctrl-L)", theme.muted),
        ])),
        filters,
    );
    let wide = rest.width >= 120;
    let [list_area, detail_area] = if wide {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .spacing(2)
            .areas(rest)
    } else {
        Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(rest)
    };
    let rows = picker_rows(app);
    if app.catalog.is_empty() {
        frame.render_widget(
            Paragraph::new(tr(lang, "busy.catalog")).style(theme.muted),
            list_area,
        );
    } else if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(tr(lang, "intake.no_procedure_match")).style(theme.muted),
            list_area,
        );
    } else {
        let height = list_area.height as usize;
        let first = w.selected.saturating_sub(height.saturating_sub(1));
        let lines: Vec<Line> = rows
            .iter()
            .enumerate()
            .skip(first)
            .take(height)
            .map(|(n, &i)| {
                let p = &app.catalog[i];
                let style = if n == w.selected {
                    theme.selection
                } else {
                    theme.base
                };
                // The name gives way to the level, at a word: "[4]" always shows.
                let level = format!("  [{}]", p.online_level.old_level());
                let room =
                    usize::from(list_area.width).saturating_sub(10 + super::fit::width(&level));
                Line::from(Span::styled(
                    format!(
                        "{:<9} {}{level}",
                        p.code,
                        super::fit::truncate(&p.name, room)
                    ),
                    style,
                ))
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), list_area);
    }
    // The highlighted procedure: durations, fee, documents (or its cases to choose).
    let Some(summary) = highlighted(app) else {
        return;
    };
    let mut lines = vec![Line::from(Span::styled(
        summary.name.clone(),
        theme.accent.add_modifier(Modifier::BOLD),
    ))];
    lines.push(Line::from(vec![
        Span::styled(format!("{}: ", tr(lang, "intake.duration")), theme.muted),
        Span::raw(summary.desk_duration.describe(lang)),
        Span::styled(format!("   {}: ", tr(lang, "detail.fee")), theme.muted),
        Span::raw(summary.fee.clone()),
    ]));
    match app.procedures.get(&summary.code) {
        None => lines.push(Line::from(Span::styled(
            tr(lang, "busy.catalog"),
            theme.muted,
        ))),
        Some(p) => {
            if let Some(at) = w.choosing_case {
                lines.push(Line::from(Span::styled(
                    tr(lang, "intake.choose_case"),
                    theme.accent,
                )));
                for (i, case) in p.cases.iter().enumerate() {
                    let style = if i == at { theme.selection } else { theme.base };
                    lines.push(Line::from(Span::styled(
                        format!(
                            " {} — {}, {}",
                            case.name,
                            case.desk_duration.describe(lang),
                            case.fees.desk.describe(lang)
                        ),
                        style,
                    )));
                }
            } else if let Some(case) = p.cases.first() {
                if p.cases.len() > 1 {
                    lines.push(Line::from(Span::styled(
                        trf(lang, "intake.cases", &[("n", &p.cases.len().to_string())]),
                        theme.muted,
                    )));
                }
                lines.push(Line::from(Span::styled(
                    tr(lang, "detail.documents"),
                    theme.muted,
                )));
                for part in &case.documents {
                    lines.push(Line::from(format!(
                        " • {}{}",
                        part.name,
                        if part.mandatory { " (*)" } else { "" }
                    )));
                }
            }
        }
    }
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::TOP)
                .border_style(theme.border),
        ),
        detail_area,
    );
}

// ---------------------------------------------------------------------------------------

fn applicant(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let w = &app.intake;
    if let Some(form) = &w.new_citizen {
        let [title, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
        frame.render_widget(
            Paragraph::new(tr(lang, "citizen.new"))
                .style(theme.accent.add_modifier(Modifier::BOLD)),
            title,
        );
        citizen_form(app, form, frame, rest);
        return;
    }
    let mut constraints = vec![Constraint::Length(1)];
    let shown_matches = w.matches.len().min(6) as u16;
    constraints.push(Constraint::Length(shown_matches));
    constraints.push(Constraint::Length(if w.applicant.is_some() {
        4
    } else if w.presented.is_some() {
        3
    } else {
        1
    }));
    constraints.push(Constraint::Length(1));
    if w.authorized {
        constraints.extend([Constraint::Length(1); 3]);
    }
    constraints.push(Constraint::Min(0));
    let areas = Layout::vertical(constraints).split(area);
    let row = w.applicant_row;
    labelled(
        app,
        frame,
        areas[0],
        tr(lang, "intake.lookup"),
        true,
        &w.lookup,
        row == ApplicantRow::Lookup,
    );
    let first = w.match_selected.saturating_sub(5);
    let lines: Vec<Line> = w
        .matches
        .iter()
        .enumerate()
        .skip(first)
        .take(6)
        .map(|(i, c)| {
            let style = if i == w.match_selected {
                theme.selection
            } else {
                theme.base
            };
            Line::from(Span::styled(
                format!(
                    "  {}  {}  {}  {}",
                    c.id_number,
                    c.full_name,
                    date_vn(&c.date_of_birth),
                    c.phone
                ),
                style,
            ))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), areas[1]);
    if w.applicant.is_none()
        && let Some(check) = &w.presented
    {
        presented(app, check, frame, areas[2]);
    }
    let card = match &w.applicant {
        None if w.presented.is_some() => vec![],
        None => vec![Line::from(Span::styled(
            trf(
                lang,
                "intake.lookup_hint",
                &[(
                    "lookup",
                    &app.keymap.key_of(Context::Applicant, Command::Lookup),
                )],
            ),
            theme.muted,
        ))],
        Some(c) => {
            let mut lines = vec![
                Line::from(vec![
                    Span::styled(format!("{}: ", tr(lang, "detail.applicant")), theme.muted),
                    Span::styled(c.full_name.clone(), theme.ok.add_modifier(Modifier::BOLD)),
                    Span::raw(format!(
                        "  {} {}  {}",
                        tr(lang, "detail.born"),
                        date_vn(&c.date_of_birth),
                        c.gender.label(lang)
                    )),
                ]),
                Line::from(format!(
                    "  {} {}  ·  {} {}",
                    tr(lang, "detail.id"),
                    c.id_number,
                    tr(lang, "detail.phone"),
                    c.phone
                )),
                Line::from(format!("  {}", c.address)),
            ];
            lines.extend(activation_line(app));
            lines
        }
    };
    frame.render_widget(Paragraph::new(card), areas[2]);
    let focused = row == ApplicantRow::Relation;
    let mark = |on: bool| if on { "(•)" } else { "( )" };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(
                format!("{}: ", tr(lang, "detail.submitter")),
                if focused { theme.accent } else { theme.muted },
            ),
            Span::styled(
                format!(
                    "{} {}   {} {}",
                    mark(!w.authorized),
                    tr(lang, "detail.self"),
                    mark(w.authorized),
                    tr(lang, "detail.authorized")
                ),
                if focused { theme.selection } else { theme.base },
            ),
            Span::styled(
                if focused {
                    format!("  {}", tr(lang, "dialog.hint_choice"))
                } else {
                    String::new()
                },
                theme.muted,
            ),
        ])),
        areas[3],
    );
    if w.authorized {
        let rows = [
            (
                ApplicantRow::SubmitterName,
                "intake.submitter_name",
                true,
                &w.submitter_name,
            ),
            (
                ApplicantRow::SubmitterId,
                "intake.submitter_id",
                false,
                &w.submitter_id,
            ),
            (
                ApplicantRow::Authorization,
                "intake.authorization",
                true,
                &w.authorization,
            ),
        ];
        for (i, (r, label, required, text)) in rows.into_iter().enumerate() {
            labelled(
                app,
                frame,
                areas[4 + i],
                tr(lang, label),
                required,
                text,
                row == r,
            );
        }
    }
}

/// The account made in this intake: its one-time code (while this run holds it) and expiry.
fn activation_line(app: &App) -> Option<Line<'static>> {
    let a = app.intake.activation.as_ref()?;
    Some(Line::from(Span::styled(
        trf(
            app.lang,
            "intake.activation",
            &[
                ("code", a.code.as_deref().unwrap_or("—")),
                ("expires", &short_time(Some(&a.expires_at))),
            ],
        ),
        app.theme.accent,
    )))
}

/// `YYYY-MM-DD` as officials read it: `dd/mm/yyyy`.
pub fn date_vn(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| iso.to_owned())
}

/// The citizen form, with each field's problem beside it as typed.
pub fn citizen_form(app: &App, form: &CitizenForm, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let today = app.now.date_naive();
    let mut constraints: Vec<Constraint> = CitizenField::ALL
        .iter()
        .map(|_| Constraint::Length(1))
        .collect();
    constraints.push(Constraint::Length(2));
    constraints.push(Constraint::Min(0));
    let areas = Layout::vertical(constraints).split(area);
    let wide = area.width >= 110;
    for (i, f) in CitizenField::ALL.iter().enumerate() {
        let focused = form.focus == i;
        let problem = form.problem(*f, lang, today);
        let [left, right] = if wide {
            Layout::horizontal([Constraint::Length(70), Constraint::Min(10)]).areas(areas[i])
        } else {
            [areas[i], Rect::default()]
        };
        if *f == CitizenField::Gender {
            let label = format!("{} (*)", tr(lang, f.label_key()));
            let [l, t] =
                Layout::horizontal([Constraint::Length(label_width(left)), Constraint::Min(4)])
                    .spacing(1)
                    .areas(left);
            frame.render_widget(
                Paragraph::new(label).style(if focused { theme.accent } else { theme.muted }),
                l,
            );
            let mark = |g: Gender| {
                if form.gender == Some(g) {
                    "(•)"
                } else {
                    "( )"
                }
            };
            frame.render_widget(
                Paragraph::new(format!(
                    "{} {}   {} {}{}",
                    mark(Gender::Male),
                    Gender::Male.label(lang),
                    mark(Gender::Female),
                    Gender::Female.label(lang),
                    if focused {
                        format!("  {}", tr(lang, "dialog.hint_choice"))
                    } else {
                        String::new()
                    }
                ))
                .style(if focused { theme.selection } else { theme.base }),
                t,
            );
        } else {
            let label = tr(lang, f.label_key()).to_owned();
            labelled(
                app,
                frame,
                left,
                &label,
                f.required(),
                &form.texts[i],
                focused,
            );
        }
        if let Some(p) = problem {
            if wide {
                frame.render_widget(Paragraph::new(format!(" ✗ {p}")).style(theme.danger), right);
            }
            if focused {
                frame.render_widget(
                    Paragraph::new(format!("✗ {p}"))
                        .style(theme.danger)
                        .wrap(Wrap { trim: true }),
                    areas[CitizenField::ALL.len() + 1],
                );
            } else if !wide {
                // The message shows when the field has the cursor; here, a mark.
                let mark = Rect {
                    x: left.x + left.width.saturating_sub(2),
                    width: 2.min(left.width),
                    ..left
                };
                frame.render_widget(Paragraph::new(" ✗").style(theme.danger), mark);
            }
        }
    }
    let at = areas[CitizenField::ALL.len()];
    let (text, style) = if form.pending.is_some() {
        (tr(lang, "busy.citizens").to_owned(), theme.warn)
    } else if let Some(e) = &form.error {
        (e.clone(), theme.danger)
    } else {
        (super::shell::key_hints(app, at.width), theme.muted)
    };
    // Two rows; a longer message ends in "…" at a word rather than inside one.
    let lines: Vec<Line> = super::fit::lines(&text, usize::from(at.width), usize::from(at.height))
        .into_iter()
        .map(|l| Line::from(Span::styled(l, style)))
        .collect();
    frame.render_widget(Paragraph::new(lines), at);
}

// ---------------------------------------------------------------------------------------

fn documents(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let w = &app.intake;
    let case = chosen_case(app);
    let [list, prompt] = Layout::vertical([
        Constraint::Min(2),
        Constraint::Length(if w.attach.is_some() { 2 } else { 1 }),
    ])
    .areas(area);
    let mut lines = Vec::new();
    for (i, d) in w.docs.iter().enumerate() {
        let part = case.and_then(|c| c.documents.iter().find(|p| p.id == d.part_id));
        let name = part.map(|p| p.name.as_str()).unwrap_or(d.part_id.as_str());
        let mandatory = part.is_some_and(|p| p.mandatory);
        let style = if i == w.doc_selected {
            theme.selection
        } else {
            theme.base
        };
        let mark = if d.present() { "[✓]" } else { "[ ]" };
        let star = if mandatory { " (*)" } else { "" };
        // A long name is shortened, never its required mark.
        let room = (list.width as usize).saturating_sub(4 + star.len());
        let name: String = if name.chars().count() > room {
            name.chars()
                .take(room.saturating_sub(1))
                .chain(['…'])
                .collect()
        } else {
            name.to_owned()
        };
        lines.push(Line::from(Span::styled(
            format!("{mark} {name}{star}"),
            style,
        )));
        // The applicant's store first: a valid stored document spares the paper.
        if let Some(reuse) = &d.reuse {
            lines.push(Line::styled(
                format!(
                    "      ↻ {} {}",
                    tr(lang, "store.reused"),
                    super::documents::describe(
                        lang,
                        &reuse.doc_type,
                        reuse.number.as_deref(),
                        None,
                        reuse.valid_until.as_deref()
                    )
                ),
                theme.ok,
            ));
        } else if let Some(offer) = crate::tui::update::shown_offer(app, i) {
            let key = app.keymap.key_of(
                crate::tui::keymap::Context::Documents,
                crate::tui::keymap::Command::Reuse,
            );
            lines.push(Line::styled(
                format!(
                    "      {}",
                    trf(
                        lang,
                        "store.offer",
                        &[
                            (
                                "doc",
                                &super::documents::describe(
                                    lang,
                                    &offer.doc_type,
                                    offer.number.as_deref(),
                                    None,
                                    offer.valid_until.as_deref()
                                )
                            ),
                            ("key", &key)
                        ]
                    )
                ),
                theme.accent,
            ));
        }
        let mut detail = Vec::new();
        if d.on_paper {
            detail.push(Span::styled(
                format!("      {}", tr(lang, "detail.on_paper")),
                theme.ok,
            ));
        }
        if let Some(meta) = d.meta.as_ref().filter(|_| d.reuse.is_none()) {
            detail.push(Span::styled(
                format!("  ✎ {}", tr(lang, "digitize.marked")),
                theme.ok,
            ));
            if !meta.number.trim().is_empty() {
                detail.push(Span::raw(format!(" {}", meta.number.trim())));
            }
        }
        if let Some(f) = &d.file {
            let file = std::path::Path::new(&f.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| f.path.clone());
            let state = match (&f.upload_id, &f.error) {
                (_, Some(e)) => {
                    let retry = f
                        .retry_in
                        .map(|n| {
                            format!(
                                " — {}",
                                trf(lang, "intake.retry_in", &[("n", &n.to_string())])
                            )
                        })
                        .unwrap_or_default();
                    Span::styled(format!("  ✗ {e}{retry}"), theme.danger)
                }
                (Some(_), None) => Span::styled(
                    format!(
                        "  ✓ {} {}",
                        f.content_type.as_deref().unwrap_or(""),
                        tr(lang, "intake.uploaded")
                    ),
                    theme.ok,
                ),
                (None, None) => Span::styled(
                    format!(
                        "  {} {}%",
                        tr(lang, "intake.uploading_short"),
                        (f.sent * 100).checked_div(f.size).unwrap_or(0)
                    ),
                    theme.warn,
                ),
            };
            detail.push(Span::raw(format!(
                "      {} {file} ({})",
                tr(lang, "detail.file"),
                human_size(f.size)
            )));
            detail.push(state);
        }
        if !detail.is_empty() {
            lines.push(Line::from(detail));
        }
    }
    let selected_line = lines
        .iter()
        .position(|l| l.spans.first().is_some_and(|s| s.style == theme.selection))
        .unwrap_or(0);
    let scroll = selected_line.saturating_sub(list.height.saturating_sub(2) as usize) as u16;
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), list);
    match &w.attach {
        Some(path) => {
            let [input, hint] =
                Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(prompt);
            labelled(
                app,
                frame,
                input,
                tr(lang, "intake.file_path"),
                true,
                path,
                true,
            );
            frame.render_widget(
                Paragraph::new(super::shell::key_hints(app, hint.width)).style(theme.muted),
                hint,
            );
        }
        None => frame.render_widget(
            Paragraph::new(super::shell::key_hints(app, prompt.width)).style(theme.muted),
            prompt,
        ),
    }
}

// ---------------------------------------------------------------------------------------

fn delivery(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let w = &app.intake;
    let choices = delivery_choices(app);
    let mut constraints: Vec<Constraint> = choices.iter().map(|_| Constraint::Length(1)).collect();
    constraints.extend([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ]);
    let areas = Layout::vertical(constraints).split(area);
    for (i, method) in choices.iter().enumerate() {
        let on = *method == w.delivery;
        frame.render_widget(
            Paragraph::new(format!(
                "{} {}",
                if on { "(•)" } else { "( )" },
                method.label(lang)
            ))
            .style(if on && !w.on_address {
                theme.selection
            } else {
                theme.base
            }),
            areas[i],
        );
    }
    if w.delivery == crate::domain::workflow::DeliveryMethod::Postal {
        labelled(
            app,
            frame,
            areas[choices.len() + 1],
            tr(lang, "intake.address"),
            true,
            &w.address,
            w.on_address,
        );
    }
}

// ---------------------------------------------------------------------------------------

fn review(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let w = &app.intake;
    let case = chosen_case(app);
    let procedure = chosen_procedure(app);
    let fee = w.fee(case);
    let rows = w.review_rows(case);
    let [summary, inputs, foot] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(rows.len() as u16),
        Constraint::Length(1),
    ])
    .areas(area);
    let label = |k: &'static str| Span::styled(format!("{}: ", tr(lang, k)), theme.muted);
    let mut lines = vec![Line::from(vec![
        label("detail.procedure"),
        Span::raw(
            procedure
                .map(|p| format!("{} {}", p.code, p.name))
                .unwrap_or_default(),
        ),
    ])];
    if let Some(case) = case {
        lines.push(Line::from(vec![
            label("detail.case"),
            Span::raw(case.name.clone()),
            Span::styled(format!("   {}: ", tr(lang, "intake.duration")), theme.muted),
            Span::raw(case.desk_duration.describe(lang)),
        ]));
    }
    if let Some(c) = &w.applicant {
        lines.push(Line::from(vec![
            label("detail.applicant"),
            Span::raw(format!("{} ({})", c.full_name, c.id_number)),
        ]));
    } else if let Some(p) = &w.presented {
        let born = p
            .date()
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default();
        lines.push(Line::from(vec![
            label("detail.applicant"),
            Span::raw(format!(
                "{} ({} {born})",
                p.id_number,
                tr(lang, "detail.born")
            )),
        ]));
    }
    lines.push(Line::from(vec![
        label("detail.submitter"),
        Span::raw(if w.authorized {
            format!(
                "{} — {} ({})",
                field_text(&w.submitter_name).trim(),
                tr(lang, "detail.authorized"),
                field_text(&w.authorization).trim()
            )
        } else {
            // In person: the applicant, named (the relation alone reads as if no one was).
            match &w.applicant {
                Some(c) => format!("{} ({})", c.full_name, tr(lang, "detail.self")),
                None => tr(lang, "detail.self").to_owned(),
            }
        }),
    ]));
    let paper = w.docs.iter().filter(|d| d.on_paper).count();
    let files = w
        .docs
        .iter()
        .filter(|d| d.file.as_ref().is_some_and(|f| f.upload_id.is_some()))
        .count();
    lines.push(Line::from(vec![
        label("detail.documents"),
        Span::raw(trf(
            lang,
            "intake.docs_summary",
            &[("paper", &paper.to_string()), ("files", &files.to_string())],
        )),
    ]));
    let mut delivery = w.delivery.label(lang).to_owned();
    if w.delivery == crate::domain::workflow::DeliveryMethod::Postal {
        delivery.push_str(&format!(" — {}", field_text(&w.address).trim()));
    }
    lines.push(Line::from(vec![
        label("detail.delivery"),
        Span::raw(delivery),
    ]));
    lines.push(Line::from(vec![
        label("detail.fee"),
        Span::styled(
            if fee == 0 {
                tr(lang, "intake.free").to_owned()
            } else {
                format_vnd(fee, lang)
            },
            theme.accent.add_modifier(Modifier::BOLD),
        ),
    ]));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), summary);
    let areas = Layout::vertical(rows.iter().map(|_| Constraint::Length(1))).split(inputs);
    for (i, row) in rows.iter().enumerate() {
        let focused = *row == w.review_row;
        match row {
            ReviewRow::Pages => labelled(
                app,
                frame,
                areas[i],
                tr(lang, "intake.pages"),
                true,
                &w.pages,
                focused,
            ),
            ReviewRow::Copies => labelled(
                app,
                frame,
                areas[i],
                tr(lang, "intake.copies"),
                false,
                &w.copies,
                focused,
            ),
            ReviewRow::Receipt => labelled(
                app,
                frame,
                areas[i],
                tr(lang, "intake.receipt_no"),
                true,
                &w.receipt_no,
                focused,
            ),
            ReviewRow::Payment => {
                let mut spans = vec![Span::styled(
                    format!("{}: ", tr(lang, "intake.payment")),
                    if focused { theme.accent } else { theme.muted },
                )];
                for p in PayChoice::ALL {
                    spans.push(Span::styled(
                        format!(
                            "{} {}  ",
                            if p == w.pay { "(•)" } else { "( )" },
                            tr(lang, p.label_key())
                        ),
                        if focused && p == w.pay {
                            theme.selection
                        } else {
                            theme.base
                        },
                    ));
                }
                frame.render_widget(Paragraph::new(Line::from(spans)), areas[i]);
            }
            ReviewRow::Declaration => {
                frame.render_widget(
                    Paragraph::new(format!(
                        "{} {}",
                        if w.declaration { "[x]" } else { "[ ]" },
                        tr(lang, "intake.declaration")
                    ))
                    .style(if focused { theme.selection } else { theme.base }),
                    areas[i],
                );
            }
        }
    }
    let foot_text = if w.pending.is_some() {
        Span::styled(tr(lang, "busy.submit"), theme.warn)
    } else {
        Span::styled(super::shell::key_hints(app, foot.width), theme.accent)
    };
    frame.render_widget(Paragraph::new(Line::from(foot_text)), foot);
}

// ---------------------------------------------------------------------------------------

/// The done screen: the code in large type (when it fits), the due time, the fee, and
/// the VietQR code where [`done_layout`] put it — or the line asking for a bigger window.
fn done(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    qr: Option<(&super::vietqr::Code, super::vietqr::Place)>,
) {
    use super::vietqr::Place;
    let theme = &app.theme;
    let lang = app.lang;
    let text_area = match qr {
        Some((_, Place::Framed { text, .. } | Place::Bare { text, .. })) => text,
        _ => area,
    };
    let mut lines = done_lines(app, text_area.width);
    if let Some((_, Place::TooSmall { rows })) = qr {
        lines.push(Line::from(Span::styled(
            trf(lang, "intake.qr_too_small", &[("rows", &rows.to_string())]),
            theme.warn,
        )));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text_area);
    if let Some((code, place)) = qr
        && let Some(at) = place.code()
    {
        super::vietqr::draw(frame, code, at);
    }
}

/// The done screen's words at `width` columns: the code in large type only when it fits.
fn done_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let lang = app.lang;
    let w = &app.intake;
    let Some(d) = w.created.as_deref() else {
        return Vec::new();
    };
    let short = d.code.rsplitn(3, '-').collect::<Vec<_>>();
    let short = if short.len() >= 2 {
        format!("{}-{}", short[1], short[0])
    } else {
        d.code.clone()
    };
    let mut lines = vec![Line::from(Span::styled(
        tr(lang, "intake.done"),
        theme.ok.add_modifier(Modifier::BOLD),
    ))];
    let big = big_text(&short);
    if big
        .iter()
        .all(|row| super::fit::width(row) <= usize::from(width))
    {
        for row in big {
            lines.push(Line::from(Span::styled(
                row,
                theme.accent.add_modifier(Modifier::BOLD),
            )));
        }
    }
    lines.push(Line::from(vec![
        Span::styled(format!("{}: ", tr(lang, "col.code")), theme.muted),
        Span::styled(d.code.clone(), theme.base.add_modifier(Modifier::BOLD)),
    ]));
    // Taken in with the link down: the code is final, the rest the portal confirms.
    if let Some(n) = &w.offline {
        let key = if w.created.as_ref().is_some_and(|d| !d.timeline.is_empty()) {
            "intake.offline_arrived"
        } else {
            "intake.offline_taken"
        };
        lines.push(Line::from(Span::styled(
            trf(lang, key, &[("at", &short_time(Some(&n.received_at)))]),
            theme.warn,
        )));
    }
    lines.push(Line::from(vec![
        Span::styled(format!("{}: ", tr(lang, "detail.due")), theme.muted),
        Span::styled(
            if d.due_at.is_some() {
                short_time(d.due_at.as_deref())
            } else {
                tr(lang, "intake.no_due").to_owned()
            },
            theme.base.add_modifier(Modifier::BOLD),
        ),
    ]));
    let fee_line = if d.fee.amount == 0 {
        tr(lang, "intake.free").to_owned()
    } else if w.paid && w.pay == PayChoice::VietQr {
        trf(
            lang,
            "intake.paid_qr",
            &[("amount", &format_vnd(d.fee.amount, lang))],
        )
    } else if w.paid {
        trf(
            lang,
            "intake.paid_cash",
            &[
                ("amount", &format_vnd(d.fee.amount, lang)),
                ("receipt", field_text(&w.receipt_no).trim()),
            ],
        )
    } else {
        match w.pay {
            PayChoice::VietQr => trf(
                lang,
                "intake.pay_by_qr",
                &[
                    ("amount", &format_vnd(d.fee.amount, lang)),
                    (
                        "reference",
                        w.payment.as_ref().map(|p| p.purpose.as_str()).unwrap_or(""),
                    ),
                ],
            ),
            PayChoice::Cash => trf(
                lang,
                "intake.cash_pending",
                &[("amount", &format_vnd(d.fee.amount, lang))],
            ),
            PayChoice::Later => trf(
                lang,
                "intake.pay_later",
                &[("amount", &format_vnd(d.fee.amount, lang))],
            ),
        }
    };
    lines.push(Line::from(vec![
        Span::styled(format!("{}: ", tr(lang, "detail.fee")), theme.muted),
        Span::raw(fee_line),
    ]));
    lines.extend(activation_line(app));
    lines
}

/// Digits and dashes in large type: 3×5 pixels a character, drawn with half blocks in
/// three rows.
pub fn big_text(text: &str) -> Vec<String> {
    fn glyph(c: char) -> Option<[u8; 5]> {
        // Each row: three bits, left to right.
        Some(match c {
            '0' => [0b111, 0b101, 0b101, 0b101, 0b111],
            '1' => [0b010, 0b110, 0b010, 0b010, 0b111],
            '2' => [0b111, 0b001, 0b111, 0b100, 0b111],
            '3' => [0b111, 0b001, 0b111, 0b001, 0b111],
            '4' => [0b101, 0b101, 0b111, 0b001, 0b001],
            '5' => [0b111, 0b100, 0b111, 0b001, 0b111],
            '6' => [0b111, 0b100, 0b111, 0b101, 0b111],
            '7' => [0b111, 0b001, 0b010, 0b010, 0b010],
            '8' => [0b111, 0b101, 0b111, 0b101, 0b111],
            '9' => [0b111, 0b101, 0b111, 0b001, 0b111],
            '-' => [0b000, 0b000, 0b111, 0b000, 0b000],
            _ => return None,
        })
    }
    let mut rows = vec![String::new(), String::new(), String::new()];
    for c in text.chars() {
        let Some(g) = glyph(c) else { continue };
        for (r, row) in rows.iter_mut().enumerate() {
            for bit in (0..3).rev() {
                let top = g[r * 2] >> bit & 1 == 1;
                let bottom = g.get(r * 2 + 1).is_some_and(|b| b >> bit & 1 == 1);
                row.push(match (top, bottom) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            row.push(' ');
        }
    }
    rows
}
