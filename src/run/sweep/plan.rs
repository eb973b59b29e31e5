//! A sweep plan: a preset, seeds, fixed assignments and axes, expanded into numbered tasks.
//!
//! ```ron
//! (
//!     preset: "falcon",
//!     seeds: [1, 2, 3],                 // or a count: seeds: 20 (seeds 0 to 19)
//!     steps: 1200,                      // optional: the preset's run length otherwise
//!     set: { "boid_count": 2000 },      // optional: fixed assignments
//!     axes: { "confusion": [0.0, 0.5, 1.0], "fear_radius": [60, 120] },
//! )
//! ```
//!
//! Tasks are every combination of the axes times every seed. Task `i` is numbered with the seed
//! varying fastest and the first axis slowest, so the same plan always gives the same numbering
//! and the tasks of one grid point are consecutive. Every value is checked against the parameter
//! table while the file is read, so a refused plan names the line and the field.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::preset::{Preset, preset_path};
use crate::run::RunConfig;
use crate::sim::params::{Literal, ParamSpec, ParamValue, spec};

/// The most tasks a plan may expand to.
pub const MAX_TASKS: usize = 1_000_000;

/// Run length when neither the plan nor the preset gives one (as for `murmuration sim`).
pub const DEFAULT_STEPS: u64 = 600;

/// A parsed, checked sweep plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepPlan {
    /// A preset name, or a path to a preset file (relative to the plan's folder).
    pub preset: String,
    /// The seeds every grid point runs with.
    pub seeds: Seeds,
    /// Steps per run (default: the preset's run length, else [`DEFAULT_STEPS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u64>,
    /// Assignments every task shares, in file order.
    #[serde(default, skip_serializing_if = "Assignments::is_empty")]
    pub set: Assignments,
    /// The grid's axes, in file order.
    #[serde(default, skip_serializing_if = "Axes::is_empty")]
    pub axes: Axes,
}

/// The seeds of a plan: a count `n` (seeds 0 to n−1) or a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Seeds {
    /// Seeds `0..n`.
    Count(u64),
    /// These seeds, in this order.
    List(Vec<u64>),
}

