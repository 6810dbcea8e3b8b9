//! The fit itself: binning, the concentrated robust least squares at one candidate position,
//! the grid search, and the 95 % region.

use std::collections::{BTreeMap, HashMap};

use crate::frame::LocalFrame;
use crate::{Bearing, Ellipse, Estimate, GeoPoint, LocateConfig, LocateError, Measurement, Method};

/// chi-square quantile, 2 degrees of freedom, 95 %: -2 ln(0.05).
const CHI2_2DOF_95: f64 = 5.991_464_547_107_979;

/// Weight of the expected shadowing (`LocateConfig::shadowing_db`) in the residual spread,
/// in independent readings.
const PRIOR_DOF: f64 = 4.0;

/// Another candidate is a local minimum of the cost whose deviance from the best (cost
/// difference over the residual variance, widened for correlated shadowing) is at most this:
/// a likelihood ratio of at least exp(-1/2), nearly as likely as the best. The mirror image
/// across a straight road sits at about 0; on the bench (bench/LOCATING.md) this flags 74-88
/// of 100 straight-road drives and 0-2 of 100 drives on parallel roads either side.
const ALT_DEPTH: f64 = 1.0;

/// ... and whose basin a ridge separates from the best's: the cost on the straight line
/// between them rises by at least this share of the 95 % region's depth above the candidate.
const RIDGE_SHARE: f64 = 0.25;

/// One averaged point of the fit.
#[derive(Debug, Clone, Copy)]
struct Bin {
    x: f64,
    y: f64,
    power_db: f64,
    /// Independent-shadowing weight (1 for a fixed sensor, bin / (2 x decorrelation) for a drive
    /// bin).
    independence: f64,
}

/// A bearing in the fit's local frame: where it was taken (east, north m), the direction
/// (radians clockwise from north) and the von Mises concentration 1 / sd^2.
#[derive(Debug, Clone, Copy)]
struct BearingXy {
    x: f64,
    y: f64,
    theta: f64,
    kappa: f64,
}

/// Result of the fit at one candidate position.
#[derive(Debug, Clone, Copy)]
struct PointFit {
    cost: f64,
    a_db: f64,
    n: f64,
}

fn valid(m: &Measurement) -> bool {
    m.point.is_valid() && m.power_db.is_finite()
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 {
        0.0
    } else {
        s / n as f64
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        0.5 * (v[m - 1] + v[m])
    }
}

/// Huber loss scaled so that it is r^2 inside the knee.
fn huber(r: f64, k: f64) -> f64 {
    let a = r.abs();
    if a <= k {
        r * r
    } else {
        2.0 * k * a - k * k
    }
}

struct Problem<'a> {
    bins: &'a [Bin],
    cfg: &'a LocateConfig,
    /// Prior strength: shadowing variance over prior variance of n.
    lambda: f64,
    knee_db: f64,
    /// Position prior: centre and strength (shadowing variance over the prior's variance).
    prior_xy: (f64, f64),
    prior_lambda: f64,
    bearings: Vec<BearingXy>,
    /// Cost units per unit of deviance (the expected shadowing variance times the bins'
    /// correlation inflation), so a bearing weighs in the cost what its likelihood says.
    bearing_scale: f64,
}

