//! The Cramér-Rao bound on the transmitter's position from received power alone: how small an
//! error any unbiased estimator can have on a given set of reading places under a given
//! propagation model. The accuracy bench puts it beside the fit's error, so a geometry whose
//! goal lies below the bound is known to be out of reach of power-only locating, not of the
//! fit; a planner can ask it what a route or a sensor layout can deliver before driving it.
//!
//! Model (the generator's): power = A - 10 n log10(d) + S + w, with S a Gaussian field of
//! standard deviation `shadowing_db` and correlation exp(-r / L) between any two readings
//! (Gudmundson), w white (fading left after each 0.5 s average, or a fixed sensor's
//! calibration). The Fisher information is J' C^-1 J with J the derivatives of the mean in
//! (A, n, x, y); the exponent is either known or has a Gaussian prior.

/// Propagation as the bound assumes it (for a bench, the scene's true values).
pub struct BoundModel {
    pub exponent: f64,
    pub shadowing_db: f64,
    pub decorrelation_m: f64,
    pub height_m: f64,
}

/// One reading's place (metres, transmitter at the origin) and its white noise, dB.
pub struct BoundPoint {
    pub x_m: f64,
    pub y_m: f64,
    pub white_db: f64,
}

/// Cholesky factor (lower, row-major) of a symmetric positive definite `n x n` matrix.
fn cholesky(mut a: Vec<f64>, n: usize) -> Option<Vec<f64>> {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d <= 0.0 {
            return None;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
        for k in j + 1..n {
            a[j * n + k] = 0.0;
        }
    }
    Some(a)
}

/// Inverse of a small symmetric matrix by Gauss-Jordan elimination; `None` when it is singular
/// to working precision (the places cannot tell the unknowns apart).
fn invert(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let scale = (0..n).map(|i| m[i][i].abs()).fold(0.0, f64::max);
    let mut a: Vec<Vec<f64>> = m
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = r.clone();
            row.extend((0..n).map(|j| f64::from(u8::from(i == j))));
            row
        })
        .collect();
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        let pivot = a[p][c].abs();
        if pivot.is_nan() || pivot <= 1e-12 * scale {
            return None;
        }
        a.swap(c, p);
        let d = a[c][c];
        a[c].iter_mut().for_each(|v| *v /= d);
        let pivot_row = a[c].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != c {
                let f = row[c];
                row.iter_mut()
                    .zip(&pivot_row)
                    .for_each(|(v, p)| *v -= f * p);
            }
        }
    }
    Some(a.into_iter().map(|r| r[n..].to_vec()).collect())
}

/// A bearing taken at a place (metres, transmitter at the origin) with its standard
/// deviation, degrees.
pub struct BoundBearing {
    pub x_m: f64,
    pub y_m: f64,
    pub sd_deg: f64,
}

