//! Placeholder replaced by the training bench.
fn main() {}
