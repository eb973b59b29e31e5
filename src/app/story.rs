//! Captions that tell each strike's story as it happens: the falcon coming, the split into
//! groups, the escape patterns the metrics name, the groups rejoining, the flock healed. A pure [`StoryTeller`] turns what the metrics
//! and the strike tracker say at a moment into lines of text; a system feeds it and keeps the
//! recent lines in [`Captions`], which the UI draws over the world view.

use bevy::prelude::*;

use crate::metrics::Metrics;
use crate::metrics::escape::{Pattern, PatternKind};
use crate::metrics::strikes::StrikeTracker;
use crate::sim::script::Script;
use crate::sim::{Bird, Predator, SimClock};

/// A cluster counts as a group in the captions when it holds at least this share of the birds.
pub const GROUP_SHARE: f32 = 0.05;
/// Simulated seconds a caption stays on screen (the last second it fades).
pub const CAPTION_LIFE_S: f64 = 6.0;
/// At most this many captions show at once (the newest at the bottom).
pub const MAX_CAPTIONS: usize = 3;
/// "Falcon incoming" is said this many simulated seconds before a scripted dive.
pub const WARNING_S: f64 = 3.0;
/// Rejoins are told at most once per this many simulated seconds (group counts flicker).
const REJOIN_GAP_S: f64 = 1.5;

/// What the flock and the strike tracker say at one moment.
#[derive(Clone, Copy, Debug)]
pub struct Moment<'a> {
    /// Simulated seconds.
    pub time_s: f64,
    /// Birds alive.
    pub alive: usize,
    /// Predators present.
    pub predators: usize,
    /// When the next scripted dive comes, if one will.
    pub next_dive_s: Option<f64>,
    /// Clusters holding at least [`GROUP_SHARE`] of the birds, at the last metrics sample.
    pub groups: usize,
    /// Strikes so far.
    pub strikes: &'a StrikeTracker,
}

/// Remembers what has been told, so each event is told once. Starts over when time goes back
/// (a reset or a new seed).
#[derive(Clone, Debug, Default)]
pub struct StoryTeller {
    last_time_s: Option<f64>,
    introduced: bool,
    predators: usize,
    warned_at_s: Option<f64>,
    strikes_seen: usize,
    split_told: bool,
    closed_told: bool,
    groups: usize,
    rejoin_told_s: f64,
    patterns_told: usize,
}

impl StoryTeller {
    /// The lines to show now (usually none).
    pub fn observe(&mut self, m: &Moment) -> Vec<String> {
        if self.last_time_s.is_some_and(|t| m.time_s < t) {
            *self = Self::default();
        }
        self.last_time_s = Some(m.time_s);
        let mut lines = Vec::new();
        if !self.introduced {
            self.introduced = true;
            self.strikes_seen = m.strikes.strikes.len();
            lines.push(format!("{} birds, no leader: each one steers by its nearest neighbours alone", m.alive));
            if let Some(t) = m.next_dive_s {
                lines.push(format!("a falcon dives at {t:.0} s: watch the flock split and heal"));
            }
        }
        self.falcon(m, &mut lines);
        self.strike(m, &mut lines);
        lines
    }

    /// "Falcon incoming": a scripted dive is near, or a predator appeared unannounced.
    fn falcon(&mut self, m: &Moment, lines: &mut Vec<String>) {
        let recently_warned = self.warned_at_s.is_some_and(|w| m.time_s - w < 2.0 * WARNING_S);
        let dive_near = m.next_dive_s.is_some_and(|t| t - m.time_s <= WARNING_S);
        let appeared = m.predators > self.predators;
        self.predators = m.predators;
        if (dive_near || appeared) && !recently_warned {
            self.warned_at_s = Some(m.time_s);
            lines.push("falcon incoming".to_string());
        }
    }

