//! It bends, not breaks: every slider extreme, random combinations, bad files, empty and huge
//! flocks, kills mid-save, panics.

use bevy::math::Vec2;
use murmuration::preset::Preset;
use murmuration::sim::params::{PARAMS, ParamKind, ParamValue};
use murmuration::sim::{PredationLog, Population, SimParams};
use proptest::prelude::*;

use crate::support::{check_invariants, headless, run, stderr};

/// A small flock with a hunting predator, `seconds` of simulated time.
fn stress(params: SimParams, seconds: f32, what: &str) {
    let mut sim = headless(params.clone(), 3);
    let steps = (seconds * params.step_rate as f32) as u64;
    let batch = (steps / 10).max(1);
    let mut done = 0;
    while done < steps {
        sim.step(batch);
        done += batch;
        check_invariants(&mut sim, what);
    }
}

fn base() -> SimParams {
    SimParams { boid_count: 150, predator_count: 1, world_width: 600.0, world_height: 400.0, ..SimParams::default() }
}

#[test]
fn every_parameter_at_its_minimum_and_maximum() {
    for spec in PARAMS {
        for (end, value) in match spec.kind {
            ParamKind::Float { min, max, .. } => [("min", ParamValue::Float(min)), ("max", ParamValue::Float(max))],
            ParamKind::Int { min, max, .. } => [("min", ParamValue::Int(min)), ("max", ParamValue::Int(max))],
            ParamKind::Choice { options, .. } => [("first", ParamValue::Choice(0)), ("last", ParamValue::Choice(options.len() - 1))],
        } {
            if spec.key == "boid_count" && end == "max" {
                continue; // a million birds: see `a_million_birds_start_and_step`
            }
            let mut params = base();
            (spec.set)(&mut params, value); // a min speed above the max speed: the simulation caps it
            // keep the long extremes affordable: fewer birds in huge worlds or radii
            let what = format!("{} at its {end}", spec.key);
            stress(params, 10.0, &what);
        }
    }
}

