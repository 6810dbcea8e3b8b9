//! Measurement behind the SI fingerprint (issue #13, `crates/detect/FINGERPRINT.md`): no
//! legitimate cell of the scene library or of the shared real captures has the fingerprint of
//! any fake cell.
//!
//! Every cell goes through the same path as a replay: its broadcast blocks are parsed by
//! `gsm-l3` / `lte-rrc`, turned into the detector's model by the pipeline, and fingerprinted by
//! `detect`. Sources:
//! - scene library (`captures/scenarios/*.json`): every GSM cell's SI1-SI4, SI2quater, SI13 as
//!   the scene generator encodes them (gr-gsm decodes those byte-identical to osmo-bsc's, see
//!   the synth tests), every LTE cell's SIB1 and SI messages; fake or legitimate per the scene;
//! - real fakes: the SI1-SI4 blocks of the two real Osmocom base stations (`captures/osmocom`
//!   truth, byte-identical to what the BSC sent the BTS), the stack blasters run;
//! - real legitimate networks (`captures/gsm-l3/si_vectors.json`): 262-02 (SI2, SI2ter,
//!   SI2quater, SI3, SI4, SI13 of one DCS1800 cell, gr-gsm's fixture); 208-20 and 310-260 carry
//!   SI3 (and SI1) only, so every neighbour-list shape is tried for them: none may collide.

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::PathBuf;

    use cellsentry_detect::SiFingerprint;
    use cellsentry_gsm_l3::{parse_l2_block, CellSystemInfo, Channel};
    use serde_json::Value;

    use cellsentry_pipeline as assess;

    fn repo() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    fn gsm_cell(blocks: &[Vec<u8>]) -> CellSystemInfo {
        let mut si = CellSystemInfo::new();
        for b in blocks {
            si.update(&parse_l2_block(Channel::Bcch, b));
        }
        si
    }

    struct Cell {
        what: String,
        fake: bool,
        fingerprints: Vec<SiFingerprint>,
    }

    fn gsm_fingerprints(si: &CellSystemInfo, arfcn: u32) -> Vec<SiFingerprint> {
        let mut model = assess::gsm_system_info(si);
        if model.neighbour_arfcns.is_some() {
            return SiFingerprint::gsm(&model, Some(arfcn))
                .into_iter()
                .collect();
        }
        // SI2 not in the source: every neighbour-list shape it could have had.
        let shapes: [&[u16]; 5] = [
            &[],
            &[arfcn as u16],
            &[1, 2],
            &[1, 2, 3, 4, 5, 6],
            &(1..=20).collect::<Vec<u16>>(),
        ];
        shapes
            .iter()
            .filter_map(|s| {
                model.neighbour_arfcns = Some(s.to_vec());
                SiFingerprint::gsm(&model, Some(arfcn))
            })
            .collect()
    }

    fn scene_cells() -> Vec<Cell> {
        let mut out = Vec::new();
        let dir = repo().join("captures/scenarios");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        names.sort();
        for path in names {
            let scene = cellsentry_synth::Scenario::load(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            for (i, c) in scene.cells.iter().enumerate() {
                let what = format!("{name}: {}", scene.cell_label(i));
                if let (Some(g), Some(arfcn)) = (&c.gsm, c.arfcn) {
                    let b = g.broadcast(arfcn, false).unwrap();
                    let mut blocks = vec![
                        b.si1.to_vec(),
                        b.si2.to_vec(),
                        b.si3.to_vec(),
                        b.si4.to_vec(),
                    ];
                    blocks.extend(b.si2quater.map(|x| x.to_vec()));
                    blocks.extend(b.si13.map(|x| x.to_vec()));
                    let si = gsm_cell(&blocks);
                    out.push(Cell {
                        what,
                        fake: c.fake,
                        fingerprints: gsm_fingerprints(&si, u32::from(arfcn)),
                    });
                } else if let Some(l) = &c.lte {
                    let mut l = l.clone();
                    if l.sib1_hex.is_none() && l.system_information.is_some() {
                        l.resolve_system_information().unwrap();
                    }
                    let mut info = cellsentry_lte_rrc::CellSystemInfo::new();
                    let msgs = l
                        .sib1_hex
                        .iter()
                        .cloned()
                        .chain(l.si.iter().map(|m| m.hex.clone()));
                    for h in msgs {
                        let bytes = cellsentry_synth::lte_cell::parse_hex(&h).unwrap();
                        info.ingest(cellsentry_lte_rrc::decode_bcch_dl_sch(&bytes).unwrap());
                    }
                    let model = assess::lte_system_info(&info);
                    out.push(Cell {
                        what,
                        fake: c.fake,
                        fingerprints: SiFingerprint::lte(&model).into_iter().collect(),
                    });
                }
            }
        }
        out
    }

    fn real_cells() -> Vec<Cell> {
        let mut out = Vec::new();
        for (file, arfcn) in [
            ("osmocom_blaster_234-15_gsm900_arfcn62.truth.json", 62),
            ("osmocom_default_dcs1800_arfcn871.truth.json", 871),
        ] {
            let truth: Value = serde_json::from_str(
                &std::fs::read_to_string(repo().join("captures/gsm-l3").join(file)).unwrap(),
            )
            .unwrap();
            let blocks: Vec<Vec<u8>> = truth["system_information"]
                .as_object()
                .unwrap()
                .values()
                .flat_map(|v| v["payloads_hex"].as_array().unwrap().iter())
                .map(|h| hex(h.as_str().unwrap()))
                .collect();
            out.push(Cell {
                what: format!("real Osmocom BTS {file}"),
                fake: true,
                fingerprints: gsm_fingerprints(&gsm_cell(&blocks), arfcn),
            });
        }
        let vectors: Vec<Value> = serde_json::from_str(
            &std::fs::read_to_string(repo().join("captures/gsm-l3/si_vectors.json")).unwrap(),
        )
        .unwrap();
        // Real networks only (the osmo-bsc unit-test vectors are a BSC's defaults, not a
        // network, and hold no SI3).
        let mut by_cell: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
        for v in &vectors {
            let net = v["network"].as_str().unwrap_or("");
            let msg = v["message"].as_str().unwrap_or("");
            if !msg.starts_with("SI") || net.contains("osmocom") {
                continue;
            }
            // Each SI3 of 208-20 / 310-260 may be another cell: keep them apart.
            let key = if msg == "SI3" && !net.starts_with("262") {
                format!("{net} {}", v["hex"].as_str().unwrap())
            } else {
                net.split(' ').next().unwrap_or(net).to_string()
            };
            by_cell
                .entry(key)
                .or_default()
                .push(hex(v["hex"].as_str().unwrap()));
        }
        for (net, blocks) in by_cell {
            let si = gsm_cell(&blocks);
            if !si.seen(cellsentry_gsm_l3::GsmSiType::Si3) {
                continue;
            }
            // 262-02 is a DCS1800 cell on ARFCN 725; the others' ARFCNs are not known.
            out.push(Cell {
                what: format!("real network {net}"),
                fake: false,
                fingerprints: gsm_fingerprints(&si, 725),
            });
        }
        out
    }

    #[test]
    fn no_legitimate_cell_has_a_fake_cells_fingerprint() {
        let cells: Vec<Cell> = scene_cells().into_iter().chain(real_cells()).collect();
        let fake: BTreeSet<&str> = cells
            .iter()
            .filter(|c| c.fake)
            .flat_map(|c| c.fingerprints.iter().map(|f| f.id.as_str()))
            .collect();
        let legit: BTreeSet<&str> = cells
            .iter()
            .filter(|c| !c.fake)
            .flat_map(|c| c.fingerprints.iter().map(|f| f.id.as_str()))
            .collect();
        for c in &cells {
            eprintln!(
                "{} {:<70} {}",
                if c.fake { "FAKE " } else { "legit" },
                c.what,
                c.fingerprints
                    .iter()
                    .map(|f| &f.id[..16])
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
        let n_fake = cells.iter().filter(|c| c.fake).count();
        let n_legit = cells.len() - n_fake;
        eprintln!(
            "{n_fake} fake cells ({} distinct fingerprints), {n_legit} legitimate cells ({} distinct), collisions: {}",
            fake.len(),
            legit.len(),
            fake.intersection(&legit).count()
        );
        // Margin: for each fake fingerprint, how many settings the nearest legitimate one
        // differs in (one changed setting would already separate them).
        let settings = |f: &SiFingerprint| -> BTreeMap<String, String> {
            f.text
                .split(';')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let fakes: Vec<&SiFingerprint> = cells
            .iter()
            .filter(|c| c.fake)
            .flat_map(|c| &c.fingerprints)
            .collect();
        let legits: Vec<&SiFingerprint> = cells
            .iter()
            .filter(|c| !c.fake)
            .flat_map(|c| &c.fingerprints)
            .collect();
        let mut margins = BTreeMap::new();
        for f in &fakes {
            let a = settings(f);
            let nearest = legits
                .iter()
                .filter(|l| l.rat == f.rat)
                .map(|l| {
                    let b = settings(l);
                    a.iter().filter(|(k, v)| b.get(*k) != Some(v)).count()
                })
                .min()
                .unwrap_or(usize::MAX);
            margins.insert(f.id.clone(), nearest);
        }
        eprintln!("settings in which each fake fingerprint differs from the nearest legitimate one: {margins:?}");
        assert!(margins.values().all(|m| *m >= 3));
        // Every fake cell and every real network cell could be fingerprinted.
        assert!(cells.iter().all(|c| !c.fingerprints.is_empty()));
        assert!(
            n_fake >= 7 && n_legit >= 15,
            "{n_fake} fake, {n_legit} legitimate"
        );
        assert!(cells.iter().any(|c| c.what.contains("262-02")));
        assert_eq!(fake.intersection(&legit).count(), 0);
    }
}
