//! Grouping observations into cells: `CellKey`, `CellHistory` and the `Scene` of one run.
//!
//! A cell is first heard by its physical identity (ARFCN+BSIC, EARFCN+PCI) and only later by its
//! global identity (PLMN, LAC/TAC, CI/ECI) once SI3/SIB1 is decoded, so keys are partial: an
//! observation joins the most specific existing history whose known fields all agree with it,
//! and fills in the fields the history did not know yet.

pub use cellsentry_model::CellKey;
use serde::{Deserialize, Serialize};

use crate::model::{
    CarrierObservation, CellObservation, GsmSystemInfo, LteSystemInfo, PagingCounters, Rat,
};

/// One value at one time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Time, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// Value.
    pub value: f64,
}

/// A power sample taken where the sensor's position was known.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PositionedPower {
    /// Time, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// Sensor position, WGS 84.
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Power, dBFS.
    pub power_dbfs: f64,
}

/// Everything seen of one cell during a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellHistory {
    /// Identity, as complete as decoded so far.
    pub key: CellKey,
    /// First observation, ms since the Unix epoch.
    pub first_seen_unix_ms: i64,
    /// Last observation.
    pub last_seen_unix_ms: i64,
    /// Number of observations merged.
    pub observations: u32,
    /// Power samples, dBFS.
    pub power_dbfs: Vec<Sample>,
    /// Frequency offset samples, ppm (receiver error included).
    pub offset_ppm: Vec<Sample>,
    /// Latest SNR, dB.
    pub snr_db: Option<f64>,
    /// DL frequency, Hz.
    pub dl_freq_hz: Option<f64>,
    /// GSM system information merged over all observations (latest decoded value wins).
    pub gsm: Option<GsmSystemInfo>,
    /// Time GSM system information was first received.
    pub gsm_si_first_unix_ms: Option<i64>,
    /// LTE system information merged over all observations.
    pub lte: Option<LteSystemInfo>,
    /// Paging counters summed over the run.
    pub paging: PagingCounters,
    /// Time span the paging counters cover (first and last observation carrying counters).
    pub paging_span_unix_ms: Option<(i64, i64)>,
    /// The power samples that came with a sensor position, in time order.
    #[serde(default)]
    pub positioned_power: Vec<PositionedPower>,
    /// Power values kept sorted, so that cross-cell rules get medians without sorting.
    #[serde(skip)]
    power_sorted: Vec<f64>,
    /// Offset values kept sorted.
    #[serde(skip)]
    offset_sorted: Vec<f64>,
    /// Every power sample ever added (count, mean, sum of squared deviations: Welford), for
    /// the survey's statistics once the series has been thinned.
    #[serde(default)]
    power_all: (u64, f64, f64),
}

/// Samples a series keeps before its older part is thinned (every other sample dropped), so
/// memory stays bounded however long a live run lasts (a growing history was most of the
/// sensor's memory growth in an hour's soak). The last [`SERIES_FULL_MS`] stay whole for the
/// rules' windows (5 minutes at most); older history keeps its shape at a coarser step, and
/// medians over it lean towards recent samples.
pub const SERIES_CAP: usize = 2048;

/// The newest part of a series that thinning leaves whole, ms.
pub const SERIES_FULL_MS: i64 = 600_000;

/// Thins a time-ordered series longer than [`SERIES_CAP`]: every other sample older than
/// [`SERIES_FULL_MS`] before the newest goes (the older half when that part is too small to
/// matter, so the bound holds at any observation rate).
pub fn thin_series<T>(v: &mut Vec<T>, time_ms: impl Fn(&T) -> i64) {
    if v.len() <= SERIES_CAP {
        return;
    }
    let Some(last) = v.last().map(&time_ms) else {
        return;
    };
    let mut old = v.partition_point(|x| time_ms(x) < last.saturating_sub(SERIES_FULL_MS));
    if old < v.len() / 4 {
        old = v.len() / 2;
    }
    thin_before(v, old);
}

/// Drops every other one of the first `old` elements (the first is kept: a thinned history
/// still reaches back to its start); the rest stay whole.
pub fn thin_before<T>(v: &mut Vec<T>, old: usize) {
    let mut i = 0;
    v.retain(|_| {
        let keep = i >= old || i % 2 == 0;
        i += 1;
        keep
    });
}

