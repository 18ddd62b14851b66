//! The printed forms of the one-stop desk (Mẫu 01–05 of [`FORM_SET`]) as plain text.
//!
//! Pure functions: the handler gathers the dossier, its office, its steps (from the audit
//! log) and its processing time, and these render them. The text is Vietnamese only, the
//! language of the printed forms, and laid out for an A5 sheet in a monospace font: no
//! line is wider than [`WIDTH`] columns. Widths are counted in characters after NFC, with
//! combining marks counted as nothing, which is exact for Vietnamese (every letter is one
//! precomposed character after NFC); strings are never cut inside a character.
//!
//! The receipt comes in two copies (one kept, one for the submitter), separated by a form
//! feed on a line of its own, so that a plain-text printer starts each on a new sheet.

use crate::api::dossiers::{Dossier, PaymentStatus, Relation};
use crate::api::error::ErrorCode;
use crate::domain::calendar::{Calendar, DurationUnit, LocalTime, Timeliness, vn_offset};
use crate::domain::catalog::Duration;
use crate::domain::fees::format_vnd;
use crate::domain::forms::{FORM_SET, Form};
use crate::domain::status::Status;
use crate::domain::text::nfc;
use crate::domain::workflow::{Action, DeliveryMethod, Role};
use crate::domain::{Lang, RuleError};
use chrono::DateTime;
use unicode_normalization::char::is_combining_mark;

/// The widest line of a form, in columns: what an A5 sheet holds in a readable
/// monospace size with the usual margins.
pub const WIDTH: usize = 64;

/// Width of the issuing body's block in the header; the national motto takes the rest.
const HEADER_LEFT: usize = 26;

/// Width of one signature block; two sit side by side.
const SIGNATURE: usize = WIDTH / 2;

/// What separates the two copies of the receipt.
pub const PAGE_BREAK: &str = "\u{0c}";

/// The office that issues the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    pub name: String,
    pub address: String,
    pub phone: String,
}

/// One step of a dossier's life, from its audit row: who did what, when, and the due
/// time in force before and after (absent on rows written before those were recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// RFC 3339.
    pub at: String,
    pub username: Option<String>,
    /// The official's display name, when the account still exists.
    pub full_name: Option<String>,
    pub role: Option<Role>,
    /// `created`, or an action's wire name.
    pub action: String,
    pub from: Option<Status>,
    pub to: Option<Status>,
    pub reason: Option<String>,
    pub due_before: Option<String>,
    pub due_after: Option<String>,
}

impl Step {
    fn is(&self, action: Action) -> bool {
        self.action == action.as_str()
    }

    /// The name to print for whoever took the step.
    fn actor(&self) -> String {
        self.full_name
            .clone()
            .or_else(|| self.username.clone())
            .unwrap_or_default()
    }
}

/// Everything a form is rendered from.
pub struct FormInput<'a> {
    pub dossier: &'a Dossier,
    pub office: &'a Office,
    /// Oldest first.
    pub steps: &'a [Step],
    /// The processing time of the dossier's case and channel, if the catalog still has it.
    pub duration: Option<Duration>,
    /// For judging hand-offs early / on time / late.
    pub calendar: &'a Calendar,
}

/// Why a form cannot be printed for a dossier yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotApplicable {
    #[error("form {0:?} needs a received dossier")]
    NotReceived(Form),
    #[error("no supplement has been requested")]
    NoSupplementRequest,
    #[error("the dossier was not refused")]
    NotRefused,
    #[error("the due date was never extended")]
    NotExtended,
}

impl NotApplicable {
    fn form(self) -> Form {
        match self {
            NotApplicable::NotReceived(form) => form,
            NotApplicable::NoSupplementRequest => Form::Supplement,
            NotApplicable::NotRefused => Form::Refusal,
            NotApplicable::NotExtended => Form::Apology,
        }
    }
}

impl RuleError for NotApplicable {
    fn code(&self) -> &'static str {
        ErrorCode::FormNotApplicable.as_str()
    }

    fn message(&self, lang: Lang) -> String {
        let form = self.form();
        let (vi, en) = match self {
            NotApplicable::NotReceived(_) => (
                "hồ sơ chưa được tiếp nhận. Hãy tiếp nhận hồ sơ rồi in lại",
                "the dossier has not been received yet. Receive it, then print",
            ),
            NotApplicable::NoSupplementRequest => (
                "chưa có yêu cầu bổ sung hồ sơ nào. Phiếu này in sau khi yêu cầu bổ sung",
                "no supplement has been requested. This form follows a supplement request",
            ),
            NotApplicable::NotRefused => (
                "hồ sơ không bị từ chối tiếp nhận. Phiếu này in khi từ chối hồ sơ",
                "the dossier was not refused. This form is printed when refusing a dossier",
            ),
            NotApplicable::NotExtended => (
                "hồ sơ chưa được gia hạn. Phiếu này in khi lãnh đạo gia hạn trả kết quả",
                "the due date was never extended. This form follows an extension by the leader",
            ),
        };
        match lang {
            Lang::Vi => format!(
                "Mẫu số {} ({}) chưa dùng được cho hồ sơ này: {vi}.",
                form.number(),
                form.title(Lang::Vi)
            ),
            Lang::En => format!(
                "Form {} ({}) does not apply to this dossier: {en}.",
                form.number(),
                form.title(Lang::En)
            ),
        }
    }
}

/// Renders `form`, or says why it does not apply to the dossier yet.
pub fn render(form: Form, input: &FormInput<'_>) -> Result<String, NotApplicable> {
    match form {
        Form::Receipt => receipt(input),
        Form::Supplement => supplement(input),
        Form::Refusal => refusal(input),
        Form::Apology => apology(input),
        Form::ControlSheet => control_sheet(input),
    }
}

// ---------------------------------------------------------------------------------------
// The forms

