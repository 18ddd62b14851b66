//! Documents at the desk (issue 16), as the TUI holds them: the form that digitizes a
//! document part (its scan and metadata), what the intake wizard keeps of it in the draft,
//! and which of the applicant's stored documents to offer for a part. No IO here.

use crate::api::documents::{DigitizationRequest, StoredDocument};
use crate::domain::Lang;
use crate::domain::RuleError;
use crate::domain::documents::{MetaField, MetaInput, check_meta};
use crate::domain::text::fold;
use crate::tui::intake::{FileState, read_date};
use crate::tui::state::{RequestId, field_text, text_field};
use chrono::NaiveDate;
use ratatui_textarea::TextArea;
use serde::{Deserialize, Serialize};

/// The scanner's program (SANE), looked up on the `PATH` (`tui::paths::scan` runs it).
pub const SCANNER: &str = "scanimage";

/// The rows of the digitize form, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigitizeRow {
    /// Which part of the dossier (from the detail only).
    Part,
    /// The scan: a file path, or what the scanner saved.
    Scan,
    Meta(MetaField),
}

impl DigitizeRow {
    pub fn label_key(self) -> &'static str {
        match self {
            DigitizeRow::Part => "digitize.part",
            DigitizeRow::Scan => "digitize.scan",
            DigitizeRow::Meta(MetaField::DocType) => "digitize.doc_type",
            DigitizeRow::Meta(MetaField::Number) => "digitize.number",
            DigitizeRow::Meta(MetaField::IssuedOn) => "digitize.issued_on",
            DigitizeRow::Meta(MetaField::Issuer) => "digitize.issuer",
            DigitizeRow::Meta(MetaField::ValidUntil) => "digitize.valid_until",
        }
    }

    /// Whether the row is a text field (the part row is a choice).
    pub fn is_text(self) -> bool {
        self != DigitizeRow::Part
    }
}

/// The metadata as typed, kept in the intake's draft (dates as the officer wrote them).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MetaDraft {
    /// The scan's path as typed (or as the scanner saved it), until it is attached.
    #[serde(default)]
    pub scan: String,
    pub doc_type: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub issued_on: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub valid_until: String,
}

impl MetaDraft {
    pub fn get(&self, field: MetaField) -> &str {
        match field {
            MetaField::DocType => &self.doc_type,
            MetaField::Number => &self.number,
            MetaField::IssuedOn => &self.issued_on,
            MetaField::Issuer => &self.issuer,
            MetaField::ValidUntil => &self.valid_until,
        }
    }

    fn set(&mut self, field: MetaField, text: String) {
        match field {
            MetaField::DocType => self.doc_type = text,
            MetaField::Number => self.number = text,
            MetaField::IssuedOn => self.issued_on = text,
            MetaField::Issuer => self.issuer = text,
            MetaField::ValidUntil => self.valid_until = text,
        }
    }

    /// What the portal takes, checked as the portal checks it: dates read as the desk
    /// writes them (`dd/mm/yyyy`…), then the domain's rules. Every fault by its field, in
    /// the official's language.
    pub fn request(
        &self,
        upload_id: Option<String>,
        today: NaiveDate,
        lang: Lang,
    ) -> Result<DigitizationRequest, Vec<(MetaField, String)>> {
        let mut faults = Vec::new();
        let mut date = |field: MetaField| {
            let typed = self.get(field).trim();
            if typed.is_empty() {
                return None;
            }
            match read_date(typed) {
                Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
                Err(problem) => {
                    faults.push((field, problem.message(lang)));
                    None
                }
            }
        };
        let issued_on = date(MetaField::IssuedOn);
        let valid_until = date(MetaField::ValidUntil);
        if !faults.is_empty() {
            return Err(faults);
        }
        let checked = check_meta(
            &MetaInput {
                doc_type: &self.doc_type,
                number: Some(&self.number),
                issued_on: issued_on.as_deref(),
                issuer: Some(&self.issuer),
                valid_until: valid_until.as_deref(),
            },
            today,
        )
        .map_err(|faults| {
            faults
                .into_iter()
                .map(|(field, e)| (field, e.message(lang)))
                .collect::<Vec<_>>()
        })?;
        let iso = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        Ok(DigitizationRequest {
            upload_id,
            doc_type: checked.doc_type,
            number: checked.number,
            issued_on: iso(checked.issued_on),
            issuer: checked.issuer,
            valid_until: iso(checked.valid_until),
        })
    }
}

/// A stored document chosen for a part of the intake (kept in the draft with what the
/// row shows of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reuse {
    pub id: String,
    pub doc_type: String,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub valid_until: Option<String>,
}

