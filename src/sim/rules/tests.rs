use super::*;

fn params() -> SimParams {
    SimParams {
        world_width: 200.0,
        world_height: 200.0,
        ..SimParams::default()
    }
}

fn grid_of(params: &SimParams, birds: &[(Vec2, Vec2)]) -> SpatialGrid {
    let mut grid = SpatialGrid::default();
    grid.rebuild(
        Space::from_params(params),
        params.search_radius() / CELLS_PER_RADIUS as f32,
        birds.iter().enumerate().map(|(i, &(p, v))| (i as u32, p, v)),
    );
    grid
}

fn slot_of(grid: &SpatialGrid, id: u32) -> usize {
    grid.ids.iter().position(|&i| i == id).unwrap()
}

#[test]
fn field_of_view_excludes_a_bird_directly_behind() {
    let p = params();
    let per = Perception::from_params(&p);
    let v = Vec2::new(50.0, 0.0);
    // directly behind
    let grid = grid_of(&p, &[(Vec2::new(100.0, 100.0), v), (Vec2::new(95.0, 100.0), v)]);
    assert_eq!(gather(&grid, &per, slot_of(&grid, 0)).count, 0);
    // the other bird sees the first one ahead of it
    assert_eq!(gather(&grid, &per, slot_of(&grid, 1)).count, 1);
    // beside (90°) is inside a 270° field of view
    let grid = grid_of(&p, &[(Vec2::new(100.0, 100.0), v), (Vec2::new(100.0, 105.0), v)]);
    assert_eq!(gather(&grid, &per, slot_of(&grid, 0)).count, 1);
    // a 360° field of view sees behind
    let all = SimParams { fov_deg: 360.0, ..p };
    let per = Perception::from_params(&all);
    let grid = grid_of(&all, &[(Vec2::new(100.0, 100.0), v), (Vec2::new(95.0, 100.0), v)]);
    assert_eq!(gather(&grid, &per, slot_of(&grid, 0)).count, 1);
}

#[test]
fn a_field_of_view_narrower_than_half_a_circle_sees_only_ahead() {
    // 120°: a cone of ±60° around the heading (the `cos_half >= 0` branch of `sees`)
    let p = SimParams { fov_deg: 120.0, ..params() };
    let per = Perception::from_params(&p);
    let v = Vec2::new(50.0, 0.0);
    for deg in (-180..180).step_by(5) {
        let offset = Vec2::from_angle((deg as f32).to_radians()) * 8.0;
        let inside = (deg as f32).abs() <= 60.0 - 1e-3;
        let outside = (deg as f32).abs() >= 60.0 + 1e-3;
        let seen = per.sees(v, offset, offset.length_squared());
        assert!(!inside || seen, "{deg}° is inside ±60° and not seen");
        assert!(!outside || !seen, "{deg}° is outside ±60° and seen");
    }
    // through the neighbour pass: ahead-left at 45° is seen, beside at 90° is not
    let grid = grid_of(&p, &[(Vec2::new(100.0, 100.0), v), (Vec2::new(105.0, 105.0), v)]);
    assert_eq!(gather(&grid, &per, slot_of(&grid, 0)).count, 1);
    let grid = grid_of(&p, &[(Vec2::new(100.0, 100.0), v), (Vec2::new(100.0, 106.0), v)]);
    assert_eq!(gather(&grid, &per, slot_of(&grid, 0)).count, 0);
    // a bird at rest sees all around
    assert!(per.sees(Vec2::ZERO, Vec2::new(-8.0, 0.0), 64.0));
}

#[test]
fn gather_sees_across_the_wrap_seam() {
    let p = params();
    let per = Perception::from_params(&p);
    let grid = grid_of(&p, &[(Vec2::new(1.0, 100.0), Vec2::new(0.0, 50.0)), (Vec2::new(199.0, 100.0), Vec2::new(0.0, 50.0))]);
    let sums = gather(&grid, &per, slot_of(&grid, 0));
    assert_eq!(sums.count, 1);
    assert_eq!(sums.offset_sum, Vec2::new(-2.0, 0.0));
    let flat = SimParams { edge_mode: EdgeMode::Bounce, ..p };
    let grid = grid_of(&flat, &[(Vec2::new(1.0, 100.0), Vec2::new(0.0, 50.0)), (Vec2::new(199.0, 100.0), Vec2::new(0.0, 50.0))]);
    assert_eq!(gather(&grid, &Perception::from_params(&flat), 0).count, 0);
}

