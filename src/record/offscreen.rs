//! The offscreen recorder: the simulation and the flock drawing in an app with no window, a
//! camera rendering into an image, and GPU readback of every output frame.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use bevy::asset::RenderAssetUsages;
use bevy::camera::{ImageRenderTarget, RenderTarget};
use bevy::prelude::*;
use bevy::render::RenderPlugin;
use bevy::render::gpu_readback::{Readback, ReadbackComplete};
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat, TextureUsages};
use bevy::render::view::Msaa;
use bevy::time::TimeUpdateStrategy;
use bevy::window::ExitCondition;
use bevy::winit::WinitPlugin;
use indicatif::ProgressBar;

use super::encode::{Encoder, check_output, unpad_rows};
use crate::app::camera::fit_scale;
use crate::app::state::UiState;
use crate::cli::RunConfig;
use crate::cli::headless::task_pool_plugin;
use crate::metrics::MetricsPlugin;
use crate::sim::{SimClock, SimControl, SimParams};

/// What to record.
#[derive(Clone, Debug)]
pub struct RecordOptions {
    /// Seconds of video.
    pub seconds: f32,
    /// Output frames per second.
    pub fps: u32,
    /// Frame size in pixels.
    pub size: (u32, u32),
    /// Output path (`.gif`, or a folder for PNG frames).
    pub out: PathBuf,
}

impl RecordOptions {
    /// Output frames.
    pub fn frames(&self) -> u32 {
        (self.seconds * self.fps as f32).round() as u32
    }

    /// Fixed steps per output frame, so the video plays at the simulation's own speed.
    pub fn steps_per_frame(&self, step_rate: u32) -> u64 {
        ((step_rate as f32 / self.fps as f32).round() as u64).max(1)
    }
}

/// The latest frame read back from the GPU.
#[derive(Resource, Clone, Default)]
struct LatestFrame(Arc<Mutex<Option<Vec<u8>>>>);

fn setup_target(commands: &mut Commands, images: &mut Assets<Image>, size: (u32, u32), params: &SimParams, latest: &LatestFrame) {
    let mut image = Image::new_fill(
        Extent3d { width: size.0, height: size.1, depth_or_array_layers: 1 },
        TextureDimension::D2,
        &[0, 0, 0, 255],
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::default(),
    );
    image.texture_descriptor.usage = TextureUsages::COPY_SRC | TextureUsages::RENDER_ATTACHMENT | TextureUsages::TEXTURE_BINDING;
    let handle = images.add(image);
    let world = Vec2::new(params.world_width, params.world_height);
    let mut projection = OrthographicProjection::default_2d();
    projection.scale = fit_scale(world, Vec2::new(size.0 as f32, size.1 as f32));
    commands.spawn((
        Camera2d,
        Msaa::Off,
        RenderTarget::Image(ImageRenderTarget::from(handle.clone())),
        Projection::Orthographic(projection),
        Transform::from_translation((world * 0.5).extend(0.0)),
    ));
    let sink = latest.0.clone();
    commands.spawn(Readback::texture(handle)).observe(move |done: On<ReadbackComplete>| {
        *sink.lock().expect("frame lock") = Some(done.data.clone());
    });
}

/// Records a run. Checks the options and the output path before rendering; writes the output
/// atomically; on any failure leaves nothing behind.
pub fn record(config: &RunConfig, options: &RecordOptions, progress: Option<&ProgressBar>) -> Result<PathBuf> {
    if !(options.seconds.is_finite() && options.seconds > 0.0 && options.seconds <= 3600.0) {
        bail!("invalid value for --seconds: {} (allowed: more than 0, up to 3600)", options.seconds);
    }
    if !(1..=120).contains(&options.fps) {
        bail!("invalid value for --fps: {} (allowed: 1 to 120)", options.fps);
    }
    let format = check_output(&options.out)?;
    let frames = options.frames().max(1);
    let spf = options.steps_per_frame(config.params.step_rate);

    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(task_pool_plugin(None))
            .set(WindowPlugin { primary_window: None, exit_condition: ExitCondition::DontExit, ..default() })
            .set(RenderPlugin { synchronous_pipeline_compilation: true, ..default() })
            .disable::<WinitPlugin>(),
    );
    app.add_plugins((config.sim_plugin(), MetricsPlugin));
    app.insert_resource(UiState::new(&config.preset, config.params.clone()));
    app.insert_resource(ClearColor(Color::srgb(0.04, 0.05, 0.08)));
    app.add_plugins(crate::app::render_plugin());
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs(1) / config.params.step_rate));
    let latest = LatestFrame::default();
    app.insert_resource(latest.clone());
    let size = options.size;
    app.add_systems(Startup, move |mut commands: Commands, mut images: ResMut<Assets<Image>>, params: Res<SimParams>, latest: Res<LatestFrame>| {
        setup_target(&mut commands, &mut images, size, &params, &latest);
    });
    app.finish();
    app.cleanup();

    let mut encoder = Encoder::create(&options.out, format, size, options.fps)?;
    let result = (|| -> Result<()> {
        let take = |app: &mut App| -> Result<Vec<u8>> {
            // Hold the simulation and render until a frame of the current state has come back.
            app.world_mut().resource_mut::<SimControl>().paused = true;
            latest.0.lock().expect("frame lock").take();
            for _ in 0..3 {
                app.update();
            }
            for _ in 0..200 {
                if let Some(data) = latest.0.lock().expect("frame lock").take() {
                    return Ok(data);
                }
                app.update();
            }
            bail!("the GPU returned no frame")
        };
        app.update(); // start-up
        for frame in 0..frames {
            if frame > 0 {
                app.world_mut().resource_mut::<SimControl>().paused = false;
                let target = app.world().resource::<SimClock>().step + spf;
                let mut guard = 0;
                while app.world().resource::<SimClock>().step < target {
                    app.update();
                    guard += 1;
                    if guard > 100 * spf {
                        bail!("the simulation does not advance");
                    }
                }
            }
            let data = take(&mut app)?;
            let mut rgba = unpad_rows(&data, size.0, size.1);
            encoder.push(&mut rgba)?;
            if let Some(bar) = progress {
                bar.set_position(u64::from(frame + 1));
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => encoder.finish(),
        Err(e) => {
            encoder.abandon();
            Err(e).context("recording failed")
        }
    }
}
