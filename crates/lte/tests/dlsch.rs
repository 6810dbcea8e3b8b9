//! DL-SCH coding chain against independent truth: transport block CRCs printed by another
//! receiver for real SIB transport blocks, TBS of real SIB1s, and encode -> AWGN -> decode round
//! trips over sizes, RVs, modulations and soft combining.

use cellsentry_lte::dlsch::{
    crc24a, crc24a_bytes, crc24b, dlsch_encode, DlschDecoder, DlschError, Segmentation,
    SoftCombiner,
};
use cellsentry_lte::tbs::{mcs_to_itbs, tbs_bits, tbs_format1a_common};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn bits_of(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .flat_map(|&b| (0..8).rev().map(move |i| (b >> i) & 1))
        .collect()
}

/// Real transport blocks followed by the 24-bit TB CRC, as printed by the MATLAB receiver of
/// JiaoXianjun/LTE-Cell-Scanner (Matlab/f2585_s19.2_bw20_1s_hackrf_SIB.txt and
/// f2585_s19.2_bw20_1s_hackrf_1_SIB.txt): China Mobile band 38 SIB1, SI(SIB2+SIB3), SI(SIB5).
const TB_WITH_CRC: [(&str, &str, u32); 3] = [
    ("SIB1", "7051800111271226401823594242041127DB", 0x2B4103),
    (
        "SI(SIB2+SIB3)",
        "00801C31186FE1292832889663500002024602772CB552CBC001832582FA46B62780A09D62B0900000",
        0xC6D714,
    ),
    ("SI(SIB5)", "000C544AE711A95A6BA22654882D5D540000", 0x10A21B),
];

#[test]
fn crc24a_of_real_transport_blocks() {
    for (name, tb, crc) in TB_WITH_CRC {
        let bytes = hex(tb);
        let bits = bits_of(&bytes);
        assert_eq!(crc24a(&bits), crc, "{name}");
        assert_eq!(crc24a_bytes(&bytes), crc, "{name}");
        // Data followed by its parity leaves remainder 0 (what the receiver checks).
        let mut with = bits.clone();
        with.extend((0..24).rev().map(|i| ((crc >> i) & 1) as u8));
        assert_eq!(crc24a(&with), 0, "{name}");
        // A single flipped bit is caught.
        with[7] ^= 1;
        assert_ne!(crc24a(&with), 0, "{name}");
    }
}

/// glibc `rand()` (TYPE_3 additive feedback generator) seeded like `srand(seed)`, to rebuild the
/// input of srsRAN's CRC unit test.
fn glibc_rand(seed: u32, n: usize) -> Vec<u32> {
    let mut r = vec![0u32; 344 + n];
    r[0] = seed;
    for i in 1..31 {
        let prev = i64::from(r[i - 1]);
        let mut w = 16807 * (prev % 127773) - 2836 * (prev / 127773);
        if w < 0 {
            w += 2147483647;
        }
        r[i] = w as u32;
    }
    for i in 31..34 {
        r[i] = r[i - 31];
    }
    for i in 34..344 + n {
        r[i] = r[i - 31].wrapping_add(r[i - 3]);
    }
    r[344..].iter().map(|&v| v >> 1).collect()
}

#[test]
fn crc24_match_srsran_unit_test_words() {
    // srsRAN_4G lib/src/phy/fec/test/crc_test.{c,h}: 5001 bits `rand() % 2` after `srand(1)`
    // give CRC24A 0x1C5C97 and CRC24B 0x36D1F0.
    let bits: Vec<u8> = glibc_rand(1, 5001).iter().map(|&v| (v % 2) as u8).collect();
    assert_eq!(crc24a(&bits), 0x1C5C97);
    assert_eq!(crc24b(&bits), 0x36D1F0);
}

