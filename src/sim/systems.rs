//! The simulation's ECS systems: thin adapters from components to the pure math in
//! [`super::rules`] and [`super::grid`].

use bevy::prelude::*;
use bevy::tasks::{ComputeTaskPool, ParallelSliceMut};

use super::components::{Bird, GridSlot, Position, Velocity};
use super::grid::{BirdSource, SpatialGrid};
use super::params::SimParams;
use super::rules::{self, NeighborSums, Perception};
use super::space::Space;

/// Birds per parallel task in the neighbour pass (large enough to amortise task overhead,
/// small enough to balance two to sixteen threads).
const GATHER_CHUNK: usize = 2048;

/// The simulation clock: steps taken and simulated seconds.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Reflect)]
pub struct SimClock {
    /// Fixed steps taken since the start.
    pub step: u64,
    /// Simulated seconds since the start (sum of each step's timestep).
    pub time: f64,
}

/// Every bird's neighbour sums of this step, in grid-slot order.
#[derive(Resource, Debug, Default, Clone)]
pub struct NeighborSumsBuf(pub Vec<NeighborSums>);

/// The bird entity in each grid slot (this step's snapshot), for the predators' targets and
/// catches; kept only while there are predators (empty otherwise).
#[derive(Resource, Debug, Default, Clone)]
pub struct GridEntities(pub Vec<Entity>);

/// The birds' table columns, read in place as the grid's input: bird `i` is row `i - start` of
/// the table whose rows start at `start` (usually one table).
struct BirdTables<'a> {
    space: Space,
    starts: &'a [usize],
    tables: Vec<(&'a [Bird], &'a [Position], &'a [Velocity])>,
    len: usize,
}

/// The table holding input `i` and its row there, for tables whose rows start at `starts`.
#[inline(always)]
fn locate(starts: &[usize], i: usize) -> (usize, usize) {
    if starts.len() == 1 {
        return (0, i);
    }
    let t = starts.partition_point(|&s| s <= i) - 1;
    (t, i - starts[t])
}

impl BirdSource for BirdTables<'_> {
    fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    fn bird(&self, i: usize) -> (u32, Vec2, Vec2) {
        let (t, row) = locate(self.starts, i);
        let (b, p, v) = self.tables[t];
        (b[row].id, self.space.contain(p[row].0), v[row].0)
    }
}

/// Rebuilds the spatial grid from the birds and records each bird's slot in it (and, while there
/// are predators, the bird in each slot). The birds are read in place from the ECS tables.
pub fn rebuild_grid(
    params: Res<SimParams>,
    mut grid: ResMut<SpatialGrid>,
    mut entities: ResMut<GridEntities>,
    mut birds: Query<(Entity, &Bird, &Position, &Velocity, &mut GridSlot)>,
    predators: Query<(), With<crate::sim::Predator>>,
) {
    const DENSE: &str = "bird components are stored in tables";
    let space = Space::from_params(&params);
    let tables: Vec<_> = birds.contiguous_iter().expect(DENSE).map(|(_, b, p, v, _)| (b, p, v)).collect();
    let starts: Vec<usize> = tables.iter().scan(0, |len, t| Some(std::mem::replace(len, *len + t.0.len()))).collect();
    let len = tables.iter().map(|t| t.0.len()).sum();
    grid.rebuild_from(space, rules::cell_size_for(&params), &BirdTables { space, starts: &starts, tables, len });
    let with_entities = !predators.is_empty();
    if with_entities {
        entities.0.resize(grid.len(), Entity::PLACEHOLDER);
    } else if entities.0.capacity() > 0 {
        entities.0 = Vec::new();
    }
    let mut columns: Vec<_> = birds.contiguous_iter_mut().expect(DENSE).map(|(e, .., slots)| (e, slots)).collect();
    // Nothing watches `GridSlot` for changes: written without touching its change ticks.
    let mut columns: Vec<(&[Entity], &mut [GridSlot])> = columns.iter_mut().map(|(e, slots)| (*e, slots.bypass_change_detection())).collect();
    for (slot, &input) in grid.src.iter().enumerate() {
        let (t, row) = locate(&starts, input as usize);
        columns[t].1[row] = GridSlot(slot as u32);
        if with_entities {
            entities.0[slot] = columns[t].0[row];
        }
    }
}