    /// The last strike: its split, its groups rejoining, and how it ended.
    fn strike(&mut self, m: &Moment, lines: &mut Vec<String>) {
        let strikes = &m.strikes.strikes;
        if strikes.len() > self.strikes_seen {
            self.strikes_seen = strikes.len();
            (self.split_told, self.closed_told, self.patterns_told) = (false, false, 0);
        }
        let Some(s) = strikes.last().filter(|_| !self.closed_told) else { return };
        for p in &s.patterns[self.patterns_told.min(s.patterns.len())..] {
            lines.extend(pattern_caption(p));
        }
        self.patterns_told = s.patterns.len();
        let open = m.strikes.open_strike().is_some();
        if s.split && !self.split_told && m.groups >= 2 {
            self.split_told = true;
            self.groups = m.groups;
            self.rejoin_told_s = m.time_s;
            lines.push(format!("the flock splits into {} groups", self.groups));
        } else if self.split_told && open && m.groups < self.groups && m.time_s - self.rejoin_told_s >= REJOIN_GAP_S {
            let joined = self.groups - m.groups.max(1) + 1;
            lines.push(match m.groups {
                0 | 1 => "the groups are one flock again".to_string(),
                left => format!("{joined} groups rejoin: {left} left"),
            });
            self.groups = m.groups.max(1);
            self.rejoin_told_s = m.time_s;
        } else if self.split_told && m.groups > self.groups {
            self.groups = m.groups;
        }
        if !open {
            self.closed_told = true;
            match s.reform_s {
                Some(tau) => lines.push(format!("healed in {tau:.1} s — no leader, no plan")),
                None if !s.split => lines.push("the flock held together: no split".to_string()),
                None => {}
            }
        }
    }
}

/// A named escape pattern as a caption (a split has its own, with the groups).
pub fn pattern_caption(p: &Pattern) -> Option<String> {
    Some(match p.kind {
        PatternKind::Split => return None,
        PatternKind::FlashExpansion => "flash expansion: the birds burst away from the falcon".to_string(),
        PatternKind::Compaction => "compaction: the flock packs tight around the falcon".to_string(),
        PatternKind::Vacuole => format!("vacuole: a hole {:.0} u wide opens around the falcon", 2.0 * p.value),
        PatternKind::AgitationWave => {
            format!("agitation wave: the alarm crosses the flock at {:.1}× the birds' speed", p.speed_ratio.unwrap_or(0.0))
        }
        PatternKind::CollectiveTurn => format!("collective turn: the whole flock turns {:.0}°", p.value),
    })
}

/// One caption on screen.
#[derive(Clone, Debug, PartialEq)]
pub struct Caption {
    /// The text.
    pub text: String,
    /// When it was said (simulated seconds).
    pub at_s: f64,
}

impl Caption {
    /// Its opacity at `now`: 1, fading to 0 over its last second.
    pub fn alpha(&self, now: f64) -> f32 {
        ((self.at_s + CAPTION_LIFE_S - now).clamp(0.0, 1.0)) as f32
    }
}

/// The captions on screen now, oldest first, and every caption of the run.
#[derive(Resource, Clone, Debug, Default)]
pub struct Captions {
    /// On screen now (at most [`MAX_CAPTIONS`]).
    pub shown: Vec<Caption>,
    /// Every caption of this run, in order (what a test or a viewer can read back).
    pub told: Vec<Caption>,
    /// Simulated seconds now.
    pub now_s: f64,
    teller: StoryTeller,
    /// The groups at the last metrics sample (counted once per sample, not per frame).
    groups: usize,
}

