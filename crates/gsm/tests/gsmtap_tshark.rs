//! Our GSMTAP pcap of the Osmocom capture, dissected by tshark, against gr-gsm's own GSMTAP
//! pcap of the same IQ dissected the same way. Skipped (with a note) when tshark is missing.
mod common;
use cellsentry_gsm::decode_all_at;
use cellsentry_gsm::gsmtap::{GsmtapPcapWriter, GsmtapRadio};
use common::*;
use std::process::Command;

const FIELDS: [&str; 4] = [
    "gsmtap.frame_nr",
    "gsmtap.chan_type",
    "gsmtap.sub_slot",
    "gsm_a.dtap.msg_rr_type",
];

fn tshark_fields(pcap: &std::path::Path) -> Option<Vec<String>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(pcap).args(["-T", "fields"]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().ok()?;
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn tshark_reads_our_gsmtap_like_gr_gsm_s() {
    if Command::new("tshark").arg("-v").output().is_err() {
        eprintln!("note: tshark not on PATH, GSMTAP dissection test skipped");
        return;
    }
    let name = "osmocom_default_dcs1800_arfcn871";
    let x = load_cs16(&format!("{name}.cs16"));
    let d = decode_all_at(&x, OSMO_RATE, Some(1877.0e6)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("ours.pcap");
    let f = std::fs::File::create(&ours).unwrap();
    let mut w = GsmtapPcapWriter::new(std::io::BufWriter::new(f)).unwrap();
    let radio = GsmtapRadio {
        arfcn: d.measurement.arfcn.unwrap(),
        ..Default::default()
    };
    for b in d.blocks() {
        w.write_block(b, &radio, b.first_sample as f64 / OSMO_RATE)
            .unwrap();
    }
    w.into_inner().unwrap();
    let ours_lines = tshark_fields(&ours).unwrap();
    let theirs = tshark_fields(
        &captures()
            .join("osmocom")
            .join(format!("{name}.grgsm.pcap")),
    )
    .unwrap();
    assert_eq!(theirs.len(), 40);
    for line in &theirs {
        assert!(
            ours_lines.contains(line),
            "gr-gsm packet {line:?} missing from ours"
        );
    }
    // SI1..SI4 message types seen by tshark in our file.
    for t in ["0x19", "0x1a", "0x1b", "0x1c"] {
        assert!(ours_lines.iter().any(|l| l.ends_with(t)), "no RR type {t}");
    }
    println!(
        "tshark: ours {} packets, gr-gsm {}",
        ours_lines.len(),
        theirs.len()
    );
}