/// The one neighbour pass: computes every bird's [`NeighborSums`] in grid order, in parallel,
/// and clears the flocking forces the rule systems then add to.
pub fn gather_neighbors(params: Res<SimParams>, grid: Res<SpatialGrid>, mut sums: ResMut<NeighborSumsBuf>, mut forces: ResMut<StepForces>) {
    let sums = &mut sums.0;
    let per = Perception::from_params(&params);
    // The pass writes every slot's sums and the forces are zeroed in parallel: no serial memset.
    sums.resize(grid.len(), NeighborSums::default());
    forces.0.resize(grid.len(), rules::Forces::default());
    let grid = &*grid;
    sums.par_chunk_map_mut(ComputeTaskPool::get(), GATHER_CHUNK, |chunk_index, chunk| match per.topological_k {
        None => rules::gather_run(grid, &per, chunk_index * GATHER_CHUNK, chunk),
        Some(k) => rules::gather_run_topological(grid, &per, k, chunk_index * GATHER_CHUNK, chunk),
    });
    forces.0.par_chunk_map_mut(ComputeTaskPool::get(), GATHER_CHUNK, |_, chunk| chunk.fill(rules::Forces::default()));
}

/// Every bird's forces of this step, in grid-slot order: the rule systems add to `flock`, the
/// predator's flee and the alarm's escape to `flee`; integration applies them.
#[derive(Resource, Debug, Default, Clone)]
pub struct StepForces(pub Vec<rules::Forces>);

/// Adds one rule's weighted force to every bird's flocking force, in slot order: the sums and
/// the velocities they were taken with are the grid's.
fn apply_rule(params: &SimParams, grid: &SpatialGrid, sums: &NeighborSumsBuf, forces: &mut StepForces, force: fn(&NeighborSums, Vec2, &SimParams) -> Vec2) {
    let (sums, vel) = (&sums.0, &grid.vel);
    forces.0.par_chunk_map_mut(ComputeTaskPool::get(), GATHER_CHUNK, |chunk_index, chunk| {
        let first = chunk_index * GATHER_CHUNK;
        for ((f, s), &v) in chunk.iter_mut().zip(&sums[first..]).zip(&vel[first..]) {
            f.flock += force(s, v, params);
        }
    });
}

/// Separation: steer away from birds that are too close.
pub fn separation(params: Res<SimParams>, grid: Res<SpatialGrid>, sums: Res<NeighborSumsBuf>, mut forces: ResMut<StepForces>) {
    apply_rule(&params, &grid, &sums, &mut forces, rules::separation_force);
}

/// Alignment: steer toward the neighbours' mean velocity.
pub fn alignment(params: Res<SimParams>, grid: Res<SpatialGrid>, sums: Res<NeighborSumsBuf>, mut forces: ResMut<StepForces>) {
    apply_rule(&params, &grid, &sums, &mut forces, rules::alignment_force);
}

/// Cohesion: steer toward the neighbours' centre.
pub fn cohesion(params: Res<SimParams>, grid: Res<SpatialGrid>, sums: Res<NeighborSumsBuf>, mut forces: ResMut<StepForces>) {
    apply_rule(&params, &grid, &sums, &mut forces, rules::cohesion_force);
}

/// Integration: applies the step's forces, the speed limits and the edges.
pub fn integrate(
    params: Res<SimParams>,
    forces: Res<StepForces>,
    mut birds: Query<(&GridSlot, &mut Position, &mut Velocity, Option<&mut crate::sim::components::TurnRate>), With<Bird>>,
) {
    let params = &*params;
    let dt = params.dt();
    let forces = &forces.0;
    // Only the alarm's turn trigger reads turn rates: birds carry them only while the alarm is on,
    // zero while the trigger is off (never a stale value), and the step skips an arctangent per
    // bird. Switched on, it sees turns from the next step on.
    let measure_turns = params.alarm.is_on() && params.alarm_turn_rate > 0.0;
    birds.par_iter_mut().for_each(|(slot, mut p, mut v, turn)| {
        let old = v.0;
        debug_assert!((slot.0 as usize) < forces.len(), "every bird has a slot in this step's grid");
        let steering = forces.get(slot.0 as usize).copied().unwrap_or_default();
        (p.0, v.0) = rules::integrate(p.0, v.0, steering, params);
        if let Some(mut turn) = turn {
            turn.0 = if !measure_turns || old == Vec2::ZERO || v.0 == Vec2::ZERO { 0.0 } else { old.angle_to(v.0).abs().to_degrees() / dt };
        }
    });
}

/// Advances the simulation clock by one step.
pub fn advance_clock(params: Res<SimParams>, mut clock: ResMut<SimClock>) {
    clock.step += 1;
    clock.time += f64::from(params.dt());
}

/// Keeps Bevy's fixed timestep equal to the `step_rate` parameter.
pub fn sync_timestep(params: Res<SimParams>, mut time: ResMut<Time<Fixed>>) {
    let want = std::time::Duration::from_secs(1) / params.step_rate;
    if time.timestep() != want {
        time.set_timestep(want);
    }
}
