//! Frame capture that hands out only complete frames.
//!
//! A capture reads back one rendered frame, of an image target (a GPU readback) or of the window
//! (a screenshot). A frame is *complete* when nothing was waiting in the pipeline cache when it was
//! drawn: every pipeline queued so far had been created (shaders are loaded by the asset server on
//! the IO threads and pipelines may compile asynchronously, so under load the first frames of a
//! run are drawn with parts missing). The render world stamps each capture's frame with that fact;
//! a frame that arrives unstamped waits for its stamp, an incomplete one is dropped and the
//! capture is taken again on the next frame. Callers hold the simulation while they capture, so
//! every frame tried shows the same state.
//!
//! [`FrameCapture::request`] starts a capture; [`FrameCapture::take`] after each update returns
//! its pixels once a complete frame came back (or an error when none came).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::{Result, anyhow};
use bevy::prelude::*;
use bevy::render::gpu_readback::{Readback, ReadbackComplete};
use bevy::render::render_asset::RenderAssets;
use bevy::render::render_resource::PipelineCache;
use bevy::render::texture::GpuImage;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::render::{Extract, Render, RenderApp, RenderSystems};
use image::RgbaImage;

/// Updates a capture may take before it gives up with an error. At start-up, with the shaders
/// loading, a capture takes a few dozen on a loaded two-core machine.
pub const MAX_CAPTURE_UPDATES: u32 = 5000;

/// Updates an attempt waits for its pixels before it is taken again (Bevy skips a capture it
/// cannot make, e.g. of a window that has no surface yet, without saying so).
pub const ATTEMPT_PATIENCE: u32 = 30;

/// What to capture.
#[derive(Clone, Debug)]
pub enum CaptureSource {
    /// An image a camera renders into (RGBA8), read back from the GPU.
    Image {
        /// The render target.
        image: Handle<Image>,
        /// Its size in pixels.
        size: (u32, u32),
    },
    /// The primary window as shown, panels included.
    PrimaryWindow,
}

/// Names one capture: what [`FrameCapture::request`] returns and [`FrameCapture::take`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaptureId(u64);

/// A capture in flight.
#[derive(Debug)]
struct Request {
    source: CaptureSource,
    /// The entity carrying the current attempt's `Readback` or `Screenshot`.
    entity: Option<Entity>,
    /// The attempt's pixels, once they came back (complete or not: the stamp tells).
    arrived: Option<RgbaImage>,
    /// Updates since the current attempt started.
    waited: u32,
    /// Updates since the capture was requested.
    updates: u32,
}

#[derive(Debug, Default)]
struct State {
    next_id: u64,
    requests: HashMap<CaptureId, Request>,
    done: HashMap<CaptureId, Result<RgbaImage, String>>,
    /// Written by the render world: for each attempt's entity, whether the frame it captured was
    /// complete.
    stamps: HashMap<Entity, bool>,
    /// Pipelines waiting in the last frame drawn (for the error message).
    waiting: usize,
}

/// The captures in flight, shared by the main and the render world.
#[derive(Resource, Clone, Default)]
pub struct FrameCapture(Arc<Mutex<State>>);

impl FrameCapture {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts a capture of `source`. The first frame tried is the one drawn at the end of the
    /// update in which it is requested (before `Last`), so a caller that has just changed what
    /// is drawn (a hold, a blend) asks one update later.
    pub fn request(&self, source: CaptureSource) -> CaptureId {
        let mut state = self.lock();
        let id = CaptureId(state.next_id);
        state.next_id += 1;
        state.requests.insert(id, Request { source, entity: None, arrived: None, waited: 0, updates: 0 });
        id
    }

    /// The captured frame, once it is there (then the capture is over), or the reason none came.
    pub fn take(&self, id: CaptureId) -> Option<Result<RgbaImage>> {
        self.lock().done.remove(&id).map(|r| r.map_err(|e| anyhow!(e)))
    }

    /// Drops a capture, in flight or done.
    pub fn cancel(&self, commands: &mut Commands, id: CaptureId) {
        let mut state = self.lock();
        state.done.remove(&id);
        if let Some(entity) = state.requests.remove(&id).and_then(|r| r.entity) {
            state.stamps.remove(&entity);
            commands.entity(entity).try_despawn();
        }
    }

    /// Notes the pixels of an attempt (ignored unless `entity` is an attempt in flight).
    fn arrive(&self, entity: Entity, pixels: impl FnOnce(&CaptureSource) -> Option<RgbaImage>) {
        let mut state = self.lock();
        let Some((&id, request)) = state.requests.iter_mut().find(|(_, r)| r.entity == Some(entity)) else { return };
        if request.arrived.is_some() {
            return;
        }
        match pixels(&request.source) {
            Some(img) => request.arrived = Some(img),
            None => {
                state.requests.remove(&id);
                state.done.insert(id, Err("the captured frame could not be converted to RGBA".into()));
            }
        }
    }
}

/// Marks the entity of a capture attempt, so the render world stamps its frame.
#[derive(Component, Debug, Clone, Copy)]
struct CaptureAttempt;

/// Adds frame capture to an app with a renderer.
pub struct CapturePlugin;

impl Plugin for CapturePlugin {
    fn build(&self, app: &mut App) {
        let capture = FrameCapture::default();
        app.insert_resource(capture.clone())
            .add_systems(Last, drive_capture)
            .add_observer(on_readback)
            .add_observer(on_screenshot);
        if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
            render_app
                .insert_resource(capture)
                .init_resource::<AttemptsThisFrame>()
                .add_systems(ExtractSchedule, extract_attempts)
                .add_systems(Render, stamp_attempts.in_set(RenderSystems::Cleanup));
        }
    }
}

