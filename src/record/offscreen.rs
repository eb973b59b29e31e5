//! The offscreen recorder: the simulation and the flock drawing in an app with no window, a
//! camera rendering into an image, and GPU readback of every output frame.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use bevy::prelude::*;
use bevy::render::RenderPlugin;
use bevy::time::TimeUpdateStrategy;
use bevy::window::ExitCondition;
use bevy::winit::WinitPlugin;
use indicatif::ProgressBar;

use super::encode::{Encoder, check_output};
use super::limits;
use crate::metrics::MetricsPlugin;
use crate::run::{RunConfig, task_pool_plugin};
use crate::sim::{ReplaySchedule, SimClock, SimControl, SimParams, TimedChange};
use crate::view::camera::{ViewCamera, flock_centre, follow_area, follows_by_default, shown_area, target_image, world_camera};
use crate::view::{CapturePlugin, CaptureSource, FlockDrawPlugin, FrameCapture};

/// What to record.
#[derive(Clone, Debug)]
pub struct RecordOptions {
    /// Seconds of video.
    pub seconds: f32,
    /// Output frames per second.
    pub fps: u32,
    /// Frame size in pixels.
    pub size: (u32, u32),
    /// Output path (`.mp4`, `.gif`, or a folder for PNG frames).
    pub out: PathBuf,
    /// Replay a recorded timeline instead of recording from step 0 for `seconds`.
    pub replay: Option<ReplayPlan>,
}

/// The part of a run a replay renders, and the changes that shaped it.
#[derive(Clone, Debug)]
pub struct ReplayPlan {
    /// Steps run before the first frame (fast-forwarded without encoding).
    pub start_step: u64,
    /// Steps between frames.
    pub steps_per_frame: u64,
    /// Frames to render.
    pub frames: u32,
    /// The run's changes, applied at their steps.
    pub changes: Vec<TimedChange>,
}

impl RecordOptions {
    /// Output frames.
    pub fn frames(&self) -> u32 {
        match &self.replay {
            Some(plan) => plan.frames,
            None => (self.seconds * self.fps as f32).round() as u32,
        }
    }

    /// Fixed steps per output frame, so the video plays at the simulation's own speed.
    pub fn steps_per_frame(&self, step_rate: u32) -> u64 {
        match &self.replay {
            Some(plan) => plan.steps_per_frame,
            None => steps_per_frame(step_rate, self.fps),
        }
    }
}

/// Fixed steps per output frame at a step rate and frame rate (at least one).
pub fn steps_per_frame(step_rate: u32, fps: u32) -> u64 {
    ((step_rate as f32 / fps as f32).round() as u64).max(1)
}

/// What a recording produced.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The file or folder written.
    pub path: PathBuf,
    /// Frames written.
    pub frames: u32,
    /// Steps run at the last frame.
    pub step: u64,
    /// The state hash at the last frame.
    pub state_hash: u64,
}

/// The image the recording camera renders into.
#[derive(Resource, Clone)]
struct RecordTarget(Handle<Image>);

fn setup_target(commands: &mut Commands, images: &mut Assets<Image>, size: (u32, u32), params: &SimParams) {
    let handle = target_image(images, size);
    let area = if follows_by_default(params) { follow_area(params) } else { shown_area(params) };
    commands.spawn((world_camera(handle.clone(), params, area, size), ViewCamera));
    commands.insert_resource(RecordTarget(handle));
}

/// Centres the recording camera on the flock when the view follows it by default, as the app's
/// does (over a roost): a function of the held state alone,
/// so the same run gives the same frames.
fn centre_on_flock(world: &mut World) {
    if !follows_by_default(world.resource::<SimParams>()) {
        return;
    }
    let mut birds = world.query_filtered::<&crate::sim::Position, With<crate::sim::Bird>>();
    let Some(centre) = flock_centre(birds.iter(world).map(|p| p.0)) else { return };
    let mut camera = world.query_filtered::<&mut Transform, With<ViewCamera>>();
    for mut transform in camera.iter_mut(world) {
        transform.translation = centre.extend(transform.translation.z);
    }
}

