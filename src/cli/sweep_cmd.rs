//! `murmuration sweep`: clap options and glue over `run::sweep` (and `record::chart` for plots).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::run::sweep::{self, SweepFolder, SweepPlan, slurm};

/// Options of `murmuration sweep`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
#[command(after_help = "Plan format: see README (\"Sweeps\") and assets/sweeps/.\n\
Examples:\n  murmuration sweep assets/sweeps/confusion.ron --out runs/confusion --jobs 2\n  \
murmuration sweep collect runs/confusion --plot mean_tau_reform_s")]
pub struct SweepArgs {
    /// `collect`: read a sweep's outputs back.
    #[command(subcommand)]
    pub command: Option<SweepCommand>,
    /// The plan file (RON): preset, seeds, steps, set, axes.
    #[arg(value_name = "PLAN", required = true)]
    pub plan: Option<PathBuf>,
    /// The sweep's folder: plan copy, one summary and metrics file per task, logs.
    #[arg(long, value_name = "DIR", required = true)]
    pub out: Option<PathBuf>,
    /// Tasks run at once on this machine, each single-threaded [default: the number of cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// Run only task I (0 to n−1), in this process: what a cluster job runs.
    #[arg(long, value_name = "I", conflicts_with_all = ["jobs", "slurm", "list"])]
    pub task: Option<usize>,
    /// Compute threads of a --task run [default: 1].
    #[arg(long, value_name = "T", requires = "task", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// Write DIR/sweep.sbatch, a Slurm job array with one element per task, instead of running.
    #[arg(long, conflicts_with_all = ["jobs", "list"])]
    pub slurm: bool,
    /// With --slurm: submit the script with sbatch and print the job id.
    #[arg(long, requires = "slurm")]
    pub submit: bool,
    /// Print one command line per task (for GNU parallel or another runner) instead of running.
    #[arg(long, conflicts_with = "jobs")]
    pub list: bool,
    /// Slurm settings of the job array.
    #[command(flatten)]
    pub sbatch: SbatchArgs,
}

/// `#SBATCH` settings (with --slurm).
#[derive(Args, Debug, Default)]
#[command(next_help_heading = "Slurm (with --slurm)")]
pub struct SbatchArgs {
    /// Job name [default: murmuration-sweep].
    #[arg(long, value_name = "NAME", requires = "slurm")]
    pub job_name: Option<String>,
    /// Time limit of one task, e.g. 0:30:00.
    #[arg(long, value_name = "TIME", requires = "slurm")]
    pub time: Option<String>,
    /// Memory of one task, e.g. 2G.
    #[arg(long, value_name = "MEM", requires = "slurm")]
    pub mem: Option<String>,
    /// Partition.
    #[arg(long, value_name = "NAME", requires = "slurm")]
    pub partition: Option<String>,
    /// Account to charge.
    #[arg(long, value_name = "NAME", requires = "slurm")]
    pub account: Option<String>,
    /// Cores per task (the task's compute threads) [default: 1].
    #[arg(long, value_name = "N", requires = "slurm", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub cpus_per_task: Option<u32>,
    /// Tasks running at once at most (`--array=…%N`).
    #[arg(long, value_name = "N", requires = "slurm", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_running: Option<u32>,
    /// Tasks each array element runs in turn [default: 1, or enough to keep the array within
    /// 1000 elements, Slurm's default limit].
    #[arg(long, value_name = "K", requires = "slurm", value_parser = clap::value_parser!(u32).range(1..))]
    pub tasks_per_job: Option<u32>,
    /// Another `#SBATCH` option, written as given, e.g. --sbatch=--qos=short (repeatable).
    #[arg(long = "sbatch", value_name = "OPTION", requires = "slurm", allow_hyphen_values = true)]
    pub extra: Vec<String>,
}

/// Subcommands of `murmuration sweep`.
#[derive(Subcommand, Debug)]
pub enum SweepCommand {
    /// Write DIR/results.csv (one row per finished task) and, with --plot, a chart.
    Collect(CollectArgs),
}

/// Options of `murmuration sweep collect`.
#[derive(Args, Debug)]
pub struct CollectArgs {
    /// The sweep's folder (its --out).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Also draw this measure (a results.csv column, e.g. mean_tau_reform_s) as DIR/MEASURE.png
    /// and .svg: against one axis as mean ± 95 % interval over seeds, or a heatmap over two.
    #[arg(long, value_name = "MEASURE")]
    pub plot: Option<String>,
    /// The axis along x [default: the plan's first].
    #[arg(long, value_name = "AXIS", requires = "plot")]
    pub x: Option<String>,
    /// The axis along y, for a heatmap [default: the plan's second, if it has one].
    #[arg(long, value_name = "AXIS", requires = "plot")]
    pub y: Option<String>,
}

