//! The run layer: a checked run configuration and the headless runner, below every front end.
//!
//! `cli/` (the command line), `app/` (the window), `record/` (offscreen video), the tests and the
//! benches all build runs from here; nothing here knows about clap, windows or rendering.

pub mod bench;
mod config;
pub mod headless;
pub mod outputs;
pub mod sweep;
pub mod trajectories;

pub use config::RunConfig;
pub use headless::{Headless, HeadlessOptions, SimReport, task_pool_plugin};
pub use outputs::SimOutputs;
