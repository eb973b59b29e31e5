//! Strikes and reformation: when a predator disturbs the flock, how far it splits and how long it
//! takes to heal. A pure state machine fed with events and samples.

use serde::Serialize;

use super::escape::{Pattern, PatternKind};

/// The largest-cluster fraction must be back to this share of its pre-strike value…
pub const REFORM_SHARE: f32 = 0.9;
/// …and stay there this long (seconds) for the flock to count as reformed.
pub const REFORM_HOLD_S: f64 = 1.0;
/// A strike whose fraction has not dropped below the threshold this long after its start did not
/// split the flock: it closes as "no split", with no τ_reform.
pub const SPLIT_WINDOW_S: f64 = 5.0;

/// One strike: a disturbance of the flock and its healing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Strike {
    /// When it started (simulated seconds): the first kill or predator contact.
    pub start_s: f64,
    /// Largest-cluster fraction at the last sample before it.
    pub pre_largest_frac: f32,
    /// Its minimum from the start until reformation (or the end of the run).
    pub min_largest_frac: f32,
    /// Whether it split the flock: the fraction fell below 90 % of its pre-strike value.
    pub split: bool,
    /// τ_reform: seconds from the start until the fraction was back to ≥ 90 % of its pre-strike
    /// value and then stayed there for 1 s; `None` if it did not split or has not reformed.
    pub reform_s: Option<f64>,
    /// Birds caught while it was open.
    pub kills: u32,
    /// The escape patterns seen while it was open, each kind once (when first seen); a split's
    /// size is the most groups seen.
    pub patterns: Vec<Pattern>,
}

/// A change in the number of clusters between two samples.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SplitMerge {
    /// When (simulated seconds).
    pub time_s: f64,
    /// Clusters before.
    pub from: u32,
    /// Clusters after (more: a split; fewer: a merge).
    pub to: u32,
}

impl SplitMerge {
    /// Whether the flock split (more clusters) rather than merged.
    pub fn is_split(&self) -> bool {
        self.to > self.from
    }
}

/// Tracks strikes and cluster-count changes over a run.
#[derive(Clone, Debug, Default)]
pub struct StrikeTracker {
    /// Every strike so far, in order.
    pub strikes: Vec<Strike>,
    /// Split and merge events, most recent last (capped at `MAX_EVENTS`).
    pub events: Vec<SplitMerge>,
    open: Option<usize>,
    dipped: bool,
    recovered_since: Option<f64>,
    last_frac: Option<f32>,
    last_clusters: Option<u32>,
}

const MAX_EVENTS: usize = 10_000;

impl StrikeTracker {
    /// A kill or a predator's contact with the flock at time `t`: opens a strike unless one is open.
    pub fn disturb(&mut self, t: f64, kills: u32) {
        let i = match self.open {
            Some(i) => i,
            None => {
                let pre = self.last_frac.unwrap_or(1.0);
                self.strikes.push(Strike {
                    start_s: t,
                    pre_largest_frac: pre,
                    min_largest_frac: pre,
                    split: false,
                    reform_s: None,
                    kills: 0,
                    patterns: Vec::new(),
                });
                self.recovered_since = None;
                self.dipped = false;
                self.open = Some(self.strikes.len() - 1);
                self.strikes.len() - 1
            }
        };
        self.strikes[i].kills += kills;
    }

    /// A sample at time `t`.
    pub fn sample(&mut self, t: f64, largest_frac: f32, clusters: u32) {
        if let Some(i) = self.open {
            let s = &mut self.strikes[i];
            s.min_largest_frac = s.min_largest_frac.min(largest_frac);
            if largest_frac >= REFORM_SHARE * s.pre_largest_frac {
                let since = *self.recovered_since.get_or_insert(t);
                let held = t - since >= REFORM_HOLD_S;
                if held && self.dipped {
                    s.reform_s = Some(since - s.start_s);
                    self.open = None;
                } else if held && t - s.start_s >= SPLIT_WINDOW_S {
                    // never split: closed as such, with no τ_reform
                    self.open = None;
                }
            } else {
                self.dipped = true;
                s.split = true;
                self.recovered_since = None;
            }
            if self.open.is_none() {
                self.recovered_since = None;
            }
        }
        if let Some(from) = self.last_clusters
            && from != clusters
            && self.events.len() < MAX_EVENTS
        {
            self.events.push(SplitMerge { time_s: t, from, to: clusters });
        }
        self.last_frac = Some(largest_frac);
        self.last_clusters = Some(clusters);
    }

