"""Shared helpers of the benchmark harness (scripts/bench.sh runs the parts).

Nothing here is part of vaultty. Python 3.11, standard library only (argon2-cffi-bindings is
imported by hash.py / latency.py, which bench.sh installs).
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "target" / "release" / "vaultty"
PROBE = ROOT / "target" / "release" / "examples" / "argon2_probe"
SEED = ROOT / "target" / "release" / "examples" / "seed"
LOGIN_OVERHEAD = ROOT / "target" / "release" / "examples" / "login_overhead"
OUT = Path(os.environ.get("BENCH_OUT", ROOT / "target" / "bench"))
RESULTS = OUT / "results"
DATA = OUT / "data"

PASSWORD = "correct horse battery staple lamp"
WRONG_PASSWORD = "violet tractor sings under amber rain"
REAL_NAME = "Real Person"

DEFAULT = (65536, 3, 4)
OWASP = (19456, 2, 1)
BIG = (262144, 3, 4)

LOAD_LIMIT = float(os.environ.get("BENCH_LOAD_LIMIT", "0.7"))
LOAD_POLL = float(os.environ.get("BENCH_LOAD_POLL", "15"))
LOAD_MAX_WAIT = float(os.environ.get("BENCH_LOAD_MAX_WAIT", "1200"))

# glibc adjusts its mmap threshold upwards after the first large free, after which blocks of
# up to 32 MiB are recycled from the heap, already mapped. A one-shot process (the CLI) always
# gets fresh pages; so that "fresh memory" means the same in a long-running driver, the
# drivers and the probe run with a fixed threshold: every allocation above 128 KiB is a new
# mmap, freed with munmap.
FRESH_MEMORY_TUNABLE = "glibc.malloc.mmap_threshold=131072"


def ensure_fresh_memory_tunable() -> None:
    """Re-executes this interpreter with the fixed mmap threshold if it is not set yet."""
    if FRESH_MEMORY_TUNABLE not in os.environ.get("GLIBC_TUNABLES", ""):
        env = dict(os.environ)
        env["GLIBC_TUNABLES"] = ":".join(
            x for x in (env.get("GLIBC_TUNABLES"), FRESH_MEMORY_TUNABLE) if x
        )
        os.execve(sys.executable, [sys.executable, *sys.argv], env)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- machine & load


def loadavg() -> tuple[float, float, float]:
    a = Path("/proc/loadavg").read_text().split()
    return float(a[0]), float(a[1]), float(a[2])


def wait_for_quiet(phase: str) -> dict:
    """Waits until the 1-minute load average is below LOAD_LIMIT (polling every LOAD_POLL s,
    at most LOAD_MAX_WAIT s). Returns what happened, for the results."""
    t0 = time.monotonic()
    first = loadavg()
    while True:
        la = loadavg()
        waited = time.monotonic() - t0
        if la[0] < LOAD_LIMIT:
            log(f"{phase}: load {la[0]:.2f} < {LOAD_LIMIT} after {waited:.0f} s; measuring")
            return {"phase": phase, "load_before_wait": first, "load_at_start": la,
                    "waited_s": round(waited), "quiet": True}
        if waited >= LOAD_MAX_WAIT:
            log(f"{phase}: load still {la[0]:.2f} after {waited:.0f} s; measuring anyway")
            return {"phase": phase, "load_before_wait": first, "load_at_start": la,
                    "waited_s": round(waited), "quiet": False}
        log(f"{phase}: load {la[0]:.2f} >= {LOAD_LIMIT}; waiting ({waited:.0f} s so far)")
        time.sleep(LOAD_POLL)


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    flags = set()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])

    def sh(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
        except OSError:
            return ""

    thp = Path("/sys/kernel/mm/transparent_hugepage/enabled")
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "simd": sorted(f for f in flags if f in {"sse2", "ssse3", "sse4_1", "avx", "avx2", "avx512f"}),
        "mem_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "thp": thp.read_text().strip() if thp.exists() else "",
        "rustc": sh("rustc", "--version"),
        "git_head": sh("git", "rev-parse", "--short", "HEAD"),
        "git_dirty": sh("git", "status", "--short", "--untracked-files=no").splitlines(),
        "load_now": loadavg(),
    }


class CpuMeter:
    """How much CPU the rest of the machine used while we measured: system-wide busy time from
    /proc/stat minus the CPU of this process, its reaped children and the live processes we
    name (probe, UI). Reported as a share of all cores."""

    def __init__(self, pids: list[int] | None = None):
        self.pids = list(pids or [])
        self.hz = os.sysconf("SC_CLK_TCK")
        self.ncpu = os.cpu_count() or 1

    @staticmethod
    def _system() -> tuple[float, float]:
        """(busy, steal) jiffies of all CPUs: busy = user + nice + system + irq + softirq;
        steal = time the hypervisor gave our virtual CPUs to someone else."""
        f = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return float(f[0] + f[1] + f[2] + f[5] + f[6]), float(f[7])

    def _mine(self) -> float:
        ru_s = os.times()
        total = ru_s.user + ru_s.system + ru_s.children_user + ru_s.children_system
        for pid in self.pids:
            total += proc_cpu_seconds(pid) or 0.0
        return total

    def __enter__(self):
        self.t0 = time.monotonic()
        self.sys0 = self._system()
        self.mine0 = self._mine()
        self.load0 = loadavg()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self) -> dict:
        if hasattr(self, "result"):
            return self.result
        sys1 = self._system()
        mine1 = self._mine()
        wall = time.monotonic() - self.t0
        busy = (sys1[0] - self.sys0[0]) / self.hz
        steal = (sys1[1] - self.sys0[1]) / self.hz
        mine = mine1 - self.mine0
        foreign = max(0.0, busy - mine)
        cap = wall * self.ncpu
        self.result = {
            "wall_s": round(wall, 1),
            "load_start": self.load0[0],
            "load_end": loadavg()[0],
            "foreign_cpu_pct": round(100 * foreign / cap, 1) if cap > 0 else 0.0,
            "steal_pct": round(100 * steal / cap, 1) if cap > 0 else 0.0,
        }
        return self.result


def proc_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a live process (all its threads), in seconds."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# ---------------------------------------------------------------------------- statistics


def median(xs):
    return statistics.median(xs)


def summary_ms(ns: list[int]) -> dict:
    ms = sorted(x / 1e6 for x in ns)
    q = statistics.quantiles(ms, n=10) if len(ms) >= 2 else [ms[0]] * 9
    return {"n": len(ms), "median_ms": round(statistics.median(ms), 2),
            "p10_ms": round(q[0], 2), "p90_ms": round(q[-1], 2),
            "min_ms": round(ms[0], 2), "max_ms": round(ms[-1], 2)}


def alternate(calls: dict, rounds: int, pids: list[int] | None = None) -> tuple[dict, dict]:
    """Runs every call of `calls` (name -> () -> result) once per round, in `round_order`,
    for `rounds` rounds, while a CpuMeter (naming `pids`) watches the rest of the machine.
    Returns the results per name, in round order, and the meter's conditions."""
    out = {k: [] for k in calls}
    with CpuMeter(pids) as meter:
        for r in range(rounds):
            for name in round_order(list(calls), r):
                out[name].append(calls[name]())
    return out, meter.stop()


