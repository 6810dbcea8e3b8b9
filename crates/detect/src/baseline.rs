//! The baseline: what normally lives around the sensor. Known cells (from our own surveys or
//! imported from OpenCellID / Mozilla Location Service exports), their power and frequency
//! offset statistics, and per-operator parameter norms (T3212, CRO, RXLEV_ACCESS_MIN, CRH,
//! NCCs, SI types, GPRS, paging mix). Saved and loaded as JSON.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::DetectError;
use crate::model::{CarrierObservation, CellObservation, GsmSiType, Plmn, Rat};
use crate::scene::{mean_std, median, CellHistory, CellKey, Scene};

/// Format tag written into baseline files.
pub const BASELINE_FORMAT: &str = "cellsentry-baseline/1";

pub use cellsentry_model::GeoPoint;

/// Where a known cell came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineSource {
    /// Learned by our own sensor (trusted survey).
    Survey,
    /// OpenCellID / Mozilla Location Service export.
    CellDb,
    /// Entered by hand (operator or regulator data).
    Manual,
}

/// One cell known to be legitimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnownCell {
    /// Identity (partial keys allowed; cell-database rows have no ARFCN).
    pub key: CellKey,
    /// Origin.
    pub source: BaselineSource,
    /// Position (cell databases).
    #[serde(default)]
    pub position: Option<GeoPoint>,
    /// Estimated coverage radius, m (cell databases).
    #[serde(default)]
    pub range_m: Option<u32>,
    /// Power mean, dBFS (surveys).
    #[serde(default)]
    pub power_mean_dbfs: Option<f64>,
    /// Power population std, dB.
    #[serde(default)]
    pub power_std_db: Option<f64>,
    /// Power samples behind the statistics.
    #[serde(default)]
    pub power_samples: u32,
    /// Median frequency offset, ppm (receiver error included).
    #[serde(default)]
    pub offset_median_ppm: Option<f64>,
    /// First seen, ms since the Unix epoch.
    #[serde(default)]
    pub first_seen_unix_ms: Option<i64>,
    /// Last seen.
    #[serde(default)]
    pub last_seen_unix_ms: Option<i64>,
}

/// A carrier (LTE/GSM channel) known to carry a legitimate cell, from surveys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnownCarrier {
    /// RAT.
    pub rat: Rat,
    /// ARFCN / EARFCN.
    pub channel: u32,
    /// Mean power, dBFS.
    pub power_mean_dbfs: f64,
    /// Mean noise floor, dBFS.
    pub noise_floor_dbfs: Option<f64>,
    /// Measurements behind it.
    pub samples: u32,
}

/// Parameter norms of one operator (PLMN), learned from its cells.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OperatorNorms {
    /// GSM cells with decoded SI behind these numbers.
    pub gsm_cells: u32,
    /// LTE cells behind these numbers.
    pub lte_cells: u32,
    /// Median T3212, decihours.
    pub t3212_median_decihours: Option<f64>,
    /// Largest CELL_RESELECT_OFFSET, dB (0 for cells without selection parameters).
    pub cro_max_db: Option<u8>,
    /// Median RXLEV_ACCESS_MIN (raw).
    pub rxlev_access_min_median: Option<f64>,
    /// CELL_RESELECT_HYSTERESIS values used, dB.
    pub crh_set_db: Vec<u8>,
    /// NCCs (BSIC >> 3) used.
    pub ncc_set: Vec<u8>,
    /// Access-class barring masks seen (EC bit 10 cleared; that one has its own rule).
    pub ac_masks: Vec<u16>,
    /// SI types present on at least 80 % of the cells.
    pub si_types_usual: Vec<GsmSiType>,
    /// Share of cells on which SI2quater was received.
    pub si2quater_share: Option<f64>,
    /// Share of cells on which SI13 was received.
    pub si13_share: Option<f64>,
    /// Share of cells with the GPRS indicator.
    pub gprs_share: Option<f64>,
    /// Median LTE q-RxLevMin, dBm.
    pub q_rxlevmin_median_dbm: Option<f64>,
    /// Share of IMSI among identity pagings.
    pub imsi_page_share: Option<f64>,
    /// Share of non-empty paging records.
    pub nonempty_page_share: Option<f64>,
    /// SI3 rest-octet presence patterns seen on the operator's cells
    /// (`rules::gsm_si::si3_rest_octets_fingerprint`).
    pub si3_fingerprints: Vec<String>,
    /// Channels (ARFCN/EARFCN) the operator's cells use.
    pub gsm_channels: Vec<u32>,
    /// EARFCNs the operator's LTE cells use.
    pub lte_channels: Vec<u32>,
}

