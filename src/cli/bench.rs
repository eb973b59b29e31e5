//! `murmuration bench`: what this machine can do. Runs the full ECS step at several bird counts
//! at a fixed density and prints one row per count.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::run::bench::{BenchRow, Scenario, bench_one};

/// Runs the yardstick binary at the same size and returns its ms per step.
pub fn run_refboids(binary: &PathBuf, n: u32, steps: u64, density: f32) -> Result<f64> {
    let out = Command::new(binary)
        .args([n.to_string(), steps.to_string(), density.to_string()])
        .output()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .find_map(|kv| kv.strip_prefix("step_ms=")?.parse().ok())
        .with_context(|| format!("no step_ms= in the yardstick's output: {text}"))
}

/// The table's header. `metrics_ms` is one metrics sample; `metrics_%` is what the samples cost
/// (one every `sample_every` steps, the default interval) as a share of the steps' time.
pub const HEADER: &str = "birds scenario ms/step ns/bird/step mean_neighbors metrics_ms metrics_% bytes/bird refboids_ms ratio kernel";

/// One table row, whitespace-separated: the bird count first, ms/step second.
pub fn format_row(r: &BenchRow) -> String {
    let ns = r.ms_per_step * 1e6 / f64::from(r.birds.max(1));
    let (refms, ratio) = match r.refboids_ms {
        Some(ms) => (format!("{ms:.3}"), format!("{:.2}", r.ms_per_step / ms)),
        None => ("-".into(), "-".into()),
    };
    format!(
        "{} {} {:.3} {:.1} {:.1} {:.3} {:.1} {:.0} {} {} {}",
        r.birds,
        clap::ValueEnum::to_possible_value(&r.scenario).map_or_else(String::new, |v| v.get_name().to_string()),
        r.ms_per_step,
        ns,
        r.mean_neighbors,
        r.metrics_ms,
        r.metrics_pct,
        r.bytes_per_bird,
        refms,
        ratio,
        crate::sim::rules::kernel::active_kernel().name(),
    )
}

/// `murmuration bench`.
pub fn run_cli(boids: &[u32], scenarios: &[Scenario], density: f32, steps: u64, threads: Option<usize>, refboids: Option<PathBuf>) -> Result<()> {
    println!("{HEADER}");
    for (&scenario, &n) in scenarios.iter().flat_map(|s| boids.iter().map(move |n| (s, n))) {
        let mut row = bench_one(n, density, steps, threads, scenario);
        if let Some(bin) = &refboids {
            row.refboids_ms = Some(run_refboids(bin, n, steps, density)?);
        }
        println!("{}", format_row(&row));
    }
    Ok(())
}
