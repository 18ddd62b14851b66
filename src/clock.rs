//! The one clock every part of motcua reads, so that a test, a trainer or a portal
//! several seconds off can set what "now" is.
//!
//! The portal reads its [`Clock`] for every due time, expiry and audit row; `serve
//! --now` and `training --now` start it at a chosen instant (trainers practise the days
//! before Tết, tests pin the hour and the weekday), and it runs on from there. The TUI
//! and the simulator read the portal's time from the `Date` header of its answers
//! ([`Clock::follow`]): a remaining time is counted from the clock the due time was
//! computed on, even when the desk computer's own clock is wrong.

use crate::domain::calendar::{LocalTime, vn_offset};
use chrono::{DateTime, TimeDelta, Timelike, Utc};
use std::sync::{Arc, Mutex, PoisonError};

/// Wall time plus a shift, or a stopped instant; clones share the state.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    shift: TimeDelta,
    /// Set by [`Clock::stop_at`]: a test that asserts an exact due time must not see a
    /// second go by between setting the hour and filing the dossier on a loaded machine.
    stopped: Option<DateTime<Utc>>,
}

/// How far the clock may be from a portal's `Date` before [`Clock::follow`] moves it:
/// the header has whole seconds and arrives a round trip late, so a smaller gap is noise.
const FOLLOW_TOLERANCE: TimeDelta = TimeDelta::seconds(2);

impl Clock {
    /// The system's clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that reads `at` now and runs on from there.
    pub fn starting_at(at: LocalTime) -> Clock {
        let clock = Clock::default();
        clock.set(at);
        clock
    }

    /// Now, at +07:00, to the second: every time the API shows or stores has whole
    /// seconds, so the same instant always prints the same.
    pub fn now(&self) -> LocalTime {
        let now = self.utc().with_timezone(&vn_offset());
        now.with_nanosecond(0).unwrap_or(now)
    }

    /// Now as Unix seconds, for expiry arithmetic.
    pub fn unix(&self) -> i64 {
        self.now().timestamp()
    }

    /// Moves the clock so that it reads `at` now (and runs on from there).
    pub fn set(&self, at: LocalTime) {
        let mut state = self.state();
        state.shift = at.with_timezone(&Utc) - Utc::now();
        state.stopped = None;
    }

    /// Stops the clock at `at`: it reads `at` until it is set, advanced or stopped
    /// again. For tests that assert exact instants.
    pub fn stop_at(&self, at: LocalTime) {
        self.state().stopped = Some(at.with_timezone(&Utc));
    }

    /// Moves the clock forward (a stopped clock stays stopped, later).
    pub fn advance(&self, by: TimeDelta) {
        let mut state = self.state();
        match state.stopped.as_mut() {
            Some(stopped) => *stopped += by,
            None => state.shift += by,
        }
    }

    /// Follows a portal's clock, given the `Date` header of one of its answers (RFC 9110
    /// HTTP-date, e.g. `Sat, 06 Feb 2027 03:00:00 GMT`) and how long the answer took to
    /// come (half the round trip: on a slow link the header is that much behind when it
    /// arrives). A header that does not parse is ignored: the clock keeps what it had.
    pub fn follow(&self, date_header: &str, in_transit: TimeDelta) {
        let Ok(portal) = DateTime::parse_from_rfc2822(date_header) else {
            return;
        };
        let portal = portal + in_transit;
        let ours = self.utc();
        let gap = portal.with_timezone(&Utc) - ours;
        if gap.abs() > FOLLOW_TOLERANCE {
            self.set(portal.with_timezone(&vn_offset()));
        }
    }

