//! The topological neighbour pass against brute force: every pair looked at, the k nearest seen
//! birds within the neighbour radius chosen by (distance², id).

use rand::{RngExt, SeedableRng};

use super::*;
use crate::sim::params::NeighborMode;
use bevy::math::Vec3;

fn params(k: u32, wrap: bool) -> SimParams {
    SimParams {
        world_width: 400.0,
        world_height: 300.0,
        neighbor_radius: 30.0,
        separation_radius: 8.0,
        fov_deg: 270.0,
        neighbor_mode: NeighborMode::Topological,
        topological_k: k,
        edge_mode: if wrap { crate::sim::params::EdgeMode::Wrap } else { crate::sim::params::EdgeMode::Bounce },
        ..SimParams::default()
    }
}

/// The sums of every bird (by id) from the grid pass, in one chunk per 7 slots (chunking must
/// not matter).
fn by_grid(p: &SimParams, birds: &[(Vec2, Vec2)]) -> Vec<NeighborSums> {
    let mut grid = SpatialGrid::default();
    grid.rebuild(Space::from_params(p), cell_size_for(p), birds.iter().enumerate().map(|(i, &(x, v))| (i as u32, x, v)));
    let per = Perception::from_params(p);
    let mut sums = vec![NeighborSums::default(); grid.len()];
    for (c, chunk) in sums.chunks_mut(7).enumerate() {
        gather_run_topological(&grid, &per, per.topological_k.unwrap(), c * 7, chunk);
    }
    let mut out = vec![NeighborSums::default(); birds.len()];
    for (slot, s) in sums.into_iter().enumerate() {
        out[grid.ids[slot] as usize] = s;
    }
    out
}

/// The same sums by looking at every pair.
fn brute(p: &SimParams, birds: &[(Vec2, Vec2)]) -> Vec<NeighborSums> {
    brute_in(Perception::from_params(p), p, birds)
}

/// [`brute`] in any dimension, with the perception given.
fn brute_in<V: Vector>(per: Perception<V>, p: &SimParams, birds: &[(V, V)]) -> Vec<NeighborSums<V>> {
    let k = p.topological_k as usize;
    (0..birds.len())
        .map(|i| {
            let (x, v) = birds[i];
            let mut seen: Vec<(f32, u32, V, V)> = Vec::new();
            let mut s = NeighborSums::default();
            for (j, &(y, w)) in birds.iter().enumerate() {
                let d = per.space.offset(x, y);
                let d2 = d.length_squared();
                if j == i || !per.sees(v, d, d2) {
                    continue;
                }
                if d2 < per.separation_r2 {
                    s.separation -= d * (1.0 / d2.max(MIN_SEPARATION_DIST2));
                }
                if d2 < per.neighbor_r2 {
                    seen.push((d2, j as u32, d, w));
                }
            }
            seen.sort_by(|a, b| (a.0, a.1).partial_cmp(&(b.0, b.1)).unwrap());
            for &(d2, _, d, w) in seen.iter().take(k) {
                s.count += 1;
                s.offset_sum += d;
                if d2 < per.alignment_r2 {
                    s.align_count += 1;
                    s.velocity_sum += w;
                }
            }
            s
        })
        .collect()
}

fn close<V: Vector>(a: V, b: V) -> bool {
    (a - b).length() <= 1e-3 * (1.0 + a.length())
}

fn assert_same(p: &SimParams, birds: &[(Vec2, Vec2)], what: &str) {
    let (g, b) = (by_grid(p, birds), brute(p, birds));
    for (id, (g, b)) in g.iter().zip(&b).enumerate() {
        assert_eq!((g.count, g.align_count), (b.count, b.align_count), "{what}: bird {id}");
        // the same birds chosen, summed nearest first in both: the sums agree to rounding
        assert!(close(g.offset_sum, b.offset_sum) && close(g.velocity_sum, b.velocity_sum), "{what}: bird {id}: {g:?} vs {b:?}");
        assert!(close(g.separation, b.separation), "{what}: bird {id}: {g:?} vs {b:?}");
    }
}

fn random_birds(n: usize, seed: u64, place: impl Fn(&mut rand_chacha::ChaCha8Rng) -> Vec2) -> Vec<(Vec2, Vec2)> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let x = place(&mut rng);
            let v = Vec2::from_angle(rng.random::<f32>() * std::f32::consts::TAU) * 50.0;
            (x, v)
        })
        .collect()
}

