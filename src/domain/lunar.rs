//! The Vietnamese lunar calendar (âm lịch), computed from astronomy at UTC+7.
//!
//! The method is the one Hồ Ngọc Đức describes for the Vietnamese calendar, written here
//! from the published formulas:
//!
//! - a month begins on the local day (UTC+7) that contains a new moon; new moons come
//!   from Jean Meeus, *Astronomical Algorithms*, chapter 49 (mean phase, periodic terms
//!   and planetary corrections), converted from dynamical time to UT with ΔT;
//! - the solar terms come from the Sun's apparent longitude (Meeus, chapter 25, the
//!   low-accuracy theory with nutation and aberration);
//! - month 11 is the month that contains the December solstice (longitude 270°);
//! - when 13 months lie between two months 11, the first month after the first of them
//!   that contains no major solar term (zhongqi, a multiple of 30° of longitude) is the
//!   leap month and repeats the number of the month before it.
//!
//! Everything is reckoned at UTC+7, because Vietnam's calendar is (since 1968): the
//! Chinese calendar, reckoned at UTC+8, differs in some years (Tết 1985 and 2007, for
//! example). Calendars used in Vietnam before 1968 followed the UTC+8 reckoning, so for
//! those years this module gives the modern, UTC+7 reading.
//!
//! Range: 1900-01-01..=2100-12-31 is verified: Tết and the leap months agree with the
//! published Vietnamese tables for every year, and every month's first day and major
//! term agree with a high-precision ephemeris (JPL DE421) for 1900–2050. The one
//! difference from the tables is 1938: the autumn equinox fell 51 seconds before local
//! midnight, so its leap month is 8, not the tables' 7 (their simpler formulas put the
//! equinox after midnight). The months of lunar years 1800..=2200 are computed once
//! and kept; other years are computed the same way on each call, with the accuracy of
//! the formulas, which degrades slowly over the centuries. `lunar_to_solar` answers
//! for lunar years -9999..=9999 (`None` outside), `solar_to_lunar` for any date, and
//! within those years each undoes the other. Tens of millennia from 2000 the series
//! break down (their polynomial terms grow without bound), and there `solar_to_lunar`
//! only promises a well-formed date. Nothing panics on any input.

use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;
use std::sync::OnceLock;

/// A date of the Vietnamese lunar calendar. `leap` marks the repeated (leap) month that
/// carries the same number as the month before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LunarDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub leap: bool,
}

/// The lunar date of a solar (Gregorian) date.
pub fn solar_to_lunar(date: NaiveDate) -> LunarDate {
    let day = jdn_of(date);
    let found = (0..4).find_map(|step| {
        // The span that ends in December of the date's year holds every date before that
        // month 11 begins; later dates belong to the next span. One of the first two
        // always holds the day; the others are only a guard against float surprises far
        // outside the verified range.
        let end_year = i64::from(date.year()) + [1, 0, 2, -1][step];
        locate(&solstice_year(end_year), day)
    });
    found.unwrap_or(LunarDate {
        // Unreachable for real astronomy (consecutive spans tile the time line); a
        // plausible value beats a panic.
        year: date.year(),
        month: 1,
        day: 1,
        leap: false,
    })
}

/// The solar date of a lunar date, or `None` when no such lunar date exists: a month
/// outside 1..=12, a day outside 1..=29/30 for that month, a leap flag on a month that is
/// not the leap month of that year, or a year outside -9999..=9999.
pub fn lunar_to_solar(date: LunarDate) -> Option<NaiveDate> {
    lunar_to_solar_with(date, solstice_year)
}

/// The solar date of lunar 1/1 (Tết Nguyên đán) of `lunar_year`.
pub fn lunar_new_year(lunar_year: i32) -> Option<NaiveDate> {
    lunar_to_solar(LunarDate {
        year: lunar_year,
        month: 1,
        day: 1,
        leap: false,
    })
}

/// The lunar years `lunar_to_solar` answers for. The formulas give well-formed years
/// (12 or 13 months) for some 49,000 years either side of 2000, but lose any meaning
/// long before; four-digit years are plenty.
const LUNAR_YEARS: std::ops::RangeInclusive<i32> = -9999..=9999;

/// Vietnam's calendar is reckoned at UTC+7 (hours east of Greenwich).
const VN_HOURS_EAST: f64 = 7.0;

/// Lunar years whose months are computed once and kept (by the solar year in which their
/// closing month 11 begins, which is also the number of the lunar year).
const CACHED_FIRST: i64 = 1800;
const CACHED_LAST: i64 = 2200;

