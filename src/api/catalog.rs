//! Offices, the procedure catalog and the calendar.

use crate::api::limits::{self, Bound, Bounded};
use crate::domain::calendar::{DayKind, DurationUnit};
use crate::domain::catalog::{Duration, OnlineLevel, Procedure};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `GET /offices` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Office {
    pub id: i64,
    /// The unit code used in dossier codes.
    pub code: String,
    pub name: String,
    pub address: String,
    pub phone: String,
    /// Where fees are paid (VietQR).
    pub bank_bin: String,
    pub bank_account: String,
    pub account_name: String,
}

/// `GET /procedures` item: enough to pick one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProcedureSummary {
    pub code: String,
    pub name: String,
    pub field: String,
    pub online_level: OnlineLevel,
    /// Of the first case, the usual one.
    pub desk_duration: Duration,
    pub online_duration: Duration,
    /// The desk fee of the first case, in words ("Miễn phí", "50.000 đ").
    pub fee: String,
}

/// `GET /procedures/{code}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProcedureDetail {
    #[serde(flatten)]
    pub procedure: Procedure,
    pub version: i64,
}

/// `GET /calendar/{year}` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CalendarDay {
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub date: String,
    pub kind: DayKind,
    pub name: String,
}

/// `GET /calendar/{year}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CalendarYear {
    pub year: i32,
    pub days: Vec<CalendarDay>,
}

/// `GET /calendar/due` query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// RFC 3339 start.
    #[param(format = DateTime, max_length = 64)]
    pub from: String,
    /// At most 2600 (ten years of working days).
    #[param(maximum = 2600)]
    pub amount: u32,
    pub unit: DurationUnit,
}

/// `GET /calendar/due` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DueAnswer {
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub due: String,
}

impl Bounded for DueQuery {
    const BOUNDS: &'static [Bound] = &[Bound::line("from", limits::CODE)];
}
