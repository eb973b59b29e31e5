//! Alarm: a bird inside a predator's fear radius is alarmed (whichever way it faces); a bird that sees an
//! alarmed neighbour start (within the neighbour radius and its field of view), or one turning
//! faster than `alarm_turn_rate`, becomes alarmed one reaction time later: the start of an escape is what neighbours react to, so a bird passes an
//! alarm on once (birds inside the fear radius keep starting it while the predator is there) and
//! the alarm travels as a front. An alarmed bird escapes (away from the nearest predator, straight or in a
//! zig-zag) for the alarm time, then flocks again and cannot be alarmed by neighbours for as long
//! again, so an alarm travels through the flock as a wave instead of echoing in it.
//!
//! Times are counted in fixed steps. Every read comes from the step's snapshot (the grid and the
//! alarm states at the start of the step), and every write of one step sets the same value
//! whichever source causes it, so the result never depends on iteration order or thread count.

use bevy::math::Vec2;
use bevy::prelude::*;

use super::components::{Bird, GridSlot, Position, TurnRate, Velocity};
use super::grid::SpatialGrid;
use super::params::{EscapeMode, SimParams};
use super::predator::Predator;
use super::rules::{Perception, steer_toward};
use super::space::Space;
use super::systems::SimClock;

/// A bird's alarm. Steps are [`SimClock::step`] values. Birds carry it (with their [`TurnRate`])
/// only while the alarm is on ([`sync_alarm_state`]); a bird without it is calm.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, Reflect)]
pub enum Alarm {
    /// Flocking.
    #[default]
    Calm,
    /// Saw an alarmed neighbour: alarmed from step `at`.
    Pending {
        /// The step it becomes alarmed.
        at: u64,
    },
    /// Escaping until step `until`.
    Alarmed {
        /// The first step it is no longer alarmed.
        until: u64,
        /// The step it was alarmed (or saw the predator again); neighbours that see it react in
        /// the next step.
        from: u64,
    },
    /// Flocking again; neighbours cannot alarm it before step `until`.
    Refractory {
        /// The first step it can be alarmed by neighbours again.
        until: u64,
    },
}

impl Alarm {
    /// Whether the bird is escaping.
    pub fn is_alarmed(self) -> bool {
        matches!(self, Alarm::Alarmed { .. })
    }

    /// Its name in `--dump-state` and the state hash.
    pub fn name(self) -> &'static str {
        match self {
            Alarm::Calm => "calm",
            Alarm::Pending { .. } => "pending",
            Alarm::Alarmed { .. } => "alarmed",
            Alarm::Refractory { .. } => "refractory",
        }
    }

    /// `(kind, step)` for the state hash; `None` when calm (a run without alarms hashes as if
    /// birds had no alarm at all).
    pub fn code(self) -> Option<(u32, u64)> {
        match self {
            Alarm::Calm => None,
            Alarm::Pending { at } => Some((1, at)),
            Alarm::Alarmed { until, .. } => Some((2, until)),
            Alarm::Refractory { until } => Some((3, until)),
        }
    }
}

/// The alarm's times in steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlarmSteps {
    /// Reaction time, at least one step: a bird alarmed after step k alarms the neighbours that
    /// see it after step k + `reaction`.
    pub reaction: u64,
    /// Alarm time, and the refractory time after it.
    pub duration: u64,
    /// Steps between a zig-zag's changes of side.
    pub zigzag: u64,
}

impl AlarmSteps {
    /// The parameters' times, rounded to steps.
    pub fn from_params(params: &SimParams) -> Self {
        let steps = |s: f32| ((s / params.dt()).round() as u64).max(1);
        Self { reaction: steps(params.reaction_time), duration: steps(params.alarm_duration), zigzag: steps(params.zigzag_period) }
    }
}

/// The birds' alarms after step `step`, from the alarms at its start (`before`, in grid-slot
/// order), the grid (the step's snapshot) and the predators' positions.
/// `turning` marks (in slot order; shorter means not turning) the birds whose last turn was
/// faster than `alarm_turn_rate`: neighbours that see them react as to an alarm beginning.
pub fn alarm_step(before: &[Alarm], turning: &[bool], grid: &SpatialGrid, predators: &[Vec2], params: &SimParams, step: u64) -> Vec<Alarm> {
    let t = AlarmSteps::from_params(params);
    // time passes: pending birds become alarmed, alarms end, refractory periods end
    let mut after: Vec<Alarm> = before
        .iter()
        .map(|&a| match a {
            Alarm::Pending { at } if at <= step => Alarm::Alarmed { until: step + t.duration, from: step },
            Alarm::Alarmed { until, .. } if until <= step => Alarm::Refractory { until: step + t.duration },
            Alarm::Refractory { until } if until <= step => Alarm::Calm,
            other => other,
        })
        .collect();
    // a bird within a predator's fear radius is alarmed now, whatever it was
    let alarmed_now = Alarm::Alarmed { until: step + t.duration, from: step };
    for &at in predators {
        grid.for_each_within(at, params.fear_radius, |slot, _, _| after[slot] = alarmed_now);
    }
    // a calm bird that sees a bird whose alarm began in the last step becomes alarmed after its
    // reaction time
    let per = Perception::from_params(params);
    for (s, a) in before.iter().enumerate() {
        let fresh = matches!(*a, Alarm::Alarmed { from, .. } if from + 1 == step);
        if !fresh && !turning.get(s).copied().unwrap_or(false) {
            continue;
        }
        grid.for_each_within(grid.pos[s], params.neighbor_radius, |j, offset, d2| {
            // offset points from the alarmed bird to j; j sees it at -offset
            if j != s && after[j] == Alarm::Calm && per.sees(grid.vel[j], -offset, d2) {
                after[j] = Alarm::Pending { at: step + t.reaction - 1 };
            }
        });
    }
    // with a one-step reaction, a bird alarmed after step k alarms its neighbours after step k + 1
    for a in &mut after {
        if let Alarm::Pending { at } = *a
            && at <= step
        {
            *a = alarmed_now;
        }
    }
    after
}