fn step_pair(p: &SimParams, birds: &[(Vec2, Vec2)], force: fn(&NeighborSums, Vec2, &SimParams) -> Vec2) -> Vec<(Vec2, Vec2)> {
    let per = Perception::from_params(p);
    let grid = grid_of(p, birds);
    (0..birds.len())
        .map(|i| {
            let slot = slot_of(&grid, i as u32);
            let sums = gather(&grid, &per, slot);
            let (pos, vel) = birds[i];
            integrate(pos, vel, Forces { flock: force(&sums, vel, p), flee: Vec2::ZERO }, Space::from_params(p).size, p)
        })
        .collect()
}

#[test]
fn separation_alone_moves_two_close_birds_apart() {
    let p = params();
    let v = Vec2::new(0.0, 60.0);
    let birds = [(Vec2::new(100.0, 100.0), v), (Vec2::new(103.0, 100.0), v)];
    let before = birds[0].0.distance(birds[1].0);
    let after = step_pair(&p, &birds, separation_force);
    assert!(after[0].1.x < 0.0 && after[1].1.x > 0.0, "{after:?}");
    assert!(after[0].0.distance(after[1].0) > before);
    // the other rules alone do not push them apart
    let after = step_pair(&p, &birds, cohesion_force);
    assert!(after[0].0.distance(after[1].0) <= before);
}

#[test]
fn alignment_alone_turns_toward_the_neighbours_mean_heading() {
    let p = params();
    let me = (Vec2::new(100.0, 100.0), Vec2::new(60.0, 0.0));
    let north = Vec2::new(0.0, 60.0);
    let birds = [me, (Vec2::new(110.0, 95.0), north), (Vec2::new(110.0, 105.0), north)];
    let after = step_pair(&p, &birds, alignment_force);
    let turned = after[0].1;
    assert!(turned.y > 0.0, "{turned:?}");
    assert!(turned.angle_to(north).abs() < me.1.angle_to(north).abs());
}

#[test]
fn cohesion_alone_moves_toward_the_neighbours_centre() {
    let p = params();
    let v = Vec2::new(60.0, 0.0);
    let me = (Vec2::new(100.0, 100.0), v);
    let birds = [me, (Vec2::new(115.0, 115.0), v), (Vec2::new(105.0, 115.0), v)];
    let centre = (birds[1].0 + birds[2].0) / 2.0;
    let after = step_pair(&p, &birds, cohesion_force);
    assert!(after[0].1.y > 0.0);
    assert!(after[0].0.distance(centre) < me.0.distance(centre) - v.length() * p.dt() * 0.5);
}

#[test]
fn rule_forces_add_up() {
    let p = params();
    let sums = NeighborSums { count: 2, align_count: 2, velocity_sum: Vec2::new(0.0, 100.0), offset_sum: Vec2::new(10.0, 10.0), separation: Vec2::new(-1.0, 0.0) };
    let v = Vec2::new(50.0, 0.0);
    let parts = [separation_force(&sums, v, &p), alignment_force(&sums, v, &p), cohesion_force(&sums, v, &p)];
    assert!(parts.iter().all(|f| f.length() > 0.0));
    let double = SimParams { separation_weight: 2.0 * p.separation_weight, ..p.clone() };
    assert_eq!(separation_force(&sums, v, &double), 2.0 * parts[0]);
}

#[test]
fn limit_speed_keeps_within_bounds_and_direction() {
    assert_eq!(limit_speed(Vec2::new(300.0, 0.0), 10.0, 100.0, Vec2::X), Vec2::new(100.0, 0.0));
    assert_eq!(limit_speed(Vec2::new(0.0, 1.0), 10.0, 100.0, Vec2::X), Vec2::new(0.0, 10.0));
    assert_eq!(limit_speed(Vec2::ZERO, 10.0, 100.0, Vec2::new(0.0, -3.0)), Vec2::new(0.0, -10.0));
    assert_eq!(limit_speed(Vec2::new(0.0, 1.0), 500.0, 100.0, Vec2::X), Vec2::new(0.0, 100.0));
    assert!(limit_speed(Vec2::new(f32::NAN, 0.0), 10.0, 100.0, Vec2::X).is_finite());
}

