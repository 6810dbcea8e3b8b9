#!/usr/bin/env python3
"""Compares transport blocks in an lte_dl_gen log with lte_dl_check output."""
import re
import sys

pat = re.compile(r"SFN\s+(\d+) sf (\d+) .*?rnti=(0x[0-9a-f]+).*?tb=([0-9a-f]*)")


def load(path):
    out = {}
    with open(path) as f:
        for line in f:
            m = pat.search(line)
            if m:
                out[(int(m.group(1)), int(m.group(2)), m.group(3))] = m.group(4)
    return out


gen = load(sys.argv[1])
chk = load(sys.argv[2])
ok = sum(1 for k, v in gen.items() if chk.get(k) == v)
missing = [k for k in gen if k not in chk]
wrong = [k for k in gen if k in chk and chk[k] != gen[k]]
extra = [k for k in chk if k not in gen]
print(f"sent={len(gen)} match={ok} missing={len(missing)} mismatch={len(wrong)} extra={len(extra)}")
for k in missing + wrong + extra:
    print("  problem:", k)
sys.exit(0 if ok == len(gen) and not extra else 1)