/// Adds a sample to a time series and to its sorted values, thinning both when the series
/// is full.
fn add_sample(series: &mut Vec<Sample>, sorted: &mut Vec<f64>, time_unix_ms: i64, value: f64) {
    push_sorted(
        series,
        Sample {
            time_unix_ms,
            value,
        },
    );
    insert_value(sorted, value);
    if series.len() > SERIES_CAP {
        thin_series(series, |s| s.time_unix_ms);
        *sorted = series.iter().map(|s| s.value).collect();
        sorted.sort_by(f64::total_cmp);
    }
}

fn merge_opt<T: Clone>(dst: &mut Option<T>, src: &Option<T>) {
    if src.is_some() {
        dst.clone_from(src);
    }
}

fn merge_gsm(dst: &mut GsmSystemInfo, src: &GsmSystemInfo) {
    for t in &src.si_types {
        if !dst.si_types.contains(t) {
            dst.si_types.push(*t);
        }
    }
    dst.si_types.sort();
    merge_opt(&mut dst.t3212_decihours, &src.t3212_decihours);
    merge_opt(&mut dst.rach, &src.rach);
    merge_opt(
        &mut dst.cell_reselect_hysteresis_db,
        &src.cell_reselect_hysteresis_db,
    );
    merge_opt(&mut dst.rxlev_access_min, &src.rxlev_access_min);
    merge_opt(&mut dst.ms_txpwr_max_cch, &src.ms_txpwr_max_cch);
    merge_opt(
        &mut dst.si3_rest_octets_decoded,
        &src.si3_rest_octets_decoded,
    );
    merge_opt(&mut dst.cell_bar_qualify, &src.cell_bar_qualify);
    merge_opt(
        &mut dst.cell_reselect_offset_db,
        &src.cell_reselect_offset_db,
    );
    merge_opt(&mut dst.temporary_offset_db, &src.temporary_offset_db);
    merge_opt(&mut dst.penalty_time_s, &src.penalty_time_s);
    merge_opt(&mut dst.gprs_indicator, &src.gprs_indicator);
    merge_opt(&mut dst.si2quater_announced, &src.si2quater_announced);
    merge_opt(&mut dst.si13_announced, &src.si13_announced);
    merge_opt(&mut dst.si2ter_announced, &src.si2ter_announced);
    merge_opt(&mut dst.neighbour_arfcns, &src.neighbour_arfcns);
    merge_opt(&mut dst.cell_channel_arfcns, &src.cell_channel_arfcns);
    merge_opt(&mut dst.ncc_permitted, &src.ncc_permitted);
    merge_opt(&mut dst.bs_ag_blks_res, &src.bs_ag_blks_res);
    merge_opt(&mut dst.bs_pa_mfrms, &src.bs_pa_mfrms);
    merge_opt(&mut dst.ccch_combined, &src.ccch_combined);
    if !src.eutran_neighbours.is_empty() {
        dst.eutran_neighbours.clone_from(&src.eutran_neighbours);
    }
    merge_opt(&mut dst.geran_priority, &src.geran_priority);
}

fn merge_lte(dst: &mut LteSystemInfo, src: &LteSystemInfo) {
    for t in &src.sibs_received {
        if !dst.sibs_received.contains(t) {
            dst.sibs_received.push(*t);
        }
    }
    dst.sibs_received.sort_unstable();
    merge_opt(&mut dst.sib1, &src.sib1);
    merge_opt(&mut dst.serving_priority, &src.serving_priority);
    if !src.inter_freq.is_empty() {
        dst.inter_freq.clone_from(&src.inter_freq);
    }
    if !src.utra.is_empty() {
        dst.utra.clone_from(&src.utra);
    }
    if !src.geran.is_empty() {
        dst.geran.clone_from(&src.geran);
    }
    merge_opt(&mut dst.sib4_neighbours, &src.sib4_neighbours);
    merge_opt(&mut dst.sib5_neighbours, &src.sib5_neighbours);
}

