# Regenerate with: pip install pycrate==0.8.1; python3 make_pycrate_sib_vectors.py > pycrate_encoded_sib_vectors.json
# Encodes extra BCCH-DL-SCH test vectors with pycrate (independent ASN.1 implementation).
import json, sys
from pycrate_asn1dir import RRCLTE
D = RRCLTE.EUTRA_RRC_Definitions
M = D.BCCH_DL_SCH_Message
V8H0 = D.SystemInformationBlockType1_v8h0_IEs

def enc(val):
    M.set_val(val)
    b = M.to_uper()
    M.from_uper(b)  # round trip through the decoder
    return b.hex(), json.loads(M.to_jer())

V8H0.set_val({'multiBandInfoList': [64, 3],
              'nonCriticalExtension': {'freqBandIndicator-v9e0': 66,
                                       'multiBandInfoList-v9e0': [{'freqBandIndicator-v9e0': 70}, {}]}})
v8h0 = V8H0.to_uper()

sib1 = {'message': ('c1', ('systemInformationBlockType1', {
  'cellAccessRelatedInfo': {
    'plmn-IdentityList': [
      {'plmn-Identity': {'mcc': [0, 0, 1], 'mnc': [0, 0, 1]}, 'cellReservedForOperatorUse': 'reserved'},
      {'plmn-Identity': {'mnc': [9, 9]}, 'cellReservedForOperatorUse': 'notReserved'}],
    'trackingAreaCode': (0xBEEF, 16), 'cellIdentity': (0xABCDE12, 28),
    'cellBarred': 'barred', 'intraFreqReselection': 'notAllowed', 'csg-Indication': True,
    'csg-Identity': (0x5A5A5A5, 27)},
  'cellSelectionInfo': {'q-RxLevMin': -70, 'q-RxLevMinOffset': 3},
  'p-Max': -5,
  'freqBandIndicator': 64,
  'schedulingInfoList': [
    {'si-Periodicity': 'rf8', 'sib-MappingInfo': []},
    {'si-Periodicity': 'rf16', 'sib-MappingInfo': ['sibType24-v1530', 'sibType7']},
    {'si-Periodicity': 'rf512', 'sib-MappingInfo': ['sibType19-v1250', 'sibType26a-v1610', 'sibType18-v1250']}],
  'tdd-Config': {'subframeAssignment': 'sa1', 'specialSubframePatterns': 'ssp5'},
  'si-WindowLength': 'ms1', 'systemInfoValueTag': 31,
  'nonCriticalExtension': {'lateNonCriticalExtension': v8h0,
    'nonCriticalExtension': {'ims-EmergencySupport-r9': 'true',
       'cellSelectionInfo-v920': {'q-QualMin-r9': -34, 'q-QualMinOffset-r9': 8}}}}))}

rr_common = {
  'rach-ConfigCommon': {'preambleInfo': {'numberOfRA-Preambles': 'n64',
      'preamblesGroupAConfig': {'sizeOfRA-PreamblesGroupA': 'n32', 'messageSizeGroupA': 'b144', 'messagePowerOffsetGroupB': 'dB5'}},
    'powerRampingParameters': {'powerRampingStep': 'dB6', 'preambleInitialReceivedTargetPower': 'dBm-90'},
    'ra-SupervisionInfo': {'preambleTransMax': 'n200', 'ra-ResponseWindowSize': 'sf2', 'mac-ContentionResolutionTimer': 'sf24'},
    'maxHARQ-Msg3Tx': 8},
  'bcch-Config': {'modificationPeriodCoeff': 'n16'},
  'pcch-Config': {'defaultPagingCycle': 'rf256', 'nB': 'oneThirtySecondT'},
  'prach-Config': {'rootSequenceIndex': 837, 'prach-ConfigInfo': {'prach-ConfigIndex': 63, 'highSpeedFlag': False, 'zeroCorrelationZoneConfig': 15, 'prach-FreqOffset': 94}},
  'pdsch-ConfigCommon': {'referenceSignalPower': 50, 'p-b': 3},
  'pusch-ConfigCommon': {'pusch-ConfigBasic': {'n-SB': 1, 'hoppingMode': 'intraAndInterSubFrame', 'pusch-HoppingOffset': 0, 'enable64QAM': False},
    'ul-ReferenceSignalsPUSCH': {'groupHoppingEnabled': False, 'groupAssignmentPUSCH': 0, 'sequenceHoppingEnabled': False, 'cyclicShift': 0}},
  'pucch-ConfigCommon': {'deltaPUCCH-Shift': 'ds3', 'nRB-CQI': 98, 'nCS-AN': 7, 'n1PUCCH-AN': 2047},
  'soundingRS-UL-ConfigCommon': ('release', 0),
  'uplinkPowerControlCommon': {'p0-NominalPUSCH': -126, 'alpha': 'al1', 'p0-NominalPUCCH': -96,
    'deltaFList-PUCCH': {'deltaF-PUCCH-Format1': 'deltaF2', 'deltaF-PUCCH-Format1b': 'deltaF5', 'deltaF-PUCCH-Format2': 'deltaF2', 'deltaF-PUCCH-Format2a': 'deltaF2', 'deltaF-PUCCH-Format2b': 'deltaF2'},
    'deltaPreambleMsg3': -1},
  'ul-CyclicPrefixLength': 'len2'}