/// Mẫu 01: receipt and appointment, in two copies.
fn receipt(input: &FormInput<'_>) -> Result<String, NotApplicable> {
    let d = input.dossier;
    let received_at = d
        .received_at
        .as_deref()
        .ok_or(NotApplicable::NotReceived(Form::Receipt))?;
    // The latest reception (a supplement at the desk receives the dossier anew) names
    // the officer and the appointment then given: a reprint after an extension must match
    // the copy the citizen holds; the new date is the apology's to announce.
    let reception = input
        .steps
        .iter()
        .rev()
        .find(|s| s.to == Some(Status::Received));
    let officer = reception.map(Step::actor).unwrap_or_default();
    let due = reception
        .and_then(|s| s.due_after.as_deref())
        .or(d.due_at.as_deref());
    let copy = |label: &str| {
        let mut out = Page::default();
        out.header(input.office, Form::Receipt);
        out.blank();
        out.place_date(input.office, received_at);
        out.blank();
        out.title(Form::Receipt, &d.code);
        out.center(label);
        out.blank();
        out.para(&format!(
            "Bộ phận Một cửa {} đã tiếp nhận hồ sơ của:",
            input.office.name
        ));
        out.applicant(d);
        if d.submitter.relation == Relation::Authorized
            || nfc(&d.submitter.full_name) != nfc(&d.applicant.full_name)
        {
            let mut who = d.submitter.full_name.clone();
            if let Some(doc) = d.submitter.authorization_doc.as_deref() {
                who.push_str(&format!(" (được ủy quyền theo: {doc})"));
            }
            out.field("Người nộp hồ sơ", &who);
        }
        out.field("Nội dung yêu cầu giải quyết", &procedure(d));
        out.blank();
        out.para("1. Thành phần hồ sơ nộp gồm:");
        let rows: Vec<Vec<String>> = d
            .documents
            .iter()
            .enumerate()
            .map(|(i, doc)| {
                let name = match &doc.attachment {
                    Some(file) => format!("{} (tệp: {})", doc.name, file.filename),
                    None => doc.name.clone(),
                };
                vec![
                    (i + 1).to_string(),
                    name,
                    doc.originals.to_string(),
                    doc.copies.to_string(),
                ]
            })
            .collect();
        out.table(
            &[2, 33, 9, 7],
            &["TT", "Tên giấy tờ", "Bản chính", "Bản sao"],
            &rows,
        );
        // One dossier is one set (bộ) of the documents above.
        out.field("2. Số lượng hồ sơ", "01 bộ");
        out.field(
            "3. Thời hạn giải quyết theo quy định",
            &input
                .duration
                .map(|t| t.describe(Lang::Vi))
                .unwrap_or_else(|| "-".into()),
        );
        out.field("4. Thời gian nhận hồ sơ", &when(received_at));
        out.field("5. Thời gian hẹn trả kết quả", &appointment(input, due));
        out.field("6. Nơi nhận kết quả", &delivery(input));
        out.field("7. Phí, lệ phí", &fee(d));
        out.blank();
        out.signatures(
            Some(Signature::person("Người nộp hồ sơ", &d.submitter.full_name)),
            Signature::person("Người tiếp nhận hồ sơ", &officer),
        );
        out.finish()
    };
    Ok(format!(
        "{}\n{PAGE_BREAK}\n{}",
        copy("Liên 1: Lưu"),
        copy("Liên 2: Giao người nộp")
    ))
}

/// Mẫu 02: what to supplement, why, and whom to ask.
fn supplement(input: &FormInput<'_>) -> Result<String, NotApplicable> {
    let d = input.dossier;
    let request = d
        .supplement
        .as_ref()
        .ok_or(NotApplicable::NoSupplementRequest)?;
    let step = last(input.steps, Action::RequestSupplement);
    let asked_at = step.map(|s| s.at.as_str()).unwrap_or(&d.submitted_at);
    let officer = step.map(Step::actor).unwrap_or_default();
    let mut out = Page::default();
    out.header(input.office, Form::Supplement);
    out.blank();
    out.place_date(input.office, asked_at);
    out.blank();
    out.title(Form::Supplement, &d.code);
    out.blank();
    out.field("Kính gửi ông/bà", &d.applicant.full_name);
    out.para(&format!(
        "Ngày {}, Bộ phận Một cửa {} nhận hồ sơ của ông/bà về việc: {}.",
        day(d.received_at.as_deref().unwrap_or(&d.submitted_at)),
        input.office.name,
        procedure(d)
    ));
    out.para(
        "Qua xem xét, hồ sơ chưa đủ để giải quyết. Đề nghị ông/bà bổ sung, \
         hoàn thiện một lần đầy đủ các giấy tờ sau:",
    );
    let rows: Vec<Vec<String>> = request
        .missing_documents
        .iter()
        .enumerate()
        .map(|(i, doc)| vec![(i + 1).to_string(), doc.clone()])
        .collect();
    out.table(&[2, 55], &["TT", "Giấy tờ cần bổ sung, hoàn thiện"], &rows);
    out.field("Lý do", or_unstated(&request.reason));
    out.blank();
    let mut contact = String::new();
    if !officer.is_empty() {
        contact.push_str(&format!("{officer}, "));
    }
    contact.push_str(&format!(
        "Bộ phận Một cửa {}, {}, điện thoại {}",
        input.office.name, input.office.address, input.office.phone
    ));
    out.para("Khi có vướng mắc trong lúc hoàn thiện hồ sơ, xin ông/bà liên hệ:");
    out.field("Liên hệ", &contact);
    out.blank();
    out.signatures(None, Signature::person("Người hướng dẫn", &officer));
    Ok(out.finish())
}

/// Mẫu 03: the refusal and its reason.
fn refusal(input: &FormInput<'_>) -> Result<String, NotApplicable> {
    let d = input.dossier;
    let step = last(input.steps, Action::Refuse).ok_or(NotApplicable::NotRefused)?;
    let mut out = Page::default();
    out.header(input.office, Form::Refusal);
    out.blank();
    out.place_date(input.office, &step.at);
    out.blank();
    out.title(Form::Refusal, &d.code);
    out.blank();
    out.field("Kính gửi ông/bà", &d.applicant.full_name);
    out.para(&format!(
        "Ngày {}, Bộ phận Một cửa {} nhận hồ sơ của ông/bà đề nghị giải quyết thủ tục: {}.",
        day(d.received_at.as_deref().unwrap_or(&d.submitted_at)),
        input.office.name,
        procedure(d)
    ));
    out.para("Bộ phận Một cửa không tiếp nhận, giải quyết hồ sơ này vì lý do:");
    out.field("Lý do", or_unstated(step.reason.as_deref().unwrap_or("")));
    out.blank();
    out.para("Xin thông báo để ông/bà được biết.");
    out.blank();
    out.signatures(
        None,
        Signature::person("Người tiếp nhận hồ sơ", &step.actor()),
    );
    Ok(out.finish())
}

