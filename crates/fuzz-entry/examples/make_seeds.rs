//! Writes the seed inputs of every fuzz target into `fuzz/corpus/<target>/seed-*`, from the
//! bundled captures and their truth files (real messages, real recordings) and, for the soft-bit
//! decoders, from those messages channel-coded by this project's encoders so that the fuzzer
//! starts past the CRC checks. Run once; `cargo fuzz cmin` later keeps what adds coverage.
//!
//! `cargo run -p cellsentry-fuzz-entry --example make_seeds`

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cellsentry_capture::sigmf::{Annotation, SigmfWriter, SigmfWriterConfig};
use cellsentry_capture::GeoPoint;
use cellsentry_capture::{IqBlock, SampleFormat};
use cellsentry_geo::Fix;
use cellsentry_gsm::coding::{sch_encode, xcch_encode, SchFields, XCCH_MAP};
use cellsentry_lte::coding::{cc_rate_match_map, conv_encode_tb, crc16_bits, PBCH_CRC_MASKS};
use cellsentry_lte::dci::{pack_1a, pack_1c, riv_encode, Dci1A, Dci1C};
use cellsentry_lte::dlsch::dlsch_encode;
use cellsentry_lte::pcfich::pcfich_bits;
use cellsentry_lte::pdcch::{encode_dci, SI_RNTI};
use cellsentry_lte::seq::Gold;
use cellsentry_lte::tbs::tbs_format1c;
use cellsentry_lte::Duplex;
use num_complex::Complex32;
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn json(rel: &str) -> Value {
    let text = std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

struct Out {
    counts: BTreeMap<&'static str, usize>,
}

impl Out {
    fn put(&mut self, target: &'static str, name: &str, data: &[u8]) {
        let dir = repo().join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&dir).expect("corpus dir");
        std::fs::write(dir.join(format!("seed-{name}")), data).expect("write seed");
        *self.counts.entry(target).or_default() += 1;
    }
}

/// Hard bits (0/1) to confident soft bytes (bit 0 positive).
fn soft_bytes(bits: impl IntoIterator<Item = u8>) -> Vec<u8> {
    bits.into_iter()
        .map(|b| if b == 0 { 100i8 as u8 } else { (-100i8) as u8 })
        .collect()
}

/// Every 23-octet L2 block of the GSM truth files, with the channel it was received on.
fn gsm_blocks() -> Vec<(String, u8, Vec<u8>)> {
    let mut out = Vec::new();
    for (i, v) in json("captures/gsm-l3/si_vectors.json")
        .as_array()
        .expect("array")
        .iter()
        .enumerate()
    {
        let bytes = hex(v["hex"].as_str().unwrap_or(""));
        let sacch = v["layer"].as_str().unwrap_or("").starts_with("L3");
        // SACCH vectors are bare L3 messages: channel 7 of the gsm_l2 record layout.
        out.push((format!("si_vectors-{i}"), if sacch { 7 } else { 0 }, bytes));
    }
    for f in [
        "captures/gsm-l3/ccch_tshark.json",
        "captures/gsm-l3/si2quater_eutran_tshark.json",
        "captures/gsm-l3/freq_list_tshark.json",
    ] {
        let stem = Path::new(f)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        for (i, v) in json(f)["vectors"]
            .as_array()
            .expect("vectors")
            .iter()
            .enumerate()
        {
            if let Some(h) = v["l2_block_hex"].as_str() {
                out.push((format!("{stem}-{i}"), 1, hex(h)));
            }
        }
    }
    for name in [
        "osmocom_blaster_234-15_gsm900_arfcn62",
        "osmocom_default_dcs1800_arfcn871",
    ] {
        let t = json(&format!("captures/osmocom/{name}.truth.json"));
        for (i, b) in t["decoded_blocks_in_order"]
            .as_array()
            .expect("blocks")
            .iter()
            .enumerate()
        {
            // GSMTAP channel type 1 = BCCH, 2 = CCCH, 7 = SDCCH/4 (and its SACCH).
            let ch = match b["gsmtap_chan_type"].as_u64() {
                Some(1) => 0,
                Some(2) => 1,
                _ => 4,
            };
            out.push((
                format!("{name}-{i}"),
                ch,
                hex(b["l2_block_hex"].as_str().unwrap_or("")),
            ));
        }
    }
    for name in [
        "gsmsp2007_941.0M_500ksps_arfcn30",
        "gsmsp2007_953.6M_500ksps_arfcn93",
    ] {
        let t = json(&format!("captures/gsm/{name}.truth.json"));
        for cell in t["cells"].as_array().expect("cells") {
            for (i, m) in cell["messages"]
                .as_array()
                .expect("messages")
                .iter()
                .enumerate()
            {
                out.push((
                    format!("{name}-{i}"),
                    1,
                    hex(m["l2_hex"].as_str().unwrap_or("")),
                ));
            }
        }
    }
    out
}