/// The bound's 2x2 covariance of the position (x, y), m^2, from power readings at `points`
/// and `bearings` (independent of the power). `exponent_prior_sd`: `None` for a known
/// exponent, else the standard deviation of a Gaussian prior on it.
pub fn position_covariance(
    points: &[BoundPoint],
    bearings: &[BoundBearing],
    model: &BoundModel,
    exponent_prior_sd: Option<f64>,
) -> Option<[[f64; 2]; 2]> {
    let n = points.len();
    if n < 4 {
        return None;
    }
    let s2 = model.shadowing_db.powi(2);
    let mut c = vec![0.0; n * n];
    for (i, p) in points.iter().enumerate() {
        for (j, q) in points.iter().enumerate().take(i + 1) {
            let r = (p.x_m - q.x_m).hypot(p.y_m - q.y_m);
            let v = s2 * (-r / model.decorrelation_m).exp();
            c[i * n + j] = v;
            c[j * n + i] = v;
        }
        c[i * n + i] += p.white_db.powi(2);
    }
    let l = cholesky(c, n)?;
    // Columns of J: d mean / d (A, n, x, y) at the truth (the transmitter at the origin).
    let k = 10.0 * model.exponent / std::f64::consts::LN_10;
    let cols = if exponent_prior_sd.is_some() { 4 } else { 3 };
    let mut z = vec![vec![0.0; n]; cols];
    for (i, p) in points.iter().enumerate() {
        let (dx, dy) = (-p.x_m, -p.y_m);
        let d2 = dx * dx + dy * dy + model.height_m.powi(2);
        let row = [1.0, -10.0 * d2.sqrt().log10(), -k * dx / d2, -k * dy / d2];
        let row: Vec<f64> = if exponent_prior_sd.is_some() {
            row.to_vec()
        } else {
            vec![row[0], row[2], row[3]]
        };
        for (col, v) in z.iter_mut().zip(row) {
            col[i] = v;
        }
    }
    // Whiten: solve L z = J column by column; then the information is z' z.
    for col in &mut z {
        for i in 0..n {
            let mut s = col[i];
            for k in 0..i {
                s -= l[i * n + k] * col[k];
            }
            col[i] = s / l[i * n + i];
        }
    }
    let mut info: Vec<Vec<f64>> = (0..cols)
        .map(|a| {
            (0..cols)
                .map(|b| z[a].iter().zip(&z[b]).map(|(u, v)| u * v).sum())
                .collect()
        })
        .collect();
    if let Some(sd) = exponent_prior_sd {
        info[1][1] += 1.0 / (sd * sd);
    }
    let (x, y) = (cols - 2, cols - 1);
    // A bearing atan2(x_t - x_b, y_t - y_b) (clockwise from north) changes with the
    // transmitter's position by (dy, -dx) / r^2: its information is g g' / sd^2.
    for b in bearings {
        let (dx, dy) = (-b.x_m, -b.y_m);
        let r2 = dx * dx + dy * dy;
        let sd = b.sd_deg.to_radians();
        if r2 <= 0.0 || sd.is_nan() || sd <= 0.0 {
            continue;
        }
        let g = [dy / r2, -dx / r2];
        for (i, gi) in [(x, g[0]), (y, g[1])] {
            for (j, gj) in [(x, g[0]), (y, g[1])] {
                info[i][j] += gi * gj / (sd * sd);
            }
        }
    }
    let cov = invert(&info)?;
    Some([[cov[x][x], cov[x][y]], [cov[y][x], cov[y][y]]])
}