fn share(yes: usize, known: usize) -> Option<f64> {
    (known > 0).then(|| yes as f64 / known as f64)
}

impl OperatorNorms {
    /// Norms of a set of cells (all assumed to belong to one operator).
    pub fn from_cells<'a>(cells: impl IntoIterator<Item = &'a CellHistory>) -> Self {
        let mut n = OperatorNorms::default();
        let (mut t3212, mut rxlev, mut qrx) = (Vec::new(), Vec::new(), Vec::new());
        let mut crh = BTreeSet::new();
        let mut ncc = BTreeSet::new();
        let mut acm = BTreeSet::new();
        let mut si_count: BTreeMap<GsmSiType, usize> = BTreeMap::new();
        let (mut si_cells, mut q_yes, mut q_known, mut s13_yes, mut gprs_yes, mut gprs_known) =
            (0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
        let mut cro_max: Option<u8> = None;
        let (mut imsi, mut tmsi, mut nonempty, mut total) = (0u64, 0u64, 0u64, 0u64);
        let (mut gch, mut lch) = (BTreeSet::new(), BTreeSet::new());
        let mut si3_fps = BTreeSet::new();
        for c in cells {
            match c.key.rat {
                Rat::Gsm => {
                    if let Some(ch) = c.key.channel {
                        gch.insert(ch);
                    }
                    if let Some(b) = c.key.bsic_pci {
                        ncc.insert((b >> 3) as u8);
                    }
                }
                Rat::Lte => {
                    n.lte_cells += 1;
                    if let Some(ch) = c.key.channel {
                        lch.insert(ch);
                    }
                    if let Some(q) = c.lte.as_ref().and_then(|l| l.sib1.as_ref()) {
                        if let Some(v) = q.q_rxlevmin_dbm {
                            qrx.push(f64::from(v));
                        }
                    }
                }
            }
            imsi += u64::from(c.paging.imsi_pages);
            tmsi += u64::from(c.paging.tmsi_pages);
            nonempty += c.paging.non_empty();
            total += c.paging.total();
            let Some(g) = &c.gsm else { continue };
            n.gsm_cells += 1;
            if let Some(fp) = crate::rules::gsm_si::si3_rest_octets_fingerprint(g) {
                si3_fps.insert(fp);
            }
            if let Some(t) = g.t3212_decihours {
                t3212.push(f64::from(t));
            }
            if let Some(r) = g.rxlev_access_min {
                rxlev.push(f64::from(r));
            }
            if let Some(h) = g.cell_reselect_hysteresis_db {
                crh.insert(h);
            }
            if let Some(r) = &g.rach {
                acm.insert(r.access_class_barred_mask & !0x0400);
            }
            if g.si3_rest_octets_decoded == Some(true) || g.cell_reselect_offset_db.is_some() {
                let v = g.cell_reselect_offset_db.unwrap_or(0);
                cro_max = Some(cro_max.map_or(v, |m| m.max(v)));
            }
            if !g.si_types.is_empty() {
                si_cells += 1;
                for t in &g.si_types {
                    *si_count.entry(*t).or_default() += 1;
                }
                // SI2quater is only judged on cells whose SI3 said whether it exists.
                if g.si2quater_announced.is_some() {
                    q_known += 1;
                    if g.si_types.contains(&GsmSiType::Si2quater) {
                        q_yes += 1;
                    }
                }
                if g.si_types.contains(&GsmSiType::Si13) {
                    s13_yes += 1;
                }
            }
            if let Some(gp) = g.gprs_indicator {
                gprs_known += 1;
                if gp {
                    gprs_yes += 1;
                }
            }
        }
        n.t3212_median_decihours = median(t3212.into_iter());
        n.rxlev_access_min_median = median(rxlev.into_iter());
        n.q_rxlevmin_median_dbm = median(qrx.into_iter());
        n.cro_max_db = cro_max;
        n.crh_set_db = crh.into_iter().collect();
        n.ncc_set = ncc.into_iter().collect();
        n.ac_masks = acm.into_iter().collect();
        n.si_types_usual = si_count
            .into_iter()
            .filter(|(_, k)| *k as f64 >= 0.8 * si_cells as f64)
            .map(|(t, _)| t)
            .collect();
        n.si2quater_share = share(q_yes, q_known);
        n.si13_share = share(s13_yes, si_cells);
        n.gprs_share = share(gprs_yes, gprs_known);
        n.imsi_page_share = (imsi + tmsi > 0).then(|| imsi as f64 / (imsi + tmsi) as f64);
        n.nonempty_page_share = (total > 0).then(|| nonempty as f64 / total as f64);
        n.si3_fingerprints = si3_fps.into_iter().collect();
        n.gsm_channels = gch.into_iter().collect();
        n.lte_channels = lch.into_iter().collect();
        n
    }
}

