//! The certification pane (issue 21): the entry an official fills in while the citizen
//! waits at the counter, and the office's books. State and its pure rules only:
//! `update::certify` changes it, `view::certify` draws it.
//!
//! Built for speed on a repeat: the kind stays as last chosen, the applicant comes from
//! a chip-card scan (no round trip) or from the 12-digit number looked up once, pages
//! and copies start at 1, and the fee is computed here with the domain's rule before
//! anything is sent, so the official names it while the citizen opens their wallet.

use crate::api::certifications::{
    Certification, CertificationApplicant, ContractAct, FeeOrder, Kind, MAX_COPIES, MAX_PAGES,
    NamedApplicant, NewCertification,
};
use crate::api::dossiers::CitizenRef;
use crate::api::stats::CertificationCounts;
use crate::domain::Lang;
use crate::tui::i18n::{tr, trf};
use crate::tui::state::{RequestId, field_text, text_field};
use ratatui_textarea::TextArea;

/// The entry's rows, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The kind (and, for a contract, its act): chosen with ←/→.
    Kind,
    /// The 12-digit number, or a chip-card QR as the scanner types it.
    IdNumber,
    FullName,
    Document,
    Pages,
    Copies,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Kind,
        Field::IdNumber,
        Field::FullName,
        Field::Document,
        Field::Pages,
        Field::Copies,
    ];

    pub fn label_key(self) -> &'static str {
        match self {
            Field::Kind => "certify.kind",
            Field::IdNumber => "certify.id_number",
            Field::FullName => "certify.full_name",
            Field::Document => "certify.document",
            Field::Pages => "certify.pages",
            Field::Copies => "certify.copies",
        }
    }

    /// The request's name for it, as a refusal names it.
    pub fn wire_name(self) -> &'static str {
        match self {
            Field::Kind => "kind",
            Field::IdNumber => "applicant.id_number",
            Field::FullName => "applicant.full_name",
            Field::Document => "document_name",
            Field::Pages => "pages",
            Field::Copies => "copies",
        }
    }
}

/// How the fee is taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PayWay {
    #[default]
    Cash,
    /// A transfer to the office's account, by the QR the screen shows.
    VietQr,
}

/// Seconds between two looks at whether a transfer arrived.
pub const TRANSFER_POLL_SECONDS: u32 = 2;

/// Where the entry stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    Editing,
    /// The fee on screen: in cash, Enter says it was taken and enters the certification;
    /// by VietQR, Enter shows the code to pay.
    Confirm,
    /// Paid by VietQR: the fee order being made (`order` is `None`), then its code on
    /// screen until the bank's notice arrives; then the entry goes by itself.
    /// `request`: the order or its status on its way; `poll_in`: seconds to the next look.
    Transfer {
        order: Option<Box<FeeOrder>>,
        request: Option<RequestId>,
        poll_in: u32,
    },
    /// Sent: waiting for the book's number. `queued`: the link failed and the entry is
    /// in the outbox, which sends it (with the same key) when the portal answers again.
    Sending {
        request: Option<RequestId>,
        queued: bool,
    },
    /// In the book: its number and text, to stamp or print.
    Done(Box<Certification>),
}

/// One certification being entered.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: Kind,
    pub act: ContractAct,
    pub id_number: TextArea<'static>,
    pub full_name: TextArea<'static>,
    pub document: TextArea<'static>,
    pub pages: TextArea<'static>,
    pub copies: TextArea<'static>,
    /// The office's citizen the number was found as; `None`: the applicant goes by the
    /// name and number typed (anyone may have a paper certified).
    pub citizen_id: Option<String>,
    pub focus: Field,
    pub stage: Stage,
    /// The entry's idempotency key, fixed when it is begun: a retry after a lost answer
    /// gets the same entry and number back.
    pub key: String,
    /// What is wrong, and with which row.
    pub error: Option<(Option<Field>, String)>,
    /// Under the number: who it was found as, or that nobody was.
    pub note: Option<String>,
    /// The number's lookup on its way: its request and the number.
    pub lookup: Option<(RequestId, String)>,
    /// The number the name was last filled for (looked up or scanned).
    pub looked_up: Option<String>,
    /// Rows still showing their default (pages and copies: 1): the first character typed
    /// replaces it, so 5 pages is `5`, not a deletion and a `5`.
    pub defaults: Vec<Field>,
    /// How the fee is taken (chosen on the fee's screen).
    pub pay: PayWay,
    /// The fee order's idempotency key and the amount it was drawn for: the same amount
    /// asks for the same order again (a retry), another amount for a new one.
    pub fee_key: Option<(u64, String)>,
}

