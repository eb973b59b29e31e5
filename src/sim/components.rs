//! The components a bird entity carries.

use bevy::math::Vec2;
use bevy::prelude::{Component, Deref, DerefMut, Reflect};


/// A bird. `id` is unique for the run, assigned in spawn order, and orders birds wherever order
/// matters (grid cells, the state hash), so results never depend on ECS storage order.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq, Reflect)]
pub struct Bird {
    /// Stable id, unique within a run.
    pub id: u32,
}

/// Position in world units, inside the world rectangle.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Deref, DerefMut, Reflect)]
pub struct Position(pub Vec2);

/// Velocity in world units per second.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Deref, DerefMut, Reflect)]
pub struct Velocity(pub Vec2);

/// The bird's slot in this step's [`crate::sim::SpatialGrid`].
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, Deref, Reflect)]
pub struct GridSlot(pub u32);

/// How fast the bird's heading turned in its last step (degrees per second); a sharp turn can
/// alarm the neighbours that see it (`alarm_turn_rate`). Birds carry it only while the alarm is
/// on; zero while `alarm_turn_rate` is 0; switched on, it counts turns from the next step.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq)]
pub struct TurnRate(pub f32);
