//! Long runs keep their promises: no NaN, every bird inside the world, speeds within limits.

use murmuration::sim::params::EdgeMode;
use murmuration::sim::space::Space;
use murmuration::sim::SimParams;

use crate::support::{birds, headless};

fn check(params: &SimParams, sim: &mut murmuration::cli::headless::Headless, step: u64) {
    let space = Space::from_params(params);
    let lo = params.min_speed.min(params.max_speed);
    for (id, p, v) in birds(sim) {
        assert!(p.is_finite() && v.is_finite(), "step {step} bird {id}: {p:?} {v:?}");
        assert!(space.contains(p), "step {step} bird {id} outside: {p:?}");
        let s = v.length();
        assert!(s <= params.max_speed * 1.0001 && s >= lo * 0.9999, "step {step} bird {id} speed {s}");
    }
}

#[test]
fn ten_thousand_birds_for_five_thousand_steps() {
    let params = SimParams { boid_count: 10_000, world_width: 2600.0, world_height: 1600.0, ..SimParams::default() };
    let mut sim = headless(params.clone(), 11);
    for step in (0..5000).step_by(25) {
        sim.step(25);
        check(&params, &mut sim, step + 25);
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
            check(&params, &mut sim, step);
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
