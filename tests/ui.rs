//! The control panel (egui_kittest) and the window-free input handling (Bevy, no window).

use bevy::prelude::*;
use bevy_egui::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use murmuration::app::input::{ActionRequest, WorldClick};
use murmuration::app::panel::{entry_box, param_groups};
use murmuration::app::story::Captions;
use murmuration::app::{ControlsPlugin, UiAction, UiState};
use murmuration::run::RunConfig;
use murmuration::sim::{Bird, Predator, SimClock, SimControl, SimParams};

type PanelState = (SimParams, UiState);

fn panel_state() -> PanelState {
    (SimParams::default(), UiState::new("default", SimParams::default()))
}

#[test]
fn moving_a_slider_changes_the_parameter() {
    let mut harness = Harness::new_ui_state(|ui, s: &mut PanelState| param_groups(ui, &mut s.0, &mut s.1), panel_state());
    harness.run();
    let before = harness.state().0.separation_weight;
    harness.get_by_role_and_label(egui::accesskit::Role::Slider, "Separation").focus();
    harness.run();
    for _ in 0..5 {
        harness.key_press(egui::Key::ArrowRight);
        harness.run();
    }
    let after = harness.state().0.separation_weight;
    assert!(after > before, "{before} → {after}");
    assert!(after <= 10.0);
    assert_eq!(harness.state().0.cohesion_weight, SimParams::default().cohesion_weight, "only that parameter moved");
}

#[test]
fn reset_to_preset_restores_a_group() {
    let mut state = panel_state();
    state.0.alignment_weight = 7.0;
    state.0.max_speed = 500.0;
    let mut harness = Harness::new_ui_state(|ui, s: &mut PanelState| param_groups(ui, &mut s.0, &mut s.1), state);
    harness.run();
    // the first "reset to preset" belongs to the Rules group (open by default)
    harness.get_all_by_label("reset to preset").next().unwrap().click();
    harness.run();
    assert_eq!(harness.state().0.alignment_weight, SimParams::default().alignment_weight);
    assert_eq!(harness.state().0.max_speed, 500.0, "other groups keep their values");
}

fn enter(text: &str) -> PanelState {
    let mut harness = Harness::new_ui_state(|ui, s: &mut PanelState| entry_box(ui, &mut s.0, &mut s.1), panel_state());
    harness.run();
    let input = harness.get_by_role(egui::accesskit::Role::TextInput);
    input.focus();
    harness.run();
    harness.get_by_role(egui::accesskit::Role::TextInput).type_text(text);
    harness.run();
    harness.get_by_label("set").click();
    harness.run();
    harness.into_state()
}

#[test]
fn invalid_text_entry_is_refused() {
    for (text, needle) in [
        ("separation_weight=99", "0 to 10"),
        ("separation_weight=abc", "separation_weight"),
        ("max_speed=NaN", "max_speed"),
        ("wings=2", "unknown parameter"),
    ] {
        let (params, state) = enter(text);
        assert_eq!(params, SimParams::default(), "{text} changed nothing");
        let toast = state.toast.expect("an error is shown");
        assert!(toast.error && toast.text.contains(needle), "{text}: {}", toast.text);
    }
    let (params, state) = enter("separation_weight=3.5");
    assert_eq!(params.separation_weight, 3.5);
    assert!(!state.toast.unwrap().error);
    // a min speed above the max speed is capped, as its help says, and the message tells
    let (params, state) = enter("min_speed=900");
    assert_eq!((params.min_speed, params.max_speed), (120.0, 120.0));
    let toast = state.toast.unwrap();
    assert!(!toast.error && toast.text.contains("capped"), "{}", toast.text);
}

fn controls_app() -> App {
    let params = SimParams { boid_count: 200, ..SimParams::default() };
    let config = RunConfig::from_params(params, 5);
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    app.add_plugins(config.sim_plugin());
    app.add_plugins(ControlsPlugin { preset: "custom".into() });
    app.update();
    app
}

fn press(app: &mut App, key: KeyCode) {
    app.world_mut().resource_mut::<ButtonInput<KeyCode>>().press(key);
    app.update();
    let mut keys = app.world_mut().resource_mut::<ButtonInput<KeyCode>>();
    keys.release(key);
    keys.clear();
}

