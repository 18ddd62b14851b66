//! The state of the two desk panes: the intake wizard (officer-assisted submission) and
//! the citizens pane, with the citizen form both share. No IO here; the wizard turns
//! into a [`Draft`] (what is saved on every change) and back, and into the request
//! the portal takes.

use crate::api::catalog::ProcedureSummary;
use crate::api::citizens::{Activation, Citizen, CitizenDetail, NewCitizen};
use crate::api::dossiers::{
    ApplicantRef, CreateDossier, Delivery, DocumentIn, Dossier, Presented, Relation, Submitter,
};
use crate::api::payments::Payment;
use crate::domain::account::email_shape;
use crate::domain::catalog::{Case, OnlineLevel, Procedure};
use crate::domain::fees::{Channel, FeeInput, FeeRule};
use crate::domain::identity::{ChipCard, Gender, parse_cmnd, validate_cccd};
use crate::domain::phone::parse_phone;
use crate::domain::text::Matcher;
use crate::domain::workflow::DeliveryMethod;
use crate::domain::{Lang, RuleError};
use crate::tui::i18n::tr;
use crate::tui::state::{RequestId, field_text, text_field};
use chrono::NaiveDate;
use ratatui_textarea::TextArea;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The steps of the wizard, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WizardStep {
    #[default]
    Procedure,
    Applicant,
    Documents,
    Delivery,
    Review,
    /// Submitted: the code, the due date, the receipt.
    Done,
}

impl WizardStep {
    /// The five steps the officer walks through (Done is where they end).
    pub const WALK: [WizardStep; 5] = [
        WizardStep::Procedure,
        WizardStep::Applicant,
        WizardStep::Documents,
        WizardStep::Delivery,
        WizardStep::Review,
    ];

    pub fn label_key(self) -> &'static str {
        match self {
            WizardStep::Procedure => "intake.step.procedure",
            WizardStep::Applicant => "intake.step.applicant",
            WizardStep::Documents => "intake.step.documents",
            WizardStep::Delivery => "intake.step.delivery",
            WizardStep::Review => "intake.step.review",
            WizardStep::Done => "intake.step.done",
        }
    }

    pub fn previous(self) -> Option<WizardStep> {
        let at = WizardStep::WALK.iter().position(|s| *s == self)?;
        at.checked_sub(1).map(|i| WizardStep::WALK[i])
    }
}

/// How the fee is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayChoice {
    /// Cash now, at the desk, against a receipt number.
    #[default]
    Cash,
    /// The citizen scans the VietQR code with a banking app.
    VietQr,
    /// Before the result is returned.
    Later,
}

impl PayChoice {
    pub const ALL: [PayChoice; 3] = [PayChoice::Cash, PayChoice::VietQr, PayChoice::Later];

    pub fn label_key(self) -> &'static str {
        match self {
            PayChoice::Cash => "intake.pay.cash",
            PayChoice::VietQr => "intake.pay.vietqr",
            PayChoice::Later => "intake.pay.later",
        }
    }
}

/// A file attached to a document part, as far as its upload has come.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FileState {
    pub path: String,
    /// The upload's idempotency key: fixed when the file is chosen, so a retry or a
    /// restart continues the same upload.
    pub key: String,
    pub size: u64,
    pub sent: u64,
    /// Set once the portal has the whole file and has checked it.
    pub upload_id: Option<String>,
    pub content_type: Option<String>,
    pub error: Option<String>,
    /// Seconds until the upload is tried again after the link failed (it goes on from
    /// what the portal has); `None` when no retry is due.
    #[serde(default)]
    pub retry_in: Option<u32>,
    /// Failed attempts in a row, for the back-off.
    #[serde(default)]
    pub failures: u32,
}

/// One document part of the chosen case, as the desk has it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DocState {
    pub part_id: String,
    pub on_paper: bool,
    pub file: Option<FileState>,
    /// Digitized at the desk: the metadata typed for the scan (`file`), sent once the
    /// dossier is made.
    #[serde(default)]
    pub meta: Option<crate::tui::documents::MetaDraft>,
    /// Taken from the applicant's store instead of paper or a file.
    #[serde(default)]
    pub reuse: Option<crate::tui::documents::Reuse>,
}

impl DocState {
    pub fn present(&self) -> bool {
        self.on_paper
            || self.reuse.is_some()
            || self.file.as_ref().is_some_and(|f| f.upload_id.is_some())
    }
}

// ---------------------------------------------------------------------------------------
// The citizen form

/// The fields of a citizen account, in the order the form shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CitizenField {
    IdNumber,
    FullName,
    DateOfBirth,
    Gender,
    Phone,
    Email,
    Address,
}

impl CitizenField {
    pub const ALL: [CitizenField; 7] = [
        CitizenField::IdNumber,
        CitizenField::FullName,
        CitizenField::DateOfBirth,
        CitizenField::Gender,
        CitizenField::Phone,
        CitizenField::Email,
        CitizenField::Address,
    ];

    pub fn required(self) -> bool {
        self != CitizenField::Email
    }

