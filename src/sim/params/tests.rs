use super::*;

#[test]
fn defaults_are_valid_and_in_range() {
    SimParams::default().validate().unwrap();
    for spec in PARAMS {
        spec.check(spec.kind.default_value()).unwrap();
        assert_eq!((spec.get)(&SimParams::default()), spec.kind.default_value(), "{}", spec.key);
    }
}

#[test]
fn keys_are_unique_snake_case() {
    let mut keys: Vec<_> = PARAMS.iter().map(|s| s.key).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), PARAMS.len());
    for key in keys {
        assert!(key.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{key}");
    }
}

#[test]
fn set_writes_the_field() {
    let mut p = SimParams::default();
    p.apply_assignment("cohesion_weight=2.5").unwrap();
    assert_eq!(p.cohesion_weight, 2.5);
    p.apply_assignment("edge_mode=bounce").unwrap();
    assert_eq!(p.edge_mode, EdgeMode::Bounce);
    p.apply_assignment("boid_count = 12").unwrap();
    assert_eq!(p.boid_count, 12);
}

#[test]
fn out_of_range_names_field_and_range() {
    let mut p = SimParams::default();
    let err = p.apply_assignment("separation_weight=11").unwrap_err().to_string();
    assert_eq!(err, "invalid value for separation_weight: 11 (allowed: 0 to 10)");
    let err = p.apply_assignment("max_speed=NaN").unwrap_err().to_string();
    assert!(err.contains("max_speed") && err.contains("1 to 1000"), "{err}");
    let err = p.apply_assignment("max_speed=inf").unwrap_err().to_string();
    assert!(err.contains("max_speed"), "{err}");
    let err = p.apply_assignment("edge_mode=donut").unwrap_err().to_string();
    assert!(err.contains("one of wrap, bounce, steer"), "{err}");
    let err = p.apply_assignment("boid_count=-1").unwrap_err().to_string();
    assert!(err.contains("boid_count"), "{err}");
    let err = p.apply_assignment("nope=1").unwrap_err().to_string();
    assert!(err.contains("unknown parameter `nope`"), "{err}");
    let err = p.apply_assignment("max_speed").unwrap_err().to_string();
    assert!(err.contains("KEY=VALUE"), "{err}");
    assert_eq!(p, SimParams::default(), "a refused value changes nothing");
}

#[test]
fn min_speed_above_max_speed_is_capped_as_its_help_says() {
    let mut p = SimParams::default();
    p.set("min_speed", ParamValue::Float(500.0)).unwrap();
    p.validate().unwrap();
    assert!(p.constrain(), "a value changed");
    assert_eq!((p.min_speed, p.max_speed), (p.max_speed, 120.0));
    assert!(!p.constrain(), "nothing left to change");
    assert!(spec("min_speed").unwrap().help.contains("capped at max speed"));
    // a lower max speed pulls the min speed down with it, whichever is written first
    let mut q = SimParams::default();
    q.apply_assignment("max_speed=1").unwrap();
    q.constrain();
    assert_eq!((q.min_speed, q.max_speed), (1.0, 1.0));
}

#[test]
fn ron_round_trip() {
    let p = SimParams { alignment_weight: 3.25, edge_mode: EdgeMode::Steer, boid_count: 77, ..SimParams::default() };
    let text = ron::to_string(&p).unwrap();
    assert!(text.contains("\"edge_mode\":\"steer\""), "{text}");
    let back: SimParams = ron::from_str(&text).unwrap();
    assert_eq!(back, p);
}

#[test]
fn ron_missing_keys_keep_defaults() {
    let p: SimParams = ron::from_str(r#"{"cohesion_weight": 2}"#).unwrap();
    assert_eq!(p.cohesion_weight, 2.0);
    assert_eq!(p.alignment_weight, SimParams::default().alignment_weight);
}

#[test]
fn ron_errors_name_the_field() {
    for (text, needle) in [
        (r#"{"cohesion_weight": 20}"#, "cohesion_weight"),
        (r#"{"cohesion_weight": NaN}"#, "cohesion_weight"),
        (r#"{"cohesion_weight": inf}"#, "cohesion_weight"),
        (r#"{"boid_count": 1.5}"#, "boid_count"),
        (r#"{"boid_count": 1e300}"#, "boid_count"),
        (r#"{"max_speed": 1e300}"#, "max_speed"),
        (r#"{"edge_mode": 3}"#, "edge_mode"),
        (r#"{"edge_mode": "torus"}"#, "edge_mode"),
        (r#"{"cohesion_weight": [1]}"#, "cohesion_weight"),
        (r#"{"wings": 2}"#, "wings"),
    ] {
        let err = ron::from_str::<SimParams>(text).unwrap_err().to_string();
        assert!(err.contains(needle), "{text}: {err}");
    }
}
