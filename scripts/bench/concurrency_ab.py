"""Two vaultty builds against each other on figure 6's bursts (not part of `bench.sh all`).

    python3 scripts/bench/concurrency_ab.py BINARY_A BINARY_B

For instance, the shipped design against the one-queue, thread-per-slot design of commit
5dfc4d7 (reverted, BENCHMARKS.md section 6):

    git worktree add /tmp/vaultty-b 5dfc4d7
    (cd /tmp/vaultty-b && cargo build --release --locked --bin vaultty)
    python3 scripts/bench/concurrency_ab.py target/release/vaultty \
        /tmp/vaultty-b/target/release/vaultty

Same store and method as concurrency.py (32 accounts, N = 2, 8, 32 CLI logins started at
once, every exit 0), with the two builds alternated burst by burst (ABBA order, so that the
machine's drift falls on both alike), BENCH_AB_REPS repetitions (default 16). Reported per
build and N, as medians over the repetitions: logins/s, CPU per login process (wait4 rusage)
and how busy the cores were, i.e. the logins' CPU time over (cores x the burst's wall time);
and the median over the repetitions of B's throughput over A's in the same repetition.
None of these needs a baseline verification, so they are the steadiest figures on a noisy
VM. Both builds must accept the same store: it is signed up with BINARY_B.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import common as c  # noqa: E402
from concurrency import NS, burst, store  # noqa: E402


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    a, b = (os.path.abspath(p) for p in sys.argv[1:])
    for path in (a, b):
        if not os.access(path, os.X_OK):
            raise SystemExit(f"not an executable: {path}")
    reps = int(os.environ.get("BENCH_AB_REPS", "16"))
    c.BIN = c.Path(b)
    d, pwpath = store("concurrency_ab")
    wait = c.wait_for_quiet("concurrency_ab")
    builds = {"A": a, "B": b}
    runs = {(name, n): [] for name in builds for n in NS}
    for r in range(reps):
        for n in NS:
            order = ["A", "B"] if r % 2 == 0 else ["B", "A"]
            for name in order:
                runs[(name, n)].append(burst(d, n, pwpath, builds[name]))
        c.log(f"repetition {r + 1}/{reps} done")
    os.unlink(pwpath)
    table = {}
    for n in NS:
        ratio = c.median([rb["logins_per_s"] / ra["logins_per_s"]
                          for ra, rb in zip(runs[("A", n)], runs[("B", n)])])
        for name in builds:
            rs = runs[(name, n)]
            t = table[f"{name}.N={n}"] = {
                "logins_per_s": round(c.median([r["logins_per_s"] for r in rs]), 3),
                "cpu_per_login_ms": round(c.median([r["cpu_per_login_s"] for r in rs]) * 1e3, 1),
                "busy_pct": round(c.median([r["busy_pct"] for r in rs]), 1),
                "runs": rs,
            }
            print(f"N={n:2d} {name}: {t['logins_per_s']:.2f} logins/s, CPU per login "
                  f"{t['cpu_per_login_ms']} ms, cores busy {t['busy_pct']}%")
        table[f"B/A.N={n}"] = round(ratio, 3)
        print(f"N={n:2d} B/A throughput, median of paired repetitions: {ratio:.3f}")
    c.save("concurrency_ab", {"machine": c.machine(), "wait": wait, "reps": reps,
                              "builds": builds, "results": table})


if __name__ == "__main__":
    main()
