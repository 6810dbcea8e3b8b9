//! ISO 8601 UTC timestamps (SigMF `core:datetime`) to and from Unix nanoseconds, without a
//! date-time dependency.
//!
//! Uses the proleptic Gregorian day-count algorithm of H. Hinnant ("chrono-compatible low-level
//! date algorithms"); valid for years 0..=9999, which covers every recording.

const NS_PER_S: i128 = 1_000_000_000;

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Formats Unix nanoseconds as `YYYY-MM-DDTHH:MM:SS[.fffffffff]Z`.
pub fn format_unix_ns(unix_ns: i128) -> String {
    let secs = unix_ns.div_euclid(NS_PER_S);
    let nanos = unix_ns.rem_euclid(NS_PER_S);
    let days = secs.div_euclid(86_400) as i64;
    let sod = secs.rem_euclid(86_400) as i64;
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (sod / 3600, sod % 3600 / 60, sod % 60);
    if nanos == 0 {
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{nanos:09}Z")
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.f...](Z|+HH:MM|-HH:MM)` into Unix nanoseconds.
pub fn parse_iso8601(s: &str) -> Option<i128> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mi, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || hh > 23 || mi > 59 || ss > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut nanos: i128 = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        for (i, c) in frac.bytes().take(digits).enumerate() {
            if i < 9 {
                nanos = nanos * 10 + i128::from(c - b'0');
            }
        }
        for _ in digits..9 {
            nanos *= 10;
        }
        rest = &frac[digits..];
    }
    let offset_s: i64 = match rest {
        "Z" | "z" | "" => 0,
        tz => {
            let tb = tz.as_bytes();
            if tb.len() != 6 || tb[3] != b':' || !matches!(tb[0], b'+' | b'-') {
                return None;
            }
            let oh: i64 = tz.get(1..3)?.parse().ok()?;
            let om: i64 = tz.get(4..6)?.parse().ok()?;
            let sign = if tb[0] == b'-' { -1 } else { 1 };
            sign * (oh * 3600 + om * 60)
        }
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    let secs = days * 86_400 + hh * 3600 + mi * 60 + ss - offset_s;
    Some(i128::from(secs) * NS_PER_S + nanos)
}

/// Now, in Unix nanoseconds (0 if the clock is before 1970).
pub fn now_unix_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        // 2017-02-01T11:33:17Z is 1485948797 (checked with `date -u -d @1485948797`).
        assert_eq!(
            parse_iso8601("2017-02-01T11:33:17.053240428Z"),
            Some(1_485_948_797_053_240_428)
        );
        assert_eq!(
            format_unix_ns(1_485_948_797_053_240_428),
            "2017-02-01T11:33:17.053240428Z"
        );
        assert_eq!(format_unix_ns(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            parse_iso8601("2000-02-29T00:00:00Z"),
            Some(951_782_400 * NS_PER_S)
        );
        assert_eq!(
            parse_iso8601("2000-02-29T02:00:00+02:00"),
            Some(951_782_400 * NS_PER_S)
        );
        assert_eq!(
            parse_iso8601("2024-01-01T00:00:00.5Z"),
            Some(1_704_067_200 * NS_PER_S + 500_000_000)
        );
        assert_eq!(parse_iso8601("yesterday"), None);
        assert_eq!(parse_iso8601("2024-13-01T00:00:00Z"), None);
        assert_eq!(parse_iso8601("2024-01-01T00:00:00.Z"), None);
    }

    #[test]
    fn round_trip() {
        for ns in [
            0i128,
            1,
            999_999_999,
            1_700_000_000_123_456_789,
            4_102_444_800 * NS_PER_S,
        ] {
            assert_eq!(parse_iso8601(&format_unix_ns(ns)), Some(ns));
        }
    }
}