def timing_stats(timings: list[tuple[int, int]]) -> dict:
    """summary_ms of the walls of (wall ns, CPU ns) pairs, plus the median CPU time in ms."""
    return {**summary_ms([w for w, _ in timings]),
            "cpu_median_ms": round(median([u for _, u in timings]) / 1e6, 2)}


def round_order(names: list[str], r: int) -> list[str]:
    """The order of the implementations in round `r`: a shuffle seeded by the round number,
    so every implementation runs equally often at each position and after each other one
    (a fixed rotation always puts the same predecessor before each, and what ran just before
    a measurement, e.g. a 64 MiB munmap or spinning worker threads, can bias it)."""
    order = list(names)
    random.Random(r).shuffle(order)
    return order


def bootstrap_ci(a: list[float], b: list[float] | None = None, iters: int = 2000,
                 seed: int = 1) -> tuple[float, float]:
    """95% bootstrap interval of median(a) - median(b) (a and b resampled independently), or
    of median(a) alone when b is None. Same units as the inputs."""
    rng = random.Random(seed)
    stats = []
    for _ in range(iters):
        ra = statistics.median(rng.choices(a, k=len(a)))
        rb = statistics.median(rng.choices(b, k=len(b))) if b is not None else 0.0
        stats.append(ra - rb)
    stats.sort()
    return stats[int(0.025 * iters)], stats[int(0.975 * iters) - 1]