/// Mẫu 04: the apology, with the due that will be missed, why, and the new due.
fn apology(input: &FormInput<'_>) -> Result<String, NotApplicable> {
    let d = input.dossier;
    let (index, step) = input
        .steps
        .iter()
        .enumerate()
        .rev()
        .find(|(_, s)| s.is(Action::Extend))
        .ok_or(NotApplicable::NotExtended)?;
    // Rows from before the due was recorded: the step before knew the due it left.
    let old_due = step.due_before.clone().or_else(|| {
        input.steps[..index]
            .iter()
            .rev()
            .find_map(|s| s.due_after.clone())
    });
    let new_due = step.due_after.clone().or_else(|| d.due_at.clone());
    let mut out = Page::default();
    out.header(input.office, Form::Apology);
    out.blank();
    out.place_date(input.office, &step.at);
    out.blank();
    out.title(Form::Apology, &d.code);
    out.blank();
    out.field("Kính gửi ông/bà", &d.applicant.full_name);
    out.para(&format!(
        "Ngày {}, {} tiếp nhận hồ sơ của ông/bà đề nghị giải quyết thủ tục: {}.",
        day(d.received_at.as_deref().unwrap_or(&d.submitted_at)),
        input.office.name,
        procedure(d)
    ));
    out.field(
        "Thời gian hẹn trả kết quả",
        &old_due
            .as_deref()
            .map(when)
            .unwrap_or_else(|| "(không còn lưu)".into()),
    );
    out.para(&format!(
        "Đến nay, {} chưa thể trả kết quả đúng hẹn.",
        input.office.name
    ));
    out.field("Lý do", or_unstated(step.reason.as_deref().unwrap_or("")));
    out.blank();
    out.para(&format!(
        "{} thành thật xin lỗi ông/bà vì sự chậm trễ này và xin hẹn lại \
         thời gian trả kết quả:",
        input.office.name
    ));
    out.field(
        "Thời gian hẹn trả mới",
        &new_due
            .as_deref()
            .map(when)
            .unwrap_or_else(|| "không xác định thời hạn".into()),
    );
    out.para("Rất mong ông/bà thông cảm.");
    out.blank();
    out.signatures(
        None,
        Signature {
            title: "Thủ trưởng cơ quan",
            hint: "(Ký, ghi rõ họ tên, đóng dấu)",
            name: step.actor(),
        },
    );
    Ok(out.finish())
}

/// Mẫu 05: one row per step since the dossier came in, each hand-off judged against the
/// due in force at that moment.
fn control_sheet(input: &FormInput<'_>) -> Result<String, NotApplicable> {
    let d = input.dossier;
    let received_at = d
        .received_at
        .as_deref()
        .ok_or(NotApplicable::NotReceived(Form::ControlSheet))?;
    let mut out = Page::default();
    out.header(input.office, Form::ControlSheet);
    out.blank();
    out.title(Form::ControlSheet, &d.code);
    out.blank();
    out.field("Người yêu cầu", &d.applicant.full_name);
    out.field("Thủ tục", &procedure(d));
    out.field("Thời gian nhận hồ sơ", &when(received_at));
    out.field(
        "Thời gian hẹn trả kết quả",
        &appointment(input, d.due_at.as_deref()),
    );
    out.blank();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (i, step) in input.steps.iter().enumerate() {
        let (giver, taker) = hand_off(d, step);
        rows.push(vec![
            (i + 1).to_string(),
            format!("Giao: {giver}\nNhận: {taker}"),
            when(&step.at),
            judge(input, step),
        ]);
        rows.push(vec![String::new(), format!("Ghi chú: {}", note(d, step))]);
    }
    out.table(
        &[2, 25, 15, 9],
        &["TT", "Giao / Nhận", "Thời gian", "Kết quả"],
        &rows,
    );
    out.para(
        "Kết quả: trước hạn, đúng hạn hoặc quá hạn so với hạn giải quyết \
         tại thời điểm giao, nhận; \"-\" khi thời hạn chưa chạy hoặc đang tạm dừng.",
    );
    Ok(out.finish())
}

// ---------------------------------------------------------------------------------------
// Contents shared by the forms

fn last(steps: &[Step], action: Action) -> Option<&Step> {
    steps.iter().rev().find(|s| s.is(action))
}

fn procedure(d: &Dossier) -> String {
    let mut text = d.procedure.name.clone();
    if !d.case.name.is_empty() && d.case.name != d.procedure.name {
        text.push_str(&format!(" - {}", d.case.name));
    }
    text.push_str(&format!(" (mã thủ tục {})", d.procedure.code));
    text
}

fn or_unstated(text: &str) -> &str {
    if text.trim().is_empty() {
        "(không ghi lý do)"
    } else {
        text
    }
}

/// The appointment for `due`: a time, or the same-day wording, or no fixed time at all.
fn appointment(input: &FormInput<'_>, due: Option<&str>) -> String {
    let same_day = input
        .duration
        .is_some_and(|t| t.amount == 0 && t.unit == DurationUnit::WorkingDays);
    match due {
        None => "không xác định thời hạn".into(),
        Some(due) if same_day => format!("giải quyết trong ngày, trả chậm nhất {}", when(due)),
        Some(due) => when(due),
    }
}

fn delivery(input: &FormInput<'_>) -> String {
    let d = input.dossier;
    let method = d.delivery.method;
    match method {
        DeliveryMethod::InPerson => format!(
            "{}, {}, {}",
            method.label(Lang::Vi),
            input.office.name,
            input.office.address
        ),
        DeliveryMethod::Postal => format!(
            "{}, gửi đến: {}",
            method.label(Lang::Vi),
            d.delivery
                .address
                .as_deref()
                .unwrap_or(&d.applicant.address)
        ),
        DeliveryMethod::Online => format!("{} (Cổng Dịch vụ công)", method.label(Lang::Vi)),
    }
}

fn fee(d: &Dossier) -> String {
    if d.fee.amount == 0 {
        return "không thu".into();
    }
    let state = match d.fee.status {
        PaymentStatus::Unpaid => "chưa nộp",
        PaymentStatus::Paid => "đã nộp",
        PaymentStatus::Exempt => "được miễn",
    };
    format!("{} ({state})", format_vnd(d.fee.amount, Lang::Vi))
}

