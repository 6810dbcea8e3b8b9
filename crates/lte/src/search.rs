//! Cell search driver: PSS search, fine timing and carrier offset, SSS, PBCH/MIB and the per-cell
//! measurements, put together into [`LteCellDetection`]s.

use crate::mib::{parse_mib, MibInfo};
use crate::ofdm::{pss_start, Demod, FRAME_SAMPLES, HALF_FRAME_SAMPLES, NFFT, SLOT_SAMPLES};
use crate::pbch::{PbchDecoder, PbchFrame};
use crate::pss::{PssCandidate, PssSearch};
use crate::resample::{decimate, decimation_factor};
use crate::sss::SssDetection;
use crate::sss::SssDetector;
use crate::{CyclicPrefix, Duplex, LteCellDetection, LteError, SearchConfig, SEARCH_RATE_SPS};
use num_complex::Complex32;
use rustfft::FftPlanner;

/// Samples the FFT window starts before the end of the cyclic prefix (timing margin).
const BACKOFF: usize = 5;
/// PSS positions are re-found within +-this many samples in every half frame, which follows
/// sampling-clock drift of tens of ppm.
const TRACK_RADIUS: usize = 3;
/// Fewest samples the search accepts: one half frame plus a PSS block.
pub const MIN_SAMPLES: usize = HALF_FRAME_SAMPLES;

/// How far (1.92 Msps samples) a PSS may sit from where a known cell's frame timing puts it
/// and still be taken for that cell: a sampling clock 50 ppm off moves the timing by 48 samples
/// between two windows 0.5 s apart.
const KNOWN_RADIUS: f64 = 64.0;

/// A cell the caller already tracks (from an earlier window of the same stream), with its
/// timing in the coordinates of the next input. A PSS at that timing skips the SSS search; when
/// its MIB then fails, the candidate goes through the full SSS search after all.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KnownCell {
    pub pci: u16,
    pub duplex: Duplex,
    pub cp: CyclicPrefix,
    /// Where a radio frame starts in the input, in 1.92 Msps samples modulo one frame (19200).
    pub frame_phase_1p92: f64,
    /// SSS metric of the cell's last full detection (reported again when the SSS is skipped).
    pub sss_metric: f32,
    /// Antenna ports and the SFN of the frame at `frame_phase_1p92`, from the cell's last MIB:
    /// the PBCH is then decoded with one hypothesis.
    pub mib: Option<(u8, u16)>,
    /// Carrier offset and PSS metric of the cell's last detection (a `known_only` window starts
    /// from the offset and reports the metric again, as it runs no PSS search).
    pub freq_offset_hz: f64,
    pub pss_metric: f32,
}

/// What a streaming caller tells [`CellSearcher::search_with`] from earlier windows.
#[derive(Debug, Clone, Default)]
pub struct SearchHints {
    /// Carrier offsets to search, `None` for the configured +-`max_freq_offset_hz`.
    pub freq_range_hz: Option<(f64, f64)>,
    /// Cells tracked so far.
    pub known: Vec<KnownCell>,
    /// Cap on the PSS accumulation (ms), below `SearchConfig::pss_search_ms` and
    /// `pss_search_max_ms`.
    pub max_span_ms: Option<f64>,
    /// A tracking window of a stream whose blind sweeps do the thorough work: the other PSS
    /// roots are tried at a found cell's timing (co-sited sectors) only when that cell is new,
    /// and candidates close
    /// to a cell already found or known (the time-frequency ghosts of its Zadoff-Chu
    /// correlation, which sit tens of samples away at another offset hypothesis) are not
    /// examined unless they match a known cell.
    pub tracking: bool,
    /// Run no PSS search: only confirm and measure the `known` cells at their timing (found
    /// within `KNOWN_RADIUS` from the PSS correlation accumulated over the input's half frames).
    pub known_only: bool,
}

