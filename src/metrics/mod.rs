//! Measuring the flock: polarization, milling, clusters, nearest-neighbour distance, and strikes
//! with their reformation time. Sampled every `sample_every` fixed steps: a step's sample is
//! taken at the start of the next one, from the grid the simulation builds there anyway.

pub mod clusters;
pub mod escape;
pub mod order;
pub mod reference;
pub mod scan;
pub mod shape;
pub mod strikes;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use bevy::math::Vec2;
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use serde::Serialize;

use crate::sim::grid::SpatialGrid;
use crate::sim::space::Space;
use crate::sim::predator::positions_by_id;
use crate::sim::{Alarm, Bird, PredationLog, Position, Predator, SimClock, SimParams, SimSystems, Velocity};
use strikes::StrikeTracker;

/// The metrics' system sets (in `FixedUpdate`, inside and after the simulation step).
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricsSystems {
    /// At the start of a step, once the simulation's grid is built: take a sample when due.
    Sample,
    /// After the step: read its kills and contacts (and sample while the simulation holds).
    Events,
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
    /// Birds alarmed (escaping).
    pub alarmed: u32,
    /// The flock's heading in degrees (0 = +x), when its polarization is at least 0.5; measured
    /// (like the `near_*` fields) only while a predator is present, birds are alarmed or a strike
    /// is open.
    pub heading_deg: Option<f32>,
    /// Around the predator with most birds near it (see `escape`): their number…
    pub near_birds: u32,
    /// …their mean speed away from it over the birds' max speed…
    pub near_radial: Option<f32>,
    /// …their mean nearest-neighbour distance…
    pub near_spacing: Option<f32>,
    /// …and the distance from the predator to its nearest bird.
    pub empty_radius: Option<f32>,
    /// The largest cluster's short axis over its long axis (1: a disc; see `shape`).
    pub aspect_ratio: Option<f32>,
    /// Mean number of birds each bird aligned with and was drawn to in the last step.
    pub mean_neighbors: f32,
    /// Mean speed (u/s).
    pub mean_speed: f32,
}

/// The CSV header of [`MetricsSample::csv_row`].
pub const CSV_HEADER: &str = "step,time_s,alive,kills,polarization,milling,clusters,largest_cluster_frac,mean_nn_dist,alarmed,heading_deg,near_birds,near_radial,near_spacing,empty_radius,aspect_ratio,mean_neighbors,mean_speed";

impl MetricsSample {
    /// One CSV row (empty cells where a value is undefined).
    pub fn csv_row(&self) -> String {
        let opt = |v: Option<f32>| v.map_or(String::new(), |d| format!("{d:.4}"));
        format!(
            "{},{:.4},{},{},{:.5},{:.5},{},{:.5},{},{},{},{},{},{},{},{},{:.3},{:.3}",
            self.step,
            self.time_s,
            self.alive,
            self.kills,
            self.polarization,
            self.milling,
            self.clusters,
            self.largest_cluster_frac,
            opt(self.mean_nn_dist),
            self.alarmed,
            self.heading_deg.map_or(String::new(), |d| format!("{d:.1}")),
            self.near_birds,
            opt(self.near_radial),
            opt(self.near_spacing),
            opt(self.empty_radius),
            opt(self.aspect_ratio),
            self.mean_neighbors,
            self.mean_speed,
        )
    }
}

/// Which cluster each bird was in at a sample: kept as the scan left it (a copy of the ids in
/// the grid's order and each slot's cluster label), and read as pairs only when asked.
#[derive(Clone, Debug, Default)]
pub struct ClusterMap {
    ids: Vec<u32>,
    label: Vec<u32>,
}

impl ClusterMap {
    /// `(bird id, cluster label)` for every bird; the label is the id of one bird of the cluster.
    pub fn pairs(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.ids.iter().zip(&self.label).map(|(&id, &l)| (id, self.ids[l as usize]))
    }