    pub fn label_key(self) -> &'static str {
        match self {
            CitizenField::IdNumber => "citizen.id_number",
            CitizenField::FullName => "citizen.full_name",
            CitizenField::DateOfBirth => "citizen.date_of_birth",
            CitizenField::Gender => "citizen.gender",
            CitizenField::Phone => "citizen.phone",
            CitizenField::Email => "citizen.email",
            CitizenField::Address => "citizen.address",
        }
    }

    /// The name the portal gives the field in a 422's `fields`.
    pub fn wire_name(self) -> &'static str {
        match self {
            CitizenField::IdNumber => "id_number",
            CitizenField::FullName => "full_name",
            CitizenField::DateOfBirth => "date_of_birth",
            CitizenField::Gender => "gender",
            CitizenField::Phone => "phone",
            CitizenField::Email => "email",
            CitizenField::Address => "address",
        }
    }
}

/// The form that creates a citizen account (the citizens pane, and inline in the
/// wizard when the applicant has none).
#[derive(Debug, Clone)]
pub struct CitizenForm {
    /// One text field per [`CitizenField`]; the gender's stays empty (it is a choice).
    pub texts: Vec<TextArea<'static>>,
    pub gender: Option<Gender>,
    pub focus: usize,
    /// The idempotency key of the creation, fixed when the form opens.
    pub key: String,
    /// After a first attempt to send: empty required fields are flagged too.
    pub attempted: bool,
    /// What the portal said about fields (422), until they are edited.
    pub server: BTreeMap<String, String>,
    pub error: Option<String>,
    pub pending: Option<RequestId>,
}

impl CitizenForm {
    pub fn new(key: String) -> CitizenForm {
        let mut texts: Vec<TextArea<'static>> =
            CitizenField::ALL.iter().map(|_| text_field()).collect();
        texts[CitizenField::DateOfBirth as usize].set_placeholder_text("dd/mm/yyyy");
        CitizenForm {
            texts,
            gender: None,
            focus: 0,
            key,
            attempted: false,
            server: BTreeMap::new(),
            error: None,
            pending: None,
        }
    }

    pub fn text(&self, field: CitizenField) -> String {
        field_text(&self.texts[field as usize]).trim().to_owned()
    }

    pub fn set(&mut self, field: CitizenField, value: &str) {
        let t = &mut self.texts[field as usize];
        t.select_all();
        t.cut();
        t.insert_str(value);
    }

    pub fn focused(&self) -> CitizenField {
        CitizenField::ALL[self.focus.min(CitizenField::ALL.len() - 1)]
    }

    /// Fills what a chip-card scan gives.
    pub fn prefill(&mut self, card: &ChipCard) {
        self.set(CitizenField::IdNumber, &card.id_number);
        self.set(CitizenField::FullName, &card.full_name);
        self.set(
            CitizenField::DateOfBirth,
            &card.date_of_birth.format("%d/%m/%Y").to_string(),
        );
        self.gender = Some(card.gender);
        self.set(CitizenField::Address, &card.address);
        // The officer goes on with what the card does not have.
        self.focus = CitizenField::Phone as usize;
    }

    /// What is wrong with a field as typed (the domain's rule, in the user's language),
    /// or `None`. Empty required fields count only after an attempt to send.
    pub fn problem(&self, field: CitizenField, lang: Lang, today: NaiveDate) -> Option<String> {
        if let Some(said) = self.server.get(field.wire_name()) {
            return Some(said.clone());
        }
        let text = self.text(field);
        let empty = match field {
            CitizenField::Gender => self.gender.is_none(),
            _ => text.is_empty(),
        };
        if empty {
            return (field.required() && self.attempted)
                .then(|| tr(lang, "form.required").to_owned());
        }
        match field {
            CitizenField::IdNumber => {
                let dob = parse_date(&self.text(CitizenField::DateOfBirth));
                validate_cccd(&text, today, dob, self.gender)
                    .err()
                    .map(|e| e.message(lang))
            }
            CitizenField::DateOfBirth => match read_date(&text) {
                Err(problem) => Some(problem.message(lang)),
                Ok(d) if d > today => Some(tr(lang, "form.future_date").to_owned()),
                Ok(_) => None,
            },
            CitizenField::Phone => parse_phone(&text).err().map(|e| e.message(lang)),
            CitizenField::Email => {
                (!email_shape(&text)).then(|| tr(lang, "form.bad_email").to_owned())
            }
            CitizenField::FullName | CitizenField::Address | CitizenField::Gender => None,
        }
    }

    /// Every problem, for the fields in order.
    pub fn problems(&self, lang: Lang, today: NaiveDate) -> Vec<(CitizenField, String)> {
        CitizenField::ALL
            .iter()
            .filter_map(|f| self.problem(*f, lang, today).map(|p| (*f, p)))
            .collect()
    }

    /// The request, when every field is right.
    pub fn request(&self, lang: Lang, today: NaiveDate) -> Result<NewCitizen, String> {
        let mut checked = self.clone();
        checked.attempted = true;
        if let Some((field, problem)) = checked.problems(lang, today).into_iter().next() {
            return Err(format!("{}: {problem}", tr(lang, field.label_key())));
        }
        let email = self.text(CitizenField::Email);
        Ok(NewCitizen {
            id_number: self.text(CitizenField::IdNumber),
            full_name: self.text(CitizenField::FullName),
            date_of_birth: parse_date(&self.text(CitizenField::DateOfBirth))
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            gender: self.gender,
            phone: self.text(CitizenField::Phone),
            email: (!email.is_empty()).then_some(email),
            address: self.text(CitizenField::Address),
            legacy_id_number: None,
        })
    }

