//! The flocking math: the neighbour pass, the three Reynolds rules, and integration.
//!
//! Pure functions over plain values, unit-tested here; the ECS systems in
//! [`crate::sim::systems`] only feed them.

use bevy::math::Vec2;

use super::grid::{GridVector, SpatialGrid};
use super::params::{EdgeMode, SimParams};
use super::space::{Space, bounce_coord, edge_steer};
use super::vector::Vector;

/// Distances below this are treated as this when weighting separation (avoids 1/0).
const MIN_SEPARATION_DIST2: f32 = 1e-6;

/// What one bird saw of its neighbours in one step: the sums the rules turn into forces.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NeighborSums<V = Vec2> {
    /// Neighbours within the neighbour radius and the field of view.
    pub count: u32,
    /// Sum of the offsets from this bird to those neighbours.
    pub offset_sum: V,
    /// Neighbours also within the alignment radius.
    pub align_count: u32,
    /// Sum of those neighbours' velocities.
    pub velocity_sum: V,
    /// Sum of `-offset / distance²` over birds within the separation radius and field of view.
    pub separation: V,
}

/// The perception parameters, precomputed for the neighbour pass.
#[derive(Clone, Copy, Debug)]
pub struct Perception<V = Vec2> {
    /// The world.
    pub space: Space<V>,
    /// Neighbour radius squared.
    pub neighbor_r2: f32,
    /// Alignment radius squared (at most the neighbour radius squared).
    pub alignment_r2: f32,
    /// Separation radius squared; 0 when separation's weight is 0 (its force is then zero
    /// whatever the sum, so the neighbour pass does not take it).
    pub separation_r2: f32,
    /// Cosine of half the field of view; `None` when the field of view is a full circle.
    pub cos_half_fov: Option<f32>,
    /// In topological mode, how many nearest birds count as neighbours.
    pub topological_k: Option<usize>,
}

impl Perception {
    /// Derives the perception constants from parameters.
    pub fn from_params(params: &SimParams) -> Self {
        Perception::in_space(Space::from_params(params), params)
    }
}

impl<V: Vector> Perception<V> {
    /// The perception constants of `params` in `space`.
    pub fn in_space(space: Space<V>, params: &SimParams) -> Self {
        let half = (params.fov_deg * 0.5).to_radians();
        Self {
            space,
            neighbor_r2: params.neighbor_radius * params.neighbor_radius,
            alignment_r2: params.alignment_radius.min(params.neighbor_radius).powi(2),
            separation_r2: if takes_separation(params) { params.separation_radius * params.separation_radius } else { 0.0 },
            cos_half_fov: (params.fov_deg < 360.0).then(|| half.cos()),
            topological_k: (params.neighbor_mode == super::params::NeighborMode::Topological).then_some(params.topological_k as usize),
        }
    }

    /// Whether a bird moving with `vel` sees something at `offset` (squared length `d2`): the
    /// field of view is a wedge in 2D and a cone in 3D, with the blind angle behind.
    #[inline]
    pub fn sees(&self, vel: V, offset: V, d2: f32) -> bool {
        let Some(cos_half) = self.cos_half_fov else {
            return true;
        };
        // Non-short-circuit `|` and `&`: whether a candidate is in view is not something the CPU
        // can predict. The metric neighbour pass runs the same test eight lanes at a time in
        // `kernel` (same operations, same order): the two must change together.
        let vv = vel.length_squared();
        let dot = vel.dot(offset);
        let limit = cos_half * cos_half * vv * d2;
        let front = dot >= 0.0;
        let inside = if cos_half >= 0.0 { front & (dot * dot >= limit) } else { front | (dot * dot <= limit) };
        (vv == 0.0) | inside
    }
}

/// Adds one candidate (at `offset`, squared distance `d2`, moving with `other_vel`) to the sums.
#[inline]
pub fn accumulate<V: Vector>(sums: &mut NeighborSums<V>, per: &Perception<V>, vel: V, offset: V, d2: f32, other_vel: V) {
    let near = d2 < per.neighbor_r2;
    let close = d2 < per.separation_r2;
    if !(near || close) || !per.sees(vel, offset, d2) {
        return;
    }
    if near {
        sums.count += 1;
        sums.offset_sum += offset;
        if d2 < per.alignment_r2 {
            sums.align_count += 1;
            sums.velocity_sum += other_vel;
        }
    }
    if close {
        sums.separation -= offset * (1.0 / d2.max(MIN_SEPARATION_DIST2));
    }
}

/// How many cells the search radius spans: the grid's cells are `search radius / CELLS_PER_RADIUS`
/// wide and the neighbour pass scans the (2·CELLS_PER_RADIUS + 1)² block around a bird. Two
/// (a 5×5 block of half-radius cells, 6.25 r²) checks fewer candidates than one (3×3, 9 r²).
pub const CELLS_PER_RADIUS: usize = 2;

