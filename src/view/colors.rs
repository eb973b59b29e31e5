//! Bird colours: by heading, speed, alarm or cluster (stable labels as clusters split and merge), shared
//! by the mesh and the compute-shader dots.

use std::collections::HashMap;

use bevy::prelude::*;

use super::draw::{ColorMode, DrawSettings};
use super::interpolate::PreviousPosition;
use crate::metrics::Metrics;
use crate::sim::{Alarm, Bird, Position, SimParams, Velocity};

/// What drawing reads of a bird: who it is, where it is and was before the last step, its
/// velocity, and its alarm (none while the alarm is off: calm).
pub type DrawnBird = (&'static Bird, &'static Position, &'static Velocity, Option<&'static PreviousPosition>, Option<&'static Alarm>);

fn linear(color: Color) -> [f32; 4] {
    LinearRgba::from(color).to_f32_array()
}

/// A colour for a heading: hue follows the direction of flight (a 720-entry table: the HSL to
/// linear conversion costs more than the rest of a bird's drawing).
pub fn heading_color(vel: Vec2) -> [f32; 4] {
    const STEPS: usize = 720;
    static TABLE: std::sync::OnceLock<Vec<[f32; 4]>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| (0..STEPS).map(|i| linear(Color::hsl(i as f32 * 360.0 / STEPS as f32, 0.75, 0.65))).collect());
    let turn = vel.to_angle() / std::f32::consts::TAU; // −0.5..0.5
    let i = ((turn.rem_euclid(1.0) * STEPS as f32) as usize).min(STEPS - 1);
    table[i]
}

/// A stable colour for a cluster label (the smallest bird id in it): the same label keeps its
/// colour as birds join and leave.
pub fn cluster_color(label: u32) -> [f32; 4] {
    let hue = (label.wrapping_mul(2_654_435_761) >> 16) as f32 / 65536.0 * 360.0;
    linear(Color::hsl(hue, 0.8, 0.6))
}

/// A colour for a speed between `min` and `max`: blue (slow) to yellow (fast).
pub fn speed_color(speed: f32, min: f32, max: f32) -> [f32; 4] {
    let t = if max > min { ((speed - min) / (max - min)).clamp(0.0, 1.0) } else { 1.0 };
    linear(Color::hsl(220.0 - 170.0 * t, 0.8, 0.45 + 0.2 * t))
}

/// Each bird's cluster label (bird id → label) as of the last metrics sample, for the cluster
/// colour mode; shared by the mesh and the compute-shader dots.
#[derive(Resource, Default)]
pub struct ClusterLabels {
    /// One past the sample's step (0: never read).
    read_at: u64,
    /// Bird id → cluster label.
    pub of: HashMap<u32, u32>,
}

/// Re-reads the cluster labels after each metrics sample (only in the cluster colour mode).
pub fn refresh_cluster_labels(mut labels: ResMut<ClusterLabels>, draw: Res<DrawSettings>, metrics: Option<Res<Metrics>>) {
    if draw.color_mode == ColorMode::Cluster
        && let Some(m) = metrics
        && let Some(latest) = m.latest()
        && (labels.read_at != latest.step + 1 || labels.of.is_empty())
    {
        labels.read_at = latest.step + 1;
        labels.of = m.last_clusters.pairs().collect();
    }
}

/// A colour for an alarm: calm grey-blue, pending yellow, alarmed red, refractory violet.
pub fn alarm_color(alarm: Alarm) -> [f32; 4] {
    linear(match alarm {
        Alarm::Calm => Color::srgb(0.45, 0.55, 0.7),
        Alarm::Pending { .. } => Color::srgb(1.0, 0.85, 0.2),
        Alarm::Alarmed { .. } => Color::srgb(1.0, 0.25, 0.2),
        Alarm::Refractory { .. } => Color::srgb(0.7, 0.45, 1.0),
    })
}

/// A bird's colour in a colour mode (`clusters`: bird id → cluster label).
pub fn bird_color(mode: ColorMode, bird: &Bird, vel: Vec2, alarm: Alarm, params: &SimParams, clusters: &HashMap<u32, u32>) -> [f32; 4] {
    let single = linear(Color::srgb(0.75, 0.85, 1.0));
    match mode {
        ColorMode::Alarm => alarm_color(alarm),
        ColorMode::Single => single,
        ColorMode::Heading => heading_color(vel),
        ColorMode::Speed => speed_color(vel.length(), params.min_speed, params.max_speed),
        ColorMode::Cluster => clusters.get(&bird.id).map_or(single, |&l| cluster_color(l)),
    }
}
