#!/usr/bin/env bash
# A tour of mosend-sim with nothing but curl: start it, read its first line, call each
# report, see an error, and check the request counts. Run it from the repository:
#   examples/sim-walkthrough.sh
# MOSEND_SIM_BIN picks a built binary; otherwise scripts/sim builds a release one.
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp)
trap 'exec 3>&-; rm -f "$out"' EXIT
# The simulator's stdin is this pipe: with --exit-on-eof it stops when the script ends.
exec 3> >(${MOSEND_SIM_BIN:-scripts/sim} --contacts 2000 --exit-on-eof > "$out")
for _ in $(seq 600); do [ -s "$out" ] && break; sleep 0.1; done
line=$(head -1 "$out")

# The first line is one JSON object: the URL and each org's id, name, key and token.
url=$(sed -E 's/.*"url":"([^"]+)".*/\1/' <<<"$line")
org=$(sed -E 's/.*"orgs":\[\{"id":"([^"]+)".*/\1/' <<<"$line")
key=$(sed -E 's/.*"orgs":\[\{[^}]*"apiKey":"([^"]+)".*/\1/' <<<"$line")
echo "simulator at $url, org $org"

api() { curl -sS -H "X-Api-Key: $key" "$url/organizations/$org/reports/$1"; echo; }

echo "== summary"
api summary
echo "== two customers who wrote about billing since April 2026"
api 'customers?category=billing&since=2026-04&limit=2'
echo "== messaging since 2026-11-13 (one row a day)"
api 'messaging?since=2026-11-13'
echo "== billing for the current month"
api billing
echo "== a validation error: every problem at once, as an array"
api 'customers?limit=0&category=Billing'
echo "== requests counted by route and status"
curl -sS "$url/_sim/stats"; echo
