//! The printed forms of the one-stop desk, in the set of the dossier's received day
//! ([`FormSet`]: Mẫu 01–05 of Circular 01/2018/TT-VPCP before 2025-09-15, Mẫu 01–06 of
//! Circular 03/2025/TT-VPCP from then on), and the register of dossiers ([`register`]).
//!
//! A form is first built as a [`Sheet`]: the blocks of the printed page (the issuing
//! office and the national motto, the place-and-date line, the title, paragraphs, fields,
//! tables, signature blocks, the lookup's QR code), in Vietnamese, the language of the
//! printed forms. [`text::text`] lays a sheet out as plain text for the terminal's
//! preview and [`pdf::pdf`] as an A4 PDF, so both say the same words. Pure functions: the
//! handler gathers the dossier, its office, its steps (from the audit log) and its
//! processing time, and these render them.
//!
//! The wording is written for this project from the structure of the circulars'
//! appendices (what each form must say and who signs it); it is not a copy of the
//! gazette's layout.

pub mod certificate;
pub mod pdf;
pub mod register;
pub mod text;

use crate::api::dossiers::{Dossier, PaymentStatus, Relation};
use crate::api::error::ErrorCode;
use crate::domain::calendar::{Calendar, DurationUnit, LocalTime, Timeliness, vn_offset};
use crate::domain::catalog::Duration;
use crate::domain::fees::format_vnd;
use crate::domain::forms::{Form, FormSet};
use crate::domain::status::Status;
use crate::domain::text::nfc;
use crate::domain::workflow::{Action, DeliveryMethod, Role};
use crate::domain::{Lang, RuleError};
use chrono::{DateTime, NaiveDate};

/// The office that issues the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    pub name: String,
    pub address: String,
    pub phone: String,
}

impl Office {
    /// The ward or commune the office serves, for the place-and-date line.
    fn place(&self) -> &str {
        self.name.strip_prefix("UBND ").unwrap_or(&self.name).trim()
    }
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
    /// The address of the public lookup of this dossier, printed as a QR code on the
    /// receipt; `None` leaves the code out.
    pub lookup: Option<String>,
    /// Taken in at the desk with the link down (issue 19): the receipt says so, whether
    /// the desk printed it then or the portal prints it again later.
    pub taken_offline: bool,
}

/// The set a dossier's forms are printed in: the one in force on the day it was received
/// (at the desk's time), or, for a dossier never received (refused when it arrived
/// online), on the day it was submitted.
pub fn form_set(d: &Dossier) -> FormSet {
    let day = d
        .received_at
        .as_deref()
        .and_then(parse)
        .or_else(|| parse(&d.submitted_at))
        .map(|t| t.date_naive());
    match day {
        Some(day) => FormSet::for_received(day),
        // An unreadable stored time: the set in force now.
        None => *FormSet::ALL.last().expect("a form set"),
    }
}

/// Checks a lookup address template (`--lookup-url`): an `http` or `https` address with
/// `{code}` where the dossier's code goes, on one line.
pub fn lookup_template(s: &str) -> Result<String, String> {
    let s = s.trim();
    if !(s.starts_with("https://") || s.starts_with("http://")) {
        return Err(format!("{s}: not an http:// or https:// address"));
    }
    if !s.contains("{code}") {
        return Err(format!("{s}: no {{code}} where the dossier's code goes"));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) || s.len() > 512 {
        return Err(format!(
            "{s}: an address is one word of at most 512 characters"
        ));
    }
    Ok(s.to_owned())
}

/// The lookup address of dossier `code` from a template (dossier codes are letters,
/// digits, dots and dashes: safe in an address as they are).
pub fn lookup_address(template: &str, code: &str) -> String {
    template.replace("{code}", code)
}

/// Why a form cannot be printed for a dossier (yet).
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
    #[error("the processing was not stopped")]
    NotStopped,
    #[error("form {0:?} is not in the set {1:?}")]
    NotInSet(Form, FormSet),
}

