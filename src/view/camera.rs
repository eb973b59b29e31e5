//! Cameras: the view camera marker, fitting the world into a viewport, and the camera that shows
//! the whole world in an image (recordings).

use bevy::asset::RenderAssetUsages;
use bevy::camera::{ImageRenderTarget, RenderTarget};
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat, TextureUsages};
use bevy::render::view::Msaa;

use crate::sim::SimParams;

/// The camera birds are sized for: the window's, or the offscreen recorder's.
#[derive(Component, Debug, Default, Clone, Copy)]
pub struct ViewCamera;

/// The world units per screen pixel that show the whole world with a small margin.
pub fn fit_scale(world: Vec2, viewport: Vec2) -> f32 {
    let viewport = viewport.max(Vec2::ONE);
    (world.x / viewport.x).max(world.y / viewport.y) * 1.05
}

/// The part of the world a fitted view shows (its size; centred on the world's centre): the
/// whole world, or over a roost (an open sky) the roost's neighbourhood, 2.5 roost radii across.
pub fn shown_area(params: &SimParams) -> Vec2 {
    let world = Vec2::new(params.world_width, params.world_height);
    if params.edge_mode == crate::sim::params::EdgeMode::Roost { Vec2::splat(2.5 * params.roost_radius).min(world) } else { world }
}

/// Whether a view of these parameters follows the flock unless told otherwise: over a roost (an
/// open sky, where the flock roams the roost's neighbourhood).
pub fn follows_by_default(params: &SimParams) -> bool {
    params.edge_mode == crate::sim::params::EdgeMode::Roost
}

/// The mean position of the birds, where a camera that follows the flock looks (`None`: no birds).
pub fn flock_centre(positions: impl ExactSizeIterator<Item = Vec2>) -> Option<Vec2> {
    let n = positions.len();
    (n > 0).then(|| positions.sum::<Vec2>() / n as f32)
}

/// The part of the world a recording that follows the flock shows (its size): over a roost,
/// 1.25 roost radii across, about the size of a flock there.
pub fn follow_area(params: &SimParams) -> Vec2 {
    Vec2::splat(1.25 * params.roost_radius).min(shown_area(params))
}

/// A GPU image a camera can render into and be read back from.
pub fn target_image(images: &mut Assets<Image>, size: (u32, u32)) -> Handle<Image> {
    let mut image = Image::new_fill(
        Extent3d { width: size.0, height: size.1, depth_or_array_layers: 1 },
        TextureDimension::D2,
        &[0, 0, 0, 255],
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::default(),
    );
    image.texture_descriptor.usage = TextureUsages::COPY_SRC | TextureUsages::RENDER_ATTACHMENT | TextureUsages::TEXTURE_BINDING;
    images.add(image)
}

/// A camera that shows `area` of the world (e.g. [`shown_area`]) around its centre, fitted into an
/// image of `size` pixels.
pub fn world_camera(target: Handle<Image>, params: &SimParams, area: Vec2, size: (u32, u32)) -> impl Bundle {
    let world = Vec2::new(params.world_width, params.world_height);
    let mut projection = OrthographicProjection::default_2d();
    projection.scale = fit_scale(area, Vec2::new(size.0 as f32, size.1 as f32));
    (
        Camera2d,
        Msaa::Off,
        RenderTarget::Image(ImageRenderTarget::from(target)),
        Projection::Orthographic(projection),
        Transform::from_translation((world * 0.5).extend(0.0)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_following_camera_looks_at_the_flock_and_frames_the_roost_closer() {
        assert_eq!(flock_centre([Vec2::new(0.0, 0.0), Vec2::new(4.0, 2.0)].into_iter()), Some(Vec2::new(2.0, 1.0)));
        assert_eq!(flock_centre(std::iter::empty::<Vec2>()), None);
        let mut params = SimParams { edge_mode: crate::sim::params::EdgeMode::Roost, roost_radius: 100.0, ..default() };
        assert_eq!((shown_area(&params), follow_area(&params)), (Vec2::splat(250.0), Vec2::splat(125.0)));
        params.world_width = 100.0;
        assert_eq!(follow_area(&params), Vec2::new(100.0, 125.0), "never more than the world");
    }
}
