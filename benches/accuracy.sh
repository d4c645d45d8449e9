#!/usr/bin/env bash
# Accuracy benchmark: pairwise precision/recall/F1 of zero-config `crmclean dedupe` on Febrl 1-4, on every
# labelled set in ../shared/datasets/external (data nobody on this project wrote) and on generated
# multi-source CRM data at two sizes.
#
# Usage: bash benches/accuracy.sh [SMALL_RECORDS] [LARGE_RECORDS] [SEED]   (defaults 20000 200000 7)
# Every run uses the default threshold and no configuration, as a new user would.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/crmclean-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/crmclean"
shared=../shared/datasets
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

report() { # name truth clusters seconds
  "$bin" evaluate --json --truth "$2" --clusters "$3" |
    python3 -c "import json,sys; a=json.load(sys.stdin); print(f\"| $1 | {a['records']} | {a['precision']:.4f} | {a['recall']:.4f} | {a['f1']:.4f} | {float('$4'):.2f} |\")"
}

run() { # name truth inputs...
  local name=$1 truth=$2; shift 2
  local start end
  start=$(date +%s.%N)
  "$bin" dedupe "$@" --out "$work/$name" 2>/dev/null
  end=$(date +%s.%N)
  report "$name" "$truth" "$work/$name/clusters.csv" "$(echo "$end - $start" | bc)"
}

echo "| set | records | precision | recall | F1 | seconds |"
echo "|---|---|---|---|---|---|"
for n in 1 2 3; do
  run "febrl_$n" "$shared/febrl/truth_$n.csv" "$shared/febrl/febrl_$n.csv"
done
run febrl_4 "$shared/febrl/truth_4.csv" "$shared/febrl/febrl_4a.csv" "$shared/febrl/febrl_4b.csv"

for d in "$shared"/external/*/; do
  name=$(basename "$d")
  mapfile -t inputs < <(ls "$d"*.csv | grep -v '/truth\.csv$')
  run "$name" "$d/truth.csv" "${inputs[@]}"
done

seed=${3:-7}
golden=()
for records in "${1:-20000}" "${2:-200000}"; do
  "$bin" generate --out "$work/gen_$records" --records "$records" --seed "$seed" 2>/dev/null
  g="$work/gen_$records"
  run "generated_$records" "$g/truth.csv" "$g/crm_salesforce.csv" "$g/hubspot_export.csv" "$g/webinar_anmeldungen.csv" "$g/contatti_it.csv"
  golden+=("$g:$work/generated_$records")
  "$bin" generate --hard --out "$work/hard_$records" --records "$records" --seed "$seed" 2>/dev/null
  g="$work/hard_$records"
  run "generated_hard_$records" "$g/truth.csv" "$g/crm_salesforce.csv" "$g/hubspot_export.csv" "$g/webinar_anmeldungen.csv" "$g/contatti_it.csv"
  golden+=("$g:$work/generated_hard_$records")
done

# Golden records against the generated people's own values (benches/golden.py): the share of golden
# values, in clusters of two or more records of one person, that are that person's.
echo
echo "| golden records | field | clusters | right |"
echo "|---|---|---|---|"
for pair in "${golden[@]}"; do
  python3 benches/golden.py "${pair%%:*}" "${pair#*:}" | sed "s/^/| $(basename "${pair#*:}") /"
done
