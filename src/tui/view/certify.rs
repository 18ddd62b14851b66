//! The certification pane (issue 21): the entry with its fee, the entry's number and
//! certification text once it is in the book, and the books with the day's totals.

use super::intake::labelled_in;
use super::safe;
use crate::api::certifications::{Certification, ContractAct, Kind};
use crate::domain::fees::format_vnd;
use crate::tui::certify::{Entry, Field, Stage, act_label, fee_basis, kind_label};
use crate::tui::i18n::{tr, trf};
use crate::tui::state::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let e = &app.certify.entry;
    if let Stage::Transfer { .. } = e.stage
        && !app.certify.in_book
    {
        transfer(app, frame, area);
        return;
    }
    let title = if app.certify.in_book {
        tr(app.lang, "certify.book_title")
    } else {
        tr(app.lang, "certify.title")
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" {title} "),
            theme.accent.add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if app.certify.in_book {
        book(app, frame, inner);
        return;
    }
    match &e.stage {
        Stage::Done(c) => done(app, c, frame, inner),
        _ => entry(app, e, frame, inner),
    }
}

/// The words beside the fee order's code: how much, the transfer note, the account, and
/// what happens next.
fn transfer_lines(app: &App) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let lang = app.lang;
    let e = &app.certify.entry;
    let Some(order) = e.order() else {
        return vec![Line::from(Span::styled(
            tr(lang, "certify.ordering").to_owned(),
            theme.muted,
        ))];
    };
    let mut lines = vec![
        Line::from(Span::styled(
            trf(
                lang,
                "certify.transfer",
                &[("fee", &format_vnd(order.amount, lang))],
            ),
            theme.accent.add_modifier(Modifier::BOLD),
        )),
        Line::from(vec![
            Span::styled(
                format!("{} ", tr(lang, "certify.transfer_note")),
                theme.muted,
            ),
            Span::styled(
                format!("CT {}", safe(order.reference.get(2..).unwrap_or_default())),
                theme.base.add_modifier(Modifier::BOLD),
            ),
        ]),
        Line::from(vec![
            Span::styled(format!("{} ", tr(lang, "certify.account")), theme.muted),
            Span::raw(format!(
                "{} · {} · {}",
                safe(&order.account),
                safe(&order.account_name),
                safe(&order.bank_bin)
            )),
        ]),
        Line::from(""),
    ];
    let wait = if order.vietqr.is_some() {
        tr(lang, "certify.waiting_transfer")
    } else {
        tr(lang, "certify.no_qr")
    };
    lines.push(Line::from(Span::styled(wait.to_owned(), theme.warn)));
    lines.push(Line::from(Span::styled(
        tr(lang, "certify.transfer_back").to_owned(),
        theme.muted,
    )));
    lines
}

fn lines_height(lines: &[Line<'_>], width: u16) -> u16 {
    lines
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            super::fit::wrap(&text, usize::from(width)).len().max(1) as u16
        })
        .sum()
}

/// Where the fee order's code goes in the pane (`pane` the body under the tabs), when
/// there is one to show: what `render` draws and `update` asks about.
pub(super) fn transfer_layout(
    app: &App,
    pane: Rect,
) -> Option<(super::vietqr::Code, super::vietqr::Place)> {
    let inner = Block::default().borders(Borders::ALL).inner(pane);
    let lines = transfer_lines(app);
    super::vietqr::certify_place(app, pane, inner, |width| lines_height(&lines, width))
}

/// The fee by VietQR: the code to scan beside what to transfer, until the bank's notice
/// arrives; the frame gives way when the code needs the room.
fn transfer(app: &App, frame: &mut Frame, area: Rect) {
    use super::vietqr::Place;
    let theme = &app.theme;
    let lines = transfer_lines(app);
    let layout = transfer_layout(app, area);
    if let Some((code, Place::Bare { text, code: at })) = &layout {
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), *text);
        super::vietqr::draw(frame, code, *at);
        return;
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" {} ", tr(app.lang, "certify.title")),
            theme.accent.add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match &layout {
        Some((code, Place::Framed { text, code: at })) => {
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), *text);
            super::vietqr::draw(frame, code, *at);
        }
        Some((_, Place::TooSmall { rows })) => {
            let mut lines = lines;
            lines.push(Line::from(Span::styled(
                trf(
                    app.lang,
                    "certify.qr_too_small",
                    &[("rows", &rows.to_string())],
                ),
                theme.danger,
            )));
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
        }
        _ => {
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
        }
    }
}

