//! The working-day calendar: statutory holidays (solar and lunar), the Tết block,
//! compensatory days, per-year overrides, office hours, and due dates.
//!
//! All times are local to Asia/Ho_Chi_Minh, a fixed UTC+7 (no DST).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};

/// Local time at the desk: always offset +07:00.
pub type LocalTime = DateTime<FixedOffset>;

/// UTC+7, the offset of Asia/Ho_Chi_Minh all year round.
pub fn vn_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("7 h is a valid offset")
}

/// How a duration is counted (`unit` of `GET /calendar/due`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    WorkingDays,
    Days,
    WorkingHours,
}

/// What kind of special day a date is (`kind` of `GET /calendar/{year}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Holiday,
    Compensatory,
    WorkingSaturday,
}

/// One special day of a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}

/// The two office sessions of a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeHours {
    pub morning_start: NaiveTime,
    pub morning_end: NaiveTime,
    pub afternoon_start: NaiveTime,
    pub afternoon_end: NaiveTime,
}

/// A year's announced changes, which win over the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearOverrides {
    /// Extra days off, with their names.
    pub add_days_off: Vec<(NaiveDate, String)>,
    /// Default days off (holiday or compensatory) that are worked after all.
    pub remove_days_off: Vec<NaiveDate>,
    /// Saturdays that are worked (usually to make up a bridged day).
    pub working_saturdays: Vec<NaiveDate>,
}

/// Early / on time / late, for a dossier returned at `returned_at` against `due_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    Early,
    OnTime,
    Late,
}
