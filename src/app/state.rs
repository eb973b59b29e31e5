//! The app's own state: display choices, messages, and what the panels ask for.

use bevy::prelude::*;

use crate::sim::SimParams;

/// How birds are coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorMode {
    /// One colour for all.
    Single,
    /// By cluster, with stable colours as clusters split and merge.
    Cluster,
    /// By speed, slow (blue) to fast (yellow).
    Speed,
    /// By heading (hue follows direction).
    #[default]
    Heading,
}

impl ColorMode {
    /// Every mode, in menu order.
    pub const ALL: [ColorMode; 4] = [ColorMode::Single, ColorMode::Cluster, ColorMode::Speed, ColorMode::Heading];

    /// The mode's name in menus.
    pub fn label(self) -> &'static str {
        match self {
            ColorMode::Single => "single colour",
            ColorMode::Cluster => "by cluster",
            ColorMode::Speed => "by speed",
            ColorMode::Heading => "by heading",
        }
    }
}

/// How birds are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DrawMode {
    /// Triangles up to `DOTS_ABOVE` birds, dots beyond (compute-shader dots in the window).
    #[default]
    Auto,
    /// A triangle per bird, pointing along its velocity.
    Triangles,
    /// One pixel per bird: far cheaper on software renderers.
    Dots,
    /// Dots written by a compute shader into a texture (no rasterized primitive per bird).
    Gpu,
}

impl DrawMode {
    /// Every mode, in menu order.
    pub const ALL: [DrawMode; 4] = [DrawMode::Auto, DrawMode::Triangles, DrawMode::Dots, DrawMode::Gpu];
    /// Above this many birds, `Auto` draws dots.
    pub const DOTS_ABOVE: usize = 30_000;

    /// The mode's name in menus.
    pub fn label(self) -> &'static str {
        match self {
            DrawMode::Auto => "auto",
            DrawMode::Triangles => "triangles",
            DrawMode::Dots => "dots",
            DrawMode::Gpu => "gpu dots",
        }
    }

    /// Whether `n` birds are drawn as dots.
    pub fn dots(self, n: usize) -> bool {
        match self {
            DrawMode::Auto => n > Self::DOTS_ABOVE,
            DrawMode::Triangles => false,
            DrawMode::Dots | DrawMode::Gpu => true,
        }
    }
}

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
    /// Bird colours.
    pub color_mode: ColorMode,
    /// Bird shapes.
    pub draw_mode: DrawMode,
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
    /// Whether the compute-shader dots are available (the window app installs them).
    pub gpu_dots: bool,
    /// MSAA samples of the view (1 or 4; 0 until chosen from the adapter: off on a software one).
    pub msaa: u32,
    /// In-app recording choices.
    pub record: RecordSettings,
    /// The recording in progress, if any.
    pub recording: Option<RecStatus>,
}

impl UiState {
    /// The state for a freshly opened preset.
    pub fn new(preset_name: &str, preset_params: SimParams) -> Self {
        Self {
            color_mode: ColorMode::default(),
            draw_mode: DrawMode::default(),
            show_grid: false,
            show_fear: true,
            show_plots: true,
            show_help: false,
            show_stats: true,
            speed: 1.0,
            selected: None,
            preset_name: preset_name.to_string(),
            preset_params,
            save_name: String::new(),
            entry: String::new(),
            plot_window_s: 60.0,
            toast: None,
            frame_ms: 0.0,
            gpu_dots: false,
            msaa: 0,
            record: RecordSettings::default(),
            recording: None,
        }
    }

    /// Whether the compute shader draws `n` birds this frame: the "gpu" mode, or "auto" above
    /// `DOTS_ABOVE` birds where the shader is installed (the window; not offscreen recording), except
    /// while a recording of the world (not the window) needs them in the mesh its camera sees.
    pub fn splat_active(&self, n: usize) -> bool {
        let wanted = match self.draw_mode {
            DrawMode::Gpu => true,
            DrawMode::Auto => self.gpu_dots && n > DrawMode::DOTS_ABOVE,
            _ => false,
        };
        wanted && self.gpu_dots && (self.recording.is_none() || self.record.overlay)
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
