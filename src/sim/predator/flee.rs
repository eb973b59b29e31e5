//! The flee rule: birds within a predator's fear radius steer away from it.

use bevy::prelude::*;

use super::Predator;
use crate::sim::components::Position;
use crate::sim::grid::SpatialGrid;
use crate::sim::params::SimParams;
use crate::sim::rules::steer_toward;
use crate::sim::systems::StepForces;

/// The away-direction a bird feels from one predator at `offset` (bird → predator), stronger when
/// closer: zero at the fear radius, a unit vector at the predator.
pub fn fear(offset: Vec2, fear_radius: f32) -> Vec2 {
    let d = offset.length();
    if d >= fear_radius || fear_radius <= 0.0 {
        return Vec2::ZERO;
    }
    -offset.normalize_or_zero() * (1.0 - d / fear_radius)
}

/// The flee steering for a bird whose summed [`fear`] of every predator is `away`.
pub fn flee_force(away: Vec2, vel: Vec2, params: &SimParams) -> Vec2 {
    steer_toward(away, vel, params.max_speed, params.max_force) * params.flee_weight
}

/// Adds the flee force to every bird within a predator's fear radius.
pub fn flee(
    params: Res<SimParams>,
    grid: Res<SpatialGrid>,
    predators: Query<(&Predator, &Position)>,
    mut forces: ResMut<StepForces>,
    mut away: Local<Vec<(usize, Vec2)>>,
) {
    if params.flee_weight == 0.0 || params.fear_radius == 0.0 || grid.is_empty() {
        return;
    }
    let hunters = super::positions_by_id(predators.iter().map(|(p, pos)| (p.id, pos.0)));
    away.clear();
    for &at in &hunters {
        // offsets from the predator to the bird; the bird → predator offset is its negation
        grid.for_each_within(at, params.fear_radius, |slot, offset, _| {
            away.push((slot, fear(-offset, params.fear_radius)));
        });
    }
    // Sum per bird in (slot, predator) order: stable sort keeps predator order within a slot.
    away.sort_by_key(|&(slot, _)| slot);
    let mut i = 0;
    while i < away.len() {
        let slot = away[i].0;
        let mut sum = Vec2::ZERO;
        while i < away.len() && away[i].0 == slot {
            sum += away[i].1;
            i += 1;
        }
        forces.add_flee(slot, flee_force(sum, grid.vel[slot], &params));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fear_points_away_and_fades_with_distance() {
        let near = fear(Vec2::new(10.0, 0.0), 100.0);
        let far = fear(Vec2::new(90.0, 0.0), 100.0);
        assert!(near.x < 0.0 && far.x < 0.0);
        assert!(near.length() > far.length());
        assert_eq!(fear(Vec2::new(100.0, 0.0), 100.0), Vec2::ZERO);
        assert_eq!(fear(Vec2::ZERO, 100.0), Vec2::ZERO);
    }
}