    /// Nothing typed nor chosen: not worth keeping.
    pub fn is_blank(&self) -> bool {
        self.gender.is_none() && CitizenField::ALL.iter().all(|f| self.text(*f).is_empty())
    }

    /// Fills the fields still empty from a scanned card: what the officer typed wins.
    pub fn fill_blanks(&mut self, card: &ChipCard) {
        let born = card.date_of_birth.format("%d/%m/%Y").to_string();
        for (field, value) in [
            (CitizenField::IdNumber, card.id_number.as_str()),
            (CitizenField::FullName, card.full_name.as_str()),
            (CitizenField::DateOfBirth, born.as_str()),
            (CitizenField::Address, card.address.as_str()),
        ] {
            if self.text(field).is_empty() {
                self.set(field, value);
            }
        }
        self.gender.get_or_insert(card.gender);
    }

    pub fn to_draft(&self) -> CitizenDraft {
        CitizenDraft {
            values: CitizenField::ALL.iter().map(|f| self.text(*f)).collect(),
            gender: self.gender,
            focus: self.focus,
            key: self.key.clone(),
        }
    }

    pub fn from_draft(d: &CitizenDraft) -> CitizenForm {
        let mut form = CitizenForm::new(d.key.clone());
        for (field, value) in CitizenField::ALL.iter().zip(&d.values) {
            form.set(*field, value);
        }
        form.gender = d.gender;
        form.focus = d.focus.min(CitizenField::ALL.len() - 1);
        form
    }
}

/// A date as officials type it: `dd/mm/yyyy` (also `d/m/yyyy`, with `-` or `.`), eight
/// digits `ddmmyyyy` as the chip card writes it (`20081978`), or ISO `yyyy-mm-dd`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    read_date(text).ok()
}

/// Why a typed date is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not written in any of the forms [`parse_date`] reads.
    Format,
    /// Well written, but there is no such day: 31/02/1978, 00/05/1990, 12/13/1990.
    NoSuchDay { day: u32, month: u32, year: i32 },
}

impl DateProblem {
    /// What to tell the officer: a date that does not exist is not a wrong format, and
    /// saying so sends them looking for the wrong mistake.
    pub fn message(self, lang: Lang) -> String {
        match self {
            DateProblem::Format => tr(lang, "form.bad_date").to_owned(),
            DateProblem::NoSuchDay { day, month, year } => {
                let date = format!("{day:02}/{month:02}/{year:04}");
                match days_in_month(year, month) {
                    Some(days) => crate::tui::i18n::trf(
                        lang,
                        "form.no_such_day",
                        &[
                            ("date", &date),
                            ("month", &format!("{month:02}/{year:04}")),
                            ("days", &days.to_string()),
                        ],
                    ),
                    None => crate::tui::i18n::trf(lang, "form.no_such_month", &[("date", &date)]),
                }
            }
        }
    }
}

/// [`parse_date`], saying why a text is not a date.
pub fn read_date(text: &str) -> Result<NaiveDate, DateProblem> {
    let t = text.trim();
    let digits = |s: &str, max: usize| {
        (!s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (day, month, year) = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        // Eight digits are day, month, year, as on the chip card (never yyyymmdd: a
        // desk in Vietnam writes the day first).
        (
            digits(&t[0..2], 2),
            digits(&t[2..4], 2),
            digits(&t[4..8], 4),
        )
    } else {
        let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
        match parts[..] {
            [y, m, d] if y.len() == 4 => (digits(d, 2), digits(m, 2), digits(y, 4)),
            [d, m, y] if y.len() == 4 => (digits(d, 2), digits(m, 2), digits(y, 4)),
            _ => return Err(DateProblem::Format),
        }
    };
    let (Some(day), Some(month), Some(year)) = (day, month, year) else {
        return Err(DateProblem::Format);
    };
    let year = year as i32;
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateProblem::NoSuchDay { day, month, year })
}

/// How many days `month` of `year` has; `None` for a month that is not one.
fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    u32::try_from(next.signed_duration_since(first).num_days()).ok()
}

// ---------------------------------------------------------------------------------------
// The wizard

/// The rows of the applicant step that take the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicantRow {
    Lookup,
    Relation,
    SubmitterName,
    SubmitterId,
    Authorization,
}

/// A citizen another office serves, taken in by what they present at the desk: the
/// portal names no account for them, so the dossier goes with the identity number and
/// the date of birth on their card, which the officer confirms here.
#[derive(Debug, Clone)]
pub struct PresentedCheck {
    pub id_number: String,
    /// The date of birth on the card, as typed (or from the scanned card).
    pub date_of_birth: TextArea<'static>,
    /// The officer confirmed it: the wizard goes on with this citizen.
    pub confirmed: bool,
}

impl PresentedCheck {
    pub fn new(id_number: String, date_of_birth: Option<NaiveDate>) -> PresentedCheck {
        let mut t = text_field();
        t.set_placeholder_text("dd/mm/yyyy");
        if let Some(d) = date_of_birth {
            t.insert_str(d.format("%d/%m/%Y").to_string());
        }
        PresentedCheck {
            id_number,
            date_of_birth: t,
            confirmed: false,
        }
    }

