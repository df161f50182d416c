"""Figure 4: does the number of accounts matter?

Two stores, each made by examples/seed (accounts written straight into a store created by the
library, one cheap shared hash, one transaction: see that file) plus one real account signed
up through the CLI: 1,000,000 seeded accounts and 10 seeded accounts. Alternated in one run
(each round runs each once, in an order shuffled per round): login on each store, whoami
on each store, and one bare verification in the probe.

4a, the login overhead on each store, is measured without Argon2 in the way: at the default
parameters a verification varies by several ms from run to run, which buried the sub-ms
effect of the store in the CLI figures (login - verification medians came out 1% apart in
one run, 25% in the next). examples/login_overhead times, in one process, what a login does
with the store (open, throttle transaction, lookup, a verification of an 8 KiB hash, session
transaction, session file written and synced, close) alternately on the two stores,
BENCH_SCALE_OVERHEAD_ROUNDS times (default 2000). Process start and output do not touch the
store, so they are the same for both by construction (figure 3 measures them). The CLI
login medians on both stores are still reported beside it.

The stores are in the page cache (just written), as on a machine that uses vaultty daily; a
cold-cache first login is not measured here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import common as c  # noqa: E402

c.ensure_fresh_memory_tunable()

EMAIL = "real@example.com"


def make_store(name: str, n: int) -> dict:
    d = c.fresh_dir(name)
    t0 = time.monotonic()
    out = subprocess.run([str(c.SEED), "--data-dir", str(d), "--count", str(n)],
                         capture_output=True, text=True, env=c.clean_env())
    if out.returncode != 0:
        raise SystemExit(f"seed failed: {out.stderr}")
    seed_s = time.monotonic() - t0
    c.signup(d, EMAIL)
    db = d / "vaultty.db"
    size = db.stat().st_size
    side = sum(p.stat().st_size for p in d.glob("vaultty.db-*"))
    c.log(f"{name}: {out.stdout.strip()}; +1 real account; {size} B (+{side} B WAL/SHM)")
    return {"dir": d, "seeded": n, "seed_s": round(seed_s, 1), "db_bytes": size,
            "side_bytes": side, "bytes_per_account": round(size / (n + 1), 1)}


def main():
    big = int(os.environ.get("BENCH_SCALE_N", "1000000"))
    rounds = int(os.environ.get("BENCH_SCALE_ROUNDS", "40"))
    stores = {"1M": make_store("scale-big", big), "10": make_store("scale-small", 10)}
    os.sync()  # the seeding's writes reach the disk before anything is timed
    probe = c.Probe()
    probe.set_params(*c.DEFAULT)

    def login(d):
        r = c.run_cli(["--data-dir", str(d), "login", "--email", EMAIL, "--password-stdin"],
                      c.PASSWORD + "\n")
        if r.rc != 0:
            raise SystemExit(f"login failed (exit {r.rc}): {r.stderr}")
        return r.wall_ns

    def whoami(d):
        r = c.run_cli(["--data-dir", str(d), "whoami"])
        if r.rc != 0:
            raise SystemExit(f"whoami failed (exit {r.rc}): {r.stderr}")
        return r.wall_ns

    calls = {
        "login 1M": lambda: login(stores["1M"]["dir"]),
        "login 10": lambda: login(stores["10"]["dir"]),
        "verify": lambda: probe.verify(False)[0],
        "whoami 1M": lambda: whoami(stores["1M"]["dir"]),
        "whoami 10": lambda: whoami(stores["10"]["dir"]),
    }
    wait = c.wait_for_quiet("scale")
    for f in calls.values():
        f()
        f()
    samples, cond = c.alternate(calls, rounds, [probe.pid])
    probe.close()
    ov_rounds = int(os.environ.get("BENCH_SCALE_OVERHEAD_ROUNDS", "2000"))
    with c.CpuMeter() as ov_meter:
        pairs = c.login_overhead(stores["1M"]["dir"], stores["10"]["dir"], ov_rounds)
    ov_cond = ov_meter.stop()
    st_big = c.summary_ms([a for a, _ in pairs])
    st_small = c.summary_ms([b for _, b in pairs])
    st = {k: c.summary_ms(v) for k, v in samples.items()}
    med = {k: st[k]["median_ms"] for k in samples}
    cli_ov_big = round(med["login 1M"] - med["verify"], 2)
    cli_ov_small = round(med["login 10"] - med["verify"], 2)
    ov_big = round(c.median([a for a, _ in pairs]) / 1e6, 3)
    ov_small = round(c.median([b for _, b in pairs]) / 1e6, 3)
    ov_paired = [(a - b) / 1e6 for a, b in pairs]
    ov_paired_ms = round(c.median(ov_paired), 3)
    ov_ci = c.bootstrap_ci(ov_paired)

    def apart(a, b):
        return round(abs(a - b) / min(a, b) * 100, 1)

    ov_apart = apart(ov_big, ov_small)
    # the same comparison from adjacent pairs (less noise: both logins of a round are
    # within ~0.5 s of each other)
    paired = [a - b for a, b in zip(samples["login 1M"], samples["login 10"])]
    paired_ms = round(c.median(paired) / 1e6, 2)
    ci = c.bootstrap_ci([x / 1e6 for x in samples["login 1M"]],
                        [x / 1e6 for x in samples["login 10"]])
    ci_paired = c.bootstrap_ci([x / 1e6 for x in paired])
    who_paired = round(c.median([a - b for a, b in zip(samples["whoami 1M"],
                                                        samples["whoami 10"])]) / 1e6, 2)
    who_apart = apart(med["whoami 1M"], med["whoami 10"])
    login_apart = apart(med["login 1M"], med["login 10"])
    c.log(f"{med}; overhead 1M {ov_big} ms vs 10 {ov_small} ms ({ov_apart}% apart); "
          f"whoami {who_apart}% apart; {cond}")
    sb, ss = stores["1M"], stores["10"]
    figures = [
        c.figure("4a", "login overhead (the store's part), 1M-account store vs 10-account store",
                 ov_apart, "%", "within 10%", ov_apart <= 10, "scripts/bench.sh scale",
                 ov_cond,
                 note=(f"store work per login {ov_big} ms (1M) vs {ov_small} ms (10), medians of "
                       f"{len(pairs)} alternated logins (examples/login_overhead); paired "
                       f"difference {ov_paired_ms} ms, 95% bootstrap interval {ov_ci[0]:.3f} .. "
                       f"{ov_ci[1]:.3f} ms. CLI, same stores: whole login {med['login 1M']} vs "
                       f"{med['login 10']} ms ({login_apart}% apart), login - verification "
                       f"{cli_ov_big} vs {cli_ov_small} ms (verify {med['verify']} ms); "
                       f"paired login(1M) - login(10) {paired_ms} ms ({ci_paired[0]:.1f} .. "
                       f"{ci_paired[1]:.1f})")),
        c.figure("4b", "whoami, 1M-account store vs 10-account store", who_apart, "%",
                 "within 10%", who_apart <= 10, "scripts/bench.sh scale", cond,
                 note=(f"whoami {med['whoami 1M']} ms (1M) vs {med['whoami 10']} ms (10); "
                       f"median of paired differences {who_paired} ms")),
        c.figure("4c", "store size per account (1M store)", sb["bytes_per_account"], "B",
                 "(reported)", None, "scripts/bench.sh scale", {},
                 note=(f"{sb['db_bytes']} B for {sb['seeded'] + 1} accounts; the 10-account store"
                       f" is {ss['db_bytes']} B; seeding {sb['seeded']} took {sb['seed_s']} s")),
    ]
    for s in stores.values():
        s["dir"] = str(s["dir"])
    c.save("scale", {"machine": c.machine(), "wait": wait, "rounds": rounds, "stores": stores,
                     "stats": st, "overhead_ms": {"1M": ov_big, "10": ov_small},
                     "overhead_stats": {"1M": st_big, "10": st_small,
                                        "paired_ms": ov_paired_ms,
                                        "paired_ci95_ms": [round(ov_ci[0], 3),
                                                           round(ov_ci[1], 3)]},
                     "cli_overhead_ms": {"1M": cli_ov_big, "10": cli_ov_small},
                     "paired_diff_ms": {"login": paired_ms, "whoami": who_paired},
                     "overhead_diff_ci95_ms": [round(ci[0], 2), round(ci[1], 2)],
                     "paired_login_diff_ci95_ms": [round(ci_paired[0], 2), round(ci_paired[1], 2)],
                     "figures": figures})


if __name__ == "__main__":
    main()