impl CellHistory {
    fn new(obs: &CellObservation) -> Self {
        let mut h = CellHistory {
            key: obs.key(),
            first_seen_unix_ms: obs.time_unix_ms,
            last_seen_unix_ms: obs.time_unix_ms,
            observations: 0,
            power_dbfs: Vec::new(),
            offset_ppm: Vec::new(),
            snr_db: None,
            dl_freq_hz: None,
            gsm: None,
            gsm_si_first_unix_ms: None,
            lte: None,
            paging: PagingCounters::default(),
            paging_span_unix_ms: None,
            positioned_power: Vec::new(),
            power_sorted: Vec::new(),
            offset_sorted: Vec::new(),
            power_all: (0, 0.0, 0.0),
        };
        h.add(obs);
        h
    }

    fn add(&mut self, obs: &CellObservation) {
        let t = obs.time_unix_ms;
        self.key.fill_from(&obs.key());
        self.first_seen_unix_ms = self.first_seen_unix_ms.min(t);
        self.last_seen_unix_ms = self.last_seen_unix_ms.max(t);
        self.observations = self.observations.saturating_add(1);
        if let Some(p) = obs.power_dbfs.filter(|p| p.is_finite()) {
            add_sample(&mut self.power_dbfs, &mut self.power_sorted, t, p);
            let (n, mean, m2) = &mut self.power_all;
            *n += 1;
            let d = p - *mean;
            *mean += d / *n as f64;
            *m2 += d * (p - *mean);
            if let (Some(lat), Some(lon)) = (obs.lat_deg, obs.lon_deg) {
                let pp = PositionedPower {
                    time_unix_ms: t,
                    lat_deg: lat,
                    lon_deg: lon,
                    power_dbfs: p,
                };
                let pos = self
                    .positioned_power
                    .partition_point(|x| x.time_unix_ms <= t);
                self.positioned_power.insert(pos, pp);
                thin_series(&mut self.positioned_power, |p| p.time_unix_ms);
            }
        }
        if let Some(p) = obs.offset_ppm() {
            add_sample(&mut self.offset_ppm, &mut self.offset_sorted, t, p);
        }
        merge_opt(&mut self.snr_db, &obs.snr_db);
        merge_opt(&mut self.dl_freq_hz, &obs.dl_freq_hz);
        if let Some(g) = &obs.gsm {
            match &mut self.gsm {
                Some(d) => merge_gsm(d, g),
                None => self.gsm = Some(g.clone()),
            }
            self.gsm_si_first_unix_ms = Some(self.gsm_si_first_unix_ms.map_or(t, |f| f.min(t)));
        }
        if let Some(l) = &obs.lte {
            match &mut self.lte {
                Some(d) => merge_lte(d, l),
                None => self.lte = Some(l.clone()),
            }
            // SIB1 is the source of the LTE global identity.
            if let Some(s1) = &l.sib1 {
                let k = CellKey {
                    rat: Rat::Lte,
                    plmn: s1.plmns.first().cloned(),
                    lac_tac: s1.tac,
                    cell_id: s1.cell_id,
                    channel: None,
                    bsic_pci: None,
                };
                if self.key.compatible(&k) {
                    self.key.fill_from(&k);
                }
            }
        }
        if let Some(pg) = &obs.paging {
            self.paging.add(pg);
            self.paging_span_unix_ms = Some(match self.paging_span_unix_ms {
                Some((a, b)) => (a.min(t), b.max(t)),
                None => (t, t),
            });
        }
    }

    /// Time the cell was seen, ms (last - first).
    pub fn duration_ms(&self) -> i64 {
        self.last_seen_unix_ms - self.first_seen_unix_ms
    }

    /// Mean and standard deviation of every power sample ever added, and their number (the
    /// series itself is thinned on long runs).
    pub fn power_stats(&self) -> Option<(f64, f64, u64)> {
        let (n, mean, m2) = self.power_all;
        if n as usize == self.power_dbfs.len() {
            // Never thinned (or deserialised without the running sums): the series is exact.
            let values: Vec<f64> = self.power_dbfs.iter().map(|s| s.value).collect();
            return mean_std(&values).map(|(m, s)| (m, s, values.len() as u64));
        }
        (n > 0).then(|| (mean, (m2 / n as f64).max(0.0).sqrt(), n))
    }

