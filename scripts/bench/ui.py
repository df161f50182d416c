"""Figure 5: the terminal UI's start-up, memory and idle CPU.

5a. Launch to login screen: spawn `vaultty --data-dir D` in a pseudo-terminal (80x24,
    NO_COLOR; timestamp taken just before the fork), read until the login screen's text
    ("New here?") is on the screen; quit with Ctrl-C; 20 launches, median. The first frame
    (the "Opening the vault" screen, drawn before the store is read) is reported beside it.
5b. Resident memory (VmRSS from /proc/PID/status) after 2 s idle on the login screen and after
    2 s idle on the dashboard.
5c. CPU while idle for 10 s (utime + stime of all threads from /proc/PID/stat), on the
    dashboard (the target) and on the login screen; context switches of all threads too.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
import common as c  # noqa: E402

EMAIL = "real@example.com"
LOGIN_SCREEN = "New here?"


def ctx_switches(pid: int) -> int:
    n = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            for line in (task / "status").read_text().splitlines():
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    n += int(line.split()[1])
        except OSError:
            pass
    return n


def idle(ui: c.Tui, seconds: float) -> dict:
    cpu0, sw0, t0 = c.proc_cpu_seconds(ui.pid), ctx_switches(ui.pid), time.monotonic()
    out0 = len(ui.raw)
    ui.drain(quiet=seconds + 1, limit=seconds)  # keeps reading the pty; the UI should be silent
    wall = time.monotonic() - t0
    cpu = c.proc_cpu_seconds(ui.pid) - cpu0
    return {"seconds": round(wall, 2), "cpu_s": round(cpu, 3),
            "cpu_pct_of_one_core": round(100 * cpu / wall, 2),
            "context_switches": ctx_switches(ui.pid) - sw0, "bytes_drawn": len(ui.raw) - out0,
            "tick_s": 1 / os.sysconf("SC_CLK_TCK")}


def status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def main():
    n = int(os.environ.get("BENCH_UI_LAUNCHES", "20"))
    idle_s = float(os.environ.get("BENCH_UI_IDLE", "10"))
    d = c.fresh_dir("ui")
    c.signup(d, EMAIL)
    wait = c.wait_for_quiet("ui")

    # 5a: launch to login screen
    to_login, to_first, exits = [], [], []
    for i in range(n + 1):
        ui = c.Tui(d)
        t_first = ui.read_until(" vaultty ")
        t_login = ui.read_until(LOGIN_SCREEN)
        exits.append(ui.close())
        if i == 0:
            continue  # warm-up: page cache, dynamic loader
        to_first.append(t_first - ui.spawn_ns)
        to_login.append(t_login - ui.spawn_ns)
        time.sleep(0.2)
    true_spawn = [c.run_true() for _ in range(n)]
    s_login, s_first = c.summary_ms(to_login), c.summary_ms(to_first)
    c.log(f"launch -> first frame {s_first['median_ms']} ms, -> login screen "
          f"{s_login['median_ms']} ms; exits {set(exits)}")
    launch_cond = {"load_start": wait["load_at_start"][0], "load_end": c.loadavg()[0]}

    # 5b / 5c: memory and idle CPU
    ui = c.Tui(d)
    ui.read_until(LOGIN_SCREEN)
    ui.drain(quiet=2.5, limit=2.0)
    rss_login = c.proc_rss_kib(ui.pid)
    with c.CpuMeter([ui.pid]) as m_login:
        idle_login = idle(ui, idle_s)
    ui.type_text(EMAIL)
    ui.type_text("\t")
    ui.type_text(c.PASSWORD)
    ui.write(b"\r")
    ui.read_until("Welcome,")
    ui.drain(quiet=2.5, limit=2.0)
    rss_dash = c.proc_rss_kib(ui.pid)
    hwm = status(ui.pid, "VmHWM")
    with c.CpuMeter([ui.pid]) as m_dash:
        idle_dash = idle(ui, idle_s)
    threads = len(list(Path(f"/proc/{ui.pid}/task").iterdir()))
    rc = ui.close()
    c.log(f"RSS login {rss_login} KiB, dashboard {rss_dash} KiB, peak {hwm} KiB; idle login "
          f"{idle_login}; idle dashboard {idle_dash}")
    cond_dash = m_dash.stop()
    figures = [
        c.figure("5a", "UI launch -> login screen drawn", s_login["median_ms"], "ms", "< 30 ms",
                 s_login["median_ms"] < 30, "scripts/bench.sh ui", launch_cond,
                 note=(f"p90 {s_login['p90_ms']} ms over {n}; first frame ('Opening the vault') "
                       f"{s_first['median_ms']} ms; spawning /bin/true "
                       f"{c.summary_ms(true_spawn)['median_ms']} ms")),
        c.figure("5b", "resident memory idle on the login screen", round(rss_login / 1024, 1),
                 "MiB", "(reported)", None, "scripts/bench.sh ui", {},
                 note="no key typed yet, so no Argon2 memory prepared (it is prepared on the first key)"),
        c.figure("5b'", "resident memory idle on the dashboard", round(rss_dash / 1024, 1), "MiB",
                 "(reported)", None, "scripts/bench.sh ui", {},
                 note=f"peak (VmHWM) {round(hwm / 1024, 1)} MiB; {threads} threads"),
        c.figure("5c", f"CPU idle on the dashboard ({idle_s:.0f} s)",
                 idle_dash["cpu_pct_of_one_core"], "% of a core", "0.0%",
                 idle_dash["cpu_s"] == 0, "scripts/bench.sh ui", cond_dash,
                 note=(f"{idle_dash['cpu_s']} s CPU (clock tick {idle_dash['tick_s']} s), "
                       f"{idle_dash['context_switches']} context switches, "
                       f"{idle_dash['bytes_drawn']} bytes drawn; login screen: "
                       f"{idle_login['cpu_s']} s CPU, {idle_login['context_switches']} "
                       "context switches")),
    ]
    c.save("ui", {"machine": c.machine(), "wait": wait, "launches": n,
                  "launch_to_login": s_login, "launch_to_first_frame": s_first,
                  "true_spawn": c.summary_ms(true_spawn), "rss_kib": {
                      "login_idle": rss_login, "dashboard_idle": rss_dash, "peak": hwm},
                  "idle_login": {**idle_login, "conditions": m_login.stop()},
                  "idle_dashboard": {**idle_dash, "conditions": cond_dash},
                  "threads": threads, "exit_codes": sorted(set(exits + [rc])),
                  "figures": figures})


if __name__ == "__main__":
    main()