/// Each parameter set alone to its minimum or maximum on each preset, through the command line's
/// own path (`--set`), runs: conflicting values are capped as the help says, the parameters in
/// effect satisfy every rule, and the birds stay finite and inside the world.
#[test]
fn every_parameter_at_either_end_runs_on_every_preset() {
    for (preset, _) in murmuration::preset::BUILT_IN {
        for spec in PARAMS {
            let ends = match spec.kind {
                ParamKind::Float { min, max, .. } => [ParamValue::Float(min), ParamValue::Float(max)],
                ParamKind::Int { min, max, .. } => [ParamValue::Int(min), ParamValue::Int(max)],
                ParamKind::Choice { options, .. } => [ParamValue::Choice(0), ParamValue::Choice(options.len() - 1)],
            };
            for value in ends {
                let assignment = format!("{}={}", spec.key, spec.format(value));
                if spec.key == "boid_count" && value == ParamValue::Int(1_000_000) {
                    continue; // a million birds: see `a_million_birds_start_and_step`
                }
                let what = format!("{preset} with {assignment}");
                let config = murmuration::run::RunConfig::resolve(Some(preset), None, std::slice::from_ref(&assignment), &[], "default")
                    .unwrap_or_else(|e| panic!("{what}: {e:#}"));
                let p = &config.params;
                assert!(p.min_speed <= p.max_speed, "{what}: the min speed is capped");
                let mut sim = murmuration::run::Headless::new(&config, None);
                sim.step(3);
                check_invariants(&mut sim, &what);
                let live = sim.app.world().resource::<SimParams>();
                assert_eq!(live, p, "{what}: the simulation runs the parameters in effect");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn random_combinations_hold_the_invariants(picks in prop::collection::vec((0usize..PARAMS.len(), 0.0f64..=1.0), 1..8)) {
        let mut params = base();
        for (i, t) in picks {
            let spec = &PARAMS[i];
            let value = match spec.kind {
                ParamKind::Float { min, max, .. } => ParamValue::Float(min + (max - min) * t as f32),
                ParamKind::Int { min, max, .. } => ParamValue::Int(min + ((max - min) as f64 * t) as u32),
                ParamKind::Choice { options, .. } => ParamValue::Choice(((options.len() - 1) as f64 * t).round() as usize),
            };
            (spec.set)(&mut params, spec.check(value).unwrap());
        }
        params.boid_count = params.boid_count.min(400);
        stress(params, 3.0, "random combination");
    }
}

#[test]
fn empty_flocks_and_all_eaten() {
    // zero birds with predators and repair off
    stress(SimParams { boid_count: 0, predator_count: 3, ..base() }, 2.0, "no birds");
    // one bird
    stress(SimParams { boid_count: 1, ..base() }, 2.0, "one bird");
    // a hungry predator eats everyone, then the sim goes on
    let params = SimParams {
        boid_count: 30,
        predator_count: 8,
        world_width: 200.0,
        world_height: 200.0,
        catch_radius: 50.0,
        catch_cooldown: 0.0,
        confusion: 0.0,
        flee_weight: 0.0,
        ..SimParams::default()
    };
    let mut sim = headless(params, 1);
    sim.step(600);
    assert_eq!(sim.alive(), 0, "all eaten");
    assert_eq!(sim.app.world().resource::<PredationLog>().total_kills, 30);
    sim.step(60);
    // repair mode from zero brings them back
    {
        let mut p = sim.app.world_mut().resource_mut::<SimParams>();
        p.repair = murmuration::sim::params::OnOff::On;
        p.repair_rate = 600.0;
        p.predator_count = 0;
    }
    sim.step(120);
    assert_eq!(sim.alive(), 30);
    check_invariants(&mut sim, "repaired from zero");
}

#[test]
fn live_count_changes_from_100k_to_zero_and_back() {
    let mut sim = headless(murmuration::run::bench::bench_params(100_000, 3.0), 2);
    sim.step(2);
    sim.app.world_mut().resource_mut::<SimParams>().boid_count = 0;
    sim.step(2);
    assert_eq!(sim.alive(), 0);
    sim.app.world_mut().resource_mut::<SimParams>().boid_count = 100_000;
    sim.step(2);
    assert_eq!(sim.alive(), 100_000);
    check_invariants(&mut sim, "after 100k → 0 → 100k");
}

#[test]
fn a_million_birds_start_and_step() {
    let params = murmuration::run::bench::bench_params(1_000_000, 3.0);
    let mut sim = headless(params, 1);
    sim.step(2);
    assert_eq!(sim.alive(), 1_000_000);
    check_invariants(&mut sim, "1M birds");
}

/// A long run with hunting and repair: alive + kills − hatched stays equal to the start.
pub fn soak(steps: u64) {
    let params = SimParams {
        boid_count: 1500,
        predator_count: 3,
        predator_strategy: murmuration::sim::params::TargetStrategy::LockOn,
        repair: murmuration::sim::params::OnOff::On,
        repair_rate: 10.0,
        confusion: 0.3,
        predator_rest: 2.0,
        vision_weight: 0.3,
        view_range: 1600.0,
        ..SimParams::default()
    };
    let mut sim = headless(params, 17);
    let batch = 2000.min(steps);
    let mut done = 0;
    while done < steps {
        sim.step(batch);
        done += batch;
        check_invariants(&mut sim, &format!("soak step {done}"));
        let kills = sim.app.world().resource::<PredationLog>().total_kills;
        let hatched = sim.app.world().resource::<Population>().hatched;
        assert_eq!(sim.alive() as u64 + kills, 1500 + hatched, "soak step {done}: books do not balance");
    }
    assert!(sim.app.world().resource::<PredationLog>().total_kills > 0);
}

#[test]
fn soak_short() {
    // CI runs the long version (200k steps) in release: see .ci/run.
    let steps = std::env::var("MURMURATION_SOAK_STEPS").ok().and_then(|s| s.parse().ok()).unwrap_or(6_000);
    soak(steps);
}

/// A valid preset to mutate.
const VALID: &str = include_str!("../assets/presets/falcon.ron");

proptest! {
    #![proptest_config(ProptestConfig::with_cases(std::env::var("MURMURATION_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000)))]
    #[test]
    fn the_preset_parser_never_panics(cut in 0usize..VALID.len(), insert in prop::collection::vec(any::<u8>(), 0..12), junk in prop::collection::vec(any::<u8>(), 0..40), mode in 0u8..4) {
        let bytes: Vec<u8> = match mode {
            0 => VALID.as_bytes()[..cut].to_vec(),                       // truncated
            1 => { let mut b = VALID.as_bytes().to_vec(); b.splice(cut..cut, insert.iter().copied()); b } // inserted bytes
            2 => junk.clone(),                                           // garbage
            _ => VALID.replacen("1000", &String::from_utf8_lossy(&insert), 1).into_bytes(), // a value replaced
        };
        if let Ok(text) = std::str::from_utf8(&bytes)
            && let Err(e) = Preset::from_ron(text)
        {
            let msg = format!("{e:#}");
            prop_assert!(!msg.is_empty());
        }
        // non-UTF-8 bytes are refused by load_file before parsing (tested in cli.rs)
    }

    #[test]
    fn assignments_never_panic(key in "[a-z_]{0,20}", value in ".{0,16}", known in any::<bool>(), idx in 0usize..PARAMS.len()) {
        let key = if known { PARAMS[idx].key.to_string() } else { key };
        let mut params = SimParams::default();
        match params.apply_assignment(&format!("{key}={value}")) {
            Ok(()) => prop_assert!(params.validate().is_ok()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

#[test]
fn nan_and_infinite_literals_are_refused_by_name() {
    for (text, field) in [
        ("(params: {\"max_speed\": NaN})", "max_speed"),
        ("(params: {\"world_width\": inf})", "world_width"),
        ("(params: {\"cohesion_weight\": -inf})", "cohesion_weight"),
        ("(params: {\"boid_count\": 1e99})", "boid_count"),
        ("(dives: [(at_s: NaN)])", "at_s"),
        ("(dives: [(at_s: 1.0, speed: 99.0)])", "dives[0].speed"),
    ] {
        let err = format!("{:#}", Preset::from_ron(text).unwrap_err());
        assert!(err.contains(field), "{text}: {err}");
    }
}

#[test]
fn killing_the_process_while_it_writes_leaves_the_old_file() {
    let dir = std::env::temp_dir().join(format!("murmuration-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.csv");
    std::fs::write(&path, "old contents\n").unwrap();
    // a million birds' final state (~60 MB) is streamed into a temporary file beside the target
    let mut child = crate::support::bin()
        .args(["sim", "--boids", "1000000", "--steps", "0", "--dump-state", path.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let temp = dir.join(format!(".state.csv.tmp-{}", child.id()));
    let started = std::time::Instant::now();
    while std::fs::metadata(&temp).map_or(0, |m| m.len()) == 0 {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it was seen writing");
        assert!(started.elapsed().as_secs() < 300, "no output after 300 s");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL, mid-write
    child.wait().unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old contents\n", "the old file is intact");
    assert!(temp.exists(), "the kill landed while the file was being written");
    // the next write to that path cleans the killed writer's temporary up and replaces the file whole
    let out = run(&["sim", "--boids", "100", "--steps", "12", "--dump-state", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("kind,id,x,y,vx,vy,alarm\n") && text.lines().count() == 101, "{text}");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left, vec![std::ffi::OsString::from("state.csv")], "no temporary files");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_finished_run_replaces_the_metrics_file_whole() {
    let dir = std::env::temp_dir().join(format!("murmuration-metrics-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.csv");
    std::fs::write(&path, "old contents\n").unwrap();
    let out = run(&["sim", "--boids", "100", "--steps", "12", "--metrics", path.to_str().unwrap()]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("step,time_s,alive,kills,polarization,milling,clusters,largest_cluster_frac,mean_nn_dist,alarmed,heading_deg,near_birds,near_radial,near_spacing,empty_radius,aspect_ratio,mean_neighbors,mean_speed\n"));
    assert!(text.lines().last().unwrap().starts_with("12,"), "{text}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary files");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn killing_a_long_recording_leaves_the_old_file_and_no_temporary() {
    let dir = std::env::temp_dir().join(format!("murmuration-killrec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("v.gif");
    std::fs::write(&path, b"an older video").unwrap();
    let mut child = crate::support::bin()
        .args(["record", "--preset", "falcon", "--seconds", "600", "--fps", "30", "--size", "320x180", "--out", path.to_str().unwrap()])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    child.kill().unwrap(); // SIGKILL mid-recording
    child.wait().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"an older video");
    // the killed run's partial temporary file is cleaned up by the next write to that path
    let out = run(&["record", "--preset", "falcon", "--seconds", "0.2", "--fps", "10", "--size", "64x64", "--out", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let names: Vec<String> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec!["v.gif".to_string()]);
    assert_ne!(std::fs::read(&path).unwrap(), b"an older video");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unwritable_outputs_fail_before_running() {
    let out = run(&["sim", "--steps", "100000", "--metrics", "/no/such/folder/m.csv"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("/no/such/folder") && err.contains("does not exist"), "{err}");
}

#[test]
fn a_panic_prints_a_readable_message_and_a_crash_log() {
    let out = run(&["crash-test"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("murmuration hit a bug") && err.contains("crash test requested"), "{err}");
    assert!(err.contains("murmuration-crash.log"), "{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "{err}");
}

#[test]
fn sim_outputs_are_complete_files() {
    let dir = std::env::temp_dir().join(format!("murmuration-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (m, s, d) = (dir.join("m.csv"), dir.join("s.json"), dir.join("d.csv"));
    let out = run(&[
        "sim", "--preset", "hunt", "--steps", "300", "--metrics", m.to_str().unwrap(),
        "--summary", s.to_str().unwrap(), "--dump-state", d.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<String> = std::fs::read_to_string(&m).unwrap().lines().map(String::from).collect();
    assert_eq!(rows.len(), 1 + 51, "a row every 6 steps from 0 to 300");
    assert!(rows.last().unwrap().starts_with("300,5.0000,"));
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&s).unwrap()).unwrap();
    assert_eq!(summary["seed"], 2);
    assert_eq!(summary["params"]["predator_count"], 1);
    let kills = summary["totals"]["kills"].as_u64().unwrap();
    assert_eq!(summary["totals"]["alive"].as_u64().unwrap() + kills, 2000);
    let dump = std::fs::read_to_string(&d).unwrap();
    let mut lines = dump.lines();
    assert_eq!(lines.next(), Some("kind,id,x,y,vx,vy,alarm"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.iter().filter(|r| r.starts_with("bird,")).count() as u64, 2000 - kills);
    assert_eq!(rows.iter().filter(|r| r.starts_with("predator,")).count(), 1);
    let _ = Vec2::ZERO;
    std::fs::remove_dir_all(&dir).unwrap();
}
