//! Sweeps: many seeded runs over a grid of parameter values, run on this machine or as a Slurm
//! job array, then collected into one table.
//!
//! A [`SweepPlan`] (RON) expands into numbered tasks; a [`SweepFolder`] holds the plan and each
//! task's summary and metrics; [`local::run_pending`] runs the unfinished tasks with a pool of
//! task processes, [`slurm::script`] writes the job array that runs them on a cluster, and
//! [`collect()`] reads them back into [`Results`].

pub mod collect;
mod folder;
pub mod local;
mod plan;
pub mod slurm;
pub mod stats;

pub use collect::{MEASURES, Measure, Results, collect, measure};
pub use folder::{SweepFolder, run_task};
pub use plan::{Axis, DEFAULT_STEPS, MAX_TASKS, Seeds, SweepPlan, Task};
