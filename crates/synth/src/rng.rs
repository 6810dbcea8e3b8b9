//! Small seeded random number generator (xoshiro256**, splitmix64 seeding) and Gaussian noise:
//! scenes must be reproducible from their seed, and a crate dependency for this is not needed.

use num_complex::Complex32;

#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let r = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        r
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Circular complex Gaussian with E|x|^2 = sigma^2 (Marsaglia's polar method: no
    /// trigonometry, one log and one square root per complex sample).
    pub fn complex_gaussian(&mut self, sigma: f64) -> Complex32 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                // Each of u*k, v*k is N(0, 1); scale so the complex power is sigma^2.
                let k = sigma * (-s.ln() / s).sqrt();
                return Complex32::new((u * k) as f32, (v * k) as f32);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_power_is_sigma_squared() {
        let mut r = Rng::new(7);
        let n = 200_000;
        let p: f64 = (0..n)
            .map(|_| f64::from(r.complex_gaussian(0.5).norm_sqr()))
            .sum::<f64>()
            / n as f64;
        assert!((p - 0.25).abs() < 0.005, "{p}");
    }
}