/// Who handed the dossier over and who took it, in one step.
fn hand_off(d: &Dossier, step: &Step) -> (String, String) {
    let actor = step.actor();
    let named = |unit: &str, name: &str| {
        if name.is_empty() {
            unit.to_owned()
        } else {
            format!("{unit} ({name})")
        }
    };
    // Steps that bring a dossier to the desk: the submitter hands it to the officer.
    if step.to == Some(Status::Received) || step.action == "created" {
        let giver = match step.from {
            Some(Status::Submitted) => "Người nộp (trực tuyến)".to_owned(),
            _ => named("Người nộp", &d.submitter.full_name),
        };
        return (giver, named("Bộ phận Một cửa", &actor));
    }
    let giver = match step.role {
        Some(role) => named(role.label(Lang::Vi), &actor),
        None => named("Hệ thống", &actor),
    };
    let taker = match step.to {
        Some(Status::InProgress) | Some(Status::AwaitingPayment) => named(
            Role::Specialist.label(Lang::Vi),
            d.assignee.as_deref().unwrap_or(""),
        ),
        Some(Status::AwaitingApproval) => Role::Leader.label(Lang::Vi).to_owned(),
        Some(Status::ResultReady) | Some(Status::Submitted) | Some(Status::Received) | None => {
            "Bộ phận Một cửa".to_owned()
        }
        Some(Status::Returned) => named("Người nhận", d.recipient.as_deref().unwrap_or("")),
        Some(Status::SupplementRequested)
        | Some(Status::Refused)
        | Some(Status::Withdrawn)
        | Some(Status::Stopped) => named("Người nộp", &d.submitter.full_name),
    };
    (giver, taker)
}

/// Early / on time / late for a step taken while the clock ran; "-" otherwise.
fn judge(input: &FormInput<'_>, step: &Step) -> String {
    let running = step.from.is_some_and(Status::clock_runs);
    // A row written before the due was recorded is judged against today's due.
    let due = step
        .due_before
        .as_deref()
        .or(input.dossier.due_at.as_deref());
    match (running, due.and_then(parse), parse(&step.at)) {
        (true, Some(due), Some(at)) => match input.calendar.classify(at, due) {
            Timeliness::Early => "Trước hạn",
            Timeliness::OnTime => "Đúng hạn",
            Timeliness::Late => "Quá hạn",
        }
        .to_owned(),
        _ => "-".to_owned(),
    }
}

fn note(d: &Dossier, step: &Step) -> String {
    let mut text = match Action::from_wire(&step.action) {
        Some(action) => action.label(Lang::Vi).to_owned(),
        None if step.to == Some(Status::Submitted) => "Nộp hồ sơ trực tuyến".to_owned(),
        None => "Tiếp nhận hồ sơ".to_owned(),
    };
    if step.is(Action::Extend) {
        let new_due = step.due_after.as_deref().or(d.due_at.as_deref());
        if let Some(due) = new_due {
            text.push_str(&format!(", hạn mới {}", when(due)));
        }
    }
    if let Some(reason) = step.reason.as_deref().filter(|r| !r.trim().is_empty()) {
        text.push_str(&format!("; lý do: {reason}"));
    }
    // The return's handover: who collected, what was handed back (issue 17).
    if step.is(Action::ReturnResult)
        && let Some(h) = d.handover.as_ref()
    {
        let summary = crate::domain::results::handover_summary(d.delivery.method, h);
        if !summary.is_empty() {
            text.push_str(&format!("; {summary}"));
        }
    }
    text
}

// ---------------------------------------------------------------------------------------
// Dates

fn parse(t: &str) -> Option<LocalTime> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&vn_offset()))
}

/// `HH giờ MM phút, ngày DD/MM/YYYY`, at the desk's time. An unreadable time is printed
/// as stored rather than failing the whole form.
fn when(t: &str) -> String {
    match parse(t) {
        Some(t) => t.format("%H giờ %M phút, ngày %d/%m/%Y").to_string(),
        None => t.to_owned(),
    }
}

fn day(t: &str) -> String {
    match parse(t) {
        Some(t) => t.format("%d/%m/%Y").to_string(),
        None => t.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Layout

/// Columns a text takes in a monospace font: combining marks and control characters take
/// none. Exact for Vietnamese in NFC; CJK wide characters are out of scope for the forms.
fn width(s: &str) -> usize {
    s.chars()
        .filter(|c| !is_combining_mark(*c) && !c.is_control())
        .count()
}

/// Splits `s` where its first `w` columns end, on a character boundary, keeping combining
/// marks with the letter before them.
fn split_at_width(s: &str, w: usize) -> (String, String) {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let cw = usize::from(!(is_combining_mark(c) || c.is_control()));
        if used + cw > w {
            return (s[..i].to_owned(), s[i..].to_owned());
        }
        used += cw;
    }
    (s.to_owned(), String::new())
}

/// Word-wraps `text` (NFC first) to `first` columns on the first line and `rest` after;
/// a newline in the text starts a new line; a word longer than a line is cut.
fn wrap_widths(text: &str, first: usize, rest: usize) -> Vec<String> {
    let text = nfc(text);
    let mut lines: Vec<String> = Vec::new();
    let limit = |lines: &Vec<String>| if lines.is_empty() { first } else { rest }.max(1);
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in paragraph.split_whitespace() {
            let mut word = word.to_owned();
            while !word.is_empty() {
                let w = width(&word);
                let max = limit(&lines);
                let gap = usize::from(used > 0);
                if used + gap + w <= max {
                    if gap == 1 {
                        line.push(' ');
                    }
                    line.push_str(&word);
                    used += gap + w;
                    word.clear();
                } else if used > 0 {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                } else {
                    let (head, tail) = split_at_width(&word, max);
                    lines.push(head);
                    word = tail;
                }
            }
        }
        if used > 0 || paragraph.trim().is_empty() {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn wrap(text: &str, w: usize) -> Vec<String> {
    wrap_widths(text, w, w)
}

fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_owned();
    out.push_str(&" ".repeat(w.saturating_sub(width(s))));
    out
}

fn centered(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s)) / 2))
}

/// Two columns side by side, the left one `left_width` wide.
fn side_by_side(left: &[String], right: &[String], left_width: usize) -> Vec<String> {
    (0..left.len().max(right.len()))
        .map(|i| {
            let l = left.get(i).map(String::as_str).unwrap_or("");
            let r = right.get(i).map(String::as_str).unwrap_or("");
            format!("{}{r}", pad(l, left_width))
        })
        .collect()
}

/// A signature block: who signs, how, and the name under the space for the signature.
struct Signature {
    title: &'static str,
    hint: &'static str,
    name: String,
}