/// (TB hex, E, RV, coded bits hex): the single-code-block DL-SCH chain (CRC24A, turbo encoder,
/// sub-block interleavers, bit collection/selection with N_cb = K_w) run through a Python
/// transliteration of the MATLAB functions of JiaoXianjun/LTE-Cell-Scanner (lte_calc_crc,
/// lte_turbo_encoder, intlvLTE, sub_block_intlv, bit_C_S_T; test_pdsch_enc_dec.m there compares
/// them with MATLAB's lteDLSCH). TBs: the f1815.3 and f2360 SIB1s and a 16-bit block (K = 40).
const MATLAB_CHAIN: [(&str, usize, u8, &str); 9] = [
    ("48481803247c2bffd02810210081044c43250b900000", 600, 0, "ce08041212060905410b0d12505400d45300dca416920921d69eb342345975015b7c9a6a4b342d847ffb85e4be4d31365412b4524c52e39a29bd324e52fd11c10c64f64e85124185d56beb"),
    ("48481803247c2bffd02810210081044c43250b900000", 600, 1, "482d241243ad3d668468b2ea02b6f934d496685b08fff70bc97c9a626ca82568a498a5c734537a649ca5fa238218c9ec9d0a24830baad7d7c2b9c100824240c120a82161a24a0a801a8a60"),
    ("48481803247c2bffd02810210081044c43250b900000", 600, 2, "b611ffee1792f934c4d9504ad149314b8e68a6f4c9394bf447043193d93a1449061755afaf8573820104848182415042c3449415003514c0372905a4824875a7acd08d165d4056df269a92"),
    ("48481803247c2bffd02810210081044c43250b900000", 600, 3, "f4c9394bf447043193d93a1449061755afaf8573820104848182415042c3449415003514c0372905a4824875a7acd08d165d4056df269a92cd0b611ffee1792f934c4d9504ad149314b8e6"),
    ("48481803247c2bffd02810210081044c43250b900000", 1200, 2, "b611ffee1792f934c4d9504ad149314b8e68a6f4c9394bf447043193d93a1449061755afaf8573820104848182415042c3449415003514c0372905a4824875a7acd08d165d4056df269a92cd0b611ffee1792f934c4d9504ad149314b8e68a6f4c9394bf447043193d93a1449061755afaf8573820104848182415042c3449415003514c0372905a4824875a7acd08d165d4056df269"),
    ("7051800111271486c0182359c242041127d9", 456, 0, "0830350129051cb10114254182c2cd9b1134e27ad4dd09afced69cf7161a47282d7b67dcc66781d22a4d41c0a8136c42673466f8a9d1e4e7d3"),
    ("7051800111271486c0182359c242041127d9", 456, 3, "9cd19be2a747939f4d1e1db7a76d0529020c0d404a41472c4045095060b0b366c44d389eb537426bf3b5a73dc58691ca0b5ed9f73199e0748a"),
    ("a5c3", 132, 0, "abe35797fa06cb7bb801a7f4f97aa0a6d0"),
    ("a5c3", 300, 1, "f40d96f770034fe9f2f5414db57c6af2ff40d96f770034fe9f2f5414db57c6af2ff40d96f770"),
];

#[test]
fn encoder_matches_independent_matlab_chain() {
    for (tb, e, rv, want) in MATLAB_CHAIN {
        let coded = dlsch_encode(&hex(tb), e, 2, 1, rv, None).unwrap();
        let want_bits = bits_of(&hex(want));
        assert_eq!(coded, want_bits[..e], "TB {tb} E {e} RV {rv}");
    }
}

#[test]
fn crc_polynomials_are_the_36212_ones() {
    // A lone 1 shifted through an all-zero register leaves the generator polynomial
    // (TS 36.212 5.1.1): gCRC24A = D24+D23+D18+D17+D14+D11+D10+D7+D6+D5+D4+D3+D+1,
    // gCRC24B = D24+D23+D6+D5+D+1.
    assert_eq!(crc24a(&[1]), 0x864CFB);
    assert_eq!(crc24b(&[1]), 0x800063);
}

#[test]
fn tbs_of_real_sib1s() {
    // Shared captures README: f1815.3 SIB1 = 22 bytes with DCI 1A (SI-RNTI) MCS 3; f2360 SIB1
    // = 18 bytes with MCS 2 (both decoded by LTE_DL_receiver.m). For SI-RNTI the TBS comes from
    // column N_PRB^1A = 3 (TPC LSB = 1) of table 7.1.7.2.1-1 with I_TBS = I_MCS (TS 36.213
    // 7.1.7), not from the 4 or 7 allocated PRBs.
    assert_eq!(tbs_format1a_common(3, 1), Some(22 * 8));
    assert_eq!(tbs_bits(3, 3), Some(176));
    assert_eq!(tbs_format1a_common(2, 1), Some(18 * 8));
    assert_ne!(tbs_bits(3, 4), Some(176));
    assert_eq!(mcs_to_itbs(3), Some((2, 3)));
}

fn lcg(seed: &mut u64) -> u32 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 33) as u32
}

fn gauss(seed: &mut u64) -> f32 {
    let u1 = (lcg(seed) as f32 + 1.0) / 2_147_483_648.0;
    let u2 = lcg(seed) as f32 / 2_147_483_648.0;
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f32::consts::PI * u2).cos()
}

