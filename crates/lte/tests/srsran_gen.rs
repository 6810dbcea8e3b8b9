//! Our receiver on downlinks built by another implementation: srsRAN 4G's PHY library
//! (captures/lte/srsran_gen, see PROVENANCE.md), with 4 CRS ports and 2 for control, DCI 1C on
//! SI-RNTI and transmit-diversity PDSCH. The truth is the generator's log written with the
//! signal: MIB bits per frame, and per SI-RNTI DCI the SFN, RV and transport-block bytes.

use cellsentry_capture::{decode_samples, SampleFormat};
use cellsentry_lte::{decode_system_information, CellSearcher, SearchConfig};
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../captures/lte/srsran_gen")
}

/// One SI-RNTI block: SFN, RV, PRBs allocated, MCS field, transport block in hex.
type SiTruth = (u16, u8, u16, u8, String);

/// From the log: (first SFN, MIB bits of the first frame) and the SI-RNTI blocks.
fn truth(name: &str) -> ((u16, String), Vec<SiTruth>) {
    let log = std::fs::read_to_string(dir().join(format!("{name}.log"))).expect("log");
    let field = |line: &str, key: &str| -> String {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(key))
            .expect("field present")
            .to_string()
    };
    let sfn_of = |line: &str| -> u16 {
        line.split_whitespace()
            .nth(1)
            .and_then(|v| v.parse().ok())
            .expect("SFN")
    };
    let first = log
        .lines()
        .find(|l| l.contains(" MIB bits="))
        .map(|l| (sfn_of(l), field(l, "bits=")))
        .expect("a MIB line");
    let si = log
        .lines()
        .filter(|l| l.contains("SI-RNTI/1C"))
        .map(|l| {
            (
                sfn_of(l),
                field(l, "rv=").parse().expect("rv"),
                field(l, "nprb=").parse().expect("nprb"),
                field(l, "mcs_field=").parse().expect("mcs"),
                field(l, "tb="),
            )
        })
        .collect();
    (first, si)
}

fn check(name: &str, rate: f64, n_prb: u16, ports: u8) {
    let ((sfn0, mib_bits), si_truth) = truth(name);
    assert!(!si_truth.is_empty(), "{name}: the log lists SI blocks");
    let bytes = std::fs::read(dir().join(format!("{name}.cf32"))).expect("vector");
    let x = decode_samples(&bytes, SampleFormat::Cf32Le).expect("cf32");
    let cells = CellSearcher::new(SearchConfig::default())
        .search(&x, rate, Some(1.8e9))
        .expect("search runs");
    assert_eq!(cells.len(), 1, "{name}: {cells:?}");
    let c = &cells[0];
    assert_eq!(c.pci, 123, "{name}");
    // sample 0 is the start of subframe 0 of the first frame
    assert_eq!(c.frame_start_sample, 0, "{name}");
    let mib = c.mib.as_ref().expect("MIB decoded");
    assert_eq!(mib.ports, ports, "{name}: ports from the CRC mask");
    assert_eq!(mib.n_prb, n_prb, "{name}");
    assert_eq!(mib.sfn, sfn0, "{name}");
    assert_eq!(mib.payload_bits, mib_bits, "{name}");
    let report = decode_system_information(&x, rate, c).expect("SI chain runs");
    assert_eq!(report.crc_failed, 0, "{name}");
    let got: Vec<SiTruth> = report
        .blocks
        .iter()
        .filter(|b| b.rnti == 0xFFFF)
        .map(|b| {
            let hex: String = b.payload.iter().map(|v| format!("{v:02x}")).collect();
            (b.sfn, b.rv, b.n_prb, b.mcs, hex)
        })
        .collect();
    // every SI block srsRAN sent: its DCI 1C read to the same allocation, MCS and RV, and the
    // block decoded on its own (no noise) to the same bytes
    assert_eq!(got, si_truth, "{name}");
}

#[test]
fn srsran_4_ports_6_prb() {
    check("lte_6prb_4port_pci123", 1.92e6, 6, 4);
}

#[test]
fn srsran_2_ports_6_prb() {
    check("lte_6prb_2port_pci123", 1.92e6, 6, 2);
}

#[test]
fn srsran_4_ports_25_prb() {
    check("lte_25prb_4port_pci123", 7.68e6, 25, 4);
}
