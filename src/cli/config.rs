//! Raw run options → a validated [`RunConfig`].

use anyhow::{Context, Result};
use clap::Args;

use crate::preset::Preset;
use crate::sim::SimParams;
use crate::sim::params::spec;

/// Options shared by the desktop app and `sim`: which scenario to start from.
#[derive(Args, Debug, Clone, Default)]
pub struct RunArgs {
    /// Preset name (in assets/presets or built in) or path to a .ron file.
    #[arg(long, value_name = "NAME|PATH", default_value = "default")]
    pub preset: String,
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
}

impl RunConfig {
    /// Applies, in order: the preset, `--set` assignments, per-parameter flags; then validates.
    pub fn resolve(args: &RunArgs, flags: &[(&'static str, String)]) -> Result<Self> {
        let preset = Preset::load(&args.preset)?;
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
            preset: args.preset.clone(),
            params,
            seed: args.seed.or(preset.seed).unwrap_or(0),
            preset_steps: preset.steps,
        })
    }

    /// A configuration from defaults (the `default` preset's parameters are the table defaults).
    pub fn from_params(params: SimParams, seed: u64) -> Self {
        Self { preset: "custom".into(), params, seed, preset_steps: None }
    }
}
