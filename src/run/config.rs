//! A preset, a seed and parameter assignments → a validated [`RunConfig`].

use anyhow::{Context, Result};

use crate::preset::Preset;
use crate::sim::{Script, SimParams, SimPlugin};
use crate::sim::params::spec;

/// A checked run configuration: everything needed to build the simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct RunConfig {
    /// The preset it started from.
    pub preset: String,
    /// Validated parameters.
    pub params: SimParams,
    /// The seed.
    pub seed: u64,
    /// The preset's run length, if it has one.
    pub preset_steps: Option<u64>,
    /// The preset's scripted events.
    pub script: Script,
}

impl RunConfig {
    /// Applies, in order: the preset (`default_preset` when none is named), the `key=value`
    /// assignments (`--set`), the `(key, value)` overrides (per-parameter flags); then validates.
    pub fn resolve(
        preset: Option<&str>,
        seed: Option<u64>,
        assignments: &[String],
        overrides: &[(&'static str, String)],
        default_preset: &str,
    ) -> Result<Self> {
        let name = preset.unwrap_or(default_preset);
        let preset = Preset::load(name)?;
        let mut params = preset.params.clone();
        for assignment in assignments {
            params
                .apply_assignment(assignment)
                .with_context(|| format!("--set {assignment}"))?;
        }
        for (key, text) in overrides {
            let spec = spec(key)?;
            let value = spec.parse(text)?;
            (spec.set)(&mut params, value);
        }
        params.validate()?;
        params.constrain();
        Ok(Self {
            preset: name.to_string(),
            params,
            seed: seed.or(preset.seed).unwrap_or(0),
            preset_steps: preset.steps,
            script: Script { dives: preset.dives },
        })
    }

    /// A configuration from defaults (the `default` preset's parameters are the table defaults).
    pub fn from_params(params: SimParams, seed: u64) -> Self {
        Self { preset: "custom".into(), params, seed, preset_steps: None, script: Script::default() }
    }

    /// The simulation plugin for this configuration.
    pub fn sim_plugin(&self) -> SimPlugin {
        SimPlugin { params: self.params.clone(), seed: self.seed, script: self.script.clone() }
    }
}