/// In topological mode cells are this fraction of the search radius (at least the separation
/// radius): the rings around a bird then hold a few dozen birds, enough to find its k nearest.
pub const TOPOLOGICAL_CELLS_PER_RADIUS: f32 = 4.0;

/// The grid's smallest cell side for these parameters: half the search radius in metric mode
/// (the neighbour pass scans the 5×5 block around a bird), smaller in topological mode (it
/// widens rings until it has the k nearest).
pub fn cell_size_for(params: &SimParams) -> f32 {
    match params.neighbor_mode {
        super::params::NeighborMode::Metric => params.search_radius() / CELLS_PER_RADIUS as f32,
        super::params::NeighborMode::Topological => (params.search_radius() / TOPOLOGICAL_CELLS_PER_RADIUS).max(params.separation_radius),
    }
}

/// Whether the neighbour pass takes the separation sum: not when separation's weight is 0 (its
/// force would be zero whatever the sum).
pub fn takes_separation(params: &SimParams) -> bool {
    params.separation_weight > 0.0
}

/// Whether the grid keeps trees over crowded cells for the neighbour pass (`rules::crowd`): in
/// metric mode without separation. Separation's inverse-distance sum cannot be taken from a
/// node's totals, so with it on every bird within its radius is visited anyway; and it keeps
/// birds apart, so cells stay light enough to scan (the presets' fullest cells hold about 300
/// birds). Without it a flock can collapse into balls of thousands.
pub fn crowd_trees_for(params: &SimParams) -> bool {
    params.neighbor_mode == super::params::NeighborMode::Metric && !takes_separation(params)
}

/// The neighbour pass for the bird in `slot`: scans the block of cells around it that covers the
/// search radius and sums what it sees, in the kernel's fixed lane order ([`kernel`]), so the
/// result is deterministic. The same sums as [`gather_run`] gives that slot.
pub fn gather(grid: &SpatialGrid, per: &Perception, slot: usize) -> NeighborSums {
    let mut out = [NeighborSums::default()];
    gather_run(grid, per, slot, &mut out);
    out[0]
}

/// The neighbour pass for the consecutive slots `first..first + out.len()`. Birds are in cell
/// order, so consecutive slots mostly share a cell: the block of neighbouring cells is computed
/// once per cell, not once per bird. The candidates go through [`kernel`] eight at a time,
/// branch-free (whether a candidate is near is a coin flip the CPU cannot predict).
pub fn gather_run(grid: &SpatialGrid, per: &Perception, first: usize, out: &mut [NeighborSums]) {
    kernel::gather_slots(grid, per, CELLS_PER_RADIUS, first, out);
}

/// The metric neighbour pass for one bird, one candidate at a time in its block's fixed order
/// (layer by layer, row by row, slot by slot), so the result is deterministic. A 3D grid runs
/// this pass; a 2D one runs [`gather_run`]'s eight-lane kernel (the same candidates, summed in
/// lane order).
pub fn gather_scalar<V: GridVector>(grid: &SpatialGrid<V>, per: &Perception<V>, slot: usize) -> NeighborSums<V> {
    let (p, v) = (grid.pos[slot], grid.vel[slot]);
    let mut sums = NeighborSums::default();
    grid.for_each_block_at(grid.cell_of(p), CELLS_PER_RADIUS, |a, b| {
        for j in (a..b).filter(|&j| j != slot) {
            let d = per.space.offset(p, grid.pos[j]);
            accumulate(&mut sums, per, v, d, d.length_squared(), grid.vel[j]);
        }
    });
    sums
}

/// Reynolds steering toward a desired direction at full speed: `desired − velocity`, limited.
#[inline]
pub fn steer_toward<V: Vector>(direction: V, vel: V, max_speed: f32, max_force: f32) -> V {
    let dir = direction.normalize_or_zero();
    if dir == V::ZERO {
        return V::ZERO;
    }
    (dir * max_speed - vel).clamp_length_max(max_force)
}

/// Separation: steer away from birds that are too close (weighted by inverse distance).
pub fn separation_force<V: Vector>(sums: &NeighborSums<V>, vel: V, params: &SimParams) -> V {
    steer_toward(sums.separation, vel, params.max_speed, params.max_force) * params.separation_weight
}

/// Alignment: steer toward the neighbours' mean velocity.
pub fn alignment_force<V: Vector>(sums: &NeighborSums<V>, vel: V, params: &SimParams) -> V {
    if sums.align_count == 0 {
        return V::ZERO;
    }
    steer_toward(sums.velocity_sum, vel, params.max_speed, params.max_force) * params.alignment_weight
}

