//! The vector a simulation runs in: [`Vec2`] for a flat world, [`Vec3`] for one with height
//! (z up). Code generic over [`Vector`] is compiled once per dimension, so the flat world pays
//! nothing for the third axis, and a fix lands in both by construction.
//!
//! Arithmetic, lengths and normalising come from glam through the supertraits and the methods
//! below (each forwards to glam's own, so 2D results are bit for bit those of plain `Vec2` code).
//! Per-axis work goes through [`Vector::map_axes`] and [`Vector::zip_axes`]; sums over axes start
//! from the x term, never from `0.0` (that would turn a −0.0 into +0.0 and change 2D bits).

use std::fmt::Debug;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

use bevy::math::{Vec2, Vec3};

/// A position, velocity or force in a 2D or 3D world.
pub trait Vector:
    Copy
    + Default
    + PartialEq
    + Debug
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<f32, Output = Self>
    + Mul<Self, Output = Self>
    + Div<f32, Output = Self>
    + Div<Self, Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign<f32>
    + Sum
{
    /// The number of axes: 2 or 3.
    const DIM: usize;
    /// All components zero.
    const ZERO: Self;
    /// All components one.
    const ONE: Self;
    /// The unit x axis (a bird's default heading).
    const X: Self;

    /// Component `i` (0 = x, 1 = y, 2 = z).
    fn axis(self, i: usize) -> f32;
    /// Sets component `i`.
    fn set_axis(&mut self, i: usize, value: f32);
    /// The new velocity `new`, turned back toward `old` so that the heading turns by at most
    /// `max_angle` radians (its speed kept); unchanged when either is zero. In 3D the turn is
    /// about the axis perpendicular to both; between opposite headings it is level (about z), or,
    /// for a bird flying straight up or down, about a horizontal axis.
    fn limit_turn(old: Self, new: Self, max_angle: f32) -> Self;
    /// The vector with `f` applied to each component (with its axis index).
    fn map_axes(self, f: impl FnMut(usize, f32) -> f32) -> Self;
    /// The vector of `f(a_i, b_i)` over the axes.
    fn zip_axes(self, other: Self, f: impl FnMut(usize, f32, f32) -> f32) -> Self;
    /// A vector with every component `v`.
    fn splat(v: f32) -> Self;
    /// The vector from a flat world's `(x, y)` and a height (ignored in 2D).
    fn from_xy_z(xy: Vec2, z: f32) -> Self;
    /// The ground-plane part `(x, y)`.
    fn xy(self) -> Vec2;
    /// The height (0 in 2D).
    fn z(self) -> f32;
    /// The components, x first.
    fn coords(self) -> impl Iterator<Item = f32>;

    /// Dot product (glam's).
    fn dot(self, other: Self) -> f32;
    /// Length (glam's).
    fn length(self) -> f32;
    /// Squared length (glam's).
    fn length_squared(self) -> f32;
    /// The unit vector, or zero for a zero or non-finite vector (glam's).
    fn normalize_or_zero(self) -> Self;
    /// The unit vector, or `fallback` (glam's).
    fn normalize_or(self, fallback: Self) -> Self;
    /// The vector shortened to at most `max` (glam's).
    fn clamp_length_max(self, max: f32) -> Self;
    /// Component-wise minimum (glam's).
    fn min(self, other: Self) -> Self;
    /// Component-wise maximum (glam's).
    fn max(self, other: Self) -> Self;
    /// Component-wise clamp (glam's).
    fn clamp(self, lo: Self, hi: Self) -> Self;
    /// The smallest component (glam's).
    fn min_element(self) -> f32;
    /// The largest component (glam's).
    fn max_element(self) -> f32;
    /// Whether every component is finite (glam's).
    fn is_finite(self) -> bool;
}

