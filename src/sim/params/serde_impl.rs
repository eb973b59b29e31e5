//! A parameter set's file form: a map from key to value, driven by the table.
//!
//! Numbers are written as numbers and choices as strings: `{"separation_weight": 1.5, "edge_mode": "wrap"}`.
//! Reading checks every value against the table; keys that are absent keep their defaults.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Literal, ParamKind, ParamValue, SimParams, PARAMS, spec};

impl Serialize for SimParams {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(PARAMS.len()))?;
        for spec in PARAMS {
            match ((spec.get)(self), spec.kind) {
                (ParamValue::Float(v), _) => map.serialize_entry(spec.key, &v)?,
                (ParamValue::Int(v), _) => map.serialize_entry(spec.key, &v)?,
                (ParamValue::Choice(i), ParamKind::Choice { options, .. }) => {
                    map.serialize_entry(spec.key, options.get(i).copied().unwrap_or("?"))?
                }
                (ParamValue::Choice(i), _) => map.serialize_entry(spec.key, &i)?,
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for SimParams {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ParamsVisitor)
    }
}

struct ParamsVisitor;

impl<'de> Visitor<'de> for ParamsVisitor {
    type Value = SimParams;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map from parameter name to value, e.g. {\"separation_weight\": 1.5}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SimParams, A::Error> {
        let mut params = SimParams::default();
        while let Some(key) = map.next_key::<String>()? {
            let spec = spec(&key).map_err(de::Error::custom)?;
            let literal: Literal = map.next_value().map_err(|_| {
                de::Error::custom(format!(
                    "invalid value for {}: not a number or name (allowed: {})",
                    spec.key,
                    spec.kind.allowed()
                ))
            })?;
            let value = spec.from_literal(&literal).map_err(de::Error::custom)?;
            (spec.set)(&mut params, value);
        }
        params.validate().map_err(de::Error::custom)?;
        params.constrain();
        Ok(params)
    }
}