fn gsm_seeds(o: &mut Out) {
    let blocks = gsm_blocks();
    for (name, ch, bytes) in &blocks {
        let mut rec = vec![*ch, bytes.len() as u8];
        rec.extend_from_slice(bytes);
        o.put("gsm_l2", name, &rec);
    }
    // One cell's whole BCCH cycle in one input, as the receiver feeds it.
    for prefix in [
        "osmocom_blaster",
        "osmocom_default",
        "gsmsp2007_941",
        "gsmsp2007_953",
    ] {
        let mut rec = Vec::new();
        for (name, ch, bytes) in blocks.iter().filter(|b| b.0.starts_with(prefix)) {
            let _ = name;
            rec.push(*ch);
            rec.push(bytes.len() as u8);
            rec.extend_from_slice(bytes);
        }
        o.put("gsm_l2", &format!("cycle-{prefix}"), &rec);
    }
    for (i, v) in json("captures/gsm-l3/freq_list_tshark.json")["vectors"]
        .as_array()
        .expect("vectors")
        .iter()
        .enumerate()
    {
        let mut rec = vec![1u8];
        rec.extend(hex(v["cd_hex"].as_str().unwrap_or("")));
        o.put("gsm_frequency_list", &format!("freq_list_tshark-{i}"), &rec);
    }
    // xCCH: the real blocks channel coded (coded order) as confident soft bits.
    for (name, _, bytes) in blocks.iter().filter(|b| b.2.len() == 23).step_by(3) {
        let mut block = [0u8; 23];
        block.copy_from_slice(bytes);
        let mut bursts = [[0u8; 148]; 4];
        xcch_encode(&block, &mut bursts);
        let coded = XCCH_MAP
            .iter()
            .map(|&(b, p)| bursts[usize::from(b)][usize::from(p)]);
        let mut rec = vec![0u8];
        rec.extend(soft_bytes(coded));
        o.put("gsm_xcch", name, &rec);
    }
    // SCH: the first SCH bursts of the Osmocom recordings (BSIC and frame numbers from gr-gsm).
    for name in [
        "osmocom_blaster_234-15_gsm900_arfcn62",
        "osmocom_default_dcs1800_arfcn871",
    ] {
        let t = json(&format!("captures/osmocom/{name}.truth.json"));
        for (i, s) in t["sch_decode"]["first"]
            .as_array()
            .expect("first")
            .iter()
            .enumerate()
        {
            let t3 = s["t3"].as_u64().unwrap_or(1) as u8;
            let f = SchFields {
                bsic: s["bsic"].as_u64().unwrap_or(0) as u8,
                t1: s["t1"].as_u64().unwrap_or(0) as u16,
                t2: s["t2"].as_u64().unwrap_or(0) as u8,
                t3p: t3.saturating_sub(1) / 10,
            };
            let mut rec = vec![0u8];
            rec.extend(soft_bytes(sch_encode(&f)));
            o.put("gsm_sch", &format!("{name}-{i}"), &rec);
        }
    }
}

