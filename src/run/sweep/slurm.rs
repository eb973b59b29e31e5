//! A sweep as a Slurm job array: one array element per task, each running
//! `murmuration sweep DIR/plan.ron --out DIR --task $SLURM_ARRAY_TASK_ID`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::folder::SweepFolder;

/// The most array elements a script asks for: Slurm's default `MaxArraySize` is 1001 (indices
/// 0 to 1000), so larger plans run several tasks per element.
pub const MAX_ARRAY: usize = 1000;

/// Tasks per array element for a plan of `tasks` tasks: as asked, else 1, or as few as keep the
/// array within [`MAX_ARRAY`] elements.
pub fn tasks_per_job(tasks: usize, asked: Option<usize>) -> usize {
    asked.unwrap_or_else(|| tasks.div_ceil(MAX_ARRAY)).max(1)
}

/// The `#SBATCH` settings of a sweep's job array.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SlurmOptions {
    /// `--job-name` (default `murmuration-sweep`).
    pub job_name: Option<String>,
    /// `--time`, a task's time limit (e.g. `0:30:00`).
    pub time: Option<String>,
    /// `--mem`, a task's memory (e.g. `2G`).
    pub mem: Option<String>,
    /// `--partition`.
    pub partition: Option<String>,
    /// `--account`.
    pub account: Option<String>,
    /// `--cpus-per-task` (default 1: each task runs on one core).
    pub cpus: u32,
    /// At most this many tasks at once (`--array=0-N%MAX`).
    pub max_running: Option<u32>,
    /// Tasks each array element runs, one after another (default: 1, or as many as keep the
    /// array within [`MAX_ARRAY`] elements).
    pub tasks_per_job: Option<usize>,
    /// Further `#SBATCH` options, written as given (e.g. `--qos=short`).
    pub extra: Vec<String>,
}

/// The job-array script for a sweep of `tasks` tasks, whose binary is `exe`. Refuses values that
/// an `#SBATCH` line cannot hold (sbatch splits them at spaces and reads quotes and `#` itself).
pub fn script(folder: &SweepFolder, tasks: usize, exe: &Path, options: &SlurmOptions) -> Result<String> {
    let per_job = tasks_per_job(tasks, options.tasks_per_job);
    let mut sbatch = vec![
        format!("--job-name={}", options.job_name.as_deref().unwrap_or("murmuration-sweep")),
        format!("--array=0-{}{}", tasks.div_ceil(per_job).saturating_sub(1), options.max_running.map_or_else(String::new, |m| format!("%{m}"))),
        "--ntasks=1".into(),
        format!("--cpus-per-task={}", options.cpus.max(1)),
        format!("--output={}", folder.logs().join("slurm-%A_%a.out").display()),
    ];
    for (name, value) in [("time", &options.time), ("mem", &options.mem), ("partition", &options.partition), ("account", &options.account)] {
        sbatch.extend(value.as_ref().map(|v| format!("--{name}={v}")));
    }
    sbatch.extend(options.extra.iter().cloned());
    if let Some(bad) = sbatch.iter().find(|l| l.chars().any(|c| c.is_whitespace() || "'\"\\#".contains(c))) {
        bail!("cannot write `#SBATCH {bad}`: sbatch would split or unquote it (spaces, quotes, backslashes and # are not allowed there; choose another --out folder or value)");
    }
    let mut s = String::from("#!/bin/bash\n");
    s += "# A murmuration sweep as a Slurm job array: one array element per task.\n";
    s += &format!("# Submit: sbatch {}   Then: murmuration sweep collect {}\n", quote(&folder.root.join("sweep.sbatch")), quote(&folder.root));
    for line in &sbatch {
        s += &format!("#SBATCH {line}\n");
    }
    s += "set -euo pipefail\n";
    let run = format!(
        "{} sweep {} --out {} --threads \"${{SLURM_CPUS_PER_TASK:-1}}\" --task",
        quote(exe),
        quote(&folder.plan()),
        quote(&folder.root)
    );
    if per_job == 1 {
        s += &format!("exec {run} \"$SLURM_ARRAY_TASK_ID\"\n");
    } else {
        // tasks first..first+per_job-1 of this element, each tried even if one before failed
        s += &format!("first=$(( SLURM_ARRAY_TASK_ID * {per_job} ))\nstatus=0\n");
        s += &format!("for i in $(seq \"$first\" $(( first + {} ))); do\n", per_job - 1);
        s += &format!("  [ \"$i\" -lt {tasks} ] || break\n  {run} \"$i\" || status=1\ndone\nexit $status\n");
    }
    Ok(s)
}

