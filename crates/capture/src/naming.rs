//! What a raw recording's file name says about it: format by extension or token, sample rate
//! and centre frequency by the naming conventions people actually use.
//!
//! Raw IQ files have no header, so the name is often the only metadata. Recognised patterns
//! (tokens are separated by `_`, matched case-insensitively):
//!
//! | token | meaning | example |
//! |---|---|---|
//! | `<num>sps`, `<num>ksps`, `<num>Msps` | sample rate | `500ksps`, `1.0833Msps` |
//! | `s<num>` | sample rate in Msps | `s1.92` |
//! | `<num>M`, `<num>G`, `<num>MHz`, `<num>Hz`, ... | centre frequency | `941.8M`, `947400000Hz` |
//! | `f<num>` | centre frequency in MHz | `f796`, `f1815.3` |
//! | `cu8`, `cs8`, `ci8`, `cs16`, `ci16`, `cf32`, `fc32` | sample format | `..._cu8_rtlsdr_...` |
//! | `gqrx_<date>_<time>_<freq Hz>_<rate>_fc` | gqrx recording | |
//!
//! The first token of each kind wins.

use std::path::Path;

use crate::SampleFormat;

/// Facts read from a file name. Every field is `None` when the name does not say.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NameHints {
    pub format: Option<SampleFormat>,
    pub sample_rate_hz: Option<f64>,
    pub center_freq_hz: Option<f64>,
}

/// How much an extension says about the sample format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionKind {
    /// The extension names the format (`.cs16`, `.cu8`, `.cfile`, ...): it beats name tokens.
    Specific(SampleFormat),
    /// A generic raw extension (`.bin`, `.dat`, `.raw`): a name token beats this default.
    Generic(SampleFormat),
    /// A SigMF metadata, data or archive file.
    Sigmf,
}

/// Classifies a file by extension; `None` for files that are not IQ recordings.
pub fn extension_kind(path: &Path) -> Option<ExtensionKind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".sigmf-meta") || name.ends_with(".sigmf-data") || name.ends_with(".sigmf") {
        return Some(ExtensionKind::Sigmf);
    }
    let ext = name.rsplit_once('.')?.1;
    Some(match ext {
        "cfile" | "cf32" | "fc32" => ExtensionKind::Specific(SampleFormat::Cf32Le),
        "cs16" | "ci16" | "sc16" => ExtensionKind::Specific(SampleFormat::Ci16Le),
        "cs8" | "ci8" | "sc8" => ExtensionKind::Specific(SampleFormat::Ci8),
        "cu8" => ExtensionKind::Specific(SampleFormat::Cu8),
        // GNU Radio file sinks and srsRAN write .dat; gqrx writes cf32 .raw.
        "dat" | "raw" => ExtensionKind::Generic(SampleFormat::Cf32Le),
        // rtl_sdr's customary output name.
        "bin" => ExtensionKind::Generic(SampleFormat::Cu8),
        _ => return None,
    })
}

/// Parses rate, frequency and format hints from a file name (the directory part is ignored).
pub fn parse_file_name(path: &Path) -> NameHints {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return NameHints::default();
    };
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    let tokens: Vec<&str> = stem.split('_').filter(|t| !t.is_empty()).collect();
    let mut hints = NameHints::default();

    // gqrx: gqrx_YYYYMMDD_HHMMSS_<freq Hz>_<rate sps>_fc.raw
    if tokens.len() >= 5 && tokens[0].eq_ignore_ascii_case("gqrx") {
        hints.center_freq_hz = plain_number(tokens[3]).filter(|f| *f > 0.0);
        hints.sample_rate_hz = plain_number(tokens[4]).filter(|r| *r > 0.0);
        hints.format = Some(SampleFormat::Cf32Le);
        return hints;
    }

    for token in &tokens {
        let lower = token.to_ascii_lowercase();
        if hints.format.is_none() {
            if let Some(f) = SampleFormat::from_token(&lower) {
                hints.format = Some(f);
                continue;
            }
        }
        if hints.sample_rate_hz.is_none() {
            if let Some(rate) = rate_token(&lower) {
                hints.sample_rate_hz = Some(rate);
                continue;
            }
        }
        if hints.center_freq_hz.is_none() {
            if let Some(freq) = freq_token(&lower) {
                hints.center_freq_hz = Some(freq);
            }
        }
    }
    hints
}

/// `500ksps`, `2Msps`, `1.0833msps`, `2000000sps`, `s1.92` (Msps).
fn rate_token(t: &str) -> Option<f64> {
    if let Some(num) = t.strip_suffix("sps") {
        return number_with_multiplier(num);
    }
    if let Some(num) = t.strip_prefix('s') {
        return plain_number(num).map(|v| v * 1e6);
    }
    None
}

