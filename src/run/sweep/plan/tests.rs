use super::*;

const EXAMPLE: &str = include_str!("../../../../assets/sweeps/confusion.ron");

fn error(text: &str) -> String {
    format!("{:#}", SweepPlan::from_ron(text).unwrap_err())
}

#[test]
fn the_example_expands_seed_fastest_first_axis_slowest() {
    let plan = SweepPlan::from_ron(EXAMPLE).unwrap();
    assert_eq!(plan.task_count(), 3 * 2 * 5);
    assert_eq!(plan.task(0), Task { index: 0, seed: 0, point: vec![0, 0] });
    assert_eq!(plan.task(1), Task { index: 1, seed: 1, point: vec![0, 0] });
    assert_eq!(plan.task(5), Task { index: 5, seed: 0, point: vec![0, 1] });
    assert_eq!(plan.task(29), Task { index: 29, seed: 4, point: vec![2, 1] });
    assert_eq!(plan.assignments(&plan.task(17)), ["boid_count=1000", "confusion=0.5", "fear_radius=120"]);
    // every task is a different (seed, point)
    let mut seen: Vec<_> = (0..30).map(|i| plan.task(i)).map(|t| (t.seed, t.point)).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 30);
}

#[test]
fn a_task_runs_what_sim_with_the_same_flags_runs() {
    let plan = SweepPlan::from_ron(EXAMPLE).unwrap();
    let task = plan.task(17);
    let config = plan.config(&task).unwrap();
    let sets = ["boid_count=1000".to_string(), "confusion=0.5".into(), "fear_radius=120".into()];
    let by_hand = RunConfig::resolve(Some("falcon"), Some(2), &sets, &[], "default").unwrap();
    assert_eq!(config, by_hand);
    assert_eq!(plan.steps(&config), 2400);
    let no_steps = SweepPlan::from_ron("(preset: \"falcon\", seeds: 1)").unwrap();
    assert_eq!(no_steps.steps(&no_steps.config(&no_steps.task(0)).unwrap()), 4800, "the preset's run length");
}

#[test]
fn plans_round_trip_through_their_file_form() {
    let plan = SweepPlan::from_ron(EXAMPLE).unwrap();
    let text = plan.to_ron();
    assert_eq!(SweepPlan::from_ron(&text).unwrap(), plan, "{text}");
    assert!(text.contains("\"boid_count\": 1000") && text.contains("steps: 2400"), "{text}");
    let choices = SweepPlan::from_ron("(preset: \"default\", seeds: [4, 2], axes: {\"edge_mode\": [\"wrap\", \"bounce\"], \"alarm\": [true, false]})").unwrap();
    assert_eq!(SweepPlan::from_ron(&choices.to_ron()).unwrap(), choices);
    assert_eq!(choices.assignments(&choices.task(1)), ["edge_mode=wrap", "alarm=on"]);
    assert_eq!(choices.task(1).seed, 2);
}

#[test]
fn bad_plans_name_the_line_and_the_field() {
    let lines = |axes: &str| format!("(\n    preset: \"falcon\",\n    seeds: 3,\n    axes: {{ {axes} }},\n)");
    for (text, needles) in [
        (lines("\"confusion\": [0.0, 2.0]"), &["4:", "confusion", "2", "0 to 1"][..]),
        (lines("\"confusoin\": [0.0]"), &["4:", "unknown parameter `confusoin`"]),
        (lines("\"confusion\": []"), &["4:", "`confusion` has no values"]),
        (lines("\"confusion\": [0.5, 0.5]"), &["4:", "lists 0.5 twice"]),
        (lines("\"edge_mode\": [\"wrap\", \"donut\"]"), &["4:", "edge_mode", "donut", "wrap"]),
        (lines("\"boid_count\": [10.5]"), &["4:", "boid_count", "10.5"]),
        ("(preset: \"falcon\",\n seeds: 0)".into(), &["line 2", "seeds: 0"]),
        ("(preset: \"falcon\",\n seeds: [1, 1])".into(), &["line 2", "1 is listed twice"]),
        ("(preset: \"falcon\", seeds: 2,\n steps: 0)".into(), &["line 2", "steps: 0"]),
        ("(preset: \"falcon\", seeds: 2, set: {\"confusion\": 1},\n axes: {\"confusion\": [0.0]})".into(), &["line 2", "`confusion` is also in `set`"]),
        ("(preset: \"falcon\", seeds: 2, axis: {})".into(), &["1:", "axis"]),
        ("(preset: \"falcon\", seeds: 10000, axes: {\"boid_count\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], \"confusion\": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]})".into(), &["more than 1000000 tasks"]),
    ] {
        let err = error(&text);
        for needle in needles {
            assert!(err.contains(needle), "{text}\n→ {err}\n(missing {needle:?})");
        }
    }
}

#[test]
fn a_missing_preset_is_refused_when_the_plan_is_loaded() {
    let dir = std::env::temp_dir().join(format!("murmuration-plan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("p.ron");
    std::fs::write(&path, "(preset: \"no-such\", seeds: 1)").unwrap();
    let err = format!("{:#}", SweepPlan::load(&path).unwrap_err());
    assert!(err.contains("p.ron") && err.contains("no preset named `no-such`"), "{err}");
    // a preset file beside the plan is found from any working directory
    std::fs::write(dir.join("mine.ron"), "(params: {\"boid_count\": 10})").unwrap();
    std::fs::write(&path, "(preset: \"mine.ron\", seeds: 1)").unwrap();
    let plan = SweepPlan::load(&path).unwrap();
    assert!(Path::new(&plan.preset).is_absolute(), "{}", plan.preset);
    assert_eq!(plan.config(&plan.task(0)).unwrap().params.boid_count, 10);
    std::fs::remove_dir_all(&dir).unwrap();
}
