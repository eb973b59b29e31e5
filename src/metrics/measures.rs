//! The measures of a flock's state: pure functions over positions and velocities.

use bevy::math::Vec2;

use crate::sim::grid::SpatialGrid;
use crate::sim::space::Space;

/// Birds per task in the parallel sums (a fixed size, so sums round the same on every machine).
const CHUNK: usize = 8192;

/// `f` over consecutive chunks of `0..n`, in parallel when Bevy's compute pool exists; the
/// results in chunk order.
fn chunked<T: Send + 'static>(n: usize, f: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    let ranges = (0..n).step_by(CHUNK).map(|a| a..(a + CHUNK).min(n));
    let f = &f;
    match bevy::tasks::ComputeTaskPool::try_get() {
        Some(pool) if n > CHUNK => pool.scope(|s| {
            for r in ranges {
                s.spawn(async move { f(r) });
            }
        }),
        _ => ranges.map(f).collect(),
    }
}

/// Sums over birds that the centre of mass and the polarization come from.
#[derive(Clone, Copy, Default)]
struct Sums {
    heading: Vec2,
    pos: Vec2,
    /// Σ cos, Σ sin of each coordinate as an angle around the torus.
    cos: Vec2,
    sin: Vec2,
}

impl Sums {
    fn of(space: &Space, pos: &[Vec2], vel: &[Vec2]) -> Self {
        let heading = vel.iter().map(|v| v.normalize_or_zero()).sum();
        Sums { heading, ..Sums::positions(space, pos) }
    }

    /// The position sums alone (no headings).
    fn positions(space: &Space, pos: &[Vec2]) -> Self {
        let mut s = Sums::default();
        let turn = std::f32::consts::TAU / space.size;
        for &p in pos {
            if space.wrap {
                let a = p * turn;
                let ((sx, cx), (sy, cy)) = (a.x.sin_cos(), a.y.sin_cos());
                s.cos += Vec2::new(cx, cy);
                s.sin += Vec2::new(sx, sy);
            } else {
                s.pos += p;
            }
        }
        s
    }

    fn add(self, o: Self) -> Self {
        Sums { heading: self.heading + o.heading, pos: self.pos + o.pos, cos: self.cos + o.cos, sin: self.sin + o.sin }
    }

    /// The centre of mass of `n` birds; on a torus the circular mean of each coordinate.
    fn centre(&self, space: &Space, n: usize) -> Vec2 {
        if n == 0 {
            return space.size * 0.5;
        }
        if !space.wrap {
            return self.pos / n as f32;
        }
        let tau = std::f32::consts::TAU;
        let angle = |s: f32, c: f32| {
            let a = s.atan2(c);
            if a < 0.0 { a + tau } else { a }
        };
        space.contain(Vec2::new(angle(self.sin.x, self.cos.x), angle(self.sin.y, self.cos.y)) / tau * space.size)
    }
}

/// Polarization φ = |mean unit heading|: 1 when all fly the same way, ≈0 when headings are random.
pub fn polarization(vel: &[Vec2]) -> f32 {
    if vel.is_empty() {
        return 0.0;
    }
    let sum: Vec2 = vel.iter().map(|v| v.normalize_or_zero()).sum();
    sum.length() / vel.len() as f32
}

/// The centre of mass; on a torus the circular mean of each coordinate.
pub fn centre(space: &Space, pos: &[Vec2]) -> Vec2 {
    Sums::positions(space, pos).centre(space, pos.len())
}

/// Σ r̂ × v̂ over birds, r̂ the unit vector from `c` to a bird, v̂ its heading.
fn angular_sum(space: &Space, c: Vec2, pos: &[Vec2], vel: &[Vec2]) -> f32 {
    pos.iter().zip(vel).map(|(&p, &v)| space.offset(c, p).normalize_or_zero().perp_dot(v.normalize_or_zero())).sum()
}