    /// Median power over the kept samples (all of them on runs shorter than [`SERIES_CAP`]
    /// observations).
    pub fn median_power_dbfs(&self) -> Option<f64> {
        if self.power_sorted.len() == self.power_dbfs.len() {
            return median_of_sorted(&self.power_sorted);
        }
        median(self.power_dbfs.iter().map(|s| s.value))
    }

    /// Median power of the samples within `window_ms` before the last sample.
    pub fn recent_power_dbfs(&self, window_ms: i64) -> Option<f64> {
        median(self.recent_power(window_ms).iter().map(|s| s.value))
    }

    /// The power samples within `window_ms` before the last sample (the series is in time
    /// order, so this is a slice, not a scan of the whole history).
    pub fn recent_power(&self, window_ms: i64) -> &[Sample] {
        let Some(last) = self.power_dbfs.last().map(|s| s.time_unix_ms) else {
            return &[];
        };
        let start = self
            .power_dbfs
            .partition_point(|s| s.time_unix_ms < last - window_ms);
        &self.power_dbfs[start..]
    }

    /// Highest sustained level: the largest median over any `window_ms` of the history, with
    /// the time its window ends. A replayed drive-by must count at its peak, not at the quiet
    /// end of the recording. At most 256 windows are examined (evenly spread, the last one
    /// always), so a long monitoring session stays cheap.
    pub fn peak_power_dbfs(&self, window_ms: i64) -> Option<(f64, i64)> {
        let v = &self.power_dbfs;
        let n = v.len();
        if n == 0 {
            return None;
        }
        let windows = n.min(256);
        let mut best: Option<(f64, i64)> = None;
        for w in 0..windows {
            // Spread window ends over the samples; w = windows - 1 is the last sample.
            let end = (w + 1) * n / windows - 1;
            let t_end = v[end].time_unix_ms;
            let start = v.partition_point(|s| s.time_unix_ms < t_end - window_ms);
            let Some(m) = median(v[start..=end].iter().map(|s| s.value)) else {
                continue;
            };
            if best.is_none_or(|(b, _)| m > b) {
                best = Some((m, t_end));
            }
        }
        best
    }

    /// Median frequency offset, ppm.
    pub fn median_offset_ppm(&self) -> Option<f64> {
        if self.offset_sorted.len() == self.offset_ppm.len() {
            return median_of_sorted(&self.offset_sorted);
        }
        median(self.offset_ppm.iter().map(|s| s.value))
    }

    /// Whether this history spans `[t0, t1]` at least partly (with `slack_ms` each side).
    pub fn overlaps(&self, t0: i64, t1: i64, slack_ms: i64) -> bool {
        self.first_seen_unix_ms - slack_ms <= t1 && self.last_seen_unix_ms + slack_ms >= t0
    }
}

fn push_sorted(v: &mut Vec<Sample>, s: Sample) {
    // Observations usually arrive in time order; keep the vector sorted cheaply either way.
    let pos = v.partition_point(|x| x.time_unix_ms <= s.time_unix_ms);
    v.insert(pos, s);
}

fn insert_value(v: &mut Vec<f64>, x: f64) {
    let pos = v.partition_point(|y| *y < x);
    v.insert(pos, x);
}

fn median_of_sorted(v: &[f64]) -> Option<f64> {
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => v.get(n / 2).copied(),
        _ => Some((v.get(n / 2 - 1)? + v.get(n / 2)?) / 2.0),
    }
}

/// Median of finite values; `None` when there are none.
pub fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    median_of_sorted(&v)
}

/// Mean and population standard deviation.
pub fn mean_std(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    Some((mean, var.sqrt()))
}

/// All cells and carriers of one run (a replayed recording, or the live session so far).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scene {
    cells: Vec<CellHistory>,
    carriers: Vec<CarrierObservation>,
    start_unix_ms: Option<i64>,
    end_unix_ms: Option<i64>,
}

impl Scene {
    /// An empty scene.
    pub fn new() -> Self {
        Scene::default()
    }