#[test]
fn space_pauses_and_period_steps() {
    let mut app = controls_app();
    assert!(!app.world().resource::<SimControl>().paused);
    press(&mut app, KeyCode::Space);
    assert!(app.world().resource::<SimControl>().paused);
    // while paused, frames do not advance the simulation…
    let step = app.world().resource::<SimClock>().step;
    for _ in 0..20 {
        app.update();
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert_eq!(app.world().resource::<SimClock>().step, step);
    // …but "." runs exactly one step
    press(&mut app, KeyCode::Period);
    for _ in 0..40 {
        app.update();
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert_eq!(app.world().resource::<SimClock>().step, step + 1);
    press(&mut app, KeyCode::Space);
    assert!(!app.world().resource::<SimControl>().paused);
}

#[test]
fn clicks_place_and_remove_predators() {
    let mut app = controls_app();
    let count = |app: &mut App| {
        let w = app.world_mut();
        w.query::<&Predator>().iter(w).count()
    };
    assert_eq!(count(&mut app), 0);
    app.world_mut().write_message(WorldClick { pos: Vec2::new(400.0, 300.0), button: MouseButton::Left, shift: false });
    app.update();
    app.world_mut().write_message(WorldClick { pos: Vec2::new(900.0, 600.0), button: MouseButton::Left, shift: false });
    app.update();
    assert_eq!(count(&mut app), 2);
    // clicks outside the world do nothing
    app.world_mut().write_message(WorldClick { pos: Vec2::new(-50.0, 300.0), button: MouseButton::Left, shift: false });
    app.update();
    assert_eq!(count(&mut app), 2);
    app.world_mut().write_message(WorldClick { pos: Vec2::new(880.0, 610.0), button: MouseButton::Right, shift: false });
    app.update();
    assert_eq!(count(&mut app), 1);
    // shift-click selects the nearest bird
    app.world_mut().write_message(WorldClick { pos: Vec2::new(800.0, 450.0), button: MouseButton::Left, shift: true });
    app.update();
    let selected = app.world().resource::<UiState>().selected.expect("a bird selected");
    assert!(app.world().get::<Bird>(selected).is_some());
}

#[test]
fn loading_a_preset_restarts_on_it_and_a_bad_one_changes_nothing() {
    let mut app = controls_app();
    app.world_mut().write_message(ActionRequest(UiAction::LoadPreset("falcon".into())));
    app.update();
    app.update();
    assert_eq!(app.world().resource::<SimParams>().boid_count, 1000);
    let alive = { let w = app.world_mut(); w.query::<&Bird>().iter(w).count() };
    assert_eq!(alive, 1000);
    assert_eq!(app.world().resource::<UiState>().preset_name, "falcon");

    let before = app.world().resource::<SimParams>().clone();
    app.world_mut().write_message(ActionRequest(UiAction::LoadPreset("no-such-preset".into())));
    app.update();
    assert_eq!(*app.world().resource::<SimParams>(), before);
    let toast = app.world().resource::<UiState>().toast.clone().unwrap();
    assert!(toast.error && toast.text.contains("no-such-preset"), "{}", toast.text);
}

/// The story preset's first dive, told by the captions: the introduction, the warning a few
/// seconds before the falcon, the split it causes and the flock healed before the next dive
/// (read from the app's state; the window test checks that the captions are drawn).
#[test]
fn captions_tell_the_story_of_a_scripted_dive() {
    let config = RunConfig::resolve(Some("story"), None, &[], &[], "story").unwrap();
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    app.insert_resource(bevy::time::TimeUpdateStrategy::ManualDuration(std::time::Duration::from_millis(100)));
    app.add_plugins((config.sim_plugin(), murmuration::metrics::MetricsPlugin));
    app.add_plugins(ControlsPlugin { preset: "story".into() });
    while app.world().resource::<SimClock>().time < 39.0 {
        app.update();
    }
    let captions = app.world().resource::<Captions>();
    let told: Vec<(f64, &str)> = captions.told.iter().map(|c| (c.at_s, c.text.as_str())).collect();
    let when = |prefix: &str| told.iter().find(|(_, text)| text.starts_with(prefix)).map(|&(t, _)| t);
    assert_eq!(when("1000 birds, no leader"), Some(0.0), "{told:?}");
    assert_eq!(when("a falcon dives at 20 s"), Some(0.0), "{told:?}");
    let warned = when("falcon incoming").expect("a warning");
    assert!((17.0..20.0).contains(&warned), "warned at {warned} s, 3 s before the dive: {told:?}");
    let split = when("the flock splits into").expect("the dive splits the flock");
    assert!((20.0..30.0).contains(&split), "split told at {split} s: {told:?}");
    // measured (seed 1): the groups one flock again at 33.7 s, "healed in 13.0 s" told at 34.7 s
    let healed = when("healed in").expect("the flock healed before the next dive");
    assert!((split..39.0).contains(&healed), "healed told at {healed} s: {told:?}");
    assert_eq!(told.iter().filter(|&&(at, t)| t == "falcon incoming" && at < 35.0).count(), 1, "told once per dive: {told:?}");
}
