//! The benchmark flock (birds at a fixed density in a wrapping square world) and one measured
//! run of it: what `murmuration bench`, the criterion benches and the scale tests use.

use std::time::Instant;

use super::RunConfig;
use super::headless::{Headless, HeadlessOptions};
use crate::metrics::Metrics;
use crate::sim::SimParams;
use crate::sim::systems::NeighborSumsBuf;

/// The neighbour radius of benchmark runs (the yardstick's).
pub const BENCH_RADIUS: f32 = 10.0;

/// The parameters of a benchmark run: `n` birds at `density` birds per neighbour-radius² in a
/// square wrapping world (mean neighbour count ≈ π·density), radii as in the yardstick.
pub fn bench_params(n: u32, density: f32) -> SimParams {
    let side = (n.max(1) as f32 * BENCH_RADIUS * BENCH_RADIUS / density).sqrt().max(50.0);
    SimParams {
        boid_count: n,
        world_width: side,
        world_height: side,
        neighbor_radius: BENCH_RADIUS,
        separation_radius: 0.4 * BENCH_RADIUS,
        fov_deg: 360.0,
        link_distance: BENCH_RADIUS,
        ..SimParams::default()
    }
}

/// What flock a benchmark times.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// A fresh, uniformly random flock at the bench density (the yardstick's case).
    #[default]
    Uniform,
    /// The default preset's flock scaled to N birds at the preset's density, timed after
    /// `FORMED_WARMUP_S` seconds of flying, when it has gathered into groups.
    Formed,
    /// The default preset with cohesion 10, separation 0 and a neighbour radius of 200, timed after
    /// `PACKED_WARMUP_S` seconds: the flock collapses into a few dense balls.
    Packed,
    /// The formed flock hunted by `HUNTERS` predators (the escape patterns are detected at each
    /// sample), alarm off.
    Hunted,
    /// `Hunted` with the alarm on: birds alarm their neighbours and escape.
    Alarmed,
}

/// Predators hunting the `hunted` and `alarmed` flocks.
pub const HUNTERS: u32 = 4;

/// Simulated seconds a formed flock flies before it is timed (the default preset forms groups
/// within about ten seconds).
pub const FORMED_WARMUP_S: u32 = 10;
/// Simulated seconds a packed flock flies before it is timed.
pub const PACKED_WARMUP_S: u32 = 5;

impl Scenario {
    /// The parameters for `n` birds (`density`: the uniform bench's, birds per neighbour-radius²).
    pub fn params(self, n: u32, density: f32) -> SimParams {
        let preset_at_n = |mut p: SimParams| {
            // the preset's density, n birds: scale both sides by √(n / preset birds)
            let k = (n.max(1) as f32 / p.boid_count.max(1) as f32).sqrt();
            (p.world_width, p.world_height) = ((p.world_width * k).clamp(50.0, 50_000.0), (p.world_height * k).clamp(50.0, 50_000.0));
            p.boid_count = n;
            p
        };
        let default = crate::preset::Preset::load("default").map(|p| p.params).unwrap_or_default();
        match self {
            Scenario::Uniform => bench_params(n, density),
            Scenario::Formed => preset_at_n(default),
            Scenario::Packed => preset_at_n(SimParams { cohesion_weight: 10.0, separation_weight: 0.0, neighbor_radius: 200.0, ..default }),
            Scenario::Hunted => preset_at_n(SimParams { predator_count: HUNTERS, ..default }),
            Scenario::Alarmed => preset_at_n(SimParams { predator_count: HUNTERS, alarm: crate::sim::params::OnOff::On, ..default }),
        }
    }

    /// Steps flown before timing.
    pub fn warmup_steps(self, step_rate: u32) -> u64 {
        u64::from(step_rate)
            * u64::from(match self {
                Scenario::Uniform => 0,
                Scenario::Formed | Scenario::Hunted | Scenario::Alarmed => FORMED_WARMUP_S,
                Scenario::Packed => PACKED_WARMUP_S,
            })
    }
}

/// One row of the table.
#[derive(Clone, Debug)]
pub struct BenchRow {
    /// Birds.
    pub birds: u32,
    /// The flock timed.
    pub scenario: Scenario,
    /// Milliseconds per full fixed step, the metrics' samples left out.
    pub ms_per_step: f64,
    /// Mean neighbours per bird (within the neighbour radius) at the end.
    pub mean_neighbors: f64,
    /// Milliseconds per metrics sample (the sampling system's own clock, mean over the run).
    pub metrics_ms: f64,
    /// What the samples cost over the run, as a percentage of the steps' time.
    pub metrics_pct: f64,
    /// Resident memory added by the run, per bird.
    pub bytes_per_bird: f64,
    /// The yardstick's ms per step at the same size, if it was run.
    pub refboids_ms: Option<f64>,
}

fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs one bird count of a scenario: the simulation with its metrics, sampling at the default
/// interval as an ordinary run does, timed after the scenario's warm-up. The samples' cost is what
/// the sampling system clocks itself; the step time is the rest.
pub fn bench_one(n: u32, density: f32, steps: u64, threads: Option<usize>, scenario: Scenario) -> BenchRow {
    let before = rss_bytes().unwrap_or(0);
    let params = scenario.params(n, density);
    let warmup = scenario.warmup_steps(params.step_rate);
    let config = RunConfig::from_params(params, 1);
    let mut sim = Headless::with_options(&config, HeadlessOptions { threads, metrics: true });
    sim.app.world_mut().resource_mut::<Metrics>().all = None;
    sim.step(3 + warmup);
    let mut last = sim.app.world().resource::<Metrics>().latest().map(|s| s.step);
    let (mut sampling_s, mut samples) = (0.0, 0u32);
    let start = Instant::now();
    for _ in 0..steps {
        sim.step(1);
        let metrics = sim.app.world().resource::<Metrics>();
        let latest = metrics.latest().map(|s| s.step);
        if latest != last {
            (sampling_s, samples, last) = (sampling_s + metrics.last_cost_s, samples + 1, latest);
        }
    }
    let stepping_s = (start.elapsed().as_secs_f64() - sampling_s).max(1e-9);
    let after = rss_bytes().unwrap_or(0);
    let sums = &sim.app.world().resource::<NeighborSumsBuf>().0;
    let mean_neighbors = if sums.is_empty() { 0.0 } else { sums.iter().map(|s| f64::from(s.count)).sum::<f64>() / sums.len() as f64 };
    BenchRow {
        birds: n,
        scenario,
        ms_per_step: stepping_s * 1e3 / steps.max(1) as f64,
        mean_neighbors,
        metrics_ms: if samples == 0 { 0.0 } else { sampling_s * 1e3 / f64::from(samples) },
        metrics_pct: 100.0 * sampling_s / stepping_s,
        bytes_per_bird: after.saturating_sub(before) as f64 / f64::from(n.max(1)),
        refboids_ms: None,
    }
}