/// Milling m = |mean (r̂ × v̂)|, r̂ the unit vector from the centre of mass to a bird, v̂ its
/// heading (Couzin et al. 2002): 1 for birds circling the centre, ≈0 otherwise.
pub fn milling(space: &Space, pos: &[Vec2], vel: &[Vec2]) -> f32 {
    if pos.is_empty() {
        return 0.0;
    }
    let c = centre(space, pos);
    angular_sum(space, c, pos, vel).abs() / pos.len() as f32
}

/// Polarization and milling together, `(φ, m)`, summed in parallel chunks: the same values as
/// [`polarization`] and [`milling`] up to rounding.
pub fn order_parameters(space: &Space, pos: &[Vec2], vel: &[Vec2]) -> (f32, f32) {
    let n = pos.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let sums = chunked(n, |r| Sums::of(space, &pos[r.clone()], &vel[r])).into_iter().fold(Sums::default(), Sums::add);
    let c = sums.centre(space, n);
    let turning: f32 = chunked(n, |r| angular_sum(space, c, &pos[r.clone()], &vel[r])).into_iter().sum();
    (sums.heading.length() / n as f32, turning.abs() / n as f32)
}

/// Connected components of birds closer than the linking distance.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Clusters {
    /// Each slot's component label: the smallest slot of its component.
    pub label: Vec<u32>,
    /// Components of two or more birds.
    pub count: u32,
    /// Birds in the largest component (1 when all are alone, 0 with no birds).
    pub largest: u32,
}

/// The root of `i` in a union-find forest stored in `parent[i - base]` (path halving). Roots are
/// always the smallest slot of their set.
#[inline]
fn find(parent: &mut [u32], base: u32, mut i: u32) -> u32 {
    loop {
        let p = parent[(i - base) as usize];
        if p == i {
            return i;
        }
        let gp = parent[(p - base) as usize];
        if gp == p {
            return p;
        }
        parent[(i - base) as usize] = gp;
        i = gp;
    }
}

/// Joins the sets of `a` and `b`: the larger root goes under the smaller, so a set's root is its
/// smallest slot whatever order links are joined in.
#[inline]
fn union(parent: &mut [u32], base: u32, a: u32, b: u32) {
    let (ra, rb) = (find(parent, base, a), find(parent, base, b));
    if ra != rb {
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[(hi - base) as usize] = lo;
    }
}

/// Joins the set rooted at `theirs` with the set rooted at `*root` (both roots): the larger goes
/// under the smaller, and `*root` follows.
#[inline]
fn join_roots(parent: &mut [u32], base: u32, root: &mut u32, theirs: u32) {
    if theirs < *root {
        parent[(*root - base) as usize] = theirs;
        *root = theirs;
    } else if theirs > *root {
        parent[(theirs - base) as usize] = *root;
    }
}

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

/// The metrics grid's smallest cell side as a fraction of the linking distance: just under
/// 1/√2, so a cell's diagonal is shorter than the link and all birds in a cell are linked.
pub const METRICS_CELL: f32 = 1.0 / 1.42;

/// Rows of cells are scanned in bands of at least this many rows, at most [`BANDS`] of them: a
/// number that depends on the grid, not the thread count, so sums over bands come out the same on
/// every machine. Links from a band's last two rows into the next band are joined afterwards.
const ROWS_PER_BAND: usize = 24;
const BANDS: usize = 16;

/// What one band of rows found: its links into other bands' rows, and its birds' nearest
/// neighbours.
#[derive(Default)]
struct BandScan {
    edges: Vec<(u32, u32)>,
    nn_sum: f64,
    nn_count: u32,
}

/// The scan's constants for one grid and linking distance.
struct Scan<'a> {
    grid: &'a SpatialGrid,
    space: Space,
    link: f32,
    link2: f32,
    /// Cells within this many cells may hold linked birds.
    reach: usize,
    /// Whether a cell's diagonal is shorter than the link (all birds in a cell are linked).
    cells_linked: bool,
    /// Squared cell side: a nearest neighbour closer than this lies in the 3×3 block of cells.
    near2: f32,
    cols: usize,
    rows: usize,
}