impl Signature {
    fn person(title: &'static str, name: &str) -> Signature {
        Signature {
            title,
            hint: "(Ký và ghi rõ họ tên)",
            name: name.to_owned(),
        }
    }

    fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = wrap(&self.title.to_uppercase(), SIGNATURE)
            .iter()
            .chain(wrap(self.hint, SIGNATURE).iter())
            .map(|l| centered(l, SIGNATURE))
            .collect();
        // Room to sign.
        out.extend(std::iter::repeat_n(String::new(), 4));
        out.extend(
            wrap(&self.name, SIGNATURE)
                .iter()
                .map(|l| centered(l, SIGNATURE)),
        );
        out
    }
}

/// A form being laid out, line by line.
#[derive(Default)]
struct Page {
    lines: Vec<String>,
}

impl Page {
    fn blank(&mut self) {
        self.lines.push(String::new());
    }

    fn para(&mut self, text: &str) {
        self.lines.extend(wrap(text, WIDTH));
    }

    fn center(&mut self, text: &str) {
        for l in wrap(text, WIDTH) {
            self.lines.push(centered(&l, WIDTH));
        }
    }

    fn right(&mut self, text: &str) {
        for l in wrap(text, WIDTH) {
            self.lines.push(format!(
                "{}{l}",
                " ".repeat(WIDTH.saturating_sub(width(&l)))
            ));
        }
    }

    /// `label: value`, the value running on under an indent.
    fn field(&mut self, label: &str, value: &str) {
        const INDENT: usize = 4;
        let text = format!("{label}: {value}");
        for (i, l) in wrap_widths(&text, WIDTH, WIDTH - INDENT)
            .into_iter()
            .enumerate()
        {
            let indent = if i == 0 { 0 } else { INDENT };
            self.lines.push(format!("{}{l}", " ".repeat(indent)));
        }
    }

    /// The issuing body on the left, the national motto on the right, and the form's
    /// number in its set above them.
    fn header(&mut self, office: &Office, form: Form) {
        self.right(&format!("Mẫu số {} - Thông tư {FORM_SET}", form.number()));
        let right_width = WIDTH - HEADER_LEFT;
        let mut left: Vec<String> = wrap(&office.name.to_uppercase(), HEADER_LEFT)
            .iter()
            .map(|l| centered(l, HEADER_LEFT))
            .collect();
        left.push(centered("BỘ PHẬN MỘT CỬA", HEADER_LEFT));
        left.push(centered("--------", HEADER_LEFT));
        let right: Vec<String> = [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "---------------------------",
        ]
        .iter()
        .map(|l| centered(l, right_width))
        .collect();
        self.lines.extend(side_by_side(&left, &right, HEADER_LEFT));
    }

    /// `<place>, ngày DD tháng MM năm YYYY`, the place being the ward or commune.
    fn place_date(&mut self, office: &Office, at: &str) {
        let place = office
            .name
            .strip_prefix("UBND ")
            .unwrap_or(&office.name)
            .trim();
        let date = match parse(at) {
            Some(t) => t.format("ngày %d tháng %m năm %Y").to_string(),
            None => at.to_owned(),
        };
        self.right(&format!("{place}, {date}"));
    }

    fn title(&mut self, form: Form, code: &str) {
        self.center(&form.title(Lang::Vi).to_uppercase());
        self.center(&format!("Mã hồ sơ: {code}"));
    }

    fn applicant(&mut self, d: &Dossier) {
        let a = &d.applicant;
        self.field("Người yêu cầu", &a.full_name);
        self.field("Số định danh cá nhân", &a.id_number);
        self.field("Địa chỉ", &a.address);
        self.field("Số điện thoại", &a.phone);
        self.field(
            "Email",
            a.email
                .as_deref()
                .filter(|e| !e.trim().is_empty())
                .unwrap_or("(không có)"),
        );
    }

    /// A ruled table. A row with fewer cells than columns lets its last cell span the
    /// remaining columns (the notes under a step of the control sheet).
    fn table(&mut self, widths: &[usize], header: &[&str], rows: &[Vec<String>]) {
        let rule = widths.iter().fold(String::from("+"), |mut acc, w| {
            acc.push_str(&"-".repeat(w + 2));
            acc.push('+');
            acc
        });
        self.lines.push(rule.clone());
        let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
        self.table_row(widths, &header);
        self.lines.push(rule.clone());
        for (i, row) in rows.iter().enumerate() {
            self.table_row(widths, row);
            // A spanning row continues the row above it: no rule between them.
            if rows
                .get(i + 1)
                .is_none_or(|next| next.len() >= widths.len())
            {
                self.lines.push(rule.clone());
            }
        }
    }

    fn table_row(&mut self, widths: &[usize], cells: &[String]) {
        let n = widths.len();
        let k = cells.len().clamp(1, n);
        let mut spans: Vec<usize> = widths[..k - 1].to_vec();
        spans.push(widths[k - 1..].iter().sum::<usize>() + 3 * (n - k));
        let wrapped: Vec<Vec<String>> = spans
            .iter()
            .enumerate()
            .map(|(i, w)| wrap(cells.get(i).map(String::as_str).unwrap_or(""), *w))
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        for line in 0..height {
            let mut text = String::from("|");
            for (cell, w) in wrapped.iter().zip(&spans) {
                let part = cell.get(line).map(String::as_str).unwrap_or("");
                text.push_str(&format!(" {} |", pad(part, *w)));
            }
            self.lines.push(text);
        }
    }

    fn signatures(&mut self, left: Option<Signature>, right: Signature) {
        let left = left.map(|s| s.lines()).unwrap_or_default();
        self.lines
            .extend(side_by_side(&left, &right.lines(), SIGNATURE));
    }