    fn utc(&self) -> DateTime<Utc> {
        let state = self.state();
        state.stopped.unwrap_or_else(|| Utc::now() + state.shift)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `now` as an HTTP-date, for the portal's `Date` header.
pub fn http_date(now: LocalTime) -> String {
    now.with_timezone(&Utc)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// Parses a `--now` instant: RFC 3339 with its offset, e.g. `2027-02-05T16:30:00+07:00`.
/// The message says what was expected (in both languages: the language setting may not
/// be read yet when a command line is checked).
pub fn parse_instant(text: &str) -> Result<LocalTime, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&vn_offset()))
        .map_err(|_| {
            format!(
                "«{text}» không phải thời điểm dạng 2027-02-05T16:30:00+07:00 (ngày, giờ và múi giờ) / \
                 «{text}» is not an instant like 2027-02-05T16:30:00+07:00 (date, time and offset)"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> LocalTime {
        parse_instant(text).unwrap()
    }

    #[test]
    fn starts_at_the_chosen_instant_and_runs_on() {
        let clock = Clock::starting_at(at("2027-02-05T16:30:00+07:00"));
        let first = clock.now();
        assert!(
            (first - at("2027-02-05T16:30:00+07:00"))
                .num_seconds()
                .abs()
                <= 1
        );
        clock.advance(TimeDelta::hours(1));
        assert!(clock.now() - first >= TimeDelta::hours(1));
        assert_eq!(clock.now().offset(), &vn_offset());
    }

    #[test]
    fn a_stopped_clock_reads_the_same_until_moved() {
        let clock = Clock::system();
        clock.stop_at(at("2026-03-05T08:00:00+07:00"));
        assert_eq!(clock.now(), at("2026-03-05T08:00:00+07:00"));
        clock.advance(TimeDelta::minutes(90));
        assert_eq!(clock.now(), at("2026-03-05T09:30:00+07:00"));
        clock.set(at("2026-03-06T08:00:00+07:00"));
        clock.advance(TimeDelta::hours(1));
        assert!(
            (clock.now() - at("2026-03-06T09:00:00+07:00"))
                .num_seconds()
                .abs()
                <= 1
        );
    }

    #[test]
    fn clones_share_the_time() {
        let a = Clock::system();
        let b = a.clone();
        a.set(at("2026-03-07T10:00:00+07:00"));
        assert!(
            (b.now() - at("2026-03-07T10:00:00+07:00"))
                .num_seconds()
                .abs()
                <= 1
        );
    }

    #[test]
    fn follows_a_portal_that_is_off_and_ignores_noise() {
        let clock = Clock::starting_at(at("2026-03-07T10:00:00+07:00"));
        // 03:00 GMT is 10:00 at +07:00: within the tolerance, nothing moves.
        clock.follow("Sat, 07 Mar 2026 03:00:01 GMT", TimeDelta::zero());
        assert!(
            (clock.now() - at("2026-03-07T10:00:00+07:00"))
                .num_seconds()
                .abs()
                <= 1
        );
        // A portal a day ahead is followed.
        clock.follow("Sun, 08 Mar 2026 03:00:00 GMT", TimeDelta::zero());
        assert!(
            (clock.now() - at("2026-03-08T10:00:00+07:00"))
                .num_seconds()
                .abs()
                <= 1
        );
        // Garbage is ignored.
        clock.follow("yesterday", TimeDelta::zero());
        assert!(
            (clock.now() - at("2026-03-08T10:00:00+07:00"))
                .num_seconds()
                .abs()
                <= 1
        );
        // An answer that took 6 s to come (a 12 s round trip) was written 6 s ago.
        clock.follow("Sun, 08 Mar 2026 02:59:54 GMT", TimeDelta::seconds(6));
        assert!(
            (clock.now() - at("2026-03-08T10:00:00+07:00"))
                .num_seconds()
                .abs()
                <= 1
        );
    }

    #[test]
    fn http_dates_round_trip() {
        let t = at("2027-02-05T16:30:00+07:00");
        assert_eq!(http_date(t), "Fri, 05 Feb 2027 09:30:00 GMT");
        let clock = Clock::system();
        clock.follow(&http_date(t), TimeDelta::zero());
        assert!((clock.now() - t).num_seconds().abs() <= 1);
    }

    #[test]
    fn a_now_without_offset_is_refused_with_the_expected_form() {
        for bad in ["2027-02-05 16:30", "2027-02-05T16:30:00", "tomorrow", ""] {
            let e = parse_instant(bad).unwrap_err();
            assert!(e.contains("2027-02-05T16:30:00+07:00"), "{e}");
        }
        assert_eq!(
            parse_instant("2027-02-05T09:30:00Z").unwrap(),
            at("2027-02-05T16:30:00+07:00")
        );
    }
}
