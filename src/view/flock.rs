//! Drawing the flock: one mesh holding a triangle per bird and per predator, rebuilt each frame
//! from the simulation's positions and velocities (one draw call), coloured by the chosen mode.

use bevy::asset::RenderAssetUsages;
use bevy::mesh::PrimitiveTopology;
use bevy::prelude::*;

use super::ViewSystems;
use super::camera::ViewCamera;
use super::colors::{ClusterLabels, DrawnBird, bird_color, refresh_cluster_labels};
use super::draw::DrawSettings;
use super::interpolate::{DrawBlend, PreviousPosition};
use crate::sim::space::Space;
use crate::sim::{Position, Predator, SimParams, Velocity};

/// Draws the flock, the predators and the world's border.
pub struct FlockDrawPlugin;

impl Plugin for FlockDrawPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ClusterLabels>()
            .init_resource::<DrawSettings>()
            .init_resource::<DrawBlend>()
            .add_systems(Startup, spawn_flock_mesh)
            .add_systems(Update, (refresh_cluster_labels, (update_flock_mesh, draw_border)).chain().in_set(ViewSystems::Draw));
    }
}

/// Marks the entity holding the flock mesh.
#[derive(Component)]
struct FlockMesh;

/// Marks the entity holding the predators' mesh.
#[derive(Component)]
struct PredatorMesh;

/// Largest bird length on screen, in pixels (the mesh is rescaled with the zoom).
const BIRD_PIXELS: f32 = 9.0;
/// Predators are drawn this many times larger.
const PREDATOR_SCALE: f32 = 2.6;
const PREDATOR_COLOR: [f32; 4] = [1.0, 0.12, 0.08, 1.0];

fn empty_mesh(topology: PrimitiveTopology) -> Mesh {
    Mesh::new(topology, RenderAssetUsages::default())
        .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, Vec::<[f32; 3]>::new())
        .with_inserted_attribute(Mesh::ATTRIBUTE_COLOR, Vec::<[f32; 4]>::new())
}

fn spawn_flock_mesh(mut commands: Commands, mut meshes: ResMut<Assets<Mesh>>, mut materials: ResMut<Assets<ColorMaterial>>) {
    let material = materials.add(ColorMaterial::default());
    commands.spawn((
        FlockMesh,
        Mesh2d(meshes.add(empty_mesh(PrimitiveTopology::TriangleList))),
        MeshMaterial2d(material.clone()),
        Transform::default(),
    ));
    commands.spawn((
        PredatorMesh,
        Mesh2d(meshes.add(empty_mesh(PrimitiveTopology::TriangleList))),
        MeshMaterial2d(material),
        Transform::from_xyz(0.0, 0.0, 0.1),
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

#[allow(clippy::too_many_arguments)]
fn update_flock_mesh(
    birds: Query<DrawnBird>,
    predators: Query<(&Position, &Velocity, Option<&PreviousPosition>), With<Predator>>,
    blend: Res<DrawBlend>,
    flock: Single<&Mesh2d, With<FlockMesh>>,
    predator_mesh: Single<&Mesh2d, (With<PredatorMesh>, Without<FlockMesh>)>,
    camera: Single<&Projection, With<ViewCamera>>,
    draw: Res<DrawSettings>,
    params: Res<SimParams>,
    clusters: Res<ClusterLabels>,
    mut meshes: ResMut<Assets<Mesh>>,
) {
    let scale = match *camera {
        Projection::Orthographic(o) => o.scale,
        _ => 1.0,
    };
    // about the separation spacing in world units, but never under 3 or over 9 pixels
    let length = (0.8 * params.separation_radius).clamp(3.0 * scale, BIRD_PIXELS * scale);
    // In the "gpu" mode the compute shader draws the birds (see splat.rs).
    let n = if draw.splat_active(birds.iter().len()) { 0 } else { birds.iter().len() };
    let dots = draw.draw_mode.dots(n);
    let per_bird = if dots { 1 } else { 3 };
    let mut positions = Vec::with_capacity(n * per_bird);
    let mut colors = Vec::with_capacity(n * per_bird);
    let space = Space::from_params(&params);
    for (bird, p, v, prev, alarm) in birds.iter().take(n) {
        let p = blend.place(&space, p, prev);
        if dots {
            positions.push([p.x, p.y, 0.0]);
        } else {
            for corner in bird_triangle(p, v.0, length) {
                positions.push([corner.x, corner.y, 0.0]);
            }
        }
        let c = bird_color(draw.color_mode, bird, v.0, alarm.copied().unwrap_or_default(), &params, &clusters.of);
        colors.extend(std::iter::repeat_n(c, per_bird));
    }
    let topology = if dots { PrimitiveTopology::PointList } else { PrimitiveTopology::TriangleList };
    keep_nonempty(&mut positions, &mut colors);
    if let Some(mut mesh) = meshes.get_mut(&flock.0) {
        if mesh.primitive_topology() != topology {
            *mesh = empty_mesh(topology);
        }
        mesh.insert_attribute(Mesh::ATTRIBUTE_POSITION, positions);
        mesh.insert_attribute(Mesh::ATTRIBUTE_COLOR, colors);
    }
    let mut positions = Vec::new();
    for (p, v, prev) in &predators {
        for corner in bird_triangle(blend.place(&space, p, prev), v.0, BIRD_PIXELS * scale * PREDATOR_SCALE) {
            positions.push([corner.x, corner.y, 0.0]);
        }
    }
    let mut colors = vec![PREDATOR_COLOR; positions.len()];
    keep_nonempty(&mut positions, &mut colors);
    if let Some(mut mesh) = meshes.get_mut(&predator_mesh.0) {
        mesh.insert_attribute(Mesh::ATTRIBUTE_POSITION, positions);
        mesh.insert_attribute(Mesh::ATTRIBUTE_COLOR, colors);
    }
}

/// An empty vertex buffer upsets Bevy's mesh allocator (it logs an error every frame), so an
/// empty mesh gets one invisible, zero-area triangle.
fn keep_nonempty(positions: &mut Vec<[f32; 3]>, colors: &mut Vec<[f32; 4]>) {
    if positions.is_empty() {
        positions.extend([[0.0; 3]; 3]);
        colors.extend([[0.0; 4]; 3]);
    }
}

/// The world's walls; in roost mode (an open sky) a faint ring where the roost's pull begins
/// instead.
fn draw_border(params: Res<SimParams>, mut gizmos: Gizmos) {
    let size = Vec2::new(params.world_width, params.world_height);
    if params.edge_mode == crate::sim::params::EdgeMode::Roost {
        gizmos.circle_2d(Isometry2d::from_translation(size * 0.5), params.roost_radius, Color::srgba(0.5, 0.6, 0.8, 0.15));
    } else {
        gizmos.rect_2d(Isometry2d::from_translation(size * 0.5), size, Color::srgba(0.5, 0.6, 0.8, 0.6));
    }
}