fn lte_seeds(o: &mut Out) {
    let mut sibs = Vec::new();
    for f in [
        "captures/lte/sib_vectors.json",
        "captures/lte/pycrate_encoded_sib_vectors.json",
    ] {
        let stem = Path::new(f)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        for (i, v) in json(f).as_array().expect("array").iter().enumerate() {
            let bytes = hex(v["hex"].as_str().unwrap_or(""));
            o.put("lte_rrc", &format!("{stem}-{i}"), &bytes);
            sibs.push(bytes);
        }
    }
    // DL-SCH: each SIB padded to the next format 1C size and turbo coded (RV 0, QPSK).
    for (i, sib) in sibs.iter().enumerate() {
        let Some(idx) =
            (0..32u8).find(|&k| tbs_format1c(k).is_some_and(|t| t as usize >= 8 * sib.len()))
        else {
            continue;
        };
        let tbs = tbs_format1c(idx).unwrap_or(0) as usize;
        let mut tb = sib.clone();
        tb.resize(tbs / 8, 0);
        let g = 2 * (tbs + 24) * 3 / 2 + 64;
        if let Ok(bits) = dlsch_encode(&tb, g - g % 2, 2, 1, 0, None) {
            let mut rec = vec![idx, 0u8];
            rec.extend(soft_bytes(bits));
            o.put("lte_dlsch", &format!("sib-{i}"), &rec);
        }
    }
    // PBCH: the MIBs CellSearch printed for the real captures, coded, scrambled, soft.
    let truth = json("captures/lte/truth.json");
    let mut done = std::collections::BTreeSet::new();
    for rec in truth.as_array().expect("truth") {
        for w in rec["windows"].as_array().into_iter().flatten() {
            for c in w["cells"].as_array().into_iter().flatten() {
                let pci = c["pci"].as_u64().unwrap_or(0) as u16;
                let ports = c["ports"].as_u64().unwrap_or(1) as u8;
                let nrb = c["nrb"].as_u64().unwrap_or(6);
                let sfn = c["sfn"].as_u64().unwrap_or(0) as u16;
                if !done.insert((pci, ports, nrb)) {
                    continue;
                }
                let bw = [6u64, 15, 25, 50, 75, 100]
                    .iter()
                    .position(|&b| b == nrb)
                    .unwrap_or(0);
                let ng = match c["phich_res"].as_str() {
                    Some("half") => 1u8,
                    Some("one") => 2,
                    Some("two") => 3,
                    _ => 0,
                };
                let ext = u8::from(c["phich_dur"].as_str() == Some("E"));
                let mut a = [0u8; 24];
                let fields = [
                    (bw as u16, 3),
                    (u16::from(ext), 1),
                    (u16::from(ng), 2),
                    (sfn >> 2, 8),
                ];
                let mut pos = 0;
                for (v, n) in fields {
                    for i in 0..n {
                        a[pos + i] = ((v >> (n - 1 - i)) & 1) as u8;
                    }
                    pos += n;
                }
                let mask = PBCH_CRC_MASKS
                    .iter()
                    .find(|m| m.0 == ports)
                    .map_or(0, |m| m.1);
                let mut cbits = [0u8; 40];
                cbits[..24].copy_from_slice(&a);
                let crc = crc16_bits(&a) ^ mask;
                for i in 0..16 {
                    cbits[24 + i] = ((crc >> (15 - i)) & 1) as u8;
                }
                let d = conv_encode_tb(&cbits);
                let map = cc_rate_match_map(40);
                let mut scr = vec![0u8; 1920];
                Gold::fill(u32::from(pci), &mut scr);
                let coded = (0..1920).map(|j| {
                    let (s, i) = map[j % map.len()];
                    d[usize::from(s)][usize::from(i)] ^ scr[j]
                });
                // Control: normal CP, 4 frames, the cell's port count.
                let port_code = match ports {
                    2 => 1u8,
                    4 => 2,
                    _ => 0,
                };
                let mut rec = vec![(3 << 2) | (port_code << 4)];
                rec.extend_from_slice(&pci.to_le_bytes());
                for chunk in a.chunks(8) {
                    rec.push(chunk.iter().fold(0u8, |acc, &b| (acc << 1) | b));
                }
                rec.extend(soft_bytes(coded));
                o.put("lte_pbch", &format!("pci{pci}-ports{ports}-nrb{nrb}"), &rec);

                // PCFICH of the same cell, each CFI, subframe 0 (soft bits, then REs with a
                // flat single-port channel).
                for cfi in 1..=3u8 {
                    let Some(w) = pcfich_bits(pci, 0, cfi) else {
                        continue;
                    };
                    let mut rec = vec![0u8];
                    rec.extend_from_slice(&pci.to_le_bytes());
                    rec.push(1);
                    rec.extend(soft_bytes((0..32).map(|i| ((w >> (31 - i)) & 1) as u8)));
                    for _ in 0..16 {
                        rec.extend_from_slice(&[64, 0, 0, 0, 0, 0, 0, 0]);
                    }
                    o.put("lte_pcfich", &format!("pci{pci}-cfi{cfi}"), &rec);
                }

                // DCI 1A and 1C for SI-RNTI at aggregation 4 and 8, CCE 0 (descrambled).
                let n_rb = nrb as u16;
                let tdd = c["duplex"].as_str() == Some("TDD");
                let duplex = if tdd { Duplex::Tdd } else { Duplex::Fdd };
                let d1a = Dci1A {
                    distributed: false,
                    riv: riv_encode(0, 4.min(n_rb), n_rb),
                    mcs: 5,
                    harq: 0,
                    ndi: 0,
                    rv: 0,
                    tpc: 1,
                    dai: tdd.then_some(0),
                };
                let d1c = Dci1C {
                    gap2: false,
                    riv: 3,
                    tbs_index: 6,
                };
                for (fmt, payload) in [
                    ("1a", pack_1a(&d1a, n_rb, duplex)),
                    ("1c", pack_1c(&d1c, n_rb)),
                ] {
                    for l_agg in [4usize, 8] {
                        let coded = encode_dci(&payload, SI_RNTI, 72 * l_agg);
                        let ctrl = (bw as u8) | (u8::from(tdd) << 3) | (port_code << 4);
                        let mut rec = vec![ctrl, 2 | (ng << 2)];
                        rec.extend_from_slice(&pci.to_le_bytes());
                        rec.extend(soft_bytes(coded));
                        o.put(
                            "lte_dci",
                            &format!("pci{pci}-nrb{nrb}-{fmt}-L{l_agg}"),
                            &rec,
                        );
                    }
                }
            }
        }
    }
}