/// Settles each attempt whose stamp is known (keeps its pixels or drops them), retries attempts
/// whose pixels never came, and starts the next attempts. Runs last in the update, so an
/// attempt's frame is the one this update draws.
fn drive_capture(mut commands: Commands, capture: Res<FrameCapture>, attempts: Query<(), With<CaptureAttempt>>) {
    let mut guard = capture.lock();
    let state = &mut *guard;
    // stamps of attempts no longer in flight (settled, cancelled, or stamped after either)
    let live: Vec<Entity> = state.requests.values().filter_map(|r| r.entity).collect();
    state.stamps.retain(|e, _| live.contains(e));
    let mut finished = Vec::new();
    for (&id, request) in &mut state.requests {
        request.updates += 1;
        if request.updates > MAX_CAPTURE_UPDATES {
            finished.push((id, Err(format!(
                "no complete frame after {MAX_CAPTURE_UPDATES} updates: {} pipelines still wait (a shader that never loads?)",
                state.waiting
            ))));
            if let Some(entity) = request.entity {
                commands.entity(entity).try_despawn();
            }
            continue;
        }
        if let Some(entity) = request.entity {
            let stamp = state.stamps.get(&entity).copied();
            if let (Some(complete), Some(_)) = (stamp, &request.arrived) {
                state.stamps.remove(&entity);
                commands.entity(entity).try_despawn();
                request.entity = None;
                let pixels = request.arrived.take().expect("checked");
                if complete {
                    finished.push((id, Ok(pixels)));
                    continue;
                }
            } else if request.arrived.is_none() {
                request.waited += 1;
                if stamp.is_some() && matches!(request.source, CaptureSource::Image { .. }) {
                    // its frame was copied: no further readbacks of this attempt
                    commands.entity(entity).try_remove::<Readback>();
                }
                if request.waited > ATTEMPT_PATIENCE || !attempts.contains(entity) {
                    // skipped by Bevy (or dropped: two screenshots of one window in a frame)
                    commands.entity(entity).try_despawn();
                    request.entity = None;
                }
            }
        }
        if request.entity.is_none() {
            let entity = match &request.source {
                CaptureSource::Image { image, .. } => commands.spawn((Readback::texture(image.clone()), CaptureAttempt)).id(),
                CaptureSource::PrimaryWindow => commands.spawn((Screenshot::primary_window(), CaptureAttempt)).id(),
            };
            request.entity = Some(entity);
            request.waited = 0;
        }
    }
    for (id, result) in finished {
        state.requests.remove(&id);
        state.done.insert(id, result);
    }
}

fn on_readback(done: On<ReadbackComplete>, capture: Res<FrameCapture>) {
    capture.arrive(done.entity, |source| match source {
        CaptureSource::Image { size, .. } => RgbaImage::from_raw(size.0, size.1, unpad_rows(&done.data, size.0, size.1)),
        CaptureSource::PrimaryWindow => None,
    });
}

fn on_screenshot(captured: On<ScreenshotCaptured>, capture: Res<FrameCapture>) {
    capture.arrive(captured.entity, |_| captured.image.clone().try_into_dynamic().ok().map(|img| img.to_rgba8()));
}

/// The capture attempts present in the frame being drawn (render world), with the image a
/// readback needs.
#[derive(Resource, Default)]
struct AttemptsThisFrame(Vec<(Entity, Option<AssetId<Image>>)>);

/// The main world's capture attempts, with their readbacks.
type Attempts<'w, 's> = Query<'w, 's, (Entity, Option<&'static Readback>), With<CaptureAttempt>>;

fn extract_attempts(attempts: Extract<Attempts>, mut this_frame: ResMut<AttemptsThisFrame>) {
    this_frame.0.clear();
    this_frame.0.extend(attempts.iter().map(|(entity, readback)| {
        let image = match readback {
            Some(Readback::Texture(image)) => Some(image.id()),
            _ => None,
        };
        (entity, image)
    }));
}

/// After the frame was drawn: stamps each attempt's first captured frame with whether it was
/// complete (no pipeline waiting). A readback is only made once its image is on the GPU, so an
/// attempt is stamped on the first frame that could copy it.
fn stamp_attempts(
    cache: Res<PipelineCache>,
    images: Res<RenderAssets<GpuImage>>,
    mut this_frame: ResMut<AttemptsThisFrame>,
    capture: Res<FrameCapture>,
) {
    let waiting = cache.waiting_pipelines().count();
    let mut state = capture.lock();
    state.waiting = waiting;
    for (entity, image) in this_frame.0.drain(..) {
        if image.is_some_and(|id| images.get(id).is_none()) {
            continue;
        }
        state.stamps.entry(entity).or_insert(waiting == 0);
    }
}

/// Removes GPU row padding: rows of `stride` bytes → tightly packed rows of `width·4` bytes.
fn unpad_rows(data: &[u8], width: u32, height: u32) -> Vec<u8> {
    let row = width as usize * 4;
    let stride = if height > 1 { data.len() / height as usize } else { row };
    let mut out = Vec::with_capacity(row * height as usize);
    for y in 0..height as usize {
        out.extend_from_slice(&data[y * stride..y * stride + row]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpadding_drops_the_row_tails() {
        // 2×2 image, rows padded to 12 bytes
        let data = [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 9, 10, 11, 12, 13, 14, 15, 16, 0, 0, 0, 0];
        assert_eq!(unpad_rows(&data, 2, 2), (1..=16).collect::<Vec<u8>>());
    }
}
