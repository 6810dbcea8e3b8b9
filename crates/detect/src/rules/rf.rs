//! RF / physical-layer and time-pattern rules (indicators.md sections 5 and 6): power, motion,
//! frequency accuracy, lifetime, and the composite SMS-blaster sequence.

use serde_json::{json, Value};

use super::identity::strongest_baseline_power;
use super::{r2, Context, Detection, Rule, Severity};
use crate::model::Rat;
use crate::scene::{mean_std, median, CellHistory};

/// `abnormal_power`.
pub struct AbnormalPower;

impl Rule for AbnormalPower {
    rule_meta!(
        "abnormal_power",
        "Power far above normal",
        1,
        Severity::Medium,
        "Fakes must out-shout real cells; SMS blasters carry power amplifiers (500-2000 m \
         range reported). Known cell: peak sustained level (largest median over any 60 s) > baseline mean \
         + 2 sigma (sigma floored at 1 dB, >= 3 baseline samples) -> medium. New cell: >= 10 dB \
         above the strongest baseline cell of the same RAT and operator -> medium. FPs: sensor \
         or antenna moved, new site nearby, ducting. Sources: Crocodile Hunter check_rssi, \
         FBS-Radar (NDSS 2017)."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let th = ctx.thresholds;
        // The peak sustained level: a replayed drive-by counts at its closest pass.
        let Some((cur, t)) = cell.peak_power_dbfs(th.power_recent_window_ms) else {
            return Vec::new();
        };
        let known = ctx.known(cell);
        if let Some(k) = known
            .iter()
            .find(|k| k.power_samples >= th.power_min_samples)
        {
            let (Some(mean), Some(std)) = (k.power_mean_dbfs, k.power_std_db) else {
                return Vec::new();
            };
            let limit = mean + th.power_sigma * std.max(th.power_min_std_db);
            if cur > limit {
                return vec![Detection::new(
                    self,
                    Severity::Medium,
                    t,
                    format!(
                        "power {} dBFS above its baseline {} +/- {} dB",
                        r2(cur),
                        r2(mean),
                        r2(std)
                    ),
                    json!({"power_dbfs": r2(cur), "baseline_mean_dbfs": r2(mean),
                           "baseline_std_db": r2(std), "limit_dbfs": r2(limit),
                           "sigma": th.power_sigma, "min_std_db": th.power_min_std_db}),
                )];
            }
            return Vec::new();
        }
        if !known.is_empty() {
            return Vec::new();
        }
        let Some(strongest) = strongest_baseline_power(cell, ctx) else {
            return Vec::new();
        };
        if cur >= strongest + th.new_cell_excess_db {
            return vec![Detection::new(
                self,
                Severity::Medium,
                t,
                format!(
                    "new cell at {} dBFS, {} dB above the strongest baseline cell",
                    r2(cur),
                    r2(cur - strongest)
                ),
                json!({"power_dbfs": r2(cur), "strongest_baseline_dbfs": strongest,
                       "excess_db": th.new_cell_excess_db}),
            )];
        }
        Vec::new()
    }
}

/// Least-squares slope of value over time, per minute.
fn slope_per_min(samples: &[(i64, f64)]) -> Option<f64> {
    if samples.len() < 2 {
        return None;
    }
    let n = samples.len() as f64;
    let t0 = samples.first()?.0;
    let xs: Vec<f64> = samples
        .iter()
        .map(|s| (s.0 - t0) as f64 / 60_000.0)
        .collect();
    let mx = xs.iter().sum::<f64>() / n;
    let my = samples.iter().map(|s| s.1).sum::<f64>() / n;
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = xs
        .iter()
        .zip(samples)
        .map(|(x, s)| (x - mx) * (s.1 - my))
        .sum();
    Some(sxy / sxx)
}

/// `moving_source_power`.
pub struct MovingSourcePower;

