//! The types that describe one parameter: its kind, range, value and the error a bad value gives.

use std::fmt;

use super::SimParams;

/// Which panel group a parameter belongs to (sliders are grouped by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParamGroup {
    /// The three Reynolds rule weights.
    Rules,
    /// What a bird can perceive: radii and field of view.
    Perception,
    /// Speed and steering limits, and the fixed timestep.
    Motion,
    /// The world's size, its edges, and the population.
    World,
    /// The predator's abilities and the birds' fear of it.
    Predator,
    /// Alarm: how a bird that sees a predator alarms its neighbours, and how alarmed birds escape.
    Alarm,
    /// Repair mode: hatching birds back to a desired population.
    Repair,
    /// Parameters of the measurements (not of the simulation).
    Metrics,
}

impl ParamGroup {
    /// Every group, in panel order.
    pub const ALL: [ParamGroup; 8] = [
        ParamGroup::Rules,
        ParamGroup::Perception,
        ParamGroup::Motion,
        ParamGroup::World,
        ParamGroup::Predator,
        ParamGroup::Alarm,
        ParamGroup::Repair,
        ParamGroup::Metrics,
    ];

    /// The group's title as shown to users.
    pub fn title(self) -> &'static str {
        match self {
            ParamGroup::Rules => "Rules",
            ParamGroup::Perception => "Perception",
            ParamGroup::Motion => "Motion",
            ParamGroup::World => "World",
            ParamGroup::Predator => "Predator",
            ParamGroup::Alarm => "Alarm",
            ParamGroup::Repair => "Repair",
            ParamGroup::Metrics => "Metrics",
        }
    }
}

/// The kind of a parameter, with its allowed range and default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamKind {
    /// A finite real number in `min..=max`.
    Float {
        /// Smallest allowed value.
        min: f32,
        /// Largest allowed value.
        max: f32,
        /// Default value.
        default: f32,
    },
    /// A whole number in `min..=max`.
    Int {
        /// Smallest allowed value.
        min: u32,
        /// Largest allowed value.
        max: u32,
        /// Default value.
        default: u32,
    },
    /// One of a fixed list of named options.
    Choice {
        /// The option names, in index order.
        options: &'static [&'static str],
        /// Index of the default option.
        default: usize,
    },
}

impl ParamKind {
    /// The default value.
    pub fn default_value(&self) -> ParamValue {
        match *self {
            ParamKind::Float { default, .. } => ParamValue::Float(default),
            ParamKind::Int { default, .. } => ParamValue::Int(default),
            ParamKind::Choice { default, .. } => ParamValue::Choice(default),
        }
    }

    /// The allowed values in words, e.g. `0 to 10` or `one of wrap, bounce, steer`.
    pub fn allowed(&self) -> String {
        match self {
            ParamKind::Float { min, max, .. } => format!("{min} to {max}"),
            ParamKind::Int { min, max, .. } => format!("{min} to {max}"),
            ParamKind::Choice { options, .. } => format!("one of {}", options.join(", ")),
        }
    }
}

/// A parameter's value, tagged by kind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamValue {
    /// A real number.
    Float(f32),
    /// A whole number.
    Int(u32),
    /// The index of a choice option.
    Choice(usize),
}

/// A value as a file writes it (a preset, a sweep plan), before the table says what kind it must
/// be: numbers as numbers, choices as names, `on`/`off` switches also as `true`/`false`.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(untagged)]
pub enum Literal {
    /// A whole number.
    Integer(u64),
    /// A number.
    Number(f64),
    /// A choice's name.
    Text(String),
    /// A switch.
    Bool(bool),
}

impl Literal {
    /// The value as a number (a name or switch has none: NaN).
    pub fn as_number(&self) -> f64 {
        match self {
            Literal::Integer(n) => *n as f64,
            Literal::Number(n) => *n,
            _ => f64::NAN,
        }
    }
}

/// One row of the parameter table: everything the sliders, validation, presets and CLI need.
pub struct ParamSpec {
    /// Machine name, used in presets, `--set KEY=VALUE` and CSV (snake_case).
    pub key: &'static str,
    /// Human label for sliders.
    pub label: &'static str,
    /// Panel group.
    pub group: ParamGroup,
    /// Unit, shown beside values (empty for unitless).
    pub unit: &'static str,
    /// Kind, range and default.
    pub kind: ParamKind,
    /// One-line help, used as tooltip and in `murmuration params`.
    pub help: &'static str,
    /// Reads this parameter from a parameter set.
    pub get: fn(&SimParams) -> ParamValue,
    /// Writes this parameter into a parameter set (the value must already be validated).
    pub set: fn(&mut SimParams, ParamValue),
}

