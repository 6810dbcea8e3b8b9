//! Faults in the middle of a run, through the `cellsentry` binary: SIGINT and SIGTERM during a
//! replay and a live monitor (the run kept as `interrupted` with every second decoded), SIGKILL
//! (the run stays `running`, which is the truth, with everything up to its last one-second
//! commit), the system clock stepped backwards during a live run (every stored time stays in
//! order), and a recording several times larger than a virtual-memory limit (the replay
//! completes with flat memory).
//!
//! What is checked is what the user sees (the one line on stderr, the exit code) and what the
//! database holds afterwards, read back through the store's API; the values come from the
//! recording's truth file (the Osmocom blaster's osmo-bsc configuration, decoded by gr-gsm) and
//! the scenario's own description of the fake cell.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cellsentry_store::{RunRow, RunStatus, Store, StoreOptions, VerdictLevel};
use serde_json::Value;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_cellsentry")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const BLASTER: &str = "osmocom_blaster_234-15_gsm900_arfcn62";
/// The recording's rate and frequency (its truth file: osmo-trx at 4 samples per symbol).
const RATE: &str = "1083333.33";
const FREQ: &str = "947.4e6";

fn truth() -> Value {
    let path = repo().join(format!("captures/gsm-l3/{BLASTER}.truth.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The bundled blaster recording (2.35 s) concatenated `copies` times, made once per build in
/// the target's temporary folder: a long recording without storing one in the repository.
fn long_recording(copies: u64) -> PathBuf {
    let src = repo().join(format!("captures/osmocom/{BLASTER}.cs16"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("run_faults");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("blaster_x{copies}.cs16"));
    let one = std::fs::read(&src).unwrap();
    let want = one.len() as u64 * copies;
    if std::fs::metadata(&path).map_or(true, |m| m.len() != want) {
        // Written under a private name first: tests running at once never see half a file.
        let tmp = dir.join(format!("blaster_x{copies}.{}.part", std::process::id()));
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp).unwrap());
        for _ in 0..copies {
            std::io::Write::write_all(&mut f, &one).unwrap();
        }
        drop(f);
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

fn replay_cmd(recording: &Path, db: &Path) -> Command {
    let mut c = Command::new(bin());
    c.args(["replay"])
        .arg(recording)
        .args(["--rate", RATE, "--freq", FREQ, "--quiet", "--db"])
        .arg(db);
    c
}

fn send(child: &Child, signal: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill runs")
        .success();
    assert!(ok, "kill -{signal} failed");
}

fn open_read_only(db: &Path) -> Option<Store> {
    Store::open(
        db,
        &StoreOptions {
            read_only: true,
            create_if_missing: false,
            ..StoreOptions::default()
        },
    )
    .ok()
}

/// Waits until the first run has committed at least `min_s` seconds of signal (what a user
/// reading the database would see), while the child still runs.
fn wait_for_committed_signal(db: &Path, child: &mut Child, min_s: f64) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the replay ended ({status}) before it was interrupted");
        }
        let committed = open_read_only(db)
            .and_then(|s| s.runs().ok())
            .and_then(|r| r.first().map(|r| r.signal_seconds))
            .unwrap_or(0.0);
        if committed >= min_s {
            return committed;
        }
        assert!(Instant::now() < deadline, "nothing committed in 60 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn only_run(store: &Store) -> RunRow {
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    runs.into_iter().next().unwrap()
}

/// What a stopped or killed replay of the long blaster recording must have kept: the database
/// sound (integrity and foreign keys: every observation, message and verdict belongs to a
/// stored run and cell), the blaster as its truth file names it, its messages for the seconds
/// committed and none beyond them. Returns the number of messages.
fn assert_decoded_so_far(store: &Store, run: &RunRow, total_s: f64) -> usize {
    let problems = store.integrity_problems().unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert!(
        run.signal_seconds >= 2.0 && run.signal_seconds < total_s - 10.0,
        "{} s of {total_s} s committed",
        run.signal_seconds
    );
    let t = truth();
    let summary = &t["summary"];
    let cells = store.cells(Some(run.id)).unwrap();
    let blaster = cells
        .iter()
        .find(|c| c.key.cell_id.map(i64::from) == summary["ci"].as_i64())
        .unwrap_or_else(|| panic!("no cell with the truth's CI: {cells:?}"));
    let plmn = blaster.key.plmn.as_ref().unwrap();
    assert_eq!(plmn.mcc.as_str(), summary["mcc_digits"].as_str().unwrap());
    assert_eq!(plmn.mnc.as_str(), summary["mnc"].as_str().unwrap());
    assert_eq!(
        blaster.key.lac_tac.map(i64::from),
        summary["lac"].as_i64(),
        "{blaster:?}"
    );
    assert_eq!(
        blaster.key.channel.map(i64::from),
        t["arfcn"].as_i64(),
        "{blaster:?}"
    );
    let observations = store
        .observations_for_cell(blaster.id, Some(run.id))
        .unwrap();
    assert!(!observations.is_empty());
    let messages = store.messages_for_cell(blaster.id, Some(run.id)).unwrap();
    // The cell's span covers its evidence as committed.
    let newest = observations
        .iter()
        .map(|o| o.time_unix_ms)
        .chain(messages.iter().map(|m| m.time_unix_ms))
        .max()
        .unwrap();
    assert_eq!(blaster.last_seen_unix_ms, newest, "{blaster:?}");
    // gr-gsm decodes 28 stored BCCH/CCCH blocks in each 2.35 s copy; the seams between the
    // copies cost a few. Three quarters of that rate over the committed seconds, at least.
    let per_copy = 28.0;
    let copies = (run.signal_seconds / 2.35).floor();
    assert!(
        messages.len() as f64 >= 0.75 * per_copy * copies,
        "{} messages in {} s",
        messages.len(),
        run.signal_seconds
    );
    // The SI types the truth saw on the BCCH were all stored.
    for si in summary["si_types_seen_on_bcch"].as_array().unwrap() {
        let si = si.as_str().unwrap();
        assert!(
            messages
                .iter()
                .any(|m| m.message_type.replace(' ', "").contains(si)),
            "{si} not stored"
        );
    }
    // Evidence times: the run's time base (no time in a raw recording: the run's start) plus
    // signal time, within what was committed.
    let end_ms = run.started_unix_ms + (run.signal_seconds * 1000.0).ceil() as i64 + 1;
    for m in &messages {
        assert!(
            (run.started_unix_ms..=end_ms).contains(&m.time_unix_ms),
            "message at {} outside the {} s committed",
            m.time_unix_ms,
            run.signal_seconds
        );
    }
    messages.len()
}

fn interrupt_replay(signal: &str) {
    let copies = 40;
    let recording = long_recording(copies);
    let total_s = copies as f64 * 2.35;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sensor.sqlite");
    let mut child = replay_cmd(&recording, &db)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_committed_signal(&db, &mut child, 3.0);
    send(&child, signal);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("cellsentry: interrupted: run 1 kept with everything decoded so far"),
        "{err}"
    );
    let store = open_read_only(&db).unwrap();
    let run = only_run(&store);
    assert_eq!(run.status, RunStatus::Interrupted);
    assert!(run.ended_unix_ms.is_some_and(|e| e >= run.started_unix_ms));
    let n = assert_decoded_so_far(&store, &run, total_s);
    // The final verdict of an interrupted run is stored: the blaster judged from what was
    // decoded, as a whole replay of the recording judges it.
    let verdicts = store.verdicts(Some(run.id)).unwrap();
    assert!(
        verdicts.iter().any(|v| v.level == VerdictLevel::LikelyFake),
        "{verdicts:?}"
    );
    eprintln!(
        "{signal}: {:.1} s of {total_s:.1} s kept, {n} blaster messages",
        run.signal_seconds
    );
}

#[test]
fn sigint_during_replay_keeps_the_seconds_decoded_as_interrupted() {
    interrupt_replay("INT");
}

#[test]
fn sigterm_during_replay_keeps_the_seconds_decoded_as_interrupted() {
    interrupt_replay("TERM");
}

#[test]
fn sigkill_during_replay_leaves_the_run_running_with_its_last_commit() {
    let copies = 40;
    let recording = long_recording(copies);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sensor.sqlite");
    let mut child = replay_cmd(&recording, &db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let seen = wait_for_committed_signal(&db, &mut child, 3.0);
    child.kill().unwrap();
    child.wait().unwrap();
    let store = open_read_only(&db).unwrap();
    let run = only_run(&store);
    // Nobody could close it: `running` with no end, and at least what was seen committed.
    assert_eq!(run.status, RunStatus::Running);
    assert_eq!(run.ended_unix_ms, None);
    assert!(run.signal_seconds >= seen);
    assert_decoded_so_far(&store, &run, copies as f64 * 2.35);
    // A report reads it as it is.
    let out = Command::new(bin())
        .args(["report", "--json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["runs"][0]["status"], "running");
}

/// The bundled SMS blaster scenario, lasting `duration_s` instead of its 5 s.
fn scenario(dir: &Path, duration_s: f64) -> PathBuf {
    let text = std::fs::read_to_string(repo().join("captures/scenarios/sms_blaster.json")).unwrap();
    let mut s: Value = serde_json::from_str(&text).unwrap();
    s["duration_s"] = duration_s.into();
    let path = dir.join("sms_blaster_long.json");
    std::fs::write(&path, serde_json::to_string(&s).unwrap()).unwrap();
    path
}

/// The scenario's fake cell: (cell identity, ARFCN).
fn scenario_fake_cell() -> (u32, u32) {
    let text = std::fs::read_to_string(repo().join("captures/scenarios/sms_blaster.json")).unwrap();
    let s: Value = serde_json::from_str(&text).unwrap();
    let fake = s["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["fake"] == true)
        .unwrap();
    (
        fake["gsm"]["ci"].as_u64().unwrap() as u32,
        fake["arfcn"].as_u64().unwrap() as u32,
    )
}

/// Lines of a child's stdout as they come.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn interrupt_monitor(signal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sensor.sqlite");
    let scene = scenario(dir.path(), 30.0);
    let mut child = Command::new(bin())
        .args(["monitor", "--sim"])
        .arg(&scene)
        .arg("--db")
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    // The blaster appears 2 s into the scene; its alert comes once its SI3 is decoded.
    let deadline = Instant::now() + Duration::from_secs(25);
    let mut alerts_printed = Vec::new();
    while alerts_printed.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.starts_with("ALERT") => alerts_printed.push(line),
            Ok(_) => {}
            Err(_) => panic!("no alert within 25 s"),
        }
    }
    send(&child, signal);
    let status = child.wait().unwrap();
    alerts_printed.extend(lines.iter().filter(|l| l.starts_with("ALERT")));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("cellsentry: interrupted: run 1 kept with everything decoded so far"),
        "{err}"
    );
    let store = open_read_only(&db).unwrap();
    assert!(store.integrity_problems().unwrap().is_empty());
    let run = only_run(&store);
    assert_eq!(run.status, RunStatus::Interrupted);
    assert!(run.signal_seconds < 30.0, "{}", run.signal_seconds);
    // Every alert the user saw is in the database, the blaster's among them.
    let stored = store.alerts(Some(run.id)).unwrap();
    assert_eq!(stored.len(), alerts_printed.len(), "{alerts_printed:?}");
    let (ci, arfcn) = scenario_fake_cell();
    let fake = store
        .cells(Some(run.id))
        .unwrap()
        .into_iter()
        .find(|c| c.key.cell_id == Some(ci))
        .expect("the fake cell is stored");
    assert_eq!(fake.key.channel, Some(arfcn));
    let alert = stored.iter().find(|a| a.cell_id == fake.id).unwrap();
    assert_ne!(alert.level, VerdictLevel::Clean);
    assert!(alerts_printed.iter().any(|l| l.contains(&ci.to_string())));
}

#[test]
fn sigint_during_monitor_keeps_the_blasters_alert() {
    interrupt_monitor("INT");
}

#[test]
fn sigterm_during_monitor_keeps_the_blasters_alert() {
    interrupt_monitor("TERM");
}

/// libfaketime's preload library (Debian package `libfaketime`), if installed.
fn faketime_lib() -> Option<PathBuf> {
    let mut dirs = vec![PathBuf::from("/usr/lib/faketime")];
    if let Ok(rd) = std::fs::read_dir("/usr/lib") {
        dirs.extend(rd.flatten().map(|e| e.path().join("faketime")));
    }
    dirs.push(PathBuf::from("/usr/local/lib/faketime"));
    dirs.into_iter()
        .map(|d| d.join("libfaketime.so.1"))
        .find(|p| p.is_file())
}

/// Asserts `times` (in row-id order) never go backwards and lie within the run.
fn assert_in_order(what: &str, times: &[(i64, i64)], run: &RunRow, end_ms: i64) {
    let mut sorted = times.to_vec();
    sorted.sort_by_key(|&(id, _)| id);
    for w in sorted.windows(2) {
        assert!(
            w[1].1 >= w[0].1,
            "{what}: {:?} stored after {:?}",
            w[1],
            w[0]
        );
    }
    for &(id, t) in times {
        assert!(
            (run.started_unix_ms..=end_ms).contains(&t),
            "{what} {id} at {t}, outside the run {}..{end_ms}",
            run.started_unix_ms
        );
    }
}

#[test]
fn the_clock_stepped_back_during_monitor_leaves_every_stored_time_in_order() {
    let Some(lib) = faketime_lib() else {
        eprintln!("skipped: libfaketime is not installed (Debian: apt-get install faketime)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sensor.sqlite");
    let scene = scenario(dir.path(), 6.0);
    // The system clock as libfaketime shows it to the process: real time until the file says
    // otherwise (read at every call). CLOCK_MONOTONIC is left alone, as a real step of the
    // system clock leaves it.
    let clock = dir.path().join("clock");
    std::fs::write(&clock, "+0\n").unwrap();
    let faked = |c: &mut Command| {
        c.env("LD_PRELOAD", &lib)
            .env("FAKETIME_TIMESTAMP_FILE", &clock)
            .env("FAKETIME_NO_CACHE", "1")
            .env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    };
    let mut cmd = Command::new(bin());
    cmd.args(["monitor", "--sim"])
        .arg(&scene)
        .arg("--db")
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    faked(&mut cmd);
    let child = cmd.spawn().unwrap();
    // One second into the run (before the blaster appears, 2 s in), the clock goes back an
    // hour.
    let deadline = Instant::now() + Duration::from_secs(20);
    while open_read_only(&db)
        .and_then(|s| s.runs().ok())
        .is_none_or(|r| r.is_empty())
    {
        assert!(Instant::now() < deadline, "the run never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_secs(1));
    std::fs::write(&clock, "-1h\n").unwrap();
    // Proof the step is real for processes under the same settings.
    let mut date = Command::new("date");
    date.arg("+%s");
    faked(&mut date);
    let shown: i64 = String::from_utf8_lossy(&date.output().unwrap().stdout)
        .trim()
        .parse()
        .unwrap();
    let real = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (real - shown - 3600).abs() <= 2,
        "faked clock {shown}, real {real}"
    );
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    // The blaster was alerted: exit code 10.
    assert_eq!(out.status.code(), Some(10), "{err}");
    let store = open_read_only(&db).unwrap();
    let run = only_run(&store);
    assert_eq!(run.status, RunStatus::Completed);
    let end_ms = run.ended_unix_ms.expect("the run has ended");
    assert!(
        end_ms >= run.started_unix_ms + (run.signal_seconds * 1000.0) as i64,
        "the run ends at {end_ms}, before its {} s of signal from {}",
        run.signal_seconds,
        run.started_unix_ms
    );
    let cells = store.cells(Some(run.id)).unwrap();
    assert!(cells.len() >= 2, "{cells:?}");
    let (ci, _) = scenario_fake_cell();
    for cell in &cells {
        let obs = store.observations_for_cell(cell.id, Some(run.id)).unwrap();
        let times: Vec<(i64, i64)> = obs.iter().map(|o| (o.id.0, o.time_unix_ms)).collect();
        assert_in_order("observation", &times, &run, end_ms);
        let msgs = store.messages_for_cell(cell.id, Some(run.id)).unwrap();
        let times: Vec<(i64, i64)> = msgs.iter().map(|m| (m.id.0, m.time_unix_ms)).collect();
        assert_in_order("message", &times, &run, end_ms);
        let newest = obs
            .iter()
            .map(|o| o.time_unix_ms)
            .chain(msgs.iter().map(|m| m.time_unix_ms))
            .max();
        if let Some(newest) = newest {
            assert_eq!(cell.last_seen_unix_ms, newest, "{cell:?}");
        }
        if cell.key.cell_id == Some(ci) {
            // The fake cell, decoded after the step: its evidence still follows the start.
            assert!(!obs.is_empty() && !msgs.is_empty());
        }
    }
    let alerts = store.alerts(Some(run.id)).unwrap();
    assert!(!alerts.is_empty());
    let times: Vec<(i64, i64)> = alerts.iter().map(|a| (a.id, a.time_unix_ms)).collect();
    assert_in_order("alert", &times, &run, end_ms);
    let times: Vec<(i64, i64)> = store
        .detections(Some(run.id))
        .unwrap()
        .iter()
        .map(|d| (d.id.0, d.time_unix_ms))
        .collect();
    for &(id, t) in &times {
        assert!(
            (run.started_unix_ms..=end_ms).contains(&t),
            "detection {id} at {t}"
        );
    }
    for v in store.verdicts(Some(run.id)).unwrap() {
        assert!(
            (run.started_unix_ms..=end_ms).contains(&v.time_unix_ms),
            "{v:?}"
        );
    }
}

/// `VmRSS` and `VmHWM` of a running process, kB (Linux).
fn rss_kb(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

#[test]
fn a_recording_larger_than_the_memory_limit_replays_with_flat_memory() {
    // 128 copies: 1.3 GB of cs16, 300 s of signal, under a 256 MiB address-space limit
    // (`ulimit -v`: every mapping counts; the file could not even be mapped whole).
    let copies = 128;
    let limit_kib: u64 = 256 * 1024;
    let recording = long_recording(copies);
    let size = std::fs::metadata(&recording).unwrap().len();
    assert!(size > 4 * limit_kib * 1024);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sensor.sqlite");
    let replay = replay_cmd(&recording, &db);
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {limit_kib} && exec \"$0\" \"$@\""))
        .arg(replay.get_program())
        .args(replay.get_args())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The shell execs the binary: same pid. RSS sampled every 100 ms.
    let started = Instant::now();
    let mut samples: Vec<u64> = Vec::new();
    let mut hwm_kb = 0;
    while child.try_wait().unwrap().is_none() {
        if let Some((rss, hwm)) = rss_kb(child.id()) {
            samples.push(rss);
            hwm_kb = hwm_kb.max(hwm);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let wall_s = started.elapsed().as_secs_f64();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
    // All of it was read and decoded.
    let store = open_read_only(&db).unwrap();
    let run = only_run(&store);
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(run.samples_read, size / 4);
    let blaster = store
        .cells(Some(run.id))
        .unwrap()
        .into_iter()
        .find(|c| c.key.cell_id == Some(40961))
        .unwrap();
    let messages = store.messages_for_cell(blaster.id, Some(run.id)).unwrap();
    assert!(
        messages.len() as f64 >= 0.75 * 28.0 * copies as f64,
        "{}",
        messages.len()
    );
    // Memory grows while the run's summary fills (each cell keeps up to 2000 decoded messages
    // for the table and JSON: this one reaches that about 190 s into the signal), then stays
    // flat however long the recording: the last quarter of the run is flat to a few MiB, and the
    // peak is a small fraction of the limit.
    assert!(samples.len() >= 20, "{} samples", samples.len());
    let tail = &samples[samples.len() * 3 / 4..];
    let (lo, hi) = (*tail.iter().min().unwrap(), *tail.iter().max().unwrap());
    eprintln!(
        "{} MB recording ({:.0} s of signal) under a {} MiB limit: {wall_s:.1} s, peak RSS \
         {:.1} MiB, RSS over the last quarter {:.1}-{:.1} MiB",
        size / 1_000_000,
        run.signal_seconds,
        limit_kib / 1024,
        hwm_kb as f64 / 1024.0,
        lo as f64 / 1024.0,
        hi as f64 / 1024.0
    );
    // 4 MiB of slack: the allocator and SQLite's page cache breathe a little under load.
    assert!(
        hi <= lo + 4 * 1024,
        "RSS grew from {lo} kB to {hi} kB at the end"
    );
    assert!(hwm_kb < 64 * 1024, "peak RSS {hwm_kb} kB");
}
