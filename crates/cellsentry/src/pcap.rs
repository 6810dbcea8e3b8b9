//! `--pcap`: every block a replay decoded, as GSMTAP for Wireshark, through the GSM crate's
//! writer (the same framing gr-gsm and the Osmocom tools use).

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use anyhow::{Context, Result};
use cellsentry_gsm::gsmtap::{GsmtapPcapWriter, GsmtapRadio};

use crate::chain::GsmCellResult;

pub struct GsmtapPcap {
    writer: GsmtapPcapWriter<BufWriter<File>>,
}

impl GsmtapPcap {
    pub fn create(path: &Path) -> Result<Self> {
        let file =
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(GsmtapPcap {
            writer: GsmtapPcapWriter::new(BufWriter::new(file))?,
        })
    }

    /// Every block of a cell (fill frames included, as gr-gsm writes them), in order.
    pub fn write_cell(
        &mut self,
        cell: &GsmCellResult,
        base_unix_ms: i64,
        rate_sps: f64,
    ) -> Result<()> {
        let radio = GsmtapRadio {
            arfcn: cell.arfcn.unwrap_or(0),
            pcs: cell.band.as_deref() == Some("PCS1900"),
            // dBFS, not dBm: the radio's gain calibration is not known for a replay.
            signal_dbm: cell.measurement.power_dbfs.unwrap_or(0.0),
            antenna: 0,
        };
        for block in &cell.blocks {
            let time_s = base_unix_ms as f64 / 1000.0 + block.first_sample as f64 / rate_sps;
            self.writer.write_block(block, &radio, time_s)?;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<()> {
        self.writer.into_inner()?;
        Ok(())
    }
}
