//! Tests of the measures: order parameters, the link scan against the all-pairs reference.

use bevy::math::Vec2;

use super::clusters::Clusters;
use super::order::{centre, order_parameters, sin_cos_turns};
use super::reference::{all_pairs, milling, polarization};
use super::scan::link_scan;
use crate::sim::grid::SpatialGrid;
use crate::sim::space::Space;
use rand::{RngExt, SeedableRng};

fn space(wrap: bool) -> Space {
    Space { size: Vec2::new(400.0, 300.0), wrap }
}

fn grid_of(space: Space, cell: f32, pos: &[Vec2]) -> SpatialGrid {
    let mut g = SpatialGrid::default();
    g.rebuild(space, cell, pos.iter().enumerate().map(|(i, &p)| (i as u32, p, Vec2::X)));
    g
}

#[test]
fn polarization_is_one_when_aligned_and_small_when_random() {
    assert_eq!(polarization(&[Vec2::new(3.0, 0.0); 10]), 1.0);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let random: Vec<Vec2> = (0..10_000).map(|_| Vec2::from_angle(rng.random::<f32>() * 6.2831855)).collect();
    assert!(polarization(&random) < 0.03, "{}", polarization(&random));
    assert_eq!(polarization(&[]), 0.0);
}

#[test]
fn milling_is_one_for_a_ring_circling() {
    for wrap in [false, true] {
        let s = space(wrap);
        let c = Vec2::new(200.0, 150.0);
        let pos: Vec<Vec2> = (0..64).map(|i| c + Vec2::from_angle(i as f32 / 64.0 * 6.2831855) * 50.0).collect();
        let vel: Vec<Vec2> = pos.iter().map(|&p| (p - c).perp() * 2.0).collect();
        assert!((milling(&s, &pos, &vel) - 1.0).abs() < 1e-4, "{}", milling(&s, &pos, &vel));
        assert!(polarization(&vel) < 1e-3);
        // flying straight: no milling
        let straight = vec![Vec2::X; 64];
        assert!(milling(&s, &pos, &straight) < 0.05);
    }
}

#[test]
fn centre_of_a_group_across_the_seam() {
    let s = space(true);
    let pos = [Vec2::new(398.0, 150.0), Vec2::new(2.0, 150.0)];
    let c = centre(&s, &pos);
    assert!(c.x < 0.01 || c.x > 399.99, "{c:?}");
    assert!((c.y - 150.0).abs() < 0.01);
}

#[test]
fn clusters_on_hand_placed_groups() {
    // group A: a chain of 4 birds 8 u apart; group B: 3 birds across the wrap seam; 2 loners
    let mut pos: Vec<Vec2> = (0..4).map(|i| Vec2::new(100.0 + 8.0 * i as f32, 100.0)).collect();
    pos.extend([Vec2::new(396.0, 200.0), Vec2::new(3.0, 200.0), Vec2::new(396.0, 206.0)]);
    pos.extend([Vec2::new(250.0, 50.0), Vec2::new(250.0, 250.0)]);
    let g = grid_of(space(true), 10.0, &pos);
    let c = clusters(&g, 10.0);
    assert_eq!(c.count, 2);
    assert_eq!(c.largest, 4);
    // without wrap the seam group splits into a pair and a loner
    let g = grid_of(space(false), 10.0, &pos);
    let c = clusters(&g, 10.0);
    assert_eq!(c.count, 2);
    assert_eq!(c.largest, 4);
    let sizes = |c: &Clusters| {
        let mut m = std::collections::BTreeMap::new();
        for &l in &c.label {
            *m.entry(l).or_insert(0) += 1;
        }
        let mut v: Vec<u32> = m.into_values().collect();
        v.sort();
        v
    };
    assert_eq!(sizes(&c), vec![1, 1, 1, 2, 4]);
    // links shorter than the spacing: all alone
    let c = clusters(&grid_of(space(true), 10.0, &pos), 5.0);
    assert_eq!((c.count, c.largest), (0, 1));
    assert_eq!(clusters(&grid_of(space(true), 10.0, &[]), 10.0).largest, 0);
}

