//! Scenes built for each pattern, and scenes that must not be named.

use super::*;

const P: Vec2 = Vec2::new(800.0, 450.0);

fn params() -> SimParams {
    SimParams::default()
}

/// Birds on a square lattice of `spacing` within `r_in..r_out` of `centre`, with `vel(offset)`.
fn disc(centre: Vec2, spacing: f32, r_in: f32, r_out: f32, vel: impl Fn(Vec2) -> Vec2) -> Vec<(Vec2, Vec2)> {
    let n = (r_out / spacing).ceil() as i32;
    let mut birds = Vec::new();
    for i in -n..=n {
        for j in -n..=n {
            // a small fixed jitter so no two distances tie
            let o = Vec2::new(i as f32, j as f32) * spacing + Vec2::new(0.013 * j as f32, 0.017 * i as f32);
            if (r_in..r_out).contains(&o.length()) {
                birds.push((centre + o, vel(o)));
            }
        }
    }
    birds
}

fn grid(birds: &[(Vec2, Vec2)]) -> SpatialGrid {
    let mut g = SpatialGrid::default();
    g.rebuild(Space::from_params(&params()), 25.0, birds.iter().enumerate().map(|(i, &(p, v))| (i as u32, p, v)));
    g
}

/// Feeds the watch one scene per 0.25 s (predator at P, one cluster unless said) and returns
/// every pattern named.
fn watch(scenes: &[Vec<(Vec2, Vec2)>], one_cluster: bool) -> Vec<Pattern> {
    let (p, space) = (params(), Space::from_params(&params()));
    let mut w = EscapeWatch::default();
    let mut seen = Vec::new();
    for (i, birds) in scenes.iter().enumerate() {
        let speed = birds.iter().map(|b| b.1.length()).sum::<f32>() / birds.len().max(1) as f32;
        let g = glance(i as f64 * 0.25, &grid(birds), &[P], Vec::new(), one_cluster, speed, &p);
        seen.extend(w.observe(&g, &space, &p));
    }
    seen
}

fn kinds(seen: &[Pattern]) -> Vec<PatternKind> {
    let mut k: Vec<PatternKind> = seen.iter().map(|p| p.kind).collect();
    k.dedup();
    k
}

#[test]
fn a_radial_burst_is_a_flash_expansion() {
    let still = disc(P, 6.0, 0.0, 100.0, |_| Vec2::X);
    let burst = disc(P, 12.0, 0.0, 130.0, |o| o.normalize_or_zero() * 120.0);
    let seen = watch(&[still.clone(), still, burst], true);
    assert_eq!(kinds(&seen), [PatternKind::FlashExpansion], "{seen:?}");
    assert!((seen[0].value - 2.0).abs() < 0.1, "spacing doubled: {}", seen[0].value);
}

#[test]
fn birds_packing_around_the_predator_are_a_compaction() {
    let loose = disc(P, 12.0, 0.0, 130.0, |_| Vec2::X);
    let packed = disc(P, 6.0, 0.0, 130.0, |o| -o.normalize_or_zero() * 30.0);
    let seen = watch(&[loose, packed], true);
    assert_eq!(kinds(&seen), [PatternKind::Compaction], "{seen:?}");
}

#[test]
fn a_ring_around_a_still_predator_is_a_vacuole_but_a_half_ring_or_a_full_disc_is_not() {
    let ring = disc(P, 6.0, 30.0, 130.0, |_| Vec2::X * 50.0);
    let seen = watch(&[ring.clone(), ring.clone()], true);
    assert_eq!(kinds(&seen), [PatternKind::Vacuole], "{seen:?}");
    assert!((seen[0].value - 30.0).abs() < 1.0, "radius {}", seen[0].value);
    let half: Vec<_> = ring.iter().copied().filter(|(p, _)| p.x > P.x + 1.0).collect();
    assert!(watch(&[half.clone(), half], true).is_empty(), "birds on one side only");
    let full = disc(P, 6.0, 0.0, 130.0, |_| Vec2::X * 50.0);
    assert!(watch(&[full.clone(), full], true).is_empty(), "no hole");
    assert!(watch(&[ring.clone(), ring], false).is_empty(), "a flock in parts is not one cluster");
}

#[test]
fn a_calm_flock_and_a_flock_drifting_past_the_predator_are_not_named() {
    let v = Vec2::new(100.0, 20.0);
    let drifting: Vec<Vec<(Vec2, Vec2)>> = (0..8).map(|i| disc(P + v * 0.25 * i as f32 - Vec2::X * 200.0, 8.0, 0.0, 160.0, |_| v)).collect();
    assert!(watch(&drifting, true).is_empty(), "{:?}", watch(&drifting, true));
    let calm: Vec<Vec<(Vec2, Vec2)>> = (0..8).map(|i| disc(Vec2::new(300.0 + 25.0 * i as f32, 300.0), 8.0, 0.0, 100.0, |_| Vec2::X * 100.0)).collect();
    assert!(watch(&calm, true).is_empty());
}

/// Alarmed birds on a ring of radius `r` around `origin`.
fn ring_at(origin: Vec2, r: f32) -> Vec<Vec2> {
    (0..40).map(|k| origin + Vec2::from_angle(k as f32 * 0.157) * r).collect()
}

fn waves(radius: impl Fn(f64) -> f32, flock_speed: f32) -> Vec<Pattern> {
    let (p, space) = (params(), Space::from_params(&params()));
    let mut w = EscapeWatch::default();
    let mut seen = Vec::new();
    for i in 0..10 {
        let t = f64::from(i) * 0.1;
        let g = Glance { time_s: t, heading: None, speed: flock_speed, one_cluster: true, near: None, alarmed: ring_at(P, radius(t)) };
        seen.extend(w.observe(&g, &space, &p));
    }
    seen
}

#[test]
fn a_front_outrunning_the_birds_is_an_agitation_wave() {
    let seen = waves(|t| 20.0 + 60.0 * t as f32, 10.0);
    assert_eq!(seen.len(), 1, "named once: {seen:?}");
    assert_eq!(seen[0].kind, PatternKind::AgitationWave);
    assert!((seen[0].value - 60.0).abs() < 0.5 && (seen[0].speed_ratio.unwrap() - 6.0).abs() < 0.05, "{seen:?}");
    assert!(waves(|_| 50.0, 10.0).is_empty(), "a still alarm is no wave");
    assert!(waves(|t| 20.0 + 10.0 * t as f32, 10.0).is_empty(), "alarmed birds merely flying away at the flock's speed");
}

fn turning(deg_per_s: f32, one_cluster: bool) -> Vec<Pattern> {
    let (p, space) = (params(), Space::from_params(&params()));
    let mut w = EscapeWatch::default();
    (0..16)
        .flat_map(|i| {
            let t = f64::from(i) * 0.25;
            let g = Glance { time_s: t, heading: Some((deg_per_s * t as f32).to_radians()), speed: 100.0, one_cluster, near: None, alarmed: Vec::new() };
            w.observe(&g, &space, &p)
        })
        .collect()
}

#[test]
fn a_flock_turning_fast_as_one_is_a_collective_turn() {
    let seen = turning(40.0, true);
    assert_eq!(kinds(&seen), [PatternKind::CollectiveTurn]);
    assert!((seen[0].value - 50.0).abs() < 0.1 && seen[0].time_s == 1.25, "50° after 1.25 s: {seen:?}");
    assert!(turning(40.0, false).is_empty(), "a flock in parts does not turn collectively");
    assert!(turning(20.0, true).is_empty(), "40° in 2 s is not enough");
}
