//! The spatial hash: a uniform grid rebuilt every step by counting sort, with the birds' data
//! copied into cell order so a cell's birds are contiguous in memory.
//!
//! It is the one neighbour-query structure: the flocking rules, the predator and the metrics all
//! read it. Pure data, no ECS; [`crate::sim::systems`] fills it from the world.

use bevy::math::{Vec2, Vec3};
use bevy::prelude::Resource;

use super::space::Space;
use super::parallel::run_tasks;
use super::vector::Vector;
use parts::Parts;

pub use blocks::{Block, axis_spans};
pub use dense::{CROWDED, Crowd, CrowdedCells, FANOUT, LEAF, Node};

/// The grid may always have this many cells, whatever the number of birds (memory guard); in
/// 3D eight times as many (a box of cells the same number of cells wide as a 2D grid's square
/// would need 256 times as many).
const MIN_CELL_CAP: usize = 1 << 16;

/// Beyond [`MIN_CELL_CAP`], cells per bird allowed. A flock gathered into groups in a wide sky
/// (the default preset's density) needs about three cells of the smallest size per bird; cells
/// larger than asked for put more candidates in each bird's block (twice the side, four times
/// as many), while each cell costs 4 bytes and a few operations per rebuild.
const CELLS_PER_BIRD: usize = 4;

/// A snapshot of every bird in cell order, plus the cell index.
///
/// Slot `k` (`0..len()`) holds one bird; `cell_start[c]..cell_start[c + 1]` are the slots of cell `c`.
/// Within a cell, birds are ordered by id (in a [crowded](CROWDED) cell with crowd trees on, by
/// Morton key, then id),
/// so the order of any sum over neighbours depends only on the positions and ids, never on ECS
/// iteration order or thread count.
///
/// In 3D the cells are boxes, numbered layer by layer (z), row by row (y), then along x; a 2D
/// grid is one layer, numbered as it always was.
#[derive(Resource, Default, Debug, Clone)]
pub struct SpatialGrid<V = Vec2> {
    space: Option<Space<V>>,
    cells_x: usize,
    cells_y: usize,
    /// Layers along z: 1 in 2D.
    cells_z: usize,
    cell_size: V,
    cell_start: Vec<u32>,
    /// Positions in slot order.
    pub pos: Vec<V>,
    /// Velocities in slot order.
    pub vel: Vec<V>,
    /// Bird ids in slot order.
    pub ids: Vec<u32>,
    /// For each slot, the bird's index in the input ([`BirdSource`]).
    pub src: Vec<u32>,
    /// The trees over crowded cells (none unless [`Self::set_crowd_trees`] asked for them;
    /// flat grids only).
    pub crowded: CrowdedCells,
    crowd_trees: bool,
}

/// A vector type a grid can be built over: what a grid of that dimension does beyond the
/// generic counting sort. Crowd trees (for the metric pass without separation) exist in 2D
/// only: [`SpatialGrid::set_crowd_trees`] is a flat grid's, so a 3D grid never has any.
pub trait GridVector: Vector + bytemuck::Pod {
    /// With crowd trees on, orders each crowded cell's slots by Morton key (before the copy).
    fn order_crowded_cells<B: BirdSource<Self> + ?Sized>(grid: &mut SpatialGrid<Self>, birds: &B);
    /// With crowd trees on, builds the crowded cells' trees (after the copy); otherwise clears
    /// them.
    fn build_crowd_trees(grid: &mut SpatialGrid<Self>);
}

impl GridVector for Vec2 {
    /// Orders each [crowded](CROWDED) cell's slots by Morton key (then id), so the leaves of its
    /// tree hold birds close together.
    fn order_crowded_cells<B: BirdSource<Self> + ?Sized>(grid: &mut SpatialGrid<Self>, birds: &B) {
        if !grid.crowd_trees {
            return;
        }
        let mut keyed = Vec::new();
        for c in 0..grid.cells_x * grid.cells_y {
            let (a, b) = (grid.cell_start[c] as usize, grid.cell_start[c + 1] as usize);
            if b - a < CROWDED {
                continue;
            }
            let origin = grid.cell_origin(c);
            keyed.clear();
            keyed.extend((a..b).map(|k| (dense::morton_key(birds.bird(grid.src[k] as usize).1, origin, grid.cell_size), grid.ids[k], grid.src[k])));
            keyed.sort_unstable();
            for (k, &(_, id, src)) in keyed.iter().enumerate() {
                (grid.ids[a + k], grid.src[a + k]) = (id, src);
            }
        }
    }