impl Scan<'_> {
    #[inline]
    fn d2(&self, i: usize, j: usize) -> f32 {
        self.space.offset(self.grid.pos[i], self.grid.pos[j]).length_squared()
    }

    /// Whether any bird of `a` is closer than the link to any bird of `b`.
    #[inline]
    fn any_link(&self, a: std::ops::Range<usize>, b: std::ops::Range<usize>, plain: bool) -> bool {
        let pos = &self.grid.pos;
        if plain {
            a.into_iter().any(|i| b.clone().any(|j| (pos[j] - pos[i]).length_squared() < self.link2))
        } else {
            a.into_iter().any(|i| b.clone().any(|j| self.d2(i, j) < self.link2))
        }
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

    /// Scans the cells of rows `r0..r1`, whose slots start at `base` and whose union-find
    /// entries are `parent`: joins the links inside these rows, returns the links into other rows
    /// and the nearest-neighbour distances of these rows' birds.
    ///
    /// When cells are linked inside (see [`METRICS_CELL`]), one link between two cells joins them
    /// whole, so a pair of cells is looked at only until its first link, and not at all when the
    /// two are already joined. Each pair of cells is looked at from one of them: the forward half
    /// of the block around a cell (dy > 0, or dy = 0 and dx > 0).
    fn band(&self, r0: usize, r1: usize, base: u32, parent: &mut [u32]) -> BandScan {
        let grid = self.grid;
        let mut out = BandScan::default();
        let r = self.reach as isize;
        if self.cells_linked {
            // All birds of a cell are linked: join them to the cell's first bird up front, so a
            // link from another cell may reach any of them.
            for c in r0 * self.cols..r1 * self.cols {
                let own = grid.cell_slots(c % self.cols, c / self.cols);
                for i in own.start + 1..own.end {
                    parent[i - base as usize] = own.start as u32;
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
                if self.cells_linked && plain && self.reach == 2 && y + 2 < r1 {
                    self.interior(x, y, own, base, parent, &mut out);
                    continue;
                }
                if !self.cells_linked {
                    for i in own.clone() {
                        for j in i + 1..own.end {
                            if self.d2(i, j) < self.link2 {
                                union(parent, base, i as u32, j as u32);
                            }
                        }
                    }
                }
                // This cell's root, kept up to date as links join it to others.
                let mut root = find(parent, base, own.start as u32);
                for dy in 0..=r {
                    for dx in if dy == 0 { 1 } else { -r }..=r {
                        let (nx, ny) = if plain {
                            ((x as isize + dx) as usize, y + dy as usize)
                        } else {
                            match self.neighbour(x, y, dx, dy) {
                                Some(c) if c != (x, y) => c,
                                _ => continue,
                            }
                        };
                        let other = grid.cell_slots(nx, ny);
                        if other.is_empty() {
                            continue;
                        }
                        let local = ny < r1 && ny >= r0;
                        if self.cells_linked {
                            if !local {
                                if self.any_link(own.clone(), other.clone(), plain) {
                                    out.edges.push((own.start as u32, other.start as u32));
                                }
                                continue;
                            }
                            let theirs = find(parent, base, other.start as u32);
                            if theirs == root {
                                continue;
                            }
                            if self.any_link(own.clone(), other, plain) {
                                join_roots(parent, base, &mut root, theirs);
                            }
                        } else {
                            for i in own.clone() {
                                for j in other.clone() {
                                    if self.d2(i, j) < self.link2 {
                                        if local {
                                            union(parent, base, i as u32, j as u32);
                                        } else {
                                            out.edges.push((i as u32, j as u32));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                self.nearest(x, y, own, plain, &mut out);
            }
        }
        out
    }

    /// The common case, a cell away from seams, edges and the band's last rows when cells are
    /// linked inside (so the reach is 2 cells): per bird, one pass over the runs of slots ahead
    /// (the rest of its row up to 2 cells on, and 5 cells in each of the next 2 rows) joins the
    /// cells of the birds it links to, and one over the 3×3 cells around finds its nearest
    /// neighbour. A row of neighbouring cells is one contiguous run of slots.
    fn interior(&self, x: usize, y: usize, own: std::ops::Range<usize>, base: u32, parent: &mut [u32], out: &mut BandScan) {
        let grid = self.grid;
        let pos = &grid.pos;
        let around = self.around(x, y);
        let ahead = [own.end..self.run(x + 2, x + 2, y).end, self.run(x - 2, x + 2, y + 1), self.run(x - 2, x + 2, y + 2)];
        // This cell's root, kept up to date as links join it to others.
        let mut root = find(parent, base, own.start as u32);
        // The parent of the last bird joined: the birds of one cell mostly share it, and a bird
        // whose parent is already in this set needs no find.
        let mut joined = root;
        for i in own {
            let p = pos[i];
            for r in &ahead {
                // Which birds of the run are linked, as bits (no branch per bird: whether one is
                // linked is a coin flip the CPU cannot predict), then join those.
                for start in r.clone().step_by(64) {
                    let end = (start + 64).min(r.end);
                    let mut linked = 0u64;
                    for (k, j) in (start..end).enumerate() {
                        linked |= u64::from((pos[j] - p).length_squared() < self.link2) << k;
                    }
                    while linked != 0 {
                        let j = start + linked.trailing_zeros() as usize;
                        linked &= linked - 1;
                        let up = parent[j - base as usize];
                        if up == joined || up == root {
                            continue;
                        }
                        joined = up;
                        let theirs = find(parent, base, up);
                        join_roots(parent, base, &mut root, theirs);
                    }
                }
            }
            let best = around.iter().map(|r| min_d2_except(pos, p, r.clone(), i)).fold(f32::INFINITY, f32::min);
            self.settle_nearest(i, best, out);
        }
    }

    /// The 3×3 cells around `(x, y)`, away from seams and edges: three rows of three cells, each
    /// row one contiguous run of slots.
    #[inline]
    fn around(&self, x: usize, y: usize) -> [std::ops::Range<usize>; 3] {
        [self.run(x - 1, x + 1, y - 1), self.run(x - 1, x + 1, y), self.run(x - 1, x + 1, y + 1)]
    }

    /// The slots of cells `x0..=x1` of one row: a contiguous run (no wrapping).
    #[inline]
    fn run(&self, x0: usize, x1: usize, row: usize) -> std::ops::Range<usize> {
        self.grid.cell_slots(x0, row).start..self.grid.cell_slots(x1, row).end
    }

    /// Adds bird `i`'s nearest-neighbour distance, given the smallest squared distance `best`
    /// found in the 3×3 cells around it: only when that is farther than a cell side can a
    /// closer one lie beyond, and then the whole linking radius is searched.
    #[inline]
    fn settle_nearest(&self, i: usize, mut best: f32, out: &mut BandScan) {
        if best > self.near2 {
            let mut far = best;
            self.grid.for_each_within(self.grid.pos[i], self.link, |j, _, d| {
                if j != i {
                    far = far.min(d);
                }
            });
            best = far;
        }
        if best < self.link2 {
            out.nn_sum += f64::from(best.sqrt());
            out.nn_count += 1;
        }
    }

    /// Adds the nearest-neighbour distances of the birds in cell `(x, y)` (slots `own`): looked
    /// for in the 3×3 cells around first; only when that one is farther than a cell side can a
    /// closer one lie beyond.
    #[inline]
    fn nearest(&self, x: usize, y: usize, own: std::ops::Range<usize>, plain: bool, out: &mut BandScan) {
        let grid = self.grid;
        let pos = &grid.pos;
        let around = plain.then(|| self.around(x, y));
        for i in own {
            let p = pos[i];
            let mut best = f32::INFINITY;
            if let Some(around) = &around {
                for r in around {
                    best = best.min(min_d2_except(pos, p, r.clone(), i));
                }
            } else {
                // Near the seams or edges: the grid's wrap-aware walk over the block.
                grid.for_each_block(x, y, 1, |a, b| {
                    for j in a..b {
                        if j != i {
                            best = best.min(self.d2(i, j));
                        }
                    }
                });
            }
            self.settle_nearest(i, best, out);
        }
    }
}

/// The smallest squared distance from `p` to the birds in slots `run`, leaving out slot `skip`.
#[inline]
fn min_d2_except(pos: &[Vec2], p: Vec2, run: std::ops::Range<usize>, skip: usize) -> f32 {
    // `if d < best` rather than `f32::min`: one instruction, no NaN handling (distances here are
    // finite).
    let min_over = |r: std::ops::Range<usize>, mut best: f32| {
        for &q in &pos[r] {
            let d = (q - p).length_squared();
            best = if d < best { d } else { best };
        }
        best
    };
    if run.contains(&skip) {
        min_over(skip + 1..run.end, min_over(run.start..skip, f32::INFINITY))
    } else {
        min_over(run, f32::INFINITY)
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
        link,
        link2: link * link,
        reach: (link / cell.min_element().max(1e-6)).ceil().max(1.0) as usize,
        cells_linked: cell.length_squared() < link * link,
        near2: cell.min_element() * cell.min_element(),
        cols,
        rows,
    };
    let nb = (rows / ROWS_PER_BAND).clamp(1, BANDS);
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut bands = Vec::with_capacity(nb);
    let mut rest: &mut [u32] = &mut parent;
    let mut at = 0;
    for b in 0..nb {
        let (r0, r1) = (b * rows / nb, (b + 1) * rows / nb);
        let end = if r1 == rows { n } else { grid.cell_slots(0, r1).start };
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(end - at);
        bands.push((r0, r1, at as u32, head));
        rest = tail;
        at = end;
    }
    let scan = &scan;
    let parts: Vec<BandScan> = match bevy::tasks::ComputeTaskPool::try_get() {
        Some(pool) if nb > 1 => pool.scope(|s| {
            for (r0, r1, base, part) in bands {
                s.spawn(async move { scan.band(r0, r1, base, part) });
            }
        }),
        _ => bands.into_iter().map(|(r0, r1, base, part)| scan.band(r0, r1, base, part)).collect(),
    };
    let (mut nn_sum, mut nn_count) = (0.0, 0);
    for part in &parts {
        for &(a, b) in &part.edges {
            union(&mut parent, 0, a, b);
        }
        nn_sum += part.nn_sum;
        nn_count += part.nn_count;
    }
    let label: Vec<u32> = (0..n as u32).map(|i| find(&mut parent, 0, i)).collect();
    LinkScan { clusters: clusters_from_labels(label), nn_sum, nn_count }
}

/// Cluster count and size from each slot's root label.
fn clusters_from_labels(label: Vec<u32>) -> Clusters {
    let mut size = vec![0u32; label.len()];
    for &l in &label {
        size[l as usize] += 1;
    }
    Clusters {
        count: size.iter().filter(|&&s| s >= 2).count() as u32,
        largest: size.iter().copied().max().unwrap_or(0),
        label,
    }
}

/// Connected components from a list of links (sequential union-find; the smallest slot is each
/// root). The plain reference the parallel scan is tested against.
pub fn clusters_from_edges(n: usize, edges: &[(u32, u32)]) -> Clusters {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    for &(i, j) in edges {
        union(&mut parent, 0, i, j);
    }
    let label: Vec<u32> = (0..n as u32).map(|i| find(&mut parent, 0, i)).collect();
    clusters_from_labels(label)
}

/// Birds closer than `link` are joined; clusters are the connected components.
pub fn clusters(grid: &SpatialGrid, link: f32) -> Clusters {
    link_scan(grid, link).clusters
}

/// Mean distance from each bird to its nearest neighbour, over birds that have one within
/// `radius`; `None` when no bird has one.
pub fn mean_nn_distance(grid: &SpatialGrid, radius: f32) -> Option<f32> {
    let scan = link_scan(grid, radius);
    (scan.nn_count > 0).then(|| (scan.nn_sum / f64::from(scan.nn_count)) as f32)
}

#[cfg(test)]
mod tests;
