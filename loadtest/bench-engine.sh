#!/usr/bin/env bash
# Engine benchmarks on this machine, with the numpy baseline run by the same script:
# one decision (forward + sample), one learning step (batch 64 and 100), one Adam update; the same
# for a policy over hashed named features (30 active of 2^18 buckets); for a policy over action
# features (50 and 1,000 candidates); what the learner thread spends to remember a decision until its
# window closes (the reward join).
# Usage: loadtest/bench-engine.sh [output file]   (needs python3 with numpy for the baseline)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/target/bench-engine.txt}"
export OMP_NUM_THREADS=1
jar="$here/target/loadtest.jar"
[ -f "$jar" ] || { echo "build first: loadtest/build.sh"; exit 2; }

numpy64=$(python3 "$here/numpy_reference.py" 64 1000 5)
numpy100=$(python3 "$here/numpy_reference.py" 100 1000 5)
java -jar "$jar" bench -f 1 -wi 3 -w 2s -i 5 -r 3s -rf json -rff "$here/target/jmh.json" io.policyrec.loadtest.bench \
  | tee "$here/target/jmh.txt"

python3 - "$here/target/jmh.json" "$numpy64" "$numpy100" > "$out" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
numpy = {"64": float(sys.argv[2]), "100": float(sys.argv[3])}
print("| benchmark | measured | baseline (same script) | ratio |")
print("|---|---|---|---|")
for r in results:
    name = r["benchmark"].rsplit(".", 1)[-1]
    m = r["primaryMetric"]
    if name in ("stepNamed", "stepAndPublishNamed"):
        cps = m["score"] * 100
        what = "learning step" if name == "stepNamed" else "learning step and publish"
        print(f"| {what}, named features (2^{r['params']['bits']} buckets, 30 active), batch 100 | {cps:,.0f} contexts/s | | |")
    elif name in ("decideNamed", "hashAndDecideNamed", "decideNamedManyVisitors"):
        p = m["scorePercentiles"]
        what = {"decideNamed": "decide", "hashAndDecideNamed": "hash the JSON and decide",
                "decideNamedManyVisitors": "decide over 100,000 visitors (rows from memory)"}[name]
        print(f"| {what}, named features (2^{r['params']['bits']} buckets, 30 active) | median {p['50.0']:.2f} us, p99 {p['99.0']:.2f} us | | |")
    elif name in ("decideCandidates", "hashAndDecideCandidates"):
        p = m["scorePercentiles"]
        what = "decide" if name == "decideCandidates" else "hash the candidates' JSON and decide"
        print(f"| {what}, action features ({r['params']['candidates']} candidates, 20 context and 10 action features) | median {p['50.0']:.2f} us, p99 {p['99.0']:.2f} us | | |")
    elif name == "decideAndClose":
        print(f"| the reward join: remember one decision (784 floats) and close its window unrewarded, 10,000 pending | {m['score'] / 1000:.2f} us | | |")
    elif name == "stepOverFiftyCandidates":
        if r['params']['candidates'] == "50":
            print(f"| learning step, action features (50 candidates), batch 100 | {m['score'] * 100:,.0f} contexts/s | | |")
    elif name == "stepOverFiftyOfACatalog":
        print(f"| learning step, action features (50 candidates of their own per decision, from 100,000 items), batch 100 | {m['score'] * 100:,.0f} contexts/s | | |")
    elif name == "step":
        b = r["params"]["batch"]
        cps = m["score"] * int(b)
        print(f"| learning step, batch {b} | {cps:,.0f} contexts/s | numpy {numpy[b]:,.0f} contexts/s | {cps / numpy[b]:.2f}x |")
    elif m["scoreUnit"].startswith("us/op") and "scorePercentiles" in m and name in ("decide", "nd4jForwardOneRow"):
        p = m["scorePercentiles"]
        print(f"| {name} | median {p['50.0']:.2f} us, p99 {p['99.0']:.2f} us | | |")
    else:
        print(f"| {name} | {m['score']:.2f} {m['scoreUnit']} | | |")
PY
cat "$out"
