//! Downlink control information formats 1A and 1C (TS 36.212 5.3.3).