    /// Builds a scene from cell observations (in any order).
    pub fn from_observations<'a>(obs: impl IntoIterator<Item = &'a CellObservation>) -> Self {
        let mut s = Scene::new();
        for o in obs {
            s.push(o);
        }
        s
    }

    fn touch(&mut self, t: i64) {
        self.start_unix_ms = Some(self.start_unix_ms.map_or(t, |s| s.min(t)));
        self.end_unix_ms = Some(self.end_unix_ms.map_or(t, |e| e.max(t)));
    }

    /// Adds an observation; returns the index of the cell history it joined or started.
    pub fn push(&mut self, obs: &CellObservation) -> usize {
        self.touch(obs.time_unix_ms);
        let key = obs.key();
        // Most specific compatible history; ties go to the most recently seen one.
        let best = self
            .cells
            .iter()
            .enumerate()
            .filter(|(_, h)| h.key.compatible(&key))
            .max_by_key(|(_, h)| (h.key.specificity(), h.last_seen_unix_ms))
            .map(|(i, _)| i);
        match best.and_then(|i| self.cells.get_mut(i).map(|h| (i, h))) {
            Some((i, h)) => {
                h.add(obs);
                i
            }
            None => {
                self.cells.push(CellHistory::new(obs));
                self.cells.len() - 1
            }
        }
    }

    /// Adds a carrier measurement (kept in time order).
    pub fn push_carrier(&mut self, c: &CarrierObservation) {
        self.touch(c.time_unix_ms);
        let pos = self
            .carriers
            .partition_point(|x| x.time_unix_ms <= c.time_unix_ms);
        self.carriers.insert(pos, c.clone());
    }

    /// All cell histories.
    pub fn cells(&self) -> &[CellHistory] {
        &self.cells
    }

    /// All carrier measurements, in time order.
    pub fn carriers(&self) -> &[CarrierObservation] {
        &self.carriers
    }

    /// First observation time.
    pub fn start_unix_ms(&self) -> Option<i64> {
        self.start_unix_ms
    }

    /// Last observation time.
    pub fn end_unix_ms(&self) -> Option<i64> {
        self.end_unix_ms
    }

    /// Drops cells last seen before `time_unix_ms` and older carrier measurements (long live
    /// sessions). Returns how many cells were dropped. Cell indexes change.
    pub fn prune_before(&mut self, time_unix_ms: i64) -> usize {
        let n = self.cells.len();
        self.cells.retain(|c| c.last_seen_unix_ms >= time_unix_ms);
        self.carriers.retain(|c| c.time_unix_ms >= time_unix_ms);
        n - self.cells.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Plmn;

    #[test]
    fn partial_key_joins_full_key_later() {
        let mut s = Scene::new();
        let mut a = CellObservation::gsm(1_000, 62);
        a.bsic_pci = Some(21);
        a.power_dbfs = Some(-20.0);
        let i = s.push(&a);
        let mut b = a.clone();
        b.time_unix_ms = 3_000;
        b.plmn = Some(Plmn::parse("234-15").unwrap());
        b.lac_tac = Some(3101);
        b.cell_id = Some(40961);
        assert_eq!(s.push(&b), i);
        // A later sighting without SI again joins the same cell.
        let mut c = a.clone();
        c.time_unix_ms = 5_000;
        assert_eq!(s.push(&c), i);
        let h = &s.cells()[i];
        assert!(h.key.has_global_id());
        assert_eq!(h.observations, 3);
        assert_eq!(h.duration_ms(), 4_000);
        assert_eq!(s.cells().len(), 1);
        // Same ARFCN, other BSIC: a different cell.
        let mut d = a.clone();
        d.bsic_pci = Some(22);
        assert_ne!(s.push(&d), i);
        assert_eq!(s.cells().len(), 2);
    }

    #[test]
    fn peak_power_is_the_loudest_minute() {
        // A drive-by: -45 dBFS rising to -5 at 30 s and back to -45 at 60 s, one sample a second.
        let mut s = Scene::new();
        for k in 0..=60i64 {
            let mut o = CellObservation::gsm(k * 1000, 62);
            o.power_dbfs = Some(-5.0 - 40.0 * ((k - 30).abs() as f64) / 30.0);
            s.push(&o);
        }
        let h = &s.cells()[0];
        // Over the last 60 s the median is mid-ramp; over 10 s windows the peak is near -5.
        let whole = h.recent_power_dbfs(60_000).unwrap();
        let (peak, at) = h.peak_power_dbfs(10_000).unwrap();
        assert!(whole < -20.0, "{whole}");
        assert!(peak > -12.0, "{peak}");
        assert!((30_000..=36_000).contains(&at), "{at}");
        assert_eq!(Scene::new().cells().len(), 0);
    }

    #[test]
    fn different_lac_is_another_history() {
        let mut s = Scene::new();
        let mut a = CellObservation::gsm(0, 10);
        a.plmn = Some(Plmn::parse("234-10").unwrap());
        a.lac_tac = Some(1);
        a.cell_id = Some(7);
        s.push(&a);
        a.lac_tac = Some(2);
        s.push(&a);
        assert_eq!(s.cells().len(), 2);
    }

    #[test]
    fn cached_medians_survive_serde() {
        let mut s = Scene::new();
        for (t, p) in [(0, -50.0), (1, -40.0), (2, -45.0), (3, -41.0)] {
            let mut o = CellObservation::gsm(t, 10);
            o.power_dbfs = Some(p);
            o.freq_offset_ppm = Some(p / 100.0);
            s.push(&o);
        }
        let h = &s.cells()[0];
        assert_eq!(h.power_sorted, vec![-50.0, -45.0, -41.0, -40.0]);
        assert_eq!(h.offset_sorted.len(), 4);
        assert_eq!(h.median_power_dbfs(), Some(-43.0));
        let back: Scene = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back.cells()[0].median_power_dbfs(), Some(-43.0));
        assert_eq!(back.cells()[0].median_offset_ppm(), h.median_offset_ppm());
    }

    #[test]
    fn a_long_run_keeps_a_bounded_history_with_its_recent_samples_whole() {
        // Ten hours of one observation a second: the series stays under the cap, its last
        // ten minutes are every sample, and the survey statistics still cover every sample.
        let mut s = Scene::new();
        let total = 36_000i64;
        let mut sum = 0.0;
        for k in 0..total {
            let mut o = CellObservation::gsm(k * 1000, 62);
            let p = -60.0 + (k % 7) as f64;
            sum += p;
            o.power_dbfs = Some(p);
            o.freq_offset_ppm = Some(0.1);
            s.push(&o);
            let h = &s.cells()[0];
            assert!(h.power_dbfs.len() <= SERIES_CAP && h.offset_ppm.len() <= SERIES_CAP);
        }
        let h = &s.cells()[0];
        assert_eq!(h.power_sorted.len(), h.power_dbfs.len());
        let recent = h.recent_power(SERIES_FULL_MS);
        assert_eq!(recent.len(), 601, "the last ten minutes are whole");
        assert!(recent
            .windows(2)
            .all(|w| w[1].time_unix_ms - w[0].time_unix_ms == 1000));
        // The older part is thinned, not dropped: it reaches back towards the start.
        assert!(h.power_dbfs[0].time_unix_ms < 3_600_000);
        let (mean, std, n) = h.power_stats().unwrap();
        assert_eq!(n, total as u64);
        assert!((mean - sum / total as f64).abs() < 1e-9, "{mean}");
        assert!((std - 2.0).abs() < 0.01, "{std}");
        assert_eq!(h.median_power_dbfs(), Some(-57.0));
        // At ten observations a second the bound holds too.
        let mut fast = Scene::new();
        for k in 0..20_000i64 {
            let mut o = CellObservation::gsm(k * 100, 62);
            o.power_dbfs = Some(-50.0);
            fast.push(&o);
        }
        assert!(fast.cells()[0].power_dbfs.len() <= SERIES_CAP);
    }

    #[test]
    fn median_and_std() {
        assert_eq!(median([3.0, 1.0, 2.0].into_iter()), Some(2.0));
        assert_eq!(median([4.0, 1.0].into_iter()), Some(2.5));
        assert_eq!(median(std::iter::empty()), None);
        let (m, s) = mean_std(&[1.0, 3.0]).unwrap();
        assert_eq!((m, s), (2.0, 1.0));
    }
}
