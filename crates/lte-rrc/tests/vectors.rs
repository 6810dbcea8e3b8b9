//! Every BCCH-DL-SCH vector checked field by field against pycrate's independent decode
//! (`expect`, JSON Encoding Rules) and, where given, the hand-written `summary` and truth.json.
//!
//! Files: `captures/lte/sib_vectors.json` (12 real/srsRAN vectors, copied from the shared
//! folder) and `captures/lte/pycrate_encoded_sib_vectors.json` (4 vectors encoded by pycrate to
//! reach SIB4/6/7/8, extension SIB types and SIB1 extensions; see captures/lte/PROVENANCE.md).

use std::path::PathBuf;

use cellsentry_lte_rrc::*;
use serde_json::Value;

fn captures(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../captures/lte")
        .join(name)
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(captures(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Number in an ASN.1 enumeration name or a plain JSON number: "rf128" -> 128, "dBm-100" -> -100,
/// "p05" -> 5, "dB-24" -> -24, 7 -> 7.
fn num(v: &Value) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap(),
        Value::String(s) => s
            .trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .parse()
            .unwrap_or_else(|_| panic!("no number in {s:?}")),
        other => panic!("not a number: {other}"),
    }
}

/// JER BIT STRING (hex, padded to whole bytes) -> value of its first `nbits` bits.
fn jer_bits(v: &Value, nbits: u32) -> u64 {
    let s = v.as_str().unwrap();
    let all = u64::from_str_radix(s, 16).unwrap();
    all >> (4 * s.len() as u32 - nbits)
}

/// Collects comparisons so a failure lists every mismatch of a vector, and counts what was
/// checked.
struct Check {
    vector: String,
    count: usize,
    errors: Vec<String>,
}

impl Check {
    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, ours: T, pycrate: T) {
        self.count += 1;
        if ours != pycrate {
            self.errors
                .push(format!("{what}: ours {ours:?} != pycrate {pycrate:?}"));
        }
    }

    fn finish(self) -> usize {
        assert!(
            self.errors.is_empty(),
            "{}: {} mismatches:\n{}",
            self.vector,
            self.errors.len(),
            self.errors.join("\n")
        );
        self.count
    }
}

fn opt_num(v: &Value, key: &str) -> Option<i64> {
    v.get(key).map(num)
}

fn digits(v: &Value) -> String {
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| char::from_digit(d.as_u64().unwrap() as u32, 10).unwrap())
        .collect()
}

