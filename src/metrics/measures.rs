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

fn scan_chunk(grid: &SpatialGrid, link: f32, first: usize, end: usize, parent: &[AtomicU32]) -> (f64, u32) {
    let Some(space) = grid.space_opt() else { return (0.0, 0) };
    let link2 = link * link;
    let cell = grid.cell_size().min_element().max(1e-6);
    let reach = (link / cell).ceil().max(1.0) as usize;
    let (mut nn_sum, mut nn_count) = (0.0f64, 0u32);
    grid.walk_blocks(first, end, reach, |i, ranges| {
        let p = grid.pos[i];
        let mut best = f32::INFINITY;
        // The last root joined: most links of a bird go to the same set, so most unions are skipped.
        let mut joined = u32::MAX;
        for &(a, b) in ranges {
            for j in a as usize..b as usize {
                let d2 = if j == i { f32::INFINITY } else { space.offset(p, grid.pos[j]).length_squared() };
                best = best.min(d2);
                if j > i && d2 < link2 {
                    let root = find_shared(parent, j as u32);
                    if root != joined {
                        union_shared(parent, i as u32, root);
                        joined = find_shared(parent, root);
                    }
                }
            }
        }
        if best < link2 {
            nn_sum += f64::from(best.sqrt());
            nn_count += 1;
        }
    });
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