impl Rule for MovingSourcePower {
    rule_meta!(
        "moving_source_power",
        "Power of a moving transmitter",
        2,
        Severity::Medium,
        "Car/backpack blasters move; a real BTS seen from a fixed sensor is stable. Over the \
         last 5 min (>= 5 samples spanning >= 30 s): power std > 6 dB or a linear trend > 10 \
         dB/min -> medium; suppressed when the cell's own baseline std is >= 2 dB (a cell known \
         to fade). When the sensor's positions are known and it moved >= 100 m in the window \
         (a drive), power is judged against distance instead: the best static-transmitter \
         log-distance fit (cellsentry-locate) must leave a robust residual std > 10 dB -> \
         medium; a drive past a static cell is not a moving source. FPs: moving obstacles, TRX \
         swaps, a moving sensor without positions. Sources: SeaGlass (PoPETs 2017); Crocodile \
         Hunter check_new_location; Polystar/Elisa operator case."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let th = ctx.thresholds;
        let Some(last) = cell.power_dbfs.last().map(|s| s.time_unix_ms) else {
            return Vec::new();
        };
        let w: Vec<(i64, f64)> = cell
            .recent_power(th.moving_window_ms)
            .iter()
            .map(|s| (s.time_unix_ms, s.value))
            .collect();
        let span = w.last().map_or(0, |l| l.0) - w.first().map_or(0, |f| f.0);
        if w.len() < th.moving_min_samples || span < th.moving_min_span_ms {
            return Vec::new();
        }
        if let Some(d) = self.judge_against_distance(cell, ctx, last, w.len()) {
            return d;
        }
        let noisy_baseline = ctx
            .known(cell)
            .iter()
            .filter_map(|k| k.power_std_db)
            .any(|s| s >= th.moving_baseline_std_max_db);
        if noisy_baseline {
            return Vec::new();
        }
        let values: Vec<f64> = w.iter().map(|s| s.1).collect();
        let Some((_, std)) = mean_std(&values) else {
            return Vec::new();
        };
        let slope = slope_per_min(&w).unwrap_or(0.0);
        if std <= th.moving_std_db && slope.abs() <= th.moving_trend_db_per_min {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::Medium,
            last,
            format!(
                "power varies like a moving source: std {} dB, trend {} dB/min over {} s",
                r2(std),
                r2(slope),
                span / 1000
            ),
            json!({"std_db": r2(std), "trend_db_per_min": r2(slope), "samples": w.len(),
                   "span_ms": span, "std_limit_db": th.moving_std_db,
                   "trend_limit_db_per_min": th.moving_trend_db_per_min}),
        )]
    }
}

impl MovingSourcePower {
    /// With sensor positions for most of the window and a sensor that moved: `Some(result)`
    /// from the static-transmitter fit; `None` to judge raw power (fixed or unknown sensor).
    fn judge_against_distance(
        &self,
        cell: &CellHistory,
        ctx: &Context,
        last: i64,
        samples: usize,
    ) -> Option<Vec<Detection>> {
        use cellsentry_locate::{locate, LocalFrame, LocateConfig, Measurement};
        let th = ctx.thresholds;
        let pts: Vec<_> = cell
            .positioned_power
            .iter()
            .filter(|p| p.time_unix_ms >= last - th.moving_window_ms)
            .collect();
        if pts.len() < th.moving_min_samples || 2 * pts.len() < samples {
            return None;
        }
        let first = pts.first()?;
        let frame = LocalFrame::new(first.lat_deg, first.lon_deg);
        let travel_m = pts
            .iter()
            .map(|p| {
                let (x, y) = frame.to_xy(p.lat_deg, p.lon_deg);
                x.hypot(y)
            })
            .fold(0.0, f64::max);
        if travel_m < th.moving_sensor_travel_m {
            return None;
        }
        let rows: Vec<Measurement> = pts
            .iter()
            .map(|p| Measurement {
                point: cellsentry_locate::GeoPoint::new(p.lat_deg, p.lon_deg),
                power_db: p.power_dbfs,
                time_unix_ms: p.time_unix_ms,
                sensor: "run".into(),
            })
            .collect();
        // Too few places to fit: the sensor moved but the power cannot be judged either way.
        let Ok(fit) = locate(&rows, &LocateConfig::default()) else {
            return Some(Vec::new());
        };
        if fit.residual_sd_db <= th.moving_residual_std_db {
            return Some(Vec::new());
        }
        Some(vec![Detection::new(
            self,
            Severity::Medium,
            last,
            format!(
                "power does not follow distance like a static transmitter: {} dB around the \
                 best static fit while the sensor moved {} m",
                r2(fit.residual_sd_db),
                travel_m.round()
            ),
            json!({"residual_std_db": r2(fit.residual_sd_db),
                   "residual_std_limit_db": th.moving_residual_std_db,
                   "sensor_travel_m": travel_m.round(), "samples": rows.len(),
                   "static_fit": {"lat_deg": fit.point.lat_deg, "lon_deg": fit.point.lon_deg,
                                  "exponent": r2(fit.exponent)}}),
        )])
    }
}

