//! murmuration: explore a leaderless flock healing.
//!
//! A flock of Reynolds boids runs in a Bevy ECS world over a spatial hash ([`sim`]), measured by
//! [`metrics`]. Layers, each importing only those below it: [`sim`] → [`metrics`] → [`run`]
//! (configuration, headless runner) → [`view`] (drawing, capture) → [`record`] and [`app`] →
//! [`cli`] (clap glue).
#![warn(missing_docs)]

pub mod app;
pub mod cli;
pub mod io;
pub mod metrics;
pub mod preset;
pub mod record;
pub mod run;
pub mod sim;
pub mod view;