/// BPSK-like channel: each coded bit as ±1 with noise of the given Es/N0, as LLRs.
fn channel(bits: &[u8], esn0_db: f32, seed: &mut u64) -> Vec<f32> {
    let esn0 = 10f32.powf(esn0_db / 10.0);
    let sigma = (1.0 / (2.0 * esn0)).sqrt();
    bits.iter()
        .map(|&b| {
            let x = if b == 0 { 1.0 } else { -1.0 };
            2.0 * (x + sigma * gauss(seed)) / (sigma * sigma)
        })
        .collect()
}

fn random_tb(bytes: usize, seed: &mut u64) -> Vec<u8> {
    (0..bytes).map(|_| lcg(seed) as u8).collect()
}

/// G for a code rate near `rate`, rounded to a multiple of N_L * Q_m.
fn g_for(tbs: usize, rate: f32, qm: u8, n_l: u8) -> usize {
    let step = usize::from(qm) * usize::from(n_l);
    (((tbs + 24) as f32 / rate) as usize).div_ceil(step) * step
}

#[test]
fn round_trips_sizes_rvs_modulations() {
    let mut dec = DlschDecoder::new();
    let mut seed = 11u64;
    // TBS values of table 7.1.7.2.1-1 (SIB-sized, the largest single block 6120, 2 to 13 code
    // blocks): the table is built so that none needs filler bits or a K- block. 800 and 8000
    // bits (not in the table, but any byte count is codable) exercise F = 8 in a single block
    // and C- = 1, K- = 4032, K+ = 4096, F = 56 across two blocks.
    let sizes = [
        16usize, 56, 144, 176, 328, 800, 1000, 2984, 6120, 6200, 8000, 12576, 30576, 75376,
    ];
    for (n, &tbs) in sizes.iter().enumerate() {
        let tb = random_tb(tbs / 8, &mut seed);
        for rv in 0..4u8 {
            let qm = [2u8, 4, 6][(n + usize::from(rv)) % 3];
            let n_l = if rv == 1 { 2 } else { 1 };
            // RV 0 at rate ~0.6; other RVs alone need a lower rate (fewer systematic bits).
            let rate = if rv == 0 { 0.6 } else { 0.4 };
            let g = g_for(tbs, rate, qm, n_l);
            let coded = dlsch_encode(&tb, g, qm, n_l, rv, None).unwrap();
            assert_eq!(coded.len(), g);
            assert!(coded.iter().all(|&b| b <= 1));
            let llr = channel(&coded, 3.0, &mut seed);
            let got = dec.decode(&llr, tbs, qm, n_l, rv, None);
            assert_eq!(
                got.as_deref(),
                Ok(tb.as_slice()),
                "TBS {tbs} RV {rv} Qm {qm}"
            );
        }
    }
}

#[test]
fn limited_soft_buffer_round_trip() {
    // N_IR below K_w moves the RV start points (N_cb = floor(N_IR / C)); encoder and decoder
    // must agree on it, and a decoder assuming no limit must fail.
    let mut dec = DlschDecoder::new();
    let mut seed = 5u64;
    let tbs = 12576;
    let tb = random_tb(tbs / 8, &mut seed);
    let seg = Segmentation::for_tbs(tbs).unwrap();
    let n_ir = seg.c * 9000;
    for rv in 0..4u8 {
        let g = g_for(tbs, 0.5, 4, 1);
        let coded = dlsch_encode(&tb, g, 4, 1, rv, Some(n_ir)).unwrap();
        let llr = channel(&coded, 4.0, &mut seed);
        assert_eq!(
            dec.decode(&llr, tbs, 4, 1, rv, Some(n_ir)).unwrap(),
            tb,
            "RV {rv}"
        );
        if rv > 0 {
            assert!(dec.decode(&llr, tbs, 4, 1, rv, None).is_err());
        }
    }
}

#[test]
fn wrong_rv_or_size_does_not_decode() {
    let mut dec = DlschDecoder::new();
    let mut seed = 3u64;
    let tb = random_tb(22, &mut seed);
    let coded = dlsch_encode(&tb, 600, 2, 1, 2, None).unwrap();
    let llr = channel(&coded, 6.0, &mut seed);
    assert_eq!(dec.decode(&llr, 176, 2, 1, 2, None).unwrap(), tb);
    assert!(dec.decode(&llr, 176, 2, 1, 0, None).is_err());
    assert!(dec.decode(&llr, 208, 2, 1, 2, None).is_err());
}

