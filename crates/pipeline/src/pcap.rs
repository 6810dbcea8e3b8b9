//! `--pcap`: every frame a session decoded, as GSMTAP in a pcap file for Wireshark, through the
//! GSM crate's writer (the framing gr-gsm and the Osmocom tools use): GSM Um blocks, and LTE
//! BCCH-DL-SCH messages as GSMTAP LTE RRC so Wireshark's lte-rrc dissector decodes the SIBs.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use cellsentry_gsm::gsmtap::GsmtapPcapWriter;

use crate::session::FrameSink;
use crate::PipelineError;

/// A pcap file of GSMTAP frames.
pub struct GsmtapPcap {
    writer: GsmtapPcapWriter<BufWriter<File>>,
}

impl GsmtapPcap {
    pub fn create(path: &Path) -> Result<Self, PipelineError> {
        let io = |source| PipelineError::Io {
            what: format!("cannot create {}", path.display()),
            source,
        };
        let file = File::create(path).map_err(io)?;
        Ok(GsmtapPcap {
            writer: GsmtapPcapWriter::new(BufWriter::new(file)).map_err(io)?,
        })
    }

    /// Flushes and closes the file.
    pub fn finish(self) -> Result<(), PipelineError> {
        self.writer
            .into_inner()
            .map(drop)
            .map_err(|source| PipelineError::Io {
                what: "cannot write the pcap".into(),
                source,
            })
    }
}

impl FrameSink for GsmtapPcap {
    fn write_frame(&mut self, time_unix_s: f64, packet: &[u8]) -> std::io::Result<()> {
        self.writer.write_gsmtap(packet, time_unix_s)
    }
}