impl Entry {
    pub fn new(key: String, kind: Kind, act: ContractAct) -> Entry {
        let mut pages = text_field();
        pages.insert_str("1");
        let mut copies = text_field();
        copies.insert_str("1");
        Entry {
            kind,
            act,
            id_number: text_field(),
            full_name: text_field(),
            document: text_field(),
            pages,
            copies,
            citizen_id: None,
            focus: Field::IdNumber,
            stage: Stage::Editing,
            key,
            error: None,
            note: None,
            lookup: None,
            looked_up: None,
            defaults: vec![Field::Pages, Field::Copies],
            pay: PayWay::Cash,
            fee_key: None,
        }
    }

    pub fn text_mut(&mut self, field: Field) -> Option<&mut TextArea<'static>> {
        Some(match field {
            Field::Kind => return None,
            Field::IdNumber => &mut self.id_number,
            Field::FullName => &mut self.full_name,
            Field::Document => &mut self.document,
            Field::Pages => &mut self.pages,
            Field::Copies => &mut self.copies,
        })
    }

    pub fn text(&self, field: Field) -> String {
        match field {
            Field::Kind => String::new(),
            Field::IdNumber => field_text(&self.id_number),
            Field::FullName => field_text(&self.full_name),
            Field::Document => field_text(&self.document),
            Field::Pages => field_text(&self.pages),
            Field::Copies => field_text(&self.copies),
        }
    }

    pub fn set(&mut self, field: Field, value: &str) {
        if let Some(t) = self.text_mut(field) {
            *t = text_field();
            t.insert_str(value);
        }
    }

    /// Pages and copies as typed, when they are whole numbers in range.
    pub fn counts(&self) -> Result<(u32, u32), (Field, &'static str)> {
        let number = |field: Field, max: i64| {
            let text = self.text(field);
            let text = text.trim();
            if text.is_empty() {
                return Err((field, "certify.need_count"));
            }
            match text.parse::<i64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n as u32),
                _ => Err((field, "certify.bad_count")),
            }
        };
        // A signature or a contract is one case however long the paper: its pages are
        // recorded all the same (the book has a column for them), never charged.
        Ok((
            number(Field::Pages, MAX_PAGES)?,
            number(Field::Copies, MAX_COPIES)?,
        ))
    }

    /// The fee as the portal will compute it; `None` while pages or copies are not
    /// numbers.
    pub fn fee(&self) -> Option<u64> {
        let (pages, copies) = self.counts().ok()?;
        Some(crate::domain::certification::fee(
            self.kind, self.act, pages, copies,
        ))
    }

    /// The request, or the first row that is wrong and why (a catalog key).
    pub fn request(&self) -> Result<NewCertification, (Field, &'static str)> {
        let number = self.text(Field::IdNumber).trim().to_owned();
        let name = self.text(Field::FullName).trim().to_owned();
        let document = self.text(Field::Document).trim().to_owned();
        if number.is_empty() && self.citizen_id.is_none() {
            return Err((Field::IdNumber, "certify.need_applicant"));
        }
        if name.is_empty() && self.citizen_id.is_none() {
            return Err((Field::FullName, "certify.need_name"));
        }
        if document.is_empty() {
            return Err((Field::Document, "certify.need_document"));
        }
        let (pages, copies) = self.counts()?;
        let applicant = match &self.citizen_id {
            Some(id) => CertificationApplicant::Citizen(CitizenRef {
                citizen_id: id.clone(),
            }),
            None => CertificationApplicant::Named(NamedApplicant {
                full_name: name,
                id_number: number,
            }),
        };
        Ok(NewCertification {
            kind: self.kind,
            act: (self.kind == Kind::Contract).then_some(self.act),
            applicant,
            document_name: document,
            pages: Some(i64::from(pages)),
            copies: Some(i64::from(copies)),
            note: None,
            fee_order: None,
        })
    }

    /// Rows typed in: a form with any is not thrown away silently.
    pub fn is_blank(&self) -> bool {
        [Field::IdNumber, Field::FullName, Field::Document]
            .iter()
            .all(|f| self.text(*f).trim().is_empty())
    }

    pub fn is_done(&self) -> bool {
        matches!(self.stage, Stage::Done(_))
    }

    /// The entry is on its way, or waits for its transfer: nothing of it changes then.
    pub fn is_sending(&self) -> bool {
        matches!(self.stage, Stage::Sending { .. } | Stage::Transfer { .. })
    }

    /// The fee order shown, when paid by VietQR.
    pub fn order(&self) -> Option<&FeeOrder> {
        match &self.stage {
            Stage::Transfer { order, .. } => order.as_deref(),
            _ => None,
        }
    }
}