#[test]
fn low_snr_fails_cleanly() {
    let mut dec = DlschDecoder::new();
    let mut seed = 99u64;
    for &tbs in &[176usize, 1000, 6200] {
        let tb = random_tb(tbs / 8, &mut seed);
        let g = g_for(tbs, 0.5, 2, 1);
        let coded = dlsch_encode(&tb, g, 2, 1, 0, None).unwrap();
        // Eb/N0 about -4 dB: far below what any rate-1/2 code can do.
        let llr = channel(&coded, -7.0, &mut seed);
        let res = dec.decode(&llr, tbs, 2, 1, 0, None);
        assert!(
            matches!(
                res,
                Err(DlschError::TbCrc) | Err(DlschError::CodeBlockCrc { .. })
            ),
            "TBS {tbs}: {res:?}"
        );
    }
    // Pure noise and erasures.
    let noise: Vec<f32> = (0..1200).map(|_| gauss(&mut seed)).collect();
    assert!(dec.decode(&noise, 176, 2, 1, 0, None).is_err());
    assert_eq!(
        dec.decode(&[0.0; 1200], 176, 2, 1, 0, None),
        Err(DlschError::NoSignal)
    );
}

#[test]
fn bad_arguments_give_errors() {
    let mut dec = DlschDecoder::new();
    let tb = [0x55u8; 22];
    assert!(matches!(
        dlsch_encode(&tb, 601, 2, 1, 0, None),
        Err(DlschError::BadG { .. })
    ));
    assert_eq!(
        dlsch_encode(&tb, 600, 3, 1, 0, None),
        Err(DlschError::BadModulation(3))
    );
    assert_eq!(
        dlsch_encode(&tb, 600, 2, 1, 4, None),
        Err(DlschError::BadRv(4))
    );
    assert_eq!(
        dlsch_encode(&tb, 600, 2, 0, 0, None),
        Err(DlschError::BadLayers(0))
    );
    assert_eq!(
        dlsch_encode(&[], 600, 2, 1, 0, None),
        Err(DlschError::BadTbs(0))
    );
    assert!(matches!(
        dlsch_encode(&[0u8; 9422], 24, 2, 1, 0, None),
        Err(DlschError::GTooSmall { .. })
    ));
    // A soft buffer too small to hold anything of a block.
    assert!(dlsch_encode(&tb, 600, 2, 1, 0, Some(0)).is_err());
    let llr = vec![1.0f32; 600];
    assert!(matches!(
        dec.decode(&llr[..599], 176, 2, 1, 0, None),
        Err(DlschError::BadG { .. })
    ));
    assert_eq!(
        dec.decode(&llr, 177, 2, 1, 0, None),
        Err(DlschError::BadTbs(177))
    );
    assert_eq!(
        dec.decode(&llr, 176, 5, 1, 0, None),
        Err(DlschError::BadModulation(5))
    );
    let mut nan = llr.clone();
    nan[17] = f32::NAN;
    assert_eq!(
        dec.decode(&nan, 176, 2, 1, 0, None),
        Err(DlschError::NonFinite(17))
    );
    assert!(dec.decode(&[], 176, 2, 1, 0, None).is_err());
    assert!(SoftCombiner::new(0, None).is_err());
    let mut comb = SoftCombiner::new(176, None).unwrap();
    assert_eq!(comb.decode(&mut dec), Err(DlschError::Empty));
    assert!(comb.add(&llr[..599], 2, 1, 0).is_err());
}

#[test]
fn soft_combining_of_four_rvs() {
    // SIB1-like: 176-bit TB, 4 PRB worth of QPSK (G = 480), RV order 0, 2, 3, 1 (TS 36.321
    // 5.3.1). At Es/N0 = -5 dB no single reception decodes; their sum does.
    let mut dec = DlschDecoder::new();
    let mut seed = 2024u64;
    let mut combined_ok = 0;
    for trial in 0..4 {
        let tb = random_tb(22, &mut seed);
        let mut comb = SoftCombiner::new(176, None).unwrap();
        for rv in [0u8, 2, 3, 1] {
            let coded = dlsch_encode(&tb, 480, 2, 1, rv, None).unwrap();
            let llr = channel(&coded, -5.0, &mut seed);
            assert!(
                dec.decode(&llr, 176, 2, 1, rv, None).is_err(),
                "trial {trial}: RV {rv} alone decoded"
            );
            comb.add(&llr, 2, 1, rv).unwrap();
        }
        assert_eq!(comb.receptions(), 4);
        if comb.decode(&mut dec).as_deref() == Ok(tb.as_slice()) {
            combined_ok += 1;
        }
    }
    assert_eq!(combined_ok, 4);
}