sib2 = {'ac-BarringInfo': {'ac-BarringForEmergency': True,
          'ac-BarringForMO-Signalling': {'ac-BarringFactor': 'p00', 'ac-BarringTime': 's512', 'ac-BarringForSpecialAC': (0b10101, 5)},
          'ac-BarringForMO-Data': {'ac-BarringFactor': 'p95', 'ac-BarringTime': 's16', 'ac-BarringForSpecialAC': (0b11111, 5)}},
        'radioResourceConfigCommon': rr_common,
        'ue-TimersAndConstants': {'t300': 'ms2000', 't301': 'ms1500', 't310': 'ms0', 'n310': 'n1', 't311': 'ms30000', 'n311': 'n10'},
        'freqInfo': {'ul-CarrierFreq': 19950, 'ul-Bandwidth': 'n15', 'additionalSpectrumEmission': 32},
        'mbsfn-SubframeConfigList': [{'radioframeAllocationPeriod': 'n1', 'radioframeAllocationOffset': 0, 'subframeAllocation': ('oneFrame', (0b100000, 6))}],
        'timeAlignmentTimerCommon': 'sf500'}
sib4 = {'intraFreqNeighCellList': [{'physCellId': 0, 'q-OffsetCell': 'dB-24'}, {'physCellId': 503, 'q-OffsetCell': 'dB24'}, {'physCellId': 77, 'q-OffsetCell': 'dB-1'}],
        'intraFreqExcludedCellList': [{'start': 100}, {'start': 200, 'range': 'n84'}],
        'csg-PhysCellIdRange': {'start': 480, 'range': 'n24'}}
si_a = {'message': ('c1', ('systemInformation', {'criticalExtensions': ('systemInformation-r8', {
   'sib-TypeAndInfo': [('sib2', sib2), ('sib4', sib4)]})}))}

sib6 = {'carrierFreqListUTRA-FDD': [
           {'carrierFreq': 10700, 'cellReselectionPriority': 7, 'threshX-High': 31, 'threshX-Low': 0, 'q-RxLevMin': -60, 'p-MaxUTRA': 33, 'q-QualMin': -24},
           {'carrierFreq': 2950, 'threshX-High': 4, 'threshX-Low': 2, 'q-RxLevMin': -13, 'p-MaxUTRA': -50, 'q-QualMin': 0}],
        'carrierFreqListUTRA-TDD': [{'carrierFreq': 10054, 'cellReselectionPriority': 2, 'threshX-High': 6, 'threshX-Low': 5, 'q-RxLevMin': -50, 'p-MaxUTRA': 24}],
        't-ReselectionUTRA': 7}
