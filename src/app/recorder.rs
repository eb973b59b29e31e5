//! In-app recording. While recording, the simulation is held after every `k` fixed steps
//! (`k = step_rate / fps`, one step per frame at 60 fps) until that state's frame has been captured,
//! so a video never stutters or speeds up on a slow machine. Frames are encoded on a worker thread.
//! Stopping finalizes the video (atomic rename) and writes the replay sidecar beside it.
//!
//! Frames come from an offscreen camera that shows the whole world at the chosen size (the same
//! view `murmuration record --replay` renders), or, with "panels" on, from a screenshot of the
//! window scaled into the chosen size.

use std::path::{Path, PathBuf};
use std::sync::mpsc::SyncSender;
use std::thread::JoinHandle;

use anyhow::{Context, Result};
use bevy::prelude::*;
use image::RgbaImage;

use super::hotkeys::{Command, keys_for};
use super::input::ActionRequest;
use super::state::{RecStatus, UiAction, UiState};
use crate::record::worker::spawn_worker;
use crate::record::{Sidecar, steps_per_frame};
use crate::sim::hash::state_hash;
use crate::sim::{Bird, Position, SimClock, SimControl, SimParams, SimReset, Timeline, Velocity};
use crate::view::camera::{target_image, world_camera};
use crate::view::{CaptureId, CaptureSource, DrawSettings, FrameCapture};

/// Where a recording is in its cycle.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// Waiting for the simulation to reach the next frame's step.
    Advancing(u64),
    /// The state is held; the capture of its frame is to be requested.
    Settling,
    /// A capture of the held state was requested; waiting for a complete frame.
    Capturing(CaptureId),
}

struct Active {
    path: PathBuf,
    size: (u32, u32),
    fps: u32,
    spf: u64,
    overlay: bool,
    start_step: u64,
    last_step: u64,
    last_hash: u64,
    frames: u32,
    phase: Phase,
    frames_tx: SyncSender<RgbaImage>,
    worker: JoinHandle<Result<PathBuf>>,
    camera: Option<(Entity, Handle<Image>)>,
    /// The run's timeline as of the last frame (a restart replaces the live one).
    timeline: Timeline,
}

/// The recording in progress, if any.
#[derive(Resource, Default)]
pub struct Recorder {
    active: Option<Active>,
}

fn start(commands: &mut Commands, images: &mut Assets<Image>, state: &UiState, params: &SimParams, step: u64, timeline: &Timeline) -> Result<Active> {
    let dir = Path::new(super::actions::CAPTURE_DIR);
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let settings = state.record.clone();
    let path = dir.join(format!("murmuration-{}.{}", super::actions::timestamp_ms(), settings.format.extension()));
    let format = crate::record::encode::check_output(&path)?;
    let (frames_tx, worker) = spawn_worker(path.clone(), format, settings.size, settings.fps);
    let camera = (!settings.overlay).then(|| {
        let image = target_image(images, settings.size);
        let mut bundle = commands.spawn(world_camera(image.clone(), params, crate::view::camera::shown_area(params), settings.size));
        bundle.insert(Camera { order: -1, ..default() });
        (bundle.id(), image)
    });
    Ok(Active {
        path,
        size: settings.size,
        fps: settings.fps,
        spf: steps_per_frame(params.step_rate, settings.fps),
        overlay: settings.overlay,
        start_step: step,
        last_step: step,
        last_hash: 0,
        frames: 0,
        phase: Phase::Settling,
        frames_tx,
        worker,
        camera,
        timeline: timeline.clone(),
    })
}

impl Active {
    /// What each frame is captured from: the world camera's image, or the window.
    fn source(&self) -> CaptureSource {
        match &self.camera {
            Some((_, image)) => CaptureSource::Image { image: image.clone(), size: self.size },
            None => CaptureSource::PrimaryWindow,
        }
    }

    /// Hands a captured frame of the held state (`step`, `hash`) to the encoder and moves on to
    /// the next frame: returns its step, or `None` if the encoder has stopped.
    fn push(&mut self, frame: RgbaImage, step: u64, hash: u64, timeline: &Timeline) -> Option<u64> {
        (self.last_step, self.last_hash) = (step, hash);
        self.timeline.clone_from(timeline);
        self.frames_tx.send(frame).ok()?;
        self.frames += 1;
        let target = step + self.spf;
        self.phase = Phase::Advancing(target);
        Some(target)
    }
}

/// Finishes a recording: closes the video and writes the replay sidecar. Returns the message shown.
fn stop(commands: &mut Commands, capture: &FrameCapture, active: Active, preset: &str) -> Result<String> {
    if let Some((camera, _)) = active.camera {
        commands.entity(camera).despawn();
    }
    if let Phase::Capturing(id) = active.phase {
        capture.cancel(commands, id);
    }
    drop(active.frames_tx);
    let path = active.worker.join().map_err(|_| anyhow::anyhow!("the encoder thread panicked"))??;
    let sidecar = Sidecar::new(preset, &active.timeline, active.start_step, active.last_step, active.spf, active.fps, active.size, active.last_hash);
    let replay = Sidecar::path_for(&path);
    sidecar.save(&replay)?;
    let secs = active.frames as f32 / active.fps as f32;
    Ok(format!(
        "saved {} ({} frames, {secs:.1} s{}); replay: {}",
        path.display(),
        active.frames,
        if active.overlay { ", with panels" } else { "" },
        replay.display()
    ))
}