/// Updates with the simulation held until a complete frame of the held state has come back.
fn capture_held_frame(app: &mut App, size: (u32, u32)) -> Result<Vec<u8>> {
    app.world_mut().resource_mut::<SimControl>().paused = true;
    centre_on_flock(app.world_mut());
    let image = app.world().resource::<RecordTarget>().0.clone();
    let capture = app.world().resource::<FrameCapture>().clone();
    let id = capture.request(CaptureSource::Image { image, size });
    // Bounded by the capture itself: it gives up after `MAX_CAPTURE_UPDATES` updates.
    loop {
        app.update();
        if let Some(frame) = capture.take(id) {
            return Ok(frame?.into_raw());
        }
    }
}

/// The app that records: the simulation, its metrics and the flock drawing, with no window; a
/// camera renders the whole world into an image of the output size.
fn offscreen_app(config: &RunConfig, options: &RecordOptions) -> App {
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(task_pool_plugin(None))
            .set(WindowPlugin { primary_window: None, exit_condition: ExitCondition::DontExit, ..default() })
            .set(RenderPlugin { synchronous_pipeline_compilation: true, ..default() })
            .disable::<WinitPlugin>(),
    );
    app.add_plugins((config.sim_plugin(), MetricsPlugin));
    if let Some(plan) = &options.replay {
        app.insert_resource(ReplaySchedule::new(plan.changes.clone()));
    }
    app.insert_resource(ClearColor(crate::view::draw::BACKGROUND));
    app.add_plugins((FlockDrawPlugin, CapturePlugin));
    // Each update may run up to `BATCH` steps; `SimControl::hold_at` stops them at the exact step.
    const BATCH: u32 = 16;
    app.insert_resource(TimeUpdateStrategy::ManualDuration(BATCH * Duration::from_secs(1) / config.params.step_rate));
    app.world_mut().resource_mut::<Time<Virtual>>().set_max_delta(Duration::from_secs(3600));
    let size = options.size;
    app.add_systems(Startup, move |mut commands: Commands, mut images: ResMut<Assets<Image>>, params: Res<SimParams>| {
        setup_target(&mut commands, &mut images, size, &params);
    });
    app.finish();
    app.cleanup();

    app
}

/// Lets the simulation run until `target` steps, then holds it there.
fn advance(app: &mut App, target: u64) -> Result<()> {
    let mut control = app.world_mut().resource_mut::<SimControl>();
    control.paused = false;
    control.hold_at = Some(target);
    let mut guard = 0;
    while app.world().resource::<SimClock>().step < target {
        app.update();
        guard += 1;
        if guard > 100 + 10 * target {
            bail!("the simulation does not advance");
        }
    }
    Ok(())
}

/// Records a run. Checks the options and the output path before rendering; writes the output
/// atomically; on any failure leaves nothing behind.
pub fn record(config: &RunConfig, options: &RecordOptions, progress: Option<&ProgressBar>) -> Result<Recorded> {
    if options.replay.is_none() {
        limits::check_seconds(options.seconds)?;
    }
    limits::check_fps(options.fps)?;
    limits::check_size(options.size)?;
    let format = check_output(&options.out)?;
    let frames = options.frames().max(1);
    let spf = options.steps_per_frame(config.params.step_rate);

    let size = options.size;
    let mut app = offscreen_app(config, options);
    let mut encoder = Encoder::create(&options.out, format, size, options.fps)?;
    let result = (|| -> Result<()> {
        app.update(); // start-up
        if let Some(plan) = &options.replay {
            advance(&mut app, plan.start_step)?;
        }
        for frame in 0..frames {
            if frame > 0 {
                let target = app.world().resource::<SimClock>().step + spf;
                advance(&mut app, target)?;
            }
            let mut rgba = capture_held_frame(&mut app, size)?;
            encoder.push(&mut rgba)?;
            if let Some(bar) = progress {
                bar.set_position(u64::from(frame + 1));
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => {
            let path = encoder.finish()?;
            let world = app.world_mut();
            let step = world.resource::<SimClock>().step;
            let state_hash = crate::sim::hash::world_state_hash(world);
            Ok(Recorded { path, frames, step, state_hash })
        }
        Err(e) => {
            encoder.abandon();
            Err(e).context("recording failed")
        }
    }
}
