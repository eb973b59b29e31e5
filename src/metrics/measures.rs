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

/// Union-find over the grid: birds closer than `link` (≤ the grid's cell size) are joined.
pub fn clusters(grid: &SpatialGrid, link: f32) -> Clusters {
    let n = grid.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let space = grid.space_opt();
    let link2 = link * link;
    for i in 0..n {
        let p = grid.pos[i];
        let (x, y) = grid.cell_coords(p);
        grid.for_each_block(x, y, 1, |a, b| {
            for j in a.max(i + 1)..b {
                let d = space.map_or(grid.pos[j] - p, |s| s.offset(p, grid.pos[j]));
                if d.length_squared() < link2 {
                    let (ri, rj) = (find(&mut parent, i as u32), find(&mut parent, j as u32));
                    if ri != rj {
                        // the smaller slot is the root: labels do not depend on visit order
                        let (lo, hi) = if ri < rj { (ri, rj) } else { (rj, ri) };
                        parent[hi as usize] = lo;
                    }
                }
            }
        });
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

/// Mean distance from each bird to its nearest neighbour, over birds that have one within the
/// grid's cell size (the 3×3 block); `None` when no bird has one.
pub fn mean_nn_distance(grid: &SpatialGrid) -> Option<f32> {
    let space = grid.space_opt()?;
    let (mut sum, mut n) = (0.0f64, 0u32);
    let limit2 = grid.cell_size().min_element().powi(2);
    for i in 0..grid.len() {
        let p = grid.pos[i];
        let (x, y) = grid.cell_coords(p);
        let mut best = f32::INFINITY;
        grid.for_each_block(x, y, 1, |a, b| {
            for j in a..b {
                if j != i {
                    best = best.min(space.offset(p, grid.pos[j]).length_squared());
                }
            }
        });
        if best < limit2 {
            sum += f64::from(best.sqrt());
            n += 1;
        }
    }
    (n > 0).then(|| (sum / f64::from(n)) as f32)
}

#[cfg(test)]
mod tests;
