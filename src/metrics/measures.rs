//! The measures of a flock's state: pure functions over positions and velocities.

use std::sync::atomic::{AtomicU32, Ordering};

use bevy::math::Vec2;

use crate::sim::grid::SpatialGrid;
use crate::sim::space::Space;

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
    if pos.is_empty() {
        return space.size * 0.5;
    }
    if !space.wrap {
        return pos.iter().copied().sum::<Vec2>() / pos.len() as f32;
    }
    let tau = std::f32::consts::TAU;
    let (mut cx, mut sx, mut cy, mut sy) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    for p in pos {
        let ax = p.x / space.size.x * tau;
        let ay = p.y / space.size.y * tau;
        cx += ax.cos();
        sx += ax.sin();
        cy += ay.cos();
        sy += ay.sin();
    }
    let wrap_angle = |s: f32, c: f32| {
        let a = s.atan2(c);
        if a < 0.0 { a + tau } else { a }
    };
    space.contain(Vec2::new(
        wrap_angle(sx, cx) / tau * space.size.x,
        wrap_angle(sy, cy) / tau * space.size.y,
    ))
}

/// Milling m = |mean (r̂ × v̂)|, r̂ the unit vector from the centre of mass to a bird, v̂ its
/// heading (Couzin et al. 2002): 1 for birds circling the centre, ≈0 otherwise.
pub fn milling(space: &Space, pos: &[Vec2], vel: &[Vec2]) -> f32 {
    if pos.is_empty() {
        return 0.0;
    }
    let c = centre(space, pos);
    let sum: f32 = pos
        .iter()
        .zip(vel)
        .map(|(&p, &v)| space.offset(c, p).normalize_or_zero().perp_dot(v.normalize_or_zero()))
        .sum();
    sum.abs() / pos.len() as f32
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

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        let p = parent[i as usize];
        parent[i as usize] = parent[p as usize];
        i = p;
    }
    i
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

const SCAN_CHUNK: usize = 4096;

/// The metrics grid's smallest cell side as a fraction of the linking distance: just under
/// 1/√2, so a cell's diagonal is shorter than the link and all birds in a cell are linked.
pub const METRICS_CELL: f32 = 1.0 / 1.42;

/// The root of `i` in a union-find forest shared between threads (path halving).
fn find_shared(parent: &[AtomicU32], mut i: u32) -> u32 {
    loop {
        let p = parent[i as usize].load(Ordering::Relaxed);
        if p == i {
            return i;
        }
        let gp = parent[p as usize].load(Ordering::Relaxed);
        if gp != p {
            // Any ancestor is a valid parent, so a lost race only costs a longer walk.
            let _ = parent[i as usize].compare_exchange_weak(p, gp, Ordering::Relaxed, Ordering::Relaxed);
        }
        i = gp;
    }
}

/// Joins the sets of `a` and `b`; the larger root goes under the smaller, so every set's root is
/// its smallest slot whatever order threads join in.
fn union_shared(parent: &[AtomicU32], a: u32, b: u32) {
    loop {
        let (ra, rb) = (find_shared(parent, a), find_shared(parent, b));
        if ra == rb {
            return;
        }
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        if parent[hi as usize].compare_exchange(hi, lo, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
            return;
        }
    }
}

