//! A local east/north plane in metres around a reference point (equirectangular projection):
//! over the few kilometres of a hunt the error against a proper transverse Mercator is below a
//! metre, far under GPS and shadowing errors, and it keeps the fit's arithmetic in metres.

/// Mean Earth radius, metres.
const R_M: f64 = 6_371_008.8;

/// East/north metres around `(lat0, lon0)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalFrame {
    pub lat0_deg: f64,
    pub lon0_deg: f64,
    cos_lat0: f64,
}

impl LocalFrame {
    pub fn new(lat0_deg: f64, lon0_deg: f64) -> Self {
        LocalFrame {
            lat0_deg,
            lon0_deg,
            cos_lat0: lat0_deg.to_radians().cos().max(1e-6),
        }
    }

    /// (east, north) metres of a point.
    pub fn to_xy(&self, lat_deg: f64, lon_deg: f64) -> (f64, f64) {
        let mut dlon = lon_deg - self.lon0_deg;
        if dlon > 180.0 {
            dlon -= 360.0;
        } else if dlon < -180.0 {
            dlon += 360.0;
        }
        (
            R_M * self.cos_lat0 * dlon.to_radians(),
            R_M * (lat_deg - self.lat0_deg).to_radians(),
        )
    }

    /// (lat, lon) of a point given in metres.
    pub fn to_lat_lon(&self, x_m: f64, y_m: f64) -> (f64, f64) {
        let lat = self.lat0_deg + (y_m / R_M).to_degrees();
        let mut lon = self.lon0_deg + (x_m / (R_M * self.cos_lat0)).to_degrees();
        if lon > 180.0 {
            lon -= 360.0;
        } else if lon < -180.0 {
            lon += 360.0;
        }
        (lat, lon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_scale() {
        let f = LocalFrame::new(51.5, -0.12);
        let (x, y) = f.to_xy(51.509, -0.12);
        assert!(x.abs() < 1e-9);
        // 0.009 deg of latitude = 1000.8 m on the mean sphere.
        assert!((y - 1000.75).abs() < 0.1, "{y}");
        let (lat, lon) = f.to_lat_lon(1234.0, -567.0);
        let (x2, y2) = f.to_xy(lat, lon);
        assert!((x2 - 1234.0).abs() < 1e-6 && (y2 + 567.0).abs() < 1e-6);
    }
}
