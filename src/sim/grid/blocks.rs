//! A bird's block of cells: the cells within a few cells of its own, as slot ranges. The
//! neighbour pass, the predators and the metrics scan read their candidates from them.

use bevy::math::Vec2;

use super::{CROWDED, SpatialGrid};

impl SpatialGrid<Vec2> {
    /// The contiguous slot ranges covering every cell within `reach` cells of `(x, y)` (at most
    /// 3 rows × 2 spans for reach 1), written into `out`; returns how many.
    #[inline]
    pub fn block_ranges(&self, x: usize, y: usize, reach: usize, out: &mut Vec<(u32, u32)>) {
        out.clear();
        if x >= reach && x + reach < self.cells_x && y >= reach && y + reach < self.cells_y {
            // inside the grid on both axes: one span a row, as `for_each_block` gives it
            for row in y - reach..=y + reach {
                let base = row * self.cells_x;
                let (a, b) = (self.cell_start[base + x - reach], self.cell_start[base + x + reach + 1]);
                if a < b {
                    out.push((a, b));
                }
            }
            return;
        }
        self.for_each_block(x, y, reach, |a, b| out.push((a as u32, b as u32)));
    }

    /// Walks slots `first..end` in order, handing `f` a [`Block`] for each: the slot, the block
    /// of cells within `reach` of its cell ([`Self::block_split`]) and whether it [may
    /// wrap](Self::block_may_wrap). Birds are in cell order, so consecutive slots mostly share a
    /// cell: the block is computed once per cell, not once per bird.
    #[inline]
    pub fn walk_blocks(&self, first: usize, end: usize, reach: usize, mut f: impl FnMut(Block<'_>)) {
        let (mut ranges, mut crowds) = (Vec::with_capacity(2 * (2 * reach + 1)), Vec::new());
        let (mut current, mut may_wrap) = (usize::MAX, true);
        // the cell holding `first`: the last to start at or before it (cells are in slot order,
        // so each slot's cell is found by walking on, with no division)
        let mut cell = self.cell_start.partition_point(|&s| s as usize <= first).saturating_sub(1);
        for slot in first..end {
            while self.cell_start[cell + 1] as usize <= slot {
                cell += 1;
            }
            if cell != current {
                current = cell;
                let (x, y) = (cell % self.cells_x, cell / self.cells_x);
                self.block_split(x, y, reach, &mut ranges, &mut crowds);
                may_wrap = self.block_may_wrap(x, y, reach);
            }
            f(Block { slot, ranges: &ranges, crowds: &crowds, may_wrap });
        }
    }

    /// The block of cells within `reach` of `(x, y)`, each cell once: the slot ranges of its
    /// uncrowded cells into `ranges` (neighbouring cells merged) and its [crowded](CROWDED) cells
    /// (indices into [`CrowdedCells::cells`](super::CrowdedCells::cells)) into `crowds`. With
    /// no crowded cell in the grid, `ranges` is [`Self::block_ranges`].
    pub fn block_split(&self, x: usize, y: usize, reach: usize, ranges: &mut Vec<(u32, u32)>, crowds: &mut Vec<u32>) {
        crowds.clear();
        if self.crowded.is_empty() {
            self.block_ranges(x, y, reach, ranges);
            return;
        }
        ranges.clear();
        let wrap = self.space().wrap;
        let cols = axis_spans(x, reach, self.cells_x, wrap);
        for &(r0, r1) in axis_spans(y, reach, self.cells_y, wrap).iter().flatten() {
            for row in r0..=r1 {
                for &(c0, c1) in cols.iter().flatten() {
                    let base = row * self.cells_x;
                    let mut run = self.cell_start[base + c0];
                    for c in base + c0..=base + c1 {
                        let (a, b) = (self.cell_start[c], self.cell_start[c + 1]);
                        if (b - a) as usize >= CROWDED {
                            if run < a {
                                ranges.push((run, a));
                            }
                            crowds.push(self.crowded.find(c).expect("a crowded cell has a tree") as u32);
                            run = b;
                        }
                    }
                    let end = self.cell_start[base + c1 + 1];
                    if run < end {
                        ranges.push((run, end));
                    }
                }
            }
        }
    }

    /// Whether an offset from a bird in cell `(x, y)` to a bird in the block within `reach`
    /// cells of it may need the minimum image (the way across the wrap seam). It cannot when
    /// the world does not wrap, or when the block lies inside the grid on both axes and spans at
    /// most half the world: every offset in it is then at most `(reach + 1)` cells long (plus
    /// rounding at a cell's edge, for which one more cell is allowed), so
    /// [`min_image`](crate::sim::space::min_image) would return it unchanged.
    #[inline]
    pub fn block_may_wrap(&self, x: usize, y: usize, reach: usize) -> bool {
        let Some(space) = self.space.filter(|s| s.wrap) else {
            return false;
        };
        let inside = |c: usize, n: usize, cell: f32, len: f32| c >= reach && c + reach < n && (reach + 2) as f32 * cell <= 0.5 * len;
        !(inside(x, self.cells_x, self.cell_size.x, space.size.x) && inside(y, self.cells_y, self.cell_size.y, space.size.y))
    }

    /// Calls `f(first_slot, end_slot)` for contiguous slot ranges that together cover every cell
    /// within `reach` cells of `(x, y)`, each cell exactly once (wrap-aware; see
    /// [`Self::for_each_block_at`]).
    #[inline]
    pub fn for_each_block(&self, x: usize, y: usize, reach: usize, f: impl FnMut(usize, usize)) {
        self.for_each_block_at([x, y, 0], reach, f);
    }
}

/// One bird's block of cells, as [`SpatialGrid::walk_blocks`] hands it out.
#[derive(Clone, Copy, Debug)]
pub struct Block<'a> {
    /// The bird's slot.
    pub slot: usize,
    /// The slot ranges of the block's uncrowded cells.
    pub ranges: &'a [(u32, u32)],
    /// The block's crowded cells (indices into [`CrowdedCells::cells`](super::CrowdedCells::cells)).
    pub crowds: &'a [u32],
    /// Whether an offset in the block may cross the wrap seam ([`SpatialGrid::block_may_wrap`]).
    pub may_wrap: bool,
}

/// Up to two inclusive index ranges on an axis of `n` cells covering `c - reach ..= c + reach`,
/// each index once; wraps around when `wrap`, clamps otherwise.
#[inline]
pub fn axis_spans(c: usize, reach: usize, n: usize, wrap: bool) -> [Option<(usize, usize)>; 2] {
    let lo = c as isize - reach as isize;
    let hi = c + reach;
    if !wrap {
        return [Some((lo.max(0) as usize, hi.min(n - 1))), None];
    }
    if 2 * reach + 1 >= n {
        return [Some((0, n - 1)), None];
    }
    if lo < 0 {
        [Some(((lo + n as isize) as usize, n - 1)), Some((0, hi))]
    } else if hi >= n {
        [Some((lo as usize, n - 1)), Some((0, hi - n))]
    } else {
        [Some((lo as usize, hi)), None]
    }
}