    /// Attaches patterns seen now to the open strike: a kind's first sighting, and for a split the
    /// most groups.
    pub fn note(&mut self, seen: &[Pattern]) {
        let Some(i) = self.open else { return };
        let strike = &mut self.strikes[i];
        for p in seen {
            match strike.patterns.iter_mut().find(|q| q.kind == p.kind) {
                Some(q) if p.kind == PatternKind::Split => q.value = q.value.max(p.value),
                Some(_) => {}
                None => strike.patterns.push(*p),
            }
        }
    }

    /// The index of the strike still open, if any.
    pub fn open_index(&self) -> Option<usize> {
        self.open
    }

    /// The strike still open (healing, or watched for a split), if any.
    pub fn open_strike(&self) -> Option<&Strike> {
        self.open.map(|i| &self.strikes[i])
    }

    /// Strikes that split the flock and reformed: `(count, mean τ_reform)`.
    pub fn healed(&self) -> (usize, Option<f64>) {
        let taus: Vec<f64> = self.strikes.iter().filter(|s| s.split).filter_map(|s| s.reform_s).collect();
        let mean = (!taus.is_empty()).then(|| taus.iter().sum::<f64>() / taus.len() as f64);
        (taus.len(), mean)
    }

    /// Closed strikes that never split the flock.
    pub fn without_split(&self) -> usize {
        self.strikes.iter().enumerate().filter(|&(i, s)| !s.split && self.open != Some(i)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strike_splits_and_reforms() {
        let mut t = StrikeTracker::default();
        t.sample(0.0, 0.8, 3);
        t.disturb(1.0, 1);
        t.disturb(1.05, 1);
        for (time, frac) in [(1.1, 0.8), (1.5, 0.4), (2.0, 0.3), (3.0, 0.6), (3.5, 0.75), (4.0, 0.74), (4.4, 0.8), (4.6, 0.5), (5.0, 0.73), (5.5, 0.9), (6.0, 0.8)] {
            t.sample(time, frac, 4);
        }
        assert_eq!(t.strikes.len(), 1);
        let s = &t.strikes[0];
        assert_eq!(s.pre_largest_frac, 0.8);
        assert_eq!(s.min_largest_frac, 0.3);
        assert_eq!(s.kills, 2);
        // back at ≥ 0.72 from 5.0 and held until 6.0 (the dip at 4.6 reset the hold)
        assert_eq!(s.reform_s, Some(4.0));
        assert!(s.split);
        assert!(t.open_strike().is_none());
        assert_eq!(t.healed(), (1, Some(4.0)));
        assert_eq!(t.events, vec![SplitMerge { time_s: 1.1, from: 3, to: 4 }]);
        assert!(t.events[0].is_split());
        // a new disturbance opens a new strike
        t.disturb(7.0, 0);
        assert_eq!(t.strikes.len(), 2);
        assert_eq!(t.strikes[1].pre_largest_frac, 0.8);
    }

    #[test]
    fn a_strike_that_does_not_split_closes_after_the_window() {
        let mut t = StrikeTracker::default();
        t.sample(0.0, 0.8, 1);
        t.disturb(1.0, 0);
        for i in 0..40 {
            t.sample(1.0 + 0.1 * f64::from(i), 0.79, 1);
        }
        // held since 1.0, but a split could still come until 6.0
        assert!(t.open_strike().is_some());
        assert_eq!(t.without_split(), 0, "still open");
        t.sample(6.0, 0.79, 1);
        // closed as "no split": not healed, no τ_reform of 0 to drag a mean down
        assert_eq!((t.strikes[0].split, t.strikes[0].reform_s), (false, None));
        assert!(t.open_strike().is_none());
        assert_eq!((t.healed(), t.without_split()), ((0, None), 1));
    }

    #[test]
    fn a_strike_that_never_heals_stays_open() {
        let mut t = StrikeTracker::default();
        t.sample(0.0, 1.0, 1);
        t.disturb(0.5, 1);
        t.sample(1.0, 0.2, 5);
        t.sample(9.0, 0.5, 3);
        assert_eq!(t.strikes[0].reform_s, None);
        assert!(t.strikes[0].split);
        assert_eq!(t.strikes[0].min_largest_frac, 0.2);
        assert!(t.open_strike().is_some());
        assert_eq!((t.healed(), t.without_split()), ((0, None), 0));
    }
}
