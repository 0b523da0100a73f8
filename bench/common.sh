# Shared by the bench/*.sh scripts that time xbt commands on the sample
# workspace: sourced after `cd` to the checkout. Sets XBT, WS, REPEATS
# (from the environment, with defaults) and checks the workspace exists.
REPEATS=${REPEATS:-${DEFAULT_REPEATS:-3}}
WS=${WS:-out/sample-workspace}
XBT=${XBT:-build/app/xbt}
[ -d "$WS/galleries/sample" ] || { echo "no sample workspace at $WS: run bash scripts/run.sh first" >&2; exit 1; }
export XBT_SAMPLES_DIR=${XBT_SAMPLES_DIR:-$PWD/samples}

# What a table was measured on: the CPU and the BLAS library in use.
print_machine() {
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
  echo "BLAS:    $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)"
}

# The median of the arguments (numbers).
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
