/*
 * lte_dl_gen: writes an LTE FDD downlink test signal (cf32) built with the
 * srsRAN 4G PHY library (libsrsran_phy). This file only calls srsRAN's public
 * API (srsran_enb_dl_*, srsran_dci_*, srsran_ra_*); all physical-layer
 * processing is srsRAN's own.
 *
 * The per-port time signals produced by srsran_enb_dl are combined into one
 * receive stream as seen by a single receive antenna through a flat channel
 * with a fixed, distinct complex gain per transmit port (so that a receiver
 * with a port-mapping error does not pass by accident). Optionally each port
 * is also written to its own file.
 *
 * A text log (-l) lists MIB, PCFICH, every DCI (payload bits), and every
 * transport block (bytes) that was sent.
 */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srsran/srsran.h"

#define MAX_TB_BYTES 100000 // ample for any single-codeword LTE transport block

static uint32_t nof_prb     = 6;
static uint32_t nof_ports   = 4;
static uint32_t pci         = 123;
static uint32_t nof_frames  = 8;
static uint32_t sfn_start   = 517;
static uint32_t cfi         = 3;
static int      with_data   = 1;
static int      with_phich  = -1; // -1 = auto (only when nof_ports < 4)
static int      unit_gains  = 0;
static int      lte_rates   = 0;
static uint16_t crnti       = 0x1234;
static char*    out_name    = NULL;
static char*    log_name    = NULL;
static char*    port_prefix = NULL;

// Deterministic byte source (xorshift32) so the transport blocks are
// reproducible and independent of libc's rand().
static uint32_t rng_state = 0x12345678u;
static uint8_t  next_byte(void)
{
  uint32_t x = rng_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  rng_state = x;
  return (uint8_t)(x >> 24);
}

static void usage(const char* prog)
{
  printf("Usage: %s -o out.cf32 [options]\n", prog);
  printf("\t-p nof_prb [%u]\n", nof_prb);
  printf("\t-P nof_ports (1,2,4) [%u]\n", nof_ports);
  printf("\t-c PCI [%u]\n", pci);
  printf("\t-n nof_frames [%u]\n", nof_frames);
  printf("\t-s SFN of first frame [%u]\n", sfn_start);
  printf("\t-C CFI value 1..3 [%u]\n", cfi);
  printf("\t-r C-RNTI (hex or dec) [0x%04x]\n", crnti);
  printf("\t-D disable PDCCH/PDSCH (only PSS/SSS/CRS/PBCH/PCFICH)\n");
  printf("\t-H force PHICH on (1) or off (0) [auto: on for 1/2 ports]\n");
  printf("\t-u unit gain for every port (plain sum)\n");
  printf("\t-L use standard LTE sample rates (e.g. 7.68 Msps for 25 PRB)\n");
  printf("\t-l log file\n");
  printf("\t-O prefix: also write each port to <prefix>_portN.cf32\n");
}

static void parse_args(int argc, char** argv)
{
  int opt;
  while ((opt = getopt(argc, argv, "o:p:P:c:n:s:C:r:DH:uLl:O:h")) != -1) {
    switch (opt) {
      case 'o': out_name = optarg; break;
      case 'p': nof_prb = (uint32_t)strtoul(optarg, NULL, 0); break;
      case 'P': nof_ports = (uint32_t)strtoul(optarg, NULL, 0); break;
      case 'c': pci = (uint32_t)strtoul(optarg, NULL, 0); break;
      case 'n': nof_frames = (uint32_t)strtoul(optarg, NULL, 0); break;
      case 's': sfn_start = (uint32_t)strtoul(optarg, NULL, 0); break;
      case 'C': cfi = (uint32_t)strtoul(optarg, NULL, 0); break;
      case 'r': crnti = (uint16_t)strtoul(optarg, NULL, 0); break;
      case 'D': with_data = 0; break;
      case 'H': with_phich = atoi(optarg); break;
      case 'u': unit_gains = 1; break;
      case 'L': lte_rates = 1; break;
      case 'l': log_name = optarg; break;
      case 'O': port_prefix = optarg; break;
      default: usage(argv[0]); exit(1);
    }
  }
  if (!out_name || (nof_ports != 1 && nof_ports != 2 && nof_ports != 4) || cfi < 1 || cfi > 3 || sfn_start > 1023) {
    usage(argv[0]);
    exit(1);
  }
}