/// A recording just started: hold the simulation for its first frame and say where it goes.
fn begun(active: Active, control: &mut SimControl, state: &mut UiState, step: u64) -> Active {
    control.hold_at = Some(step);
    state.recording = Some(RecStatus { frames: 0, fps: active.fps });
    let stop_key = keys_for(&Command::Request(UiAction::ToggleRecord));
    state.say(format!("recording to {} ({stop_key} stops)", active.path.display()), false);
    active
}

/// Stops a recording from the app (R, a restart, a failed capture) and says how it went.
fn end(commands: &mut Commands, capture: &FrameCapture, active: Active, control: &mut SimControl, state: &mut UiState, failure: Option<anyhow::Error>) {
    control.hold_at = None;
    state.recording = None;
    let result = stop(commands, capture, active, &state.preset_name);
    match (failure, result) {
        (None, Ok(text)) => state.say(text, false),
        (Some(why), Ok(text)) => state.say(format!("recording stopped: {why:#}; {text}"), true),
        (_, Err(e)) => state.say(format!("recording failed: {e:#}"), true),
    }
}

/// Starts and stops recordings (R, the panel button; a restart stops one) and drives the capture
/// cycle: hold the simulation, let the frame draw, capture it, release `k` more steps.
#[allow(clippy::too_many_arguments)]
pub fn drive_recorder(
    mut commands: Commands,
    mut recorder: ResMut<Recorder>,
    capture: Res<FrameCapture>,
    mut requests: MessageReader<ActionRequest>,
    mut resets: MessageReader<SimReset>,
    mut control: ResMut<SimControl>,
    mut state: ResMut<UiState>,
    mut images: ResMut<Assets<Image>>,
    params: Res<SimParams>,
    clock: Res<SimClock>,
    timeline: Res<Timeline>,
    birds: Query<(&Bird, &Position, &Velocity, Option<&crate::sim::Alarm>)>,
) {
    let toggled = requests.read().filter(|r| r.0 == UiAction::ToggleRecord).count() % 2 == 1;
    let restarted = resets.read().count() > 0;
    if recorder.active.is_some() && (toggled || restarted) {
        end(&mut commands, &capture, recorder.active.take().expect("checked"), &mut control, &mut state, None);
        return;
    }
    if toggled && recorder.active.is_none() {
        match start(&mut commands, &mut images, &state, &params, clock.step, &timeline) {
            Ok(active) => recorder.active = Some(begun(active, &mut control, &mut state, clock.step)),
            Err(e) => state.say(format!("cannot record: {e:#}"), true),
        }
        return;
    }
    let Some(active) = recorder.active.as_mut() else { return };
    match active.phase {
        Phase::Advancing(target) => {
            if clock.step >= target {
                active.phase = Phase::Settling;
            }
        }
        Phase::Settling => {
            active.phase = Phase::Capturing(capture.request(active.source()));
        }
        Phase::Capturing(id) => {
            let Some(frame) = capture.take(id) else { return };
            let frame = match frame {
                Ok(frame) => frame,
                Err(e) => {
                    end(&mut commands, &capture, recorder.active.take().expect("checked"), &mut control, &mut state, Some(e));
                    return;
                }
            };
            let hash = state_hash(birds.iter().map(|(b, p, v, a)| (b.id, p.0, v.0, a.copied().unwrap_or_default())));
            let Some(target) = active.push(frame, clock.step, hash, &timeline) else {
                // The worker stopped on an error; stopping reports it.
                state.say(format!("recording failed; press {} to see why", keys_for(&Command::Request(UiAction::ToggleRecord))), true);
                return;
            };
            if let Some(status) = &mut state.recording {
                status.frames = active.frames;
            }
            control.hold_at = Some(target);
        }
    }
}

/// Stops a recording when the app exits, so the file is finished rather than lost.
pub fn finish_on_exit(
    mut commands: Commands,
    mut exits: MessageReader<AppExit>,
    mut recorder: ResMut<Recorder>,
    capture: Res<FrameCapture>,
    state: Res<UiState>,
) {
    if exits.read().count() == 0 {
        return;
    }
    if let Some(active) = recorder.active.take() {
        match stop(&mut commands, &capture, active, &state.preset_name) {
            Ok(text) => info!("{text}"),
            Err(e) => error!("recording failed: {e:#}"),
        }
    }
}

/// While a recording of the world runs, its camera needs the birds in the mesh (the
/// compute-shader dots only reach the window).
pub fn require_mesh_while_recording(recorder: Res<Recorder>, mut draw: ResMut<DrawSettings>) {
    let required = recorder.active.as_ref().is_some_and(|a| a.camera.is_some());
    if draw.mesh_required != required {
        draw.mesh_required = required;
    }
}
