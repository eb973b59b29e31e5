//! Running a sweep's tasks on this machine: a pool of workers, each starting one task process at
//! a time (`murmuration sweep PLAN --out DIR --task I`), so a task runs exactly as it does alone
//! or under Slurm, and a killed sweep loses only the tasks in flight.

use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::ProgressBar;

use super::folder::SweepFolder;
use crate::io::write_atomic;

/// What a local sweep did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LocalReport {
    /// Tasks in the plan.
    pub total: usize,
    /// Tasks whose outputs were already complete.
    pub skipped: usize,
    /// Tasks run to completion now.
    pub ran: usize,
    /// Tasks that failed: `(index, the log file with what they printed)`.
    pub failed: Vec<(usize, std::path::PathBuf)>,
}

/// Runs every task of the folder's plan that is not done yet, `jobs` at a time. `command(i)` is
/// the process that runs task `i`. The bar counts finished tasks (its length is set here).
pub fn run_pending(folder: &SweepFolder, total: usize, jobs: usize, command: &(dyn Fn(usize) -> Command + Sync), bar: &ProgressBar) -> LocalReport {
    let pending: Vec<usize> = (0..total).filter(|&i| !folder.is_done(i)).collect();
    bar.set_length(pending.len() as u64);
    let next = AtomicUsize::new(0);
    let failed = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, pending.len().max(1)) {
            scope.spawn(|| {
                while let Some(&i) = pending.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(log) = run_one(folder, i, command(i)) {
                        failed.lock().expect("no worker panics holding the lock").push((i, log));
                        bar.set_message(format!("{} failed", failed.lock().map_or(0, |f| f.len())));
                    }
                    bar.inc(1);
                }
            });
        }
    });
    let mut failed = failed.into_inner().expect("workers are done");
    failed.sort();
    LocalReport { total, skipped: total - pending.len(), ran: pending.len() - failed.len(), failed }
}

/// Runs one task process; on failure keeps what it printed in `logs/task-NNNNNN.err`.
fn run_one(folder: &SweepFolder, index: usize, mut command: Command) -> Result<(), std::path::PathBuf> {
    let log = folder.logs().join(format!("task-{index:06}.err"));
    let output = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).output();
    let text = match output {
        Ok(out) if out.status.success() && folder.is_done(index) => return Ok(()),
        Ok(out) => format!(
            "{}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => format!("cannot start {command:?}: {e}"),
    };
    let _ = write_atomic(&log, text.as_bytes());
    Err(log)
}