#[test]
fn random_and_clumped_flocks_match_brute_force() {
    for k in [1, 7, 20] {
        let p = params(k, true);
        let uniform = random_birds(600, u64::from(k), |r| Vec2::new(r.random::<f32>() * 400.0, r.random::<f32>() * 300.0));
        assert_same(&p, &uniform, "uniform");
        // three tight clumps: many more birds in range than k
        let clumped = random_birds(600, 9 + u64::from(k), |r| {
            let c = [Vec2::new(100.0, 100.0), Vec2::new(250.0, 200.0), Vec2::new(300.0, 80.0)][r.random_range(0..3)];
            c + Vec2::new(r.random::<f32>() - 0.5, r.random::<f32>() - 0.5) * 40.0
        });
        assert_same(&p, &clumped, "clumped");
    }
    // a murmuration-like ball far denser than the cells (the skipped cells must not matter),
    // with a small separation radius, straddling cell borders
    let dense = SimParams { neighbor_radius: 10.0, separation_radius: 1.2, ..params(7, false) };
    let ball = random_birds(1500, 21, |r| Vec2::new(200.0, 150.0) + Vec2::new(r.random::<f32>() - 0.5, r.random::<f32>() - 0.5) * 12.0);
    assert_same(&dense, &ball, "dense ball");
}

/// The gap from a bird to a cell never exceeds its distance to any bird the grid puts in that
/// cell (`⌊q / side⌋`, clamped at the far edge), even where the coordinates are large and the
/// cells small (a 50,000 u world of 0.5 u cells), at cell borders and at the world's far edge.
#[test]
fn a_cells_gap_never_exceeds_the_distance_to_any_bird_in_it() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    for (size, n) in [(Vec2::new(50_000.0, 50.0), (99_991usize, 97usize)), (Vec2::new(1000.0, 700.0), (306, 214)), (Vec2::new(1.0, 1.0), (1, 1))] {
        let side = size / Vec2::new(n.0 as f32, n.1 as f32);
        let cell = |q: Vec2| [((q.x / side.x) as isize).clamp(0, n.0 as isize - 1), ((q.y / side.y) as isize).clamp(0, n.1 as isize - 1), 0];
        // points near cell borders (a few ulps either side), anywhere, and on the far edge
        let near_border = |r: &mut rand_chacha::ChaCha8Rng| {
            let k = Vec2::new(r.random_range(0..n.0 as u32) as f32, r.random_range(0..n.1 as u32) as f32);
            let b = k * side;
            let nudge = |x: f32, r: &mut rand_chacha::ChaCha8Rng| f32::from_bits((x.to_bits() as i64 + r.random_range(-4..=4i64)).max(0) as u32);
            Vec2::new(nudge(b.x, r), nudge(b.y, r)).min(size)
        };
        // every border of the last 3000 columns, a few ulps either side, seen from the far edge
        // and from the cell beyond
        for k in n.0.saturating_sub(3000)..n.0 {
            for d in -4..=4i64 {
                let b = k as f32 * side.x;
                let q = Vec2::new(f32::from_bits((b.to_bits() as i64 + d).max(0) as u32).min(size.x), 0.5 * side.y);
                for p in [Vec2::new(size.x, 0.5 * side.y), q + Vec2::new(side.x * 1.5, 0.0)] {
                    let p = p.min(size);
                    let gap = cell_gap(p, cell(q), side);
                    assert!(gap <= (q - p).length_squared(), "{p:?} to {q:?} (cell {:?}, side {side}): gap {gap} > {}", cell(q), (q - p).length_squared());
                }
            }
        }
        for t in 0..20_000 {
            let p = match t % 3 {
                0 => near_border(&mut rng),
                1 => Vec2::new(rng.random::<f32>(), rng.random::<f32>()) * size,
                _ => size,
            };
            let q = if t % 2 == 0 { near_border(&mut rng) } else { p + Vec2::new(rng.random::<f32>() - 0.5, rng.random::<f32>() - 0.5) * side * 4.0 };
            let q = q.clamp(Vec2::ZERO, size);
            let gap = cell_gap(p, cell(q), side);
            assert!(gap <= (q - p).length_squared(), "{p:?} to {q:?} (cell {:?}, side {side}): gap {gap} > {}", cell(q), (q - p).length_squared());
        }
    }
    // a cell two columns over is at least one cell's width away, less the margin
    let gap = cell_gap(Vec2::new(0.9, 0.5), [2, 0, 0], Vec2::ONE);
    assert!(gap < 1.21 && gap > 1.2, "{gap}");
}

