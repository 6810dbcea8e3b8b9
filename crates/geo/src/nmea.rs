//! NMEA 0183 logs: RMC (position, speed, course, date) and GGA (position, fix quality,
//! HDOP, altitude) sentences of any talker (GP, GN, GL, GA, BD...).
//!
//! Hand-written rather than a crate because a track needs things sentence parsers do not do:
//! GGA carries no date, so each GGA is dated from the RMC sentences around it (and merged with
//! the RMC of the same epoch); every error names its line; checksums are required on the two
//! sentences we use (NMEA 0183 v4.10 makes them mandatory for RMC/GGA). Other sentences (GSA,
//! GSV, VTG, proprietary) and `#` comment lines (gpsfake logs) are skipped. Fixes the receiver
//! marks invalid (RMC status V, GGA quality 0) are not positions and are skipped too.

use crate::{Fix, GeoError, GeoPoint, Position};

/// Knots to metres per second (1 kn = 1852 m / 3600 s).
const KNOT_MPS: f64 = 1852.0 / 3600.0;
/// User equivalent range error used to turn HDOP into metres (a typical single-frequency
/// GPS figure; gpsd uses comparable constants).
const UERE_M: f64 = 5.0;

/// One fix decoded from a sentence, before dating.
#[derive(Debug, Clone, Copy)]
struct Partial {
    line: usize,
    ms_of_day: i64,
    /// Days since the epoch (RMC only).
    day: Option<i64>,
    lat_deg: f64,
    lon_deg: f64,
    alt_m: Option<f64>,
    hdop: Option<f64>,
    speed_mps: Option<f64>,
    heading_deg: Option<f64>,
}

/// XOR of the characters between `$` and `*` (NMEA 0183 checksum).
pub fn checksum(body: &str) -> u8 {
    body.bytes().fold(0, |c, b| c ^ b)
}

/// Parses a whole log into fixes (undated GGA get the date of the nearest RMC).
pub fn parse(text: &str, path: &str) -> Result<Vec<Position>, GeoError> {
    let mut parts: Vec<Partial> = Vec::new();
    let mut saw_rmc = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let s = raw.trim();
        if s.is_empty() || s.starts_with('#') {
            continue;
        }
        let err = |reason: String| GeoError::malformed(path, Some(line), reason);
        let Some(rest) = s.strip_prefix('$').or_else(|| s.strip_prefix('!')) else {
            return Err(err(format!(
                "not an NMEA sentence (no leading '$'): {:?}",
                truncate(s)
            )));
        };
        let (body, sum) = match rest.split_once('*') {
            Some((b, c)) => (b, Some(c)),
            None => (rest, None),
        };
        let fields: Vec<&str> = body.split(',').collect();
        // The sentence formatter is the address's last three characters. An address that is
        // not ASCII (line noise, a corrupted log) may have no character boundary there: it is
        // then no sentence we use, and is skipped like one (its checksum still checked).
        let kind = fields.first().map_or("", |k| {
            if k.len() >= 5 {
                k.get(k.len() - 3..).unwrap_or(k)
            } else {
                k
            }
        });
        if kind != "RMC" && kind != "GGA" {
            // Checked if present, so that a corrupted log is noticed even on skipped sentences.
            if let Some(c) = sum {
                verify(body, c).map_err(err)?;
            }
            continue;
        }
        let c = sum.ok_or_else(|| err(format!("{kind} sentence without a checksum")))?;
        verify(body, c).map_err(err)?;
        let p = if kind == "RMC" {
            saw_rmc = true;
            parse_rmc(&fields, line).map_err(err)?
        } else {
            parse_gga(&fields, line).map_err(err)?
        };
        if let Some(p) = p {
            parts.push(p);
        }
    }
    if !saw_rmc && !parts.is_empty() {
        return Err(GeoError::malformed(
            path,
            None,
            "GGA sentences but no RMC: the log has no date (record RMC too)",
        ));
    }
    date_and_merge(parts, path)
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