/// Runs `murmuration sweep`.
pub fn run(args: &SweepArgs) -> Result<()> {
    if let Some(SweepCommand::Collect(c)) = &args.command {
        return collect(c);
    }
    let (Some(plan_path), Some(out)) = (&args.plan, &args.out) else { bail!("a plan and --out DIR are required") };
    let (folder, plan) = SweepFolder::create(out, &SweepPlan::load(plan_path)?)?;
    let total = plan.task_count();
    let exe = std::env::current_exe().context("cannot find this program's path")?;
    if let Some(index) = args.task {
        let report = sweep::run_task(&folder, &plan, index, args.threads.map(usize::from))?;
        println!("task={index} {report}");
    } else if args.list {
        for i in 0..total {
            println!("{} sweep {} --out {} --task {i}", slurm::quote(&exe), slurm::quote(&folder.plan()), slurm::quote(&folder.root));
        }
    } else if args.slurm {
        let s = &args.sbatch;
        let options = slurm::SlurmOptions {
            job_name: s.job_name.clone(),
            time: s.time.clone(),
            mem: s.mem.clone(),
            partition: s.partition.clone(),
            account: s.account.clone(),
            cpus: s.cpus_per_task.unwrap_or(1),
            max_running: s.max_running,
            tasks_per_job: s.tasks_per_job.map(|k| k as usize),
            extra: s.extra.clone(),
        };
        let path = folder.root.join("sweep.sbatch");
        crate::io::write_atomic(&path, slurm::script(&folder, total, &exe, &options)?.as_bytes())?;
        let per_job = slurm::tasks_per_job(total, options.tasks_per_job);
        println!("wrote {} ({total} tasks, {} array elements of {per_job} task{})", path.display(), total.div_ceil(per_job), if per_job == 1 { "" } else { "s" });
        if args.submit {
            let id = slurm::submit(&path)?;
            println!("submitted job {id}; when it has finished: murmuration sweep collect {}", folder.root.display());
        }
    } else {
        run_local(&folder, total, &exe, args.jobs.map_or_else(bevy::tasks::available_parallelism, usize::from))?;
    }
    Ok(())
}

fn run_local(folder: &SweepFolder, total: usize, exe: &std::path::Path, jobs: usize) -> Result<()> {
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(0) } else { ProgressBar::hidden() };
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} tasks  {elapsed} elapsed  eta {eta}  {msg}").expect("valid template"));
    let command = |i: usize| {
        let mut c = Command::new(exe);
        c.arg("sweep").arg(folder.plan()).arg("--out").arg(&folder.root).args(["--task", &i.to_string(), "--threads", "1"]);
        c
    };
    let start = Instant::now();
    let report = sweep::local::run_pending(folder, total, jobs, &command, &bar);
    bar.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "sweep: {total} tasks, {} ran now, {} already done, {} failed; {secs:.1} s with {jobs} jobs",
        report.ran,
        report.skipped,
        report.failed.len()
    );
    if let Some((i, log)) = report.failed.first() {
        bail!("{} tasks failed (task {i} printed {}); run the sweep again to retry them", report.failed.len(), log.display());
    }
    println!("next: murmuration sweep collect {}", folder.root.display());
    Ok(())
}

fn collect(args: &CollectArgs) -> Result<()> {
    let (folder, plan) = SweepFolder::open(&args.dir)?;
    let measure = args.plot.as_deref().map(sweep::measure).transpose()?;
    let results = sweep::collect(&folder, &plan)?;
    let csv = folder.root.join("results.csv");
    results.write_csv(&csv)?;
    let missing = &results.missing;
    println!("wrote {} ({} runs)", csv.display(), results.rows.len());
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(10).map(|i| i.to_string()).collect();
        let more = if missing.len() > 10 { ", …" } else { "" };
        println!("{} tasks have not finished: {}{more}", missing.len(), shown.join(", "));
    }
    if let Some(measure) = measure {
        let (x, y) = chart_axes(&results, args.x.as_deref(), args.y.as_deref())?;
        let files = crate::record::chart::draw(&results, measure, x, y, &folder.root)?;
        println!("wrote {} and {}", files.0.display(), files.1.display());
    }
    Ok(())
}

/// The chart's axes: those named; with neither named, the plan's first two (a heatmap), or its
/// only one; with only `--y`, the first other axis along x.
fn chart_axes(results: &sweep::Results, x: Option<&str>, y: Option<&str>) -> Result<(usize, Option<usize>)> {
    let count = results.plan.axes.0.len();
    if count == 0 {
        bail!("this sweep has no axes to plot against (its plan varies only the seed)");
    }
    let named_y = y.map(|key| results.axis(key)).transpose()?;
    let x_given = x;
    let x = match x {
        Some(key) => results.axis(key)?,
        None => (0..count).find(|&i| Some(i) != named_y).context("--y names the only axis: give it as --x")?,
    };
    if named_y == Some(x) {
        bail!("--x and --y name the same axis");
    }
    let neither = named_y.is_none() && x_given.is_none();
    let y = named_y.or((neither && count >= 2).then_some(1));
    Ok((x, y))
}
