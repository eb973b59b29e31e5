//! Long-range vision: each bird sees the flock's silhouette against the sky and is drawn toward
//! its edges, the projection rule of Pearce, Miller, Rowlands & Turner 2014 (PNAS 111:10422,
//! "Role of projection in the control of bird flocks": "an individual can respond to the
//! projection of the flock that it sees"). A fragment beyond the neighbour radius is a dark patch
//! with two edges close together, so a bird that sees it is pulled toward it; a bird deep in an
//! opaque flock sees no edges and feels nothing. This is how torn fragments find each other from
//! what birds can see, with no global centroid and no leader.
//!
//! The silhouette is taken at a coarse resolution so that the whole flock costs little:
//! - the world is cut into square *view cells* of side `view_range / VIEW_CELLS_ACROSS`; the
//!   birds of a view cell are seen as one opaque disc around their centre, as wide as their
//!   spread (√2 × their radius of gyration, the radius of an even disc with that spread; at most
//!   half the cell's side);
//! - each occupied view cell's eye (its birds' centre) looks at every occupied cell between the
//!   near distance (the larger of the neighbour radius and two view cells: what is nearer is the
//!   neighbours' business, and a disc that near would stand for birds spread over a wide arc)
//!   and the view range, and marks the [`BINS`] directions the discs cover (a bin is dark when
//!   its centre direction is covered);
//! - the edges are the boundaries between a dark and a light bin;
//! - a bird takes its view cell's silhouette, keeps the edges of the dark runs narrower than half
//!   the sky that lie inside its own field of view, and averages their unit vectors into δ. Its
//!   force is Reynolds' steer toward δ, times the rule's weight, times |δ| (≤ 1: a small far
//!   patch pulls fully, a wide one less).
//!
//! Where we depart from Pearce et al.: they normalise δ and count every edge. From the rim of a
//! flock a bird sees that flock over a little more than half its sky (the birds beside it reach
//! past its horizon), and the two edges of that run then point outward: counted, they push the
//! rim out and tear a formed flock apart (seen here at weight 1 in the `murmuration` preset).
//! Leaving out runs of half the sky or more, and scaling by |δ|, keeps the pull for patches out
//! there. Birds in the eye's own view cell, and every cell nearer than the near distance, are
//! the bird's neighbours' business, not its view.
//!
//! The math is pure ([`Silhouettes::build`], [`delta`]); [`vision`] is the thin system.

use bevy::math::Vec2;
use bevy::prelude::*;
use bevy::tasks::{ComputeTaskPool, ParallelSliceMut};

use super::grid::SpatialGrid;
use super::params::SimParams;
use super::rules::{Perception, steer_toward};
use super::space::Space;
use super::systems::StepForces;

/// Directions a bird tells apart around itself: one bit each of a `u64`, 5.6° apart.
pub const BINS: usize = 64;

/// The view range spans this many view cells, so the silhouette's detail follows the range.
pub const VIEW_CELLS_ACROSS: f32 = 16.0;

/// At most this many view cells in the world (larger cells beyond it): a memory and time guard.
pub const MAX_VIEW_CELLS: usize = 1 << 16;

/// Occupied view cells per parallel task.
const CELL_CHUNK: usize = 64;

/// Birds per parallel task when the forces are added.
const BIRD_CHUNK: usize = 2048;

/// The width of one direction bin, in radians.
const BIN_WIDTH: f32 = std::f32::consts::TAU / BINS as f32;

/// What every occupied view cell sees: its birds' centre and the edges of the silhouette around
/// it, and for each grid slot the view cell its bird is in. Kept between steps only for its
/// memory (rebuilt each step the rule is on; emptied when it is off).
#[derive(Resource, Debug, Default, Clone)]
pub struct Silhouettes {
    /// Cells across and down the world.
    dims: (usize, usize),
    /// Side of a view cell (x, y).
    cell: Vec2,
    /// Birds in each view cell (all cells, row by row).
    counts: Vec<u32>,
    /// The centre of the birds in each occupied view cell (while building: the sum of their
    /// positions relative to the cell's corner).
    centres: Vec<Vec2>,
    /// The radius of the disc the birds of each occupied view cell are seen as (while building:
    /// the sum of their positions' squared lengths relative to the corner).
    radii: Vec<f32>,
    /// The occupied cells, in index order.
    occupied: Vec<u32>,
    /// For each occupied cell: the dark bins its eye sees (bit i: the direction
    /// (i + ½) · 360° / [`BINS`]).
    pub dark: Vec<u64>,
    /// For each grid slot: its bird's position in `occupied`.
    pub slot_cell: Vec<u32>,
}

/// The unit vector of edge bin `i` (the boundary between bins i − 1 and i).
#[inline]
pub fn edge_direction(i: u32) -> Vec2 {
    Vec2::from_angle(i as f32 * BIN_WIDTH)
}

