//! The integration tests: one binary, run with `cargo test`.

mod cli;
mod cmp;
mod common;
mod completions;
mod docs;
mod escaping;
mod lint;
mod mutations;
mod properties;
mod render;
mod scripts;
mod simulate;
mod topology;
mod traffic;
mod workflow;
