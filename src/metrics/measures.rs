//! The measures of a flock's state: pure functions over positions and velocities.

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
    /// Pairs `(i, j)`, `i < j`, of slots closer than the linking distance, in slot order.
    pub edges: Vec<(u32, u32)>,
    /// Sum of nearest-neighbour distances of birds that have a neighbour within `link`.
    pub nn_sum: f64,
    /// How many birds have a neighbour within `link`.
    pub nn_count: u32,
}

const SCAN_CHUNK: usize = 4096;

fn scan_chunk(grid: &SpatialGrid, link: f32, first: usize, end: usize) -> LinkScan {
    let Some(space) = grid.space_opt() else { return LinkScan::default() };
    let link2 = link * link;
    let cell = grid.cell_size().min_element().max(1e-6);
    let reach = (link / cell).ceil().max(1.0) as usize;
    let mut out = LinkScan::default();
    grid.walk_blocks(first, end, reach, |i, ranges| {
        let p = grid.pos[i];
        let mut best = f32::INFINITY;
        for &(a, b) in ranges {
            for j in a as usize..b as usize {
                let d2 = if j == i { f32::INFINITY } else { space.offset(p, grid.pos[j]).length_squared() };
                best = best.min(d2);
                if j > i && d2 < link2 {
                    out.edges.push((i as u32, j as u32));
                }
            }
        }
        if best < link2 {
            out.nn_sum += f64::from(best.sqrt());
            out.nn_count += 1;
        }
    });
    out
}

/// Scans every bird's surroundings up to the linking distance, in parallel chunks when Bevy's
/// compute pool exists; the result does not depend on the thread count.
pub fn link_scan(grid: &SpatialGrid, link: f32) -> LinkScan {
    let n = grid.len();
    let chunks: Vec<(usize, usize)> = (0..n).step_by(SCAN_CHUNK).map(|a| (a, (a + SCAN_CHUNK).min(n))).collect();
    let parts: Vec<LinkScan> = match bevy::tasks::ComputeTaskPool::try_get() {
        Some(pool) if chunks.len() > 1 => pool.scope(|scope| {
            for &(a, b) in &chunks {
                scope.spawn(async move { scan_chunk(grid, link, a, b) });
            }
        }),
        _ => chunks.iter().map(|&(a, b)| scan_chunk(grid, link, a, b)).collect(),
    };
    let mut all = LinkScan::default();
    for part in parts {
        all.edges.extend(part.edges);
        all.nn_sum += part.nn_sum;
        all.nn_count += part.nn_count;
    }
    all
}

/// Connected components from the scan's edges (union-find; the smallest slot is each root).
pub fn clusters_from_edges(n: usize, edges: &[(u32, u32)]) -> Clusters {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    for &(i, j) in edges {
        let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
        if ri != rj {
            let (lo, hi) = if ri < rj { (ri, rj) } else { (rj, ri) };
            parent[hi as usize] = lo;
        }
    }
    let mut size = vec![0u32; n];
    let label: Vec<u32> = (0..n as u32).map(|i| find(&mut parent, i)).collect();
    for &l in &label {
        size[l as usize] += 1;
    }
    Clusters {
        count: size.iter().filter(|&&s| s >= 2).count() as u32,
        largest: size.iter().copied().max().unwrap_or(0),
        label,
    }
}

/// Birds closer than `link` are joined; clusters are the connected components.
pub fn clusters(grid: &SpatialGrid, link: f32) -> Clusters {
    clusters_from_edges(grid.len(), &link_scan(grid, link).edges)
}

/// Mean distance from each bird to its nearest neighbour, over birds that have one within
/// `radius`; `None` when no bird has one.
pub fn mean_nn_distance(grid: &SpatialGrid, radius: f32) -> Option<f32> {
    let scan = link_scan(grid, radius);
    (scan.nn_count > 0).then(|| (scan.nn_sum / f64::from(scan.nn_count)) as f32)
}

#[cfg(test)]
mod tests;
