//! The neighbour pass's inner loop, eight candidates at a time.
//!
//! Candidates are read from the grid's position and velocity arrays in groups of [`LANES`]:
//! candidate `a + 8g + k` of a slot range `a..b` goes to the lane that holds `k` in
//! [`CANDIDATE_OF_LANE`] (the order in which AVX2 unpacks eight interleaved `(x, y)` pairs), each
//! lane keeps its own partial sums, and the lanes are added in one fixed tree at the end
//! ([`reduce`]). Every operation works on one lane: IEEE add, multiply, divide, compare and max,
//! and bitwise masks and selects; Rust never contracts `a * b + c` into a fused multiply-add, so the two builds (AVX2
//! intrinsics, chosen at run time; `wide::f32x8` otherwise: SSE2 on x86-64, NEON on aarch64)
//! compute the same bits: a seed's state hash does not depend on the CPU. [`set_kernel`] forces
//! one (tests and `--kernel portable` compare them).

use std::sync::atomic::{AtomicU8, Ordering};

use bevy::math::Vec2;

use super::{MIN_SEPARATION_DIST2, NeighborSums, Perception};
use crate::sim::grid::SpatialGrid;

/// Candidates processed together: one 256-bit register of `f32`.
pub const LANES: usize = 8;

/// The candidate each lane holds, by its place in a group of eight: what AVX2's in-lane shuffle
/// of two registers of `(x, y)` pairs yields (`x0 x1 x4 x5 | x2 x3 x6 x7`).
pub const CANDIDATE_OF_LANE: [usize; LANES] = [0, 1, 4, 5, 2, 3, 6, 7];

/// Which compiled version of the neighbour kernel runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kernel {
    /// The best this CPU supports (AVX2 when present).
    #[default]
    Auto,
    /// The portable build (`wide::f32x8`: SSE2 on x86-64, NEON on aarch64).
    Portable,
    /// The AVX2 build (x86-64 only; falls back to portable without AVX2).
    Avx2,
}

impl Kernel {
    /// Every kernel, in the order of [`Kernel::name`]s users may give.
    pub const ALL: [Kernel; 3] = [Kernel::Auto, Kernel::Portable, Kernel::Avx2];

    /// The kernel's name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Auto => "auto",
            Kernel::Portable => "portable",
            Kernel::Avx2 => "avx2",
        }
    }
}

impl std::str::FromStr for Kernel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kernel::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Kernel::ALL.iter().map(|k| k.name()).collect();
            format!("unknown kernel {s:?} (allowed: {})", names.join(", "))
        })
    }
}

static FORCED: AtomicU8 = AtomicU8::new(0);

/// Chooses the kernel for the whole process (the default is [`Kernel::Auto`]).
pub fn set_kernel(kernel: Kernel) {
    FORCED.store(kernel as u8, Ordering::Relaxed);
}

/// The kernel that runs: the one set, resolved against what this CPU supports.
pub fn active_kernel() -> Kernel {
    resolve(Kernel::ALL.into_iter().find(|&k| k as u8 == FORCED.load(Ordering::Relaxed)).unwrap_or_default())
}

/// The build a kernel choice runs on this CPU: AVX2 unless the portable one is asked for or the
/// CPU lacks AVX2.
fn resolve(kernel: Kernel) -> Kernel {
    if kernel != Kernel::Portable && has_avx2() { Kernel::Avx2 } else { Kernel::Portable }
}

fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Adds the lanes in one fixed order: `((0+1)+(2+3))+((4+5)+(6+7))`.
#[inline(always)]
pub fn reduce(a: [f32; LANES]) -> f32 {
    ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
}

/// Eight `f32` lanes (`wide`: SSE2 on x86-64, NEON on aarch64, plain arrays elsewhere).
type F8 = wide::f32x8;

/// An all-ones lane (a true mask lane).
const TRUE: f32 = f32::from_bits(u32::MAX);

