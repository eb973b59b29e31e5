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

/// The falcon preset's strike, as `murmuration sim --summary` reports it: the patterns named,
/// in order, after the dive; with the alarm on also an agitation wave outrunning the birds, the
/// alarm in the state dump, and the same state at one and two threads.
#[test]
fn the_falcon_strike_lists_its_escape_patterns() {
    use crate::support::{run, stdout};
    let dir = std::env::temp_dir().join(format!("murmuration-patterns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let summary = |alarm: &str, threads: &str| {
        let (s, d) = (dir.join(format!("s-{alarm}-{threads}.json")), dir.join(format!("d-{alarm}-{threads}.csv")));
        let o = run(&["sim", "--preset", "falcon", "--steps", "1500", "--set", &format!("alarm={alarm}"), "--threads", threads,
            "--summary", s.to_str().unwrap(), "--dump-state", d.to_str().unwrap()]);
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&s).unwrap()).unwrap();
        (json["strikes"][0]["patterns"].as_array().cloned().unwrap_or_default(), std::fs::read_to_string(&d).unwrap(), stdout(&o))
    };
    let kinds = |patterns: &[serde_json::Value]| patterns.iter().map(|p| p["kind"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    let (quiet, dump, _) = summary("off", "2");
    assert_eq!(kinds(&quiet), ["compaction", "flash_expansion", "split"], "{quiet:?}");
    assert!(quiet.iter().all(|p| p["time_s"].as_f64().unwrap() > 20.0), "all after the dive at 20 s: {quiet:?}");
    assert!(dump.lines().skip(1).filter(|l| l.starts_with("bird,")).all(|l| l.ends_with(",calm")), "no alarm when it is off");
    let (alarmed, dump, one) = summary("on", "1");
    let wave = alarmed.iter().find(|p| p["kind"] == "agitation_wave").unwrap_or_else(|| panic!("{alarmed:?}"));
    assert!(wave["speed_ratio"].as_f64().unwrap() > 1.25, "{wave}");
    let names = ["calm", "pending", "alarmed", "refractory"];
    assert!(dump.starts_with("kind,id,x,y,vx,vy,alarm\n"));
    assert!(dump.lines().filter(|l| l.starts_with("bird,")).all(|l| names.contains(&l.rsplit(',').next().unwrap())), "every bird's alarm is dumped");
    let (_, _, two) = summary("on", "2");
    assert_eq!(crate::support::field(&one, "state_hash"), crate::support::field(&two, "state_hash"), "alarm and escape: same state at any thread count");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The metrics' own grid (the first sample's) is given back once the simulation's grid serves
/// the samples, and kept while that grid does not suit the link scan.
#[test]
fn the_metrics_own_grid_is_kept_only_while_needed() {
    use murmuration::metrics::MetricsGrid;
    let own = |sim: &Headless| sim.app.world().resource::<MetricsGrid>().0.pos.capacity();
    let mut sim = sim_with_metrics();
    assert!(own(&sim) >= 3000, "the first sample builds it");
    sim.step(13);
    assert_eq!(own(&sim), 0, "the simulation's grid serves the step samples");
    let config = RunConfig::from_params(SimParams { boid_count: 3000, link_distance: 120.0, ..SimParams::default() }, 7);
    let mut wide = Headless::with_options(&config, HeadlessOptions { threads: None, metrics: true });
    wide.step(13);
    assert!(!scan::grid_suits(wide.app.world().resource::<SpatialGrid>(), 120.0));
    assert!(own(&wide) >= 3000, "a link the step's cells do not suit keeps the own grid");
}