    fn build_crowd_trees(grid: &mut SpatialGrid<Self>) {
        if grid.crowd_trees {
            let mut crowded = std::mem::take(&mut grid.crowded);
            crowded.build(&grid.cell_start, &grid.pos, &grid.vel, |c| grid.cell_origin(c));
            grid.crowded = crowded;
        } else {
            grid.crowded.clear();
        }
    }
}

impl GridVector for Vec3 {
    fn order_crowded_cells<B: BirdSource<Self> + ?Sized>(_: &mut SpatialGrid<Self>, _: &B) {}
    fn build_crowd_trees(grid: &mut SpatialGrid<Self>) {
        grid.crowded.clear();
    }
}

/// Birds to place in a grid, read by index: the simulation reads the ECS tables in place.
pub trait BirdSource<V = Vec2>: Sync {
    /// How many birds.
    fn len(&self) -> usize;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Bird `i`'s `(id, position, velocity)`, the same each time it is asked; the position
    /// inside the grid's space.
    fn bird(&self, i: usize) -> (u32, V, V);
}

impl<V: Vector> BirdSource<V> for [(u32, V, V)] {
    fn len(&self) -> usize {
        <[_]>::len(self)
    }
    #[inline]
    fn bird(&self, i: usize) -> (u32, V, V) {
        self[i]
    }
}

/// Slots per task when the grid copies positions and velocities in parallel.
const COPY_CHUNK: usize = 16 * 1024;

/// The cell `[x, y, z]` of `p` in a grid of `dims` cells of `size`, clamped into the grid
/// (z = 0 in 2D).
#[inline]
fn cell_at<V: Vector>(p: V, size: V, dims: [usize; 3]) -> [usize; 3] {
    let mut c = [0; 3];
    for (i, c) in c.iter_mut().enumerate().take(V::DIM) {
        *c = ((p.axis(i) / size.axis(i)) as isize).clamp(0, dims[i] as isize - 1) as usize;
    }
    c
}

impl<V: GridVector> SpatialGrid<V> {
    /// Rebuilds the grid from birds given as `(id, position, velocity)` in any order (copied
    /// once; the simulation reads its birds in place through [`Self::rebuild_from`]).
    ///
    /// `min_cell` is the smallest allowed cell side. Positions must be inside `space`.
    pub fn rebuild(&mut self, space: Space<V>, min_cell: f32, birds: impl Iterator<Item = (u32, V, V)>) {
        let birds: Vec<_> = birds.collect();
        self.rebuild_from(space, min_cell, &birds[..]);
    }

    /// Rebuilds the grid from `birds`, in any order; [`Self::src`] then gives each slot's index
    /// in it. A counting sort: each bird's cell found, the cells counted, each bird's id and
    /// index placed in its cell, the cells ordered by id, and positions and velocities copied in
    /// slot order. With Bevy's compute pool and a large flock, each step is split over its
    /// threads (each task owns a range of cells). The result depends only on the
    /// birds, not on their order or the thread count.
    pub fn rebuild_from<B: BirdSource<V> + ?Sized>(&mut self, space: Space<V>, min_cell: f32, birds: &B) {
        let n = birds.len();
        self.layout(space, min_cell, n);
        let cells = self.cells_x * self.cells_y * self.cells_z;
        self.cell_start.resize(cells + 1, 0);
        self.cell_start.fill(0);
        // Every slot is written below: resized, not cleared (no memset per step).
        for v in [&mut self.ids, &mut self.src] {
            v.resize(n, 0);
        }
        self.pos.resize(n, V::ZERO);
        // Until the copy at the end, the position array holds each bird's cell, in input order.
        let (size, dims) = (self.cell_size, self.dims3());
        let cell_index = |p: V| {
            let [x, y, z] = cell_at(p, size, dims);
            ((z * dims[1] + y) * dims[0] + x) as u32
        };
        let cell_of = &mut bytemuck::cast_slice_mut::<V, u32>(&mut self.pos)[..n];
        let parts = Parts::new(cells, n);
        parts.run_chunks(cell_of, |first, chunk| {
            for (k, c) in chunk.iter_mut().enumerate() {
                *c = cell_index(birds.bird(first + k).1);
            }
        });
        let cell_of = &*cell_of;
        // Each task counts, places and orders the birds of its own range of cells.
        parts.run_cells(&mut self.cell_start[1..], |range, counts| {
            for &c in cell_of {
                if range.contains(&(c as usize)) {
                    counts[c as usize - range.start] += 1;
                }
            }
        });
        for c in 0..cells {
            self.cell_start[c + 1] += self.cell_start[c];
        }
        // `cell_start[c]` serves as cell c's cursor, ending at the start of cell c + 1; shifting
        // the array one place right then restores the starts (no second array).
        let starts: Vec<usize> = parts.cell_bounds().map(|c| self.cell_start[c] as usize).collect();
        parts.run_slots(&mut self.cell_start[..cells], &mut self.ids, &mut self.src, &starts, |range, cursors, base, ids, src| {
            for (i, &c) in cell_of.iter().enumerate() {
                if range.contains(&(c as usize)) {
                    let slot = cursors[c as usize - range.start] as usize - base;
                    cursors[c as usize - range.start] += 1;
                    (ids[slot], src[slot]) = (birds.bird(i).0, i as u32);
                }
            }
        });
        self.cell_start.copy_within(0..cells, 1);
        self.cell_start[0] = 0;
        self.order_cells_by_id(&parts, &starts);
        V::order_crowded_cells(self, birds);
        self.gather(birds);
        V::build_crowd_trees(self);
    }

