#!/usr/bin/env bash
# make bench: load a 1,000,000-row CSV and a 200,000-row XLSX of cooperatives through the
# whole pipeline (read, normalize, match communes, COPY, merge) and compare, on the same
# files and database, with what a user might use instead: psql \copy (raw load, no
# normalization), pgloader (CSV), xlsx2csv (XLSX to CSV only). Prints wall time, peak RSS
# and ratios. Numbers depend on the machine: read the ratios, not the seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
CSV_ROWS=${CSV_ROWS:-1000000}
XLSX_ROWS=${XLSX_ROWS:-200000}
DATA=${BENCH_DIR:-/tmp/coopwatch-bench}
DB=coopwatch_bench
export PGHOST=127.0.0.1 PGUSER=postgres
URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable"

for tool in pgloader xlsx2csv; do
  command -v "$tool" >/dev/null || { echo "bench: installing $tool"; apt-get install -y -qq "$tool" >/dev/null 2>&1 || echo "bench: $tool unavailable, skipped"; }
done

make -s build
mkdir -p "$DATA"
[ -f "$DATA/cooperatives.csv" ] && [ "$(($(wc -l <"$DATA/cooperatives.csv") - 1))" = "$CSV_ROWS" ] ||
  go run ./cmd/benchgen -out "$DATA" -csv-rows "$CSV_ROWS" -xlsx-rows "$XLSX_ROWS"

cat >"$DATA/bench.yaml" <<YAML
province: "93"
state_dir: $DATA/state
database: {url: "$URL"}
plan: {path: $PWD/plans/default.yaml}
sources:
  - {name: bench-csv, kind: csv, entity: cooperatives, path: $DATA/cooperatives.csv}
  - {name: bench-xlsx, kind: xlsx, entity: cooperatives, path: $DATA/cooperatives.xlsx}
YAML

fresh_db() { psql -qd postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null; bin/worker --config "$DATA/bench.yaml" migrate >/dev/null 2>&1; }
# measure NAME CMD...: runs CMD under /usr/bin/time, records seconds and peak RSS (MB).
declare -A SECS RSS
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$DATA/time.$name" "$@" >"$DATA/out.$name" 2>&1 || { echo "bench: $name failed:"; tail -5 "$DATA/out.$name"; return 1; }
  read -r s kb <"$DATA/time.$name"
  SECS[$name]=$s; RSS[$name]=$((kb / 1024))
}

fresh_db
measure coopwatch-csv bin/worker --config "$DATA/bench.yaml" import --source bench-csv
measure coopwatch-xlsx bin/worker --config "$DATA/bench.yaml" import --source bench-xlsx
rows=$(psql -qtAd "$DB" -c "SELECT count(*) FROM cooperatives")

psql -qd "$DB" -c "CREATE TABLE raw_csv (stt text, name text, code text, commune text, founded text, members text, workers text, revenue text, rating text)"
measure psql-copy psql -qd "$DB" -c "\\copy raw_csv FROM '$DATA/cooperatives.csv' WITH (FORMAT csv, HEADER true)"
if command -v pgloader >/dev/null; then
  psql -qd "$DB" -c "CREATE TABLE raw_pgloader (LIKE raw_csv)"
  cat >"$DATA/load.pgl" <<PGL
LOAD CSV FROM '$DATA/cooperatives.csv' INTO postgresql://postgres@127.0.0.1:5432/$DB?tablename=raw_pgloader
WITH skip header = 1, fields terminated by ',', fields optionally enclosed by '"'
SET work_mem to '64MB';
PGL
  measure pgloader pgloader --quiet "$DATA/load.pgl" || true
fi
command -v xlsx2csv >/dev/null && measure xlsx2csv xlsx2csv "$DATA/cooperatives.xlsx" "$DATA/xlsx2csv.csv" || true

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
echo
echo "rows stored: $rows (expected $((CSV_ROWS > XLSX_ROWS ? CSV_ROWS : XLSX_ROWS)): the XLSX repeats the CSV's first rows, so it updates nothing)"
printf "%-16s %10s %10s  %s\n" "run" "seconds" "peak MB" "what"
printf "%-16s %10s %10s  %s\n" coopwatch-csv "${SECS[coopwatch-csv]}" "${RSS[coopwatch-csv]}" "$CSV_ROWS rows: read, normalize, match, COPY, merge"
printf "%-16s %10s %10s  %s\n" psql-copy "${SECS[psql-copy]}" "${RSS[psql-copy]}" "the same CSV, raw text, no checks"
[ -n "${SECS[pgloader]:-}" ] && printf "%-16s %10s %10s  %s\n" pgloader "${SECS[pgloader]}" "${RSS[pgloader]}" "the same CSV, raw text"
printf "%-16s %10s %10s  %s\n" coopwatch-xlsx "${SECS[coopwatch-xlsx]}" "${RSS[coopwatch-xlsx]}" "$XLSX_ROWS rows: stream, normalize, COPY, merge"
[ -n "${SECS[xlsx2csv]:-}" ] && printf "%-16s %10s %10s  %s\n" xlsx2csv "${SECS[xlsx2csv]}" "${RSS[xlsx2csv]}" "the same XLSX to CSV only"
echo
echo "coopwatch CSV load vs psql \\copy: $(ratio "${SECS[coopwatch-csv]}" "${SECS[psql-copy]}") the time"
[ -n "${SECS[pgloader]:-}" ] && echo "coopwatch CSV load vs pgloader:    $(ratio "${SECS[coopwatch-csv]}" "${SECS[pgloader]}") the time"
[ -n "${SECS[xlsx2csv]:-}" ] && echo "coopwatch XLSX load vs xlsx2csv:   $(ratio "${SECS[coopwatch-xlsx]}" "${SECS[xlsx2csv]}") the time"
exit 0