/// The escape steering of an alarmed bird at `pos` moving with `vel`: away from the nearest
/// predator (straight, or 45° to one side that alternates every `zigzag` steps, per bird), or
/// nothing when there is no predator.
pub fn escape_force(pos: Vec2, vel: Vec2, id: u32, predators: &[Vec2], space: &Space, params: &SimParams, step: u64) -> Vec2 {
    let nearest = predators.iter().map(|&p| space.offset(pos, p)).min_by(|a, b| a.length_squared().total_cmp(&b.length_squared()));
    let Some(to_predator) = nearest else { return Vec2::ZERO };
    let mut away = -to_predator;
    if params.escape_mode == EscapeMode::Zigzag {
        let zigzag = AlarmSteps::from_params(params).zigzag;
        let side = if (step / zigzag + u64::from(id)).is_multiple_of(2) { 1.0 } else { -1.0 };
        away = Vec2::from_angle(side * std::f32::consts::FRAC_PI_4).rotate(away);
    }
    steer_toward(away, vel, params.max_speed, params.max_force) * params.escape_weight
}

/// How many birds are not calm (the alarm system sleeps while it is zero and no predator is near).
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct AlarmCount {
    /// Birds pending, alarmed or refractory after the last step.
    pub active: usize,
    /// Birds alarmed after the last step.
    pub alarmed: usize,
}

/// Advances every bird's alarm and adds the escape force of the alarmed ones (a thin adapter over
/// [`alarm_step`] and [`escape_force`]).
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
pub fn alarm(
    params: Res<SimParams>,
    grid: Res<SpatialGrid>,
    clock: Res<SimClock>,
    mut count: ResMut<AlarmCount>,
    predators: Query<(&Predator, &Position)>,
    mut forces: ResMut<super::systems::StepForces>,
    mut birds: Query<(&Bird, &GridSlot, &Position, &Velocity, &mut Alarm, &TurnRate)>,
    mut before: Local<(Vec<Alarm>, Vec<bool>)>,
) {
    let on = params.alarm.is_on() && !grid.is_empty();
    if !on || (count.active == 0 && predators.is_empty()) {
        // switched off, the birds' states go with `sync_alarm_state`
        if !on {
            *count = AlarmCount::default();
        }
        return;
    }
    let at = super::predator::positions_by_id(predators.iter().map(|(p, pos)| (p.id, pos.0)));
    let (before, turning) = &mut *before;
    before.clear();
    before.resize(grid.len(), Alarm::Calm);
    turning.clear();
    if params.alarm_turn_rate > 0.0 {
        turning.resize(grid.len(), false);
    }
    for (_, slot, _, _, a, turn) in &birds {
        before[slot.0 as usize] = *a;
        if let Some(t) = turning.get_mut(slot.0 as usize) {
            *t = turn.0 > params.alarm_turn_rate;
        }
    }
    let after = alarm_step(before, turning, &grid, &at, &params, clock.step);
    let space = Space::from_params(&params);
    *count = AlarmCount::default();
    for (bird, slot, pos, vel, mut a, _) in &mut birds {
        let new = after[slot.0 as usize];
        if *a != new {
            *a = new;
        }
        count.active += usize::from(new != Alarm::Calm);
        if new.is_alarmed() {
            count.alarmed += 1;
            forces.add_flee(slot.0 as usize, escape_force(pos.0, vel.0, bird.id, &at, &space, &params, clock.step));
        }
    }
}

/// A bird's alarm state: calm, its last turn not measured yet.
pub fn alarm_bundle() -> (Alarm, TurnRate) {
    (Alarm::Calm, TurnRate(0.0))
}

/// Gives every bird an alarm state when the alarm is switched on and takes it away when it is
/// switched off, so a flock without the alarm carries none (44 bytes a bird with the change
/// ticks). Birds born while it
/// is on have it from birth ([`super::spawn::spawn_birds`]).
pub fn sync_alarm_state(
    params: Res<SimParams>,
    mut commands: Commands,
    without: Query<Entity, (With<Bird>, Without<Alarm>)>,
    with: Query<Entity, (With<Bird>, With<Alarm>)>,
) {
    if params.alarm.is_on() {
        if !without.is_empty() {
            let batch: Vec<_> = without.iter().map(|e| (e, alarm_bundle())).collect();
            commands.insert_batch(batch);
        }
    } else {
        for e in &with {
            commands.entity(e).remove::<(Alarm, TurnRate)>();
        }
    }
}

/// The alarm: its state per bird, its step, its count.
pub struct AlarmPlugin;

impl Plugin for AlarmPlugin {
    fn build(&self, app: &mut App) {
        use super::run_state::RunStateAppExt;
        app.init_run_resource::<AlarmCount>().add_systems(
            FixedUpdate,
            (
                sync_alarm_state.in_set(super::PopulationSystems::AlarmState),
                alarm.in_set(super::SimSystems::Rules).after(super::predator::flee),
            ),
        );
    }
}

#[cfg(test)]
mod tests;
