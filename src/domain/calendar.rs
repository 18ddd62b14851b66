//! The working-day calendar: statutory holidays (solar and lunar), the Tết block,
//! compensatory days, per-year overrides, office hours, and due dates.
//!
//! All times are local to Asia/Ho_Chi_Minh, a fixed UTC+7 (no DST). Times given with
//! another offset are read as the same instant at +07:00; every time returned is at
//! +07:00.
//!
//! Choices the rules leave open, made here:
//! - Office sessions are half-open: 11:30 (the morning's end) and 17:00 (the day's end)
//!   are outside them, so a dossier received at exactly 11:30 starts at 13:30 and one
//!   received at exactly 17:00 starts at 07:00 of the next working day. A count of
//!   working hours that ends exactly at a session's end returns that end (11:30 or
//!   17:00), not the next session's start.
//! - `days` N follows the Civil Code (art. 148): 17:00 of the Nth calendar day after the
//!   (normalized) start's day, or 17:00 of the next working day when that day is off.
//!   Every start of one day gets one due time, so a later start never gets an earlier one.
//! - A due time that lands exactly on the opening (07:00) is given as 17:00 of the
//!   previous working day: the same working instant, read as "by the end of that day".
//! - Two statutory holidays on the same date are one day off (their names joined) and
//!   give at most one compensatory day.
//! - Overrides apply after the defaults, and do not move compensatory days: removing a
//!   holiday that fell on a weekend leaves its compensatory day until that is removed
//!   too. When one date is in several lists, a day off added wins over a working
//!   Saturday, which wins over a removed day off.
//! - Dates saturate at the ends of chrono's range instead of failing.

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Timelike};
use chrono::{Utc, Weekday};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use super::lunar::{self, LunarDate};

/// Local time at the desk: always offset +07:00.
pub type LocalTime = DateTime<FixedOffset>;

/// UTC+7, the offset of Asia/Ho_Chi_Minh all year round.
pub fn vn_offset() -> FixedOffset {
    VN_OFFSET
}

/// Checked when compiling, so `vn_offset` cannot fail at run time.
const VN_OFFSET: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("7 h is a valid offset"),
};

/// How a duration is counted (`unit` of `GET /calendar/due`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    WorkingDays,
    Days,
    WorkingHours,
}

/// What kind of special day a date is (`kind` of `GET /calendar/{year}`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
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

/// The two office sessions of a working day, and the same-day cut-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeHours {
    pub morning_start: NaiveTime,
    pub morning_end: NaiveTime,
    pub afternoon_start: NaiveTime,
    pub afternoon_end: NaiveTime,
    /// A same-day procedure (0 working days) started at or before this time is due at
    /// the end of that day; one started later, at the end of the next working day.
    pub same_day_cutoff: NaiveTime,
}

impl Default for OfficeHours {
    /// 07:00–11:30 and 13:30–17:00, same-day cut-off 15:00.
    fn default() -> Self {
        Self {
            morning_start: clock(7, 0),
            morning_end: clock(11, 30),
            afternoon_start: clock(13, 30),
            afternoon_end: clock(17, 0),
            same_day_cutoff: clock(15, 0),
        }
    }
}

/// Announced changes, for any years, which win over the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Extra days off, with their names.
    pub add_days_off: Vec<(NaiveDate, String)>,
    /// Default days off (holiday or compensatory) that are worked after all; one on a
    /// weekend stays a weekend day off.
    pub remove_days_off: Vec<NaiveDate>,
    /// Saturdays that are worked (usually to make up a bridged day).
    pub working_saturdays: Vec<NaiveDate>,
}

/// Early / on time / late, for a dossier returned at `returned_at` against `due_at`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    Early,
    OnTime,
    Late,
}

/// Office hours and days off, answering "is this a working day" and "when is this due".
///
/// Each year's days off are worked out once, on first use, and shared by clones.
#[derive(Clone)]
pub struct Calendar {
    hours: OfficeHours,
    sessions: Sessions,
    overrides: Arc<HashMap<i32, Overrides>>,
    years: Arc<RwLock<HashMap<i32, YearTable>>>,
}

impl Default for Calendar {
    fn default() -> Self {
        Self::new(OfficeHours::default(), Overrides::default())
    }
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("hours", &self.hours)
            .field("overrides", &self.overrides)
            .finish_non_exhaustive()
    }
}

/// How many years' tables a calendar keeps; others are worked out on each use, so that
/// requests for far-off years cannot grow memory without bound.
const CACHED_YEARS: usize = 512;

impl Calendar {
    pub fn new(hours: OfficeHours, overrides: Overrides) -> Self {
        Self {
            hours,
            sessions: Sessions::from(&hours),
            overrides: Arc::new(overrides_by_year(overrides)),
            years: Arc::new(RwLock::new(HashMap::new())),
        }
    }

    pub fn hours(&self) -> &OfficeHours {
        &self.hours
    }

    /// Every statutory holiday of `year` (also those on a weekend), every compensatory
    /// day and every working Saturday, after the overrides, sorted by date.
    pub fn special_days(&self, year: i32) -> Vec<SpecialDay> {
        self.with_year(year, |table| table.days.clone())
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.with_year(date.year(), |table| !table.is_off(date.ordinal0()))
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        self.add_working_days(date, 1)
    }