impl Problem<'_> {
    /// Robust fit of A and n with the transmitter at (x, y): two IRLS passes of the 2x2
    /// normal equations with the exponent's prior as a pseudo-observation.
    fn at(&self, x: f64, y: f64) -> PointFit {
        let h2 = self.cfg.height_m * self.cfg.height_m;
        let us: Vec<f64> = self
            .bins
            .iter()
            .map(|b| -5.0 * ((b.x - x).powi(2) + (b.y - y).powi(2) + h2).log10())
            .collect();
        let mut w = vec![1.0; self.bins.len()];
        let mut a = 0.0;
        let mut n = self.cfg.exponent_prior;
        for pass in 0..3 {
            let (mut sw, mut su, mut suu, mut sp, mut sup) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for ((b, u), wi) in self.bins.iter().zip(&us).zip(&w) {
                sw += wi;
                su += wi * u;
                suu += wi * u * u;
                sp += wi * b.power_db;
                sup += wi * u * b.power_db;
            }
            let l = self.lambda;
            let det = sw * (suu + l) - su * su;
            n = if det.abs() > 1e-12 {
                (sw * (sup + l * self.cfg.exponent_prior) - su * sp) / det
            } else {
                self.cfg.exponent_prior
            };
            n = n.clamp(self.cfg.exponent_min, self.cfg.exponent_max);
            a = (sp - n * su) / sw.max(1e-12);
            if pass < 2 {
                for ((b, u), wi) in self.bins.iter().zip(&us).zip(w.iter_mut()) {
                    let r = (b.power_db - a - n * u).abs();
                    *wi = if r <= self.knee_db {
                        1.0
                    } else {
                        self.knee_db / r
                    };
                }
            }
        }
        let mut cost = self.lambda * (n - self.cfg.exponent_prior).powi(2)
            + self.prior_lambda * ((x - self.prior_xy.0).powi(2) + (y - self.prior_xy.1).powi(2));
        for (b, u) in self.bins.iter().zip(&us) {
            cost += huber(b.power_db - a - n * u, self.knee_db);
        }
        for b in &self.bearings {
            let predicted = (x - b.x).atan2(y - b.y);
            cost += self.bearing_scale * 2.0 * b.kappa * (1.0 - (b.theta - predicted).cos());
        }
        PointFit { cost, a_db: a, n }
    }

    fn residuals(&self, x: f64, y: f64, f: &PointFit) -> Vec<f64> {
        let h2 = self.cfg.height_m * self.cfg.height_m;
        self.bins
            .iter()
            .map(|b| {
                let u = -5.0 * ((b.x - x).powi(2) + (b.y - y).powi(2) + h2).log10();
                b.power_db - f.a_db - f.n * u
            })
            .collect()
    }
}

/// A rectangular grid of candidate positions with their costs.
struct Grid {
    x0: f64,
    y0: f64,
    step: f64,
    nx: usize,
    ny: usize,
    cost: Vec<f64>,
}

impl Grid {
    fn eval(p: &Problem<'_>, x0: f64, y0: f64, step: f64, nx: usize, ny: usize) -> Grid {
        let mut cost = Vec::with_capacity(nx * ny);
        for j in 0..ny {
            for i in 0..nx {
                cost.push(p.at(x0 + i as f64 * step, y0 + j as f64 * step).cost);
            }
        }
        Grid {
            x0,
            y0,
            step,
            nx,
            ny,
            cost,
        }
    }

    fn xy(&self, k: usize) -> (f64, f64) {
        (
            self.x0 + (k % self.nx) as f64 * self.step,
            self.y0 + (k / self.nx) as f64 * self.step,
        )
    }

    fn best(&self) -> (usize, f64) {
        self.cost
            .iter()
            .copied()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, f64::INFINITY))
    }

    /// The lowest local minimum of the cost within `threshold` that a ridge at least `ridge`
    /// above it separates from the best cell `kbest` (the highest cost on the straight line
    /// between them), if any.
    fn other_basin(&self, kbest: usize, threshold: f64, ridge: f64) -> Option<usize> {
        let (bi, bj) = ((kbest % self.nx) as i64, (kbest / self.nx) as i64);
        let at = |i: i64, j: i64| -> Option<f64> {
            (i >= 0 && j >= 0 && (i as usize) < self.nx && (j as usize) < self.ny)
                .then(|| self.cost[j as usize * self.nx + i as usize])
        };
        let mut found: Option<(usize, f64)> = None;
        for (k, &c) in self.cost.iter().enumerate() {
            if k == kbest || c > threshold || found.is_some_and(|(_, f)| f <= c) {
                continue;
            }
            let (i, j) = ((k % self.nx) as i64, (k / self.nx) as i64);
            let local_min = (-1..=1)
                .flat_map(|di| (-1..=1).map(move |dj| (di, dj)))
                .filter(|d| *d != (0, 0))
                .all(|(di, dj)| at(i + di, j + dj).is_none_or(|n| c <= n));
            if !local_min {
                continue;
            }
            let steps = (i - bi).abs().max((j - bj).abs());
            let top = (1..steps)
                .filter_map(|s| {
                    let f = s as f64 / steps as f64;
                    let (li, lj) = (
                        bi + ((i - bi) as f64 * f).round() as i64,
                        bj + ((j - bj) as f64 * f).round() as i64,
                    );
                    at(li, lj)
                })
                .fold(f64::MIN, f64::max);
            if top - c >= ridge {
                found = Some((k, c));
            }
        }
        found.map(|(k, _)| k)
    }
}

