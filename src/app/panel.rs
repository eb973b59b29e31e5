//! The control panel: simulation controls, presets, and a slider for every parameter of the
//! table. Pure egui functions over plain data, so they can be tested without Bevy.

use bevy_egui::egui;

use super::hotkeys::{Command, help_rows, keys_for};
use super::state::{SPEED_RANGE, UiAction, UiState};
use crate::view::{ColorMode, DrawMode, DrawSettings};
use crate::sim::SimParams;
use crate::sim::params::{PARAMS, ParamGroup, ParamKind, ParamSpec, ParamValue};

/// Read-only facts the panel shows.
#[derive(Clone, Debug, Default)]
pub struct PanelInfo {
    /// Current seed.
    pub seed: u64,
    /// Steps run.
    pub step: u64,
    /// Simulated seconds.
    pub time_s: f64,
    /// Birds alive.
    pub alive: usize,
    /// Predators present.
    pub predators: usize,
    /// Birds caught.
    pub kills: u64,
    /// Whether the simulation is paused.
    pub paused: bool,
    /// Presets to choose from.
    pub presets: Vec<String>,
    /// Mean milliseconds per fixed step (wall clock).
    pub step_ms: f32,
}

/// One parameter's widget: a slider (or a choice box) with label, unit and help tooltip.
/// Returns whether the value changed; the value written is always within the table's range.
pub fn param_widget(ui: &mut egui::Ui, spec: &ParamSpec, params: &mut SimParams) -> bool {
    let current = (spec.get)(params);
    let new_value = match (spec.kind, current) {
        (ParamKind::Float { min, max, .. }, ParamValue::Float(mut v)) => {
            let log = min > 0.0 && max / min >= 100.0;
            let response = ui
                .add(egui::Slider::new(&mut v, min..=max).text(spec.label).suffix(suffix(spec.unit)).logarithmic(log))
                .on_hover_text(spec.help);
            response.changed().then_some(ParamValue::Float(v))
        }
        (ParamKind::Int { min, max, .. }, ParamValue::Int(mut v)) => {
            let log = max >= 10_000;
            let response = ui
                .add(egui::Slider::new(&mut v, min..=max).text(spec.label).suffix(suffix(spec.unit)).logarithmic(log))
                .on_hover_text(spec.help);
            response.changed().then_some(ParamValue::Int(v))
        }
        (ParamKind::Choice { options, .. }, ParamValue::Choice(mut i)) => {
            let before = i;
            egui::ComboBox::from_label(spec.label)
                .selected_text(options.get(i).copied().unwrap_or("?"))
                .show_ui(ui, |ui| {
                    for (k, name) in options.iter().enumerate() {
                        ui.selectable_value(&mut i, k, *name);
                    }
                })
                .response
                .on_hover_text(spec.help);
            (i != before).then_some(ParamValue::Choice(i))
        }
        _ => None,
    };
    match new_value.map(|v| spec.check(v)) {
        Some(Ok(v)) => {
            (spec.set)(params, v);
            true
        }
        _ => false,
    }
}

fn suffix(unit: &str) -> String {
    if unit.is_empty() { String::new() } else { format!(" {unit}") }
}

/// Sliders for every parameter, grouped, each group with a "reset to preset" button.
pub fn param_groups(ui: &mut egui::Ui, params: &mut SimParams, state: &mut UiState) {
    for group in ParamGroup::ALL {
        let open = matches!(group, ParamGroup::Rules | ParamGroup::Predator);
        egui::CollapsingHeader::new(group.title()).default_open(open).show(ui, |ui| {
            for spec in PARAMS.iter().filter(|s| s.group == group) {
                param_widget(ui, spec, params);
            }
            if ui.small_button("reset to preset").on_hover_text("Restore this group's values from the loaded preset").clicked() {
                for spec in PARAMS.iter().filter(|s| s.group == group) {
                    (spec.set)(params, (spec.get)(&state.preset_params));
                }
            }
        });
    }
}

