//! The one parameter table.
//!
//! Every simulation parameter is declared once, in [`table.rs`](self): its key, label, group, unit,
//! range, default and help. From that one declaration come the [`SimParams`] resource (one field per
//! row), the [`PARAMS`] table that sliders, validation, presets and CLI flags are generated from, and
//! the RON form of a parameter set.

mod choices;
mod serde_impl;
mod spec;
mod table;

pub use choices::{EdgeMode, EscapeMode, Guidance, NeighborMode, OnOff, TargetStrategy};
pub use spec::{Literal, ParamError, ParamGroup, ParamKind, ParamSpec, ParamValue};
pub use table::{PARAMS, SimParams};

/// Converts between a field's Rust type and a [`ParamValue`].
pub trait ParamType: Copy {
    /// The field as a tagged value.
    fn to_value(self) -> ParamValue;
    /// The tagged value as the field type (the value has been checked against the table).
    fn from_value(value: ParamValue) -> Self;
}

impl ParamType for f32 {
    fn to_value(self) -> ParamValue {
        ParamValue::Float(self)
    }
    fn from_value(value: ParamValue) -> Self {
        match value {
            ParamValue::Float(v) => v,
            ParamValue::Int(v) => v as f32,
            ParamValue::Choice(v) => v as f32,
        }
    }
}

impl ParamType for u32 {
    fn to_value(self) -> ParamValue {
        ParamValue::Int(self)
    }
    fn from_value(value: ParamValue) -> Self {
        match value {
            ParamValue::Float(v) => v as u32,
            ParamValue::Int(v) => v,
            ParamValue::Choice(v) => v as u32,
        }
    }
}

/// Looks a parameter up by key.
pub fn spec(key: &str) -> Result<&'static ParamSpec, ParamError> {
    PARAMS
        .iter()
        .find(|s| s.key == key)
        .ok_or_else(|| ParamError::Unknown {
            key: key.to_string(),
        })
}

impl SimParams {
    /// Reads a parameter by key.
    pub fn get(&self, key: &str) -> Result<ParamValue, ParamError> {
        Ok((spec(key)?.get)(self))
    }

    /// Checks and writes one parameter by key.
    pub fn set(&mut self, key: &str, value: ParamValue) -> Result<(), ParamError> {
        let spec = spec(key)?;
        let value = spec.check(value)?;
        (spec.set)(self, value);
        Ok(())
    }

    /// Applies a `KEY=VALUE` assignment as written on the command line.
    pub fn apply_assignment(&mut self, assignment: &str) -> Result<(), ParamError> {
        let (key, text) = assignment
            .split_once('=')
            .ok_or_else(|| ParamError::Inconsistent(format!(
                "`{assignment}` is not of the form KEY=VALUE"
            )))?;
        let spec = spec(key.trim())?;
        let value = spec.parse(text)?;
        (spec.set)(self, value);
        Ok(())
    }

    /// Checks every parameter against its range.
    pub fn validate(&self) -> Result<(), ParamError> {
        for spec in PARAMS {
            spec.check((spec.get)(self))?;
        }
        Ok(())
    }

    /// Applies the rules that tie parameters together, as their help texts say; returns whether
    /// a value changed. Every way of writing parameters ends with it (a run's configuration, a
    /// preset or replay file, and in a running simulation each step before it reads them), so
    /// the values in effect are the values shown and saved.
    ///
    /// - `min_speed` is capped at `max_speed`.
    pub fn constrain(&mut self) -> bool {
        if self.min_speed > self.max_speed {
            self.min_speed = self.max_speed;
            return true;
        }
        false
    }

    /// A copy with [`SimParams::constrain`] applied.
    pub fn constrained(&self) -> Self {
        let mut p = self.clone();
        p.constrain();
        p
    }

    /// The fixed timestep in seconds.
    pub fn dt(&self) -> f32 {
        1.0 / self.step_rate as f32
    }

    /// The radius within which a bird looks for neighbours (the larger of the two perception radii).
    pub fn search_radius(&self) -> f32 {
        self.neighbor_radius.max(self.separation_radius)
    }
}

#[cfg(test)]
mod tests;