fn check_sib1(c: &mut Check, e: &Value, s: &Sib1Summary) {
    let cari = &e["cellAccessRelatedInfo"];
    let plmns = cari["plmn-IdentityList"].as_array().unwrap();
    c.eq("plmn count", s.plmns.len(), plmns.len());
    let mut last_mcc = String::new();
    for (i, (ours, p)) in s.plmns.iter().zip(plmns).enumerate() {
        let id = &p["plmn-Identity"];
        let mcc = id.get("mcc").map(digits).unwrap_or(last_mcc.clone());
        c.eq(&format!("plmn[{i}].mcc"), ours.mcc.clone(), mcc.clone());
        c.eq(
            &format!("plmn[{i}].mcc_inherited"),
            ours.mcc_inherited,
            id.get("mcc").is_none(),
        );
        c.eq(
            &format!("plmn[{i}].mnc"),
            ours.mnc.clone(),
            digits(&id["mnc"]),
        );
        c.eq(
            &format!("plmn[{i}].reserved"),
            ours.reserved_for_operator_use,
            p["cellReservedForOperatorUse"] == "reserved",
        );
        last_mcc = mcc;
    }
    c.eq(
        "trackingAreaCode",
        u64::from(s.tracking_area_code),
        jer_bits(&cari["trackingAreaCode"], 16),
    );
    let cell_id = jer_bits(&cari["cellIdentity"], 28);
    c.eq("cellIdentity", u64::from(s.cell_identity), cell_id);
    c.eq("eNB id", u64::from(s.enb_id), cell_id >> 8);
    c.eq("local cell id", u64::from(s.local_cell_id), cell_id & 0xff);
    c.eq("cellBarred", s.cell_barred, cari["cellBarred"] == "barred");
    c.eq(
        "intraFreqReselection",
        s.intra_freq_reselection_allowed,
        cari["intraFreqReselection"] == "allowed",
    );
    c.eq(
        "csg-Indication",
        s.csg_indication,
        cari["csg-Indication"].as_bool().unwrap(),
    );
    c.eq(
        "csg-Identity",
        s.csg_identity.map(u64::from),
        cari.get("csg-Identity").map(|v| jer_bits(v, 27)),
    );
    let csi = &e["cellSelectionInfo"];
    c.eq(
        "q-RxLevMin dBm",
        i64::from(s.q_rx_lev_min_dbm),
        2 * num(&csi["q-RxLevMin"]),
    );
    c.eq(
        "q-RxLevMinOffset dB",
        s.q_rx_lev_min_offset_db.map(i64::from),
        opt_num(csi, "q-RxLevMinOffset").map(|v| 2 * v),
    );
    c.eq("p-Max", s.p_max_dbm.map(i64::from), opt_num(e, "p-Max"));

    // Band: v9e0 overrides freqBandIndicator; multiBandInfoList from the v8h0 container.
    let v8h0 = e.pointer(
        "/nonCriticalExtension/lateNonCriticalExtension/SystemInformationBlockType1-v8h0-IEs",
    );
    let v9e0 = v8h0.and_then(|v| v.get("nonCriticalExtension"));
    let band = v9e0
        .and_then(|v| opt_num(v, "freqBandIndicator-v9e0"))
        .unwrap_or_else(|| num(&e["freqBandIndicator"]));
    c.eq("freqBandIndicator", i64::from(s.freq_band_indicator), band);
    let mut multi: Vec<i64> = v8h0
        .and_then(|v| v.get("multiBandInfoList"))
        .map(|l| l.as_array().unwrap().iter().map(num).collect())
        .unwrap_or_default();
    if let Some(ext) = v9e0.and_then(|v| v.get("multiBandInfoList-v9e0")) {
        for (band, x) in multi.iter_mut().zip(ext.as_array().unwrap()) {
            if let Some(b) = opt_num(x, "freqBandIndicator-v9e0") {
                *band = b;
            }
        }
    }
    let ours_multi: Vec<i64> = s
        .multi_band_info_list
        .iter()
        .map(|&b| i64::from(b))
        .collect();
    c.eq("multiBandInfoList", ours_multi, multi);

    let sched = e["schedulingInfoList"].as_array().unwrap();
    c.eq("si count", s.si_count(), sched.len());
    for (i, (ours, p)) in s.scheduling.iter().zip(sched).enumerate() {
        c.eq(
            &format!("sched[{i}].si-Periodicity"),
            i64::from(ours.si_periodicity_rf),
            num(&p["si-Periodicity"]),
        );
        let names: Vec<String> = p["sib-MappingInfo"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_string())
            .collect();
        c.eq(
            &format!("sched[{i}].sib-MappingInfo"),
            ours.sib_types.clone(),
            names,
        );
    }
    c.eq(
        "si-WindowLength ms",
        i64::from(s.si_window_length_ms),
        num(&e["si-WindowLength"]),
    );
    c.eq(
        "systemInfoValueTag",
        i64::from(s.system_info_value_tag),
        num(&e["systemInfoValueTag"]),
    );
    c.eq(
        "tdd-Config",
        s.tdd_config.map(|t| {
            (
                i64::from(t.subframe_assignment),
                i64::from(t.special_subframe_pattern),
            )
        }),
        e.get("tdd-Config").map(|t| {
            (
                num(&t["subframeAssignment"]),
                num(&t["specialSubframePatterns"]),
            )
        }),
    );
    let v920 = e.pointer("/nonCriticalExtension/nonCriticalExtension");
    c.eq(
        "ims-EmergencySupport-r9",
        s.ims_emergency_support,
        v920.and_then(|v| v.get("ims-EmergencySupport-r9"))
            .is_some(),
    );
    let csi920 = v920.and_then(|v| v.get("cellSelectionInfo-v920"));
    c.eq(
        "q-QualMin-r9",
        s.q_qual_min_db.map(i64::from),
        csi920.and_then(|v| opt_num(v, "q-QualMin-r9")),
    );
    c.eq(
        "q-QualMinOffset-r9",
        s.q_qual_min_offset_db.map(i64::from),
        csi920.and_then(|v| opt_num(v, "q-QualMinOffset-r9")),
    );
}

fn check_ac(c: &mut Check, what: &str, ours: Option<AcBarringConfig>, e: Option<&Value>) {
    c.eq(&format!("{what} present"), ours.is_some(), e.is_some());
    if let (Some(o), Some(e)) = (ours, e) {
        c.eq(
            &format!("{what} factor %"),
            i64::from(o.factor_percent),
            num(&e["ac-BarringFactor"]),
        );
        c.eq(
            &format!("{what} time s"),
            i64::from(o.time_s),
            num(&e["ac-BarringTime"]),
        );
        c.eq(
            &format!("{what} special AC"),
            u64::from(o.special_ac_bits),
            jer_bits(&e["ac-BarringForSpecialAC"], 5),
        );
    }
}

