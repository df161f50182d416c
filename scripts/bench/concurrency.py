"""Figure 6: N CLI logins at once against one store.

One data dir (the store path and the session file are fixed inside it; each login replaces
the session file, which is harmless here) with 32 accounts signed up through the CLI, one per
process: the throttle counts every attempt as a failure before verifying, so N concurrent
logins to one account would lock it at the 5th. For N = 2, 8, 32 (BENCH_CONC_REPS
repetitions each, default 12, interleaved), the driver starts N `vaultty login
--password-stdin` processes back to back (posix_spawn) and waits for all; throughput = N /
(time from the first spawn to the last exit).
Every login must exit 0.

Ideal = cores / one verification's time, taken two ways, both measured in probes
(examples/argon2_probe: fresh memory like the CLI, the process CPU clock
CLOCK_PROCESS_CPUTIME_ID around `Hasher::verify`, i.e. user + system time of all its threads,
so the page-fault work counts):

- strict: the CPU time of one verification as vaultty runs it alone, p = 4 lanes on the rayon
  pool (2 threads here). Alone, a run has both cores' L2 caches and the whole L3 to itself,
  which no two concurrent logins can have, so this is a bound no concurrent run reaches;
- one core: the time of one verification on one core (a second probe with
  RAYON_NUM_THREADS=1, so its CPU time is its wall time). This is the issue's
  "cores / one verification time" read literally: each core verifying one login after
  another, the physical limit for logins that run at once.

Each burst is paired with its own baseline: two verifications of each probe right before it,
so that the machine's drift (20-30% within minutes on this VM) cancels. The figure is the
median over the repetitions of each burst's share of its own ideal; the share of the median
ideal is reported beside it. The target counts as met only when both shares reach 90%: the
two ideals differ by a few percent here, so the reading chosen does not decide the outcome.
The whole login process's CPU (wait4 rusage) is reported too, and how busy the cores were:
the logins' CPU time over (cores x the burst's wall time).

A third reading is reported beside the target, not as it: **all cores**, one verification's
time while every core verifies (one single-threaded probe per core, all started at the same
moment, before each burst). Both readings above time a verification with the rest of the
machine idle; logins at once never run like that, and on this VM verifications at once are
sometimes much slower than one alone (ad hoc, 30 pairs against 30 lone runs, three runs a
few minutes apart: +1.8%, +0.6%, +22%). The share of this ideal says how much of the gap is
vaultty's (processes, store, queue) and how much the machine's own (shared caches, memory
bandwidth, the host).

A reference is reported beside the target too, not as it: **bare verification processes**.
Each N = 2 burst of logins is paired (order alternating) with a burst of 2 processes that do
nothing but one verification each (`argon2_probe --once PHC`: start, one `Hasher::verify` in
fresh memory, exit), shared baseline and all. It shows what the machine gives two
verifications in new processes at once, before any of a login's own work (the store, the
slots, the session file): a ceiling for figure 6 at N = 2 for any CLI that verifies in the
process it starts. Only N = 2: bare processes have no queue, so at larger N they would all
run at once, unlike logins.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import common as c  # noqa: E402

c.ensure_fresh_memory_tunable()

NS = [2, 8, 32]
# N for the reference bursts of bare verification processes (no slots, no store: at larger N
# they would all run at once, unlike logins, so only two, which run at once either way)
BARE_N = 2


def burst(d, n: int, pwpath: str, binary=None) -> dict:
    """N `vaultty login --password-stdin` processes at once, one account each."""
    return spawn_all([([str(binary or c.BIN), "--data-dir", str(d), "login", "--email",
                        f"user{i:02d}@example.com", "--password-stdin"], pwpath)
                      for i in range(n)], "logins")


def bare_burst(n: int, phc: str) -> dict:
    """N one-shot verification processes at once (`argon2_probe --once PHC`: a new process, one
    `Hasher::verify` in fresh memory, exit), without any of a login's other work."""
    return spawn_all([([str(c.PROBE), "--once", phc], None) for _ in range(n)],
                     "verification processes")


