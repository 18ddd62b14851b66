//! The rules of the one-stop desk, as pure functions and data.
//!
//! Everything here is synchronous and does no IO, so the portal, the client and the
//! TUI can all call the same code and cannot disagree about a due date, an identity
//! number or a payment code. This module imports nothing from the rest of the crate.

pub mod account;
pub mod calendar;
pub mod catalog;
pub mod certification;
pub mod documents;
pub mod dossier_code;
pub mod fees;
pub mod forms;
pub mod identity;
pub mod lunar;
pub mod phone;
pub mod results;
pub mod status;
pub mod text;
pub mod vietqr;
pub mod workflow;

/// The language a user reads messages in. Vietnamese is the default everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

/// A broken rule that a user must be told about: a stable machine code and a message,
/// in either language, that says what is wrong and what to do. `Display` gives the
/// English message, for logs.
pub trait RuleError: std::error::Error {
    /// Stable `snake_case` code, used in API error bodies and field errors.
    fn code(&self) -> &'static str;
    /// The message for a user.
    fn message(&self, lang: Lang) -> String;
}