/// Reusable receiver: FFT plans, sequence tables and buffers are built once.
pub struct CellSearcher {
    cfg: SearchConfig,
    pss: PssSearch,
    sss: SssDetector,
    demod: Demod,
    pbch: PbchDecoder,
    decimated: Vec<Complex32>,
}

/// One-shot convenience wrapper around [`CellSearcher`].
pub fn search_cells(
    samples: &[Complex32],
    sample_rate_hz: f64,
    carrier_freq_hz: Option<f64>,
    cfg: &SearchConfig,
) -> Result<Vec<LteCellDetection>, LteError> {
    CellSearcher::new(cfg.clone()).search(samples, sample_rate_hz, carrier_freq_hz)
}

impl CellSearcher {
    pub fn new(cfg: SearchConfig) -> Self {
        let mut planner = FftPlanner::new();
        CellSearcher {
            pss: PssSearch::new(&mut planner, cfg.max_freq_offset_hz, cfg.pss_peaks_per_root),
            sss: SssDetector::new(),
            demod: Demod::new(&mut planner, BACKOFF),
            pbch: PbchDecoder::new(),
            decimated: Vec::new(),
            cfg,
        }
    }

    pub fn config(&self) -> &SearchConfig {
        &self.cfg
    }

    /// Finds the cells in `samples` (any rate 1.92 Msps times an integer), strongest PSS first.
    pub fn search(
        &mut self,
        samples: &[Complex32],
        sample_rate_hz: f64,
        carrier_freq_hz: Option<f64>,
    ) -> Result<Vec<LteCellDetection>, LteError> {
        self.search_with(
            samples,
            sample_rate_hz,
            carrier_freq_hz,
            &SearchHints::default(),
        )
    }

    /// [`CellSearcher::search`] with what earlier windows of the stream taught: the carrier
    /// offsets worth searching and the cells already known.
    pub fn search_with(
        &mut self,
        samples: &[Complex32],
        sample_rate_hz: f64,
        carrier_freq_hz: Option<f64>,
        hints: &SearchHints,
    ) -> Result<Vec<LteCellDetection>, LteError> {
        self.pss.set_freq_range(hints.freq_range_hz);
        let factor = decimation_factor(sample_rate_hz)?;
        let mut buf = std::mem::take(&mut self.decimated);
        let x: &[Complex32] = if factor == 1 {
            samples
        } else {
            decimate(samples, factor, &mut buf);
            &buf
        };
        let res = self.search_1p92(x, factor, carrier_freq_hz, hints);
        self.decimated = buf;
        res
    }

