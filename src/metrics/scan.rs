//! The link scan: one pass over every bird's surroundings up to the linking distance, on a
//! spatial grid, finding clusters (union-find per band of cell rows) and nearest-neighbour
//! distances together. Tested against the all-pairs reference (`reference.rs`).

use super::clusters::{Clusters, clusters_from_labels, find, join_roots, union};
use super::order::chunked;
use crate::sim::grid::SpatialGrid;
use crate::sim::space::Space;

/// What one scan over every bird's surroundings (up to `link`) finds.
#[derive(Clone, Debug, Default)]
pub struct LinkScan {
    /// Connected components of birds closer than `link`.
    pub clusters: Clusters,
    /// Sum of nearest-neighbour distances (birds with a neighbour within `link`).
    pub nn_sum: f64,
    /// Birds with a neighbour within `link`.
    pub nn_count: u32,
}

/// The smaller of two distances: `if a < b` rather than `f32::min`, one instruction with no NaN
/// handling (distances here are finite), so the scan's loops over runs of birds vectorize.
#[inline]
fn nearer(a: f32, b: f32) -> f32 {
    if a < b { a } else { b }
}

/// The metrics grid's smallest cell side as a fraction of the linking distance: half, so a cell's
/// diagonal is shorter than the link (all birds in a cell are linked) and linked birds are at
/// most 2 cells apart: the scan's fast path (see [`grid_suits`]). Smaller cells would need a
/// wider block; larger ones (up to 1/√2) look at more pairs per bird.
pub const METRICS_CELL: f32 = 0.5;

/// The fast path's reach in cells: with cells of at least half the link ([`METRICS_CELL`]), linked
/// birds lie at most this many cells apart, so the interior scan walks the runs of slots of the
/// cell's row and of the next `FAST_REACH` rows, `FAST_REACH` cells either side.
const FAST_REACH: usize = 2;

/// Whether a grid's cells suit the link scan's fast path for `link`: each cell's diagonal is
/// shorter than the link and linked birds lie at most 2 cells apart (the simulation's grid does
/// when the link is between √2 and 2 of its cell sides, as with the default parameters). Any grid
/// gives the same result; one that does not suit is only slower.
pub fn grid_suits(grid: &SpatialGrid, link: f32) -> bool {
    let cell = grid.cell_size();
    grid.space_opt().is_some() && cell.length_squared() < link * link && FAST_REACH as f32 * cell.min_element() >= link
}

/// Rows of cells are scanned in bands of at least this many rows, at most [`BANDS`] of them: a
/// number that depends on the grid, not the thread count, so sums over bands come out the same on
/// every machine. Links from a band's last two rows into the next band are joined afterwards.
const ROWS_PER_BAND: usize = 24;
const BANDS: usize = 16;

/// What one band of rows found: its links into other bands' rows, and candidate nearest
/// distances of other bands' birds.
#[derive(Default)]
struct BandScan {
    edges: Vec<(u32, u32)>,
    /// `(slot, squared distance)` for birds of other bands met from this band near the seams.
    far: Vec<(u32, f32)>,
    /// The smallest squared distance met per bird of the next band's first two rows, whose
    /// slots start at `next_base`.
    next_best: Vec<f32>,
    next_base: u32,
}

/// One band's part of the scan's state: its slots start at `base`; `parent` is its part of the
/// union-find, `best` of the smallest squared distance met per bird.
struct BandState<'p> {
    base: u32,
    /// The first row after the band (the next band's first).
    r1: usize,
    parent: &'p mut [u32],
    best: &'p mut [f32],
    out: BandScan,
}

impl BandState<'_> {
    /// Notes the squared distance `d` between local bird `i` and bird `j` (local or not).
    #[inline]
    fn meet(&mut self, i: usize, j: usize, d: f32, local: bool) {
        let b = &mut self.best[i - self.base as usize];
        *b = nearer(d, *b);
        if local {
            let b = &mut self.best[j - self.base as usize];
            *b = nearer(d, *b);
        } else {
            self.out.far.push((j as u32, d));
        }
    }
}

/// The scan's constants for one grid and linking distance.
struct Scan<'a> {
    grid: &'a SpatialGrid,
    space: Space,
    link2: f32,
    /// Cells within this many cells may hold linked birds.
    reach: usize,
    /// Whether a cell's diagonal is shorter than the link (all birds in a cell are linked).
    cells_linked: bool,
    cols: usize,
    rows: usize,
}