/// (east m, north m, power dB) of one measurement.
type Xyp = (f64, f64, f64);

struct Prepared {
    frame: LocalFrame,
    bins: Vec<Bin>,
    fixed: usize,
    moving: usize,
    rows: usize,
}

fn prepare(rows: &[Measurement], cfg: &LocateConfig) -> Result<Prepared, LocateError> {
    let good: Vec<&Measurement> = rows.iter().filter(|m| valid(m)).collect();
    if good.is_empty() {
        return Err(LocateError::NotEnough(
            "no measurement with a position and a power".into(),
        ));
    }
    let frame = LocalFrame::new(
        mean(good.iter().map(|m| m.point.lat_deg)),
        mean(good.iter().map(|m| m.point.lon_deg)),
    );
    let mut by_sensor: BTreeMap<&str, Vec<Xyp>> = BTreeMap::new();
    for m in &good {
        let (x, y) = frame.to_xy(m.point.lat_deg, m.point.lon_deg);
        by_sensor
            .entry(m.sensor.as_str())
            .or_default()
            .push((x, y, m.power_db));
    }
    let (mut bins, mut fixed, mut moving) = (Vec::new(), 0, 0);
    // Along a line, a field with exponential correlation exp(-r / L) carries about one
    // independent value per 2 L of length (the integral of the correlation over the line), so
    // a drive's bin of `bin_m` counts for bin_m / (2 L) of an independent reading.
    let independence = (cfg.bin_m / (2.0 * cfg.decorrelation_m)).min(1.0);
    for pts in by_sensor.values() {
        let cx = mean(pts.iter().map(|p| p.0));
        let cy = mean(pts.iter().map(|p| p.1));
        let span = pts
            .iter()
            .map(|p| (p.0 - cx).hypot(p.1 - cy))
            .fold(0.0, f64::max);
        if span <= cfg.fixed_sensor_span_m {
            fixed += 1;
            bins.push(Bin {
                x: cx,
                y: cy,
                power_db: mean(pts.iter().map(|p| p.2)),
                independence: 1.0,
            });
            continue;
        }
        moving += 1;
        let mut cells: HashMap<(i64, i64), Vec<Xyp>> = HashMap::new();
        for p in pts {
            let key = (
                (p.0 / cfg.bin_m).floor() as i64,
                (p.1 / cfg.bin_m).floor() as i64,
            );
            cells.entry(key).or_default().push(*p);
        }
        let mut keys: Vec<_> = cells.keys().copied().collect();
        keys.sort_unstable();
        for k in keys {
            let c = &cells[&k];
            bins.push(Bin {
                x: mean(c.iter().map(|p| p.0)),
                y: mean(c.iter().map(|p| p.1)),
                power_db: mean(c.iter().map(|p| p.2)),
                independence,
            });
        }
    }
    let spread = bins
        .iter()
        .flat_map(|a| bins.iter().map(move |b| (a.x - b.x).hypot(a.y - b.y)))
        .fold(0.0, f64::max);
    let enough = if moving == 0 {
        fixed >= cfg.min_fixed_sensors
    } else {
        bins.len() >= cfg.min_bins
    };
    if !enough || spread < cfg.min_spread_m {
        return Err(LocateError::NotEnough(format!(
            "{} measurement(s) in {} place(s) spread over {:.0} m ({} fixed, {} moving sensor(s)); \
             need {} places (or {} fixed sensors) over at least {:.0} m",
            good.len(),
            bins.len(),
            spread,
            fixed,
            moving,
            cfg.min_bins,
            cfg.min_fixed_sensors,
            cfg.min_spread_m
        )));
    }
    Ok(Prepared {
        frame,
        bins,
        fixed,
        moving,
        rows: good.len(),
    })
}

