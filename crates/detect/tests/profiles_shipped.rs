//! Sanity checks on the channel blocks shipped in the built-in country profiles, and on how
//! `new_arfcn_unusual_channel` uses the UK GSM900 blocks once they are marked verified.

use cellsentry_detect::{
    Baseline, CellObservation, ChannelBlock, Engine, Plmn, Profile, Rat, Scene, Thresholds,
};

/// GSM ARFCN ranges (3GPP TS 45.005): P-GSM/E-GSM 0..=124, E-GSM 975..=1023, GSM850
/// 128..=251, DCS1800 512..=885 (PCS1900 512..=810 lies inside it).
const GSM_ARFCN_RANGES: [(u32, u32); 4] = [(0, 124), (975, 1023), (128, 251), (512, 885)];

/// LTE EARFCN (downlink) ranges per band, TS 36.101 table 5.7.3-1, for the bands the
/// profiles may use.
const LTE_EARFCN_RANGES: [(u32, u32, u32); 21] = [
    (1, 0, 599),
    (2, 600, 1199),
    (3, 1200, 1949),
    (4, 1950, 2399),
    (5, 2400, 2649),
    (7, 2750, 3449),
    (8, 3450, 3799),
    (11, 4750, 4949),
    (12, 5010, 5179),
    (13, 5180, 5279),
    (17, 5730, 5849),
    (18, 5850, 5999),
    (19, 6000, 6149),
    (20, 6150, 6449),
    (21, 6450, 6599),
    (28, 9210, 9659),
    (41, 39650, 41589),
    (42, 41590, 43589),
    (66, 66436, 67335),
    (67, 67336, 67535),
    (71, 68586, 68935),
];

/// A block must sit inside one band: both ends in the same valid range.
fn block_in_one_band(b: &ChannelBlock) -> bool {
    match b.rat {
        Rat::Gsm => GSM_ARFCN_RANGES
            .iter()
            .any(|(lo, hi)| (*lo..=*hi).contains(&b.first) && (*lo..=*hi).contains(&b.last)),
        Rat::Lte => LTE_EARFCN_RANGES
            .iter()
            .any(|(_, lo, hi)| (*lo..=*hi).contains(&b.first) && (*lo..=*hi).contains(&b.last)),
    }
}

fn overlaps(a: &ChannelBlock, b: &ChannelBlock) -> bool {
    a.rat == b.rat && a.first <= b.last && b.first <= a.last
}