/// Cohesion: steer toward the neighbours' centre.
pub fn cohesion_force<V: Vector>(sums: &NeighborSums<V>, vel: V, params: &SimParams) -> V {
    if sums.count == 0 {
        return V::ZERO;
    }
    steer_toward(sums.offset_sum, vel, params.max_speed, params.max_force) * params.cohesion_weight
}

/// Limits a speed to `[min, max]`, keeping the direction (a standing bird keeps `fallback`'s).
#[inline]
pub fn limit_speed<V: Vector>(vel: V, min: f32, max: f32, fallback: V) -> V {
    let min = min.min(max);
    let speed = vel.length();
    if !speed.is_finite() {
        return fallback.normalize_or(V::X) * min.max(f32::MIN_POSITIVE);
    }
    if speed > max {
        vel * (max / speed)
    } else if speed < min {
        if speed > 1e-6 {
            vel * (min / speed)
        } else {
            fallback.normalize_or(V::X) * min
        }
    } else {
        vel
    }
}

/// One step's steering forces on one bird.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Forces<V = Vec2> {
    /// Sum of the flocking rules' forces; limited to `max_force` as a whole.
    pub flock: V,
    /// The flee force: an escape response on top of the flocking forces, not limited by them.
    pub flee: V,
}

/// One integration step for one bird: limit the summed flocking force to `max_force`, add the flee
/// force, update the velocity (within the speed limits) and the position, and apply the edge mode
/// in a world of extent `size`. Returns `(position, velocity)`.
pub fn integrate<V: Vector>(pos: V, vel: V, steering: Forces<V>, size: V, params: &SimParams) -> (V, V) {
    let dt = params.dt();
    // the flee force holds the predator's flee and, with the alarm on, the escape
    let escape = if params.alarm.is_on() { params.escape_weight } else { 0.0 };
    let flee_cap = params.max_force * params.flee_weight.max(escape).max(1.0);
    let mut force = steering.flock.clamp_length_max(params.max_force) + steering.flee.clamp_length_max(flee_cap);
    if !force.is_finite() {
        force = V::ZERO;
    }
    if params.edge_mode == EdgeMode::Steer {
        force += edge_steer(pos, size, params.edge_margin, params.max_force * 2.0);
    }
    if params.edge_mode == EdgeMode::Roost {
        force += roost_pull(pos, vel, size * 0.5, params);
    }
    let mut vel_new = limit_speed(vel + force * dt, params.min_speed, params.max_speed, vel);
    if params.max_turn_rate > 0.0 {
        vel_new = V::limit_turn(vel, vel_new, params.max_turn_rate.to_radians() * dt);
    }
    apply_edges(pos + vel_new * dt, vel_new, size, params)
}

/// The new velocity `new`, turned back toward `old` so that the heading turns by at most
/// `max_angle` radians (its speed kept); unchanged when either is zero ([`Vector::limit_turn`]).
pub fn limit_turn<V: Vector>(old: V, new: V, max_angle: f32) -> V {
    V::limit_turn(old, new, max_angle)
}

/// The pull of the roost at `centre` on a bird at `pos`: none within `roost_radius`, growing to
/// `roost_weight` × a full steer toward the roost over the next half radius.
pub fn roost_pull<V: Vector>(pos: V, vel: V, centre: V, params: &SimParams) -> V {
    let to = centre - pos;
    let over = (to.length() - params.roost_radius) / (0.5 * params.roost_radius);
    if over <= 0.0 {
        return V::ZERO;
    }
    steer_toward(to, vel, params.max_speed, params.max_force) * params.roost_weight * over.min(1.0)
}

/// Brings a moved agent back inside the world by the edge mode: wraps on a torus, reflects off the
/// walls otherwise (in steer mode the walls are the backstop of the steer-back force). The world
/// is `[0, size)` on every axis when it wraps, `[0, size]` between walls.
pub fn apply_edges<V: Vector>(mut p: V, mut v: V, size: V, params: &SimParams) -> (V, V) {
    match params.edge_mode {
        EdgeMode::Wrap => {
            p = Space { size, wrap: true }.contain(p);
        }
        EdgeMode::Bounce | EdgeMode::Steer | EdgeMode::Roost => {
            for i in 0..V::DIM {
                let (x, vx) = bounce_coord(p.axis(i), v.axis(i), size.axis(i));
                p.set_axis(i, x);
                v.set_axis(i, vx);
            }
        }
    }
    (p, v)
}


mod crowd;
pub mod kernel;
mod topological;

pub use topological::{MAX_TOPOLOGICAL_K, Nearest, cell_gap, gather_run_topological, gather_topological};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod topological_tests;
#[cfg(test)]
mod crowd_tests;
