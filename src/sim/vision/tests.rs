use bevy::math::Vec2;

use super::*;
use crate::sim::params::SimParams;

fn per(fov_deg: f32) -> Perception {
    Perception::from_params(&SimParams { fov_deg, ..SimParams::default() })
}

/// The compute pool [`Silhouettes::build`] runs on (several threads: the pieces must agree).
fn pool() {
    bevy::tasks::ComputeTaskPool::get_or_init(|| bevy::tasks::TaskPoolBuilder::new().num_threads(4).build());
}

fn bins(mask: u64) -> Vec<u32> {
    (0..BINS as u32).filter(|i| mask >> i & 1 == 1).collect()
}

#[test]
fn an_arc_covers_the_bins_whose_centres_it_holds() {
    // bin b's centre is at (b + 0.5) × 5.625°
    let deg = |d: f32| d.to_radians();
    assert_eq!(bins(arc_mask(0.0, deg(3.0))), vec![0, 63], "straddles 0°");
    assert_eq!(bins(arc_mask(deg(90.0), deg(6.0))), vec![15, 16], "centres 87.2° and 92.8°");
    assert_eq!(bins(arc_mask(deg(2.8125), deg(1.0))), vec![0], "one bin");
    assert_eq!(arc_mask(deg(1.0), deg(0.5)), 0, "narrower than a bin and off its centre");
    assert_eq!(arc_mask(deg(-90.0), deg(6.0)), arc_mask(deg(270.0), deg(6.0)), "angles wrap");
    assert_eq!(arc_mask(0.0, std::f32::consts::PI), u64::MAX);
    assert_eq!(bins(arc_mask(deg(180.0), deg(90.0))).len(), 32, "half the circle");
}

#[test]
fn a_dark_run_has_two_edges_and_a_full_sky_none() {
    let run = arc_mask(1.0, 0.3);
    let e = edges_of(run);
    assert_eq!(e.count_ones(), 2);
    let first = run.trailing_zeros();
    let last = BINS as u32 - 1 - run.leading_zeros();
    assert_eq!(bins(e), vec![first, last + 1]);
    assert_eq!(edges_of(0), 0);
    assert_eq!(edges_of(u64::MAX), 0, "inside an opaque flock: no edges");
}

#[test]
fn a_far_patch_pulls_fully_toward_itself_and_a_near_wide_one_hardly() {
    let p = per(360.0);
    let far = Vec2::new(0.0, 300.0);
    let d = delta(silhouette([far], 20.0), Vec2::X, &p);
    assert!(d.normalize().dot(Vec2::Y) > 0.999, "{d}");
    assert!(d.length() > 0.99, "two edges close together: |δ| ≈ 1, got {}", d.length());
    // the bird at the edge of its own flock, which fills half its sky
    let own: Vec<Vec2> = (0..40).map(|i| Vec2::from_angle(std::f32::consts::PI * (i as f32 + 0.5) / 40.0) * 5.0).collect();
    let d = delta(silhouette(own, 1.0), Vec2::X, &p);
    assert!(d.length() < 0.15, "a half-sky arc nearly cancels: {d}");
    // both: the far fragment wins the direction
    let sky: Vec<Vec2> = (0..40).map(|i| Vec2::from_angle(-std::f32::consts::PI * (i as f32 + 0.5) / 40.0) * 5.0).collect();
    let d = delta(silhouette(sky, 1.0) | silhouette([far], 20.0), Vec2::X, &p);
    assert!(d.y > 0.3 && d.y > d.x.abs(), "{d}");
}

#[test]
fn patches_on_opposite_sides_cancel() {
    let p = per(360.0);
    let d = delta(silhouette([Vec2::new(200.0, 0.0), Vec2::new(-200.0, 0.0)], 10.0), Vec2::Y, &p);
    assert!(d.length() < 1e-5, "{d}");
}

#[test]
fn edges_behind_the_bird_are_not_seen() {
    let behind = silhouette([Vec2::new(-300.0, 0.0)], 20.0);
    assert_ne!(delta(behind, Vec2::NEG_X, &per(270.0)), Vec2::ZERO, "ahead");
    assert_eq!(delta(behind, Vec2::X, &per(270.0)), Vec2::ZERO, "in the blind angle");
    assert_ne!(delta(behind, Vec2::X, &per(360.0)), Vec2::ZERO, "no blind angle");
}

#[test]
fn the_force_steers_toward_delta_scaled_by_its_length() {
    let params = SimParams { vision_weight: 2.0, max_speed: 10.0, max_force: 100.0, ..SimParams::default() };
    let f = vision_force(Vec2::new(0.0, 0.5), Vec2::new(10.0, 0.0), &params);
    // steer = (0, 10) − (10, 0), × weight 2 × |δ| 0.5
    assert!((f - Vec2::new(-10.0, 10.0)).length() < 1e-4, "{f}");
    assert_eq!(vision_force(Vec2::ZERO, Vec2::X, &params), Vec2::ZERO);
}

