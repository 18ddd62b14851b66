//! The portal's clock. Real time in production; tests move it to exercise the time
//! rules (supplement window, extension deadline, the daily dossier counter, expiry).

use crate::domain::calendar::{LocalTime, vn_offset};
use chrono::{TimeDelta, Timelike, Utc};
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Added to the real time; only tests change it.
    shift: Arc<Mutex<TimeDelta>>,
}

impl Clock {
    /// Now, at +07:00, to the second: every time the API shows or stores has whole
    /// seconds, so the same instant always prints the same.
    pub fn now(&self) -> LocalTime {
        let shift = *self.shift.lock().unwrap_or_else(PoisonError::into_inner);
        let now = (Utc::now() + shift).with_timezone(&vn_offset());
        now.with_nanosecond(0).unwrap_or(now)
    }

    /// Now as Unix seconds, for expiry arithmetic.
    pub fn unix(&self) -> i64 {
        self.now().timestamp()
    }

    /// Moves the clock so that it reads `at` now (and runs on from there).
    pub fn set(&self, at: LocalTime) {
        let delta = at.with_timezone(&Utc) - Utc::now();
        *self.shift.lock().unwrap_or_else(PoisonError::into_inner) = delta;
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: TimeDelta) {
        *self.shift.lock().unwrap_or_else(PoisonError::into_inner) += by;
    }
}