    /// The date as typed, if it is one.
    pub fn date(&self) -> Option<NaiveDate> {
        parse_date(&field_text(&self.date_of_birth))
    }

    /// What the portal takes, once a date is typed.
    pub fn presented(&self) -> Option<Presented> {
        Some(Presented {
            id_number: self.id_number.clone(),
            date_of_birth: self.date()?.format("%Y-%m-%d").to_string(),
        })
    }
}

/// The rows of the review step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewRow {
    Pages,
    Copies,
    Payment,
    Receipt,
    Declaration,
}

#[derive(Debug, Clone)]
pub struct Wizard {
    pub step: WizardStep,
    // 1. procedure
    pub query: TextArea<'static>,
    pub field_filter: Option<String>,
    pub level_filter: Option<OnlineLevel>,
    pub selected: usize,
    /// The procedure (and its case) chosen.
    pub procedure: Option<String>,
    pub case_id: Option<String>,
    /// Choosing among the cases of the selected procedure: the highlighted one.
    pub choosing_case: Option<usize>,
    // 2. applicant
    pub lookup: TextArea<'static>,
    /// What the last search was for: Enter on the same text chooses from the matches.
    pub looked_up: Option<String>,
    pub matches: Vec<Citizen>,
    pub match_selected: usize,
    pub applicant: Option<Citizen>,
    /// The account was created here: its activation code, for the slip.
    pub activation: Option<Activation>,
    /// The inline account form, when the applicant has none.
    pub new_citizen: Option<CitizenForm>,
    /// The inline form closed with Esc: what was typed is kept, and comes back when the
    /// same number is looked up again (Esc is one key; retyping a citizen is minutes).
    pub set_aside: Option<CitizenForm>,
    /// A chip card scanned for a citizen without an account: prefills the form.
    pub scanned: Option<ChipCard>,
    /// A citizen of another office, by number and date of birth (no account named).
    pub presented: Option<PresentedCheck>,
    pub authorized: bool,
    pub submitter_name: TextArea<'static>,
    pub submitter_id: TextArea<'static>,
    pub authorization: TextArea<'static>,
    pub applicant_row: ApplicantRow,
    // 3. documents
    pub docs: Vec<DocState>,
    pub doc_selected: usize,
    /// The path prompt of an attachment.
    pub attach: Option<TextArea<'static>>,
    /// The applicant's store (their id and documents), once read: what the documents
    /// step offers for reuse. Read again each session, so not in the draft.
    pub store: Option<(String, Vec<crate::api::documents::StoredDocument>)>,
    /// The store being read, for which citizen.
    pub store_pending: Option<(RequestId, String)>,
    // 4. delivery
    pub delivery: DeliveryMethod,
    pub address: TextArea<'static>,
    pub on_address: bool,
    // 5. review
    pub pages: TextArea<'static>,
    pub copies: TextArea<'static>,
    pub pay: PayChoice,
    pub receipt_no: TextArea<'static>,
    pub declaration: bool,
    pub review_row: ReviewRow,
    /// The submission's idempotency key, fixed when the intake starts: pressing submit
    /// twice, or retrying after a cut, makes one dossier.
    pub key: String,
    /// The cash payment's idempotency key, likewise.
    pub cash_key: String,
    // done
    pub created: Option<Box<Dossier>>,
    pub payment: Option<Payment>,
    /// Cash recorded (or nothing to record).
    pub paid: bool,
    pub error: Option<String>,
    pub pending: Option<RequestId>,
    /// The submission waits in the outbox (the link failed): it goes by itself, so Enter
    /// does not queue it again.
    pub queued: bool,
    /// Taken in with the link down: the held number it was given and when (issue 19).
    /// Kept in the draft, so that a crash before the outbox has it sends it on the same
    /// number, never a second.
    pub offline: Option<crate::tui::offline::Numbered>,
}

impl Wizard {
    pub fn new(key: String, cash_key: String) -> Wizard {
        Wizard {
            step: WizardStep::Procedure,
            query: text_field(),
            field_filter: None,
            level_filter: None,
            selected: 0,
            procedure: None,
            case_id: None,
            choosing_case: None,
            lookup: text_field(),
            looked_up: None,
            matches: Vec::new(),
            match_selected: 0,
            applicant: None,
            activation: None,
            new_citizen: None,
            set_aside: None,
            scanned: None,
            presented: None,
            authorized: false,
            submitter_name: text_field(),
            submitter_id: text_field(),
            authorization: text_field(),
            applicant_row: ApplicantRow::Lookup,
            docs: Vec::new(),
            doc_selected: 0,
            attach: None,
            store: None,
            store_pending: None,
            delivery: DeliveryMethod::InPerson,
            address: text_field(),
            on_address: false,
            pages: text_field(),
            copies: text_field(),
            pay: PayChoice::Cash,
            receipt_no: text_field(),
            declaration: false,
            review_row: ReviewRow::Declaration,
            key,
            cash_key,
            created: None,
            payment: None,
            paid: false,
            error: None,
            pending: None,
            queued: false,
            offline: None,
        }
    }

    /// True when nothing has been entered: not worth a draft.
    pub fn is_blank(&self) -> bool {
        self.procedure.is_none()
            && field_text(&self.query).is_empty()
            && field_text(&self.lookup).is_empty()
            && self.applicant.is_none()
            && self.presented.is_none()
            && self.set_aside.is_none()
    }

