//! The app's own state: panel choices, text boxes, messages, recording status, and what the
//! panels ask for. How birds are drawn is the view layer's `DrawSettings`.

use bevy::prelude::*;

use crate::sim::SimParams;

/// The simulation speed's range (simulated seconds per real second).
pub const SPEED_RANGE: (f32, f32) = (0.25, 8.0);

/// A message shown to the user for a few seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    /// The text.
    pub text: String,
    /// Whether it reports an error.
    pub error: bool,
    /// Seconds (real time) until it disappears.
    pub remaining_s: f32,
}

/// The video format of in-app recordings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RecFormat {
    /// H.264 in an MP4 file.
    #[default]
    Mp4,
    /// An animated GIF.
    Gif,
}

impl RecFormat {
    /// The file extension (and menu label).
    pub fn extension(self) -> &'static str {
        match self {
            RecFormat::Mp4 => "mp4",
            RecFormat::Gif => "gif",
        }
    }
}

/// In-app recording choices.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordSettings {
    /// Video format.
    pub format: RecFormat,
    /// Output frames per second.
    pub fps: u32,
    /// Output size in pixels.
    pub size: (u32, u32),
    /// Record the window as shown (panels and plots included) instead of the world alone.
    pub overlay: bool,
}

impl Default for RecordSettings {
    fn default() -> Self {
        Self { format: RecFormat::Mp4, fps: 30, size: (1280, 720), overlay: false }
    }
}

/// A recording in progress, as the panel shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct RecStatus {
    /// Frames written so far.
    pub frames: u32,
    /// Output frames per second.
    pub fps: u32,
}

/// What the user chose in the app that is not a simulation parameter.
#[derive(Resource, Clone, Debug)]
pub struct UiState {
    /// Draw the grid cells.
    pub show_grid: bool,
    /// Draw predators' fear radius.
    pub show_fear: bool,
    /// Show the plots panel.
    pub show_plots: bool,
    /// Show the help window.
    pub show_help: bool,
    /// Show the FPS and step-time readout.
    pub show_stats: bool,
    /// Show the side panel, plots and readouts (Tab hides them all: the world alone).
    pub show_panels: bool,
    /// Show the captions that tell each strike's story.
    pub show_captions: bool,
    /// The camera follows the flock's centre (on by default for roost presets).
    pub follow: bool,
    /// Simulation speed multiplier (×0.25 to ×8).
    pub speed: f32,
    /// The bird being inspected (shift-click).
    pub selected: Option<Entity>,
    /// The preset currently loaded.
    pub preset_name: String,
    /// The loaded preset's parameters ("reset to preset").
    pub preset_params: SimParams,
    /// The name typed in "save as".
    pub save_name: String,
    /// The `KEY=VALUE` text typed in the parameter entry box.
    pub entry: String,
    /// Seconds of history the plots show.
    pub plot_window_s: f32,
    /// The current message.
    pub toast: Option<Toast>,
    /// Smoothed frame time (ms).
    pub frame_ms: f32,
    /// In-app recording choices.
    pub record: RecordSettings,
    /// The recording in progress, if any.
    pub recording: Option<RecStatus>,
}

impl UiState {
    /// The state for a freshly opened preset.
    pub fn new(preset_name: &str, preset_params: SimParams) -> Self {
        Self {
            show_grid: false,
            show_fear: true,
            show_plots: true,
            show_help: false,
            show_stats: true,
            show_panels: true,
            show_captions: true,
            follow: crate::view::camera::follows_by_default(&preset_params),
            speed: 1.0,
            selected: None,
            preset_name: preset_name.to_string(),
            preset_params,
            save_name: String::new(),
            entry: String::new(),
            plot_window_s: 60.0,
            toast: None,
            frame_ms: 0.0,
            record: RecordSettings::default(),
            recording: None,
        }
    }

    /// Shows a message.
    pub fn say(&mut self, text: impl Into<String>, error: bool) {
        self.toast = Some(Toast { text: text.into(), error, remaining_s: if error { 8.0 } else { 4.0 } });
    }
}

/// Something a panel asked for that needs more than a field change.
#[derive(Clone, Debug, PartialEq)]
pub enum UiAction {
    /// Pause or resume.
    TogglePause,
    /// Run one step (while paused).
    Step,
    /// Restart with the current seed.
    Reset,
    /// Restart with a new random seed.
    NewSeed,
    /// Load a preset by name.
    LoadPreset(String),
    /// Save the current parameters as a preset under this name.
    SavePreset(String),
    /// Save a PNG of the window in the captures folder.
    Screenshot,
    /// Start or stop an in-app recording.
    ToggleRecord,
}
