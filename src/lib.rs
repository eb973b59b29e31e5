//! murmuration: explore a leaderless flock healing.
//!
//! A flock of Reynolds boids runs in a Bevy ECS world over a spatial hash ([`sim`]); the binary's
//! command line ([`cli`]) runs it headless or opens the desktop app ([`app`]).
#![warn(missing_docs)]

pub mod app;
pub mod cli;
pub mod io;
pub mod metrics;
pub mod preset;
pub mod record;
pub mod sim;
pub mod view;
