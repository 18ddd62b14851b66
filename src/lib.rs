pub mod api;
pub mod client;
pub mod clock;
pub mod config;
pub mod domain;
pub mod forms;
pub mod linksim;
pub mod portal;
pub mod sandbox;
pub mod training;
pub mod tui;

/// The allocator of every program built on this library (the `motcua` binary, the tests,
/// the benchmarks). Under the portal's load glibc's malloc was a fifth of the CPU profile
/// (SQLite's page and statement buffers, the JSON of every answer, freed across threads);
/// mimalloc's thread-local heaps do the same work for a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