fn check_sib2(c: &mut Check, e: &Value, s: &Sib2Summary) {
    let ac = e.get("ac-BarringInfo");
    c.eq(
        "ac-BarringInfo present",
        s.ac_barring.is_some(),
        ac.is_some(),
    );
    if let (Some(o), Some(ac)) = (s.ac_barring, ac) {
        c.eq(
            "ac-BarringForEmergency",
            o.for_emergency,
            ac["ac-BarringForEmergency"].as_bool().unwrap(),
        );
        check_ac(
            c,
            "MO-Signalling",
            o.mo_signalling,
            ac.get("ac-BarringForMO-Signalling"),
        );
        check_ac(c, "MO-Data", o.mo_data, ac.get("ac-BarringForMO-Data"));
    }
    let rr = &e["radioResourceConfigCommon"];
    let rach = &rr["rach-ConfigCommon"];
    let pairs: [(&str, i64, &Value); 20] = [
        (
            "numberOfRA-Preambles",
            s.rach.number_of_ra_preambles.into(),
            &rach["preambleInfo"]["numberOfRA-Preambles"],
        ),
        (
            "powerRampingStep",
            s.rach.power_ramping_step_db.into(),
            &rach["powerRampingParameters"]["powerRampingStep"],
        ),
        (
            "preambleInitialReceivedTargetPower",
            s.rach.preamble_initial_received_target_power_dbm.into(),
            &rach["powerRampingParameters"]["preambleInitialReceivedTargetPower"],
        ),
        (
            "preambleTransMax",
            s.rach.preamble_trans_max.into(),
            &rach["ra-SupervisionInfo"]["preambleTransMax"],
        ),
        (
            "ra-ResponseWindowSize",
            s.rach.ra_response_window_sf.into(),
            &rach["ra-SupervisionInfo"]["ra-ResponseWindowSize"],
        ),
        (
            "mac-ContentionResolutionTimer",
            s.rach.mac_contention_resolution_timer_sf.into(),
            &rach["ra-SupervisionInfo"]["mac-ContentionResolutionTimer"],
        ),
        (
            "maxHARQ-Msg3Tx",
            s.rach.max_harq_msg3_tx.into(),
            &rach["maxHARQ-Msg3Tx"],
        ),
        (
            "modificationPeriodCoeff",
            s.modification_period_coeff.into(),
            &rr["bcch-Config"]["modificationPeriodCoeff"],
        ),
        (
            "defaultPagingCycle",
            s.default_paging_cycle_rf.into(),
            &rr["pcch-Config"]["defaultPagingCycle"],
        ),
        (
            "rootSequenceIndex",
            s.prach.root_sequence_index.into(),
            &rr["prach-Config"]["rootSequenceIndex"],
        ),
        (
            "prach-ConfigIndex",
            s.prach.config_index.into(),
            &rr["prach-Config"]["prach-ConfigInfo"]["prach-ConfigIndex"],
        ),
        (
            "zeroCorrelationZoneConfig",
            s.prach.zero_correlation_zone_config.into(),
            &rr["prach-Config"]["prach-ConfigInfo"]["zeroCorrelationZoneConfig"],
        ),
        (
            "prach-FreqOffset",
            s.prach.freq_offset_prb.into(),
            &rr["prach-Config"]["prach-ConfigInfo"]["prach-FreqOffset"],
        ),
        (
            "referenceSignalPower",
            s.reference_signal_power_dbm.into(),
            &rr["pdsch-ConfigCommon"]["referenceSignalPower"],
        ),
        ("p-b", s.p_b.into(), &rr["pdsch-ConfigCommon"]["p-b"]),
        (
            "n1PUCCH-AN",
            s.n1_pucch_an.into(),
            &rr["pucch-ConfigCommon"]["n1PUCCH-AN"],
        ),
        (
            "p0-NominalPUSCH",
            s.p0_nominal_pusch_dbm.into(),
            &rr["uplinkPowerControlCommon"]["p0-NominalPUSCH"],
        ),
        (
            "p0-NominalPUCCH",
            s.p0_nominal_pucch_dbm.into(),
            &rr["uplinkPowerControlCommon"]["p0-NominalPUCCH"],
        ),
        (
            "additionalSpectrumEmission",
            s.additional_spectrum_emission.into(),
            &e["freqInfo"]["additionalSpectrumEmission"],
        ),
        (
            "t300",
            s.timers.t300_ms.into(),
            &e["ue-TimersAndConstants"]["t300"],
        ),
    ];
    for (what, ours, pycrate) in pairs {
        c.eq(what, ours, num(pycrate));
    }
    let t = &e["ue-TimersAndConstants"];
    c.eq("t301", i64::from(s.timers.t301_ms), num(&t["t301"]));
    c.eq("t310", i64::from(s.timers.t310_ms), num(&t["t310"]));
    c.eq("n310", i64::from(s.timers.n310), num(&t["n310"]));
    c.eq("t311", i64::from(s.timers.t311_ms), num(&t["t311"]));
    c.eq("n311", i64::from(s.timers.n311), num(&t["n311"]));
    c.eq(
        "preamblesGroupAConfig present",
        s.rach.preambles_group_a_configured,
        rach["preambleInfo"].get("preamblesGroupAConfig").is_some(),
    );
    c.eq(
        "nB",
        s.paging_nb.as_str(),
        rr["pcch-Config"]["nB"].as_str().unwrap(),
    );
    c.eq(
        "highSpeedFlag",
        s.prach.high_speed_flag,
        rr["prach-Config"]["prach-ConfigInfo"]["highSpeedFlag"]
            .as_bool()
            .unwrap(),
    );
    c.eq(
        "soundingRS setup",
        s.srs_configured,
        rr["soundingRS-UL-ConfigCommon"].get("setup").is_some(),
    );
    c.eq(
        "ul-CyclicPrefixLength extended",
        s.ul_cyclic_prefix_extended,
        rr["ul-CyclicPrefixLength"] == "len2",
    );
    c.eq(
        "ul-CarrierFreq",
        s.ul_carrier_earfcn.map(i64::from),
        opt_num(&e["freqInfo"], "ul-CarrierFreq"),
    );
    c.eq(
        "ul-Bandwidth",
        s.ul_bandwidth_prb.map(i64::from),
        opt_num(&e["freqInfo"], "ul-Bandwidth"),
    );
    c.eq(
        "mbsfn-SubframeConfigList len",
        s.mbsfn_subframe_configs,
        e.get("mbsfn-SubframeConfigList")
            .map_or(0, |l| l.as_array().unwrap().len()),
    );
    let tat = &e["timeAlignmentTimerCommon"];
    c.eq(
        "timeAlignmentTimerCommon",
        s.time_alignment_timer_sf.map(i64::from),
        (tat != "infinity").then(|| num(tat)),
    );
}