    /// Orders each cell's slots by id (insertion sort: cells hold a handful of birds), each task
    /// its own range of cells, whose slots start at `starts[task]`.
    fn order_cells_by_id(&mut self, parts: &Parts, starts: &[usize]) {
        let (cell_start, crowd_trees) = (&self.cell_start, self.crowd_trees);
        parts.run_slots::<u32>(&mut [], &mut self.ids, &mut self.src, starts, |range, _, base, ids, src| {
            for c in range {
                let (start, end) = (cell_start[c] as usize - base, cell_start[c + 1] as usize - base);
                if crowd_trees && end - start >= CROWDED {
                    continue; // ordered by `order_crowded_cells`
                }
                for a in start + 1..end {
                    let mut b = a;
                    while b > start && ids[b - 1] > ids[b] {
                        ids.swap(b - 1, b);
                        src.swap(b - 1, b);
                        b -= 1;
                    }
                }
            }
        });
    }

    /// Copies each slot's position and velocity from its bird (`src`), in parallel chunks of
    /// slots when Bevy's compute pool exists.
    fn gather<B: BirdSource<V> + ?Sized>(&mut self, birds: &B) {
        let n = self.src.len();
        for v in [&mut self.pos, &mut self.vel] {
            v.resize(n, V::ZERO);
        }
        let src = &self.src[..];
        let chunks = if n > COPY_CHUNK && bevy::tasks::ComputeTaskPool::try_get().is_some() { COPY_CHUNK } else { n.max(1) };
        let work: Vec<_> = self.pos.chunks_mut(chunks).zip(self.vel.chunks_mut(chunks)).enumerate().collect();
        run_tasks(work, |(k, (pos, vel))| {
            for (j, (p, v)) in pos.iter_mut().zip(vel.iter_mut()).enumerate() {
                (_, *p, *v) = birds.bird(src[k * chunks + j] as usize);
            }
        });
    }

    fn layout(&mut self, space: Space<V>, min_cell: f32, n: usize) {
        let min_cell = min_cell.max(1e-3);
        let mut c = [1usize; 3];
        for (i, c) in c.iter_mut().enumerate().take(V::DIM) {
            *c = ((space.size.axis(i) / min_cell).floor() as usize).max(1);
        }
        let count = |c: &[usize; 3]| c[0] * c[1] * c[2];
        let cap = (MIN_CELL_CAP << (3 * (V::DIM - 2))).max(CELLS_PER_BIRD * n);
        if count(&c) > cap {
            // Cells only as much larger as the cap needs: the same factor on every axis, then
            // one cell fewer each way until the count fits (rounding).
            let ratio = count(&c) as f64 / cap as f64;
            let grow = if V::DIM == 2 { ratio.sqrt() } else { ratio.cbrt() };
            for c in c.iter_mut().take(V::DIM) {
                *c = ((*c as f64 / grow).floor() as usize).max(1);
            }
            while count(&c) > cap {
                for c in c.iter_mut().take(V::DIM) {
                    *c = (*c - 1).max(1);
                }
            }
        }
        self.space = Some(space);
        [self.cells_x, self.cells_y, self.cells_z] = c;
        self.cell_size = space.size.map_axes(|i, len| len / c[i] as f32);
    }

    /// Number of birds in the grid.
    pub fn len(&self) -> usize {
        self.pos.len()
    }

    /// Whether the grid holds no birds.
    pub fn is_empty(&self) -> bool {
        self.pos.is_empty()
    }

