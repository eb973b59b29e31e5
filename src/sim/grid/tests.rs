use super::*;

#[test]
fn axis_spans_cover_each_cell_once() {
    for n in 1..9 {
        for reach in 0..5 {
            for c in 0..n {
                for wrap in [false, true] {
                    let mut seen = vec![0; n];
                    for &(a, b) in axis_spans(c, reach, n, wrap).iter().flatten() {
                        for k in &mut seen[a..=b] {
                            *k += 1;
                        }
                    }
                    for (i, &k) in seen.iter().enumerate() {
                        let dist = if wrap {
                            let d = i.abs_diff(c);
                            d.min(n - d)
                        } else {
                            i.abs_diff(c)
                        };
                        assert_eq!(k, usize::from(dist <= reach), "n={n} reach={reach} c={c} wrap={wrap} i={i}");
                    }
                }
            }
        }
    }
}

#[test]
fn cells_are_contiguous_and_ordered_by_id() {
    let space = Space { size: Vec2::new(100.0, 100.0), wrap: true };
    let birds = [(5, Vec2::new(1.0, 1.0)), (2, Vec2::new(2.0, 2.0)), (9, Vec2::new(95.0, 95.0)), (1, Vec2::new(3.0, 1.0))];
    let mut grid = SpatialGrid::default();
    grid.rebuild(space, 10.0, birds.iter().map(|&(id, p)| (id, p, Vec2::ZERO)));
    assert_eq!(grid.dims(), (10, 10));
    assert_eq!(grid.ids, vec![1, 2, 5, 9]);
    assert_eq!(grid.src, vec![3, 1, 0, 2]);
    assert_eq!(grid.pos[3], Vec2::new(95.0, 95.0));
}

/// Above one copy chunk the positions and velocities are copied on the compute pool: every
/// slot holds its own bird's, as the serial copy gives.
#[test]
fn the_parallel_copy_gives_each_slot_its_bird() {
    bevy::tasks::ComputeTaskPool::get_or_init(bevy::tasks::TaskPool::default);
    let space = Space { size: Vec2::new(1000.0, 700.0), wrap: true };
    let n = 3 * COPY_CHUNK + 123;
    let birds: Vec<(u32, Vec2, Vec2)> = (0..n as u32)
        .map(|i| {
            let p = Vec2::new((i as f32 * 7.31) % 1000.0, (i as f32 * 3.77) % 700.0);
            (n as u32 - i, p, Vec2::new(i as f32, -(i as f32)))
        })
        .collect();
    let mut grid = SpatialGrid::default();
    grid.rebuild_from(space, 10.0, &birds[..]);
    assert_eq!(grid.len(), n);
    for s in 0..n {
        let (id, p, v) = birds[grid.src[s] as usize];
        assert_eq!((grid.ids[s], grid.pos[s], grid.vel[s]), (id, p, v), "slot {s}");
    }
    // counted, placed and ordered by several tasks, each over its own cells: slots in cell
    // order, by id within a cell, each cell's range where `cell_slots` says
    let (cols, rows) = grid.dims();
    let key = |s: usize| {
        let (x, y) = grid.cell_coords(grid.pos[s]);
        (y * cols + x, grid.ids[s])
    };
    assert!((1..n).all(|s| key(s - 1) < key(s)), "cell order, then id order");
    for c in 0..cols * rows {
        assert!(grid.cell_slots(c % cols, c / cols).all(|s| key(s).0 == c), "cell {c}");
    }
    let mut src = grid.src.clone();
    src.sort_unstable();
    assert!(src.iter().enumerate().all(|(i, &s)| s as usize == i), "each bird once");
}

#[test]
fn cell_count_is_capped() {
    let space = Space { size: Vec2::new(50000.0, 50000.0), wrap: false };
    let mut grid = SpatialGrid::default();
    grid.rebuild(space, 1.0, std::iter::empty());
    let (x, y) = grid.dims();
    assert!(x * y <= MIN_CELL_CAP);
    assert!(grid.cell_size().x >= 1.0);
    // cells grow only as much as the cap needs: nearly all the allowed cells are used
    let space = Space { size: Vec2::new(9238.0, 5196.0), wrap: true };
    for (n, cap, side) in [(100_000, 400_000, 12.5), (10_000, MIN_CELL_CAP, 26.0)] {
        grid.rebuild(space, 12.5, (0..n).map(|i| (i, Vec2::new(i as f32 % 9000.0, 7.0), Vec2::ZERO)));
        let (x, y) = grid.dims();
        assert!(x * y <= cap && x * y * 10 > cap * 7, "{n} birds: {x}×{y} cells");
        assert!(grid.cell_size().max_element() <= side * 1.05, "{n} birds: {:?}", grid.cell_size());
    }
}

