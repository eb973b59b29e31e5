//! The desktop app: a window showing the flock, with the simulation running in fixed steps.
//!
//! Rendering only reads the simulation's components; it never changes the simulation.

mod camera;
mod capture;
mod render;

use std::path::PathBuf;

use anyhow::Result;
use bevy::prelude::*;
use bevy::window::WindowResolution;

use crate::cli::RunConfig;
use crate::cli::headless::task_pool_plugin;

pub use capture::AutoScreenshot;

/// Options of the app that are not simulation configuration.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// Save a screenshot here after `frames` frames, then quit.
    pub screenshot: Option<PathBuf>,
    /// Frames to run before the screenshot (or before quitting, if no screenshot).
    pub frames: Option<u32>,
}

/// Phases of the app's per-frame work.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppSystems {
    /// Camera movement.
    Camera,
    /// Building what is drawn from the simulation state.
    Draw,
}

/// Everything the window adds on top of the simulation: camera, bird drawing, capture.
pub struct AppPlugin {
    /// App options.
    pub options: AppOptions,
}

impl Plugin for AppPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(ClearColor(Color::srgb(0.04, 0.05, 0.08)))
            .configure_sets(Update, (AppSystems::Camera, AppSystems::Draw).chain())
            .add_plugins((camera::CameraPlugin, render::BirdRenderPlugin))
            .insert_resource(AutoScreenshot::new(self.options.screenshot.clone(), self.options.frames))
            .add_systems(Update, capture::auto_screenshot);
    }
}

/// Builds the desktop app (window, simulation, drawing) without running it.
pub fn build(config: &RunConfig, options: AppOptions) -> App {
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(task_pool_plugin(None))
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: "murmuration".into(),
                    resolution: WindowResolution::new(1280, 720),
                    ..default()
                }),
                ..default()
            }),
    );
    app.add_plugins((config.sim_plugin(), crate::metrics::MetricsPlugin));
    app.add_plugins(AppPlugin { options });
    app
}

/// Opens the window and runs until it is closed.
pub fn run(config: RunConfig, options: AppOptions) -> Result<()> {
    let mut app = build(&config, options);
    match app.run() {
        AppExit::Success => Ok(()),
        AppExit::Error(code) => anyhow::bail!("the app exited with code {code}"),
    }
}
