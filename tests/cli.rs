//! The command line as a user meets it: the report line, `params`, and bad input.

use crate::support::{field, run, stderr, stdout};

#[test]
fn sim_prints_one_report_line() {
    let out = run(&["sim", "--boids", "500", "--steps", "30", "--seed", "7"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    let line = lines[0];
    assert_eq!(field(line, "boids"), "500");
    assert_eq!(field(line, "alive"), "500");
    assert_eq!(field(line, "steps"), "30");
    assert_eq!(field(line, "seed"), "7");
    let hash = field(line, "state_hash");
    assert_eq!(hash.len(), 16);
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(field(line, "ms_per_step").parse::<f64>().unwrap() > 0.0);
    assert!(stderr(&out).is_empty(), "no progress bar when stderr is not a terminal");
}

#[test]
fn zero_birds_runs_fine() {
    let out = run(&["sim", "--boids", "0", "--steps", "20"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(field(&stdout(&out), "alive"), "0");
    assert_eq!(field(&stdout(&out), "steps"), "20");
}

#[test]
fn param_flags_and_set_change_the_run() {
    let base = run(&["sim", "--boids", "300", "--steps", "20"]);
    let flag = run(&["sim", "--boids", "300", "--steps", "20", "--cohesion-weight", "3"]);
    let set = run(&["sim", "--boids", "300", "--steps", "20", "--set", "cohesion_weight=3"]);
    let (b, f, s) = (stdout(&base), stdout(&flag), stdout(&set));
    assert_ne!(field(&b, "state_hash"), field(&f, "state_hash"));
    assert_eq!(field(&f, "state_hash"), field(&s, "state_hash"));
}

#[test]
fn params_lists_the_table() {
    let out = run(&["params", "--csv"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("name,unit,min,max,default,help"));
    let rows: Vec<_> = lines.collect();
    assert_eq!(rows.len(), murmuration::sim::params::PARAMS.len());
    assert!(rows.iter().any(|r| r.starts_with("separation_weight,,0,10,1.5,")), "{text}");
    assert!(rows.iter().any(|r| r.starts_with("edge_mode,,wrap,roost,wrap,")), "{text}");
    let human = stdout(&run(&["params"]));
    assert!(human.contains("Perception") && human.contains("neighbor_radius"), "{human}");
}

fn assert_clean_error(args: &[&str], needles: &[&str]) {
    let out = run(args);
    assert!(!out.status.success(), "{args:?} should fail");
    let err = stderr(&out);
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{args:?}: {err}");
    for needle in needles {
        assert!(err.contains(needle), "{args:?}: expected {needle:?} in {err:?}");
    }
    assert!(stdout(&out).is_empty(), "{args:?}");
}

#[test]
fn bad_values_name_the_field_and_range() {
    assert_clean_error(&["sim", "--set", "separation_weight=11"], &["separation_weight", "0 to 10"]);
    assert_clean_error(&["sim", "--max-speed", "NaN"], &["max_speed", "1 to 1000"]);
    assert_clean_error(&["sim", "--boids", "2000000"], &["boid_count", "0 to 1000000"]);
    assert_clean_error(&["sim", "--set", "edge_mode=torus"], &["edge_mode", "wrap, bounce, steer"]);
    assert_clean_error(&["sim", "--set", "wingspan=3"], &["unknown parameter `wingspan`"]);
    assert_clean_error(&["sim", "--preset", "no-such"], &["no preset named `no-such`"]);
}

#[test]
fn a_max_speed_below_the_min_speed_caps_the_min_speed_and_runs() {
    let dir = std::env::temp_dir().join(format!("murmuration-cap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let summary = dir.join("s.json");
    for args in [vec!["--set", "max_speed=1"], vec!["--min-speed", "500"]] {
        let mut all = vec!["sim", "--boids", "200", "--steps", "60", "--summary", summary.to_str().unwrap()];
        all.extend(args.iter().copied());
        let out = run(&all);
        assert!(out.status.success(), "{all:?}: {}", stderr(&out));
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
        let (min, max) = (json["params"]["min_speed"].as_f64().unwrap(), json["params"]["max_speed"].as_f64().unwrap());
        assert_eq!(min, max, "{all:?}: the summary shows the min speed in effect");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_preset_files_give_clear_errors_and_stay_untouched() {
    let dir = std::env::temp_dir().join(format!("murmuration-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes, needle) in [
        ("range.ron", &b"(params: {\"alignment_weight\": 50})"[..], "alignment_weight"),
        ("truncated.ron", &b"(params: {\"alignment_weight\": 1"[..], "truncated.ron"),
        ("type.ron", &b"(params: {\"edge_mode\": [1, 2]})"[..], "edge_mode"),
        ("binary.ron", &[0xff, 0xfe, 0x00, 0x80][..], "UTF-8"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        assert_clean_error(&["sim", "--preset", path.to_str().unwrap(), "--steps", "1"], &[needle]);
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name} left untouched");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn app_display_options_are_checked_before_opening_a_window() {
    for (args, needle) in [(vec!["--msaa", "3"], "--msaa"), (vec!["--msaa", "16"], "--msaa"), (vec!["--draw", "sprites"], "--draw")] {
        let out = run(&args);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn bench_times_uniform_formed_and_packed_flocks() {
    let out = run(&["bench", "--boids", "1500", "--steps", "2", "--threads", "2", "--scenario", "uniform", "--scenario", "formed", "--scenario", "packed"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.iter().map(|r| (r[0], r[1])).collect::<Vec<_>>(), vec![("1500", "uniform"), ("1500", "formed"), ("1500", "packed")], "{text}");
    let neighbours = |i: usize| rows[i][4].parse::<f64>().unwrap();
    // a formed flock has gathered; a packed one has collapsed into balls
    assert!(neighbours(2) > 5.0 * neighbours(1), "{text}");
    assert!(neighbours(1) > 0.0, "{text}");
    assert!(text.starts_with("birds scenario ms/step"), "{text}");
}
