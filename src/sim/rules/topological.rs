//! The topological neighbour pass: each bird's k nearest seen birds, found by widening rings
//! (in 3D shells) of cells around its own, generic over the dimension.

use bevy::math::Vec2;

use super::{MIN_SEPARATION_DIST2, NeighborSums, Perception};
use crate::sim::grid::{GridVector, SpatialGrid};
use crate::sim::vector::Vector;

/// The largest `topological_k`.
pub const MAX_TOPOLOGICAL_K: usize = 20;

/// The `k` nearest candidates so far, sorted by (distance², id): ties go to the lower id, so the
/// choice does not depend on the order candidates are visited.
#[derive(Clone, Copy, Debug)]
pub struct Nearest<V = Vec2> {
    k: usize,
    len: usize,
    items: [(f32, u32, V, V); MAX_TOPOLOGICAL_K],
}

impl<V: Vector> Nearest<V> {
    /// An empty selection of at most `k` (1 to [`MAX_TOPOLOGICAL_K`]).
    pub fn new(k: usize) -> Self {
        Self { k: k.clamp(1, MAX_TOPOLOGICAL_K), len: 0, items: [(0.0, 0, V::ZERO, V::ZERO); MAX_TOPOLOGICAL_K] }
    }

    /// Offers a candidate at squared distance `d2` with `id`, `offset` and velocity `vel`.
    #[inline]
    pub fn offer(&mut self, d2: f32, id: u32, offset: V, vel: V) {
        let key = (d2, id);
        if self.len == self.k && key >= (self.items[self.len - 1].0, self.items[self.len - 1].1) {
            return;
        }
        let mut i = self.len.min(self.k - 1);
        while i > 0 && key < (self.items[i - 1].0, self.items[i - 1].1) {
            self.items[i] = self.items[i - 1];
            i -= 1;
        }
        self.items[i] = (d2, id, offset, vel);
        self.len = (self.len + 1).min(self.k);
    }

    /// The squared distance of the k-th nearest once `k` are held: no farther candidate can
    /// be chosen. `None` while fewer are held.
    #[inline]
    pub fn kth(&self) -> Option<f32> {
        (self.len == self.k).then(|| self.items[self.len - 1].0)
    }

    /// The chosen candidates, nearest first: `(distance², id, offset, velocity)`.
    pub fn chosen(&self) -> &[(f32, u32, V, V)] {
        &self.items[..self.len]
    }
}

/// The topological neighbour pass for the consecutive slots `first..first + out.len()`:
/// alignment and cohesion count only each bird's `k` nearest birds that it sees within the
/// neighbour radius (summed nearest first); separation stays metric. See [`gather_topological`].
pub fn gather_run_topological<V: GridVector>(grid: &SpatialGrid<V>, per: &Perception<V>, k: usize, first: usize, out: &mut [NeighborSums<V>]) {
    for (i, sums) in out.iter_mut().enumerate() {
        *sums = gather_topological(grid, per, k, first + i);
    }
}

