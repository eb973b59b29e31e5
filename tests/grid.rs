//! The spatial hash answers exactly what a brute-force scan answers.

use bevy::math::Vec2;
use murmuration::sim::grid::SpatialGrid;
use murmuration::sim::rules::CELLS_PER_RADIUS;
use murmuration::sim::space::Space;
use proptest::prelude::*;

fn brute_force(space: &Space, points: &[Vec2], p: Vec2, r: f32) -> Vec<usize> {
    let mut v: Vec<usize> = (0..points.len())
        .filter(|&i| space.offset(p, points[i]).length_squared() < r * r)
        .collect();
    v.sort();
    v
}

/// A coordinate that is often right at an edge.
fn coord(len: f32) -> impl Strategy<Value = f32> {
    prop_oneof![
        3 => 0.0..len,
        1 => prop_oneof![Just(0.0), Just(len * 0.999_99), 0.0..0.5f32, (len - 0.5)..len],
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn grid_query_equals_brute_force(
        w in 20.0f32..400.0,
        h in 20.0f32..400.0,
        wrap in any::<bool>(),
        cell in 1.0f32..60.0,
        radius in 0.5f32..120.0,
        seed_points in prop::collection::vec((0.0f32..1.0, 0.0f32..1.0), 0..150),
        edge_points in prop::collection::vec((any::<bool>(), any::<bool>()), 0..20),
        probe in (0.0f32..1.0, 0.0f32..1.0),
    ) {
        let space = Space { size: Vec2::new(w, h), wrap };
        let mut points: Vec<Vec2> = seed_points.iter().map(|&(x, y)| Vec2::new(x * w * 0.99999, y * h * 0.99999)).collect();
        // birds hugging the corners and edges
        for &(right, top) in &edge_points {
            points.push(Vec2::new(if right { w * 0.99999 } else { 0.0 }, if top { h * 0.99999 } else { 0.01 }));
        }
        let mut grid = SpatialGrid::default();
        grid.rebuild(space, cell, points.iter().enumerate().map(|(i, &p)| (i as u32, p, Vec2::ZERO)));
        let p = Vec2::new(probe.0 * w * 0.99999, probe.1 * h * 0.99999);
        let mut found = Vec::new();
        grid.for_each_within(p, radius, |slot, offset, d2| {
            let id = grid.ids[slot] as usize;
            assert_eq!(offset, space.offset(p, points[id]));
            assert_eq!(d2, offset.length_squared());
            found.push(id);
        });
        let n = found.len();
        found.sort();
        found.dedup();
        prop_assert_eq!(found.len(), n, "a bird reported twice");
        prop_assert_eq!(found, brute_force(&space, &points, p, radius));
    }

    #[test]
    fn neighbour_pass_block_equals_brute_force(
        w in 20.0f32..300.0,
        h in 20.0f32..300.0,
        wrap in any::<bool>(),
        radius in 1.0f32..80.0,
        squeeze in any::<bool>(),
        xs in prop::collection::vec((coord(1.0), coord(1.0)), 1..200),
    ) {
        // As the neighbour pass builds and walks it: cells of radius / CELLS_PER_RADIUS, and the
        // block of CELLS_PER_RADIUS cells around each bird's cell holds every bird within the
        // radius, in its uncrowded cells' ranges or its crowded cells (squeezed flocks crowd
        // cells; the grid keeps trees over them).
        let space = Space { size: Vec2::new(w, h), wrap };
        let scale = if squeeze { 0.02 } else { 1.0 };
        let points: Vec<Vec2> = xs.iter().map(|&(x, y)| Vec2::new((x * scale * w).min(w * 0.99999), (y * scale * h).min(h * 0.99999))).collect();
        let mut grid = SpatialGrid::default();
        grid.set_crowd_trees(true);
        grid.rebuild(space, radius / CELLS_PER_RADIUS as f32, points.iter().enumerate().map(|(i, &p)| (i as u32, p, Vec2::ZERO)));
        let (cols, _) = grid.dims();
        let mut failure = None;
        grid.walk_blocks(0, grid.len(), CELLS_PER_RADIUS, |block| {
            let p = grid.pos[block.slot];
            let crowds = block.crowds.iter().map(|&c| grid.crowded.cells[c as usize].cell as usize).map(|c| grid.cell_slots(c % cols, c / cols));
            let slots: Vec<usize> = block.ranges.iter().map(|&(a, b)| a as usize..b as usize).chain(crowds).flatten().collect();
            // a block said not to wrap holds only offsets that do not cross a seam
            let crosses = |j: usize| (grid.pos[j] - p).to_array().map(f32::to_bits) != space.offset(p, grid.pos[j]).to_array().map(f32::to_bits);
            if !block.may_wrap && failure.is_none() && let Some(&j) = slots.iter().find(|&&j| crosses(j)) {
                failure = Some((block.slot, vec![j], vec![]));
            }
            let mut found: Vec<usize> = slots
                .iter()
                .filter(|&&j| space.offset(p, grid.pos[j]).length_squared() < radius * radius)
                .map(|&j| grid.ids[j] as usize)
                .collect();
            found.sort();
            let want = brute_force(&space, &points, p, radius);
            if found != want && failure.is_none() {
                failure = Some((block.slot, found, want));
            }
        });
        prop_assert!(failure.is_none(), "slot, block, brute force: {:?}", failure);
    }
}

/// The step's grid reads the birds' components in place, table by table: with the birds split
/// over several tables (here by a marker component on some of them) it holds the same slots as a
/// grid built from a plain list, and every bird's `GridSlot` names its own slot.
#[test]
fn the_step_grid_reads_birds_from_every_table() {
    use bevy::prelude::*;
    use murmuration::sim::{Bird, GridSlot, Position, SimParams, Velocity};

    #[derive(Component)]
    struct Marked;

    let params = SimParams { boid_count: 3000, ..SimParams::default() };
    let mut sim = crate::support::headless(params.clone(), 4);
    sim.step(5);
    let world = sim.app.world_mut();
    let marked: Vec<Entity> = world.query::<(Entity, &Bird)>().iter(world).filter(|(_, b)| b.id % 3 == 0).map(|(e, _)| e).collect();
    for e in marked {
        world.entity_mut(e).insert(Marked);
    }
    let space = Space::from_params(&params);
    let before: std::collections::HashMap<u32, (Vec2, Vec2)> =
        world.query::<(&Bird, &Position, &Velocity)>().iter(world).map(|(b, p, v)| (b.id, (space.contain(p.0), v.0))).collect();
    sim.step(1);
    let world = sim.app.world_mut();
    let birds: Vec<(u32, Vec2, Vec2, u32)> =
        world.query::<(&Bird, &Position, &Velocity, &GridSlot)>().iter(world).map(|(b, p, v, s)| (b.id, p.0, v.0, s.0)).collect();
    let grid = world.resource::<SpatialGrid>();
    assert_eq!(grid.len(), 3000);
    for &(id, _, _, slot) in &birds {
        let slot = slot as usize;
        assert_eq!(grid.ids[slot], id, "bird {id}'s GridSlot");
        assert_eq!((grid.pos[slot], grid.vel[slot]), before[&id], "bird {id}'s position and velocity at the step's start");
    }
    let mut ids = grid.ids.clone();
    ids.sort_unstable();
    assert_eq!(ids, (0..3000).collect::<Vec<u32>>(), "each bird once");
    // the same grid as one built from a plain list of the positions it holds
    let mut plain = SpatialGrid::default();
    plain.rebuild(space, murmuration::sim::rules::cell_size_for(&params), (0..grid.len()).rev().map(|s| (grid.ids[s], grid.pos[s], grid.vel[s])));
    assert_eq!((&plain.ids, &plain.pos, &plain.vel), (&grid.ids, &grid.pos, &grid.vel));
    let marked = world.query_filtered::<(), (With<Bird>, With<Marked>)>().iter(world).count();
    assert_eq!(marked, 1000, "a third of the birds in a second table");
}