/// The choices of the kind row: the three kinds, a contract's act after it.
const CHOICES: [(Kind, ContractAct); 5] = [
    (Kind::Copy, ContractAct::Contract),
    (Kind::Signature, ContractAct::Contract),
    (Kind::Contract, ContractAct::Contract),
    (Kind::Contract, ContractAct::Amendment),
    (Kind::Contract, ContractAct::Correction),
];

fn choice_label(app: &App, kind: Kind, act: ContractAct) -> &'static str {
    match (kind, act) {
        (Kind::Contract, ContractAct::Amendment | ContractAct::Correction) => {
            act_label(app.lang, act)
        }
        _ => kind_label(app.lang, kind),
    }
}

fn entry(app: &App, e: &Entry, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let editing = e.stage == Stage::Editing;
    let [
        kind,
        number,
        note,
        name,
        document,
        pages,
        copies,
        _,
        fee,
        message,
    ] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Min(1),
    ])
    .areas(area);
    // The kind row: a choice, not a text.
    let focused = editing && e.focus == Field::Kind;
    let mut spans = vec![Span::styled(
        format!("{:<w$}", tr(lang, "certify.kind"), w = label_width(area)),
        if focused { theme.accent } else { theme.muted },
    )];
    for (k, a) in CHOICES {
        let chosen = e.kind == k && (k != Kind::Contract || e.act == a);
        let style = match (chosen, focused) {
            (true, true) => theme.selection,
            (true, false) => theme.accent.add_modifier(Modifier::BOLD),
            _ => theme.muted,
        };
        spans.push(Span::styled(
            format!(" {} ", choice_label(app, k, a)),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), kind);
    let row = |frame: &mut Frame, at: Rect, field: Field, required: bool| {
        let t = match field {
            Field::IdNumber => &e.id_number,
            Field::FullName => &e.full_name,
            Field::Document => &e.document,
            Field::Pages => &e.pages,
            _ => &e.copies,
        };
        labelled_in(
            app,
            frame,
            at,
            label_width(area) as u16,
            tr(lang, field.label_key()),
            required,
            t,
            editing && e.focus == field,
        );
    };
    row(frame, number, Field::IdNumber, true);
    let under = match (&e.lookup, &e.note) {
        (Some(_), _) => Some((tr(lang, "certify.looking_up").to_owned(), theme.muted)),
        (None, Some(n)) => Some((n.clone(), theme.muted)),
        _ if editing && e.focus == Field::IdNumber => {
            Some((tr(lang, "certify.number_help").to_owned(), theme.muted))
        }
        _ => None,
    };
    if let Some((text, style)) = under {
        let [_, at] = Layout::horizontal([
            Constraint::Length(label_width(area) as u16),
            Constraint::Min(1),
        ])
        .spacing(1)
        .areas(note);
        frame.render_widget(Paragraph::new(text).style(style), at);
    }
    row(frame, name, Field::FullName, true);
    row(frame, document, Field::Document, true);
    row(frame, pages, Field::Pages, true);
    row(frame, copies, Field::Copies, true);
    // The fee as the portal will charge it, with how it is reckoned.
    let fee_line = match e.fee() {
        Some(amount) => Line::from(vec![
            Span::styled(format!("{} ", tr(lang, "certify.fee")), theme.muted),
            Span::styled(
                format_vnd(amount, lang),
                theme.accent.add_modifier(Modifier::BOLD),
            ),
            Span::styled(format!("  {}", fee_basis(lang, e)), theme.muted),
        ]),
        None => Line::from(Span::styled(
            tr(lang, "certify.fee_unknown").to_owned(),
            theme.muted,
        )),
    };
    frame.render_widget(Paragraph::new(fee_line), fee);
    if e.stage == Stage::Confirm {
        confirm(app, e, frame, message);
        return;
    }
    let (text, style) = match (&e.stage, &e.error) {
        (_, Some((_, problem))) => (problem.clone(), theme.danger),
        (Stage::Sending { queued: true, .. }, None) => {
            (tr(lang, "certify.queued").to_owned(), theme.warn)
        }
        (Stage::Sending { .. }, None) => (tr(lang, "certify.sending").to_owned(), theme.muted),
        _ => (String::new(), theme.base),
    };
    frame.render_widget(
        Paragraph::new(text).style(style).wrap(Wrap { trim: true }),
        message,
    );
}