    fn search_1p92(
        &mut self,
        x: &[Complex32],
        factor: usize,
        carrier_freq_hz: Option<f64>,
        hints: &SearchHints,
    ) -> Result<Vec<LteCellDetection>, LteError> {
        if x.len() < MIN_SAMPLES {
            return Err(LteError::TooShort {
                needed: MIN_SAMPLES,
                got: x.len(),
            });
        }
        if let Some(i) = x
            .iter()
            .position(|c| !c.re.is_finite() || !c.im.is_finite())
        {
            return Err(LteError::NonFinite(i));
        }
        let fast_ms = hints
            .max_span_ms
            .map_or(self.cfg.pss_search_ms, |m| m.min(self.cfg.pss_search_ms));
        let fast = ((fast_ms * 1e-3 * SEARCH_RATE_SPS) as usize).clamp(MIN_SAMPLES, x.len());
        let max_ms = hints.max_span_ms.map_or(self.cfg.pss_search_max_ms, |m| {
            m.min(self.cfg.pss_search_max_ms)
        });
        let full = ((max_ms * 1e-3 * SEARCH_RATE_SPS) as usize).clamp(fast, x.len());
        let mut cells: Vec<LteCellDetection> = Vec::new();
        if hints.known_only {
            for k in &hints.known {
                let cand = self.known_candidate(x, k);
                if let Some(c) =
                    self.examine(x, factor, carrier_freq_hz, &cand, &cells, None, &[*k])
                {
                    cells.push(c);
                }
            }
            return Ok(cells);
        }
        // A short accumulation finds every cell of usable strength; only when it yields no MIB
        // is the search repeated over the longer span for weak cells.
        for span in [fast, full] {
            if span > fast && cells.iter().any(|c| c.mib.is_some()) {
                break;
            }
            // The longer pass only correlates the samples the first did not cover.
            let cands = if span > fast {
                self.pss.extend(&x[..span], self.cfg.pss_threshold)
            } else {
                self.pss.search(&x[..span], self.cfg.pss_threshold)
            };
            for cand in &cands {
                if hints.tracking
                    && known_timing(&hints.known, cand.n_id_2 as usize, cand.pos).is_none()
                    && near_cell(&cells, &hints.known, cand.pos)
                {
                    continue;
                }
                if let Some(c) =
                    self.examine(x, factor, carrier_freq_hz, cand, &cells, None, &hints.known)
                {
                    cells.push(c);
                }
            }
            if span == full {
                break;
            }
        }
        // Co-sited sectors share timing and oscillator: try the other PSS roots exactly where a
        // found cell is, even when their own peak was hidden under the stronger sector's.
        // Only a cell with a MIB anchors the try: a sector of the same eNB on the same carrier
        // must then decode to the same bandwidth and SFN, which rejects a MIB CRC passed by
        // chance on the relaxed SSS threshold (1.5e-3 per candidate measured on noisy f806).
        // (the anchor: n_id_2, PSS position, offset, MIB, and the cell as a known cell whose
        // PCI carries the anchor's group; the root is set per try)
        let found: Vec<(u8, usize, f64, MibInfo, KnownCell)> = cells
            .iter()
            .filter_map(|c| {
                let pos = (c.frame_start_sample_1p92 as usize + pss_start(c.duplex, c.cp))
                    % HALF_FRAME_SAMPLES;
                let mib = c.mib.clone()?;
                let k = KnownCell {
                    pci: 3 * c.n_id_1,
                    duplex: c.duplex,
                    cp: c.cp,
                    frame_phase_1p92: c.frame_start_sample_1p92,
                    sss_metric: 0.0,
                    mib: Some((mib.ports, mib.sfn)),
                    freq_offset_hz: c.freq_offset_hz,
                    pss_metric: 0.0,
                };
                Some((c.n_id_2, pos, c.freq_offset_hz, mib, k))
            })
            .collect();
        // A tracking window tries them only around cells new in it: the known ones had theirs
        // tried when they were new (and every sweep tries again).
        let found: Vec<_> = found
            .into_iter()
            .filter(|&(n2, pos, _, _, _)| {
                !hints.tracking || known_timing(&hints.known, n2 as usize, pos).is_none()
            })
            .collect();
        for (n2, pos, f, anchor, anchor_cell) in found {
            for r in 0..3u8 {
                if r == n2 {
                    continue;
                }
                let cand = PssCandidate {
                    n_id_2: r,
                    pos,
                    freq_hz: f,
                    metric: self.pss.metric_at(r as usize, pos),
                };
                let sector = KnownCell {
                    pci: anchor_cell.pci + u16::from(r),
                    pss_metric: cand.metric,
                    ..anchor_cell
                };
                if let Some(c) = self.examine(
                    x,
                    factor,
                    carrier_freq_hz,
                    &cand,
                    &cells,
                    Some(sector),
                    &hints.known,
                ) {
                    let same_enb = c
                        .mib
                        .as_ref()
                        .is_some_and(|m| m.n_prb == anchor.n_prb && m.sfn == anchor.sfn);
                    if same_enb {
                        cells.push(c);
                    }
                }
            }
        }
        Ok(cells)
    }

