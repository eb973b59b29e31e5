//! The 2D camera: fits the world on start.

use bevy::prelude::*;
use bevy::render::view::Msaa;

use crate::sim::SimParams;

/// Spawns and fits the camera.
pub struct CameraPlugin;

impl Plugin for CameraPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Startup, spawn_camera)
            .add_systems(Update, fit_on_resize.in_set(super::AppSystems::Camera));
    }
}

/// The world units per screen pixel that show the whole world with a small margin.
pub fn fit_scale(world: Vec2, viewport: Vec2) -> f32 {
    let viewport = viewport.max(Vec2::ONE);
    (world.x / viewport.x).max(world.y / viewport.y) * 1.05
}

fn spawn_camera(mut commands: Commands, params: Res<SimParams>) {
    let center = Vec2::new(params.world_width, params.world_height) * 0.5;
    commands.spawn((
        Camera2d,
        Msaa::Off,
        Transform::from_translation(center.extend(0.0)),
    ));
}

fn fit_on_resize(
    params: Res<SimParams>,
    window: Single<&Window>,
    camera: Single<(&mut Projection, &mut Transform), With<Camera2d>>,
    mut last: Local<Option<(Vec2, Vec2)>>,
) {
    let world = Vec2::new(params.world_width, params.world_height);
    let viewport = window.size();
    if *last == Some((world, viewport)) {
        return;
    }
    *last = Some((world, viewport));
    let (mut projection, mut transform) = camera.into_inner();
    if let Projection::Orthographic(ortho) = &mut *projection {
        ortho.scale = fit_scale(world, viewport);
    }
    transform.translation = (world * 0.5).extend(0.0);
}