impl Seeds {
    /// How many seeds.
    pub fn len(&self) -> usize {
        match self {
            Seeds::Count(n) => *n as usize,
            Seeds::List(list) => list.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th seed.
    pub fn get(&self, i: usize) -> u64 {
        match self {
            Seeds::Count(_) => i as u64,
            Seeds::List(list) => list[i],
        }
    }
}

/// Parameter assignments: `(parameter, value)` in file order, each checked against the table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assignments(pub Vec<(&'static ParamSpec, ParamValue)>);

impl Assignments {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One axis of the grid: a parameter and the values it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The parameter.
    pub spec: &'static ParamSpec,
    /// Its values, in file order, each checked against the table.
    pub values: Vec<ParamValue>,
}

impl Axis {
    /// The `i`-th value as text, as `--set` takes it.
    pub fn text(&self, i: usize) -> String {
        self.spec.format(self.values[i])
    }
}

/// The axes of a plan, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Axes(pub Vec<Axis>);

impl Axes {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One run of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    /// Its number, 0 to n−1.
    pub index: usize,
    /// Its seed.
    pub seed: u64,
    /// The index into each axis's values, in axis order.
    pub point: Vec<usize>,
}

impl SweepPlan {
    /// Parses a plan and checks it; errors give the line and column and name the field.
    pub fn from_ron(text: &str) -> Result<Self> {
        let plan: Self = ron_options()
            .from_str(text)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        plan.check(text)?;
        Ok(plan)
    }

    /// Reads a plan file; a preset given as a relative path is made relative to the plan's
    /// folder, and one found in the working directory's preset folder is made absolute, so the
    /// tasks run the same from any folder.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read plan {}", path.display()))?;
        let mut plan = Self::from_ron(&text).with_context(|| format!("plan {}", path.display()))?;
        let folder = path.parent().unwrap_or(Path::new(""));
        plan.preset = anchor_preset(&plan.preset, folder)?;
        Preset::load(&plan.preset).with_context(|| format!("plan {}: preset", path.display()))?;
        Ok(plan)
    }

    /// The plan as RON text (what a sweep folder keeps).
    pub fn to_ron(&self) -> String {
        let config = ron::ser::PrettyConfig::new().depth_limit(2);
        ron_options().to_string_pretty(self, config).expect("a plan always serializes")
    }

    fn check(&self, text: &str) -> Result<()> {
        let at = |needle: &str| line_of(text, "", needle).map_or_else(String::new, |l| format!("line {l}: "));
        match &self.seeds {
            Seeds::Count(0) => bail!("{}seeds: 0 (allowed: a count of at least 1, or a list)", at("seeds:")),
            Seeds::List(list) if list.is_empty() => bail!("{}seeds: an empty list (allowed: at least one seed)", at("seeds:")),
            Seeds::List(list) => {
                if let Some(dup) = list.iter().enumerate().find_map(|(i, s)| list[..i].contains(s).then_some(s)) {
                    bail!("{}seeds: {dup} is listed twice", at("seeds:"));
                }
            }
            Seeds::Count(_) => {}
        }
        if self.steps == Some(0) {
            bail!("{}steps: 0 (allowed: at least 1)", at("steps:"));
        }
        for axis in &self.axes.0 {
            let key = axis.spec.key;
            if self.set.0.iter().any(|(s, _)| s.key == key) {
                let line = line_of(text, "axes", &format!("\"{key}\"")).map_or_else(String::new, |l| format!("line {l}: "));
                bail!("{line}axes: `{key}` is also in `set` (a parameter is either fixed or an axis)");
            }
        }
        let count = self.axes.0.iter().try_fold(self.seeds.len(), |n, a| n.checked_mul(a.values.len()));
        if count.is_none_or(|n| n > MAX_TASKS) {
            bail!("{}the plan expands to more than {MAX_TASKS} tasks", at("axes:"));
        }
        Ok(())
    }

    /// Number of tasks: every combination of the axes times every seed.
    pub fn task_count(&self) -> usize {
        self.axes.0.iter().map(|a| a.values.len()).product::<usize>() * self.seeds.len()
    }

    /// Task `index` (which must be below [`SweepPlan::task_count`]).
    pub fn task(&self, index: usize) -> Task {
        let seeds = self.seeds.len();
        let mut rest = index / seeds;
        let mut point = vec![0; self.axes.0.len()];
        for (slot, axis) in point.iter_mut().zip(&self.axes.0).rev() {
            *slot = rest % axis.values.len();
            rest /= axis.values.len();
        }
        Task { index, seed: self.seeds.get(index % seeds), point }
    }

    /// The assignments of a task, as `--set` takes them: the fixed ones, then the axes' values.
    pub fn assignments(&self, task: &Task) -> Vec<String> {
        let fixed = self.set.0.iter().map(|(spec, v)| format!("{}={}", spec.key, spec.format(*v)));
        let axes = self.axes.0.iter().zip(&task.point).map(|(axis, &i)| format!("{}={}", axis.spec.key, axis.text(i)));
        fixed.chain(axes).collect()
    }

    /// The run configuration of a task: what `murmuration sim --preset P --seed S --set ...` builds.
    pub fn config(&self, task: &Task) -> Result<RunConfig> {
        RunConfig::resolve(Some(&self.preset), Some(task.seed), &self.assignments(task), &[], &self.preset)
            .with_context(|| format!("task {}", task.index))
    }

    /// Steps a task runs.
    pub fn steps(&self, config: &RunConfig) -> u64 {
        self.steps.or(config.preset_steps).unwrap_or(DEFAULT_STEPS)
    }
}

/// RON as plans use it: optional fields are written without `Some(..)`.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// A preset named in a plan, made independent of the working directory where it is a file.
fn anchor_preset(preset: &str, plan_folder: &Path) -> Result<String> {
    let beside_plan = plan_folder.join(preset);
    let candidates = [beside_plan, preset_path(preset)];
    match candidates.iter().find(|p| p.is_file()) {
        Some(p) => Ok(std::path::absolute(p)?.to_string_lossy().into_owned()),
        None => Ok(preset.to_string()),
    }
}

/// The 1-based line of the first occurrence of `needle` after the first of `after`.
fn line_of(text: &str, after: &str, needle: &str) -> Option<usize> {
    let from = text.find(after)?;
    text[from..].find(needle).map(|at| text[..from + at].matches('\n').count() + 1)
}

/// Where the plan file of a sweep folder lives.
pub fn plan_file(dir: &Path) -> PathBuf {
    dir.join("plan.ron")
}

impl Serialize for Assignments {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (spec, value) in &self.0 {
            map.serialize_entry(spec.key, &spec.to_literal(*value))?;
        }
        map.end()
    }
}