/// The coordinates of the group of eight candidates from slot `j`, in lane order
/// ([`CANDIDATE_OF_LANE`]); slots past the grid's end read as zero (the caller masks them).
#[inline(always)]
fn group(pos: &[Vec2], vel: &[Vec2], j: usize) -> [F8; 4] {
    if let (Some(p), Some(v)) = (pos.get(j..).and_then(<[Vec2]>::first_chunk::<LANES>), vel.get(j..).and_then(<[Vec2]>::first_chunk::<LANES>)) {
        let lanes = |f: &dyn Fn(usize) -> f32| F8::from(CANDIDATE_OF_LANE.map(f));
        return [lanes(&|k| p[k].x), lanes(&|k| p[k].y), lanes(&|k| v[k].x), lanes(&|k| v[k].y)];
    }
    let mut out = [[0.0; LANES]; 4];
    for (lane, &k) in CANDIDATE_OF_LANE.iter().enumerate() {
        if let (Some(p), Some(v)) = (pos.get(j + k), vel.get(j + k)) {
            (out[0][lane], out[1][lane], out[2][lane], out[3][lane]) = (p.x, p.y, v.x, v.y);
        }
    }
    out.map(F8::from)
}

/// `min_image` on eight lanes: the shortest coordinate difference on a circle of length `len`
/// (`half` = len / 2); the same values as [`crate::sim::space::min_image`].
#[inline(always)]
fn min_image(d: F8, len: F8, half: F8, neg_half: F8) -> F8 {
    let up = d.simd_lt(neg_half).select(d + len, d);
    d.simd_gt(half).select(d - len, up)
}

/// Which of eight candidates at `(dx, dy)` (squared distance `d2`) a bird moving with
/// `(vx, vy)` sees, for a view that is not a full circle (`cone` = cos²(half the view) · |v|²);
/// the same test as [`Perception::sees`].
#[inline(always)]
fn in_view<const VIEW: u8>(dx: F8, dy: F8, d2: F8, vx: F8, vy: F8, cone: F8) -> F8 {
    let dot = vx * dx + vy * dy;
    let limit = cone * d2;
    let front = dot.simd_ge(F8::ZERO);
    let sq = dot * dot;
    if VIEW == view::NARROW { front & sq.simd_ge(limit) } else { front | sq.simd_le(limit) }
}

/// The neighbour sums of the bird in `slot` over the candidate slot ranges `ranges` (which may
/// include `slot` itself; it is skipped): the portable build, eight lanes through `wide`.
/// The const parameters are a [`Shape`]'s fields (`VIEW` one of the [`view`] codes).
#[inline(always)]
fn sum_ranges_lanes<const WRAP: bool, const SEP: bool, const APART: bool, const VIEW: u8>(
    grid: &SpatialGrid,
    per: &Perception,
    slot: usize,
    ranges: &[(u32, u32)],
) -> NeighborSums {
    let (pos, vel) = (&grid.pos[..], &grid.vel[..]);
    let (px, py, vx, vy) = (pos[slot].x, pos[slot].y, vel[slot].x, vel[slot].y);
    let (w, h) = (per.space.size.x, per.space.size.y);
    let cos_half = per.cos_half_fov.unwrap_or(0.0);
    let vv = vx * vx + vy * vy;
    let cone = F8::splat(cos_half * cos_half * vv);
    let (pxv, pyv, vxv, vyv) = (F8::splat(px), F8::splat(py), F8::splat(vx), F8::splat(vy));
    let (wv, hv) = (F8::splat(w), F8::splat(h));
    let (half_w, half_h, neg_half_w, neg_half_h) = (F8::splat(0.5 * w), F8::splat(0.5 * h), F8::splat(-(0.5 * w)), F8::splat(-(0.5 * h)));
    let (nr2, ar2, sr2) = (F8::splat(per.neighbor_r2), F8::splat(per.alignment_r2), F8::splat(per.separation_r2));
    let (zero, one, min_d2) = (F8::ZERO, F8::ONE, F8::splat(MIN_SEPARATION_DIST2));
    let (mut count, mut align_count, mut ox, mut oy, mut velx, mut vely, mut sx, mut sy) = (zero, zero, zero, zero, zero, zero, zero, zero);
    for &(a, b) in ranges {
        let (a, b) = (a as usize, b as usize);
        let mut j0 = a;
        while j0 < b {
            let [xs, ys, vxs, vys] = group(pos, vel, j0);
            let valid = F8::from(CANDIDATE_OF_LANE.map(|k| if (j0 + k < b) & (j0 + k != slot) { TRUE } else { 0.0 }));
            let (mut dx, mut dy) = (xs - pxv, ys - pyv);
            if WRAP {
                dx = min_image(dx, wv, half_w, neg_half_w);
                dy = min_image(dy, hv, half_h, neg_half_h);
            }
            let d2 = dx * dx + dy * dy;
            let seen = if VIEW == view::ALL { valid } else { valid & in_view::<VIEW>(dx, dy, d2, vxv, vyv, cone) };
            let near = seen & d2.simd_lt(nr2);
            let align = if APART { near & d2.simd_lt(ar2) } else { near };
            count += near & one;
            align_count += align & one;
            ox += near & dx;
            oy += near & dy;
            velx += align & vxs;
            vely += align & vys;
            if SEP {
                let close = seen & d2.simd_lt(sr2);
                let inv = one / d2.max(min_d2);
                sx -= close & (dx * inv);
                sy -= close & (dy * inv);
            }
            j0 += LANES;
        }
    }
    let total = |v: F8| v.to_array().iter().map(|&c| c as u32).sum();
    NeighborSums {
        count: total(count),
        offset_sum: Vec2::new(reduce(ox.to_array()), reduce(oy.to_array())),
        align_count: total(align_count),
        velocity_sum: Vec2::new(reduce(velx.to_array()), reduce(vely.to_array())),
        separation: Vec2::new(reduce(sx.to_array()), reduce(sy.to_array())),
    }
}

