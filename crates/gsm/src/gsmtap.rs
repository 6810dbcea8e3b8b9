//! GSMTAP (version 2) over Ethernet/IPv4/UDP port 4729 in classic pcap files, the format
//! gr-gsm and osmocom tools emit, so decoded blocks open in Wireshark/tshark.
//!
//! Header layout from osmocom's gsmtap.h (GSMTAP v2): version, header length in 32-bit words,
//! payload type (1 = GSM Um), timeslot, ARFCN (big endian, 0x8000 = PCS band, 0x4000 =
//! uplink), signal level dBm, SNR dB, frame number, channel sub-type, antenna, sub-slot.

use std::io::{self, Write};

use crate::mapping::gsmtap_chan;
use crate::L2Block;

/// UDP port registered for GSMTAP.
pub const GSMTAP_PORT: u16 = 4729;
/// GSMTAP payload type "GSM Um".
pub const GSMTAP_TYPE_UM: u8 = 1;

/// Radio values written into each GSMTAP header.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GsmtapRadio {
    /// ARFCN (0..1023); `pcs` sets the PCS-1900 flag.
    pub arfcn: u16,
    /// PCS 1900 band flag.
    pub pcs: bool,
    /// Signal level, dBm (clamped to i8).
    pub signal_dbm: f32,
    /// Antenna number.
    pub antenna: u8,
}

/// Fields of a GSMTAP v2 header (osmocom gsmtap.h) that vary between packets.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GsmtapHeader {
    /// Payload type: 1 = GSM Um, 0x0d = LTE RRC, ...
    pub payload_type: u8,
    pub timeslot: u8,
    /// ARFCN (or EARFCN, truncated to 14 bits) with the PCS flag 0x8000 already applied.
    pub arfcn: u16,
    pub signal_dbm: f32,
    pub snr_db: f32,
    /// GSM TDMA frame number, or SFN * 10 + subframe for LTE.
    pub frame_number: u32,
    /// Channel sub-type (GSM logical channel, LTE RRC message class).
    pub sub_type: u8,
    pub antenna: u8,
    pub sub_slot: u8,
}

/// The 16-byte GSMTAP v2 header followed by `payload`.
pub fn gsmtap_packet(h: &GsmtapHeader, payload: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(16 + payload.len());
    p.push(2); // version
    p.push(4); // header length in 32-bit words
    p.push(h.payload_type);
    p.push(h.timeslot);
    p.extend_from_slice(&h.arfcn.to_be_bytes());
    p.push(h.signal_dbm.round().clamp(-128.0, 127.0) as i8 as u8);
    p.push(h.snr_db.round().clamp(-128.0, 127.0) as i8 as u8);
    p.extend_from_slice(&h.frame_number.to_be_bytes());
    p.push(h.sub_type);
    p.push(h.antenna);
    p.push(h.sub_slot);
    p.push(0);
    p.extend_from_slice(payload);
    p
}

/// The 16-byte GSMTAP v2 header followed by the 23-octet block.
pub fn gsmtap_payload(block: &L2Block, radio: &GsmtapRadio) -> Vec<u8> {
    let (sub_type, sub_slot) = gsmtap_chan(block.channel);
    let mut arfcn = radio.arfcn & 0x3fff;
    if radio.pcs {
        arfcn |= 0x8000;
    }
    let header = GsmtapHeader {
        payload_type: GSMTAP_TYPE_UM,
        timeslot: block.timeslot,
        arfcn,
        signal_dbm: radio.signal_dbm,
        snr_db: block.snr_db,
        frame_number: block.fn_,
        sub_type,
        antenna: radio.antenna,
        sub_slot,
    };
    gsmtap_packet(&header, &block.bytes)
}

fn ipv4_checksum(h: &[u8]) -> u16 {
    let mut sum = 0u32;
    for c in h.chunks(2) {
        let w = u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]);
        sum += u32::from(w);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Wrap a UDP payload to port 4729 in Ethernet + IPv4 (127.0.0.1 to 127.0.0.1).