/// A text box taking `KEY=VALUE` (as on the command line); bad entries are refused with the
/// table's message and change nothing.
pub fn entry_box(ui: &mut egui::Ui, params: &mut SimParams, state: &mut UiState) {
    ui.horizontal(|ui| {
        let edit = ui.add(egui::TextEdit::singleline(&mut state.entry).hint_text("key=value").desired_width(150.0));
        let submit = ui.button("set").clicked() || (edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
        if submit && !state.entry.trim().is_empty() {
            let mut next = params.clone();
            let result = next.apply_assignment(&state.entry).and_then(|_| next.validate());
            match result {
                Ok(()) => {
                    let capped = next.constrain();
                    *params = next;
                    let text = format!("set {}{}", state.entry.trim(), if capped { " (min speed capped at max speed)" } else { "" });
                    state.say(text, false);
                    state.entry.clear();
                }
                Err(e) => state.say(e.to_string(), true),
            }
        }
    });
}

/// The whole left panel: run controls, presets, view options, parameters.
pub fn controls(ui: &mut egui::Ui, params: &mut SimParams, state: &mut UiState, draw: &mut DrawSettings, info: &PanelInfo) -> Vec<UiAction> {
    let mut actions = Vec::new();
    ui.spacing_mut().slider_width = 80.0;
    ui.heading("murmuration");
    ui.label(format!(
        "t = {:.1} s   step {}   seed {}\nbirds {}   predators {}   caught {}",
        info.time_s, info.step, info.seed, info.alive, info.predators, info.kills
    ));
    ui.horizontal_wrapped(|ui| {
        if ui.button(if info.paused { "▶ play" } else { "⏸ pause" }).on_hover_text(hint("", &Command::Request(UiAction::TogglePause))).clicked() {
            actions.push(UiAction::TogglePause);
        }
        if ui.add_enabled(info.paused, egui::Button::new("step")).on_hover_text(hint("One step", &Command::Request(UiAction::Step))).clicked() {
            actions.push(UiAction::Step);
        }
        if ui.button("reset").on_hover_text(hint("Restart with the same seed", &Command::Request(UiAction::Reset))).clicked() {
            actions.push(UiAction::Reset);
        }
        if ui.button("new seed").on_hover_text(hint("Restart with a new random seed", &Command::Request(UiAction::NewSeed))).clicked() {
            actions.push(UiAction::NewSeed);
        }
        if ui.button("shot").on_hover_text(hint("Save a PNG of the window in ./captures", &Command::Request(UiAction::Screenshot))).clicked() {
            actions.push(UiAction::Screenshot);
        }
    });
    ui.add(egui::Slider::new(&mut state.speed, SPEED_RANGE.0..=SPEED_RANGE.1).logarithmic(true).text("speed").suffix("×"))
        .on_hover_text(format!("Simulated seconds per real second ({} and {})", keys_for(&Command::Slower), keys_for(&Command::Faster)));
    actions.extend(super::record_ui::record_section(ui, state));

    ui.separator();
    ui.horizontal(|ui| {
        egui::ComboBox::from_label("preset")
            .selected_text(state.preset_name.clone())
            .show_ui(ui, |ui| {
                for name in &info.presets {
                    if ui.selectable_label(*name == state.preset_name, name).clicked() {
                        actions.push(UiAction::LoadPreset(name.clone()));
                    }
                }
            });
    });
    ui.horizontal(|ui| {
        ui.add(egui::TextEdit::singleline(&mut state.save_name).hint_text("name").desired_width(120.0));
        if ui.button("save as…").on_hover_text("Save the parameters and script to assets/presets/NAME.ron").clicked() {
            actions.push(UiAction::SavePreset(state.save_name.trim().to_string()));
        }
    });

    ui.separator();
    view_options(ui, state, draw);
    ui.separator();
    entry_box(ui, params, state);
    egui::ScrollArea::vertical().show(ui, |ui| param_groups(ui, params, state));
    actions
}

/// Colours, shapes, antialiasing and overlays.
fn view_options(ui: &mut egui::Ui, state: &mut UiState, draw: &mut DrawSettings) {
    egui::ComboBox::from_label("colours")
        .selected_text(draw.color_mode.label())
        .show_ui(ui, |ui| {
            for mode in ColorMode::ALL {
                ui.selectable_value(&mut draw.color_mode, mode, mode.label());
            }
        });
    egui::ComboBox::from_label("shapes")
        .selected_text(draw.draw_mode.label())
        .show_ui(ui, |ui| {
            for mode in DrawMode::ALL {
                ui.selectable_value(&mut draw.draw_mode, mode, mode.label());
            }
        })
        .response
        .on_hover_text(DrawMode::ALL.map(|m| format!("{}: {}", m.label(), m.help())).join("\n"));
    egui::ComboBox::from_label("antialias")
        .selected_text(if draw.msaa >= 4 { "4× MSAA" } else { "off" })
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut draw.msaa, 1, "off");
            ui.selectable_value(&mut draw.msaa, 4, "4× MSAA");
        })
        .response
        .on_hover_text("Multisample anti-aliasing (--msaa). Off by default on a software renderer such as lavapipe, where 4× costs about one more frame time");
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut state.show_plots, "plots");
        ui.checkbox(&mut state.show_grid, "grid");
        ui.checkbox(&mut state.show_fear, "fear radius");
        ui.checkbox(&mut state.show_stats, "FPS");
        ui.checkbox(&mut state.follow, "follow").on_hover_text(format!("The view follows the flock's centre ({})", keys_for(&Command::ToggleFollow)));
        ui.checkbox(&mut state.show_captions, "captions")
            .on_hover_text(format!("Captions telling each strike's story, and rings where birds were caught ({})", keys_for(&Command::ToggleCaptions)));
    });
    ui.small(format!("{}: hide every panel", keys_for(&Command::TogglePanels)));
}

/// A tooltip: what a button does and its hotkey, e.g. "Restart with the same seed (Backspace)".
pub fn hint(what: &str, command: &Command) -> String {
    let keys = keys_for(command);
    if what.is_empty() { keys } else { format!("{what} ({keys})") }
}

/// The help window.
pub fn help_window(ctx: &egui::Context, open: &mut bool) {
    egui::Window::new("help").open(open).collapsible(false).show(ctx, |ui| {
        egui::Grid::new("hotkeys").striped(true).show(ui, |ui| {
            for (keys, does) in help_rows() {
                ui.strong(keys);
                ui.label(does);
                ui.end_row();
            }
        });
    });
}
