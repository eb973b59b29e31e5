//! The AVX2 build of [`super::sum_ranges_lanes`], written with intrinsics: the same operations on the
//! same lanes, in the same order.

use std::arch::x86_64::*;

use bevy::math::Vec2;

use super::{CANDIDATE_OF_LANE, LANES, MIN_SEPARATION_DIST2, NeighborSums, Perception, reduce, view};
use crate::sim::grid::SpatialGrid;

// `deinterleave` reads a `Vec2` slice as pairs of `f32`.
const _: () = assert!(size_of::<Vec2>() == 8 && align_of::<Vec2>() <= 4);

/// Eight `(x, y)` pairs at `p` as an x register and a y register, in lane order
/// ([`super::CANDIDATE_OF_LANE`]).
///
/// # Safety
/// `p` must point to 16 readable `f32`.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn deinterleave(p: *const f32) -> (__m256, __m256) {
    // SAFETY: the caller guarantees 16 readable floats.
    let (lo, hi) = unsafe { (_mm256_loadu_ps(p), _mm256_loadu_ps(p.add(8))) };
    (_mm256_shuffle_ps::<0b10_00_10_00>(lo, hi), _mm256_shuffle_ps::<0b11_01_11_01>(lo, hi))
}

/// `min_image` on eight lanes (see [`super::min_image`]).
#[inline]
#[target_feature(enable = "avx2")]
fn min_image(d: __m256, len: __m256, half: __m256, neg_half: __m256) -> __m256 {
    let up = _mm256_blendv_ps(d, _mm256_add_ps(d, len), _mm256_cmp_ps::<_CMP_LT_OQ>(d, neg_half));
    _mm256_blendv_ps(up, _mm256_sub_ps(d, len), _mm256_cmp_ps::<_CMP_GT_OQ>(d, half))
}

#[inline]
#[target_feature(enable = "avx2")]
fn lanes_f32(v: __m256) -> [f32; LANES] {
    let mut out = [0.0; LANES];
    // SAFETY: `out` holds eight f32; an unaligned store.
    unsafe { _mm256_storeu_ps(out.as_mut_ptr(), v) };
    out
}

#[inline]
#[target_feature(enable = "avx2")]
fn lanes_i32(v: __m256i) -> [i32; LANES] {
    let mut out = [0; LANES];
    // SAFETY: `out` holds eight i32; an unaligned store.
    unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), v) };
    out
}