#[test]
fn nearest_neighbour_distance() {
    let pos = [Vec2::new(10.0, 10.0), Vec2::new(13.0, 14.0), Vec2::new(200.0, 200.0)];
    let g = grid_of(space(false), 20.0, &pos);
    assert_eq!(mean_nn_distance(&g, 20.0), Some(5.0));
    assert_eq!(mean_nn_distance(&grid_of(space(false), 20.0, &pos[2..]), 20.0), None);
    assert_eq!(mean_nn_distance(&g, 4.0), None);
}

#[test]
fn parallel_scan_matches_the_sequential_reference() {
    bevy::tasks::ComputeTaskPool::get_or_init(|| bevy::tasks::TaskPoolBuilder::new().num_threads(4).build());
    for wrap in [true, false] {
        let s = Space { size: Vec2::new(600.0, 400.0), wrap };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        // 10,000 birds in clumps, some across the seams: many links, clusters of every size
        let pos: Vec<Vec2> = (0..10_000)
            .map(|i| {
                let c = Vec2::new((i % 37) as f32 * 16.0 - 4.0, (i % 23) as f32 * 17.0 - 4.0);
                s.contain(c + Vec2::new(rng.random::<f32>() * 9.0, rng.random::<f32>() * 9.0))
            })
            .collect();
        let link = 2.5;
        // cells of link/2 (linked inside, reach 2: the fast path), link/3.5 (linked inside,
        // reach 4) and link (not linked inside: bird by bird)
        for cell in [link / 2.0, link / 3.5, link] {
            let g = grid_of(s, cell, &pos);
            let (reference, with, mean) = all_pairs(&s, &g.pos, link);
            let scan = link_scan(&g, link);
            assert_eq!(scan.clusters, reference, "wrap {wrap} cell {cell}");
            assert_eq!(scan.nn_count as usize, with);
            let got = scan.nn_sum / f64::from(scan.nn_count);
            assert!((got - mean).abs() < 1e-9, "wrap {wrap} cell {cell}: {got} vs {mean}");
            assert!(reference.count > 500 && reference.largest >= 8, "{} clusters, largest {}", reference.count, reference.largest);
        }
    }
}

#[test]
fn order_parameters_match_the_plain_sums() {
    bevy::tasks::ComputeTaskPool::get_or_init(|| bevy::tasks::TaskPoolBuilder::new().num_threads(4).build());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    for wrap in [false, true] {
        let s = space(wrap);
        // 30,000 birds (four chunks) circling a centre near the seam, with noise
        let c = Vec2::new(390.0, 20.0);
        let pos: Vec<Vec2> = (0..30_000).map(|_| s.contain(c + Vec2::from_angle(rng.random::<f32>() * 6.2831855) * (20.0 + 60.0 * rng.random::<f32>()))).collect();
        let vel: Vec<Vec2> = pos.iter().map(|&p| s.offset(c, p).perp() + Vec2::new(rng.random::<f32>() - 0.5, rng.random::<f32>() - 0.5) * 40.0).collect();
        let (phi, m) = order_parameters(&s, &pos, &vel);
        assert!((phi - polarization(&vel)).abs() < 1e-4, "{phi} vs {}", polarization(&vel));
        assert!((m - milling(&s, &pos, &vel)).abs() < 1e-4, "{m} vs {}", milling(&s, &pos, &vel));
        assert!(m > 0.5 && phi < 0.3, "φ {phi} m {m}");
    }
    assert_eq!(order_parameters(&space(true), &[], &[]), (0.0, 0.0));
}

