//! `murmuration sim`: a headless run with a progress bar, its files, and the report line.

use std::io::IsTerminal;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use super::SimArgs;
use crate::run::trajectories::TrajectoryWriter;
use crate::run::{HeadlessOptions, RunConfig, SimOutputs, headless, outputs};

/// Runs, writes the requested files, and prints the report line on stdout, with a progress bar on
/// stderr when it is a terminal.
pub fn run(config: RunConfig, args: &SimArgs) -> Result<()> {
    let files = SimOutputs {
        metrics: args.metrics.clone(),
        summary: args.summary.clone(),
        dump_state: args.dump_state.clone(),
        trajectories: args.trajectories.clone(),
    };
    files.check()?;
    let (threads, every) = (args.threads.map(usize::from), args.every);
    let steps = args.steps.or(config.preset_steps).unwrap_or(600);
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(steps);
        bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} steps  {per_sec}  eta {eta}").expect("valid template"));
        bar
    });
    let options = HeadlessOptions { threads, metrics: files.need_metrics() };
    let mut trajectories = files.trajectories.as_deref().map(|p| TrajectoryWriter::create(p, every)).transpose()?;
    let (report, mut sim) = headless::run(&config, steps, options, bar.as_ref(), trajectories.as_mut())
        .with_context(|| format!("cannot write {}", files.trajectories.as_deref().unwrap_or(std::path::Path::new("?")).display()))?;
    if let Some(out) = trajectories {
        out.finish()?;
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    outputs::write_all(&files, &config, &report, &mut sim)?;
    println!("{report}");
    Ok(())
}