#[test]
fn integrate_keeps_birds_inside_in_every_edge_mode() {
    for edge_mode in [EdgeMode::Wrap, EdgeMode::Bounce, EdgeMode::Steer] {
        let p = SimParams { edge_mode, ..params() };
        for (pos, vel) in [
            (Vec2::new(0.1, 0.1), Vec2::new(-120.0, -120.0)),
            (Vec2::new(199.9, 199.9), Vec2::new(120.0, 120.0)),
            (Vec2::new(0.0, 200.0), Vec2::new(-1.0, 1.0)),
        ] {
            let (np, nv) = integrate(pos, vel, Forces { flock: Vec2::new(1e30, -1e30), flee: Vec2::new(f32::MAX, 1.0) }, Space::from_params(&p).size, &p);
            assert!(Space::from_params(&p).contains(np), "{edge_mode:?} {np:?}");
            assert!(nv.length() <= p.max_speed * 1.0001);
        }
    }
}

#[test]
fn alignment_radius_limits_who_is_aligned_with() {
    let p = SimParams { alignment_radius: 8.0, ..params() };
    let per = Perception::from_params(&p);
    let v = Vec2::new(50.0, 0.0);
    let grid = grid_of(&p, &[(Vec2::new(100.0, 100.0), v), (Vec2::new(105.0, 100.0), v), (Vec2::new(115.0, 100.0), v)]);
    let sums = gather(&grid, &per, slot_of(&grid, 0));
    assert_eq!((sums.count, sums.align_count), (2, 1));
    assert_eq!(sums.velocity_sum, v);
}

#[test]
fn gather_run_equals_gather_per_slot() {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    for edge_mode in [EdgeMode::Wrap, EdgeMode::Bounce] {
        let p = SimParams { edge_mode, fov_deg: 250.0, ..params() };
        let birds: Vec<(Vec2, Vec2)> = (0..600)
            .map(|_| (Vec2::new(rng.random::<f32>() * 199.0, rng.random::<f32>() * 199.0), Vec2::from_angle(rng.random::<f32>() * std::f32::consts::TAU) * 50.0))
            .collect();
        let grid = grid_of(&p, &birds);
        let per = Perception::from_params(&p);
        let mut run = vec![NeighborSums::default(); grid.len() - 5];
        gather_run(&grid, &per, 5, &mut run);
        for (k, s) in run.iter().enumerate() {
            assert_eq!(*s, gather(&grid, &per, 5 + k), "slot {}", 5 + k);
        }
    }
}

#[test]
fn a_turn_is_limited_to_the_turn_rate_and_keeps_the_new_speed() {
    let old = Vec2::new(10.0, 0.0);
    // a reversal asked for: it turns by at most the limit, toward the side asked
    let limited = limit_turn(old, Vec2::new(-5.0, 1.0), 0.1);
    assert!((old.angle_to(limited) - 0.1).abs() < 1e-5, "{limited}");
    assert!((limited.length() - Vec2::new(-5.0, 1.0).length()).abs() < 1e-4);
    assert_eq!(limit_turn(old, Vec2::new(10.0, 0.5), 0.1), Vec2::new(10.0, 0.5), "within the limit: unchanged");
    assert_eq!(limit_turn(Vec2::ZERO, Vec2::X, 0.1), Vec2::X);
    // in integration: 90°/s at 60 steps/s is 1.5° per step, however hard the steering
    let p = SimParams { max_turn_rate: 90.0, ..params() };
    let (_, v) = integrate(Vec2::new(100.0, 100.0), Vec2::new(100.0, 0.0), Forces { flock: Vec2::new(0.0, 1e5), ..Forces::default() }, Space::from_params(&p).size, &p);
    assert!((Vec2::X.angle_to(v).to_degrees() - 1.5).abs() < 1e-3, "{v}");
}