/// Locates the transmitter heard in `rows` (one cell's measurements, from any sensors).
pub fn locate(rows: &[Measurement], cfg: &LocateConfig) -> Result<Estimate, LocateError> {
    locate_with_bearings(rows, &[], cfg)
}

/// [`locate`] with bearings to the same transmitter from a directional antenna fitted
/// together with the power readings (a bearing with a position out of range, a non-finite
/// direction or no positive standard deviation is left out).
pub fn locate_with_bearings(
    rows: &[Measurement],
    bearings: &[Bearing],
    cfg: &LocateConfig,
) -> Result<Estimate, LocateError> {
    let prep = prepare(rows, cfg)?;
    let bins = &prep.bins;
    // Effective number of independent bins against the bins fitted: the cost differences of
    // correlated bins overstate the evidence by this factor.
    let n_eff: f64 = bins.iter().map(|b| b.independence).sum::<f64>().max(1.0);
    let inflation = (bins.len() as f64 / n_eff).max(1.0);
    let bearings: Vec<BearingXy> = bearings
        .iter()
        .filter(|b| {
            b.point.is_valid()
                && b.bearing_deg.is_finite()
                && b.sd_deg.is_finite()
                && b.sd_deg > 0.0
        })
        .map(|b| {
            let (x, y) = prep.frame.to_xy(b.point.lat_deg, b.point.lon_deg);
            BearingXy {
                x,
                y,
                theta: b.bearing_deg.to_radians(),
                kappa: b.sd_deg.to_radians().powi(-2),
            }
        })
        .collect();
    let mut problem = Problem {
        bins,
        cfg,
        lambda: (cfg.shadowing_db / cfg.exponent_prior_sd).powi(2),
        knee_db: 1.5 * cfg.shadowing_db,
        prior_xy: (0.0, 0.0),
        prior_lambda: 0.0,
        bearing_scale: cfg.shadowing_db.powi(2) * inflation,
        bearings,
    };
    // Search box: the measurements' (and bearings') extent plus a margin.
    let (mut xmin, mut xmax, mut ymin, mut ymax) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    let places = bins
        .iter()
        .map(|b| (b.x, b.y))
        .chain(problem.bearings.iter().map(|b| (b.x, b.y)));
    for (x, y) in places {
        xmin = xmin.min(x);
        xmax = xmax.max(x);
        ymin = ymin.min(y);
        ymax = ymax.max(y);
    }
    let extent = (xmax - xmin).max(ymax - ymin);
    // A weak prior on the position: the transmitter is near where the readings are, within
    // about half their extent of their power-weighted centre. With few readings (4-8 fixed
    // sensors) the fit otherwise ran off to a kilometre outside them when shadowing lined up.
    if cfg.position_prior_scale > 0.0 {
        let sigma_m = (cfg.position_prior_scale * extent).max(100.0);
        let (mut wsum, mut cx, mut cy) = (0.0, 0.0, 0.0);
        for b in bins {
            let w = 10f64.powf(b.power_db / 10.0);
            wsum += w;
            cx += w * b.x;
            cy += w * b.y;
        }
        if wsum > 0.0 && wsum.is_finite() {
            problem.prior_xy = (cx / wsum, cy / wsum);
            problem.prior_lambda = (cfg.shadowing_db / sigma_m).powi(2);
        }
    }
    let margin = cfg.search_margin_m.max(0.5 * extent);
    let (x0, y0) = (xmin - margin, ymin - margin);
    let size = extent + 2.0 * margin;
    let step = (size / 120.0).max(5.0);
    let n = (size / step).ceil() as usize + 1;
    let coarse = Grid::eval(&problem, x0, y0, step, n, n);
    let (kbest, _) = coarse.best();
    let (bx, by) = coarse.xy(kbest);
    // Fine grid over +/- 2 coarse steps around the best.
    let fstep = step / 8.0;
    let fine = Grid::eval(&problem, bx - 2.0 * step, by - 2.0 * step, fstep, 33, 33);
    let (kf, _) = fine.best();
    let (ex, ey) = fine.xy(kf);
    let best = problem.at(ex, ey);
    let res = problem.residuals(ex, ey, &best);
    let mad_sd = 1.4826 * median(res.iter().map(|r| r.abs()).collect());
    // The residual spread that scales the region: the data's, pooled with the expected
    // shadowing as if it were PRIOR_DOF readings' worth (a scaled inverse-chi-square prior on
    // the variance). With 4-8 fixed sensors the four fitted unknowns leave next to no
    // residual, and the data's spread alone made regions that held the truth half the time.
    let dof = (n_eff - 4.0).max(0.0);
    let sd = ((PRIOR_DOF * cfg.shadowing_db.powi(2) + dof * mad_sd.powi(2)) / (PRIOR_DOF + dof))
        .sqrt()
        .max(1.0);
    let threshold = best.cost + CHI2_2DOF_95 * sd * sd * inflation;
    // The other candidate: the best point of another basin of the cost nearly as low as the
    // best (a minimum cut off from it by a ridge) - the other side of a straight road, which
    // the 95 % region may join to this side across the road.
    let other = coarse.other_basin(
        kbest,
        best.cost + ALT_DEPTH * sd * sd * inflation,
        RIDGE_SHARE * (threshold - best.cost),
    );
    let alternative = other.map(|k| {
        let (ax, ay) = coarse.xy(k);
        let g = Grid::eval(&problem, ax - step, ay - step, step / 8.0, 17, 17);
        let (x, y) = g.xy(g.best().0);
        prep.frame.to_lat_lon(x, y)
    });
    let (mut rx0, mut rx1, mut ry0, mut ry1) = (ex, ex, ey, ey);
    // The region's extent on the coarse grid, then the region on a grid fitted to it.
    for (k, _) in coarse
        .cost
        .iter()
        .enumerate()
        .filter(|(_, c)| **c <= threshold)
    {
        let (x, y) = coarse.xy(k);
        rx0 = rx0.min(x);
        rx1 = rx1.max(x);
        ry0 = ry0.min(y);
        ry1 = ry1.max(y);
    }
    let (rx0, ry0) = (rx0 - step, ry0 - step);
    let rsize = (rx1 + step - rx0).max(ry1 + step - ry0);
    let rstep = (rsize / 60.0).max(1.0);
    let rn = (rsize / rstep).ceil() as usize + 1;
    let region = Grid::eval(&problem, rx0, ry0, rstep, rn, rn);
    let pts: Vec<(f64, f64)> = (0..region.cost.len())
        .filter(|k| region.cost[*k] <= threshold)
        .map(|k| region.xy(k))
        .chain(std::iter::once((ex, ey)))
        .collect();
    let ellipse = ellipse_of(&pts, rstep);
    let radius95_m = pts
        .iter()
        .map(|(x, y)| (x - ex).hypot(y - ey))
        .fold(0.0, f64::max)
        + rstep / 2.0;
    let (lat, lon) = prep.frame.to_lat_lon(ex, ey);
    let method = match (prep.fixed, prep.moving) {
        (_, 0) => Method::FixedSensors,
        (0, _) => Method::Drive,
        _ => Method::Combined,
    };
    Ok(Estimate {
        point: GeoPoint::new(lat, lon),
        ellipse,
        radius95_m,
        method,
        exponent: best.n,
        power_at_1m_db: best.a_db,
        residual_sd_db: mad_sd,
        measurements: prep.rows,
        bins: bins.len(),
        fixed_sensors: prep.fixed,
        moving_sensors: prep.moving,
        ambiguous: alternative.is_some(),
        alternative,
        height_m: cfg.height_m,
        bearings: problem.bearings.len(),
    })
}