    /// The `n`-th working day after `date`; `date` itself when `n` is 0.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        if n == 0 {
            return date;
        }
        // Every working day is at least one calendar day: if even that overshoots
        // chrono's range, say so at once rather than walk there.
        if i64::from(n) > NaiveDate::MAX.signed_duration_since(date).num_days() {
            return NaiveDate::MAX;
        }
        let mut remaining = n;
        let mut year = date.year();
        let mut from = date.ordinal0() + 1;
        loop {
            match self.with_year(year, |table| table.nth_working_day(from, remaining)) {
                Ok(ordinal0) => {
                    return NaiveDate::from_yo_opt(year, ordinal0 + 1).unwrap_or(NaiveDate::MAX);
                }
                Err(counted) => {
                    remaining -= counted;
                    if year >= NaiveDate::MAX.year() {
                        return NaiveDate::MAX;
                    }
                    year += 1;
                    from = 0;
                }
            }
        }
    }

    /// The same time of day `n` working days before `t`'s day: the last moment at which
    /// something that must happen `n` working days ahead of `t` can still happen (an
    /// extension 1 working day before the due time). Outside office hours a little later
    /// still counts; this is the moment an official can act on.
    pub fn working_days_before(&self, t: LocalTime, n: u32) -> LocalTime {
        let (mut date, time) = split(t);
        let mut left = n;
        // Days off come in blocks of at most a couple of weeks: a calendar with a longer
        // one stops the walk rather than go far.
        for _ in 0..(u64::from(n) * 7 + 60) {
            if left == 0 {
                break;
            }
            let Some(before) = date.pred_opt() else { break };
            date = before;
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        join(date, time)
    }

    /// The first moment at or after `t` when the office is open: before the morning →
    /// the morning's start; in the lunch break → the afternoon's start; at or after the
    /// day's end, or on a day off → the morning's start of the next working day.
    pub fn normalize_start(&self, t: LocalTime) -> LocalTime {
        let (date, time) = split(t);
        let (date, time) = self.normalize(date, time);
        join(date, time)
    }

    /// When a dossier started at `start` with a duration of `amount` `unit`s is due.
    pub fn due(&self, start: LocalTime, amount: u32, unit: DurationUnit) -> LocalTime {
        let (date, time) = split(start);
        let (date, time) = self.normalize(date, time);
        let (date, time) = match unit {
            DurationUnit::WorkingDays if amount == 0 => self.same_day_due(date, time),
            // Only a count of working days can land on the opening (hours end at a
            // session's end, the other counts at the day's end).
            DurationUnit::WorkingDays => {
                self.opening_as_previous_close(self.add_working_days(date, amount), time)
            }
            DurationUnit::WorkingHours => self.add_working_hours(date, time, amount),
            DurationUnit::Days => {
                let end = date
                    .checked_add_days(Days::new(u64::from(amount)))
                    .unwrap_or(NaiveDate::MAX);
                // Civil Code art. 148: the period ends with the office hours of its last
                // day; a last day off moves it to the end of the next working day.
                let end = if self.is_working_day(end) {
                    end
                } else {
                    self.next_working_day(end)
                };
                (end, self.sessions.afternoon_end)
            }
        };
        join(date, time)
    }

    /// A due time exactly at the opening is the same working instant as the close of
    /// the working day before, and that is what a citizen reads as "ready by the end of
    /// that day": 07:00 Tuesday is given as 17:00 Monday.
    fn opening_as_previous_close(&self, date: NaiveDate, time: i64) -> (NaiveDate, i64) {
        let s = &self.sessions;
        let no_office_time = s.morning_length() == 0 && s.afternoon_length() == 0;
        if time != s.opening() || no_office_time {
            return (date, time);
        }
        // Days off come in blocks of at most a couple of weeks (Tết with its bridges);
        // a calendar with a longer block keeps the opening rather than walk far.
        let mut day = date;
        for _ in 0..60 {
            let Some(before) = day.pred_opt() else { break };
            if self.is_working_day(before) {
                return (before, self.sessions.afternoon_end);
            }
            day = before;
        }
        (date, time)
    }

    /// Late if returned after `due_at`; on time if returned on `due_at`'s (local) date,
    /// not after it; early if returned on an earlier date.
    pub fn classify(&self, returned_at: LocalTime, due_at: LocalTime) -> Timeliness {
        let returned = returned_at.with_timezone(&vn_offset());
        let due = due_at.with_timezone(&vn_offset());
        if returned > due {
            Timeliness::Late
        } else if returned.date_naive() < due.date_naive() {
            Timeliness::Early
        } else {
            Timeliness::OnTime
        }
    }

    // -----------------------------------------------------------------------------------

    /// `normalize_start` on a local date and a time of day in nanoseconds.
    fn normalize(&self, date: NaiveDate, time: i64) -> (NaiveDate, i64) {
        let s = &self.sessions;
        if self.is_working_day(date) {
            if s.morning_length() > 0 && time < s.morning_end {
                return (date, time.max(s.morning_start));
            }
            if s.afternoon_length() > 0 && time < s.afternoon_end {
                return (date, time.max(s.afternoon_start));
            }
        }
        (self.next_working_day(date), s.opening())
    }

    /// Same-day procedures: the end of the start's day if started by the cut-off, else
    /// the end of the next working day.
    fn same_day_due(&self, date: NaiveDate, time: i64) -> (NaiveDate, i64) {
        let cutoff = nanos_of(self.hours.same_day_cutoff);
        let day = if time <= cutoff {
            date
        } else {
            self.next_working_day(date)
        };
        (day, self.sessions.afternoon_end)
    }

    /// `hours` hours of office time from an open moment (`date`, `time`).
    fn add_working_hours(&self, date: NaiveDate, time: i64, hours: u32) -> (NaiveDate, i64) {
        let s = &self.sessions;
        let mut remaining = i128::from(hours) * i128::from(NANOS_PER_HOUR);
        if remaining == 0 {
            return (date, time);
        }
        // What is left of the start's own day.
        for (start, end) in s.ranges() {
            if end > time {
                let from = time.max(start);
                let available = i128::from(end - from);
                if remaining <= available {
                    return (date, from + remaining as i64);
                }
                remaining -= available;
            }
        }
        let per_day = i128::from(s.morning_length() + s.afternoon_length());
        if per_day == 0 {
            // A calendar without office time cannot count hours; the start is the only
            // sensible answer, and it is an open moment.
            return (date, time);
        }
        // Whole days, then the part of the last day: the last day is the
        // ceil(remaining / per_day)-th working day after the start's day.
        let days = (remaining - 1) / per_day + 1;
        let in_last_day = remaining - (days - 1) * per_day;
        let Ok(days) = u32::try_from(days) else {
            return (NaiveDate::MAX, s.afternoon_end);
        };
        let last_day = self.add_working_days(date, days);
        // `in_last_day` is in 1..=per_day, so it fits an i64 and ends within the day.
        (last_day, s.moment_after_opening(in_last_day as i64))
    }

    /// Runs `f` on the table of `year`, computing (and keeping) it on first use.
    fn with_year<R>(&self, year: i32, f: impl FnOnce(&YearTable) -> R) -> R {
        // Nothing panics while a lock is held, so a poisoned lock still holds good data.
        if let Some(table) = self
            .years
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&year)
        {
            return f(table);
        }
        // Built without the lock held; if another thread builds the same year meanwhile,
        // both tables are equal and either may stay.
        let table = build_year(year, self.overrides.get(&year));
        let result = f(&table);
        let mut years = self.years.write().unwrap_or_else(PoisonError::into_inner);
        if years.len() < CACHED_YEARS {
            years.insert(year, table);
        }
        result
    }
}