fn verify(body: &str, given: &str) -> Result<(), String> {
    let given = given.trim();
    let want = checksum(body);
    match u8::from_str_radix(given, 16) {
        Ok(g) if given.len() == 2 && g == want => Ok(()),
        Ok(_) if given.len() == 2 => Err(format!(
            "checksum {given} does not match the sentence (computed {want:02X})"
        )),
        _ => Err(format!("checksum {given:?} is not two hex digits")),
    }
}

fn field<'a>(f: &[&'a str], i: usize) -> &'a str {
    f.get(i).copied().unwrap_or("")
}

fn num(f: &[&str], i: usize, what: &str) -> Result<Option<f64>, String> {
    let s = field(f, i);
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or_else(|| format!("{what} {s:?} is not a number"))
}

/// hhmmss(.sss) -> ms of day.
fn time_of_day(s: &str) -> Result<i64, String> {
    let bad = || format!("time {s:?} is not hhmmss.ss");
    if s.len() < 6 || !s.is_ascii() {
        return Err(bad());
    }
    let hh: i64 = s[0..2].parse().map_err(|_| bad())?;
    let mm: i64 = s[2..4].parse().map_err(|_| bad())?;
    let ss: f64 = s[4..].parse().map_err(|_| bad())?;
    if hh > 23 || mm > 59 || !(0.0..61.0).contains(&ss) {
        return Err(bad());
    }
    Ok(hh * 3_600_000 + mm * 60_000 + (ss * 1000.0).round() as i64)
}

/// ddmmyy -> days since the epoch (two-digit years are 1980-2079, as GPS week numbering
/// implies for any receiver in use).
fn date(s: &str) -> Result<i64, String> {
    let bad = || format!("date {s:?} is not ddmmyy");
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let d: u8 = s[0..2].parse().map_err(|_| bad())?;
    let m: u8 = s[2..4].parse().map_err(|_| bad())?;
    let y: i32 = s[4..6].parse().map_err(|_| bad())?;
    let year = if y < 80 { 2000 + y } else { 1900 + y };
    let month = time::Month::try_from(m).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(year, month, d).map_err(|_| bad())?;
    Ok(i64::from(date.to_julian_day()) - 2_440_588)
}

/// ddmm.mmmm + hemisphere -> signed degrees.
fn coordinate(value: &str, hemi: &str, lat: bool) -> Result<f64, String> {
    let what = if lat { "latitude" } else { "longitude" };
    let deg_digits = if lat { 2 } else { 3 };
    let bad = || {
        format!(
            "{what} {value:?} {hemi:?} is not {}mm.mmmm",
            "d".repeat(deg_digits)
        )
    };
    if value.len() < deg_digits + 2 || !value.is_ascii() {
        return Err(bad());
    }
    let d: f64 = value[..deg_digits].parse().map_err(|_| bad())?;
    let m: f64 = value[deg_digits..].parse().map_err(|_| bad())?;
    if !(0.0..60.0).contains(&m) {
        return Err(bad());
    }
    let v = d + m / 60.0;
    let (max, pos, neg) = if lat {
        (90.0, "N", "S")
    } else {
        (180.0, "E", "W")
    };
    if v > max {
        return Err(format!("{what} {v:.6} out of range"));
    }
    match hemi {
        h if h == pos => Ok(v),
        h if h == neg => Ok(-v),
        _ => Err(bad()),
    }
}

/// `$xxRMC,time,status,lat,N,lon,E,knots,course,ddmmyy,magvar,E[,mode[,navstatus]]`.
fn parse_rmc(f: &[&str], line: usize) -> Result<Option<Partial>, String> {
    if f.len() < 10 {
        return Err(format!("RMC has {} fields, needs at least 10", f.len()));
    }
    if field(f, 2) != "A" {
        return Ok(None); // V: receiver warning, no valid fix.
    }
    // NMEA 2.3+ mode indicator: N = data not valid.
    if field(f, 12) == "N" {
        return Ok(None);
    }
    let knots = num(f, 7, "speed")?;
    if knots.is_some_and(|k| k < 0.0) {
        return Err("negative speed".into());
    }
    let course = num(f, 8, "course")?;
    if course.is_some_and(|c| !(0.0..=360.0).contains(&c)) {
        return Err(format!("course {} outside 0..360", field(f, 8)));
    }
    Ok(Some(Partial {
        line,
        ms_of_day: time_of_day(field(f, 1))?,
        day: Some(date(field(f, 9))?),
        lat_deg: coordinate(field(f, 3), field(f, 4), true)?,
        lon_deg: coordinate(field(f, 5), field(f, 6), false)?,
        alt_m: None,
        hdop: None,
        speed_mps: knots.map(|k| k * KNOT_MPS),
        heading_deg: course.map(|c| c % 360.0),
    }))
}

