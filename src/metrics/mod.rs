//! Measuring the flock: polarization, milling, clusters, nearest-neighbour distance, and strikes
//! with their reformation time. Sampled every `sample_every` fixed steps, after the step.

pub mod measures;
pub mod strikes;

use std::collections::VecDeque;

use bevy::math::Vec2;
use bevy::prelude::*;
use serde::Serialize;

use crate::sim::grid::SpatialGrid;
use crate::sim::space::Space;
use crate::sim::{Bird, PredationLog, Position, SimClock, SimParams, SimSystems, Velocity};
use strikes::StrikeTracker;

/// The metrics' system sets (in `FixedUpdate`, after the simulation step).
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricsSystems {
    /// Read this step's kills and contacts; take a sample when due.
    Sample,
}

/// One sample of the flock's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct MetricsSample {
    /// Steps completed.
    pub step: u64,
    /// Simulated seconds.
    pub time_s: f64,
    /// Birds alive.
    pub alive: u32,
    /// Birds caught since the start.
    pub kills: u64,
    /// φ = |mean unit heading|.
    pub polarization: f32,
    /// m = |mean r̂ × v̂| about the centre of mass.
    pub milling: f32,
    /// Clusters of two or more birds (linked by chains closer than the linking distance).
    pub clusters: u32,
    /// The largest cluster's share of the birds alive.
    pub largest_cluster_frac: f32,
    /// Mean nearest-neighbour distance, over birds with a neighbour within the linking distance.
    pub mean_nn_dist: Option<f32>,
}

/// The CSV header of [`MetricsSample::csv_row`].
pub const CSV_HEADER: &str = "step,time_s,alive,kills,polarization,milling,clusters,largest_cluster_frac,mean_nn_dist";

impl MetricsSample {
    /// One CSV row (an empty `mean_nn_dist` when undefined).
    pub fn csv_row(&self) -> String {
        format!(
            "{},{:.4},{},{},{:.5},{:.5},{},{:.5},{}",
            self.step,
            self.time_s,
            self.alive,
            self.kills,
            self.polarization,
            self.milling,
            self.clusters,
            self.largest_cluster_frac,
            self.mean_nn_dist.map_or(String::new(), |d| format!("{d:.4}"))
        )
    }
}

/// The measurements so far: recent samples for plots, optionally every sample, and the strikes.
#[derive(Resource, Debug, Clone)]
pub struct Metrics {
    /// The most recent samples (at most `capacity`).
    pub recent: VecDeque<MetricsSample>,
    /// How many recent samples to keep.
    pub capacity: usize,
    /// Every sample of the run, when recording is on (headless `--metrics`).
    pub all: Option<Vec<MetricsSample>>,
    /// Strikes and split/merge events.
    pub strikes: StrikeTracker,
    /// Cluster label of each bird at the last sample, by bird id (for colouring).
    pub cluster_of: Vec<(u32, u32)>,
    /// Wall-clock seconds the last sample took.
    pub last_cost_s: f64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            recent: VecDeque::new(),
            capacity: 36_000,
            all: None,
            strikes: StrikeTracker::default(),
            cluster_of: Vec::new(),
            last_cost_s: 0.0,
        }
    }
}

impl Metrics {
    /// The latest sample.
    pub fn latest(&self) -> Option<&MetricsSample> {
        self.recent.back()
    }

    fn push(&mut self, sample: MetricsSample) {
        if self.recent.len() == self.capacity {
            self.recent.pop_front();
        }
        self.recent.push_back(sample);
        if let Some(all) = &mut self.all {
            all.push(sample);
        }
    }
}

/// Asks for a sample at the next opportunity even if not due (the final row of a run).
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct ForceSample(pub bool);

/// Adds the metrics.
pub struct MetricsPlugin;

impl Plugin for MetricsPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Metrics>()
            .init_resource::<ForceSample>()
            .configure_sets(FixedUpdate, MetricsSystems::Sample.after(SimSystems::Resolve))
            .add_systems(PostStartup, sample)
            .add_systems(PreUpdate, restart.after(crate::sim::apply_reset))
            .add_systems(
                FixedUpdate,
                (track_events.run_if(crate::sim::sim_running), sample).chain().in_set(MetricsSystems::Sample),
            );
    }
}

/// Starts the measurements afresh when the simulation restarts.
fn restart(mut resets: MessageReader<crate::sim::SimReset>, mut metrics: ResMut<Metrics>, mut force: ResMut<ForceSample>) {
    if resets.read().count() > 0 {
        let keep_all = metrics.all.is_some();
        *metrics = Metrics { all: keep_all.then(Vec::new), ..Metrics::default() };
        force.0 = true;
    }
}

/// Opens strikes at kills and predator contacts.
fn track_events(log: Res<PredationLog>, clock: Res<SimClock>, mut metrics: ResMut<Metrics>) {
    if !log.kills.is_empty() || !log.contacts.is_empty() {
        metrics.strikes.disturb(clock.time, log.kills.len() as u32);
    }
}

/// The measures of the current state, from a grid of the current positions.
pub fn measure(params: &SimParams, grid: &mut SpatialGrid, birds: impl Iterator<Item = (u32, Vec2, Vec2)>) -> (MetricsSample, measures::Clusters) {
    let space = Space::from_params(params);
    let link = params.link_distance;
    grid.rebuild(space, link * measures::METRICS_CELL, birds.map(|(id, p, v)| (id, space.contain(p), v)));
    let scan = measures::link_scan(grid, link);
    let clusters = scan.clusters;
    let alive = grid.len() as u32;
    let (polarization, milling) = measures::order_parameters(&space, &grid.pos, &grid.vel);
    let sample = MetricsSample {
        alive,
        polarization,
        milling,
        clusters: clusters.count,
        largest_cluster_frac: if alive == 0 { 0.0 } else { clusters.largest as f32 / alive as f32 },
        mean_nn_dist: (scan.nn_count > 0).then(|| (scan.nn_sum / f64::from(scan.nn_count)) as f32),
        ..default()
    };
    (sample, clusters)
}

/// Takes a sample when due (every `sample_every` steps, at start-up, or when forced).
#[allow(clippy::too_many_arguments)]
pub fn sample(
    params: Res<SimParams>,
    clock: Res<SimClock>,
    log: Res<PredationLog>,
    mut force: ResMut<ForceSample>,
    mut metrics: ResMut<Metrics>,
    mut grid: Local<SpatialGrid>,
    birds: Query<(&Bird, &Position, &Velocity)>,
) {
    let last = metrics.latest().map(|s| s.step);
    let due = clock.step.is_multiple_of(u64::from(params.sample_every)) || force.0;
    force.0 = false;
    if !due || last == Some(clock.step) && !metrics.recent.is_empty() {
        return;
    }
    let started = std::time::Instant::now();
    let (mut s, clusters) = measure(&params, &mut grid, birds.iter().map(|(b, p, v)| (b.id, p.0, v.0)));
    s.step = clock.step;
    s.time_s = clock.time;
    s.kills = log.total_kills;
    metrics.strikes.sample(s.time_s, s.largest_cluster_frac, s.clusters);
    metrics.cluster_of.clear();
    let ids = &grid.ids;
    let cluster_of: Vec<(u32, u32)> = clusters.label.iter().enumerate().map(|(slot, &l)| (ids[slot], ids[l as usize])).collect();
    metrics.cluster_of = cluster_of;
    metrics.push(s);
    metrics.last_cost_s = started.elapsed().as_secs_f64();
}