fn check_sib3(c: &mut Check, e: &Value, s: &Sib3Summary) {
    let common = &e["cellReselectionInfoCommon"];
    let serving = &e["cellReselectionServingFreqInfo"];
    let intra = &e["intraFreqCellReselectionInfo"];
    c.eq("q-Hyst", i64::from(s.q_hyst_db), num(&common["q-Hyst"]));
    c.eq(
        "speedStateReselectionPars",
        s.speed_state_reselection,
        common.get("speedStateReselectionPars").is_some(),
    );
    c.eq(
        "s-NonIntraSearch dB",
        s.s_non_intra_search_db.map(i64::from),
        opt_num(serving, "s-NonIntraSearch").map(|v| 2 * v),
    );
    c.eq(
        "threshServingLow dB",
        i64::from(s.thresh_serving_low_db),
        2 * num(&serving["threshServingLow"]),
    );
    c.eq(
        "cellReselectionPriority",
        i64::from(s.cell_reselection_priority),
        num(&serving["cellReselectionPriority"]),
    );
    c.eq(
        "intra q-RxLevMin dBm",
        i64::from(s.q_rx_lev_min_dbm),
        2 * num(&intra["q-RxLevMin"]),
    );
    c.eq(
        "intra p-Max",
        s.p_max_dbm.map(i64::from),
        opt_num(intra, "p-Max"),
    );
    c.eq(
        "s-IntraSearch dB",
        s.s_intra_search_db.map(i64::from),
        opt_num(intra, "s-IntraSearch").map(|v| 2 * v),
    );
    c.eq(
        "allowedMeasBandwidth",
        s.allowed_meas_bandwidth_prb.map(i64::from),
        opt_num(intra, "allowedMeasBandwidth"),
    );
    c.eq(
        "presenceAntennaPort1",
        s.presence_antenna_port1,
        intra["presenceAntennaPort1"].as_bool().unwrap(),
    );
    c.eq(
        "neighCellConfig",
        u64::from(s.neigh_cell_config),
        jer_bits(&intra["neighCellConfig"], 2),
    );
    c.eq(
        "t-ReselectionEUTRA",
        i64::from(s.t_reselection_eutra_s),
        num(&intra["t-ReselectionEUTRA"]),
    );
}