#[test]
fn the_roost_pulls_only_birds_beyond_its_radius() {
    let p = SimParams { edge_mode: EdgeMode::Roost, roost_radius: 50.0, ..params() };
    let centre = Vec2::new(100.0, 100.0);
    assert_eq!(roost_pull(Vec2::new(140.0, 100.0), Vec2::Y * 50.0, centre, &p), Vec2::ZERO);
    let half = roost_pull(Vec2::new(162.5, 100.0), Vec2::ZERO, centre, &p);
    let full = roost_pull(Vec2::new(190.0, 100.0), Vec2::ZERO, centre, &p);
    assert!(half.x < 0.0 && (full.length() - 2.0 * half.length()).abs() < 1e-3, "half way into the ramp, half the pull: {half} {full}");
    // over many steps a bird flying away comes back and stays within reach of the roost
    let (mut pos, mut vel) = (Vec2::new(100.0, 100.0), Vec2::new(120.0, 0.0));
    let mut farthest: f32 = 0.0;
    for _ in 0..3000 {
        (pos, vel) = integrate(pos, vel, Forces::default(), Space::from_params(&p).size, &p);
        farthest = farthest.max(pos.distance(centre));
    }
    assert!(farthest < 100.0 && pos.x.is_finite(), "farthest {farthest}");
}

/// Random birds in a 200 m world, some piled on one spot (distance 0) and some on the seams.
fn random_birds(seed: u64, n: usize) -> Vec<(Vec2, Vec2)> {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let p = match i % 10 {
                0 => Vec2::new(50.0, 50.0),
                1 => Vec2::new(0.0, rng.random::<f32>() * 199.0),
                _ => Vec2::new(rng.random::<f32>() * 199.9, rng.random::<f32>() * 199.9),
            };
            // some standing still, some all but (velocities whose squares are 0 or subnormal)
            let speed = [0.0, 1e-30, 1e-20, 50.0, 50.0, 50.0, 50.0][i % 7];
            let v = Vec2::from_angle(rng.random::<f32>() * std::f32::consts::TAU) * speed;
            (p, v)
        })
        .collect()
}

#[test]
fn every_kernel_gives_the_same_bits_and_the_rule_by_rule_sums() {
    use kernel::Kernel;
    // every shape of the kernel: wrapping or not, separation on or off, alignment radius below
    // the neighbour radius or not, each field of view
    for (seed, fov_deg, edge_mode, alignment_radius, separation_weight) in [
        (1, 270.0, EdgeMode::Wrap, 25.0, 1.5),
        (2, 120.0, EdgeMode::Wrap, 12.0, 1.5),
        (3, 360.0, EdgeMode::Bounce, 25.0, 1.5),
        (4, 200.0, EdgeMode::Steer, 30.0, 1.5),
        (5, 360.0, EdgeMode::Wrap, 25.0, 0.0),
        (6, 270.0, EdgeMode::Wrap, 20.0, 0.0),
        (7, 90.0, EdgeMode::Bounce, 25.0, 0.0),
    ] {
        let p = SimParams { fov_deg, edge_mode, alignment_radius, separation_weight, ..params() };
        let birds = random_birds(seed, 700);
        let grid = grid_of(&p, &birds);
        let per = Perception::from_params(&p);
        let mut ranges = Vec::new();
        // the pass over runs of slots leaves the minimum image out where a block cannot wrap
        let mut run = vec![NeighborSums::default(); grid.len()];
        gather_run(&grid, &per, 0, &mut run);
        for (slot, from_run) in run.iter().enumerate() {
            let (x, y) = grid.cell_coords(grid.pos[slot]);
            grid.block_ranges(x, y, CELLS_PER_RADIUS, &mut ranges);
            let portable = kernel::sum_ranges(Kernel::Portable, &grid, &per, slot, &ranges);
            let best = kernel::sum_ranges(Kernel::Auto, &grid, &per, slot, &ranges);
            let bits = |s: &NeighborSums| [s.offset_sum, s.velocity_sum, s.separation].map(|v| v.to_array().map(f32::to_bits));
            assert_eq!((portable.count, portable.align_count, bits(&portable)), (best.count, best.align_count, bits(&best)), "slot {slot}");
            assert_eq!((from_run.count, from_run.align_count, bits(from_run)), (best.count, best.align_count, bits(&best)), "slot {slot}");
            // the same neighbours as the one-candidate-at-a-time rule, sums up to rounding
            let mut one_by_one = NeighborSums::default();
            for j in (0..grid.len()).filter(|&j| j != slot) {
                let d = per.space.offset(grid.pos[slot], grid.pos[j]);
                accumulate(&mut one_by_one, &per, grid.vel[slot], d, d.length_squared(), grid.vel[j]);
            }
            assert_eq!((portable.count, portable.align_count), (one_by_one.count, one_by_one.align_count), "slot {slot}");
            for (a, b) in [(portable.offset_sum, one_by_one.offset_sum), (portable.velocity_sum, one_by_one.velocity_sum), (portable.separation, one_by_one.separation)] {
                assert!((a - b).length() <= 1e-3 * (1.0 + b.length()), "slot {slot}: {a} vs {b}");
            }
        }
    }
}