macro_rules! forward {
    ($t:ident, $dim:expr) => {
        const DIM: usize = $dim;
        const ZERO: Self = $t::ZERO;
        const ONE: Self = $t::ONE;
        const X: Self = $t::X;

        #[inline(always)]
        fn axis(self, i: usize) -> f32 {
            self[i]
        }
        #[inline(always)]
        fn set_axis(&mut self, i: usize, value: f32) {
            self[i] = value;
        }
        #[inline(always)]
        fn dot(self, other: Self) -> f32 {
            Self::dot(self, other)
        }
        #[inline(always)]
        fn length(self) -> f32 {
            Self::length(self)
        }
        #[inline(always)]
        fn length_squared(self) -> f32 {
            Self::length_squared(self)
        }
        #[inline(always)]
        fn normalize_or_zero(self) -> Self {
            Self::normalize_or_zero(self)
        }
        #[inline(always)]
        fn normalize_or(self, fallback: Self) -> Self {
            Self::normalize_or(self, fallback)
        }
        #[inline(always)]
        fn clamp_length_max(self, max: f32) -> Self {
            Self::clamp_length_max(self, max)
        }
        #[inline(always)]
        fn min(self, other: Self) -> Self {
            Self::min(self, other)
        }
        #[inline(always)]
        fn max(self, other: Self) -> Self {
            Self::max(self, other)
        }
        #[inline(always)]
        fn clamp(self, lo: Self, hi: Self) -> Self {
            Self::clamp(self, lo, hi)
        }
        #[inline(always)]
        fn min_element(self) -> f32 {
            Self::min_element(self)
        }
        #[inline(always)]
        fn max_element(self) -> f32 {
            Self::max_element(self)
        }
        #[inline(always)]
        fn is_finite(self) -> bool {
            Self::is_finite(self)
        }
        #[inline(always)]
        fn splat(v: f32) -> Self {
            Self::splat(v)
        }
    };
}

impl Vector for Vec2 {
    forward!(Vec2, 2);

    fn limit_turn(old: Self, new: Self, max_angle: f32) -> Self {
        if old == Vec2::ZERO || new == Vec2::ZERO {
            return new;
        }
        let angle = old.angle_to(new);
        if angle.abs() <= max_angle {
            return new;
        }
        Vec2::from_angle(max_angle.copysign(angle)).rotate(old.normalize()) * new.length()
    }
    #[inline(always)]
    fn map_axes(self, mut f: impl FnMut(usize, f32) -> f32) -> Self {
        Vec2::new(f(0, self.x), f(1, self.y))
    }
    #[inline(always)]
    fn zip_axes(self, other: Self, mut f: impl FnMut(usize, f32, f32) -> f32) -> Self {
        Vec2::new(f(0, self.x, other.x), f(1, self.y, other.y))
    }
    #[inline(always)]
    fn from_xy_z(xy: Vec2, _z: f32) -> Self {
        xy
    }
    #[inline(always)]
    fn xy(self) -> Vec2 {
        self
    }
    #[inline(always)]
    fn z(self) -> f32 {
        0.0
    }
    fn coords(self) -> impl Iterator<Item = f32> {
        [self.x, self.y].into_iter()
    }
}

impl Vector for Vec3 {
    forward!(Vec3, 3);

