//! The hunt: predators pick a target, turn toward it, move, and try to catch.

use bevy::prelude::*;
use rand::RngExt;

use super::targeting::{self, catch_chance, turn_toward};
use super::{Kill, PredationLog, Predator, PredatorKind, hunter_speed};
use crate::sim::components::{Bird, GridSlot, Position, Velocity};
use crate::sim::grid::SpatialGrid;
use crate::sim::params::{SimParams, TargetStrategy};
use crate::sim::rules::apply_edges;
use crate::sim::space::Space;
use crate::sim::spawn::SimRng;
use crate::sim::systems::{GridEntities, NeighborSumsBuf, SimClock};

/// A lock-on target farther than this many fear radii (at least 100 u) is lost.
const LOSE_RANGE_FEAR_RADII: f32 = 3.0;
/// After a failed attack the predator recovers for this fraction of the catch cooldown.
const MISS_RECOVERY: f32 = 0.25;

/// The range within which predators look for targets by strategy (isolated, lock-on).
fn hunting_range(params: &SimParams) -> f32 {
    (params.fear_radius * LOSE_RANGE_FEAR_RADII).max(100.0)
}

/// Moves every predator one step and resolves its attacks, in predator-id order.
#[allow(clippy::too_many_arguments)]
pub fn hunt(
    mut commands: Commands,
    params: Res<SimParams>,
    grid: Res<SpatialGrid>,
    entities: Res<GridEntities>,
    sums: Res<NeighborSumsBuf>,
    clock: Res<SimClock>,
    mut rng: ResMut<SimRng>,
    mut log: ResMut<PredationLog>,
    mut predators: Query<(Entity, &mut Predator, &mut Position, &mut Velocity), Without<Bird>>,
    birds: Query<(&Position, &GridSlot), With<Bird>>,
    mut caught: Local<Vec<usize>>,
) {
    let dt = params.dt();
    let space = Space::from_params(&params);
    let counts: Vec<u32> = if params.predator_strategy == TargetStrategy::Isolated {
        sums.0.iter().map(|s| s.count).collect()
    } else {
        Vec::new()
    };
    let mut order: Vec<(u32, Entity)> = predators.iter().map(|(e, p, _, _)| (p.id, e)).collect();
    order.sort_unstable_by_key(|&(id, _)| id);
    caught.clear();

    for (_, entity) in order {
        let Ok((_, mut pred, mut pos, mut vel)) = predators.get_mut(entity) else { continue };
        pred.cooldown = (pred.cooldown - dt).max(0.0);

        // Steer.
        match pred.kind {
            PredatorKind::Dive { remaining_s } => {
                let remaining_s = remaining_s - dt;
                if remaining_s <= 0.0 {
                    commands.entity(entity).despawn();
                    continue;
                }
                pred.kind = PredatorKind::Dive { remaining_s };
            }
            PredatorKind::Hunter | PredatorKind::Placed => {
                let range = hunting_range(&params);
                let locked = pred
                    .target
                    .and_then(|e| birds.get(e).ok())
                    .filter(|(p, _)| space.offset(pos.0, p.0).length() <= range)
                    .map(|(_, slot)| slot.0 as usize)
                    .filter(|&s| s < grid.len());
                let aim = targeting::choose(params.predator_strategy, &grid, &counts, pos.0, range, locked);
                pred.target = match aim {
                    Some(targeting::Aim::Bird(slot)) => Some(entities.0[slot]),
                    _ => None,
                };
                let desired = aim.map_or(vel.0, |a| space.offset(pos.0, a.position(&grid)));
                let turn = params.predator_turn_rate.to_radians() * dt;
                vel.0 = turn_toward(vel.0, desired, turn) * hunter_speed(&params);
            }
        }

        // Move.
        (pos.0, vel.0) = apply_edges(pos.0 + vel.0 * dt, vel.0, &params);

        // Contact with the flock.
        let mut contact = false;
        grid.for_each_within(pos.0, params.fear_radius, |_, _, _| contact = true);
        if contact && !pred.in_contact {
            log.contacts.push(pred.id);
        }
        pred.in_contact = contact;

        // Attack the nearest bird within the catch radius (current positions).
        if pred.cooldown > 0.0 {
            continue;
        }
        let reach = params.catch_radius + 2.0 * params.max_speed * dt;
        let mut best: Option<(f32, usize, Vec2)> = None;
        grid.for_each_within(pos.0, reach, |slot, _, _| {
            if caught.contains(&slot) {
                return;
            }
            let Ok((bird_pos, _)) = birds.get(entities.0[slot]) else { return };
            let d2 = space.offset(pos.0, bird_pos.0).length_squared();
            if d2 <= params.catch_radius * params.catch_radius
                && best.is_none_or(|(b, s, _)| d2 < b || (d2 == b && slot < s))
            {
                best = Some((d2, slot, bird_pos.0));
            }
        });
        let Some((_, slot, at)) = best else { continue };
        let mut crowd = 0;
        grid.for_each_within(grid.pos[slot], params.confusion_radius, |_, _, _| crowd += 1);
        let chance = catch_chance(params.confusion, crowd.max(1));
        if rng.0.random::<f32>() < chance {
            caught.push(slot);
            commands.entity(entities.0[slot]).despawn();
            pred.kills += 1;
            pred.cooldown = params.catch_cooldown;
            pred.target = None;
            log.total_kills += 1;
            log.kills.push(Kill { step: clock.step, bird_id: grid.ids[slot], predator_id: pred.id, position: at });
        } else {
            pred.cooldown = (params.catch_cooldown * MISS_RECOVERY).max(dt);
        }
    }
}