/// One bird's sums over `ranges`, eight candidates per iteration.
///
/// # Safety
/// The CPU must support AVX2. (Memory is safe for any ranges: slots are read directly only
/// where eight of them exist in both arrays, and a range past the grid reads zeros through
/// [`super::group`].)
#[target_feature(enable = "avx2")]
pub unsafe fn sum_ranges<const WRAP: bool, const SEP: bool, const APART: bool, const VIEW: u8>(
    grid: &SpatialGrid,
    per: &Perception,
    slot: usize,
    ranges: &[(u32, u32)],
) -> NeighborSums {
    let pos = &grid.pos[..];
    // the direct reads below check `pos.len()` only: velocities cut to the same length
    let vel = &grid.vel[..pos.len()];
    // slots travel as i32 lanes
    debug_assert!(pos.len() <= i32::MAX as usize - LANES);
    let (px, py, vx, vy) = (pos[slot].x, pos[slot].y, vel[slot].x, vel[slot].y);
    let (w, h) = (per.space.size.x, per.space.size.y);
    let cos_half = per.cos_half_fov.unwrap_or(0.0);
    let cone = _mm256_set1_ps(cos_half * cos_half * (vx * vx + vy * vy));
    let (pxv, pyv, vxv, vyv) = (_mm256_set1_ps(px), _mm256_set1_ps(py), _mm256_set1_ps(vx), _mm256_set1_ps(vy));
    let (wv, hv) = (_mm256_set1_ps(w), _mm256_set1_ps(h));
    let (half_w, half_h) = (_mm256_set1_ps(0.5 * w), _mm256_set1_ps(0.5 * h));
    let (neg_half_w, neg_half_h) = (_mm256_set1_ps(-(0.5 * w)), _mm256_set1_ps(-(0.5 * h)));
    let (nr2, ar2, sr2) = (_mm256_set1_ps(per.neighbor_r2), _mm256_set1_ps(per.alignment_r2), _mm256_set1_ps(per.separation_r2));
    let (zero, min_d2, one) = (_mm256_setzero_ps(), _mm256_set1_ps(MIN_SEPARATION_DIST2), _mm256_set1_ps(1.0));
    let all = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    let c = CANDIDATE_OF_LANE.map(|k| k as i32);
    let lane_index = _mm256_setr_epi32(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
    let slot_v = _mm256_set1_epi32(slot as i32);
    let (mut count, mut align_count) = (_mm256_setzero_si256(), _mm256_setzero_si256());
    let (mut ox, mut oy, mut velx, mut vely, mut sx, mut sy) = (zero, zero, zero, zero, zero, zero);
    // One group of eight candidates from slot `$j0`, of which the lanes in `$valid` count.
    macro_rules! group {
        ($j0:expr, $valid:expr) => {{
            let j0: usize = $j0;
            let (xs, ys, vxs, vys) = if j0 + LANES <= pos.len() {
                // SAFETY: slots j0..j0 + 8 exist; a Vec2 is two f32, so they are 16 floats.
                let ((xs, ys), (vxs, vys)) = unsafe { (deinterleave(pos.as_ptr().add(j0).cast()), deinterleave(vel.as_ptr().add(j0).cast())) };
                (xs, ys, vxs, vys)
            } else {
                let [xs, ys, vxs, vys] = super::group(pos, vel, j0).map(|v| v.to_array());
                // SAFETY: arrays of eight f32.
                unsafe { (_mm256_loadu_ps(xs.as_ptr()), _mm256_loadu_ps(ys.as_ptr()), _mm256_loadu_ps(vxs.as_ptr()), _mm256_loadu_ps(vys.as_ptr())) }
            };
            let (mut dx, mut dy) = (_mm256_sub_ps(xs, pxv), _mm256_sub_ps(ys, pyv));
            if WRAP {
                dx = min_image(dx, wv, half_w, neg_half_w);
                dy = min_image(dy, hv, half_h, neg_half_h);
            }
            let d2 = _mm256_add_ps(_mm256_mul_ps(dx, dx), _mm256_mul_ps(dy, dy));
            let seen = if VIEW == view::ALL {
                $valid
            } else {
                let dot = _mm256_add_ps(_mm256_mul_ps(vxv, dx), _mm256_mul_ps(vyv, dy));
                let limit = _mm256_mul_ps(cone, d2);
                let front = _mm256_cmp_ps::<_CMP_GE_OQ>(dot, zero);
                let sq = _mm256_mul_ps(dot, dot);
                let inside = if VIEW == view::NARROW {
                    _mm256_and_ps(front, _mm256_cmp_ps::<_CMP_GE_OQ>(sq, limit))
                } else {
                    _mm256_or_ps(front, _mm256_cmp_ps::<_CMP_LE_OQ>(sq, limit))
                };
                _mm256_and_ps($valid, inside)
            };
            let near = _mm256_and_ps(seen, _mm256_cmp_ps::<_CMP_LT_OQ>(d2, nr2));
            count = _mm256_sub_epi32(count, _mm256_castps_si256(near));
            ox = _mm256_add_ps(ox, _mm256_and_ps(near, dx));
            oy = _mm256_add_ps(oy, _mm256_and_ps(near, dy));
            let align = if APART {
                let align = _mm256_and_ps(near, _mm256_cmp_ps::<_CMP_LT_OQ>(d2, ar2));
                align_count = _mm256_sub_epi32(align_count, _mm256_castps_si256(align));
                align
            } else {
                near
            };
            velx = _mm256_add_ps(velx, _mm256_and_ps(align, vxs));
            vely = _mm256_add_ps(vely, _mm256_and_ps(align, vys));
            if SEP {
                let close = _mm256_and_ps(seen, _mm256_cmp_ps::<_CMP_LT_OQ>(d2, sr2));
                let inv = _mm256_div_ps(one, _mm256_max_ps(d2, min_d2));
                sx = _mm256_sub_ps(sx, _mm256_and_ps(close, _mm256_mul_ps(dx, inv)));
                sy = _mm256_sub_ps(sy, _mm256_and_ps(close, _mm256_mul_ps(dy, inv)));
            }
        }};
    }
    // The lanes of the group from `j0` that are candidates: before `b`, and not the bird.
    let valid = |j0: usize, b: usize| {
        let j = _mm256_add_epi32(_mm256_set1_epi32(j0 as i32), lane_index);
        _mm256_castsi256_ps(_mm256_andnot_si256(_mm256_cmpeq_epi32(j, slot_v), _mm256_cmpgt_epi32(_mm256_set1_epi32(b as i32), j)))
    };
    for &(a, b) in ranges {
        let (a, b) = (a as usize, b as usize);
        let mut j0 = a;
        // whole groups need no mask unless they hold the bird itself
        while j0 + LANES <= b {
            if slot.wrapping_sub(j0) < LANES {
                group!(j0, valid(j0, b));
            } else {
                group!(j0, all);
            }
            j0 += LANES;
        }
        if j0 < b {
            group!(j0, valid(j0, b));
        }
    }
    if !APART {
        align_count = count;
    }
    let total = |v: __m256i| lanes_i32(v).iter().map(|&c| c as u32).sum();
    NeighborSums {
        count: total(count),
        offset_sum: Vec2::new(reduce(lanes_f32(ox)), reduce(lanes_f32(oy))),
        align_count: total(align_count),
        velocity_sum: Vec2::new(reduce(lanes_f32(velx)), reduce(lanes_f32(vely))),
        separation: Vec2::new(reduce(lanes_f32(sx)), reduce(lanes_f32(sy))),
    }
}
