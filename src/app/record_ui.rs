//! The recording controls in the panel and the "⏺ REC" indicator.

use bevy_egui::egui;

use super::hotkeys::{Command, keys_for};
use super::state::{RecFormat, UiAction, UiState};

/// Sizes offered for recordings.
pub const SIZES: [(u32, u32); 4] = [(640, 360), (1280, 720), (1920, 1080), (320, 180)];
/// Frame rates offered for recordings.
pub const FPS: [u32; 3] = [15, 30, 60];

/// The recording section of the left panel; returns a start/stop request.
pub fn record_section(ui: &mut egui::Ui, state: &mut UiState) -> Option<UiAction> {
    let mut action = None;
    let recording = state.recording.is_some();
    ui.horizontal_wrapped(|ui| {
        let label = if recording { "⏹ stop" } else { "⏺ record" };
        if ui
            .button(label)
            .on_hover_text(format!("Record a video into ./captures ({}). The simulation advances a fixed number of steps per frame, so the video never stutters; a .ron replay file is saved beside it.", keys_for(&Command::Request(UiAction::ToggleRecord))))
            .clicked()
        {
            action = Some(UiAction::ToggleRecord);
        }
        ui.add_enabled_ui(!recording, |ui| {
            let rec = &mut state.record;
            egui::ComboBox::from_id_salt("rec-format").width(50.0).selected_text(rec.format.extension()).show_ui(ui, |ui| {
                for f in [RecFormat::Mp4, RecFormat::Gif] {
                    ui.selectable_value(&mut rec.format, f, f.extension());
                }
            });
            egui::ComboBox::from_id_salt("rec-size")
                .width(90.0)
                .selected_text(format!("{}×{}", rec.size.0, rec.size.1))
                .show_ui(ui, |ui| {
                    for s in SIZES {
                        ui.selectable_value(&mut rec.size, s, format!("{}×{}", s.0, s.1));
                    }
                });
            egui::ComboBox::from_id_salt("rec-fps").width(40.0).selected_text(format!("{}", rec.fps)).show_ui(ui, |ui| {
                for f in FPS {
                    ui.selectable_value(&mut rec.fps, f, format!("{f} fps"));
                }
            });
            ui.checkbox(&mut rec.overlay, "panels")
                .on_hover_text("Record the window as shown, panels and plots included (scaled to the size); off: the world alone");
        });
    });
    action
}

/// The "⏺ REC 00:12" indicator at the top left of the world view (`left`: the panel's width).
pub fn rec_indicator(ctx: &egui::Context, state: &UiState, left: f32) {
    let Some(rec) = &state.recording else { return };
    let secs = rec.frames / rec.fps.max(1);
    egui::Area::new("rec".into())
        .anchor(egui::Align2::LEFT_TOP, egui::vec2(left + 10.0, 8.0))
        .interactable(false)
        .show(ctx, |ui| {
            let text = egui::RichText::new(format!("⏺ REC {:02}:{:02}  {} frames", secs / 60, secs % 60, rec.frames))
                .monospace()
                .strong()
                .color(egui::Color32::from_rgb(255, 70, 60));
            ui.add(egui::Label::new(text).extend());
        });
}