#[test]
fn the_wrap_seam_equal_distances_and_sparse_flocks_match_brute_force() {
    // birds straddling every edge of a wrapping world
    let seam = random_birds(300, 3, |r| {
        let along = Vec2::new(r.random::<f32>() * 400.0, r.random::<f32>() * 300.0);
        if r.random::<bool>() { Vec2::new((r.random::<f32>() * 40.0 + 380.0) % 400.0, along.y) } else { Vec2::new(along.x, (r.random::<f32>() * 40.0 + 280.0) % 300.0) }
    });
    assert_same(&params(7, true), &seam, "seam");
    // a square lattice: many neighbours at exactly equal distances, ties go to the lower id
    let lattice: Vec<(Vec2, Vec2)> = (0..400).map(|i| (Vec2::new(10.0 + 10.0 * (i % 20) as f32, 10.0 + 10.0 * (i / 20) as f32), Vec2::X * 30.0)).collect();
    assert_same(&params(7, false), &lattice, "lattice");
    // k larger than the birds in range
    let sparse = random_birds(40, 5, |r| Vec2::new(r.random::<f32>() * 400.0, r.random::<f32>() * 300.0));
    assert_same(&params(20, true), &sparse, "sparse");
    assert!(by_grid(&params(7, true), &[]).is_empty(), "no birds");
    // a wrapping world smaller than the rings: one block scan instead
    let small = SimParams { world_width: 60.0, world_height: 60.0, ..params(7, true) };
    let crowd = random_birds(150, 11, |r| Vec2::new(r.random::<f32>() * 60.0, r.random::<f32>() * 60.0));
    assert_same(&small, &crowd, "small world");
}

#[test]
fn nearest_keeps_the_k_smallest_by_distance_then_id() {
    let mut n = Nearest::new(3);
    for (d2, id) in [(5.0, 9), (1.0, 4), (5.0, 2), (3.0, 7), (5.0, 1), (9.0, 0)] {
        n.offer(d2, id, Vec2::ZERO, Vec2::ZERO);
    }
    let ids: Vec<u32> = n.chosen().iter().map(|c| c.1).collect();
    assert_eq!(ids, [4, 7, 1], "at distance² 5 the lowest id wins");
}

/// In 3D: shells of box cells around each bird, a cone of view; the same choice as looking at
/// every pair, in a wrapping box and a walled one, in an even spread and a dense ball.
#[test]
fn a_3d_flock_matches_brute_force() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    for wrap in [true, false] {
        let p = SimParams { neighbor_radius: 20.0, separation_radius: 1.2, ..params(7, wrap) };
        // a shallow box when wrapping: its 8 layers are fewer than the shells need, so the pass
        // scans one block instead
        let space = Space { size: Vec3::new(150.0, 120.0, if wrap { 40.0 } else { 80.0 }), wrap };
        let per = Perception::in_space(space, &p);
        let even: Vec<(Vec3, Vec3)> = (0..1200).map(|_| (Vec3::new(rng.random::<f32>() * 150.0, rng.random::<f32>() * 120.0, rng.random::<f32>() * space.size.z), Vec3::new(rng.random::<f32>() - 0.5, rng.random::<f32>() - 0.5, rng.random::<f32>() - 0.5) * 20.0)).collect();
        let ball: Vec<(Vec3, Vec3)> = (0..1200).map(|_| (Vec3::new(75.0, 60.0, 1.0) + Vec3::new(rng.random::<f32>() - 0.5, rng.random::<f32>() - 0.5, rng.random::<f32>()) * 8.0, Vec3::new(1.0, rng.random::<f32>() - 0.5, 0.2) * 10.0)).collect();
        for (what, birds) in [("even", &even), ("ball", &ball)] {
            let mut grid = SpatialGrid::<Vec3>::default();
            grid.rebuild(space, cell_size_for(&p), birds.iter().enumerate().map(|(i, &(x, v))| (i as u32, x, v)));
            let mut by_grid = vec![NeighborSums::default(); birds.len()];
            for slot in 0..grid.len() {
                by_grid[grid.ids[slot] as usize] = gather_topological(&grid, &per, 7, slot);
            }
            let want = brute_in(per, &p, birds);
            for (id, (g, b)) in by_grid.iter().zip(&want).enumerate() {
                assert_eq!((g.count, g.align_count), (b.count, b.align_count), "{what}, wrap {wrap}: bird {id}");
                assert!(close(g.offset_sum, b.offset_sum) && close(g.velocity_sum, b.velocity_sum) && close(g.separation, b.separation), "{what}, wrap {wrap}: bird {id}: {g:?} vs {b:?}");
            }
            assert!(want.iter().filter(|s| s.count == 7).count() > birds.len() / 2, "{what}: most birds have 7 neighbours");
        }
    }
}