/// Submits a job script with `sbatch`; returns the job id.
pub fn submit(script: &Path) -> Result<String> {
    let output = Command::new("sbatch")
        .arg("--parsable")
        .arg(script)
        .output()
        .context("cannot run sbatch (is Slurm installed and on PATH?)")?;
    if !output.status.success() {
        bail!("sbatch {} failed: {}", script.display(), String::from_utf8_lossy(&output.stderr).trim());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let id = text.trim().split(';').next().unwrap_or_default().to_string();
    if id.is_empty() {
        bail!("sbatch printed no job id");
    }
    Ok(id)
}

/// A path quoted for the shell (single quotes).
pub fn quote(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_one_array_element_per_task() {
        let folder = SweepFolder { root: "/data/sweeps/a".into() };
        let options = SlurmOptions { time: Some("0:10:00".into()), max_running: Some(8), extra: vec!["--qos=short".into()], ..Default::default() };
        let s = script(&folder, 12, Path::new("/opt/it's/murmuration"), &options).unwrap();
        assert!(s.starts_with("#!/bin/bash\n"), "{s}");
        for needle in [
            "#SBATCH --array=0-11%8\n",
            "#SBATCH --cpus-per-task=1\n",
            "#SBATCH --time=0:10:00\n",
            "#SBATCH --qos=short\n",
            "#SBATCH --output=/data/sweeps/a/logs/slurm-%A_%a.out\n",
            "exec '/opt/it'\\''s/murmuration' sweep '/data/sweeps/a/plan.ron' --out '/data/sweeps/a' --threads \"${SLURM_CPUS_PER_TASK:-1}\" --task \"$SLURM_ARRAY_TASK_ID\"\n",
        ] {
            assert!(s.contains(needle), "missing {needle:?} in\n{s}");
        }
        assert!(!s.contains("--mem"), "no memory line unless asked");
    }

    #[test]
    fn plans_beyond_the_array_limit_run_several_tasks_per_element() {
        assert_eq!((tasks_per_job(1000, None), tasks_per_job(1001, None), tasks_per_job(2500, None)), (1, 2, 3));
        assert_eq!(tasks_per_job(10, Some(4)), 4);
        let folder = SweepFolder { root: "/d".into() };
        let s = script(&folder, 2500, Path::new("/m"), &SlurmOptions::default()).unwrap();
        assert!(s.contains("#SBATCH --array=0-833\n"), "{s}");
        assert!(s.contains("first=$(( SLURM_ARRAY_TASK_ID * 3 ))") && s.contains("[ \"$i\" -lt 2500 ] || break"), "{s}");
        assert!(s.contains("--task \"$i\" || status=1") && s.ends_with("exit $status\n"), "{s}");
    }

    #[test]
    fn values_an_sbatch_line_cannot_hold_are_refused() {
        let spaced = SweepFolder { root: "/data/my sweeps/a".into() };
        let err = script(&spaced, 2, Path::new("/bin/m"), &SlurmOptions::default()).unwrap_err().to_string();
        assert!(err.contains("--output=/data/my sweeps") && err.contains("spaces"), "{err}");
        let folder = SweepFolder { root: "/data/a".into() };
        let quoted = SlurmOptions { job_name: Some("it's".into()), ..Default::default() };
        assert!(script(&folder, 2, Path::new("/bin/m"), &quoted).is_err());
    }
}