impl Scan<'_> {
    #[inline]
    fn d2(&self, i: usize, j: usize) -> f32 {
        self.space.offset(self.grid.pos[i], self.grid.pos[j]).length_squared()
    }

    /// The cell `(dx, dy)` away from `(x, y)`, wrapped on a torus; `None` off the grid.
    #[inline]
    fn neighbour(&self, x: usize, y: usize, dx: isize, dy: isize) -> Option<(usize, usize)> {
        let (cols, rows) = (self.cols as isize, self.rows as isize);
        let (nx, ny) = (x as isize + dx, y as isize + dy);
        if self.space.wrap {
            Some((nx.rem_euclid(cols) as usize, ny.rem_euclid(rows) as usize))
        } else if (0..cols).contains(&nx) && (0..rows).contains(&ny) {
            Some((nx as usize, ny as usize))
        } else {
            None
        }
    }

    /// Scans the cells of rows `r0..r1`: joins the links inside these rows, keeps the links into
    /// other rows, and notes every pair's distance for both birds' nearest neighbours.
    ///
    /// Each pair of cells within reach is looked at once, from one of them: the forward half of
    /// the block around a cell (dy > 0, or dy = 0 and dx > 0). Every pair of birds closer than the
    /// link lies in such a pair of cells (or in one cell), so each bird meets its nearest
    /// neighbour within the link there, from one side or the other. When cells are linked inside
    /// (see [`METRICS_CELL`]), one link between two cells joins them whole.
    ///
    /// Longer than most functions here on purpose: the cell loop, its seam and edge cases and the
    /// union calls all work on the band's state (its part of the union-find, the best distances,
    /// the cell's root), which one function keeps in one place.
    fn band(&self, r0: usize, st: &mut BandState) {
        let r1 = st.r1;
        let grid = self.grid;
        let base = st.base;
        let r = self.reach as isize;
        if self.cells_linked {
            // All birds of a cell are linked: join them to the cell's first bird up front, so a
            // link from another cell may reach any of them.
            for c in r0 * self.cols..r1 * self.cols {
                let own = grid.cell_slots(c % self.cols, c / self.cols);
                for i in own.start + 1..own.end {
                    st.parent[i - base as usize] = own.start as u32;
                }
            }
        }
        for y in r0..r1 {
            for x in 0..self.cols {
                let own = grid.cell_slots(x, y);
                if own.is_empty() {
                    continue;
                }
                // Away from the seams and edges offsets need no wrapping.
                let plain = x >= self.reach && x + self.reach < self.cols && y >= self.reach && y + self.reach < self.rows;
                if self.cells_linked && plain && self.reach == FAST_REACH {
                    self.interior(x, y, own, st);
                    continue;
                }
                for i in own.clone() {
                    for j in i + 1..own.end {
                        let d = self.d2(i, j);
                        st.meet(i, j, d, true);
                        if !self.cells_linked && d < self.link2 {
                            union(st.parent, base, i as u32, j as u32);
                        }
                    }
                }
                // This cell's root, kept up to date as links join it to others.
                let mut root = find(st.parent, base, own.start as u32);
                for dy in 0..=r {
                    for dx in if dy == 0 { 1 } else { -r }..=r {
                        let Some((nx, ny)) = self.neighbour(x, y, dx, dy).filter(|&c| c != (x, y)) else { continue };
                        let other = grid.cell_slots(nx, ny);
                        let local = ny < r1 && ny >= r0;
                        let mut linked = false;
                        for i in own.clone() {
                            for j in other.clone() {
                                let d = self.d2(i, j);
                                st.meet(i, j, d, local);
                                if d < self.link2 {
                                    if self.cells_linked {
                                        linked = true;
                                    } else if local {
                                        union(st.parent, base, i as u32, j as u32);
                                    } else {
                                        st.out.edges.push((i as u32, j as u32));
                                    }
                                }
                            }
                        }
                        if linked && local {
                            let theirs = find(st.parent, base, other.start as u32);
                            join_roots(st.parent, base, &mut root, theirs);
                        } else if linked {
                            st.out.edges.push((own.start as u32, other.start as u32));
                        }
                    }
                }
            }
        }
    }

    /// The common case, a cell away from seams and edges when cells are linked inside (so the
    /// reach is [`FAST_REACH`] cells): the cell's birds against each other, then against the runs of slots
    /// ahead (the rest of its row up to `FAST_REACH` cells on, and `2·FAST_REACH + 1` cells in each of the next `FAST_REACH` rows; a row
    /// of neighbouring cells is one contiguous run of slots), 64 birds of a run at a time: each
    /// distance is noted for both birds, and the cells of linked birds joined. Rows that belong to
    /// the next band go through [`Scan::scan_next_band`].
    ///
    /// One function on purpose: it is the scan's hot loop, written so its locals (the cell's
    /// root, the run bounds, the 64-bird mask) stay local and the distance loop vectorizes.
    fn interior(&self, x: usize, y: usize, own: std::ops::Range<usize>, st: &mut BandState) {
        let pos = &self.grid.pos;
        let base = st.base as usize;
        for i in own.clone() {
            let p = pos[i];
            let mut mine = st.best[i - base];
            for (q, b) in pos[i + 1..own.end].iter().zip(&mut st.best[i + 1 - base..own.end - base]) {
                let d = (*q - p).length_squared();
                mine = nearer(d, mine);
                *b = nearer(d, *b);
            }
            st.best[i - base] = mine;
        }
        // This cell's root, kept up to date as links join it to others.
        let mut root = find(st.parent, st.base, own.start as u32);
        // The parent of the last bird joined: birds of one cell share it, and a bird whose
        // parent is already in this set needs no find.
        let mut joined = root;
        const R: usize = FAST_REACH;
        for row in y..=y + R {
            if row >= st.r1 {
                self.scan_next_band(x, row, own.clone(), st);
                continue;
            }
            let r = if row == y { own.end..self.run(x + R, x + R, y).end } else { self.run(x - R, x + R, row) };
            for start in r.clone().step_by(64) {
                let end = (start + 64).min(r.end);
                // Which of these 64 birds some bird of this cell links to, as bits: no branch per
                // pair (whether one is linked is a coin flip the CPU cannot predict).
                let mut linked = 0u64;
                for i in own.clone() {
                    let p = pos[i];
                    let mut mine = st.best[i - base];
                    for (k, (q, b)) in pos[start..end].iter().zip(&mut st.best[start - base..end - base]).enumerate() {
                        let d = (*q - p).length_squared();
                        linked |= u64::from(d < self.link2) << k;
                        mine = nearer(d, mine);
                        *b = nearer(d, *b);
                    }
                    st.best[i - base] = mine;
                }
                // Join only birds not yet known to be in this set (a bird whose parent is this
                // cell's root is): in one big cluster that is a bird's first visit, then rarely.
                let mut need = 0u64;
                for (k, &up) in st.parent[start - base..end - base].iter().enumerate() {
                    need |= u64::from(up != root) << k;
                }
                let mut bits = linked & need;
                while bits != 0 {
                    let j = start + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let up = st.parent[j - base];
                    if up != joined && up != root {
                        joined = up;
                        let theirs = find(st.parent, st.base, up);
                        join_roots(st.parent, st.base, &mut root, theirs);
                        // `up`'s set is this one now: point it at the root.
                        st.parent[up as usize - base] = root;
                    }
                    st.parent[j - base] = root;
                }
            }
        }
    }

    /// The interior scan's part in a row of the next band (`row`, cells `x - 2..=x + 2`): each
    /// distance noted in the next band's rows' `next_best`, and a link between two cells kept as
    /// an edge to join afterwards (the next band owns those birds' union-find entries).
    fn scan_next_band(&self, x: usize, row: usize, own: std::ops::Range<usize>, st: &mut BandState) {
        let pos = &self.grid.pos;
        let (base, next_base) = (st.base as usize, st.out.next_base as usize);
        for cx in x - FAST_REACH..=x + FAST_REACH {
            let other = self.grid.cell_slots(cx, row);
            let mut linked = false;
            for i in own.clone() {
                let p = pos[i];
                let mut mine = st.best[i - base];
                for (q, b) in pos[other.clone()].iter().zip(&mut st.out.next_best[other.start - next_base..other.end - next_base]) {
                    let d = (*q - p).length_squared();
                    linked |= d < self.link2;
                    mine = nearer(d, mine);
                    *b = nearer(d, *b);
                }
                st.best[i - base] = mine;
            }
            if linked {
                st.out.edges.push((own.start as u32, other.start as u32));
            }
        }
    }

    /// The slots of cells `x0..=x1` of one row: a contiguous run (no wrapping).
    #[inline]
    fn run(&self, x0: usize, x1: usize, row: usize) -> std::ops::Range<usize> {
        self.grid.cell_slots(x0, row).start..self.grid.cell_slots(x1, row).end
    }
}