/// `frequency_offset_outlier`.
pub struct FrequencyOffsetOutlier;

impl Rule for FrequencyOffsetOutlier {
    rule_meta!(
        "frequency_offset_outlier",
        "Carrier frequency off the network's reference",
        2,
        Severity::Medium,
        "Real BTS/eNB references hold +/-0.05 ppm (TS 45.010 5.1, TS 36.104 6.5.1); SDR rigs \
         often sit at 0.5-20 ppm. The sensor's own error is removed first (kalibrate-style): \
         reference = median of the other cells' median offsets when >= 2 baseline cells are \
         heard, else the median over every cell heard, this one included, so that with few \
         cells one outlier (perhaps this very cell) cannot pull the reference; >= 2 other \
         cells needed. |offset - \
         reference| > 0.2 ppm -> medium, > 1 ppm -> high. FPs: sensor drift between scans, \
         Doppler, repeaters; GPSDO-locked rigs defeat it. Sources: kalibrate, gr-gsm \
         clock_offset_control, srsRAN CFO estimator."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let th = ctx.thresholds;
        let Some(own) = cell.median_offset_ppm() else {
            return Vec::new();
        };
        let mut known_refs = Vec::new();
        let mut all_refs = Vec::new();
        for o in ctx.others(cell) {
            let Some(m) = o.median_offset_ppm() else {
                continue;
            };
            all_refs.push(m);
            if !ctx.known(o).is_empty() {
                known_refs.push(m);
            }
        }
        let (mut refs, from) = if known_refs.len() >= th.offset_min_reference_cells {
            (known_refs, "baseline_cells")
        } else {
            (all_refs, "all_cells")
        };
        if refs.len() < th.offset_min_reference_cells {
            return Vec::new();
        }
        if from == "all_cells" {
            refs.push(own);
        }
        let Some(reference) = median(refs.iter().copied()) else {
            return Vec::new();
        };
        let dev = own - reference;
        let sev = if dev.abs() > th.offset_high_ppm {
            Severity::High
        } else if dev.abs() > th.offset_medium_ppm {
            Severity::Medium
        } else {
            return Vec::new();
        };
        let dev_hz = cell.dl_freq_hz.map(|f| r2(dev * f / 1e6));
        vec![Detection::new(
            self,
            sev,
            cell.last_seen_unix_ms,
            format!(
                "carrier {} ppm off the other cells after removing the receiver error",
                r2(dev)
            ),
            json!({"offset_ppm": r2(own), "reference_ppm": r2(reference),
                   "corrected_ppm": r2(dev), "corrected_hz": dev_hz,
                   "reference_cells": refs.len(), "reference_from": from,
                   "medium_ppm": th.offset_medium_ppm, "high_ppm": th.offset_high_ppm}),
        )]
    }
}

/// `short_lived_cell`.
pub struct ShortLivedCell;