impl From<&StoredDocument> for Reuse {
    fn from(d: &StoredDocument) -> Reuse {
        Reuse {
            id: d.id.clone(),
            doc_type: d.doc_type.clone(),
            number: d.number.clone(),
            valid_until: d.valid_until.clone(),
        }
    }
}

/// The stored documents to offer for a part, best first: valid ones only (an expired
/// one would be refused), those digitized for a part of the same id, then those whose
/// type shares a word with the part's name, then the others; newest first within each.
pub fn offers<'a>(
    store: &'a [StoredDocument],
    part_id: &str,
    part_name: &str,
) -> Vec<&'a StoredDocument> {
    let mut valid: Vec<&StoredDocument> = store.iter().filter(|d| !d.expired).collect();
    valid.reverse();
    valid.sort_by_key(|d| rank(d, part_id, part_name));
    valid
}

/// How well a stored document fits a part: 0 digitized for a part of the same id, 1 its
/// type shares a word with the part's name, 2 neither.
fn rank(d: &StoredDocument, part_id: &str, part_name: &str) -> u8 {
    let name = fold(part_name);
    let words: Vec<&str> = name.split_whitespace().filter(|w| w.len() > 3).collect();
    if d.source_part.as_deref() == Some(part_id) {
        0
    } else if fold(&d.doc_type)
        .split_whitespace()
        .any(|w| words.contains(&w))
    {
        1
    } else {
        2
    }
}

/// Whether a stored document is worth showing under a part (it fits it); the reuse key
/// still goes through every valid one.
pub fn fits(d: &StoredDocument, part_id: &str, part_name: &str) -> bool {
    rank(d, part_id, part_name) < 2
}

/// Which part the form digitizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigitizeTarget {
    /// A part of the intake wizard, by its row.
    Wizard { doc: usize },
    /// A part of a dossier already taken in, from its detail.
    Dossier {
        code: String,
        version: i64,
        parts: Vec<PartChoice>,
        part: usize,
    },
}

/// A part of a dossier, as the detail's form offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartChoice {
    pub part_id: String,
    pub name: String,
    /// It has an attachment already: the scan may be left out.
    pub has_file: bool,
    pub digitized: bool,
}

/// The form: a scan and its metadata for one part.
#[derive(Debug, Clone)]
pub struct DigitizeForm {
    pub target: DigitizeTarget,
    pub scan: TextArea<'static>,
    pub meta: [TextArea<'static>; 5],
    pub row: DigitizeRow,
    /// What is wrong, under the row at fault (`None`: the form as a whole).
    pub error: Option<(Option<DigitizeRow>, String)>,
    /// From the detail: the scan's upload (its key fixed when the form opened, so a
    /// retry goes on with the same upload) and its progress.
    pub upload_key: String,
    pub upload: Option<FileState>,
    /// The request on its way: the file checked, the upload, the scanner or the PUT.
    pub pending: Option<RequestId>,
    pub scanning: bool,
}

impl DigitizeForm {
    pub fn new(target: DigitizeTarget, draft: &MetaDraft, path: &str, upload_key: String) -> Self {
        let field = |s: &str| {
            let mut t = text_field();
            t.insert_str(s);
            t
        };
        let row = match target {
            DigitizeTarget::Wizard { .. } => DigitizeRow::Scan,
            DigitizeTarget::Dossier { .. } => DigitizeRow::Part,
        };
        DigitizeForm {
            target,
            scan: field(path),
            meta: MetaField::ALL.map(|f| field(draft.get(f))),
            row,
            error: None,
            upload_key,
            upload: None,
            pending: None,
            scanning: false,
        }
    }

    /// The rows shown, top to bottom.
    pub fn rows(&self) -> Vec<DigitizeRow> {
        let mut rows = Vec::new();
        if matches!(self.target, DigitizeTarget::Dossier { .. }) {
            rows.push(DigitizeRow::Part);
        }
        rows.push(DigitizeRow::Scan);
        rows.extend(MetaField::ALL.map(DigitizeRow::Meta));
        rows
    }

    pub fn field(&self, row: DigitizeRow) -> Option<&TextArea<'static>> {
        match row {
            DigitizeRow::Part => None,
            DigitizeRow::Scan => Some(&self.scan),
            DigitizeRow::Meta(f) => MetaField::ALL
                .iter()
                .position(|x| *x == f)
                .map(|i| &self.meta[i]),
        }
    }