    fn limit_turn(old: Self, new: Self, max_angle: f32) -> Self {
        if old == Vec3::ZERO || new == Vec3::ZERO {
            return new;
        }
        let (from, to) = (old.normalize(), new.normalize());
        // atan2 of |sin| and cos: accurate for the smallest turns (acos of a dot is not)
        let cross = from.cross(to);
        if cross.length().atan2(from.dot(to)) <= max_angle {
            return new;
        }
        // opposite headings: a yaw, about the bird's up (the part of z across its heading), or,
        // flying straight up or down, about any axis across the heading
        let up = Vec3::Z - from * from.z;
        let axis = cross.try_normalize().or_else(|| up.try_normalize()).unwrap_or_else(|| from.any_orthonormal_vector());
        bevy::math::Quat::from_axis_angle(axis, max_angle) * from * new.length()
    }
    #[inline(always)]
    fn map_axes(self, mut f: impl FnMut(usize, f32) -> f32) -> Self {
        Vec3::new(f(0, self.x), f(1, self.y), f(2, self.z))
    }
    #[inline(always)]
    fn zip_axes(self, other: Self, mut f: impl FnMut(usize, f32, f32) -> f32) -> Self {
        Vec3::new(f(0, self.x, other.x), f(1, self.y, other.y), f(2, self.z, other.z))
    }
    #[inline(always)]
    fn from_xy_z(xy: Vec2, z: f32) -> Self {
        xy.extend(z)
    }
    #[inline(always)]
    fn xy(self) -> Vec2 {
        self.truncate()
    }
    #[inline(always)]
    fn z(self) -> f32 {
        self.z
    }
    fn coords(self) -> impl Iterator<Item = f32> {
        [self.x, self.y, self.z].into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generic code gives glam's own bits: the same numbers through the trait and directly.
    fn through_trait<V: Vector>(a: V, b: V) -> (f32, V, V) {
        (Vector::dot(a, b), Vector::normalize_or_zero(a - b), Vector::clamp_length_max(a * 3.0, 2.0))
    }

    #[test]
    fn the_trait_is_glam_bit_for_bit() {
        let (a, b) = (Vec2::new(0.3, -1.7), Vec2::new(-2.25, 0.1));
        assert_eq!(through_trait(a, b), (a.dot(b), (a - b).normalize_or_zero(), (a * 3.0).clamp_length_max(2.0)));
        let (a3, b3) = (Vec3::new(0.3, -1.7, 4.0), Vec3::new(-2.25, 0.1, -0.5));
        assert_eq!(through_trait(a3, b3), (a3.dot(b3), (a3 - b3).normalize_or_zero(), (a3 * 3.0).clamp_length_max(2.0)));
    }

    #[test]
    fn axes_map_zip_and_the_ground_plane() {
        let v = Vec3::new(1.0, 2.0, 3.0);
        assert_eq!(v.map_axes(|i, c| c * i as f32), Vec3::new(0.0, 2.0, 6.0));
        assert_eq!(v.zip_axes(Vec3::ONE, |_, a, b| a - b), Vec3::new(0.0, 1.0, 2.0));
        assert_eq!((v.xy(), Vector::z(v)), (Vec2::new(1.0, 2.0), 3.0));
        assert_eq!(<Vec3 as Vector>::from_xy_z(Vec2::new(1.0, 2.0), 3.0), v);
        assert_eq!(<Vec2 as Vector>::from_xy_z(Vec2::new(1.0, 2.0), 3.0), Vec2::new(1.0, 2.0));
        assert_eq!(v.coords().collect::<Vec<_>>(), [1.0, 2.0, 3.0]);
        assert_eq!(Vec2::new(4.0, 5.0).coords().collect::<Vec<_>>(), [4.0, 5.0]);
        assert_eq!((<Vec2 as Vector>::DIM, <Vec3 as Vector>::DIM), (2, 3));
        let mut w = Vec3::ZERO;
        w.set_axis(2, 5.0);
        assert_eq!(w, Vec3::new(0.0, 0.0, 5.0));
    }

    #[test]
    fn a_turn_is_limited_to_the_angle_in_both_dimensions() {
        let limit = 0.1f32;
        // 2D: 90° asked, 0.1 rad given, toward the new heading, the new speed kept
        let t = Vec2::limit_turn(Vec2::X * 2.0, Vec2::Y * 3.0, limit);
        assert!((t.to_angle() - limit).abs() < 1e-6 && (t.length() - 3.0).abs() < 1e-5, "{t}");
        assert_eq!(Vec2::limit_turn(Vec2::X, Vec2::new(1.0, 0.05), limit), Vec2::new(1.0, 0.05), "within the limit");
        // 3D: a climb of 90° becomes 0.1 rad in the vertical plane through the heading
        let t = Vec3::limit_turn(Vec3::X * 2.0, Vec3::Z * 3.0, limit);
        assert!((t.angle_between(Vec3::X) - limit).abs() < 1e-5 && t.y.abs() < 1e-6 && t.z > 0.0, "{t}");
        assert!((t.length() - 3.0).abs() < 1e-5);
        // straight back: turned about the vertical, staying level
        let t = Vec3::limit_turn(Vec3::X, -Vec3::X, limit);
        assert!((t.angle_between(Vec3::X) - limit).abs() < 1e-5 && t.z.abs() < 1e-6, "{t}");
        assert_eq!(Vec3::limit_turn(Vec3::ZERO, Vec3::X, limit), Vec3::X);
        // straight up, asked to go straight down: it still turns, by the limit
        let t = Vec3::limit_turn(Vec3::Z * 2.0, -Vec3::Z * 2.0, limit);
        assert!((t.angle_between(Vec3::Z) - limit).abs() < 1e-4 && (t.length() - 2.0).abs() < 1e-5, "{t}");
        // a turn smaller than acos can resolve is still limited: 1e-3 rad asked, 2.9e-4 allowed
        let small = 2.9e-4;
        let t = Vec3::limit_turn(Vec3::X, Vec3::new(1.0, 1e-3, 0.0), small);
        assert!((t.y.atan2(t.x) - small).abs() < 2e-6, "{t}");
        let t2 = Vec2::limit_turn(Vec2::X, Vec2::new(1.0, 1e-3), small);
        assert!((t.truncate() - t2).length() < 1e-6, "2D and 3D agree on a level turn: {t} {t2}");
    }
}
