//! Screenshots: P (or the panel's "shot" button) saves the window as a PNG in `./captures/`;
//! `--screenshot PATH --frames N` holds the simulation after N frames, saves the window and quits.
//! Both take the first complete frame (see [`crate::view::capture`]).

use std::path::{Path, PathBuf};

use anyhow::Result;
use bevy::prelude::*;
use image::RgbaImage;

use super::actions::{CAPTURE_DIR, timestamp_ms};
use super::input::ActionRequest;
use super::state::{UiAction, UiState};
use crate::sim::{SimClock, SimControl};
use crate::view::{CaptureId, CaptureSource, FrameCapture};

/// A pending scripted screenshot (or a scripted quit after a number of frames).
#[derive(Resource, Debug, Default)]
pub struct AutoScreenshot {
    path: Option<PathBuf>,
    frames: Option<u32>,
    frame: u32,
    capture: Option<CaptureId>,
    /// The simulation was held for the screenshot in the last update.
    held: bool,
    /// Frame 10: its number, wall clock and simulated time.
    timing_from: Option<(u32, std::time::Instant, f64)>,
    /// Mean frame time from frame 10 to the last scripted frame (0 if it ran no further).
    frame_ms: f64,
    /// Simulated seconds per wall-clock second over the same frames (1: real time).
    sim_speed: f64,
}

impl AutoScreenshot {
    /// A screenshot to `path` after `frames` frames (default 60), or a quit after `frames`.
    pub fn new(path: Option<PathBuf>, frames: Option<u32>) -> Self {
        let frames = frames.or(path.as_ref().map(|_| 60));
        Self { path, frames, frame: 0, capture: None, held: false, timing_from: None, frame_ms: 0.0, sim_speed: 0.0 }
    }
}

/// Screenshots asked for with P or the panel, waiting for their frame.
#[derive(Resource, Debug, Default)]
pub struct PendingShots(Vec<(CaptureId, PathBuf)>);

/// Saves an image as PNG through a temporary file and a rename.
pub fn save_png_atomic(img: &RgbaImage, path: &Path) -> Result<()> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgba8(img.clone()).to_rgb8().write_to(&mut bytes, image::ImageFormat::Png)?;
    crate::io::write_atomic(path, bytes.get_ref())
}

/// Starts a window capture for each screenshot request and saves those whose frame came.
pub fn take_screenshots(
    mut requests: MessageReader<ActionRequest>,
    mut pending: ResMut<PendingShots>,
    mut state: ResMut<UiState>,
    capture: Res<FrameCapture>,
) {
    for _ in requests.read().filter(|r| r.0 == UiAction::Screenshot) {
        let dir = Path::new(CAPTURE_DIR);
        if let Err(e) = std::fs::create_dir_all(dir) {
            state.say(format!("cannot create {}: {e}", dir.display()), true);
            continue;
        }
        let path = dir.join(format!("murmuration-{}.png", timestamp_ms()));
        state.say(format!("saving a screenshot to {}", path.display()), false);
        pending.0.push((capture.request(CaptureSource::PrimaryWindow), path));
    }
    pending.0.retain(|(id, path)| {
        let Some(frame) = capture.take(*id) else { return true };
        match frame.and_then(|img| save_png_atomic(&img, path)) {
            Ok(()) => info!("screenshot saved to {}", path.display()),
            Err(e) => state.say(format!("cannot save the screenshot: {e:#}"), true),
        }
        false
    });
}