sib7 = {'t-ReselectionGERAN': 2,
        'carrierFreqsInfoList': [
          {'carrierFreqs': {'startingARFCN': 1020, 'bandIndicator': 'dcs1800', 'followingARFCNs': ('explicitListOfARFCNs', [1023, 0, 5])},
           'commonInfo': {'cellReselectionPriority': 6, 'ncc-Permitted': (0b11110000, 8), 'q-RxLevMin': 0, 'p-MaxGERAN': 39, 'threshX-High': 10, 'threshX-Low': 1}},
          {'carrierFreqs': {'startingARFCN': 1000, 'bandIndicator': 'pcs1900', 'followingARFCNs': ('equallySpacedARFCNs', {'arfcn-Spacing': 8, 'numberOfFollowingARFCNs': 4})},
           'commonInfo': {'ncc-Permitted': (0b00000001, 8), 'q-RxLevMin': 45, 'threshX-High': 0, 'threshX-Low': 31}},
          {'carrierFreqs': {'startingARFCN': 512, 'bandIndicator': 'dcs1800', 'followingARFCNs': ('variableBitMapOfARFCNs', bytes([0x81, 0x01]))},
           'commonInfo': {'cellReselectionPriority': 1, 'ncc-Permitted': (0xFF, 8), 'q-RxLevMin': 10, 'threshX-High': 3, 'threshX-Low': 2}}]}
sib8 = {'searchWindowSize': 9,
        'parameters1XRTT': {'longCodeState1XRTT': (0x123456789AB, 42)}}
si_b = {'message': ('c1', ('systemInformation', {'criticalExtensions': ('systemInformation-r8', {
   'sib-TypeAndInfo': [('sib6', sib6), ('sib7', sib7), ('sib8', sib8), ('sib13-v920', {'mbsfn-AreaInfoList-r9': [{'mbsfn-AreaId-r9': 1, 'non-MBSFNregionLength': 's1', 'notificationIndicator-r9': 0, 'mcch-Config-r9': {'mcch-RepetitionPeriod-r9': 'rf32', 'mcch-Offset-r9': 0, 'mcch-ModificationPeriod-r9': 'rf512', 'sf-AllocInfo-r9': (0x20, 6), 'signallingMCS-r9': 'n2'}}], 'notificationConfig-r9': {'notificationRepetitionCoeff-r9': 'n2', 'notificationOffset-r9': 0, 'notificationSF-Index-r9': 1}})]})}))}

sib5 = {'interFreqCarrierFreqList': [
   {'dl-CarrierFreq': 65535, 'q-RxLevMin': -22, 't-ReselectionEUTRA': 0, 'threshX-High': 31, 'threshX-Low': 0,
    'allowedMeasBandwidth': 'mbw6', 'presenceAntennaPort1': True, 'neighCellConfig': (0b11, 2), 'q-OffsetFreq': 'dB-5',
    'interFreqNeighCellList': [{'physCellId': 12, 'q-OffsetCell': 'dB3'}],
    'interFreqExcludedCellList': [{'start': 1, 'range': 'n4'}]},
   {'dl-CarrierFreq': 1300, 'q-RxLevMin': -64, 'p-Max': 33, 't-ReselectionEUTRA': 7, 't-ReselectionEUTRA-SF': {'sf-Medium': 'oDot25', 'sf-High': 'lDot0'},
    'threshX-High': 5, 'threshX-Low': 6, 'allowedMeasBandwidth': 'mbw75', 'presenceAntennaPort1': False, 'cellReselectionPriority': 0,
    'neighCellConfig': (0b10, 2)}]}
si_c = {'message': ('c1', ('systemInformation', {'criticalExtensions': ('systemInformation-r8', {
   'sib-TypeAndInfo': [('sib5', sib5)]})}))}

out = []
for name, val, note in [
    ('SIB1', sib1, 'two PLMNs (2nd inherits MCC, 3-digit MNC 001), reserved, barred, notAllowed, CSG, q-RxLevMinOffset, p-Max, band 64 + v8h0/v9e0 multiband (band 66, multiBandInfoList 70/3), extension SIB-Type values (sibType24/19/26a), TDD sa1/ssp5, v920 ims + q-QualMin'),
    ('SI(SIB2+SIB4)', si_a, 'SIB2 with both AC barring configs, ul-CarrierFreq/bandwidth, MBSFN, extended CP, limit values; SIB4 neighbours, blacklist, CSG range'),
    ('SI(SIB6+SIB7+SIB8+SIB13)', si_b, 'SIB6 UTRA FDD/TDD with priorities, SIB7 GERAN in all three followingARFCNs forms (with ARFCN wrap), SIB8 presence, SIB13 (other)'),
    ('SI(SIB5)', si_c, 'SIB5 with two carriers, neighbours, blacklist, q-OffsetFreq, absent priority, limit values')]:
    hx, jer = enc(val)
    out.append({'message': name, 'hex': hx, 'note': note, 'expect': jer})
json.dump(out, sys.stdout, indent=1)