fn overrides_by_year(overrides: Overrides) -> HashMap<i32, Overrides> {
    let mut by_year: HashMap<i32, Overrides> = HashMap::new();
    for (date, name) in overrides.add_days_off {
        let year = by_year.entry(date.year()).or_default();
        year.add_days_off.push((date, name));
    }
    for date in overrides.remove_days_off {
        let year = by_year.entry(date.year()).or_default();
        year.remove_days_off.push(date);
    }
    for date in overrides.working_saturdays {
        let year = by_year.entry(date.year()).or_default();
        year.working_saturdays.push(date);
    }
    by_year
}

// ---------------------------------------------------------------------------------------
// Office sessions, as nanoseconds since midnight

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const NANOS_PER_HOUR: i64 = 3_600 * NANOS_PER_SECOND;

/// The configured hours, made well ordered (each time at or after the one before it) so
/// that any configuration gives well-defined, possibly empty, sessions.
#[derive(Debug, Clone, Copy)]
struct Sessions {
    morning_start: i64,
    morning_end: i64,
    afternoon_start: i64,
    afternoon_end: i64,
}

impl Sessions {
    fn from(hours: &OfficeHours) -> Self {
        let morning_start = nanos_of(hours.morning_start);
        let morning_end = nanos_of(hours.morning_end).max(morning_start);
        let afternoon_start = nanos_of(hours.afternoon_start).max(morning_end);
        let afternoon_end = nanos_of(hours.afternoon_end).max(afternoon_start);
        Self {
            morning_start,
            morning_end,
            afternoon_start,
            afternoon_end,
        }
    }

    fn morning_length(&self) -> i64 {
        self.morning_end - self.morning_start
    }

    fn afternoon_length(&self) -> i64 {
        self.afternoon_end - self.afternoon_start
    }

    fn ranges(&self) -> [(i64, i64); 2] {
        [
            (self.morning_start, self.morning_end),
            (self.afternoon_start, self.afternoon_end),
        ]
    }

    /// When a working day's office time begins.
    fn opening(&self) -> i64 {
        if self.morning_length() > 0 {
            self.morning_start
        } else {
            self.afternoon_start
        }
    }

    /// The time of day after `elapsed` nanoseconds of office time (at most a day's
    /// worth); ending exactly at the morning's end gives the morning's end.
    fn moment_after_opening(&self, elapsed: i64) -> i64 {
        if elapsed <= self.morning_length() {
            self.morning_start + elapsed
        } else {
            self.afternoon_start + (elapsed - self.morning_length())
        }
    }
}

fn nanos_of(time: NaiveTime) -> i64 {
    // `nanosecond` can exceed a second during a leap second; adding keeps the order.
    i64::from(time.num_seconds_from_midnight()) * NANOS_PER_SECOND + i64::from(time.nanosecond())
}

/// The local date and time of day (nanoseconds) of `t`, at +07:00.
fn split(t: LocalTime) -> (NaiveDate, i64) {
    let local = t.with_timezone(&vn_offset()).naive_local();
    (local.date(), nanos_of(local.time()))
}

/// The moment at +07:00 of a local date and time of day (nanoseconds).
fn join(date: NaiveDate, time: i64) -> LocalTime {
    let secs = u32::try_from(time.div_euclid(NANOS_PER_SECOND)).unwrap_or(0);
    let nanos = u32::try_from(time.rem_euclid(NANOS_PER_SECOND)).unwrap_or(0);
    let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos).unwrap_or(NaiveTime::MIN);
    match date.and_time(time).and_local_timezone(vn_offset()).single() {
        Some(t) => t,
        // Only at the very ends of chrono's range, where the instant has no UTC value.
        None if date.year() > 0 => DateTime::<Utc>::MAX_UTC.with_timezone(&vn_offset()),
        None => DateTime::<Utc>::MIN_UTC.with_timezone(&vn_offset()),
    }
}

const fn clock(hour: u32, minute: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(hour, minute, 0) {
        Some(time) => time,
        // Only called with valid constants above.
        None => NaiveTime::MIN,
    }
}

// ---------------------------------------------------------------------------------------
// A year's days off

/// One year's special days and, for each day of the year, whether it is a day off.
#[derive(Debug)]
struct YearTable {
    /// Bit `i` is set when the day with ordinal0 `i` is a day off.
    off: [u64; 6],
    /// Number of days in the year.
    length: u32,
    days: Vec<SpecialDay>,
}

impl YearTable {
    fn is_off(&self, ordinal0: u32) -> bool {
        let i = ordinal0 as usize;
        self.off
            .get(i / 64)
            .is_some_and(|word| word >> (i % 64) & 1 == 1)
    }

    /// The ordinal0 of the `n`-th working day at or after ordinal0 `from`, or, when the
    /// year has fewer, how many it has there.
    fn nth_working_day(&self, from: u32, n: u32) -> Result<u32, u32> {
        let mut counted = 0;
        for ordinal0 in from..self.length {
            if !self.is_off(ordinal0) {
                counted += 1;
                if counted == n {
                    return Ok(ordinal0);
                }
            }
        }
        Err(counted)
    }
}

fn build_year(year: i32, overrides: Option<&Overrides>) -> YearTable {
    let holidays = statutory_holidays(year);
    let mut days: BTreeMap<NaiveDate, SpecialDay> = BTreeMap::new();
    for (&date, name) in &holidays {
        days.insert(date, special(date, DayKind::Holiday, name.clone()));
    }
    for (date, name) in compensatory_days(&holidays) {
        days.insert(date, special(date, DayKind::Compensatory, name));
    }
    let mut worked = BTreeSet::new();
    if let Some(overrides) = overrides {
        apply_overrides(&mut days, &mut worked, overrides);
    }
    // No holiday falls late enough in December for its compensatory day to reach the
    // next year, and overrides are grouped by year; this only keeps the table honest.
    days.retain(|date, _| date.year() == year);

    let length = NaiveDate::from_ymd_opt(year, 12, 31).map_or(0, |d| d.ordinal());
    let mut off = [0u64; 6];
    for ordinal0 in 0..length {
        let Some(date) = NaiveDate::from_yo_opt(year, ordinal0 + 1) else {
            continue;
        };
        let is_off = match days.get(&date).map(|day| day.kind) {
            Some(DayKind::Holiday | DayKind::Compensatory) => true,
            Some(DayKind::WorkingSaturday) => false,
            None => is_weekend(date) && !worked.contains(&date),
        };
        if is_off {
            let i = ordinal0 as usize;
            off[i / 64] |= 1 << (i % 64);
        }
    }
    YearTable {
        off,
        length,
        days: days.into_values().collect(),
    }
}

