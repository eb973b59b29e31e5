//! Presets: named scenarios stored as RON files in `assets/presets/`.
//!
//! A preset holds a parameter set (keys from the parameter table), an optional seed and an
//! optional default run length. The built-in presets are compiled into the binary too, so it runs
//! from any folder.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::sim::{Dive, SimParams};

/// The folder user and built-in presets live in, relative to the working directory.
pub const PRESET_DIR: &str = "assets/presets";

/// The built-in presets: `(name, RON text)`.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("default", include_str!("../../assets/presets/default.ron")),
    ("falcon", include_str!("../../assets/presets/falcon.ron")),
    ("hunt", include_str!("../../assets/presets/hunt.ron")),
    ("murmuration", include_str!("../../assets/presets/murmuration.ron")),
    ("parallel", include_str!("../../assets/presets/parallel.ron")),
    ("repair", include_str!("../../assets/presets/repair.ron")),
    ("story", include_str!("../../assets/presets/story.ron")),
    ("swarm", include_str!("../../assets/presets/swarm.ron")),
    ("torus", include_str!("../../assets/presets/torus.ron")),
];

/// A scenario: parameters, and optionally a seed and a run length.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// What this preset shows, in a sentence.
    #[serde(default)]
    pub description: String,
    /// Seed used when none is given on the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Run length in steps for `murmuration sim` when `--steps` is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u64>,
    /// Parameter values; keys left out keep their defaults.
    #[serde(default)]
    pub params: SimParams,
    /// Scripted predator dives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dives: Vec<Dive>,
}

impl Preset {
    /// Parses a preset from RON text; errors give the line and column and name the field.
    pub fn from_ron(text: &str) -> Result<Self> {
        let preset: Self = ron_options().from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
        preset.validate()?;
        Ok(preset)
    }

    /// Checks the parameters and the script.
    pub fn validate(&self) -> Result<()> {
        self.params.validate()?;
        for (i, dive) in self.dives.iter().enumerate() {
            dive.validate(i).map_err(anyhow::Error::msg)?;
        }
        Ok(())
    }

    /// The preset as pretty RON text.
    pub fn to_ron(&self) -> String {
        let config = ron::ser::PrettyConfig::new().depth_limit(3);
        ron_options().to_string_pretty(self, config).expect("a preset always serializes")
    }

    /// Reads a preset file. Never modifies it.
    pub fn load_file(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read preset {}", path.display()))?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| anyhow::anyhow!("preset {}: not UTF-8 text ({e})", path.display()))?;
        Self::from_ron(text).with_context(|| format!("preset {}", path.display()))
    }

    /// Loads a preset by name or path: an existing file path first, then `assets/presets/NAME.ron`,
    /// then the built-in presets.
    pub fn load(name_or_path: &str) -> Result<Self> {
        let path = Path::new(name_or_path);
        if path.is_file() {
            return Self::load_file(path);
        }
        let in_dir = preset_path(name_or_path);
        if in_dir.is_file() {
            return Self::load_file(&in_dir);
        }
        if let Some((_, text)) = BUILT_IN.iter().find(|(n, _)| *n == name_or_path) {
            return Self::from_ron(text).with_context(|| format!("built-in preset {name_or_path}"));
        }
        let names: Vec<_> = BUILT_IN.iter().map(|(n, _)| *n).collect();
        bail!(
            "no preset named `{name_or_path}` (no such file; built-in presets: {})",
            names.join(", ")
        )
    }

    /// Saves the preset atomically after checking it; a refused preset writes nothing.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.validate()?;
        crate::io::write_atomic(path, self.to_ron().as_bytes())
    }
}

/// RON as presets use it: optional fields are written without `Some(..)`.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// The file a preset name maps to in the preset folder.
pub fn preset_path(name: &str) -> PathBuf {
    Path::new(PRESET_DIR).join(format!("{name}.ron"))
}

/// The names of every preset available: built-in ones and `.ron` files in the preset folder.
pub fn available() -> Vec<String> {
    let mut names: Vec<String> = BUILT_IN.iter().map(|(n, _)| n.to_string()).collect();
    if let Ok(dir) = std::fs::read_dir(PRESET_DIR) {
        for entry in dir.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "ron")
                && let Some(stem) = path.file_stem()
            {
                names.push(stem.to_string_lossy().into_owned());
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_ins_parse_and_validate() {
        for (name, text) in BUILT_IN {
            let p = Preset::from_ron(text).unwrap_or_else(|e| panic!("{name}: {e:#}"));
            p.params.validate().unwrap();
            assert!(!p.description.is_empty(), "{name}");
        }
    }

    #[test]
    fn round_trip() {
        let mut p = Preset::load("default").unwrap();
        p.params.cohesion_weight = 0.25;
        assert_eq!(Preset::from_ron(&p.to_ron()).unwrap(), p);
    }

    #[test]
    fn a_min_speed_above_the_max_speed_is_capped() {
        let p = Preset::from_ron("(params: {\"min_speed\": 300, \"max_speed\": 100})").unwrap();
        assert_eq!((p.params.min_speed, p.params.max_speed), (100.0, 100.0));
    }

    #[test]
    fn malformed_presets_give_clear_errors() {
        for (text, needle) in [
            ("(params: {\"cohesion_weight\": 99})", "cohesion_weight"),
            ("(params: {\"cohesion_weight\": 1.0", "1:"),
            ("(colour: 3)", "colour"),
            ("(seed: -4)", "1:9"),
            ("", "1:"),
        ] {
            let err = format!("{:#}", Preset::from_ron(text).unwrap_err());
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn unknown_name_lists_built_ins() {
        let err = format!("{:#}", Preset::load("no-such-preset").unwrap_err());
        assert!(err.contains("no preset named `no-such-preset`") && err.contains("default"), "{err}");
    }
}