static void log_bits(FILE* f, const uint8_t* bits, uint32_t n)
{
  for (uint32_t i = 0; i < n; i++) {
    fputc(bits[i] ? '1' : '0', f);
  }
}

static void log_bytes(FILE* f, const uint8_t* b, uint32_t n)
{
  for (uint32_t i = 0; i < n; i++) {
    fprintf(f, "%02x", b[i]);
  }
}

// Picks a PDCCH candidate of aggregation level index L_pref (0..3) from a
// candidate list, falling back to the first candidate.
static int pick_location(const srsran_dci_location_t* locs, uint32_t n, uint32_t L_pref, srsran_dci_location_t* out)
{
  if (n == 0) {
    return -1;
  }
  for (uint32_t i = 0; i < n; i++) {
    if (locs[i].L == L_pref) {
      *out = locs[i];
      return 0;
    }
  }
  *out = locs[0];
  return 0;
}

int main(int argc, char** argv)
{
  parse_args(argc, argv);
  if (with_phich < 0) {
    // srsRAN's PHICH encoder does not apply the 4-port precoding of
    // TS 36.211 6.9.2 (see the TODO in its phich.c), so PHICH is left out of
    // 4-port signals by default.
    with_phich = nof_ports < 4;
  }
  srsran_use_standard_symbol_size(lte_rates ? true : false);

  srsran_cell_t cell   = {};
  cell.nof_prb         = nof_prb;
  cell.nof_ports       = nof_ports;
  cell.id              = pci;
  cell.cp              = SRSRAN_CP_NORM;
  cell.phich_length    = SRSRAN_PHICH_NORM;
  cell.phich_resources = SRSRAN_PHICH_R_1;
  cell.frame_type      = SRSRAN_FDD;

  const uint32_t sf_len = SRSRAN_SF_LEN_PRB(nof_prb);
  const int      srate  = srsran_sampling_freq_hz(nof_prb);

  cf_t* port_buf[SRSRAN_MAX_PORTS] = {};
  for (int p = 0; p < SRSRAN_MAX_PORTS; p++) {
    port_buf[p] = srsran_vec_cf_malloc(sf_len);
    srsran_vec_cf_zero(port_buf[p], sf_len);
  }
  cf_t* rx = srsran_vec_cf_malloc(sf_len);

  srsran_enb_dl_t enb_dl;
  if (srsran_enb_dl_init(&enb_dl, port_buf, nof_prb) || srsran_enb_dl_set_cell(&enb_dl, cell)) {
    fprintf(stderr, "enb_dl init failed\n");
    return 1;
  }

  srsran_softbuffer_tx_t sb;
  if (srsran_softbuffer_tx_init(&sb, nof_prb)) {
    fprintf(stderr, "softbuffer init failed\n");
    return 1;
  }

  // Flat per-port channel gains (amplitude, phase in degrees).
  const float gain_amp[4]   = {1.0f, 0.8f, 0.6f, 0.5f};
  const float gain_phase[4] = {0.0f, 45.0f, -30.0f, 100.0f};
  cf_t        gain[4];
  for (int p = 0; p < 4; p++) {
    gain[p] = unit_gains ? 1.0f : gain_amp[p] * cexpf(I * gain_phase[p] * (float)M_PI / 180.0f);
  }

  FILE* fout = fopen(out_name, "wb");
  if (!fout) {
    perror("fopen");
    return 1;
  }
  FILE* fport[4] = {};
  if (port_prefix) {
    for (uint32_t p = 0; p < nof_ports; p++) {
      char name[512];
      snprintf(name, sizeof(name), "%s_port%u.cf32", port_prefix, p);
      fport[p] = fopen(name, "wb");
      if (!fport[p]) {
        perror("fopen");
        return 1;
      }
    }
  }
  FILE* flog = log_name ? fopen(log_name, "w") : NULL;
  if (log_name && !flog) {
    perror("fopen");
    return 1;
  }

  if (flog) {
    fprintf(flog,
            "# srsRAN-4G lte_dl_gen: PCI=%u n_prb=%u ports=%u CP=normal FDD PHICH=normal/Ng=1 CFI=%u "
            "srate=%d first_SFN=%u frames=%u sf_len=%u samples\n",
            pci, nof_prb, nof_ports, cfi, srate, sfn_start, nof_frames, sf_len);
    fprintf(flog, "# per-port gains:");
    for (uint32_t p = 0; p < nof_ports; p++) {
      fprintf(flog, " p%u=%.3f@%.1fdeg", p, cabsf(gain[p]), cargf(gain[p]) * 180.0f / (float)M_PI);
    }
    fprintf(flog, "\n# PHICH %s\n", with_phich ? "on" : "off");
  }

  srsran_dci_cfg_t dci_cfg = {};
  uint8_t*         data[SRSRAN_MAX_CODEWORDS] = {};
  data[0]                                    = srsran_vec_u8_malloc(MAX_TB_BYTES);
  bool ndi                                   = false;
  uint8_t* si_data                           = srsran_vec_u8_malloc(MAX_TB_BYTES);
  bool     si_valid                          = false;
  cf_t*    scratch[SRSRAN_MAX_PORTS]         = {};
  for (int p = 0; p < SRSRAN_MAX_PORTS; p++) {
    scratch[p] = srsran_vec_cf_malloc(SRSRAN_SF_LEN_RE(nof_prb, SRSRAN_CP_NORM));
  }

  // MCS per subframe for the C-RNTI DCI 1A (QPSK, 16QAM and 64QAM).
  const int ue_mcs[10] = {-1, 2, 9, 13, 17, -1, 5, 11, 15, 20};

  for (uint32_t f = 0; f < nof_frames; f++) {
    uint32_t sfn = (sfn_start + f) % 1024;
    for (uint32_t sf_idx = 0; sf_idx < 10; sf_idx++) {
      srsran_dl_sf_cfg_t dl_sf = {};
      dl_sf.tti                = sfn * 10 + sf_idx;
      dl_sf.cfi                = cfi;
      dl_sf.sf_type            = SRSRAN_SF_NORM;

      srsran_enb_dl_put_base(&enb_dl, &dl_sf);

      if (flog && sf_idx == 0) {
        uint8_t mib[SRSRAN_BCH_PAYLOAD_LEN];
        srsran_pbch_mib_pack(&cell, sfn, mib);
        fprintf(flog, "SFN %4u sf 0 MIB bits=", sfn);
        log_bits(flog, mib, SRSRAN_BCH_PAYLOAD_LEN);
        fprintf(flog, " (sfn%%4=%u)\n", sfn % 4);
      }

      if (with_phich) {
        // One ACK in every subframe, on the resource of an uplink grant at
        // PRB 0 with n_DMRS 0, plus a NACK at PRB 1.
        srsran_phich_grant_t g = {};
        g.n_prb_lowest          = 0;
        srsran_enb_dl_put_phich(&enb_dl, &g, true);
        srsran_phich_resource_t r0;
        srsran_phich_calc(&enb_dl.phich, &g, &r0);
        g.n_prb_lowest = 1;
        srsran_enb_dl_put_phich(&enb_dl, &g, false);
        srsran_phich_resource_t r1;
        srsran_phich_calc(&enb_dl.phich, &g, &r1);
        if (flog) {
          fprintf(flog,
                  "SFN %4u sf %u PHICH ACK group=%u seq=%u ; NACK group=%u seq=%u\n",
                  sfn, sf_idx, r0.ngroup, r0.nseq, r1.ngroup, r1.nseq);
        }
      }

      if (with_data) {
        srsran_dci_dl_t dci = {};
        srsran_pdsch_cfg_t pdsch_cfg = {};
        bool               send      = false;
        const char*        kind      = "";

        if (sf_idx == 5 && (sfn % 2) == 0) {
          // SIB1-like broadcast: SI-RNTI, DCI format 1C, common search space.
          kind                       = "SI-RNTI/1C";
          dci.rnti                   = SRSRAN_SIRNTI;
          dci.format                 = SRSRAN_DCI_FORMAT1C;
          dci.alloc_type             = SRSRAN_RA_ALLOC_TYPE2;
          dci.type2_alloc.mode       = SRSRAN_RA_TYPE2_DIST;
          dci.type2_alloc.n_gap      = SRSRAN_RA_TYPE2_NG1;
          uint32_t n_step            = srsran_ra_type2_n_rb_step(nof_prb);
          uint32_t n_vrb             = srsran_ra_type2_n_vrb_dl(nof_prb, true) / n_step;
          // Upper half of the distributed VRB range (in units of n_step), so
          // the VRB-to-PRB interleaving and slot hopping are exercised.
          uint32_t Lp                = (n_vrb + 1) / 2;
          dci.type2_alloc.riv        = srsran_ra_type2_to_riv(Lp, n_vrb - Lp, n_vrb);
          dci.tb[0].mcs_idx          = 8; // I_TBS for format 1C
          uint32_t ncom              = enb_dl.nof_common_locations[SRSRAN_CFI_IDX(cfi)];
          if (pick_location(enb_dl.common_locations[SRSRAN_CFI_IDX(cfi)], ncom, 2, &dci.location) == 0) {
            send = true;
          }
        } else if (ue_mcs[sf_idx] >= 0) {
          kind                 = "C-RNTI/1A";
          dci.rnti             = crnti;
          dci.format           = SRSRAN_DCI_FORMAT1A;
          dci.alloc_type       = SRSRAN_RA_ALLOC_TYPE2;
          dci.type2_alloc.mode = SRSRAN_RA_TYPE2_LOC;
          // Alternate between the whole band and a partial allocation.
          uint32_t L     = (sf_idx % 2) ? nof_prb : (nof_prb + 1) / 2;
          uint32_t start = (sf_idx % 2) ? 0 : nof_prb - L;
          if (sf_idx == 8) {
            // Distributed VRBs (N_gap,1) in subframe 8.
            uint32_t n_vrb         = srsran_ra_type2_n_vrb_dl(nof_prb, true);
            dci.type2_alloc.mode   = SRSRAN_RA_TYPE2_DIST;
            dci.type2_alloc.n_gap  = SRSRAN_RA_TYPE2_NG1;
            L                      = (2 * n_vrb) / 3;
            start                  = 1;
          }
          dci.type2_alloc.riv = srsran_ra_type2_to_riv(L, start, nof_prb);
          dci.tb[0].mcs_idx   = (uint32_t)ue_mcs[sf_idx];
          dci.tb[0].rv        = 0;
          ndi                 = !ndi;
          dci.tb[0].ndi       = ndi;
          dci.pid             = dl_sf.tti % 8;
          srsran_dci_location_t locs[SRSRAN_MAX_CANDIDATES_UE];
          uint32_t nloc = srsran_pdcch_ue_locations(&enb_dl.pdcch, &dl_sf, locs, SRSRAN_MAX_CANDIDATES_UE, crnti);
          if (pick_location(locs, nloc, 1, &dci.location) == 0) {
            send = true;
          }
        }

        if (send) {
          srsran_dci_msg_t msg = {};
          if (srsran_dci_msg_pack_pdsch(&cell, &dl_sf, &dci_cfg, &dci, &msg)) {
            fprintf(stderr, "DCI pack failed\n");
            return 1;
          }
          if (srsran_enb_dl_put_pdcch_dl(&enb_dl, &dci_cfg, &dci)) {
            fprintf(stderr, "PDCCH encode failed\n");
            return 1;
          }
          if (srsran_ra_dl_dci_to_grant(&cell, &dl_sf, nof_ports > 1 ? SRSRAN_TM2 : SRSRAN_TM1, false, &dci,
                                        &pdsch_cfg.grant)) {
            fprintf(stderr, "grant failed\n");
            return 1;
          }
          if (dci.rnti == SRSRAN_SIRNTI) {
            // SIB1 RV = ceil(1.5*k) mod 4 with k = (SFN/2) mod 4, the rule srsRAN's own
            // UE applies (srsue/src/stack/mac/dl_harq.cc, new_grant_dl).
            uint32_t k             = (sfn / 2) % 4;
            pdsch_cfg.grant.tb[0].rv = ((3 * k + 1) / 2) % 4;
          }
          pdsch_cfg.rnti                = dci.rnti;
          pdsch_cfg.softbuffers.tx[0]   = &sb;
          pdsch_cfg.power_scale         = true;
          pdsch_cfg.p_a                 = 0.0f;
          pdsch_cfg.p_b                 = nof_ports > 1 ? 1 : 0; // rho_B/rho_A = 1
          srsran_softbuffer_tx_reset(&sb);
          uint32_t nbytes = (uint32_t)pdsch_cfg.grant.tb[0].tbs / 8;
          if (dci.rnti == SRSRAN_SIRNTI) {
            // Same broadcast block in every SI transmission (as SIB1 is
            // repeated unchanged), so a receiver may combine the RVs.
            if (!si_valid) {
              for (uint32_t i = 0; i < nbytes; i++) {
                si_data[i] = next_byte();
              }
              si_valid = true;
            }
            memcpy(data[0], si_data, nbytes);
          } else {
            for (uint32_t i = 0; i < nbytes; i++) {
              data[0][i] = next_byte();
            }
          }
          if (pdsch_cfg.grant.tb[0].rv != 0) {
            // srsRAN's turbo rate matcher fills the circular buffer only
            // when encoding RV 0 and reuses it for other RVs, so run an RV 0
            // encode into scratch symbols first.
            srsran_pdsch_cfg_t cfg_rv0 = pdsch_cfg;
            cfg_rv0.grant.tb[0].rv     = 0;
            if (srsran_pdsch_encode(&enb_dl.pdsch, &dl_sf, &cfg_rv0, data, scratch) < 0) {
              fprintf(stderr, "PDSCH RV0 pre-encode failed\n");
              return 1;
            }
          }
          if (srsran_enb_dl_put_pdsch(&enb_dl, &pdsch_cfg, data) < 0) {
            fprintf(stderr, "PDSCH encode failed\n");
            return 1;
          }
          if (flog) {
            uint32_t nprb_used = 0;
            fprintf(flog,
                    "SFN %4u sf %u %s rnti=0x%04x CFI=%u PDCCH ncce=%u L=%u dci_bits(%u)=",
                    sfn, sf_idx, kind, dci.rnti, cfi, dci.location.ncce, 1u << dci.location.L, msg.nof_bits);
            log_bits(flog, msg.payload, msg.nof_bits);
            fprintf(flog, " riv=%u mcs_field=%u", dci.type2_alloc.riv, dci.tb[0].mcs_idx);
            if (dci.format == SRSRAN_DCI_FORMAT1A) {
              fprintf(flog, " harq=%u ndi=%d", dci.pid, dci.tb[0].ndi);
            }
            fprintf(flog, " PRBs=");
            for (uint32_t s = 0; s < 2; s++) {
              fprintf(flog, "%s", s ? "|" : "");
              for (uint32_t k = 0; k < nof_prb; k++) {
                if (pdsch_cfg.grant.prb_idx[s][k]) {
                  fprintf(flog, "%u,", k);
                  nprb_used += s == 0;
                }
              }
            }
            fprintf(flog,
                    " nprb=%u mod=%s tbs=%d rv=%d nof_re=%u nof_bits=%u scheme=%s tb=",
                    nprb_used, srsran_mod_string(pdsch_cfg.grant.tb[0].mod), pdsch_cfg.grant.tb[0].tbs,
                    pdsch_cfg.grant.tb[0].rv, pdsch_cfg.grant.nof_re, pdsch_cfg.grant.tb[0].nof_bits,
                    srsran_mimotype2str(pdsch_cfg.grant.tx_scheme));
            log_bytes(flog, data[0], nbytes);
            fprintf(flog, "\n");
          }
        }
      }

      srsran_enb_dl_gen_signal(&enb_dl);

      srsran_vec_cf_zero(rx, sf_len);
      for (uint32_t p = 0; p < nof_ports; p++) {
        for (uint32_t n = 0; n < sf_len; n++) {
          rx[n] += gain[p] * port_buf[p][n];
        }
        if (fport[p]) {
          fwrite(port_buf[p], sizeof(cf_t), sf_len, fport[p]);
        }
      }
      fwrite(rx, sizeof(cf_t), sf_len, fout);
    }
  }

  fclose(fout);
  for (uint32_t p = 0; p < 4; p++) {
    if (fport[p]) {
      fclose(fport[p]);
    }
  }
  if (flog) {
    fclose(flog);
  }
  printf("wrote %u frames, %u samples/subframe, srate %d Hz, first SFN %u\n", nof_frames, sf_len, srate, sfn_start);
  srsran_softbuffer_tx_free(&sb);
  srsran_enb_dl_free(&enb_dl);
  return 0;
}
