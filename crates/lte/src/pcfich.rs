//! PCFICH: control format indicator (TS 36.211 6.7, TS 36.212 5.3.4).
