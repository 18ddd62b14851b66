//! The catalog of administrative procedures (thủ tục hành chính): each procedure has
//! cases (trường hợp), each case its required document parts, desk and online durations
//! and fee schedule. Data, loaded from the portal's catalog; the rules that read it
//! (due dates, fees, completeness of a submission) live here beside it.

use super::Lang;
use super::calendar::DurationUnit;
use super::fees::FeeSchedule;
use super::workflow::DeliveryMethod;
use serde::{Deserialize, Serialize};

/// How much of a procedure can be done online (Decree 42/2022), with the old level
/// numbers the seed course still uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// Information only (old levels 1–2): no online submission.
    None,
    /// Một phần (≈ level 3): submitted online; fees and results at the office.
    Partial,
    /// Toàn trình (≈ level 4): paid online, result online, by post or at the desk.
    Full,
}

impl OnlineLevel {
    /// The old level number: 2, 3 or 4.
    pub const fn old_level(self) -> u8 {
        match self {
            OnlineLevel::None => 2,
            OnlineLevel::Partial => 3,
            OnlineLevel::Full => 4,
        }
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (OnlineLevel::None, Lang::Vi) => "Cung cấp thông tin (mức 1–2)",
            (OnlineLevel::None, Lang::En) => "Information only (levels 1–2)",
            (OnlineLevel::Partial, Lang::Vi) => "Dịch vụ công trực tuyến một phần (mức 3)",
            (OnlineLevel::Partial, Lang::En) => "Partially online (level 3)",
            (OnlineLevel::Full, Lang::Vi) => "Dịch vụ công trực tuyến toàn trình (mức 4)",
            (OnlineLevel::Full, Lang::En) => "Fully online (level 4)",
        }
    }
}

/// A processing time: an amount of a unit counted by the working-day calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Duration {
    pub amount: u32,
    pub unit: DurationUnit,
}

impl Duration {
    pub fn describe(&self, lang: Lang) -> String {
        match (self.unit, self.amount, lang) {
            (DurationUnit::WorkingDays, 0, Lang::Vi) => "Trong ngày".to_owned(),
            (DurationUnit::WorkingDays, 0, Lang::En) => "Same day".to_owned(),
            (DurationUnit::WorkingDays, n, Lang::Vi) => format!("{n} ngày làm việc"),
            (DurationUnit::WorkingDays, 1, Lang::En) => "1 working day".to_owned(),
            (DurationUnit::WorkingDays, n, Lang::En) => format!("{n} working days"),
            (DurationUnit::WorkingHours, n, Lang::Vi) => format!("{n} giờ làm việc"),
            (DurationUnit::WorkingHours, n, Lang::En) => format!("{n} working hours"),
            (DurationUnit::Days, n, Lang::Vi) => format!("{n} ngày"),
            (DurationUnit::Days, n, Lang::En) => format!("{n} days"),
        }
    }
}

/// One required (or optional) document of a case: thành phần hồ sơ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocumentPart {
    /// Stable within the procedure (`to_khai`, `giay_chung_sinh`).
    pub id: String,
    pub name: String,
    /// Number of originals (bản chính) and copies (bản sao) asked for.
    pub originals: u32,
    pub copies: u32,
    pub mandatory: bool,
    /// The form to fill in, when there is one (e.g. "Mẫu tờ khai đăng ký khai sinh").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_template: Option<String>,
}

/// A case of a procedure, with its own documents, durations and fees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Case {
    /// Stable within the procedure.
    pub id: String,
    pub name: String,
    pub documents: Vec<DocumentPart>,
    pub desk_duration: Duration,
    pub online_duration: Duration,
    pub fees: FeeSchedule,
}

