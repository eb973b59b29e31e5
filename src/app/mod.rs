//! The desktop app: the flock in a window, a control panel generated from the parameter table,
//! live plots of the healing, overlays, hotkeys and mouse.
//!
//! Rendering only reads the simulation's components; it never changes the simulation.

mod actions;
pub mod camera;
mod capture;
pub mod hotkeys;
pub mod input;
mod overlay;
pub mod panel;
mod plots;
mod record_ui;
mod recorder;
pub mod settings;
pub mod state;
pub mod story;
mod ui;

use std::path::PathBuf;

use anyhow::Result;
use bevy::prelude::*;
use bevy::window::WindowResolution;
use bevy_egui::{EguiPlugin, EguiPrimaryContextPass};

use crate::metrics::MetricsPlugin;
use crate::run::{RunConfig, task_pool_plugin};
use crate::view::{DrawMode, DrawSettings, FlockDrawPlugin, InterpolationPlugin, SplatPlugin, ViewSystems};

pub use capture::AutoScreenshot;
pub use state::{UiAction, UiState};

/// Options of the app that are not simulation configuration.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// Save a screenshot here after `frames` frames, then quit.
    pub screenshot: Option<PathBuf>,
    /// Frames to run before the screenshot (or before quitting, if no screenshot).
    pub frames: Option<u32>,
    /// Start paused.
    pub paused: bool,
    /// How birds are drawn.
    pub draw: DrawMode,
    /// MSAA samples (1 or 4); `None`: off on a software renderer, 4 otherwise.
    pub msaa: Option<u32>,
    /// The window's size; `None`: the remembered one (1280×720 at first).
    pub window_size: Option<(u32, u32)>,
}

impl AppOptions {
    /// Whether this is a scripted run (`--frames`, `--screenshot`): it ignores the remembered
    /// settings, so it looks the same everywhere.
    pub fn scripted(&self) -> bool {
        self.frames.is_some() || self.screenshot.is_some()
    }
}

/// The remembered settings and the file to keep them in (none for a scripted run). A corrupt
/// file's message goes to stderr.
fn remembered(options: &AppOptions) -> (settings::Settings, Option<settings::SettingsFile>) {
    let path = settings::settings_path().filter(|_| !options.scripted());
    let Some(path) = path else { return (settings::Settings::default(), None) };
    let loaded = settings::load(&path);
    if let Some(message) = &loaded.message {
        eprintln!("murmuration: {message}");
    }
    let file = loaded.writable.then(|| settings::SettingsFile { path, saved: loaded.settings.clone() });
    (loaded.settings, file)
}

/// Phases of the app's per-frame work, in order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppSystems {
    /// Hotkeys and clicks turned into requests.
    Input,
    /// Requests applied (reset, presets).
    Actions,
    /// Camera movement.
    Camera,
    /// Building what is drawn from the simulation state.
    Draw,
}

/// The window-free part of the app: UI state, hotkeys, clicks and their actions. Runs under
/// `MinimalPlugins` too (that is how its tests run).
pub struct ControlsPlugin {
    /// The preset the app opened on.
    pub preset: String,
}

impl Plugin for ControlsPlugin {
    fn build(&self, app: &mut App) {
        let params = app.world().resource::<crate::sim::SimParams>().clone();
        app.insert_resource(UiState::new(&self.preset, params))
            .configure_sets(Update, (AppSystems::Input, AppSystems::Actions, AppSystems::Camera, AppSystems::Draw).chain())
            .add_plugins(input::InputPlugin)
            .init_resource::<story::Captions>()
            .add_systems(Update, (actions::handle_actions.in_set(AppSystems::Actions), story::tell_story.in_set(AppSystems::Draw)));
    }
}

/// Everything the window adds: egui panels, camera, drawing, overlays, capture.
pub struct AppPlugin {
    /// App options.
    pub options: AppOptions,
}

impl Plugin for AppPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(ClearColor(crate::view::draw::BACKGROUND))
            .add_plugins(EguiPlugin::default())
            .add_plugins((camera::CameraPlugin, FlockDrawPlugin, InterpolationPlugin, overlay::OverlayPlugin, SplatPlugin))
            .configure_sets(Update, ViewSystems::Draw.in_set(AppSystems::Draw))
            .init_resource::<ui::StepTimer>()
            .add_systems(FixedFirst, ui::step_timer_start)
            .add_systems(FixedLast, ui::step_timer_end)
            .add_systems(First, ui::tick_ui_state)
            .add_systems(EguiPrimaryContextPass, ui::ui_system)
            .add_systems(Last, (ui::update_title, settings::remember_settings))
            .add_plugins(crate::view::CapturePlugin)
            .insert_resource(AutoScreenshot::new(self.options.screenshot.clone(), self.options.frames))
            .init_resource::<capture::PendingShots>()
            .add_systems(Update, (capture::auto_screenshot, capture::take_screenshots.in_set(AppSystems::Actions), capture::announce_ready))
            .add_systems(Last, (recorder::finish_on_exit, capture::report_on_exit))
            .init_resource::<recorder::Recorder>()
            .add_systems(
                Update,
                (recorder::drive_recorder, recorder::require_mesh_while_recording)
                    .chain()
                    .in_set(AppSystems::Actions)
                    .after(actions::handle_actions),
            );
    }
}

/// Builds the desktop app (window, simulation, metrics, UI) without running it.
pub fn build(config: &RunConfig, options: AppOptions) -> App {
    let (remembered, file) = remembered(&options);
    let (width, height) = options.window_size.unwrap_or(remembered.window);
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(task_pool_plugin(None))
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: ui::window_title(&config.preset, config.seed),
                    resolution: WindowResolution::new(width, height),
                    ..default()
                }),
                ..default()
            }),
    );
    app.add_plugins((config.sim_plugin(), MetricsPlugin));
    app.add_plugins(ControlsPlugin { preset: config.preset.clone() });
    remembered.apply(&mut app.world_mut().resource_mut::<UiState>());
    if let Some(file) = file {
        app.insert_resource(file);
    }
    let (paused, draw, msaa) = (options.paused, options.draw, options.msaa);
    app.add_plugins(AppPlugin { options });
    app.world_mut().resource_mut::<crate::sim::SimControl>().paused = paused;
    app.insert_resource(DrawSettings { draw_mode: draw, msaa: msaa.unwrap_or(0), ..default() });
    app
}

/// Opens the window and runs until it is closed.
pub fn run(config: RunConfig, options: AppOptions) -> Result<()> {
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        anyhow::bail!(
            "no display: the app needs an X11 display (DISPLAY is not set); on a machine without a screen run it under `xvfb-run -a`, or use `murmuration sim` / `murmuration record`, which need none"
        );
    }
    let mut app = build(&config, options);
    // Bevy's default task pools give the compute pool one thread on two cores: see task_pool_plugin.
    match app.run() {
        AppExit::Success => Ok(()),
        AppExit::Error(code) => anyhow::bail!("the app exited with code {code}"),
    }
}
