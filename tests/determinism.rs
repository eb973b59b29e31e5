//! Same seed and parameters → bit-identical runs, whatever the thread count or frame rate.

use std::time::Duration;

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use murmuration::sim::hash::world_state_hash;
use murmuration::sim::{Position, SimClock, SimControl, SimParams, SimPlugin};
use murmuration::view::InterpolationPlugin;
use murmuration::view::interpolate::{DrawBlend, PreviousPosition, drawn_position};

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

#[test]
fn the_portable_and_simd_kernels_give_the_same_hash() {
    // the default preset (270° view, wrap), a full view with walls, and a narrow view
    for extra in [&[][..], &["--set", "fov_deg=360", "--set", "edge_mode=bounce"], &["--set", "fov_deg=120", "--set", "alignment_radius=12"]] {
        let hash = |kernel: &str| {
            let mut args = vec!["sim", "--boids", "1500", "--steps", "300", "--kernel", kernel];
            args.extend_from_slice(extra);
            let out = run(&args);
            assert!(out.status.success(), "{}", stderr(&out));
            field(&stdout(&out), "state_hash").to_string()
        };
        // on a CPU without AVX2, `avx2` runs the portable kernel and the test compares it with itself
        assert_eq!(hash("portable"), hash("avx2"), "{extra:?}");
    }
}

/// Runs the simulation as a window app would, with frames of `frame` length, until `steps` steps.
fn run_at_frame_rate(fps: u32, steps: u64) -> (u64, u32) {
    run_at(fps, steps, false)
}

/// As [`run_at_frame_rate`], with the window's drawing interpolation on or off.
fn run_at(fps: u32, steps: u64, interpolate: bool) -> (u64, u32) {
    let params = SimParams { boid_count: 800, ..SimParams::default() };
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    app.add_plugins(SimPlugin { params, seed: 3, script: Default::default() });
    if interpolate {
        app.add_plugins(InterpolationPlugin);
    }
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

#[test]
fn the_window_draws_between_fixed_steps_without_changing_the_simulation() {
    // the same run with the window's interpolation: the same state
    assert_eq!(run_at(144, 120, true).0, run_at(144, 120, false).0);

    let params = SimParams { boid_count: 50, ..SimParams::default() };
    let space = murmuration::sim::space::Space::from_params(&params);
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, SimPlugin { params, seed: 5, script: Default::default() }, InterpolationPlugin));
    // frames of 1.25 steps: after 2 frames (one for start-up), 1 step and a quarter into the next
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs(1) * 5 / (4 * 60)));
    app.update();
    app.update();
    app.update();
    let alpha = app.world().resource::<DrawBlend>().alpha;
    assert!((alpha - 0.5).abs() < 0.01, "alpha {alpha}: 2.5 steps of frames, 2 steps run");
    let world = app.world_mut();
    let mut q = world.query::<(&Position, &PreviousPosition)>();
    let mut moved = 0;
    for (p, prev) in q.iter(world) {
        let d = drawn_position(&space, prev.0, p.0, alpha);
        let (a, b) = (space.offset(prev.0, d).length(), space.offset(d, p.0).length());
        assert!((a - b).abs() < 1e-3, "halfway: {a} vs {b}");
        moved += usize::from(prev.0 != p.0);
    }
    assert_eq!(moved, 50, "every bird has moved since its previous position");
    // paused: the current state is drawn exactly
    app.world_mut().resource_mut::<SimControl>().paused = true;
    app.update();
    assert_eq!(app.world().resource::<DrawBlend>().alpha, 1.0);
}

/// The packed stress: no separation, strong cohesion, a wide radius; the flock collapses into
/// balls whose cells are crowded (the neighbour pass adds whole tree nodes there).
const PACKED: [&str; 6] = ["--set", "cohesion_weight=10", "--set", "separation_weight=0", "--set", "neighbor_radius=200"];

#[test]
fn a_packed_flock_gives_the_same_hash_on_every_kernel_and_thread_count() {
    let hash = |threads: &str, kernel: &str| {
        let mut args = vec!["sim", "--boids", "3000", "--steps", "300", "--threads", threads, "--kernel", kernel];
        args.extend_from_slice(&PACKED);
        let out = run(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        field(&stdout(&out), "state_hash").to_string()
    };
    let two = hash("2", "avx2");
    assert_eq!(hash("1", "avx2"), two, "one thread");
    assert_eq!(hash("2", "portable"), two, "the portable kernel");
    // the same run in process: its cells are crowded by then
    let assignments: Vec<String> = PACKED.iter().skip(1).step_by(2).map(|s| s.to_string()).chain(["boid_count=3000".into()]).collect();
    let config = murmuration::run::RunConfig::resolve(None, None, &assignments, &[], "default").expect("the packed stress");
    let mut sim = murmuration::run::Headless::new(&config, None);
    sim.step(300);
    let grid = sim.app.world().resource::<murmuration::sim::SpatialGrid>();
    assert!(grid.crowded.cells.len() >= 2, "{} crowded cells", grid.crowded.cells.len());
    assert_eq!(format!("{:016x}", sim.state_hash()), two, "the CLI runs the same flock");
}

/// Every preset's state hash, pinned (the values the build before the simulation became generic
/// over the dimension gave): the code may be reorganised only in ways that keep every flat run
/// bit for bit. A change that
/// moves one of these on purpose updates it here and says why in its commit.
#[test]
fn every_preset_keeps_its_pinned_state_hash() {
    const PINNED: [(&str, u32, &str); 10] = [
        ("default", 300, "513fcb8c6b281369"),
        ("swarm", 1500, "144825676302c31a"),
        ("parallel", 1500, "ebc8ee58cc82ccb9"),
        ("torus", 1500, "83e1d4f345c21318"),
        ("murmuration", 300, "0933cd403f26eb88"),
        // the topological pass over a formed flock
        ("murmuration", 2400, "35b69358bca693c7"),
        // past the first dive (20 s) and, for story, its second (40 s)
        ("story", 2700, "6a0209f46be0c94e"),
        ("falcon", 2700, "19172633255a787c"),
        ("hunt", 600, "32a435501f6a2310"),
        ("repair", 600, "2d82d4cce6ef5714"),
    ];
    let mut wrong = Vec::new();
    for (preset, steps, want) in PINNED {
        let out = run(&["sim", "--preset", preset, "--steps", &steps.to_string()]);
        assert!(out.status.success(), "{preset}: {}", stderr(&out));
        let got = field(&stdout(&out), "state_hash").to_string();
        if got != want {
            wrong.push(format!("{preset} ({steps} steps): {got}, pinned {want}"));
        }
    }
    assert!(wrong.is_empty(), "state hashes moved:\n{}", wrong.join("\n"));
}