/// Scans the cells whose first slot is in `first..end`: joins linked birds in `parent` and returns
/// the sum and count of nearest-neighbour distances of the birds in those cells.
///
/// Cells are at least `link / 1.42` wide (see [`METRICS_CELL`]). When a cell's diagonal is shorter than `link`, all birds in
/// a cell are linked to each other, and one link between two cells joins them whole, so a pair of
/// cells is only scanned until its first link. A bird's nearest neighbour is looked for in the
/// 3×3 cells around it first; only when it is farther than one cell can a closer one lie beyond.
fn scan_chunk(grid: &SpatialGrid, link: f32, first: usize, end: usize, parent: &[AtomicU32]) -> (f64, u32) {
    let Some(space) = grid.space_opt() else { return (0.0, 0) };
    let link2 = link * link;
    let cell = grid.cell_size();
    let reach = (link / cell.min_element().max(1e-6)).ceil().max(1.0) as usize;
    let cells_linked = cell.length_squared() < link2;
    let near2 = cell.min_element() * cell.min_element();
    let d2 = |i: usize, j: usize| space.offset(grid.pos[i], grid.pos[j]).length_squared();
    let (mut nn_sum, mut nn_count) = (0.0f64, 0u32);
    let mut near = Vec::new();
    let mut slot = first;
    // A cell that started in the previous chunk belongs to it.
    if slot > 0 && slot < end && grid.cell_coords(grid.pos[slot]) == grid.cell_coords(grid.pos[slot - 1]) {
        let (x, y) = grid.cell_coords(grid.pos[slot]);
        slot = grid.cell_slots(x, y).end;
    }
    while slot < end {
        let (x, y) = grid.cell_coords(grid.pos[slot]);
        let own = grid.cell_slots(x, y);
        // Links inside the cell.
        if cells_linked {
            for i in own.start + 1..own.end {
                union_shared(parent, own.start as u32, i as u32);
            }
        } else {
            for i in own.clone() {
                for j in i + 1..own.end {
                    if d2(i, j) < link2 {
                        union_shared(parent, i as u32, j as u32);
                    }
                }
            }
        }
        // Links to the cells in the forward half of the block around (dy > 0, or dy = 0 and
        // dx > 0): every pair of neighbouring cells is looked at from one of its two cells.
        let (cols, rows) = grid.dims();
        let wrap = space.wrap;
        let r = reach as isize;
        for dy in 0..=r {
            for dx in if dy == 0 { 1 } else { -r }..=r {
                let (mut nx, mut ny) = (x as isize + dx, y as isize + dy);
                if wrap {
                    // |d| ≤ reach, and a wrapping grid is at least as wide as… one cell: wrap by
                    // repeated steps (no division on this hot path).
                    while nx < 0 {
                        nx += cols as isize;
                    }
                    while nx >= cols as isize {
                        nx -= cols as isize;
                    }
                    while ny >= rows as isize {
                        ny -= rows as isize;
                    }
                } else if nx < 0 || nx >= cols as isize || ny >= rows as isize {
                    continue;
                }
                let (nx, ny) = (nx as usize, ny as usize);
                if (nx, ny) == (x, y) {
                    continue;
                }
                let slots = grid.cell_slots(nx, ny);
                if slots.is_empty() {
                    continue;
                }
                if cells_linked {
                    if own.clone().any(|i| slots.clone().any(|j| d2(i, j) < link2)) {
                        union_shared(parent, own.start as u32, slots.start as u32);
                    }
                } else {
                    for i in own.clone() {
                        for j in slots.clone() {
                            if d2(i, j) < link2 {
                                union_shared(parent, i as u32, j as u32);
                            }
                        }
                    }
                }
            }
        }
        // Nearest neighbours.
        grid.block_ranges(x, y, 1, &mut near);
        for i in own.clone() {
            let mut best = f32::INFINITY;
            for &(a, b) in &near {
                for j in a as usize..b as usize {
                    best = best.min(if j == i { f32::INFINITY } else { d2(i, j) });
                }
            }
            if best > near2 {
                grid.for_each_within(grid.pos[i], link, |j, _, d| {
                    if j != i {
                        best = best.min(d);
                    }
                });
            }
            if best < link2 {
                nn_sum += f64::from(best.sqrt());
                nn_count += 1;
            }
        }
        slot = own.end;
    }
    (nn_sum, nn_count)
}

/// Scans every bird's surroundings up to the linking distance, in parallel chunks when Bevy's
/// compute pool exists, joining linked birds in a shared union-find; the result does not depend on
/// the thread count.
pub fn link_scan(grid: &SpatialGrid, link: f32) -> LinkScan {
    let n = grid.len();
    let parent: Vec<AtomicU32> = (0..n as u32).map(AtomicU32::new).collect();
    let chunks: Vec<(usize, usize)> = (0..n).step_by(SCAN_CHUNK).map(|a| (a, (a + SCAN_CHUNK).min(n))).collect();
    let parent_ref = &parent;
    let parts: Vec<(f64, u32)> = match bevy::tasks::ComputeTaskPool::try_get() {
        Some(pool) if chunks.len() > 1 => pool.scope(|scope| {
            for &(a, b) in &chunks {
                scope.spawn(async move { scan_chunk(grid, link, a, b, parent_ref) });
            }
        }),
        _ => chunks.iter().map(|&(a, b)| scan_chunk(grid, link, a, b, parent_ref)).collect(),
    };
    let (mut nn_sum, mut nn_count) = (0.0, 0);
    for (sum, count) in parts {
        nn_sum += sum;
        nn_count += count;
    }
    let label: Vec<u32> = (0..n as u32).map(|i| find_shared(&parent, i)).collect();
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
        let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
        if ri != rj {
            let (lo, hi) = if ri < rj { (ri, rj) } else { (rj, ri) };
            parent[hi as usize] = lo;
        }
    }
    let label: Vec<u32> = (0..n as u32).map(|i| find(&mut parent, i)).collect();
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
