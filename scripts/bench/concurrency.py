"""Figure 6: N CLI logins at once against one store.

One data dir (the store path and the session file are fixed inside it; each login replaces
the session file, which is harmless here) with 32 accounts signed up through the CLI, one per
process: the throttle counts every attempt as a failure before verifying, so N concurrent
logins to one account would lock it at the 5th. For N = 2, 8, 32 (4 repetitions each,
interleaved), the driver starts N `vaultty login --password-stdin` processes back to back
(posix_spawn) and waits for all; throughput = N / (time from the first spawn to the last exit).
Every login must exit 0.

Ideal = cores / CPU time of one verification. One verification's CPU time is measured in the
probe (examples/argon2_probe, fresh memory like the CLI) as the process CPU clock
(CLOCK_PROCESS_CPUTIME_ID: user + system time of all its threads, so both rayon workers and the
kernel's page-fault work count) around `Hasher::verify`; median of 5 per repetition, taken
between the bursts. With p = 4 lanes on 2
cores one verification keeps both cores busy, so its wall time is about half its CPU time.
The whole login process's CPU (wait4 rusage) is reported beside it.
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


def burst(d, n: int, pwpath: str) -> dict:
    devnull = os.open(os.devnull, os.O_WRONLY)
    errs = [tempfile.TemporaryFile() for _ in range(n)]
    env = c.clean_env()
    pids = []
    try:
        t0 = time.perf_counter_ns()
        for i in range(n):
            argv = [str(c.BIN), "--data-dir", str(d), "login", "--email",
                    f"user{i:02d}@example.com", "--password-stdin"]
            fd = os.open(pwpath, os.O_RDONLY)  # its own offset: one open file per child
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
            raise SystemExit(f"N={n}: {len(bad)} logins failed, e.g. user{i:02d}: exit "
                             f"{bad[0][1]}: {errs[i].read().decode(errors='replace')}")
    finally:
        os.close(devnull)
        for e in errs:
            e.close()
    wall = (t1 - t0) / 1e9
    return {"n": n, "wall_s": round(wall, 3), "logins_per_s": round(n / wall, 2),
            "cpu_per_login_s": round(cpu / n, 4)}


def main():
    reps = int(os.environ.get("BENCH_CONC_REPS", "8"))
    ncpu = os.cpu_count() or 1
    d = c.fresh_dir("concurrency")
    for i in range(max(NS)):
        c.signup(d, f"user{i:02d}@example.com", name=f"Bench User {i:02d}")
    with tempfile.NamedTemporaryFile("w", delete=False) as f:
        f.write(c.PASSWORD + "\n")
        pwpath = f.name
    wait = c.wait_for_quiet("concurrency")
    probe = c.Probe()
    probe.set_params(*c.DEFAULT)
    for _ in range(2):
        probe.verify(False)
    burst(d, 2, pwpath)  # warm-up
    # One verification's CPU time is sampled between the bursts (5 per repetition), so it is
    # measured under the same conditions as the bursts it is compared with.
    one = []
    runs = {n: [] for n in NS}
    conds = {}
    with c.CpuMeter([probe.pid]) as meter:
        for _ in range(reps):
            one += [probe.verify(False) for _ in range(5)]
            for n in NS:
                with c.CpuMeter() as m:
                    runs[n].append(burst(d, n, pwpath))
                conds.setdefault(n, []).append(m.stop())
                c.log(f"N={n}: {runs[n][-1]}")
    cond = meter.stop()
    probe.close()
    cpu_verify = c.median([u for _, u in one]) / 1e9
    wall_verify = c.median([w for w, _ in one]) / 1e9
    ideal = ncpu / cpu_verify
    cond_cpu = {"samples": len(one), "cpu_ms_min": round(min(u for _, u in one) / 1e6, 1),
                "cpu_ms_max": round(max(u for _, u in one) / 1e6, 1)}
    c.log(f"one verification: CPU {cpu_verify * 1e3:.1f} ms, wall {wall_verify * 1e3:.1f} ms; "
          f"ideal {ideal:.2f} logins/s on {ncpu} cores; {cond_cpu}")
    os.unlink(pwpath)
    figures, table = [], {}
    for n in NS:
        tput = c.median([r["logins_per_s"] for r in runs[n]])
        cpu_login = c.median([r["cpu_per_login_s"] for r in runs[n]])
        share = round(tput / ideal * 100, 1)
        table[n] = {"logins_per_s": tput, "pct_of_ideal": share,
                    "cpu_per_login_s": cpu_login, "runs": runs[n], "conditions": conds[n]}
        worst = max(conds[n], key=lambda x: x["foreign_cpu_pct"])
        figures.append(c.figure(
            f"6.N={n}", f"{n} concurrent CLI logins: throughput", tput, "logins/s",
            f">= 90% of ideal {ideal:.2f}/s", share >= 90, "scripts/bench.sh concurrency",
            worst, note=(f"{share}% of ideal; CPU per login process {cpu_login * 1e3:.0f} ms "
                         f"vs {cpu_verify * 1e3:.0f} ms per verification; all exits 0")))
    c.save("concurrency", {"machine": c.machine(), "wait": wait, "reps": reps,
                           "verification": {"cpu_ms": round(cpu_verify * 1e3, 2),
                                            "wall_ms": round(wall_verify * 1e3, 2),
                                            "conditions": cond_cpu},
                           "ideal_logins_per_s": round(ideal, 3), "results": table,
                           "conditions": cond, "figures": figures})


if __name__ == "__main__":
    main()
