//! A sweep's output folder: its plan, one summary and one metrics file per task, logs, results.
//!
//! ```text
//! DIR/plan.ron            the plan every task reads (written once; a different plan is refused)
//! DIR/preset.ron          the plan's preset, copied: what every task starts from
//! DIR/tasks/000042.csv    task 42's metrics, one row per sample
//! DIR/tasks/000042.json   task 42's summary, written last: its presence marks the task done
//! DIR/logs/               what failed tasks and Slurm jobs printed
//! DIR/results.csv         one row per task (`murmuration sweep collect`)
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::plan::{SweepPlan, plan_file};
use crate::io::write_atomic;
use crate::preset::Preset;
use crate::run::{HeadlessOptions, SimOutputs, SimReport, headless, outputs};

/// The name of the preset copy in a sweep folder.
const PINNED_PRESET: &str = "preset.ron";

/// A sweep's output folder.
#[derive(Clone, Debug)]
pub struct SweepFolder {
    /// The folder, absolute.
    pub root: PathBuf,
}

impl SweepFolder {
    /// Prepares `dir` for `plan`: creates it and pins the plan there, its preset copied beside it
    /// (`preset.ron`), so later edits of the preset cannot mix two versions in one sweep; or
    /// checks that the plan and preset already there are the same. Returns the folder and the
    /// pinned plan, which every task runs.
    pub fn create(dir: &Path, plan: &SweepPlan) -> Result<(Self, SweepPlan)> {
        let preset = Preset::load(&plan.preset)?;
        let pinned = SweepPlan { preset: PINNED_PRESET.into(), ..plan.clone() };
        for sub in ["tasks", "logs"] {
            std::fs::create_dir_all(dir.join(sub)).with_context(|| format!("cannot create {}", dir.join(sub).display()))?;
        }
        let root = std::path::absolute(dir)?;
        let (plan_path, preset_path) = (plan_file(&root), root.join(PINNED_PRESET));
        if plan_path.exists() {
            let text = std::fs::read_to_string(&plan_path).with_context(|| format!("cannot read {}", plan_path.display()))?;
            let same_plan = SweepPlan::from_ron(&text).is_ok_and(|p| p == pinned);
            let same_preset = Preset::load_file(&preset_path).is_ok_and(|p| p == preset);
            if !(same_plan && same_preset) {
                bail!(
                    "{} holds the outputs of another plan or preset (its plan.ron, preset.ron); give another --out, or delete the folder to start over",
                    root.display()
                );
            }
        } else {
            write_atomic(&preset_path, preset.to_ron().as_bytes())?;
            write_atomic(&plan_path, pinned.to_ron().as_bytes())?;
        }
        let run = SweepPlan { preset: preset_path.to_string_lossy().into_owned(), ..pinned };
        Ok((Self { root }, run))
    }

    /// The plan as the folder pins it, its preset the folder's copy (an absolute path).
    fn pinned_plan(&self) -> Result<SweepPlan> {
        let path = plan_file(&self.root);
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut plan = SweepPlan::from_ron(&text).with_context(|| format!("plan {}", path.display()))?;
        plan.preset = self.root.join(&plan.preset).to_string_lossy().into_owned();
        Ok(plan)
    }

    /// Opens the folder of a sweep that was started: its pinned plan (the folder alone is enough,
    /// wherever it was copied).
    pub fn open(dir: &Path) -> Result<(Self, SweepPlan)> {
        let root = std::path::absolute(dir)?;
        if !plan_file(&root).is_file() {
            bail!("{} is not a sweep folder: it has no plan.ron (run `murmuration sweep PLAN --out {}` first)", dir.display(), dir.display());
        }
        let folder = Self { root };
        let plan = folder.pinned_plan()?;
        Ok((folder, plan))
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
