#!/usr/bin/env bash
# Instructions per operation of every bench_one combination, counted by callgrind.
#
#   benches/callgrind.sh [--iters N] [--annotate] [CASE...]
#   benches/callgrind.sh --simd
#
# For each case, operation and implementation it runs
#   valgrind --tool=callgrind bench_one --impl I --case C --op O --iters N   (and 2N)
# and reports (Ir(2N) - Ir(N)) / N: the cost of one operation without start-up and setup,
# phx's instructions per byte, the best peer (fewest instructions of serde_json_typed,
# simd_json and sonic_rs) and how many times fewer instructions phx needs than it
# (above 1.0x = phx cheaper).
# N defaults to 262144 / case size, clamped to 8..1000 (shout: 1000). Unsupported
# combinations (bench_one exit 2) show "-". Prints a Markdown table on stdout; progress on
# stderr. --annotate also writes callgrind_annotate output for phx (every op) of each
# case to $OUT_DIR (default target/callgrind). --simd instead counts phx-codec-std's payload
# paths (FrameExt::payload_value with serde_json vs simd::SimdParser) over growing payloads.
set -euo pipefail
cd "$(dirname "$0")/.."

args_text=""; for a in "$@"; do args_text+=" $a"; done
iters_override=""
annotate=0
simd=0
selected=()
while [ $# -gt 0 ]; do
  case "$1" in
    --iters) iters_override="$2"; shift 2 ;;
    --annotate) annotate=1; shift ;;
    --simd) simd=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) selected+=("$1"); shift ;;
  esac
done

command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed" >&2; exit 1; }
target="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --quiet --release -p phx-benches --bin bench_one --bin bench_cases --bin simd_crossover
bin="$target/release/bench_one"
out_dir="${OUT_DIR:-$target/callgrind}"
mkdir -p "$out_dir"

# Ir of one simd_crossover --one run.
simd_ir() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$target/release/simd_crossover" \
    --one "$@" 2>&1 >/dev/null | grep -o 'Collected : [0-9]*' | grep -o '[0-9]*$'
}

if [ "$simd" -eq 1 ]; then
  echo "| payload | size | serde_json ins/op | simd-json ins/op | simd / serde |"
  echo "|---|---:|---:|---:|---:|"
  for spec in "presence 1" "presence 5" "presence 20" "presence 100" "presence 400" \
              "shout 64" "shout 1024" "shout 4096" "shout 16384" "shout 65536" "shout 262144"; do
    read -r shape size <<<"$spec"
    n=20; [ "$size" -ge 16384 ] && n=4; [ "$shape" = presence ] && [ "$size" -ge 100 ] && n=4
    row=()
    for path in serde simd; do
      echo "callgrind.sh: simd crossover $path $shape $size (N=$n)" >&2
      a=$(simd_ir "$path" "$shape" "$size" "$n")
      b=$(simd_ir "$path" "$shape" "$size" $((2 * n)))
      row+=("$(awk -v a="$a" -v b="$b" -v n="$n" 'BEGIN { printf "%.0f", (b - a) / n }')")
    done
    label="$size agents"; [ "$shape" = shout ] && label="$size B body"
    awk -v s="$shape" -v l="$label" -v x="${row[0]}" -v y="${row[1]}" \
      'BEGIN { printf "| %s | %s | %d | %d | %.2f |\n", s, l, x, y, y / x }'
  done
  exit 0
fi

impls=(phx phx_std serde_json_value serde_json_typed simd_json sonic_rs)
ops=(decode typed encode forward)

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

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
git diff --quiet HEAD -- codec codec-std benches 2>/dev/null || commit="$commit + uncommitted changes"
printf '_%s, commit %s, %s, %s: `benches/callgrind.sh%s`, instructions per operation._\n\n' \
  "$(date -u '+%Y-%m-%d %H:%M UTC')" "$commit" \
  "$(rustc --version | cut -d' ' -f1-2)" "$(valgrind --version)" "${args_text}"
echo "| case | bytes | op | phx | phx_std | serde_json_value | serde_json_typed | simd_json | sonic_rs | phx ins/byte | best peer | phx vs best |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"
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
        -v v="${row[2]}" -v t="${row[3]}" -v m="${row[4]}" -v k="${row[5]}" '
      BEGIN {
        ipb = (p == "-") ? "-" : sprintf("%.2f", p / bytes)
        best = "-"; bv = -1
        if (t != "-" && (bv < 0 || t + 0 < bv)) { best = "serde_json_typed"; bv = t + 0 }
        if (m != "-" && (bv < 0 || m + 0 < bv)) { best = "simd_json"; bv = m + 0 }
        if (k != "-" && (bv < 0 || k + 0 < bv)) { best = "sonic_rs"; bv = k + 0 }
        ratio = (bv < 0 || p == "-" || p == 0) ? "-" : sprintf("%.2fx", bv / p)
        printf "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c, bytes, op, p, s, v, t, m, k, ipb, best, ratio
      }'
  done
done < <("$target/release/bench_cases")
