//! The neighbour pass through crowded cells ([`CrowdedCells`](crate::sim::grid::CrowdedCells)).
//!
//! A node of a crowded cell's tree is added whole (its count and sums) when every bird in it is
//! provably seen, within the neighbour radius, outside the separation radius and on one side of
//! the alignment radius; skipped when none can be seen within reach; and opened otherwise, down
//! to leaves whose birds go through the [`kernel`] one by one. "Provably" leaves a margin for
//! rounding ([`REL`], and [`View::slack`] on offsets), so a bird counts as a neighbour exactly
//! when the one-by-one test says so; the sums differ from one-by-one sums only by rounding.

use bevy::math::Vec2;

use super::kernel::{self, Kernel, LANES, Shape, view};
use super::{NeighborSums, Perception};
use crate::sim::grid::{Block, Crowd, FANOUT, LEAF, SpatialGrid};

/// Eight `f32` lanes: the same operations on every CPU (`wide`), so nodes are classified alike
/// whichever neighbour kernel runs.
type F8 = wide::f32x8;

/// Relative margin on radii and on the angle to a view edge within which a node is opened
/// instead of trusted whole.
const REL: f32 = 1e-3;

/// Below this squared speed the kernel's view test works on numbers near the bottom of `f32`'s
/// range, so whole nodes are never taken or skipped on the view (only on distance).
const MIN_VIEW_VV: f32 = 1e-20;

/// Room reused from bird to bird: the slot ranges for the kernel and the walk's stack.
#[derive(Default)]
pub struct Scratch {
    ranges: Vec<(u32, u32)>,
    stack: Vec<(usize, std::ops::Range<usize>)>,
}

/// One bird's neighbour sums over a block with crowded cells: the uncrowded cells' ranges and
/// the opened leaves go through the kernel, whole nodes are added after.
pub fn sum_block(kernel: Kernel, shape: Shape, grid: &SpatialGrid, per: &Perception, block: &Block<'_>, scratch: &mut Scratch) -> NeighborSums {
    scratch.ranges.clear();
    scratch.ranges.extend_from_slice(block.ranges);
    let view = View::new(grid, per, shape, block.slot);
    let mut whole = NeighborSums::default();
    for &c in block.crowds {
        walk(grid, &view, &grid.crowded.cells[c as usize], scratch, &mut whole);
    }
    let mut sums = kernel::sum_ranges_shaped(kernel, shape, grid, per, block.slot, &scratch.ranges);
    sums.count += whole.count;
    sums.offset_sum += whole.offset_sum;
    sums.align_count += whole.align_count;
    sums.velocity_sum += whole.velocity_sum;
    sums
}

/// What one bird perceives, set up for testing whole boxes: squared distances with the
/// margins for rounding already applied.
struct View {
    slot: usize,
    pos: Vec2,
    /// `view::ALL` for a bird that sees all round (or whose velocity squares to 0, as the kernel
    /// has it), else the shape's view.
    kind: u8,
    /// Whether nodes may be taken or skipped on the view: not for a bird nearly standing still,
    /// nor for a blind cone too thin to tell from rounding.
    view_known: bool,
    /// The relative margin on the angle to a view edge: [`REL`], more when the cone is so thin
    /// (`f32`'s rounding of its cosine) that `REL` could not cover it.
    rel: f32,
    /// The bird's heading.
    ahead: Vec2,
    /// Inward unit normals of the view cone's two edges (the cone is where both are ≥ 0): the
    /// cone ahead for a narrow view, the blind cone behind for a wide one.
    edges: [Vec2; 2],
    /// A box this far (squared) or farther holds nobody within reach.
    skip_r2: f32,
    /// A box wholly nearer than this (squared) is within the neighbour radius.
    take_r2: f32,
    /// A box this near (squared) or nearer may hold birds within the separation radius.
    separation_r2: f32,
    /// Wholly nearer than the first (squared): within the alignment radius; wholly farther than
    /// the second: beyond it. `None` when it is the neighbour radius.
    alignment_r2: Option<(f32, f32)>,
    /// The world's size when it wraps.
    wrap: Option<Vec2>,
    /// A bound on the rounding of a computed offset's length (positions and world size are at
    /// most `max(width, height)`).
    slack: f32,
}