/// The statutory holidays of `year` (Labour Code 2019 art. 112), by date; two on one
/// date share it, with both names.
fn statutory_holidays(year: i32) -> BTreeMap<NaiveDate, String> {
    let mut holidays: BTreeMap<NaiveDate, String> = BTreeMap::new();
    let mut add = |date: Option<NaiveDate>, name: &str| {
        let Some(date) = date.filter(|d| d.year() == year) else {
            return;
        };
        holidays
            .entry(date)
            .and_modify(|names| {
                names.push_str(", ");
                names.push_str(name);
            })
            .or_insert_with(|| name.to_string());
    };
    let ymd = |month, day| NaiveDate::from_ymd_opt(year, month, day);

    add(ymd(1, 1), "Tết Dương lịch");
    // Tết: the last day of the lunar year and the first four days of the new one.
    if let Some(new_year) = lunar::lunar_new_year(year) {
        for offset in -1..=3 {
            add(shift(new_year, offset), "Tết Nguyên đán");
        }
    }
    let hung_kings = LunarDate {
        year,
        month: 3,
        day: 10,
        leap: false,
    };
    add(lunar::lunar_to_solar(hung_kings), "Giỗ Tổ Hùng Vương");
    add(ymd(4, 30), "Ngày Chiến thắng");
    add(ymd(5, 1), "Quốc tế Lao động");
    // National Day is 2 September and, by default, the day before it.
    add(ymd(9, 1), "Quốc khánh");
    add(ymd(9, 2), "Quốc khánh");
    holidays
}

/// For each holiday on a Saturday or Sunday, in date order, the first later day that is
/// neither a weekend, nor a holiday, nor already given as a compensatory day.
fn compensatory_days(holidays: &BTreeMap<NaiveDate, String>) -> Vec<(NaiveDate, String)> {
    let mut given: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut days = Vec::new();
    for (&holiday, name) in holidays.iter().filter(|(d, _)| is_weekend(**d)) {
        // Ends within a few days: holidays are few, weekends two days long.
        let mut candidate = holiday.succ_opt();
        while let Some(day) = candidate {
            if !is_weekend(day) && !holidays.contains_key(&day) && !given.contains(&day) {
                break;
            }
            candidate = day.succ_opt();
        }
        if let Some(day) = candidate {
            given.insert(day);
            days.push((day, format!("Nghỉ bù {name}")));
        }
    }
    days
}

fn apply_overrides(
    days: &mut BTreeMap<NaiveDate, SpecialDay>,
    worked: &mut BTreeSet<NaiveDate>,
    overrides: &Overrides,
) {
    for date in &overrides.remove_days_off {
        days.remove(date);
    }
    for &date in &overrides.working_saturdays {
        days.remove(&date);
        worked.insert(date);
        if is_weekend(date) {
            let name = "Làm việc bù".to_string();
            days.insert(date, special(date, DayKind::WorkingSaturday, name));
        }
    }
    for (date, name) in &overrides.add_days_off {
        worked.remove(date);
        days.insert(*date, special(*date, DayKind::Holiday, name.clone()));
    }
}

