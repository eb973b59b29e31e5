//! How a grid rebuild splits its work over the compute pool's threads.

use crate::sim::parallel::{run_tasks, split_at_bounds};

/// From this many birds on, a rebuild splits its work over the compute pool's threads.
const PARALLEL_BIRDS: usize = 32 * 1024;

/// How a rebuild splits its work: each task owns a range of cells (of equal length), so the
/// tasks' counts, cursors and slots never overlap; one task (serial) for small flocks or without
/// Bevy's compute pool. The grid comes out the same however it is split.
pub(super) struct Parts {
    cells: usize,
    tasks: usize,
}

impl Parts {
    pub(super) fn new(cells: usize, n: usize) -> Self {
        let tasks = match bevy::tasks::ComputeTaskPool::try_get() {
            Some(pool) if n >= PARALLEL_BIRDS => pool.thread_num().clamp(1, 8).min(cells),
            _ => 1,
        };
        Self { cells, tasks: tasks.max(1) }
    }

    /// The bounds of the tasks' cell ranges: `0 = b0 ≤ b1 ≤ … ≤ b_tasks = cells`.
    pub(super) fn cell_bounds(&self) -> impl Iterator<Item = usize> + '_ {
        (0..=self.tasks).map(|k| k * self.cells / self.tasks)
    }

    /// Runs `f(first, chunk)` over one chunk of `data` per task.
    pub(super) fn run_chunks<T: Send>(&self, data: &mut [T], f: impl Fn(usize, &mut [T]) + Sync) {
        let len = data.len();
        let bounds: Vec<usize> = (0..=self.tasks).map(|k| k * len / self.tasks).collect();
        let work: Vec<_> = bounds.iter().copied().zip(split_at_bounds(data, &bounds)).collect();
        run_tasks(work, |(first, chunk)| f(first, chunk));
    }

    /// Runs `f(cells, part)` per task: its range of cells and its part of `per_cell` (one entry
    /// per cell).
    pub(super) fn run_cells<T: Send>(&self, per_cell: &mut [T], f: impl Fn(std::ops::Range<usize>, &mut [T]) + Sync) {
        let bounds: Vec<usize> = self.cell_bounds().collect();
        let work: Vec<_> = bounds.windows(2).map(|w| w[0]..w[1]).zip(split_at_bounds(per_cell, &bounds)).collect();
        run_tasks(work, |(cells, part)| f(cells, part));
    }

    /// Runs `f(cells, part, first_slot, ids, src)` per task: its range of cells, its part of
    /// `per_cell` (one entry per cell, or none when it is empty), and its slots of `ids` and
    /// `src`, which start at `starts[task]` (`starts` has one more entry than tasks: the end).
    #[allow(clippy::type_complexity)]
    pub(super) fn run_slots<T: Send>(
        &self,
        per_cell: &mut [T],
        ids: &mut [u32],
        src: &mut [u32],
        starts: &[usize],
        f: impl Fn(std::ops::Range<usize>, &mut [T], usize, &mut [u32], &mut [u32]) + Sync,
    ) {
        let bounds: Vec<usize> = self.cell_bounds().collect();
        let per_cell: Vec<&mut [T]> =
            if per_cell.is_empty() { (0..self.tasks).map(|_| &mut [][..]).collect() } else { split_at_bounds(per_cell, &bounds) };
        let work: Vec<_> = bounds
            .windows(2)
            .map(|w| w[0]..w[1])
            .zip(per_cell)
            .zip(starts.iter().copied().zip(split_at_bounds(ids, starts)).zip(split_at_bounds(src, starts)))
            .collect();
        run_tasks(work, |((cells, part), ((first, ids), src))| f(cells, part, first, ids, src));
    }
}