impl View {
    fn new(grid: &SpatialGrid, per: &Perception, shape: Shape, slot: usize) -> Self {
        let (pos, vel) = (grid.pos[slot], grid.vel[slot]);
        let vv = vel.x * vel.x + vel.y * vel.y;
        let kind = if vv == 0.0 { view::ALL } else { shape.view };
        let ahead = if kind == view::ALL { Vec2::ZERO } else { vel.normalize_or_zero() };
        let cos_half = per.cos_half_fov.unwrap_or(-1.0).clamp(-1.0, 1.0);
        // a narrow view's cone is ahead, half-angle φ = half the view; a wide view's blind cone
        // is behind, φ = π − half the view
        let (axis, cos_phi) = if kind == view::WIDE { (-ahead, -cos_half) } else { (ahead, cos_half) };
        let sin_phi = (1.0 - cos_phi * cos_phi).max(0.0).sqrt();
        // the cone's edge is known to about ε / sin φ radians
        let view_known = kind == view::ALL || (vv >= MIN_VIEW_VV && ahead != Vec2::ZERO && sin_phi > 0.0);
        let rel = if sin_phi > 0.0 { REL.max(64.0 * f32::EPSILON / sin_phi) } else { REL };
        let edges = [
            Vec2::new(axis.x * sin_phi + axis.y * cos_phi, -axis.x * cos_phi + axis.y * sin_phi),
            Vec2::new(axis.x * sin_phi - axis.y * cos_phi, axis.x * cos_phi + axis.y * sin_phi),
        ];
        let size = per.space.size;
        let slack = 8.0 * f32::EPSILON * size.x.max(size.y).max(pos.abs().max_element());
        // squared bounds: `outside(r)` a little beyond r, `inside(r)` a little within it
        let outside = |r: f32| (r * (1.0 + REL) + 2.0 * slack).powi(2);
        let inside = |r: f32| (r * (1.0 - REL) - 2.0 * slack).max(0.0).powi(2);
        let (neighbor_r, separation_r) = (per.neighbor_r2.sqrt(), per.separation_r2.sqrt());
        Self {
            slot,
            pos,
            kind,
            view_known,
            rel,
            ahead,
            edges,
            skip_r2: outside(neighbor_r.max(separation_r)),
            take_r2: inside(neighbor_r),
            separation_r2: if shape.separation { outside(separation_r) } else { -1.0 },
            alignment_r2: shape.align_apart.then(|| (inside(per.alignment_r2.sqrt()), outside(per.alignment_r2.sqrt()))),
            wrap: per.space.wrap.then_some(size),
            slack,
        }
    }

    /// The shift that takes every offset from the bird into the crowded cell `crowd` (of side
    /// `side`) to its minimum image, when one shift serves the whole cell on both axes.
    fn shift(&self, crowd: &Crowd, side: Vec2) -> Option<Vec2> {
        let Some(size) = self.wrap else {
            return Some(Vec2::ZERO);
        };
        let (lo, hi) = (crowd.origin - self.pos, crowd.origin + side - self.pos);
        let axis = |lo: f32, hi: f32, len: f32| {
            let (half, s) = (0.5 * len, 2.0 * self.slack);
            if lo - s > -half && hi + s < half {
                Some(0.0)
            } else if lo - s > half {
                Some(-len)
            } else if hi + s < -half {
                Some(len)
            } else {
                None
            }
        };
        Some(Vec2::new(axis(lo.x, hi.x, size.x)?, axis(lo.y, hi.y, size.y)?))
    }

    /// Classifies `count` (at most [`LANES`]) consecutive nodes from node index `first` at once
    /// (their boxes moved by `offset`: the cell's wrap shift minus the bird's position), the
    /// node `own` (an index in `0..count`, if any) holding the bird itself. Bit `k` of each mask
    /// is node `first + k`'s: in `skip`, none of its birds is seen within reach; in `take`,
    /// every one is a seen neighbour outside the separation radius, and in `align` as well, all
    /// within the alignment radius (else all beyond it); in neither, it is opened.
    #[inline]
    fn classify(&self, boxes: &[Vec<f32>; 4], first: usize, count: usize, offset: Vec2, own: Option<usize>) -> Classes {
        let load = |v: &[f32]| F8::from(*v[first..].first_chunk::<LANES>().expect("boxes are padded"));
        let (ox, oy) = (F8::splat(offset.x), F8::splat(offset.y));
        let [lo_x, lo_y, hi_x, hi_y] = [load(&boxes[0]) + ox, load(&boxes[1]) + oy, load(&boxes[2]) + ox, load(&boxes[3]) + oy];
        let zero = F8::ZERO;
        let nearest = |lo: F8, hi: F8| lo.simd_gt(zero).select(lo, hi.simd_lt(zero).select(hi, zero));
        let (near_x, near_y) = (nearest(lo_x, hi_x), nearest(lo_y, hi_y));
        let (far_x, far_y) = (lo_x.abs().max(hi_x.abs()), lo_y.abs().max(hi_y.abs()));
        let near2 = near_x * near_x + near_y * near_y;
        let far2 = far_x * far_x + far_y * far_y;
        let mut skip = near2.simd_ge(F8::splat(self.skip_r2));
        let mut take = far2.simd_lt(F8::splat(self.take_r2)) & near2.simd_gt(F8::splat(self.separation_r2));
        if !self.view_known {
            take = zero;
        } else if self.kind != view::ALL {
            // `far_x + far_y` bounds every offset's length
            let margin = F8::splat(self.rel) * (far_x + far_y) + F8::splat(2.0 * self.slack);
            // the least and greatest `n · q` over each box
            let extremes = |n: Vec2| {
                let (x0, x1) = if n.x >= 0.0 { (lo_x, hi_x) } else { (hi_x, lo_x) };
                let (y0, y1) = if n.y >= 0.0 { (lo_y, hi_y) } else { (hi_y, lo_y) };
                let (nx, ny) = (F8::splat(n.x), F8::splat(n.y));
                (nx * x0 + ny * y0, nx * x1 + ny * y1)
            };
            let [(min0, max0), (min1, max1)] = self.edges.map(extremes);
            let neg = -margin;
            let in_cone = min0.simd_ge(margin) & min1.simd_ge(margin);
            let out_of_cone = max0.simd_le(neg) | max1.simd_le(neg);
            let (seen, hidden) = if self.kind == view::WIDE {
                // birds ahead are seen whatever the cone
                (out_of_cone | extremes(self.ahead).0.simd_ge(margin), in_cone)
            } else {
                (in_cone, out_of_cone)
            };
            skip |= hidden;
            take &= seen;
        }
        let align = match self.alignment_r2 {
            None => take,
            Some((within, beyond)) => {
                let (all, none) = (far2.simd_lt(F8::splat(within)), near2.simd_gt(F8::splat(beyond)));
                take &= all | none;
                take & all
            }
        };
        let lanes = (1u32 << count) - 1;
        let own = own.map_or(0, |k| 1u32 << k);
        let skip = skip.to_bitmask() & lanes;
        let take = take.to_bitmask() & lanes & !skip & !own;
        Classes { skip, take, align: align.to_bitmask() & take }
    }
}

