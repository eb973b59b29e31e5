//! The largest cluster's shape: how elongated it is. A starling murmuration is a thin, flowing
//! sheet; a ball of boids is a disc.

use bevy::math::{DMat3, DVec3, Vec2};

use crate::sim::space::Space;
use crate::sim::vector::Vector;

/// The largest cluster's aspect ratio: its short axis over its long axis, from the eigenvalues
/// λ₁ ≥ λ₂ of its positions' covariance (√(λ₂/λ₁): 1 for a disc, near 0 for a line). `label` is
/// each bird's cluster label (the slot of its root), `pos` the positions in the same order.
/// `None` with fewer than three birds in it. In a wrapping world positions are taken relative to
/// one member (minimum image), so a cluster across the seam is measured whole.
pub fn aspect_ratio(space: &Space, pos: &[Vec2], label: &[u32]) -> Option<f32> {
    let (xx, xy, yy) = {
        let (c, _) = largest_covariance(space, pos, label)?;
        (c.x_axis.x, c.x_axis.y, c.y_axis.y)
    };
    // eigenvalues of [[xx, xy], [xy, yy]]
    let (half_trace, det) = (0.5 * (xx + yy), xx * yy - xy * xy);
    let root = (half_trace * half_trace - det).max(0.0).sqrt();
    let (big, small) = (half_trace + root, (half_trace - root).max(0.0));
    (big > 0.0).then(|| (small / big).sqrt() as f32)
}

/// The largest cluster's principal axes in 3D: `[i1, i2, i3]`, the square roots of its position
/// covariance's eigenvalues, ascending (thickness, width, length), and `|e1 · z|`, how vertical
/// its thinnest axis is (1: a level sheet, 0: a sheet standing on edge). `None` with fewer than
/// three birds in it.
pub fn principal_axes(space: &Space<bevy::math::Vec3>, pos: &[bevy::math::Vec3], label: &[u32]) -> Option<([f32; 3], f32)> {
    let (sums, n) = largest_covariance(space, pos, label)?;
    let (values, vectors) = symmetric_eigen(sums * (1.0 / n as f64));
    let axes = values.map(|l| l.max(0.0).sqrt() as f32);
    Some((axes, vectors[0].z.abs() as f32))
}

/// The sums of outer products of the largest cluster's positions about their mean (f64; the
/// z row and column zero in 2D) and its size, or `None` with fewer than three birds in it. Positions are
/// taken relative to one member by the minimum image, so a cluster across a seam is whole.
fn largest_covariance<V: Vector>(space: &Space<V>, pos: &[V], label: &[u32]) -> Option<(DMat3, u32)> {
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
    let mean = members().sum::<V>() / n as f32;
    let mut c = [[0.0f64; 3]; 3];
    for d in members() {
        let d = d - mean;
        let d = [0, 1, 2].map(|i| if i < V::DIM { f64::from(d.axis(i)) } else { 0.0 });
        for (i, row) in c.iter_mut().enumerate() {
            for (j, cell) in row.iter_mut().enumerate().skip(i) {
                *cell += d[i] * d[j];
            }
        }
    }
    Some((DMat3::from_cols_array_2d(&[[c[0][0], c[0][1], c[0][2]], [c[0][1], c[1][1], c[1][2]], [c[0][2], c[1][2], c[2][2]]]), n))
}

