//! Smooth motion between fixed steps (Bevy's fixed-timestep pattern): each agent's position
//! before the latest step is kept, and the window draws it `alpha` of the way to the current one,
//! `alpha` being how far real time has run into the next step. At ×0.25 speed or on a 144 Hz
//! screen the birds glide instead of jumping once per step. The simulation is untouched: only
//! what is drawn moves. While the simulation holds (paused, or a recording waiting for its
//! frame), the current state is drawn exactly.

use bevy::app::RunFixedMainLoopSystems;
use bevy::prelude::*;

use crate::sim::space::Space;
use crate::sim::{Position, SimClock, SimControl, sim_running};

/// Where an agent was before the latest fixed step.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq)]
pub struct PreviousPosition(pub Vec2);

/// How far between the previous and the current positions to draw: 1 draws the current state
/// (the default, and what recordings use).
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct DrawBlend {
    /// Fraction of the way from the previous to the current position, 0 to 1.
    pub alpha: f32,
}

impl Default for DrawBlend {
    fn default() -> Self {
        Self { alpha: 1.0 }
    }
}

impl DrawBlend {
    /// Where an agent at `now` is drawn: blended from its previous position when it has one (an
    /// agent spawned this step has none and is drawn where it is).
    pub fn place(&self, space: &Space, now: &Position, before: Option<&PreviousPosition>) -> Vec2 {
        before.map_or(now.0, |b| drawn_position(space, b.0, now.0, self.alpha))
    }
}

/// Draw positions between fixed steps (the window adds it; recordings draw the state itself).
pub struct InterpolationPlugin;

impl Plugin for InterpolationPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<DrawBlend>()
            .add_observer(remember_new)
            .add_systems(FixedFirst, remember_positions)
            .add_systems(RunFixedMainLoop, blend.in_set(RunFixedMainLoopSystems::AfterFixedMainLoop));
    }
}

/// An agent's position as drawn: `alpha` of the way from `prev` to `cur` along the shortest way
/// on a torus (so a bird crossing the seam does not streak across the world).
pub fn drawn_position(space: &Space, prev: Vec2, cur: Vec2, alpha: f32) -> Vec2 {
    if alpha >= 1.0 {
        return cur;
    }
    space.contain(prev + space.offset(prev, cur) * alpha.max(0.0))
}

/// Gives a new agent its previous position (where it is).
fn remember_new(added: On<Add, Position>, positions: Query<&Position>, mut commands: Commands) {
    if let Ok(p) = positions.get(added.entity) {
        commands.entity(added.entity).insert(PreviousPosition(p.0));
    }
}

/// Before each fixed step: the current positions become the previous ones.
fn remember_positions(mut agents: Query<(&Position, &mut PreviousPosition)>) {
    agents.par_iter_mut().for_each(|(p, mut prev)| prev.0 = p.0);
}

/// After the frame's fixed steps: how far real time has run into the next step, or 1 while the
/// simulation holds.
fn blend(control: Res<SimControl>, clock: Res<SimClock>, time: Res<Time<Fixed>>, mut blend: ResMut<DrawBlend>) {
    let alpha = if sim_running(control, clock) { time.overstep_fraction().clamp(0.0, 1.0) } else { 1.0 };
    if blend.alpha != alpha {
        blend.alpha = alpha;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_positions_take_the_short_way_across_the_seam() {
        let torus = Space { size: Vec2::new(100.0, 100.0), wrap: true };
        assert_eq!(drawn_position(&torus, Vec2::new(10.0, 10.0), Vec2::new(20.0, 30.0), 0.5), Vec2::new(15.0, 20.0));
        // from x = 98 to x = 2 is 4 units to the right, through the seam
        let p = drawn_position(&torus, Vec2::new(98.0, 50.0), Vec2::new(2.0, 50.0), 0.25);
        assert!((p - Vec2::new(99.0, 50.0)).length() < 1e-4, "{p:?}");
        let p = drawn_position(&torus, Vec2::new(98.0, 50.0), Vec2::new(2.0, 50.0), 0.75);
        assert!((p - Vec2::new(1.0, 50.0)).length() < 1e-4, "{p:?}");
        assert_eq!(drawn_position(&torus, Vec2::new(98.0, 50.0), Vec2::new(2.0, 50.0), 1.0), Vec2::new(2.0, 50.0), "exact at 1");
    }
}
