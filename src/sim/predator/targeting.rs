//! How a predator chooses where to fly: pure functions over the grid snapshot.

use bevy::math::Vec2;

use crate::sim::grid::SpatialGrid;
use crate::sim::params::TargetStrategy;

/// Where a predator aims.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Aim {
    /// A bird, by grid slot.
    Bird(usize),
    /// A point (the centre of a crowd).
    Point(Vec2),
}

impl Aim {
    /// The position aimed at.
    pub fn position(self, grid: &SpatialGrid) -> Vec2 {
        match self {
            Aim::Bird(slot) => grid.pos[slot],
            Aim::Point(p) => p,
        }
    }
}

/// The slot of the bird nearest to `p` (ties: the lower slot), searching outward ring by ring.
pub fn nearest_bird(grid: &SpatialGrid, p: Vec2) -> Option<usize> {
    if grid.is_empty() {
        return None;
    }
    let cell = grid.cell_size().max_element();
    let world = grid.space().size.max_element();
    let mut radius = cell;
    loop {
        let mut best: Option<(f32, usize)> = None;
        grid.for_each_within(p, radius, |slot, _, d2| {
            if best.is_none_or(|(b, s)| d2 < b || (d2 == b && slot < s)) {
                best = Some((d2, slot));
            }
        });
        if let Some((_, slot)) = best {
            return Some(slot);
        }
        if radius > 2.0 * world {
            return None;
        }
        radius *= 2.0;
    }
}

/// The centre of the densest 3×3 block of cells (ties: the lowest cell index), or `None` with no birds.
pub fn densest_point(grid: &SpatialGrid) -> Option<Vec2> {
    if grid.is_empty() {
        return None;
    }
    let (cx, cy) = grid.dims();
    let mut best = (0usize, 0usize, 0usize);
    for y in 0..cy {
        for x in 0..cx {
            let mut count = 0;
            grid.for_each_block(x, y, 1, |a, b| count += b - a);
            if count > best.0 {
                best = (count, x, y);
            }
        }
    }
    let (_, x, y) = best;
    let centre = (Vec2::new(x as f32, y as f32) + 0.5) * grid.cell_size();
    // The mean position of the block's birds, as offsets from the cell centre (wrap-aware).
    let space = grid.space();
    let (mut sum, mut n) = (Vec2::ZERO, 0u32);
    grid.for_each_block(x, y, 1, |a, b| {
        for j in a..b {
            sum += space.offset(centre, grid.pos[j]);
            n += 1;
        }
    });
    Some(space.contain(centre + sum / n.max(1) as f32))
}

/// Among birds within `range` of `p`, the one with the fewest neighbours (`counts` by slot);
/// ties go to the nearest. Falls back to the nearest bird when none is within range.
pub fn most_isolated(grid: &SpatialGrid, counts: &[u32], p: Vec2, range: f32) -> Option<usize> {
    let mut best: Option<(u32, f32, usize)> = None;
    grid.for_each_within(p, range, |slot, _, d2| {
        let key = (counts.get(slot).copied().unwrap_or(0), d2, slot);
        if best.is_none_or(|b| (key.0, key.1) < (b.0, b.1) || ((key.0, key.1) == (b.0, b.1) && key.2 < b.2)) {
            best = Some(key);
        }
    });
    best.map(|(_, _, slot)| slot).or_else(|| nearest_bird(grid, p))
}

/// Chooses an aim by strategy. `locked` is the lock-on target's slot if it is still valid.
pub fn choose(
    strategy: TargetStrategy,
    grid: &SpatialGrid,
    counts: &[u32],
    p: Vec2,
    range: f32,
    locked: Option<usize>,
) -> Option<Aim> {
    match strategy {
        TargetStrategy::Nearest => nearest_bird(grid, p).map(Aim::Bird),
        TargetStrategy::Densest => densest_point(grid).map(Aim::Point),
        TargetStrategy::Isolated => most_isolated(grid, counts, p, range).map(Aim::Bird),
        TargetStrategy::LockOn => locked.or_else(|| nearest_bird(grid, p)).map(Aim::Bird),
    }
}

/// Turns `heading` toward `desired` by at most `max_turn` radians; returns a unit vector.
pub fn turn_toward(heading: Vec2, desired: Vec2, max_turn: f32) -> Vec2 {
    let h = heading.normalize_or(Vec2::X);
    let Some(d) = desired.try_normalize() else { return h };
    let angle = h.angle_to(d);
    if angle.abs() <= max_turn {
        d
    } else {
        Vec2::from_angle(max_turn * angle.signum()).rotate(h)
    }
}