impl fmt::Debug for ParamSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParamSpec").field("key", &self.key).finish()
    }
}

/// Rows are equal when they have the same key (each key is in the table once).
impl PartialEq for ParamSpec {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

/// Why a parameter value was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// The key names no parameter.
    #[error("unknown parameter `{key}` (run `murmuration params` for the list)")]
    Unknown {
        /// The key given.
        key: String,
    },
    /// The value is outside the allowed range, not finite, or of the wrong kind.
    #[error("invalid value for {key}: {value} (allowed: {allowed})")]
    Invalid {
        /// The parameter's key.
        key: &'static str,
        /// The value given, as text.
        value: String,
        /// The allowed range in words.
        allowed: String,
    },
    /// Two parameters contradict each other.
    #[error("{0}")]
    Inconsistent(String),
}

impl ParamSpec {
    /// Checks a value against this parameter's kind and range.
    pub fn check(&self, value: ParamValue) -> Result<ParamValue, ParamError> {
        let ok = match (self.kind, value) {
            (ParamKind::Float { min, max, .. }, ParamValue::Float(v)) => {
                v.is_finite() && v >= min && v <= max
            }
            (ParamKind::Int { min, max, .. }, ParamValue::Int(v)) => v >= min && v <= max,
            (ParamKind::Choice { options, .. }, ParamValue::Choice(i)) => i < options.len(),
            _ => false,
        };
        if ok {
            Ok(value)
        } else {
            Err(self.invalid(self.format(value)))
        }
    }

    /// Parses a value written as text (CLI `--set`, text boxes) and checks it.
    pub fn parse(&self, text: &str) -> Result<ParamValue, ParamError> {
        let text = text.trim();
        let value = match self.kind {
            ParamKind::Float { .. } => text.parse::<f32>().ok().map(ParamValue::Float),
            ParamKind::Int { .. } => text.parse::<u32>().ok().map(ParamValue::Int),
            ParamKind::Choice { options, .. } => options
                .iter()
                .position(|o| o.eq_ignore_ascii_case(text))
                .map(ParamValue::Choice),
        };
        match value {
            Some(v) => self.check(v),
            None => Err(self.invalid(text.to_string())),
        }
    }

    /// Converts a number from a preset file (which does not know the kind) and checks it.
    pub fn from_number(&self, number: f64) -> Result<ParamValue, ParamError> {
        let value = match self.kind {
            ParamKind::Float { .. } => ParamValue::Float(number as f32),
            ParamKind::Int { .. } => {
                if number.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&number) {
                    return Err(self.invalid(number.to_string()));
                }
                ParamValue::Int(number as u32)
            }
            ParamKind::Choice { .. } => return Err(self.invalid(number.to_string())),
        };
        // A finite f64 beyond f32's range becomes infinite and is refused by `check`.
        self.check(value).map_err(|_| self.invalid(number.to_string()))
    }

    /// Converts a value as a file writes it and checks it.
    pub fn from_literal(&self, literal: &Literal) -> Result<ParamValue, ParamError> {
        match literal {
            Literal::Integer(n) => self.from_number(*n as f64),
            Literal::Number(n) => self.from_number(*n),
            Literal::Text(t) => self.parse(t),
            Literal::Bool(b) => self.parse(if *b { "on" } else { "off" }),
        }
    }

    /// The value as a file writes it: the inverse of [`ParamSpec::from_literal`].
    pub fn to_literal(&self, value: ParamValue) -> Literal {
        match (self.kind, value) {
            (ParamKind::Choice { .. }, _) => Literal::Text(self.format(value)),
            // Through the f32's shortest text: 0.1 stays 0.1, not 0.10000000149011612.
            (_, ParamValue::Float(v)) => Literal::Number(v.to_string().parse().unwrap_or(f64::from(v))),
            (_, ParamValue::Int(v)) => Literal::Integer(u64::from(v)),
            (_, ParamValue::Choice(i)) => Literal::Number(i as f64),
        }
    }

    /// Formats a value for people (`1.5`, `3000`, `wrap`).
    pub fn format(&self, value: ParamValue) -> String {
        match (self.kind, value) {
            (ParamKind::Choice { options, .. }, ParamValue::Choice(i)) => {
                options.get(i).map_or_else(|| i.to_string(), |s| s.to_string())
            }
            (_, ParamValue::Float(v)) => format!("{v}"),
            (_, ParamValue::Int(v)) => format!("{v}"),
            (_, ParamValue::Choice(i)) => format!("{i}"),
        }
    }

    fn invalid(&self, value: String) -> ParamError {
        ParamError::Invalid {
            key: self.key,
            value,
            allowed: self.kind.allowed(),
        }
    }
}
