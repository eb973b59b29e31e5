//! The egui pass: the control panel on the left, the plots over the world's bottom right, captions,
//! help, toasts and stats. Tab hides the panel, the plots and the stats line.

use std::time::Instant;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::camera::PanelInsets;
use super::input::ActionRequest;
use super::panel::{PanelInfo, controls, help_window};
use super::plots::plots_ui;
use super::state::{UiAction, UiState};
use super::story::Captions;
use crate::view::DrawSettings;
use crate::metrics::Metrics;
use crate::preset;
use crate::sim::{Bird, PredationLog, Predator, SimClock, SimControl, SimParams, SimSeed};

/// Wall-clock cost of the fixed steps (smoothed).
#[derive(Resource, Debug, Default)]
pub struct StepTimer {
    started: Option<Instant>,
    /// Mean milliseconds per fixed step.
    pub ms: f32,
}

/// Starts timing a fixed step.
pub fn step_timer_start(mut timer: ResMut<StepTimer>) {
    timer.started = Some(Instant::now());
}

/// Ends timing a fixed step.
pub fn step_timer_end(mut timer: ResMut<StepTimer>) {
    if let Some(t) = timer.started.take() {
        let ms = t.elapsed().as_secs_f32() * 1e3;
        timer.ms = if timer.ms == 0.0 { ms } else { 0.95 * timer.ms + 0.05 * ms };
    }
}

/// At most this many fixed steps run per frame (times the speed multiplier, which Bevy applies
/// after the cap): when the machine cannot keep up, the simulation slows down instead of the
/// window freezing. Six keeps 100,000 birds at real time under Xvfb, where the software renderer
/// takes 26 ms a frame on the same cores (about 4 steps in a 66 ms frame, 15 frames/s; see
/// `docs/performance.md`); a machine that cannot keep up still draws every six steps (0.1 s at
/// 60 Hz, times the speed multiplier).
const MAX_STEPS_PER_FRAME: f32 = 6.0;

/// Applies the speed multiplier and the per-frame step cap, ages the toast, smooths the frame time.
pub fn tick_ui_state(mut state: ResMut<UiState>, params: Res<SimParams>, real: Res<Time<Real>>, mut virt: ResMut<Time<Virtual>>) {
    let dt = real.delta_secs();
    if virt.relative_speed() != state.speed {
        virt.set_relative_speed(state.speed);
    }
    let max_delta = std::time::Duration::from_secs_f32(MAX_STEPS_PER_FRAME * params.dt());
    if virt.max_delta() != max_delta {
        virt.set_max_delta(max_delta);
    }
    state.frame_ms = if state.frame_ms == 0.0 { dt * 1e3 } else { 0.95 * state.frame_ms + 0.05 * dt * 1e3 };
    if let Some(toast) = &mut state.toast {
        toast.remaining_s -= dt;
        if toast.remaining_s <= 0.0 {
            state.toast = None;
        }
    }
}

/// The healing plots' width (logical pixels).
const PLOTS_WIDTH: f32 = 330.0;

/// The healing plots: a translucent window over the bottom right of the world view (the flock
/// shows through it), collapsible to its title bar.
fn plots_window(ctx: &egui::Context, state: &mut UiState, metrics: &Metrics) {
    let window = f64::from(state.plot_window_s);
    let frame = egui::Frame::window(&ctx.global_style()).fill(egui::Color32::from_rgba_unmultiplied(16, 20, 28, 150));
    egui::Window::new("healing")
        .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-8.0, -8.0))
        .default_width(PLOTS_WIDTH)
        .resizable(false)
        .collapsible(true)
        .frame(frame)
        .show(ctx, |ui| {
            ui.set_width(PLOTS_WIDTH);
            ui.add(egui::Slider::new(&mut state.plot_window_s, 10.0..=600.0).logarithmic(true).text("last").suffix(" s"));
            plots_ui(ui, metrics, window);
        });
}

/// The captions over the top centre of the world view (`left`: the panel's width), below the
/// stats line, each on a dark box that fades out with it.
fn show_captions(ctx: &egui::Context, captions: &Captions, left: f32) {
    if captions.shown.is_empty() {
        return;
    }
    egui::Area::new("captions".into())
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(left * 0.5, 40.0))
        .interactable(false)
        .show(ctx, |ui| {
            ui.vertical_centered(|ui| {
                for c in &captions.shown {
                    let alpha = c.alpha(captions.now_s);
                    let color = egui::Color32::from_white_alpha((255.0 * alpha) as u8);
                    let galley = ui.painter().layout_no_wrap(c.text.clone(), egui::FontId::proportional(20.0), color);
                    let margin = egui::vec2(10.0, 4.0);
                    let (rect, _) = ui.allocate_exact_size(galley.size() + 2.0 * margin, egui::Sense::hover());
                    ui.painter().rect_filled(rect, 6.0, egui::Color32::from_black_alpha((150.0 * alpha) as u8));
                    ui.painter().galley(rect.min + margin, galley, color);
                }
            });
        });
}

/// The frame rate and step time at the top right of the world view.
fn stats_readout(ctx: &egui::Context, state: &UiState, info: &PanelInfo) {
    egui::Area::new("stats".into())
        .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-10.0, 10.0))
        .interactable(false)
        .show(ctx, |ui| {
            let text = format!(
                "{:.0} fps  frame {:.1} ms  step {:.2} ms{}",
                1000.0 / state.frame_ms.max(0.001),
                state.frame_ms,
                info.step_ms,
                if info.paused { "  PAUSED" } else { "" }
            );
            ui.add(egui::Label::new(egui::RichText::new(text).monospace().color(egui::Color32::from_gray(220))).extend());
        });
}