fn check_neighbours(c: &mut Check, what: &str, ours: &[NeighbourCell], e: Option<&Value>) {
    let list: Vec<(i64, i64)> = e
        .map(|l| {
            l.as_array()
                .unwrap()
                .iter()
                .map(|n| (num(&n["physCellId"]), num(&n["q-OffsetCell"])))
                .collect()
        })
        .unwrap_or_default();
    let ours: Vec<(i64, i64)> = ours
        .iter()
        .map(|n| (i64::from(n.pci), i64::from(n.q_offset_cell_db)))
        .collect();
    c.eq(what, ours, list);
}

fn pci_range_of(v: &Value) -> (i64, i64) {
    (num(&v["start"]), v.get("range").map_or(1, num))
}

fn check_ranges(c: &mut Check, what: &str, ours: &[PciRange], e: Option<&Value>) {
    let list: Vec<(i64, i64)> = e
        .map(|l| l.as_array().unwrap().iter().map(pci_range_of).collect())
        .unwrap_or_default();
    let ours: Vec<(i64, i64)> = ours
        .iter()
        .map(|r| (i64::from(r.start), i64::from(r.count)))
        .collect();
    c.eq(what, ours, list);
}

fn check_sib4(c: &mut Check, e: &Value, s: &Sib4Summary) {
    check_neighbours(
        c,
        "intraFreqNeighCellList",
        &s.neighbours,
        e.get("intraFreqNeighCellList"),
    );
    // Called intraFreqBlackCellList before Rel-16; pycrate's newer ASN.1 says Excluded.
    check_ranges(
        c,
        "intraFreqExcludedCellList",
        &s.blacklist,
        e.get("intraFreqExcludedCellList"),
    );
    c.eq(
        "csg-PhysCellIdRange",
        s.csg_pci_range
            .map(|r| (i64::from(r.start), i64::from(r.count))),
        e.get("csg-PhysCellIdRange").map(pci_range_of),
    );
}

fn check_sib5(c: &mut Check, e: &Value, s: &Sib5Summary) {
    let list = e["interFreqCarrierFreqList"].as_array().unwrap();
    c.eq("carrier count", s.carriers.len(), list.len());
    for (i, (o, p)) in s.carriers.iter().zip(list).enumerate() {
        let f = |x: &str| format!("carrier[{i}].{x}");
        c.eq(
            &f("dl-CarrierFreq"),
            i64::from(o.dl_earfcn),
            num(&p["dl-CarrierFreq"]),
        );
        c.eq(
            &f("q-RxLevMin dBm"),
            i64::from(o.q_rx_lev_min_dbm),
            2 * num(&p["q-RxLevMin"]),
        );
        c.eq(&f("p-Max"), o.p_max_dbm.map(i64::from), opt_num(p, "p-Max"));
        c.eq(
            &f("t-ReselectionEUTRA"),
            i64::from(o.t_reselection_eutra_s),
            num(&p["t-ReselectionEUTRA"]),
        );
        c.eq(
            &f("threshX-High dB"),
            i64::from(o.thresh_x_high_db),
            2 * num(&p["threshX-High"]),
        );
        c.eq(
            &f("threshX-Low dB"),
            i64::from(o.thresh_x_low_db),
            2 * num(&p["threshX-Low"]),
        );
        c.eq(
            &f("allowedMeasBandwidth"),
            i64::from(o.allowed_meas_bandwidth_prb),
            num(&p["allowedMeasBandwidth"]),
        );
        c.eq(
            &f("presenceAntennaPort1"),
            o.presence_antenna_port1,
            p["presenceAntennaPort1"].as_bool().unwrap(),
        );
        c.eq(
            &f("cellReselectionPriority"),
            o.cell_reselection_priority.map(i64::from),
            opt_num(p, "cellReselectionPriority"),
        );
        c.eq(
            &f("neighCellConfig"),
            u64::from(o.neigh_cell_config),
            jer_bits(&p["neighCellConfig"], 2),
        );
        c.eq(
            &f("q-OffsetFreq"),
            i64::from(o.q_offset_freq_db),
            opt_num(p, "q-OffsetFreq").unwrap_or(0),
        );
        check_neighbours(
            c,
            &f("neighbours"),
            &o.neighbours,
            p.get("interFreqNeighCellList"),
        );
        check_ranges(
            c,
            &f("excluded"),
            &o.blacklist,
            p.get("interFreqExcludedCellList"),
        );
    }
}