/// The neighbour pass for slots `first..first + out.len()` over the blocks of `reach` cells
/// around each bird, by the [`active_kernel`].
pub fn gather_slots(grid: &SpatialGrid, per: &Perception, reach: usize, first: usize, out: &mut [NeighborSums]) {
    let kernel = resolve(active_kernel());
    shaped(Shape::new(per, true), Pass { kernel, grid, per, reach, first, out });
}

/// Which parts of the kernel a bird's candidates need; each combination is compiled on its own,
/// so the loop never tests them. Leaving a part out gives the same bits: the minimum image
/// leaves an offset that does not cross the seam unchanged; with a separation radius of 0 no
/// candidate adds to the separation sum; with the alignment radius equal to the neighbour
/// radius the alignment test is the neighbour test; and with a full circle of view every
/// candidate is seen. (A bird whose velocity squares to 0 sees all round, as
/// [`Perception::sees`] has it: it runs with the full-circle view.)
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Offsets may cross the world's wrap seam ([`SpatialGrid::block_may_wrap`]).
    pub wrap: bool,
    /// The separation sum is wanted (`separation_r2 > 0`).
    pub separation: bool,
    /// The alignment radius is below the neighbour radius.
    pub align_apart: bool,
    /// The field of view: one of the [`view`] codes.
    pub view: u8,
}

impl Shape {
    /// The shape for `per`, with offsets wrapping as `wrap` says.
    pub fn new(per: &Perception, wrap: bool) -> Self {
        let view = match per.cos_half_fov {
            None => view::ALL,
            Some(c) if c >= 0.0 => view::NARROW,
            Some(_) => view::WIDE,
        };
        Self { wrap, separation: per.separation_r2 > 0.0, align_apart: per.alignment_r2 < per.neighbor_r2, view }
    }
}

/// The fields of view the kernel is compiled for.
pub mod view {
    /// A full circle: every candidate is seen.
    pub const ALL: u8 = 0;
    /// Wider than a half circle: seen unless inside the blind cone behind.
    pub const WIDE: u8 = 1;
    /// At most a half circle: seen only inside the cone ahead.
    pub const NARROW: u8 = 2;
}

/// Work compiled for a [`Shape`]: [`shaped`] turns the shape's fields into its const
/// parameters, one at a time.
trait ShapedWork {
    type Out;
    fn run<const WRAP: bool, const SEP: bool, const APART: bool, const VIEW: u8>(self) -> Self::Out;
}

/// Runs `work` compiled for `shape`.
#[inline(always)]
fn shaped<W: ShapedWork>(shape: Shape, work: W) -> W::Out {
    match shape.wrap {
        true => shaped_sep::<true, W>(shape, work),
        false => shaped_sep::<false, W>(shape, work),
    }
}

#[inline(always)]
fn shaped_sep<const WRAP: bool, W: ShapedWork>(shape: Shape, work: W) -> W::Out {
    match shape.separation {
        true => shaped_align::<WRAP, true, W>(shape, work),
        false => shaped_align::<WRAP, false, W>(shape, work),
    }
}

#[inline(always)]
fn shaped_align<const WRAP: bool, const SEP: bool, W: ShapedWork>(shape: Shape, work: W) -> W::Out {
    match shape.align_apart {
        true => shaped_view::<WRAP, SEP, true, W>(shape, work),
        false => shaped_view::<WRAP, SEP, false, W>(shape, work),
    }
}

