//! Turbo code (TS 36.212 5.1.3.2): QPP interleaver, encoder, iterative decoder.