    /// The PSS candidate of a known cell: its predicted position moved to where the PSS
    /// correlation, summed over the half frames of `x`, peaks within `KNOWN_RADIUS` (the
    /// sampling clock may have drifted since the cell was last seen).
    fn known_candidate(&self, x: &[Complex32], k: &KnownCell) -> PssCandidate {
        let n2 = usize::from(k.pci % 3);
        let half = HALF_FRAME_SAMPLES as f64;
        let predicted = (k.frame_phase_1p92 + pss_start(k.duplex, k.cp) as f64).rem_euclid(half);
        // The offset goes into the template (t(n) e^{jwn}) instead of the signal: the two
        // differ by a constant phase per position, which |.|^2 drops.
        let w = 2.0 * std::f64::consts::PI * k.freq_offset_hz / SEARCH_RATE_SPS;
        let t = self.pss.template(n2);
        let rotated: Vec<Complex32> = t
            .iter()
            .enumerate()
            .map(|(n, v)| {
                let ph = w * n as f64;
                (v * Complex32::new(ph.cos() as f32, ph.sin() as f32)).conj()
            })
            .collect();
        let radius = KNOWN_RADIUS as isize;
        let mut best = (predicted.round() as usize, f32::MIN);
        for d in -radius..=radius {
            let pos = (predicted.round() as isize + d).rem_euclid(HALF_FRAME_SAMPLES as isize);
            let mut power = 0f32;
            let mut p = pos as usize;
            while let Some(seg) = x.get(p..p + NFFT) {
                let c: Complex32 = seg.iter().zip(&rotated).map(|(a, b)| a * b).sum();
                power += c.norm_sqr();
                p += HALF_FRAME_SAMPLES;
            }
            if power > best.1 {
                best = (pos as usize, power);
            }
        }
        PssCandidate {
            n_id_2: n2 as u8,
            pos: best.0,
            freq_hz: k.freq_offset_hz,
            metric: k.pss_metric,
        }
    }

    /// Tracks one PSS candidate through the capture (`co_sited`: a try at a found cell's
    /// timing, with that cell's group, layout, SFN and ports, reported only with a decoded MIB)
    /// and runs fine frequency, SSS, PBCH and measurements on it. `None` when it is not a cell
    /// (or one already in `cells`).
    #[allow(clippy::too_many_arguments)]
    fn examine(
        &mut self,
        x: &[Complex32],
        factor: usize,
        carrier_freq_hz: Option<f64>,
        cand: &PssCandidate,
        cells: &[LteCellDetection],
        co_sited: Option<KnownCell>,
        known: &[KnownCell],
    ) -> Option<LteCellDetection> {
        let n2 = cand.n_id_2 as usize;
        // Track the PSS through the capture.
        let mut occ: Vec<usize> = Vec::new();
        let mut guess = cand.pos;
        while guess + NFFT + TRACK_RADIUS <= x.len() {
            match self.pss.refine(x, guess, TRACK_RADIUS, n2, cand.freq_hz) {
                Some((p, _)) => {
                    occ.push(p);
                    guess = p + HALF_FRAME_SAMPLES;
                }
                None => break,
            }
        }
        if occ.is_empty() {
            return None;
        }
        // Straight-line fit through the tracked positions: one noisy PSS at low SNR must
        // not move the frame timing, while a sampling-clock drift still is followed.
        fit_line(&mut occ);
        // Fine offset from the phase between the PSS halves (unambiguous +-15 kHz), twice.
        let mut cfo = cand.freq_hz;
        for _ in 0..2 {
            let mut acc = Complex32::new(0.0, 0.0);
            for &p in &occ {
                if let Some((a, b)) = self.pss.half_corr(x, p, n2, cfo) {
                    acc += b * a.conj();
                }
            }
            if acc.norm() > 0.0 {
                cfo += acc.arg() as f64 * SEARCH_RATE_SPS
                    / (2.0 * std::f64::consts::PI * (NFFT / 2) as f64);
            }
        }
        if let Some((sss, k)) = known_match(known, n2, occ[0]) {
            let k = *k;
            let cell = self.complete(
                x,
                factor,
                carrier_freq_hz,
                cand,
                &occ,
                cfo,
                sss,
                cells,
                true,
                Some(&k),
                false,
            );
            if cell.as_ref().is_some_and(|c| c.mib.is_some()) {
                return cell;
            }
        }
        if let Some(anchor) = co_sited {
            // Sectors of one eNB usually share the cell-identity group. The stronger sector's
            // SSS and PSS interfere with this one's in the blind SSS search (measured on the
            // f2585 RTL-SDR capture: PCI 66 next to PCI 68 came out as group 153), so the
            // anchor's group is tried first, with the anchor's offset (one oscillator), SFN and
            // ports (one PBCH hypothesis); only a MIB that passes its CRC (scrambled with this
            // PCI) and agrees with the anchor's accepts it. (A blind SSS search with a relaxed
            // threshold used to follow; it found nothing on the real captures that this does
            // not, and cost a full PBCH search per try.)
            let group = (anchor.pci / 3, anchor.duplex, anchor.cp);
            if let Some(sss) =
                self.sss
                    .detect_group(&mut self.demod, x, n2, &occ, anchor.freq_offset_hz, group)
            {
                let k = KnownCell {
                    sss_metric: sss.margin,
                    ..anchor
                };
                let cell = self.complete(
                    x,
                    factor,
                    carrier_freq_hz,
                    cand,
                    &occ,
                    anchor.freq_offset_hz,
                    sss,
                    cells,
                    true,
                    Some(&k),
                    false,
                );
                if cell.is_some() {
                    return cell;
                }
            }
            return None;
        }
        let sss = self.sss.detect(&mut self.demod, x, n2, &occ, cfo)?;
        if sss.margin < self.cfg.sss_threshold_weak.min(self.cfg.sss_threshold) {
            return None;
        }
        let weak = sss.margin < self.cfg.sss_threshold;
        self.complete(
            x,
            factor,
            carrier_freq_hz,
            cand,
            &occ,
            cfo,
            sss,
            cells,
            weak,
            None,
            weak,
        )
    }