/// Two groups of birds, one each side of the wrap seam: the eyes of each see the other across
/// the seam (nearer than the long way round), and a bird's δ points at the other group.
#[test]
fn fragments_see_each_other_across_the_wrap_seam() {
    let space = Space { size: Vec2::new(1000.0, 500.0), wrap: true };
    let mut pos = Vec::new();
    // 25 birds each, 20 u across, each group inside one 25 u view cell
    for i in 0..25 {
        let jitter = Vec2::new((i % 5) as f32, (i / 5) as f32) * 5.0;
        pos.push(Vec2::new(26.0, 251.0) + jitter); // just right of the seam
        pos.push(Vec2::new(851.0, 251.0) + jitter); // about 175 u to the left, across it
    }
    let mut s = Silhouettes::default();
    s.build(space, &pos, 0.0, 400.0);
    let p = per(360.0);
    for (slot, &at) in pos.iter().enumerate() {
        let d = delta(s.dark[s.slot_cell[slot] as usize], Vec2::Y, &p);
        let toward = if at.x < 500.0 { Vec2::NEG_X } else { Vec2::X };
        assert!(d.dot(toward) > 0.9, "bird at {at}: δ {d}");
    }
}

/// A bird in the middle of a large even flock sees birds all round: no edges, no pull; the birds
/// at its rim are drawn inward only weakly.
#[test]
fn the_middle_of_a_flock_sees_no_edges() {
    let space = Space { size: Vec2::new(2000.0, 2000.0), wrap: false };
    let pos: Vec<Vec2> = (0..60 * 60).map(|i| Vec2::new(700.0 + (i % 60) as f32 * 10.0, 700.0 + (i / 60) as f32 * 10.0)).collect();
    pool();
    let mut s = Silhouettes::default();
    s.build(space, &pos, 0.0, 320.0);
    let p = per(360.0);
    let middle = pos.iter().position(|&q| q == Vec2::new(1000.0, 1000.0)).unwrap();
    assert_eq!(edges_of(s.dark[s.slot_cell[middle] as usize]), 0, "dark all round");
    let rim = pos.iter().position(|&q| q == Vec2::new(700.0, 1000.0)).unwrap();
    let d = delta(s.dark[s.slot_cell[rim] as usize], Vec2::Y, &p);
    assert!(d.length() < 0.35, "rim: {d}");
}

#[test]
fn every_slot_has_its_cell_and_an_empty_world_works() {
    let space = Space { size: Vec2::new(300.0, 200.0), wrap: true };
    pool();
    let mut s = Silhouettes::default();
    s.build(space, &[], 0.0, 400.0);
    assert!(s.dark.is_empty() && s.slot_cell.is_empty());
    let pos = [Vec2::new(1.0, 1.0), Vec2::new(299.0, 199.0), Vec2::new(150.0, 100.0)];
    s.build(space, &pos, 0.0, 400.0);
    assert_eq!(s.slot_cell.len(), 3);
    assert!(s.slot_cell.iter().all(|&c| (c as usize) < s.dark.len()));
}

#[test]
fn dark_runs_are_found_round_the_circle() {
    let runs = |m: u64| dark_runs(m).collect::<Vec<_>>();
    assert_eq!(runs(0), vec![]);
    assert_eq!(runs(u64::MAX), vec![], "a full sky has no run with edges");
    assert_eq!(runs(0b1110), vec![(1, 4)]);
    assert_eq!(runs(0b1110 | 1 << 10), vec![(1, 4), (10, 11)]);
    // a run across bin 0: bins 62, 63, 0, 1
    assert_eq!(runs(0b11 | 0b11 << 62), vec![(62, 2)]);
}

/// From the rim of its own flock a bird sees that flock over a little more than half its sky
/// (the discs beside it reach past the horizon): that run is left out, so the rim is not pushed
/// out, while a small patch out there still pulls.
#[test]
fn the_flock_a_bird_is_at_the_rim_of_does_not_push_it_out() {
    let p = per(360.0);
    // its flock below it: 200° of sky, symmetric about −y
    let own = arc_mask(-std::f32::consts::FRAC_PI_2, 100f32.to_radians());
    assert!(own.count_ones() > 32);
    assert_eq!(delta(own, Vec2::X, &p), Vec2::ZERO);
    // and a fragment up ahead-left
    let fragment = arc_mask(2.0, 0.1);
    let d = delta(own | fragment, Vec2::X, &p);
    assert!(d.normalize().dot(Vec2::from_angle(2.0)) > 0.99 && d.length() > 0.9, "{d}");
}
