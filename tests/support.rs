//! Helpers shared by the integration tests.

use std::process::{Command, Output};

use murmuration::run::RunConfig;
use murmuration::run::headless::Headless;
use murmuration::sim::{Bird, Position, SimParams, Velocity};

/// The `murmuration` binary built for these tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_murmuration"))
}

/// Runs the binary with arguments; returns its output.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the murmuration binary runs")
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A `key=value` field of a report line.
pub fn field<'a>(line: &'a str, key: &str) -> &'a str {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no {key}= in {line:?}"))
}

/// A headless simulation of `params` with `seed`.
pub fn headless(params: SimParams, seed: u64) -> Headless {
    Headless::new(&RunConfig::from_params(params, seed), None)
}

/// Every bird's `(id, position, velocity)`.
pub fn birds(sim: &mut Headless) -> Vec<(u32, bevy::math::Vec2, bevy::math::Vec2)> {
    let world = sim.app.world_mut();
    let mut q = world.query::<(&Bird, &Position, &Velocity)>();
    q.iter(world).map(|(b, p, v)| (b.id, p.0, v.0)).collect()
}

/// Checks every bird: finite, inside the world, speed within limits.
pub fn check_invariants(sim: &mut Headless, what: &str) {
    let params = sim.app.world().resource::<SimParams>().clone();
    let space = murmuration::sim::space::Space::from_params(&params);
    let lo = params.min_speed.min(params.max_speed);
    for (id, p, v) in birds(sim) {
        assert!(p.is_finite() && v.is_finite(), "{what}: bird {id} {p:?} {v:?}");
        assert!(space.contains(p), "{what}: bird {id} outside at {p:?}");
        let s = v.length();
        assert!(s <= params.max_speed * 1.0001 + 1e-4 && s >= lo * 0.9999 - 1e-4, "{what}: bird {id} speed {s}");
    }
}

/// Lines about the machine, not the program: a software renderer, Xvfb's screen, a GPU feature
/// missing, the sandbox's environment.
const MACHINE_LINES: &[&str] = &[
    "only supports software rendering",
    "is not supported on this device",
    "XRandR reported",
    "error setting XSETTINGS",
    "XDG_RUNTIME_DIR is invalid or not set",
];

/// The lines of `stderr` that warn or report an error and are not about the machine.
pub fn own_warnings(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains("WARN") || l.contains("ERROR") || l.to_lowercase().starts_with("error"))
        .filter(|l| !MACHINE_LINES.iter().any(|m| l.contains(m)))
        .map(str::to_string)
        .collect()
}