    /// The rest of [`CellSearcher::examine`] once the SSS (detected, or taken from a known
    /// cell) fixed the identity and frame timing: residual offset, PBCH/MIB, measurements.
    /// `strict`: a cell without a MIB is not reported. `known`: the cell this is taken for (its
    /// MIB makes the PBCH decoding a single hypothesis). `confirm_mib`: the MIB counts only once
    /// frames after those it was decoded from decode to the same content.
    #[allow(clippy::too_many_arguments)]
    fn complete(
        &mut self,
        x: &[Complex32],
        factor: usize,
        carrier_freq_hz: Option<f64>,
        cand: &PssCandidate,
        occ: &[usize],
        mut cfo: f64,
        sss: SssDetection,
        cells: &[LteCellDetection],
        strict: bool,
        known: Option<&KnownCell>,
        confirm_mib: bool,
    ) -> Option<LteCellDetection> {
        let n2 = cand.n_id_2 as usize;
        let pci = 3 * sss.n_id_1 + n2 as u16;
        if cells.iter().any(|c| c.pci == pci) {
            return None;
        }
        let pss_off = pss_start(sss.duplex, sss.cp) as isize;
        let mut fs0 = occ[0] as isize - pss_off;
        if !sss.first_is_subframe0 {
            fs0 -= HALF_FRAME_SAMPLES as isize;
        }
        let first_frame = fs0.rem_euclid(FRAME_SAMPLES as isize) as usize;
        // Ports and SFN of `first_frame` when the cell is known with a MIB.
        let mib_hint = known.and_then(|k| {
            let (ports, sfn) = k.mib?;
            let frames = ((first_frame as f64 - k.frame_phase_1p92) / FRAME_SAMPLES as f64).round();
            Some((
                ports,
                (i32::from(sfn) + frames as i32).rem_euclid(1024) as u16,
            ))
        });
        // Residual offset from the rotation of the port-0 pilots between the two slots of
        // subframe 0 (unambiguous +-1 kHz, and the PSS estimate is within a few 100 Hz).
        // A known cell's offset is already within a few hundred Hz: the long pass alone serves.
        let passes: &[bool] = if known.is_some() {
            &[false]
        } else {
            &[true, false]
        };
        for &short in passes {
            let mut rot = Complex32::new(0.0, 0.0);
            let mut rot_abs = 0f32;
            let mut span = SLOT_SAMPLES;
            // (a known cell's offset was already refined in earlier windows: 4 frames serve)
            let frames = if known.is_some() { 4 } else { 8 };
            for k in 0..frames {
                let start = first_frame + k * FRAME_SAMPLES;
                if let Some(f) =
                    self.pbch
                        .receive_frame(&mut self.demod, x, start, cfo, pci, sss.cp)
                {
                    let r = if short {
                        span = f.pilot_short_samples;
                        f.pilot_rotation_short
                    } else {
                        f.pilot_rotation
                    };
                    rot += r;
                    rot_abs += r.norm();
                }
            }
            // Only trust a clearly coherent rotation; at low SNR the PSS estimate is better.
            if rot_abs > 0.0 && rot.norm() > 0.5 * rot_abs {
                let delta =
                    rot.arg() as f64 * SEARCH_RATE_SPS / (2.0 * std::f64::consts::PI * span as f64);
                if delta.abs() < 1_500.0 {
                    cfo += delta;
                }
            }
        }
        // PBCH in as many frames as needed.
        let mut frames: Vec<(usize, PbchFrame)> = Vec::new();
        let mut mib = None;
        // frame indices the MIB was decoded from (a confirmation uses the others)
        let mut mib_frames = 0..0;
        // A weak candidate (MIB to confirm) is decoded twice only, from the newest frames after
        // 4 (one PBCH period) and after all are received: most such candidates are noise, and
        // every PBCH try costs up to 12 Viterbi runs per frame combination.
        let total = (0..self.cfg.max_mib_frames)
            .take_while(|k| first_frame + k * FRAME_SAMPLES + FRAME_SAMPLES / 10 <= x.len())
            .count();
        let mut k = 0;
        while k < self.cfg.max_mib_frames {
            let predicted = first_frame + k * FRAME_SAMPLES;
            if predicted + FRAME_SAMPLES / 10 > x.len() {
                break;
            }
            // Use the tracked subframe-0 PSS closest to the prediction for local timing.
            let pss_pred = predicted + pss_off as usize;
            let start = occ
                .iter()
                .find(|&&p| p.abs_diff(pss_pred) <= 2 * TRACK_RADIUS + 2)
                .and_then(|&p| p.checked_sub(pss_off as usize))
                .unwrap_or(predicted);
            if let Some(f) = self
                .pbch
                .receive_frame(&mut self.demod, x, start, cfo, pci, sss.cp)
            {
                frames.push((k, f));
            }
            k += 1;
            if mib.is_none() && (!confirm_mib || k == 4 || k >= total) {
                if let Some((m, used)) = self.try_mib(&frames, pci, mib_hint) {
                    mib = Some(m);
                    mib_frames = used;
                }
            }
            // a MIB to confirm needs the other frames of the window too
            if mib.is_some() && frames.len() >= 2 && !confirm_mib {
                break;
            }
        }
        if confirm_mib {
            if let Some(m) = &mib {
                if !self.mib_confirmed(&frames, mib_frames, pci, m) {
                    mib = None;
                }
            }
        }
        if mib.is_none()
            && (strict
                || !self.cfg.report_without_mib
                || sss.margin < self.cfg.sss_threshold_no_mib)
        {
            return None;
        }
        let (rsrp_dbfs, rsrq_db, sinr_db) = measurements(&frames);
        Some(LteCellDetection {
            pci,
            n_id_1: sss.n_id_1,
            n_id_2: n2 as u8,
            duplex: sss.duplex,
            cp: sss.cp,
            freq_offset_hz: cfo,
            freq_offset_ppm: carrier_freq_hz.filter(|f| *f > 0.0).map(|f| cfo / f * 1e6),
            frame_start_sample: (first_frame * factor) as u64,
            frame_start_sample_1p92: first_frame as f64,
            pss_metric: cand.metric,
            sss_metric: sss.margin,
            rsrp_dbfs,
            rsrq_db,
            sinr_db,
            mib,
        })
    }

