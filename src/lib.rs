pub mod api;
pub mod client;
pub mod config;
pub mod domain;
pub mod portal;
pub mod tui;