/// `$xxGGA,time,lat,N,lon,E,quality,sats,hdop,alt,M,geoid,M,age,station`.
fn parse_gga(f: &[&str], line: usize) -> Result<Option<Partial>, String> {
    if f.len() < 10 {
        return Err(format!("GGA has {} fields, needs at least 10", f.len()));
    }
    let quality = field(f, 6);
    if quality.is_empty() || quality == "0" {
        return Ok(None);
    }
    if quality.parse::<u8>().is_err() {
        return Err(format!("fix quality {quality:?} is not a number"));
    }
    Ok(Some(Partial {
        line,
        ms_of_day: time_of_day(field(f, 1))?,
        day: None,
        lat_deg: coordinate(field(f, 2), field(f, 3), true)?,
        lon_deg: coordinate(field(f, 4), field(f, 5), false)?,
        alt_m: num(f, 9, "altitude")?,
        hdop: num(f, 8, "HDOP")?,
        speed_mps: None,
        heading_deg: None,
    }))
}

/// Dates every GGA from the previous RMC (or the next one, for GGA logged before the first
/// RMC), stepping a day forward when the time of day wraps at midnight, and merges GGA and
/// RMC of the same epoch into one fix.
fn date_and_merge(parts: Vec<Partial>, path: &str) -> Result<Vec<Position>, GeoError> {
    const DAY_MS: i64 = 86_400_000;
    let first_day = parts.iter().find_map(|p| p.day.map(|d| (d, p.ms_of_day)));
    let mut current: Option<(i64, i64)> = first_day;
    let mut out: Vec<Position> = Vec::with_capacity(parts.len());
    for p in parts {
        let day = match p.day {
            Some(d) => d,
            None => {
                let Some((d, last_ms)) = current else {
                    return Err(GeoError::malformed(path, Some(p.line), "no date"));
                };
                // Past midnight since the dating RMC: time of day went backwards by hours.
                if p.ms_of_day + DAY_MS / 2 < last_ms {
                    d + 1
                } else {
                    d
                }
            }
        };
        current = Some((day, p.ms_of_day));
        let t = day * DAY_MS + p.ms_of_day;
        let fix = Position {
            time_unix_ms: Some(t),
            point: GeoPoint {
                lat_deg: p.lat_deg,
                lon_deg: p.lon_deg,
                alt_m: p.alt_m,
            },
            accuracy_m: p.hdop.map(|h| h * UERE_M),
            speed_mps: p.speed_mps,
            heading_deg: p.heading_deg,
        };
        fix.validate()
            .map_err(|e| GeoError::malformed(path, Some(p.line), e.to_string()))?;
        match out.last_mut() {
            Some(last) if last.time_unix_ms == Some(t) => {
                // Same epoch: RMC gives speed/course, GGA altitude/HDOP; keep both.
                last.point.alt_m = last.point.alt_m.or(fix.point.alt_m);
                last.accuracy_m = last.accuracy_m.or(fix.accuracy_m);
                last.speed_mps = last.speed_mps.or(fix.speed_mps);
                last.heading_deg = last.heading_deg.or(fix.heading_deg);
            }
            _ => out.push(fix),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // NMEA 0183 example sentences as published in the gpsd project's "NMEA 0183 revealed"
    // (RMC) and the common GGA example; checksums are the published ones.
    const RMC: &str = "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A";
    const GGA: &str = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47";

    #[test]
    fn published_examples() {
        let fixes = parse(&format!("{GGA}\n{RMC}\n"), "x").unwrap();
        assert_eq!(fixes.len(), 1);
        let f = fixes[0];
        // 23 March 1994 12:35:19 UTC.
        assert_eq!(f.time_ms(), 764_426_119_000);
        assert!((f.point.lat_deg - (48.0 + 7.038 / 60.0)).abs() < 1e-12);
        assert!((f.point.lon_deg - (11.0 + 31.0 / 60.0)).abs() < 1e-12);
        assert!((f.speed_mps.unwrap() - 22.4 * 1852.0 / 3600.0).abs() < 1e-9);
        assert_eq!(f.heading_deg, Some(84.4));
        assert_eq!(f.point.alt_m, Some(545.4));
        assert!((f.accuracy_m.unwrap() - 4.5).abs() < 1e-9);
    }

    #[test]
    fn bad_checksum_names_the_line() {
        let bad = RMC.replace("*6A", "*6B");
        let e = parse(&format!("{GGA}\n{bad}\n"), "drive.nmea")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "drive.nmea line 2: checksum 6B does not match the sentence (computed 6A)"
        );
        let e = parse(
            "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W\n",
            "d",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("without a checksum"), "{e}");
        let e = parse("hello\n", "d").unwrap_err().to_string();
        assert!(e.contains("line 1: not an NMEA sentence"), "{e}");
    }

    #[test]
    fn out_of_range_and_garbage_fields() {
        let body = "GPRMC,123519,A,9107.038,N,01131.000,E,022.4,084.4,230394,003.1,W";
        let s = format!("${body}*{:02X}", checksum(body));
        let e = parse(&s, "d").unwrap_err().to_string();
        assert!(e.contains("latitude 91.1"), "{e}");
        let body = "GPRMC,123519,A,4807.038,N,01131.000,E,fast,084.4,230394,003.1,W";
        let s = format!("${body}*{:02X}", checksum(body));
        let e = parse(&s, "d").unwrap_err().to_string();
        assert!(e.contains("speed \"fast\" is not a number"), "{e}");
    }

    /// Found by the `nmea_track` fuzz target (fuzz/regressions/nmea_track/): a sentence
    /// address with a multi-byte character where the formatter starts used to panic on a
    /// string slice. It is now an unknown sentence: checked, then skipped.
    #[test]
    fn non_ascii_sentence_address_is_skipped_or_refused_not_a_panic() {
        // Bad checksum: the one-line error names the line.
        let e = parse(&format!("{RMC}\n$GPGÉÉ,A,3,02*19\n"), "d")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            format!(
                "d line 2: checksum 19 does not match the sentence (computed {:02X})",
                checksum("GPGÉÉ,A,3,02")
            )
        );
        // Right checksum: skipped, the RMC around it still read.
        let body = "GPGÉÉ,A,3,02";
        let text = format!("{RMC}\n${body}*{:02X}\n", checksum(body));
        let fixes = parse(&text, "d").unwrap();
        assert_eq!(fixes.len(), 1);
        assert_eq!(fixes[0].time_ms(), 764_426_119_000);
    }

    #[test]
    fn void_fixes_skipped_and_gga_alone_refused() {
        let body = "GPRMC,123519,V,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W";
        let s = format!("${body}*{:02X}", checksum(body));
        assert!(parse(&s, "d").unwrap().is_empty());
        let e = parse(GGA, "d").unwrap_err().to_string();
        assert!(e.contains("no RMC"), "{e}");
    }

    #[test]
    fn gga_after_midnight_gets_the_next_day() {
        let rmc_body = "GNRMC,235959.50,A,4807.038,N,01131.000,E,0.0,,311226,,,A";
        let gga_body = "GNGGA,000000.50,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,";
        let text = format!(
            "${rmc_body}*{:02X}\n${gga_body}*{:02X}\n",
            checksum(rmc_body),
            checksum(gga_body)
        );
        let f = parse(&text, "d").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].time_ms() - f[0].time_ms(), 1_000);
    }
}
