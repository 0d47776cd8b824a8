//! The integration tests: one binary, run with `cargo test`.

mod cli;
mod cmp;
mod collisions;
mod common;
mod completions;
mod diff;
mod docs;
mod escaping;
mod everyday;
mod gotemplate;
mod hostile;
mod lint;
mod mutations;
mod newcomer;
mod out_dir;
mod properties;
mod render;
mod reports;
mod scripts;
mod simulate;
mod structure;
mod topology;
mod traffic;
mod versions;
mod workflow;
