//! Drive-test scenes: a sensor moving along a track past a transmitter at a known position.
//!
//! What the sensor's power meter would read every `interval_s`, from the standard large-scale
//! model and its usual impairments:
//! * log-distance path loss `P = A - 10 n log10(d)` (d from the transmitter, with an antenna
//!   height difference);
//! * spatially correlated log-normal shadowing: a 2-D Gaussian field with exponential
//!   autocorrelation exp(-r / L) (Gudmundson, Electronics Letters 1991), built as a sum of
//!   random plane waves whose wavenumbers follow that covariance's 2-D spectrum, so a drive
//!   and a fixed sensor at the same place see the same shadow;
//! * Rayleigh fast fading with the Doppler spread of the sensor's speed (Clarke's model, sum
//!   of sinusoids), averaged over the measurement window as a receiver's power estimate is;
//!   a stopped car sits in whatever fade it stopped in;
//! * receiver noise added in power, as an in-channel power measurement sees it.
//!
//! [`DriveScene::measure`] gives the measurements directly (for many seeds); the same
//! large-scale part as a [`crate::CellSpec::profile`] ([`DriveScene::profile`]) lets the IQ
//! generator render the scene so the real receiver measures it (fast fading then comes from the
//! cell's multipath with Doppler).

use crate::rng::Rng;

/// One point of the sensor's track: time (s from the start) and position (metres east/north
/// of the scene origin).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackPoint {
    pub t_s: f64,
    pub x_m: f64,
    pub y_m: f64,
}

/// One simulated power reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub t_s: f64,
    pub x_m: f64,
    pub y_m: f64,
    pub power_db: f64,
}

/// A spatially correlated shadowing field.
#[derive(Debug, Clone)]
pub struct ShadowField {
    waves: Vec<(f64, f64, f64)>,
    amp: f64,
}

impl ShadowField {
    /// Standard deviation `sigma_db`, decorrelation distance `l_m` (correlation e^-1 at that
    /// distance), `waves` plane waves (200 give a Gaussian-looking field).
    pub fn new(rng: &mut Rng, sigma_db: f64, l_m: f64, waves: usize) -> Self {
        let waves = waves.max(1);
        let w = (0..waves)
            .map(|_| {
                // Radial wavenumber of the 2-D exponential covariance's spectrum
                // S(k) ~ (1 + (kL)^2)^(-3/2): CDF 1 - 1/sqrt(1 + (kL)^2), inverted.
                let u = rng.uniform().min(0.999_999);
                let k = ((1.0 / (1.0 - u)).powi(2) - 1.0).sqrt() / l_m;
                let dir = rng.uniform() * std::f64::consts::TAU;
                let phase = rng.uniform() * std::f64::consts::TAU;
                (k * dir.cos(), k * dir.sin(), phase)
            })
            .collect();
        ShadowField {
            waves: w,
            amp: sigma_db * (2.0 / waves as f64).sqrt(),
        }
    }

    /// Shadowing at a point, dB.
    pub fn at(&self, x_m: f64, y_m: f64) -> f64 {
        self.amp
            * self
                .waves
                .iter()
                .map(|(kx, ky, p)| (kx * x_m + ky * y_m + p).cos())
                .sum::<f64>()
    }
}

/// The scene: transmitter, propagation, receiver.
#[derive(Debug, Clone, PartialEq)]
pub struct DriveScene {
    /// Transmitter position, metres east/north of the origin.
    pub tx_x_m: f64,
    pub tx_y_m: f64,
    /// Power at 1 m, dB (dBm or dBFS, the readings' scale).
    pub power_at_1m_db: f64,
    /// Path-loss exponent.
    pub exponent: f64,
    /// Antenna height difference, metres.
    pub height_m: f64,
    /// Shadowing standard deviation, dB, and decorrelation distance, metres.
    pub shadowing_db: f64,
    pub decorrelation_m: f64,
    /// Carrier frequency (for the Doppler spread), Hz.
    pub freq_hz: f64,
    /// Receiver noise power in the measurement bandwidth, same scale as the readings.
    pub noise_db: f64,
    /// Measurement interval, s (the receivers sample power every 0.5 s).
    pub interval_s: f64,
    /// Fast fading on or off.
    pub fading: bool,
}

