//! Escape patterns: what the flock does under attack, named as field observers name it (Storms
//! et al. 2019): split, flash expansion, compaction (blackening), vacuole, agitation wave and
//! collective turn. Each has an operational definition over a sample's birds and predators
//! (`docs/metrics.md`); its thresholds are the constants below. [`glance`] measures one sample
//! (pure), [`EscapeWatch`] compares it with the last seconds' samples and names what it sees.

use std::collections::VecDeque;

use bevy::math::Vec2;
use serde::Serialize;

use crate::sim::SimParams;
use crate::sim::grid::SpatialGrid;
use crate::sim::space::Space;

/// The birds around a predator: those within this many fear radii of it.
pub const LOCAL_FEAR_RADII: f32 = 1.5;
/// Fewer birds than this around a predator: nothing local is judged.
pub const MIN_LOCAL_BIRDS: usize = 10;
/// Flash expansion and compaction compare the local spacing with the last this many seconds.
pub const SPACING_WINDOW_S: f64 = 1.0;
/// Flash expansion: the birds around the predator move away from it at ≥ this share of the
/// birds' max speed on average…
pub const FLASH_RADIAL_SPEED: f32 = 0.5;
/// …and their spacing grew to ≥ this many times its smallest value in the window.
pub const FLASH_SPACING_RATIO: f32 = 1.5;
/// Compaction: the spacing around the predator fell to ≤ this share of its largest value in the
/// window.
pub const COMPACTION_SPACING_RATIO: f32 = 0.75;
/// Vacuole: the empty disc around the predator is at least this many separation radii wide…
pub const VACUOLE_MIN_SEPARATIONS: f32 = 2.0;
/// …and birds lie around it in every one of this many equal sectors (within the local radius).
pub const VACUOLE_SECTORS: usize = 8;
/// Agitation wave: at least this many birds alarmed…
pub const WAVE_MIN_ALARMED: usize = 10;
/// …and the alarm front (90th percentile of their distance from where the alarm began: the
/// predator's position then, or the alarmed birds' centre with no predator near) rose at every
/// one of this many consecutive samples…
pub const WAVE_MIN_SAMPLES: usize = 3;
/// …at least this many times as fast as the flock flies (slower, it is birds fleeing, not a wave).
pub const WAVE_MIN_SPEED_RATIO: f32 = 1.25;
/// Collective turn: the flock's heading turned by at least this many degrees…
pub const TURN_DEG: f32 = 45.0;
/// …within this many seconds, while it stayed one cluster…
pub const TURN_WINDOW_S: f64 = 2.0;
/// …and its polarization was at least this (a heading exists).
pub const TURN_MIN_POLARIZATION: f32 = 0.5;
/// Split: the struck cluster broke into parts that each hold at least this share of it.
pub const SPLIT_SHARE: f32 = 0.05;

/// A named escape pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PatternKind {
    /// The struck cluster broke into parts.
    Split,
    /// Birds near the predator burst away from it.
    FlashExpansion,
    /// Birds near the predator packed together (blackening).
    Compaction,
    /// An empty disc around the predator inside an intact flock.
    Vacuole,
    /// An alarm front travelling away from the predator faster than the birds fly.
    AgitationWave,
    /// The whole flock turned together.
    CollectiveTurn,
}

impl PatternKind {
    /// Its name for people ("flash expansion").
    pub fn label(self) -> &'static str {
        match self {
            PatternKind::Split => "split",
            PatternKind::FlashExpansion => "flash expansion",
            PatternKind::Compaction => "compaction",
            PatternKind::Vacuole => "vacuole",
            PatternKind::AgitationWave => "agitation wave",
            PatternKind::CollectiveTurn => "collective turn",
        }
    }

    /// What its `value` measures.
    pub fn unit(self) -> &'static str {
        match self {
            PatternKind::Split => "groups",
            PatternKind::FlashExpansion | PatternKind::Compaction => "× spacing",
            PatternKind::Vacuole => "u radius",
            PatternKind::AgitationWave => "u/s",
            PatternKind::CollectiveTurn => "°",
        }
    }
}

/// One pattern seen: when, and its size.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Pattern {
    /// Which.
    pub kind: PatternKind,
    /// When (simulated seconds).
    pub time_s: f64,
    /// Its size, in [`PatternKind::unit`]: groups, spacing ratio, vacuole radius, wave speed, or
    /// degrees turned.
    pub value: f32,
    /// An agitation wave's speed over the flock's mean speed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed_ratio: Option<f32>,
}

