//! A sweep's output folder: its plan, one summary and one metrics file per task, logs, results.
//!
//! ```text
//! DIR/plan.ron            the plan every task reads (written once; a different plan is refused)
//! DIR/tasks/000042.csv    task 42's metrics, one row per sample
//! DIR/tasks/000042.json   task 42's summary, written last: its presence marks the task done
//! DIR/logs/               what failed tasks and Slurm jobs printed
//! DIR/results.csv         one row per task (`murmuration sweep collect`)
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::plan::{SweepPlan, plan_file};
use crate::io::write_atomic;
use crate::run::{HeadlessOptions, SimOutputs, SimReport, headless, outputs};

/// A sweep's output folder.
#[derive(Clone, Debug)]
pub struct SweepFolder {
    /// The folder, absolute.
    pub root: PathBuf,
}

impl SweepFolder {
    /// Prepares `dir` for `plan`: creates it, and writes the plan there, or checks that the plan
    /// already there is the same one (a sweep never mixes two plans' outputs).
    pub fn create(dir: &Path, plan: &SweepPlan) -> Result<Self> {
        std::fs::create_dir_all(dir.join("tasks")).with_context(|| format!("cannot create {}", dir.display()))?;
        std::fs::create_dir_all(dir.join("logs")).with_context(|| format!("cannot create {}", dir.display()))?;
        let root = std::path::absolute(dir)?;
        let path = plan_file(&root);
        if path.exists() {
            let existing = SweepPlan::load(&path)?;
            if existing != *plan {
                bail!(
                    "{} holds the outputs of another plan ({}); give another --out, or delete the folder to start over",
                    root.display(),
                    path.display()
                );
            }
        } else {
            write_atomic(&path, plan.to_ron().as_bytes())?;
        }
        Ok(Self { root })
    }

    /// Opens the folder of a sweep that was started: its plan.
    pub fn open(dir: &Path) -> Result<(Self, SweepPlan)> {
        let root = std::path::absolute(dir)?;
        let path = plan_file(&root);
        if !path.is_file() {
            bail!("{} is not a sweep folder: it has no plan.ron (run `murmuration sweep PLAN --out {}` first)", dir.display(), dir.display());
        }
        let plan = SweepPlan::load(&path)?;
        Ok((Self { root }, plan))
    }

    /// The plan file every task reads.
    pub fn plan(&self) -> PathBuf {
        plan_file(&self.root)
    }

    /// Task `i`'s summary (JSON).
    pub fn summary(&self, i: usize) -> PathBuf {
        self.root.join("tasks").join(format!("{i:06}.json"))
    }

    /// Task `i`'s metrics (CSV).
    pub fn metrics(&self, i: usize) -> PathBuf {
        self.root.join("tasks").join(format!("{i:06}.csv"))
    }

    /// The logs folder.
    pub fn logs(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// Whether task `i` has finished (its summary, written last and atomically, exists).
    pub fn is_done(&self, i: usize) -> bool {
        self.summary(i).is_file()
    }
}

/// Runs task `index` of the plan on this thread (with `threads` compute threads, default 1)
/// and writes its metrics, then its summary.
pub fn run_task(folder: &SweepFolder, plan: &SweepPlan, index: usize, threads: Option<usize>) -> Result<SimReport> {
    let count = plan.task_count();
    if index >= count {
        bail!("invalid value for --task: {index} (allowed: 0 to {}, the plan has {count} tasks)", count - 1);
    }
    let task = plan.task(index);
    let config = plan.config(&task)?;
    let steps = plan.steps(&config);
    let files = SimOutputs { metrics: Some(folder.metrics(index)), summary: Some(folder.summary(index)), ..Default::default() };
    let options = HeadlessOptions { threads: Some(threads.unwrap_or(1)), metrics: true };
    let (report, mut sim) = headless::run(&config, steps, options, None, None)?;
    outputs::write_all(&files, &config, &report, &mut sim)?;
    Ok(report)
}
