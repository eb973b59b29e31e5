//! Seeded randomness and the population: spawning, removing and counting birds.

use bevy::math::Vec2;
use bevy::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::components::{Bird, GridSlot, Position, Velocity};
use super::params::SimParams;

/// The run's seed. Together with the parameters it fully determines the run.
#[derive(Resource, Clone, Copy, Debug, PartialEq, Eq, Deref)]
pub struct SimSeed(pub u64);

/// The simulation's one random stream (ChaCha8: the same stream on every machine and release).
/// Only sequential systems draw from it, in schedule order.
#[derive(Resource, Debug, Clone, Deref, DerefMut)]
pub struct SimRng(pub ChaCha8Rng);

impl SimRng {
    /// A stream seeded from a seed.
    pub fn from_seed(seed: u64) -> Self {
        Self(ChaCha8Rng::seed_from_u64(seed))
    }
}

/// Bookkeeping of the population.
#[derive(Resource, Debug, Default, Clone, Reflect)]
pub struct Population {
    /// The `boid_count` parameter value the population was last set to.
    pub applied: Option<u32>,
    /// The id the next bird will get.
    pub next_id: u32,
    /// Birds hatched (spawned after the start, by repair mode or by raising the count).
    pub hatched: u64,
}

/// A uniformly random position inside the world (strictly below its far edges).
pub fn uniform_position(rng: &mut ChaCha8Rng, params: &SimParams) -> Vec2 {
    let size = Vec2::new(params.world_width, params.world_height);
    (Vec2::new(rng.random::<f32>(), rng.random::<f32>()) * size).min(size * (1.0 - f32::EPSILON))
}

/// A bird's random start: uniform in the world (or in the spawn disc), a heading uniform within
/// `spawn_spread_deg` around +x (any heading at 360°), speed within limits.
pub fn random_bird(rng: &mut ChaCha8Rng, params: &SimParams) -> (Vec2, Vec2) {
    let size = Vec2::new(params.world_width, params.world_height);
    let pos = if params.spawn_radius > 0.0 {
        // uniform in a disc around the centre, clamped into the world
        let r = params.spawn_radius * rng.random::<f32>().sqrt();
        let a = rng.random::<f32>() * std::f32::consts::TAU;
        (size * 0.5 + Vec2::from_angle(a) * r).clamp(Vec2::ZERO, size)
    } else {
        uniform_position(rng, params)
    };
    let u = rng.random::<f32>();
    let angle = if params.spawn_spread_deg >= 360.0 { u * std::f32::consts::TAU } else { (u - 0.5) * params.spawn_spread_deg.to_radians() };
    let lo = params.min_speed.min(params.max_speed);
    let speed = lo + rng.random::<f32>() * (params.max_speed - lo);
    let pos = pos.min(size * (1.0 - f32::EPSILON));
    (pos, Vec2::from_angle(angle) * speed)
}

/// The components every bird carries.
pub fn bird_bundle(id: u32, pos: Vec2, vel: Vec2) -> (Bird, Position, Velocity, GridSlot) {
    (Bird { id }, Position(pos), Velocity(vel), GridSlot::default())
}

/// Spawns `n` birds placed by `place`, with consecutive ids; while the alarm is on they carry
/// its state from birth ([`super::alarm::alarm_bundle`]).
pub fn spawn_birds(
    commands: &mut Commands,
    population: &mut Population,
    params: &SimParams,
    n: u32,
    mut place: impl FnMut() -> (Vec2, Vec2),
) {
    let first = population.next_id;
    population.next_id += n;
    let batch: Vec<_> = (first..first + n)
        .map(|id| {
            let (p, v) = place();
            bird_bundle(id, p, v)
        })
        .collect();
    if params.alarm.is_on() {
        commands.spawn_batch(batch.into_iter().map(|bird| (bird, super::alarm::alarm_bundle())));
    } else {
        commands.spawn_batch(batch);
    }
}

/// Matches the number of birds to the `boid_count` parameter whenever that parameter changes
/// (at start-up too): spawns random birds, or removes the newest ones.
pub fn sync_population(
    mut commands: Commands,
    params: Res<SimParams>,
    mut population: ResMut<Population>,
    mut rng: ResMut<SimRng>,
    birds: Query<(Entity, &Bird)>,
) {
    let target = params.boid_count;
    if population.applied == Some(target) {
        return;
    }
    let started = population.applied.is_some();
    population.applied = Some(target);
    let alive = birds.iter().len() as u32;
    if target > alive {
        let add = target - alive;
        if started {
            population.hatched += add as u64;
        }
        let rng = &mut rng.0;
        spawn_birds(&mut commands, &mut population, &params, add, || random_bird(rng, &params));
    } else if target < alive {
        let mut all: Vec<(u32, Entity)> = birds.iter().map(|(e, b)| (b.id, e)).collect();
        all.sort_unstable_by_key(|&(id, _)| std::cmp::Reverse(id));
        for &(_, e) in &all[..(alive - target) as usize] {
            commands.entity(e).despawn();
        }
    }
}