impl DriveScene {
    /// Mean power (path loss only) at a point.
    pub fn path_power_db(&self, x_m: f64, y_m: f64) -> f64 {
        let d = ((x_m - self.tx_x_m).powi(2) + (y_m - self.tx_y_m).powi(2) + self.height_m.powi(2))
            .sqrt();
        self.power_at_1m_db - 10.0 * self.exponent * d.log10()
    }

    /// The shadowing field of a seed (the same field for every sensor of the scene).
    pub fn shadow_field(&self, seed: u64) -> ShadowField {
        let mut rng = Rng::new(seed ^ 0x5ad0_f1e1_d000_0001);
        ShadowField::new(&mut rng, self.shadowing_db, self.decorrelation_m, 200)
    }

    /// Readings every `interval_s` along `track` (interpolated linearly between its points).
    pub fn measure(&self, track: &[TrackPoint], field: &ShadowField, seed: u64) -> Vec<Reading> {
        let mut rng = Rng::new(seed ^ 0xfad1_0000_0000_0002);
        let (Some(first), Some(last)) = (track.first(), track.last()) else {
            return Vec::new();
        };
        let lambda_m = 299_792_458.0 / self.freq_hz;
        // Clarke's model: 16 scatterers around the car, fresh each run.
        let scat: Vec<(f64, f64)> = (0..16)
            .map(|_| {
                (
                    rng.uniform() * std::f64::consts::TAU,
                    rng.uniform() * std::f64::consts::TAU,
                )
            })
            .collect();
        let noise = 10f64.powf(self.noise_db / 10.0);
        let sub = 64;
        let mut out = Vec::new();
        // Phase of each scatterer, advanced by the distance travelled (so a stopped car keeps
        // its fade).
        let mut travelled_m = 0.0;
        let mut t = first.t_s;
        while t + self.interval_s <= last.t_s + 1e-9 {
            let mut acc = 0.0;
            let (mut sx, mut sy) = (0.0, 0.0);
            for k in 0..sub {
                let tk = t + (k as f64 + 0.5) / sub as f64 * self.interval_s;
                let (x, y, v) = at(track, tk);
                sx += x;
                sy += y;
                let mean = 10f64.powf((self.path_power_db(x, y) + field.at(x, y)) / 10.0);
                let gain = if self.fading {
                    let (mut re, mut im) = (0.0, 0.0);
                    for (alpha, phi) in &scat {
                        let ph = std::f64::consts::TAU * travelled_m / lambda_m * alpha.cos() + phi;
                        re += ph.cos();
                        im += ph.sin();
                    }
                    (re * re + im * im) / scat.len() as f64
                } else {
                    1.0
                };
                acc += mean * gain;
                travelled_m += v * self.interval_s / sub as f64;
            }
            out.push(Reading {
                t_s: t + self.interval_s / 2.0,
                x_m: sx / sub as f64,
                y_m: sy / sub as f64,
                power_db: 10.0 * (acc / sub as f64 + noise).log10(),
            });
            t += self.interval_s;
        }
        out
    }