#[test]
fn shipped_blocks_are_well_formed() {
    for code in Profile::builtin_names() {
        let p = Profile::builtin(code).unwrap();
        for op in &p.operators {
            for b in &op.channels {
                assert!(b.first <= b.last, "{code} {}: {b:?}", op.name);
                assert!(
                    block_in_one_band(b),
                    "{code} {}: {b:?} not in one band",
                    op.name
                );
                // Every block has to say where it comes from.
                assert!(!b.comment.trim().is_empty(), "{code} {}: {b:?}", op.name);
            }
        }
        // Licences are exclusive: verified blocks of different operators never overlap.
        for (i, a) in p.operators.iter().enumerate() {
            for b in p.operators.iter().skip(i + 1) {
                for x in a.channels.iter().filter(|x| x.verified) {
                    for y in b.channels.iter().filter(|y| y.verified) {
                        assert!(
                            !overlaps(x, y),
                            "{code}: {} {x:?} overlaps {} {y:?}",
                            a.name,
                            b.name
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn uk_gsm900_blocks_do_not_overlap_between_operators() {
    // Even unverified, the two 900 MHz holders' GSM blocks come from one band plan and must be
    // disjoint; together they cover E-GSM + P-GSM (ARFCN 975..=1023 and 0..=124) exactly once.
    let uk = Profile::builtin("uk").unwrap();
    let gsm_of = |plmn: &str| -> Vec<ChannelBlock> {
        let op = uk.operator_of(&Plmn::parse(plmn).unwrap()).unwrap();
        op.channels
            .iter()
            .filter(|b| b.rat == Rat::Gsm)
            .cloned()
            .collect()
    };
    let voda = gsm_of("234-15");
    let o2 = gsm_of("234-10");
    assert!(!voda.is_empty() && !o2.is_empty());
    for x in &voda {
        for y in &o2 {
            assert!(!overlaps(x, y), "Vodafone {x:?} overlaps O2 {y:?}");
        }
    }
    let covered = |n: u32| {
        voda.iter()
            .chain(&o2)
            .any(|b| (b.first..=b.last).contains(&n))
    };
    assert!((0..=124).chain(975..=1023).all(covered));
}

fn fired_for_vodafone_gsm(profile: Profile, arfcn: u16) -> bool {
    let mut obs = CellObservation::gsm(0, arfcn);
    obs.plmn = Some(Plmn::parse("234-15").unwrap());
    let scene = Scene::from_observations(&[obs]);
    let engine = Engine::new(Some(profile), Baseline::empty(), Thresholds::default());
    let verdicts = engine.evaluate(&scene);
    verdicts[0].verdict.fired("new_arfcn_unusual_channel")
}

#[test]
fn unusual_channel_uses_uk_blocks_only_when_verified() {
    // Shipped: the UK blocks are unverified, so no channel alarms on them (ARFCN 70 lies in
    // O2's 900 MHz block, outside Vodafone's).
    let shipped = Profile::builtin("uk").unwrap();
    assert!(!fired_for_vodafone_gsm(shipped.clone(), 70));

    // With Vodafone's GSM blocks marked verified (what a completed, checked list would do),
    // a cell claiming 234-15 on O2's ARFCN 70 alarms; one on Vodafone's ARFCN 30 or E-GSM 990
    // does not.
    let mut verified = shipped;
    for op in &mut verified.operators {
        if op.plmns.iter().any(|p| p == "234-15") {
            for b in op.channels.iter_mut().filter(|b| b.rat == Rat::Gsm) {
                b.verified = true;
            }
        }
    }
    assert!(fired_for_vodafone_gsm(verified.clone(), 70));
    assert!(!fired_for_vodafone_gsm(verified.clone(), 30));
    assert!(!fired_for_vodafone_gsm(verified.clone(), 990));
    // Only the 900 MHz blocks are listed: a DCS1800 cell (ARFCN 700) is judged against
    // Vodafone's 1800 MHz blocks, of which there are none, so it does not alarm.
    assert!(!fired_for_vodafone_gsm(verified, 700));
}

/// `new_arfcn_unusual_channel` on a GSM cell claiming `plmn` on `arfcn`, at `dl_freq_hz` when
/// given, with the built-in profile of `country`.
fn fired_in(country: &str, plmn: &str, arfcn: u16, dl_freq_hz: Option<f64>) -> bool {
    let mut obs = CellObservation::gsm(0, arfcn);
    obs.plmn = Some(Plmn::parse(plmn).unwrap());
    obs.dl_freq_hz = dl_freq_hz;
    let scene = Scene::from_observations(&[obs]);
    let profile = Profile::builtin(country).unwrap();
    let engine = Engine::new(Some(profile), Baseline::empty(), Thresholds::default());
    engine.evaluate(&scene)[0]
        .verdict
        .fired("new_arfcn_unusual_channel")
}

#[test]
fn gsm_band_foreign_to_the_country_alarms() {
    // (PLMNs of no listed operator, so that only the band decides: AT&T's 310-410 would also
    // fire for its closed GSM network.)
    // A 900 MHz rig (the Osmocom blaster's ARFCN 62, 947.4 MHz) in the US or Canada: no GSM
    // network there ever used 900 MHz, whatever PLMN it claims.
    assert!(fired_in("us", "310-999", 62, Some(947.4e6)));
    assert!(fired_in("ca", "302-999", 62, None));
    // ARFCN 600 is DCS 1800 at 1822.8 MHz (foreign to the US) or PCS 1900 at 1947.8 MHz.
    assert!(fired_in("us", "310-999", 600, Some(1822.8e6)));
    assert!(!fired_in("us", "310-999", 600, Some(1947.8e6)));
    // without the frequency ARFCN 600 could be PCS 1900: no alarm on a guess
    assert!(!fired_in("us", "310-999", 600, None));
    // GSM 850 in the US is fine
    assert!(!fired_in("us", "310-999", 190, Some(881.6e6)));
    // 900 and 1800 MHz are the UK's GSM bands
    assert!(!fired_in("uk", "234-15", 62, Some(947.4e6)));
    assert!(!fired_in("uk", "234-30", 700, Some(1842.8e6)));
    // Japan never had GSM: any GSM cell, even one claiming a foreign operator
    assert!(fired_in("jp", "234-15", 62, Some(947.4e6)));
}
