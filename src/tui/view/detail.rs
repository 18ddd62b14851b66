//! The detail pane of one dossier: applicant, procedure, documents and attachments, fee
//! and payment, delivery, due time, the timeline, and the actions this role may take.

use crate::api::dossiers::{Channel, Dossier, PaymentStatus, Relation};
use crate::domain::Lang;
use crate::domain::calendar::Timeliness;
use crate::domain::fees::format_vnd;
use crate::domain::status::Status;
use crate::domain::workflow::Action as Step;
use crate::tui::i18n::{tr, trf};
use crate::tui::state::{App, Item};
use crate::tui::update::{Known, human_size, menu_steps, short_time, summary_of};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    let Some(view) = &app.inbox.detail else {
        return;
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(Span::styled(
            format!(" {} ", super::safe(&view.code)),
            theme.accent.add_modifier(Modifier::BOLD),
        ));
    let Some(d) = view.dossier.as_deref() else {
        frame.render_widget(
            Paragraph::new(tr(lang, "busy.detail"))
                .style(theme.muted)
                .block(block),
            area,
        );
        return;
    };
    let mut lines: Vec<Line> = Vec::new();
    for change in &view.changed {
        lines.push(Line::styled(format!("⚠ {change}"), theme.warn));
    }
    if !view.changed.is_empty() {
        lines.push(Line::raw(""));
    }
    let label = |key: &'static str| Span::styled(format!("{}: ", tr(lang, key)), theme.muted);
    let item = Item::new(summary_of(d));
    let (left, left_style) = super::inbox::remaining(lang, theme, &item, app.now);
    lines.push(Line::from(vec![
        label("detail.status"),
        Span::styled(
            d.status.label(lang),
            theme.accent.add_modifier(Modifier::BOLD),
        ),
        Span::raw("  "),
        label("detail.channel"),
        Span::raw(channel_label(lang, d.channel, d.status)),
    ]));
    let mut due = vec![
        label("detail.due"),
        Span::raw(short_time(d.due_at.as_deref())),
    ];
    // The time left means something only while the clock runs (else it is the due date
    // again); a returned dossier says instead how and when it was returned.
    if d.due_at.is_some() && d.status.clock_runs() {
        due.extend([Span::raw("  "), Span::styled(left, left_style)]);
    } else if let Some(t) = d.timeliness {
        let (how, style) = match t {
            Timeliness::Early => ("stats.early", theme.ok),
            Timeliness::OnTime => ("stats.on_time", theme.ok),
            Timeliness::Late => ("stats.late", theme.danger),
        };
        let text = trf(
            lang,
            "detail.returned_when",
            &[
                ("how", tr(lang, how)),
                ("at", &short_time(d.returned_at.as_deref())),
            ],
        );
        due.extend([Span::raw("  "), Span::styled(text, style)]);
    }
    lines.push(Line::from(due));
    lines.push(Line::from(vec![
        label("detail.received"),
        Span::raw(short_time(d.received_at.as_deref())),
        Span::raw("  "),
        label("detail.submitted"),
        Span::raw(short_time(Some(&d.submitted_at))),
    ]));
    lines.push(Line::from(vec![
        label("detail.procedure"),
        Span::raw(format!("{} — {}", d.procedure.code, d.procedure.name)),
    ]));
    lines.push(Line::from(vec![
        label("detail.case"),
        Span::raw(d.case.name.clone()),
    ]));
    if let Some(assignee) = &d.assignee {
        lines.push(Line::from(vec![
            label("detail.assignee"),
            Span::raw(assignee.clone()),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(section(app, "detail.applicant"));
    let a = &d.applicant;
    lines.push(Line::raw(format!(
        "  {} — {} {}",
        a.full_name,
        tr(lang, "detail.id"),
        a.id_number
    )));
    lines.push(Line::raw(format!(
        "  {} {} · {} {}",
        tr(lang, "detail.born"),
        chrono::NaiveDate::parse_from_str(&a.date_of_birth, "%Y-%m-%d")
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_else(|_| a.date_of_birth.clone()),
        tr(lang, "detail.phone"),
        a.phone
    )));
    lines.push(Line::raw(format!("  {}", a.address)));
    let s = &d.submitter;
    let relation = match s.relation {
        Relation::Myself => tr(lang, "detail.self"),
        Relation::Authorized => tr(lang, "detail.authorized"),
    };
    lines.push(Line::raw(format!(
        "  {}: {} ({relation})",
        tr(lang, "detail.submitter"),
        s.full_name
    )));
    lines.push(Line::raw(""));
    lines.push(section(app, "detail.documents"));
    for (n, doc) in d.documents.iter().enumerate() {
        let how = match (&doc.attachment, doc.on_paper) {
            (Some(att), _) => format!(
                "{}: {} ({}, {})",
                tr(lang, "detail.file"),
                att.filename,
                human_size(att.size),
                att.content_type
            ),
            (None, true) => tr(lang, "detail.on_paper").to_owned(),
            (None, false) => "—".to_owned(),
        };
        lines.push(Line::raw(format!(
            "  {}. {} — {}",
            n + 1,
            doc.name,
            trf(
                lang,
                "detail.copies",
                &[
                    ("o", &doc.originals.to_string()),
                    ("c", &doc.copies.to_string())
                ]
            )
        )));
        // Each part's digitization: "not digitized" on the same line, what is in the
        // store on a line of its own.
        match &doc.digitization {
            None => lines.push(Line::styled(
                format!("     {how} · {}", tr(lang, "digitize.state_none")),
                theme.muted,
            )),
            Some(x) => {
                lines.push(Line::styled(format!("     {how}"), theme.muted));
                lines.push(super::documents::digitization_line(lang, theme, Some(x)));
            }
        }
    }
    for r in &d.result_files {
        lines.push(Line::styled(
            format!(
                "  ★ {}: {} ({}, {})",
                tr(lang, "detail.result_file"),
                r.document.doc_type,
                r.attachment.filename,
                human_size(r.attachment.size)
            ),
            theme.ok,
        ));
    }
    lines.push(Line::raw(""));
    lines.push(section(app, "detail.fee"));
    lines.push(fee_line(app, d));
    lines.push(Line::from(vec![
        label("detail.delivery"),
        Span::raw(d.delivery.method.label(lang)),
        Span::raw(
            d.delivery
                .address
                .as_deref()
                .map(|a| format!(" — {a}"))
                .unwrap_or_default(),
        ),
    ]));
    if let Some(sup) = &d.supplement {
        lines.push(Line::raw(""));
        lines.push(section(app, "detail.supplement"));
        lines.push(Line::raw(format!("  {}", sup.reason)));
        for m in &sup.missing_documents {
            lines.push(Line::raw(format!("  • {m}")));
        }
    }
    if let Some(p) = &d.proposal {
        lines.push(Line::from(vec![
            label("detail.proposal"),
            Span::raw(p.summary.clone()),
        ]));
    }
    lines.extend(super::results::detail_lines(app, d));
    lines.push(Line::raw(""));
    lines.push(section(app, "detail.timeline"));
    for h in &d.timeline {
        let moved = match (h.from, h.to) {
            (Some(f), Some(t)) if f != t => format!("{} → {}", f.label(lang), t.label(lang)),
            (_, Some(t)) => t.label(lang).to_owned(),
            _ => String::new(),
        };
        let what = match Step::from_wire(&h.action) {
            Some(s) => s.label(lang).to_owned(),
            None if h.action == "taken_offline" => tr(lang, "detail.taken_offline").to_owned(),
            None => tr(lang, "detail.created").to_owned(),
        };
        lines.push(Line::raw(format!(
            "  {}  {}  {}  {}",
            short_time(Some(&h.at)),
            h.username.as_deref().unwrap_or("—"),
            what,
            moved
        )));
        if let Some(reason) = &h.reason {
            lines.push(Line::styled(format!("      “{reason}”"), theme.muted));
        }
    }
    if let Some(notices) = &view.notices {
        let width = usize::from(area.width.saturating_sub(2));
        lines.extend(super::results::notice_lines(app, notices, width));
    }
    lines.push(Line::raw(""));
    lines.push(actions_line(app, d));
    super::safe_lines(&mut lines);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((view.scroll, 0)),
        area,
    );
}

fn section(app: &App, key: &'static str) -> Line<'static> {
    Line::styled(
        tr(app.lang, key).to_owned(),
        app.theme.accent.add_modifier(Modifier::BOLD),
    )
}

fn fee_line(app: &App, d: &Dossier) -> Line<'static> {
    let lang = app.lang;
    let theme = &app.theme;
    let (status, style) = match d.fee.status {
        PaymentStatus::Paid => (tr(lang, "payment.paid"), theme.ok),
        PaymentStatus::Unpaid if d.fee.amount > 0 => (tr(lang, "payment.unpaid"), theme.warn),
        PaymentStatus::Unpaid | PaymentStatus::Exempt => (tr(lang, "payment.exempt"), theme.muted),
    };
    let mut spans = vec![
        Span::raw(format!("  {}  ", format_vnd(d.fee.amount, lang))),
        Span::styled(status.to_owned(), style),
    ];
    if let Some(method) = &d.fee.method {
        spans.push(Span::raw(format!(" · {method}")));
    }
    if let Some(receipt) = &d.fee.receipt_no {
        spans.push(Span::raw(format!(
            " · {} {receipt}",
            tr(lang, "detail.receipt")
        )));
    }
    if let Some(at) = &d.fee.paid_at {
        spans.push(Span::raw(format!(" · {}", short_time(Some(at)))));
    }
    Line::from(spans)
}

fn actions_line(app: &App, d: &Dossier) -> Line<'static> {
    let lang: Lang = app.lang;
    let Some(me) = &app.me else {
        return Line::raw("");
    };
    let steps = menu_steps(me.role, d.status, Known::of(d));
    if steps.is_empty() {
        return Line::styled(tr(lang, "detail.no_actions").to_owned(), app.theme.muted);
    }
    let names: Vec<&str> = steps.iter().map(|s| s.label(lang)).collect();
    Line::from(vec![
        Span::styled(" a ".to_owned(), app.theme.selection),
        Span::raw(format!(
            " {}: {}",
            tr(lang, "detail.actions"),
            names.join(", ")
        )),
    ])
}

/// How a dossier came in. A desk dossier waiting among the online submissions got there
/// by a supplement the citizen sent online (the only way back to "submitted"): it says
/// so, or "at the desk" reads wrong in that queue. (The list's column, too narrow for
/// it, keeps the plain channel.)
fn channel_label(lang: Lang, channel: Channel, status: Status) -> String {
    match (channel, status) {
        (Channel::Online, _) => tr(lang, "channel.online").to_owned(),
        (Channel::Desk, Status::Submitted) => tr(lang, "channel.desk_supplemented").to_owned(),
        (Channel::Desk, _) => tr(lang, "channel.desk").to_owned(),
    }
}
