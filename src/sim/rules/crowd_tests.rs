//! The neighbour pass through crowded cells against brute force: the same neighbours exactly
//! (counts), the same sums up to rounding, and the same bits from every kernel.

use rand::{RngExt, SeedableRng};

use super::kernel::Kernel;
use super::*;
use crate::sim::params::EdgeMode;

/// Balls of birds packed far tighter than a cell (some across the wrap seams, some at one
/// point, some standing still or all but: velocities whose squares are 0 or subnormal) among
/// scattered birds, in a world of `size`.
fn balls(seed: u64, size: Vec2) -> Vec<(Vec2, Vec2)> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut birds = Vec::new();
    let centres = [Vec2::new(0.3, 0.4) * size, Vec2::new(0.32, 0.41) * size, Vec2::new(0.0, 0.5) * size, Vec2::new(0.7, 0.0) * size];
    for (k, &c) in centres.iter().enumerate() {
        let (spread, heading) = ([3.0, 12.0, 6.0, 0.0][k], rng.random::<f32>() * std::f32::consts::TAU);
        for i in 0..300 {
            let p = c + Vec2::from_angle(rng.random::<f32>() * std::f32::consts::TAU) * spread * rng.random::<f32>().sqrt();
            let direction = Vec2::from_angle(heading + 0.3 * (rng.random::<f32>() - 0.5));
            let v = match i % 50 {
                0 => Vec2::ZERO,
                1 => direction * 1e-30,
                2 => direction * 1e-20,
                _ => direction * 40.0,
            };
            birds.push((p.rem_euclid(size), v));
        }
    }
    for _ in 0..300 {
        let p = Vec2::new(rng.random::<f32>(), rng.random::<f32>()) * size;
        birds.push((p, Vec2::from_angle(rng.random::<f32>() * std::f32::consts::TAU) * 40.0));
    }
    birds
}

#[test]
fn crowded_cells_give_the_neighbours_of_brute_force_and_the_same_bits_on_every_kernel() {
    for (seed, size, fov_deg, edge_mode, alignment_radius) in [
        (1, Vec2::new(200.0, 200.0), 270.0, EdgeMode::Wrap, 40.0),
        (2, Vec2::new(200.0, 200.0), 120.0, EdgeMode::Wrap, 25.0),
        (3, Vec2::new(300.0, 200.0), 360.0, EdgeMode::Bounce, 40.0),
        (4, Vec2::new(300.0, 200.0), 200.0, EdgeMode::Wrap, 10.0),
        (5, Vec2::new(40000.0, 30000.0), 270.0, EdgeMode::Wrap, 40.0),
        (6, Vec2::new(150.0, 120.0), 90.0, EdgeMode::Wrap, 40.0),
        // a blind cone so thin that f32 barely tells its edges apart, and the narrowest view
        (7, Vec2::new(200.0, 200.0), 359.95, EdgeMode::Wrap, 40.0),
        (8, Vec2::new(200.0, 200.0), 10.0, EdgeMode::Wrap, 40.0),
    ] {
        let p = SimParams {
            world_width: size.x,
            world_height: size.y,
            neighbor_radius: 40.0,
            alignment_radius,
            separation_weight: 0.0,
            fov_deg,
            edge_mode,
            ..SimParams::default()
        };
        assert!(crowd_trees_for(&p));
        let birds = balls(seed, size);
        let mut grid = SpatialGrid::default();
        grid.set_crowd_trees(true);
        grid.rebuild(Space::from_params(&p), cell_size_for(&p), birds.iter().enumerate().map(|(i, &(x, v))| (i as u32, x, v)));
        assert!(grid.crowded.cells.len() >= 3, "seed {seed}: the balls fill crowded cells");
        let per = Perception::from_params(&p);
        let mut run = vec![NeighborSums::default(); grid.len()];
        gather_run(&grid, &per, 0, &mut run);
        let (mut scratch, mut through_crowds) = (crowd::Scratch::default(), 0);
        let bits = |s: &NeighborSums| (s.count, s.align_count, [s.offset_sum, s.velocity_sum, s.separation].map(|v| v.to_array().map(f32::to_bits)));
        grid.walk_blocks(0, grid.len(), CELLS_PER_RADIUS, |block| {
            let shape = kernel::Shape::new(&per, block.may_wrap);
            let portable = crowd::sum_block(Kernel::Portable, shape, &grid, &per, &block, &mut scratch);
            let best = crowd::sum_block(Kernel::Auto, shape, &grid, &per, &block, &mut scratch);
            through_crowds += usize::from(!block.crowds.is_empty());
            let chosen = if block.crowds.is_empty() { kernel::sum_ranges(Kernel::Auto, &grid, &per, block.slot, block.ranges) } else { best };
            assert_eq!(bits(&portable), bits(&best), "seed {seed} slot {}", block.slot);
            assert_eq!(bits(&run[block.slot]), bits(&chosen), "seed {seed} slot {}", block.slot);
        });
        for (slot, got) in run.iter().enumerate() {
            let mut want = NeighborSums::default();
            for j in (0..grid.len()).filter(|&j| j != slot) {
                let d = per.space.offset(grid.pos[slot], grid.pos[j]);
                accumulate(&mut want, &per, grid.vel[slot], d, d.length_squared(), grid.vel[j]);
            }
            assert_eq!((got.count, got.align_count), (want.count, want.align_count), "seed {seed} slot {slot}");
            for (a, b) in [(got.offset_sum, want.offset_sum), (got.velocity_sum, want.velocity_sum)] {
                assert!((a - b).length() <= 1e-4 * (1.0 + b.length()) + 1e-3 * got.count as f32, "seed {seed} slot {slot}: {a} vs {b}");
            }
        }
        assert!(through_crowds >= 900, "seed {seed}: only {through_crowds} birds have crowded cells in reach");
    }
}