# ---------------------------------------------------------------------------- results


def save(part: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"part": part, "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), **payload}
    p = RESULTS / f"{part}.json"
    p.write_text(json.dumps(payload, indent=2) + "\n")
    log(f"wrote {p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}")
    return p


def figure(fid: str, name: str, value, unit: str, target: str, ok: bool | None,
           command: str, meter: dict | None = None, note: str = "") -> dict:
    return {"id": fid, "name": name, "value": value, "unit": unit, "target": target,
            "met": ok, "command": command, "conditions": meter or {}, "note": note}


# ---------------------------------------------------------------------------- processes


def fresh_dir(name: str) -> Path:
    """An empty directory under the bench data dir (vaultty creates the data dir itself)."""
    base = DATA / name
    if base.exists():
        subprocess.run(["rm", "-rf", str(base)], check=True)
    base.mkdir(parents=True)
    return base


@dataclass
class Run:
    rc: int
    wall_ns: int
    cpu_s: float
    stderr: str = ""
    stdout: str = ""


def run_cli(args: list[str], stdin_text: str = "", env: dict | None = None,
            binary: Path | None = None) -> Run:
    """Runs the vaultty binary (or `binary`) once (posix_spawn + wait4): wall time from just
    before the spawn to the reaped exit, CPU time (user + system) of the child from wait4's
    rusage. Standard input comes from a file, output goes to files (read afterwards)."""
    with tempfile.TemporaryFile() as inp, tempfile.TemporaryFile() as out, \
            tempfile.TemporaryFile() as err:
        inp.write(stdin_text.encode())
        inp.flush()
        inp.seek(0)
        argv = [str(binary or BIN), *args]
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(
            argv[0], argv, env if env is not None else clean_env(),
            file_actions=[(os.POSIX_SPAWN_DUP2, inp.fileno(), 0),
                          (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                          (os.POSIX_SPAWN_DUP2, err.fileno(), 2)])
        _, status, ru = os.wait4(pid, 0)
        t1 = time.perf_counter_ns()
        out.seek(0)
        err.seek(0)
        return Run(os.waitstatus_to_exitcode(status), t1 - t0, ru.ru_utime + ru.ru_stime,
                   err.read().decode(errors="replace"), out.read().decode(errors="replace"))


def run_true() -> int:
    """Wall time of spawning and reaping /bin/true: the floor any process launch pays here."""
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn("/bin/true", ["/bin/true"], clean_env())
    os.waitpid(pid, 0)
    return time.perf_counter_ns() - t0


def clean_env() -> dict:
    """The environment for vaultty itself: without the drivers' glibc tunable, so the product
    runs exactly as a user would run it."""
    env = {k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES", "VAULTTY_DATA_DIR")}
    env.setdefault("TERM", "xterm-256color")
    return env


def login_overhead(a: Path, b: Path, rounds: int) -> list[tuple[int, int]]:
    """examples/login_overhead: `rounds` pairs (ns on store a, ns on store b) of a login's store
    work, timed in-process with a cheap hash (see that file)."""
    out = subprocess.run([str(LOGIN_OVERHEAD), "--rounds", str(rounds), str(a), str(b)],
                         capture_output=True, text=True, env=clean_env())
    if out.returncode != 0:
        raise SystemExit(f"login_overhead failed: {out.stderr}")
    return [(int(x), int(y)) for x, y in (line.split() for line in out.stdout.splitlines())]


def signup(data_dir: Path, email: str, name: str = REAL_NAME, password: str = PASSWORD) -> None:
    r = run_cli(["--data-dir", str(data_dir), "signup", "--email", email, "--name", name,
                 "--password-stdin"], password + "\n")
    if r.rc != 0:
        raise SystemExit(f"signup {email} failed (exit {r.rc}): {r.stderr}")


class Probe:
    """The examples/argon2_probe process: one vaultty verification per request, timed inside
    the process (wall ns, process CPU ns)."""

    def __init__(self, extra_env: dict | None = None):
        env = dict(clean_env(), GLIBC_TUNABLES=FRESH_MEMORY_TUNABLE, **(extra_env or {}))
        self.p = subprocess.Popen([str(PROBE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, bufsize=1, env=env)
        self.pid = self.p.pid
        self.params = None

    def ask(self, line: str) -> str:
        self.send(line)
        return self.answer(line)

    def send(self, line: str) -> None:
        """Sends a command without waiting for its answer (see `answer`), so that several
        probes can work at the same moment."""
        assert self.p.stdin
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def answer(self, line: str) -> str:
        """The answer to the command `line` sent last."""
        assert self.p.stdout
        ans = self.p.stdout.readline().strip()
        if not ans or ans.startswith("err"):
            raise RuntimeError(f"probe: {line!r} -> {ans!r}")
        return ans

    def set_params(self, m: int, t: int, p: int) -> tuple[str, str]:
        _, phc, how = self.ask(f"params {m} {t} {p}").split()
        self.params = (m, t, p)
        return phc, how

    def verify(self, prepared: bool = False) -> tuple[int, int]:
        wall, cpu = self.ask("verify_in" if prepared else "verify").split()
        return int(wall), int(cpu)

    def verify_mmap(self) -> tuple[int, int]:
        """The probe's experiment: fresh memory from mmap, faulted in during the fill."""
        wall, cpu = self.ask("verify_mmap").split()
        return int(wall), int(cpu)

    def close(self):
        try:
            self.ask("quit")
        except Exception:
            pass
        self.p.wait(timeout=10)


# ---------------------------------------------------------------------------- the UI in a pty


_TOKEN = re.compile(rb"\x1b\[([0-9;?]*)([A-Za-z@])|\x1b[()][0-9A-Za-z]|\x1b[=>78]|[\r\n\x08]|[^\x1b\r\n\x08]+")


class Screen:
    """A minimal model of the terminal, enough for ratatui's output: cursor positioning (CUP),
    erase (ED/EL) and text; SGR and modes are ignored. Used only to find text on the screen
    robustly (ratatui redraws only changed cells, so words can be split in the byte stream)."""

    def __init__(self, rows: int, cols: int):
        self.rows, self.cols = rows, cols
        self.clear()

    def clear(self):
        self.grid = [[" "] * self.cols for _ in range(self.rows)]
        self.r = self.c = 0

    def feed(self, data: bytes):
        for m in _TOKEN.finditer(data):
            tok = m.group(0)
            if m.group(2) is not None:
                params, cmd = m.group(1), m.group(2)
                if params.startswith(b"?"):
                    continue
                nums = [int(x) if x else 0 for x in params.split(b";")] if params else []
                if cmd in (b"H", b"f"):
                    self.r = max(0, min(self.rows - 1, (nums[0] if nums and nums[0] else 1) - 1))
                    self.c = max(0, min(self.cols - 1, (nums[1] if len(nums) > 1 and nums[1] else 1) - 1))
                elif cmd == b"J":
                    if (nums[0] if nums else 0) in (2, 3):
                        self.grid = [[" "] * self.cols for _ in range(self.rows)]
                elif cmd == b"K":
                    for i in range(self.c, self.cols):
                        self.grid[self.r][i] = " "
                continue
            if tok.startswith(b"\x1b"):
                continue
            if tok == b"\r":
                self.c = 0
                continue
            if tok == b"\n":
                self.r = min(self.rows - 1, self.r + 1)
                continue
            if tok == b"\x08":
                self.c = max(0, self.c - 1)
                continue
            for ch in tok.decode("utf-8", errors="replace"):
                if self.c < self.cols:
                    self.grid[self.r][self.c] = ch
                self.c += 1

    def text(self) -> str:
        return "\n".join("".join(row) for row in self.grid)


class Tui:
    """vaultty's terminal UI in a pseudo-terminal (80x24, NO_COLOR)."""

    def __init__(self, data_dir: Path, rows: int = 24, cols: int = 80):
        import pty  # noqa: PLC0415  (only the UI parts need it)

        env = dict(clean_env(), TERM="xterm-256color", NO_COLOR="1")
        argv = [str(BIN), "--data-dir", str(data_dir)]
        winsize = struct.pack("HHHH", rows, cols, 0, 0)
        self.screen = Screen(rows, cols)
        self.spawn_ns = time.perf_counter_ns()
        pid, fd = pty.fork()
        if pid == 0:  # child: the pty's slave is our controlling terminal and stdio
            try:
                import fcntl  # noqa: PLC0415
                import termios  # noqa: PLC0415

                fcntl.ioctl(0, termios.TIOCSWINSZ, winsize)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.first_output_ns: int | None = None
        self.last_read_ns = self.spawn_ns
        self.raw = bytearray()

    def _read(self, timeout: float) -> tuple[bytes, int] | None:
        r, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not r:
            return None
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:
            return b"", time.perf_counter_ns()
        t = time.perf_counter_ns()
        self.last_read_ns = t
        self.raw += data
        if self.first_output_ns is None and data:
            self.first_output_ns = t
        return data, t

    def read_until(self, text: str, timeout: float = 10.0) -> int:
        """Reads until `text` is on the screen; returns the time (perf_counter_ns) of the read
        that completed it."""
        if text in self.screen.text():
            return self.last_read_ns
        deadline = time.monotonic() + timeout
        while True:
            got = self._read(deadline - time.monotonic())
            if got is None:
                raise TimeoutError(f"{text!r} did not appear within {timeout} s; screen:\n"
                                   + self.screen.text())
            data, t = got
            if not data:
                raise EOFError(f"the UI exited before {text!r} appeared")
            self.screen.feed(data)
            if text in self.screen.text():
                return t

    def drain(self, quiet: float = 0.05, limit: float = 5.0) -> None:
        """Reads until the UI has been silent for `quiet` seconds."""
        end = time.monotonic() + limit
        while (left := end - time.monotonic()) > 0:
            got = self._read(min(quiet, left))
            if got is None:
                if quiet <= left:
                    return
                continue
            if not got[0]:
                return
            self.screen.feed(got[0])

    def write(self, data: bytes) -> int:
        t = time.perf_counter_ns()
        os.write(self.fd, data)
        return t

    def type_text(self, s: str, gap: float = 0.004) -> None:
        """Types like a (fast) person: one key per write."""
        for ch in s:
            os.write(self.fd, ch.encode())
            self.drain(quiet=gap, limit=1.0)

    def close(self) -> int:
        try:
            os.write(self.fd, b"\x03")  # Ctrl-C
        except OSError:
            pass
        deadline = time.monotonic() + 5
        status = None
        while time.monotonic() < deadline:
            self.drain(quiet=0.02, limit=0.2)
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                status = st
                break
        if status is None:
            os.kill(self.pid, signal.SIGKILL)
            _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


@dataclass
class Table:
    """Rows for a plain-text table (the summary)."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def render(self) -> str:
        w = [max(len(str(r[i])) for r in [self.header, *self.rows]) for i in range(len(self.header))]
        line = lambda r: "  ".join(str(c).ljust(w[i]) for i, c in enumerate(r))  # noqa: E731
        return "\n".join([line(self.header), line(["-" * x for x in w]), *map(line, self.rows)])
