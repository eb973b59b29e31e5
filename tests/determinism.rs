//! Same seed and parameters → bit-identical runs, whatever the thread count or frame rate.

use std::time::Duration;

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use murmuration::sim::hash::world_state_hash;
use murmuration::sim::{SimClock, SimParams, SimPlugin};

use crate::support::{field, run, stderr, stdout};

fn hash_with(threads: &str, seed: &str) -> String {
    let out = run(&["sim", "--boids", "2000", "--steps", "500", "--seed", seed, "--threads", threads]);
    assert!(out.status.success(), "{}", stderr(&out));
    field(&stdout(&out), "state_hash").to_string()
}

#[test]
fn same_seed_same_hash_with_one_and_two_threads() {
    let one = hash_with("1", "42");
    let two = hash_with("2", "42");
    assert_eq!(one, two);
    assert_eq!(hash_with("2", "42"), two, "repeatable");
    assert_ne!(hash_with("2", "43"), two, "another seed differs");
}

/// Runs the simulation as a window app would, with frames of `frame` length, until `steps` steps.
fn run_at_frame_rate(fps: u32, steps: u64) -> (u64, u32) {
    let params = SimParams { boid_count: 800, ..SimParams::default() };
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    app.add_plugins(SimPlugin { params, seed: 3, script: Default::default() });
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs(1) / fps));
    let mut frames = 0;
    while app.world().resource::<SimClock>().step < steps {
        app.update();
        frames += 1;
    }
    assert_eq!(app.world().resource::<SimClock>().step, steps, "never overshoots at {fps} FPS");
    (world_state_hash(app.world_mut()), frames)
}

#[test]
fn frame_rate_does_not_change_the_simulation() {
    // 2 s of simulation at 60 steps/s.
    let (slow, slow_frames) = run_at_frame_rate(30, 120);
    let (fast, fast_frames) = run_at_frame_rate(144, 120);
    assert_eq!(slow, fast);
    assert!(fast_frames > 4 * slow_frames, "{fast_frames} vs {slow_frames} frames");
}