impl Rule for ShortLivedCell {
    rule_meta!(
        "short_lived_cell",
        "Cell appeared briefly",
        1,
        Severity::Medium,
        "Blasters transmit in bursts while driving; SeaGlass looked for temporary towers and \
         the Polystar operator case saw fake cells live < 1 min. Fires when a cell unknown to \
         the baseline was present < 30 min and the sensor was listening for >= 5 min before it \
         appeared and after it vanished -> medium. FPs: scan gaps, ducting. Sources: SeaGlass \
         (PoPETs 2017); Elisa/Polystar SMS-blaster detection."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let th = ctx.thresholds;
        let (Some(start), Some(end)) = (ctx.scene.start_unix_ms(), ctx.scene.end_unix_ms()) else {
            return Vec::new();
        };
        let before = cell.first_seen_unix_ms - start;
        let after = end - cell.last_seen_unix_ms;
        let life = cell.duration_ms();
        if life >= th.short_lived_max_ms
            || before < th.short_lived_margin_ms
            || after < th.short_lived_margin_ms
            || !ctx.known(cell).is_empty()
        {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::Medium,
            cell.last_seen_unix_ms,
            format!(
                "unknown cell lived {} s, absent {} s before and {} s after",
                life / 1000,
                before / 1000,
                after / 1000
            ),
            json!({"lifetime_ms": life, "listened_before_ms": before, "listened_after_ms": after,
                   "max_lifetime_ms": th.short_lived_max_ms, "margin_ms": th.short_lived_margin_ms}),
        )]
    }
}

/// `sms_blaster_pattern`.
pub struct SmsBlasterPattern;

impl SmsBlasterPattern {
    /// LTE events (jamming, carrier loss, suspicious new LTE cell) within `w` of `t0`.
    fn lte_events(ctx: &Context, t0: i64, w: i64) -> Vec<(i64, Value)> {
        let th = ctx.thresholds;
        let mut events = Vec::new();
        let all = ctx.scene.carriers();
        // Carriers are kept in time order: only the window is examined, and the reference
        // search walks back from each event only until it meets the carrier's last sync.
        let lo = all.partition_point(|c| c.time_unix_ms < t0 - w);
        let hi = all.partition_point(|c| c.time_unix_ms <= t0 + w);
        for i in lo..hi {
            let Some(c) = all.get(i).filter(|c| c.rat == Rat::Lte) else {
                continue;
            };
            // Reference: the latest earlier measurement of the carrier with sync, else the
            // baseline's record of it.
            let prev = all[..i]
                .iter()
                .rev()
                .find(|p| p.rat == Rat::Lte && p.channel == c.channel && p.sync_found);
            let (ref_power, ref_noise, ref_from) = match prev {
                Some(p) => (p.power_dbfs, p.noise_floor_dbfs, "run"),
                None => match ctx
                    .baseline
                    .carriers
                    .iter()
                    .find(|k| k.rat == Rat::Lte && k.channel == c.channel)
                {
                    Some(k) => (k.power_mean_dbfs, k.noise_floor_dbfs, "baseline"),
                    None => continue,
                },
            };
            let mut what = Vec::new();
            if ref_power - c.power_dbfs >= th.jam_power_change_db {
                what.push("power_drop");
            }
            if !c.sync_found && c.power_dbfs - ref_power >= th.jam_power_change_db {
                what.push("power_rise_sync_lost");
            }
            if let (Some(n), Some(r)) = (c.noise_floor_dbfs, ref_noise) {
                if n - r >= th.jam_noise_rise_db {
                    what.push("noise_rise");
                }
            }
            if !what.is_empty() {
                events.push((
                    c.time_unix_ms,
                    json!({"kind": what, "earfcn": c.channel, "time_unix_ms": c.time_unix_ms,
                           "power_dbfs": r2(c.power_dbfs), "reference_power_dbfs": r2(ref_power),
                           "noise_floor_dbfs": c.noise_floor_dbfs,
                           "reference_noise_dbfs": ref_noise, "sync_found": c.sync_found,
                           "reference_from": ref_from}),
                ));
            }
        }
        let lte_cells = ctx
            .scene
            .cells()
            .iter()
            .filter(|o| o.key.rat == Rat::Lte && (o.first_seen_unix_ms - t0).abs() <= w);
        for o in lte_cells {
            let incomplete = o
                .lte
                .as_ref()
                .and_then(|l| l.sib1.as_ref())
                .is_some_and(|s| s.scheduling.len() < th.lte_min_scheduling_entries);
            let unknown_pci = match (o.key.channel, o.key.bsic_pci) {
                (Some(e), Some(p)) => {
                    let pcis: Vec<u16> = ctx
                        .index
                        .by_channel(ctx.baseline, Rat::Lte, e)
                        .iter()
                        .filter_map(|k| k.key.bsic_pci)
                        .collect();
                    !pcis.is_empty() && !pcis.contains(&p)
                }
                _ => false,
            };
            if incomplete || unknown_pci {
                events.push((
                    o.first_seen_unix_ms,
                    json!({"kind": ["new_suspicious_lte_cell"], "cell": o.key,
                           "time_unix_ms": o.first_seen_unix_ms,
                           "incomplete_sib1": incomplete, "unknown_pci": unknown_pci}),
                ));
            }
        }
        events
    }
}