/// `941.8m`, `1.8g`, `941.8mhz`, `947400000hz`, `f796` (MHz).
fn freq_token(t: &str) -> Option<f64> {
    if let Some(num) = t.strip_suffix("hz") {
        return number_with_multiplier(num);
    }
    if let Some(num) = t.strip_prefix('f') {
        if let Some(v) = plain_number(num) {
            return Some(v * 1e6);
        }
    }
    // A bare `k` suffix is left out on purpose: `500k` is as often a rate as a frequency.
    if let Some(num) = t.strip_suffix('m') {
        return plain_number(num).map(|v| v * 1e6);
    }
    if let Some(num) = t.strip_suffix('g') {
        return plain_number(num).map(|v| v * 1e9);
    }
    None
}

fn number_with_multiplier(t: &str) -> Option<f64> {
    let (num, mult) = match t.as_bytes().last()? {
        b'k' => (&t[..t.len() - 1], 1e3),
        b'm' => (&t[..t.len() - 1], 1e6),
        b'g' => (&t[..t.len() - 1], 1e9),
        _ => (t, 1.0),
    };
    plain_number(num).map(|v| v * mult)
}

/// A positive decimal number made of digits and at most one dot; rejects `inf`, `1e5`, `-3`.
fn plain_number(t: &str) -> Option<f64> {
    let digits = t.bytes().filter(u8::is_ascii_digit).count();
    let dots = t.bytes().filter(|&b| b == b'.').count();
    if digits == 0 || dots > 1 || digits + dots != t.len() {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(name: &str) -> NameHints {
        parse_file_name(Path::new(name))
    }

    #[test]
    fn brief_examples() {
        let h = hints("capture_941.8M_2Msps.cf32");
        assert_eq!(h.center_freq_hz, Some(941.8e6));
        assert_eq!(h.sample_rate_hz, Some(2e6));

        let h = hints("gsmsp2007_941.0M_500ksps_arfcn30.cf32");
        assert_eq!(h.center_freq_hz, Some(941.0e6));
        assert_eq!(h.sample_rate_hz, Some(500e3));

        let h = hints("f796_s1.92_cu8_rtlsdr_80ms.bin");
        assert_eq!(h.center_freq_hz, Some(796e6));
        assert_eq!(h.sample_rate_hz, Some(1.92e6));
        assert_eq!(h.format, Some(SampleFormat::Cu8));

        let h = hints("osmo_947.4MHz_1.0833Msps_x.cs16");
        assert_eq!(h.center_freq_hz, Some(947.4e6));
        assert!((h.sample_rate_hz.unwrap() - 1.0833e6).abs() < 1e-3);
    }

    #[test]
    fn lte_shared_names() {
        let h = hints("f1815.3_s19.2_cs8_hackrf_80ms.bin");
        assert!((h.center_freq_hz.unwrap() - 1815.3e6).abs() < 1.0);
        assert!((h.sample_rate_hz.unwrap() - 19.2e6).abs() < 1e-3);
        assert_eq!(h.format, Some(SampleFormat::Ci8));
        let h = hints("f2645_s1.92_cu8_rtlsdr_tdd_ppm26_300ms.bin");
        assert_eq!(h.center_freq_hz, Some(2645e6));
        assert_eq!(h.format, Some(SampleFormat::Cu8));
        // `80ms`, `tdd`, `ppm26` and `arfcn30` must not be taken for anything.
        let h = hints("x_80ms_tdd_ppm26_arfcn30.bin");
        assert_eq!(h, NameHints::default());
    }

    #[test]
    fn other_conventions() {
        let h = hints("gqrx_20231101_120000_947400000_2000000_fc.raw");
        assert_eq!(h.center_freq_hz, Some(947_400_000.0));
        assert_eq!(h.sample_rate_hz, Some(2e6));
        assert_eq!(h.format, Some(SampleFormat::Cf32Le));
        let h = hints("dump_1.8G_2000000sps.dat");
        assert_eq!(h.center_freq_hz, Some(1.8e9));
        assert_eq!(h.sample_rate_hz, Some(2e6));
        // Names without hints, and hostile names, yield nothing rather than garbage.
        assert_eq!(
            hints("osmocom_blaster_234-15_gsm900_arfcn62.cs16"),
            NameHints::default()
        );
        assert_eq!(hints("inf_nanM_1e5sps_-3M.bin"), NameHints::default());
        assert_eq!(hints(""), NameHints::default());
    }

    #[test]
    fn extensions() {
        use ExtensionKind::*;
        assert_eq!(
            extension_kind(Path::new("a.cfile")),
            Some(Specific(SampleFormat::Cf32Le))
        );
        assert_eq!(
            extension_kind(Path::new("a.CS16")),
            Some(Specific(SampleFormat::Ci16Le))
        );
        assert_eq!(
            extension_kind(Path::new("a.cs8")),
            Some(Specific(SampleFormat::Ci8))
        );
        assert_eq!(
            extension_kind(Path::new("a.bin")),
            Some(Generic(SampleFormat::Cu8))
        );
        assert_eq!(extension_kind(Path::new("a.sigmf-meta")), Some(Sigmf));
        assert_eq!(extension_kind(Path::new("README.md")), None);
        assert_eq!(extension_kind(Path::new("noext")), None);
    }
}