/// The eigenvalues of a symmetric 3×3 matrix, ascending, with unit eigenvectors in the same
/// order (cyclic Jacobi rotations; exact to rounding for any symmetric input).
pub fn symmetric_eigen(m: DMat3) -> ([f64; 3], [DVec3; 3]) {
    let mut a = m.to_cols_array_2d();
    let mut v = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    for _sweep in 0..50 {
        let off = a[0][1].abs() + a[0][2].abs() + a[1][2].abs();
        if off <= 1e-15 * (a[0][0].abs() + a[1][1].abs() + a[2][2].abs()) {
            break;
        }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] {
            if a[p][q] == 0.0 {
                continue;
            }
            // the rotation in the (p, q) plane that zeroes a[p][q]
            let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
            let t = if theta == 0.0 { 1.0 } else { t };
            let (c, s) = (1.0 / (t * t + 1.0).sqrt(), t / (t * t + 1.0).sqrt());
            for k in 0..3 {
                let (akp, akq) = (a[k][p], a[k][q]);
                a[k][p] = c * akp - s * akq;
                a[k][q] = s * akp + c * akq;
            }
            for k in 0..3 {
                let (apk, aqk) = (a[p][k], a[q][k]);
                a[p][k] = c * apk - s * aqk;
                a[q][k] = s * apk + c * aqk;
            }
            for row in &mut v {
                let (vp, vq) = (row[p], row[q]);
                row[p] = c * vp - s * vq;
                row[q] = s * vp + c * vq;
            }
        }
    }
    let mut order = [0, 1, 2];
    order.sort_by(|&i, &j| a[i][i].total_cmp(&a[j][j]));
    let values = order.map(|i| a[i][i]);
    let vectors = order.map(|i| DVec3::new(v[0][i], v[1][i], v[2][i]));
    (values, vectors)
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

    #[test]
    fn eigen_of_a_rotated_diagonal_gives_its_values_and_axes_back() {
        let r = DMat3::from_euler(bevy::math::EulerRot::XYZ, 0.3, -1.1, 0.7);
        let m = r * DMat3::from_diagonal(DVec3::new(9.0, 1.0, 4.0)) * r.transpose();
        let (values, vectors) = symmetric_eigen(m);
        for (got, want) in values.iter().zip([1.0, 4.0, 9.0]) {
            assert!((got - want).abs() < 1e-9, "{values:?}");
        }
        // each eigenvector is the rotated axis (up to sign) and satisfies m v = λ v
        for (k, axis) in [1, 2, 0].into_iter().enumerate() {
            assert!((vectors[k].dot(r.col(axis)).abs() - 1.0).abs() < 1e-9, "{k}");
            assert!((m * vectors[k] - vectors[k] * values[k]).length() < 1e-9);
        }
        let (values, _) = symmetric_eigen(DMat3::ZERO);
        assert_eq!(values, [0.0; 3]);
    }

    #[test]
    fn a_level_sheet_has_a_vertical_thinnest_axis_across_the_seams() {
        use bevy::math::Vec3;
        let space = Space { size: Vec3::new(500.0, 500.0, 300.0), wrap: true };
        // 60 × 20 × 3 birds, 1 m apart: a sheet 59 m long, 19 m wide, 2 m thick, across x's seam
        let sheet: Vec<Vec3> = (0..3600).map(|i| space.contain(Vec3::new(470.0 + (i % 60) as f32, 100.0 + ((i / 60) % 20) as f32, 150.0 + (i / 1200) as f32))).collect();
        let (axes, vertical) = principal_axes(&space, &sheet, &vec![0; sheet.len()]).unwrap();
        let sd = |n: f32| ((n * n - 1.0) / 12.0).sqrt(); // an even row of n, 1 m apart: variance (n² − 1) / 12
        for (got, n) in axes.iter().zip([3.0, 20.0, 60.0]) {
            assert!((got - sd(n)).abs() < 0.01 * sd(n), "{axes:?}");
        }
        assert!(vertical > 0.999, "{vertical}");
        // the same sheet stood on its long edge: its thinnest axis is level
        let standing: Vec<Vec3> = sheet.iter().map(|p| Vec3::new(p.x, p.z, p.y)).collect();
        let (_, vertical) = principal_axes(&space, &standing, &vec![0; standing.len()]).unwrap();
        assert!(vertical < 1e-3, "{vertical}");
        assert_eq!(principal_axes(&space, &[], &[]), None);
    }
}
