//! The replay sidecar: a small RON file saved next to an in-app recording. It holds what the run
//! started from (preset name, seed, parameters, scripted dives), every change made since (slider
//! moves, predators placed or removed, each with its step), and which steps the video covers.
//! `murmuration record --replay FILE` rebuilds the run from it and renders the same steps offscreen.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::run::RunConfig;
use crate::sim::script::Dive;
use crate::sim::{Script, SimParams, TimedChange, Timeline};

/// A recording's replay instructions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    /// The preset the run came from (for people; the parameters below are what counts).
    pub preset: String,
    /// The run's seed.
    pub seed: u64,
    /// The parameters the run started with.
    pub params: SimParams,
    /// The run's scripted dives.
    #[serde(default)]
    pub dives: Vec<Dive>,
    /// Every change since the start, with the number of steps run before it.
    #[serde(default)]
    pub changes: Vec<TimedChange>,
    /// Steps run when recording started (the first frame shows this state).
    pub start_step: u64,
    /// Steps run at the last frame.
    pub end_step: u64,
    /// Steps between frames.
    pub steps_per_frame: u64,
    /// Output frames per second.
    pub fps: u32,
    /// Frame size of the recording.
    pub size: (u32, u32),
    /// The state hash at `end_step` in the live run (16 hex digits).
    pub state_hash: String,
}

impl Sidecar {
    /// The sidecar of a recording from a run's timeline.
    #[allow(clippy::too_many_arguments)]
    pub fn new(preset: &str, timeline: &Timeline, start_step: u64, end_step: u64, steps_per_frame: u64, fps: u32, size: (u32, u32), state_hash: u64) -> Self {
        let changes = timeline.changes.iter().filter(|c| c.step <= end_step).cloned().collect();
        Self {
            preset: preset.to_string(),
            seed: timeline.seed,
            params: timeline.params.clone(),
            dives: timeline.dives.clone(),
            changes,
            start_step,
            end_step,
            steps_per_frame,
            fps,
            size,
            state_hash: format!("{state_hash:016x}"),
        }
    }

    /// Where the sidecar of a video goes: the same name with `.ron`.
    pub fn path_for(video: &Path) -> PathBuf {
        video.with_extension("ron")
    }

    /// The sidecar as RON text.
    pub fn to_ron(&self) -> String {
        let config = ron::ser::PrettyConfig::new().depth_limit(3);
        ron::ser::to_string_pretty(self, config).expect("a sidecar always serializes")
    }

    /// Writes the sidecar atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::io::write_atomic(path, self.to_ron().as_bytes())
    }

    /// Reads and checks a sidecar.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read replay {}", path.display()))?;
        let sidecar: Self = ron::from_str(&text).map_err(|e| anyhow::anyhow!("replay {}: {e}", path.display()))?;
        sidecar.validate().with_context(|| format!("replay {}", path.display()))?;
        Ok(sidecar)
    }

    /// Checks the parameters, the steps and the changes.
    pub fn validate(&self) -> Result<()> {
        self.params.validate()?;
        for (i, dive) in self.dives.iter().enumerate() {
            dive.validate(i).map_err(anyhow::Error::msg)?;
        }
        if self.end_step < self.start_step || self.steps_per_frame == 0 {
            bail!("start_step {} / end_step {} / steps_per_frame {} do not describe a recording", self.start_step, self.end_step, self.steps_per_frame);
        }
        super::limits::check_fps(self.fps)?;
        super::limits::check_size(self.size)?;
        if self.changes.windows(2).any(|w| w[1].step < w[0].step) {
            bail!("changes must be in step order");
        }
        let mut params = self.params.clone();
        for c in &self.changes {
            if let crate::sim::Change::Set(assignment) = &c.change {
                params.apply_assignment(assignment).with_context(|| format!("change at step {}", c.step))?;
            }
        }
        Ok(())
    }

    /// The run configuration the sidecar starts from.
    pub fn run_config(&self) -> RunConfig {
        RunConfig {
            preset: self.preset.clone(),
            params: self.params.clone(),
            seed: self.seed,
            preset_steps: None,
            script: Script { dives: self.dives.clone() },
        }
    }

    /// Output frames (the first shows `start_step`).
    pub fn frames(&self) -> u32 {
        ((self.end_step - self.start_step) / self.steps_per_frame) as u32 + 1
    }
}