    pub fn field_mut(&mut self, row: DigitizeRow) -> Option<&mut TextArea<'static>> {
        match row {
            DigitizeRow::Part => None,
            DigitizeRow::Scan => Some(&mut self.scan),
            DigitizeRow::Meta(f) => MetaField::ALL
                .iter()
                .position(|x| *x == f)
                .map(|i| &mut self.meta[i]),
        }
    }

    /// The metadata as typed.
    pub fn draft(&self) -> MetaDraft {
        let mut d = MetaDraft {
            scan: field_text(&self.scan),
            ..MetaDraft::default()
        };
        for (i, f) in MetaField::ALL.iter().enumerate() {
            d.set(*f, field_text(&self.meta[i]));
        }
        d
    }

    pub fn path(&self) -> String {
        field_text(&self.scan).trim().to_owned()
    }

    /// The dossier part chosen (from the detail).
    pub fn part(&self) -> Option<&PartChoice> {
        match &self.target {
            DigitizeTarget::Dossier { parts, part, .. } => parts.get(*part),
            DigitizeTarget::Wizard { .. } => None,
        }
    }

    pub fn move_focus(&mut self, by: isize) {
        let rows = self.rows();
        let at = rows.iter().position(|r| *r == self.row).unwrap_or(0) as isize;
        let to = (at + by).clamp(0, rows.len() as isize - 1) as usize;
        self.row = rows[to];
    }
}

/// The percentage of a ratio for the stats pane: "40,0 %" / "40.0 %"; "—" for 0/0.
pub fn percent_text(numerator: u64, denominator: u64, lang: Lang) -> String {
    match crate::domain::documents::percent(numerator, denominator) {
        None => "—".to_owned(),
        Some(p) => {
            let text = format!("{p:.1} %");
            match lang {
                Lang::Vi => text.replace('.', ","),
                Lang::En => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::documents::StoredKind;

    fn stored(id: &str, doc_type: &str, part: Option<&str>, expired: bool) -> StoredDocument {
        StoredDocument {
            id: id.into(),
            doc_type: doc_type.into(),
            number: None,
            issued_on: None,
            issuer: None,
            valid_until: None,
            source_dossier: "X".into(),
            source_part: part.map(str::to_owned),
            kind: StoredKind::Digitized,
            filename: "a.pdf".into(),
            content_type: "application/pdf".into(),
            size: 1,
            sha256: "00".into(),
            created_at: String::new(),
            expired,
        }
    }

    #[test]
    fn the_same_part_comes_first_and_expired_documents_never() {
        let store = vec![
            stored("a", "Giấy khai sinh", None, false),
            stored("b", "Căn cước công dân", Some("giay_to_tuy_than"), false),
            stored("c", "Chứng minh nhân dân", Some("giay_to_tuy_than"), true),
            stored("d", "Giấy tờ tùy thân khác", None, false),
        ];
        let ids: Vec<&str> = offers(
            &store,
            "giay_to_tuy_than",
            "Giấy tờ tùy thân của người yêu cầu",
        )
        .iter()
        .map(|d| d.id.as_str())
        .collect();
        assert_eq!(ids, vec!["b", "d", "a"]);
    }

    #[test]
    fn typed_dates_become_iso_and_faults_are_named() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        let draft = MetaDraft {
            scan: String::new(),
            doc_type: "Căn cước công dân".into(),
            number: "083078238953".into(),
            issued_on: "10/04/2021".into(),
            issuer: String::new(),
            valid_until: "10042036".into(),
        };
        let r = draft.request(None, today, Lang::Vi).unwrap();
        assert_eq!(r.issued_on.as_deref(), Some("2021-04-10"));
        assert_eq!(r.valid_until.as_deref(), Some("2036-04-10"));
        assert_eq!(r.issuer, None);
        let bad = MetaDraft {
            doc_type: " ".into(),
            issued_on: "31/02/2021".into(),
            ..MetaDraft::default()
        };
        let faults = bad.request(None, today, Lang::En).unwrap_err();
        assert_eq!(faults[0].0, MetaField::IssuedOn);
        assert!(faults[0].1.contains("31/02/2021"), "{faults:?}");
        let empty = MetaDraft::default()
            .request(None, today, Lang::En)
            .unwrap_err();
        assert_eq!(empty[0].0, MetaField::DocType);
    }

    #[test]
    fn percentages_read_in_the_officials_language() {
        assert_eq!(percent_text(2, 5, Lang::Vi), "40,0 %");
        assert_eq!(percent_text(2, 5, Lang::En), "40.0 %");
        assert_eq!(percent_text(0, 0, Lang::Vi), "—");
    }
}