impl Pattern {
    /// The pattern in a few words: "flash expansion (× 1.8 spacing)".
    pub fn describe(&self) -> String {
        match self.kind {
            PatternKind::Split => format!("split into {:.0}", self.value),
            PatternKind::AgitationWave => {
                format!("agitation wave {:.0} u/s ({:.1}× the birds)", self.value, self.speed_ratio.unwrap_or(0.0))
            }
            PatternKind::Vacuole => format!("vacuole {:.0} u wide", 2.0 * self.value),
            PatternKind::CollectiveTurn => format!("collective turn {:.0}°", self.value),
            kind => format!("{} (× {:.2} spacing)", kind.label(), self.value),
        }
    }
}

/// The birds around one predator at a sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Near {
    /// The predator's position.
    pub predator: Vec2,
    /// Birds within the local radius.
    pub count: usize,
    /// Their mean speed away from the predator, as a share of the birds' max speed.
    pub radial: f32,
    /// Their mean nearest-neighbour distance (u).
    pub spacing: f32,
    /// The distance from the predator to its nearest bird (u).
    pub empty_radius: f32,
    /// Whether every one of [`VACUOLE_SECTORS`] sectors around the predator holds a local bird.
    pub surrounded: bool,
}

/// What [`EscapeWatch`] needs of one sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Glance {
    /// Simulated seconds.
    pub time_s: f64,
    /// The flock's heading (radians), when its polarization is at least [`TURN_MIN_POLARIZATION`].
    pub heading: Option<f32>,
    /// Its mean speed (u/s).
    pub speed: f32,
    /// Whether it is one cluster.
    pub one_cluster: bool,
    /// The predator with the most birds around it, and those birds.
    pub near: Option<Near>,
    /// Where the alarmed birds are.
    pub alarmed: Vec<Vec2>,
}

/// The birds around the predator at `at`, if there are at least [`MIN_LOCAL_BIRDS`].
pub fn near_predator(grid: &SpatialGrid, at: Vec2, params: &SimParams) -> Option<Near> {
    let radius = LOCAL_FEAR_RADII * params.fear_radius.max(params.separation_radius);
    let mut local = Vec::new();
    grid.for_each_within(at, radius, |slot, offset, d2| local.push((slot, offset, d2)));
    if local.len() < MIN_LOCAL_BIRDS {
        return None;
    }
    let (mut radial, mut spacing, mut spaced, mut empty2, mut sectors) = (0.0, 0.0, 0usize, f32::INFINITY, 0u32);
    for &(slot, offset, d2) in &local {
        radial += grid.vel[slot].dot(offset.normalize_or_zero());
        empty2 = empty2.min(d2);
        let sector = ((offset.to_angle() + std::f32::consts::PI) / std::f32::consts::TAU * VACUOLE_SECTORS as f32) as usize;
        sectors |= 1 << sector.min(VACUOLE_SECTORS - 1);
        let mut nn2 = f32::INFINITY;
        grid.for_each_within(grid.pos[slot], params.neighbor_radius, |j, _, e2| {
            if j != slot {
                nn2 = nn2.min(e2);
            }
        });
        if nn2.is_finite() {
            spacing += nn2.sqrt();
            spaced += 1;
        }
    }
    Some(Near {
        predator: at,
        count: local.len(),
        radial: radial / local.len() as f32 / params.max_speed.max(1e-6),
        spacing: if spaced > 0 { spacing / spaced as f32 } else { params.neighbor_radius },
        empty_radius: empty2.sqrt(),
        surrounded: sectors.count_ones() as usize == VACUOLE_SECTORS,
    })
}

/// One sample's glance: the flock's heading, and the predator with most birds around it; `speed`
/// is the flock's mean speed, as the sample measured it.
pub fn glance(time_s: f64, grid: &SpatialGrid, predators: &[Vec2], alarmed: Vec<Vec2>, one_cluster: bool, speed: f32, params: &SimParams) -> Glance {
    let n = grid.vel.len().max(1) as f32;
    let unit: Vec2 = grid.vel.iter().map(|v| v.normalize_or_zero()).sum::<Vec2>() / n;
    let near = predators.iter().filter_map(|&p| near_predator(grid, p, params)).max_by_key(|n| n.count);
    Glance { time_s, heading: (unit.length() >= TURN_MIN_POLARIZATION).then(|| unit.to_angle()), speed, one_cluster, near, alarmed }
}

