//! The timeline of a run: every change made to a running simulation from outside — a parameter
//! set, a predator placed or removed — with the step at which it took effect. The app logs it; a
//! replay applies the same changes at the same steps, so the run is reproduced exactly.
//!
//! A change logged with step `s` takes effect after `s` steps have run, before step `s + 1`.

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use super::predator::{PredatorKind, PredatorRoster, spawn_predator};
use super::{PopulationSystems, Predator, Script, SimClock, SimParams, SimSeed, StartRun};
use crate::sim::script::Dive;

/// One change to a running simulation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Change {
    /// A parameter set to a value (written as on the command line: `KEY=VALUE`).
    Set(String),
    /// A predator placed at a position with a velocity.
    PlacePredator {
        /// Position x.
        x: f32,
        /// Position y.
        y: f32,
        /// Velocity x.
        vx: f32,
        /// Velocity y.
        vy: f32,
    },
    /// The predator with this id removed.
    RemovePredator(u32),
}

/// A change and the number of steps that had run when it took effect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimedChange {
    /// Steps run before the change.
    pub step: u64,
    /// The change.
    pub change: Change,
}

/// What a run started from and every change made since (reset by every restart).
#[derive(Resource, Clone, Debug, Default)]
pub struct Timeline {
    /// The seed the run started with.
    pub seed: u64,
    /// The parameters the run started with.
    pub params: SimParams,
    /// The scripted dives of the run.
    pub dives: Vec<Dive>,
    /// Changes in the order they were made.
    pub changes: Vec<TimedChange>,
    /// The parameters as last seen (to notice changes).
    seen: SimParams,
}

impl Timeline {
    /// A timeline that starts from this state.
    pub fn start(seed: u64, params: SimParams, dives: Vec<Dive>) -> Self {
        Self { seed, seen: params.clone(), params, dives, changes: Vec::new() }
    }

    /// Logs a change at a step.
    pub fn log(&mut self, step: u64, change: Change) {
        self.changes.push(TimedChange { step, change });
    }

    /// Logs every parameter that differs from the last one seen.
    pub fn log_param_changes(&mut self, step: u64, params: &SimParams) {
        if *params == self.seen {
            return;
        }
        for spec in crate::sim::params::PARAMS {
            let (now, before) = ((spec.get)(params), (spec.get)(&self.seen));
            if now != before {
                self.log(step, Change::Set(format!("{}={}", spec.key, spec.format(now))));
            }
        }
        self.seen = params.clone();
    }
}

/// Changes to apply at their steps (a replay), in order.
#[derive(Resource, Clone, Debug, Default)]
pub struct ReplaySchedule {
    changes: Vec<TimedChange>,
    next: usize,
}

impl ReplaySchedule {
    /// A schedule of changes (kept in the given order; steps must not decrease).
    pub fn new(changes: Vec<TimedChange>) -> Self {
        Self { changes, next: 0 }
    }

    /// Changes not yet applied.
    pub fn remaining(&self) -> usize {
        self.changes.len() - self.next
    }
}

/// Places a predator (the user's click, or its replay).
pub fn place_predator(commands: &mut Commands, roster: &mut PredatorRoster, pos: Vec2, vel: Vec2) -> Entity {
    spawn_predator(commands, roster, PredatorKind::Placed, pos, vel)
}

/// Removes the predator with this id; a removed hunter also lowers `predator_count`, so it stays
/// removed. Returns whether there was one.
pub fn remove_predator<'a>(
    commands: &mut Commands,
    params: &mut SimParams,
    predators: impl IntoIterator<Item = (Entity, &'a Predator)>,
    id: u32,
) -> bool {
    let Some((entity, predator)) = predators.into_iter().find(|(_, p)| p.id == id) else { return false };
    if predator.kind == PredatorKind::Hunter {
        params.predator_count = params.predator_count.saturating_sub(1);
    }
    commands.entity(entity).despawn();
    true
}

/// Applies the replay's changes that are due (first thing in a step).
pub fn apply_scheduled(
    mut commands: Commands,
    schedule: Option<ResMut<ReplaySchedule>>,
    clock: Res<SimClock>,
    mut params: ResMut<SimParams>,
    mut roster: ResMut<PredatorRoster>,
    predators: Query<(Entity, &Predator)>,
) {
    let Some(mut schedule) = schedule else { return };
    let before = schedule.next;
    while let Some(next) = schedule.changes.get(schedule.next).filter(|c| c.step <= clock.step).cloned() {
        schedule.next += 1;
        match &next.change {
            Change::Set(assignment) => {
                if let Err(e) = params.apply_assignment(assignment) {
                    warn!("replay: step {}: {e}", next.step);
                }
            }
            Change::PlacePredator { x, y, vx, vy } => {
                place_predator(&mut commands, &mut roster, Vec2::new(*x, *y), Vec2::new(*vx, *vy));
            }
            Change::RemovePredator(id) => {
                if !remove_predator(&mut commands, &mut params, predators.iter(), *id) {
                    warn!("replay: step {}: no predator {id} to remove", next.step);
                }
            }
        }
    }
    if schedule.next > before {
        // once per step, as for live changes
        params.constrain();
    }
}

/// Applies the parameter rules ([`SimParams::constrain`]) to changes made since the last step,
/// whatever made them (a slider, the text box, a replay, code).
pub fn constrain_params(mut params: ResMut<SimParams>) {
    if params.is_changed() {
        let constrained = params.constrained();
        if constrained != *params {
            *params = constrained;
        }
    }
}

/// Notices parameter changes made since the last step (first thing in a step, so each is logged
/// with the step it takes effect at, whenever in the frame it was made).
pub fn log_param_changes(mut timeline: ResMut<Timeline>, params: Res<SimParams>, clock: Res<SimClock>) {
    if params.is_changed() {
        timeline.log_param_changes(clock.step, &params);
    }
}

/// Starts the run's timeline from the seed, parameters and dives it starts with (at start-up and
/// at every restart).
pub fn start_timeline(mut commands: Commands, params: Res<SimParams>, seed: Res<SimSeed>, script: Res<Script>) {
    commands.insert_resource(Timeline::start(seed.0, params.clone(), script.dives.clone()));
}

/// The run's timeline: changes made from outside logged with their steps, and a replay's
/// changes applied at theirs.
pub struct TimelinePlugin;

impl Plugin for TimelinePlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Timeline>()
            .add_systems(StartRun, start_timeline)
            .add_systems(FixedUpdate, (constrain_params, log_param_changes, apply_scheduled).chain().in_set(PopulationSystems::Changes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_changes_are_logged_once_each() {
        let mut params = SimParams::default();
        let mut timeline = Timeline::start(1, params.clone(), Vec::new());
        params.cohesion_weight = 1.25;
        params.boid_count = 123;
        timeline.log_param_changes(40, &params);
        timeline.log_param_changes(41, &params);
        let logged: Vec<_> = timeline.changes.iter().map(|c| (c.step, c.change.clone())).collect();
        assert_eq!(
            logged,
            vec![(40, Change::Set("cohesion_weight=1.25".into())), (40, Change::Set("boid_count=123".into()))]
        );
        // The logged text applies back to the same value.
        let mut replayed = SimParams::default();
        for c in &timeline.changes {
            let Change::Set(a) = &c.change else { unreachable!() };
            replayed.apply_assignment(a).unwrap();
        }
        assert_eq!(replayed, params);
    }
}
