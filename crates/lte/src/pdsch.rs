//! PDSCH: resource mapping, transmit-diversity combining, demapping and descrambling (TS 36.211 6.3, 6.4).