pub fn udp_frame(payload: &[u8]) -> Vec<u8> {
    let udp_len = 8 + payload.len();
    let ip_len = 20 + udp_len;
    let mut f = Vec::with_capacity(14 + ip_len);
    f.extend_from_slice(&[0u8; 12]); // dst + src MAC
    f.extend_from_slice(&0x0800u16.to_be_bytes());
    let mut ip = [0u8; 20];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&(ip_len as u16).to_be_bytes());
    ip[6] = 0x40; // don't fragment
    ip[8] = 64; // TTL
    ip[9] = 17; // UDP
    ip[12..16].copy_from_slice(&[127, 0, 0, 1]);
    ip[16..20].copy_from_slice(&[127, 0, 0, 1]);
    let ck = ipv4_checksum(&ip);
    ip[10..12].copy_from_slice(&ck.to_be_bytes());
    f.extend_from_slice(&ip);
    f.extend_from_slice(&GSMTAP_PORT.to_be_bytes()); // source port
    f.extend_from_slice(&GSMTAP_PORT.to_be_bytes());
    f.extend_from_slice(&(udp_len as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]); // UDP checksum optional over IPv4
    f.extend_from_slice(payload);
    f
}

/// Writes a classic (microsecond) pcap file of GSMTAP packets.
pub struct GsmtapPcapWriter<W: Write> {
    out: W,
}

impl<W: Write> GsmtapPcapWriter<W> {
    /// Write the pcap global header (link type 1, Ethernet).
    pub fn new(mut out: W) -> io::Result<Self> {
        let mut h = Vec::with_capacity(24);
        h.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        h.extend_from_slice(&2u16.to_le_bytes());
        h.extend_from_slice(&4u16.to_le_bytes());
        h.extend_from_slice(&0i32.to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(&65_535u32.to_le_bytes());
        h.extend_from_slice(&1u32.to_le_bytes());
        out.write_all(&h)?;
        Ok(GsmtapPcapWriter { out })
    }

    /// Append one block; `time_s` is the packet time stamp in seconds (e.g. capture start
    /// time plus the block's sample index over the sample rate).
    pub fn write_block(
        &mut self,
        block: &L2Block,
        radio: &GsmtapRadio,
        time_s: f64,
    ) -> io::Result<()> {
        self.write_gsmtap(&gsmtap_payload(block, radio), time_s)
    }

    /// Append one GSMTAP packet (header and payload) built by the caller, e.g. an LTE RRC
    /// message (GSMTAP type 0x0d) from the LTE receiver.
    pub fn write_gsmtap(&mut self, gsmtap: &[u8], time_s: f64) -> io::Result<()> {
        let frame = udp_frame(gsmtap);
        let t = time_s.max(0.0);
        let sec = t.floor();
        let usec = ((t - sec) * 1e6).round().min(999_999.0);
        let mut rec = Vec::with_capacity(16 + frame.len());
        rec.extend_from_slice(&(sec as u32).to_le_bytes());
        rec.extend_from_slice(&(usec as u32).to_le_bytes());
        rec.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        rec.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        rec.extend_from_slice(&frame);
        self.out.write_all(&rec)
    }

    /// Flush and return the inner writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LogicalChannel;

    #[test]
    fn header_layout_matches_gr_gsm_packet() {
        // First packet of gr-gsm's pcap for the Osmocom default capture (bytes 0x2a..0x3a);
        // gr-gsm leaves the antenna and padding octets uninitialised, so those two are ours.
        let b = L2Block {
            fn_: 241946,
            fn_mod51: 2,
            channel: LogicalChannel::Bcch { tc: 0 },
            timeslot: 0,
            bytes: [
                0x55, 0x06, 0x19, 0x8f, 0xb3, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xe5,
                0x04, 0x00, 0x2b,
            ],
            coded_bit_errors: 0,
            snr_db: 0.0,
            freq_offset_hz: 0.0,
            first_sample: 0,
        };
        let radio = GsmtapRadio {
            arfcn: 0,
            pcs: false,
            signal_dbm: -29.0,
            antenna: 0,
        };
        let p = gsmtap_payload(&b, &radio);
        let want = [
            0x02, 0x04, 0x01, 0x00, 0x00, 0x00, 0xe3, 0x00, 0x00, 0x03, 0xb1, 0x1a, 0x01, 0x00,
            0x00, 0x00,
        ];
        assert_eq!(&p[..16], &want);
        assert_eq!(&p[16..], &b.bytes);
        let f = udp_frame(&p);
        assert_eq!(f.len(), 14 + 20 + 8 + 39);
        // A correct IPv4 header sums to 0xffff including its checksum.
        assert_eq!(ipv4_checksum(&f[14..34]), 0);
    }
}