    /// Decodes the newest frame alone, then together with its predecessors in the same 40 ms
    /// PBCH period. Returns the MIB with the SFN of frame index 0.
    /// With `hint` (ports, SFN of frame index 0) only that hypothesis is decoded. Also returns
    /// the frame indices the MIB came from.
    fn try_mib(
        &mut self,
        frames: &[(usize, PbchFrame)],
        pci: u16,
        hint: Option<(u8, u16)>,
    ) -> Option<(crate::MibInfo, std::ops::Range<usize>)> {
        let n = frames.len();
        if n == 0 {
            return None;
        }
        for len in 1..=n.min(4) {
            let group = &frames[n - len..];
            // Only consecutive frames can share one soft combination.
            if group.windows(2).any(|w| w[1].0 != w[0].0 + 1) {
                break;
            }
            let refs: Vec<&PbchFrame> = group.iter().map(|(_, f)| f).collect();
            let dec = match hint {
                Some((ports, sfn0)) => {
                    let phase = (usize::from(sfn0) + group[0].0) % 4;
                    // Frames of one soft combination stay inside one 40 ms PBCH period.
                    if phase + refs.len() > 4 {
                        continue;
                    }
                    self.pbch.decode_known(&refs, pci, ports, phase)
                }
                None => self.pbch.decode(&refs, pci),
            };
            if let Some(dec) = dec {
                let first_idx = group[0].0;
                let m = parse_mib(&dec.bits, dec.sfn_mod4 as u16, dec.ports)?;
                let sfn = (m.sfn as i32 - first_idx as i32).rem_euclid(1024) as u16;
                return Some((crate::MibInfo { sfn, ..m }, first_idx..first_idx + len));
            }
        }
        None
    }
}