/// A procedure of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Procedure {
    /// The national procedure code (`1.001193`).
    pub code: String,
    pub name: String,
    /// Lĩnh vực: civil status, certification, residence, …
    pub field: String,
    /// Cơ quan thực hiện: who decides.
    pub authority: String,
    pub online_level: OnlineLevel,
    pub delivery: Vec<DeliveryMethod>,
    /// Căn cứ pháp lý, in short.
    pub legal_basis: String,
    pub cases: Vec<Case>,
}

impl Procedure {
    pub fn case(&self, id: &str) -> Option<&Case> {
        self.cases.iter().find(|c| c.id == id)
    }
}

/// One document as presented with a submission: on paper, attached, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented<'a> {
    pub part_id: &'a str,
    pub on_paper: bool,
    pub attached: bool,
}

/// The mandatory parts of `case` that a submission lacks (neither on paper nor
/// attached), and the parts it names that the case does not have.
pub fn missing_and_unknown<'c>(
    case: &'c Case,
    presented: &[Presented<'_>],
) -> (Vec<&'c DocumentPart>, Vec<String>) {
    let missing = case
        .documents
        .iter()
        .filter(|part| part.mandatory)
        .filter(|part| {
            !presented
                .iter()
                .any(|p| p.part_id == part.id && (p.on_paper || p.attached))
        })
        .collect();
    let unknown = presented
        .iter()
        .filter(|p| !case.documents.iter().any(|part| part.id == p.part_id))
        .map(|p| p.part_id.to_owned())
        .collect();
    (missing, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(id: &str, mandatory: bool) -> DocumentPart {
        DocumentPart {
            id: id.into(),
            name: id.into(),
            originals: 1,
            copies: 0,
            mandatory,
            form_template: None,
        }
    }

    fn case() -> Case {
        Case {
            id: "dung_han".into(),
            name: "Đăng ký khai sinh đúng hạn".into(),
            documents: vec![
                part("to_khai", true),
                part("giay_chung_sinh", true),
                part("khac", false),
            ],
            desk_duration: Duration {
                amount: 0,
                unit: DurationUnit::WorkingDays,
            },
            online_duration: Duration {
                amount: 0,
                unit: DurationUnit::WorkingDays,
            },
            fees: FeeSchedule::free(),
        }
    }

    #[test]
    fn a_submission_must_present_every_mandatory_part() {
        let c = case();
        let presented = [
            Presented {
                part_id: "to_khai",
                on_paper: true,
                attached: false,
            },
            Presented {
                part_id: "giay_chung_sinh",
                on_paper: false,
                attached: false,
            },
            Presented {
                part_id: "la",
                on_paper: true,
                attached: false,
            },
        ];
        let (missing, unknown) = missing_and_unknown(&c, &presented);
        assert_eq!(
            missing.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
            ["giay_chung_sinh"],
            "named but neither on paper nor attached is missing"
        );
        assert_eq!(unknown, ["la"]);
        let complete = [
            Presented {
                part_id: "to_khai",
                on_paper: true,
                attached: false,
            },
            Presented {
                part_id: "giay_chung_sinh",
                on_paper: false,
                attached: true,
            },
        ];
        let (missing, unknown) = missing_and_unknown(&c, &complete);
        assert!(
            missing.is_empty() && unknown.is_empty(),
            "the optional part may be left out"
        );
    }

    #[test]
    fn levels_and_durations_read_well() {
        assert_eq!(OnlineLevel::Partial.old_level(), 3);
        assert_eq!(OnlineLevel::Full.old_level(), 4);
        assert!(OnlineLevel::Full.label(Lang::Vi).contains("toàn trình"));
        let same_day = Duration {
            amount: 0,
            unit: DurationUnit::WorkingDays,
        };
        assert_eq!(same_day.describe(Lang::Vi), "Trong ngày");
        let three = Duration {
            amount: 3,
            unit: DurationUnit::WorkingDays,
        };
        assert_eq!(three.describe(Lang::Vi), "3 ngày làm việc");
        assert_eq!(three.describe(Lang::En), "3 working days");
    }
}