/// What an OpenCellID/MLS import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Data rows read (header excluded).
    pub rows: u64,
    /// Rows added to the baseline.
    pub imported: u64,
    /// Rows of a RAT the sensor does not decode (UMTS, NR, CDMA).
    pub skipped_radio: u64,
    /// Rows outside the radius filter.
    pub outside_radius: u64,
    /// Rows that did not parse.
    pub bad_rows: u64,
    /// The first bad rows, "line N: reason".
    pub errors: Vec<String>,
}

/// Known cells and operator norms around one sensor position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// "cellsentry-baseline/1".
    pub format: String,
    /// Sensor position the baseline belongs to.
    #[serde(default)]
    pub position: Option<GeoPoint>,
    /// Start of the survey window, ms since the Unix epoch.
    #[serde(default)]
    pub window_start_unix_ms: Option<i64>,
    /// End of the survey window.
    #[serde(default)]
    pub window_end_unix_ms: Option<i64>,
    /// Known cells.
    #[serde(default)]
    pub cells: Vec<KnownCell>,
    /// Known carriers (surveyed).
    #[serde(default)]
    pub carriers: Vec<KnownCarrier>,
    /// Norms per PLMN ("234-15").
    #[serde(default)]
    pub operators: BTreeMap<String, OperatorNorms>,
}

impl Default for Baseline {
    fn default() -> Self {
        Baseline {
            format: BASELINE_FORMAT.to_string(),
            position: None,
            window_start_unix_ms: None,
            window_end_unix_ms: None,
            cells: Vec::new(),
            carriers: Vec::new(),
            operators: BTreeMap::new(),
        }
    }
}

const MAX_REPORTED_ERRORS: usize = 20;

impl Baseline {
    /// An empty baseline.
    pub fn empty() -> Self {
        Baseline::default()
    }

