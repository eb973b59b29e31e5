//! GPU dots ("gpu" draw mode): every bird is written as a dot straight into a window-sized storage
//! texture by a compute shader (`splat.wgsl`), which one sprite then shows. No triangles and no
//! rasterizer per bird, so on a software Vulkan (lavapipe) a bird costs a few shader instructions
//! instead of a rasterized primitive. Where birds overlap, which colour wins is up to the GPU: this
//! mode is for looking, recordings use the mesh.

use std::borrow::Cow;
use std::sync::Arc;

use bevy::asset::RenderAssetUsages;
use bevy::core_pipeline::schedule::camera_driver;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::extract_resource::{ExtractResource, ExtractResourcePlugin};
use bevy::render::render_asset::RenderAssets;
use bevy::render::render_resource::binding_types::{storage_buffer_read_only_sized, texture_storage_2d, uniform_buffer};
use bevy::render::render_resource::*;
use bevy::render::renderer::{RenderContext, RenderDevice, RenderGraph, RenderQueue};
use bevy::render::texture::GpuImage;
use bevy::render::{Render, RenderApp, RenderStartup, RenderSystems};
use bevy::window::PrimaryWindow;

use super::ViewSystems;
use super::camera::ViewCamera;
use super::colors::{ClusterLabels, DrawnBird, bird_color, refresh_cluster_labels};
use super::draw::DrawSettings;
use super::interpolate::DrawBlend;
use crate::sim::space::Space;
use crate::sim::SimParams;

/// What the compute shader draws this frame (extracted to the render world).
#[derive(Resource, Clone, Default, ExtractResource)]
pub struct SplatFrame {
    /// The storage texture.
    pub image: Option<Handle<Image>>,
    /// Its size in pixels (the world's rectangle on screen, rounded up).
    pub size: UVec2,
    /// Per bird: pixel x, pixel y, packed RGBA8 colour (as f32 bits), unused.
    pub birds: Arc<Vec<[f32; 4]>>,
    /// Dot size: 0 → 1 pixel, 1 → 2×2 pixels.
    pub radius: u32,
    /// Whether the mode is on.
    pub active: bool,
}

#[derive(Component)]
struct SplatSprite;

/// The sprite showing the texture.
type SpriteParts<'a> = (&'a mut Sprite, &'a mut Transform, &'a mut Visibility);

#[derive(Resource, Clone)]
struct SplatShader(Handle<Shader>);

/// The "gpu" draw mode.
pub struct SplatPlugin;

impl Plugin for SplatPlugin {
    fn build(&self, app: &mut App) {
        let shader = app
            .world_mut()
            .resource_mut::<Assets<Shader>>()
            .add(Shader::from_wgsl(include_str!("splat.wgsl"), "murmuration/splat.wgsl"));
        app.init_resource::<SplatFrame>()
            .add_plugins(ExtractResourcePlugin::<SplatFrame>::default())
            .add_systems(Startup, spawn_sprite)
            .add_systems(Update, update_splat.after(refresh_cluster_labels).in_set(ViewSystems::Draw));
        let Some(render_app) = app.get_sub_app_mut(RenderApp) else { return };
        render_app
            .insert_resource(SplatShader(shader))
            .init_resource::<SplatBuffer>()
            .add_systems(RenderStartup, init_pipeline)
            .add_systems(Render, prepare_bind_group.in_set(RenderSystems::PrepareBindGroups))
            .add_systems(RenderGraph, dispatch.before(camera_driver));
    }
}

fn spawn_sprite(mut commands: Commands, mut draw: ResMut<DrawSettings>) {
    draw.gpu_dots = true;
    commands.spawn((SplatSprite, Sprite::default(), Transform::from_xyz(0.0, 0.0, 0.05), Visibility::Hidden));
}

fn storage_image(size: UVec2) -> Image {
    let mut image = Image::new_fill(
        Extent3d { width: size.x, height: size.y, depth_or_array_layers: 1 },
        TextureDimension::D2,
        &[0, 0, 0, 0],
        TextureFormat::Rgba8Unorm,
        RenderAssetUsages::RENDER_WORLD,
    );
    image.texture_descriptor.usage = TextureUsages::STORAGE_BINDING | TextureUsages::TEXTURE_BINDING | TextureUsages::COPY_DST;
    image.sampler = ImageSampler::nearest();
    image
}

