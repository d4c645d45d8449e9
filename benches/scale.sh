#!/usr/bin/env bash
# Scale benchmark: for each size, generate seeded multi-source CRM exports, run zero-config
# `crmclean dedupe` under /usr/bin/time, and print wall time, peak RSS, F1 and the per-stage times.
#
#   bash benches/scale.sh [SIZES] [SEED]        e.g. bash benches/scale.sh 100000,1000000,5000000 5
#
# SIZES are requested people-records for `crmclean generate` (the exports hold ~6% more records).
# Generated data is kept in ${SCALE_DATA:-$HOME/.cache/crmclean-scale}/N-SEED for re-runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/crmclean-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/crmclean"
sizes=${1:-100000,1000000}
seed=${2:-5}
data=${SCALE_DATA:-$HOME/.cache/crmclean-scale}
for n in ${sizes//,/ }; do
  dir="$data/$n-$seed"
  if [ ! -f "$dir/truth.csv" ]; then
    "$bin" generate --out "$dir" --records "$n" --seed "$seed" 2>/dev/null
  fi
  out=$(mktemp -d)
  /usr/bin/time -f '%e %M' -o "$out/time" "$bin" dedupe "$dir/crm_salesforce.csv" "$dir/hubspot_export.csv" \
    "$dir/webinar_anmeldungen.csv" "$dir/contatti_it.csv" --out "$out/run" 2>/dev/null
  read -r wall rss < "$out/time"
  f1=$("$bin" evaluate --json --truth "$dir/truth.csv" --clusters "$out/run/clusters.csv" |
    python3 -c "import json,sys; print(f\"{json.load(sys.stdin)['f1']:.4f}\")")
  stages=$(python3 -c "import json; d=json.load(open('$out/run/summary.json')); print(d['records'], d['blocking']['candidate_pairs'], ' '.join(f'{k}={v:.1f}' for k,v in d['timings_seconds'].items()))")
  read -r records pairs times <<< "$stages"
  echo "records $records: wall ${wall}s, peak RSS $((rss / 1024)) MB, F1 $f1, candidate pairs $pairs; seconds per stage: $times"
  rm -rf "$out"
done
