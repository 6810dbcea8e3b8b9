//! Extension-aware re-read of SIB1 `sib-MappingInfo` (TS 36.331 6.2.2 SIB-Type).
//!
//! SIB-Type is an extensible ENUMERATED. The generated decoder keeps only the index and drops the
//! "extension" flag, so an extension value such as sibType24-v1530 (NR reselection, index 3 of the
//! additions) would come back as root index 3 = sibType6 (UTRA): a false 3G neighbour, exactly
//! the kind of indicator the detector looks at. This walk re-decodes SIB1 up to and including
//! `schedulingInfoList` with the same codec, using the generated types for every field before it
//! and reading each SIB-Type with its extension bit.

use types_lte_3gpp::export::asn1_codecs::uper::decode::{
    decode_choice_idx, decode_enumerated, decode_length_determinent, decode_sequence_header,
};
use types_lte_3gpp::export::asn1_codecs::uper::UperCodec;
use types_lte_3gpp::export::asn1_codecs::{PerCodecData, PerCodecError};
use types_lte_3gpp::uper::spec_rrc as rrc;

use crate::convert::sib_type_name;

/// `sib-MappingInfo` of each scheduling entry, as TS 36.331 SIB-Type names.
pub(crate) fn sib1_mapping_info(bcch_dl_sch: &[u8]) -> Result<Vec<Vec<String>>, PerCodecError> {
    let mut d = PerCodecData::from_slice_uper(bcch_dl_sch);
    // BCCH-DL-SCH-MessageType CHOICE {c1, messageClassExtension}, then c1 CHOICE
    // {systemInformation, systemInformationBlockType1}; the caller already knows it is SIB1.
    decode_choice_idx(&mut d, 0, 1, false)?;
    decode_choice_idx(&mut d, 0, 1, false)?;
    // SIB1: not extensible, 3 OPTIONAL fields (p-Max, tdd-Config, nonCriticalExtension).
    let (optionals, _) = decode_sequence_header(&mut d, false, 3)?;
    rrc::SystemInformationBlockType1CellAccessRelatedInfo::uper_decode(&mut d)?;
    rrc::SystemInformationBlockType1CellSelectionInfo::uper_decode(&mut d)?;
    if optionals.first().is_some_and(|b| *b) {
        rrc::P_Max::uper_decode(&mut d)?;
    }
    rrc::FreqBandIndicator::uper_decode(&mut d)?;
    // SchedulingInfoList ::= SEQUENCE (SIZE (1..maxSI-Message = 32)) OF SchedulingInfo
    let n_si = decode_length_determinent(&mut d, Some(1), Some(32), false)?;
    let mut out = Vec::with_capacity(n_si);
    for _ in 0..n_si {
        rrc::SI_Periodicity_r12::uper_decode(&mut d)?;
        // SIB-MappingInfo ::= SEQUENCE (SIZE (0..maxSIB-1 = 31)) OF SIB-Type
        let n_sib = decode_length_determinent(&mut d, Some(0), Some(31), false)?;
        let mut types = Vec::with_capacity(n_sib);
        for _ in 0..n_sib {
            let (index, extended) = decode_enumerated(&mut d, Some(0), Some(15), true)?;
            types.push(sib_type_name(index, extended));
        }
        out.push(types);
    }
    Ok(out)
}
