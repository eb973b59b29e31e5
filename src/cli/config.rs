//! Raw run options → a validated [`RunConfig`].

use anyhow::{Context, Result};
use clap::Args;

use crate::preset::Preset;
use crate::sim::{Script, SimParams, SimPlugin};
use crate::sim::params::spec;

/// Options shared by the desktop app and `sim`: which scenario to start from.
#[derive(Args, Debug, Clone, Default)]
pub struct RunArgs {
    /// Preset name (in assets/presets or built in) or path to a .ron file
    /// [default: `story` for the app, `default` for `sim`].
    #[arg(long, value_name = "NAME|PATH")]
    pub preset: Option<String>,
    /// Seed of the random stream (default: the preset's seed, else 0).
    #[arg(long, value_name = "X")]
    pub seed: Option<u64>,
    /// Set a parameter, e.g. `--set cohesion_weight=2` (repeatable; see `murmuration params`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

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
    /// Applies, in order: the preset, `--set` assignments, per-parameter flags; then validates.
    /// `default_preset` is used when `--preset` is not given.
    pub fn resolve(args: &RunArgs, flags: &[(&'static str, String)], default_preset: &str) -> Result<Self> {
        let name = args.preset.as_deref().unwrap_or(default_preset);
        let preset = Preset::load(name)?;
        let mut params = preset.params.clone();
        for assignment in &args.set {
            params
                .apply_assignment(assignment)
                .with_context(|| format!("--set {assignment}"))?;
        }
        for (key, text) in flags {
            let spec = spec(key)?;
            let value = spec.parse(text)?;
            (spec.set)(&mut params, value);
        }
        params.validate()?;
        Ok(Self {
            preset: name.to_string(),
            params,
            seed: args.seed.or(preset.seed).unwrap_or(0),
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