/// A tar member header (ustar) for `name` of `len` bytes with type flag `kind`.
fn tar_header(name: &str, len: usize, kind: u8) -> [u8; 512] {
    let mut h = [0u8; 512];
    let n = name.as_bytes();
    h[..n.len().min(100)].copy_from_slice(&n[..n.len().min(100)]);
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{len:011o}\0").as_bytes());
    h[136..148].copy_from_slice(b"00000000000\0");
    h[156] = kind;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

fn tar_member(out: &mut Vec<u8>, name: &str, data: &[u8], kind: u8) {
    out.extend_from_slice(&tar_header(name, data.len(), kind));
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

fn iq_seeds(o: &mut Out) {
    // Raw: the head of each bundled cut recording under its real name (rate, frequency and
    // format hints in it), every format, and a truncated tail.
    let dir = repo().join("captures/capture-tests");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("capture-tests")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e != "md"))
        .collect();
    names.sort();
    for p in names {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&p).expect("capture");
        for (ctrl, cut) in [(0x40u8 | (5 << 2), 2048usize), (0x20 | (3 << 2), 1027)] {
            let mut rec = vec![ctrl, name.len() as u8];
            rec.extend_from_slice(name.as_bytes());
            rec.extend_from_slice(&bytes[..cut.min(bytes.len())]);
            o.put("iq_raw", &format!("{name}-{cut}"), &rec);
        }
    }
    // SigMF: a recording written by our writer (two segments after a retune, a gap, a truth
    // annotation, position, gain), in every datatype; its metadata alone; and as archives.
    for format in cellsentry_capture::ALL_FORMATS {
        let tmp = tempfile::tempdir().expect("tempdir");
        let base = tmp.path().join("rec");
        let mut cfg = SigmfWriterConfig::new(1_083_333.333);
        cfg.format = format;
        cfg.hw = Some("LimeSDR Mini".into());
        cfg.gain_db = Some(40.0);
        cfg.start_unix_ns = Some(1_700_000_000_000_000_000);
        cfg.geolocation = Some(GeoPoint {
            lat_deg: 51.5007,
            lon_deg: -0.1246,
            alt_m: Some(11.0),
        });
        let mut w = SigmfWriter::create(&base, cfg).expect("writer");
        let samples: Vec<Complex32> = (0..40)
            .map(|i| Complex32::from_polar(0.5, i as f32 * 0.3))
            .collect();
        let block = |first: u64, freq: f64| IqBlock {
            samples: samples.clone(),
            first_sample: first,
            center_freq_hz: freq,
            dropped_total: 0,
        };
        w.write_block(&block(0, 947.4e6)).expect("write");
        w.write_block(&block(40, 947.6e6)).expect("write");
        w.write_block(&block(100, 947.6e6)).expect("write");
        let mut a = Annotation::new(10, 50, "GSM ARFCN 62 234-15");
        a.freq_lower_edge_hz = Some(947.3e6);
        a.freq_upper_edge_hz = Some(947.5e6);
        w.add_annotation(a);
        let paths = w.finish().expect("finish");
        let meta = std::fs::read(&paths.meta).expect("meta");
        let data = std::fs::read(&paths.data).expect("data");
        let short = format.short_name();
        o.put("sigmf_meta", &format!("writer-{short}"), &meta);
        let mut rec = meta.clone();
        rec.push(0);
        rec.extend_from_slice(&data[..data.len().min(600)]);
        o.put("sigmf_recording", &format!("writer-{short}"), &rec);
        let mut tar = Vec::new();
        tar_member(&mut tar, "rec.sigmf-meta", &meta, b'0');
        tar_member(
            &mut tar,
            "rec.sigmf-data",
            &data[..data.len().min(600)],
            b'0',
        );
        tar.extend_from_slice(&[0u8; 1024]);
        o.put("sigmf_archive", &format!("ustar-{short}"), &tar);
        if format == SampleFormat::Ci16Le {
            // Long names: a GNU 'L' record and a pax 'x' record.
            let long = format!("{}/rec", "d".repeat(120));
            let mut tar = Vec::new();
            let meta_name = format!("{long}.sigmf-meta\0");
            tar_member(&mut tar, "././@LongLink", meta_name.as_bytes(), b'L');
            tar_member(&mut tar, "x.sigmf-meta", &meta, b'0');
            let pax = format!("{} path={long}.sigmf-data\n", long.len() + 23);
            tar_member(&mut tar, "PaxHeader", pax.as_bytes(), b'x');
            tar_member(&mut tar, "x.sigmf-data", &data[..400], b'0');
            tar.extend_from_slice(&[0u8; 1024]);
            o.put("sigmf_archive", "long-names", &tar);
        }
    }
}

