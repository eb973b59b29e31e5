//! The world's geometry: its size, whether it wraps, minimum-image offsets and edge handling.
//!
//! Pure functions over plain values; no ECS.

use bevy::math::Vec2;

use super::params::{EdgeMode, SimParams};
use super::vector::Vector;

/// The world box (a rectangle in 2D, a box in 3D): `[0, size)` on every axis when it wraps,
/// `[0, size]` between walls.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Space<V = Vec2> {
    /// The extent along each axis (width, height in 2D; and depth, up, in 3D).
    pub size: V,
    /// Whether the world is a torus (minimum-image distances, positions wrap).
    pub wrap: bool,
}

impl Space<Vec2> {
    /// The space described by a parameter set.
    pub fn from_params(params: &SimParams) -> Self {
        Self {
            size: Vec2::new(params.world_width, params.world_height),
            wrap: params.edge_mode == EdgeMode::Wrap,
        }
    }
}

impl<V: Vector> Space<V> {
    /// The offset from `from` to `to`: in a wrapping world the shortest one over the seams.
    #[inline]
    pub fn offset(&self, from: V, to: V) -> V {
        let d = to - from;
        if self.wrap { d.zip_axes(self.size, |_, d, len| min_image(d, len)) } else { d }
    }

    /// Brings a position back inside the world: wraps on a torus, clamps otherwise.
    #[inline]
    pub fn contain(&self, p: V) -> V {
        if self.wrap { p.zip_axes(self.size, |_, x, len| wrap_coord(x, len)) } else { p.clamp(V::ZERO, self.size) }
    }

    /// Whether a position is inside the world (half-open on a torus, closed otherwise).
    pub fn contains(&self, p: V) -> bool {
        (0..V::DIM).all(|i| {
            let (x, len) = (p.axis(i), self.size.axis(i));
            if self.wrap { (0.0..len).contains(&x) } else { (0.0..=len).contains(&x) }
        })
    }
}

/// The shortest equivalent of a coordinate difference on a circle of length `len`.
#[inline]
pub fn min_image(d: f32, len: f32) -> f32 {
    let half = 0.5 * len;
    if d > half {
        d - len
    } else if d < -half {
        d + len
    } else {
        d
    }
}

/// Wraps a coordinate into `[0, len)`; always strictly below `len`, even after rounding.
#[inline]
pub fn wrap_coord(x: f32, len: f32) -> f32 {
    if (0.0..len).contains(&x) {
        return x; // what rem_euclid gives, without its division
    }
    let r = x.rem_euclid(len);
    if r >= len || !r.is_finite() { 0.0 } else { r }
}

/// Reflects a coordinate and its velocity component off walls at 0 and `len`.
#[inline]
pub fn bounce_coord(x: f32, v: f32, len: f32) -> (f32, f32) {
    if x < 0.0 {
        ((-x).min(len), v.abs())
    } else if x > len {
        ((2.0 * len - x).max(0.0), -v.abs())
    } else {
        (x, v)
    }
}

/// The steer-back acceleration for a bird within `margin` of a wall: up to `strength`, pointing
/// inward, growing linearly from zero at the margin to full at the wall.
pub fn edge_steer<V: Vector>(p: V, size: V, margin: f32, strength: f32) -> V {
    if margin <= 0.0 {
        return V::ZERO;
    }
    let push = |x: f32, len: f32| {
        let low = (margin - x) / margin;
        let high = (margin - (len - x)) / margin;
        low.clamp(0.0, 1.0) - high.clamp(0.0, 1.0)
    };
    p.zip_axes(size, |_, x, len| push(x, len)) * strength
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_image_sees_across_the_seam() {
        let s = Space { size: Vec2::new(100.0, 50.0), wrap: true };
        assert_eq!(s.offset(Vec2::new(1.0, 1.0), Vec2::new(99.0, 49.0)), Vec2::new(-2.0, -2.0));
        assert_eq!(s.offset(Vec2::new(99.0, 25.0), Vec2::new(1.0, 25.0)), Vec2::new(2.0, 0.0));
        let flat = Space { wrap: false, ..s };
        assert_eq!(flat.offset(Vec2::new(1.0, 1.0), Vec2::new(99.0, 49.0)), Vec2::new(98.0, 48.0));
    }

    #[test]
    fn wrap_coord_stays_below_len() {
        assert_eq!(wrap_coord(-1e-9, 100.0), 0.0);
        assert_eq!(wrap_coord(100.0, 100.0), 0.0);
        assert_eq!(wrap_coord(-1.0, 100.0), 99.0);
        assert_eq!(wrap_coord(250.0, 100.0), 50.0);
    }

    #[test]
    fn bounce_reflects_position_and_velocity() {
        assert_eq!(bounce_coord(-2.0, -5.0, 10.0), (2.0, 5.0));
        assert_eq!(bounce_coord(12.0, 5.0, 10.0), (8.0, -5.0));
        assert_eq!(bounce_coord(500.0, 5.0, 10.0), (0.0, -5.0));
        assert_eq!(bounce_coord(3.0, 5.0, 10.0), (3.0, 5.0));
    }

    #[test]
    fn edge_steer_points_inward_within_margin() {
        let size = Vec2::new(100.0, 100.0);
        assert_eq!(edge_steer(Vec2::new(50.0, 50.0), size, 10.0, 1.0), Vec2::ZERO);
        assert!(edge_steer(Vec2::new(2.0, 50.0), size, 10.0, 1.0).x > 0.0);
        assert!(edge_steer(Vec2::new(50.0, 99.0), size, 10.0, 1.0).y < 0.0);
        assert_eq!(edge_steer(Vec2::new(0.0, 50.0), size, 10.0, 3.0).x, 3.0);
    }

    #[test]
    fn a_box_wraps_clamps_and_steers_on_every_axis() {
        use bevy::math::Vec3;
        let torus = Space { size: Vec3::new(100.0, 50.0, 20.0), wrap: true };
        assert_eq!(torus.offset(Vec3::new(1.0, 1.0, 1.0), Vec3::new(99.0, 49.0, 19.0)), Vec3::new(-2.0, -2.0, -2.0));
        assert_eq!(torus.contain(Vec3::new(-1.0, 60.0, 21.0)), Vec3::new(99.0, 10.0, 1.0));
        assert!(torus.contains(Vec3::new(0.0, 49.9, 19.9)) && !torus.contains(Vec3::new(0.0, 0.0, 20.0)));
        let walled = Space { wrap: false, ..torus };
        assert_eq!(walled.contain(Vec3::new(-1.0, 60.0, 21.0)), Vec3::new(0.0, 50.0, 20.0));
        assert!(walled.contains(Vec3::new(0.0, 50.0, 20.0)) && !walled.contains(Vec3::new(0.0, 0.0, -0.1)));
        let up = edge_steer(Vec3::new(50.0, 25.0, 1.0), torus.size, 5.0, 2.0);
        assert_eq!(up, Vec3::new(0.0, 0.0, 1.6));
    }
}