    /// The applicant step's rows, as they are now.
    pub fn applicant_rows(&self) -> Vec<ApplicantRow> {
        let mut rows = vec![ApplicantRow::Lookup, ApplicantRow::Relation];
        if self.authorized {
            rows.extend([
                ApplicantRow::SubmitterName,
                ApplicantRow::SubmitterId,
                ApplicantRow::Authorization,
            ]);
        }
        rows
    }

    /// The review step's rows, as they are now.
    pub fn review_rows(&self, case: Option<&Case>) -> Vec<ReviewRow> {
        let mut rows = Vec::new();
        if let Some(case) = case
            && matches!(case.fees.desk, FeeRule::PerPage { .. })
        {
            rows.extend([ReviewRow::Pages, ReviewRow::Copies]);
        }
        if self.fee(case) > 0 {
            rows.push(ReviewRow::Payment);
            if self.pay == PayChoice::Cash {
                rows.push(ReviewRow::Receipt);
            }
        }
        rows.push(ReviewRow::Declaration);
        rows
    }

    pub fn pages_copies(&self) -> (u32, u32) {
        let n = |t: &TextArea<'_>| field_text(t).trim().parse::<u32>().unwrap_or(0);
        (n(&self.pages), n(&self.copies))
    }

    /// The desk fee of the chosen case, as the portal will compute it.
    pub fn fee(&self, case: Option<&Case>) -> u64 {
        let Some(case) = case else { return 0 };
        let (pages, copies) = self.pages_copies();
        case.fees.amount(&FeeInput {
            channel: Channel::Desk,
            pages,
            copies,
        })
    }

    /// Sets the chosen case: its document checklist replaces the old one (keeping what
    /// was already marked for parts of the same id).
    pub fn choose(&mut self, procedure: &Procedure, case: &Case) {
        let old: HashMap<String, DocState> = self
            .docs
            .drain(..)
            .map(|d| (d.part_id.clone(), d))
            .collect();
        self.procedure = Some(procedure.code.clone());
        self.case_id = Some(case.id.clone());
        self.docs = case
            .documents
            .iter()
            .map(|part| {
                old.get(&part.id).cloned().unwrap_or(DocState {
                    part_id: part.id.clone(),
                    ..DocState::default()
                })
            })
            .collect();
        self.doc_selected = 0;
        if !procedure.delivery.contains(&self.delivery) {
            self.delivery = procedure
                .delivery
                .first()
                .copied()
                .unwrap_or(DeliveryMethod::InPerson);
        }
        self.choosing_case = None;
        self.step = WizardStep::Applicant;
    }

    /// What keeps the officer from leaving `step` forward, worded for them.
    pub fn blocker(
        &self,
        step: WizardStep,
        procedure: Option<&Procedure>,
        lang: Lang,
        today: NaiveDate,
    ) -> Option<String> {
        let case = procedure.and_then(|p| self.case_id.as_deref().and_then(|id| p.case(id)));
        match step {
            WizardStep::Procedure => case
                .is_none()
                .then(|| tr(lang, "intake.need_procedure").to_owned()),
            WizardStep::Applicant => {
                if self.applicant.is_none() {
                    return Some(match &self.presented {
                        Some(p) if !p.confirmed || p.date().is_none() => {
                            tr(lang, "intake.need_dob").to_owned()
                        }
                        Some(_) => return self.submitter_blocker(lang, today),
                        None => tr(lang, "intake.need_applicant").to_owned(),
                    });
                }
                self.submitter_blocker(lang, today)
            }
            WizardStep::Documents => {
                let case = case?;
                if self
                    .docs
                    .iter()
                    .any(|d| d.file.as_ref().is_some_and(|f| f.upload_id.is_none()))
                {
                    return Some(tr(lang, "intake.uploading").to_owned());
                }
                let missing: Vec<&str> = case
                    .documents
                    .iter()
                    .filter(|part| part.mandatory)
                    .filter(|part| {
                        !self
                            .docs
                            .iter()
                            .any(|d| d.part_id == part.id && d.present())
                    })
                    .map(|part| part.name.as_str())
                    .collect();
                (!missing.is_empty())
                    .then(|| format!("{} {}", tr(lang, "intake.missing_docs"), missing.join("; ")))
            }
            WizardStep::Delivery => (self.delivery == DeliveryMethod::Postal
                && field_text(&self.address).trim().is_empty())
            .then(|| tr(lang, "intake.need_address").to_owned()),
            WizardStep::Review => {
                if let Some(case) = case
                    && matches!(case.fees.desk, FeeRule::PerPage { .. })
                    && self.pages_copies().0 == 0
                {
                    return Some(tr(lang, "intake.need_pages").to_owned());
                }
                if self.fee(case) > 0
                    && self.pay == PayChoice::Cash
                    && field_text(&self.receipt_no).trim().is_empty()
                {
                    return Some(tr(lang, "intake.need_receipt").to_owned());
                }
                (!self.declaration).then(|| tr(lang, "intake.need_declaration").to_owned())
            }
            WizardStep::Done => None,
        }
    }