/// Julian Day Number of 0000-12-31 (proleptic Gregorian), the day before chrono's day 1.
const JDN_BEFORE_CE: i64 = 1_721_425;

/// Mean length of a lunation in days (Meeus 49.1).
const SYNODIC_MONTH: f64 = 29.530_588_861;

/// Julian Ephemeris Day of the mean new moon k = 0 (2000-01-06), Meeus 49.1.
const NEW_MOON_EPOCH: f64 = 2_451_550.097_66;

/// Julian Day of J2000.0.
const J2000: f64 = 2_451_545.0;

// ---------------------------------------------------------------------------------------
// The months between two months 11

/// The months from one month 11 up to (not including) the next: one "solstice year".
#[derive(Debug, Clone)]
struct SolsticeYear {
    /// Number of the lunar year whose months 1..=10 lie in this span; months 11 and 12 at
    /// its start belong to the lunar year before.
    lunar_year: i64,
    /// Julian Day Number of the first day of each month, then of the next month 11.
    starts: Vec<i64>,
    /// Index into `starts` of the leap month, when the span has 13 months.
    leap: Option<usize>,
}

impl SolsticeYear {
    fn month_count(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// (lunar year, month number, leap) of the month at `index`.
    fn label(&self, index: usize) -> (i64, u8, bool) {
        let is_leap = self.leap == Some(index);
        // Months after the leap month (and the leap month itself) reuse the number of
        // the one before, so they count one less.
        let ordinal = match self.leap {
            Some(l) if index >= l => index - 1,
            _ => index,
        };
        // Ordinal 0 is month 11, 1 is month 12, 2 is month 1, ...
        let month = ((10 + ordinal) % 12) as u8 + 1;
        let year = if ordinal < 2 {
            self.lunar_year.saturating_sub(1)
        } else {
            self.lunar_year
        };
        (year, month, is_leap)
    }
}

/// The lunar date of Julian Day Number `day` if this span holds it.
fn locate(span: &SolsticeYear, day: i64) -> Option<LunarDate> {
    let index = span
        .starts
        .windows(2)
        .position(|w| w[0] <= day && day < w[1])?;
    let (year, month, leap) = span.label(index);
    let day_of_month = day.saturating_sub(span.starts[index]).saturating_add(1);
    Some(LunarDate {
        year: i32::try_from(year).ok()?,
        month,
        // A month longer than 30 days only comes from formulas pushed tens of millennia
        // past their validity; no such date is better than a malformed one.
        day: u8::try_from(day_of_month).ok().filter(|d| *d <= 30)?,
        leap,
    })
}

fn lunar_to_solar_with<'a>(
    date: LunarDate,
    span_of: impl Fn(i64) -> Cow<'a, SolsticeYear>,
) -> Option<NaiveDate> {
    if !(1..=12).contains(&date.month) || !(1..=30).contains(&date.day) {
        return None;
    }
    if !LUNAR_YEARS.contains(&date.year) {
        return None;
    }
    let year = i64::from(date.year);
    // Months 1..=10 lie in the span that ends in December of `year`; months 11 and 12
    // (and a leap 11 or 12) in the next one. Searching both keeps this free of that rule.
    [year, year + 1].into_iter().find_map(|end_year| {
        let span = span_of(end_year);
        let index =
            (0..span.month_count()).find(|&i| span.label(i) == (year, date.month, date.leap))?;
        let start = span.starts[index];
        let length = span.starts[index + 1].saturating_sub(start);
        if i64::from(date.day) > length {
            return None;
        }
        date_of_jdn(start + i64::from(date.day) - 1)
    })
}

/// The span that ends with the month 11 of December `end_year`, at UTC+7; kept for the
/// common range, computed afresh outside it.
fn solstice_year(end_year: i64) -> Cow<'static, SolsticeYear> {
    static CACHE: OnceLock<Vec<SolsticeYear>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| {
        (CACHED_FIRST..=CACHED_LAST)
            .map(|y| compute_solstice_year(y, VN_HOURS_EAST))
            .collect()
    });
    let cached = usize::try_from(end_year - CACHED_FIRST)
        .ok()
        .and_then(|i| cache.get(i));
    match cached {
        Some(span) => Cow::Borrowed(span),
        None => Cow::Owned(compute_solstice_year(end_year, VN_HOURS_EAST)),
    }
}

