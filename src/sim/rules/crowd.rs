//! The neighbour pass through crowded cells ([`CrowdedCells`](crate::sim::grid::CrowdedCells)).
//!
//! A node of a crowded cell's tree is added whole (its count and sums) when every bird in it is
//! provably seen, within the neighbour radius, outside the separation radius and on one side of
//! the alignment radius; skipped when none can be seen within reach; and opened otherwise, down
//! to leaves whose birds go through the [`kernel`] one by one. "Provably" leaves a margin for
//! rounding ([`REL`], and [`View::slack`] on offsets), so a bird counts as a neighbour exactly
//! when the one-by-one test says so; the sums differ from one-by-one sums only by rounding.

use bevy::math::Vec2;

use super::kernel::{self, Kernel, Shape, view};
use super::{NeighborSums, Perception};
use crate::sim::grid::{Block, Crowd, Node, SpatialGrid};

/// Relative margin on radii and on the angle to a view edge within which a node is opened
/// instead of trusted whole.
const REL: f32 = 1e-3;

/// Room reused from bird to bird: the slot ranges for the kernel and the walk's stack.
#[derive(Default)]
pub struct Scratch {
    ranges: Vec<(u32, u32)>,
    stack: Vec<(usize, usize)>,
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
    /// `view::ALL` for a bird that sees all round (or stands still), else the shape's view.
    kind: u8,
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
        let ahead = vel.normalize_or_zero();
        let kind = if ahead == Vec2::ZERO { view::ALL } else { shape.view };
        let cos_half = per.cos_half_fov.unwrap_or(-1.0).clamp(-1.0, 1.0);
        // a narrow view's cone is ahead, half-angle φ = half the view; a wide view's blind cone
        // is behind, φ = π − half the view
        let (axis, cos_phi) = if kind == view::WIDE { (-ahead, -cos_half) } else { (ahead, cos_half) };
        let sin_phi = (1.0 - cos_phi * cos_phi).max(0.0).sqrt();
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

    /// What to do with a node whose birds' offsets lie in the box `lo..=hi`.
    #[inline]
    fn classify(&self, node: &Node, lo: Vec2, hi: Vec2) -> Class {
        let nearest = Vec2::new(axis_nearest(lo.x, hi.x), axis_nearest(lo.y, hi.y)).length_squared();
        let far = lo.abs().max(hi.abs());
        let farthest = far.length_squared();
        if nearest >= self.skip_r2 {
            return Class::Skip;
        }
        if self.kind != view::ALL {
            // `far.x + far.y` bounds every offset's length
            let margin = REL * (far.x + far.y) + 2.0 * self.slack;
            let [(min0, max0), (min1, max1)] = self.edges.map(|n| extremes(n, lo, hi));
            let in_cone = (min0 >= margin) & (min1 >= margin);
            let out_of_cone = (max0 <= -margin) | (max1 <= -margin);
            let (seen, hidden) = if self.kind == view::WIDE {
                // birds ahead are seen whatever the cone
                (out_of_cone | (extremes(self.ahead, lo, hi).0 >= margin), in_cone)
            } else {
                (in_cone, out_of_cone)
            };
            if hidden {
                return Class::Skip;
            }
            if !seen {
                return Class::Open;
            }
        }
        let own = (node.first as usize..node.end as usize).contains(&self.slot);
        if own | (farthest >= self.take_r2) | (nearest <= self.separation_r2) {
            return Class::Open;
        }
        match self.alignment_r2 {
            None => Class::Take { align: true },
            Some((within, _)) if farthest < within => Class::Take { align: true },
            Some((_, beyond)) if nearest > beyond => Class::Take { align: false },
            Some(_) => Class::Open,
        }
    }
}

/// What the neighbour pass does with a node.
enum Class {
    /// No bird in it is seen within reach.
    Skip,
    /// Every bird in it is a seen neighbour outside the separation radius, all within the
    /// alignment radius (`align`) or all beyond it.
    Take { align: bool },
    /// Some may be and some not: look inside.
    Open,
}

/// The coordinate in `lo..=hi` nearest 0.
fn axis_nearest(lo: f32, hi: f32) -> f32 {
    if lo > 0.0 {
        lo
    } else if hi < 0.0 {
        hi
    } else {
        0.0
    }
}

/// The least and greatest `n · q` over the box `lo..=hi`.
fn extremes(n: Vec2, lo: Vec2, hi: Vec2) -> (f32, f32) {
    let pick = |n: f32, lo: f32, hi: f32| if n >= 0.0 { (n * lo, n * hi) } else { (n * hi, n * lo) };
    let ((a0, a1), (b0, b1)) = (pick(n.x, lo.x, hi.x), pick(n.y, lo.y, hi.y));
    (a0 + b0, a1 + b1)
}

/// Walks one crowded cell's tree depth first, in slot order: whole nodes into `whole`, opened
/// leaves' slot ranges onto `ranges` (merged with the previous range when they touch).
fn walk(grid: &SpatialGrid, view: &View, crowd: &Crowd, scratch: &mut Scratch, whole: &mut NeighborSums) {
    let Scratch { ranges, stack } = scratch;
    let nodes = &grid.crowded.nodes;
    let first = nodes[crowd.node(0, 0)].first;
    let end = nodes[crowd.node(crowd.levels(), 0) - 1].end;
    let Some(shift) = view.shift(crowd, grid.cell_size()) else {
        // the cell straddles the half-world line: one by one
        push_range(ranges, first, end);
        return;
    };
    let base = crowd.origin - view.pos + shift;
    let top = crowd.levels() - 1;
    stack.clear();
    stack.extend((0..crowd.node(top + 1, 0) - crowd.node(top, 0)).rev().map(|i| (top, i)));
    while let Some((level, i)) = stack.pop() {
        let node = &nodes[crowd.node(level, i)];
        let (lo, hi) = (node.min - view.pos + shift, node.max - view.pos + shift);
        match view.classify(node, lo, hi) {
            Class::Skip => {}
            Class::Take { align } => {
                let n = node.count();
                whole.count += n;
                whole.offset_sum += node.pos_sum + base * n as f32;
                if align {
                    whole.align_count += n;
                    whole.velocity_sum += node.vel_sum;
                }
            }
            Class::Open if level == 0 => push_range(ranges, node.first, node.end),
            Class::Open => stack.extend(crowd.children(level, i).rev().map(|c| (level - 1, c))),
        }
    }
}

/// Appends the slot range `a..b`, merged into the last one when it ends at `a`.
fn push_range(ranges: &mut Vec<(u32, u32)>, a: u32, b: u32) {
    match ranges.last_mut() {
        Some(last) if last.1 == a => last.1 = b,
        _ => ranges.push((a, b)),
    }
}
