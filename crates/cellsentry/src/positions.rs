//! Where the sensor was during a replayed recording: `--track` (GPX/NMEA aligned with the
//! recording's start time), `--lat/--lon`, or the SigMF `core:geolocation` of a fixed sensor.
//!
//! Everything here degrades to "no positions" with one warning line: a bad track never stops
//! decoding or detection. The session attaches each observation's position
//! (`Session::with_positions`).

use std::path::Path;

use cellsentry_capture::SigmfMeta;
use cellsentry_geo::{FixedPosition, PositionSource, Track};

use crate::cli::PositionOpts;
use crate::exit::BadInput;

/// What the user gave on the command line, loaded once for every recording of the run.
pub struct RunPositions {
    track: Option<Track>,
    fixed: Option<FixedPosition>,
    /// `--start` in ms since the epoch.
    pub start_unix_ms: Option<i64>,
}

fn warn(msg: &str) {
    eprintln!("cellsentry: warning: {msg}");
}

/// `--start` (an ISO 8601 UTC time) in Unix milliseconds; one that does not parse is bad input.
pub fn parse_start(start: Option<&str>) -> anyhow::Result<Option<i64>> {
    let Some(s) = start else {
        return Ok(None);
    };
    let ns = cellsentry_capture::timefmt::parse_iso8601(s).ok_or_else(|| {
        BadInput(format!(
            "--start {s:?}: expected an ISO 8601 UTC time like 2026-03-14T10:00:20Z"
        ))
    })?;
    Ok(Some((ns / 1_000_000) as i64))
}

impl RunPositions {
    /// Loads the track and checks `--lat/--lon`; problems are warned about and dropped.
    /// `--start` that does not parse is a usage problem of the whole run (bad input).
    pub fn load(opts: &PositionOpts) -> anyhow::Result<RunPositions> {
        let start_unix_ms = parse_start(opts.start.as_deref())?;
        let track = opts.track.as_ref().and_then(|p| match Track::load(p) {
            Ok(t) => Some(t),
            Err(e) => {
                warn(&format!("{e}; replaying without positions"));
                None
            }
        });
        let fixed = match (opts.lat, opts.lon) {
            (Some(lat), Some(lon)) => match FixedPosition::new(lat, lon, None) {
                Ok(f) => Some(f),
                Err(e) => {
                    warn(&format!("--lat/--lon: {e}; replaying without positions"));
                    None
                }
            },
            (None, None) => None,
            _ => {
                warn("--lat and --lon go together; ignoring the one given");
                None
            }
        };
        Ok(RunPositions {
            track,
            fixed,
            start_unix_ms,
        })
    }

    /// The recording's time base: SigMF `core:datetime` (already in the source info) wins over
    /// `--start`, which wins over the wall clock.
    pub fn base_unix_ms(&self, source_start_unix_ns: Option<i128>, now_ms: i64) -> i64 {
        source_start_unix_ns
            .map(|ns| (ns / 1_000_000) as i64)
            .or(self.start_unix_ms)
            .unwrap_or(now_ms)
    }

    /// The fixed position of the sensor for this recording (not for a track): `--lat/--lon`
    /// or SigMF `core:geolocation`. Stored as the run's host position.
    pub fn fixed_position(&self, path: &Path) -> Option<FixedPosition> {
        if self.track.is_some() {
            return None;
        }
        self.fixed.or_else(|| sigmf_geolocation(path))
    }

    /// The position source for one recording spanning `[start, end]` ms. `timed` says whether
    /// the recording's start is known (SigMF datetime or `--start`): a track cannot be aligned
    /// with a recording whose time is unknown.
    pub fn for_recording(
        &self,
        path: &Path,
        start_unix_ms: i64,
        end_unix_ms: i64,
        timed: bool,
    ) -> Option<Box<dyn PositionSource>> {
        if let Some(track) = &self.track {
            if !timed {
                warn(&format!(
                    "{}: the recording's start time is unknown (no SigMF core:datetime): give \
                     --start to align --track; no positions",
                    path.display()
                ));
                return None;
            }
            return match track.check_overlap(start_unix_ms, end_unix_ms) {
                Ok(o) => {
                    if o.fraction < 0.999 {
                        warn(&format!(
                            "{}: track {} covers {:.0} % of the recording",
                            path.display(),
                            track.name,
                            o.fraction * 100.0
                        ));
                    }
                    Some(Box::new(track.clone()))
                }
                Err(e) => {
                    warn(&format!("{}: {e}", path.display()));
                    None
                }
            };
        }
        if let Some(f) = self.fixed {
            return Some(Box::new(f));
        }
        sigmf_geolocation(path).map(|f| Box::new(f) as Box<dyn PositionSource>)
    }
}

/// `core:geolocation` of a SigMF recording, when it has a valid one.
pub fn sigmf_geolocation(path: &Path) -> Option<FixedPosition> {
    let name = path.to_string_lossy();
    if !(name.ends_with(".sigmf-meta") || name.ends_with(".sigmf-data") || name.ends_with(".sigmf"))
    {
        return None;
    }
    let (meta_path, _) = cellsentry_capture::sigmf::sigmf_paths(path);
    let meta = SigmfMeta::load(&meta_path).ok()?;
    let g = meta.global.geolocation_point()?;
    match FixedPosition::new(g.lat_deg, g.lon_deg, g.alt_m) {
        Ok(f) => Some(f),
        Err(e) => {
            warn(&format!(
                "{}: core:geolocation {e}; no positions",
                path.display()
            ));
            None
        }
    }
}
