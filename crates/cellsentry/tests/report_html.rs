//! The regulator's HTML report in a real browser (Debian `chromium`, headless): it loads with
//! no console message, prints to PDF, and its screenshot is not blank; its DOM holds the chain
//! of custody (the recording's SHA-256 as `sha256sum` prints it, the recording time from SigMF
//! `core:datetime`, sensor and position), the findings in words with the decoded messages that
//! prove them, and the side-by-side comparison with the operator's real cell.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cellsentry"))
        .args(args)
        .output()
        .expect("run cellsentry")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Headless Chromium with a fresh profile and nothing that talks to the network.
fn chromium(profile: &Path, args: &[&str]) -> Output {
    Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium (Debian package chromium) runs")
}

/// Console messages Chromium logged while loading a page (any level: the report has no
/// script, so any message is a fault).
fn console_lines(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect()
}

fn url(p: &Path) -> String {
    format!("file://{}", p.display())
}

#[test]
fn report_loads_prints_and_shows_custody_findings_and_comparison() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let synth = |name: &str| {
        let meta = d.join(name.replace(".json", ".sigmf-meta"));
        ok(&run(&[
            "synth",
            s(&repo().join("captures/scenarios").join(name)),
            "-o",
            s(&meta),
        ]));
        meta
    };
    let legit = synth("legitimate_urban_gsm.json");
    let survey = d.join("survey.json");
    ok(&run(&[
        "replay",
        s(&legit),
        "--no-db",
        "-q",
        "--survey-out",
        s(&survey),
    ]));
    // A recording that states when, where and by which sensor it was made.
    let blaster = synth("sms_blaster.json");
    let mut meta: Value =
        serde_json::from_str(&std::fs::read_to_string(&blaster).unwrap()).unwrap();
    meta["captures"][0]["core:datetime"] = "2025-03-14T09:26:53Z".into();
    meta["global"]["core:geolocation"] =
        serde_json::json!({"type": "Point", "coordinates": [-0.1246, 51.5007]});
    meta["global"]["cellsentry:sensor_id"] = "van-3".into();
    std::fs::write(&blaster, meta.to_string()).unwrap();
    let db = d.join("case.sqlite");
    ok(&run(&[
        "replay",
        s(&blaster),
        "--db",
        s(&db),
        "-q",
        "--baseline",
        s(&survey),
    ]));
    // A raw recording (the real Osmocom BTS in its default configuration): no time of its own.
    let raw = repo().join("captures/osmocom/osmocom_default_dcs1800_arfcn871.cs16");
    ok(&run(&[
        "replay",
        s(&raw),
        "--db",
        s(&db),
        "-q",
        "--rate",
        "1083333.33",
        "--freq",
        "1877e6",
    ]));
    // Evidence times are capture times where the recording has them: every observation,
    // detection and verdict of the SigMF run falls in its 5 s from core:datetime.
    {
        let store = cellsentry_store::Store::open(&db, &Default::default()).unwrap();
        let t0 = 1_741_944_413_000_i64; // 2025-03-14T09:26:53Z (date -d ... +%s)
        let within = |t: i64| (t0..=t0 + 5_000).contains(&t);
        let run = store.runs().unwrap()[0].id;
        assert!(store
            .detections(Some(run))
            .unwrap()
            .iter()
            .all(|d| within(d.time_unix_ms)));
        assert!(store
            .verdicts(Some(run))
            .unwrap()
            .iter()
            .all(|v| within(v.time_unix_ms)));
        for c in store.cells(Some(run)).unwrap() {
            let obs = store.observations_for_cell(c.id, Some(run)).unwrap();
            assert!(obs.iter().all(|o| within(o.time_unix_ms)));
        }
        assert!(!store.detections(Some(run)).unwrap().is_empty());
    }
    let html = d.join("case.html");
    ok(&run(&[
        "report",
        "--db",
        s(&db),
        "--format",
        "html",
        "-o",
        s(&html),
    ]));
    let page = std::fs::read_to_string(&html).unwrap();
    // Self-contained: no external resource, no script.
    assert!(!page.contains("<script"));
    assert!(!page.contains("src=\"http") && !page.contains("href=\"http"));

    // Loaded in Chromium: the DOM as the browser built it, and no console message.
    let out = chromium(&d.join("p1"), &["--dump-dom", &url(&html)]);
    assert!(out.status.success());
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(console_lines(&out.stderr), Vec::<String>::new());
    for id in [
        "summary",
        "custody",
        "cells",
        "findings",
        "side-by-side",
        "timeline",
    ] {
        assert!(
            dom.contains(&format!("<section id=\"{id}\"")),
            "section {id}"
        );
    }
    // Chain of custody: hashes as coreutils prints them, time, sensor, position, command line,
    // rule versions; the runs table filled for replays.
    let sha = |p: &Path| {
        let o = Command::new("sha256sum").arg(p).output().unwrap();
        String::from_utf8(o.stdout).unwrap()[..64].to_string()
    };
    assert!(dom.contains(&sha(&blaster.with_extension("sigmf-data"))));
    assert!(dom.contains(&sha(&blaster)));
    assert!(dom.contains(&sha(&raw)));
    assert!(dom.contains("2025-03-14 09:26:53 UTC (from the recording)"));
    assert!(dom.contains("unknown (not stated by the recording)"));
    assert!(dom.contains("times in this report are processing times"));
    assert!(dom.contains("van-3") && dom.contains("51.50070, -0.12460"));
    assert!(dom.contains("2.000000 Msps") && dom.contains("1.083333 Msps"));
    assert!(dom.contains("947.4000 MHz") && dom.contains("1877.0000 MHz"));
    assert!(!dom.contains("- Msps") && !dom.contains("- MHz"));
    assert!(dom.contains("emergency_call_barred v1"));
    assert!(dom.contains("replay"), "command line");
    // Findings in words, with the messages that prove them and raw JSON only behind a toggle.
    let findings = &dom[dom.find("<section id=\"findings\"").unwrap()..];
    for part in [
        "What was seen.",
        "Norm broken.",
        "Why it matters.",
        "Source.",
        "indicators.md",
    ] {
        assert!(findings.contains(part), "{part}");
    }
    assert!(findings.contains("emergency_call_barred") && findings.contains("acc_raw"));
    assert!(findings.contains("<td>SI3<br>"), "the SI3 that proves it");
    assert!(findings.contains("<details><summary>raw evidence (JSON)</summary>"));
    // Side by side: the suspect against Vodafone's real cell, differences first, with units.
    let cmp = &dom[dom.find("<section id=\"side-by-side\"").unwrap()..];
    let first_row = cmp.find("class=\"differs\"").unwrap();
    let shared = cmp.find("parameter(s) the suspect shares").unwrap();
    assert!(first_row < shared);
    let cro = cmp.find("cell_reselect_offset_db").unwrap();
    assert!(cro < shared && cmp[cro..].contains("<td>dB</td><td>126</td>"));

    // The console check itself works: a page that logs an error is caught.
    let bad = d.join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><p>x<script>console.error('boom')</script>",
    )
    .unwrap();
    let out = chromium(&d.join("p2"), &["--dump-dom", &url(&bad)]);
    assert_eq!(console_lines(&out.stderr).len(), 1);

    // Print to PDF.
    let pdf = d.join("case.pdf");
    let out = chromium(
        &d.join("p3"),
        &[
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
            &url(&html),
        ],
    );
    assert!(out.status.success());
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page\n").count()
        + text.matches("/Type /Page>").count()
        + text.matches("/Type /Page/").count()
        + text.matches("/Type/Page/").count()
        + text.matches("/Type/Page>").count();
    assert!(bytes.len() > 20_000, "{} bytes", bytes.len());
    assert!(pages >= 2 || text.contains("/Count "), "pages: {pages}");

    // Screenshot: decoded, sized as asked, not blank: many colours, ink in the title band
    // and further down where the findings are.
    let png_path = d.join("case.png");
    let out = chromium(
        &d.join("p4"),
        &[
            "--window-size=1280,3000",
            &format!("--screenshot={}", png_path.display()),
            &url(&html),
        ],
    );
    assert!(out.status.success());
    let decoder = png::Decoder::new(std::fs::File::open(&png_path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1280, 3000));
    let channels = info.color_type.samples();
    let px = |x: u32, y: u32| {
        let i = ((y * info.width + x) as usize) * channels;
        (buf[i], buf[i + 1], buf[i + 2])
    };
    let ink_in = |y0: u32, y1: u32| {
        let mut n = 0usize;
        for y in y0..y1 {
            for x in 0..info.width {
                let (r, g, b) = px(x, y);
                if (u32::from(r) + u32::from(g) + u32::from(b)) < 3 * 200 {
                    n += 1;
                }
            }
        }
        n
    };
    assert!(ink_in(0, 80) > 500, "title band is blank");
    assert!(ink_in(1000, 3000) > 20_000, "lower part is blank");
    let mut colours = std::collections::HashSet::new();
    for y in (0..info.height).step_by(7) {
        for x in (0..info.width).step_by(7) {
            colours.insert(px(x, y));
        }
    }
    // Text, table rules, verdict colours (red, amber, green rows).
    assert!(colours.len() > 50, "{} colours", colours.len());
    assert!(
        colours
            .iter()
            .any(|&(r, g, b)| r > 240 && g < 220 && b < 220),
        "no red row"
    );
    assert!(
        colours
            .iter()
            .any(|&(r, g, b)| g > 230 && r < 225 && b < 225),
        "no green row"
    );
}
