//! The rules of the one-stop desk, as pure functions and data.
//!
//! Everything here is synchronous and does no IO, so the portal, the client and the
//! TUI can all call the same code and cannot disagree about a due date, an identity
//! number or a payment code. This module imports nothing from the rest of the crate.

pub mod calendar;
pub mod dossier_code;
pub mod fees;
pub mod identity;
pub mod lunar;
pub mod phone;
pub mod status;
pub mod text;
pub mod vietqr;
pub mod workflow;