/// The bins whose centre direction lies within `half` radians of `angle` (radians), as a mask.
pub fn arc_mask(angle: f32, half: f32) -> u64 {
    if half >= std::f32::consts::PI {
        return u64::MAX;
    }
    // bin b's centre is at (b + 0.5) · width
    let first = ((angle - half) / BIN_WIDTH - 0.5).ceil() as i64;
    let last = ((angle + half) / BIN_WIDTH - 0.5).floor() as i64;
    let n = last - first + 1;
    if n <= 0 {
        return 0;
    }
    if n >= BINS as i64 {
        return u64::MAX;
    }
    let run = (1u64 << n) - 1;
    run.rotate_left(first.rem_euclid(BINS as i64) as u32)
}

/// The edges of a silhouette: bit i is set where bin i and bin i − 1 differ.
#[inline]
pub fn edges_of(dark: u64) -> u64 {
    dark ^ dark.rotate_left(1)
}

/// The dark bins an eye sees: one disc of radius `radius` at each offset (the eye's own cell left
/// out by the caller); offsets shorter than `1e-6` are skipped.
pub fn silhouette(offsets: impl IntoIterator<Item = Vec2>, radius: f32) -> u64 {
    let mut dark = 0u64;
    for d in offsets {
        let dist = d.length();
        if dist < 1e-6 {
            continue;
        }
        let half = (radius / dist).min(1.0).asin();
        dark |= arc_mask(d.to_angle(), half);
    }
    dark
}

/// δ for a bird moving with `vel` that sees the `dark` directions: the mean unit vector of the
/// edges it sees (its field of view from `per`) of the dark runs narrower than half the sky;
/// zero when it sees none. A run of half the sky or more is the flock the bird is at the edge of
/// (from its rim the flock fills about half its view, a little more with the discs' width):
/// its edges would push the bird out, so only patches out there draw it.
pub fn delta(dark: u64, vel: Vec2, per: &Perception) -> Vec2 {
    let (mut sum, mut n) = (Vec2::ZERO, 0u32);
    for (start, end) in dark_runs(dark) {
        let width = (end + BINS as u32 - start) % BINS as u32;
        if width == 0 || width >= BINS as u32 / 2 {
            continue;
        }
        for i in [start, end] {
            let u = edge_direction(i);
            if per.sees(vel, u, 1.0) {
                sum += u;
                n += 1;
            }
        }
    }
    if n == 0 { Vec2::ZERO } else { sum / n as f32 }
}

/// The runs of dark bins of `dark` as `(first edge, last edge)`: the run covers bins
/// `first..last` (mod [`BINS`]), its edges are at those two boundaries. None for an empty or
/// full sky.
pub fn dark_runs(dark: u64) -> impl Iterator<Item = (u32, u32)> {
    let edges = edges_of(dark);
    // rising edges: bin i dark, bin i − 1 light; falling: bin i light, bin i − 1 dark
    let (mut rising, falling) = (edges & dark, edges & !dark);
    std::iter::from_fn(move || {
        if rising == 0 {
            return None;
        }
        let start = rising.trailing_zeros();
        rising &= rising - 1;
        // the first falling edge after `start`, going round
        let after = falling.rotate_right(start + 1);
        let end = (start + 1 + after.trailing_zeros()) % BINS as u32;
        Some((start, end))
    })
}

/// The vision rule's force on a bird moving with `vel` whose δ is `delta`: a steer toward δ
/// scaled by the weight and by |δ|.
pub fn vision_force(delta: Vec2, vel: Vec2, params: &SimParams) -> Vec2 {
    steer_toward(delta, vel, params.max_speed, params.max_force) * (params.vision_weight * delta.length().min(1.0))
}

impl Silhouettes {
    /// Computes what every occupied view cell sees of the birds at `pos` (grid slot order) in
    /// `space`, from `near_range` (raised to two view cells) out to `view_range`.
    pub fn build(&mut self, space: Space, pos: &[Vec2], near_range: f32, view_range: f32) {
        let side = (view_range / VIEW_CELLS_ACROSS).max(space.size.max_element() / MAX_VIEW_CELLS as f32).max(1e-3);
        let mut nx = ((space.size.x / side).floor() as usize).max(1);
        let mut ny = ((space.size.y / side).floor() as usize).max(1);
        while nx * ny > MAX_VIEW_CELLS {
            nx = nx.div_ceil(2);
            ny = ny.div_ceil(2);
        }
        self.dims = (nx, ny);
        self.cell = space.size / Vec2::new(nx as f32, ny as f32);
        self.counts.clear();
        self.counts.resize(nx * ny, 0);
        self.centres.clear();
        self.centres.resize(nx * ny, Vec2::ZERO);
        self.radii.clear();
        self.radii.resize(nx * ny, 0.0);
        self.slot_cell.clear();
        self.slot_cell.reserve(pos.len());
        let cell = self.cell;
        let index_of = |p: Vec2| {
            let x = ((p.x / cell.x) as usize).min(nx - 1);
            let y = ((p.y / cell.y) as usize).min(ny - 1);
            (y * nx + x, Vec2::new(x as f32, y as f32) * cell)
        };
        for &p in pos {
            let (i, corner) = index_of(p);
            self.counts[i] += 1;
            self.centres[i] += p - corner;
            self.radii[i] += (p - corner).length_squared();
            self.slot_cell.push(i as u32);
        }
        self.occupied.clear();
        self.occupied.extend((0..nx * ny).filter(|&i| self.counts[i] > 0).map(|i| i as u32));
        // each occupied cell's centre and disc, once (every eye in range reads them)
        let half_side = 0.5 * cell.min_element();
        for &i in &self.occupied {
            let i = i as usize;
            let n = self.counts[i] as f32;
            let mean = self.centres[i] / n;
            let gyration2 = (self.radii[i] / n - mean.length_squared()).max(0.0);
            self.radii[i] = (2.0 * gyration2).sqrt().min(half_side);
            self.centres[i] = Vec2::new((i % nx) as f32, (i / nx) as f32) * cell + mean;
        }
        // slot → position in `occupied` (the list is sorted by cell index)
        for c in &mut self.slot_cell {
            *c = self.occupied.partition_point(|&o| o < *c) as u32;
        }
        let mut dark = std::mem::take(&mut self.dark);
        dark.clear();
        dark.resize(self.occupied.len(), 0);
        let this = &*self;
        let near = near_range.max(2.0 * self.cell.max_element());
        dark.par_chunk_map_mut(ComputeTaskPool::get(), CELL_CHUNK, |chunk_index, chunk| {
            for (k, e) in chunk.iter_mut().enumerate() {
                *e = this.dark_seen_from(space, this.occupied[chunk_index * CELL_CHUNK + k] as usize, near, view_range);
            }
        });
        self.dark = dark;
    }

