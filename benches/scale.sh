#!/usr/bin/env bash
# Scale benchmark: for each size, generate seeded multi-source CRM exports, run zero-config
# `crmclean dedupe` under /usr/bin/time, and print wall time, peak RSS, F1 and the per-stage times.
#
#   bash benches/scale.sh [SIZES] [SEED]        e.g. bash benches/scale.sh 100000,1000000,5000000 5
#
# SIZES are requested people-records for `crmclean generate` (the exports hold ~6% more records).
# Generated data is kept in ${SCALE_DATA:-$HOME/.cache/crmclean-scale}/N-SEED for re-runs.
#
#   bash benches/scale.sh --nightly [SIZE] [SEED]   e.g. bash benches/scale.sh --nightly 1000000
#
# Nightly runs with --state: day 1 on the generated exports, then day 2 twice from day 1's state —
# with nothing changed, and with 1% of records edited, 0.5% deleted and 0.5% added
# (benches/nightly_edit.py) — printing wall time and peak RSS of each, and day 2 as a share of day 1.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/crmclean-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/crmclean"
nightly=false
if [ "${1:-}" = "--nightly" ]; then
  nightly=true
  shift
fi
sizes=${1:-100000,1000000}
seed=${2:-5}
data=${SCALE_DATA:-$HOME/.cache/crmclean-scale}
exports=(crm_salesforce.csv hubspot_export.csv webinar_anmeldungen.csv contatti_it.csv)

# run NAME DIR STATE OUT: one timed dedupe of DIR's exports with --state STATE; prints and keeps wall/RSS.
run() {
  local name=$1 dir=$2 state=$3 out=$4
  /usr/bin/time -f '%e %M' -o "$out.time" "$bin" dedupe "${exports[@]/#/$dir/}" --out "$out" --state "$state" 2>/dev/null
  read -r wall rss < "$out.time"
  local stages
  stages=$(python3 -c "import json; d=json.load(open('$out/summary.json')); print(' '.join(f'{k}={v:.1f}' for k,v in d['timings_seconds'].items()))")
  echo "$name: wall ${wall}s, peak RSS $((rss / 1024)) MB; seconds per stage: $stages"
  eval "${name//[^a-z0-9]/_}_wall=$wall; ${name//[^a-z0-9]/_}_rss=$rss"
}

if $nightly; then
  n=${sizes%%,*}
  dir="$data/$n-$seed"
  [ -f "$dir/truth.csv" ] || "$bin" generate --out "$dir" --records "$n" --seed "$seed" 2>/dev/null
  work=$(mktemp -d)
  python3 benches/nightly_edit.py "$dir" "$work/day2" --seed "$seed" | sed 's/^/day 2 exports: /'
  run "day 1" "$dir" "$work/state" "$work/out1"
  cp -r "$work/state" "$work/state_edited"
  run "day 2 unchanged" "$dir" "$work/state" "$work/out2"
  run "day 2 edited" "$work/day2" "$work/state_edited" "$work/out3"
  python3 -c "
d1, u, e = $day_1_wall, $day_2_unchanged_wall, $day_2_edited_wall
r1, ru, re_ = $day_1_rss, $day_2_unchanged_rss, $day_2_edited_rss
print(f'day 2 unchanged: {u / d1:.0%} of day 1 wall (target <= 25%), peak RSS {ru / r1:.0%} of day 1 (target <= 100%)')
print(f'day 2 edited:    {e / d1:.0%} of day 1 wall (target <= 40%), peak RSS {re_ / r1:.0%} of day 1 (target <= 100%)')"
  rm -rf "$work"
  exit 0
fi
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
