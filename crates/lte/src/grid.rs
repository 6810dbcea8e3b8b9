//! Full-bandwidth downlink resource grid: OFDM demodulation of subframes and CRS channel estimation.
