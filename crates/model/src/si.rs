//! GSM System Information message types (TS 44.018 9.1.31 - 9.1.43).

use serde::{Deserialize, Serialize};

/// GSM system information message types, as seen on BCCH/SACCH. Serialised as "SI1", "SI2bis".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum GsmSiType {
    /// System Information Type 1 (cell channel description, RACH control).
    #[serde(rename = "SI1")]
    Si1,
    /// SI2: neighbour cell description (BA list).
    #[serde(rename = "SI2")]
    Si2,
    /// SI2bis: extension of the BA list.
    #[serde(rename = "SI2bis")]
    Si2bis,
    /// SI2ter: multiband extension of the BA list.
    #[serde(rename = "SI2ter")]
    Si2ter,
    /// SI2quater: 3G/E-UTRAN neighbours and priorities.
    #[serde(rename = "SI2quater")]
    Si2quater,
    /// SI3: cell identity, LAI, control channel description, selection parameters.
    #[serde(rename = "SI3")]
    Si3,
    /// SI4: LAI, selection parameters (sent with SI3).
    #[serde(rename = "SI4")]
    Si4,
    /// SI5 (SACCH, dedicated mode BA list).
    #[serde(rename = "SI5")]
    Si5,
    /// SI5bis.
    #[serde(rename = "SI5bis")]
    Si5bis,
    /// SI5ter.
    #[serde(rename = "SI5ter")]
    Si5ter,
    /// SI6 (SACCH).
    #[serde(rename = "SI6")]
    Si6,
    /// SI7.
    #[serde(rename = "SI7")]
    Si7,
    /// SI8.
    #[serde(rename = "SI8")]
    Si8,
    /// SI9.
    #[serde(rename = "SI9")]
    Si9,
    /// SI13 (GPRS).
    #[serde(rename = "SI13")]
    Si13,
}

impl GsmSiType {
    /// Name as in TS 44.018 and in JSON ("SI2quater").
    pub const fn name(self) -> &'static str {
        match self {
            GsmSiType::Si1 => "SI1",
            GsmSiType::Si2 => "SI2",
            GsmSiType::Si2bis => "SI2bis",
            GsmSiType::Si2ter => "SI2ter",
            GsmSiType::Si2quater => "SI2quater",
            GsmSiType::Si3 => "SI3",
            GsmSiType::Si4 => "SI4",
            GsmSiType::Si5 => "SI5",
            GsmSiType::Si5bis => "SI5bis",
            GsmSiType::Si5ter => "SI5ter",
            GsmSiType::Si6 => "SI6",
            GsmSiType::Si7 => "SI7",
            GsmSiType::Si8 => "SI8",
            GsmSiType::Si9 => "SI9",
            GsmSiType::Si13 => "SI13",
        }
    }
}

impl std::fmt::Display for GsmSiType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