    /// The space the grid was built for, if it was ever built.
    pub fn space_opt(&self) -> Option<Space<V>> {
        self.space
    }

    /// The space the grid was built for (panics if never built).
    pub fn space(&self) -> Space<V> {
        self.space.expect("SpatialGrid used before its first rebuild")
    }

    /// Cell counts along x, y and z (1 in 2D).
    pub fn dims3(&self) -> [usize; 3] {
        [self.cells_x, self.cells_y, self.cells_z]
    }

    /// The size of one cell.
    pub fn cell_size(&self) -> V {
        self.cell_size
    }

    /// The cell `[x, y, z]` of a position (clamped into the grid; z = 0 in 2D).
    #[inline]
    pub fn cell_of(&self, p: V) -> [usize; 3] {
        cell_at(p, self.cell_size, self.dims3())
    }

    /// The slots of the cell at `[x, y, z]`.
    #[inline]
    pub fn slots_of(&self, c: [usize; 3]) -> std::ops::Range<usize> {
        let cell = (c[2] * self.cells_y + c[1]) * self.cells_x + c[0];
        self.cell_start[cell] as usize..self.cell_start[cell + 1] as usize
    }

    /// Calls `f(first_slot, end_slot)` for contiguous slot ranges that together cover every cell
    /// within `reach` cells of `c` on every axis, each cell exactly once (wrap-aware): one range
    /// per row (and wrap piece) of each layer, layer by layer, row by row.
    #[inline]
    pub fn for_each_block_at(&self, c: [usize; 3], reach: usize, mut f: impl FnMut(usize, usize)) {
        let wrap = self.space().wrap;
        let cols = axis_spans(c[0], reach, self.cells_x, wrap);
        let rows = axis_spans(c[1], reach, self.cells_y, wrap);
        let layers = if V::DIM == 3 { axis_spans(c[2], reach, self.cells_z, wrap) } else { [Some((0, 0)), None] };
        for &(l0, l1) in layers.iter().flatten() {
            for layer in l0..=l1 {
                for &(r0, r1) in rows.iter().flatten() {
                    for row in r0..=r1 {
                        let base = (layer * self.cells_y + row) * self.cells_x;
                        for &(c0, c1) in cols.iter().flatten() {
                            let a = self.cell_start[base + c0] as usize;
                            let b = self.cell_start[base + c1 + 1] as usize;
                            if a < b {
                                f(a, b);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Calls `f(slot, offset, distance²)` for every bird within `radius` of `p`
    /// (`offset` points from `p` to the bird; minimum-image in a wrapping world).
    pub fn for_each_within(&self, p: V, radius: f32, mut f: impl FnMut(usize, V, f32)) {
        if self.is_empty() || radius.is_nan() || radius <= 0.0 {
            return;
        }
        let space = self.space();
        let dims = self.dims3();
        let reach = (0..V::DIM).map(|i| (radius / self.cell_size.axis(i)).ceil() as usize).max().unwrap_or(0);
        let reach = reach.min((0..V::DIM).map(|i| dims[i]).max().unwrap_or(1));
        let r2 = radius * radius;
        self.for_each_block_at(self.cell_of(p), reach, |a, b| {
            for j in a..b {
                let d = space.offset(p, self.pos[j]);
                let d2 = d.length_squared();
                if d2 < r2 {
                    f(j, d, d2);
                }
            }
        });
    }
}

impl SpatialGrid<Vec2> {
    /// The corner of cell `c` with the smallest coordinates.
    fn cell_origin(&self, c: usize) -> Vec2 {
        Vec2::new((c % self.cells_x) as f32, (c / self.cells_x) as f32) * self.cell_size
    }

    /// Whether rebuilds order [crowded](CROWDED) cells by Morton key and build their trees
    /// ([`CrowdedCells`]); off by default (every cell ordered by id).
    pub fn set_crowd_trees(&mut self, on: bool) {
        self.crowd_trees = on;
    }

    /// Cell counts along x and y.
    pub fn dims(&self) -> (usize, usize) {
        (self.cells_x, self.cells_y)
    }

    /// The cell coordinates of a position (clamped into the grid).
    #[inline]
    pub fn cell_coords(&self, p: Vec2) -> (usize, usize) {
        let [x, y, _] = self.cell_of(p);
        (x, y)
    }

    /// The slots of the cell at `(x, y)`.
    #[inline]
    pub fn cell_slots(&self, x: usize, y: usize) -> std::ops::Range<usize> {
        self.slots_of([x, y, 0])
    }
}

mod blocks;
mod dense;
mod parts;
#[cfg(test)]
mod tests;
