//! Plain references the fast measures are tested against: φ and m summed bird by bird, and
//! clusters and nearest-neighbour distances from every pair of birds. O(N²) where it says so; for
//! tests and checks, never for a running flock.

use bevy::math::Vec2;

use super::clusters::{Clusters, clusters_from_labels, find, union};
use super::order::centre;
use crate::sim::space::Space;

/// Polarization φ = |mean unit heading|: 1 when all fly the same way, ≈0 when headings are random.
pub fn polarization(vel: &[Vec2]) -> f32 {
    if vel.is_empty() {
        return 0.0;
    }
    let sum: Vec2 = vel.iter().map(|v| v.normalize_or_zero()).sum();
    sum.length() / vel.len() as f32
}

/// Milling m = |mean (r̂ × v̂)|, r̂ the unit vector from the centre of mass to a bird, v̂ its
/// heading (Couzin et al. 2002): 1 for birds circling the centre, ≈0 otherwise.
pub fn milling(space: &Space, pos: &[Vec2], vel: &[Vec2]) -> f32 {
    if pos.is_empty() {
        return 0.0;
    }
    let c = centre(space, pos);
    super::order::angular_sum(space, c, pos, vel).abs() / pos.len() as f32
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

/// What the link scan finds, from every pair of birds: clusters of birds closer than `link`, the
/// number of birds with a neighbour closer than `link`, and their mean nearest-neighbour distance.
/// `pos` in slot order (labels are slots). O(N²).
pub fn all_pairs(space: &Space, pos: &[Vec2], link: f32) -> (Clusters, usize, f64) {
    let mut edges = Vec::new();
    let mut nearest = vec![f32::INFINITY; pos.len()];
    for i in 0..pos.len() {
        for j in i + 1..pos.len() {
            let d2 = space.offset(pos[i], pos[j]).length_squared();
            if d2 < link * link {
                edges.push((i as u32, j as u32));
                nearest[i] = nearest[i].min(d2);
                nearest[j] = nearest[j].min(d2);
            }
        }
    }
    let with: Vec<f64> = nearest.iter().filter(|d| d.is_finite()).map(|d| f64::from(d.sqrt())).collect();
    let mean = if with.is_empty() { 0.0 } else { with.iter().sum::<f64>() / with.len() as f64 };
    (clusters_from_edges(pos.len(), &edges), with.len(), mean)
}