impl Rule for SmsBlasterPattern {
    rule_meta!(
        "sms_blaster_pattern",
        "LTE knocked out, then a new strong GSM cell",
        1,
        Severity::High,
        "SMS blasters jam or capture LTE for seconds, phones fall back to a strong fake GSM \
         cell, get the SMS and are released (Enea: under 10 s). Fires on a GSM cell when (a) \
         an LTE carrier dropped >= 10 dB, rose >= 10 dB with its PSS lost, or its noise floor \
         rose >= 10 dB (against its last synced measurement or the baseline), or a new LTE \
         cell with an incomplete SIB1 / unknown PCI appeared, and (b) within 60 s of that the \
         GSM cell appeared, unknown to the baseline and strong (>= 10 dB above the strongest \
         baseline GSM cell of its operator, or, without baseline levels, the strongest GSM \
         cell heard) -> high. A lost PSS without a power change is not counted (fading). FPs: \
         real LTE outage together with a new real GSM site. Sources: UK/TH/ID/BR/AT/CA cases \
         in indicators.md section 6; Enea; Google security blog."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        if cell.key.rat != Rat::Gsm || !ctx.known(cell).is_empty() {
            return Vec::new();
        }
        let th = ctx.thresholds;
        let Some(power) = cell.median_power_dbfs() else {
            return Vec::new();
        };
        let t0 = cell.first_seen_unix_ms;
        let w = th.blaster_window_ms;
        let (strong, strong_why) = match strongest_baseline_power(cell, ctx) {
            Some(b) => (
                power >= b + th.new_cell_excess_db,
                json!({"strongest_baseline_dbfs": b, "excess_db": th.new_cell_excess_db}),
            ),
            None => {
                let louder = ctx
                    .others(cell)
                    .filter(|o| o.key.rat == Rat::Gsm && o.overlaps(t0 - w, t0 + w, 0))
                    .filter_map(|o| o.median_power_dbfs())
                    .filter(|p| *p > power)
                    .count();
                (louder == 0, json!({"strongest_gsm_in_run": louder == 0}))
            }
        };
        if !strong {
            return Vec::new();
        }
        let events: Vec<Value> = Self::lte_events(ctx, t0, w)
            .into_iter()
            .filter(|(t, _)| (t0 - *t).abs() <= w)
            .map(|(_, v)| v)
            .collect();
        if events.is_empty() {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::High,
            t0,
            format!(
                "new strong GSM cell {} appeared within {} s of an LTE disruption",
                cell.key,
                w / 1000
            ),
            json!({"gsm_first_seen_unix_ms": t0, "gsm_power_dbfs": r2(power),
                   "strength": strong_why, "lte_events": events, "window_ms": w}),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::Baseline;
    use crate::model::{CarrierObservation, CellObservation, LteSib1, LteSystemInfo};
    use crate::profile::Profile;
    use crate::rules::testkit::*;
    use crate::scene::Scene;
    use crate::thresholds::Thresholds;

    fn series(o: &CellObservation, powers: &[(i64, f64)]) -> Vec<CellObservation> {
        powers
            .iter()
            .map(|(t, p)| {
                let mut x = o.clone();
                x.time_unix_ms = *t;
                x.power_dbfs = Some(*p);
                x
            })
            .collect()
    }

    #[test]
    fn power_known_and_new() {
        let a = gsm(0, "234-15", 100, 1, 10, 20);
        let base = baseline_of(&series(
            &a,
            &[(0, -50.0), (1, -51.0), (2, -49.0), (3, -50.0)],
        ));
        // Known cell at -40: mean -50, std 0.71 -> floor 1 -> limit -48.
        let d = eval_last_with(&AbnormalPower, &series(&a, &[(10, -40.0)]), &base);
        assert_eq!(d.len(), 1);
        assert!(eval_last_with(&AbnormalPower, &series(&a, &[(10, -49.0)]), &base).is_empty());
        // New Vodafone cell 15 dB above the strongest: fires; 5 dB above: not.
        let n = gsm(0, "234-15", 3101, 40961, 62, 21);
        assert_eq!(
            eval_last_with(&AbnormalPower, &series(&n, &[(0, -35.0)]), &base).len(),
            1
        );
        assert!(eval_last_with(&AbnormalPower, &series(&n, &[(0, -45.0)]), &base).is_empty());
        // Empty baseline: nothing to compare with.
        assert!(eval_last(&AbnormalPower, &series(&n, &[(0, -5.0)])).is_empty());
    }

    #[test]
    fn moving() {
        let a = gsm(0, "234-15", 3101, 40961, 62, 21);
        // 20 dB rise over 1 min: trend 20 dB/min.
        let ramp: Vec<(i64, f64)> = (0..7)
            .map(|i| (i * 10_000, -70.0 + 20.0 * i as f64 / 6.0))
            .collect();
        assert_eq!(eval_last(&MovingSourcePower, &series(&a, &ramp)).len(), 1);
        let flat: Vec<(i64, f64)> = (0..7)
            .map(|i| (i * 10_000, -50.0 + (i % 2) as f64))
            .collect();
        assert!(eval_last(&MovingSourcePower, &series(&a, &flat)).is_empty());
        // Too few samples.
        assert!(eval_last(&MovingSourcePower, &series(&a, &ramp[..3])).is_empty());
        // Known fading cell (baseline std >= 2 dB): suppressed.
        let noisy = baseline_of(&series(&a, &[(0, -50.0), (1, -56.0), (2, -44.0)]));
        assert!(eval_last_with(&MovingSourcePower, &series(&a, &ramp), &noisy).is_empty());
    }

    /// A drive east along y = 0 at 12 m/s for 240 s (0.5 s samples) past a transmitter at
    /// (1300, 150): log-distance loss (n = 3.2) with 7 dB of smooth shadowing. `power_of`
    /// may replace the power (for a transmitter that is not where the model puts it).
    fn drive(
        positions: bool,
        power_of: impl Fn(f64, f64, f64) -> Option<f64>,
    ) -> Vec<CellObservation> {
        let frame = cellsentry_locate::LocalFrame::new(51.5, -0.12);
        let a = gsm(0, "234-15", 3101, 40961, 62, 21);
        (0..480)
            .map(|i| {
                let t = i as f64 * 0.5;
                let (x, y) = (12.0 * t, 0.0);
                let d = ((x - 1300.0f64).powi(2) + 150.0f64.powi(2) + 100.0).sqrt();
                // Deterministic shadowing: a few incommensurate waves, ~7 dB rms over tens of m.
                let sh = 5.0 * (x / 37.0).sin()
                    + 4.0 * (x / 23.0 + 1.0).sin()
                    + 3.0 * (x / 71.0 + 2.0).cos();
                let p = power_of(t, x, y).unwrap_or(-20.0 - 32.0 * d.log10() + sh);
                let mut o = a.clone();
                o.time_unix_ms = (t * 1000.0) as i64;
                o.power_dbfs = Some(p);
                if positions {
                    let (lat, lon) = frame.to_lat_lon(x, y);
                    o.lat_deg = Some(lat);
                    o.lon_deg = Some(lon);
                }
                o
            })
            .collect()
    }

    #[test]
    fn sensor_motion_is_not_source_motion() {
        // Without positions the drive-by looks like a moving source (the old false positive).
        let without = drive(false, |_, _, _| None);
        assert_eq!(eval_last(&MovingSourcePower, &without).len(), 1);
        // With positions, power follows distance from one place: not a moving source.
        let with = drive(true, |_, _, _| None);
        assert!(eval_last(&MovingSourcePower, &with).is_empty());
        // A transmitter that really moves: power rises and falls four times along a straight
        // road, which no static transmitter explains.
        let moving = drive(true, |t, _, _| {
            Some(-60.0 + 22.0 * (t * std::f64::consts::TAU / 60.0).sin())
        });
        let d = eval_last(&MovingSourcePower, &moving);
        assert_eq!(d.len(), 1);
        assert!(d[0].evidence["residual_std_db"].as_f64().unwrap() > 10.0);
        // A fixed sensor with a known position and a transmitter driving past it (the
        // moving_blaster scene): still fires, on the raw power trend.
        let frame = cellsentry_locate::LocalFrame::new(51.5, -0.12);
        let (lat, lon) = frame.to_lat_lon(0.0, 0.0);
        let a = gsm(0, "234-15", 3101, 40961, 62, 21);
        let ramp: Vec<CellObservation> = (0..120)
            .map(|i| {
                let mut o = a.clone();
                o.time_unix_ms = i * 500;
                o.power_dbfs = Some(-45.0 + 40.0 * (1.0 - ((i as f64 - 60.0) / 60.0).abs()));
                o.lat_deg = Some(lat);
                o.lon_deg = Some(lon);
                o
            })
            .collect();
        assert_eq!(eval_last(&MovingSourcePower, &ramp).len(), 1);
    }

    #[test]
    fn offset() {
        // Receiver error +2 ppm on every cell; the fake is 1.5 ppm further off.
        let mk = |ci: u32, arfcn: u16, ppm: f64| {
            let mut o = gsm(0, "234-15", 100, ci, arfcn, 20);
            o.freq_offset_ppm = Some(ppm);
            o
        };
        let refs = [mk(1, 10, 2.02), mk(2, 12, 1.98), mk(3, 14, 2.0)];
        let mut obs = refs.to_vec();
        obs.push(mk(9, 62, 3.5));
        assert_eq!(
            eval_last(&FrequencyOffsetOutlier, &obs)[0].severity,
            Severity::High
        );
        obs.pop();
        obs.push(mk(9, 62, 2.5));
        assert_eq!(
            eval_last(&FrequencyOffsetOutlier, &obs)[0].severity,
            Severity::Medium
        );
        obs.pop();
        obs.push(mk(9, 62, 2.1));
        assert!(eval_last(&FrequencyOffsetOutlier, &obs).is_empty());
        // One reference only: cannot calibrate.
        assert!(eval_last(&FrequencyOffsetOutlier, &[refs[0].clone(), mk(9, 62, 5.0)]).is_empty());
        // Hz + DL frequency path: 947.4 Hz at 947.4 MHz = 1 ppm.
        let mut h = gsm(0, "234-15", 100, 9, 62, 20);
        h.freq_offset_hz = Some(2.0 * 947.4 + 947.4 * 1.5);
        h.dl_freq_hz = Some(947.4e6);
        let mut obs = refs.to_vec();
        obs.push(h);
        assert_eq!(
            eval_last(&FrequencyOffsetOutlier, &obs)[0].severity,
            Severity::High
        );
    }

    #[test]
    fn short_lived() {
        let bg = gsm(0, "234-10", 100, 1, 10, 20);
        let mut bg2 = bg.clone();
        bg2.time_unix_ms = 3_600_000;
        let mut f = gsm(1_000_000, "234-15", 3101, 40961, 62, 21);
        let mut obs = vec![bg.clone(), bg2.clone(), f.clone()];
        f.time_unix_ms = 1_060_000;
        obs.push(f.clone());
        assert_eq!(eval_last(&ShortLivedCell, &obs).len(), 1);
        // Scene ends right after: can't tell it vanished.
        assert!(eval_last(&ShortLivedCell, &[bg.clone(), f.clone()]).is_empty());
        // Known cell: no.
        let base = baseline_of(&[f.clone()]);
        assert!(eval_last_with(&ShortLivedCell, &obs, &base).is_empty());
    }

    fn carrier(t: i64, power: f64, sync: bool) -> CarrierObservation {
        CarrierObservation {
            rat: Rat::Lte,
            channel: 1300,
            freq_hz: Some(1815e6),
            time_unix_ms: t,
            power_dbfs: power,
            noise_floor_dbfs: Some(-90.0),
            sync_found: sync,
        }
    }

    fn blaster_scene(jam_at: i64, gsm_at: i64) -> (Scene, usize) {
        let mut s = Scene::new();
        s.push(&gsm(0, "234-15", 100, 1, 10, 20));
        s.push_carrier(&carrier(0, -50.0, true));
        s.push_carrier(&carrier(jam_at, -35.0, false));
        let mut f = gsm(gsm_at, "234-15", 3101, 40961, 62, 21);
        f.power_dbfs = Some(-30.0);
        let i = s.push(&f);
        (s, i)
    }

    #[test]
    fn blaster_sequence() {
        let uk = Profile::builtin("uk").unwrap();
        let th = Thresholds::default();
        let b = Baseline::empty();
        let (s, i) = blaster_scene(100_000, 120_000);
        let d = eval_with(&SmsBlasterPattern, &s, i, &b, Some(&uk), &th);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::High);
        // GSM cell 3 min after the jamming: not the pattern.
        let (s, i) = blaster_scene(100_000, 280_000);
        assert!(eval_with(&SmsBlasterPattern, &s, i, &b, Some(&uk), &th).is_empty());
        // No LTE event at all: no.
        let mut s = Scene::new();
        s.push_carrier(&carrier(0, -50.0, true));
        s.push_carrier(&carrier(100_000, -51.0, true));
        let mut f = gsm(110_000, "234-15", 3101, 40961, 62, 21);
        f.power_dbfs = Some(-30.0);
        let i = s.push(&f);
        assert!(eval_with(&SmsBlasterPattern, &s, i, &b, Some(&uk), &th).is_empty());
        // New GSM cell weaker than a real one: not "strong".
        let (mut s, _) = blaster_scene(100_000, 120_000);
        let mut loud = gsm(110_000, "234-10", 100, 2, 12, 20);
        loud.power_dbfs = Some(-10.0);
        s.push(&loud);
        let i = s
            .cells()
            .iter()
            .position(|c| c.key.cell_id == Some(40961))
            .unwrap();
        assert!(eval_with(&SmsBlasterPattern, &s, i, &b, Some(&uk), &th).is_empty());
        // Known GSM cell: no.
        let (s, i) = blaster_scene(100_000, 120_000);
        let known = Baseline::from_scene(&Scene::from_observations(&[gsm(
            0, "234-15", 3101, 40961, 62, 21,
        )]));
        assert!(eval_with(&SmsBlasterPattern, &s, i, &known, Some(&uk), &th).is_empty());
    }

    #[test]
    fn blaster_via_new_lte_cell() {
        let mut s = Scene::new();
        let mut l = lte(100_000, "234-15", 1, 2, 1300, 7);
        l.lte = Some(LteSystemInfo {
            sib1: Some(LteSib1 {
                scheduling: vec![vec![3]],
                ..LteSib1::default()
            }),
            ..LteSystemInfo::default()
        });
        s.push(&l);
        let mut f = gsm(130_000, "234-15", 3101, 40961, 62, 21);
        f.power_dbfs = Some(-30.0);
        let i = s.push(&f);
        let d = eval_with(
            &SmsBlasterPattern,
            &s,
            i,
            &Baseline::empty(),
            None,
            &Thresholds::default(),
        );
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn slope() {
        assert_eq!(slope_per_min(&[(0, 0.0), (60_000, 10.0)]), Some(10.0));
        assert_eq!(slope_per_min(&[(0, 0.0)]), None);
        assert_eq!(slope_per_min(&[(5, 0.0), (5, 1.0)]), None);
    }
}