/// The labels' column: narrower than the long forms', so that the kind row's five
/// choices fit beside it at 80 columns.
/// The fee's screen: how it is taken (cash or VietQR, ←/→), and what Enter does.
fn confirm(app: &App, e: &Entry, frame: &mut Frame, area: Rect) {
    use crate::tui::certify::PayWay;
    let theme = &app.theme;
    let lang = app.lang;
    let fee = e.fee().map(|f| format_vnd(f, lang)).unwrap_or_default();
    let mut spans = vec![Span::styled(
        format!("{:<w$}", tr(lang, "certify.pay_by"), w = label_width(area)),
        theme.accent,
    )];
    for (way, key) in [
        (PayWay::Cash, "certify.pay_cash"),
        (PayWay::VietQr, "certify.pay_vietqr"),
    ] {
        let style = if e.pay == way {
            theme.selection
        } else {
            theme.muted
        };
        spans.push(Span::styled(format!(" {} ", tr(lang, key)), style));
    }
    let (said, style) = match (&e.error, e.pay) {
        (Some((_, problem)), _) => (problem.clone(), theme.danger),
        (None, PayWay::Cash) => (
            trf(lang, "certify.confirm_cash", &[("fee", &fee)]),
            theme.warn.add_modifier(Modifier::BOLD),
        ),
        (None, PayWay::VietQr) => (
            trf(lang, "certify.confirm_vietqr", &[("fee", &fee)]),
            theme.warn.add_modifier(Modifier::BOLD),
        ),
    };
    let lines = vec![
        Line::from(spans),
        Line::from(""),
        Line::from(Span::styled(said, style)),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}
fn label_width(area: Rect) -> usize {
    usize::from(super::intake::label_width(area).min(21))
}

/// The entry in its book: the number to write on the copies, and the text to stamp.
fn done(app: &App, c: &Certification, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let [head, what, _, text] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(
                format!("{} ", tr(lang, "certify.done")),
                theme.ok.add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                trf(
                    lang,
                    "certify.book_number",
                    &[("book", &safe(&c.book)), ("number", &c.number.to_string())],
                ),
                theme.accent.add_modifier(Modifier::BOLD),
            ),
        ])),
        head,
    );
    // Who and what on the first line, the count and the money on the second: each cut
    // at the pane's edge rather than wrapped (the whole is in the text below).
    let who = [
        safe(&c.applicant.full_name),
        safe(&c.applicant.id_number),
        safe(&c.document_name),
    ]
    .join(" · ");
    let counted = format!(
        "{} · {}",
        trf(
            lang,
            "certify.pages_copies",
            &[
                ("pages", &c.pages.to_string()),
                ("copies", &c.copies.to_string()),
            ],
        ),
        trf(
            lang,
            if c.payment_method == "vietqr" {
                "certify.paid_vietqr"
            } else {
                "certify.paid_cash"
            },
            &[("fee", &format_vnd(c.fee, lang))],
        )
    );
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(who, theme.base)),
            Line::from(Span::styled(counted, theme.base)),
        ]),
        what,
    );
    let lines: Vec<Line> = c
        .text
        .lines()
        .map(|l| Line::from(Span::styled(safe(l), theme.base)))
        .collect();
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::TOP)
                    .border_style(theme.border)
                    .title(Span::styled(
                        format!(" {} ", tr(lang, "certify.text_title")),
                        theme.muted,
                    )),
            )
            .wrap(Wrap { trim: true }),
        text,
    );
}

