/*
 * lte_dl_check: decodes a cf32 file written by lte_dl_gen with srsRAN 4G's own
 * UE-side PHY (srsran_ue_mib, srsran_ue_dl) as a self-consistency check of the
 * generated vectors. Timing is taken as known: subframe 0 of the first frame
 * starts at sample 0. The number of antenna ports is detected blindly from
 * the PBCH CRC mask. Prints one line per decoded MIB / DCI / transport block.
 * Only srsRAN's public API is called.
 */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srsran/srsran.h"

int main(int argc, char** argv)
{
  char*    in_name   = NULL;
  uint32_t nof_prb   = 6;
  uint32_t pci       = 123;
  int      lte_rates = 0;
  uint16_t crnti     = 0x1234;
  int      opt;
  while ((opt = getopt(argc, argv, "i:p:c:r:L")) != -1) {
    switch (opt) {
      case 'i': in_name = optarg; break;
      case 'p': nof_prb = (uint32_t)strtoul(optarg, NULL, 0); break;
      case 'c': pci = (uint32_t)strtoul(optarg, NULL, 0); break;
      case 'r': crnti = (uint16_t)strtoul(optarg, NULL, 0); break;
      case 'L': lte_rates = 1; break;
      default: fprintf(stderr, "usage: %s -i file [-p prb] [-c pci] [-r rnti] [-L]\n", argv[0]); return 1;
    }
  }
  if (!in_name) {
    return 1;
  }
  srsran_use_standard_symbol_size(lte_rates ? true : false);
  const uint32_t sf_len = SRSRAN_SF_LEN_PRB(nof_prb);

  FILE* fin = fopen(in_name, "rb");
  if (!fin) {
    perror("fopen");
    return 1;
  }
  cf_t* buf[SRSRAN_MAX_PORTS] = {};
  buf[0]                      = srsran_vec_cf_malloc(sf_len);

  srsran_cell_t cell   = {};
  cell.nof_prb         = nof_prb;
  cell.nof_ports       = 0; // blind detection in PBCH
  cell.id              = pci;
  cell.cp              = SRSRAN_CP_NORM;
  cell.phich_length    = SRSRAN_PHICH_NORM;
  cell.phich_resources = SRSRAN_PHICH_R_1;
  cell.frame_type      = SRSRAN_FDD;

  srsran_ue_mib_t ue_mib;
  if (srsran_ue_mib_init(&ue_mib, buf[0], nof_prb) || srsran_ue_mib_set_cell(&ue_mib, cell)) {
    fprintf(stderr, "ue_mib init failed\n");
    return 1;
  }

  srsran_ue_dl_t ue_dl;
  if (srsran_ue_dl_init(&ue_dl, buf, nof_prb, 1)) {
    fprintf(stderr, "ue_dl init failed\n");
    return 1;
  }
  bool ue_dl_ready = false;

  srsran_softbuffer_rx_t sb;
  srsran_softbuffer_rx_init(&sb, nof_prb);
  uint8_t* payload = srsran_vec_u8_malloc(100000);

  srsran_ue_dl_cfg_t ue_dl_cfg                  = {};
  ue_dl_cfg.chest_cfg.filter_coef[0]            = 4;
  ue_dl_cfg.chest_cfg.filter_coef[1]            = 1;
  ue_dl_cfg.chest_cfg.filter_type               = SRSRAN_CHEST_FILTER_GAUSS;
  ue_dl_cfg.chest_cfg.noise_alg                 = SRSRAN_NOISE_ALG_REFS;
  ue_dl_cfg.chest_cfg.estimator_alg             = SRSRAN_ESTIMATOR_ALG_AVERAGE;
  ue_dl_cfg.cfg.pdsch.decoder_type              = SRSRAN_MIMO_DECODER_MMSE;
  ue_dl_cfg.cfg.pdsch.max_nof_iterations        = 10;

  uint32_t frame = 0, sfn = 0;
  bool     sfn_known = false;
  uint32_t n_tb_ok = 0, n_tb_bad = 0, n_mib = 0;
  while (fread(buf[0], sizeof(cf_t), sf_len, fin) == sf_len) {
    for (uint32_t sf_idx = 0; sf_idx < 10; sf_idx++) {
      if (sf_idx > 0 && fread(buf[0], sizeof(cf_t), sf_len, fin) != sf_len) {
        goto done;
      }
      if (sf_idx == 0) {
        uint8_t  bch[SRSRAN_BCH_PAYLOAD_LEN];
        uint32_t nports     = 0;
        int      sfn_offset = 0;
        int      r          = srsran_ue_mib_decode(&ue_mib, bch, &nports, &sfn_offset);
        if (r == SRSRAN_UE_MIB_FOUND) {
          srsran_cell_t mib_cell = cell;
          uint32_t      mib_sfn  = 0;
          srsran_pbch_mib_unpack(bch, &mib_cell, &mib_sfn);
          mib_sfn = (mib_sfn + (uint32_t)sfn_offset) % 1024;
          printf("frame %u MIB ok: ports=%u n_prb=%u phich_len=%s Ng=%s SFN=%u (sfn_offset=%d)\n", frame, nports,
                 mib_cell.nof_prb, mib_cell.phich_length == SRSRAN_PHICH_EXT ? "ext" : "norm",
                 (const char*[]){"1/6","1/2","1","2"}[mib_cell.phich_resources], mib_sfn, sfn_offset);
          n_mib++;
          sfn       = mib_sfn;
          sfn_known = true;
          if (!ue_dl_ready) {
            cell.nof_ports = nports;
            if (srsran_ue_dl_set_cell(&ue_dl, cell)) {
              fprintf(stderr, "ue_dl set cell failed\n");
              return 1;
            }
            ue_dl_cfg.cfg.tm = nports > 1 ? SRSRAN_TM2 : SRSRAN_TM1;
            ue_dl_ready      = true;
          }
        }
      }
      if (!ue_dl_ready || !sfn_known) {
        continue;
      }
      srsran_dl_sf_cfg_t sf = {};
      sf.tti                = sfn * 10 + sf_idx;
      sf.sf_type            = SRSRAN_SF_NORM;
      if (srsran_ue_dl_decode_fft_estimate(&ue_dl, &sf, &ue_dl_cfg) < 0) {
        continue;
      }
      if (cell.nof_ports <= 2) {
        // lte_dl_gen sends ACK for an uplink grant at PRB 0 and NACK at PRB 1.
        for (uint32_t prb = 0; prb < 2; prb++) {
          srsran_phich_grant_t g = {};
          g.n_prb_lowest         = prb;
          srsran_phich_res_t pr  = {};
          if (srsran_ue_dl_decode_phich(&ue_dl, &sf, &ue_dl_cfg, &g, &pr) == SRSRAN_SUCCESS) {
            printf("SFN %4u sf %u PHICH n_prb_lowest=%u -> %s (distance %.2f)\n", sfn, sf_idx, prb,
                   pr.ack_value ? "ACK" : "NACK", pr.distance);
          }
        }
      }
      uint16_t rntis[2] = {SRSRAN_SIRNTI, crnti};
      for (int ri = 0; ri < 2; ri++) {
        srsran_dci_dl_t dci[SRSRAN_MAX_DCI_MSG] = {};
        int             n = srsran_ue_dl_find_dl_dci(&ue_dl, &sf, &ue_dl_cfg, rntis[ri], dci);
        for (int k = 0; k < n; k++) {
          srsran_pdsch_cfg_t* pc = &ue_dl_cfg.cfg.pdsch;
          if (srsran_ra_dl_dci_to_grant(&cell, &sf, ue_dl_cfg.cfg.tm, false, &dci[k], &pc->grant)) {
            continue;
          }
          if (dci[k].rnti == SRSRAN_SIRNTI) {
            // SIB1 RV rule as in srsue/src/stack/mac/dl_harq.cc (new_grant_dl).
            uint32_t kk       = (sfn / 2) % 4;
            pc->grant.tb[0].rv = ((3 * kk + 1) / 2) % 4;
          }
          pc->rnti              = dci[k].rnti;
          pc->power_scale       = true;
          pc->p_a               = 0.0f;
          pc->p_b               = cell.nof_ports > 1 ? 1 : 0;
          pc->softbuffers.rx[0] = &sb;
          srsran_softbuffer_rx_reset(&sb);
          srsran_pdsch_res_t res[SRSRAN_MAX_CODEWORDS] = {};
          res[0].payload                               = payload;
          srsran_ue_dl_decode_pdsch(&ue_dl, &sf, pc, res);
          printf("SFN %4u sf %u CFI=%u rnti=0x%04x %s ncce=%u L=%u tbs=%d rv=%d crc=%s tb=", sfn, sf_idx, sf.cfi,
                 dci[k].rnti, srsran_dci_format_string_short(dci[k].format), dci[k].location.ncce,
                 1u << dci[k].location.L, pc->grant.tb[0].tbs, pc->grant.tb[0].rv, res[0].crc ? "OK" : "FAIL");
          for (int b = 0; b < pc->grant.tb[0].tbs / 8; b++) {
            printf("%02x", payload[b]);
          }
          printf("\n");
          if (res[0].crc) {
            n_tb_ok++;
          } else {
            n_tb_bad++;
          }
        }
      }
    }
    frame++;
    sfn = (sfn + 1) % 1024;
  }
done:
  printf("SUMMARY frames=%u mib_ok=%u tb_crc_ok=%u tb_crc_fail=%u ports=%u\n", frame, n_mib, n_tb_ok, n_tb_bad,
         cell.nof_ports);
  fclose(fin);
  return 0;
}
