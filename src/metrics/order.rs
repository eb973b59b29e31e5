//! Order parameters: polarization φ and milling m (Couzin et al. 2002), summed in parallel chunks
//! of a fixed size so they round the same on every machine. Generic over the dimension: in 3D
//! milling is the turning about the vertical (z) axis.

use crate::sim::space::Space;
use crate::sim::vector::Vector;

/// Birds per task in the parallel sums (a fixed size, so sums round the same on every machine).
const CHUNK: usize = 8192;

/// `f` over consecutive chunks of `0..n`, in parallel when Bevy's compute pool exists; the
/// results in chunk order.
pub(super) fn chunked<T: Send + 'static>(n: usize, f: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    let ranges = (0..n).step_by(CHUNK).map(|a| a..(a + CHUNK).min(n));
    let f = &f;
    match bevy::tasks::ComputeTaskPool::try_get() {
        Some(pool) if n > CHUNK => pool.scope(|s| {
            for r in ranges {
                s.spawn(async move { f(r) });
            }
        }),
        _ => ranges.map(f).collect(),
    }
}

/// Sums over birds that the centre of mass and the polarization come from.
#[derive(Clone, Copy, Default)]
struct Sums<V> {
    heading: V,
    pos: V,
    /// Σ cos, Σ sin of each coordinate as an angle around the torus.
    cos: V,
    sin: V,
}

impl<V: Vector> Sums<V> {
    fn of(space: &Space<V>, pos: &[V], vel: &[V]) -> Self {
        let heading = vel.iter().map(|v| v.normalize_or_zero()).sum();
        Sums { heading, ..Sums::positions(space, pos) }
    }

    /// The position sums alone (no headings).
    fn positions(space: &Space<V>, pos: &[V]) -> Self {
        let mut s = Sums::default();
        if space.wrap {
            let per_turn = V::ONE / space.size;
            for &p in pos {
                let u = p * per_turn;
                let mut sin = V::ZERO;
                s.cos += u.map_axes(|i, x| {
                    let (sx, cx) = sin_cos_turns(x);
                    sin.set_axis(i, sx);
                    cx
                });
                s.sin += sin;
            }
        } else {
            s.pos = pos.iter().copied().sum();
        }
        s
    }

    fn add(self, o: Self) -> Self {
        Sums { heading: self.heading + o.heading, pos: self.pos + o.pos, cos: self.cos + o.cos, sin: self.sin + o.sin }
    }

    /// The centre of mass of `n` birds; on a torus the circular mean of each coordinate.
    fn centre(&self, space: &Space<V>, n: usize) -> V {
        if n == 0 {
            return space.size * 0.5;
        }
        if !space.wrap {
            return self.pos / n as f32;
        }
        let tau = std::f32::consts::TAU;
        let angle = |s: f32, c: f32| {
            let a = s.atan2(c);
            if a < 0.0 { a + tau } else { a }
        };
        space.contain(self.sin.zip_axes(self.cos, |_, s, c| angle(s, c)) / tau * space.size)
    }
}

/// `(sin, cos)` of `u` turns (`u · 2π` radians), to within 3e-7 of the exact values for |u| up to
/// 2²⁰ (positions in a world are 0 to 1 turn): the angle is brought to the nearest quarter turn
/// and the remainder, at most π/4, goes through Cephes' single-precision polynomials.
/// Branch-free, so a loop of them vectorizes; several times faster than `f32::sin_cos`.
#[inline]
pub fn sin_cos_turns(u: f32) -> (f32, f32) {
    // Round to the nearest whole number by adding and taking away 1.5·2²³ (exact for |u| < 2²⁰):
    // `f32::round` is a library call on baseline x86-64 and would stop the loop vectorizing.
    const MAGIC: f32 = 12_582_912.0;
    let t = u * 4.0 + MAGIC;
    let quarters = t - MAGIC;
    let x = (u - quarters * 0.25) * std::f32::consts::TAU;
    let x2 = x * x;
    let sin = x + x * x2 * (-1.666_665_5e-1 + x2 * (8.332_161e-3 + x2 * -1.951_529_6e-4));
    let cos = 1.0 - 0.5 * x2 + x2 * x2 * (4.166_664_6e-2 + x2 * (-1.388_731_6e-3 + x2 * 2.443_315_7e-5));
    // Turn the remainder's (sin, cos) by the whole quarters, whose count's low bits are the low
    // bits of `t` (its unit in the last place is 1).
    let q = t.to_bits();
    let (s, c) = if q & 1 == 0 { (sin, cos) } else { (cos, -sin) };
    let half_turn = (q & 2) << 30;
    (f32::from_bits(s.to_bits() ^ half_turn), f32::from_bits(c.to_bits() ^ half_turn))
}

/// The centre of mass; on a torus the circular mean of each coordinate.
pub fn centre<V: Vector>(space: &Space<V>, pos: &[V]) -> V {
    Sums::positions(space, pos).centre(space, pos.len())
}

/// Σ r̂ × v̂ over birds, r̂ the unit vector from `c` to a bird, v̂ its heading (in 3D the
/// vertical component: the turning about the z axis).
pub(super) fn angular_sum<V: Vector>(space: &Space<V>, c: V, pos: &[V], vel: &[V]) -> f32 {
    let mut sum = 0.0;
    for (&p, &v) in pos.iter().zip(vel) {
        let r = space.offset(c, p);
        // r̂ × v̂ = (r × v) / (|r| |v|): one square root; a bird at the centre or at rest adds 0.
        let norms2 = r.length_squared() * v.length_squared();
        let term = r.xy().perp_dot(v.xy()) / norms2.sqrt();
        sum += if norms2 > 0.0 { term } else { 0.0 };
    }
    sum
}

/// Polarization and milling together, `(φ, m)`, summed in parallel chunks: the same values as
/// [`polarization`](super::reference::polarization) and
/// [`milling`](super::reference::milling) up to rounding.
pub fn order_parameters<V: Vector>(space: &Space<V>, pos: &[V], vel: &[V]) -> (f32, f32) {
    let n = pos.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let sums = chunked(n, |r| Sums::of(space, &pos[r.clone()], &vel[r])).into_iter().fold(Sums::default(), Sums::add);
    let c = sums.centre(space, n);
    let turning: f32 = chunked(n, |r| angular_sum(space, c, &pos[r.clone()], &vel[r])).into_iter().sum();
    (sums.heading.length() / n as f32, turning.abs() / n as f32)
}