#[test]
fn a_block_said_not_to_wrap_holds_only_offsets_the_minimum_image_leaves_alone() {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    for (size, cell) in [(Vec2::new(200.0, 200.0), 12.5), (Vec2::new(1000.0, 400.0), 40.0), (Vec2::new(90.0, 90.0), 12.5)] {
        let birds: Vec<(u32, Vec2, Vec2)> = (0..600)
            .map(|i| {
                // some birds exactly on cell edges and on the far seam
                let p = Vec2::new(rng.random::<f32>() * size.x, rng.random::<f32>() * size.y);
                let p = if i % 5 == 0 { (p / cell).floor() * cell } else { p };
                (i, p.min(size - 1e-3), Vec2::ZERO)
            })
            .collect();
        let mut grid = SpatialGrid::default();
        grid.rebuild(Space { size, wrap: true }, cell, birds.iter().copied());
        let (nx, ny) = grid.dims();
        let mut interior = 0;
        for slot in 0..grid.len() {
            let (x, y) = grid.cell_coords(grid.pos[slot]);
            if grid.block_may_wrap(x, y, 2) {
                continue;
            }
            interior += 1;
            assert!((2..nx - 2).contains(&x) && (2..ny - 2).contains(&y), "an edge cell's block wraps");
            grid.for_each_block(x, y, 2, |a, b| {
                for j in a..b {
                    let d = grid.pos[j] - grid.pos[slot];
                    let image = Vec2::new(crate::sim::space::min_image(d.x, size.x), crate::sim::space::min_image(d.y, size.y));
                    assert_eq!(d.to_array().map(f32::to_bits), image.to_array().map(f32::to_bits), "slot {slot} to {j}");
                }
            });
        }
        // large worlds have interior blocks; one 7 cells across (a block of 5 is more than half) has none
        assert_eq!(interior == 0, size.x < 100.0, "{size}: {interior} birds in blocks that cannot wrap");
        let mut flat = grid.clone();
        flat.rebuild(Space { size, wrap: false }, cell, birds.iter().copied());
        assert!((0..nx).all(|x| (0..ny).all(|y| !flat.block_may_wrap(x, y, 2))), "a world without seams never wraps");
    }
}

#[test]
fn block_ranges_are_the_spans_of_for_each_block_in_every_cell() {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    for (size, wrap) in [(Vec2::new(300.0, 200.0), true), (Vec2::new(300.0, 200.0), false), (Vec2::new(60.0, 45.0), true)] {
        let birds: Vec<(u32, Vec2, Vec2)> = (0..500).map(|i| (i, Vec2::new(rng.random::<f32>() * size.x, rng.random::<f32>() * size.y).min(size - 1e-3), Vec2::ZERO)).collect();
        let mut grid = SpatialGrid::default();
        grid.rebuild(Space { size, wrap }, 10.0, birds.into_iter());
        let (nx, ny) = grid.dims();
        let mut ranges = Vec::new();
        for (x, y) in (0..ny).flat_map(|y| (0..nx).map(move |x| (x, y))) {
            for reach in [1, 2] {
                grid.block_ranges(x, y, reach, &mut ranges);
                let mut spans = Vec::new();
                grid.for_each_block(x, y, reach, |a, b| spans.push((a as u32, b as u32)));
                assert_eq!(ranges, spans, "{size} wrap {wrap}: cell ({x}, {y}), reach {reach}");
            }
        }
    }
}

/// A 3D grid: boxes of cells numbered layer by layer, every cell's birds contiguous and by id,
/// and radius queries giving exactly the birds a brute-force look finds, across every seam of a
/// 3-torus and inside a walled box.
#[test]
fn a_box_of_cells_answers_radius_queries_as_brute_force_does() {
    use bevy::math::Vec3;
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    for wrap in [true, false] {
        let space = Space { size: Vec3::new(120.0, 90.0, 60.0), wrap };
        let birds: Vec<(u32, Vec3, Vec3)> = (0..1500u32)
            .map(|i| {
                let p = Vec3::new(rng.random::<f32>() * 120.0, rng.random::<f32>() * 90.0, rng.random::<f32>() * 60.0);
                (3000 - 2 * i, p, Vec3::new(i as f32, 0.0, -1.0))
            })
            .collect();
        let mut grid = SpatialGrid::<Vec3>::default();
        grid.rebuild_from(space, 10.0, &birds[..]);
        assert_eq!(grid.dims3(), [12, 9, 6]);
        let [nx, ny, nz] = grid.dims3();
        let cell_index = |s: usize| {
            let [x, y, z] = grid.cell_of(grid.pos[s]);
            (z * ny + y) * nx + x
        };
        assert!((1..grid.len()).all(|s| (cell_index(s - 1), grid.ids[s - 1]) < (cell_index(s), grid.ids[s])), "cell order, then id");
        for c in 0..nx * ny * nz {
            let at = [c % nx, (c / nx) % ny, c / (nx * ny)];
            assert!(grid.slots_of(at).all(|s| cell_index(s) == c), "cell {at:?}");
        }
        for &(p, radius) in &[(Vec3::new(1.0, 1.0, 1.0), 15.0), (Vec3::new(119.0, 45.0, 59.5), 22.0), (Vec3::new(60.0, 45.0, 30.0), 7.5), (Vec3::new(5.0, 88.0, 30.0), 60.0)] {
            let mut got: Vec<(u32, Vec3)> = Vec::new();
            grid.for_each_within(p, radius, |slot, d, d2| {
                assert_eq!(d.length_squared(), d2);
                got.push((grid.ids[slot], d));
            });
            got.sort_by_key(|g| g.0);
            let mut want: Vec<(u32, Vec3)> = birds.iter().map(|&(id, q, _)| (id, space.offset(p, q))).filter(|(_, d)| d.length_squared() < radius * radius).collect();
            want.sort_by_key(|w| w.0);
            assert_eq!(got, want, "wrap {wrap}, around {p} within {radius}");
            assert!(!want.is_empty());
        }
    }
}

#[test]
fn a_box_of_cells_is_capped_eight_times_higher_than_a_square() {
    use bevy::math::Vec3;
    let mut grid = SpatialGrid::<Vec3>::default();
    grid.rebuild(Space { size: Vec3::new(1000.0, 700.0, 300.0), wrap: false }, 2.5, std::iter::empty());
    let [x, y, z] = grid.dims3();
    assert!(x * y * z <= MIN_CELL_CAP * 8 && x * y * z * 10 > MIN_CELL_CAP * 8 * 7, "{x}×{y}×{z}");
    // the same factor on every axis: cells stay cubes
    let side = grid.cell_size();
    assert!(side.max_element() / side.min_element() < 1.1, "{side}");
}