#[test]
fn sin_cos_turns_matches_the_exact_values() {
    let mut worst = 0.0f64;
    for k in -20_000..=60_000 {
        let u = k as f32 / 40_000.0 + 1e-6 * (k % 7) as f32;
        let (s, c) = sin_cos_turns(u);
        let (es, ec) = (f64::from(u) * std::f64::consts::TAU).sin_cos();
        worst = worst.max((f64::from(s) - es).abs()).max((f64::from(c) - ec).abs());
    }
    assert!(worst < 3e-7, "worst error {worst:e}");
    assert_eq!(sin_cos_turns(0.0), (0.0, 1.0));
    let (s, c) = sin_cos_turns(0.25);
    assert!((s - 1.0).abs() < 1e-7 && c.abs() < 1e-7, "{s} {c}");
}

/// Birds closer than `link` are joined; clusters are the connected components.
fn clusters(grid: &SpatialGrid, link: f32) -> Clusters {
    link_scan(grid, link).clusters
}

/// Mean distance from each bird to its nearest neighbour, over birds that have one within
/// `radius`; `None` when no bird has one.
fn mean_nn_distance(grid: &SpatialGrid, radius: f32) -> Option<f32> {
    let scan = link_scan(grid, radius);
    (scan.nn_count > 0).then(|| (scan.nn_sum / f64::from(scan.nn_count)) as f32)
}

#[test]
fn groups_count_only_clusters_with_a_share_of_the_birds() {
    // 40 birds: a cluster of 30, one of 6, one of 2, two alone
    let mut label: Vec<u32> = Vec::new();
    label.extend(std::iter::repeat_n(0, 30));
    label.extend(std::iter::repeat_n(30, 6));
    label.extend([36, 36, 38, 39]);
    let map = super::ClusterMap { ids: (0..40).collect(), label };
    assert_eq!(map.groups(0.05), 3, "30, 6 and 2 are each ≥ 5 % of 40");
    assert_eq!(map.groups(0.1), 2);
    assert_eq!(map.groups(0.0), 3, "a lone bird is never a group");
    assert_eq!(super::ClusterMap::default().groups(0.05), 0);
}

/// In 3D: a flock flying one way is polarized; birds circling in a horizontal ring mill (about
/// the vertical); the same ring stood on its edge, looping over and under, does not; the centre
/// is found across the seams of a 3-torus.
#[test]
fn order_parameters_in_3d_mill_about_the_vertical() {
    use bevy::math::Vec3;
    let box3 = Space { size: Vec3::new(400.0, 300.0, 200.0), wrap: true };
    let ring = |axis_up: bool| -> (Vec<Vec3>, Vec<Vec3>) {
        let c = Vec3::new(200.0, 150.0, 100.0);
        (0..720)
            .map(|i| {
                let (s, k) = (i as f32 * std::f32::consts::TAU / 720.0).sin_cos();
                let (r, v) = if axis_up { (Vec3::new(k, s, 0.0), Vec3::new(-s, k, 0.0)) } else { (Vec3::new(k, 0.0, s), Vec3::new(-s, 0.0, k)) };
                (c + r * 50.0, v * 10.0)
            })
            .unzip()
    };
    let (pos, vel) = ring(true);
    let (phi, m) = order_parameters(&box3, &pos, &vel);
    assert!(phi < 1e-3 && (m - 1.0).abs() < 1e-3, "a level ring: φ {phi} m {m}");
    let (pos, vel) = ring(false);
    let (_, m) = order_parameters(&box3, &pos, &vel);
    assert!(m < 1e-3, "a vertical loop does not mill about the vertical: {m}");
    let straight = vec![Vec3::new(3.0, 0.0, 1.0); 720];
    let (phi, _) = order_parameters(&box3, &pos, &straight);
    assert!((phi - 1.0).abs() < 1e-4, "{phi}");
    // birds straddling every seam: the circular mean is the corner, not the middle
    let corner: Vec<Vec3> = [1.0f32, -1.0].iter().flat_map(|&d| [Vec3::new(d, d, d), Vec3::new(d, -d, d), Vec3::new(-d, d, -d)]).map(|p| box3.contain(p)).collect();
    let c = centre(&box3, &corner);
    let d = box3.offset(Vec3::ZERO, c);
    assert!(d.length() < 1.0, "{c}");
}