/// The current message, at the bottom centre.
fn show_toast(ctx: &egui::Context, toast: &super::state::Toast) {
    let color = if toast.error { egui::Color32::from_rgb(255, 120, 100) } else { egui::Color32::from_rgb(170, 230, 170) };
    let text = toast.text.clone();
    egui::Area::new("toast".into()).anchor(egui::Align2::CENTER_BOTTOM, egui::vec2(0.0, -20.0)).show(ctx, |ui| {
        egui::Frame::popup(ui.style()).show(ui, |ui| ui.add(egui::Label::new(egui::RichText::new(text).color(color)).extend()));
    });
}

/// The window's title: the preset and the seed.
pub fn window_title(preset: &str, seed: u64) -> String {
    format!("murmuration — {preset} · seed {seed}")
}

/// Keeps the title on the loaded preset and the run's seed (a new seed, a loaded preset).
pub fn update_title(state: Res<UiState>, seed: Res<SimSeed>, window: Option<Single<&mut Window, With<bevy::window::PrimaryWindow>>>) {
    let Some(mut window) = window else { return };
    let title = window_title(&state.preset_name, seed.0);
    if window.title != title {
        window.title = title;
    }
}

/// The control panel, the plots and the stats line: the panel's width and what it asked for.
fn panels(root: &mut egui::Ui, params: &mut SimParams, state: &mut UiState, draw: &mut DrawSettings, info: &PanelInfo, metrics: &Metrics) -> (f32, Vec<UiAction>) {
    let panel = egui::Panel::left("controls").resizable(true).default_size(PANEL_WIDTH).show(root, |ui| controls(ui, params, state, draw, info));
    let ctx = root.ctx().clone();
    if state.show_plots {
        plots_window(&ctx, state, metrics);
    }
    if state.show_stats {
        stats_readout(&ctx, state, info);
    }
    (panel.response.rect.width(), panel.inner)
}

/// The control panel's starting width (logical pixels); it can be dragged wider.
const PANEL_WIDTH: f32 = 250.0;

/// Draws every panel and window.
#[allow(clippy::too_many_arguments)] // a system: each parameter is a resource it reads or writes
pub fn ui_system(
    mut contexts: EguiContexts,
    mut params: ResMut<SimParams>,
    mut state: ResMut<UiState>,
    mut draw: ResMut<DrawSettings>,
    mut insets: ResMut<PanelInsets>,
    metrics: Res<Metrics>,
    captions: Res<Captions>,
    run: RunReadout,
    mut actions: MessageWriter<ActionRequest>,
    mut presets: Local<Option<(Instant, Vec<String>)>>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    // the preset list is re-read every few seconds (a saved preset shows up)
    if presets.as_ref().is_none_or(|(t, _)| t.elapsed().as_secs() >= 3) {
        *presets = Some((Instant::now(), preset::available()));
    }
    let info = run.info(presets.as_ref().map(|(_, p)| p.clone()).unwrap_or_default());
    let mut edited = params.clone();
    let mut root = egui::Ui::new(
        ctx.clone(),
        "viewport".into(),
        egui::UiBuilder::new().layer_id(egui::LayerId::background()).max_rect(ctx.viewport_rect()),
    );
    let state = &mut *state;
    let (left, requests) = if state.show_panels { panels(&mut root, &mut edited, state, &mut draw, &info, &metrics) } else { (0.0, Vec::new()) };
    for action in requests {
        actions.write(ActionRequest(action));
    }
    let new_insets = PanelInsets { left, right: 0.0 };
    if *insets != new_insets {
        *insets = new_insets;
    }
    if state.show_captions {
        show_captions(&ctx, &captions, left);
    }
    if let Some(toast) = &state.toast {
        show_toast(&ctx, toast);
    }
    super::record_ui::rec_indicator(&ctx, state, new_insets.left);
    let mut help = state.show_help;
    help_window(&ctx, &mut help);
    state.show_help = help;
    edited.constrain();
    if edited != *params {
        *params = edited;
    }
    keep_focus_for_text_only(&ctx);
    Ok(())
}

/// Only a text box keeps the keyboard: a clicked button or checkbox lets go of it, so hotkeys
/// (Space, R, …) keep working and Space does not also press the last-clicked button.
fn keep_focus_for_text_only(ctx: &egui::Context) {
    if !ctx.text_edit_focused()
        && let Some(id) = ctx.memory(|m| m.focused())
    {
        ctx.memory_mut(|m| m.surrender_focus(id));
    }
}

/// What the panel shows of the run.
#[derive(SystemParam)]
pub struct RunReadout<'w, 's> {
    control: Res<'w, SimControl>,
    clock: Res<'w, SimClock>,
    seed: Res<'w, SimSeed>,
    log: Res<'w, PredationLog>,
    timer: Res<'w, StepTimer>,
    birds: Query<'w, 's, (), With<Bird>>,
    predators: Query<'w, 's, (), With<Predator>>,
}

impl RunReadout<'_, '_> {
    fn info(&self, presets: Vec<String>) -> PanelInfo {
        PanelInfo {
            seed: self.seed.0,
            step: self.clock.step,
            time_s: self.clock.time,
            alive: self.birds.iter().len(),
            predators: self.predators.iter().len(),
            kills: self.log.total_kills,
            paused: self.control.paused,
            presets,
            step_ms: self.timer.ms,
        }
    }
}