/// What the neighbour pass does with up to eight nodes, one bit each ([`View::classify`]).
struct Classes {
    skip: u32,
    take: u32,
    align: u32,
}

/// Walks one crowded cell's tree from the top, eight siblings at a time: whole nodes into
/// `whole`, opened leaves' slot ranges onto `ranges` (merged with the previous range when they
/// touch), opened inner nodes' children onto the stack.
fn walk(grid: &SpatialGrid, view: &View, crowd: &Crowd, scratch: &mut Scratch, whole: &mut NeighborSums) {
    let Scratch { ranges, stack } = scratch;
    let (nodes, boxes) = (&grid.crowded.nodes, &grid.crowded.boxes);
    let first = nodes[crowd.node(0, 0)].first;
    let end = nodes[crowd.node(crowd.levels(), 0) - 1].end;
    let Some(shift) = view.shift(crowd, grid.cell_size()) else {
        // the cell straddles the half-world line: one by one
        push_range(ranges, first, end);
        return;
    };
    let offset = shift - view.pos;
    // the leaf holding the bird itself, if it is in this cell
    let own_leaf = (first as usize..end as usize).contains(&view.slot).then(|| (view.slot - first as usize) / LEAF);
    let top = crowd.levels() - 1;
    let top_count = crowd.node(top + 1, 0) - crowd.node(top, 0);
    stack.clear();
    stack.extend((0..top_count).step_by(LANES).rev().map(|i| (top, i..(i + LANES).min(top_count))));
    // whole nodes' birds and their positions relative to the cell's corner, added up here
    let (mut taken, mut pos_sum) = (0, Vec2::ZERO);
    while let Some((level, group)) = stack.pop() {
        let own = own_leaf.map(|leaf| leaf / FANOUT.pow(level as u32)).filter(|i| group.contains(i)).map(|i| i - group.start);
        let at = crowd.node(level, group.start);
        let classes = view.classify(boxes, at, group.len(), offset, own);
        for k in bits(classes.take) {
            let node = &nodes[at + k];
            taken += node.count();
            pos_sum += node.pos_sum;
        }
        for k in bits(classes.align) {
            let node = &nodes[at + k];
            whole.align_count += node.count();
            whole.velocity_sum += node.vel_sum;
        }
        let opened = ((1u32 << group.len()) - 1) & !classes.take & !classes.skip;
        if level == 0 {
            bits(opened).for_each(|k| push_range(ranges, nodes[at + k].first, nodes[at + k].end));
        } else {
            // walked next, in order
            let children = |k: usize| (level - 1, crowd.children(level, group.start + k));
            stack.extend(bits(opened.reverse_bits() >> (32 - group.len())).map(|k| children(group.len() - 1 - k)));
        }
    }
    whole.count += taken;
    whole.offset_sum += pos_sum + (crowd.origin + offset) * taken as f32;
}

/// The indices of the set bits of `mask`, lowest first.
fn bits(mut mask: u32) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let k = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            k
        })
    })
}

/// Appends the slot range `a..b`, merged into the last one when it ends at `a`.
fn push_range(ranges: &mut Vec<(u32, u32)>, a: u32, b: u32) {
    match ranges.last_mut() {
        Some(last) if last.1 == a => last.1 = b,
        _ => ranges.push((a, b)),
    }
}
