#!/usr/bin/env bash
# The robustness suites at full strength, against the release binary:
#
#   crash    SIGKILL at random moments during signup/login/passwd/logout, 200 iterations,
#            then integrity, no half-created account, every account still logs in, whole
#            session file                                                   (tests/crash.rs)
#   soak     16 workers spawning the binary for 60 s against one store: no lock errors,
#            only documented exit codes, no lost account, integrity          (tests/soak.rs)
#   hostile  hostile input corpus: SQL injection, terminal escapes, bidi, zero-width, invalid
#            UTF-8, 1 MB fields, NUL, symlink/FIFO session files, read-only data dir, full
#            disk                                                            (tests/hostile.rs)
#   props    the fuzz invariants under proptest, 10x the CI cases            (tests/props.rs)
#   fuzz     cargo-fuzz: validators, token_file, form_keys, VAULTTY_FUZZ_SECS each (default
#            120; 0 skips). Installs cargo-fuzz if missing; uses RUSTC_BOOTSTRAP=1 on stable.
#                                                                            (fuzz/, fuzz/README.md)
#
# Usage (from anywhere):
#   bash scripts/robustness.sh
#   VAULTTY_SOAK_SECS=600 VAULTTY_CRASH_ITERATIONS=1000 bash scripts/robustness.sh   # longer
#   VAULTTY_CRASH_SEED=0x... VAULTTY_SOAK_SEED=0x... bash scripts/robustness.sh       # replay
#
# Each suite prints its summary as it runs, and again at the end with one result line per
# suite. Exit status: 0 when all three pass. CI runs the same tests through plain
# `cargo test` with the short defaults (soak 10 s, crash 200 iterations, debug build).
# The full-disk tests mount a small tmpfs when allowed (root); otherwise they fall back to
# RLIMIT_FSIZE and say so. As root, the read-only data dir test runs vaultty as uid 65534.
set -uo pipefail
cd "$(dirname "$0")/.."

export VAULTTY_SOAK_SECS="${VAULTTY_SOAK_SECS:-60}"
export VAULTTY_CRASH_ITERATIONS="${VAULTTY_CRASH_ITERATIONS:-200}"
export PROPTEST_SCALE="${PROPTEST_SCALE:-10}"
FUZZ_SECS="${VAULTTY_FUZZ_SECS:-120}"
suites=(crash soak hostile props)

echo "== build (release): ${suites[*]}"
cargo test --locked --release --no-run "${suites[@]/#/--test=}" || exit 1

status=0
declare -A result summary
for suite in "${suites[@]}"; do
    echo
    echo "== $suite (VAULTTY_SOAK_SECS=$VAULTTY_SOAK_SECS VAULTTY_CRASH_ITERATIONS=$VAULTTY_CRASH_ITERATIONS)"
    log=$(mktemp)
    start=$SECONDS
    cargo test --locked --release --test "$suite" -- --nocapture 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    took=$((SECONDS - start))
    counts=$(grep -E '^test result:' "$log" | tail -1 | sed 's/^test result: //')
    if [ "$rc" -eq 0 ]; then
        result[$suite]="PASS in ${took} s: ${counts:-no result line}"
    else
        result[$suite]="FAIL in ${took} s: ${counts:-no result line}"
        status=1
    fi
    # The suite's own summary: the crash/soak "---- summary ----" block, the hostile notes
    # (which full-disk simulation ran, anything skipped), and any failed test.
    summary[$suite]=$(
        sed -n '/---- summary ----/,$p' "$log" | grep -E "^$suite: " | grep -v -- '---- summary'
        grep -E '^hostile: ' "$log" | sort -u
        grep -E '^test .* FAILED$' "$log" | sed 's/^test /FAILED: /; s/ \.\.\. FAILED$//'
    )
    rm -f "$log"
done

if [ "$FUZZ_SECS" -gt 0 ]; then
    command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz || exit 1
    for target in validators token_file form_keys; do
        suite="fuzz:$target"
        suites+=("$suite")
        echo
        echo "== $suite ($FUZZ_SECS s)"
        log=$(mktemp)
        extra=()
        # long key sequences need the length limit off (see fuzz/README.md)
        [ "$target" = form_keys ] && extra=(-len_control=0 -max_len=160)
        start=$SECONDS
        (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$target" -- \
            -max_total_time="$FUZZ_SECS" -rss_limit_mb=4096 "${extra[@]}") >"$log" 2>&1
        rc=$?
        took=$((SECONDS - start))
        done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -1)
        if [ "$rc" -eq 0 ]; then
            result[$suite]="PASS in ${took} s: ${done_line:-no Done line}"
        else
            result[$suite]="FAIL in ${took} s (crash input in fuzz/artifacts/$target/)"
            status=1
        fi
        summary[$suite]=$(grep -E 'DONE|panicked|SUMMARY' "$log" | tail -3)
        rm -f "$log"
    done
fi

echo
echo "== robustness summary"
for suite in "${suites[@]}"; do
    echo "-- $suite: ${result[$suite]}"
    if [ -n "${summary[$suite]}" ]; then
        printf '%s\n' "${summary[$suite]}" | sed 's/^/   /'
    fi
done
exit "$status"
