//! Charts of a collected sweep (`murmuration sweep collect --plot`), as PNG and SVG: a measure
//! against one axis as mean ± 95 % interval over seeds, or a heatmap of its mean over two axes.
//! Text is set in Ubuntu Light (egui's font), so no system fonts are needed.

use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::io::write_atomic;
use crate::run::sweep::stats::Estimate;
use crate::run::sweep::{Measure, Results};
use crate::sim::params::ParamKind;

/// Chart size in pixels (the SVG uses the same units).
pub const SIZE: (u32, u32) = (960, 640);

const FONT: &str = "sans-serif";

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font shipped with egui; a failure here is a build error.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, epaint_default_fonts::UBUNTU_LIGHT);
    });
}

/// What a chart shows, independent of the file format.
struct Chart {
    title: String,
    note: String,
    measure: &'static str,
    x_label: String,
    x_ticks: Vec<(f64, String)>,
    kind: ChartKind,
}

enum ChartKind {
    /// `(x, estimate)` per axis value.
    Line(Vec<(f64, Estimate)>),
    /// Rows of cells (y index, then x index), and the y axis's label and value names.
    Heat { y_label: String, y_names: Vec<String>, cells: Vec<Vec<Option<Estimate>>> },
}

/// Draws `measure` against axis `x` (and `y`: a heatmap) into `DIR/MEASURE.png` and `.svg`;
/// returns the two paths.
pub fn draw(results: &Results, measure: &'static Measure, x: usize, y: Option<usize>, dir: &Path) -> Result<(PathBuf, PathBuf)> {
    let name = dir.file_name().map_or_else(|| "sweep".into(), |n| n.to_string_lossy().into_owned());
    let chart = chart(results, measure, x, y, &name)?;
    register_font();
    let (w, h) = SIZE;
    let mut rgb = vec![255u8; (w * h * 3) as usize];
    render(BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area(), &chart)?;
    let mut png = Vec::new();
    image::RgbImage::from_raw(w, h, rgb)
        .ok_or_else(|| anyhow!("chart buffer size"))?
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    let mut svg = String::new();
    render(SVGBackend::with_string(&mut svg, SIZE).into_drawing_area(), &chart)?;
    let png_path = dir.join(format!("{}.png", measure.key));
    let svg_path = dir.join(format!("{}.svg", measure.key));
    write_atomic(&png_path, &png)?;
    write_atomic(&svg_path, svg.as_bytes())?;
    Ok((png_path, svg_path))
}

fn chart(results: &Results, measure: &'static Measure, x: usize, y: Option<usize>, sweep: &str) -> Result<Chart> {
    let axes = &results.plan.axes.0;
    let x_axis = &axes[x];
    let numeric = !matches!(x_axis.spec.kind, ParamKind::Choice { .. });
    let position = |i: usize| if numeric { x_axis.spec.to_literal(x_axis.values[i]).as_number() } else { i as f64 };
    let x_ticks: Vec<(f64, String)> = (0..x_axis.values.len()).map(|i| (position(i), x_axis.text(i))).collect();
    let on: Vec<usize> = std::iter::once(x).chain(y).collect();
    let pooled: Vec<&str> = axes.iter().enumerate().filter(|(i, _)| !on.contains(i)).map(|(_, a)| a.spec.key).collect();
    let seeds = results.plan.seeds.len();
    let mut note = format!("{} of {} runs · each value: the mean of the runs there that have one ({seeds} seeds", results.rows.len(), results.plan.task_count());
    if !pooled.is_empty() {
        note += &format!(" × every {}, pooled", pooled.join(", "));
    }
    note += ")";
    let groups = results.group(measure, &on)?;
    let kind = match y {
        None => {
            note += " · bars: 95 % t interval";
            let mut points: Vec<(f64, Estimate)> = groups.into_iter().filter_map(|(p, e)| Some((position(p[0]), e?))).collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            ChartKind::Line(points)
        }
        Some(y) => {
            let y_axis = &axes[y];
            let mut cells = vec![vec![None; x_axis.values.len()]; y_axis.values.len()];
            for (p, e) in groups {
                cells[p[1]][p[0]] = e;
            }
            let y_names = (0..y_axis.values.len()).map(|i| y_axis.text(i)).collect();
            ChartKind::Heat { y_label: y_axis.spec.key.to_string(), y_names, cells }
        }
    };
    Ok(Chart {
        title: format!("{} — sweep {sweep}", measure.label),
        note,
        measure: measure.label,
        x_label: x_axis.spec.key.to_string(),
        x_ticks,
        kind,
    })
}

fn render<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, chart: &Chart) -> Result<()> {
    let fail = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("cannot draw the chart: {e}");
    root.fill(&WHITE).map_err(fail)?;
    let (top, body) = root.split_vertically(64);
    top.draw(&Text::new(chart.title.clone(), (20, 10), (FONT, 24).into_font())).map_err(fail)?;
    top.draw(&Text::new(chart.note.clone(), (20, 40), (FONT, 15).into_font().color(&RGBColor(90, 90, 90)))).map_err(fail)?;
    match &chart.kind {
        ChartKind::Line(points) => line(&body, chart, points).map_err(fail)?,
        ChartKind::Heat { y_label, y_names, cells } => heat(&body, chart, y_label, y_names, cells).map_err(fail)?,
    }
    root.present().map_err(fail)
}