impl NotApplicable {
    fn form(self) -> Form {
        match self {
            NotApplicable::NotReceived(form) | NotApplicable::NotInSet(form, _) => form,
            NotApplicable::NoSupplementRequest => Form::Supplement,
            NotApplicable::NotRefused => Form::Refusal,
            NotApplicable::NotExtended => Form::Apology,
            NotApplicable::NotStopped => Form::StopNotice,
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
                "hồ sơ chưa được tiếp nhận. Hãy tiếp nhận hồ sơ rồi in lại".to_owned(),
                "the dossier has not been received yet. Receive it, then print".to_owned(),
            ),
            NotApplicable::NoSupplementRequest => (
                "chưa có yêu cầu bổ sung hồ sơ nào. Phiếu này in sau khi yêu cầu bổ sung".into(),
                "no supplement has been requested. This form follows a supplement request".into(),
            ),
            NotApplicable::NotRefused => (
                "hồ sơ không bị từ chối tiếp nhận. Phiếu này in khi từ chối hồ sơ".into(),
                "the dossier was not refused. This form is printed when refusing a dossier".into(),
            ),
            NotApplicable::NotExtended => (
                "hồ sơ chưa được gia hạn. Phiếu này in khi lãnh đạo gia hạn trả kết quả".into(),
                "the due date was never extended. This form follows an extension by the leader"
                    .into(),
            ),
            NotApplicable::NotStopped => (
                "hồ sơ không bị dừng giải quyết. Thông báo này in khi lãnh đạo dừng xử lý hồ sơ"
                    .into(),
                "the processing was not stopped. This notice follows a stop by the leader".into(),
            ),
            NotApplicable::NotInSet(_, set) => (
                format!(
                    "hồ sơ tiếp nhận trước ngày 15/09/2025 in theo bộ mẫu của Thông tư {}, \
                     bộ mẫu này không có biểu mẫu đó",
                    set.circular()
                ),
                format!(
                    "a dossier received before 15 September 2025 prints the forms of Circular \
                     {}, which has no such form",
                    set.circular()
                ),
            ),
        };
        // The number in the set in force now: a form missing from an older set has none there.
        let number = FormSet::Circular03_2025.number(form).unwrap_or("--");
        match lang {
            Lang::Vi => format!(
                "Mẫu số {number} ({}) chưa dùng được cho hồ sơ này: {vi}.",
                form.title(Lang::Vi)
            ),
            Lang::En => format!(
                "Form {number} ({}) does not apply to this dossier: {en}.",
                form.title(Lang::En)
            ),
        }
    }
}

/// Builds `form` for the dossier, or says why it does not apply (yet).
pub fn render(form: Form, input: &FormInput<'_>) -> Result<Sheet, NotApplicable> {
    let set = form_set(input.dossier);
    let number = set.number(form).ok_or(NotApplicable::NotInSet(form, set))?;
    let mut sheet = Sheet::new(set, number, set.title(form, Lang::Vi), &input.dossier.code);
    let ctx = Ctx { input, set, form };
    match form {
        Form::Receipt => receipt(&ctx, &mut sheet)?,
        Form::Supplement => supplement(&ctx, &mut sheet)?,
        Form::Refusal => refusal(&ctx, &mut sheet)?,
        Form::Apology => apology(&ctx, &mut sheet)?,
        Form::StopNotice => stop_notice(&ctx, &mut sheet)?,
        Form::ControlSheet => control_sheet(&ctx, &mut sheet)?,
    }
    Ok(sheet)
}

// ---------------------------------------------------------------------------------------
// The sheet: what a printed page says, block by block, before it is laid out.

/// A form (or the register) as blocks, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub set: FormSet,
    /// The form's number in its set (`01`).
    pub number: &'static str,
    /// The form's title, as in the set (not upper-cased).
    pub title: String,
    /// What the document is about (a dossier code, a register's period), for the PDF's
    /// metadata.
    pub subject: String,
    /// A4 landscape (the register) rather than portrait.
    pub landscape: bool,
    pub blocks: Vec<Block>,
}