    /// No cells, carriers or norms.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty() && self.carriers.is_empty() && self.operators.is_empty()
    }

    /// Survey window length, ms (0 when unknown).
    pub fn span_ms(&self) -> i64 {
        match (self.window_start_unix_ms, self.window_end_unix_ms) {
            (Some(a), Some(b)) => (b - a).max(0),
            _ => 0,
        }
    }

    /// Norms of a PLMN (MNC compared by value).
    pub fn norms(&self, plmn: &Plmn) -> Option<&OperatorNorms> {
        self.operators.iter().find_map(|(k, v)| {
            Plmn::parse(k)
                .ok()
                .filter(|p| p.same_network(plmn))
                .map(|_| v)
        })
    }

    /// Serialises to pretty JSON.
    pub fn to_json(&self) -> Result<String, DetectError> {
        serde_json::to_string_pretty(self).map_err(|e| DetectError::json("baseline", e))
    }

    /// Parses a baseline.
    pub fn from_json_str(text: &str, what: &str) -> Result<Self, DetectError> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| DetectError::json(what, e))?;
        if b.format != BASELINE_FORMAT {
            return Err(DetectError::Invalid {
                what: what.to_string(),
                reason: format!("unknown baseline format {:?}", b.format),
            });
        }
        Ok(b)
    }

    /// Writes the baseline to a JSON file.
    pub fn save(&self, path: &Path) -> Result<(), DetectError> {
        let text = self.to_json()?;
        std::fs::write(path, text).map_err(|e| DetectError::io(path.display().to_string(), e))
    }

    /// Reads a baseline JSON file.
    pub fn load(path: &Path) -> Result<Self, DetectError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| DetectError::io(path.display().to_string(), e))?;
        Baseline::from_json_str(&text, &path.display().to_string())
    }

    /// What a baseline file holds, told by its content rather than its name: gzip or anything
    /// that does not start with a JSON object is an OpenCellID / MLS CSV export; a JSON object
    /// is a survey baseline (`--survey-out`).
    pub fn file_kind(path: &Path) -> Result<BaselineFileKind, DetectError> {
        let mut head = [0u8; 512];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|e| DetectError::io(path.display().to_string(), e))?;
        let head = &head[..n];
        if head.starts_with(&[0x1f, 0x8b]) {
            return Ok(BaselineFileKind::CellDb);
        }
        // A UTF-8 byte-order mark, then blanks, then the first real character.
        let text = head.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(head);
        Ok(match text.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => BaselineFileKind::Survey,
            _ => BaselineFileKind::CellDb,
        })
    }

    /// Learns a baseline from trusted observations (a survey run): every cell becomes a known
    /// cell with its power/offset statistics, and every PLMN gets its norms.
    pub fn from_scene(scene: &Scene) -> Self {
        let mut b = Baseline {
            window_start_unix_ms: scene.start_unix_ms(),
            window_end_unix_ms: scene.end_unix_ms(),
            ..Baseline::default()
        };
        let mut by_plmn: BTreeMap<String, Vec<&CellHistory>> = BTreeMap::new();
        for c in scene.cells() {
            if c.key.specificity() == 0 {
                continue;
            }
            let stats = c.power_stats();
            b.cells.push(KnownCell {
                key: c.key.clone(),
                source: BaselineSource::Survey,
                position: None,
                range_m: None,
                power_mean_dbfs: stats.map(|s| s.0),
                power_std_db: stats.map(|s| s.1),
                power_samples: stats.map_or(0, |s| u32::try_from(s.2).unwrap_or(u32::MAX)),
                offset_median_ppm: c.median_offset_ppm(),
                first_seen_unix_ms: Some(c.first_seen_unix_ms),
                last_seen_unix_ms: Some(c.last_seen_unix_ms),
            });
            if let Some(p) = &c.key.plmn {
                by_plmn.entry(p.to_string()).or_default().push(c);
            }
        }
        for (k, cells) in by_plmn {
            b.operators.insert(k, OperatorNorms::from_cells(cells));
        }
        let mut carriers: BTreeMap<(Rat, u32), (Vec<f64>, Vec<f64>)> = BTreeMap::new();
        for c in scene.carriers().iter().filter(|c| c.sync_found) {
            let e = carriers.entry((c.rat, c.channel)).or_default();
            e.0.push(c.power_dbfs);
            if let Some(nf) = c.noise_floor_dbfs {
                e.1.push(nf);
            }
        }
        for ((rat, channel), (p, nf)) in carriers {
            b.carriers.push(KnownCarrier {
                rat,
                channel,
                power_mean_dbfs: mean_std(&p).map_or(f64::NAN, |s| s.0),
                noise_floor_dbfs: mean_std(&nf).map(|s| s.0),
                samples: u32::try_from(p.len()).unwrap_or(u32::MAX),
            });
        }
        b
    }

    /// Adds another baseline's cells, carriers and (missing) norms.
    pub fn merge(&mut self, other: Baseline) {
        self.cells.extend(other.cells);
        self.carriers.extend(other.carriers);
        for (k, v) in other.operators {
            self.operators.entry(k).or_insert(v);
        }
        self.position = self.position.or(other.position);
        self.window_start_unix_ms = match (self.window_start_unix_ms, other.window_start_unix_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.window_end_unix_ms = match (self.window_end_unix_ms, other.window_end_unix_ms) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// Imports an OpenCellID / Mozilla Location Service CSV file (plain or gzip), optionally
    /// keeping only cells within `radius_m` of `center`. Bad rows are counted, not fatal; a
    /// file in which no row parses is an error.
    pub fn import_cell_db(
        &mut self,
        path: &Path,
        filter: Option<(GeoPoint, f64)>,
    ) -> Result<ImportReport, DetectError> {
        let f = std::fs::File::open(path)
            .map_err(|e| DetectError::io(path.display().to_string(), e))?;
        self.import_cell_db_reader(f, &path.display().to_string(), filter)
    }

    /// Same as [`Baseline::import_cell_db`] from any reader (gzip detected by its magic).
    pub fn import_cell_db_reader(
        &mut self,
        reader: impl Read,
        what: &str,
        filter: Option<(GeoPoint, f64)>,
    ) -> Result<ImportReport, DetectError> {
        let mut br = BufReader::new(reader);
        let magic = br
            .fill_buf()
            .map_err(|e| DetectError::io(what, e))?
            .get(..2)
            .map(|m| m == [0x1f, 0x8b])
            .unwrap_or(false);
        if magic {
            let gz = BufReader::new(flate2::read::MultiGzDecoder::new(br));
            self.import_lines(gz, what, filter)
        } else {
            self.import_lines(br, what, filter)
        }
    }

    fn import_lines(
        &mut self,
        mut r: impl BufRead,
        what: &str,
        filter: Option<(GeoPoint, f64)>,
    ) -> Result<ImportReport, DetectError> {
        let mut rep = ImportReport::default();
        let mut buf = Vec::new();
        let mut line_no = 0u64;
        let mut added = Vec::new();
        loop {
            buf.clear();
            let n = r
                .read_until(b'\n', &mut buf)
                .map_err(|e| DetectError::io(what, e))?;
            if n == 0 {
                break;
            }
            line_no += 1;
            let Ok(text) = std::str::from_utf8(&buf) else {
                rep.rows += 1;
                bad(&mut rep, line_no, "not UTF-8");
                continue;
            };
            let text = text
                .trim_end_matches(['\n', '\r'])
                .trim_start_matches('\u{feff}');
            if text.trim().is_empty() {
                continue;
            }
            if line_no == 1 && text.to_ascii_lowercase().starts_with("radio,") {
                let cols = text.split(',').count();
                if cols < 13 {
                    return Err(DetectError::CellDbFormat {
                        path: what.to_string(),
                        reason: format!("header has {cols} columns, expected 14"),
                    });
                }
                continue;
            }
            rep.rows += 1;
            match parse_cell_db_row(text) {
                Ok(None) => rep.skipped_radio += 1,
                Ok(Some(cell)) => {
                    if let (Some((center, radius)), Some(pos)) = (filter, cell.position) {
                        if center.distance_m(&pos) > radius {
                            rep.outside_radius += 1;
                            continue;
                        }
                    }
                    rep.imported += 1;
                    added.push(cell);
                }
                Err(reason) => bad(&mut rep, line_no, &reason),
            }
        }
        if rep.rows > 0 && rep.bad_rows == rep.rows {
            return Err(DetectError::CellDbFormat {
                path: what.to_string(),
                reason: format!(
                    "none of {} rows parsed (first: {})",
                    rep.rows,
                    rep.errors.first().map_or("", |s| s.as_str())
                ),
            });
        }
        self.cells.extend(added);
        Ok(rep)
    }
}

fn bad(rep: &mut ImportReport, line: u64, reason: &str) {
    rep.bad_rows += 1;
    if rep.errors.len() < MAX_REPORTED_ERRORS {
        rep.errors.push(format!("line {line}: {reason}"));
    }
}

/// The two kinds of file `--baseline` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineFileKind {
    /// A survey baseline written by `--survey-out` (JSON).
    Survey,
    /// An OpenCellID / Mozilla Location Service CSV export (plain or gzip).
    CellDb,
}

