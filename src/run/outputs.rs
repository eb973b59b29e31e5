//! The files a headless run writes: metrics CSV, summary JSON, final state CSV. All atomic.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use bevy::prelude::*;
use serde::Serialize;

use super::RunConfig;
use super::headless::{Headless, SimReport};
use crate::io::{write_atomic, write_atomic_with};
use crate::metrics::strikes::Strike;
use crate::metrics::{CSV_HEADER, Metrics};
use crate::sim::{Alarm, Bird, Dive, PredationLog, Population, Position, Predator, SimClock, SimParams, Velocity};

/// Files a headless run writes at its end.
#[derive(Clone, Debug, Default)]
pub struct SimOutputs {
    /// Metrics CSV, one row per sample.
    pub metrics: Option<PathBuf>,
    /// Summary JSON.
    pub summary: Option<PathBuf>,
    /// Final state CSV, one row per agent.
    pub dump_state: Option<PathBuf>,
    /// Trajectories CSV: streamed during the run (see [`super::trajectories`]), not at its end.
    pub trajectories: Option<PathBuf>,
}

impl SimOutputs {
    fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        [&self.metrics, &self.summary, &self.dump_state, &self.trajectories].into_iter().flatten()
    }

    /// Whether the run must keep metrics for these outputs.
    pub fn need_metrics(&self) -> bool {
        self.metrics.is_some() || self.summary.is_some()
    }

    /// Fails early (before a long run) when an output's folder does not exist.
    pub fn check(&self) -> Result<()> {
        for path in self.paths() {
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !dir.is_dir() {
                bail!("cannot write {}: folder {} does not exist", path.display(), dir.display());
            }
            if path.is_dir() {
                bail!("cannot write {}: it is a folder", path.display());
            }
        }
        Ok(())
    }
}

/// The summary of a run: enough to reproduce it (seed, parameters, script) and its outcome.
#[derive(Serialize)]
pub struct Summary<'a> {
    /// The preset the run started from.
    pub preset: &'a str,
    /// The seed.
    pub seed: u64,
    /// Steps run.
    pub steps: u64,
    /// Simulated seconds.
    pub time_s: f64,
    /// Every parameter's value.
    pub params: &'a SimParams,
    /// Scripted dives.
    pub dives: &'a [Dive],
    /// Final state hash (16 hex digits).
    pub state_hash: String,
    /// Totals.
    pub totals: Totals,
    /// Every strike.
    pub strikes: &'a [Strike],
    /// The last metrics sample: the flock's state at the end of the run.
    pub final_sample: Option<crate::metrics::MetricsSample>,
    /// Number of cluster-count increases (splits) and decreases (merges) between samples.
    pub splits: usize,
    /// See `splits`.
    pub merges: usize,
}

/// Population totals of a run.
#[derive(Serialize)]
pub struct Totals {
    /// Birds at the start.
    pub initial: u32,
    /// Birds alive at the end.
    pub alive: usize,
    /// Birds caught.
    pub kills: u64,
    /// Birds hatched (repair mode, or the count raised).
    pub hatched: u64,
}

/// Writes every requested file.
pub fn write_all(outputs: &SimOutputs, config: &RunConfig, report: &SimReport, sim: &mut Headless) -> Result<()> {
    let world = sim.app.world_mut();
    if let Some(path) = &outputs.metrics {
        let metrics = world.resource::<Metrics>();
        write_atomic_with(path, |out| {
            writeln!(out, "{CSV_HEADER}")?;
            metrics.all.iter().flatten().try_for_each(|row| writeln!(out, "{}", row.csv_row()))
        })?;
    }
    if let Some(path) = &outputs.summary {
        let metrics = world.resource::<Metrics>();
        let events = &metrics.strikes.events;
        let summary = Summary {
            preset: &config.preset,
            seed: config.seed,
            steps: report.steps,
            time_s: world.resource::<SimClock>().time,
            params: world.resource::<SimParams>(),
            dives: &config.script.dives,
            state_hash: format!("{:016x}", report.state_hash),
            totals: Totals {
                initial: config.params.boid_count,
                alive: report.alive,
                kills: world.resource::<PredationLog>().total_kills,
                hatched: world.resource::<Population>().hatched,
            },
            strikes: &metrics.strikes.strikes,
            final_sample: metrics.all.as_ref().and_then(|all| all.last()).copied(),
            splits: events.iter().filter(|e| e.is_split()).count(),
            merges: events.iter().filter(|e| !e.is_split()).count(),
        };
        let text = serde_json::to_string_pretty(&summary)?;
        write_atomic(path, text.as_bytes())?;
    }
    if let Some(path) = &outputs.dump_state {
        let (birds, predators) = final_state(world);
        write_atomic_with(path, |out| write_state(out, &birds, &predators))?;
    }
    Ok(())
}

/// One agent of the state dump: id, position, velocity, and a bird's alarm (`None`: a predator).
type Agent = (u32, Vec2, Vec2, Option<Alarm>);

/// The birds and the predators, each in id order.
fn final_state(world: &mut World) -> (Vec<Agent>, Vec<Agent>) {
    let mut birds: Vec<Agent> =
        world.query::<(&Bird, &Position, &Velocity, Option<&Alarm>)>().iter(world).map(|(b, p, v, a)| (b.id, p.0, v.0, Some(a.copied().unwrap_or_default()))).collect();
    birds.sort_unstable_by_key(|b| b.0);
    let mut predators: Vec<Agent> = world.query::<(&Predator, &Position, &Velocity)>().iter(world).map(|(b, p, v)| (b.id, p.0, v.0, None)).collect();
    predators.sort_unstable_by_key(|b| b.0);
    (birds, predators)
}

/// The final state as CSV, `kind,id,x,y,vx,vy,alarm`: birds then predators, each in id order;
/// `alarm` is a bird's `calm`, `pending`, `alarmed` or `refractory` (empty for predators).
pub fn write_state(out: &mut dyn std::io::Write, birds: &[Agent], predators: &[Agent]) -> std::io::Result<()> {
    writeln!(out, "kind,id,x,y,vx,vy,alarm")?;
    for (kind, list) in [("bird", birds), ("predator", predators)] {
        for (id, p, v, alarm) in list {
            writeln!(out, "{kind},{id},{},{},{},{},{}", p.x, p.y, v.x, v.y, alarm.map_or("", Alarm::name))?;
        }
    }
    Ok(())
}
