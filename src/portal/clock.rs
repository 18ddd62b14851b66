//! The portal's clock: the crate's one [`Clock`](crate::clock::Clock). Real time unless
//! `--now` (or a test) starts it elsewhere; tests also move it to exercise the time rules
//! (supplement window, extension deadline, the daily dossier counter, expiry).

pub use crate::clock::Clock;