/// Parses `radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,
/// averageSignal`. `Ok(None)` for RATs the sensor does not decode.
fn parse_cell_db_row(line: &str) -> Result<Option<KnownCell>, String> {
    let f: Vec<&str> = line.split(',').map(str::trim).collect();
    if f.len() < 13 {
        return Err(format!("{} columns, expected 14", f.len()));
    }
    let col = |i: usize| f.get(i).copied().unwrap_or("");
    let rat = match col(0).to_ascii_uppercase().as_str() {
        "GSM" => Rat::Gsm,
        "LTE" => Rat::Lte,
        "UMTS" | "NR" | "CDMA" => return Ok(None),
        other => return Err(format!("unknown radio {other:?}")),
    };
    let num = |i: usize, name: &str| -> Result<u64, String> {
        col(i)
            .parse::<u64>()
            .map_err(|_| format!("bad {name} {:?}", col(i)))
    };
    let flt = |i: usize, name: &str| -> Result<f64, String> {
        col(i)
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("bad {name} {:?}", col(i)))
    };
    let mcc = num(1, "mcc")?;
    let net = num(2, "net")?;
    let area = num(3, "area")?;
    let cell = num(4, "cell")?;
    if mcc > 999 || net > 999 {
        return Err(format!("MCC/MNC out of range: {mcc}/{net}"));
    }
    let (max_area, max_cell) = match rat {
        Rat::Gsm => (0xFFFF, 0xFFFF),
        Rat::Lte => (0xFFFF, 0x0FFF_FFFF),
    };
    if area > max_area || cell > max_cell {
        return Err(format!("area/cell out of range for {rat}: {area}/{cell}"));
    }
    let lon = flt(6, "lon")?;
    let lat = flt(7, "lat")?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(format!("position out of range: {lat},{lon}"));
    }
    let unit = if rat == Rat::Lte {
        col(5).parse::<u16>().ok().filter(|p| *p <= 503)
    } else {
        None
    };
    let range_m = col(8).parse::<u32>().ok();
    let mnc = if net < 100 {
        format!("{net:02}")
    } else {
        format!("{net:03}")
    };
    let updated_ms = f
        .get(12)
        .and_then(|s| s.parse::<i64>().ok())
        .map(|s| s.saturating_mul(1000));
    Ok(Some(KnownCell {
        key: CellKey {
            rat,
            plmn: Some(Plmn::broadcast(format!("{mcc:03}"), mnc)),
            lac_tac: Some(area as u32),
            cell_id: Some(cell as u32),
            channel: None,
            bsic_pci: unit,
        },
        source: BaselineSource::CellDb,
        position: Some(GeoPoint::new(lat, lon)),
        range_m,
        power_mean_dbfs: None,
        power_std_db: None,
        power_samples: 0,
        offset_median_ppm: None,
        first_seen_unix_ms: None,
        last_seen_unix_ms: updated_ms,
    }))
}