/// Packs a linear colour as RGBA8 in the bits of an f32 (read back with `unpack4x8unorm`).
fn pack(c: [f32; 4]) -> f32 {
    let b = |v: f32| (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u32;
    f32::from_bits(b(c[0]) | b(c[1]) << 8 | b(c[2]) << 16 | 255 << 24)
}

/// World units ↔ the window's physical pixels (y down) through the view camera.
struct PixelMap {
    centre: Vec2,
    half: Vec2,
    /// Pixels per world unit.
    ppu: f32,
}

impl PixelMap {
    fn new(window: &Window, cam: &Transform, projection: &Projection) -> Self {
        let scale = match projection {
            Projection::Orthographic(o) => o.scale,
            _ => 1.0,
        };
        let half = Vec2::new(window.physical_width() as f32, window.physical_height() as f32) * 0.5;
        Self { centre: cam.translation.truncate(), half, ppu: window.scale_factor() / scale }
    }

    fn to_px(&self, w: Vec2) -> Vec2 {
        Vec2::new(self.half.x + (w.x - self.centre.x) * self.ppu, self.half.y - (w.y - self.centre.y) * self.ppu)
    }

    fn to_world(&self, px: Vec2) -> Vec2 {
        Vec2::new(self.centre.x + (px.x - self.half.x) / self.ppu, self.centre.y - (px.y - self.half.y) / self.ppu)
    }
}

/// Builds the frame's dot list in pixel coordinates and places the sprite over the view.
#[allow(clippy::too_many_arguments)]
fn update_splat(
    mut frame: ResMut<SplatFrame>,
    draw: Res<DrawSettings>,
    params: Res<SimParams>,
    clusters: Res<ClusterLabels>,
    birds: Query<DrawnBird>,
    blend: Res<DrawBlend>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&Transform, &Projection), With<ViewCamera>>,
    mut images: ResMut<Assets<Image>>,
    sprite: Single<SpriteParts, (With<SplatSprite>, Without<ViewCamera>)>,
) {
    let (mut sprite, mut transform, mut visibility) = sprite.into_inner();
    let active = draw.splat_active(birds.iter().len());
    if !active {
        if frame.active {
            frame.active = false;
            frame.birds = Arc::default();
            *visibility = Visibility::Hidden;
        }
        return;
    }
    let (cam, projection) = camera.into_inner();
    let map = PixelMap::new(&window, cam, projection);
    let (ppu, half) = (map.ppu, map.half);
    let to_px = |w: Vec2| map.to_px(w);
    // The texture covers only the world's rectangle on screen (clipped to the window), rounded up
    // to 32 pixels so zooming does not reallocate it every frame.
    let lo = to_px(Vec2::new(0.0, params.world_height)).max(Vec2::ZERO).floor();
    let hi = to_px(Vec2::new(params.world_width, 0.0)).min(half * 2.0).ceil();
    if hi.x <= lo.x || hi.y <= lo.y {
        *visibility = Visibility::Hidden;
        frame.active = false;
        return;
    }
    let size = ((hi - lo).as_uvec2() + UVec2::splat(31)) / 32 * 32;
    if frame.image.is_none() || frame.size != size {
        let handle = images.add(storage_image(size));
        sprite.image = handle.clone();
        frame.image = Some(handle);
        frame.size = size;
    }
    let mut dots = Vec::with_capacity(birds.iter().len());
    let space = Space::from_params(&params);
    for (bird, p, v, prev, alarm) in &birds {
        let p = blend.place(&space, p, prev);
        let px = to_px(p) - lo;
        let c = bird_color(draw.color_mode, bird, v.0, alarm.copied().unwrap_or_default(), &params, &clusters.of);
        dots.push([px.x, px.y, pack(c), 0.0]);
    }
    frame.birds = Arc::new(dots);
    frame.radius = u32::from(ppu > 1.5);
    frame.active = true;
    sprite.custom_size = Some(size.as_vec2() / ppu);
    transform.translation = map.to_world(lo + size.as_vec2() * 0.5).extend(0.05);
    *visibility = Visibility::Visible;
}

#[derive(ShaderType, Clone, Copy)]
struct SplatParams {
    count: u32,
    width: u32,
    height: u32,
    radius: u32,
}

#[derive(Resource)]
struct SplatPipeline {
    layout: BindGroupLayoutDescriptor,
    clear: CachedComputePipelineId,
    splat: CachedComputePipelineId,
}