fn compute_solstice_year(end_year: i64, hours_east: f64) -> SolsticeYear {
    let first = month_11_lunation(end_year.saturating_sub(1), hours_east);
    let mut last = month_11_lunation(end_year, hours_east);
    if !(first + 12..=first + 13).contains(&last) {
        // Only where the formulas have broken down, tens of millennia away: keep a
        // well-formed year rather than an empty or runaway one.
        last = first + 12;
    }
    let starts: Vec<i64> = (first..=last)
        .map(|k| new_moon_day(k, hours_east))
        .collect();
    let leap = if starts.len() == 14 {
        // 13 months but only 12 major terms between the two solstices: the first month
        // without one is the leap month. Month 11 itself holds the solstice, so the
        // search starts after it. The fallback only guards against broken astronomy.
        (1..13)
            .find(|&i| {
                major_term_sector(starts[i], hours_east)
                    == major_term_sector(starts[i + 1], hours_east)
            })
            .or(Some(12))
    } else {
        None
    };
    SolsticeYear {
        lunar_year: end_year,
        starts,
        leap,
    }
}

/// The lunation number k (Meeus) of the month 11 that contains the December solstice
/// of `year`: the month whose first day begins before the Sun reaches 270° and whose
/// successor's first day begins after.
fn month_11_lunation(year: i64, hours_east: f64) -> i64 {
    let nearest = lunation_nearest(jdn_of_ymd(year, 12, 21), hours_east);
    let begins_before_solstice = |k: i64| {
        before_solstice(longitude_at_day_start(
            new_moon_day(k, hours_east),
            hours_east,
        ))
    };
    let contains_solstice = |k: i64| begins_before_solstice(k) && !begins_before_solstice(k + 1);
    // Near 2000 that month starts between late November and 22 December, a lunation or
    // less from `nearest`. Millennia away the modelled solstice drifts through the
    // calendar year, so the search goes on, nearest first, to half a year either side.
    (0..=6)
        .flat_map(|distance| [nearest - distance, nearest + distance])
        .find(|&k| contains_solstice(k))
        .unwrap_or(nearest)
}