/// Mean agreement of the frames a MIB was not decoded from with its codeword, above which it
/// is confirmed. A frame without that MIB agrees to about 0 +- 0.05 (480 soft bits); the weak
/// f2585 cell that needs the path (SSS z 4.1) gives 0.38-0.64 per frame.
const CONFIRM_AGREEMENT: f32 = 0.15;

impl CellSearcher {
    /// Whether the frames outside `used` carry `mib` too (mean codeword agreement over at
    /// least two of them).
    fn mib_confirmed(
        &mut self,
        frames: &[(usize, PbchFrame)],
        used: std::ops::Range<usize>,
        pci: u16,
        mib: &MibInfo,
    ) -> bool {
        let mut payload = [0u8; 24];
        for (b, c) in payload.iter_mut().zip(mib.payload_bits.bytes()) {
            *b = u8::from(c == b'1');
        }
        let agreements: Vec<f32> = frames
            .iter()
            .filter(|(k, _)| !used.contains(k))
            .filter_map(|(k, f)| {
                let sfn = ((usize::from(mib.sfn) + k) % 1024) as u16;
                self.pbch.frame_agreement(f, pci, &payload, mib.ports, sfn)
            })
            .collect();
        agreements.len() >= 2
            && agreements.iter().sum::<f32>() / agreements.len() as f32 >= CONFIRM_AGREEMENT
    }
}

/// The SSS outcome implied by a known cell whose frame timing puts a PSS of root `n_id_2` at
/// `pss_pos` (within `KNOWN_RADIUS`), or `None`.
fn known_timing(known: &[KnownCell], n_id_2: usize, pss_pos: usize) -> Option<SssDetection> {
    known_match(known, n_id_2, pss_pos).map(|(s, _)| s)
}