/// Builds a baseline from trusted observations, one at a time.
#[derive(Debug, Clone, Default)]
pub struct Survey {
    scene: Scene,
}

impl Survey {
    /// An empty survey.
    pub fn new() -> Self {
        Survey::default()
    }

    /// Adds a trusted cell observation.
    pub fn add(&mut self, obs: &CellObservation) {
        self.scene.push(obs);
    }

    /// Adds a trusted carrier measurement.
    pub fn add_carrier(&mut self, c: &CarrierObservation) {
        self.scene.push_carrier(c);
    }

    /// The cells grouped so far.
    pub fn scene(&self) -> &Scene {
        &self.scene
    }

    /// The learned baseline.
    pub fn finish(&self) -> Baseline {
        Baseline::from_scene(&self.scene)
    }
}

/// MCC and MNC by value, the way the index compares networks (OpenCellID loses the MNC's
/// leading zeros); a PLMN with non-decimal digits is in no baseline.
fn net(p: &Plmn) -> Option<(u16, u16)> {
    Some((p.mcc_value()?, p.mnc_value()?))
}

/// Fast look-ups into a baseline, built once per engine.
#[derive(Debug, Clone, Default)]
pub struct BaselineIndex {
    by_global: HashMap<(Rat, u16, u16, u32, u32), Vec<usize>>,
    by_ci: HashMap<(Rat, u16, u16, u32), Vec<usize>>,
    by_channel: HashMap<(Rat, u32), Vec<usize>>,
}

impl BaselineIndex {
    /// Indexes the cells of a baseline.
    pub fn new(b: &Baseline) -> Self {
        let mut ix = BaselineIndex::default();
        for (i, c) in b.cells.iter().enumerate() {
            let k = &c.key;
            if let (Some((mcc, mnc)), Some(ci)) = (k.plmn.as_ref().and_then(net), k.cell_id) {
                ix.by_ci.entry((k.rat, mcc, mnc, ci)).or_default().push(i);
                if let Some(lac) = k.lac_tac {
                    ix.by_global
                        .entry((k.rat, mcc, mnc, lac, ci))
                        .or_default()
                        .push(i);
                }
            }
            if let Some(ch) = k.channel {
                ix.by_channel.entry((k.rat, ch)).or_default().push(i);
            }
        }
        ix
    }