fn check_utra(c: &mut Check, what: &str, ours: &[UtraCarrier], e: Option<&Value>, fdd: bool) {
    let list = e.map(|l| l.as_array().unwrap().clone()).unwrap_or_default();
    c.eq(&format!("{what} count"), ours.len(), list.len());
    for (i, (o, p)) in ours.iter().zip(&list).enumerate() {
        let f = |x: &str| format!("{what}[{i}].{x}");
        c.eq(
            &f("carrierFreq"),
            i64::from(o.uarfcn),
            num(&p["carrierFreq"]),
        );
        c.eq(
            &f("cellReselectionPriority"),
            o.cell_reselection_priority.map(i64::from),
            opt_num(p, "cellReselectionPriority"),
        );
        c.eq(
            &f("threshX-High dB"),
            i64::from(o.thresh_x_high_db),
            2 * num(&p["threshX-High"]),
        );
        c.eq(
            &f("threshX-Low dB"),
            i64::from(o.thresh_x_low_db),
            2 * num(&p["threshX-Low"]),
        );
        c.eq(
            &f("q-RxLevMin dBm"),
            i64::from(o.q_rx_lev_min_dbm),
            2 * num(&p["q-RxLevMin"]) + 1,
        );
        c.eq(
            &f("p-MaxUTRA"),
            i64::from(o.p_max_utra_dbm),
            num(&p["p-MaxUTRA"]),
        );
        c.eq(
            &f("q-QualMin"),
            o.q_qual_min_db.map(i64::from),
            if fdd { opt_num(p, "q-QualMin") } else { None },
        );
    }
}

fn check_sib6(c: &mut Check, e: &Value, s: &Sib6Summary) {
    check_utra(
        c,
        "UTRA-FDD",
        &s.utra_fdd,
        e.get("carrierFreqListUTRA-FDD"),
        true,
    );
    check_utra(
        c,
        "UTRA-TDD",
        &s.utra_tdd,
        e.get("carrierFreqListUTRA-TDD"),
        false,
    );
    c.eq(
        "t-ReselectionUTRA",
        i64::from(s.t_reselection_utra_s),
        num(&e["t-ReselectionUTRA"]),
    );
}

fn check_sib7(c: &mut Check, e: &Value, s: &Sib7Summary) {
    c.eq(
        "t-ReselectionGERAN",
        i64::from(s.t_reselection_geran_s),
        num(&e["t-ReselectionGERAN"]),
    );
    let list = e
        .get("carrierFreqsInfoList")
        .map(|l| l.as_array().unwrap().clone())
        .unwrap_or_default();
    c.eq("GERAN group count", s.carrier_groups.len(), list.len());
    for (i, (o, p)) in s.carrier_groups.iter().zip(&list).enumerate() {
        let f = |x: &str| format!("geran[{i}].{x}");
        let cf = &p["carrierFreqs"];
        let ci = &p["commonInfo"];
        c.eq(
            &f("startingARFCN"),
            i64::from(o.starting_arfcn),
            num(&cf["startingARFCN"]),
        );
        c.eq(
            &f("bandIndicator"),
            o.band_indicator == GeranBand::Pcs1900,
            cf["bandIndicator"] == "pcs1900",
        );
        let fol = &cf["followingARFCNs"];
        let expected = if let Some(l) = fol.get("explicitListOfARFCNs") {
            FollowingArfcns::ExplicitList(
                l.as_array()
                    .unwrap()
                    .iter()
                    .map(|a| num(a) as u16)
                    .collect(),
            )
        } else if let Some(eq) = fol.get("equallySpacedARFCNs") {
            FollowingArfcns::EquallySpaced {
                spacing: num(&eq["arfcn-Spacing"]) as u8,
                count: num(&eq["numberOfFollowingARFCNs"]) as u8,
            }
        } else {
            FollowingArfcns::VariableBitMap(unhex(fol["variableBitMapOfARFCNs"].as_str().unwrap()))
        };
        c.eq(&f("followingARFCNs"), o.following.clone(), expected);
        c.eq(
            &f("cellReselectionPriority"),
            o.cell_reselection_priority.map(i64::from),
            opt_num(ci, "cellReselectionPriority"),
        );
        c.eq(
            &f("ncc-Permitted"),
            u64::from(o.ncc_permitted),
            jer_bits(&ci["ncc-Permitted"], 8),
        );
        c.eq(
            &f("q-RxLevMin dBm"),
            i64::from(o.q_rx_lev_min_dbm),
            2 * num(&ci["q-RxLevMin"]) - 115,
        );
        c.eq(
            &f("p-MaxGERAN"),
            o.p_max_geran_dbm.map(i64::from),
            opt_num(ci, "p-MaxGERAN"),
        );
        c.eq(
            &f("threshX-High dB"),
            i64::from(o.thresh_x_high_db),
            2 * num(&ci["threshX-High"]),
        );
        c.eq(
            &f("threshX-Low dB"),
            i64::from(o.thresh_x_low_db),
            2 * num(&ci["threshX-Low"]),
        );
    }
}