/// The lunation whose first day is nearest to day `day`. The mean motion gives a first
/// guess; far from 2000 the polynomial terms and ΔT move new moons by up to hundreds of
/// days from it, and a few corrections take that out.
fn lunation_nearest(day: i64, hours_east: f64) -> i64 {
    let mut k = ((day as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).round() as i64;
    for _ in 0..8 {
        let error = day.saturating_sub(new_moon_day(k, hours_east));
        let step = (error as f64 / SYNODIC_MONTH).round() as i64;
        if step == 0 {
            break;
        }
        k = k.saturating_add(step);
    }
    k
}

/// Whether a solar longitude lies in the half circle that ends at the December solstice.
fn before_solstice(longitude: f64) -> bool {
    (longitude - 270.0).rem_euclid(360.0) >= 180.0
}

/// Which 30° sector of solar longitude the Sun is in as the local day `day` begins; a
/// month holds a major term exactly when its first day and the next month's first day
/// begin in different sectors.
fn major_term_sector(day: i64, hours_east: f64) -> i64 {
    (longitude_at_day_start(day, hours_east) / 30.0).floor() as i64
}

// ---------------------------------------------------------------------------------------
// Astronomy

/// The local day (Julian Day Number) that contains new moon number `k`.
fn new_moon_day(k: i64, hours_east: f64) -> i64 {
    let ut = to_universal_time(new_moon_jde(k));
    // Local civil day n runs from JD n - 0.5 (local midnight) in local time.
    (ut + 0.5 + hours_east / 24.0).floor() as i64
}

/// The Sun's apparent longitude at the local midnight that begins day `day`.
fn longitude_at_day_start(day: i64, hours_east: f64) -> f64 {
    let ut = day as f64 - 0.5 - hours_east / 24.0;
    sun_apparent_longitude(to_dynamical_time(ut))
}

/// Julian Ephemeris Day of the true new moon number `k` (k = 0 near 2000-01-06),
/// Meeus chapter 49.
fn new_moon_jde(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let (t2, t3, t4) = (t * t, t * t * t, t * t * t * t);
    let mean = NEW_MOON_EPOCH + SYNODIC_MONTH * k + 0.000_154_37 * t2 - 0.000_000_150 * t3
        + 0.000_000_000_73 * t4;

    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t2;
    let sun_anomaly = 2.5534 + 29.105_356_70 * k - 0.000_001_4 * t2 - 0.000_000_11 * t3;
    let moon_anomaly =
        201.5643 + 385.816_935_28 * k + 0.010_758_2 * t2 + 0.000_012_38 * t3 - 0.000_000_058 * t4;
    let latitude_arg =
        160.7108 + 390.670_502_84 * k - 0.001_611_8 * t2 - 0.000_002_27 * t3 + 0.000_000_011 * t4;
    let node = 124.7746 - 1.563_755_88 * k + 0.002_067_2 * t2 + 0.000_002_15 * t3;

    let periodic: f64 = NEW_MOON_TERMS
        .iter()
        .map(|&(coefficient, e_power, [m, mp, f, om])| {
            let angle = m * sun_anomaly + mp * moon_anomaly + f * latitude_arg + om * node;
            coefficient * e.powi(e_power) * sin_deg(angle)
        })
        .sum();

    let planetary: f64 = PLANETARY_TERMS
        .iter()
        .enumerate()
        .map(|(i, &(coefficient, base, rate))| {
            // Only the first argument has a quadratic term (Meeus 49, A1).
            let quadratic = if i == 0 { -0.009_173 * t2 } else { 0.0 };
            coefficient * sin_deg(base + rate * k + quadratic)
        })
        .sum();

    mean + periodic + planetary
}

/// New-moon periodic terms (Meeus table 49.A, new moon column): coefficient in days,
/// power of the eccentricity factor E, and multiples of M, M', F and Ω.
const NEW_MOON_TERMS: [(f64, i32, [f64; 4]); 25] = [
    (-0.407_20, 0, [0.0, 1.0, 0.0, 0.0]),
    (0.172_41, 1, [1.0, 0.0, 0.0, 0.0]),
    (0.016_08, 0, [0.0, 2.0, 0.0, 0.0]),
    (0.010_39, 0, [0.0, 0.0, 2.0, 0.0]),
    (0.007_39, 1, [-1.0, 1.0, 0.0, 0.0]),
    (-0.005_14, 1, [1.0, 1.0, 0.0, 0.0]),
    (0.002_08, 2, [2.0, 0.0, 0.0, 0.0]),
    (-0.001_11, 0, [0.0, 1.0, -2.0, 0.0]),
    (-0.000_57, 0, [0.0, 1.0, 2.0, 0.0]),
    (0.000_56, 1, [1.0, 2.0, 0.0, 0.0]),
    (-0.000_42, 0, [0.0, 3.0, 0.0, 0.0]),
    (0.000_42, 1, [1.0, 0.0, 2.0, 0.0]),
    (0.000_38, 1, [1.0, 0.0, -2.0, 0.0]),
    (-0.000_24, 1, [-1.0, 2.0, 0.0, 0.0]),
    (-0.000_17, 0, [0.0, 0.0, 0.0, 1.0]),
    (-0.000_07, 0, [2.0, 1.0, 0.0, 0.0]),
    (0.000_04, 0, [0.0, 2.0, -2.0, 0.0]),
    (0.000_04, 0, [3.0, 0.0, 0.0, 0.0]),
    (0.000_03, 0, [1.0, 1.0, -2.0, 0.0]),
    (0.000_03, 0, [0.0, 2.0, 2.0, 0.0]),
    (-0.000_03, 0, [1.0, 1.0, 2.0, 0.0]),
    (0.000_03, 0, [-1.0, 1.0, 2.0, 0.0]),
    (-0.000_02, 0, [-1.0, 1.0, -2.0, 0.0]),
    (-0.000_02, 0, [1.0, 3.0, 0.0, 0.0]),
    (0.000_02, 0, [0.0, 4.0, 0.0, 0.0]),
];

/// Planetary corrections A1..A14 (Meeus 49): coefficient in days, and the argument's
/// value at k = 0 and change per lunation, in degrees.
const PLANETARY_TERMS: [(f64, f64, f64); 14] = [
    (0.000_325, 299.77, 0.107_408),
    (0.000_165, 251.88, 0.016_321),
    (0.000_164, 251.83, 26.651_886),
    (0.000_126, 349.42, 36.412_478),
    (0.000_110, 84.66, 18.206_239),
    (0.000_062, 141.74, 53.303_771),
    (0.000_060, 207.14, 2.453_732),
    (0.000_056, 154.84, 7.306_860),
    (0.000_047, 34.52, 27.261_239),
    (0.000_042, 207.19, 0.121_824),
    (0.000_040, 291.34, 1.844_379),
    (0.000_037, 161.72, 24.198_154),
    (0.000_035, 239.56, 25.513_099),
    (0.000_023, 331.55, 3.592_518),
];

/// The Sun's apparent geocentric longitude in degrees, 0..360, at Julian Ephemeris Day
/// `jde` (Meeus chapter 25, low accuracy: about 0.01°, a quarter of an hour of the
/// Sun's motion).
fn sun_apparent_longitude(jde: f64) -> f64 {
    let t = (jde - J2000) / 36_525.0;
    let mean_longitude = 280.466_46 + 36_000.769_83 * t + 0.000_303_2 * t * t;
    let anomaly = 357.529_11 + 35_999.050_29 * t - 0.000_153_7 * t * t;
    let centre = (1.914_602 - 0.004_817 * t - 0.000_014 * t * t) * sin_deg(anomaly)
        + (0.019_993 - 0.000_101 * t) * sin_deg(2.0 * anomaly)
        + 0.000_289 * sin_deg(3.0 * anomaly);
    let node = 125.04 - 1_934.136 * t;
    // Aberration and nutation in longitude turn the true longitude into the apparent one.
    let apparent = mean_longitude + centre - 0.005_69 - 0.004_78 * sin_deg(node);
    apparent.rem_euclid(360.0)
}

fn to_universal_time(jde: f64) -> f64 {
    jde - delta_t_seconds(year_of_jd(jde)) / 86_400.0
}

fn to_dynamical_time(jd_ut: f64) -> f64 {
    jd_ut + delta_t_seconds(year_of_jd(jd_ut)) / 86_400.0
}

fn year_of_jd(jd: f64) -> f64 {
    2000.0 + (jd - J2000) / 365.25
}

/// ΔT = TT − UT in seconds: the polynomial fits of Espenak and Meeus for 1900–2150 and
/// their long-term parabola elsewhere. A minute of error here moves a new moon by a
/// minute, which only matters for a new moon within that minute of local midnight.
fn delta_t_seconds(year: f64) -> f64 {
    let long_term = |y: f64| {
        let u = (y - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u
    };
    match year {
        y if (1900.0..1920.0).contains(&y) => {
            let t = y - 1900.0;
            -2.79 + 1.494_119 * t - 0.059_893_9 * t.powi(2) + 0.006_196_6 * t.powi(3)
                - 0.000_197 * t.powi(4)
        }
        y if (1920.0..1941.0).contains(&y) => {
            let t = y - 1920.0;
            21.20 + 0.844_93 * t - 0.076_100 * t.powi(2) + 0.002_093_6 * t.powi(3)
        }
        y if (1941.0..1961.0).contains(&y) => {
            let t = y - 1950.0;
            29.07 + 0.407 * t - t.powi(2) / 233.0 + t.powi(3) / 2547.0
        }
        y if (1961.0..1986.0).contains(&y) => {
            let t = y - 1975.0;
            45.45 + 1.067 * t - t.powi(2) / 260.0 - t.powi(3) / 718.0
        }
        y if (1986.0..2005.0).contains(&y) => {
            let t = y - 2000.0;
            63.86 + 0.3345 * t - 0.060_374 * t.powi(2)
                + 0.001_727_5 * t.powi(3)
                + 0.000_651_814 * t.powi(4)
                + 0.000_023_735_99 * t.powi(5)
        }
        y if (2005.0..2050.0).contains(&y) => {
            let t = y - 2000.0;
            62.92 + 0.322_17 * t + 0.005_589 * t.powi(2)
        }
        y if (2050.0..2150.0).contains(&y) => long_term(y) - 0.5628 * (2150.0 - y),
        y => long_term(y),
    }
}

/// Sine of an angle in degrees; reducing first keeps precision for the large angles of
/// lunations far from 2000.
fn sin_deg(degrees: f64) -> f64 {
    degrees.rem_euclid(360.0).to_radians().sin()
}

// ---------------------------------------------------------------------------------------
// Day numbers

fn jdn_of(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + JDN_BEFORE_CE
}

fn date_of_jdn(jdn: i64) -> Option<NaiveDate> {
    let days = i32::try_from(jdn.checked_sub(JDN_BEFORE_CE)?).ok()?;
    NaiveDate::from_num_days_from_ce_opt(days)
}

/// Julian Day Number of a proleptic Gregorian date, for any year (chrono's range ends
/// before the astronomy needs to).
fn jdn_of_ymd(year: i64, month: i64, day: i64) -> i64 {
    // Count years from March so that the leap day ends the counted year.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let days_before_year = 365 * y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400);
    let days_before_month = (153 * m + 2) / 5;
    // 1_721_119 is the JDN of 0000-03-01 minus one.
    days_before_year + days_before_month + day + 1_721_119
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn lunar(year: i32, month: u8, day: u8, leap: bool) -> LunarDate {
        LunarDate {
            year,
            month,
            day,
            leap,
        }
    }

    /// The new year at another reckoning (UTC+8 is the Chinese calendar's).
    fn new_year_at(year: i32, hours_east: f64) -> Option<NaiveDate> {
        lunar_to_solar_with(lunar(year, 1, 1, false), |y| {
            Cow::Owned(compute_solstice_year(y, hours_east))
        })
    }

    #[test]
    fn day_numbers_agree_with_chrono() {
        for date in [d(2000, 1, 1), d(1900, 3, 1), d(2100, 2, 28), d(1, 1, 1)] {
            assert_eq!(
                jdn_of_ymd(
                    i64::from(date.year()),
                    i64::from(date.month()),
                    i64::from(date.day())
                ),
                jdn_of(date)
            );
        }
        assert_eq!(jdn_of(d(2000, 1, 1)), 2_451_545);
        assert_eq!(date_of_jdn(2_451_545), Some(d(2000, 1, 1)));
    }

    #[test]
    fn new_moon_matches_meeus_example() {
        // Meeus example 49.a: the new moon of 1977 February, k = -283.
        assert!((new_moon_jde(-283) - 2_443_192.651_18).abs() < 0.000_1);
    }

    #[test]
    fn sun_longitude_matches_meeus_example() {
        // Meeus example 25.a: 1992 October 13.0 TD, apparent longitude 199.90895°.
        assert!((sun_apparent_longitude(2_448_908.5) - 199.908_95).abs() < 0.000_1);
    }

    #[test]
    fn tet_vectors() {
        assert_eq!(lunar_new_year(2024), Some(d(2024, 2, 10)));
        assert_eq!(lunar_new_year(2025), Some(d(2025, 1, 29)));
        assert_eq!(lunar_new_year(2026), Some(d(2026, 2, 17)));
        assert_eq!(lunar_new_year(2027), Some(d(2027, 2, 6)));
        assert_eq!(solar_to_lunar(d(2026, 2, 17)), lunar(2026, 1, 1, false));
    }

    #[test]
    fn hung_kings_vectors() {
        for (year, date) in [
            (2024, d(2024, 4, 18)),
            (2025, d(2025, 4, 7)),
            (2026, d(2026, 4, 26)),
            (2027, d(2027, 4, 16)),
        ] {
            assert_eq!(lunar_to_solar(lunar(year, 3, 10, false)), Some(date));
            assert_eq!(solar_to_lunar(date), lunar(year, 3, 10, false));
        }
    }

    #[test]
    fn utc7_differs_from_the_chinese_reckoning() {
        assert_eq!(lunar_new_year(1985), Some(d(1985, 1, 21)));
        assert_eq!(new_year_at(1985, 8.0), Some(d(1985, 2, 20)));
        assert_eq!(lunar_new_year(2007), Some(d(2007, 2, 17)));
        assert_eq!(new_year_at(2007, 8.0), Some(d(2007, 2, 18)));
        // The reckoning, not anything else, makes the difference.
        assert_eq!(new_year_at(2007, 7.0), lunar_new_year(2007));
        // Tết Mậu Thân: the North, newly on UTC+7, celebrated it a day before the South.
        assert_eq!(lunar_new_year(1968), Some(d(1968, 1, 29)));
        assert_eq!(new_year_at(1968, 8.0), Some(d(1968, 1, 30)));
    }

    fn leap_month_of(year: i32) -> Option<u8> {
        (1..=12).find(|&m| lunar_to_solar(lunar(year, m, 1, true)).is_some())
    }

    #[test]
    fn leap_months() {
        assert_eq!(leap_month_of(2020), Some(4));
        assert_eq!(leap_month_of(2023), Some(2));
        assert_eq!(leap_month_of(2025), Some(6));
        assert_eq!(leap_month_of(2033), Some(11));
        assert_eq!(leap_month_of(2024), None);
        assert_eq!(leap_month_of(2026), None);
        // 2025's leap month 6 began on 2025-07-25 and is 29 days long.
        assert_eq!(
            lunar_to_solar(lunar(2025, 6, 1, true)),
            Some(d(2025, 7, 25))
        );
        assert_eq!(solar_to_lunar(d(2025, 7, 25)), lunar(2025, 6, 1, true));
        assert_eq!(lunar_to_solar(lunar(2025, 6, 30, true)), None);
    }

    /// Tết of every year 1900..=2100 as MMDD, from the published Vietnamese tables.
    const TET_1900_2100: &str = "\
        0131 0219 0208 0128 0216 0204 0125 0213 0202 0122 0210 0130 0218 0206 0126 0214 0203 \
        0123 0211 0201 0220 0208 0128 0216 0205 0124 0213 0202 0123 0210 0130 0217 0206 0126 \
        0214 0203 0124 0211 0131 0219 0208 0127 0215 0205 0125 0213 0202 0122 0210 0129 0217 \
        0206 0127 0214 0203 0124 0212 0131 0218 0208 0128 0215 0205 0125 0213 0201 0121 0209 \
        0129 0216 0206 0127 0215 0203 0123 0211 0131 0218 0207 0128 0216 0205 0125 0213 0202 \
        0121 0209 0129 0217 0206 0127 0215 0204 0123 0210 0131 0219 0207 0128 0216 0205 0124 \
        0212 0201 0122 0209 0129 0217 0207 0126 0214 0203 0123 0210 0131 0219 0208 0128 0216 \
        0205 0125 0212 0201 0122 0210 0129 0217 0206 0126 0213 0202 0123 0211 0131 0219 0208 \
        0128 0215 0204 0124 0212 0201 0122 0210 0130 0217 0206 0126 0214 0202 0123 0211 0201 \
        0218 0208 0128 0215 0204 0124 0212 0202 0121 0209 0129 0217 0205 0126 0214 0203 0123 \
        0211 0131 0219 0207 0127 0215 0205 0124 0212 0202 0122 0209 0129 0217 0206 0126 0214 \
        0203 0124 0210 0130 0218 0207 0127 0215 0205 0125 0212 0201 0121 0209";

    #[test]
    fn tet_1900_to_2100_matches_published_tables() {
        let dates: Vec<&str> = TET_1900_2100.split_whitespace().collect();
        assert_eq!(dates.len(), 201);
        for (year, mmdd) in (1900..=2100).zip(dates) {
            let month = mmdd[..2].parse().expect("table month");
            let day = mmdd[2..].parse().expect("table day");
            assert_eq!(lunar_new_year(year), Some(d(year, month, day)), "{year}");
        }
    }

    /// (lunar year, leap month) for 1900..=2100; every other year has none.
    #[rustfmt::skip]
    const LEAP_MONTHS_1900_2100: [(i32, u8); 74] = [
        (1900, 8), (1903, 5), (1906, 4), (1909, 2), (1911, 6), (1914, 5), (1917, 3), (1919, 7),
        (1922, 6), (1925, 4), (1928, 2), (1930, 6), (1933, 5), (1936, 3), (1938, 8), (1941, 6),
        (1944, 4), (1947, 2), (1949, 7), (1952, 5), (1955, 3), (1957, 8), (1960, 6), (1963, 4),
        (1966, 3), (1968, 7), (1971, 5), (1974, 4), (1976, 8), (1979, 6), (1982, 4), (1985, 2),
        (1987, 7), (1990, 5), (1993, 3), (1995, 8), (1998, 5), (2001, 4), (2004, 2), (2006, 7),
        (2009, 5), (2012, 4), (2014, 9), (2017, 6), (2020, 4), (2023, 2), (2025, 6), (2028, 5),
        (2031, 3), (2033, 11), (2036, 6), (2039, 5), (2042, 2), (2044, 7), (2047, 5), (2050, 3),
        (2052, 8), (2055, 6), (2058, 4), (2061, 3), (2063, 7), (2066, 5), (2069, 4), (2071, 8),
        (2074, 6), (2077, 4), (2080, 3), (2082, 7), (2085, 5), (2088, 4), (2090, 8), (2093, 6),
        (2096, 4), (2099, 2),
    ];

    #[test]
    fn leap_months_1900_to_2100() {
        for year in 1900..=2100 {
            let expected = LEAP_MONTHS_1900_2100
                .iter()
                .find(|(y, _)| *y == year)
                .map(|(_, m)| *m);
            assert_eq!(leap_month_of(year), expected, "{year}");
        }
    }

    #[test]
    fn leap_month_1938_follows_the_equinox() {
        // The widely used tables give 1938 a leap month 7 (from 1938-08-25). The autumn
        // equinox came at 23:59 on 1938-09-23 (UTC+7), inside the month that began on
        // 08-25, so that month has its major term and the next one is the leap month.
        assert_eq!(solar_to_lunar(d(1938, 8, 25)), lunar(1938, 8, 1, false));
        assert_eq!(solar_to_lunar(d(1938, 9, 24)), lunar(1938, 8, 1, true));
    }

    #[test]
    fn invalid_lunar_dates_are_none() {
        assert_eq!(lunar_to_solar(lunar(2025, 0, 1, false)), None);
        assert_eq!(lunar_to_solar(lunar(2025, 13, 1, false)), None);
        assert_eq!(lunar_to_solar(lunar(2025, 1, 0, false)), None);
        assert_eq!(lunar_to_solar(lunar(2025, 1, 31, false)), None);
        assert_eq!(lunar_to_solar(lunar(2025, 5, 1, true)), None);
        assert_eq!(lunar_to_solar(lunar(10_000, 1, 1, false)), None);
        assert_eq!(lunar_to_solar(lunar(i32::MAX, 1, 1, false)), None);
        assert_eq!(lunar_to_solar(lunar(i32::MIN, 1, 1, false)), None);
    }

    #[test]
    fn month_lengths_follow_the_moon() {
        // Lunar 12/2024 has 29 days: its 30th does not exist, and 29/12 is Tết's eve.
        assert_eq!(lunar_to_solar(lunar(2024, 12, 30, false)), None);
        assert_eq!(
            lunar_to_solar(lunar(2024, 12, 29, false)),
            Some(d(2025, 1, 28))
        );
    }

    #[test]
    fn round_trip_every_day_1900_to_2100() {
        let mut date = d(1900, 1, 1);
        let last = d(2100, 12, 31);
        let mut previous: Option<LunarDate> = None;
        while date <= last {
            let l = solar_to_lunar(date);
            assert_eq!(lunar_to_solar(l), Some(date), "{date} -> {l:?}");
            // Consecutive days advance the lunar date by one, or start a new month.
            if let Some(p) = previous {
                assert!(
                    l.day == p.day + 1 || (l.day == 1 && (p.day == 29 || p.day == 30)),
                    "{date}: {p:?} -> {l:?}"
                );
            }
            previous = Some(l);
            date = date.succ_opt().expect("2100 is far from chrono's end");
        }
    }

    #[test]
    fn extremes_do_not_panic() {
        for date in [
            NaiveDate::MIN,
            NaiveDate::MAX,
            d(-1000, 6, 1),
            d(5000, 6, 1),
        ] {
            let l = solar_to_lunar(date);
            assert!((1..=12).contains(&l.month) && (1..=30).contains(&l.day));
        }
        // Far from the verified range the computation still round-trips.
        for date in [d(1000, 3, 3), d(3000, 9, 9)] {
            assert_eq!(lunar_to_solar(solar_to_lunar(date)), Some(date));
        }
    }

    proptest! {
        #[test]
        fn lunar_to_solar_never_panics(
            year in any::<i32>(), month in any::<u8>(), day in any::<u8>(), leap in any::<bool>()
        ) {
            let _ = lunar_to_solar(lunar(year, month, day, leap));
        }

        #[test]
        fn lunar_dates_round_trip(year in -9999i32..=9999, month in 1u8..=12, day in 1u8..=30, leap in any::<bool>()) {
            let l = lunar(year, month, day, leap);
            if let Some(date) = lunar_to_solar(l) {
                prop_assert_eq!(solar_to_lunar(date), l);
            }
        }

        #[test]
        fn solar_to_lunar_never_panics(
            days in NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce()
        ) {
            if let Some(date) = NaiveDate::from_num_days_from_ce_opt(days) {
                let l = solar_to_lunar(date);
                prop_assert!((1..=12).contains(&l.month) && (1..=30).contains(&l.day));
            }
        }

        #[test]
        fn four_digit_years_round_trip(year in -9998i32..=9999, ordinal in 1u32..=365) {
            // Far outside the verified range the astronomy is only nominal, but the
            // calendar it defines is still well formed.
            let date = NaiveDate::from_yo_opt(year, ordinal).expect("every year has 365 days");
            prop_assert_eq!(lunar_to_solar(solar_to_lunar(date)), Some(date));
        }
    }
}
