//! Collecting a sweep: one row per finished task (`results.csv`), and a measure grouped by the
//! axes' values, averaged over seeds, for charts.

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::folder::SweepFolder;
use super::plan::SweepPlan;
use super::stats::Estimate;
use crate::io::write_atomic_with;

/// A number every run reports: its `results.csv` column, what it means, and how to read it from
/// a task's summary.
pub struct Measure {
    /// Column name (and `--plot` name).
    pub key: &'static str,
    /// What it is, for a chart's axis.
    pub label: &'static str,
    read: fn(&Value) -> Option<f64>,
}

fn strikes(s: &Value) -> impl Iterator<Item = &Value> {
    s["strikes"].as_array().into_iter().flatten()
}

fn split_strikes(s: &Value) -> impl Iterator<Item = &Value> {
    strikes(s).filter(|k| k["split"].as_bool() == Some(true))
}

fn reform_times(s: &Value) -> Vec<f64> {
    split_strikes(s).filter_map(|k| k["reform_s"].as_f64()).collect()
}

fn final_value(s: &Value, key: &str) -> Option<f64> {
    s["final_sample"][key].as_f64()
}

/// The measures of `results.csv`, in column order.
pub const MEASURES: &[Measure] = &[
    Measure { key: "alive", label: "birds alive at the end", read: |s| s["totals"]["alive"].as_f64() },
    Measure { key: "kills", label: "birds caught", read: |s| s["totals"]["kills"].as_f64() },
    Measure { key: "strikes", label: "strikes", read: |s| Some(strikes(s).count() as f64) },
    Measure { key: "splits", label: "strikes that split the flock", read: |s| Some(split_strikes(s).count() as f64) },
    Measure { key: "healed", label: "splits that reformed", read: |s| Some(reform_times(s).len() as f64) },
    Measure {
        key: "mean_tau_reform_s",
        label: "mean τ_reform (s)",
        read: |s| {
            let t = reform_times(s);
            (!t.is_empty()).then(|| t.iter().sum::<f64>() / t.len() as f64)
        },
    },
    Measure { key: "polarization", label: "final polarization", read: |s| final_value(s, "polarization") },
    Measure { key: "milling", label: "final milling", read: |s| final_value(s, "milling") },
    Measure { key: "clusters", label: "final clusters", read: |s| final_value(s, "clusters") },
    Measure { key: "largest_cluster_frac", label: "final largest-cluster fraction", read: |s| final_value(s, "largest_cluster_frac") },
    Measure { key: "mean_nn_dist", label: "final mean nearest-neighbour distance", read: |s| final_value(s, "mean_nn_dist") },
    Measure { key: "mean_speed", label: "final mean speed", read: |s| final_value(s, "mean_speed") },
];

/// Looks a measure up by its column name.
pub fn measure(key: &str) -> Result<&'static Measure> {
    MEASURES.iter().find(|m| m.key == key).with_context(|| {
        let names: Vec<_> = MEASURES.iter().map(|m| m.key).collect();
        format!("no measure named `{key}` (allowed: {})", names.join(", "))
    })
}

/// One finished task.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Task index.
    pub task: usize,
    /// Its seed.
    pub seed: u64,
    /// Index into each axis's values.
    pub point: Vec<usize>,
    /// Final state hash (16 hex digits).
    pub state_hash: String,
    /// One value per [`MEASURES`] entry (`None`: not defined for this run, e.g. τ with no split).
    pub values: Vec<Option<f64>>,
}

/// A collected sweep.
#[derive(Clone, Debug)]
pub struct Results {
    /// The plan.
    pub plan: SweepPlan,
    /// Finished tasks, in index order.
    pub rows: Vec<Row>,
    /// Tasks with no output yet.
    pub missing: Vec<usize>,
}

/// Reads every task's summary.
pub fn collect(folder: &SweepFolder, plan: &SweepPlan) -> Result<Results> {
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    for index in 0..plan.task_count() {
        if !folder.is_done(index) {
            missing.push(index);
            continue;
        }
        let path = folder.summary(index);
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let summary: Value = serde_json::from_str(&text).with_context(|| format!("{} is not a run summary", path.display()))?;
        let task = plan.task(index);
        rows.push(Row {
            task: index,
            seed: task.seed,
            point: task.point,
            state_hash: summary["state_hash"].as_str().unwrap_or_default().to_string(),
            values: MEASURES.iter().map(|m| (m.read)(&summary)).collect(),
        });
    }
    Ok(Results { plan: plan.clone(), rows, missing })
}

impl Results {
    /// Writes `results.csv`: `task,seed,<each axis>,state_hash,<each measure>`; an undefined
    /// value is an empty field.
    pub fn write_csv(&self, path: &std::path::Path) -> Result<()> {
        let axes = &self.plan.axes.0;
        write_atomic_with(path, |out| {
            let mut header = vec!["task".to_string(), "seed".into()];
            header.extend(axes.iter().map(|a| a.spec.key.to_string()));
            header.push("state_hash".into());
            header.extend(MEASURES.iter().map(|m| m.key.to_string()));
            writeln!(out, "{}", header.join(","))?;
            for row in &self.rows {
                let mut fields = vec![row.task.to_string(), row.seed.to_string()];
                fields.extend(axes.iter().zip(&row.point).map(|(a, &i)| a.text(i)));
                fields.push(row.state_hash.clone());
                fields.extend(row.values.iter().map(|v| v.map_or_else(String::new, number)));
                writeln!(out, "{}", fields.join(","))?;
            }
            Ok(())
        })
    }

    /// The axis named `key`, by position.
    pub fn axis(&self, key: &str) -> Result<usize> {
        let axes = &self.plan.axes.0;
        axes.iter().position(|a| a.spec.key == key).with_context(|| {
            let names: Vec<_> = axes.iter().map(|a| a.spec.key).collect();
            format!("`{key}` is not an axis of this sweep (its axes: {})", if names.is_empty() { "none".into() } else { names.join(", ") })
        })
    }

    /// A measure at each combination of the values of the axes `on` (by position), averaged over
    /// the seeds and every other axis: one entry per combination, in the axes' order.
    pub fn group(&self, measure: &Measure, on: &[usize]) -> Result<Vec<(Vec<usize>, Option<Estimate>)>> {
        if self.rows.is_empty() {
            bail!("no task of this sweep has finished yet");
        }
        let column = MEASURES.iter().position(|m| m.key == measure.key).expect("a listed measure");
        let sizes: Vec<usize> = on.iter().map(|&a| self.plan.axes.0[a].values.len()).collect();
        let cells: usize = sizes.iter().product();
        let mut values: Vec<Vec<f64>> = vec![Vec::new(); cells];
        for row in &self.rows {
            let cell = on.iter().zip(&sizes).fold(0, |acc, (&a, &n)| acc * n + row.point[a]);
            values[cell].extend(row.values[column]);
        }
        Ok(values
            .iter()
            .enumerate()
            .map(|(cell, v)| {
                let mut point = vec![0; on.len()];
                let mut rest = cell;
                for (slot, &n) in point.iter_mut().zip(&sizes).rev() {
                    *slot = rest % n;
                    rest /= n;
                }
                (point, Estimate::of(v))
            })
            .collect())
    }
}

/// A number for CSV: integers without a fraction, others to 6 decimals without trailing zeros.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
