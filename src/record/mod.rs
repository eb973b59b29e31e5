//! Recording: headless rendering of a run to a video file or a folder of PNG frames, and charts
//! of a sweep's results.
//!
//! `murmuration record` renders offscreen (no window; Vulkan or lavapipe), reads each frame back
//! from the GPU, and encodes it. The simulation advances a fixed number of steps per output frame,
//! so the same arguments give the same frames.

pub mod chart;
pub mod encode;
pub mod limits;
pub mod mp4;
mod offscreen;
pub mod sidecar;
pub mod worker;

pub use encode::OutputFormat;
pub use limits::parse_size;
pub use mp4::{DecodedVideo, decode_mp4};
pub use offscreen::{RecordOptions, Recorded, ReplayPlan, record, steps_per_frame};
pub use sidecar::Sidecar;