impl Serialize for Axes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for axis in &self.0 {
            let values: Vec<Literal> = axis.values.iter().map(|v| axis.spec.to_literal(*v)).collect();
            map.serialize_entry(axis.spec.key, &values)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Assignments {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MapOf::<Assignments>(std::marker::PhantomData))
    }
}

impl<'de> Deserialize<'de> for Axes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MapOf::<Axes>(std::marker::PhantomData))
    }
}

/// A map from parameter key to something, read in file order with each value checked.
trait KeyedEntries: Default {
    const WHAT: &'static str;
    fn contains(&self, key: &str) -> bool;
    fn read<'de, A: MapAccess<'de>>(&mut self, spec: &'static ParamSpec, map: &mut A) -> Result<(), A::Error>;
}

impl KeyedEntries for Assignments {
    const WHAT: &'static str = "set";
    fn contains(&self, key: &str) -> bool {
        self.0.iter().any(|(s, _)| s.key == key)
    }
    fn read<'de, A: MapAccess<'de>>(&mut self, spec: &'static ParamSpec, map: &mut A) -> Result<(), A::Error> {
        let literal: Literal = map.next_value()?;
        let value = spec.from_literal(&literal).map_err(|e| de::Error::custom(format!("set: {e}")))?;
        self.0.push((spec, value));
        Ok(())
    }
}

impl KeyedEntries for Axes {
    const WHAT: &'static str = "axes";
    fn contains(&self, key: &str) -> bool {
        self.0.iter().any(|a| a.spec.key == key)
    }
    fn read<'de, A: MapAccess<'de>>(&mut self, spec: &'static ParamSpec, map: &mut A) -> Result<(), A::Error> {
        let literals: Vec<Literal> = map.next_value()?;
        let key = spec.key;
        if literals.is_empty() {
            return Err(de::Error::custom(format!("axes: `{key}` has no values")));
        }
        let mut values = Vec::with_capacity(literals.len());
        for literal in &literals {
            let value = spec.from_literal(literal).map_err(|e| de::Error::custom(format!("axes: {e}")))?;
            if values.contains(&value) {
                return Err(de::Error::custom(format!("axes: `{key}` lists {} twice", spec.format(value))));
            }
            values.push(value);
        }
        self.0.push(Axis { spec, values });
        Ok(())
    }
}

struct MapOf<T>(std::marker::PhantomData<T>);

impl<'de, T: KeyedEntries> Visitor<'de> for MapOf<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a map from parameter name to value{}", if T::WHAT == "axes" { "s, e.g. {\"confusion\": [0.0, 0.5]}" } else { ", e.g. {\"boid_count\": 2000}" })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut entries = T::default();
        while let Some(key) = map.next_key::<String>()? {
            let spec = spec(&key).map_err(|e| de::Error::custom(format!("{}: {e}", T::WHAT)))?;
            if entries.contains(spec.key) {
                return Err(de::Error::custom(format!("{}: `{key}` is given twice", T::WHAT)));
            }
            entries.read(spec, &mut map)?;
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests;
