//! The view layer: what turns the simulation into pixels, shared by the desktop app and the
//! offscreen recorder. It reads the simulation and the metrics; it never changes them, and it
//! knows nothing of panels, hotkeys or files.
//!
//! - [`draw`]: `DrawSettings` (colour and shape modes, MSAA).
//! - [`flock`]: the flock and predators as one mesh each, and the world's border.
//! - [`colors`]: bird colours by heading, speed or cluster.
//! - [`splat`]: the compute-shader dots (the window's "gpu" mode).
//! - [`interpolate`]: drawing positions between fixed steps (the window).
//! - [`camera`]: fitting the world into a viewport; the camera that renders the world into an image.
//! - [`capture`]: reading back complete frames.

pub mod camera;
pub mod capture;
pub mod colors;
pub mod draw;
pub mod flock;
pub mod interpolate;
pub mod splat;

use bevy::prelude::*;

pub use capture::{CaptureId, CapturePlugin, CaptureSource, FrameCapture};
pub use draw::{ColorMode, DrawMode, DrawSettings};
pub use flock::FlockDrawPlugin;
pub use interpolate::InterpolationPlugin;
pub use splat::SplatPlugin;

/// The view's per-frame work, in `Update` (after whatever moves the camera).
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewSystems {
    /// Building what is drawn from the simulation state.
    Draw,
}