/// A certification being typed, as kept on disk after every change (a crash, a closed
/// laptop or a killed terminal loses nothing typed). Only an entry not yet sent: once on
/// its way it is the outbox's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CertifyDraft {
    /// RFC 3339, Vietnam time.
    pub saved_at: String,
    pub kind: Kind,
    pub act: ContractAct,
    pub id_number: String,
    pub full_name: String,
    pub citizen_id: Option<String>,
    pub document: String,
    pub pages: String,
    pub copies: String,
    pub key: String,
    #[serde(default)]
    pub looked_up: Option<String>,
}

impl CertifyDraft {
    /// The same entry, whenever saved.
    pub fn content_eq(&self, other: &CertifyDraft) -> bool {
        CertifyDraft {
            saved_at: String::new(),
            ..self.clone()
        } == CertifyDraft {
            saved_at: String::new(),
            ..other.clone()
        }
    }
}

impl Entry {
    /// What to keep on disk: an entry typed and not sent.
    pub fn to_draft(&self, saved_at: String) -> Option<CertifyDraft> {
        let unsent = matches!(self.stage, Stage::Editing | Stage::Confirm);
        (unsent && !self.is_blank()).then(|| CertifyDraft {
            saved_at,
            kind: self.kind,
            act: self.act,
            id_number: self.text(Field::IdNumber),
            full_name: self.text(Field::FullName),
            citizen_id: self.citizen_id.clone(),
            document: self.text(Field::Document),
            pages: self.text(Field::Pages),
            copies: self.text(Field::Copies),
            key: self.key.clone(),
            looked_up: self.looked_up.clone(),
        })
    }

    /// The entry as an earlier run left it, its key kept (it was never sent), at its
    /// first empty row.
    pub fn from_draft(d: &CertifyDraft) -> Entry {
        let mut e = Entry::new(d.key.clone(), d.kind, d.act);
        e.set(Field::IdNumber, &d.id_number);
        e.set(Field::FullName, &d.full_name);
        e.set(Field::Document, &d.document);
        e.set(Field::Pages, &d.pages);
        e.set(Field::Copies, &d.copies);
        e.citizen_id = d.citizen_id.clone();
        e.looked_up = d.looked_up.clone();
        e.defaults.clear();
        e.focus = [Field::IdNumber, Field::FullName, Field::Document]
            .into_iter()
            .find(|f| e.text(*f).trim().is_empty())
            .unwrap_or(Field::Copies);
        e
    }
}

/// The kind's name on the pane.
pub fn kind_label(lang: Lang, kind: Kind) -> &'static str {
    tr(
        lang,
        match kind {
            Kind::Copy => "certify.kind_copy",
            Kind::Signature => "certify.kind_signature",
            Kind::Contract => "certify.kind_contract",
        },
    )
}

/// A contract's act on the pane.
pub fn act_label(lang: Lang, act: ContractAct) -> &'static str {
    tr(
        lang,
        match act {
            ContractAct::Contract => "certify.act_contract",
            ContractAct::Amendment => "certify.act_amendment",
            ContractAct::Correction => "certify.act_correction",
        },
    )
}

/// How the fee is reckoned, beside it: `5 trang × 3 bản` for copies.
pub fn fee_basis(lang: Lang, e: &Entry) -> String {
    match (e.kind, e.counts()) {
        (Kind::Copy, Ok((pages, copies))) => trf(
            lang,
            "certify.fee_basis_copy",
            &[
                ("pages", &pages.to_string()),
                ("copies", &copies.to_string()),
                (
                    "each",
                    &crate::domain::fees::format_vnd(
                        crate::domain::certification::copy_fee_per_copy(pages),
                        lang,
                    ),
                ),
            ],
        ),
        (Kind::Signature, _) => tr(lang, "certify.fee_basis_signature").to_owned(),
        (Kind::Contract, _) => act_label(lang, e.act).to_owned(),
        _ => String::new(),
    }
}

/// The books: a search over the office's entries, newest first, and the day's totals.
#[derive(Debug, Clone)]
pub struct Book {
    pub query: TextArea<'static>,
    /// The words the entries listed were found by (`Some("")`: all of them).
    pub searched: Option<String>,
    pub entries: Vec<Certification>,
    pub next_cursor: Option<String>,
    pub selected: usize,
    pub pending: Option<RequestId>,
    /// The request on its way is for the next page (added to the list), not a search.
    pub appending: bool,
    /// The day's certifications and fees (the cash to count at closing), and which day.
    pub totals: Option<(String, CertificationCounts)>,
    pub totals_pending: Option<RequestId>,
    pub error: Option<String>,
}

