#!/usr/bin/env bash
# Regenerates examples/data/crm.csv, the small CRM export that examples/crm-accounts.mq
# joins to Mosend. Its accounts are the 12 busiest wholesale contacts of the simulator's
# first org at the default seed (42, 2,000 contacts), so the join finds them; the CRM
# fields (account, owner, tier, ARR, renewal) are made up from the row number, and two
# prospects that never wrote to us (+1 555 numbers, which the simulator never deals)
# show what a left join keeps. Same seed, same file, byte for byte.
#
#   swift build && examples/data/make-crm.sh [OUTPUT]    (default examples/data/crm.csv)
#
# BIN names the directory holding mq and mosend-sim (default .build/debug). The tests
# run it into a temporary file and compare, so the committed file cannot drift.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BIN:-.build/debug}
target=${1:-examples/data/crm.csv}

out=$(mktemp)
trap 'exec 3>&-; rm -f "$out"' EXIT
# The simulator's stdin is this pipe: with --exit-on-eof it stops when the script ends.
exec 3> >("$bin/mosend-sim" --seed 42 --contacts 2000 --exit-on-eof > "$out")
for _ in $(seq 600); do [ -s "$out" ] && break; sleep 0.1; done
line=$(head -1 "$out")
export MOSEND_BASE_URL=$(sed -E 's/.*"url":"([^"]+)".*/\1/' <<<"$line")
export MOSEND_ORG=$(sed -E 's/.*"orgs":\[\{"id":"([^"]+)".*/\1/' <<<"$line")
export MOSEND_API_KEY=$(sed -E 's/.*"orgs":\[\{[^}]*"apiKey":"([^"]+)".*/\1/' <<<"$line")
unset MOSEND_TOKEN MQ_PROFILE

"$bin/mq" --format tsv -c 'customers | where labels has "wholesale" | sort -conversations, phone | limit 12 | select phone, name' |
awk -F'\t' '
BEGIN {
    OFS = ","
    split("Ana Ruiz,Ben Cole,Chen Li", owners, ",")
    split("gold,silver,bronze", tiers, ",")
    split("Trading|Imports|& Co.|Wholesale|, Inc.", suffixes, "|")
    print "account_id,account,owner,tier,arr_usd,renewal,contact,mobile"
}
NR == 1 { next }                      # the header
{
    i = NR - 1
    n = split($2, parts, " ")
    suffix = suffixes[(i - 1) % 5 + 1]
    account = parts[n] (suffix ~ /^,/ ? "" : " ") suffix
    if (account ~ /,/) account = "\"" account "\""
    arr = 48000 - (i - 1) * 3500
    printf "ACC-%04d,%s,%s,%s,%d,2027-%02d-01,%s,%s\n", 1000 + i, account, owners[(i - 1) % 3 + 1],
        tiers[int((i - 1) / 4) + 1], arr, (i - 1) % 12 + 1, $2, $1
}
END {
    print "ACC-1013,Northwind Foods,Ana Ruiz,bronze,6000,2027-03-01,Dana Whitaker,+15550100231"
    print "ACC-1014,\"Contoso, Ltd\",Ben Cole,bronze,4500,2027-06-01,Marcus Hale,+15550100877"
}' > "$target"
echo "wrote $target ($(($(wc -l < "$target") - 1)) accounts)" >&2
