//! Documents (issue 16): the digitize form over the wizard or the detail, and the lines
//! the other panes show of a part's digitization and of a citizen's store.

use super::{centered, field};
use crate::api::documents::{Digitization, DigitizationKind, StoredDocument, StoredKind};
use crate::domain::Lang;
use crate::tui::documents::{DigitizeForm, DigitizeRow, DigitizeTarget};
use crate::tui::i18n::{tr, trf};
use crate::tui::state::App;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// A date as stored (`YYYY-MM-DD`) as the desk reads it (`dd/mm/yyyy`).
pub fn dmy(iso: Option<&str>) -> String {
    iso.and_then(crate::domain::documents::iso_date)
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

/// "Căn cước công dân số 0830… · cấp 10/04/2021 · đến 10/04/2036": a document in one line.
pub fn describe(
    lang: Lang,
    doc_type: &str,
    number: Option<&str>,
    issued_on: Option<&str>,
    valid_until: Option<&str>,
) -> String {
    let mut text = doc_type.to_owned();
    if let Some(n) = number.filter(|n| !n.is_empty()) {
        text.push_str(&format!(" {} {n}", tr(lang, "store.number")));
    }
    if issued_on.is_some() {
        text.push_str(&format!(
            " · {} {}",
            tr(lang, "store.issued"),
            dmy(issued_on)
        ));
    }
    match valid_until {
        Some(_) => text.push_str(&format!(
            " · {} {}",
            tr(lang, "store.until"),
            dmy(valid_until)
        )),
        None => text.push_str(&format!(" · {}", tr(lang, "store.no_expiry"))),
    }
    text
}

/// A part's digitization as the detail shows it, under the part.
pub fn digitization_line(lang: Lang, theme: &Theme, d: Option<&Digitization>) -> Line<'static> {
    match d {
        None => Line::styled(
            format!("     {}", tr(lang, "digitize.state_none")),
            theme.muted,
        ),
        Some(x) => {
            let key = match x.kind {
                DigitizationKind::Digitized => "digitize.state_digitized",
                DigitizationKind::Reused => "digitize.state_reused",
            };
            Line::styled(
                format!(
                    "     {} {}",
                    tr(lang, key),
                    describe(
                        lang,
                        &x.doc_type,
                        x.number.as_deref(),
                        x.issued_on.as_deref(),
                        x.valid_until.as_deref()
                    )
                ),
                theme.ok,
            )
        }
    }
}

/// One stored document of a citizen's store, as the citizens pane lists it.
pub fn store_line(lang: Lang, theme: &Theme, d: &StoredDocument) -> Line<'static> {
    let kind = match d.kind {
        StoredKind::Digitized => tr(lang, "store.kind_digitized"),
        StoredKind::Result => tr(lang, "store.kind_result"),
    };
    let text = format!(
        "  {} — {kind}, {} {}",
        describe(
            lang,
            &d.doc_type,
            d.number.as_deref(),
            d.issued_on.as_deref(),
            d.valid_until.as_deref()
        ),
        tr(lang, "store.from"),
        d.source_dossier
    );
    if d.expired {
        Line::styled(
            format!("{text} ({})", tr(lang, "store.expired")),
            theme.danger,
        )
    } else {
        Line::raw(text)
    }
}

