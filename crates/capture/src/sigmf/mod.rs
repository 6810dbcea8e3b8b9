//! SigMF recordings (<https://sigmf.org>, specification v1.x): metadata model, reader and writer.
//!
//! A recording is a `NAME.sigmf-meta` JSON file beside a `NAME.sigmf-data` sample file. The
//! metadata gives the datatype and rate (`global`), the tuning of each stretch of samples
//! (`captures`, several when the radio retuned) and labelled regions (`annotations`, used by
//! `synth` to store the truth of a generated scene). Unknown keys, including other extension
//! namespaces, are kept verbatim in the `extra` maps and written back unchanged.

mod source;
mod writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{CaptureError, GeoPoint, SampleFormat};

pub use source::SigmfSource;
pub use writer::{SigmfPaths, SigmfWriter, SigmfWriterConfig};

/// SigMF specification version this crate writes.
pub const SIGMF_VERSION: &str = "1.0.0";

/// Our extension namespace: keys such as `cellsentry:gain_db`.
pub const EXTENSION_NAMESPACE: &str = "cellsentry";

/// The whole `.sigmf-meta` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigmfMeta {
    pub global: SigmfGlobal,
    /// Sorted by `sample_start`. Empty means one implied segment starting at sample 0.
    pub captures: Vec<CaptureSegment>,
    /// Sorted by `sample_start`.
    #[serde(default)]
    pub annotations: Vec<Annotation>,
}

/// The `global` object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SigmfGlobal {
    /// `core:datatype`, e.g. `cf32_le`; see [`SigmfGlobal::sample_format`].
    #[serde(
        rename = "core:datatype",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub datatype: Option<String>,
    #[serde(
        rename = "core:sample_rate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sample_rate_hz: Option<f64>,
    #[serde(
        rename = "core:version",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub version: Option<String>,
    #[serde(
        rename = "core:num_channels",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub num_channels: Option<u64>,
    #[serde(rename = "core:hw", default, skip_serializing_if = "Option::is_none")]
    pub hw: Option<String>,
    #[serde(
        rename = "core:description",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
    #[serde(
        rename = "core:recorder",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub recorder: Option<String>,
    #[serde(
        rename = "core:author",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub author: Option<String>,
    #[serde(
        rename = "core:license",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub license: Option<String>,
    /// GeoJSON point (`{"type":"Point","coordinates":[lon, lat, alt]}`); see [`GeoPoint`].
    #[serde(
        rename = "core:geolocation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub geolocation: Option<Value>,
    /// Non-conforming dataset: name of the data file when it is not `NAME.sigmf-data`.
    #[serde(
        rename = "core:dataset",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub dataset: Option<String>,
    /// Bytes at the end of the data file that are not samples.
    #[serde(
        rename = "core:trailing_bytes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub trailing_bytes: Option<u64>,
    #[serde(
        rename = "core:extensions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub extensions: Option<Value>,
    /// Every other key (other `core:` fields, extension namespaces), kept verbatim.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// One entry of the `captures` array: the tuning from `sample_start` to the next segment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaptureSegment {
    /// Index in the data file (in samples) where this segment begins.
    #[serde(rename = "core:sample_start", default)]
    pub sample_start: u64,
    /// Centre frequency in Hz.
    #[serde(
        rename = "core:frequency",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub frequency_hz: Option<f64>,
    /// ISO 8601 UTC time of the segment's first sample.
    #[serde(
        rename = "core:datetime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub datetime: Option<String>,
    /// Index of `sample_start` in the original stream (differs after dropped samples).
    #[serde(
        rename = "core:global_index",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub global_index: Option<u64>,
    /// Non-sample bytes in the data file just before this segment's samples.
    #[serde(
        rename = "core:header_bytes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub header_bytes: Option<u64>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// One entry of the `annotations` array: a labelled region of samples and frequencies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    #[serde(rename = "core:sample_start", default)]
    pub sample_start: u64,
    /// Length in samples; `None` means to the end of the recording.
    #[serde(
        rename = "core:sample_count",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sample_count: Option<u64>,
    /// Lower edge of the annotated signal, absolute Hz.
    #[serde(
        rename = "core:freq_lower_edge",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub freq_lower_edge_hz: Option<f64>,
    /// Upper edge of the annotated signal, absolute Hz.
    #[serde(
        rename = "core:freq_upper_edge",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub freq_upper_edge_hz: Option<f64>,
    #[serde(
        rename = "core:label",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub label: Option<String>,
    #[serde(
        rename = "core:comment",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub comment: Option<String>,
    #[serde(
        rename = "core:generator",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub generator: Option<String>,
    #[serde(rename = "core:uuid", default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Every other key (e.g. `cellsentry:arfcn`), kept verbatim.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl Annotation {
    /// An annotation of `sample_count` samples from `sample_start` with a label.
    pub fn new(sample_start: u64, sample_count: u64, label: impl Into<String>) -> Self {
        Annotation {
            sample_start,
            sample_count: Some(sample_count),
            label: Some(label.into()),
            ..Default::default()
        }
    }

    /// True when the annotation covers sample `index`.
    pub fn contains_sample(&self, index: u64) -> bool {
        index >= self.sample_start
            && self
                .sample_count
                .is_none_or(|n| index - self.sample_start < n)
    }
}