fn detect_seeds(o: &mut Out) {
    // The OpenCellID rows of the detector's unit test, plain and gzip.
    let csv = "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal\n\
GSM,234,15,3101,40961,,-0.1276,51.5072,1000,12,1,1500000000,1600000000,0\n\
LTE,234,20,1234,26385409,301,-0.1300,51.5100,500,40,1,1500000000,1600000000,-95\n\
UMTS,234,10,100,200,7,-0.1280,51.5080,800,3,1,1500000000,1600000000,0\n\
GSM,234,30,5,6,,2.3522,48.8566,1000,5,1,1500000000,1600000000,0\n";
    let mut rec = vec![1u8];
    rec.extend_from_slice(csv.as_bytes());
    o.put("cell_db_csv", "opencellid", &rec);
    let mut gz = flate2::write::GzEncoder::new(vec![0u8], flate2::Compression::default());
    std::io::Write::write_all(&mut gz, csv.as_bytes()).expect("gzip");
    o.put("cell_db_csv", "opencellid-gz", &gz.finish().expect("gzip"));
    // Observations: the Osmocom blaster cell as its truth file describes it (234-15, LAC 3101,
    // CI 40961, BSIC 21, CELL_RESELECT_OFFSET 126 dB, T3212 5), seen three times, plus an LTE
    // cell of the first real capture's truth (PCI 301) that vanishes when the blaster appears.
    let gsm_si = serde_json::json!({
        "si_types": ["SI1", "SI2", "SI3", "SI4"], "t3212_decihours": 5,
        "cell_reselect_hysteresis_db": 4, "rxlev_access_min": 0, "ms_txpwr_max_cch": 14,
        "si3_rest_octets_decoded": true, "cell_bar_qualify": false,
        "cell_reselect_offset_db": 126, "temporary_offset_db": 0, "penalty_time_s": 20,
        "gprs_indicator": false, "si2quater_announced": false, "si13_announced": false,
        "si2ter_announced": false, "neighbour_arfcns": [], "cell_channel_arfcns": [62],
        "ncc_permitted": 255, "bs_ag_blks_res": 1, "bs_pa_mfrms": 5, "ccch_combined": true,
        "rach": {"emergency_call_barred": true, "cell_barred": false,
                 "access_class_barred_mask": 1024, "re_not_allowed": true,
                 "max_retrans": 7, "tx_integer_slots": 12}
    });
    let mut obs = Vec::new();
    for (i, t) in [0i64, 20_000, 40_000].iter().enumerate() {
        obs.push(serde_json::json!({
            "rat": "gsm", "time_unix_ms": 1_700_000_000_000i64 + t, "channel": 62,
            "bsic_pci": 21, "plmn": {"mcc": 234, "mnc": "15"}, "lac_tac": 3101,
            "cell_id": 40961, "dl_freq_hz": 947.4e6, "power_dbfs": -20.0 - i as f64,
            "snr_db": 25.0, "freq_offset_hz": 120.0, "gsm": gsm_si,
            "paging": {"imsi_pages": 0, "tmsi_pages": 2, "empty_pages": 10}
        }));
        if i == 0 {
            obs.push(serde_json::json!({
                "rat": "lte", "time_unix_ms": 1_699_999_990_000i64, "channel": 1300,
                "bsic_pci": 301, "plmn": {"mcc": 234, "mnc": "10"}, "lac_tac": 4391,
                "cell_id": 26385409, "power_dbfs": -45.0,
                "lte": {"sibs_received": [1, 2, 3], "serving_priority": 5,
                        "geran": [{"channel": 62, "priority": 2}],
                        "sib1": {"plmns": [{"mcc": 234, "mnc": "10"}], "tac": 4391,
                                 "cell_id": 26385409, "cell_barred": false,
                                 "q_rxlevmin_dbm": -124, "scheduling": [[3]],
                                 "si_window_ms": 20}}
            }));
        }
    }
    let obs = Value::Array(obs);
    let parsed: Vec<cellsentry_detect::CellObservation> =
        serde_json::from_value(obs.clone()).expect("observation seed parses");
    let text = serde_json::to_string_pretty(&obs).expect("json");
    o.put("detect_observations", "osmocom-blaster", text.as_bytes());
    // The baseline a survey of those observations saves (`--survey-out`).
    let mut survey = cellsentry_detect::Survey::new();
    for ob in &parsed {
        survey.add(ob);
    }
    let b = survey.finish().to_json().expect("baseline");
    o.put("baseline_json", "survey-osmocom-blaster", b.as_bytes());
    let mut imported = cellsentry_detect::Baseline::empty();
    imported
        .import_cell_db_reader(csv.as_bytes(), "seed", None)
        .expect("import");
    o.put(
        "baseline_json",
        "opencellid-import",
        imported.to_json().expect("json").as_bytes(),
    );
    // Scenarios: every bundled scene.
    let dir = repo().join("captures/scenarios");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    for p in names {
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        o.put(
            "scenario_json",
            &name,
            &std::fs::read(&p).expect("scenario"),
        );
    }
}

