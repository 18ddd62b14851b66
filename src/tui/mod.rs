//! The terminal app: an `Action` enum, `update()`, `render()`, and a runtime that feeds
//! one into the other and carries out the effects through `crate::client`.
//!
//! Rooms: `state` (the model), `update` (the only place it changes), `view` (draws it),
//! `runtime` (terminal events, ticks, network tasks), plus `keymap`, `theme`, `i18n`.

pub mod action;
pub mod attachments;
pub mod certify;
pub mod documents;
pub mod drafts;
pub mod i18n;
pub mod idempotency;
pub mod intake;
pub mod keymap;
pub mod memory;
pub mod offline;
pub mod paging;
pub mod paper;
pub mod paths;
pub mod runtime;
pub mod sending;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod training;
pub mod update;
pub mod view;
pub mod viewer;
pub use runtime::{Options, run};
