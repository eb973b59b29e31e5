//! Overlays: predators' fear radius, grid cells, and for an inspected bird its neighbour radius,
//! field of view, neighbour links and the force of each rule.

use bevy::prelude::*;

use super::state::UiState;
use crate::view::interpolate::{DrawBlend, PreviousPosition};
use crate::sim::predator::flee::{fear, flee_force};
use crate::sim::rules::{Perception, alignment_force, cohesion_force, separation_force};
use crate::sim::space::Space;
use crate::sim::systems::NeighborSumsBuf;
use crate::sim::{Bird, GridSlot, Position, PredationLog, Predator, SimParams, SpatialGrid, Velocity};

/// Draws the overlays with gizmos.
pub struct OverlayPlugin;

impl Plugin for OverlayPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Update, (fear_circles, grid_cells, inspected_bird, catch_markers).in_set(super::AppSystems::Draw));
    }
}

/// Each predator's fear and catch radius, around where its triangle is drawn.
fn fear_circles(
    state: Res<UiState>,
    params: Res<SimParams>,
    blend: Res<DrawBlend>,
    predators: Query<(&Position, Option<&PreviousPosition>), With<Predator>>,
    mut gizmos: Gizmos,
) {
    if !state.show_fear || params.fear_radius <= 0.0 {
        return;
    }
    let space = Space::from_params(&params);
    for (p, prev) in &predators {
        let at = blend.place(&space, p, prev);
        gizmos.circle_2d(Isometry2d::from_translation(at), params.fear_radius, Color::srgba(1.0, 0.3, 0.2, 0.35));
        gizmos.circle_2d(Isometry2d::from_translation(at), params.catch_radius, Color::srgba(1.0, 0.3, 0.2, 0.8));
    }
}

/// Simulated seconds a catch's ring stays in the world (fading and widening).
pub const MARKER_LIFE_S: f32 = 4.0;

/// The ring drawn where a bird was caught `age_s` ago: radius and opacity, `None` once faded.
pub fn marker_ring(age_s: f32, catch_radius: f32) -> Option<(f32, f32)> {
    let f = age_s / MARKER_LIFE_S;
    (0.0..1.0).contains(&f).then(|| (catch_radius.max(4.0) * (1.5 + 4.0 * f), 0.9 * (1.0 - f)))
}

/// A fading ring at each recent catch: where the falcon struck (with the captions, T).
fn catch_markers(state: Res<UiState>, params: Res<SimParams>, clock: Res<crate::sim::SimClock>, log: Res<PredationLog>, mut gizmos: Gizmos) {
    if !state.show_captions {
        return;
    }
    let dt = params.dt();
    for kill in log.kills.iter().rev() {
        let age = clock.step.saturating_sub(kill.step) as f32 * dt;
        let Some((radius, alpha)) = marker_ring(age, params.catch_radius) else { break };
        gizmos.circle_2d(Isometry2d::from_translation(kill.position), radius, Color::srgba(1.0, 0.85, 0.3, alpha));
    }
}

fn grid_cells(state: Res<UiState>, grid: Res<SpatialGrid>, mut gizmos: Gizmos) {
    let Some(space) = grid.space_opt() else { return };
    if !state.show_grid {
        return;
    }
    let (cx, cy) = grid.dims();
    if cx * cy > 40_000 {
        return; // too many lines to be useful
    }
    let cell = grid.cell_size();
    let color = Color::srgba(0.4, 0.5, 0.7, 0.25);
    for x in 1..cx {
        let x = x as f32 * cell.x;
        gizmos.line_2d(Vec2::new(x, 0.0), Vec2::new(x, space.size.y), color);
    }
    for y in 1..cy {
        let y = y as f32 * cell.y;
        gizmos.line_2d(Vec2::new(0.0, y), Vec2::new(space.size.x, y), color);
    }
}

fn inspected_bird(
    mut state: ResMut<UiState>,
    params: Res<SimParams>,
    grid: Res<SpatialGrid>,
    birds: Query<(&Position, &Velocity, &GridSlot), With<Bird>>,
    all_sums: Res<NeighborSumsBuf>,
    predators: Query<&Position, With<Predator>>,
    mut gizmos: Gizmos,
) {
    let Some(selected) = state.selected else { return };
    let Ok((pos, vel, slot)) = birds.get(selected) else {
        state.selected = None;
        return;
    };
    let (p, v) = (pos.0, vel.0);
    let white = Color::srgba(1.0, 1.0, 1.0, 0.8);
    gizmos.circle_2d(Isometry2d::from_translation(p), params.neighbor_radius, white);
    gizmos.circle_2d(Isometry2d::from_translation(p), params.separation_radius, Color::srgba(1.0, 0.6, 0.6, 0.8));
    // field of view: the two edges of the visible arc
    if params.fov_deg < 360.0 {
        let half = (params.fov_deg * 0.5).to_radians();
        let dir = v.normalize_or(Vec2::X);
        for side in [-half, half] {
            gizmos.line_2d(p, p + Vec2::from_angle(side).rotate(dir) * params.neighbor_radius, Color::srgba(1.0, 1.0, 0.4, 0.8));
        }
    }
    // links to the neighbours it sees
    if grid.space_opt().is_some() && !grid.is_empty() {
        let per = Perception::from_params(&params);
        grid.for_each_within(p, params.neighbor_radius, |_, offset, d2| {
            if d2 > 0.0 && per.sees(v, offset, d2) {
                gizmos.line_2d(p, p + offset, Color::srgba(0.5, 0.9, 1.0, 0.5));
            }
        });
    }
    // the rule forces (scaled to be visible)
    let sums = all_sums.0.get(slot.0 as usize).copied().unwrap_or_default();
    let sums = &sums;
    let k = params.neighbor_radius / params.max_force.max(1.0);
    let space = Space::from_params(&params);
    let mut away = Vec2::ZERO;
    for pred in &predators {
        away += fear(space.offset(p, pred.0), params.fear_radius);
    }
    let flee = flee_force(away, v, &params);
    for (force, color) in [
        (separation_force(sums, v, &params), Color::srgb(1.0, 0.35, 0.35)),
        (alignment_force(sums, v, &params), Color::srgb(0.35, 0.7, 1.0)),
        (cohesion_force(sums, v, &params), Color::srgb(0.4, 1.0, 0.4)),
        (flee, Color::srgb(1.0, 0.6, 0.0)),
    ] {
        if force != Vec2::ZERO {
            gizmos.arrow_2d(p, p + force * k, color);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catch_ring_widens_and_fades_then_goes() {
        let (r0, a0) = marker_ring(0.0, 8.0).unwrap();
        let (r1, a1) = marker_ring(2.0, 8.0).unwrap();
        assert!(r1 > r0 && a1 < a0 && a1 > 0.0, "{r0} {a0} → {r1} {a1}");
        assert_eq!(marker_ring(MARKER_LIFE_S, 8.0), None);
    }
}
