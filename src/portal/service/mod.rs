//! The portal's business steps, apart from HTTP: a handler extracts, authorizes, calls a
//! service and answers; a service does one step of the one-stop desk in the caller's
//! transaction, with its audit row, whoever calls it (a handler, the demo seed, the bulk
//! loader). Services know nothing of requests or responses.

pub mod actions;
pub mod activation;
pub mod catalog;
pub mod certifications;
pub mod citizens;
pub mod documents;
pub mod intake;
pub mod leases;
pub mod online;
pub mod payments;
pub mod supplements;
pub mod uploads;