/// The books: the search, the entries newest first, the day's totals under them.
fn book(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let b = &app.certify.book;
    let [search, _, list, note, totals] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    labelled_in(
        app,
        frame,
        search,
        label_width(area) as u16,
        tr(lang, "certify.search"),
        false,
        &b.query,
        true,
    );
    let today = app.now.date_naive();
    let when = |at: &str| {
        chrono::DateTime::parse_from_rfc3339(at)
            .map(|t| {
                if t.date_naive() == today {
                    t.format("%H:%M").to_string()
                } else {
                    t.format("%d/%m %H:%M").to_string()
                }
            })
            .unwrap_or_default()
    };
    let wide = area.width >= 110;
    let header = if wide {
        vec![
            "certify.col_number",
            "certify.col_book",
            "certify.col_applicant",
            "certify.col_document",
            "certify.col_pages",
            "certify.col_fee",
            "certify.col_time",
        ]
    } else {
        vec![
            "certify.col_number",
            "certify.col_applicant",
            "certify.col_document",
            "certify.col_fee",
            "certify.col_time",
        ]
    };
    let rows: Vec<Row> = b
        .entries
        .iter()
        .map(|c| {
            let mut cells = vec![Cell::from(c.number.to_string())];
            if wide {
                cells.push(Cell::from(safe(&c.book)));
            }
            cells.push(Cell::from(safe(&c.applicant.full_name)));
            cells.push(Cell::from(safe(&c.document_name)));
            if wide {
                cells.push(Cell::from(format!("{}×{}", c.pages, c.copies)));
            }
            cells.push(Cell::from(format_vnd(c.fee, lang)));
            cells.push(Cell::from(when(&c.certified_at)));
            Row::new(cells)
        })
        .collect();
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Length(5),
            Constraint::Length(17),
            Constraint::Percentage(30),
            Constraint::Percentage(40),
            Constraint::Length(12),
            Constraint::Length(11),
            Constraint::Length(11),
        ]
    } else {
        vec![
            Constraint::Length(5),
            Constraint::Percentage(35),
            Constraint::Percentage(65),
            Constraint::Length(10),
            Constraint::Length(5),
        ]
    };
    let table = Table::new(rows, widths)
        .header(
            Row::new(header.into_iter().map(|k| Cell::from(tr(lang, k))))
                .style(theme.muted.add_modifier(Modifier::BOLD)),
        )
        .row_highlight_style(theme.selection);
    let mut state = TableState::default();
    if !b.entries.is_empty() {
        state.select(Some(b.selected.min(b.entries.len() - 1)));
    }
    frame.render_stateful_widget(table, list, &mut state);
    let (text, style) = match (&b.error, b.pending, b.entries.is_empty(), &b.searched) {
        (Some(problem), _, _, _) => (problem.clone(), theme.danger),
        (None, Some(_), _, _) => (tr(lang, "certify.searching").to_owned(), theme.muted),
        (None, None, true, Some(words)) if !words.is_empty() => (
            trf(lang, "certify.none_found", &[("words", &safe(words))]),
            theme.muted,
        ),
        (None, None, true, Some(_)) => (tr(lang, "certify.book_empty").to_owned(), theme.muted),
        (None, None, false, _) if b.next_cursor.is_some() => {
            (tr(lang, "certify.more_below").to_owned(), theme.muted)
        }
        _ => (String::new(), theme.base),
    };
    frame.render_widget(Paragraph::new(text).style(style), note);
    if let Some((day, counts)) = &b.totals {
        let day = super::intake::date_vn(day);
        let line = Line::from(vec![
            Span::styled(
                trf(lang, "certify.totals_day", &[("day", &day)]),
                theme.muted,
            ),
            Span::styled(
                trf(
                    lang,
                    "certify.totals",
                    &[
                        ("copy", &counts.copy.to_string()),
                        ("signature", &counts.signature.to_string()),
                        ("contract", &counts.contract.to_string()),
                    ],
                ),
                theme.base,
            ),
            Span::styled(
                format!(" {}", format_vnd(counts.fees, lang)),
                theme.accent.add_modifier(Modifier::BOLD),
            ),
        ]);
        frame.render_widget(Paragraph::new(line), totals);
    }
}