fn geo_seeds(o: &mut Out) {
    // NMEA: stretches of the bundled drive log (RMC, GGA, GSA sentences as a receiver logs them).
    let log = std::fs::read_to_string(repo().join("captures/gps/drive_thames_2026-03-14.nmea"))
        .expect("drive log");
    let lines: Vec<&str> = log.lines().collect();
    for (i, start) in [0usize, 200, 400].iter().enumerate() {
        let part: Vec<&str> = lines.iter().skip(*start).take(45).copied().collect();
        o.put(
            "nmea_track",
            &format!("drive-{i}"),
            part.join("\r\n").as_bytes(),
        );
    }
    // GPX 1.1 and gpsd TPV reports of the same fixes.
    let fixes = cellsentry_geo::nmea::parse(&lines[..120].join("\n"), "drive").expect("fixes");
    let fmt = |t: i64| cellsentry_geo::track::format_unix_ms(t);
    let mut gpx = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"cellsentry seeds\" \
         xmlns=\"http://www.topografix.com/GPX/1/1\">\n<trk><name>drive</name><trkseg>\n",
    );
    let mut tpv = String::from(
        "{\"class\":\"VERSION\",\"release\":\"3.22\",\"rev\":\"3.22\",\"proto_major\":3,\"proto_minor\":14}\n",
    );
    for f in fixes.iter().step_by(3).take(20) {
        gpx.push_str(&format!(
            "<trkpt lat=\"{}\" lon=\"{}\"><ele>{}</ele><time>{}</time><hdop>1.1</hdop></trkpt>\n",
            f.point.lat_deg,
            f.point.lon_deg,
            f.point.alt_m.unwrap_or(0.0),
            fmt(f.time_ms())
        ));
        tpv.push_str(&format!(
            "{{\"class\":\"TPV\",\"device\":\"/dev/ttyACM0\",\"mode\":3,\"time\":\"{}\",\"lat\":{},\"lon\":{},\"altMSL\":{},\"speed\":{},\"track\":{}}}\n",
            fmt(f.time_ms()),
            f.point.lat_deg,
            f.point.lon_deg,
            f.point.alt_m.unwrap_or(0.0),
            f.speed_mps.unwrap_or(0.0),
            f.heading_deg.unwrap_or(0.0)
        ));
    }
    gpx.push_str("</trkseg></trk>\n</gpx>\n");
    o.put("gpx_track", "drive", gpx.as_bytes());
    o.put("gpsd_report", "drive-tpv", tpv.as_bytes());
}

