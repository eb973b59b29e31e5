//! Long runs keep their promises: no NaN, every bird inside the world, speeds within limits.

use murmuration::sim::params::EdgeMode;
use murmuration::sim::SimParams;

use crate::support::{check_invariants, headless};

#[test]
fn ten_thousand_birds_for_five_thousand_steps() {
    let params = SimParams { boid_count: 10_000, world_width: 2600.0, world_height: 1600.0, ..SimParams::default() };
    let mut sim = headless(params.clone(), 11);
    for step in (0..5000).step_by(25) {
        sim.step(25);
        check_invariants(&mut sim, &format!("step {}", step + 25));
    }
    assert_eq!(sim.steps(), 5000);
    assert_eq!(sim.alive(), 10_000);
}

#[test]
fn every_edge_mode_keeps_birds_inside() {
    for edge_mode in [EdgeMode::Wrap, EdgeMode::Bounce, EdgeMode::Steer] {
        let params = SimParams {
            boid_count: 1500,
            world_width: 400.0,
            world_height: 300.0,
            edge_mode,
            max_speed: 400.0,
            ..SimParams::default()
        };
        let mut sim = headless(params.clone(), 5);
        for step in 0..300 {
            sim.step(1);
            check_invariants(&mut sim, &format!("step {}", step));
        }
    }
}

#[test]
fn bird_count_changes_live() {
    let mut sim = headless(SimParams { boid_count: 100, ..SimParams::default() }, 1);
    sim.step(5);
    sim.app.world_mut().resource_mut::<SimParams>().boid_count = 250;
    sim.step(1);
    assert_eq!(sim.alive(), 250);
    sim.app.world_mut().resource_mut::<SimParams>().boid_count = 0;
    sim.step(3);
    assert_eq!(sim.alive(), 0);
    sim.app.world_mut().resource_mut::<SimParams>().boid_count = 10;
    sim.step(3);
    assert_eq!(sim.alive(), 10);
}
