//! `GET /registers/dossiers`: the register of dossiers (Sổ theo dõi hồ sơ) of a period.

use crate::api::limits::{self, Bound, Bounded};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The longest period one register covers, in days (a leap year).
pub const MAX_DAYS: i64 = 366;

/// The register's query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegisterQuery {
    /// The first day received, `YYYY-MM-DD` (at +07:00).
    #[param(format = Date, max_length = 32, example = "2026-03-01")]
    pub from: String,
    /// The last day received, `YYYY-MM-DD`; at most 366 days after `from`.
    #[param(format = Date, max_length = 32, example = "2026-03-31")]
    pub to: String,
    /// The format; when given it decides, whatever `Accept` says.
    pub format: Option<RegisterFormat>,
}

impl Bounded for RegisterQuery {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("from", limits::SHORT),
        Bound::line("to", limits::SHORT),
    ];
}

/// What the register is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegisterFormat {
    /// A4 landscape PDF, as printed and signed.
    Pdf,
    /// CSV in UTF-8 with a byte order mark, one record per dossier.
    Csv,
    /// An Excel workbook: the register and a sheet of totals.
    Xlsx,
}

impl RegisterFormat {
    /// In the portal's order of preference for `Accept: */*`.
    pub const ALL: [RegisterFormat; 3] = [
        RegisterFormat::Pdf,
        RegisterFormat::Csv,
        RegisterFormat::Xlsx,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            RegisterFormat::Pdf => "pdf",
            RegisterFormat::Csv => "csv",
            RegisterFormat::Xlsx => "xlsx",
        }
    }

    /// The media type it is sent as.
    pub const fn media_type(self) -> &'static str {
        match self {
            RegisterFormat::Pdf => "application/pdf",
            RegisterFormat::Csv => "text/csv",
            RegisterFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    /// The file name's extension.
    pub const fn extension(self) -> &'static str {
        self.as_str()
    }

    pub fn from_media_type(kind: &str) -> Option<RegisterFormat> {
        RegisterFormat::ALL
            .into_iter()
            .find(|f| f.media_type() == kind)
    }
}