/// A WGS 84 position as the GeoJSON point of `core:geolocation` (RFC 7946: longitude first).
pub fn geojson_point(p: &GeoPoint) -> Value {
    let mut coords = vec![Value::from(p.lon_deg), Value::from(p.lat_deg)];
    if let Some(alt) = p.alt_m {
        coords.push(Value::from(alt));
    }
    serde_json::json!({ "type": "Point", "coordinates": coords })
}

/// Reads a GeoJSON point; `None` for anything else (or coordinates out of range).
pub fn point_from_geojson(v: &Value) -> Option<GeoPoint> {
    if v.get("type")?.as_str()? != "Point" {
        return None;
    }
    let c = v.get("coordinates")?.as_array()?;
    let point = GeoPoint {
        lon_deg: c.first()?.as_f64()?,
        lat_deg: c.get(1)?.as_f64()?,
        alt_m: c.get(2).and_then(Value::as_f64),
    };
    point.is_valid().then_some(point)
}

impl SigmfGlobal {
    /// The decoded sample format; errors name a missing or unsupported datatype.
    pub fn sample_format(&self) -> Result<SampleFormat, CaptureError> {
        let dt = self.datatype.as_deref().ok_or_else(|| {
            CaptureError::Metadata("SigMF global has no core:datatype".to_string())
        })?;
        crate::sample_format_from_sigmf(dt)
    }

    /// `core:geolocation` as a point, when present and well formed.
    pub fn geolocation_point(&self) -> Option<GeoPoint> {
        self.geolocation.as_ref().and_then(point_from_geojson)
    }

    /// A key of our extension namespace, e.g. `ext_f64("gain_db")` reads `cellsentry:gain_db`.
    pub fn ext_f64(&self, key: &str) -> Option<f64> {
        self.extra
            .get(&format!("{EXTENSION_NAMESPACE}:{key}"))
            .and_then(Value::as_f64)
    }
}

impl SigmfMeta {
    /// Parses and checks a `.sigmf-meta` document. Errors are one line, naming the problem.
    pub fn from_json_str(text: &str) -> Result<SigmfMeta, CaptureError> {
        let doc: Value = serde_json::from_str(text)
            .map_err(|e| CaptureError::Metadata(format!("invalid SigMF JSON: {e}")))?;
        let obj = doc.as_object().ok_or_else(|| {
            CaptureError::Metadata("invalid SigMF metadata: top level is not a JSON object".into())
        })?;
        let global = obj.get("global").ok_or_else(|| {
            CaptureError::Metadata("invalid SigMF metadata: missing \"global\" object".into())
        })?;
        let global: SigmfGlobal = serde_json::from_value(global.clone())
            .map_err(|e| CaptureError::Metadata(format!("invalid SigMF \"global\": {e}")))?;
        let captures = obj.get("captures").ok_or_else(|| {
            CaptureError::Metadata(
                "invalid SigMF metadata: missing required \"captures\" array".into(),
            )
        })?;
        let mut captures: Vec<CaptureSegment> = serde_json::from_value(captures.clone())
            .map_err(|e| CaptureError::Metadata(format!("invalid SigMF \"captures\": {e}")))?;
        let mut annotations: Vec<Annotation> = match obj.get("annotations") {
            None | Some(Value::Null) => Vec::new(),
            Some(a) => serde_json::from_value(a.clone()).map_err(|e| {
                CaptureError::Metadata(format!("invalid SigMF \"annotations\": {e}"))
            })?,
        };
        // The spec requires sorted arrays; sorting tolerates writers that did not bother.
        captures.sort_by_key(|c| c.sample_start);
        annotations.sort_by_key(|a| a.sample_start);
        let meta = SigmfMeta {
            global,
            captures,
            annotations,
        };
        meta.validate()?;
        Ok(meta)
    }

