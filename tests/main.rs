//! Integration tests, in one crate (one test binary) to keep link time and disk use down.

mod support;

mod cli;
mod determinism;
mod grid;
mod invariants;
mod metrics;
mod predator;
mod record;
mod reliability;
mod scenarios;
mod sweep;
mod ui;
mod window;