def spawn_all(commands: list[tuple[list[str], str | None]], what: str) -> dict:
    """Starts every (argv, stdin file or None) back to back with posix_spawn and waits for all;
    every one must exit 0."""
    n = len(commands)
    devnull = os.open(os.devnull, os.O_RDWR)
    errs = [tempfile.TemporaryFile() for _ in range(n)]
    env = c.clean_env()
    pids = []
    try:
        t0 = time.perf_counter_ns()
        for i, (argv, stdin) in enumerate(commands):
            # its own offset: one open file per child
            fd = os.open(stdin, os.O_RDONLY) if stdin else os.dup(devnull)
            try:
                pids.append(os.posix_spawn(argv[0], argv, env, file_actions=[
                    (os.POSIX_SPAWN_DUP2, fd, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
                    (os.POSIX_SPAWN_DUP2, errs[i].fileno(), 2)]))
            finally:
                os.close(fd)
        codes, cpu = [], 0.0
        for pid in pids:
            _, st, ru = os.wait4(pid, 0)
            codes.append(os.waitstatus_to_exitcode(st))
            cpu += ru.ru_utime + ru.ru_stime
        t1 = time.perf_counter_ns()
        bad = [(i, rc) for i, rc in enumerate(codes) if rc != 0]
        if bad:
            i = bad[0][0]
            errs[i].seek(0)
            raise SystemExit(f"N={n}: {len(bad)} {what} failed, e.g. "
                             f"{' '.join(commands[i][0][1:])}: exit {bad[0][1]}: "
                             f"{errs[i].read().decode(errors='replace')}")
    finally:
        os.close(devnull)
        for e in errs:
            e.close()
    wall = (t1 - t0) / 1e9
    ncpu = os.cpu_count() or 1
    return {"n": n, "wall_s": round(wall, 3), "logins_per_s": round(n / wall, 2),
            "cpu_per_login_s": round(cpu / n, 4),
            "busy_pct": round(cpu / (ncpu * wall) * 100, 1)}


def summary(rs: list[dict]) -> dict:
    """Medians over the bursts of one kind. Medians of an even count are means of two values:
    rounded, so that no float noise (17.865000000000002) reaches the report."""
    def med(key, digits=1):
        return round(c.median([r[key] for r in rs]), digits)
    return {"logins_per_s": med("logins_per_s", 2), "pct_strict": med("pct_strict"),
            "pct_one_core": med("pct_one_core"), "pct_all_cores": med("pct_all_cores"),
            "cpu_per_login_s": med("cpu_per_login_s", 5), "busy_pct": med("busy_pct"),
            "runs": rs}


def verify_together(probes) -> list[int]:
    """One fresh-memory verification in each probe, all asked at the same moment; the
    process CPU ns of each."""
    for p in probes:
        p.send("verify")
    return [int(p.answer("verify").split()[1]) for p in probes]


def store(name: str):
    """A fresh data dir `name` with the bursts' 32 accounts, and a file with their password
    (the caller unlinks it)."""
    d = c.fresh_dir(name)
    for i in range(max(NS)):
        c.signup(d, f"user{i:02d}@example.com", name=f"Bench User {i:02d}")
    with tempfile.NamedTemporaryFile("w", delete=False) as f:
        f.write(c.PASSWORD + "\n")
    return d, f.name


def main():
    reps = int(os.environ.get("BENCH_CONC_REPS", "12"))
    ncpu = os.cpu_count() or 1
    d, pwpath = store("concurrency")
    wait = c.wait_for_quiet("concurrency")
    probe = c.Probe()
    one_core = c.Probe({"RAYON_NUM_THREADS": "1"})
    # one single-threaded probe per core for the all-cores reading (one_core is the first)
    all_cores = [one_core] + [c.Probe({"RAYON_NUM_THREADS": "1"}) for _ in range(ncpu - 1)]
    for p in (probe, *all_cores):
        phc, _ = p.set_params(*c.DEFAULT)
        p.verify(False)
    burst(d, 2, pwpath)  # warm-up
    bare_burst(BARE_N, phc)
    runs = {n: [] for n in NS}
    bare = []
    conds = {}
    strict_cpu, core_cpu, all_cpu = [], [], []

    def shares(r, s2, s1, sa):
        """Adds the burst's share of each ideal, taken from its own baseline."""
        for key, sample in (("strict", s2), ("one_core", s1), ("all_cores", sa)):
            r[f"ideal_{key}"] = round(ncpu / (c.median(sample) / 1e9), 3)
            r[f"pct_{key}"] = round(r["logins_per_s"] / r[f"ideal_{key}"] * 100, 1)
        return r

    with c.CpuMeter([probe.pid, *(p.pid for p in all_cores)]) as meter:
        for rep in range(reps):
            for n in NS:
                # this burst's own baseline, right before it
                s2 = [probe.verify(False)[1] for _ in range(2)]
                s1 = [one_core.verify(False)[1] for _ in range(2)]
                sa = verify_together(all_cores) + verify_together(all_cores)
                strict_cpu += s2
                core_cpu += s1
                all_cpu += sa
                # the bare reference shares the baseline of the logins' burst of the same N,
                # running before it in odd repetitions and after it in even ones
                if n == BARE_N and rep % 2:
                    bare.append(shares(bare_burst(n, phc), s2, s1, sa))
                with c.CpuMeter() as m:
                    r = shares(burst(d, n, pwpath), s2, s1, sa)
                conds.setdefault(n, []).append(m.stop())
                runs[n].append(r)
                c.log(f"N={n}: {r}")
                if n == BARE_N and not rep % 2:
                    bare.append(shares(bare_burst(n, phc), s2, s1, sa))
    cond = meter.stop()
    probe.close()
    for p in all_cores:
        p.close()
    os.unlink(pwpath)
    verification = {}
    for name, xs in (("strict", strict_cpu), ("one_core", core_cpu), ("all_cores", all_cpu)):
        verification[name] = {"cpu_ms": round(c.median(xs) / 1e6, 2), "samples": len(xs),
                              "cpu_ms_min": round(min(xs) / 1e6, 1),
                              "cpu_ms_max": round(max(xs) / 1e6, 1)}
    c.log(f"one verification: {verification}")
    figures, table = [], {}
    for n in NS:
        table[n] = summary(runs[n])
        table[n]["conditions"] = conds[n]
        t = table[n]
        worst = max(conds[n], key=lambda x: x["foreign_cpu_pct"])
        figures.append(c.figure(
            f"6.N={n}", f"{n} concurrent CLI logins: throughput", t["logins_per_s"], "logins/s",
            ">= 90% of ideal (both readings)", min(t["pct_one_core"], t["pct_strict"]) >= 90,
            "scripts/bench.sh concurrency", worst,
            note=(f"{t['pct_one_core']}% of the one-core ideal, {t['pct_strict']}% of the strict "
                  f"one (medians of per-burst shares; {t['pct_all_cores']}% of the all-cores "
                  f"one, not the target); CPU per login process "
                  f"{t['cpu_per_login_s'] * 1e3:.0f} ms; cores busy {t['busy_pct']}%; "
                  f"all exits 0")))
    b = summary(bare)
    table[f"bare{BARE_N}"] = b
    figures.append(c.figure(
        "6.ref", f"reference: {BARE_N} bare verification processes at once (no login work)",
        b["logins_per_s"], "verifications/s", "(reference, not a target)", None,
        "scripts/bench.sh concurrency",
        note=(f"{b['pct_one_core']}% of the one-core ideal, {b['pct_strict']}% of the strict "
              f"one ({b['pct_all_cores']}% of the all-cores one), with the baselines of the "
              f"N = {BARE_N} login bursts they alternate with; CPU per process "
              f"{b['cpu_per_login_s'] * 1e3:.0f} ms; cores busy {b['busy_pct']}%")))
    c.save("concurrency", {"machine": c.machine(), "wait": wait, "reps": reps,
                           "verification": verification, "results": table,
                           "conditions": cond, "figures": figures})


if __name__ == "__main__":
    main()
