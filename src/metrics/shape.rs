//! The largest cluster's shape: how elongated it is. A starling murmuration is a thin, flowing
//! sheet; a ball of boids is a disc.

use bevy::math::Vec2;

use crate::sim::space::Space;

/// The largest cluster's aspect ratio: its short axis over its long axis, from the eigenvalues
/// λ₁ ≥ λ₂ of its positions' covariance (√(λ₂/λ₁): 1 for a disc, near 0 for a line). `label` is
/// each bird's cluster label (the slot of its root), `pos` the positions in the same order.
/// `None` with fewer than three birds in it. In a wrapping world positions are taken relative to
/// one member (minimum image), so a cluster across the seam is measured whole.
pub fn aspect_ratio(space: &Space, pos: &[Vec2], label: &[u32]) -> Option<f32> {
    let mut sizes = vec![0u32; label.len()];
    for &l in label {
        sizes[l as usize] += 1;
    }
    let (largest, &n) = sizes.iter().enumerate().max_by_key(|&(i, &n)| (n, std::cmp::Reverse(i)))?;
    if n < 3 {
        return None;
    }
    let anchor = pos[largest];
    let members = || label.iter().zip(pos).filter(|&(&l, _)| l as usize == largest).map(|(_, &p)| space.offset(anchor, p));
    let mean = members().sum::<Vec2>() / n as f32;
    let (mut xx, mut xy, mut yy) = (0.0f64, 0.0f64, 0.0f64);
    for d in members() {
        let d = (d - mean).as_dvec2();
        (xx, xy, yy) = (xx + d.x * d.x, xy + d.x * d.y, yy + d.y * d.y);
    }
    // eigenvalues of [[xx, xy], [xy, yy]]
    let (half_trace, det) = (0.5 * (xx + yy), xx * yy - xy * xy);
    let root = (half_trace * half_trace - det).max(0.0).sqrt();
    let (big, small) = (half_trace + root, (half_trace - root).max(0.0));
    (big > 0.0).then(|| (small / big).sqrt() as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_cluster(pos: &[Vec2]) -> Vec<u32> {
        vec![0; pos.len()]
    }

    #[test]
    fn a_disc_is_round_a_strip_is_long_and_a_seam_does_not_matter() {
        let space = Space { size: Vec2::new(1000.0, 1000.0), wrap: true };
        let disc: Vec<Vec2> = (0..400).map(|i| Vec2::new(500.0, 500.0) + Vec2::from_angle(i as f32 * 2.4) * (i as f32).sqrt() * 3.0).collect();
        let r = aspect_ratio(&space, &disc, &one_cluster(&disc)).unwrap();
        assert!(r > 0.9, "disc {r}");
        // a 200 × 20 strip: axes in the ratio 1/10
        let strip: Vec<Vec2> = (0..400).map(|i| Vec2::new(400.0 + (i % 40) as f32 * 5.0, 490.0 + (i / 40) as f32 * 2.0)).collect();
        let r = aspect_ratio(&space, &strip, &one_cluster(&strip)).unwrap();
        assert!((r - 0.1).abs() < 0.01, "strip {r}");
        // the same strip across the wrap seam
        let seam: Vec<Vec2> = strip.iter().map(|p| Vec2::new((p.x + 500.0) % 1000.0, p.y)).collect();
        assert!((aspect_ratio(&space, &seam, &one_cluster(&seam)).unwrap() - r).abs() < 1e-3);
        // only the largest cluster counts: a stray pair far off changes nothing
        let mut with_pair = strip.clone();
        with_pair.extend([Vec2::new(50.0, 50.0), Vec2::new(52.0, 50.0)]);
        let mut label = one_cluster(&strip);
        label.extend([400, 400]);
        assert!((aspect_ratio(&space, &with_pair, &label).unwrap() - r).abs() < 1e-3);
        assert_eq!(aspect_ratio(&space, &[], &[]), None);
    }
}
