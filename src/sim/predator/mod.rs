//! Predators: entities that hunt birds, scare them (flee force) and remove the ones they catch.

pub mod flee;
mod hunt;
pub mod targeting;

use bevy::math::Vec2;
use bevy::prelude::*;
use rand::RngExt;

use super::components::{Position, Velocity};
use super::params::SimParams;
use super::run_state::{RunStateAppExt, StartRun};
use super::spawn::{SimRng, uniform_position};
use super::{PopulationSystems, SimSystems};

pub use flee::flee;
pub use hunt::hunt;

/// What kind of predator this is.
#[derive(Clone, Copy, Debug, PartialEq, Reflect)]
pub enum PredatorKind {
    /// A free hunter, one of the `predator_count` parameter's.
    Hunter,
    /// A hunter placed by hand (mouse or API); not counted by `predator_count`.
    Placed,
    /// A scripted dive: flies straight, catching on the way, and leaves after `remaining_s`.
    Dive {
        /// Seconds left before it leaves.
        remaining_s: f32,
    },
}

/// A predator.
#[derive(Component, Clone, Copy, Debug, PartialEq, Reflect)]
pub struct Predator {
    /// Stable id, unique within a run (predators have their own id sequence).
    pub id: u32,
    /// Hunter, placed, or scripted dive.
    pub kind: PredatorKind,
    /// Seconds until it can attack again.
    pub cooldown: f32,
    /// The bird it aimed at last step (the lock-on strategy keeps it; proportional navigation
    /// follows its line of sight).
    pub target: Option<Entity>,
    /// Direction of the line of sight to that bird last step (radians), for proportional
    /// navigation.
    pub los: Option<f32>,
    /// Whether a bird was within its fear radius last step (contact with the flock).
    pub in_contact: bool,
    /// Birds it caught.
    pub kills: u32,
    /// Seconds it still spends away from the flock after an attack (`predator_rest`).
    pub rest: f32,
}

/// Predator bookkeeping.
#[derive(Resource, Debug, Default, Clone)]
pub struct PredatorRoster {
    /// The id the next predator gets.
    pub next_id: u32,
}

/// A catch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kill {
    /// Step in which it happened (steps completed before it).
    pub step: u64,
    /// The bird caught.
    pub bird_id: u32,
    /// The predator that caught it.
    pub predator_id: u32,
    /// Where.
    pub position: Vec2,
}

/// What predators did this step, and in total. The metrics read it after each step.
#[derive(Resource, Debug, Default, Clone)]
pub struct PredationLog {
    /// Birds caught since the start.
    pub total_kills: u64,
    /// Catches in the current step.
    pub kills: Vec<Kill>,
    /// Ids of predators that came into contact with the flock this step.
    pub contacts: Vec<u32>,
}

/// Clears the per-step part of the log at the start of a step.
pub fn clear_log(mut log: ResMut<PredationLog>) {
    log.kills.clear();
    log.contacts.clear();
}

/// Spawns a predator; returns its entity.
pub fn spawn_predator(commands: &mut Commands, roster: &mut PredatorRoster, kind: PredatorKind, pos: Vec2, vel: Vec2) -> Entity {
    let id = roster.next_id;
    roster.next_id += 1;
    commands
        .spawn((
            Predator { id, kind, cooldown: 0.0, target: None, los: None, in_contact: false, kills: 0, rest: 0.0 },
            Position(pos),
            Velocity(vel),
        ))
        .id()
}

/// Positions given as `(id, position)` in any order, returned in id order: how predators (and
/// alarmed birds) are read wherever their order could change a sum.
pub fn positions_by_id(agents: impl Iterator<Item = (u32, Vec2)>) -> Vec<Vec2> {
    let mut all: Vec<(u32, Vec2)> = agents.collect();
    all.sort_unstable_by_key(|&(id, _)| id);
    all.into_iter().map(|(_, p)| p).collect()
}

/// The predator's cruising speed.
pub fn hunter_speed(params: &SimParams) -> f32 {
    params.predator_speed * params.max_speed
}

/// Matches the number of free hunters to the `predator_count` parameter.
pub fn sync_predators(
    mut commands: Commands,
    params: Res<SimParams>,
    mut roster: ResMut<PredatorRoster>,
    mut rng: ResMut<SimRng>,
    predators: Query<(Entity, &Predator)>,
) {
    let mut hunters: Vec<(u32, Entity)> = predators
        .iter()
        .filter(|(_, p)| p.kind == PredatorKind::Hunter)
        .map(|(e, p)| (p.id, e))
        .collect();
    let want = params.predator_count as usize;
    if hunters.len() < want {
        for _ in hunters.len()..want {
            let pos = uniform_position(&mut rng.0, &params);
            let vel = Vec2::from_angle(rng.random::<f32>() * std::f32::consts::TAU) * hunter_speed(&params);
            spawn_predator(&mut commands, &mut roster, PredatorKind::Hunter, pos, vel);
        }
    } else if hunters.len() > want {
        hunters.sort_unstable_by_key(|&(id, _)| std::cmp::Reverse(id));
        for &(_, e) in &hunters[..hunters.len() - want] {
            commands.entity(e).despawn();
        }
    }
}

/// Predators: hunters matched to `predator_count`, the flee rule, the hunt and its log.
pub struct PredatorPlugin;

impl Plugin for PredatorPlugin {
    fn build(&self, app: &mut App) {
        app.init_run_resource::<PredatorRoster>()
            .init_run_resource::<PredationLog>()
            .add_systems(StartRun, sync_predators.after(crate::sim::spawn::sync_population))
            .add_systems(
                FixedUpdate,
                (
                    (clear_log, sync_predators).chain().in_set(PopulationSystems::Predators),
                    flee.in_set(SimSystems::Rules).after(crate::sim::systems::cohesion),
                    hunt.in_set(SimSystems::Resolve).before(crate::sim::systems::advance_clock),
                ),
            );
    }
}
