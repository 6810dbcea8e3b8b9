//! System-information receiver: from IQ to BCCH-DL-SCH transport blocks.