    /// Clusters holding at least `share` of the birds (and at least two birds): the groups a
    /// viewer counts, leaving out stragglers.
    pub fn groups(&self, share: f32) -> usize {
        let mut sizes = vec![0u32; self.label.len()];
        for &l in &self.label {
            sizes[l as usize] += 1;
        }
        let min = (share * self.label.len() as f32).max(2.0);
        sizes.iter().filter(|&&n| n as f32 >= min).count()
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
    /// The birds' clusters at the last sample (for colouring).
    pub last_clusters: ClusterMap,
    /// Wall-clock seconds the last sample took.
    pub last_cost_s: f64,
    /// Names the escape patterns.
    pub watch: escape::EscapeWatch,
    /// Groups (clusters of ≥ 5 % of the birds) at the last sample that measured them, and for the
    /// open strike `(its index, the groups before it)`: a split is named only when there are more.
    groups: (usize, Option<(usize, usize)>),
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            recent: VecDeque::new(),
            capacity: 36_000,
            all: None,
            strikes: StrikeTracker::default(),
            last_clusters: ClusterMap::default(),
            last_cost_s: 0.0,
            watch: escape::EscapeWatch::default(),
            groups: (1, None),
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

/// The metrics' own grid, for samples the simulation's grid cannot serve (see [`sample_at_step`]).
#[derive(Resource, Debug, Default)]
pub struct MetricsGrid(pub SpatialGrid);

/// Adds the metrics.
pub struct MetricsPlugin;

impl Plugin for MetricsPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Metrics>()
            .init_resource::<ForceSample>()
            .init_resource::<MetricsGrid>()
            .configure_sets(
                FixedUpdate,
                (
                    MetricsSystems::Sample.after(SimSystems::BuildGrid).before(SimSystems::Gather),
                    MetricsSystems::Events.after(SimSystems::Resolve),
                ),
            )
            .add_systems(PostStartup, sample)
            .add_systems(PreUpdate, restart.after(crate::sim::apply_reset))
            .add_systems(FixedUpdate, sample_at_step.in_set(MetricsSystems::Sample).run_if(crate::sim::sim_running))
            .add_systems(
                FixedUpdate,
                (track_events.run_if(crate::sim::sim_running), sample.run_if(not(crate::sim::sim_running)))
                    .chain()
                    .in_set(MetricsSystems::Events),
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

/// The measures of the birds in a grid (the sample's step, time and kills left at zero).
pub fn measure_grid(params: &SimParams, grid: &SpatialGrid) -> (MetricsSample, clusters::Clusters) {
    let scan = scan::link_scan(grid, params.link_distance);
    let clusters = scan.clusters;
    let alive = grid.len() as u32;
    let (polarization, milling) = match grid.space_opt() {
        Some(space) => order::order_parameters(&space, &grid.pos, &grid.vel),
        None => (0.0, 0.0),
    };
    let aspect_ratio = grid.space_opt().and_then(|space| shape::aspect_ratio(&space, &grid.pos, &clusters.label));
    let mean_speed = if alive == 0 { 0.0 } else { grid.vel.iter().map(|v| v.length()).sum::<f32>() / alive as f32 };
    let sample = MetricsSample {
        alive,
        polarization,
        milling,
        clusters: clusters.count,
        largest_cluster_frac: if alive == 0 { 0.0 } else { clusters.largest as f32 / alive as f32 },
        mean_nn_dist: (scan.nn_count > 0).then(|| (scan.nn_sum / f64::from(scan.nn_count)) as f32),
        aspect_ratio,
        mean_speed,
        ..default()
    };
    (sample, clusters)
}

/// The measures of birds given as `(id, position, velocity)`, through a grid built for them.
pub fn measure(params: &SimParams, grid: &mut SpatialGrid, birds: impl Iterator<Item = (u32, Vec2, Vec2)>) -> (MetricsSample, clusters::Clusters) {
    build_grid(params, grid, birds);
    measure_grid(params, grid)
}

/// Builds the metrics' grid (cells sized for the link scan) for birds given as `(id, position,
/// velocity)`.
pub fn build_grid(params: &SimParams, grid: &mut SpatialGrid, birds: impl Iterator<Item = (u32, Vec2, Vec2)>) {
    let space = Space::from_params(params);
    grid.rebuild(space, params.link_distance * scan::METRICS_CELL, birds.map(|(id, p, v)| (id, space.contain(p), v)));
}

/// Whether a sample is due now: every `sample_every` steps, or when forced, unless this step
/// was measured already.
fn due(params: &SimParams, clock: &SimClock, force: &mut ForceSample, metrics: &Metrics) -> bool {
    let due = clock.step.is_multiple_of(u64::from(params.sample_every)) || force.0;
    force.0 = false;
    due && metrics.latest().is_none_or(|s| s.step != clock.step)
}

/// What a sample sees besides the grid: the predators (in id order), the alarmed birds, and the
/// mean number of birds each bird interacted with in the last step.
struct Threats {
    predators: Vec<Vec2>,
    alarmed: Vec<Vec2>,
    interacting: f32,
}

/// Records a sample of the birds in `grid`, taken at the current step, and names the escape
/// patterns it shows (attached to the open strike).
fn record(params: &SimParams, clock: &SimClock, log: &PredationLog, metrics: &mut Metrics, grid: &SpatialGrid, threats: Threats, started: std::time::Instant) {
    let (mut s, clusters) = measure_grid(params, grid);
    s.step = clock.step;
    s.time_s = clock.time;
    s.kills = log.total_kills;
    s.alarmed = threats.alarmed.len() as u32;
    s.mean_neighbors = threats.interacting;
    metrics.strikes.sample(s.time_s, s.largest_cluster_frac, s.clusters);
    metrics.last_clusters.ids.clone_from(&grid.ids);
    metrics.last_clusters.label = clusters.label;
    if !threats.predators.is_empty() || !threats.alarmed.is_empty() || metrics.strikes.open_strike().is_some() {
        let open = metrics.strikes.open_strike().map(|o| o.pre_largest_frac);
        let groups = metrics.last_clusters.groups(escape::SPLIT_SHARE * open.unwrap_or(1.0));
        let g = escape::glance(s.time_s, grid, &threats.predators, threats.alarmed, groups <= 1, s.mean_speed, params);
        (s.heading_deg, s.near_birds) = (g.heading.map(f32::to_degrees), g.near.map_or(0, |n| n.count as u32));
        (s.near_radial, s.near_spacing, s.empty_radius) = (g.near.map(|n| n.radial), g.near.map(|n| n.spacing), g.near.map(|n| n.empty_radius));
        let mut seen = metrics.watch.observe(&g, &Space::from_params(params), params);
        // a split: more groups than just before the strike (a flock already in parts is not split
        // by it)
        let before = match (metrics.strikes.open_index(), metrics.groups.1) {
            (Some(i), Some((j, before))) if i == j => before,
            (Some(i), _) => {
                metrics.groups.1 = Some((i, metrics.groups.0.max(1)));
                metrics.groups.0.max(1)
            }
            (None, _) => usize::MAX,
        };
        if groups >= 2 && groups > before {
            seen.push(escape::Pattern { kind: escape::PatternKind::Split, time_s: s.time_s, value: groups as f32, speed_ratio: None });
        }
        metrics.groups.0 = groups;
        metrics.strikes.note(&seen);
    } else {
        metrics.watch = escape::EscapeWatch::default();
    }
    metrics.push(s);
    metrics.last_cost_s = started.elapsed().as_secs_f64();
}

/// What taking a sample reads and writes.
#[derive(SystemParam)]
pub struct Sampler<'w, 's> {
    params: Res<'w, SimParams>,
    clock: Res<'w, SimClock>,
    log: Res<'w, PredationLog>,
    force: ResMut<'w, ForceSample>,
    metrics: ResMut<'w, Metrics>,
    own: ResMut<'w, MetricsGrid>,
    birds: Query<'w, 's, (&'static Bird, &'static Position, &'static Velocity, Option<&'static Alarm>)>,
    predators: Query<'w, 's, (&'static Predator, &'static Position)>,
    sums: Option<Res<'w, crate::sim::systems::NeighborSumsBuf>>,
}

impl Sampler<'_, '_> {
    /// Takes a sample if one is due: from `shared` (the simulation's grid) when given and its
    /// cells suit the link scan, otherwise through the metrics' own grid.
    fn take(&mut self, shared: Option<&SpatialGrid>) {
        let Sampler { params, clock, log, force, metrics, own, birds, predators, sums } = self;
        let shared = shared.filter(|g| scan::grid_suits(g, params.link_distance));
        if shared.is_some() && own.0.pos.capacity() > 0 {
            // The simulation's grid serves the samples: the metrics' own (built for the first
            // sample, or while that grid did not suit) gives its memory back.
            own.0 = SpatialGrid::default();
        }
        if !due(params, clock, force, metrics) {
            return;
        }
        let started = std::time::Instant::now();
        let grid = match shared {
            Some(g) => g,
            None => {
                build_grid(params, &mut own.0, birds.iter().map(|(b, p, v, _)| (b.id, p.0, v.0)));
                &own.0
            }
        };
        let threats = Threats {
            predators: positions_by_id(predators.iter().map(|(p, pos)| (p.id, pos.0))),
            alarmed: positions_by_id(birds.iter().filter(|(.., a)| a.is_some_and(|a| a.is_alarmed())).map(|(b, p, ..)| (b.id, p.0))),
            interacting: sums.as_ref().filter(|s| !s.0.is_empty()).map_or(0.0, |s| s.0.iter().map(|n| n.count as f32).sum::<f32>() / s.0.len() as f32),
        };
        record(params, clock, log, metrics, grid, threats, started);
    }
}

/// Takes a due sample at the start of a step, once the simulation has rebuilt its grid: the flock
/// as the last step left it (with the births of this instant, before time moves on). The
/// simulation's grid is read as it is when its cells suit the link scan (see
/// [`scan::grid_suits`]), which saves building a grid per sample; otherwise the metrics build
/// their own.
pub fn sample_at_step(mut sampler: Sampler, sim_grid: Res<SpatialGrid>) {
    sampler.take(Some(&sim_grid));
}

/// Takes a due or forced sample of the current state through the metrics' own grid: at start-up,
/// while the simulation holds (paused: the step's due sample is not waiting for the next step),
/// and the final row of a headless run.
pub fn sample(mut sampler: Sampler) {
    sampler.take(None);
}