/// The ellipse with the region's second moments: a uniformly filled ellipse of semi-axes
/// a, b has variances a^2/4 and b^2/4 along its axes, so the semi-axes are twice the standard
/// deviations (plus the grid's own quantisation, step^2/12).
fn ellipse_of(pts: &[(f64, f64)], step: f64) -> Ellipse {
    let mx = mean(pts.iter().map(|p| p.0));
    let my = mean(pts.iter().map(|p| p.1));
    let q = step * step / 12.0;
    let sxx = mean(pts.iter().map(|p| (p.0 - mx).powi(2))) + q;
    let syy = mean(pts.iter().map(|p| (p.1 - my).powi(2))) + q;
    let sxy = mean(pts.iter().map(|p| (p.0 - mx) * (p.1 - my)));
    let tr = sxx + syy;
    let disc = ((sxx - syy).powi(2) / 4.0 + sxy * sxy).sqrt();
    let l1 = tr / 2.0 + disc;
    let l2 = (tr / 2.0 - disc).max(0.0);
    // Major-axis direction (east, north) = eigenvector of l1.
    let (ve, vn) = if sxy.abs() > 1e-12 {
        (l1 - syy, sxy)
    } else if sxx >= syy {
        (1.0, 0.0)
    } else {
        (0.0, 1.0)
    };
    Ellipse {
        semi_major_m: 2.0 * l1.sqrt(),
        semi_minor_m: 2.0 * l2.sqrt(),
        orientation_deg: ve.atan2(vn).to_degrees().rem_euclid(180.0),
    }
}