    /// Large-scale power (path loss + shadowing) along the track every `step_s`, relative to
    /// `reference_db`, as a scenario `profile` ([[t_s, db], ...]).
    pub fn profile(
        &self,
        track: &[TrackPoint],
        field: &ShadowField,
        step_s: f64,
        reference_db: f64,
    ) -> Vec<[f64; 2]> {
        let (Some(first), Some(last)) = (track.first(), track.last()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut t = first.t_s;
        while t <= last.t_s + 1e-9 {
            let (x, y, _) = at(track, t);
            out.push([
                t - first.t_s,
                self.path_power_db(x, y) + field.at(x, y) - reference_db,
            ]);
            t += step_s;
        }
        out
    }
}

/// Position and speed on a track at time `t` (held at the ends).
pub fn at(track: &[TrackPoint], t: f64) -> (f64, f64, f64) {
    let i = track.partition_point(|p| p.t_s < t);
    if i == 0 || i >= track.len() {
        let p = if i == 0 { track.first() } else { track.last() };
        return p.map_or((0.0, 0.0, 0.0), |p| (p.x_m, p.y_m, 0.0));
    }
    let (a, b) = (track[i - 1], track[i]);
    let dt = (b.t_s - a.t_s).max(1e-9);
    let f = (t - a.t_s) / dt;
    let v = (b.x_m - a.x_m).hypot(b.y_m - a.y_m) / dt;
    (a.x_m + (b.x_m - a.x_m) * f, a.y_m + (b.y_m - a.y_m) * f, v)
}

/// A track through `waypoints` (metres) at a constant speed, one point per second.
pub fn constant_speed_track(waypoints: &[(f64, f64)], speed_mps: f64) -> Vec<TrackPoint> {
    let mut out = Vec::new();
    let Some(&(mut x, mut y)) = waypoints.first() else {
        return out;
    };
    let mut t = 0.0;
    out.push(TrackPoint {
        t_s: 0.0,
        x_m: x,
        y_m: y,
    });
    for &(wx, wy) in &waypoints[1..] {
        loop {
            let d = (wx - x).hypot(wy - y);
            if d < 1e-9 {
                break;
            }
            let step = speed_mps.min(d);
            let dt = step / speed_mps;
            x += (wx - x) / d * step;
            y += (wy - y) / d * step;
            t += dt;
            out.push(TrackPoint {
                t_s: t,
                x_m: x,
                y_m: y,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shadow_field_statistics() {
        // Standard deviation and correlation at the decorrelation distance (e^-1 = 0.37).
        let mut rng = Rng::new(3);
        let (mut s2, mut c, mut n) = (0.0, 0.0, 0.0);
        for seed in 0..40 {
            let f = ShadowField::new(&mut rng, 7.0, 50.0, 200);
            for i in 0..200 {
                let x = seed as f64 * 10_000.0 + i as f64 * 200.0;
                let a = f.at(x, 0.0);
                let b = f.at(x + 50.0, 0.0);
                s2 += a * a;
                c += a * b;
                n += 1.0;
            }
        }
        let sd = (s2 / n).sqrt();
        let rho = c / s2;
        assert!((sd - 7.0).abs() < 0.4, "sd {sd}");
        assert!((rho - (-1f64).exp()).abs() < 0.08, "rho {rho}");
    }

    #[test]
    fn fading_averages_and_path_loss() {
        let scene = DriveScene {
            tx_x_m: 0.0,
            tx_y_m: 100.0,
            power_at_1m_db: 0.0,
            exponent: 3.0,
            height_m: 0.0,
            shadowing_db: 0.0,
            decorrelation_m: 50.0,
            freq_hz: 947e6,
            noise_db: -200.0,
            interval_s: 0.5,
            fading: true,
        };
        let track = constant_speed_track(&[(-1000.0, 0.0), (1000.0, 0.0)], 12.0);
        let field = scene.shadow_field(1);
        let r = scene.measure(&track, &field, 1);
        assert!(r.len() > 300);
        // Mean of the fading gain is 1: readings scatter around the path loss by ~1-2 dB
        // at 12 m/s (38 Hz Doppler, 19 fades per window).
        let errs: Vec<f64> = r
            .iter()
            .map(|m| m.power_db - scene.path_power_db(m.x_m, m.y_m))
            .collect();
        let mean = errs.iter().sum::<f64>() / errs.len() as f64;
        let sd = (errs.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / errs.len() as f64).sqrt();
        assert!(
            mean.abs() < 1.0 && sd < 2.5 && sd > 0.3,
            "mean {mean} sd {sd}"
        );
    }
}