    /// What keeps the officer from leaving the applicant step with an authorized
    /// submitter.
    fn submitter_blocker(&self, lang: Lang, today: NaiveDate) -> Option<String> {
        if self.authorized {
            if field_text(&self.submitter_name).trim().is_empty() {
                return Some(tr(lang, "intake.need_submitter").to_owned());
            }
            let id = field_text(&self.submitter_id);
            let id = id.trim();
            if !id.is_empty()
                && let Err(e) = validate_cccd(id, today, None, None)
            {
                // A 9-digit CMND still identifies a submitter.
                if parse_cmnd(id).is_err() {
                    return Some(e.message(lang));
                }
            }
            if field_text(&self.authorization).trim().is_empty() {
                return Some(tr(lang, "intake.need_authorization").to_owned());
            }
        }
        None
    }

    /// The applicant as the portal takes it: the account the office serves, or the
    /// citizen of another office by what they presented (once confirmed).
    pub fn applicant_ref(&self) -> Option<ApplicantRef> {
        match (&self.applicant, &self.presented) {
            // An account made here with the link down has no id until it reaches the
            // portal: the dossier names its applicant by number and date of birth, and
            // the outbox sends the account first.
            (Some(c), _) if c.id.is_empty() => Some(ApplicantRef::Presented(Presented {
                id_number: c.id_number.clone(),
                date_of_birth: c.date_of_birth.clone(),
            })),
            (Some(c), _) => Some(ApplicantRef::citizen(c.id.clone())),
            (None, Some(p)) if p.confirmed => p.presented().map(ApplicantRef::Presented),
            _ => None,
        }
    }

    /// `POST /dossiers`, from what was entered.
    pub fn request(&self) -> Option<CreateDossier> {
        let applicant_ref = self.applicant_ref()?;
        let (pages, copies) = self.pages_copies();
        let submitter = if self.authorized {
            let id = field_text(&self.submitter_id).trim().to_owned();
            Submitter {
                full_name: field_text(&self.submitter_name).trim().to_owned(),
                id_number: (!id.is_empty()).then_some(id),
                relation: Relation::Authorized,
                authorization_doc: Some(field_text(&self.authorization).trim().to_owned()),
            }
        } else if let Some(applicant) = &self.applicant {
            Submitter {
                full_name: applicant.full_name.clone(),
                id_number: Some(applicant.id_number.clone()),
                relation: Relation::Myself,
                authorization_doc: None,
            }
        } else {
            // A citizen of another office: the portal fills in their own name, unless the
            // card scanned says it.
            let number = self.presented.as_ref().map(|p| p.id_number.clone());
            let name = self
                .scanned
                .as_ref()
                .filter(|c| Some(&c.id_number) == number.as_ref())
                .map(|c| c.full_name.clone())
                .unwrap_or_default();
            Submitter {
                full_name: name,
                id_number: number,
                relation: Relation::Myself,
                authorization_doc: None,
            }
        };
        let address = field_text(&self.address).trim().to_owned();
        Some(CreateDossier {
            procedure_code: self.procedure.clone()?,
            case_id: self.case_id.clone()?,
            applicant: applicant_ref,
            submitter,
            documents: self
                .docs
                .iter()
                .filter(|d| d.present())
                .map(|d| DocumentIn {
                    part_id: d.part_id.clone(),
                    originals: u32::from(d.on_paper && d.reuse.is_none()),
                    copies: 0,
                    // A reused document is the store's file: nothing is attached.
                    upload_id: d
                        .file
                        .as_ref()
                        .filter(|_| d.reuse.is_none())
                        .and_then(|f| f.upload_id.clone()),
                    stored_document_id: d.reuse.as_ref().map(|r| r.id.clone()),
                })
                .collect(),
            delivery: Delivery {
                method: self.delivery,
                address: (self.delivery == DeliveryMethod::Postal).then_some(address),
            },
            declaration_accepted: self.declaration,
            note: None,
            pages: (pages > 0).then_some(pages),
            copies: (copies > 0).then_some(copies),
            code: self.offline.as_ref().map(|n| n.code.clone()),
            received_at: self.offline.as_ref().map(|n| n.received_at.clone()),
            printed_due_at: None,
        })
    }

    pub fn to_draft(&self, saved_at: String) -> Draft {
        let t = |a: &TextArea<'_>| field_text(a);
        Draft {
            saved_at,
            step: self.step,
            query: t(&self.query),
            procedure: self.procedure.clone(),
            case_id: self.case_id.clone(),
            lookup: t(&self.lookup),
            applicant: self.applicant.clone(),
            // A one-time activation code is a secret: never on disk (the slip is printed
            // at once; a lost one is reissued).
            activation: self
                .activation
                .clone()
                .map(|a| Activation { code: None, ..a }),
            new_citizen: self.new_citizen.as_ref().map(CitizenForm::to_draft),
            set_aside: self.set_aside.as_ref().map(CitizenForm::to_draft),
            presented: self.presented.as_ref().map(|p| PresentedDraft {
                id_number: p.id_number.clone(),
                date_of_birth: field_text(&p.date_of_birth),
                confirmed: p.confirmed,
            }),
            authorized: self.authorized,
            submitter_name: t(&self.submitter_name),
            submitter_id: t(&self.submitter_id),
            authorization: t(&self.authorization),
            docs: self.docs.clone(),
            delivery: self.delivery,
            address: t(&self.address),
            pages: t(&self.pages),
            copies: t(&self.copies),
            pay: self.pay,
            receipt_no: t(&self.receipt_no),
            declaration: self.declaration,
            key: self.key.clone(),
            cash_key: self.cash_key.clone(),
            offline: self.offline.clone(),
        }
    }