/// Counts frames; after the last one holds the simulation, takes the screenshot, saves it and
/// quits (or just quits when there is no screenshot to take).
pub fn auto_screenshot(
    mut auto: ResMut<AutoScreenshot>,
    capture: Res<FrameCapture>,
    mut control: ResMut<SimControl>,
    clock: Res<SimClock>,
    fixed: Res<Time<Fixed>>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(frames) = auto.frames else { return };
    // simulated time including the part of a step already due (the fixed clock's overstep)
    let sim_s = clock.time + fixed.overstep().as_secs_f64();
    if let Some(id) = auto.capture {
        let Some(frame) = capture.take(id) else { return };
        auto.capture = None;
        let path = auto.path.clone().expect("a capture has a path");
        match frame.and_then(|img| save_png_atomic(&img, &path)) {
            Ok(()) => {
                info!("screenshot saved to {}", path.display());
                exit.write(AppExit::Success);
            }
            Err(e) => {
                error!("cannot save the screenshot: {e:#}");
                exit.write(AppExit::error());
            }
        }
        return;
    }
    if auto.held {
        // held since the last update: this frame draws the held state (no blend), capture it
        auto.held = false;
        auto.capture = Some(capture.request(CaptureSource::PrimaryWindow));
        return;
    }
    if auto.frame >= frames {
        return;
    }
    auto.frame += 1;
    if auto.frame == 10 {
        auto.timing_from = Some((auto.frame, std::time::Instant::now(), sim_s));
    }
    if auto.frame < frames {
        return;
    }
    if let Some((f, t, sim_from)) = auto.timing_from.filter(|(f, ..)| frames > *f) {
        let wall_s = t.elapsed().as_secs_f64();
        auto.frame_ms = wall_s * 1e3 / f64::from(frames - f);
        // (held, only the fixed clock's overstep moves, by less than a step either way)
        auto.sim_speed = ((sim_s - sim_from) / wall_s).max(0.0);
    }
    if auto.path.is_some() {
        // hold now, capture from the next update on (when the held state is what is drawn)
        control.hold_at = Some(clock.step);
        auto.held = true;
    } else {
        exit.write(AppExit::Success);
    }
}

/// In scripted runs (`--frames`), prints the simulation's state on exit in the same form as
/// `murmuration sim`, so a windowed run can be compared with a headless one, the mean frame time
/// and the simulation's speed against the wall clock (both from frame 10 on), and the size of the
/// window and of the world view (the part no panel covers). Before it, one line per caption shown.
#[allow(clippy::too_many_arguments)] // a system: each parameter is a resource or query it reads
pub fn report_on_exit(
    mut exits: MessageReader<AppExit>,
    auto: Res<AutoScreenshot>,
    clock: Res<crate::sim::SimClock>,
    seed: Res<crate::sim::SimSeed>,
    birds: Query<(&crate::sim::Bird, &crate::sim::Position, &crate::sim::Velocity, Option<&crate::sim::Alarm>)>,
    insets: Res<super::camera::PanelInsets>,
    captions: Res<super::story::Captions>,
    window: Single<&Window, With<bevy::window::PrimaryWindow>>,
) {
    if exits.read().count() == 0 || auto.frames.is_none() {
        return;
    }
    for c in &captions.told {
        println!("caption at {:.2} s: {}", c.at_s, c.text);
    }
    let hash = crate::sim::hash::state_hash(birds.iter().map(|(b, p, v, a)| (b.id, p.0, v.0, a.copied().unwrap_or_default())));
    let (w, h) = (window.width(), window.height());
    println!(
        "alive={} steps={} seed={} state_hash={hash:016x} frames={} frame_ms={:.2} sim_speed={:.2} window={w:.0}x{h:.0} world_view={:.0}x{h:.0}",
        birds.iter().len(),
        clock.step,
        seed.0,
        auto.frame,
        auto.frame_ms,
        auto.sim_speed,
        w - insets.left - insets.right,
    );
}

/// Where the start-up announcement is.
#[derive(Debug, Default)]
pub enum Announce {
    /// Not asked for yet.
    #[default]
    Start,
    /// Waiting for the first complete frame of the window.
    Waiting(CaptureId),
    /// Said.
    Done,
}

/// Logs once, when the window first shows a complete frame (panels laid out, every pipeline
/// ready), `ready: the window shows a complete frame`. Scripts that drive the app wait for it.
pub fn announce_ready(capture: Res<FrameCapture>, mut announce: Local<Announce>) {
    match *announce {
        Announce::Start => *announce = Announce::Waiting(capture.request(CaptureSource::PrimaryWindow)),
        Announce::Waiting(id) => match capture.take(id) {
            Some(Ok(_)) => {
                info!("ready: the window shows a complete frame");
                *announce = Announce::Done;
            }
            Some(Err(e)) => {
                warn!("no complete frame at start-up: {e:#}");
                *announce = Announce::Done;
            }
            None => {}
        },
        Announce::Done => {}
    }
}
