//! Repair mode: when the population is short of the `boid_count` parameter, new birds hatch near
//! the flock at a set rate until it is whole again.

use bevy::math::Vec2;
use bevy::prelude::*;
use rand::RngExt;

use super::components::Bird;
use super::grid::SpatialGrid;
use super::params::SimParams;
use super::space::Space;
use super::run_state::RunStateAppExt;
use super::spawn::{Population, SimRng, random_bird, spawn_birds};

/// Fractional hatching carried from step to step.
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct HatchBudget(pub f32);

/// How many birds hatch this step: the budget grows by `rate·dt`, capped by the shortfall.
pub fn hatch_count(budget: &mut f32, rate: f32, dt: f32, shortfall: u32) -> u32 {
    if shortfall == 0 {
        *budget = 0.0;
        return 0;
    }
    *budget += rate * dt;
    let n = (budget.floor() as u32).min(shortfall);
    *budget -= n as f32;
    n
}

/// Hatches birds while repair mode is on and the population is short.
pub fn hatch(
    mut commands: Commands,
    params: Res<SimParams>,
    grid: Res<SpatialGrid>,
    mut budget: ResMut<HatchBudget>,
    mut population: ResMut<Population>,
    mut rng: ResMut<SimRng>,
    birds: Query<(), With<Bird>>,
) {
    if !params.repair.is_on() {
        budget.0 = 0.0;
        return;
    }
    let alive = birds.iter().len() as u32;
    let n = hatch_count(&mut budget.0, params.repair_rate, params.dt(), params.boid_count.saturating_sub(alive));
    if n == 0 {
        return;
    }
    population.hatched += u64::from(n);
    let space = Space::from_params(&params);
    let rng = &mut rng.0;
    spawn_birds(&mut commands, &mut population, &params, n, || {
        if grid.is_empty() {
            return random_bird(rng, &params);
        }
        // Beside a random bird of the last snapshot, flying roughly its way.
        let parent = rng.random_range(0..grid.len());
        let offset = Vec2::from_angle(rng.random::<f32>() * std::f32::consts::TAU)
            * (rng.random::<f32>() * 0.5 * params.neighbor_radius);
        let pos = space.contain(grid.pos[parent] + offset);
        let pos = if space.wrap { pos } else { pos.clamp(Vec2::ZERO, space.size) };
        let vel = Vec2::from_angle((rng.random::<f32>() - 0.5) * 0.5).rotate(grid.vel[parent]);
        (pos, vel)
    });
}

/// Repair mode: hatching while the population is short.
pub struct RepairPlugin;

impl Plugin for RepairPlugin {
    fn build(&self, app: &mut App) {
        app.init_run_resource::<HatchBudget>()
            .add_systems(FixedUpdate, hatch.in_set(super::PopulationSystems::Repair));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hatching_follows_the_rate_and_stops_when_whole() {
        let mut budget = 0.0;
        let total: u32 = (0..60).map(|_| hatch_count(&mut budget, 30.0, 1.0 / 60.0, 1000)).sum();
        assert_eq!(total, 30);
        assert_eq!(hatch_count(&mut budget, 1000.0, 1.0, 3), 3);
        assert_eq!(hatch_count(&mut budget, 1000.0, 1.0, 0), 0);
        assert_eq!(budget, 0.0);
    }
}
