//! The simulation's ECS systems: thin adapters from components to the pure math in
//! [`super::rules`] and [`super::grid`].

use bevy::prelude::*;
use bevy::tasks::{ComputeTaskPool, ParallelSliceMut};

use super::components::{Bird, GridSlot, Position, TurnRate, Velocity};
use super::grid::{BirdSource, SpatialGrid};
use super::parallel::run_tasks;
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
    grid.set_crowd_trees(rules::crowd_trees_for(&params));
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
    forces.flock.resize(grid.len(), Vec2::ZERO);
    forces.start_flee();
    let grid = &*grid;
    sums.par_chunk_map_mut(ComputeTaskPool::get(), GATHER_CHUNK, |chunk_index, chunk| match per.topological_k {
        None => rules::gather_run(grid, &per, chunk_index * GATHER_CHUNK, chunk),
        Some(k) => rules::gather_run_topological(grid, &per, k, chunk_index * GATHER_CHUNK, chunk),
    });
    forces.flock.par_chunk_map_mut(ComputeTaskPool::get(), GATHER_CHUNK, |_, chunk| chunk.fill(Vec2::ZERO));
}

/// Every bird's forces of this step, in grid-slot order: the rule systems add to `flock`, the
/// predator's flee and the alarm's escape to the flee forces ([`Self::add_flee`]); integration
/// applies them.
#[derive(Resource, Debug, Default, Clone)]
pub struct StepForces {
    /// The flocking rules' summed force on each slot.
    pub flock: Vec<Vec2>,
    /// The flee force on each slot; empty until a bird gets one in this step, so a run without
    /// predators or alarm never holds it (8 bytes a bird).
    flee: Vec<Vec2>,
}

impl StepForces {
    /// Empties the flee forces for a new step, giving their memory back when the last step had
    /// none.
    fn start_flee(&mut self) {
        if self.flee.is_empty() {
            self.flee = Vec::new();
        } else {
            self.flee.clear();
        }
    }

    /// How many slots' flee forces the memory held now has room for (0 when none is held).
    pub fn flee_capacity(&self) -> usize {
        self.flee.capacity()
    }

    /// Adds `force` to the flee force on `slot`.
    pub fn add_flee(&mut self, slot: usize, force: Vec2) {
        if self.flee.is_empty() {
            self.flee.resize(self.flock.len(), Vec2::ZERO);
        }
        if let Some(f) = self.flee.get_mut(slot) {
            *f += force;
        }
    }

    /// The flocking forces to add to, and the flee forces so far (empty when no bird flees).
    pub fn flock_and_flee(&mut self) -> (&mut [Vec2], &[Vec2]) {
        (&mut self.flock, &self.flee)
    }

    /// The forces on `slot`, if the step's grid has it.
    #[inline]
    pub fn get(&self, slot: usize) -> Option<rules::Forces> {
        let flock = *self.flock.get(slot)?;
        Some(rules::Forces { flock, flee: self.flee.get(slot).copied().unwrap_or_default() })
    }
}

/// Adds one rule's weighted force to every bird's flocking force, in slot order: the sums and
/// the velocities they were taken with are the grid's. Generic over the rule, so each rule's
/// math is compiled into its own loop.
fn apply_rule<F>(params: &SimParams, grid: &SpatialGrid, sums: &NeighborSumsBuf, forces: &mut StepForces, force: F)
where
    F: Fn(&NeighborSums, Vec2, &SimParams) -> Vec2 + Sync,
{
    let (sums, vel) = (&sums.0, &grid.vel);
    forces.flock.par_chunk_map_mut(ComputeTaskPool::get(), GATHER_CHUNK, |chunk_index, chunk| {
        let first = chunk_index * GATHER_CHUNK;
        for ((f, s), &v) in chunk.iter_mut().zip(&sums[first..]).zip(&vel[first..]) {
            *f += force(s, v, params);
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

/// Birds per integration task.
const INTEGRATE_CHUNK: usize = 8 * 1024;

/// How many birds ahead integration asks the CPU for a bird's forces: they are read by grid
/// slot, in no order the hardware prefetcher could guess.
const PREFETCH_AHEAD: usize = 16;

/// Asks the CPU to bring `data[i]` into the cache (a hint only; nothing on other CPUs).
#[inline(always)]
fn prefetch<T>(data: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if i < data.len() {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch never faults, and the address lies inside `data`.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(data.as_ptr().add(i).cast()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (data, i);
}

/// The birds of one integration task: their slots, positions, velocities and, while the alarm
/// is on, turn rates (parts of one table's columns).
type IntegrateChunk<'a> = (&'a [GridSlot], &'a mut [Position], &'a mut [Velocity], Option<&'a mut [TurnRate]>);

/// Integration: applies the step's forces, the speed limits and the edges. The birds are read
/// table by table in place (Bevy's contiguous query access), in chunks on the compute pool, each
/// bird's forces asked for a few birds ahead.
pub fn integrate(
    params: Res<SimParams>,
    forces: Res<StepForces>,
    mut birds: Query<(&GridSlot, &mut Position, &mut Velocity, Option<&mut TurnRate>), With<Bird>>,
) {
    let params = &*params;
    let dt = params.dt();
    let forces = &*forces;
    // Only the alarm's turn trigger reads turn rates: birds carry them only while the alarm is on,
    // zero while the trigger is off (never a stale value), and the step skips an arctangent per
    // bird. Switched on, it sees turns from the next step on.
    let measure_turns = params.alarm.is_on() && params.alarm_turn_rate > 0.0;
    let size = Space::from_params(params).size;
    let step = |(slots, pos, vel, mut turn): IntegrateChunk| {
        for k in 0..slots.len() {
            if let Some(ahead) = slots.get(k + PREFETCH_AHEAD) {
                prefetch(&forces.flock, ahead.0 as usize);
            }
            let (slot, old) = (slots[k].0 as usize, vel[k].0);
            debug_assert!(slot < forces.flock.len(), "every bird has a slot in this step's grid");
            let steering = forces.get(slot).unwrap_or_default();
            (pos[k].0, vel[k].0) = rules::integrate(pos[k].0, old, steering, size, params);
            if let Some(turn) = turn.as_deref_mut() {
                let new = vel[k].0;
                turn[k].0 = if !measure_turns || old == Vec2::ZERO || new == Vec2::ZERO { 0.0 } else { old.angle_to(new).abs().to_degrees() / dt };
            }
        }
    };
    let mut tables: Vec<_> = birds.contiguous_iter_mut().expect("bird components are stored in tables").collect();
    let mut work: Vec<IntegrateChunk> = Vec::new();
    for (slots, pos, vel, turn) in &mut tables {
        let chunks = slots.len().div_ceil(INTEGRATE_CHUNK);
        let turns: Vec<Option<&mut [TurnRate]>> = match turn {
            Some(t) => t.chunks_mut(INTEGRATE_CHUNK).map(Some).collect(),
            None => (0..chunks).map(|_| None).collect(),
        };
        let parts = slots.chunks(INTEGRATE_CHUNK).zip(pos.chunks_mut(INTEGRATE_CHUNK)).zip(vel.chunks_mut(INTEGRATE_CHUNK)).zip(turns);
        work.extend(parts.map(|(((s, p), v), t)| (s, p, v, t)));
    }
    run_tasks(work, step);
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
