//! The alarm's wave, its refractory period, its field of view, and the escape force.

use super::*;
use crate::sim::space::Space;

/// A row of `n` still birds 10 u apart along x (ids in order), facing +x.
fn row(n: usize, params: &SimParams) -> SpatialGrid {
    let mut g = SpatialGrid::default();
    let space = Space::from_params(params);
    g.rebuild(space, 20.0, (0..n).map(|i| (i as u32, Vec2::new(100.0 + 10.0 * i as f32, 300.0), Vec2::X * 10.0)));
    g
}

fn params(fov_deg: f32) -> SimParams {
    SimParams { neighbor_radius: 15.0, fear_radius: 5.0, fov_deg, reaction_time: 0.05, alarm_duration: 1.0, ..SimParams::default() }
}

/// Runs the alarm over the row for `steps` steps with a predator at bird 0 in step 0 only;
/// returns, per bird id, the steps after which it was alarmed (first step of each alarm).
fn run(grid: &SpatialGrid, params: &SimParams, steps: u64) -> Vec<Vec<u64>> {
    let n = grid.len();
    let mut state = vec![Alarm::Calm; n];
    let mut onsets = vec![Vec::new(); n];
    for step in 0..steps {
        let predators = if step == 0 { vec![Vec2::new(100.0, 300.0)] } else { Vec::new() };
        let next = alarm_step(&state, &[], grid, &predators, params, step);
        for slot in 0..n {
            if next[slot].is_alarmed() && !state[slot].is_alarmed() {
                onsets[grid.ids[slot] as usize].push(step);
            }
        }
        state = next;
    }
    onsets
}

#[test]
fn an_alarm_travels_one_neighbour_per_reaction_time_and_never_echoes() {
    let p = params(360.0);
    assert_eq!(AlarmSteps::from_params(&p), AlarmSteps { reaction: 3, duration: 60, zigzag: 30 });
    let onsets = run(&row(20, &p), &p, 400);
    for (id, o) in onsets.iter().enumerate() {
        // 50 ms at 60 steps/s is 3 steps: bird k is alarmed after step 3k, once
        assert_eq!(o, &vec![3 * id as u64], "bird {id}: {onsets:?}");
    }
}

#[test]
fn a_bird_is_alarmed_only_by_neighbours_it_sees() {
    // facing +x with a 90° view, each bird sees only the bird ahead: the alarm cannot travel
    // forward from bird 0 (nobody ahead of it sees it)
    let p = params(90.0);
    let onsets = run(&row(10, &p), &p, 100);
    assert_eq!(onsets[0], vec![0]);
    assert!(onsets[1..].iter().all(Vec::is_empty), "{onsets:?}");
}

#[test]
fn the_alarm_ends_then_the_bird_is_refractory_then_calm() {
    let p = params(360.0);
    let grid = row(1, &p);
    let mut a = alarm_step(&[Alarm::Calm], &[], &grid, &[Vec2::new(100.0, 300.0)], &p, 0);
    assert_eq!(a, [Alarm::Alarmed { until: 60, from: 0 }]);
    for step in 1..=120 {
        a = alarm_step(&a, &[], &grid, &[], &p, step);
        let expected = match step {
            ..60 => Alarm::Alarmed { until: 60, from: 0 },
            60..120 => Alarm::Refractory { until: 120 },
            _ => Alarm::Calm,
        };
        assert_eq!(a[0], expected, "step {step}");
    }
}

#[test]
fn escape_turns_away_from_the_nearest_predator_and_zigzags_by_turns() {
    let mut p = SimParams { escape_weight: 1.0, ..SimParams::default() };
    let space = Space::from_params(&p);
    let (pos, vel) = (Vec2::new(500.0, 500.0), Vec2::ZERO);
    let far_and_near = [Vec2::new(900.0, 500.0), Vec2::new(500.0, 450.0)];
    let away = escape_force(pos, vel, 0, &far_and_near, &space, &p, 0);
    assert!(away.y > 0.0 && away.x.abs() < 1e-4, "away from the near predator below: {away}");
    assert_eq!(escape_force(pos, vel, 0, &[], &space, &p, 0), Vec2::ZERO, "no predator, no escape");
    p.escape_mode = EscapeMode::Zigzag;
    let period = AlarmSteps::from_params(&p).zigzag;
    let (a, b) = (escape_force(pos, vel, 0, &far_and_near, &space, &p, 0), escape_force(pos, vel, 0, &far_and_near, &space, &p, period));
    assert!(a.y > 0.0 && b.y > 0.0, "both still away: {a} {b}");
    assert!(a.x * b.x < 0.0 && (a.angle_to(Vec2::Y).abs() - std::f32::consts::FRAC_PI_4).abs() < 1e-3, "45° to alternate sides: {a} {b}");
}

#[test]
fn in_a_block_of_birds_each_is_alarmed_once_and_the_alarm_dies_out() {
    // 30 × 30 birds 10 u apart, each seeing its 8 nearest: the alarm from a corner crosses the
    // block (one ring of birds per reaction time) and never comes back
    let p = params(360.0);
    let mut g = SpatialGrid::default();
    let birds = (0..900u32).map(|i| (i, Vec2::new(100.0 + 10.0 * (i % 30) as f32, 100.0 + 10.0 * (i / 30) as f32), Vec2::X));
    g.rebuild(Space::from_params(&p), 20.0, birds);
    let mut state = vec![Alarm::Calm; 900];
    let mut onsets = vec![Vec::new(); 900];
    for step in 0..600 {
        let predators = if step < 30 { vec![Vec2::new(100.0, 100.0)] } else { Vec::new() };
        let next = alarm_step(&state, &[], &g, &predators, &p, step);
        for slot in 0..900 {
            if next[slot].is_alarmed() && !state[slot].is_alarmed() {
                onsets[g.ids[slot] as usize].push(step);
            }
        }
        state = next;
    }
    assert!(onsets.iter().all(|o| o.len() == 1), "{:?}", onsets.iter().map(Vec::len).collect::<Vec<_>>());
    // the far corner is 29 rings away: 29 reaction times of 3 steps
    assert_eq!(onsets[899], vec![87]);
    assert!(state.iter().all(|&a| a == Alarm::Calm));
}

#[test]
fn a_sharp_turn_alarms_the_neighbours_that_see_it() {
    let p = params(360.0);
    let grid = row(5, &p);
    let slot_of = |id: u32| grid.ids.iter().position(|&i| i == id).unwrap();
    // bird 2 turned sharply in the last step (it is not alarmed itself)
    let mut turning = vec![false; 5];
    turning[slot_of(2)] = true;
    let mut state = alarm_step(&[Alarm::Calm; 5], &turning, &grid, &[], &p, 10);
    assert_eq!(state[slot_of(1)], Alarm::Pending { at: 12 });
    assert_eq!(state[slot_of(3)], Alarm::Pending { at: 12 });
    assert_eq!(state[slot_of(2)], Alarm::Calm);
    state = alarm_step(&state, &[], &grid, &[], &p, 11);
    state = alarm_step(&state, &[], &grid, &[], &p, 12);
    assert!(state[slot_of(1)].is_alarmed() && state[slot_of(3)].is_alarmed(), "{state:?}");
    // no turning birds: nothing happens
    assert!(alarm_step(&[Alarm::Calm; 5], &[false; 5], &grid, &[], &p, 10).iter().all(|&a| a == Alarm::Calm));
}