/// An alarm being followed: where it began and how far its front was at each sample.
#[derive(Clone, Debug, Default)]
struct Front {
    origin: Vec2,
    rises: usize,
    last: f32,
    first: (f64, f32),
    told: bool,
}

/// Watches the samples and names the patterns.
#[derive(Clone, Debug, Default)]
pub struct EscapeWatch {
    /// `(time, local spacing)` of recent samples with a predator among birds.
    spacing: VecDeque<(f64, f32)>,
    /// `(time, heading)` of recent samples while the flock was one polarized cluster.
    headings: VecDeque<(f64, f32)>,
    front: Option<Front>,
}

impl EscapeWatch {
    /// The patterns seen at this sample (usually none).
    pub fn observe(&mut self, g: &Glance, space: &Space, params: &SimParams) -> Vec<Pattern> {
        let mut seen = Vec::new();
        let at = |kind, value| Pattern { kind, time_s: g.time_s, value, speed_ratio: None };
        self.spacing.retain(|&(t, _)| g.time_s - t <= SPACING_WINDOW_S);
        if let Some(n) = g.near {
            let (low, high) = self.spacing.iter().fold((f32::INFINITY, 0.0f32), |(lo, hi), &(_, s)| (lo.min(s), hi.max(s)));
            if n.radial >= FLASH_RADIAL_SPEED && low.is_finite() && n.spacing >= FLASH_SPACING_RATIO * low {
                seen.push(at(PatternKind::FlashExpansion, n.spacing / low));
            } else if high > 0.0 && n.spacing <= COMPACTION_SPACING_RATIO * high {
                seen.push(at(PatternKind::Compaction, n.spacing / high));
            }
            let wide = n.empty_radius >= VACUOLE_MIN_SEPARATIONS * params.separation_radius;
            if wide && n.surrounded && g.one_cluster {
                seen.push(at(PatternKind::Vacuole, n.empty_radius));
            }
            self.spacing.push_back((g.time_s, n.spacing));
        } else {
            self.spacing.clear();
        }
        self.headings.retain(|&(t, _)| g.time_s - t <= TURN_WINDOW_S);
        match g.heading.filter(|_| g.one_cluster) {
            Some(h) => {
                let turned = self.headings.iter().map(|&(_, old)| Vec2::from_angle(old).angle_to(Vec2::from_angle(h)).abs()).fold(0.0, f32::max);
                if turned.to_degrees() >= TURN_DEG {
                    seen.push(at(PatternKind::CollectiveTurn, turned.to_degrees()));
                }
                self.headings.push_back((g.time_s, h));
            }
            None => self.headings.clear(),
        }
        seen.extend(self.follow_front(g, space));
        seen
    }

    /// Follows the alarm front; names an agitation wave once per alarm.
    fn follow_front(&mut self, g: &Glance, space: &Space) -> Option<Pattern> {
        if g.alarmed.len() < WAVE_MIN_ALARMED {
            self.front = None;
            return None;
        }
        let front = self.front.get_or_insert_with(|| {
            let origin = g.near.map_or_else(|| g.alarmed.iter().sum::<Vec2>() / g.alarmed.len() as f32, |n| n.predator);
            Front { origin, rises: 0, last: -1.0, first: (g.time_s, 0.0), told: false }
        });
        let mut d: Vec<f32> = g.alarmed.iter().map(|&p| space.offset(front.origin, p).length()).collect();
        let k = (d.len() * 9).div_ceil(10) - 1;
        let (_, &mut reach, _) = d.select_nth_unstable_by(k, f32::total_cmp);
        if front.last < 0.0 || reach <= front.last {
            (front.rises, front.first) = (0, (g.time_s, reach));
        } else {
            front.rises += 1;
        }
        front.last = reach;
        let elapsed = g.time_s - front.first.0;
        if front.told || front.rises < WAVE_MIN_SAMPLES || elapsed <= 0.0 {
            return None;
        }
        let speed = (reach - front.first.1) / elapsed as f32;
        let ratio = speed / g.speed.max(1e-6);
        (ratio >= WAVE_MIN_SPEED_RATIO).then(|| {
            front.told = true;
            Pattern { kind: PatternKind::AgitationWave, time_s: g.time_s, value: speed, speed_ratio: Some(ratio) }
        })
    }
}

#[cfg(test)]
mod tests;