/// One block of a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// The form's number and circular above; the issuing office and its desk on the left,
    /// the national motto on the right.
    Header {
        office: String,
        desk: String,
    },
    /// `<place>, ngày DD tháng MM năm YYYY`.
    PlaceDate(String),
    /// The form's title, printed in capitals.
    Title(String),
    /// A centred line (the dossier code, the copy's label).
    Center(String),
    Para(String),
    /// `label: value`.
    Field {
        label: String,
        value: String,
    },
    Table(Table),
    /// Who signs: a block on the left (optional) and one on the right.
    Signatures {
        left: Option<Signature>,
        right: Signature,
    },
    /// A QR code of `payload`, with a caption beside it.
    Qr {
        payload: String,
        caption: String,
    },
    /// Some space.
    Blank,
    /// The next block starts a new sheet of paper (the receipt's second copy).
    PageBreak,
}

/// A ruled table. A row with fewer cells than columns lets its last cell span the
/// remaining columns (the notes under a step of the control sheet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Each column's width in the plain text, in characters; the PDF shares the line's
    /// width in the same proportions.
    pub widths: Vec<usize>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns whose cells are centred (numbers, dates).
    pub centered: Vec<usize>,
    /// A smaller type, for a table of many columns (the register).
    pub compact: bool,
}

/// A signature block: who signs, how, and the name under the space for the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub title: String,
    pub hint: String,
    pub name: String,
}

impl Signature {
    fn person(title: &str, name: &str) -> Signature {
        Signature {
            title: title.to_owned(),
            hint: "(Ký và ghi rõ họ tên)".into(),
            name: name.to_owned(),
        }
    }

    fn head(name: &str) -> Signature {
        Signature {
            title: "Thủ trưởng cơ quan".into(),
            hint: "(Ký, ghi rõ họ tên, đóng dấu)".into(),
            name: name.to_owned(),
        }
    }
}

impl Sheet {
    pub fn new(set: FormSet, number: &'static str, title: &str, subject: &str) -> Sheet {
        Sheet {
            set,
            number,
            title: title.to_owned(),
            subject: subject.to_owned(),
            landscape: false,
            blocks: Vec::new(),
        }
    }

    /// `Mẫu số 01 - Thông tư 03/2025/TT-VPCP`.
    pub fn number_line(&self) -> String {
        format!("Mẫu số {} - Thông tư {}", self.number, self.set.circular())
    }

    fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }

    fn blank(&mut self) {
        self.push(Block::Blank);
    }

    fn para(&mut self, text: &str) {
        self.push(Block::Para(text.to_owned()));
    }

    fn center(&mut self, text: &str) {
        self.push(Block::Center(text.to_owned()));
    }

    fn field(&mut self, label: &str, value: &str) {
        self.push(Block::Field {
            label: label.to_owned(),
            value: value.to_owned(),
        });
    }

    fn header(&mut self, office: &Office) {
        self.push(Block::Header {
            office: office.name.clone(),
            desk: self.set.desk().to_owned(),
        });
    }

    /// The place-and-date line, the place being the ward or commune.
    fn place_date(&mut self, office: &Office, at: &str) {
        let date = match parse(at) {
            Some(t) => t.format("ngày %d tháng %m năm %Y").to_string(),
            None => at.to_owned(),
        };
        self.push(Block::PlaceDate(format!("{}, {date}", office.place())));
    }

    fn title(&mut self, code: &str) {
        self.push(Block::Title(self.title.clone()));
        self.center(&format!("Mã hồ sơ: {code}"));
    }

    /// How a notice to the applicant opens (forms 02–05): the header, the place and
    /// date of the step, the title with the code, and the addressee.
    fn letter_opening(&mut self, office: &Office, at: &str, d: &Dossier) {
        self.header(office);
        self.blank();
        self.place_date(office, at);
        self.blank();
        self.title(&d.code);
        self.blank();
        self.field("Kính gửi ông/bà", &d.applicant.full_name);
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

    fn table(&mut self, widths: &[usize], header: &[&str], rows: Vec<Vec<String>>) {
        self.push(Block::Table(Table {
            widths: widths.to_vec(),
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows,
            centered: vec![0],
            compact: false,
        }));
    }

    fn signatures(&mut self, left: Option<Signature>, right: Signature) {
        self.push(Block::Signatures { left, right });
    }
}

// ---------------------------------------------------------------------------------------
// The forms

/// What every form's builder reads.
struct Ctx<'a, 'b> {
    input: &'a FormInput<'b>,
    set: FormSet,
    form: Form,
}