#[derive(Resource, Default)]
struct SplatBindGroup(Option<(BindGroup, u32, UVec2)>);

/// The birds' storage buffer, kept between frames and grown (to a power of two) when too small.
#[derive(Resource, Default)]
struct SplatBuffer(Option<Buffer>);

fn init_pipeline(mut commands: Commands, shader: Res<SplatShader>, cache: Res<PipelineCache>) {
    let layout = BindGroupLayoutDescriptor::new(
        "splat",
        &BindGroupLayoutEntries::sequential(
            ShaderStages::COMPUTE,
            (
                texture_storage_2d(TextureFormat::Rgba8Unorm, StorageTextureAccess::WriteOnly),
                storage_buffer_read_only_sized(false, None),
                uniform_buffer::<SplatParams>(false),
            ),
        ),
    );
    let pipeline = |entry: &'static str| {
        cache.queue_compute_pipeline(ComputePipelineDescriptor {
            layout: vec![layout.clone()],
            shader: shader.0.clone(),
            entry_point: Some(Cow::from(entry)),
            ..default()
        })
    };
    let (clear, splat) = (pipeline("clear"), pipeline("splat"));
    commands.insert_resource(SplatPipeline { layout, clear, splat });
}

#[allow(clippy::too_many_arguments)]
fn prepare_bind_group(
    mut commands: Commands,
    mut birds: ResMut<SplatBuffer>,
    pipeline: Res<SplatPipeline>,
    frame: Res<SplatFrame>,
    gpu_images: Res<RenderAssets<GpuImage>>,
    device: Res<RenderDevice>,
    queue: Res<RenderQueue>,
    cache: Res<PipelineCache>,
) {
    let view = frame.image.as_ref().filter(|_| frame.active).and_then(|h| gpu_images.get(h));
    let Some(view) = view else {
        commands.insert_resource(SplatBindGroup(None));
        return;
    };
    let empty = [[0.0f32; 4]];
    let data: &[[f32; 4]] = if frame.birds.is_empty() { &empty } else { &frame.birds };
    let bytes: &[u8] = bytemuck::cast_slice(data);
    if birds.0.as_ref().is_none_or(|b| b.size() < bytes.len() as u64) {
        birds.0 = Some(device.create_buffer(&BufferDescriptor {
            label: Some("splat birds"),
            size: (bytes.len() as u64).next_power_of_two(),
            usage: BufferUsages::STORAGE | BufferUsages::COPY_DST,
            mapped_at_creation: false,
        }));
    }
    let buffer = birds.0.as_ref().expect("just made");
    queue.write_buffer(buffer, 0, bytes);
    let count = frame.birds.len() as u32;
    let mut uniform = UniformBuffer::from(SplatParams { count, width: frame.size.x, height: frame.size.y, radius: frame.radius });
    uniform.write_buffer(&device, &queue);
    let bind_group = device.create_bind_group(
        "splat",
        &cache.get_bind_group_layout(&pipeline.layout),
        &BindGroupEntries::sequential((&view.texture_view, buffer.as_entire_binding(), &uniform)),
    );
    commands.insert_resource(SplatBindGroup(Some((bind_group, count, frame.size))));
}

fn dispatch(mut ctx: RenderContext, bind: Option<Res<SplatBindGroup>>, pipeline: Option<Res<SplatPipeline>>, cache: Res<PipelineCache>) {
    let (Some(bind), Some(pipeline)) = (bind, pipeline) else { return };
    let Some((bind_group, count, size)) = &bind.0 else { return };
    let (Some(clear), Some(splat)) = (cache.get_compute_pipeline(pipeline.clear), cache.get_compute_pipeline(pipeline.splat)) else {
        return;
    };
    let encoder = ctx.command_encoder();
    {
        let mut pass = encoder.begin_compute_pass(&ComputePassDescriptor { label: Some("splat clear"), ..default() });
        pass.set_bind_group(0, bind_group, &[]);
        pass.set_pipeline(clear);
        pass.dispatch_workgroups(size.x.div_ceil(8), size.y.div_ceil(8), 1);
    }
    if *count > 0 {
        let mut pass = encoder.begin_compute_pass(&ComputePassDescriptor { label: Some("splat birds"), ..default() });
        pass.set_bind_group(0, bind_group, &[]);
        pass.set_pipeline(splat);
        pass.dispatch_workgroups(count.div_ceil(64), 1, 1);
    }
}