fn check_sib8(c: &mut Check, e: &Value, s: &Sib8Summary) {
    c.eq(
        "systemTimeInfo",
        s.has_system_time_info,
        e.get("systemTimeInfo").is_some(),
    );
    c.eq(
        "searchWindowSize",
        s.search_window_size.map(i64::from),
        opt_num(e, "searchWindowSize"),
    );
    c.eq(
        "parametersHRPD",
        s.has_hrpd_parameters,
        e.get("parametersHRPD").is_some(),
    );
    c.eq(
        "parameters1XRTT",
        s.has_1xrtt_parameters,
        e.get("parameters1XRTT").is_some(),
    );
}

/// Decode one vector and compare it with pycrate; returns the number of comparisons.
fn check_vector(v: &Value) -> usize {
    let label = format!(
        "{} {}",
        v["message"].as_str().unwrap(),
        v["hex"].as_str().unwrap()
    );
    let bytes = unhex(v["hex"].as_str().unwrap());
    let msg = decode_bcch_dl_sch(&bytes).unwrap_or_else(|e| panic!("{label}: {e}"));
    let mut c = Check {
        vector: label,
        count: 0,
        errors: Vec::new(),
    };
    c.eq("raw bytes kept", msg.raw(), bytes.as_slice());
    let c1 = &v["expect"]["message"]["c1"];
    match (&msg, c1.get("systemInformationBlockType1")) {
        (BcchDlSchMessage::Sib1(s), Some(e)) => check_sib1(&mut c, e, s),
        (BcchDlSchMessage::SystemInformation(si), None) => {
            let list = c1
                .pointer(
                    "/systemInformation/criticalExtensions/systemInformation-r8/sib-TypeAndInfo",
                )
                .unwrap()
                .as_array()
                .unwrap();
            c.eq("sib count", si.sibs.len(), list.len());
            for (ours, entry) in si.sibs.iter().zip(list) {
                let (name, e) = entry.as_object().unwrap().iter().next().unwrap();
                c.eq("sib type", ours.type_name(), name.as_str());
                match ours {
                    SibSummary::Sib2(s) => check_sib2(&mut c, e, s),
                    SibSummary::Sib3(s) => check_sib3(&mut c, e, s),
                    SibSummary::Sib4(s) => check_sib4(&mut c, e, s),
                    SibSummary::Sib5(s) => check_sib5(&mut c, e, s),
                    SibSummary::Sib6(s) => check_sib6(&mut c, e, s),
                    SibSummary::Sib7(s) => check_sib7(&mut c, e, s),
                    SibSummary::Sib8(s) => check_sib8(&mut c, e, s),
                    SibSummary::Other { .. } => {}
                }
            }
        }
        (ours, _) => panic!("{}: wrong message kind {ours:?}", c.vector),
    }
    c.finish()
}

#[test]
fn shared_sib_vectors_match_pycrate_field_by_field() {
    let vectors = load("sib_vectors.json");
    let vectors = vectors.as_array().unwrap();
    assert_eq!(vectors.len(), 12);
    let mut total = 0;
    for v in vectors {
        let n = check_vector(v);
        assert!(n >= 15, "too few comparisons ({n}) for {}", v["hex"]);
        total += n;
    }
    eprintln!("sib_vectors.json: 12 vectors, {total} field comparisons");
}

#[test]
fn pycrate_encoded_vectors_match_field_by_field() {
    let vectors = load("pycrate_encoded_sib_vectors.json");
    let vectors = vectors.as_array().unwrap();
    assert_eq!(vectors.len(), 4);
    let total: usize = vectors.iter().map(check_vector).sum();
    eprintln!("pycrate_encoded_sib_vectors.json: 4 vectors, {total} field comparisons");
}