    /// Reads and parses a `.sigmf-meta` file.
    pub fn load(path: impl AsRef<Path>) -> Result<SigmfMeta, CaptureError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| CaptureError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        SigmfMeta::from_json_str(&text)
            .map_err(|e| CaptureError::Metadata(format!("{}: {e}", path.display())))
    }

    /// Pretty JSON text of the document.
    pub fn to_json_string(&self) -> Result<String, CaptureError> {
        serde_json::to_string_pretty(self)
            .map_err(|e| CaptureError::Metadata(format!("cannot serialise SigMF metadata: {e}")))
    }

    /// Structural checks that do not need the data file.
    fn validate(&self) -> Result<(), CaptureError> {
        self.global.sample_format()?;
        if let Some(n) = self.global.num_channels {
            if n != 1 {
                return Err(CaptureError::Metadata(format!(
                    "SigMF core:num_channels = {n}: only single-channel recordings are supported"
                )));
            }
        }
        if let Some(rate) = self.global.sample_rate_hz {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(CaptureError::Metadata(format!(
                    "SigMF core:sample_rate {rate} is not a positive number"
                )));
            }
        }
        for w in self.captures.windows(2) {
            if w[0].sample_start == w[1].sample_start {
                return Err(CaptureError::Metadata(format!(
                    "SigMF captures: two segments start at sample {}",
                    w[0].sample_start
                )));
            }
        }
        Ok(())
    }

    /// The capture segment that applies to data-file sample `index`, if any.
    pub fn segment_at(&self, index: u64) -> Option<&CaptureSegment> {
        let i = self.captures.partition_point(|c| c.sample_start <= index);
        i.checked_sub(1).and_then(|i| self.captures.get(i))
    }

    /// Annotations overlapping the sample range `[start, start + count)`.
    pub fn annotations_in(&self, start: u64, count: u64) -> impl Iterator<Item = &Annotation> {
        let end = start.saturating_add(count);
        self.annotations.iter().filter(move |a| {
            a.sample_start < end
                && a.sample_count
                    .is_none_or(|n| a.sample_start.saturating_add(n) > start)
        })
    }
}