    /// The dark bins the eye of occupied cell `i` sees: every occupied cell from `near` to
    /// `view_range` away as a disc (its birds' centre, √2 × their radius of gyration).
    fn dark_seen_from(&self, space: Space, i: usize, near: f32, view_range: f32) -> u64 {
        let (nx, ny) = self.dims;
        let eye = self.centres[i];
        let (cx, cy) = ((i % nx) as isize, (i / nx) as isize);
        let reach = |n: usize, side: f32| {
            let r = (view_range / side).ceil() as isize + 1;
            // a wrapping axis shorter than the block is scanned once, whole
            if space.wrap && 2 * r + 1 >= n as isize { None } else { Some(r) }
        };
        let (range2, near2) = (view_range * view_range, near * near);
        let (rx, ry) = (reach(nx, self.cell.x), reach(ny, self.cell.y));
        let axis = |c: isize, r: Option<isize>, n: usize| -> (isize, isize) {
            match r {
                None => (0, n as isize - 1),
                Some(r) if space.wrap => (c - r, c + r),
                Some(r) => ((c - r).max(0), (c + r).min(n as isize - 1)),
            }
        };
        let ((x0, x1), (y0, y1)) = (axis(cx, rx, nx), axis(cy, ry, ny));
        let mut dark = 0u64;
        for y in y0..=y1 {
            let row = y.rem_euclid(ny as isize) as usize * nx;
            for x in x0..=x1 {
                let j = row + x.rem_euclid(nx as isize) as usize;
                if j == i || self.counts[j] == 0 {
                    continue;
                }
                let d = space.offset(eye, self.centres[j]);
                let d2 = d.length_squared();
                if d2 >= near2 && d2 <= range2 {
                    dark |= silhouette([d], self.radii[j]);
                }
            }
        }
        dark
    }

    /// Gives the memory back (the rule is off).
    fn clear(&mut self) {
        *self = Self::default();
    }
}

/// The vision rule's system: builds the silhouettes from the step's grid and adds each bird's
/// force to its flocking force (after cohesion). It runs after flee and the alarm: a bird with a
/// flee or escape force this step steers away from the predator, not by sight, so a dive still
/// tears the flock and sight brings it back together once the danger has passed. Does nothing,
/// and holds no memory, while the rule's weight is 0.
pub fn vision(params: Res<SimParams>, grid: Res<SpatialGrid>, mut silhouettes: ResMut<Silhouettes>, mut forces: ResMut<StepForces>) {
    if params.vision_weight <= 0.0 || grid.is_empty() {
        if silhouettes.counts.capacity() > 0 {
            silhouettes.clear();
        }
        return;
    }
    let space = grid.space();
    silhouettes.build(space, &grid.pos, params.neighbor_radius, params.view_range);
    let per = Perception::from_params(&params);
    let (s, vel, params) = (&*silhouettes, &grid.vel, &*params);
    let (mut flock, flee) = forces.flock_and_flee();
    flock.par_chunk_map_mut(ComputeTaskPool::get(), BIRD_CHUNK, |chunk_index, chunk| {
        let first = chunk_index * BIRD_CHUNK;
        for (k, f) in chunk.iter_mut().enumerate() {
            let slot = first + k;
            let dark = s.dark[s.slot_cell[slot] as usize];
            let fleeing = flee.get(slot).is_some_and(|&v| v != Vec2::ZERO);
            if dark != 0 && dark != u64::MAX && !fleeing {
                *f += vision_force(delta(dark, vel[slot], &per), vel[slot], params);
            }
        }
    });
}

#[cfg(test)]
mod tests;
