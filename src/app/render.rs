//! Drawing the birds: one mesh holding a triangle per bird, rebuilt each frame from the
//! simulation's positions and velocities (one draw call), and the world's border.

use bevy::asset::RenderAssetUsages;
use bevy::mesh::PrimitiveTopology;
use bevy::prelude::*;

use crate::sim::{Bird, Position, SimParams, Velocity};

/// Draws the flock.
pub struct BirdRenderPlugin;

impl Plugin for BirdRenderPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Startup, spawn_flock_mesh)
            .add_systems(Update, (update_flock_mesh, draw_border).in_set(super::AppSystems::Draw));
    }
}

/// Marks the entity holding the flock mesh.
#[derive(Component)]
struct FlockMesh;

/// Bird length on screen, in pixels (the mesh is rescaled with the zoom).
const BIRD_PIXELS: f32 = 7.0;

fn empty_mesh() -> Mesh {
    Mesh::new(PrimitiveTopology::TriangleList, RenderAssetUsages::default())
        .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, Vec::<[f32; 3]>::new())
        .with_inserted_attribute(Mesh::ATTRIBUTE_COLOR, Vec::<[f32; 4]>::new())
}

fn spawn_flock_mesh(mut commands: Commands, mut meshes: ResMut<Assets<Mesh>>, mut materials: ResMut<Assets<ColorMaterial>>) {
    commands.spawn((
        FlockMesh,
        Mesh2d(meshes.add(empty_mesh())),
        MeshMaterial2d(materials.add(ColorMaterial::default())),
        Transform::default(),
    ));
}

/// The three corners of a bird's triangle: nose ahead along the heading, tail corners behind.
pub fn bird_triangle(pos: Vec2, vel: Vec2, length: f32) -> [Vec2; 3] {
    let dir = vel.normalize_or(Vec2::X);
    let side = dir.perp();
    [
        pos + dir * (0.6 * length),
        pos - dir * (0.4 * length) + side * (0.3 * length),
        pos - dir * (0.4 * length) - side * (0.3 * length),
    ]
}

/// A colour for a heading: hue follows the direction of flight.
pub fn heading_color(vel: Vec2) -> [f32; 4] {
    let hue = (vel.to_angle().to_degrees() + 360.0) % 360.0;
    let c: LinearRgba = Color::hsl(hue, 0.75, 0.65).into();
    c.to_f32_array()
}

fn update_flock_mesh(
    birds: Query<(&Position, &Velocity), With<Bird>>,
    flock: Single<&Mesh2d, With<FlockMesh>>,
    camera: Single<&Projection, With<Camera2d>>,
    mut meshes: ResMut<Assets<Mesh>>,
) {
    let scale = match *camera {
        Projection::Orthographic(o) => o.scale,
        _ => 1.0,
    };
    let length = BIRD_PIXELS * scale;
    let n = birds.iter().len();
    let mut positions = Vec::with_capacity(n * 3);
    let mut colors = Vec::with_capacity(n * 3);
    for (p, v) in &birds {
        for corner in bird_triangle(p.0, v.0, length) {
            positions.push([corner.x, corner.y, 0.0]);
        }
        let c = heading_color(v.0);
        colors.extend([c, c, c]);
    }
    let Some(mut mesh) = meshes.get_mut(&flock.0) else { return };
    mesh.insert_attribute(Mesh::ATTRIBUTE_POSITION, positions);
    mesh.insert_attribute(Mesh::ATTRIBUTE_COLOR, colors);
}

fn draw_border(params: Res<SimParams>, mut gizmos: Gizmos) {
    let size = Vec2::new(params.world_width, params.world_height);
    gizmos.rect_2d(Isometry2d::from_translation(size * 0.5), size, Color::srgba(0.5, 0.6, 0.8, 0.6));
}
