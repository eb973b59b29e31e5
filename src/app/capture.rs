//! Scripted screenshots: `--screenshot PATH --frames N` saves the window after N frames and quits.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};

/// A pending scripted screenshot (or a scripted quit after a number of frames).
#[derive(Resource, Debug, Default)]
pub struct AutoScreenshot {
    path: Option<PathBuf>,
    frames: Option<u32>,
    frame: u32,
    requested: bool,
}

impl AutoScreenshot {
    /// A screenshot to `path` after `frames` frames (default 60), or a quit after `frames`.
    pub fn new(path: Option<PathBuf>, frames: Option<u32>) -> Self {
        let frames = frames.or(path.as_ref().map(|_| 60));
        Self { path, frames, frame: 0, requested: false }
    }
}

/// Counts frames; takes the screenshot (then quits once it is saved) or quits.
pub fn auto_screenshot(mut commands: Commands, mut auto: ResMut<AutoScreenshot>, mut exit: MessageWriter<AppExit>) {
    let Some(frames) = auto.frames else { return };
    auto.frame += 1;
    if auto.frame < frames || auto.requested {
        return;
    }
    auto.requested = true;
    match auto.path.clone() {
        Some(path) => {
            commands
                .spawn(Screenshot::primary_window())
                .observe(save_to_disk(path))
                .observe(|_: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| {
                    exit.write(AppExit::Success);
                });
        }
        None => {
            exit.write(AppExit::Success);
        }
    }
}

/// In scripted runs (`--frames`), prints the simulation's state on exit in the same form as
/// `murmuration sim`, so a windowed run can be compared with a headless one.
pub fn report_on_exit(
    mut exits: MessageReader<AppExit>,
    auto: Res<AutoScreenshot>,
    clock: Res<crate::sim::SimClock>,
    seed: Res<crate::sim::SimSeed>,
    birds: Query<(&crate::sim::Bird, &crate::sim::Position, &crate::sim::Velocity)>,
) {
    if exits.read().count() == 0 || auto.frames.is_none() {
        return;
    }
    let hash = crate::sim::hash::state_hash(birds.iter().map(|(b, p, v)| (b.id, p.0, v.0)));
    println!("alive={} steps={} seed={} state_hash={hash:016x}", birds.iter().len(), clock.step, seed.0);
}