fn bearings_seeds(o: &mut Out) {
    // Two bearings either side of a road; columns in any order with a comment, a quoted note
    // and an empty sd_deg; a bad value (the parser's error path).
    o.put(
        "bearings_csv",
        "two",
        b"lat,lon,bearing_deg,sd_deg\n51.49865,-0.12433,68,10\n51.49865,-0.11567,292,5\n",
    );
    o.put(
        "bearings_csv",
        "any-order",
        b"# Yagi, 5 elements\ntime, bearing_deg, lon, lat, sd_deg, note\n\
          11:00:40, 350.5, -0.1215, 51.4990, 5, \"by the church, \"\"strong\"\"\"\n\
          11:01:10, -20, -0.1190, 51.4991,,\n",
    );
    o.put(
        "bearings_csv",
        "bad-line",
        b"lat,lon,bearing_deg\n51.5,-0.12,north\n",
    );
}

fn main() {
    let mut o = Out {
        counts: BTreeMap::new(),
    };
    gsm_seeds(&mut o);
    lte_seeds(&mut o);
    iq_seeds(&mut o);
    detect_seeds(&mut o);
    geo_seeds(&mut o);
    bearings_seeds(&mut o);
    for (t, n) in &o.counts {
        println!("{t}: {n} seeds");
    }
}