/// The usual baseline: the mean position of the strongest tenth of the readings (at least
/// three), each weighted by its linear power.
pub fn weighted_centroid(rows: &[Measurement]) -> Option<(f64, f64)> {
    let mut good: Vec<&Measurement> = rows.iter().filter(|m| valid(m)).collect();
    if good.is_empty() {
        return None;
    }
    good.sort_by(|a, b| b.power_db.total_cmp(&a.power_db));
    let k = (good.len().div_ceil(10)).max(3).min(good.len());
    let top = &good[..k];
    let frame = LocalFrame::new(top[0].point.lat_deg, top[0].point.lon_deg);
    let pmax = top[0].power_db;
    let (mut sx, mut sy, mut sw) = (0.0, 0.0, 0.0);
    for m in top {
        let w = 10f64.powf((m.power_db - pmax) / 10.0);
        let (x, y) = frame.to_xy(m.point.lat_deg, m.point.lon_deg);
        sx += w * x;
        sy += w * y;
        sw += w;
    }
    Some(frame.to_lat_lon(sx / sw, sy / sw))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_from(
        frame: &LocalFrame,
        pts: &[(f64, f64)],
        tx: (f64, f64),
        a: f64,
        n: f64,
        sensor: &str,
    ) -> Vec<Measurement> {
        pts.iter()
            .enumerate()
            .map(|(i, (x, y))| {
                let d = ((x - tx.0).powi(2) + (y - tx.1).powi(2) + 100.0).sqrt();
                let (lat, lon) = frame.to_lat_lon(*x, *y);
                Measurement {
                    point: GeoPoint::new(lat, lon),
                    power_db: a - 10.0 * n * d.log10(),
                    time_unix_ms: i as i64 * 500,
                    sensor: sensor.into(),
                }
            })
            .collect()
    }

    #[test]
    fn noiseless_l_shaped_drive_is_exact() {
        let f = LocalFrame::new(51.5, -0.12);
        // East along y=0 for 1.5 km, then north along x=1500.
        let mut pts: Vec<(f64, f64)> = (0..300).map(|i| (i as f64 * 5.0, 0.0)).collect();
        pts.extend((0..200).map(|i| (1500.0, i as f64 * 5.0)));
        let rows = rows_from(&f, &pts, (700.0, 180.0), 10.0, 3.0, "run1");
        let e = locate(&rows, &LocateConfig::default()).unwrap();
        let (tlat, tlon) = f.to_lat_lon(700.0, 180.0);
        let err = e.distance_to_m(tlat, tlon);
        assert!(err < 3.0, "error {err} m");
        assert!((e.exponent - 3.0).abs() < 0.02, "n {}", e.exponent);
        // An exponent away from the prior is found when the prior is made weak.
        let rows34 = rows_from(&f, &pts, (700.0, 180.0), 10.0, 3.4, "run1");
        let weak = LocateConfig {
            exponent_prior_sd: 100.0,
            ..LocateConfig::default()
        };
        let e34 = locate(&rows34, &weak).unwrap();
        // The weak position prior pulls a noiseless fit by a few metres only; without it the
        // fit is exact.
        assert!(e34.distance_to_m(tlat, tlon) < 5.0);
        let no_prior = LocateConfig {
            position_prior_scale: 0.0,
            ..weak
        };
        let exact = locate(&rows34, &no_prior).unwrap();
        assert!(exact.distance_to_m(tlat, tlon) < 3.0);
        assert!((exact.exponent - 3.4).abs() < 0.02, "n {}", exact.exponent);
        assert!((e34.exponent - 3.4).abs() < 0.05, "n {}", e34.exponent);
        assert_eq!(e.method, Method::Drive);
        assert!(!e.ambiguous);
        // Noiseless, the region still allows for the expected 7 dB shadowing, weighted as 4 of
        // the drive's ~25 independent readings (2.5 km at one per 100 m): sd 2.8 dB.
        assert!(e.radius95_m < 500.0, "{}", e.radius95_m);
        let tight = locate(
            &rows,
            &LocateConfig {
                shadowing_db: 1.0,
                ..LocateConfig::default()
            },
        )
        .unwrap();
        // With 1 dB expected (the floor of the spread), the region shrinks to ~100 m.
        assert!(tight.radius95_m < 120.0, "{}", tight.radius95_m);
    }

    #[test]
    fn straight_road_is_flagged_ambiguous() {
        let f = LocalFrame::new(51.5, -0.12);
        let pts: Vec<(f64, f64)> = (0..400).map(|i| (i as f64 * 5.0, 0.0)).collect();
        let rows = rows_from(&f, &pts, (900.0, 150.0), 10.0, 3.0, "run1");
        let e = locate(&rows, &LocateConfig::default()).unwrap();
        assert!(e.ambiguous);
        let (alat, alon) = e.alternative.unwrap();
        let (ax, ay) = f.to_xy(alat, alon);
        assert!(
            (ax - 900.0).abs() < 10.0
                && (ay.abs() - 150.0).abs() < 10.0
                && ay * f.to_xy(e.point.lat_deg, e.point.lon_deg).1 < 0.0,
            "{ax} {ay}"
        );
        // Either side of the road, at the right distance.
        let (x, y) = f.to_xy(e.point.lat_deg, e.point.lon_deg);
        assert!(
            (x - 900.0).abs() < 10.0 && (y.abs() - 150.0).abs() < 10.0,
            "{x} {y}"
        );
    }

    #[test]
    fn one_bearing_settles_the_side_of_a_straight_road() {
        // The road above, and a Yagi pointed from (300, 0) at the transmitter on the
        // south side (900, -150): bearing atan2(600, -150) = 104.04 deg.
        let f = LocalFrame::new(51.5, -0.12);
        let pts: Vec<(f64, f64)> = (0..400).map(|i| (i as f64 * 5.0, 0.0)).collect();
        let rows = rows_from(&f, &pts, (900.0, -150.0), 10.0, 3.0, "run1");
        let (lat, lon) = f.to_lat_lon(300.0, 0.0);
        let bearing = |bearing_deg: f64| Bearing {
            point: GeoPoint::new(lat, lon),
            bearing_deg,
            sd_deg: 10.0,
        };
        let fit = |b: Bearing| {
            let e = locate_with_bearings(&rows, &[b], &LocateConfig::default()).unwrap();
            let (x, y) = f.to_xy(e.point.lat_deg, e.point.lon_deg);
            (e, x, y)
        };
        // The side the bearing points to, at the distance the power gives; the mirror
        // transmitter's bearing gives the mirror place.
        for (taken, side) in [(104.04, -1.0), (180.0 - 104.04, 1.0)] {
            let (e, x, y) = fit(bearing(taken));
            assert!(!e.ambiguous && e.bearings == 1, "{e:?}");
            assert!(
                (x - 900.0).abs() < 15.0 && (y - side * 150.0).abs() < 15.0,
                "bearing {taken}: {x} {y}"
            );
        }
        // A bearing 8 deg off (its ray crosses x = 900 at y = -243) pulls the estimate part
        // of the way, as much as its 10 deg weighs against the power's 7 dB.
        let (e, x, y) = fit(bearing(112.04));
        assert!(!e.ambiguous, "{e:?}");
        assert!(
            (x - 900.0).abs() < 40.0 && y < -160.0 && y > -243.0,
            "{x} {y}"
        );
        // A bearing with no value is left out, and the road is ambiguous again.
        let (e, _, _) = fit(bearing(f64::NAN));
        assert!(e.ambiguous && e.bearings == 0);
    }

    #[test]
    fn fixed_sensors_and_method() {
        let f = LocalFrame::new(51.5, -0.12);
        let sensors = [
            (0.0, 0.0),
            (800.0, 50.0),
            (300.0, 900.0),
            (-400.0, 600.0),
            (500.0, -500.0),
        ];
        let mut rows = Vec::new();
        for (k, s) in sensors.iter().enumerate() {
            rows.extend(rows_from(
                &f,
                &[*s; 5],
                (250.0, 300.0),
                0.0,
                3.0,
                &format!("s{k}"),
            ));
        }
        let e = locate(&rows, &LocateConfig::default()).unwrap();
        assert_eq!(e.method, Method::FixedSensors);
        assert_eq!(e.fixed_sensors, 5);
        let (tlat, tlon) = f.to_lat_lon(250.0, 300.0);
        assert!(e.distance_to_m(tlat, tlon) < 20.0);
        let no_prior = LocateConfig {
            position_prior_scale: 0.0,
            ..LocateConfig::default()
        };
        let exact = locate(&rows, &no_prior).unwrap();
        assert!(exact.distance_to_m(tlat, tlon) < 10.0);
        // Too few sensors.
        let err = locate(&rows[..15], &LocateConfig::default()).unwrap_err();
        assert!(err.to_string().contains("not enough"), "{err}");
    }

    #[test]
    fn centroid_sits_on_the_road() {
        let f = LocalFrame::new(51.5, -0.12);
        let pts: Vec<(f64, f64)> = (0..400).map(|i| (i as f64 * 5.0, 0.0)).collect();
        let rows = rows_from(&f, &pts, (900.0, 150.0), 10.0, 3.0, "run1");
        let (lat, lon) = weighted_centroid(&rows).unwrap();
        let (x, y) = f.to_xy(lat, lon);
        assert!((x - 900.0).abs() < 20.0 && y.abs() < 1.0, "{x} {y}");
    }

    #[test]
    fn ellipse_of_a_filled_disc() {
        let mut pts = Vec::new();
        for i in -100..=100 {
            for j in -100..=100 {
                let (x, y) = (i as f64, j as f64 * 0.5);
                if (x / 100.0).powi(2) + (y / 50.0).powi(2) <= 1.0 {
                    pts.push((x, y));
                }
            }
        }
        let e = ellipse_of(&pts, 1.0);
        assert!((e.semi_major_m - 100.0).abs() < 2.0, "{e:?}");
        assert!((e.semi_minor_m - 50.0).abs() < 2.0, "{e:?}");
        assert!((e.orientation_deg - 90.0).abs() < 1.0, "{e:?}");
    }
}