/// The form, centred over the body.
pub fn render(app: &App, form: &DigitizeForm, frame: &mut Frame, body: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let rows = form.rows();
    let height = rows.len() as u16 + 6;
    let rect = centered(body, 78, height);
    frame.render_widget(Clear, rect);
    let title = match &form.target {
        DigitizeTarget::Wizard { doc } => {
            let name = app
                .intake
                .docs
                .get(*doc)
                .and_then(|d| {
                    crate::tui::update::chosen_case(app)
                        .and_then(|c| c.documents.iter().find(|p| p.id == d.part_id))
                })
                .map(|p| p.name.clone())
                .unwrap_or_default();
            trf(lang, "digitize.title", &[("part", &name)])
        }
        DigitizeTarget::Dossier { code, .. } => {
            trf(lang, "digitize.title_dossier", &[("code", code)])
        }
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(Span::styled(
            format!(
                " {} ",
                super::fit::truncate(&title, usize::from(rect.width).saturating_sub(4))
            ),
            theme.accent.add_modifier(Modifier::BOLD),
        ))
        .style(theme.base);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let mut constraints: Vec<Constraint> = rows.iter().map(|_| Constraint::Length(1)).collect();
    constraints.extend([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ]);
    let areas = Layout::vertical(constraints).split(inner);
    let label_width = rows
        .iter()
        .map(|r| super::fit::width(tr(lang, r.label_key())))
        .max()
        .unwrap_or(10) as u16
        + 5;
    let busy = form.pending.is_some() || form.scanning;
    for (n, row) in rows.iter().enumerate() {
        let focused = *row == form.row && !busy;
        let required = matches!(
            row,
            DigitizeRow::Meta(crate::domain::documents::MetaField::DocType)
        ) || (*row == DigitizeRow::Scan && !has_file(app, form));
        let star = if required { " (*)" } else { "" };
        let [label, value] =
            Layout::horizontal([Constraint::Length(label_width), Constraint::Min(1)])
                .areas(areas[n]);
        let style = match &form.error {
            Some((Some(at), _)) if at == row => theme.danger,
            _ if focused => theme.accent,
            _ => theme.muted,
        };
        frame.render_widget(
            Paragraph::new(Span::styled(
                format!("{}{star}", tr(lang, row.label_key())),
                style,
            )),
            label,
        );
        match row {
            DigitizeRow::Part => {
                let name = form.part().map(|p| p.name.as_str()).unwrap_or("—");
                let name = super::fit::truncate(name, usize::from(value.width).saturating_sub(4));
                frame.render_widget(
                    Paragraph::new(Span::styled(
                        format!("‹ {name} ›"),
                        if focused { theme.selection } else { theme.base },
                    )),
                    value,
                );
            }
            _ => {
                if let Some(text) = form.field(*row) {
                    field(
                        frame,
                        value,
                        text,
                        focused,
                        theme.base.add_modifier(Modifier::UNDERLINED),
                    );
                }
            }
        }
    }
    let status = areas[rows.len() + 1];
    let message = if let Some((_, err)) = &form.error {
        let lines = super::fit::lines(err, usize::from(status.width), usize::from(status.height));
        Paragraph::new(lines.into_iter().map(Line::from).collect::<Vec<_>>()).style(theme.danger)
    } else if form.scanning {
        Paragraph::new(tr(lang, "digitize.scanning")).style(theme.warn)
    } else if let Some(up) = form.upload.as_ref().filter(|_| form.pending.is_some()) {
        let text = match up.upload_id {
            Some(_) => tr(lang, "busy.act").to_owned(),
            None => trf(
                lang,
                "digitize.uploading",
                &[(
                    "percent",
                    &(up.sent * 100)
                        .checked_div(up.size)
                        .unwrap_or(0)
                        .to_string(),
                )],
            ),
        };
        Paragraph::new(text).style(theme.warn)
    } else if form.pending.is_some() {
        Paragraph::new(tr(lang, "busy.act")).style(theme.warn)
    } else {
        let hint = match form.row {
            DigitizeRow::Scan => tr(lang, "digitize.scan_hint"),
            DigitizeRow::Meta(
                crate::domain::documents::MetaField::IssuedOn
                | crate::domain::documents::MetaField::ValidUntil,
            ) => tr(lang, "digitize.date_hint"),
            _ => "",
        };
        Paragraph::new(hint).style(theme.muted)
    };
    frame.render_widget(message, status);
    let keys_row = areas[rows.len() + 2];
    frame.render_widget(
        Paragraph::new(super::shell::key_hints(app, keys_row.width)).style(theme.muted),
        keys_row,
    );
}

/// The part has a file already (its scan may be left out).
fn has_file(app: &App, form: &DigitizeForm) -> bool {
    match &form.target {
        DigitizeTarget::Wizard { doc } => {
            app.intake.docs.get(*doc).is_some_and(|d| d.file.is_some())
        }
        DigitizeTarget::Dossier { .. } => form.part().is_some_and(|p| p.has_file),
    }
}
