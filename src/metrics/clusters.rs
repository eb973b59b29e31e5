//! Clusters as connected components, and the union-find the link scan joins them in.
//!
//! The forest lives in a slice `parent[i - base]` (one band's part of one array); a set's root is
//! always its smallest slot, whatever order links are joined in, so labels do not depend on the
//! order the scan visits pairs.

/// Connected components of birds closer than the linking distance.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Clusters {
    /// Each slot's component label: the smallest slot of its component.
    pub label: Vec<u32>,
    /// Components of two or more birds.
    pub count: u32,
    /// Birds in the largest component (1 when all are alone, 0 with no birds).
    pub largest: u32,
}

/// The root of `i` in a union-find forest stored in `parent[i - base]` (path halving). Roots are
/// always the smallest slot of their set.
#[inline]
pub(super) fn find(parent: &mut [u32], base: u32, mut i: u32) -> u32 {
    loop {
        let p = parent[(i - base) as usize];
        if p == i {
            return i;
        }
        let gp = parent[(p - base) as usize];
        if gp == p {
            return p;
        }
        parent[(i - base) as usize] = gp;
        i = gp;
    }
}

/// Joins the sets of `a` and `b`: the larger root goes under the smaller, so a set's root is its
/// smallest slot whatever order links are joined in.
#[inline]
pub(super) fn union(parent: &mut [u32], base: u32, a: u32, b: u32) {
    let (ra, rb) = (find(parent, base, a), find(parent, base, b));
    if ra != rb {
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[(hi - base) as usize] = lo;
    }
}

/// Joins the set rooted at `theirs` with the set rooted at `*root` (both roots): the larger goes
/// under the smaller, and `*root` follows.
#[inline]
pub(super) fn join_roots(parent: &mut [u32], base: u32, root: &mut u32, theirs: u32) {
    if theirs < *root {
        parent[(*root - base) as usize] = theirs;
        *root = theirs;
    } else if theirs > *root {
        parent[(theirs - base) as usize] = *root;
    }
}

/// Cluster count and size from each slot's root label.
pub(super) fn clusters_from_labels(label: Vec<u32>) -> Clusters {
    let mut size = vec![0u32; label.len()];
    for &l in &label {
        size[l as usize] += 1;
    }
    Clusters {
        count: size.iter().filter(|&&s| s >= 2).count() as u32,
        largest: size.iter().copied().max().unwrap_or(0),
        label,
    }
}