    pub fn from_draft(d: &Draft) -> Wizard {
        let f = |s: &str| {
            let mut t = text_field();
            t.insert_str(s);
            t
        };
        let mut w = Wizard::new(d.key.clone(), d.cash_key.clone());
        w.offline = d.offline.clone();
        // An upload cut short by the crash goes on from where the portal stands.
        w.step = if d.step == WizardStep::Done {
            WizardStep::Review
        } else {
            d.step
        };
        w.query = f(&d.query);
        w.procedure = d.procedure.clone();
        w.case_id = d.case_id.clone();
        w.lookup = f(&d.lookup);
        w.applicant = d.applicant.clone();
        w.activation = d.activation.clone();
        w.new_citizen = d.new_citizen.as_ref().map(CitizenForm::from_draft);
        w.set_aside = d.set_aside.as_ref().map(CitizenForm::from_draft);
        w.presented = d.presented.as_ref().map(|p| {
            let mut check = PresentedCheck::new(p.id_number.clone(), None);
            check.date_of_birth.insert_str(&p.date_of_birth);
            check.confirmed = p.confirmed;
            check
        });
        w.authorized = d.authorized;
        w.submitter_name = f(&d.submitter_name);
        w.submitter_id = f(&d.submitter_id);
        w.authorization = f(&d.authorization);
        w.docs = d.docs.clone();
        w.delivery = d.delivery;
        w.address = f(&d.address);
        w.on_address = false;
        w.pages = f(&d.pages);
        w.copies = f(&d.copies);
        w.pay = d.pay;
        w.receipt_no = f(&d.receipt_no);
        w.declaration = d.declaration;
        w.applicant_row =
            if w.applicant.is_some() || w.presented.as_ref().is_some_and(|p| p.confirmed) {
                ApplicantRow::Relation
            } else {
                ApplicantRow::Lookup
            };
        w
    }
}

/// The filtered catalog: indices into `catalog` that match the picker's query, field
/// and level, in catalog order.
pub fn picker_view(
    catalog: &[ProcedureSummary],
    query: &str,
    field: Option<&str>,
    level: Option<OnlineLevel>,
) -> Vec<usize> {
    let matcher = Matcher::new(query);
    catalog
        .iter()
        .enumerate()
        .filter(|(_, p)| field.is_none_or(|f| p.field == f))
        .filter(|(_, p)| level.is_none_or(|l| p.online_level == l))
        .filter(|(_, p)| matcher.matches(&format!("{} {}", p.code, p.name)))
        .map(|(i, _)| i)
        .collect()
}

/// The fields of the catalog, in first-seen order (for the picker's field filter).
pub fn fields_of(catalog: &[ProcedureSummary]) -> Vec<String> {
    let mut fields: Vec<String> = Vec::new();
    for p in catalog {
        if !fields.contains(&p.field) {
            fields.push(p.field.clone());
        }
    }
    fields
}

/// Everything the wizard holds, as saved in the data directory on every change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// RFC 3339, Vietnam time.
    pub saved_at: String,
    pub step: WizardStep,
    #[serde(default)]
    pub query: String,
    pub procedure: Option<String>,
    pub case_id: Option<String>,
    #[serde(default)]
    pub lookup: String,
    pub applicant: Option<Citizen>,
    pub activation: Option<Activation>,
    pub new_citizen: Option<CitizenDraft>,
    /// The inline account form closed with Esc, kept for the same number.
    #[serde(default)]
    pub set_aside: Option<CitizenDraft>,
    /// A citizen of another office, by number and date of birth.
    #[serde(default)]
    pub presented: Option<PresentedDraft>,
    #[serde(default)]
    pub authorized: bool,
    #[serde(default)]
    pub submitter_name: String,
    #[serde(default)]
    pub submitter_id: String,
    #[serde(default)]
    pub authorization: String,
    #[serde(default)]
    pub docs: Vec<DocState>,
    pub delivery: DeliveryMethod,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub pages: String,
    #[serde(default)]
    pub copies: String,
    #[serde(default)]
    pub pay: PayChoice,
    #[serde(default)]
    pub receipt_no: String,
    #[serde(default)]
    pub declaration: bool,
    pub key: String,
    pub cash_key: String,
    /// The held number given offline, when it was.
    #[serde(default)]
    pub offline: Option<crate::tui::offline::Numbered>,
}

impl Draft {
    /// The same draft, whenever saved: what tells whether anything changed.
    pub fn content_eq(&self, other: &Draft) -> bool {
        let mut a = self.clone();
        a.saved_at = other.saved_at.clone();
        &a == other
    }
}

/// A [`PresentedCheck`] as saved in a draft.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PresentedDraft {
    pub id_number: String,
    pub date_of_birth: String,
    pub confirmed: bool,
}

/// The citizens pane's unfinished account forms, saved in the data directory on every
/// change like the intake draft (a file of its own: either may be there without the
/// other), and restored at the next login of the same profile and user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitizensDraft {
    /// RFC 3339, Vietnam time.
    pub saved_at: String,
    /// The form that was open.
    #[serde(default)]
    pub form: Option<CitizenDraft>,
    /// The form closed with Esc.
    #[serde(default)]
    pub set_aside: Option<CitizenDraft>,
}

