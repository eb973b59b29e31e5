//! `murmuration params`: the parameter table for people, or as CSV.

use crate::sim::params::{PARAMS, ParamKind, ParamSpec};

fn range(spec: &ParamSpec) -> (String, String) {
    match spec.kind {
        ParamKind::Float { min, max, .. } => (min.to_string(), max.to_string()),
        ParamKind::Int { min, max, .. } => (min.to_string(), max.to_string()),
        ParamKind::Choice { options, .. } => (options[0].to_string(), options[options.len() - 1].to_string()),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The table as text: CSV (`name,unit,min,max,default,help`) or aligned columns.
pub fn render(csv: bool) -> String {
    let mut out = String::new();
    if csv {
        out.push_str("name,unit,min,max,default,help\n");
        for spec in PARAMS {
            let (min, max) = range(spec);
            let default = spec.format(spec.kind.default_value());
            let row = [spec.key, spec.unit, &min, &max, &default, spec.help].map(csv_field);
            out.push_str(&row.join(","));
            out.push('\n');
        }
        return out;
    }
    let mut group = None;
    for spec in PARAMS {
        if group != Some(spec.group) {
            group = Some(spec.group);
            out.push_str(&format!("\n{}\n", spec.group.title()));
        }
        let default = spec.format(spec.kind.default_value());
        out.push_str(&format!(
            "  {:<20} {:<12} {:<24} default {:<8} {}\n",
            spec.key,
            spec.unit,
            spec.kind.allowed(),
            default,
            spec.help
        ));
    }
    out.push_str("\nSet any of them with --set KEY=VALUE, a --KEY-NAME flag, or in a preset's params map.\n");
    out
}

/// Prints the table.
pub fn print(csv: bool) {
    print!("{}", render(csv));
}