impl Book {
    pub fn new() -> Book {
        Book {
            query: text_field(),
            searched: None,
            entries: Vec::new(),
            next_cursor: None,
            selected: 0,
            pending: None,
            appending: false,
            totals: None,
            totals_pending: None,
            error: None,
        }
    }
}

impl Default for Book {
    fn default() -> Self {
        Book::new()
    }
}

/// The pane: the entry and the books, one shown at a time.
#[derive(Debug, Clone)]
pub struct CertifyPane {
    pub entry: Entry,
    pub book: Book,
    /// The books are on screen (Ctrl-B switches).
    pub in_book: bool,
}

impl CertifyPane {
    pub fn new(key: String) -> CertifyPane {
        CertifyPane {
            entry: Entry::new(key, Kind::Copy, ContractAct::Contract),
            book: Book::new(),
            in_book: false,
        }
    }
}

/// The next (or previous) kind, in the order the row shows them.
pub fn step_kind(kind: Kind, forward: bool) -> Kind {
    let all = Kind::ALL;
    let at = all.iter().position(|k| *k == kind).unwrap_or(0);
    let n = all.len();
    all[if forward {
        (at + 1) % n
    } else {
        (at + n - 1) % n
    }]
}

/// The next (or previous) act of a contract.
pub fn step_act(act: ContractAct, forward: bool) -> ContractAct {
    let all = ContractAct::ALL;
    let at = all.iter().position(|a| *a == act).unwrap_or(0);
    let n = all.len();
    all[if forward {
        (at + 1) % n
    } else {
        (at + n - 1) % n
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(kind: Kind) -> Entry {
        let mut e = Entry::new("k".into(), kind, ContractAct::Contract);
        e.set(Field::IdNumber, "001099012345");
        e.set(Field::FullName, "Trần Thị Hoa");
        e.set(Field::Document, "Bằng tốt nghiệp THPT");
        e
    }

    #[test]
    fn the_fee_on_screen_is_the_domains_for_what_is_typed() {
        let mut e = typed(Kind::Copy);
        e.set(Field::Pages, "5");
        e.set(Field::Copies, "3");
        assert_eq!(e.fee(), Some(21_000));
        e.set(Field::Copies, "x");
        assert_eq!(e.fee(), None);
        let mut s = typed(Kind::Signature);
        s.set(Field::Pages, "40");
        assert_eq!(s.fee(), Some(10_000));
    }

    #[test]
    fn the_request_names_the_first_row_that_is_missing_or_out_of_range() {
        let mut e = typed(Kind::Copy);
        e.set(Field::Document, " ");
        assert_eq!(e.request().unwrap_err().0, Field::Document);
        let mut e = typed(Kind::Copy);
        e.set(Field::Pages, "0");
        assert_eq!(
            e.request().unwrap_err(),
            (Field::Pages, "certify.bad_count")
        );
        e.set(Field::Pages, "10001");
        assert_eq!(e.request().unwrap_err().0, Field::Pages);
        e.set(Field::Pages, "2");
        e.set(Field::Copies, "");
        assert_eq!(
            e.request().unwrap_err(),
            (Field::Copies, "certify.need_count")
        );
        let mut e = typed(Kind::Copy);
        e.set(Field::FullName, "");
        assert_eq!(e.request().unwrap_err().0, Field::FullName);
    }

    #[test]
    fn a_citizen_found_goes_by_id_and_anyone_else_by_name_and_number() {
        let mut e = typed(Kind::Contract);
        e.act = ContractAct::Amendment;
        let r = e.request().unwrap();
        assert_eq!(r.act, Some(ContractAct::Amendment));
        assert!(matches!(r.applicant, CertificationApplicant::Named(ref n)
            if n.full_name == "Trần Thị Hoa" && n.id_number == "001099012345"));
        e.citizen_id = Some("c-1".into());
        assert!(matches!(e.request().unwrap().applicant,
            CertificationApplicant::Citizen(ref c) if c.citizen_id == "c-1"));
        // Only a contract carries an act.
        assert_eq!(typed(Kind::Copy).request().unwrap().act, None);
    }

    #[test]
    fn kinds_and_acts_go_round() {
        assert_eq!(step_kind(Kind::Copy, true), Kind::Signature);
        assert_eq!(step_kind(Kind::Copy, false), Kind::Contract);
        assert_eq!(
            step_act(ContractAct::Correction, true),
            ContractAct::Contract
        );
    }
}