impl Ctx<'_, '_> {
    /// `Bộ phận Một cửa UBND Phường An Hội` (or the 2018 set's name of the desk).
    fn desk_of_office(&self) -> String {
        format!("{} {}", self.set.desk(), self.input.office.name)
    }

    /// The day the dossier came in, for the forms that recall it.
    fn received_day(&self) -> String {
        let d = self.input.dossier;
        day(d.received_at.as_deref().unwrap_or(&d.submitted_at))
    }

    fn not_received(&self) -> NotApplicable {
        NotApplicable::NotReceived(self.form)
    }
}

/// Mẫu 01: receipt and appointment, in two copies, each with the lookup's QR code.
fn receipt(ctx: &Ctx<'_, '_>, out: &mut Sheet) -> Result<(), NotApplicable> {
    let input = ctx.input;
    let d = input.dossier;
    let received_at = d.received_at.as_deref().ok_or(ctx.not_received())?;
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
    for (i, label) in ["Liên 1: Lưu", "Liên 2: Giao người nộp"]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            out.push(Block::PageBreak);
        }
        out.header(input.office);
        out.blank();
        out.place_date(input.office, received_at);
        out.blank();
        out.title(&d.code);
        out.center(label);
        out.blank();
        out.para(&format!("{} đã tiếp nhận hồ sơ của:", ctx.desk_of_office()));
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
            rows,
        );
        if let Some(Block::Table(t)) = out.blocks.last_mut() {
            t.centered = vec![0, 2, 3];
        }
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
        if input.taken_offline {
            out.field(
                "Ghi chú",
                "Tiếp nhận khi mất kết nối với Cổng dịch vụ công; số hồ sơ trên phiếu là số \
                 chính thức, hồ sơ được gửi lên Cổng khi có kết nối.",
            );
        }
        out.field("5. Thời gian hẹn trả kết quả", &appointment(input, due));
        out.field("6. Nơi nhận kết quả", &delivery(ctx));
        out.field("7. Phí, lệ phí", &fee(d));
        if let Some(url) = input.lookup.as_deref() {
            out.blank();
            out.push(Block::Qr {
                payload: url.to_owned(),
                caption: format!(
                    "Tra cứu tình trạng hồ sơ: quét mã này hoặc mở {url}, \
                     nhập số định danh cá nhân của người yêu cầu."
                ),
            });
        }
        out.blank();
        out.signatures(
            Some(Signature::person("Người nộp hồ sơ", &d.submitter.full_name)),
            Signature::person("Người tiếp nhận hồ sơ", &officer),
        );
    }
    Ok(())
}

