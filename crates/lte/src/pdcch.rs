//! PDCCH: REG mapping, interleaving and blind search of the common search space (TS 36.211 6.8, TS 36.213 9.1).
