//! The world's geometry: its size, whether it wraps, minimum-image offsets and edge handling.
//!
//! Pure functions over plain values; no ECS.

use bevy::math::Vec2;

use super::params::{EdgeMode, SimParams};

/// The world rectangle `[0, size.x) × [0, size.y)` and whether it wraps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Space {
    /// Width and height.
    pub size: Vec2,
    /// Whether the world is a torus (minimum-image distances, positions wrap).
    pub wrap: bool,
}

impl Space {
    /// The space described by a parameter set.
    pub fn from_params(params: &SimParams) -> Self {
        Self {
            size: Vec2::new(params.world_width, params.world_height),
            wrap: params.edge_mode == EdgeMode::Wrap,
        }
    }

    /// The offset from `from` to `to`: in a wrapping world the shortest one over the seams.
    #[inline]
    pub fn offset(&self, from: Vec2, to: Vec2) -> Vec2 {
        let d = to - from;
        if self.wrap {
            Vec2::new(min_image(d.x, self.size.x), min_image(d.y, self.size.y))
        } else {
            d
        }
    }

    /// Brings a position back inside the world: wraps on a torus, clamps otherwise.
    #[inline]
    pub fn contain(&self, p: Vec2) -> Vec2 {
        if self.wrap {
            Vec2::new(wrap_coord(p.x, self.size.x), wrap_coord(p.y, self.size.y))
        } else {
            p.clamp(Vec2::ZERO, self.size)
        }
    }

    /// Whether a position is inside the world (half-open on a torus, closed otherwise).
    pub fn contains(&self, p: Vec2) -> bool {
        if self.wrap {
            (0.0..self.size.x).contains(&p.x) && (0.0..self.size.y).contains(&p.y)
        } else {
            (0.0..=self.size.x).contains(&p.x) && (0.0..=self.size.y).contains(&p.y)
        }
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
pub fn edge_steer(p: Vec2, size: Vec2, margin: f32, strength: f32) -> Vec2 {
    if margin <= 0.0 {
        return Vec2::ZERO;
    }
    let push = |x: f32, len: f32| {
        let low = (margin - x) / margin;
        let high = (margin - (len - x)) / margin;
        low.clamp(0.0, 1.0) - high.clamp(0.0, 1.0)
    };
    Vec2::new(push(p.x, size.x), push(p.y, size.y)) * strength
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
}