fn special(date: NaiveDate, kind: DayKind, name: String) -> SpecialDay {
    SpecialDay { date, kind, name }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn shift(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    date.checked_add_signed(TimeDelta::try_days(days)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DurationUnit::{Days as CalendarDays, WorkingDays, WorkingHours};
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn t(s: &str) -> LocalTime {
        DateTime::parse_from_rfc3339(s).expect("valid test time")
    }

    fn cal() -> Calendar {
        Calendar::default()
    }

    fn due(c: &Calendar, start: &str, amount: u32, unit: DurationUnit) -> String {
        c.due(t(start), amount, unit).to_rfc3339()
    }

    #[test]
    fn domain_examples() {
        let c = cal();
        assert_eq!(
            due(&c, "2025-04-29T08:00:00+07:00", 2, WorkingDays),
            "2025-05-05T08:00:00+07:00"
        );
        assert_eq!(
            due(&c, "2026-02-12T10:00:00+07:00", 3, WorkingDays),
            "2026-02-24T10:00:00+07:00"
        );
        assert_eq!(
            due(&c, "2026-03-06T15:30:00+07:00", 0, WorkingDays),
            "2026-03-09T17:00:00+07:00"
        );
        assert_eq!(
            due(&c, "2026-03-06T12:00:00+07:00", 1, WorkingDays),
            "2026-03-09T13:30:00+07:00"
        );
        // Saturday: the start is Monday 07:00, one working day on is Tuesday 07:00,
        // given as the close of Monday.
        assert_eq!(
            due(&c, "2026-03-07T09:00:00+07:00", 1, WorkingDays),
            "2026-03-09T17:00:00+07:00"
        );
        // Civil Code art. 148.
        assert_eq!(
            due(&c, "2026-03-05T09:00:00+07:00", 1, CalendarDays),
            "2026-03-06T17:00:00+07:00"
        );
        assert_eq!(
            due(&c, "2026-03-05T09:00:00+07:00", 2, CalendarDays),
            "2026-03-09T17:00:00+07:00"
        );
    }

    #[test]
    fn an_opening_due_time_is_the_previous_close() {
        let c = cal();
        // Monday 06:30 starts at 07:00; two working days on is Wednesday 07:00.
        assert_eq!(
            due(&c, "2026-03-09T06:30:00+07:00", 2, WorkingDays),
            "2026-03-10T17:00:00+07:00"
        );
        // Over the 30/4–1/5 block: Friday 2025-04-25 evening starts on Monday's opening,
        // so three working days on is an opening too, given as the close of the working
        // day before it, which is a working day after which the next opening comes.
        let start = "2025-04-25T18:00:00+07:00";
        let opening = c.due(t(start), 3, WorkingDays);
        assert_eq!(opening.hour(), 17, "{opening}");
        let next_morning = c.normalize_start(opening + TimeDelta::minutes(1));
        assert!(c.is_working_day(opening.date_naive()));
        assert_eq!(next_morning.hour(), 7, "{next_morning}");
        // Issue 14's dossier: received 00:14 on Thursday 2026-12-03, 3 working days.
        // Thursday 07:00 + 3 is Tuesday 07:00, which a citizen reads as Monday's close.
        assert_eq!(
            due(&c, "2026-12-03T00:14:00+07:00", 3, WorkingDays),
            "2026-12-07T17:00:00+07:00"
        );
        // Received at 07:00 sharp, the same; a minute later is due a minute after the
        // opening of the Tuesday, which stays a morning time.
        assert_eq!(
            due(&c, "2026-12-03T07:00:00+07:00", 3, WorkingDays),
            "2026-12-07T17:00:00+07:00"
        );
        assert_eq!(
            due(&c, "2026-12-03T07:01:00+07:00", 3, WorkingDays),
            "2026-12-08T07:01:00+07:00"
        );
        // Over a weekend: Friday's opening + 1 working day is Monday 07:00, given as
        // Friday 17:00.
        assert_eq!(
            due(&c, "2026-12-04T06:00:00+07:00", 1, WorkingDays),
            "2026-12-04T17:00:00+07:00"
        );
        // A due time after the opening is kept.
        assert_eq!(
            due(&c, "2026-03-09T07:01:00+07:00", 2, WorkingDays),
            "2026-03-11T07:01:00+07:00"
        );
    }

    #[test]
    fn same_day_cutoff() {
        let c = cal();
        // At the cut-off still counts as the same day.
        assert_eq!(
            due(&c, "2026-03-06T15:00:00+07:00", 0, WorkingDays),
            "2026-03-06T17:00:00+07:00"
        );
        // Received in the evening: starts next working morning, due that evening.
        assert_eq!(
            due(&c, "2026-03-05T18:00:00+07:00", 0, WorkingDays),
            "2026-03-06T17:00:00+07:00"
        );
        let late = OfficeHours {
            same_day_cutoff: clock(16, 0),
            ..OfficeHours::default()
        };
        let c = Calendar::new(late, Overrides::default());
        assert_eq!(
            due(&c, "2026-03-06T15:30:00+07:00", 0, WorkingDays),
            "2026-03-06T17:00:00+07:00"
        );
    }

    #[test]
    fn normalization() {
        let c = cal();
        let n = |s: &str| c.normalize_start(t(s)).to_rfc3339();
        // 2026-03-09 is a Monday.
        assert_eq!(n("2026-03-09T06:15:00+07:00"), "2026-03-09T07:00:00+07:00");
        assert_eq!(n("2026-03-09T07:00:00+07:00"), "2026-03-09T07:00:00+07:00");
        assert_eq!(n("2026-03-09T09:41:07+07:00"), "2026-03-09T09:41:07+07:00");
        assert_eq!(n("2026-03-09T11:30:00+07:00"), "2026-03-09T13:30:00+07:00");
        assert_eq!(n("2026-03-09T12:00:00+07:00"), "2026-03-09T13:30:00+07:00");
        assert_eq!(n("2026-03-09T13:30:00+07:00"), "2026-03-09T13:30:00+07:00");
        assert_eq!(n("2026-03-09T16:59:59+07:00"), "2026-03-09T16:59:59+07:00");
        assert_eq!(n("2026-03-09T17:00:00+07:00"), "2026-03-10T07:00:00+07:00");
        assert_eq!(n("2026-03-09T23:59:00+07:00"), "2026-03-10T07:00:00+07:00");
        // Friday evening and the weekend go to Monday.
        assert_eq!(n("2026-03-06T17:30:00+07:00"), "2026-03-09T07:00:00+07:00");
        assert_eq!(n("2026-03-08T10:00:00+07:00"), "2026-03-09T07:00:00+07:00");
        // A holiday (Hùng Kings 2026 is Sunday 04-26, its compensatory day Monday 04-27).
        assert_eq!(n("2026-04-27T10:00:00+07:00"), "2026-04-28T07:00:00+07:00");
        // The configured hours are used, not constants.
        let hours = OfficeHours {
            morning_start: clock(8, 0),
            morning_end: clock(12, 0),
            afternoon_start: clock(13, 0),
            afternoon_end: clock(17, 30),
            same_day_cutoff: clock(15, 0),
        };
        let c = Calendar::new(hours, Overrides::default());
        let n = |s: &str| c.normalize_start(t(s)).to_rfc3339();
        assert_eq!(n("2026-03-09T07:30:00+07:00"), "2026-03-09T08:00:00+07:00");
        assert_eq!(n("2026-03-09T12:10:00+07:00"), "2026-03-09T13:00:00+07:00");
        assert_eq!(n("2026-03-09T17:10:00+07:00"), "2026-03-09T17:10:00+07:00");
        assert_eq!(n("2026-03-09T17:30:00+07:00"), "2026-03-10T08:00:00+07:00");
    }

    #[test]
    fn working_hours() {
        let c = cal();
        // Across lunch: 10:00–11:30 is 1.5 h, then 13:30 + 1.5 h.
        assert_eq!(
            due(&c, "2026-03-09T10:00:00+07:00", 3, WorkingHours),
            "2026-03-09T15:00:00+07:00"
        );
        // Ending exactly at a session's end gives that end.
        assert_eq!(
            due(&c, "2026-03-09T09:30:00+07:00", 2, WorkingHours),
            "2026-03-09T11:30:00+07:00"
        );
        assert_eq!(
            due(&c, "2026-03-09T07:00:00+07:00", 8, WorkingHours),
            "2026-03-09T17:00:00+07:00"
        );
        // Across a weekend: Friday 16:00 + 2 h is Monday 08:00.
        assert_eq!(
            due(&c, "2026-03-06T16:00:00+07:00", 2, WorkingHours),
            "2026-03-09T08:00:00+07:00"
        );
        // Across 30/4 and 1/5.
        assert_eq!(
            due(&c, "2025-04-29T16:00:00+07:00", 2, WorkingHours),
            "2025-05-02T08:00:00+07:00"
        );
        // Zero hours: the normalized start.
        assert_eq!(
            due(&c, "2026-03-09T12:00:00+07:00", 0, WorkingHours),
            "2026-03-09T13:30:00+07:00"
        );
        // 16 h is two working days.
        assert_eq!(
            due(&c, "2026-03-09T10:00:00+07:00", 16, WorkingHours),
            "2026-03-11T10:00:00+07:00"
        );
        // Whole days land on the end of the last one.
        assert_eq!(
            due(&c, "2026-03-09T07:00:00+07:00", 80, WorkingHours),
            "2026-03-20T17:00:00+07:00"
        );
    }

    #[test]
    fn calendar_days() {
        let c = cal();
        assert_eq!(
            due(&c, "2026-03-09T10:00:00+07:00", 3, CalendarDays),
            "2026-03-12T17:00:00+07:00"
        );
        // Landing on the 30/4 holiday: the end of the first working day after the block.
        assert_eq!(
            due(&c, "2025-04-28T10:00:00+07:00", 2, CalendarDays),
            "2025-05-02T17:00:00+07:00"
        );
        // Landing on a Saturday.
        assert_eq!(
            due(&c, "2026-03-06T10:00:00+07:00", 1, CalendarDays),
            "2026-03-09T17:00:00+07:00"
        );
        // Zero days: the end of the (normalized) start's day.
        assert_eq!(
            due(&c, "2026-03-07T10:00:00+07:00", 0, CalendarDays),
            "2026-03-09T17:00:00+07:00"
        );
        // The clock time of the start does not matter: the whole day ends together.
        assert_eq!(
            due(&c, "2026-03-09T07:00:00+07:00", 3, CalendarDays),
            due(&c, "2026-03-09T16:59:00+07:00", 3, CalendarDays)
        );
    }

    fn days_of_kind(c: &Calendar, year: i32, kind: DayKind) -> Vec<NaiveDate> {
        c.special_days(year)
            .into_iter()
            .filter(|day| day.kind == kind)
            .map(|day| day.date)
            .collect()
    }

    #[test]
    fn compensatory_days_2022() {
        // 1/1 on a Saturday; Hùng Kings (04-10) on a Sunday; 30/4 and 1/5 on a weekend.
        let c = cal();
        assert_eq!(
            days_of_kind(&c, 2022, DayKind::Compensatory),
            vec![d(2022, 1, 3), d(2022, 4, 11), d(2022, 5, 2), d(2022, 5, 3)]
        );
        assert!(!c.is_working_day(d(2022, 5, 3)));
        assert!(c.is_working_day(d(2022, 5, 4)));
    }

    #[test]
    fn compensatory_days_2023() {
        // 1/1 on a Sunday; Tết (01-21..=01-25) starts on a weekend; Hùng Kings on
        // Saturday 04-29, then 30/4 on a Sunday and 1/5: both compensatory days come
        // after the whole block. 2/9 on a Saturday.
        let c = cal();
        assert_eq!(
            lunar::lunar_to_solar(LunarDate {
                year: 2023,
                month: 3,
                day: 10,
                leap: false
            }),
            Some(d(2023, 4, 29))
        );
        assert_eq!(
            days_of_kind(&c, 2023, DayKind::Compensatory),
            vec![
                d(2023, 1, 2),
                d(2023, 1, 26),
                d(2023, 1, 27),
                d(2023, 5, 2),
                d(2023, 5, 3),
                d(2023, 9, 4)
            ]
        );
        let names: Vec<String> = c
            .special_days(2023)
            .into_iter()
            .filter(|day| day.kind == DayKind::Compensatory)
            .map(|day| day.name)
            .collect();
        assert_eq!(
            names,
            [
                "Nghỉ bù Tết Dương lịch",
                "Nghỉ bù Tết Nguyên đán",
                "Nghỉ bù Tết Nguyên đán",
                "Nghỉ bù Giỗ Tổ Hùng Vương",
                "Nghỉ bù Ngày Chiến thắng",
                "Nghỉ bù Quốc khánh"
            ]
        );
    }

    #[test]
    fn compensatory_days_tet_and_national_day() {
        let c = cal();
        // Tết 2024: 02-09..=02-13, with Saturday 10 and Sunday 11 inside the block; and
        // 1/9 on a Sunday, compensated after 2/9.
        assert_eq!(
            days_of_kind(&c, 2024, DayKind::Compensatory),
            vec![d(2024, 2, 14), d(2024, 2, 15), d(2024, 9, 3)]
        );
        // 2018: 1/9 on a Saturday, 2/9 on a Sunday.
        let sept: Vec<NaiveDate> = days_of_kind(&c, 2018, DayKind::Compensatory)
            .into_iter()
            .filter(|date| date.month() == 9)
            .collect();
        assert_eq!(sept, vec![d(2018, 9, 3), d(2018, 9, 4)]);
    }

    #[test]
    fn special_days_2026() {
        let c = cal();
        let listed: Vec<(NaiveDate, DayKind, String)> = c
            .special_days(2026)
            .into_iter()
            .map(|day| (day.date, day.kind, day.name))
            .collect();
        let h = |date, name: &str| (date, DayKind::Holiday, name.to_string());
        let expected = vec![
            h(d(2026, 1, 1), "Tết Dương lịch"),
            h(d(2026, 2, 16), "Tết Nguyên đán"),
            h(d(2026, 2, 17), "Tết Nguyên đán"),
            h(d(2026, 2, 18), "Tết Nguyên đán"),
            h(d(2026, 2, 19), "Tết Nguyên đán"),
            h(d(2026, 2, 20), "Tết Nguyên đán"),
            h(d(2026, 4, 26), "Giỗ Tổ Hùng Vương"),
            (
                d(2026, 4, 27),
                DayKind::Compensatory,
                "Nghỉ bù Giỗ Tổ Hùng Vương".to_string(),
            ),
            h(d(2026, 4, 30), "Ngày Chiến thắng"),
            h(d(2026, 5, 1), "Quốc tế Lao động"),
            h(d(2026, 9, 1), "Quốc khánh"),
            h(d(2026, 9, 2), "Quốc khánh"),
        ];
        assert_eq!(listed, expected);
    }

    fn overrides_2026() -> Overrides {
        Overrides {
            add_days_off: vec![(d(2026, 3, 9), "Nghỉ theo thông báo".to_string())],
            remove_days_off: vec![d(2026, 4, 27)],
            working_saturdays: vec![d(2026, 3, 14)],
        }
    }

    #[test]
    fn overrides_change_due_dates() {
        let plain = cal();
        let changed = Calendar::new(OfficeHours::default(), overrides_2026());
        // An added day off (Monday 03-09) pushes the due date.
        assert_eq!(
            due(&changed, "2026-03-06T12:00:00+07:00", 1, WorkingDays),
            "2026-03-10T13:30:00+07:00"
        );
        // A working Saturday counts.
        assert_eq!(
            due(&plain, "2026-03-13T09:00:00+07:00", 1, WorkingDays),
            "2026-03-16T09:00:00+07:00"
        );
        assert_eq!(
            due(&changed, "2026-03-13T09:00:00+07:00", 1, WorkingDays),
            "2026-03-14T09:00:00+07:00"
        );
        // A removed default day off (the compensatory 04-27) is worked.
        assert_eq!(
            due(&plain, "2026-04-24T09:00:00+07:00", 1, WorkingDays),
            "2026-04-28T09:00:00+07:00"
        );
        assert_eq!(
            due(&changed, "2026-04-24T09:00:00+07:00", 1, WorkingDays),
            "2026-04-27T09:00:00+07:00"
        );
        // Removing a holiday that falls on a weekend leaves a weekend.
        let removed = Calendar::new(
            OfficeHours::default(),
            Overrides {
                remove_days_off: vec![d(2026, 4, 26)],
                ..Overrides::default()
            },
        );
        assert!(!removed.is_working_day(d(2026, 4, 26)));
        assert!(!removed.is_working_day(d(2026, 4, 27)));
    }

    #[test]
    fn overrides_in_special_days() {
        let c = Calendar::new(OfficeHours::default(), overrides_2026());
        let days = c.special_days(2026);
        let find = |date| days.iter().find(|day| day.date == date);
        let added = find(d(2026, 3, 9)).expect("added day off listed");
        assert_eq!(added.kind, DayKind::Holiday);
        assert_eq!(added.name, "Nghỉ theo thông báo");
        assert_eq!(
            find(d(2026, 3, 14)).map(|day| day.kind),
            Some(DayKind::WorkingSaturday)
        );
        assert!(find(d(2026, 4, 27)).is_none());
        assert!(days.windows(2).all(|w| w[0].date < w[1].date));
        // Overrides for one year leave the others alone.
        assert_eq!(c.special_days(2025), cal().special_days(2025));
    }

    #[test]
    fn an_announced_tet_block() {
        // A block announced as Saturday 25/1 to Sunday 2/2/2025, written as overrides:
        // two extra days off, and the default compensatory day (Monday 3/2, for Tết's
        // last day on Saturday 1/2) worked instead.
        let extra = || "Tết Nguyên đán (bổ sung)".to_string();
        let overrides = Overrides {
            add_days_off: vec![(d(2025, 1, 27), extra()), (d(2025, 1, 31), extra())],
            remove_days_off: vec![d(2025, 2, 3)],
            working_saturdays: vec![],
        };
        let c = Calendar::new(OfficeHours::default(), overrides);
        let off: Vec<NaiveDate> = (0..12)
            .filter_map(|i| shift(d(2025, 1, 24), i))
            .filter(|date| !c.is_working_day(*date))
            .collect();
        let expected: Vec<NaiveDate> = (25..=31)
            .map(|day| d(2025, 1, day))
            .chain([d(2025, 2, 1), d(2025, 2, 2)])
            .collect();
        assert_eq!(off, expected);
        assert_eq!(
            due(&c, "2025-01-24T09:00:00+07:00", 1, WorkingDays),
            "2025-02-03T09:00:00+07:00"
        );
    }

    #[test]
    fn working_day_arithmetic() {
        let c = cal();
        assert_eq!(c.next_working_day(d(2026, 3, 6)), d(2026, 3, 9));
        assert_eq!(c.next_working_day(d(2026, 3, 9)), d(2026, 3, 10));
        assert_eq!(c.add_working_days(d(2026, 3, 7), 0), d(2026, 3, 7));
        assert_eq!(c.add_working_days(d(2026, 2, 12), 3), d(2026, 2, 24));
        // Across a year's end and Tết.
        assert_eq!(c.add_working_days(d(2025, 12, 31), 1), d(2026, 1, 2));
        // Years of working days stay quick and consistent.
        let far = c.add_working_days(d(2025, 1, 2), 2_500);
        let mut step = d(2025, 1, 2);
        for _ in 0..2_500 {
            step = c.next_working_day(step);
        }
        assert_eq!(far, step);
    }

    #[test]
    fn classify_all_three() {
        let c = cal();
        let due_at = t("2026-03-09T13:30:00+07:00");
        assert_eq!(
            c.classify(t("2026-03-06T16:00:00+07:00"), due_at),
            Timeliness::Early
        );
        assert_eq!(
            c.classify(t("2026-03-09T08:00:00+07:00"), due_at),
            Timeliness::OnTime
        );
        assert_eq!(c.classify(due_at, due_at), Timeliness::OnTime);
        assert_eq!(
            c.classify(t("2026-03-09T13:30:01+07:00"), due_at),
            Timeliness::Late
        );
        // Dates are local: 2026-03-08T20:00Z is already 03-09 at the desk.
        assert_eq!(
            c.classify(t("2026-03-08T20:00:00Z"), due_at),
            Timeliness::OnTime
        );
    }

    #[test]
    fn other_offsets_are_read_as_local_time() {
        let c = cal();
        let utc = c.due(t("2025-04-29T01:00:00Z"), 2, WorkingDays);
        assert_eq!(utc.to_rfc3339(), "2025-05-05T08:00:00+07:00");
        assert_eq!(*utc.offset(), vn_offset());
        // Friday 23:30 in UTC is already Saturday morning in Hà Nội.
        let n = c.normalize_start(t("2026-03-06T23:30:00Z"));
        assert_eq!(n.to_rfc3339(), "2026-03-09T07:00:00+07:00");
        let n = c.normalize_start(t("2026-03-09T08:00:00+09:00"));
        assert_eq!(n.to_rfc3339(), "2026-03-09T07:00:00+07:00");
    }

    #[test]
    fn calendar_is_shareable() {
        fn assert_traits<T: Send + Sync + Clone + fmt::Debug + Default>() {}
        assert_traits::<Calendar>();
        let c = cal();
        let copy = c.clone();
        assert!(c.is_working_day(d(2026, 3, 9)));
        assert!(!copy.is_working_day(d(2026, 2, 17)));
        assert_eq!(c.hours(), &OfficeHours::default());
        assert!(format!("{c:?}").starts_with("Calendar"));
    }

    #[test]
    fn extremes_do_not_panic() {
        let c = cal();
        for date in [
            NaiveDate::MIN,
            NaiveDate::MAX,
            d(-5000, 1, 1),
            d(9999, 12, 31),
        ] {
            let _ = c.is_working_day(date);
            let _ = c.next_working_day(date);
            let _ = c.add_working_days(date, u32::MAX);
            let _ = c.special_days(date.year());
            for time in [NaiveTime::MIN, clock(12, 0), clock(23, 59)] {
                let start = join(date, nanos_of(time));
                let _ = c.normalize_start(start);
                for unit in [WorkingDays, CalendarDays, WorkingHours] {
                    for amount in [0, 1, 1_000, u32::MAX] {
                        let _ = c.due(start, amount, unit);
                    }
                }
            }
        }
        assert_eq!(c.add_working_days(d(2025, 1, 1), u32::MAX), NaiveDate::MAX);
    }

    // -----------------------------------------------------------------------------------
    // Properties

    /// Overrides sprinkled over 2020–2030: added days off (some on weekends), removed
    /// defaults, working Saturdays.
    fn busy_overrides() -> Overrides {
        let mut o = Overrides::default();
        for year in 2020..=2030 {
            o.add_days_off
                .push((d(year, 3, 2), "Nghỉ thêm".to_string()));
            o.add_days_off
                .push((d(year, 8, 15), "Nghỉ thêm".to_string()));
            o.remove_days_off.push(d(year, 9, 1));
            if let Some(new_year) = lunar::lunar_new_year(year) {
                o.remove_days_off.push(new_year);
            }
            // The first Saturday of June.
            let june = (1..=7)
                .map(|day| d(year, 6, day))
                .find(|date| date.weekday() == Weekday::Sat)
                .expect("June has a Saturday in its first week");
            o.working_saturdays.push(june);
        }
        o
    }

    fn calendars() -> &'static [Calendar; 2] {
        static CALENDARS: std::sync::OnceLock<[Calendar; 2]> = std::sync::OnceLock::new();
        CALENDARS.get_or_init(|| {
            [
                Calendar::default(),
                Calendar::new(OfficeHours::default(), busy_overrides()),
            ]
        })
    }

    /// A time between 2020-01-01 and 2030-12-31 at +07:00, to the second.
    fn start_in_2020s() -> impl Strategy<Value = LocalTime> {
        let span = d(2030, 12, 31)
            .signed_duration_since(d(2020, 1, 1))
            .num_seconds();
        (0..span).prop_map(|s| join(d(2020, 1, 1), 0) + TimeDelta::seconds(s))
    }

    fn unit() -> impl Strategy<Value = DurationUnit> {
        prop_oneof![Just(WorkingDays), Just(CalendarDays), Just(WorkingHours)]
    }

    fn is_open_or_session_end(c: &Calendar, t: LocalTime) -> bool {
        let (date, time) = split(t);
        let s = &c.sessions;
        c.is_working_day(date)
            && ((s.morning_start..=s.morning_end).contains(&time)
                || (s.afternoon_start..=s.afternoon_end).contains(&time))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn due_is_never_on_a_day_off(
            start in start_in_2020s(), amount in 0u32..=30, unit in unit(), which in 0usize..2
        ) {
            let c = &calendars()[which];
            let due = c.due(start, amount, unit);
            prop_assert!(is_open_or_session_end(c, due), "{start} + {amount} {unit:?} -> {due}");
            prop_assert!(due >= start);
            prop_assert_eq!(*due.offset(), vn_offset());
        }

        #[test]
        fn due_is_monotone_in_start(
            start in start_in_2020s(),
            later_by in prop_oneof![0i64..=3_600, 0i64..=30 * 86_400],
            amount in 0u32..=30,
            unit in unit(),
            which in 0usize..2,
        ) {
            let c = &calendars()[which];
            let later = start + TimeDelta::seconds(later_by);
            let first = c.due(start, amount, unit);
            let second = c.due(later, amount, unit);
            prop_assert!(first <= second, "{start} -> {first}, {later} -> {second}");
        }

        #[test]
        fn normalize_is_idempotent_and_open(start in start_in_2020s(), which in 0usize..2) {
            let c = &calendars()[which];
            let n = c.normalize_start(start);
            prop_assert!(n >= start);
            prop_assert_eq!(c.normalize_start(n), n);
            prop_assert!(is_open_or_session_end(c, n));
        }

        #[test]
        fn working_days_match_eight_hour_days(start in start_in_2020s(), amount in 1u32..=30) {
            // With the default hours a working day is 8 office hours: N working days and
            // 8N working hours name the same point of office time (the latter may name
            // it as the end of the day before).
            let c = &calendars()[0];
            let by_days = c.due(start, amount, WorkingDays);
            let by_hours = c.due(start, amount * 8, WorkingHours);
            prop_assert_eq!(c.normalize_start(by_hours), c.normalize_start(by_days));
        }

        #[test]
        fn any_hours_never_panic(
            times in proptest::array::uniform5(0u32..86_400),
            start in start_in_2020s(),
            amount in 0u32..=500,
            unit in unit(),
        ) {
            let at = |s: u32| NaiveTime::from_num_seconds_from_midnight_opt(s, 0).unwrap_or(NaiveTime::MIN);
            let hours = OfficeHours {
                morning_start: at(times[0]),
                morning_end: at(times[1]),
                afternoon_start: at(times[2]),
                afternoon_end: at(times[3]),
                same_day_cutoff: at(times[4]),
            };
            let c = Calendar::new(hours, Overrides::default());
            let due = c.due(start, amount, unit);
            prop_assert!(due >= c.normalize_start(start));
        }
    }
}
