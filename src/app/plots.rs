//! Seeing it heal: live plots of the metrics with strike markers, and the last strike's readout.

use bevy_egui::egui;
use egui_plot::{Line, Plot, PlotPoint, PlotPoints, Text, VLine};

use crate::metrics::escape::Pattern;
use crate::metrics::strikes::{Strike, StrikeTracker};
use crate::metrics::{Metrics, MetricsSample};

const STRIKE_COLOR: egui::Color32 = egui::Color32::from_rgb(230, 80, 60);
/// The colour of the moment a strike healed (the flock whole again).
const HEALED_COLOR: egui::Color32 = egui::Color32::from_rgb(110, 210, 120);

/// When strike `s` healed (simulated seconds) and its label, if it split and reformed (only a
/// split strike has a τ_reform).
pub fn healed_mark(s: &Strike) -> Option<(f64, String)> {
    let tau = s.reform_s?;
    Some((s.start_s + tau, format!("healed {tau:.1} s")))
}

fn series(metrics: &Metrics, from_s: f64, f: impl Fn(&MetricsSample) -> f64) -> PlotPoints<'static> {
    metrics
        .recent
        .iter()
        .filter(|s| s.time_s >= from_s)
        .map(|s| [s.time_s, f(s)])
        .collect::<Vec<_>>()
        .into()
}

/// A series: its name, colour, and value of a sample.
type Series<'a> = (&'a str, egui::Color32, &'a dyn Fn(&MetricsSample) -> f64);

