//! Command-line syntax: every subcommand and its options, with clap's derive API.

use std::path::PathBuf;

use cellsentry_model::SampleFormat;
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "cellsentry",
    version,
    about = "Finds SMS blasters and other fake base stations with cheap SDR radios (receive only)",
    long_about = "Finds SMS blasters and other fake base stations with cheap SDR radios.\n\n\
        cellsentry only receives: no code path transmits. Identities of bystanders seen in\n\
        paging (IMSI/TMSI) are counted and stored only as salted hashes unless\n\
        --store-identities is given.\n\n\
        Exit codes: 0 ok, 1 failure, 2 usage, 3 bad input, 4 radio/device, 5 database,\n\
        10 a cell reached the --fail-on level."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the SoapySDR radios attached to this machine.
    Devices(DevicesArgs),
    /// Power spectrum of a recording or a radio: table, JSON and PNG plot.
    Spectrum(SpectrumArgs),
    /// Record a live capture from a radio as SigMF, to hand to a regulator.
    Record(RecordArgs),
    /// Decode recordings (files or folders) and store cells, messages and verdicts.
    Replay(ReplayArgs),
    /// Step a radio (or a simulated one) across a band and list the cells found.
    Scan(LiveArgs),
    /// Watch one frequency continuously; print an alert the moment a cell turns suspicious.
    Monitor(LiveArgs),
    /// Make IQ of a synthetic radio scene from a scenario file (SigMF out).
    Synth(SynthArgs),
    /// Show what a database holds: runs, cells, verdicts, rules fired, evidence. With
    /// --db postgresql://... (or env:VAR, file:PATH): the fleet's central picture.
    Report(ReportArgs),
    /// Share suspected cells as MISP events or a STIX 2.1 bundle.
    Export(ExportArgs),
    /// Import MISP events / STIX bundles shared by other sensors into the watch-list.
    Import(ImportArgs),
    /// Push this sensor's database to the fleet's central PostgreSQL + PostGIS database.
    Sync(SyncArgs),
    /// The fleet's central database: migrate its schema, print the roles script, export the
    /// fleet baseline.
    #[command(subcommand)]
    Fleet(FleetCommand),
    /// Estimate where each cell's transmitter is, from positioned measurements in a database.
    Locate(LocateArgs),
}

