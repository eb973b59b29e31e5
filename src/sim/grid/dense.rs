//! Crowded cells: a cell holding at least [`CROWDED`] birds keeps its birds in Morton order
//! (nearby birds in nearby slots) and a tree over them whose nodes hold a bounding box and the
//! sums of their birds' positions and velocities. The neighbour pass then adds a whole node when
//! every bird in it is provably a neighbour, skips it when none can be, and visits birds one by
//! one only in nodes that straddle the edge of a bird's radius or view
//! ([`crate::sim::rules::crowd`]): in a dense ball the work per bird stops growing with the
//! number of birds in reach.

use bevy::math::Vec2;

/// A cell with at least this many birds is crowded. Flocks that keep their separation never
/// come near it (a cell is half a neighbour radius wide); a flock without separation that
/// collapses into balls does.
pub const CROWDED: usize = 96;

/// Birds per leaf: four groups of the neighbour kernel (leaves of 8, 16, 32 and 64 birds took
/// 4.7, 4.1, 3.9 and 4.0 ms a step on the packed stress).
pub const LEAF: usize = 32;

/// Children per inner node.
pub const FANOUT: usize = 8;

/// The most levels a tree may have (leaves included): enough for 32 · 8⁹ ≈ 4.3 billion birds.
const MAX_LEVELS: usize = 10;

/// One node of a crowded cell's tree: some consecutive slots and what they sum to.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Node {
    /// The corner of the birds' bounding box with the smallest coordinates.
    pub min: Vec2,
    /// The corner with the largest coordinates.
    pub max: Vec2,
    /// The first slot.
    pub first: u32,
    /// One past the last slot.
    pub end: u32,
    /// Sum of the birds' positions relative to the cell's corner ([`Crowd::origin`]).
    pub pos_sum: Vec2,
    /// Sum of the birds' velocities.
    pub vel_sum: Vec2,
}

impl Node {
    /// How many birds the node holds.
    pub fn count(&self) -> u32 {
        self.end - self.first
    }
}

/// One crowded cell's tree, stored level by level in [`CrowdedCells::nodes`]: leaves first (of
/// [`LEAF`] consecutive slots), then each level's nodes over [`FANOUT`] consecutive nodes of
/// the level below, up to one root.
#[derive(Clone, Copy, Debug, Default)]
pub struct Crowd {
    /// The cell's index in the grid.
    pub cell: u32,
    /// The cell's corner with the smallest coordinates (node position sums are relative to it).
    pub origin: Vec2,
    /// Where each level starts in [`CrowdedCells::nodes`]; level `levels` ends the last.
    level_start: [u32; MAX_LEVELS + 1],
    /// How many levels.
    levels: u8,
}

impl Crowd {
    /// The number of levels (the root is on level `levels() - 1`, leaves on level 0).
    pub fn levels(&self) -> usize {
        usize::from(self.levels)
    }

    /// The index in [`CrowdedCells::nodes`] of node `i` of level `level`.
    pub fn node(&self, level: usize, i: usize) -> usize {
        self.level_start[level] as usize + i
    }

    /// The children of node `i` of level `level > 0`: indices on `level - 1`.
    pub fn children(&self, level: usize, i: usize) -> std::ops::Range<usize> {
        let below = (self.level_start[level] - self.level_start[level - 1]) as usize;
        FANOUT * i..(FANOUT * i + FANOUT).min(below)
    }
}

/// The trees of every crowded cell, in cell order.
#[derive(Clone, Debug, Default)]
pub struct CrowdedCells {
    /// The crowded cells, by increasing cell index.
    pub cells: Vec<Crowd>,
    /// Every tree's nodes.
    pub nodes: Vec<Node>,
    /// The nodes' bounding boxes by coordinate (`min.x`, `min.y`, `max.x`, `max.y`), so that the
    /// neighbour pass can test eight siblings at once; each padded with `PAD` (8) zeros past
    /// the last node.
    pub boxes: [Vec<f32>; 4],
}

