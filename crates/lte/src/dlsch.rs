//! DL-SCH transport channel coding (TS 36.212 5.3.2): CRC24A/B, code block segmentation, turbo rate matching, and their inverses.