#[inline(always)]
fn shaped_view<const WRAP: bool, const SEP: bool, const APART: bool, W: ShapedWork>(shape: Shape, work: W) -> W::Out {
    match shape.view {
        view::ALL => work.run::<WRAP, SEP, APART, { view::ALL }>(),
        view::NARROW => work.run::<WRAP, SEP, APART, { view::NARROW }>(),
        _ => work.run::<WRAP, SEP, APART, { view::WIDE }>(),
    }
}

/// One bird's neighbour pass over some slot ranges, by a kernel already [resolved](resolve).
#[derive(Clone, Copy)]
struct Job<'a> {
    kernel: Kernel,
    grid: &'a SpatialGrid,
    per: &'a Perception,
    slot: usize,
    ranges: &'a [(u32, u32)],
}

impl ShapedWork for Job<'_> {
    type Out = NeighborSums;

    #[inline(always)]
    fn run<const WRAP: bool, const SEP: bool, const APART: bool, const VIEW: u8>(self) -> NeighborSums {
        let Job { kernel, grid, per, slot, ranges } = self;
        let v = grid.vel[slot];
        if VIEW != view::ALL && v.x * v.x + v.y * v.y == 0.0 {
            // a bird whose velocity squares to 0 sees all round, as `Perception::sees` has it
            return self.run::<WRAP, SEP, APART, { view::ALL }>();
        }
        #[cfg(target_arch = "x86_64")]
        if kernel == Kernel::Avx2 {
            // SAFETY: a resolved kernel is Avx2 only when the CPU supports AVX2.
            return unsafe { avx2::sum_ranges::<WRAP, SEP, APART, VIEW>(grid, per, slot, ranges) };
        }
        let _ = kernel; // only x86-64 has a second build
        sum_ranges_lanes::<WRAP, SEP, APART, VIEW>(grid, per, slot, ranges)
    }
}

/// The neighbour pass over a run of slots: the shape's fixed parts (separation, alignment,
/// view) chosen once for the run, whether a block may wrap per cell.
struct Pass<'a> {
    kernel: Kernel,
    grid: &'a SpatialGrid,
    per: &'a Perception,
    reach: usize,
    first: usize,
    out: &'a mut [NeighborSums],
}

impl ShapedWork for Pass<'_> {
    type Out = ();

    fn run<const WRAP: bool, const SEP: bool, const APART: bool, const VIEW: u8>(self) {
        let Pass { kernel, grid, per, reach, first, out } = self;
        let (wrapping, inside) = (Shape::new(per, true), Shape::new(per, false));
        let mut scratch = super::crowd::Scratch::default();
        grid.walk_blocks(first, first + out.len(), reach, |block| {
            let job = Job { kernel, grid, per, slot: block.slot, ranges: block.ranges };
            out[block.slot - first] = match (block.crowds.is_empty(), block.may_wrap) {
                (true, true) => job.run::<true, SEP, APART, VIEW>(),
                (true, false) => job.run::<false, SEP, APART, VIEW>(),
                (false, wrap) => super::crowd::sum_block(kernel, if wrap { wrapping } else { inside }, grid, per, &block, &mut scratch),
            };
        });
    }
}

/// One bird's neighbour sums over the candidate slot ranges `ranges`, by `kernel` (resolved
/// against this CPU as [`active_kernel`] does). Every kernel returns the same bits.
#[inline]
pub fn sum_ranges(kernel: Kernel, grid: &SpatialGrid, per: &Perception, slot: usize, ranges: &[(u32, u32)]) -> NeighborSums {
    sum_ranges_shaped(kernel, Shape::new(per, per.space.wrap), grid, per, slot, ranges)
}

/// [`sum_ranges`] by the build of `kernel` compiled for `shape`.
#[inline]
pub fn sum_ranges_shaped(kernel: Kernel, shape: Shape, grid: &SpatialGrid, per: &Perception, slot: usize, ranges: &[(u32, u32)]) -> NeighborSums {
    let len = grid.pos.len();
    assert!(ranges.iter().all(|&(a, b)| a <= b && b as usize <= len) && len == grid.vel.len(), "slot ranges within the grid");
    shaped(shape, Job { kernel: resolve(kernel), grid, per, slot, ranges })
}

#[cfg(target_arch = "x86_64")]
mod avx2;