    /// The text, without trailing spaces, ending in a newline.
    fn finish(self) -> String {
        let mut out = String::new();
        for line in self.lines {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::dossiers::{
        Applicant, Attachment, Channel, Delivery, Document, Fee, NamedRef, Submitter,
        SupplementRequest,
    };
    use crate::domain::identity::Gender;

    fn office() -> Office {
        Office {
            name: "UBND Phường An Hội".into(),
            address: "Số 1 đường Hai Bà Trưng, Phường An Hội, TP. Bến Tre, tỉnh Bến Tre".into(),
            phone: "02753822101".into(),
        }
    }

    fn dossier() -> Dossier {
        Dossier {
            code: "000.01.27.H07-260306-0001".into(),
            version: 1,
            status: Status::Received,
            channel: Channel::Desk,
            office: NamedRef {
                code: "000.01.27.H07".into(),
                name: "UBND Phường An Hội".into(),
            },
            procedure: NamedRef {
                code: "2.001035".into(),
                name: "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản".into(),
            },
            case: NamedRef {
                code: "thuong".into(),
                name: "Trường hợp thông thường".into(),
            },
            applicant: Applicant {
                citizen_id: "7f3a9c0e5b2d4e6f8a1b3c5d7e9f0a2b".into(),
                id_number: "083095000123".into(),
                full_name: "Huỳnh Thị Ngọc Quyên".into(),
                date_of_birth: "1995-04-02".into(),
                gender: Gender::Female,
                phone: "0912345678".into(),
                email: Some("quyen@example.com".into()),
                address: "Số 12 đường Nguyễn Đình Chiểu, Phường An Hội".into(),
            },
            submitter: Submitter {
                full_name: "Võ Văn Đặng".into(),
                id_number: None,
                relation: Relation::Authorized,
                authorization_doc: Some("Giấy ủy quyền số 15/2026".into()),
            },
            documents: vec![
                Document {
                    part_id: "hop_dong".into(),
                    name: "Dự thảo hợp đồng, giao dịch (trường hợp người yêu cầu tự soạn thảo)"
                        .into(),
                    originals: 1,
                    copies: 0,
                    on_paper: true,
                    attachment: None,
                },
                Document {
                    part_id: "giay_to".into(),
                    name: "Bản sao giấy tờ tùy thân".into(),
                    originals: 0,
                    copies: 2,
                    on_paper: false,
                    attachment: Some(Attachment {
                        id: "u1".into(),
                        filename: "cccd-mat-truoc-va-mat-sau-da-chung-thuc.pdf".into(),
                        content_type: "application/pdf".into(),
                        size: 1000,
                        sha256: "00".into(),
                    }),
                },
            ],
            fee: Fee {
                amount: 50_000,
                status: PaymentStatus::Unpaid,
                paid_at: None,
                method: None,
                receipt_no: None,
            },
            delivery: Delivery {
                method: DeliveryMethod::InPerson,
                address: None,
            },
            submitted_at: "2026-03-06T09:00:00+07:00".into(),
            received_at: Some("2026-03-06T09:00:00+07:00".into()),
            due_at: Some("2026-03-10T09:00:00+07:00".into()),
            overdue: false,
            extensions: 0,
            assignee: None,
            supplement: None,
            proposal: None,
            returned_at: None,
            recipient: None,
            timeliness: None,
            note: None,
            timeline: vec![],
            handover: None,
            rating: None,
        }
    }

    fn step(at: &str, who: &str, role: Role, action: &str, from: Option<Status>) -> Step {
        Step {
            at: at.into(),
            username: Some(who.into()),
            full_name: Some(format!("Cán bộ {who}")),
            role: Some(role),
            action: action.into(),
            from,
            to: Some(Status::Received),
            reason: None,
            due_before: None,
            due_after: Some("2026-03-10T09:00:00+07:00".into()),
        }
    }

    fn created() -> Step {
        step(
            "2026-03-06T09:00:00+07:00",
            "tiepnhan1",
            Role::Reception,
            "created",
            None,
        )
    }

    fn input<'a>(
        d: &'a Dossier,
        office: &'a Office,
        steps: &'a [Step],
        calendar: &'a Calendar,
    ) -> FormInput<'a> {
        FormInput {
            dossier: d,
            office,
            steps,
            duration: Some(Duration {
                amount: 2,
                unit: DurationUnit::WorkingDays,
            }),
            calendar,
        }
    }

    fn assert_fits(text: &str) {
        for line in text.lines().filter(|l| *l != PAGE_BREAK) {
            assert!(
                line.chars().count() <= WIDTH,
                "{} columns: {line:?}",
                line.chars().count()
            );
            assert_eq!(line, line.trim_end(), "trailing spaces: {line:?}");
        }
    }

