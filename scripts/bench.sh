#!/usr/bin/env bash
# vaultty's benchmark harness: the one entry point.
#
#   scripts/bench.sh [all|hash|latency|login|scale|ui|concurrency|report]...
#
# Installs what it needs (Debian packages, one PyPI package; idempotent), builds the release
# binary and the bench examples, runs the selected parts and prints the summary table.
# Results: target/bench/results/<part>.json, target/bench/summary.md. Each part waits until
# the 1-minute load average is below 0.7 before measuring (BENCH_LOAD_LIMIT, polling every
# BENCH_LOAD_POLL=15 s, at most BENCH_LOAD_MAX_WAIT=1200 s, then it measures anyway and says
# so). See BENCHMARKS.md for what each part measures.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in scripts/bench/
CFFI_BINDINGS_VERSION=26.2.0
DEB_PACKAGES=(argon2 libargon2-1 binutils strace)

usage() {
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_deps() {
    local missing=()
    for p in "${DEB_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    if ! command -v "$PY" >/dev/null ||
        ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        missing+=(python3 python3-pip)
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        as_root apt-get update
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
    fi
    "$PY" -c 'import sys; assert sys.version_info >= (3, 11), sys.version' ||
        { log "need Python 3.11 or newer (set PYTHON=...)"; exit 1; }
    if [ "$("$PY" -c 'from importlib.metadata import version as v; print(v("argon2-cffi-bindings"))' 2>/dev/null)" != "$CFFI_BINDINGS_VERSION" ]; then
        log "installing argon2-cffi-bindings==$CFFI_BINDINGS_VERSION (binary wheel)"
        "$PY" -m pip install --quiet --only-binary=:all: "argon2-cffi-bindings==$CFFI_BINDINGS_VERSION" ||
            "$PY" -m pip install --quiet --break-system-packages --only-binary=:all: \
                "argon2-cffi-bindings==$CFFI_BINDINGS_VERSION"
    fi
}

build() {
    log "cargo build --release (binary, then the bench examples)"
    cargo build --release --locked --bin vaultty
    cargo build --release --locked --example argon2_probe --example seed --example login_overhead
    mkdir -p target/bench
    # What was built: the commit, and any uncommitted changes to tracked files.
    { git rev-parse --short HEAD && git status --short --untracked-files=no; } \
        > target/bench/build.txt 2>/dev/null || true
}

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(all)
selected=()
for p in "${parts[@]}"; do
    case "$p" in
        all) selected+=(hash latency login scale ui concurrency) ;;
        hash | latency | login | scale | ui | concurrency | report) selected+=("$p") ;;
        -h | --help | help) usage ;;
        *) echo "unknown part: $p" >&2; usage ;;
    esac
done

install_deps
needs_build=0
for p in "${selected[@]}"; do [ "$p" != report ] && needs_build=1; done
[ "$needs_build" -eq 1 ] && build

start=$(date +%s)
for p in "${selected[@]}"; do
    [ "$p" = report ] && continue
    log "== $p"
    "$PY" "scripts/bench/$p.py"
done
log "done in $(($(date +%s) - start)) s"
"$PY" scripts/bench/report.py
