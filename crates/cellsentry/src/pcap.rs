//! `--pcap`: every block a replay decoded, as GSMTAP for Wireshark, through the GSM crate's
//! writer (the same framing gr-gsm and the Osmocom tools use): GSM Um blocks, and LTE
//! BCCH-DL-SCH messages as GSMTAP LTE RRC so Wireshark's lte-rrc dissector decodes the SIBs.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use anyhow::{Context, Result};
use cellsentry_gsm::gsmtap::{gsmtap_packet, GsmtapHeader, GsmtapPcapWriter, GsmtapRadio};

use crate::chain::{GsmCellResult, LteCellResult};

/// GSMTAP payload type "LTE RRC" and its BCCH-DL-SCH sub-type (osmocom gsmtap.h).
const GSMTAP_TYPE_LTE_RRC: u8 = 0x0d;
const GSMTAP_LTE_RRC_SUB_BCCH_DL_SCH: u8 = 5;

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

    /// Every distinct SIB1/SI message of an LTE cell, at its first reception.
    pub fn write_lte_cell(&mut self, cell: &LteCellResult, base_unix_ms: i64) -> Result<()> {
        let Some(si) = &cell.si else { return Ok(()) };
        // GSMTAP v2 has 14 bits of channel number; EARFCNs above that are truncated.
        let mut header = GsmtapHeader {
            payload_type: GSMTAP_TYPE_LTE_RRC,
            arfcn: (cell.earfcn.unwrap_or(0) & 0x3fff) as u16,
            signal_dbm: cell.detection.rsrp_dbfs.unwrap_or(0.0) as f32,
            sub_type: GSMTAP_LTE_RRC_SUB_BCCH_DL_SCH,
            ..GsmtapHeader::default()
        };
        for m in &si.messages {
            header.frame_number = u32::from(m.sfn) * 10 + u32::from(m.subframe);
            let p = gsmtap_packet(&header, &m.raw);
            self.writer
                .write_gsmtap(&p, base_unix_ms as f64 / 1000.0 + m.time_s)?;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<()> {
        self.writer.into_inner()?;
        Ok(())
    }
}