/// Feeds the story teller from the metrics, the strikes and the script, once per frame.
pub fn tell_story(
    mut captions: ResMut<Captions>,
    clock: Res<SimClock>,
    metrics: Option<Res<Metrics>>,
    script: Option<Res<Script>>,
    birds: Query<(), With<Bird>>,
    predators: Query<(), With<Predator>>,
) {
    let Some(metrics) = metrics else { return };
    let now = clock.time;
    let captions = &mut *captions;
    if now < captions.now_s {
        captions.shown.clear();
        captions.told.clear();
    }
    captions.now_s = now;
    if metrics.is_changed() {
        captions.groups = metrics.last_clusters.groups(GROUP_SHARE);
    }
    let moment = Moment {
        time_s: now,
        alive: birds.iter().len(),
        predators: predators.iter().len(),
        next_dive_s: script.and_then(|s| s.next_dive(now)),
        groups: captions.groups,
        strikes: &metrics.strikes,
    };
    for text in captions.teller.observe(&moment) {
        let caption = Caption { text, at_s: now };
        captions.told.push(caption.clone());
        captions.shown.push(caption);
    }
    captions.shown.retain(|c| c.alpha(now) > 0.0);
    let excess = captions.shown.len().saturating_sub(MAX_CAPTIONS);
    captions.shown.drain(..excess);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moment(t: f64, predators: usize, groups: usize, strikes: &StrikeTracker) -> Moment<'_> {
        Moment { time_s: t, alive: 1000, predators, next_dive_s: Some(20.0).filter(|&d| d >= t), groups, strikes }
    }

    /// A scripted dive told from start to end: intro, warning, split, a rejoin, healed.
    #[test]
    fn a_strike_is_told_once_from_warning_to_healed() {
        let mut teller = StoryTeller::default();
        let mut strikes = StrikeTracker::default();
        let mut told = Vec::new();
        let mut at = |t: f64, predators: usize, groups: usize, strikes: &StrikeTracker, told: &mut Vec<(f64, String)>| {
            told.extend(teller.observe(&moment(t, predators, groups, strikes)).into_iter().map(|l| (t, l)));
        };
        strikes.sample(0.0, 1.0, 1);
        at(0.0, 0, 1, &strikes, &mut told);
        at(10.0, 0, 1, &strikes, &mut told);
        at(17.5, 0, 1, &strikes, &mut told);
        at(20.0, 1, 1, &strikes, &mut told);
        strikes.disturb(20.5, 2);
        strikes.sample(21.0, 0.5, 3);
        strikes.note(&[Pattern { kind: PatternKind::FlashExpansion, time_s: 21.0, value: 1.6, speed_ratio: None }]);
        strikes.note(&[Pattern { kind: PatternKind::Split, time_s: 21.0, value: 3.0, speed_ratio: None }]);
        at(21.0, 1, 3, &strikes, &mut told);
        at(21.5, 1, 2, &strikes, &mut told); // too soon after the split to tell a rejoin
        strikes.sample(23.0, 0.6, 2);
        at(23.0, 0, 2, &strikes, &mut told);
        strikes.sample(30.0, 0.95, 1);
        strikes.sample(31.5, 0.95, 1);
        at(31.5, 0, 1, &strikes, &mut told);
        at(32.0, 0, 1, &strikes, &mut told);
        let lines: Vec<&str> = told.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(lines, [
            "1000 birds, no leader: each one steers by its nearest neighbours alone",
            "a falcon dives at 20 s: watch the flock split and heal",
            "falcon incoming",
            "flash expansion: the birds burst away from the falcon",
            "the flock splits into 3 groups",
            "2 groups rejoin: 2 left",
            "healed in 9.5 s — no leader, no plan",
        ]);
        assert_eq!(told[2].0, 17.5, "warned 2.5 s before the dive, not again when the falcon appeared");
    }

    #[test]
    fn a_strike_without_a_split_says_so_and_a_reset_starts_over() {
        let mut teller = StoryTeller::default();
        let mut strikes = StrikeTracker::default();
        strikes.sample(0.0, 1.0, 1);
        teller.observe(&moment(0.0, 0, 1, &strikes));
        assert_eq!(teller.observe(&moment(5.0, 1, 1, &strikes)), ["falcon incoming"], "a clicked falcon is announced too");
        strikes.disturb(5.5, 0);
        for i in 0..70 {
            strikes.sample(5.5 + 0.1 * f64::from(i), 0.99, 1);
        }
        assert_eq!(teller.observe(&moment(12.5, 1, 1, &strikes)), ["the flock held together: no split"]);
        assert!(teller.observe(&moment(13.0, 1, 1, &strikes)).is_empty());
        let again = teller.observe(&moment(0.0, 0, 1, &StrikeTracker::default()));
        assert_eq!(again.len(), 2, "time went back: the run restarted and is introduced again: {again:?}");
    }

    #[test]
    fn captions_fade_over_their_last_second() {
        let c = Caption { text: "x".into(), at_s: 10.0 };
        assert_eq!(c.alpha(10.0), 1.0);
        assert_eq!(c.alpha(10.0 + CAPTION_LIFE_S - 0.25), 0.25);
        assert_eq!(c.alpha(10.0 + CAPTION_LIFE_S), 0.0);
    }
}