/// The hand-written `summary` of each shared SIB1 vector (PLMN strings, eNB id, scheduling).
#[test]
fn shared_sib1_summaries() {
    for v in load("sib_vectors.json").as_array().unwrap() {
        let sum = &v["summary"];
        let Some(plmns) = sum.get("plmn") else {
            continue;
        };
        let BcchDlSchMessage::Sib1(s) =
            decode_bcch_dl_sch(&unhex(v["hex"].as_str().unwrap())).unwrap()
        else {
            panic!("not SIB1: {}", v["hex"]);
        };
        let ours: Vec<String> = s.plmns.iter().map(PlmnInfo::plmn_id).collect();
        let expected: Vec<String> = plmns
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        assert_eq!(ours, expected);
        assert_eq!(
            i64::from(s.tracking_area_code),
            num(&sum["trackingAreaCode"])
        );
        assert_eq!(i64::from(s.cell_identity), num(&sum["cellIdentity"]));
        assert_eq!(format!("{:07x}", s.cell_identity), sum["cellIdentity_hex"]);
        assert_eq!(i64::from(s.enb_id), num(&sum["eNB_id"]));
        assert_eq!(i64::from(s.local_cell_id), num(&sum["local_cell_id"]));
        assert_eq!(
            i64::from(s.freq_band_indicator),
            num(&sum["freqBandIndicator"])
        );
        assert_eq!(s.is_tdd(), sum["tdd"].as_bool().unwrap());
        assert_eq!(
            i64::from(s.system_info_value_tag),
            num(&sum["systemInfoValueTag"])
        );
        let sched: Vec<(String, Vec<String>)> = s
            .scheduling
            .iter()
            .map(|x| (format!("rf{}", x.si_periodicity_rf), x.sib_types.clone()))
            .collect();
        let expected: Vec<(String, Vec<String>)> =
            serde_json::from_value(sum["sched"].clone()).unwrap();
        assert_eq!(sched, expected);
    }
}

/// truth.json: SIB1 bytes decoded from the IQ files by the author's MATLAB receiver (Octave).
#[test]
fn truth_json_octave_sib1() {
    let truth = load("truth.json");
    let mut seen = 0;
    for entry in truth.as_array().unwrap() {
        let Some(oct) = entry.get("octave_LTE_DL_receiver") else {
            continue;
        };
        let Some(hex) = oct.get("sib1_hex") else {
            continue;
        };
        let t = &oct["sib1"];
        let BcchDlSchMessage::Sib1(s) = decode_bcch_dl_sch(&unhex(hex.as_str().unwrap())).unwrap()
        else {
            panic!("not SIB1: {hex}");
        };
        assert_eq!(s.primary_plmn().unwrap(), t["plmn"]);
        assert_eq!(i64::from(s.tracking_area_code), num(&t["tac"]));
        assert_eq!(format!("{:04X}", s.tracking_area_code), t["tac_hex"]);
        assert_eq!(i64::from(s.cell_identity), num(&t["cell_identity"]));
        assert_eq!(format!("{:07X}", s.cell_identity), t["cell_identity_hex"]);
        assert_eq!(i64::from(s.freq_band_indicator), num(&t["band"]));
        assert_eq!(i64::from(s.si_window_length_ms), num(&t["si_window_ms"]));
        assert_eq!(i64::from(s.system_info_value_tag), num(&t["value_tag"]));
        let sched: Vec<String> = s
            .scheduling
            .iter()
            .map(|x| {
                let sibs: Vec<String> = x
                    .sib_types
                    .iter()
                    .map(|n| format!("SIB{}", sib_type_number(n).unwrap()))
                    .collect();
                format!("rf{}:{}", x.si_periodicity_rf, sibs.join("+"))
            })
            .collect();
        let expected: Vec<String> = serde_json::from_value(t["sched"].clone()).unwrap();
        assert_eq!(sched, expected);
        if let Some(tdd) = t.get("tdd_config") {
            let c = s.tdd_config.unwrap();
            assert_eq!(
                format!(
                    "sa{}/ssp{}",
                    c.subframe_assignment, c.special_subframe_pattern
                ),
                *tdd
            );
        } else {
            assert!(s.tdd_config.is_none());
        }
        seen += 1;
    }
    assert_eq!(seen, 2, "f1815.3 and f2360 SIB1s");
}