/// One small plot of some series over the last `window_s` seconds, with strike markers. Its
/// legend is a row of coloured names above it (not over the curves); `y_unit` labels the y axis,
/// the x axis is simulated seconds (labelled under the `last` plot of a stack). The first plot
/// ("order") names each strike's escape patterns at their times.
#[allow(clippy::too_many_arguments)] // plain values of one plot
fn plot(ui: &mut egui::Ui, id: &str, metrics: &Metrics, from_s: f64, y_max: Option<f64>, y_unit: &str, last: bool, lines: &[Series]) {
    let label_patterns = id == "order";
    ui.horizontal(|ui| {
        for (name, color, _) in lines {
            let (dot, _) = ui.allocate_exact_size(egui::vec2(8.0, 8.0), egui::Sense::hover());
            ui.painter().circle_filled(dot.center(), 3.5, *color);
            ui.label(egui::RichText::new(*name).color(*color).small());
        }
    });
    let mut p = Plot::new(id)
        .height(72.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show_x(false)
        .include_y(0.0)
        .x_axis_label(if last { "simulated time (s)" } else { "" })
        .y_axis_label(y_unit)
        .link_axis("metrics-x", [true, false]);
    if let Some(y) = y_max {
        p = p.include_y(y);
    }
    p.show(ui, |plot_ui| {
        for (name, color, f) in lines {
            plot_ui.line(Line::new(*name, series(metrics, from_s, f)).color(*color));
        }
        for s in metrics.strikes.strikes.iter().filter(|s| s.start_s >= from_s) {
            plot_ui.vline(VLine::new("strike", s.start_s).color(STRIKE_COLOR));
            if let Some((at, label)) = healed_mark(s) {
                plot_ui.vline(VLine::new("healed", at).color(HEALED_COLOR));
                if label_patterns {
                    // named just right of the moment, low in the plot (the patterns sit high)
                    let text = egui::RichText::new(label).small().color(HEALED_COLOR);
                    plot_ui.text(Text::new("healed", PlotPoint::new(at, y_max.unwrap_or(1.0) * 0.1), text).anchor(egui::Align2::LEFT_CENTER));
                }
            }
            if label_patterns {
                // each pattern named just left of its time, stacked down from the top
                for (i, p) in s.patterns.iter().enumerate() {
                    let y = y_max.unwrap_or(1.0) * (0.92 - 0.17 * i as f64);
                    let text = egui::RichText::new(p.kind.label()).small().color(STRIKE_COLOR);
                    plot_ui.text(Text::new("pattern", PlotPoint::new(p.time_s, y), text).anchor(egui::Align2::RIGHT_CENTER));
                }
            }
        }
    });
}

/// The plots panel: polarization, largest-cluster fraction, cluster count, alive; the last
/// strike's readout and the split/merge log.
pub fn plots_ui(ui: &mut egui::Ui, metrics: &Metrics, window_s: f64) {
    let now = metrics.latest().map_or(0.0, |s| s.time_s);
    let from = (now - window_s).max(0.0);
    let blue = egui::Color32::from_rgb(90, 160, 240);
    let green = egui::Color32::from_rgb(110, 210, 120);
    let amber = egui::Color32::from_rgb(240, 190, 70);
    let violet = egui::Color32::from_rgb(190, 130, 240);
    plot(ui, "order", metrics, from, Some(1.0), "0 to 1", false, &[
        ("polarization φ", blue, &|s| f64::from(s.polarization)),
        ("largest cluster", green, &|s| f64::from(s.largest_cluster_frac)),
        ("milling m", violet, &|s| f64::from(s.milling)),
    ]);
    plot(ui, "clusters", metrics, from, Some(2.0), "clusters", false, &[("clusters", amber, &|s| f64::from(s.clusters))]);
    plot(ui, "alive", metrics, from, None, "birds", true, &[("alive", green, &|s| f64::from(s.alive))]);

    ui.separator();
    match metrics.strikes.strikes.last() {
        None => {
            ui.label("No strike yet. Click in the world to place a predator.");
        }
        Some(s) => {
            let open = metrics.strikes.open_strike().is_some();
            ui.label(egui::RichText::new(strike_line(s, open, now)).strong());
            if !s.patterns.is_empty() {
                ui.label(patterns_line(&s.patterns));
            }
        }
    }
    if let Some(text) = strikes_summary(&metrics.strikes) {
        ui.label(text);
    }
    egui::CollapsingHeader::new("split / merge log").default_open(false).show(ui, |ui| {
        egui::ScrollArea::vertical().max_height(120.0).show(ui, |ui| {
            for e in metrics.strikes.events.iter().rev().take(50) {
                let what = if e.is_split() { "split" } else { "merge" };
                ui.monospace(format!("{:>7.1} s  {what:<5} {} to {} clusters", e.time_s, e.from, e.to));
            }
        });
    });
}

/// The last strike in one line: where the largest cluster went and how it ended (or is going).
pub fn strike_line(s: &Strike, open: bool, now: f64) -> String {
    let outcome = match (s.split, s.reform_s, open) {
        (true, Some(t), _) => format!("healed: τ_reform {t:.1} s"),
        (true, None, _) => format!("healing… {:.1} s", now - s.start_s),
        (false, _, true) => format!("no split so far ({:.1} s)", now - s.start_s),
        (false, _, false) => "no split".to_string(),
    };
    format!(
        "last strike at {:.1} s: largest cluster {:.0}% to min {:.0}%, {} caught, {outcome}",
        s.start_s,
        100.0 * s.pre_largest_frac,
        100.0 * s.min_largest_frac,
        s.kills
    )
}

/// A strike's escape patterns in order: "20.7 s compaction (× 0.71 spacing) · 22.1 s split into 2".
pub fn patterns_line(patterns: &[Pattern]) -> String {
    patterns.iter().map(|p| format!("{:.1} s {}", p.time_s, p.describe())).collect::<Vec<_>>().join(" · ")
}

/// All strikes so far: how many healed (and their mean τ_reform), how many never split.
pub fn strikes_summary(tracker: &StrikeTracker) -> Option<String> {
    let n = tracker.strikes.len();
    if n < 2 {
        return None;
    }
    let (healed, mean) = tracker.healed();
    let mean = mean.map_or(String::new(), |m| format!(", mean τ_reform {m:.1} s"));
    Some(format!("{n} strikes: {healed} split and healed{mean}, {} without a split", tracker.without_split()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strike_that_never_split_reads_as_such_not_as_healed() {
        let mut t = StrikeTracker::default();
        t.sample(0.0, 0.29, 8);
        t.disturb(1.0, 0);
        for i in 0..70 {
            t.sample(1.0 + 0.1 * f64::from(i), 0.27, 8);
        }
        t.disturb(9.0, 1);
        t.sample(9.5, 0.1, 12);
        let line = strike_line(&t.strikes[0], false, 8.0);
        assert!(line.ends_with("no split") && !line.contains("τ_reform"), "{line}");
        let summary = strikes_summary(&t).unwrap();
        assert_eq!(summary, "2 strikes: 0 split and healed, 1 without a split");
        assert!(strike_line(&t.strikes[1], true, 10.0).contains("healing…"));
        assert_eq!(healed_mark(&t.strikes[0]), None, "no split: nothing healed to mark");
        assert_eq!(healed_mark(&t.strikes[1]), None, "still healing");
    }

    #[test]
    fn a_healed_strike_is_marked_when_the_flock_was_whole_again() {
        let mut t = StrikeTracker::default();
        t.sample(0.0, 0.9, 1);
        t.disturb(20.0, 1);
        t.sample(21.0, 0.4, 3);
        for i in 0..=20 {
            t.sample(25.0 + 0.1 * f64::from(i), 0.88, 1);
        }
        let (at, label) = healed_mark(&t.strikes[0]).expect("healed");
        assert!((at - 25.0).abs() < 1e-9, "healed from 25.0 s on, held 1 s: {at}");
        assert_eq!(label, "healed 5.0 s");
    }
}