/// Zeros past the last node in each of [`CrowdedCells::boxes`]: eight consecutive nodes can be
/// read from any node on.
pub const PAD: usize = 8;

impl CrowdedCells {
    /// Whether no cell is crowded.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Forgets every tree.
    pub fn clear(&mut self) {
        self.cells.clear();
        self.nodes.clear();
        self.boxes.iter_mut().for_each(Vec::clear);
    }

    /// The crowded cell with grid index `cell`, if it is one.
    pub fn find(&self, cell: usize) -> Option<usize> {
        self.cells.binary_search_by_key(&(cell as u32), |c| c.cell).ok()
    }

    /// Builds the trees of the cells whose slots `cell_start` says hold at least [`CROWDED`]
    /// birds; `origin(c)` is cell `c`'s corner. Positions and velocities are in slot order.
    pub fn build(&mut self, cell_start: &[u32], pos: &[Vec2], vel: &[Vec2], origin: impl Fn(usize) -> Vec2) {
        self.clear();
        for (c, w) in cell_start.windows(2).enumerate() {
            let (a, b) = (w[0] as usize, w[1] as usize);
            if b - a < CROWDED {
                continue;
            }
            let mut crowd = Crowd { cell: c as u32, origin: origin(c), ..Crowd::default() };
            crowd.level_start[0] = self.nodes.len() as u32;
            for first in (a..b).step_by(LEAF) {
                let end = (first + LEAF).min(b);
                let mut node = Node { min: pos[first], max: pos[first], first: first as u32, end: end as u32, ..Node::default() };
                for j in first..end {
                    (node.min, node.max) = (node.min.min(pos[j]), node.max.max(pos[j]));
                    node.pos_sum += pos[j] - crowd.origin;
                    node.vel_sum += vel[j];
                }
                self.nodes.push(node);
            }
            let mut level = 0;
            while self.nodes.len() - crowd.level_start[level] as usize > 1 && level + 1 < MAX_LEVELS {
                let (start, end) = (crowd.level_start[level] as usize, self.nodes.len());
                crowd.level_start[level + 1] = end as u32;
                for group in (start..end).step_by(FANOUT) {
                    let children = group..(group + FANOUT).min(end);
                    let mut node = self.nodes[group];
                    for k in children.clone().skip(1) {
                        let child = self.nodes[k];
                        (node.min, node.max, node.end) = (node.min.min(child.min), node.max.max(child.max), child.end);
                        node.pos_sum += child.pos_sum;
                        node.vel_sum += child.vel_sum;
                    }
                    self.nodes.push(node);
                }
                level += 1;
            }
            crowd.levels = (level + 1) as u8;
            crowd.level_start[level + 1] = self.nodes.len() as u32;
            self.cells.push(crowd);
        }
        if !self.nodes.is_empty() {
            let [min_x, min_y, max_x, max_y] = &mut self.boxes;
            min_x.extend(self.nodes.iter().map(|n| n.min.x));
            min_y.extend(self.nodes.iter().map(|n| n.min.y));
            max_x.extend(self.nodes.iter().map(|n| n.max.x));
            max_y.extend(self.nodes.iter().map(|n| n.max.y));
            self.boxes.iter_mut().for_each(|b| b.extend([0.0; PAD]));
        }
    }
}

/// A Morton (Z-order) key of a position within its cell: each coordinate as a 16-bit fraction
/// of the cell's side, their bits interleaved, so birds close together get close keys.
pub fn morton_key(p: Vec2, origin: Vec2, cell_size: Vec2) -> u32 {
    let q = ((p - origin) / cell_size).clamp(Vec2::ZERO, Vec2::ONE) * 65535.0;
    spread(q.x as u32) | (spread(q.y as u32) << 1)
}

/// The low 16 bits of `v` moved to the even bit positions.
fn spread(v: u32) -> u32 {
    let mut v = v & 0xffff;
    v = (v | (v << 8)) & 0x00ff_00ff;
    v = (v | (v << 4)) & 0x0f0f_0f0f;
    v = (v | (v << 2)) & 0x3333_3333;
    (v | (v << 1)) & 0x5555_5555
}
