#!/usr/bin/env bash
# Side by side: crmclean and Splink (PyPI `splink`, DuckDB backend) on the same generated CRM exports,
# with wall time, peak memory and pairwise F1 for each. Not part of CI (it installs Splink from PyPI).
#
#   bash benches/splink_side_by_side.sh [RECORDS] [SEED] [SPLINK_TIMEOUT_SECONDS]
#
# Creates a venv in ${SPLINK_VENV:-$HOME/.cache/crmclean-splink-venv} with splink==5.0.0 on first use.
set -euo pipefail
records=${1:-100000}
seed=${2:-11}
timeout_s=${3:-3600}
here=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/crmclean-target}
venv=${SPLINK_VENV:-$HOME/.cache/crmclean-splink-venv}
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "splink==5.0.0" pandas
fi
(cd "$here" && cargo build --release -q)
bin=$CARGO_TARGET_DIR/release/crmclean
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" generate --out "$work/data" --records "$records" --seed "$seed"
inputs=("$work/data/crm_salesforce.csv" "$work/data/hubspot_export.csv" "$work/data/webinar_anmeldungen.csv" "$work/data/contatti_it.csv")

echo "== crmclean ($records requested records, seed $seed)"
/usr/bin/time -f 'crmclean: %e s wall, %M KB peak RSS' "$bin" dedupe "${inputs[@]}" --out "$work/crmclean" 2>&1 | grep -v '→' || true
"$bin" evaluate --truth "$work/data/truth.csv" --clusters "$work/crmclean/clusters.csv" | grep -E 'precision|recall|f1'

echo "== Splink 5 (DuckDB), timeout ${timeout_s} s"
if /usr/bin/time -f 'splink: %e s wall, %M KB peak RSS' timeout "$timeout_s" \
    "$venv/bin/python" "$here/benches/splink_side_by_side.py" "$work/data" "$work/splink_clusters.csv"; then
    "$bin" evaluate --truth "$work/data/truth.csv" --clusters "$work/splink_clusters.csv" | grep -E 'precision|recall|f1'
else
    echo "splink: did not finish within ${timeout_s} s (or failed)"
fi