impl CitizensDraft {
    /// The same forms, whenever saved.
    pub fn content_eq(&self, other: &CitizensDraft) -> bool {
        self.form == other.form && self.set_aside == other.set_aside
    }
}

/// The citizen form as saved in a draft.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CitizenDraft {
    pub values: Vec<String>,
    pub gender: Option<Gender>,
    pub focus: usize,
    pub key: String,
}

// ---------------------------------------------------------------------------------------
// The citizens pane

/// A one-time activation code to hand to a citizen, with whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slip {
    pub citizen: Citizen,
    pub activation: Activation,
}

#[derive(Debug, Clone)]
pub struct CitizensPane {
    pub query: TextArea<'static>,
    /// The text the results are for.
    pub searched: Option<String>,
    pub results: Vec<Citizen>,
    pub selected: usize,
    pub detail: Option<CitizenDetail>,
    pub dossier_selected: usize,
    pub form: Option<CitizenForm>,
    /// The form closed with Esc, kept: Ctrl-N brings it back (unless another number is
    /// searched for), and it is in the draft on disk with the open one.
    pub set_aside: Option<CitizenForm>,
    /// Shown above the detail: why it opened (the number already has an account).
    pub note: Option<String>,
    /// A new code for an active account (a password reset): the card, being checked.
    pub reset: Option<ResetPrompt>,
    pub pending: Option<RequestId>,
    /// The open citizen's store (issue 16): their id and documents, once read.
    pub store: Option<(String, Vec<crate::api::documents::StoredDocument>)>,
    /// The store being read, for which citizen.
    pub store_pending: Option<(RequestId, String)>,
}

/// The citizen's card, asked for before a password reset: the identity number and the
/// date of birth, typed from the card the citizen presents.
#[derive(Debug, Clone)]
pub struct ResetPrompt {
    pub id_number: TextArea<'static>,
    pub date_of_birth: TextArea<'static>,
    /// 0: the number, 1: the date of birth.
    pub focus: usize,
    pub error: Option<String>,
    /// The reset's idempotency key, fixed when the prompt opens.
    pub key: String,
}

impl ResetPrompt {
    pub fn new(key: String) -> ResetPrompt {
        let mut date_of_birth = text_field();
        date_of_birth.set_placeholder_text("dd/mm/yyyy");
        ResetPrompt {
            id_number: text_field(),
            date_of_birth,
            focus: 0,
            error: None,
            key,
        }
    }

    /// What the portal takes; `None` until both are typed and the date is one.
    pub fn presented(&self) -> Option<Presented> {
        let id_number = field_text(&self.id_number).trim().to_owned();
        let date = parse_date(&field_text(&self.date_of_birth))?;
        (!id_number.is_empty()).then(|| Presented {
            id_number,
            date_of_birth: date.format("%Y-%m-%d").to_string(),
        })
    }
}

impl CitizensPane {
    pub fn new() -> CitizensPane {
        CitizensPane {
            query: text_field(),
            searched: None,
            results: Vec::new(),
            selected: 0,
            detail: None,
            dossier_selected: 0,
            form: None,
            set_aside: None,
            store: None,
            store_pending: None,
            note: None,
            reset: None,
            pending: None,
        }
    }

    /// The unfinished account forms, as saved on every change; `None` when there is
    /// nothing typed to keep.
    pub fn to_draft(&self, saved_at: String) -> Option<CitizensDraft> {
        let keep = |f: &Option<CitizenForm>| {
            f.as_ref()
                .filter(|f| !f.is_blank())
                .map(CitizenForm::to_draft)
        };
        let (form, set_aside) = (keep(&self.form), keep(&self.set_aside));
        (form.is_some() || set_aside.is_some()).then_some(CitizensDraft {
            saved_at,
            form,
            set_aside,
        })
    }
}

impl Default for CitizensPane {
    fn default() -> Self {
        CitizensPane::new()
    }
}

/// The activation slip as text: to read out, save or print.
pub fn slip_text(lang: Lang, slip: &Slip, office: &str) -> String {
    let c = &slip.citizen;
    let code = slip
        .activation
        .code
        .clone()
        .unwrap_or_else(|| tr(lang, "slip.code_withheld").to_owned());
    let expires = chrono::DateTime::parse_from_rfc3339(&slip.activation.expires_at)
        .map(|t| t.format("%H:%M %d/%m/%Y").to_string())
        .unwrap_or_else(|_| slip.activation.expires_at.clone());
    let mut out = String::new();
    out.push_str(&format!("{}\n{}\n\n", office, tr(lang, "slip.title")));
    let line = |out: &mut String, k: &'static str, v: &str| {
        out.push_str(&format!("{:<22}{}\n", format!("{}:", tr(lang, k)), v));
    };
    line(&mut out, "slip.name", &c.full_name);
    line(&mut out, "slip.username", &c.id_number);
    line(&mut out, "slip.code", &code);
    line(&mut out, "slip.expires", &expires);
    out.push('\n');
    out.push_str(&wrap(tr(lang, "slip.how"), 72));
    out
}

/// Words to lines of at most `width` characters (a slip is printed as plain text).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if line > 0 && line + 1 + n > width {
            out.push('\n');
            line = 0;
        }
        if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += n;
    }
    out.push('\n');
    out
}