/// The metric pass in 3D: every bird within the radius and the view cone, as looking at every
/// pair finds, across the seams of a 3-torus and in a walled box; and in 2D the same sums as
/// the eight-lane kernel (up to the order of the additions).
#[test]
fn the_scalar_metric_pass_matches_brute_force_in_3d_and_the_kernel_in_2d() {
    use bevy::math::Vec3;
    use rand::{RngExt, SeedableRng};
    let close = |a: Vec3, b: Vec3| (a - b).length() <= 1e-3 * (1.0 + a.length());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    for wrap in [true, false] {
        let p = SimParams { neighbor_radius: 12.0, separation_radius: 4.0, edge_mode: if wrap { EdgeMode::Wrap } else { EdgeMode::Bounce }, ..params() };
        let space = Space { size: Vec3::new(100.0, 80.0, 60.0), wrap };
        let per = Perception::in_space(space, &p);
        let birds: Vec<(Vec3, Vec3)> = (0..1500).map(|_| (Vec3::new(rng.random::<f32>() * 100.0, rng.random::<f32>() * 80.0, rng.random::<f32>() * 60.0), Vec3::new(rng.random::<f32>() - 0.5, rng.random::<f32>() - 0.5, rng.random::<f32>() - 0.5) * 30.0)).collect();
        let mut grid = SpatialGrid::<Vec3>::default();
        grid.rebuild(space, cell_size_for(&p), birds.iter().enumerate().map(|(i, &(x, v))| (i as u32, x, v)));
        let mut seen = 0;
        for slot in 0..grid.len() {
            let got = gather_scalar(&grid, &per, slot);
            let i = grid.ids[slot] as usize;
            let mut want = NeighborSums::default();
            for &(q, w) in birds.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, b)| b) {
                let d = space.offset(birds[i].0, q);
                accumulate(&mut want, &per, birds[i].1, d, d.length_squared(), w);
            }
            assert_eq!((got.count, got.align_count), (want.count, want.align_count), "wrap {wrap}: bird {i}");
            assert!(close(got.offset_sum, want.offset_sum) && close(got.velocity_sum, want.velocity_sum) && close(got.separation, want.separation), "wrap {wrap}: bird {i}: {got:?} vs {want:?}");
            seen += want.count;
        }
        assert!(seen > 1500, "birds have neighbours: {seen}");
    }
    // 2D: the kernel's sums
    let p = params();
    let per = Perception::from_params(&p);
    let birds: Vec<(Vec2, Vec2)> = (0..800).map(|_| (Vec2::new(rng.random::<f32>() * 200.0, rng.random::<f32>() * 200.0), Vec2::new(rng.random::<f32>() - 0.5, rng.random::<f32>() - 0.5) * 30.0)).collect();
    let grid = grid_of(&p, &birds);
    let close2 = |a: Vec2, b: Vec2| (a - b).length() <= 1e-3 * (1.0 + a.length());
    for slot in 0..grid.len() {
        let (s, k) = (gather_scalar(&grid, &per, slot), gather(&grid, &per, slot));
        assert_eq!((s.count, s.align_count), (k.count, k.align_count));
        assert!(close2(s.offset_sum, k.offset_sum) && close2(s.velocity_sum, k.velocity_sum) && close2(s.separation, k.separation));
    }
}
