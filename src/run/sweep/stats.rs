//! Mean and 95 % confidence interval over a sweep's seeds (Student's t).

/// Two-sided 95 % quantiles of Student's t, t₀.₉₇₅(ν), for ν = 1 to 30 degrees of freedom.
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110,
    2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/// t₀.₉₇₅(ν): the table up to 30 degrees of freedom, then the Cornish–Fisher expansion around the
/// normal quantile 1.959964 (good to 10⁻³ there, better beyond).
pub fn t975(dof: usize) -> f64 {
    match dof {
        0 => f64::NAN,
        1..=30 => T975[dof - 1],
        _ => cornish_fisher(dof as f64),
    }
}

fn cornish_fisher(nu: f64) -> f64 {
    let z = 1.959_963_984_540_054_f64;
    let (z3, z5) = (z.powi(3), z.powi(5));
    z + (z3 + z) / (4.0 * nu) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * nu * nu)
}

/// A measure over the runs of one grid point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Runs that gave a value.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Half the width of the 95 % confidence interval of the mean (NaN with fewer than 2 runs).
    pub half_width: f64,
}

impl Estimate {
    /// The estimate from `values` (`None` when there are none).
    pub fn of(values: &[f64]) -> Option<Self> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let half_width = if n < 2 {
            f64::NAN
        } else {
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            t975(n - 1) * (var / n as f64).sqrt()
        };
        Some(Self { n, mean, half_width })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_closed_forms_and_the_expansion() {
        // ν = 1 is the Cauchy distribution: tan(0.475 π); ν = 2: sqrt(2 / (4 p (1 − p)) − 2).
        assert!((t975(1) - (0.475 * std::f64::consts::PI).tan()).abs() < 1e-3);
        assert!((t975(2) - (2.0 / (4.0 * 0.975 * 0.025) - 2.0_f64).sqrt()).abs() < 1e-3);
        // the table's tail agrees with the expansion the larger ν use
        for nu in 20..=30 {
            assert!((t975(nu) - cornish_fisher(nu as f64)).abs() < 2e-3, "ν = {nu}");
        }
        assert!((t975(100_000) - 1.959_964).abs() < 1e-4);
        assert!((2..200).all(|nu| t975(nu) < t975(nu - 1)), "decreasing in ν");
    }

    #[test]
    fn estimates() {
        assert_eq!(Estimate::of(&[]), None);
        let one = Estimate::of(&[3.0]).unwrap();
        assert_eq!((one.n, one.mean), (1, 3.0));
        assert!(one.half_width.is_nan());
        // 1, 2, 3: mean 2, sd 1, half width t(2) / sqrt(3)
        let e = Estimate::of(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(e.mean, 2.0);
        assert!((e.half_width - 4.303 / 3f64.sqrt()).abs() < 1e-9);
    }
}
