//! Transport block sizes (TS 36.213 7.1.7).
