//! Scripted events: predator dives at set times, so a scenario is repeatable.

use bevy::math::Vec2;
use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use super::grid::SpatialGrid;
use super::params::SimParams;
use super::predator::targeting::densest_point;
use super::predator::{PredatorKind, PredatorRoster, spawn_predator};
use super::space::Space;
use super::systems::SimClock;

/// One scripted dive (or a repeating series of them): a predator crosses the world in a straight
/// line through the densest part of the flock, catching birds on the way, then leaves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dive {
    /// Simulated time of the (first) dive, in seconds.
    pub at_s: f32,
    /// Repeat every this many seconds (none: dive once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_s: Option<f32>,
    /// Direction of flight, in degrees (0 = +x, 90 = +y).
    #[serde(default)]
    pub angle_deg: f32,
    /// Speed as a multiple of the birds' max speed.
    #[serde(default = "default_dive_speed")]
    pub speed: f32,
    /// Length of the path, in world units (centred on the densest point).
    #[serde(default = "default_dive_length")]
    pub length: f32,
}

fn default_dive_speed() -> f32 {
    2.0
}

fn default_dive_length() -> f32 {
    600.0
}

impl Dive {
    /// Checks the dive's values; errors name the field and the allowed range.
    pub fn validate(&self, index: usize) -> Result<(), String> {
        let check = |name: &str, v: f32, lo: f32, hi: f32| {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(format!("invalid value for dives[{index}].{name}: {v} (allowed: {lo} to {hi})"))
            }
        };
        check("at_s", self.at_s, 0.0, 1e7)?;
        if let Some(every) = self.every_s {
            check("every_s", every, 0.5, 1e7)?;
        }
        check("angle_deg", self.angle_deg, -360.0, 360.0)?;
        check("speed", self.speed, 0.5, 10.0)?;
        check("length", self.length, 10.0, 1e6)
    }

    /// Whether a dive of this series starts in `[t0, t1)`.
    pub fn due(&self, t0: f64, t1: f64) -> bool {
        let at = f64::from(self.at_s);
        if t1 <= at {
            return false;
        }
        match self.every_s {
            None => at >= t0,
            Some(every) => {
                let every = f64::from(every);
                let k = ((t0 - at) / every).ceil().max(0.0);
                at + k * every < t1
            }
        }
    }
}

impl Dive {
    /// When this series next dives at or after `t` (seconds), if it still will.
    pub fn next_after(&self, t: f64) -> Option<f64> {
        let at = f64::from(self.at_s);
        match self.every_s {
            _ if t <= at => Some(at),
            None => None,
            Some(every) => {
                let every = f64::from(every);
                Some(at + ((t - at) / every).ceil() * every)
            }
        }
    }
}

impl Script {
    /// The next scripted dive at or after `t` (seconds), if any.
    pub fn next_dive(&self, t: f64) -> Option<f64> {
        self.dives.iter().filter_map(|d| d.next_after(t)).min_by(f64::total_cmp)
    }
}

/// The run's script.
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub struct Script {
    /// Scripted dives.
    pub dives: Vec<Dive>,
}

/// Where a dive starts and how it flies: through `target` along `angle_deg`, `length` long.
pub fn dive_path(dive: &Dive, target: Vec2, params: &SimParams) -> (Vec2, Vec2, f32) {
    let dir = Vec2::from_angle(dive.angle_deg.to_radians());
    let speed = dive.speed * params.max_speed;
    let space = Space::from_params(params);
    let start = space.contain(target - dir * (dive.length * 0.5));
    (start, dir * speed, dive.length / speed)
}

/// Launches the dives that are due in this step.
pub fn run_script(
    mut commands: Commands,
    script: Res<Script>,
    params: Res<SimParams>,
    clock: Res<SimClock>,
    grid: Res<SpatialGrid>,
    mut roster: ResMut<PredatorRoster>,
) {
    let t0 = clock.time;
    let t1 = t0 + f64::from(params.dt());
    for dive in script.dives.iter().filter(|d| d.due(t0, t1)) {
        let centre = Vec2::new(params.world_width, params.world_height) * 0.5;
        let target = if grid.is_empty() { centre } else { densest_point(&grid).unwrap_or(centre) };
        let (start, vel, duration) = dive_path(dive, target, &params);
        spawn_predator(&mut commands, &mut roster, PredatorKind::Dive { remaining_s: duration }, start, vel);
    }
}

/// Scripted dives: a falcon launched through the flock at set times.
pub struct ScriptPlugin {
    /// The run's script.
    pub script: Script,
}

impl Plugin for ScriptPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.script.clone())
            .add_systems(FixedUpdate, run_script.in_set(super::PopulationSystems::Script));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dive(at_s: f32, every_s: Option<f32>) -> Dive {
        Dive { at_s, every_s, angle_deg: 0.0, speed: 2.0, length: 600.0 }
    }

    #[test]
    fn due_once_and_repeating() {
        let d = dive(1.0, None);
        assert!(!d.due(0.0, 0.5));
        assert!(d.due(0.99, 1.01));
        assert!(!d.due(1.01, 1.03));
        let r = dive(1.0, Some(2.0));
        assert!(r.due(1.0, 1.02));
        assert!(r.due(2.99, 3.01));
        assert!(!r.due(3.01, 4.9));
        assert!(r.due(4.99, 5.01));
        // one per period with a 60 Hz step
        let launched = (0..600).filter(|&i| r.due(i as f64 / 60.0, (i + 1) as f64 / 60.0)).count();
        assert_eq!(launched, 5);
    }

    #[test]
    fn the_next_dive_of_a_script() {
        assert_eq!(dive(20.0, Some(20.0)).next_after(0.0), Some(20.0));
        assert_eq!(dive(20.0, Some(20.0)).next_after(20.5), Some(40.0));
        assert_eq!(dive(20.0, None).next_after(20.5), None);
        let script = Script { dives: vec![dive(20.0, Some(20.0)), dive(30.0, None)] };
        assert_eq!(script.next_dive(21.0), Some(30.0));
        assert_eq!(script.next_dive(31.0), Some(40.0));
        assert_eq!(Script::default().next_dive(0.0), None);
    }

    #[test]
    fn validation_names_the_field() {
        assert!(dive(1.0, None).validate(0).is_ok());
        let err = Dive { speed: 50.0, ..dive(1.0, None) }.validate(2).unwrap_err();
        assert_eq!(err, "invalid value for dives[2].speed: 50 (allowed: 0.5 to 10)");
        assert!(dive(f32::NAN, None).validate(0).unwrap_err().contains("at_s"));
        assert!(dive(1.0, Some(0.0)).validate(0).unwrap_err().contains("every_s"));
    }
}