/// The meta and data paths of a recording given either file or the base name.
pub fn sigmf_paths(path: &Path) -> (PathBuf, PathBuf) {
    let s = path.to_string_lossy();
    let base = s
        .strip_suffix(".sigmf-meta")
        .or_else(|| s.strip_suffix(".sigmf-data"))
        .unwrap_or(&s)
        .to_string();
    (
        PathBuf::from(format!("{base}.sigmf-meta")),
        PathBuf::from(format!("{base}.sigmf-data")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{
        "global": {
            "core:datatype": "ci16_le",
            "core:sample_rate": 1083333.3333,
            "core:version": "1.0.0",
            "core:hw": "LimeSDR Mini",
            "core:description": "test",
            "core:recorder": "someone",
            "core:geolocation": {"type": "Point", "coordinates": [-0.1276, 51.5072, 11.0]},
            "vendor:thing": [1, 2, 3]
        },
        "captures": [
            {"core:sample_start": 1000, "core:frequency": 1877.2e6},
            {"core:sample_start": 0, "core:frequency": 947.4e6, "core:datetime": "2024-05-01T12:00:00Z"}
        ],
        "annotations": [
            {"core:sample_start": 10, "core:sample_count": 100, "core:label": "BCCH",
             "core:freq_lower_edge": 947.3e6, "core:freq_upper_edge": 947.5e6,
             "core:comment": "first", "cellsentry:arfcn": 62}
        ]
    }"#;

    #[test]
    fn parses_core_fields_and_keeps_extra_keys() {
        let m = SigmfMeta::from_json_str(EXAMPLE).unwrap();
        assert_eq!(m.global.sample_format().unwrap(), SampleFormat::Ci16Le);
        assert_eq!(m.global.sample_rate_hz, Some(1083333.3333));
        assert_eq!(m.global.hw.as_deref(), Some("LimeSDR Mini"));
        assert_eq!(m.global.extra["vendor:thing"], serde_json::json!([1, 2, 3]));
        let g = m.global.geolocation_point().unwrap();
        assert_eq!(
            (g.lat_deg, g.lon_deg, g.alt_m),
            (51.5072, -0.1276, Some(11.0))
        );
        // Sorted on load.
        assert_eq!(m.captures[0].sample_start, 0);
        assert_eq!(m.captures[1].frequency_hz, Some(1877.2e6));
        assert_eq!(m.segment_at(999).unwrap().frequency_hz, Some(947.4e6));
        assert_eq!(m.segment_at(1000).unwrap().frequency_hz, Some(1877.2e6));
        let a = &m.annotations[0];
        assert_eq!(a.label.as_deref(), Some("BCCH"));
        assert_eq!(a.extra["cellsentry:arfcn"], serde_json::json!(62));
        assert!(a.contains_sample(109) && !a.contains_sample(110));
        assert_eq!(m.annotations_in(0, 11).count(), 1);
        assert_eq!(m.annotations_in(110, 5).count(), 0);
        // Unknown keys survive a write/read cycle.
        let again = SigmfMeta::from_json_str(&m.to_json_string().unwrap()).unwrap();
        assert_eq!(again, m);
    }

    #[test]
    fn bad_metadata_is_a_clear_error() {
        let cases: [(&str, &str); 7] = [
            ("{ not json", "invalid SigMF JSON"),
            ("[1,2]", "top level is not a JSON object"),
            (r#"{"captures": []}"#, "missing \"global\""),
            (
                r#"{"global": {"core:datatype": "cf32_le"}}"#,
                "missing required \"captures\"",
            ),
            (r#"{"global": {}, "captures": []}"#, "no core:datatype"),
            (
                r#"{"global": {"core:datatype": "cf64_le"}, "captures": []}"#,
                "unsupported SigMF datatype \"cf64_le\"",
            ),
            (
                r#"{"global": {"core:datatype": "cf32_le", "core:sample_rate": "fast"}, "captures": []}"#,
                "invalid SigMF \"global\"",
            ),
        ];
        for (text, want) in cases {
            let e = SigmfMeta::from_json_str(text).unwrap_err().to_string();
            assert!(e.contains(want), "{text}: got \"{e}\", want \"{want}\"");
            assert!(!e.contains('\n'));
        }
        for dt in ["ci32_be", "rf32_le", "cf32_be", "ri16_le"] {
            let text = format!(r#"{{"global": {{"core:datatype": "{dt}"}}, "captures": []}}"#);
            let e = SigmfMeta::from_json_str(&text).unwrap_err().to_string();
            assert!(e.contains(dt), "{e}");
        }
        let two = r#"{"global": {"core:datatype": "cu8", "core:num_channels": 2}, "captures": []}"#;
        assert!(SigmfMeta::from_json_str(two)
            .unwrap_err()
            .to_string()
            .contains("num_channels"));
    }

    #[test]
    fn path_forms() {
        for p in ["a/rec.sigmf-meta", "a/rec.sigmf-data", "a/rec"] {
            let (m, d) = sigmf_paths(Path::new(p));
            assert_eq!(m, PathBuf::from("a/rec.sigmf-meta"));
            assert_eq!(d, PathBuf::from("a/rec.sigmf-data"));
        }
    }
}