/// `draws` samples of the error distance of a zero-mean Gaussian with covariance `cov`, from
/// `uniform` (two uniforms per draw, Box-Muller).
pub fn error_draws(
    cov: &[[f64; 2]; 2],
    draws: usize,
    mut uniform: impl FnMut() -> f64,
) -> Vec<f64> {
    // Eigenvalues of the symmetric 2x2: the variances along the principal axes.
    let (a, b, d) = (cov[0][0], cov[0][1], cov[1][1]);
    let mid = (a + d) / 2.0;
    let r = (((a - d) / 2.0).powi(2) + b * b).sqrt();
    let (l1, l2) = ((mid + r).max(0.0), (mid - r).max(0.0));
    (0..draws)
        .map(|_| {
            let u1 = uniform().max(1e-300);
            let u2 = uniform();
            let m = (-2.0 * u1.ln()).sqrt();
            let th = std::f64::consts::TAU * u2;
            let (g1, g2) = (m * th.cos(), m * th.sin());
            (l1 * g1 * g1 + l2 * g2 * g2).sqrt()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `count` noiseless readings on a circle of radius `big_r` around the transmitter.
    fn ring(big_r: f64, count: usize) -> Vec<BoundPoint> {
        (0..count)
            .map(|i| {
                let a = std::f64::consts::TAU * i as f64 / count as f64;
                BoundPoint {
                    x_m: big_r * a.cos(),
                    y_m: big_r * a.sin(),
                    white_db: 0.0,
                }
            })
            .collect()
    }

    /// Exponent 3, shadowing `s` dB independent from place to place, no antenna height.
    fn independent(s: f64) -> BoundModel {
        BoundModel {
            exponent: 3.0,
            shadowing_db: s,
            decorrelation_m: 1e-6,
            height_m: 0.0,
        }
    }

    #[test]
    fn white_readings_match_the_closed_form() {
        // No shadowing correlation (L tiny), known exponent, readings on a ring of radius R
        // around the transmitter: by symmetry the information on x is
        // sum (k cos^2 / R)^2 / s^2 = N k^2 / (2 R^2 s^2), A decoupled (sum cos = 0).
        let (big_r, s, count) = (300.0, 5.0, 64);
        let points = ring(big_r, count);
        let model = independent(s);
        let cov = position_covariance(&points, &[], &model, None).unwrap();
        let k = 30.0 / std::f64::consts::LN_10;
        let want = 2.0 * big_r * big_r * s * s / (count as f64 * k * k);
        assert!(
            (cov[0][0] / want - 1.0).abs() < 1e-6,
            "{} vs {want}",
            cov[0][0]
        );
        assert!((cov[1][1] / want - 1.0).abs() < 1e-6);
        assert!(cov[0][1].abs() < 1e-6 * want);
    }

    #[test]
    fn correlated_shadowing_matches_numpy() {
        // A straight road 100 m south of the transmitter, a reading every 10 m from -1200 to
        // 1200 m; n 3.2, 7 dB over 50 m, 1.5 dB white, 10 m height. Reference values from
        // numpy (J the same derivatives, C the same covariance,
        // inv(J' solve(C, J)) with the exponent's row and column dropped, or its diagonal
        // entry raised by 1 / 0.7^2).
        let points: Vec<BoundPoint> = (0..=240)
            .map(|i| BoundPoint {
                x_m: -1200.0 + 10.0 * f64::from(i),
                y_m: -100.0,
                white_db: 1.5,
            })
            .collect();
        let model = BoundModel {
            exponent: 3.2,
            shadowing_db: 7.0,
            decorrelation_m: 50.0,
            height_m: 10.0,
        };
        let close = |got: f64, want: f64| (got / want - 1.0).abs() < 1e-6;
        let known = position_covariance(&points, &[], &model, None).unwrap();
        assert!(close(known[0][0], 1603.66183), "{known:?}");
        assert!(close(known[1][1], 1847.83289), "{known:?}");
        let prior = position_covariance(&points, &[], &model, Some(0.7)).unwrap();
        assert!(close(prior[0][0], 1603.66183), "{prior:?}");
        assert!(close(prior[1][1], 3485.41221), "{prior:?}");
        // Along the road and across it are uncorrelated by symmetry.
        assert!(known[0][1].abs() < 1e-6 && prior[0][1].abs() < 1e-6);
    }

    #[test]
    fn perpendicular_bearings_add_their_cross_range_information() {
        // Bearings from (0, -R) (pointing north: it tells x) and from (-R, 0) (pointing east:
        // it tells y) add 1 / (R sd)^2 to the information on x and on y respectively.
        let (big_r, s, count) = (300.0, 5.0, 64);
        let points = ring(big_r, count);
        let model = independent(s);
        let sd_deg = 10.0;
        let bearings = [
            BoundBearing {
                x_m: 0.0,
                y_m: -200.0,
                sd_deg,
            },
            BoundBearing {
                x_m: -200.0,
                y_m: 0.0,
                sd_deg,
            },
        ];
        let cov = position_covariance(&points, &bearings, &model, None).unwrap();
        let k = 30.0 / std::f64::consts::LN_10;
        let power = count as f64 * k * k / (2.0 * big_r * big_r * s * s);
        let bearing = 1.0 / (200.0 * sd_deg.to_radians()).powi(2);
        let want = 1.0 / (power + bearing);
        assert!(
            (cov[0][0] / want - 1.0).abs() < 1e-6,
            "{} vs {want}",
            cov[0][0]
        );
        assert!((cov[1][1] / want - 1.0).abs() < 1e-6);
    }

    #[test]
    fn too_few_or_degenerate_places_give_no_bound() {
        let model = BoundModel {
            exponent: 3.0,
            shadowing_db: 7.0,
            decorrelation_m: 50.0,
            height_m: 10.0,
        };
        let at = |x_m: f64| BoundPoint {
            x_m,
            y_m: 0.0,
            white_db: 1.0,
        };
        assert!(position_covariance(&[at(0.0), at(10.0)], &[], &model, None).is_none());
        // Readings all at one place cannot tell A from the position.
        let same: Vec<BoundPoint> = (0..10).map(|_| at(100.0)).collect();
        assert!(position_covariance(&same, &[], &model, Some(0.7)).is_none());
    }
}