/// Mẫu 02: what to supplement, why, and whom to ask.
fn supplement(ctx: &Ctx<'_, '_>, out: &mut Sheet) -> Result<(), NotApplicable> {
    let input = ctx.input;
    let d = input.dossier;
    let request = d
        .supplement
        .as_ref()
        .ok_or(NotApplicable::NoSupplementRequest)?;
    let step = last(input.steps, Action::RequestSupplement);
    let asked_at = step.map(|s| s.at.as_str()).unwrap_or(&d.submitted_at);
    let officer = step.map(Step::actor).unwrap_or_default();
    out.letter_opening(input.office, asked_at, d);
    out.para(&format!(
        "Ngày {}, {} nhận hồ sơ của ông/bà về việc: {}.",
        ctx.received_day(),
        ctx.desk_of_office(),
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
    out.table(&[2, 55], &["TT", "Giấy tờ cần bổ sung, hoàn thiện"], rows);
    out.field("Lý do", or_unstated(&request.reason));
    // The appointment given at reception no longer holds: the time runs again, from the
    // start, once the dossier is complete.
    let due = step
        .and_then(|s| s.due_before.as_deref())
        .or(d.due_at.as_deref());
    if let Some(due) = due {
        out.field(
            "Thời gian hẹn trả kết quả đã hẹn",
            &appointment(input, Some(due)),
        );
        out.para(
            "Thời hạn giải quyết được tính lại từ ngày nhận đủ hồ sơ bổ sung; \
             ông/bà sẽ nhận giấy hẹn mới.",
        );
    }
    out.blank();
    let mut contact = String::new();
    if !officer.is_empty() {
        contact.push_str(&format!("{officer}, "));
    }
    contact.push_str(&format!(
        "{}, {}, điện thoại {}",
        ctx.desk_of_office(),
        input.office.address,
        input.office.phone
    ));
    out.para("Khi có vướng mắc trong lúc hoàn thiện hồ sơ, xin ông/bà liên hệ:");
    out.field("Liên hệ", &contact);
    out.blank();
    out.signatures(None, Signature::person("Người hướng dẫn", &officer));
    Ok(())
}

/// Mẫu 03: the refusal and its reason.
fn refusal(ctx: &Ctx<'_, '_>, out: &mut Sheet) -> Result<(), NotApplicable> {
    let input = ctx.input;
    let d = input.dossier;
    let step = last(input.steps, Action::Refuse).ok_or(NotApplicable::NotRefused)?;
    out.letter_opening(input.office, &step.at, d);
    out.para(&format!(
        "Ngày {}, {} nhận hồ sơ của ông/bà đề nghị giải quyết thủ tục: {}.",
        ctx.received_day(),
        ctx.desk_of_office(),
        procedure(d)
    ));
    if let Some(due) = step.due_before.as_deref().or(d.due_at.as_deref()) {
        out.field(
            "Thời gian hẹn trả kết quả đã hẹn",
            &appointment(input, Some(due)),
        );
    }
    out.para(&format!(
        "{} không tiếp nhận, giải quyết hồ sơ này vì lý do:",
        ctx.set.desk()
    ));
    out.field("Lý do", or_unstated(step.reason.as_deref().unwrap_or("")));
    out.blank();
    out.para("Xin thông báo để ông/bà được biết.");
    out.blank();
    out.signatures(
        None,
        Signature::person("Người tiếp nhận hồ sơ", &step.actor()),
    );
    Ok(())
}

/// Mẫu 04: the apology, with the due that will be missed, why, and the new due; in the
/// 03/2025 set the office also asks for the extension in it.
fn apology(ctx: &Ctx<'_, '_>, out: &mut Sheet) -> Result<(), NotApplicable> {
    let input = ctx.input;
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
    let office = &input.office.name;
    out.letter_opening(input.office, &step.at, d);
    out.para(&format!(
        "Ngày {}, {office} tiếp nhận hồ sơ của ông/bà đề nghị giải quyết thủ tục: {}.",
        ctx.received_day(),
        procedure(d)
    ));
    out.field(
        "Thời gian hẹn trả kết quả",
        &old_due
            .as_deref()
            .map(when)
            .unwrap_or_else(|| "(không còn lưu)".into()),
    );
    out.para(&format!("Đến nay, {office} chưa thể trả kết quả đúng hẹn."));
    out.field("Lý do", or_unstated(step.reason.as_deref().unwrap_or("")));
    out.blank();
    match ctx.set {
        FormSet::Circular01_2018 => out.para(&format!(
            "{office} thành thật xin lỗi ông/bà vì sự chậm trễ này và xin hẹn lại \
             thời gian trả kết quả:"
        )),
        FormSet::Circular03_2025 => out.para(&format!(
            "{office} thành thật xin lỗi ông/bà vì sự chậm trễ này, đề nghị ông/bà \
             đồng ý gia hạn thời gian giải quyết hồ sơ và xin hẹn lại thời gian trả kết quả:"
        )),
    }
    out.field(
        "Thời gian hẹn trả mới",
        &new_due
            .as_deref()
            .map(when)
            .unwrap_or_else(|| "không xác định thời hạn".into()),
    );
    out.para("Rất mong ông/bà thông cảm.");
    out.blank();
    out.signatures(None, Signature::head(&step.actor()));
    Ok(())
}

/// Mẫu 05 of the 03/2025 set: the processing stopped, why, and what the citizen can do.
fn stop_notice(ctx: &Ctx<'_, '_>, out: &mut Sheet) -> Result<(), NotApplicable> {
    let input = ctx.input;
    let d = input.dossier;
    let step = last(input.steps, Action::Stop).ok_or(NotApplicable::NotStopped)?;
    let office = &input.office.name;
    out.letter_opening(input.office, &step.at, d);
    out.para(&format!(
        "Ngày {}, {} tiếp nhận hồ sơ của ông/bà đề nghị giải quyết thủ tục: {}.",
        ctx.received_day(),
        ctx.desk_of_office(),
        procedure(d)
    ));
    let due = step.due_before.as_deref().or(d.due_at.as_deref());
    out.field("Thời gian hẹn trả kết quả", &appointment(input, due));
    out.para(&format!(
        "{office} thông báo dừng giải quyết hồ sơ nêu trên kể từ {}.",
        when(&step.at)
    ));
    out.field("Lý do", or_unstated(step.reason.as_deref().unwrap_or("")));
    out.blank();
    out.para(&format!(
        "Ông/bà liên hệ {}, {}, điện thoại {} để nhận lại giấy tờ đã nộp và được hướng dẫn.",
        ctx.desk_of_office(),
        input.office.address,
        input.office.phone
    ));
    out.para("Xin thông báo để ông/bà được biết.");
    out.blank();
    out.signatures(None, Signature::head(&step.actor()));
    Ok(())
}

/// Mẫu 05 (01/2018) or 06 (03/2025): one row per step since the dossier came in, each
/// hand-off judged against the due in force at that moment.
fn control_sheet(ctx: &Ctx<'_, '_>, out: &mut Sheet) -> Result<(), NotApplicable> {
    let input = ctx.input;
    let d = input.dossier;
    let received_at = d.received_at.as_deref().ok_or(ctx.not_received())?;
    out.header(input.office);
    out.blank();
    out.title(&d.code);
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
        let (giver, taker) = hand_off(ctx, step);
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
        rows,
    );
    out.para(
        "Kết quả: trước hạn, đúng hạn hoặc quá hạn so với hạn giải quyết \
         tại thời điểm giao, nhận; \"-\" khi thời hạn chưa chạy hoặc đang tạm dừng.",
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Contents shared by the forms

fn last(steps: &[Step], action: Action) -> Option<&Step> {
    steps.iter().rev().find(|s| s.is(action))
}

/// The procedure as printed: its name, the case when it says more, and its code.
pub(crate) fn procedure(d: &Dossier) -> String {
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

fn delivery(ctx: &Ctx<'_, '_>) -> String {
    let input = ctx.input;
    let d = input.dossier;
    let method = d.delivery.method;
    match method {
        DeliveryMethod::InPerson => format!(
            "Nhận trực tiếp tại {}, {}, {}",
            ctx.set.desk(),
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
fn hand_off(ctx: &Ctx<'_, '_>, step: &Step) -> (String, String) {
    let d = ctx.input.dossier;
    let desk = ctx.set.desk();
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
        return (giver, named(desk, &actor));
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
            desk.to_owned()
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
        (true, Some(due), Some(at)) => timeliness(input.calendar.classify(at, due)).to_owned(),
        _ => "-".to_owned(),
    }
}

/// Early / on time / late, as the forms print it.
pub(crate) fn timeliness(t: Timeliness) -> &'static str {
    match t {
        Timeliness::Early => "Trước hạn",
        Timeliness::OnTime => "Đúng hạn",
        Timeliness::Late => "Quá hạn",
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

pub(crate) fn parse(t: &str) -> Option<LocalTime> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&vn_offset()))
}

/// `HH giờ MM phút, ngày DD/MM/YYYY`, at the desk's time. An unreadable time is printed
/// as stored rather than failing the whole form.
pub(crate) fn when(t: &str) -> String {
    match parse(t) {
        Some(t) => t.format("%H giờ %M phút, ngày %d/%m/%Y").to_string(),
        None => t.to_owned(),
    }
}

/// `DD/MM/YYYY` at the desk's time.
pub(crate) fn day(t: &str) -> String {
    match parse(t) {
        Some(t) => t.format("%d/%m/%Y").to_string(),
        None => t.to_owned(),
    }
}

/// `DD/MM/YYYY` of a date.
pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::dossiers::{
        Applicant, Attachment, Channel, Delivery, Document, Fee, NamedRef, Submitter,
        SupplementRequest,
    };
    use crate::domain::identity::Gender;
    use text::{PAGE_BREAK, WIDTH, width};

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
                    digitization: None,
                    attachment: None,
                },
                Document {
                    part_id: "giay_to".into(),
                    name: "Bản sao giấy tờ tùy thân".into(),
                    originals: 0,
                    copies: 2,
                    on_paper: false,
                    digitization: None,
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
            result_files: vec![],
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
            lookup: None,
            taken_offline: false,
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
        let sheet = render(form, input).expect("the form applies");
        let text = text::text(&sheet);
        assert_fits(&text);
        let set = form_set(input.dossier);
        let title = set.title(form, Lang::Vi).to_uppercase();
        assert!(text.contains(&title), "{title} in\n{text}");
        let number = set.number(form).unwrap();
        assert!(text.contains(&format!("Mẫu số {number} - Thông tư {}", set.circular())));
        assert!(text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
        assert!(text.contains("Độc lập - Tự do - Hạnh phúc"));
        assert!(text.contains("UBND PHƯỜNG AN HỘI"));
        assert!(text.contains(&input.dossier.code));
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
        assert_eq!(render(Form::StopNotice, &i), Err(NotApplicable::NotStopped));
        for why in [
            NotApplicable::NotReceived(Form::Receipt),
            NotApplicable::NoSupplementRequest,
            NotApplicable::NotRefused,
            NotApplicable::NotExtended,
            NotApplicable::NotStopped,
            NotApplicable::NotInSet(Form::StopNotice, FormSet::Circular01_2018),
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
            extend.reason = Some(oddities.clone());
            let mut stop = created();
            stop.action = "stop".into();
            stop.reason = Some(oddities);
            let steps = [created(), refuse, extend, stop];
            for form in Form::ALL {
                let text = text::text(&render(form, &input(&d, &o, &steps, &cal)).unwrap());
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

    #[test]
    fn the_set_is_the_one_in_force_on_the_received_day() {
        let (mut d, o, cal) = (dossier(), office(), Calendar::default());
        d.status = Status::InProgress;
        d.extensions = 1;
        let mut extend = step(
            "2025-09-18T08:00:00+07:00",
            "lanhdao1",
            Role::Leader,
            "extend",
            Some(Status::InProgress),
        );
        extend.to = Some(Status::InProgress);
        extend.reason = Some("Cần xác minh thêm".into());
        extend.due_before = Some("2025-09-19T09:00:00+07:00".into());
        extend.due_after = Some("2025-09-24T09:00:00+07:00".into());
        let steps = [created(), extend];
        // Received on the last day of the 2018 set.
        d.received_at = Some("2025-09-14T23:59:00+07:00".into());
        assert_eq!(form_set(&d), FormSet::Circular01_2018);
        let old = flat(&render_ok(Form::Apology, &input(&d, &o, &steps, &cal)));
        assert!(
            old.contains("Mẫu số 04 - Thông tư 01/2018/TT-VPCP"),
            "{old}"
        );
        assert!(old.contains("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"));
        // The desk by its 2018 name (wrapped beside the motto in text).
        assert!(old.contains("BỘ PHẬN TIẾP NHẬN VÀ TRẢ"), "{old}");
        let sheet = flat(&render_ok(Form::ControlSheet, &input(&d, &o, &steps, &cal)));
        assert!(sheet.contains("Mẫu số 05 - Thông tư 01/2018/TT-VPCP"));
        assert_eq!(
            render(Form::StopNotice, &input(&d, &o, &steps, &cal)),
            Err(NotApplicable::NotInSet(
                Form::StopNotice,
                FormSet::Circular01_2018
            ))
        );
        // A minute into the 2025 set.
        d.received_at = Some("2025-09-15T00:01:00+07:00".into());
        let new = flat(&render_ok(Form::Apology, &input(&d, &o, &steps, &cal)));
        assert!(
            new.contains("Mẫu số 04 - Thông tư 03/2025/TT-VPCP"),
            "{new}"
        );
        assert!(new.contains("ĐỀ NGHỊ GIA HẠN"));
        assert!(new.contains("gia hạn thời gian giải quyết hồ sơ"));
        assert!(!new.contains("TIẾP NHẬN VÀ TRẢ KẾT QUẢ"));
        let sheet = flat(&render_ok(Form::ControlSheet, &input(&d, &o, &steps, &cal)));
        assert!(sheet.contains("Mẫu số 06 - Thông tư 03/2025/TT-VPCP"));
        // Never received (refused online): the submitted day decides.
        d.received_at = None;
        d.submitted_at = "2025-09-14T10:00:00+07:00".into();
        assert_eq!(form_set(&d), FormSet::Circular01_2018);
    }

    #[test]
    fn the_stop_notice_gives_the_reason_and_whom_to_ask() {
        let (mut d, o, cal) = (dossier(), office(), Calendar::default());
        d.status = Status::Stopped;
        let mut stop = step(
            "2026-03-09T14:00:00+07:00",
            "lanhdao1",
            Role::Leader,
            "stop",
            Some(Status::InProgress),
        );
        stop.to = Some(Status::Stopped);
        stop.reason = Some("Công dân không bổ sung hồ sơ theo yêu cầu".into());
        stop.due_before = Some("2026-03-10T09:00:00+07:00".into());
        let steps = [created(), stop];
        let text = render_ok(Form::StopNotice, &input(&d, &o, &steps, &cal));
        let all = flat(&text);
        for needle in [
            "Mẫu số 05 - Thông tư 03/2025/TT-VPCP",
            "THÔNG BÁO VỀ VIỆC DỪNG GIẢI QUYẾT HỒ SƠ",
            "Kính gửi ông/bà: Huỳnh Thị Ngọc Quyên",
            "Thời gian hẹn trả kết quả: 09 giờ 00 phút, ngày 10/03/2026",
            "dừng giải quyết hồ sơ nêu trên kể từ 14 giờ 00 phút, ngày 09/03/2026",
            "Lý do: Công dân không bổ sung hồ sơ theo yêu cầu",
            "02753822101",
            "THỦ TRƯỞNG CƠ QUAN",
            "Cán bộ lanhdao1",
            "An Hội, ngày 09 tháng 03 năm 2026",
        ] {
            assert!(all.contains(needle), "{needle:?} in\n{text}");
        }
    }

    #[test]
    fn the_receipt_carries_the_lookup() {
        let (d, o, cal) = (dossier(), office(), Calendar::default());
        let steps = [created()];
        let mut i = input(&d, &o, &steps, &cal);
        let url = "https://dichvucong.example.vn/tra-cuu?ma=000.01.27.H07-260306-0001";
        i.lookup = Some(url.into());
        let sheet = render(Form::Receipt, &i).unwrap();
        let codes: Vec<&str> = sheet
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Qr { payload, .. } => Some(payload.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(codes, [url, url], "one code on each copy");
        assert!(flat(&text::text(&sheet)).contains("Tra cứu tình trạng hồ sơ"));
        // Without an address, no code.
        let sheet = render(Form::Receipt, &input(&d, &o, &steps, &cal)).unwrap();
        assert!(!sheet.blocks.iter().any(|b| matches!(b, Block::Qr { .. })));
    }

    #[test]
    fn a_receipt_taken_offline_says_so_on_both_copies() {
        let (d, o, cal) = (dossier(), office(), Calendar::default());
        let steps = [created()];
        let said = |offline: bool| {
            let mut i = input(&d, &o, &steps, &cal);
            i.taken_offline = offline;
            flat(&text::text(&render(Form::Receipt, &i).unwrap()))
                .matches("mất kết nối với Cổng")
                .count()
        };
        assert_eq!((said(true), said(false)), (2, 0));
    }

    #[test]
    fn a_lookup_template_is_an_address_with_the_code_in_it() {
        let t = lookup_template(" https://dvc.example.vn/tra-cuu?ma={code} ").unwrap();
        assert_eq!(
            lookup_address(&t, "000.01.27.H07-260306-0001"),
            "https://dvc.example.vn/tra-cuu?ma=000.01.27.H07-260306-0001"
        );
        for bad in [
            "ftp://x/{code}",
            "https://dvc.example.vn/tra-cuu",
            "https://dvc.example.vn/tra cuu/{code}",
            "https://dvc.example.vn/\u{1b}[2J/{code}",
        ] {
            assert!(lookup_template(bad).is_err(), "{bad}");
        }
        assert!(lookup_template(&format!("https://x/{{code}}{}", "a".repeat(600))).is_err());
    }
}
