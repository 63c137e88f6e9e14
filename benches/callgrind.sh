#!/usr/bin/env bash
# Instructions per operation of every bench_one combination, counted by callgrind.
#
#   benches/callgrind.sh [--iters N] [--annotate] [CASE...]
#
# For each case, operation and implementation it runs
#   valgrind --tool=callgrind bench_one --impl I --case C --op O --iters N   (and 2N)
# and reports (Ir(2N) - Ir(N)) / N: the cost of one operation without start-up and setup.
# N defaults to 262144 / case size, clamped to 8..1000 (shout: 1000). Unsupported
# combinations (bench_one exit 2) show "-". Prints a Markdown table on stdout; progress on
# stderr. --annotate also writes callgrind_annotate output for phx (typed and encode) of each
# case to $OUT_DIR (default target/callgrind).
set -euo pipefail
cd "$(dirname "$0")/.."

iters_override=""
annotate=0
selected=()
while [ $# -gt 0 ]; do
  case "$1" in
    --iters) iters_override="$2"; shift 2 ;;
    --annotate) annotate=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) selected+=("$1"); shift ;;
  esac
done

command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed" >&2; exit 1; }
target="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --quiet --release -p phx-benches --bin bench_one --bin bench_cases
bin="$target/release/bench_one"
out_dir="${OUT_DIR:-$target/callgrind}"
mkdir -p "$out_dir"

impls=(phx phx_std serde_json_value serde_json_typed simd_json)
ops=(decode typed encode)

# Ir of one run, or "-" when the combination is unsupported (exit 2).
ir() {
  local log rc
  log="$(mktemp)"
  set +e
  valgrind --tool=callgrind --callgrind-out-file="$5" "$bin" \
    --impl "$1" --case "$2" --op "$3" --iters "$4" >/dev/null 2>"$log"
  rc=$?
  set -e
  if [ "$rc" -eq 2 ]; then rm -f "$log"; echo "-"; return; fi
  if [ "$rc" -ne 0 ]; then
    echo "callgrind.sh: bench_one $1 $2 $3 failed (exit $rc):" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  grep -o 'Collected : [0-9]*' "$log" | grep -o '[0-9]*$'
  rm -f "$log"
}

echo "| case | bytes | op | phx | phx_std | serde_json_value | serde_json_typed | simd_json | phx ins/byte | phx vs value | phx vs typed | phx_std vs value | phx_std vs typed |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
while read -r case bytes; do
  if [ ${#selected[@]} -gt 0 ] && [[ ! " ${selected[*]} " =~ " $case " ]]; then continue; fi
  if [ -n "$iters_override" ]; then n="$iters_override"; else
    n=$(( 262144 / bytes )); [ "$n" -gt 1000 ] && n=1000; [ "$n" -lt 8 ] && n=8
  fi
  for op in "${ops[@]}"; do
    row=()
    for impl in "${impls[@]}"; do
      echo "callgrind.sh: $case $op $impl (N=$n)" >&2
      a=$(ir "$impl" "$case" "$op" "$n" /dev/null)
      if [ "$a" = "-" ]; then row+=("-"); continue; fi
      keep=/dev/null
      if [ "$annotate" -eq 1 ] && [ "$impl" = phx ]; then keep="$out_dir/callgrind.$case.$op.$impl.out"; fi
      b=$(ir "$impl" "$case" "$op" $((2 * n)) "$keep")
      row+=("$(awk -v a="$a" -v b="$b" -v n="$n" 'BEGIN { printf "%.0f", (b - a) / n }')")
      if [ "$keep" != /dev/null ]; then
        callgrind_annotate --inclusive=no --threshold=99 "$keep" > "${keep%.out}.txt" 2>/dev/null || true
      fi
    done
    awk -v c="$case" -v bytes="$bytes" -v op="$op" -v p="${row[0]}" -v s="${row[1]}" \
        -v v="${row[2]}" -v t="${row[3]}" -v m="${row[4]}" '
      function ratio(x, y) { return (x == "-" || y == "-" || x == 0) ? "-" : sprintf("%.1fx", y / x) }
      BEGIN {
        ipb = (p == "-") ? "-" : sprintf("%.2f", p / bytes)
        printf "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c, bytes, op, p, s, v, t, m, ipb,
          ratio(p, v), ratio(p, t), ratio(s, v), ratio(s, t)
      }'
  done
done < <("$target/release/bench_cases")
