//! The metrics plugin in a running simulation: a step's sample, taken at the start of the next
//! step from the simulation's own grid, equals a fresh measurement of that step's state; a due
//! sample is not lost when the simulation pauses.

use murmuration::run::RunConfig;
use murmuration::run::headless::{Headless, HeadlessOptions};
use murmuration::metrics::{Metrics, measure_grid, scan};
use murmuration::sim::space::Space;
use murmuration::sim::{SimControl, SimParams, SpatialGrid};

use crate::support::birds;

fn sim_with_metrics() -> Headless {
    let config = RunConfig::from_params(SimParams { boid_count: 3000, ..SimParams::default() }, 7);
    Headless::with_options(&config, HeadlessOptions { threads: None, metrics: true })
}

/// The measures of the world's birds now, through a grid of a different cell size from both the
/// simulation's and the metrics' own (a third of the link: the scan's slower, generic reach).
fn fresh_sample(sim: &mut Headless) -> murmuration::metrics::MetricsSample {
    let params = sim.app.world().resource::<SimParams>().clone();
    let space = Space::from_params(&params);
    let mut grid = SpatialGrid::default();
    grid.rebuild(space, params.link_distance / 3.0, birds(sim).into_iter().map(|(id, p, v)| (id, space.contain(p), v)));
    assert_ne!(grid.cell_size(), sim.app.world().resource::<SpatialGrid>().cell_size(), "two different grids");
    measure_grid(&params, &grid).0
}

#[test]
fn a_sample_from_the_simulation_grid_equals_a_fresh_measurement() {
    let mut sim = sim_with_metrics();
    let every = u64::from(sim.app.world().resource::<SimParams>().sample_every);
    for round in 1..=4u64 {
        sim.step(every * 10 * round - sim.steps());
        // The step's sample is not taken yet: it comes at the start of the next step.
        let step = sim.steps();
        assert_ne!(sim.app.world().resource::<Metrics>().latest().unwrap().step, step);
        let expected = fresh_sample(&mut sim);
        sim.step(1);
        let world = sim.app.world();
        let link = world.resource::<SimParams>().link_distance;
        assert!(scan::grid_suits(world.resource::<SpatialGrid>(), link), "the default parameters take the shared-grid path");
        let metrics = world.resource::<Metrics>();
        let got = metrics.recent.iter().find(|s| s.step == step).expect("the step's sample was taken");
        assert_eq!((got.alive, got.clusters), (expected.alive, expected.clusters), "step {step}");
        assert!(got.clusters >= 1 && got.alive == 3000);
        assert_eq!(got.largest_cluster_frac, expected.largest_cluster_frac, "step {step}");
        let (a, b) = (got.mean_nn_dist.unwrap(), expected.mean_nn_dist.unwrap());
        assert!((a - b).abs() < 1e-4 * b, "mean NN distance {a} vs {b} at step {step}");
        assert!((got.polarization - expected.polarization).abs() < 1e-4, "{got:?} vs {expected:?}");
        assert!((got.milling - expected.milling).abs() < 1e-4, "{got:?} vs {expected:?}");
    }
}

#[test]
fn a_due_sample_is_taken_when_the_simulation_pauses() {
    let mut sim = sim_with_metrics();
    let every = u64::from(sim.app.world().resource::<SimParams>().sample_every);
    sim.step(every * 3);
    let step = sim.steps();
    assert_ne!(sim.app.world().resource::<Metrics>().latest().unwrap().step, step);
    sim.app.world_mut().resource_mut::<SimControl>().paused = true;
    sim.app.update();
    assert_eq!(sim.steps(), step, "paused: no step ran");
    let latest = *sim.app.world().resource::<Metrics>().latest().unwrap();
    assert_eq!(latest.step, step, "the paused step's sample is there");
    assert_eq!(latest.alive, 3000);
    let expected = fresh_sample(&mut sim);
    assert_eq!((latest.clusters, latest.largest_cluster_frac), (expected.clusters, expected.largest_cluster_frac));
    // Unpaused, the next samples follow at the usual steps.
    sim.app.world_mut().resource_mut::<SimControl>().paused = false;
    sim.step(every + 1);
    let steps: Vec<u64> = sim.app.world().resource::<Metrics>().recent.iter().map(|s| s.step).collect();
    assert_eq!(&steps[steps.len() - 2..], &[step, step + every]);
}