/// One bird's topological sums, found by widening rings (in 3D shells) of cells around its own:
/// ring r is scanned only while a bird in it could still be among the k nearest (its cells are
/// at least (r − 1) cells away) or within the separation radius, and within a ring a cell only
/// when its nearest point is that close ([`cell_gap`]), so the work per bird stays about the same
/// however dense the flock. Falls back to one block scan when the rings would wrap onto
/// themselves in a small wrapping world. The k chosen do not depend on the scan order (ties by
/// id); separation is summed in the rings' fixed order.
pub fn gather_topological<V: GridVector>(grid: &SpatialGrid<V>, per: &Perception<V>, k: usize, slot: usize) -> NeighborSums<V> {
    let (p, v) = (grid.pos[slot], grid.vel[slot]);
    let space = per.space;
    let mut nearest = Nearest::new(k);
    let mut separation = V::ZERO;
    let visit = |j: usize, nearest: &mut Nearest<V>, separation: &mut V| {
        let d = space.offset(p, grid.pos[j]);
        let d2 = d.length_squared();
        if j == slot || !per.sees(v, d, d2) {
            return;
        }
        if d2 < per.separation_r2 {
            *separation -= d * (1.0 / d2.max(MIN_SEPARATION_DIST2));
        }
        if d2 < per.neighbor_r2 {
            nearest.offer(d2, grid.ids[j], d, grid.vel[j]);
        }
    };
    let centre = grid.cell_of(p);
    let dims = grid.dims3();
    let cell = grid.cell_size().min_element();
    let reach2 = per.neighbor_r2.max(per.separation_r2);
    let rings = (reach2.sqrt() / cell).ceil() as usize + 1;
    let narrowest = dims[..V::DIM].iter().copied().min().unwrap_or(1);
    if space.wrap && 2 * rings + 1 > narrowest {
        grid.for_each_block_at(centre, rings, |a, b| (a..b).for_each(|j| visit(j, &mut nearest, &mut separation)));
    } else {
        for r in 0..=rings {
            let bound = r.saturating_sub(1) as f32 * cell;
            let bound2 = bound * bound;
            if bound2 >= reach2 || nearest.kth().is_some_and(|kth| bound2 > kth && bound2 >= per.separation_r2) {
                break;
            }
            for_each_ring_cell(centre, r, dims, V::DIM, space.wrap, |at, offset| {
                // a cell none of whose birds could be chosen or repel is skipped: the choice is
                // the same as a full scan's, with less work where cells are crowded
                let unwrapped = [0, 1, 2].map(|i| centre[i] as isize + offset[i]);
                let gap = cell_gap(p, unwrapped, grid.cell_size());
                let need = nearest.kth().map_or(per.neighbor_r2, |kth| kth.min(per.neighbor_r2));
                if r > 0 && gap > need.max(per.separation_r2) {
                    return;
                }
                grid.slots_of(at).for_each(|j| visit(j, &mut nearest, &mut separation));
            });
        }
    }
    let mut sums = NeighborSums { separation, ..NeighborSums::default() };
    for &(d2, _, d, vel) in nearest.chosen() {
        sums.count += 1;
        sums.offset_sum += d;
        if d2 < per.alignment_r2 {
            sums.align_count += 1;
            sums.velocity_sum += vel;
        }
    }
    sums
}

/// A lower bound on the squared distance from `p` (inside the centre cell of the ring scan) to
/// any point of the cell at unwrapped coordinates `at` (`[x, y, z]`, z unused in 2D), cells of
/// side `side`. The grid puts a bird in a cell by `⌊p / side⌋` (clamped), which rounds
/// differently from the cell's corner `at · side`: the gap is shrunk on each axis by a
/// thousandth of a cell plus a few units in the last place of the coordinates involved, so that
/// rounding never makes it exceed a true distance, however many cells the world has.
#[inline]
pub fn cell_gap<V: Vector>(p: V, at: [isize; 3], side: V) -> f32 {
    let lo = side.map_axes(|i, _| at[i] as f32) * side;
    let gap = (lo - p).max(p - (lo + side)).max(V::ZERO);
    let ulps = lo.zip_axes(p, |_, lo, p| lo.abs() + p.abs()) + side;
    let margin = side * 1e-3 + ulps * (8.0 * f32::EPSILON);
    let gap = (gap - margin).max(V::ZERO);
    gap.length_squared()
}

/// Calls `f(cell, offset)` for each cell at Chebyshev distance exactly `r` from `centre` in a
/// grid of `dims` cells over `dim` axes (`cell` its `[x, y, z]`, `offset` its offset from the
/// centre before any wrap), layer by layer, row by row (wrapping around when `wrap`; the caller
/// keeps 2r + 1 within the grid then), skipping cells outside a non-wrapping grid. In 2D the
/// one layer is z = 0.
fn for_each_ring_cell(centre: [usize; 3], r: usize, dims: [usize; 3], dim: usize, wrap: bool, mut f: impl FnMut([usize; 3], [isize; 3])) {
    let r = r as isize;
    let at = |c: usize, d: isize, n: usize| -> Option<usize> {
        let i = c as isize + d;
        if wrap {
            Some(i.rem_euclid(n as isize) as usize)
        } else {
            (0..n as isize).contains(&i).then_some(i as usize)
        }
    };
    let depth = if dim == 3 { r } else { 0 };
    for dz in -depth..=depth {
        let Some(z) = at(centre[2], dz, dims[2]) else { continue };
        for dy in -r..=r {
            let Some(y) = at(centre[1], dy, dims[1]) else { continue };
            // on a face of the shell every cell of the row; otherwise its two ends
            let step = if dy.abs() == r || dz.abs() == r { 1 } else { (2 * r).max(1) as usize };
            for dx in (-r..=r).step_by(step) {
                if let Some(x) = at(centre[0], dx, dims[0]) {
                    f([x, y, z], [dx, dy, dz]);
                }
            }
        }
    }
}