    /// Cells with this global identity.
    pub fn by_global<'b>(&self, b: &'b Baseline, key: &CellKey) -> Vec<&'b KnownCell> {
        match (key.plmn.as_ref().and_then(net), key.lac_tac, key.cell_id) {
            (Some((mcc, mnc)), Some(lac), Some(ci)) => self
                .by_global
                .get(&(key.rat, mcc, mnc, lac, ci))
                .map(|v| v.iter().filter_map(|i| b.cells.get(*i)).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Cells with this PLMN and CI/ECI (any LAC/TAC).
    pub fn by_ci<'b>(&self, b: &'b Baseline, rat: Rat, plmn: &Plmn, ci: u32) -> Vec<&'b KnownCell> {
        let Some((mcc, mnc)) = net(plmn) else {
            return Vec::new();
        };
        self.by_ci
            .get(&(rat, mcc, mnc, ci))
            .map(|v| v.iter().filter_map(|i| b.cells.get(*i)).collect())
            .unwrap_or_default()
    }

    /// Cells on this channel.
    pub fn by_channel<'b>(&self, b: &'b Baseline, rat: Rat, channel: u32) -> Vec<&'b KnownCell> {
        self.by_channel
            .get(&(rat, channel))
            .map(|v| v.iter().filter_map(|i| b.cells.get(*i)).collect())
            .unwrap_or_default()
    }

    /// Whether any baseline cell has a known channel of this RAT.
    pub fn has_channels(&self, rat: Rat) -> bool {
        self.by_channel.keys().any(|(r, _)| *r == rat)
    }

    /// The baseline cells matching a cell key: by global identity when it is known, else by
    /// channel + BSIC/PCI.
    pub fn matches<'b>(&self, b: &'b Baseline, key: &CellKey) -> Vec<&'b KnownCell> {
        if key.has_global_id() {
            return self.by_global(b, key);
        }
        match (key.channel, key.bsic_pci) {
            (Some(ch), Some(id)) => self
                .by_channel(b, key.rat, ch)
                .into_iter()
                .filter(|c| c.key.bsic_pci == Some(id))
                .collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const CSV: &str = "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal\n\
GSM,234,15,3101,40961,,-0.1276,51.5072,1000,12,1,1500000000,1600000000,0\n\
LTE,234,20,1234,26385409,301,-0.1300,51.5100,500,40,1,1500000000,1600000000,-95\n\
UMTS,234,10,100,200,7,-0.1280,51.5080,800,3,1,1500000000,1600000000,0\n\
GSM,234,30,5,6,,2.3522,48.8566,1000,5,1,1500000000,1600000000,0\n\
GSM,abc,15,1,2,,0,0,1,1,1,1,1,0\n\
GSM,234,15,1,2,,0,95,1,1,1,1,1,0\n\
WIMAX,234,15,1,2,,0,0,1,1,1,1,1,0\n";

    #[test]
    fn haversine_london_paris() {
        let london = GeoPoint::new(51.5072, -0.1276);
        let paris = GeoPoint::new(48.8566, 2.3522);
        let d = london.distance_m(&paris);
        // Published great-circle distance London-Paris is about 343.5 km.
        assert!((d - 343_500.0).abs() < 2_000.0, "{d}");
        assert_eq!(london.distance_m(&london), 0.0);
    }

    #[test]
    fn import_plain_with_header_and_radius() {
        let mut b = Baseline::empty();
        let center = GeoPoint::new(51.5072, -0.1276);
        let rep = b
            .import_cell_db_reader(CSV.as_bytes(), "t", Some((center, 2_000.0)))
            .unwrap();
        assert_eq!(rep.rows, 7);
        assert_eq!(rep.imported, 2);
        assert_eq!(rep.skipped_radio, 1);
        assert_eq!(rep.outside_radius, 1);
        assert_eq!(rep.bad_rows, 3);
        assert_eq!(rep.errors.len(), 3);
        assert!(rep.errors[0].starts_with("line 6:"), "{:?}", rep.errors);
        let lte = b.cells.iter().find(|c| c.key.rat == Rat::Lte).unwrap();
        assert_eq!(lte.key.bsic_pci, Some(301));
        assert_eq!(lte.key.cell_id, Some(26385409));
        assert_eq!(lte.key.plmn.as_ref().unwrap().to_string(), "234-20");
    }

    #[test]
    fn import_gzip_without_header() {
        let body: String = CSV
            .lines()
            .skip(1)
            .take(2)
            .map(|l| format!("{l}\n"))
            .collect();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(body.as_bytes()).unwrap();
        let gz = enc.finish().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cells.csv.gz");
        std::fs::write(&path, gz).unwrap();
        let mut b = Baseline::empty();
        let rep = b.import_cell_db(&path, None).unwrap();
        assert_eq!((rep.rows, rep.imported, rep.bad_rows), (2, 2, 0));
        let ix = BaselineIndex::new(&b);
        let key = CellKey {
            rat: Rat::Gsm,
            plmn: Some(Plmn::parse("234-015").unwrap()),
            lac_tac: Some(3101),
            cell_id: Some(40961),
            channel: Some(62),
            bsic_pci: Some(21),
        };
        assert_eq!(ix.matches(&b, &key).len(), 1);
    }

    #[test]
    fn garbage_file_is_an_error_not_a_panic() {
        let mut b = Baseline::empty();
        let e = b
            .import_cell_db_reader(&b"\x00\x01\x02garbage\nmore,garbage\n"[..], "x", None)
            .unwrap_err();
        assert!(e.to_string().contains("not an OpenCellID"), "{e}");
        let e = b
            .import_cell_db_reader(&b"radio,mcc\n"[..], "x", None)
            .unwrap_err();
        assert!(e.to_string().contains("header"), "{e}");
        // Truncated gzip: an I/O error, reported.
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(CSV.as_bytes()).unwrap();
        let gz = enc.finish().unwrap();
        assert!(b
            .import_cell_db_reader(&gz[..gz.len() / 2], "x", None)
            .is_err());
        assert!(b
            .import_cell_db(Path::new("does/not/exist.csv"), None)
            .is_err());
    }

    #[test]
    fn save_load_round_trip() {
        let mut s = Survey::new();
        let mut o = CellObservation::gsm(1_000, 10);
        o.bsic_pci = Some(12);
        o.plmn = Some(Plmn::parse("234-10").unwrap());
        o.lac_tac = Some(100);
        o.cell_id = Some(1);
        o.power_dbfs = Some(-40.0);
        s.add(&o);
        o.time_unix_ms = 2_000;
        o.power_dbfs = Some(-42.0);
        s.add(&o);
        let b = s.finish();
        assert_eq!(b.cells.len(), 1);
        assert_eq!(b.cells[0].power_mean_dbfs, Some(-41.0));
        assert_eq!(b.cells[0].power_std_db, Some(1.0));
        assert_eq!(b.span_ms(), 1_000);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.json");
        b.save(&p).unwrap();
        assert_eq!(Baseline::load(&p).unwrap(), b);
        assert!(Baseline::from_json_str("{\"format\":\"x\"}", "t").is_err());
        assert!(Baseline::from_json_str("[", "t").is_err());
    }

    #[test]
    fn file_kind_by_content_not_name() {
        let dir = tempfile::tempdir().unwrap();
        let kind = |name: &str, bytes: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            Baseline::file_kind(&p).unwrap()
        };
        let survey = Baseline::empty();
        let json = serde_json::to_vec(&survey).unwrap();
        // A survey named .csv is still a survey; a CSV named .json is still a CSV.
        assert_eq!(kind("a.csv", &json), BaselineFileKind::Survey);
        assert_eq!(kind("b.json", CSV.as_bytes()), BaselineFileKind::CellDb);
        assert_eq!(
            kind("c", b"\xef\xbb\xbf  \n{\"format\": 1}"),
            BaselineFileKind::Survey
        );
        assert_eq!(kind("d.gz", &[0x1f, 0x8b, 8, 0]), BaselineFileKind::CellDb);
    }
}
