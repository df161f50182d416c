"""Figure 5: the terminal UI's start-up, memory and idle CPU.

5a. Launch to login screen: spawn `vaultty --data-dir D` in a pseudo-terminal (80x24,
    NO_COLOR; timestamp taken just before the fork), read until the login screen's text
    ("New here?") is on the screen; quit with Ctrl-C; 20 launches, median. The first frame
    (the "Opening the vault" screen, drawn before the store is read) is reported beside it.
5b. Resident memory (VmRSS from /proc/PID/status) after 2 s idle on the login screen and after
    2 s idle on the dashboard.
5c. CPU while idle for 10 s (utime + stime of all threads from /proc/PID/stat), on the
    dashboard (the target) and on the login screen; context switches of all threads too.
5d. Signup and password change: the UI's Enter-to-answer ("Account created", "Password
    changed") against the CLI's whole `--password-stdin` run with the same passwords, one
    after the other in each round, each after the same idle pause (BENCH_FORMS_IDLE, 1.5 s;
    an idle VM makes the next fresh memory dearer, so both get the same pause). 15 rounds
    (BENCH_FORMS_ROUNDS), medians; target: the UI within 10% of the CLI.
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


NEW_PASSWORD = "violet tractor lantern quietly seven"


def forms(rounds: int, pause: float) -> dict:
    """5d: (CLI, UI) milliseconds per round for signup and for a password change."""
    out = {"signup": [], "passwd": []}
    for r in range(rounds):
        d = c.fresh_dir(f"forms-cli-{r}")
        time.sleep(pause)
        cli = c.run_cli(["--data-dir", str(d), "signup", "--email", EMAIL, "--name",
                         c.REAL_NAME, "--password-stdin"], c.PASSWORD + "\n")
        assert cli.rc == 0, cli.stderr
        login = c.run_cli(["--data-dir", str(d), "login", "--email", EMAIL, "--password-stdin"],
                          c.PASSWORD + "\n")
        assert login.rc == 0, login.stderr
        time.sleep(pause)
        cli_pw = c.run_cli(["--data-dir", str(d), "passwd", "--password-stdin"],
                           c.PASSWORD + "\n" + NEW_PASSWORD + "\n")
        assert cli_pw.rc == 0, cli_pw.stderr

        d = c.fresh_dir(f"forms-ui-{r}")
        ui = c.Tui(d)
        ui.read_until(LOGIN_SCREEN)
        ui.write(b"\x0e")  # Ctrl-N
        ui.read_until("Confirm password")
        for text in (c.REAL_NAME, "\t", EMAIL, "\t", c.PASSWORD, "\t", c.PASSWORD):
            ui.type_text(text)
        ui.drain(quiet=pause, limit=pause)
        t0 = ui.write(b"\r")
        signup_ns = ui.read_until("Account created") - t0
        ui.type_text(c.PASSWORD)
        ui.write(b"\r")
        ui.read_until("Welcome,")
        ui.write(b"p")
        ui.read_until("Current password")
        for text in (c.PASSWORD, "\t", NEW_PASSWORD, "\t", NEW_PASSWORD):
            ui.type_text(text)
        ui.drain(quiet=pause, limit=pause)
        t0 = ui.write(b"\r")
        passwd_ns = ui.read_until("Password changed") - t0
        ui.close()
        out["signup"].append((cli.wall_ns / 1e6, signup_ns / 1e6))
        out["passwd"].append((cli_pw.wall_ns / 1e6, passwd_ns / 1e6))
    return out


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
    # 5d: signup and password change, UI against CLI
    rounds = int(os.environ.get("BENCH_FORMS_ROUNDS", "15"))
    pause = float(os.environ.get("BENCH_FORMS_IDLE", "1.5"))
    with c.CpuMeter() as m_forms:
        pairs = forms(rounds, pause)
    cond_forms = m_forms.stop()
    forms_summary = {}
    for what, xs in pairs.items():
        cli_ms = c.median([a for a, _ in xs])
        ui_ms = c.median([b for _, b in xs])
        forms_summary[what] = {"cli_ms": round(cli_ms, 1), "ui_ms": round(ui_ms, 1),
                               "ratio": round(ui_ms / cli_ms, 2),
                               "pairs_ms": [(round(a, 1), round(b, 1)) for a, b in xs]}
    c.log(f"forms: {forms_summary}")
    fs, fp = forms_summary["signup"], forms_summary["passwd"]
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
    figures.append(c.figure(
        "5d", "UI signup / password change, Enter to answer, against the CLI's run",
        f"{fs['ratio']} / {fp['ratio']}", "x the CLI", "<= 1.10", max(fs["ratio"], fp["ratio"]) <= 1.10,
        "scripts/bench.sh ui", cond_forms,
        note=(f"signup UI {fs['ui_ms']} ms vs CLI {fs['cli_ms']} ms; password change UI "
              f"{fp['ui_ms']} ms vs CLI {fp['cli_ms']} ms; medians of {rounds} rounds")))
    c.save("ui", {"machine": c.machine(), "wait": wait, "launches": n,
                  "launch_to_login": s_login, "launch_to_first_frame": s_first,
                  "true_spawn": c.summary_ms(true_spawn), "rss_kib": {
                      "login_idle": rss_login, "dashboard_idle": rss_dash, "peak": hwm},
                  "idle_login": {**idle_login, "conditions": m_login.stop()},
                  "idle_dashboard": {**idle_dash, "conditions": cond_dash},
                  "threads": threads, "forms": forms_summary, "exit_codes": sorted(set(exits + [rc])),
                  "figures": figures})


if __name__ == "__main__":
    main()