    fn render_ok(form: Form, input: &FormInput<'_>) -> String {
        let text = render(form, input).expect("the form applies");
        assert_fits(&text);
        let title = form.title(Lang::Vi).to_uppercase();
        assert!(text.contains(&title), "{title} in\n{text}");
        assert!(text.contains(&format!("Mẫu số {}", form.number())));
        assert!(text.contains(FORM_SET));
        assert!(text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
        assert!(text.contains("Độc lập - Tự do - Hạnh phúc"));
        assert!(text.contains("UBND PHƯỜNG AN HỘI"));
        assert!(text.contains("000.01.27.H07-260306-0001"));
        text
    }

    /// The words of the text in reading order, table rules and indents gone, so that a
    /// value that wrapped (in a paragraph or a one-column table) can be found whole.
    fn flat(text: &str) -> String {
        text.replace('|', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The words of one column of the tables in the text, top to bottom, so that a cell
    /// that wrapped beside other cells can be found whole.
    fn column(text: &str, n: usize) -> String {
        text.lines()
            .filter(|l| l.starts_with('|'))
            .filter_map(|l| l.split('|').nth(n))
            .flat_map(str::split_whitespace)
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn the_receipt_has_everything_in_two_copies() {
        let (d, o, cal) = (dossier(), office(), Calendar::default());
        let steps = [created()];
        let text = render_ok(Form::Receipt, &input(&d, &o, &steps, &cal));
        let copies: Vec<&str> = text.split(PAGE_BREAK).collect();
        assert_eq!(copies.len(), 2, "two copies");
        assert!(copies[0].contains("Liên 1: Lưu"));
        assert!(copies[1].contains("Liên 2: Giao người nộp"));
        for copy in copies {
            let all = flat(copy);
            for needle in [
                "Huỳnh Thị Ngọc Quyên",
                "083095000123",
                "0912345678",
                "quyen@example.com",
                "Võ Văn Đặng (được ủy quyền theo: Giấy ủy quyền số 15/2026)",
                "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
                "mã thủ tục 2.001035",
                "Bản sao giấy tờ tùy thân",
                "Số lượng hồ sơ: 01 bộ",
                "2 ngày làm việc",
                "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 06/03/2026",
                "Thời gian hẹn trả kết quả: 09 giờ 00 phút, ngày 10/03/2026",
                "Nhận trực tiếp tại Bộ phận Một cửa",
                "50.000 đ (chưa nộp)",
                "NGƯỜI NỘP HỒ SƠ",
                "NGƯỜI TIẾP NHẬN HỒ SƠ",
                "Cán bộ tiepnhan1",
                "An Hội, ngày 06 tháng 03 năm 2026",
            ] {
                assert!(all.contains(needle), "{needle:?} in\n{copy}");
            }
            // The long document name wrapped inside its cell, with its counts beside it.
            assert!(
                copy.contains("| 1  | Dự thảo hợp đồng, giao dịch"),
                "{copy}"
            );
            assert!(copy.contains("| 2  | Bản sao giấy tờ tùy thân"), "{copy}");
        }
    }

    #[test]
    fn same_day_and_undated_appointments() {
        let (mut d, o, cal) = (dossier(), office(), Calendar::default());
        // A reception row written before dues were recorded: the dossier's due is used.
        let mut reception = created();
        reception.due_after = None;
        let steps = [reception];
        d.due_at = Some("2026-03-06T17:00:00+07:00".into());
        let mut same_day = input(&d, &o, &steps, &cal);
        same_day.duration = Some(Duration {
            amount: 0,
            unit: DurationUnit::WorkingDays,
        });
        let text = flat(&render_ok(Form::Receipt, &same_day));
        assert!(
            text.contains("giải quyết trong ngày, trả chậm nhất 17 giờ 00 phút, ngày 06/03/2026"),
            "{text}"
        );
        assert!(text.contains("Trong ngày"));
        d.due_at = None;
        let text = flat(&render_ok(Form::Receipt, &input(&d, &o, &steps, &cal)));
        assert!(text.contains("không xác định thời hạn"), "{text}");
    }

    #[test]
    fn a_reprinted_receipt_keeps_the_appointment_given_at_reception() {
        let (mut d, o, cal) = (dossier(), office(), Calendar::default());
        d.due_at = Some("2026-03-13T09:00:00+07:00".into());
        d.extensions = 1;
        let steps = [created()];
        let text = flat(&render_ok(Form::Receipt, &input(&d, &o, &steps, &cal)));
        assert!(
            text.contains("Thời gian hẹn trả kết quả: 09 giờ 00 phút, ngày 10/03/2026"),
            "{text}"
        );
        assert!(!text.contains("13/03/2026"));
    }

    #[test]
    fn no_receipt_or_control_sheet_before_reception() {
        let (mut d, o, cal) = (dossier(), office(), Calendar::default());
        d.received_at = None;
        d.status = Status::Submitted;
        let i = input(&d, &o, &[], &cal);
        assert_eq!(
            render(Form::Receipt, &i),
            Err(NotApplicable::NotReceived(Form::Receipt))
        );
        assert_eq!(
            render(Form::ControlSheet, &i),
            Err(NotApplicable::NotReceived(Form::ControlSheet))
        );
        assert_eq!(
            render(Form::Supplement, &i),
            Err(NotApplicable::NoSupplementRequest)
        );
        assert_eq!(render(Form::Refusal, &i), Err(NotApplicable::NotRefused));
        assert_eq!(render(Form::Apology, &i), Err(NotApplicable::NotExtended));
        for why in [
            NotApplicable::NotReceived(Form::Receipt),
            NotApplicable::NoSupplementRequest,
            NotApplicable::NotRefused,
            NotApplicable::NotExtended,
        ] {
            assert_eq!(why.code(), ErrorCode::FormNotApplicable.as_str());
            assert!(why.message(Lang::Vi).starts_with("Mẫu số 0"));
            assert!(why.message(Lang::En).starts_with("Form 0"));
        }
    }

    #[test]
    fn the_supplement_request_lists_every_missing_document_and_the_contact() {
        let (mut d, o, cal) = (dossier(), office(), Calendar::default());
        d.status = Status::SupplementRequested;
        d.supplement = Some(SupplementRequest {
            reason: "Giấy tờ tùy thân đã hết hạn sử dụng".into(),
            missing_documents: vec![
                "Căn cước công dân còn hạn".into(),
                "Giấy chứng nhận quyền sở hữu xe (bản chính) kèm theo đăng ký xe".into(),
            ],
        });
        let mut ask = step(
            "2026-03-06T10:15:00+07:00",
            "tiepnhan1",
            Role::Reception,
            "request_supplement",
            Some(Status::Received),
        );
        ask.to = Some(Status::SupplementRequested);
        let steps = [created(), ask];
        let text = render_ok(Form::Supplement, &input(&d, &o, &steps, &cal));
        let all = flat(&text);
        for needle in [
            "Kính gửi ông/bà: Huỳnh Thị Ngọc Quyên",
            "Căn cước công dân còn hạn",
            "Giấy chứng nhận quyền sở hữu xe (bản chính) kèm theo đăng ký xe",
            "Lý do: Giấy tờ tùy thân đã hết hạn sử dụng",
            "Cán bộ tiepnhan1",
            "02753822101",
            "NGƯỜI HƯỚNG DẪN",
            "ngày 06 tháng 03 năm 2026",
        ] {
            assert!(all.contains(needle), "{needle:?} in\n{text}");
        }
        assert!(text.contains("| 1  | Căn cước công dân còn hạn"));
        assert!(text.contains("| 2  | Giấy chứng nhận"));
    }

    #[test]
    fn the_refusal_gives_the_reason() {
        let (mut d, o, cal) = (dossier(), office(), Calendar::default());
        d.status = Status::Refused;
        let mut refuse = step(
            "2026-03-06T10:00:00+07:00",
            "tiepnhan1",
            Role::Reception,
            "refuse",
            Some(Status::Received),
        );
        refuse.to = Some(Status::Refused);
        refuse.reason = Some("Không thuộc thẩm quyền giải quyết của UBND cấp xã".into());
        let steps = [created(), refuse];
        let text = render_ok(Form::Refusal, &input(&d, &o, &steps, &cal));
        let all = flat(&text);
        assert!(
            all.contains("Lý do: Không thuộc thẩm quyền giải quyết của UBND cấp xã"),
            "{text}"
        );
        assert!(all.contains("NGƯỜI TIẾP NHẬN HỒ SƠ"));
    }

    #[test]
    fn the_apology_names_the_old_due_the_reason_and_the_new_due() {
        let (mut d, o, cal) = (dossier(), office(), Calendar::default());
        d.status = Status::InProgress;
        d.due_at = Some("2026-03-13T09:00:00+07:00".into());
        d.extensions = 1;
        let mut extend = step(
            "2026-03-09T08:00:00+07:00",
            "lanhdao1",
            Role::Leader,
            "extend",
            Some(Status::InProgress),
        );
        extend.to = Some(Status::InProgress);
        extend.reason = Some("Cần xác minh thêm tại địa phương khác".into());
        extend.due_before = Some("2026-03-10T09:00:00+07:00".into());
        extend.due_after = Some("2026-03-13T09:00:00+07:00".into());
        let steps = [created(), extend.clone()];
        let text = render_ok(Form::Apology, &input(&d, &o, &steps, &cal));
        let all = flat(&text);
        for needle in [
            "Thời gian hẹn trả kết quả: 09 giờ 00 phút, ngày 10/03/2026",
            "Lý do: Cần xác minh thêm tại địa phương khác",
            "Thời gian hẹn trả mới: 09 giờ 00 phút, ngày 13/03/2026",
            "xin lỗi",
            "THỦ TRƯỞNG CƠ QUAN",
            "Cán bộ lanhdao1",
        ] {
            assert!(all.contains(needle), "{needle:?} in\n{text}");
        }
        // An extension recorded before dues were kept: the step before knew the old due.
        extend.due_before = None;
        let steps = [created(), extend];
        let text = flat(&render_ok(Form::Apology, &input(&d, &o, &steps, &cal)));
        assert!(text.contains("Thời gian hẹn trả kết quả: 09 giờ 00 phút, ngày 10/03/2026"));
    }

    #[test]
    fn the_control_sheet_has_a_row_per_step_judged_against_the_due_of_its_time() {
        let (mut d, o, cal) = (dossier(), office(), Calendar::default());
        d.status = Status::Returned;
        d.assignee = Some("chuyenvien1".into());
        d.recipient = Some("Chính chủ".into());
        let mut forward = step(
            "2026-03-06T10:00:00+07:00",
            "tiepnhan1",
            Role::Reception,
            "forward",
            Some(Status::Received),
        );
        forward.to = Some(Status::InProgress);
        forward.due_before = Some("2026-03-10T09:00:00+07:00".into());
        let mut propose = step(
            "2026-03-10T08:00:00+07:00",
            "chuyenvien1",
            Role::Specialist,
            "propose_result",
            Some(Status::InProgress),
        );
        propose.to = Some(Status::AwaitingApproval);
        propose.due_before = forward.due_before.clone();
        let mut approve = step(
            "2026-03-10T10:00:00+07:00",
            "lanhdao1",
            Role::Leader,
            "approve",
            Some(Status::AwaitingApproval),
        );
        approve.to = Some(Status::ResultReady);
        approve.due_before = forward.due_before.clone();
        let steps = [created(), forward, propose, approve];
        let text = render_ok(Form::ControlSheet, &input(&d, &o, &steps, &cal));
        let all = format!("{} {}", column(&text, 2), column(&text, 4));
        for needle in [
            "Giao: Người nộp (Võ Văn Đặng) Nhận: Bộ phận Một cửa (Cán bộ tiepnhan1)",
            "Giao: Cán bộ tiếp nhận (Cán bộ tiepnhan1) Nhận: Chuyên viên xử lý (chuyenvien1)",
            "Chuyển xử lý",
            "Trình kết quả",
            "Phê duyệt",
            "Trước hạn",
            "Đúng hạn",
            "Quá hạn",
            "Chuyên viên xử lý (chuyenvien1)",
        ] {
            assert!(all.contains(needle), "{needle:?} in\n{text}");
        }
        for n in 1..=4 {
            assert!(text.contains(&format!("| {n}  | Giao:")), "row {n}\n{text}");
        }
        assert_eq!(text.matches("Ghi chú:").count(), 4);
    }

    #[test]
    fn wrapping_never_cuts_a_character_and_respects_the_width() {
        let long = "Nguyễn".repeat(30);
        let lines = wrap(&long, 10);
        assert!(lines.iter().all(|l| width(l) <= 10));
        assert_eq!(lines.concat(), long);
        // Decomposed input (e + combining marks) is composed before measuring.
        let decomposed = "Tie\u{302}\u{301}p nha\u{323}\u{302}n";
        assert_eq!(wrap(decomposed, 64), vec!["Tiếp nhận".to_owned()]);
        assert_eq!(width("e\u{302}\u{301}"), 1);
        assert_eq!(
            wrap("một hai ba bốn năm", 7),
            vec!["một hai", "ba bốn", "năm"]
        );
        assert_eq!(wrap("", 5), vec![String::new()]);
        assert_eq!(wrap("a\n\nb", 5), vec!["a", "", "b"]);
        let (head, tail) = split_at_width("Đặng", 2);
        assert_eq!((head.as_str(), tail.as_str()), ("Đặ", "ng"));
    }

    proptest::proptest! {
        /// Whatever officials and citizens typed, every form fits the sheet.
        #[test]
        fn any_text_fits_the_sheet(
            name in "[a-zA-ZàáạảãăắằẳẵặâấầẩẫậđèéẹẻẽêếềểễệìíịỉĩòóọỏõôốồổỗộơớờởỡợùúụủũưứừửữựỳýỵỷỹĐ ]{0,120}",
            reason in "[a-zA-Zàáạảãăắằẳẵặâấầẩẫậđêôơư0-9,.() -]{0,400}",
            oddities in "\\PC{0,200}",
        ) {
            let (mut d, o, cal) = (dossier(), office(), Calendar::default());
            d.applicant.full_name = name.clone();
            d.submitter.full_name = name;
            d.documents[0].name = reason.clone();
            d.supplement = Some(SupplementRequest {
                reason: oddities.clone(),
                missing_documents: vec![reason.clone(), oddities.clone()],
            });
            let mut refuse = created();
            refuse.action = "refuse".into();
            refuse.reason = Some(reason);
            let mut extend = created();
            extend.action = "extend".into();
            extend.reason = Some(oddities);
            let steps = [created(), refuse, extend];
            for form in Form::ALL {
                let text = render(form, &input(&d, &o, &steps, &cal)).unwrap();
                for line in text.lines() {
                    proptest::prop_assert!(width(line) <= WIDTH, "{line:?}");
                }
            }
        }
    }

    #[test]
    fn unreadable_times_are_printed_as_stored() {
        assert_eq!(when("soon"), "soon");
        assert_eq!(
            when("2026-03-06T02:05:00Z"),
            "09 giờ 05 phút, ngày 06/03/2026"
        );
    }
}
