#!/usr/bin/env bash
# Accuracy benchmark: pairwise precision/recall/F1 of zero-config `crmclean dedupe` on Febrl and on
# generated multi-source CRM data. Usage: bash benches/accuracy.sh [RECORDS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/crmclean-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/crmclean"
febrl=../shared/datasets/febrl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

report() { # name truth clusters seconds
  "$bin" evaluate --json --truth "$2" --clusters "$3" |
    python3 -c "import json,sys; a=json.load(sys.stdin); print(f\"$1: records {a['records']} precision {a['precision']:.4f} recall {a['recall']:.4f} f1 {a['f1']:.4f} time {float('$4'):.2f}s\")"
}

run() { # name truth inputs...
  local name=$1 truth=$2; shift 2
  local start end
  start=$(date +%s.%N)
  "$bin" dedupe "$@" --out "$work/$name" 2>/dev/null
  end=$(date +%s.%N)
  report "$name" "$truth" "$work/$name/clusters.csv" "$(echo "$end - $start" | bc)"
}

for n in 1 2 3; do
  run "febrl_$n" "$febrl/truth_$n.csv" "$febrl/febrl_$n.csv"
done
run febrl_4 "$febrl/truth_4.csv" "$febrl/febrl_4a.csv" "$febrl/febrl_4b.csv"

records=${1:-20000}
seed=${2:-7}
"$bin" generate --out "$work/gen" --records "$records" --seed "$seed" 2>/dev/null
run "crm_${records}" "$work/gen/truth.csv" "$work/gen/crm_salesforce.csv" "$work/gen/hubspot_export.csv" "$work/gen/webinar_anmeldungen.csv" "$work/gen/contatti_it.csv"
