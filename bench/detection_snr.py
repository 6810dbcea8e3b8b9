#!/usr/bin/env python3
"""Detection rate and false alarms of the scenario library as the noise floor rises.

Protocol of captures/scenarios/EVALUATION.md (survey of the legitimate scene as baseline, then
replay), repeated with every scene's noise floor raised so that the fake cell's in-channel SNR
takes the listed values. Writes bench/DETECTION.md. Usage (repo root, release build first):

    cargo build --release -p cellsentry && python3 bench/detection_snr.py

In-channel SNR = cell power (dBFS) - noise power in the cell's bandwidth, where the scene's
`noise_dbfs` is spread evenly over the sampled band: GSM 270.833 kHz, LTE N_PRB x 180 kHz.
"""
import json, math, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target/release/cellsentry")
SC = os.path.join(ROOT, "captures/scenarios")
SNRS = [30, 20, 15, 12, 9, 6, 3, 0]
# (scene, its survey scene)
SCENES = [
    ("sms_blaster.json", "legitimate_urban_gsm.json"),
    ("osmocom_default.json", "legitimate_urban_gsm.json"),
    ("lte_geran_downgrade.json", "legitimate_urban_mixed.json"),
    ("lte_jamming.json", "legitimate_urban_mixed.json"),
]


def run(args):
    p = subprocess.run([BIN] + args, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"cellsentry {' '.join(args)} failed: {p.stderr.strip()}")
    return p.stdout


def cell_bw_hz(c):
    if c["rat"] == "lte":
        return c["lte"]["n_prb"] * 180e3
    return 270.833e3


def render(spec, path):
    with open(path + ".json", "w") as f:
        json.dump(spec, f)
    run(["synth", path + ".json", "-o", path + ".sigmf-meta"])
    return path + ".sigmf-meta"


def matches(c, key):
    if c["rat"] == "lte":
        return c.get("earfcn") == key.get("channel") and c["lte"]["pci"] == key.get("bsic_pci")
    ci = c.get("gsm", {}).get("ci")
    return c.get("arfcn") == key.get("channel") and (ci is None or ci == key.get("cell_id"))


def main():
    tmp = tempfile.mkdtemp()
    surveys = {}
    for legit in sorted({s for _, s in SCENES}):
        spec = json.load(open(os.path.join(SC, legit)))
        meta = render(spec, os.path.join(tmp, legit[:-5]))
        out = os.path.join(tmp, legit[:-5] + ".survey.json")
        run(["replay", meta, "--no-db", "--survey-out", out])
        surveys[legit] = out
    rows = []
    for scene, legit in SCENES:
        base = json.load(open(os.path.join(SC, scene)))
        fake = next(c for c in base["cells"] if c["fake"])
        for snr in SNRS:
            spec = json.loads(json.dumps(base))
            # noise in the fake cell's bandwidth = fake power - snr
            in_ch = fake["power_db"] - snr
            spec["noise_dbfs"] = in_ch + 10 * math.log10(spec["sample_rate_hz"] / cell_bw_hz(fake))
            meta = render(spec, os.path.join(tmp, f"{scene[:-5]}_{snr}"))
            v = json.loads(run(["replay", meta, "--json", "--no-db", "--baseline", surveys[legit]]).splitlines()[0])
            detected, rules_ok, false_alarms, ghosts, legit_seen = 0, 0, 0, 0, 0
            for verdict in v["verdicts"]:
                key = verdict["key"]
                level = verdict["verdict"]["level"]
                fired = {d["rule_id"] for d in verdict["verdict"]["detections"]}
                cell = next((c for c in spec["cells"] if matches(c, key)), None)
                if cell is None:
                    ghosts += 1
                    false_alarms += level != "clean"
                elif cell["fake"]:
                    detected += level == "likely_fake"
                    rules_ok += set(cell["expected_rules"]) <= fired
                else:
                    legit_seen += 1
                    false_alarms += level != "clean"
            legit_snrs = [round(c["power_db"] - spec["noise_dbfs"] + 10 * math.log10(spec["sample_rate_hz"] / cell_bw_hz(c)), 1)
                          for c in spec["cells"] if not c["fake"]]
            rows.append((scene, snr, detected, rules_ok, legit_seen, false_alarms, ghosts, legit_snrs))
            print(rows[-1], flush=True)
    with open(os.path.join(ROOT, "bench/DETECTION.md"), "w") as f:
        f.write("# Detection rate and false alarms vs SNR\n\n")
        f.write(f"Produced by `bench/detection_snr.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; protocol of "
                "`captures/scenarios/EVALUATION.md`. Each row is one rendering of the scene with its noise floor raised so the "
                "fake cell has the given in-channel SNR (GSM: 270.833 kHz, LTE: N_PRB x 180 kHz). `found` = fake cell reported "
                "`likely_fake`; `rules` = every expected rule fired; `false alarms` = legitimate or unknown cells not `clean`; "
                "`ghosts` = cells not in the scene. Legitimate cells keep their power offsets, so they fall below the decoder's "
                "threshold before the fake does.\n\n")
        f.write("| scene | fake SNR dB | found | rules | legit cells reported | false alarms | ghosts | legit cells' SNR dB |\n")
        f.write("|---|---:|---:|---:|---:|---:|---:|---|\n")
        for r in rows:
            f.write(f"| {r[0]} | {r[1]} | {r[2]}/1 | {r[3]}/1 | {r[4]} | {r[5]} | {r[6]} | {', '.join(map(str, r[7])) or '-'} |\n")
        tot = len(rows)
        f.write(f"\nTotal: {sum(r[2] for r in rows)}/{tot} fake cells found, {sum(r[3] for r in rows)}/{tot} with every expected rule, "
                f"{sum(r[5] for r in rows)} false alarms, {sum(r[6] for r in rows)} ghost cells.\n")


if __name__ == "__main__":
    main()