#[derive(Debug, Args)]
pub struct DevicesArgs {
    /// Only devices matching these SoapySDR arguments (e.g. "driver=hackrf").
    #[arg(long, default_value = "")]
    pub filter: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// How to read a raw file when its name and metadata do not say.
#[derive(Debug, Args, Clone, Default)]
pub struct RawOpts {
    /// Sample rate in samples/s (e.g. 2e6, 1083333.33); read from SigMF or the file name if absent.
    #[arg(long, value_name = "SPS")]
    pub rate: Option<f64>,
    /// Centre frequency in Hz (e.g. 947.4e6); read from SigMF or the file name if absent.
    #[arg(long, value_name = "HZ")]
    pub freq: Option<f64>,
    /// Sample format of a raw file (cf32, cs16, cs8, cu8; SigMF names too); from the
    /// extension or name if absent.
    #[arg(long, value_name = "FORMAT", value_parser = parse_sample_format)]
    pub format: Option<SampleFormat>,
}

fn parse_sample_format(text: &str) -> Result<SampleFormat, String> {
    text.parse()
        .map_err(|e: cellsentry_model::ModelError| e.to_string())
}

/// Live radio options shared by the commands that open a device.
#[derive(Debug, Args, Clone)]
pub struct RadioOpts {
    /// SoapySDR device arguments, e.g. "driver=hackrf", "driver=lime", "driver=rtlsdr,serial=...".
    #[arg(long, value_name = "ARGS")]
    pub device: Option<String>,
    /// Total receive gain in dB (default: the radio's profile).
    #[arg(long, value_name = "DB")]
    pub gain: Option<f64>,
    /// Known frequency error of the radio in ppm, corrected when tuning.
    #[arg(
        long,
        value_name = "PPM",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    pub ppm: f64,
}

#[derive(Debug, Args)]
pub struct SpectrumArgs {
    /// A recording (raw or .sigmf-meta); omit to use --device.
    pub input: Option<PathBuf>,
    #[command(flatten)]
    pub raw: RawOpts,
    #[command(flatten)]
    pub radio: RadioOpts,
    /// Seconds of signal to analyse (default: the whole file, 0.5 s from a radio).
    #[arg(long)]
    pub seconds: Option<f64>,
    /// FFT size (bins) of the Welch estimate.
    #[arg(long, default_value_t = 4096)]
    pub fft: usize,
    /// Write a PNG plot (power vs frequency, channel numbers marked).
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Show every channel, not only those above the noise floor.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub radio: RadioOpts,
    /// Centre frequency in Hz.
    #[arg(long, value_name = "HZ")]
    pub freq: f64,
    /// Sample rate in samples/s (default: the radio's profile).
    #[arg(long, value_name = "SPS")]
    pub rate: Option<f64>,
    /// How long to record, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Output path (`NAME.sigmf-meta`; `NAME.sigmf-data` is written beside it).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Position of the sensor (decimal degrees), stored in the SigMF metadata.
    #[arg(long, allow_hyphen_values = true)]
    pub lat: Option<f64>,
    #[arg(long, allow_hyphen_values = true)]
    pub lon: Option<f64>,
    /// Free-text description stored in the metadata (who, where, why).
    #[arg(long)]
    pub description: Option<String>,
    /// Sensor identity stored in the metadata (`cellsentry:sensor_id`): a report's chain of
    /// custody and an export name it as the recording's sensor.
    #[arg(long, value_name = "ID")]
    pub sensor_id: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct StoreOpts {
    /// SQLite database to write (created if missing).
    #[arg(long, value_name = "FILE", default_value = "cellsentry.sqlite")]
    pub db: PathBuf,
    /// Store IMSI/TMSI seen in paging in clear text (default: salted hashes only).
    #[arg(long)]
    pub store_identities: bool,
    /// Front-end calibration: power in dBm = power in dBFS + this many dB (measure it once
    /// with a signal generator of known level at the antenna port, at the gain you use).
    #[arg(long, value_name = "DB", allow_hyphen_values = true)]
    pub dbm_offset: Option<f64>,
}

/// What the detector compares cells with.
#[derive(Debug, Args, Clone, Default)]
pub struct DetectOpts {
    /// Country profile for the PLMN and channel checks: uk, us, ca, au, nz, jp.
    #[arg(long)]
    pub country: Option<String>,
    /// Baseline of known cells: a survey (JSON written by --survey-out) or an OpenCellID /
    /// Mozilla Location Service CSV (plain or .gz), told apart by content.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// OpenCellID / Mozilla Location Service CSV (plain or .gz) to add to the baseline.
    #[arg(long, value_name = "CSV")]
    pub cell_db: Option<PathBuf>,
    /// Keep only --cell-db cells within --radius-km of this position ("LAT,LON").
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
    pub near: Option<String>,
    #[arg(long, default_value_t = 2.0)]
    pub radius_km: f64,
    /// Learn a baseline from this run (trusted surroundings) and write it here as JSON.
    #[arg(long, value_name = "FILE")]
    pub survey_out: Option<PathBuf>,
    /// Fake cells shared by other sensors (MISP event or STIX bundle) to watch for, besides
    /// those imported into the database; a match fires `known_fake_cell`. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub watchlist: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum LevelArg {
    Suspicious,
    LikelyFake,
}

/// Where the sensor was during a recording.
#[derive(Debug, Args, Clone, Default)]
pub struct PositionOpts {
    /// GPS track of the sensor (GPX 1.1 or NMEA 0183 RMC/GGA log), aligned with the
    /// recording's start time (SigMF core:datetime, or --start).
    #[arg(long, value_name = "FILE")]
    pub track: Option<PathBuf>,
    /// Fixed sensor position (decimal degrees), for recordings without core:geolocation.
    #[arg(long, allow_hyphen_values = true, requires = "lon")]
    pub lat: Option<f64>,
    #[arg(long, allow_hyphen_values = true, requires = "lat")]
    pub lon: Option<f64>,
    /// UTC time of a raw recording's first sample (ISO 8601, e.g. 2026-03-14T10:00:20Z).
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Recordings: raw IQ files, SigMF (.sigmf-meta) or folders of them.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub raw: RawOpts,
    #[command(flatten)]
    pub store: StoreOpts,
    /// Do not write a database.
    #[arg(long, conflicts_with = "db")]
    pub no_db: bool,
    /// Write every decoded frame as GSMTAP into this pcap file (open it in Wireshark).
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,
    /// Print JSON lines (one object per file) instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Exit with code 10 if any cell reaches this verdict level.
    #[arg(long, value_enum)]
    pub fail_on: Option<LevelArg>,
    #[command(flatten)]
    pub detect: DetectOpts,
    #[command(flatten)]
    pub position: PositionOpts,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct LiveArgs {
    #[command(flatten)]
    pub radio: RadioOpts,
    /// A synthetic scenario (JSON) to use as a simulated radio instead of hardware.
    #[arg(long, value_name = "SCENARIO", conflicts_with = "device")]
    pub sim: Option<PathBuf>,
    /// Centre frequency in Hz (monitor) or band name (scan: gsm850, gsm900, dcs1800, pcs1900).
    #[arg(long)]
    pub freq: Option<f64>,
    #[arg(long)]
    pub band: Option<String>,
    /// Sample rate in samples/s (default: the radio's profile).
    #[arg(long, value_name = "SPS")]
    pub rate: Option<f64>,
    /// Stop after this many seconds of signal (default: run until interrupted).
    #[arg(long)]
    pub seconds: Option<f64>,
    /// Run the simulated radio as fast as the CPU allows instead of at its sample rate.
    #[arg(long, requires = "sim")]
    pub fast: bool,
    #[command(flatten)]
    pub store: StoreOpts,
    #[command(flatten)]
    pub detect: DetectOpts,
    #[arg(long)]
    pub json: bool,
    /// Position every observation from gpsd (default 127.0.0.1:2947); without a fix the run
    /// goes on without positions.
    #[arg(long, value_name = "HOST:PORT", num_args = 0..=1, default_missing_value = "127.0.0.1:2947")]
    pub gpsd: Option<String>,
    /// monitor: hunt this cell - its power trend and transmitter estimate every 5 s of signal
    /// (a label as monitor prints it, arfcn=62, ci=40961, pci=7, plmn=234-15, or a bare
    /// ARFCN/CI). Default: the most suspicious cell, once one is.
    #[arg(long, value_name = "CELL")]
    pub hunt: Option<String>,
    /// monitor: no hunt display.
    #[arg(long, conflicts_with = "hunt")]
    pub no_hunt: bool,
    /// monitor --hunt: bearings to the hunted transmitter from a directional antenna, fitted
    /// with its power (CSV lat,lon,bearing_deg[,sd_deg], as `locate --bearings` takes). Read
    /// again at every refresh, so a bearing appended while driving counts from the next one.
    #[arg(long, value_name = "CSV", requires = "hunt")]
    pub bearings: Option<PathBuf>,
    /// With --sim: the GPS track (GPX 1.1 or NMEA) the simulated sensor drives along, played
    /// at the simulated radio's pace from --start (default: the track's first fix).
    #[arg(long, value_name = "FILE", requires = "sim", conflicts_with = "gpsd")]
    pub track: Option<PathBuf>,
    /// With --track: UTC time of the simulated radio's first sample (ISO 8601).
    #[arg(long, value_name = "TIME", requires = "track")]
    pub start: Option<String>,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Scenario file (JSON).
    pub scenario: PathBuf,
    /// Output SigMF metadata path (`.sigmf-meta`).
    #[arg(short, long)]
    pub output: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    Table,
    Json,
    Html,
    Geojson,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// SQLite database written by replay/monitor/scan.
    #[arg(long, value_name = "FILE", default_value = "cellsentry.sqlite")]
    pub db: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Shorthand for --format json.
    #[arg(long)]
    pub json: bool,
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Only this run (default: all runs).
    #[arg(long)]
    pub run: Option<i64>,
    #[command(flatten)]
    pub central: CentralFilterArgs,
}

/// Filters of the central report (a `--db postgresql://...` only).
#[derive(Debug, Args, Clone, Default)]
pub struct CentralFilterArgs {
    /// Central report: from this time (e.g. 2026-03-01 or 2026-03-01T12:00:00Z).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Central report: until this time (exclusive).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Central report: only sightings inside this box (degrees).
    #[arg(
        long,
        value_name = "MIN_LON,MIN_LAT,MAX_LON,MAX_LAT",
        allow_hyphen_values = true
    )]
    pub bbox: Option<String>,
    /// Central report: only sightings within --radius-km of this position.
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
    pub near: Option<String>,
    /// Radius for --near, km.
    #[arg(long, value_name = "KM", default_value_t = 10.0)]
    pub radius_km: f64,
    /// Central report: only runs in this country (profile name: uk, us, ca, au, nz, jp; or
    /// the ISO code the sensor was given).
    #[arg(long)]
    pub country: Option<String>,
}

/// Where the central database is: `--to` (a URL, `env:VAR` or `file:PATH`), `--to-file`, or
/// else the CELLSENTRY_PG_URL environment variable. Never printed.
#[derive(Debug, Args, Clone, Default)]
pub struct CentralOpts {
    /// Central database: postgresql://... (visible in `ps`: prefer the variable or a file),
    /// env:VAR or file:PATH. Default: $CELLSENTRY_PG_URL.
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// Read the connection string from this file (first non-comment line; keep it 0600).
    #[arg(long, value_name = "FILE", conflicts_with = "to")]
    pub to_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The sensor's SQLite database.
    #[arg(long, value_name = "FILE", default_value = "cellsentry.sqlite")]
    pub db: PathBuf,
    #[command(flatten)]
    pub central: CentralOpts,
    /// Name of this sensor in the fleet (remembered in the sensor database).
    #[arg(long)]
    pub name: Option<String>,
    /// Organisation running this sensor (remembered).
    #[arg(long, alias = "organization")]
    pub organisation: Option<String>,
    /// Country this sensor works in, two letters (remembered; gb and uk are the same).
    #[arg(long)]
    pub country: Option<String>,
    /// Also send the paged identities (salted hashes; clear text only if the sensor stored
    /// it with --store-identities). Default: counts only.
    #[arg(long)]
    pub include_identities: bool,
    /// Rows per batch (one transaction each).
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_rows: u64,
    /// Keep retrying a lost connection for this many seconds.
    #[arg(long, default_value_t = 60)]
    pub retry_seconds: u64,
    /// Send everything again, ignoring what the server says it has (still stored once).
    #[arg(long)]
    pub full: bool,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// Create or upgrade the central schema (as the database owner).
    Migrate(FleetMigrateArgs),
    /// Print the SQL script that creates the least-privilege sensor and reader roles.
    RolesSql,
    /// Export the cells the fleet agrees are legitimate as a baseline file for --baseline.
    Baseline(FleetBaselineArgs),
}

#[derive(Debug, Args)]
pub struct FleetMigrateArgs {
    #[command(flatten)]
    pub central: CentralOpts,
}

#[derive(Debug, Args)]
pub struct FleetBaselineArgs {
    #[command(flatten)]
    pub central: CentralOpts,
    /// Baseline file to write (JSON, cellsentry-baseline/1).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Only cells judged clean by at least this many sensors (and never otherwise).
    #[arg(long, default_value_t = 2)]
    pub min_sensors: i64,
    /// Only cells observed within --radius-km of this position ("LAT,LON").
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
    pub near: Option<String>,
    #[arg(long, value_name = "KM", default_value_t = 10.0)]
    pub radius_km: f64,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ShareFormatArg {
    Misp,
    Stix,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GroupArg {
    /// One MISP event per run.
    Run,
    /// One MISP event per suspected cell.
    Cell,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// SQLite database written by replay/monitor/scan.
    #[arg(long, value_name = "FILE", default_value = "cellsentry.sqlite")]
    pub db: PathBuf,
    /// MISP core format event(s) or a STIX 2.1 bundle.
    #[arg(long, value_enum)]
    pub format: ShareFormatArg,
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Only this run (default: all runs).
    #[arg(long)]
    pub run: Option<i64>,
    /// Only cells seen at or after this time (ISO 8601 UTC, e.g. 2025-03-14T09:00:00Z).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only cells seen at or before this time (ISO 8601 UTC).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Lowest verdict exported.
    #[arg(long, value_enum, default_value_t = LevelArg::Suspicious)]
    pub min_verdict: LevelArg,
    /// MISP: one event per run or per suspected cell.
    #[arg(long, value_enum, default_value_t = GroupArg::Run)]
    pub per: GroupArg,
    /// Traffic Light Protocol marking: clear, green, amber, amber+strict, red.
    #[arg(long, default_value = "amber")]
    pub tlp: String,
    /// Organisation sharing (MISP creator organisation, STIX identity); default: the
    /// organisation of the database's sensor identity.
    #[arg(long, value_name = "NAME")]
    pub org: Option<String>,
    /// Sensor id (default: from the recording's metadata, the database's sensor name, the
    /// run's device, the database's sensor UUID).
    #[arg(long, value_name = "ID")]
    pub sensor_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// MISP event(s) or STIX 2.1 bundle files (format detected by content).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// SQLite database to import into (created if missing).
    #[arg(long, value_name = "FILE", default_value = "cellsentry.sqlite")]
    pub db: PathBuf,
    /// Print JSON instead of a line per file.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LocateArgs {
    /// SQLite database written by replay/monitor, or the fleet's central database
    /// (postgresql://..., env:VAR, file:PATH): every sensor's readings of a cell fitted
    /// together.
    #[arg(long, value_name = "FILE|URL", default_value = "cellsentry.sqlite")]
    pub db: PathBuf,
    /// Only these cells: the cell id the report lists, or a description as `monitor --hunt`
    /// takes it (a label, arfcn=62, ci=40961, plmn=234-15...); default every cell with
    /// enough positioned measurements.
    #[arg(long, value_name = "ID|CELL")]
    pub cell: Vec<String>,
    /// Only this run's measurements (default: every run, combining drives and fixed sensors).
    #[arg(long)]
    pub run: Option<i64>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Write GeoJSON of the tracks, estimates and 95 % ellipses to this file (opens in QGIS).
    #[arg(long, value_name = "FILE")]
    pub geojson: Option<PathBuf>,
    /// Write the same as KML (Google Earth).
    #[arg(long, value_name = "FILE")]
    pub kml: Option<PathBuf>,
    /// Bearings to the transmitter taken with a directional antenna, fitted with the power:
    /// CSV with a header lat,lon,bearing_deg[,sd_deg] (degrees clockwise from true north;
    /// sd_deg 10 when left out). One bearing settles which side of a straight road it is on.
    /// Needs one cell (--cell).
    #[arg(long, value_name = "CSV")]
    pub bearings: Option<PathBuf>,
}