#[test]
fn decoder_is_reusable_across_sizes() {
    let mut dec = DlschDecoder::new();
    let mut seed = 77u64;
    for &tbs in &[75376usize, 40, 6200, 176, 30576, 16] {
        let tb = random_tb(tbs / 8, &mut seed);
        let g = g_for(tbs, 0.5, 6, 1);
        let coded = dlsch_encode(&tb, g, 6, 1, 0, None).unwrap();
        let llr = channel(&coded, 10.0, &mut seed);
        assert_eq!(dec.decode(&llr, tbs, 6, 1, 0, None).unwrap(), tb);
        // Clean input stops after the first half-iteration of every block.
        let blocks = Segmentation::for_tbs(tbs).unwrap().c;
        assert_eq!(dec.last_half_iterations(), blocks, "TBS {tbs}");
    }
}

#[test]
fn arbitrary_parameters_never_panic() {
    // Random (often inconsistent) sizes, formats and soft values: every call returns, Ok or Err.
    let mut dec = DlschDecoder::new();
    let mut seed = 4242u64;
    for _ in 0..300 {
        let tbs = 8 * (lcg(&mut seed) as usize % 800);
        let g = lcg(&mut seed) as usize % 5000;
        let qm = (lcg(&mut seed) % 9) as u8;
        let n_l = (lcg(&mut seed) % 6) as u8;
        let rv = (lcg(&mut seed) % 5) as u8;
        let n_ir = match lcg(&mut seed) % 3 {
            0 => None,
            1 => Some(lcg(&mut seed) as usize % 4000),
            _ => Some(lcg(&mut seed) as usize % 400_000),
        };
        let llr: Vec<f32> = (0..g).map(|_| 8.0 * gauss(&mut seed)).collect();
        let _ = dec.decode(&llr, tbs, qm, n_l, rv, n_ir);
        let tb = random_tb(tbs / 8, &mut seed);
        if let Ok(coded) = dlsch_encode(&tb, g, qm, n_l, rv, n_ir) {
            assert_eq!(coded.len(), g);
        }
        if let Ok(mut comb) = SoftCombiner::new(tbs, n_ir) {
            let _ = comb.add(&llr, qm, n_l, rv);
            let _ = comb.decode(&mut dec);
        }
    }
    // Huge but finite soft values do not turn into NaN decisions.
    let tb = random_tb(22, &mut seed);
    let coded = dlsch_encode(&tb, 480, 2, 1, 0, None).unwrap();
    let llr: Vec<f32> = coded
        .iter()
        .map(|&b| if b == 0 { 3.0e38 } else { -3.0e38 })
        .collect();
    assert_eq!(dec.decode(&llr, 176, 2, 1, 0, None).unwrap(), tb);
}

#[test]
fn segmentation_matches_matlab_lte_toolbox_examples() {
    // MathWorks lteDLSCHInfo documentation examples (TS 36.212 5.1.2 as implemented by the
    // MATLAB LTE Toolbox): a 132-bit block gives C = 1, K+ = 160, F = 4; the R.11 RMC transport
    // block (Bout = 13056 = C K+ with F = 0, so TBS = 13056 - 3 * 24 - 24 = 12960) gives C = 3,
    // K- = 4288, C- = 0, K+ = 4352, C+ = 3, L = 24.
    let s = Segmentation::new(132 + 24).unwrap();
    assert_eq!(
        (s.c, s.k_plus, s.c_plus, s.c_minus, s.f, s.l),
        (1, 160, 1, 0, 4, 0)
    );
    let s = Segmentation::for_tbs(12960).unwrap();
    assert_eq!(
        (s.c, s.k_minus, s.c_minus, s.k_plus, s.c_plus, s.f, s.l),
        (3, 4288, 0, 4352, 3, 0, 24)
    );
    assert_eq!(s.c_plus * s.k_plus, 13056);
    // The non-table sizes used by the round trips.
    let s = Segmentation::for_tbs(800).unwrap();
    assert_eq!((s.c, s.k_plus, s.f), (1, 832, 8));
    let s = Segmentation::for_tbs(8000).unwrap();
    assert_eq!(
        (s.c, s.k_minus, s.c_minus, s.k_plus, s.c_plus, s.f),
        (2, 4032, 1, 4096, 1, 56)
    );
}