/// Scans every bird's surroundings up to the linking distance: rows of cells in bands, in
/// parallel when Bevy's compute pool exists, each band joining its own links in its own part of
/// one union-find; the links between bands are joined afterwards. The result does not depend on
/// the thread count.
pub fn link_scan(grid: &SpatialGrid, link: f32) -> LinkScan {
    let n = grid.len();
    let Some(space) = grid.space_opt().filter(|_| n > 0) else {
        return LinkScan { clusters: clusters_from_labels(Vec::new()), ..Default::default() };
    };
    let (cols, rows) = grid.dims();
    let cell = grid.cell_size();
    let scan = Scan {
        grid,
        space,
        link2: link * link,
        reach: (link / cell.min_element().max(1e-6)).ceil().max(1.0) as usize,
        cells_linked: cell.length_squared() < link * link,
        cols,
        rows,
    };
    let nb = (rows / ROWS_PER_BAND).clamp(1, BANDS);
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut best = vec![f32::INFINITY; n];
    let mut bands = Vec::with_capacity(nb);
    let (mut parents, mut bests): (&mut [u32], &mut [f32]) = (&mut parent, &mut best);
    let mut at = 0;
    for b in 0..nb {
        let (r0, r1) = (b * rows / nb, (b + 1) * rows / nb);
        let end = if r1 == rows { n } else { grid.cell_slots(0, r1).start };
        let (p, p_rest) = std::mem::take(&mut parents).split_at_mut(end - at);
        let (d, d_rest) = std::mem::take(&mut bests).split_at_mut(end - at);
        // The next band's first two rows, which this band's interior scan reaches into.
        let (next_base, next_end) = if r1 == rows { (n, n) } else { (end, grid.cell_slots(0, (r1 + FAST_REACH).min(rows)).start) };
        let out = BandScan { next_best: vec![f32::INFINITY; next_end - next_base], next_base: next_base as u32, ..BandScan::default() };
        bands.push((r0, BandState { base: at as u32, r1, parent: p, best: d, out }));
        (parents, bests) = (p_rest, d_rest);
        at = end;
    }
    let scan = &scan;
    let run = move |(r0, mut st): (usize, BandState)| {
        scan.band(r0, &mut st);
        st.out
    };
    let parts: Vec<BandScan> = match bevy::tasks::ComputeTaskPool::try_get() {
        Some(pool) if nb > 1 => pool.scope(|s| {
            for band in bands {
                s.spawn(async move { run(band) });
            }
        }),
        _ => bands.into_iter().map(run).collect(),
    };
    join_bands(&parts, &mut parent, &mut best);
    let (nn_sum, nn_count) = chunked(n, |r| {
        best[r].iter().filter(|&&d| d < scan.link2).fold((0.0f64, 0u32), |(s, c), &d| (s + f64::from(d.sqrt()), c + 1))
    })
    .into_iter()
    .fold((0.0, 0), |(s, c), (ps, pc)| (s + ps, c + pc));
    let label: Vec<u32> = (0..n as u32).map(|i| find(&mut parent, 0, i)).collect();
    LinkScan { clusters: clusters_from_labels(label), nn_sum, nn_count }
}

/// Joins what the bands found across their borders: links into the union-find, nearest distances
/// into `best`.
fn join_bands(parts: &[BandScan], parent: &mut [u32], best: &mut [f32]) {
    for part in parts {
        for &(a, b) in &part.edges {
            union(parent, 0, a, b);
        }
        for &(j, d) in &part.far {
            let b = &mut best[j as usize];
            *b = b.min(d);
        }
        let next = part.next_base as usize;
        for (b, &d) in best[next..next + part.next_best.len()].iter_mut().zip(&part.next_best) {
            *b = b.min(d);
        }
    }
}