fn line<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, chart: &Chart, points: &[(f64, Estimate)]) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let xs: Vec<f64> = chart.x_ticks.iter().map(|t| t.0).collect();
    let (x0, x1) = padded(xs.iter().copied().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x))), 0.08);
    let bounds = points.iter().flat_map(|(_, e)| {
        let h = if e.half_width.is_finite() { e.half_width } else { 0.0 };
        [e.mean - h, e.mean + h]
    });
    let (y0, y1) = padded(bounds.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| (a.min(y), b.max(y))), 0.1);
    let mut c = ChartBuilder::on(area)
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    c.configure_mesh()
        .x_desc(&chart.x_label)
        .y_desc(chart.measure)
        .x_labels(0)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 17))
        .disable_x_mesh()
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    let blue = RGBColor(31, 100, 180);
    c.draw_series(points.iter().filter(|(_, e)| e.half_width.is_finite()).map(|&(x, e)| {
        ErrorBar::new_vertical(x, e.mean - e.half_width, e.mean, e.mean + e.half_width, blue.stroke_width(2), 12)
    }))?;
    c.draw_series(LineSeries::new(points.iter().map(|&(x, e)| (x, e.mean)), blue.stroke_width(2)))?;
    c.draw_series(points.iter().map(|&(x, e)| Circle::new((x, e.mean), 5, blue.filled())))?;
    if points.is_empty() {
        let (px, py) = c.backend_coord(&((x0 + x1) / 2.0, (y0 + y1) / 2.0));
        let base = area.get_base_pixel();
        let style = (FONT, 20).into_font().color(&RGBColor(90, 90, 90)).pos(Pos::new(HPos::Center, VPos::Center));
        area.draw(&Text::new("no run has a value for this measure", (px - base.0, py - base.1), style))?;
    }
    // A tick and its label at each of the axis's values (plotters' own ticks fall on round numbers).
    let base = area.get_base_pixel();
    let style = (FONT, 15).into_font().color(&BLACK).pos(Pos::new(HPos::Center, VPos::Top));
    for (x, name) in &chart.x_ticks {
        let (px, py) = c.backend_coord(&(*x, y0));
        let (px, py) = (px - base.0, py - base.1);
        area.draw(&PathElement::new([(px, py), (px, py + 6)], BLACK))?;
        area.draw(&Text::new(name.clone(), (px, py + 9), style.clone()))?;
    }
    Ok(())
}

fn heat<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    y_label: &str,
    y_names: &[String],
    cells: &[Vec<Option<Estimate>>],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (nx, ny) = (chart.x_ticks.len(), y_names.len());
    let means = cells.iter().flatten().flatten().map(|e| e.mean);
    let (lo, hi) = means.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), m| (a.min(m), b.max(m)));
    let mut c = ChartBuilder::on(area)
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(100)
        .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)?;
    let xn: Vec<String> = chart.x_ticks.iter().map(|t| t.1.clone()).collect();
    let name = |names: &[String], v: f64| {
        let i = v - 0.5;
        (i.fract().abs() < 1e-9 && i >= 0.0).then(|| names.get(i as usize).cloned()).flatten().unwrap_or_default()
    };
    c.configure_mesh()
        .disable_mesh()
        .x_desc(&chart.x_label)
        .y_desc(y_label)
        .x_labels(nx * 2 + 1)
        .y_labels(ny * 2 + 1)
        .x_label_formatter(&|v| name(&xn, *v))
        .y_label_formatter(&|v| name(y_names, *v))
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 17))
        .draw()?;
    for (yi, row) in cells.iter().enumerate() {
        for (xi, cell) in row.iter().enumerate() {
            let (x, y) = (xi as f64, yi as f64);
            let (fill, text) = match cell {
                Some(e) => (ViridisRGB::get_color_normalized(e.mean, lo, hi.max(lo + 1e-12)), format!("{:.3}", e.mean)),
                None => (RGBColor(220, 220, 220), "–".to_string()),
            };
            c.draw_series(std::iter::once(Rectangle::new([(x, y), (x + 1.0, y + 1.0)], fill.filled())))?;
            let ink = if cell.is_some_and(|e| (e.mean - lo) / (hi - lo).max(1e-12) > 0.6) { BLACK } else { WHITE };
            let style = (FONT, 16).into_font().color(&ink).pos(Pos::new(HPos::Center, VPos::Center));
            c.draw_series(std::iter::once(Text::new(text, (x + 0.5, y + 0.5), style)))?;
        }
    }
    Ok(())
}

/// `(lo, hi)` widened by `share` of its width on each side (1 around a single value).
fn padded((lo, hi): (f64, f64), share: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let pad = if hi > lo { (hi - lo) * share } else { lo.abs().max(1.0) * 0.5 };
    (lo - pad, hi + pad)
}
