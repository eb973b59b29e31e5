//! Drawing the flock: one mesh holding a triangle per bird and per predator, rebuilt each frame
//! from the simulation's positions and velocities (one draw call), coloured by the chosen mode.

use std::collections::HashMap;

use bevy::asset::RenderAssetUsages;
use bevy::mesh::PrimitiveTopology;
use bevy::prelude::*;

use super::state::{ColorMode, UiState};
use crate::metrics::Metrics;
use crate::sim::{Bird, Position, Predator, SimParams, Velocity};

/// Draws the flock.
pub struct BirdRenderPlugin;

impl Plugin for BirdRenderPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ClusterLabels>()
            .add_systems(Startup, spawn_flock_mesh)
            .add_systems(
                Update,
                (refresh_cluster_labels, (update_flock_mesh, draw_border)).chain().in_set(super::AppSystems::Draw),
            );
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

fn linear(color: Color) -> [f32; 4] {
    LinearRgba::from(color).to_f32_array()
}

/// A colour for a heading: hue follows the direction of flight (a 720-entry table: the HSL to
/// linear conversion costs more than the rest of a bird's drawing).
pub fn heading_color(vel: Vec2) -> [f32; 4] {
    const STEPS: usize = 720;
    static TABLE: std::sync::OnceLock<Vec<[f32; 4]>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| (0..STEPS).map(|i| linear(Color::hsl(i as f32 * 360.0 / STEPS as f32, 0.75, 0.65))).collect());
    let turn = vel.to_angle() / std::f32::consts::TAU; // −0.5..0.5
    let i = ((turn.rem_euclid(1.0) * STEPS as f32) as usize).min(STEPS - 1);
    table[i]
}

/// A stable colour for a cluster label (the smallest bird id in it): the same label keeps its
/// colour as birds join and leave.
pub fn cluster_color(label: u32) -> [f32; 4] {
    let hue = (label.wrapping_mul(2_654_435_761) >> 16) as f32 / 65536.0 * 360.0;
    linear(Color::hsl(hue, 0.8, 0.6))
}

/// A colour for a speed between `min` and `max`: blue (slow) to yellow (fast).
pub fn speed_color(speed: f32, min: f32, max: f32) -> [f32; 4] {
    let t = if max > min { ((speed - min) / (max - min)).clamp(0.0, 1.0) } else { 1.0 };
    linear(Color::hsl(220.0 - 170.0 * t, 0.8, 0.45 + 0.2 * t))
}

#[allow(clippy::too_many_arguments)]
fn update_flock_mesh(
    birds: Query<(&Bird, &Position, &Velocity)>,
    predators: Query<(&Position, &Velocity), With<Predator>>,
    flock: Single<&Mesh2d, With<FlockMesh>>,
    predator_mesh: Single<&Mesh2d, (With<PredatorMesh>, Without<FlockMesh>)>,
    camera: Single<&Projection, With<super::camera::ViewCamera>>,
    state: Res<UiState>,
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
    let n = if state.splat_active(birds.iter().len()) { 0 } else { birds.iter().len() };
    let dots = state.draw_mode.dots(n);
    let per_bird = if dots { 1 } else { 3 };
    let mut positions = Vec::with_capacity(n * per_bird);
    let mut colors = Vec::with_capacity(n * per_bird);
    for (bird, p, v) in birds.iter().take(n) {
        if dots {
            positions.push([p.0.x, p.0.y, 0.0]);
        } else {
            for corner in bird_triangle(p.0, v.0, length) {
                positions.push([corner.x, corner.y, 0.0]);
            }
        }
        let c = bird_color(state.color_mode, bird, v.0, &params, &clusters.of);
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
    for (p, v) in &predators {
        for corner in bird_triangle(p.0, v.0, BIRD_PIXELS * scale * PREDATOR_SCALE) {
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

/// Each bird's cluster label (bird id → label) as of the last metrics sample, for the cluster
/// colour mode; shared by the mesh and the compute-shader dots.
#[derive(Resource, Default)]
pub(super) struct ClusterLabels {
    /// One past the sample's step (0: never read).
    read_at: u64,
    /// Bird id → cluster label.
    pub(super) of: HashMap<u32, u32>,
}

/// Re-reads the cluster labels after each metrics sample (only in the cluster colour mode).
pub(super) fn refresh_cluster_labels(mut labels: ResMut<ClusterLabels>, state: Res<UiState>, metrics: Option<Res<Metrics>>) {
    if state.color_mode == ColorMode::Cluster
        && let Some(m) = metrics
        && let Some(latest) = m.latest()
        && (labels.read_at != latest.step + 1 || labels.of.is_empty())
    {
        labels.read_at = latest.step + 1;
        labels.of = m.last_clusters.pairs().collect();
    }
}

/// A bird's colour in a colour mode (`clusters`: bird id → cluster label).
pub(super) fn bird_color(mode: ColorMode, bird: &Bird, vel: Vec2, params: &SimParams, clusters: &HashMap<u32, u32>) -> [f32; 4] {
    let single = linear(Color::srgb(0.75, 0.85, 1.0));
    match mode {
        ColorMode::Single => single,
        ColorMode::Heading => heading_color(vel),
        ColorMode::Speed => speed_color(vel.length(), params.min_speed, params.max_speed),
        ColorMode::Cluster => clusters.get(&bird.id).map_or(single, |&l| cluster_color(l)),
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

fn draw_border(params: Res<SimParams>, mut gizmos: Gizmos) {
    let size = Vec2::new(params.world_width, params.world_height);
    gizmos.rect_2d(Isometry2d::from_translation(size * 0.5), size, Color::srgba(0.5, 0.6, 0.8, 0.6));
}
