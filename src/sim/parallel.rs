//! Running a few tasks on Bevy's compute pool: the simulation's own parallel loops (the grid
//! rebuild, integration) that split their data themselves.

/// Runs `f` on each piece of `work`, as tasks on the compute pool when it exists and there is
/// more than one piece, else in turn on this thread.
pub fn run_tasks<T: Send>(work: Vec<T>, f: impl Fn(T) + Sync) {
    let f = &f;
    match bevy::tasks::ComputeTaskPool::try_get() {
        Some(pool) if work.len() > 1 => {
            pool.scope(|s| {
                for w in work {
                    s.spawn(async move { f(w) });
                }
            });
        }
        _ => work.into_iter().for_each(f),
    }
}

/// `data` cut at `bounds` (ascending, the first 0 and the last `data.len()`): one slice per
/// pair of neighbouring bounds.
pub fn split_at_bounds<'a, T>(mut data: &'a mut [T], bounds: &[usize]) -> Vec<&'a mut [T]> {
    let mut parts = Vec::with_capacity(bounds.len().saturating_sub(1));
    for w in bounds.windows(2) {
        let (head, tail) = std::mem::take(&mut data).split_at_mut(w[1] - w[0]);
        parts.push(head);
        data = tail;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_at_bounds_cuts_at_each_bound() {
        let mut data = [0, 1, 2, 3, 4, 5, 6];
        let parts = split_at_bounds(&mut data, &[0, 2, 2, 7]);
        assert_eq!(parts.iter().map(|p| p.to_vec()).collect::<Vec<_>>(), vec![vec![0, 1], vec![], vec![2, 3, 4, 5, 6]]);
    }

    #[test]
    fn every_piece_of_work_runs_once() {
        bevy::tasks::ComputeTaskPool::get_or_init(bevy::tasks::TaskPool::default);
        let mut seen = vec![0u32; 10];
        let work: Vec<&mut [u32]> = seen.chunks_mut(3).collect();
        run_tasks(work, |chunk| chunk.iter_mut().for_each(|s| *s += 1));
        assert_eq!(seen, vec![1; 10]);
    }
}
