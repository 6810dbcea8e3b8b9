//! Faults a field sensor meets while writing its database, run through the `cellsentry` binary:
//! the disk filling up mid-replay, another process holding the database locked, and the
//! database on read-only media. Each must end with one line on stderr and exit code 5, and
//! leave every run committed before intact (SQLite `integrity_check` clean, the earlier run's
//! report unchanged).
//!
//! A really full disk is a small tmpfs mounted in a private user+mount namespace
//! (`unshare -Urm`, no privileges needed where user namespaces are allowed); a file-size limit
//! (`prlimit --fsize`, what `ulimit -f` sets) covers the same ground everywhere. Read-only media
//! is a read-only bind mount in such a namespace, or file permissions when not running as root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cellsentry_store::{RunStatus, Store, StoreOptions};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_cellsentry")
}

fn capture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../captures")
        .join(rel)
}

/// The first run: a real 2007 network recording (rate and frequency in its name).
fn first_recording() -> PathBuf {
    capture("gsm/gsmsp2007_941.0M_500ksps_arfcn30.cf32")
}

/// The run that meets the fault: the Osmocom blaster recording, 28 messages to store.
fn second_replay_args(db: &Path) -> Vec<String> {
    let rec = capture("osmocom/osmocom_blaster_234-15_gsm900_arfcn62.cs16");
    [
        "replay",
        rec.to_str().unwrap(),
        "--rate",
        "1083333.33",
        "--freq",
        "947.4e6",
        "--quiet",
        "--db",
        db.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec()
}

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A database holding one completed run of the first recording, and that run's report.
fn database_with_one_run(dir: &Path) -> (PathBuf, String) {
    let db = dir.join("sensor.sqlite");
    let out = run(&[
        "replay",
        first_recording().to_str().unwrap(),
        "--quiet",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    (db.clone(), report_of_run_1(&db))
}

fn report_of_run_1(db: &Path) -> String {
    let out = run(&[
        "report",
        "--db",
        db.to_str().unwrap(),
        "--run",
        "1",
        "--json",
    ]);
    assert!(out.status.success(), "report: {}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("gsmsp2007"), "{text}");
    text
}

/// Exit code 5 and exactly one line on stderr containing `expect`.
fn assert_one_line_exit_5(code: Option<i32>, err: &str, expect: &str) {
    assert_eq!(code, Some(5), "stderr: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "not one line: {err}");
    assert!(
        lines[0].starts_with("cellsentry: error: "),
        "unexpected line: {err}"
    );
    assert!(lines[0].contains(expect), "expected {expect:?} in: {err}");
}

/// The database after the fault: sound, run 1 as it was, the failed run marked failed.
fn assert_earlier_run_intact(db: &Path, report_before: &str) {
    let store = Store::open(db, &StoreOptions::default()).expect("store reopens");
    let problems = store.integrity_problems().unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let runs = store.runs().unwrap();
    assert_eq!(runs[0].status, RunStatus::Completed);
    for r in &runs[1..] {
        assert_eq!(
            r.status,
            RunStatus::Failed,
            "run {} left {:?}",
            r.id,
            r.status
        );
        // What the failed run committed before the disk filled (each second of signal is
        // committed as it is decoded) stays: the integrity check above covers it.
        let _ = store
            .cells(Some(r.id))
            .expect("the failed run's cells read back");
    }
    drop(store);
    assert_eq!(report_of_run_1(db), report_before, "run 1 changed");
}

/// Whether this machine lets an unprivileged process have its own user and mount namespace.
fn can_unshare() -> bool {
    Command::new("unshare")
        .args(["-Urm", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs `script` with `sh` in a private user+mount namespace; `args` are its `$1`, `$2`, ...
fn in_namespace(script: &str, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new("unshare");
    cmd.args(["-Urm", "sh", "-c", script, "sh"]).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("unshare runs")
}

#[test]
fn disk_full_on_a_small_filesystem_stops_the_replay_and_keeps_earlier_runs() {
    if !can_unshare() {
        eprintln!("skipped: user namespaces are not available here (unshare -Urm)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (db, report_before) = database_with_one_run(dir.path());
    // Room for the database, SQLite's 32 KiB shared-memory index and 48 KiB of journal: enough
    // to start the run and record its custody (about 25 KiB), not to store what the second
    // recording decodes (more than 64 KiB). With no room left even for the run's status (under
    // about 28 KiB here) the run would stay `running`: nothing at all can be written then.
    let db_len = std::fs::metadata(&db).unwrap().len();
    let size = db_len.div_ceil(4096) * 4096 + 32 * 1024 + 48 * 1024;
    let fs = dir.path().join("fs");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&fs).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let script = r#"set -e
mount -t tmpfs -o size="$1" tmpfs "$FS"
cp "$2" "$FS/sensor.sqlite"
shift 2
set +e
"$@" 2> "$OUT/stderr"
echo $? > "$OUT/code"
cp "$FS"/sensor.sqlite* "$OUT/"
"#;
    let mut args: Vec<String> = vec![
        size.to_string(),
        db.display().to_string(),
        bin().to_string(),
    ];
    args.extend(second_replay_args(&fs.join("sensor.sqlite")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let res = in_namespace(script, &args, &[("FS", &fs), ("OUT", &out)]);
    assert!(res.status.success(), "namespace script: {}", stderr(&res));
    let code: i32 = std::fs::read_to_string(out.join("code"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let err = std::fs::read_to_string(out.join("stderr")).unwrap();
    assert_one_line_exit_5(Some(code), &err, "store disk full");
    assert!(err.contains("database or disk is full"), "{err}");
    assert_earlier_run_intact(&out.join("sensor.sqlite"), &report_before);
}

#[test]
fn disk_full_under_a_file_size_limit_stops_the_replay_and_keeps_earlier_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (db, report_before) = database_with_one_run(dir.path());
    // A write past 48 KiB into any file fails with EFBIG (SIGXFSZ ignored, as a shell's
    // `trap '' XFSZ; ulimit -f` would): the shared-memory index fits, the journal of the second
    // run does not.
    let mut args = vec![
        "-c".to_string(),
        r#"trap '' XFSZ; exec prlimit --fsize=49152 "$@""#.to_string(),
        "sh".to_string(),
        bin().to_string(),
    ];
    args.extend(second_replay_args(&db));
    let out = Command::new("sh").args(&args).output().expect("sh runs");
    let err = stderr(&out);
    assert_one_line_exit_5(out.status.code(), &err, "store disk full");
    assert!(err.contains("File too large"), "{err}");
    assert_earlier_run_intact(&db, &report_before);
}

#[test]
fn locked_database_fails_with_one_line_and_exit_5() {
    let dir = tempfile::tempdir().unwrap();
    let (db, report_before) = database_with_one_run(dir.path());
    // This test process holds the write lock (an open batch) for the whole replay; the
    // replay waits its busy timeout (5 s) and gives up.
    let mut holder = Store::open(&db, &StoreOptions::default()).unwrap();
    let (out, report_while_locked) = holder
        .write_batch(|_| {
            let args = second_replay_args(&db);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            // A report only reads the last committed state: the writer does not block it.
            Ok((run(&args), report_of_run_1(&db)))
        })
        .unwrap();
    drop(holder);
    assert_eq!(report_while_locked, report_before);
    let err = stderr(&out);
    assert_one_line_exit_5(out.status.code(), &err, "store busy");
    assert!(err.contains("another process holds the lock"), "{err}");
    assert_earlier_run_intact(&db, &report_before);
}

#[test]
fn read_only_database_fails_with_one_line_and_exit_5_but_reports() {
    let dir = tempfile::tempdir().unwrap();
    let (db, report_before) = database_with_one_run(dir.path());
    let media = db.parent().unwrap().display().to_string();
    let (code, err, report) = if can_unshare() {
        // Read-only media: the folder bind-mounted read-only in a private namespace.
        let script = r#"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 99
db=$2
shift 2
"$0" "$@" 2>&1 >/dev/null
echo "code=$?"
"$0" report --db "$db" --run 1 --json"#;
        let mut args: Vec<String> = vec![media.clone(), db.display().to_string()];
        args.extend(second_replay_args(&db));
        let mut cmd = Command::new("unshare");
        cmd.args(["-Urm", "sh", "-c", script, bin()]).args(&args);
        let res = cmd.output().expect("unshare runs");
        assert_ne!(res.status.code(), Some(99), "mount: {}", stderr(&res));
        let text = String::from_utf8_lossy(&res.stdout).into_owned();
        let (replay_part, report) = text.split_once("code=").expect("code line");
        let (code, report) = report.split_once('\n').unwrap_or((report, ""));
        (
            code.trim().parse::<i32>().ok(),
            replay_part.to_string(),
            report.to_string(),
        )
    } else if !is_root() {
        // Without namespaces, permissions make it read-only (root would ignore them).
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
        std::fs::set_permissions(db.parent().unwrap(), std::fs::Permissions::from_mode(0o555))
            .unwrap();
        let args = second_replay_args(&db);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args);
        let report = report_of_run_1(&db);
        std::fs::set_permissions(db.parent().unwrap(), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        (out.status.code(), stderr(&out), report)
    } else {
        eprintln!("skipped: running as root without user namespaces: no way to make it read-only");
        return;
    };
    assert_one_line_exit_5(code, &err, "store is read-only");
    // A report only reads: it works from read-only media, unchanged.
    assert_eq!(report, report_before);
    let store = Store::open(&db, &StoreOptions::default()).unwrap();
    assert!(store.integrity_problems().unwrap().is_empty());
    assert_eq!(
        store.runs().unwrap().len(),
        1,
        "a run was added to read-only media"
    );
}
