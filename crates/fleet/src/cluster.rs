//! A private, throwaway PostgreSQL cluster for tests and benches: `initdb` into a temporary
//! directory, `pg_ctl` on a free port of 127.0.0.1 only, a password-protected superuser and a
//! database with PostGIS. Real server, no mock.
//!
//! PostgreSQL refuses to run as root, so when the current user is root every server command
//! runs as the `postgres` system user (`runuser -u postgres`), and the directory is handed to
//! it. The binaries are found in `$CELLSENTRY_PG_BINDIR`, Debian's `/usr/lib/postgresql/N/bin`
//! (newest N) or `pg_config --bindir`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::conn::{Source, Target};
use crate::error::FleetError;

/// A running private cluster; stopped (immediately) and deleted when dropped.
pub struct Cluster {
    dir: PathBuf,
    bindir: PathBuf,
    as_postgres: bool,
    /// TCP port on 127.0.0.1.
    pub port: u16,
    /// The superuser's password.
    pub password: String,
    /// Database created with PostGIS.
    pub dbname: String,
    started: bool,
}

fn bindir() -> Result<PathBuf, String> {
    if let Some(d) = std::env::var_os("CELLSENTRY_PG_BINDIR") {
        return Ok(PathBuf::from(d));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let out = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .map_err(|e| format!("no PostgreSQL server binaries found (pg_config: {e})"))?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

impl Cluster {
    /// For tests: a started cluster, or `None` with a note on stderr when this machine has no
    /// PostgreSQL server binaries (install `postgresql` and `postgresql-15-postgis-3`; `.ci/run`
    /// does). A machine that has them but cannot start one is a failure, not a skip.
    pub fn start_or_skip(parent: &Path) -> Option<Cluster> {
        if let Err(e) = bindir().and_then(|b| {
            if b.join("initdb").exists() {
                Ok(())
            } else {
                Err(format!("no initdb in {}", b.display()))
            }
        }) {
            eprintln!("skipped: PostgreSQL is not installed here ({e})");
            return None;
        }
        match Cluster::start(parent) {
            Ok(c) => Some(c),
            Err(e) => panic!("PostgreSQL is installed but a cluster did not start: {e}"),
        }
    }

    /// Creates and starts a cluster in a new directory under `parent` (a temporary directory
    /// of the caller), with database `fleet` and PostGIS installed in it.
    pub fn start(parent: &Path) -> Result<Cluster, String> {
        let bindir = bindir()?;
        let as_postgres = is_root();
        let dir = parent.join("pg");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let password = format!("pw-{}-{}", std::process::id(), free_port()?);
        std::fs::write(dir.join("pwfile"), &password).map_err(|e| e.to_string())?;
        if as_postgres {
            // The server user needs to reach and own its directory.
            let mut p = dir.clone();
            while let Some(parent) = p.parent() {
                if parent == Path::new("/") {
                    break;
                }
                let _ = Command::new("chmod").arg("o+x").arg(parent).status();
                p = parent.to_path_buf();
            }
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir))?;
        }
        let mut cluster = Cluster {
            dir,
            bindir,
            as_postgres,
            port: free_port()?,
            password,
            dbname: "fleet".to_string(),
            started: false,
        };
        let data = cluster.dir.join("data");
        cluster.server_cmd(
            "initdb",
            &[
                "-D",
                path_str(&data)?,
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--pwfile",
                path_str(&cluster.dir.join("pwfile"))?,
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        cluster.start_server()?;
        cluster.psql("postgres", "CREATE DATABASE fleet")?;
        cluster.psql("fleet", "CREATE EXTENSION postgis")?;
        Ok(cluster)
    }

    /// Appends settings to `postgresql.conf` (takes effect at the next restart).
    pub fn configure(&self, lines: &str) -> Result<(), String> {
        let conf = self.dir.join("data/postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).map_err(|e| e.to_string())?;
        text.push('\n');
        text.push_str(lines);
        text.push('\n');
        std::fs::write(&conf, text).map_err(|e| e.to_string())
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Hands files the caller put in the data directory to the server user.
    pub fn fix_ownership(&self) -> Result<(), String> {
        if self.as_postgres {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&self.dir))?;
        }
        Ok(())
    }

    fn start_server(&mut self) -> Result<(), String> {
        let data = self.dir.join("data");
        let log = self.dir.join("server.log");
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=on",
            self.port,
            path_str(&self.dir)?
        );
        self.server_cmd(
            "pg_ctl",
            &[
                "-D",
                path_str(&data)?,
                "-l",
                path_str(&log)?,
                "-o",
                &opts,
                "-w",
                "-t",
                "60",
                "start",
            ],
        )?;
        self.started = true;
        Ok(())
    }

    /// Stops the server: `mode` is pg_ctl's `smart`, `fast` or `immediate` (a crash).
    pub fn stop(&mut self, mode: &str) -> Result<(), String> {
        let data = self.dir.join("data");
        self.server_cmd(
            "pg_ctl",
            &["-D", path_str(&data)?, "-m", mode, "-w", "stop"],
        )?;
        self.started = false;
        Ok(())
    }

    /// Starts it again on the same port.
    pub fn restart(&mut self) -> Result<(), String> {
        self.start_server()
    }

    /// Runs SQL through psql over the local socket as the superuser; returns stdout.
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let port = self.port.to_string();
        self.server_cmd(
            "psql",
            &[
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                path_str(&self.dir)?,
                "-p",
                &port,
                "-U",
                "postgres",
                "-d",
                db,
                "-c",
                sql,
            ],
        )
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    }

    /// Runs an SQL file through psql (as `psql -f`).
    pub fn psql_file(&self, db: &str, file: &Path) -> Result<String, String> {
        let port = self.port.to_string();
        self.server_cmd(
            "psql",
            &[
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                path_str(&self.dir)?,
                "-p",
                &port,
                "-U",
                "postgres",
                "-d",
                db,
                "-f",
                path_str(file)?,
            ],
        )
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    }

    /// Connection string of the superuser over TCP.
    pub fn url(&self) -> String {
        self.url_for("postgres", &self.password)
    }

    /// Connection string of another role.
    pub fn url_for(&self, user: &str, password: &str) -> String {
        format!(
            "postgresql://{user}:{password}@127.0.0.1:{}/{}?sslmode=disable",
            self.port, self.dbname
        )
    }

    /// A [`Target`] for the superuser.
    pub fn target(&self) -> Result<Target, FleetError> {
        Target::resolve(&Source::Literal(self.url()))
    }

    fn server_cmd(&self, program: &str, args: &[&str]) -> Result<Output, String> {
        let exe = self.bindir.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args).current_dir(&self.dir);
        run(&mut cmd)
    }
}

fn path_str(p: &Path) -> Result<&str, String> {
    p.to_str()
        .ok_or_else(|| format!("{} is not UTF-8", p.display()))
}

fn run(cmd: &mut Command) -> Result<Output, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{:?} failed: {}{}",
            cmd.get_program(),
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        ));
    }
    Ok(out)
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.started {
            let _ = self.stop("immediate");
        }
    }
}
