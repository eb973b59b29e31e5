//! The view layer: what turns the simulation into pixels, shared by the desktop app and the
//! offscreen recorder. It reads the simulation; it never changes it.

pub mod capture;

pub use capture::{CaptureId, CapturePlugin, CaptureSource, FrameCapture};