/// [`known_timing`] with the known cell's ports and the SFN of the first whole frame starting
/// at or after `frame_start` (the frame timing the caller derived from `pss_pos`).
fn known_match(
    known: &[KnownCell],
    n_id_2: usize,
    pss_pos: usize,
) -> Option<(SssDetection, &KnownCell)> {
    let frame = FRAME_SAMPLES as f64;
    known.iter().find_map(|k| {
        if usize::from(k.pci % 3) != n_id_2 {
            return None;
        }
        let off = pss_start(k.duplex, k.cp) as f64;
        [true, false].into_iter().find_map(|sub0| {
            let start = pss_pos as f64 - off - if sub0 { 0.0 } else { HALF_FRAME_SAMPLES as f64 };
            let d = (start - k.frame_phase_1p92).rem_euclid(frame);
            (d.min(frame - d) <= KNOWN_RADIUS).then_some((
                SssDetection {
                    n_id_1: k.pci / 3,
                    duplex: k.duplex,
                    cp: k.cp,
                    first_is_subframe0: sub0,
                    margin: k.sss_metric,
                },
                k,
            ))
        })
    })
}

/// PSS candidates this close (1.92 Msps samples, modulo a half frame) to a cell's PSS are taken
/// for ghosts of it in tracking windows.
const GHOST_RADIUS: usize = 160;

/// Whether `pss_pos` lies within `GHOST_RADIUS` of the PSS of a found or known cell.
fn near_cell(cells: &[LteCellDetection], known: &[KnownCell], pss_pos: usize) -> bool {
    let half = HALF_FRAME_SAMPLES as f64;
    let close = |pss: f64| {
        let d = (pss - pss_pos as f64).rem_euclid(half);
        d.min(half - d) <= GHOST_RADIUS as f64
    };
    cells
        .iter()
        .any(|c| close(c.frame_start_sample_1p92 + pss_start(c.duplex, c.cp) as f64))
        || known
            .iter()
            .any(|k| close(k.frame_phase_1p92 + pss_start(k.duplex, k.cp) as f64))
}

/// Replaces `occ[i]` by the least-squares line through (i, occ[i] - i * half frame).
fn fit_line(occ: &mut [usize]) {
    let n = occ.len();
    if n < 3 {
        return;
    }
    let ys: Vec<f64> = occ
        .iter()
        .enumerate()
        .map(|(i, &p)| p as f64 - (i * HALF_FRAME_SAMPLES) as f64)
        .collect();
    let nf = n as f64;
    let mx = (nf - 1.0) / 2.0;
    let my = ys.iter().sum::<f64>() / nf;
    let mut sxy = 0.0;
    let mut sxx = 0.0;
    for (i, y) in ys.iter().enumerate() {
        let dx = i as f64 - mx;
        sxy += dx * (y - my);
        sxx += dx * dx;
    }
    let slope = sxy / sxx;
    for (i, p) in occ.iter_mut().enumerate() {
        let y = my + slope * (i as f64 - mx);
        let v = y.round() + (i * HALF_FRAME_SAMPLES) as f64;
        if v >= 0.0 {
            *p = v as usize;
        }
    }
}

fn measurements(frames: &[(usize, PbchFrame)]) -> (Option<f64>, Option<f64>, Option<f64>) {
    if frames.is_empty() {
        return (None, None, None);
    }
    let n = frames.len() as f64;
    let rsrp = frames.iter().map(|(_, f)| f.rsrp).sum::<f64>() / n;
    let rssi = frames.iter().map(|(_, f)| f.rssi).sum::<f64>() / n;
    let sig = frames.iter().map(|(_, f)| f.signal).sum::<f64>() / n;
    let noise = frames.iter().map(|(_, f)| f.noise).sum::<f64>() / n;
    let db = |v: f64| 10.0 * v.max(1e-30).log10();
    let rsrq = if rssi > 0.0 {
        Some(db(6.0 * rsrp / rssi))
    } else {
        None
    };
    (Some(db(rsrp)), rsrq, Some(db(sig) - db(noise)))
}
