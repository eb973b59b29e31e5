//! Headless runs: the simulation under `MinimalPlugins`, stepped exactly, no window or GPU.

use std::fmt;
use std::time::{Duration, Instant};

use bevy::app::TaskPoolThreadAssignmentPolicy;
use bevy::prelude::*;
use bevy::tasks::available_parallelism;
use bevy::time::TimeUpdateStrategy;
use indicatif::ProgressBar;

use super::RunConfig;
use super::trajectories::TrajectoryWriter;
use crate::metrics::{ForceSample, Metrics, MetricsPlugin};
use crate::sim::hash::world_state_hash;
use crate::sim::{Bird, SimClock, SimParams};

/// Bevy's task pools with `threads` compute threads (default: every core). Bevy's own default
/// gives the compute pool a single thread on a two-core machine.
pub fn task_pool_plugin(threads: Option<usize>) -> TaskPoolPlugin {
    let threads = threads.unwrap_or_else(available_parallelism).max(1);
    let compute = TaskPoolThreadAssignmentPolicy { min_threads: threads, max_threads: threads, percent: 1.0, on_thread_spawn: None, on_thread_destroy: None };
    TaskPoolPlugin { task_pool_options: TaskPoolOptions { compute, ..TaskPoolOptions::default() } }
}

/// How to build a headless run.
#[derive(Clone, Copy, Debug, Default)]
pub struct HeadlessOptions {
    /// Compute threads (default: every core). The first value used in a process wins.
    pub threads: Option<usize>,
    /// Measure the flock (metrics plugin), keeping every sample.
    pub metrics: bool,
}

/// A headless simulation app that advances exactly one fixed step per update.
pub struct Headless {
    /// The Bevy app (`MinimalPlugins` + the simulation).
    pub app: App,
}

impl Headless {
    /// Builds the app for a configuration, without metrics.
    pub fn new(config: &RunConfig, threads: Option<usize>) -> Self {
        Self::with_options(config, HeadlessOptions { threads, metrics: false })
    }

    /// Builds the app for a configuration.
    pub fn with_options(config: &RunConfig, options: HeadlessOptions) -> Self {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins.set(task_pool_plugin(options.threads)));
        app.add_plugins(config.sim_plugin());
        if options.metrics {
            app.add_plugins(MetricsPlugin);
            app.world_mut().resource_mut::<Metrics>().all = Some(Vec::new());
        }
        let mut me = Self { app };
        me.sync_frame_duration();
        // The first update runs start-up (spawning the flock) and no fixed step.
        me.app.update();
        me
    }

    fn sync_frame_duration(&mut self) {
        let rate = self.app.world().resource::<SimParams>().step_rate;
        let dt = Duration::from_secs(1) / rate;
        self.app.insert_resource(TimeUpdateStrategy::ManualDuration(dt));
    }

    /// Fixed steps taken so far.
    pub fn steps(&self) -> u64 {
        self.app.world().resource::<SimClock>().step
    }

    /// Runs `n` more fixed steps.
    pub fn step(&mut self, n: u64) {
        let target = self.steps() + n;
        while self.steps() < target {
            self.sync_frame_duration();
            self.app.update();
        }
    }

    /// Takes a metrics sample of the current state now (if metrics are on and none was taken at
    /// this step): the final row of a run.
    pub fn sample_now(&mut self) {
        if self.app.world().get_resource::<Metrics>().is_none() {
            return;
        }
        self.app.world_mut().resource_mut::<ForceSample>().0 = true;
        if let Err(e) = self.app.world_mut().run_system_cached(crate::metrics::sample) {
            error!("final metrics sample failed: {e}");
        }
    }

    /// The state hash of every bird.
    pub fn state_hash(&mut self) -> u64 {
        world_state_hash(self.app.world_mut())
    }

    /// Number of birds alive.
    pub fn alive(&mut self) -> usize {
        let world = self.app.world_mut();
        world.query_filtered::<(), With<Bird>>().iter(world).count()
    }
}

/// The result of a headless run: the line `murmuration sim` prints.
#[derive(Clone, Debug, PartialEq)]
pub struct SimReport {
    /// Birds at the start (the `boid_count` parameter).
    pub boids: u32,
    /// Birds alive at the end.
    pub alive: usize,
    /// Steps run.
    pub steps: u64,
    /// The seed.
    pub seed: u64,
    /// The state hash at the end.
    pub state_hash: u64,
    /// Wall-clock milliseconds per step.
    pub ms_per_step: f64,
}

impl fmt::Display for SimReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "boids={} alive={} steps={} seed={} state_hash={:016x} ms_per_step={:.3}",
            self.boids, self.alive, self.steps, self.seed, self.state_hash, self.ms_per_step
        )
    }
}

/// Runs a configuration for `steps` steps; returns the report and the finished run. With
/// `trajectories`, every recorded step (step 0 included) is written to it; the time it takes
/// counts in the report's step time.
pub fn run(
    config: &RunConfig,
    steps: u64,
    options: HeadlessOptions,
    progress: Option<&ProgressBar>,
    mut trajectories: Option<&mut TrajectoryWriter>,
) -> std::io::Result<(SimReport, Headless)> {
    let mut sim = Headless::with_options(config, options);
    let start = Instant::now();
    if let Some(out) = trajectories.as_deref_mut() {
        out.observe(sim.app.world_mut())?;
    }
    while sim.steps() < steps {
        sim.step(1);
        if let Some(out) = trajectories.as_deref_mut() {
            out.observe(sim.app.world_mut())?;
        }
        if let Some(bar) = progress {
            bar.set_position(sim.steps());
        }
    }
    let elapsed = start.elapsed();
    sim.sample_now();
    let report = SimReport {
        boids: config.params.boid_count,
        alive: sim.alive(),
        steps: sim.steps(),
        seed: config.seed,
        state_hash: sim.state_hash(),
        ms_per_step: if steps == 0 { 0.0 } else { elapsed.as_secs_f64() * 1e3 / steps as f64 },
    };
    Ok((report, sim))
}