/// The chance that an attack on a bird with `n` birds (itself included) within the confusion
/// radius succeeds: `1 / (1 + confusion · (n − 1))` (Olson et al. 2013: 1/n at confusion 1).
pub fn catch_chance(confusion: f32, n: usize) -> f32 {
    1.0 / (1.0 + confusion * n.saturating_sub(1) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::space::Space;

    fn grid(points: &[Vec2]) -> SpatialGrid {
        let mut g = SpatialGrid::default();
        g.rebuild(
            Space { size: Vec2::new(400.0, 400.0), wrap: true },
            20.0,
            points.iter().enumerate().map(|(i, &p)| (i as u32, p, Vec2::X)),
        );
        g
    }

    fn id(g: &SpatialGrid, slot: Option<usize>) -> Option<u32> {
        slot.map(|s| g.ids[s])
    }

    #[test]
    fn nearest_finds_the_nearest_even_far_away_and_across_the_seam() {
        let g = grid(&[Vec2::new(300.0, 200.0), Vec2::new(390.0, 10.0), Vec2::new(150.0, 150.0)]);
        assert_eq!(id(&g, nearest_bird(&g, Vec2::new(5.0, 5.0))), Some(1));
        assert_eq!(id(&g, nearest_bird(&g, Vec2::new(160.0, 160.0))), Some(2));
        assert_eq!(nearest_bird(&grid(&[]), Vec2::ZERO), None);
    }

    #[test]
    fn densest_point_is_in_the_crowd() {
        let mut pts: Vec<Vec2> = (0..30).map(|i| Vec2::new(100.0 + (i % 6) as f32, 300.0 + (i / 6) as f32)).collect();
        pts.extend((0..5).map(|i| Vec2::new(20.0 + 10.0 * i as f32, 20.0)));
        let g = grid(&pts);
        let p = densest_point(&g).unwrap();
        assert!(p.distance(Vec2::new(102.5, 302.0)) < 5.0, "{p:?}");
    }

    #[test]
    fn isolated_prefers_the_loner() {
        let g = grid(&[Vec2::new(100.0, 100.0), Vec2::new(105.0, 100.0), Vec2::new(200.0, 100.0)]);
        // counts by slot: the loner (id 2) has none
        let counts: Vec<u32> = g.ids.iter().map(|&i| if i == 2 { 0 } else { 1 }).collect();
        assert_eq!(id(&g, most_isolated(&g, &counts, Vec2::new(110.0, 100.0), 150.0)), Some(2));
        // out of range → nearest
        assert_eq!(id(&g, most_isolated(&g, &counts, Vec2::new(110.0, 100.0), 20.0)), Some(1));
    }

    #[test]
    fn lock_on_keeps_its_target() {
        let g = grid(&[Vec2::new(100.0, 100.0), Vec2::new(300.0, 300.0)]);
        let far = g.ids.iter().position(|&i| i == 1).unwrap();
        let aim = choose(TargetStrategy::LockOn, &g, &[], Vec2::new(101.0, 101.0), 100.0, Some(far));
        assert_eq!(aim, Some(Aim::Bird(far)));
        let aim = choose(TargetStrategy::LockOn, &g, &[], Vec2::new(101.0, 101.0), 100.0, None);
        assert_eq!(aim.map(|a| a.position(&g)), Some(Vec2::new(100.0, 100.0)));
    }

    #[test]
    fn turning_is_limited() {
        let t = turn_toward(Vec2::X, Vec2::Y, 0.1);
        assert!((t.to_angle() - 0.1).abs() < 1e-6);
        assert_eq!(turn_toward(Vec2::X, Vec2::new(1.0, 0.01), 0.1), Vec2::new(1.0, 0.01).normalize());
        assert_eq!(turn_toward(Vec2::X, Vec2::ZERO, 0.1), Vec2::X);
    }

    #[test]
    fn confusion_lowers_the_catch_chance() {
        assert_eq!(catch_chance(1.0, 1), 1.0);
        assert_eq!(catch_chance(1.0, 4), 0.25);
        assert_eq!(catch_chance(0.0, 50), 1.0);
    }
}
