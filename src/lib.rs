pub mod api;
pub mod config;
pub mod domain;
pub mod portal;
pub mod tui;
