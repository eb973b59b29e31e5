//! Scripted screenshots: `--screenshot PATH --frames N` saves the window after N frames and quits.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};

/// A pending scripted screenshot (or a scripted quit after a number of frames).
#[derive(Resource, Debug, Default)]
pub struct AutoScreenshot {
    path: Option<PathBuf>,
    frames: Option<u32>,
    frame: u32,
    requested: bool,
    timing_from: Option<(u32, std::time::Instant)>,
}

impl AutoScreenshot {
    /// A screenshot to `path` after `frames` frames (default 60), or a quit after `frames`.
    pub fn new(path: Option<PathBuf>, frames: Option<u32>) -> Self {
        let frames = frames.or(path.as_ref().map(|_| 60));
        Self { path, frames, frame: 0, requested: false, timing_from: None }
    }
}

/// An observer that saves a captured screenshot as PNG through a temporary file and a rename
/// (Bevy's own `save_to_disk` writes in place).
pub fn save_png_atomic(path: PathBuf) -> impl FnMut(On<ScreenshotCaptured>) {
    move |captured| {
        let result = captured
            .image
            .clone()
            .try_into_dynamic()
            .map_err(|e| anyhow::anyhow!("cannot convert the screenshot: {e:?}"))
            .and_then(|img| {
                let mut bytes = std::io::Cursor::new(Vec::new());
                img.to_rgb8().write_to(&mut bytes, image::ImageFormat::Png)?;
                crate::io::write_atomic(&path, bytes.get_ref())
            });
        match result {
            Ok(()) => info!("screenshot saved to {}", path.display()),
            Err(e) => error!("cannot save the screenshot: {e:#}"),
        }
    }
}

/// Counts frames; takes the screenshot (then quits once it is saved) or quits.
pub fn auto_screenshot(mut commands: Commands, mut auto: ResMut<AutoScreenshot>, mut exit: MessageWriter<AppExit>) {
    let Some(frames) = auto.frames else { return };
    auto.frame += 1;
    if auto.frame == 10 {
        auto.timing_from = Some((auto.frame, std::time::Instant::now()));
    }
    if auto.frame < frames || auto.requested {
        return;
    }
    auto.requested = true;
    match auto.path.clone() {
        Some(path) => {
            commands
                .spawn(Screenshot::primary_window())
                .observe(save_png_atomic(path))
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
    let frame_ms = auto
        .timing_from
        .filter(|(f, _)| auto.frame > *f)
        .map_or(0.0, |(f, t)| t.elapsed().as_secs_f64() * 1e3 / f64::from(auto.frame - f));
    println!(
        "alive={} steps={} seed={} state_hash={hash:016x} frames={} frame_ms={frame_ms:.2}",
        birds.iter().len(),
        clock.step,
        seed.0,
        auto.frame
    );
}
