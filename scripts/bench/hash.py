"""Figure 1: Argon2id verification, vaultty against the reference C implementation.

Four implementations, alternated inside one run (each round runs each once, in an order
shuffled per round with the round number as seed: common.round_order), at three parameter sets:

- vaultty, fresh memory: `Hasher::verify` in examples/argon2_probe (as the CLI runs it)
- vaultty, prepared memory: `Hasher::verify_in` with a `Workspace` (as the UI runs it)
- Debian's libargon2.so.1 (package libargon2-1), through ctypes: `argon2_verify`
- argon2-cffi-bindings' bundled libargon2, through its cffi `lib`: `argon2_verify`
- an experiment, not vaultty's code (`verify_mmap` in the probe): the argon2 crate in memory
  from a fresh anonymous mmap, faulted in during the parallel fill: what a change to
  `Hasher::verify`'s fresh-memory path would gain (see BENCHMARKS.md)

Every C call verifies an encoded hash made by the same library with lanes = threads = p. The
C libraries and the probe run with glibc's mmap threshold fixed (see common.py), so each
verification gets fresh pages as a one-shot process would.
"""

from __future__ import annotations

import ctypes
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import common as c  # noqa: E402

c.ensure_fresh_memory_tunable()

ARGON2_ID = 2  # argon2_type Argon2_id
SALT = b"vaultty-bench-salt"


class DebianRef:
    """Debian's libargon2 (package libargon2-1) via ctypes."""

    name = "debian_libargon2"

    def __init__(self):
        self.lib = ctypes.CDLL("libargon2.so.1")
        self.lib.argon2id_hash_encoded.argtypes = [
            ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t,
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]
        self.lib.argon2id_hash_raw.argtypes = [
            ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t,
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t]
        self.lib.argon2_verify.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
                                           ctypes.c_int]
        self.lib.argon2_error_message.restype = ctypes.c_char_p
        self.encoded = b""

    def setup(self, m, t, p, pw: bytes):
        buf = ctypes.create_string_buffer(256)
        rc = self.lib.argon2id_hash_encoded(t, m, p, pw, len(pw), SALT, len(SALT), 32, buf, 256)
        if rc != 0:
            raise RuntimeError(self.lib.argon2_error_message(rc))
        self.encoded = buf.value

    def verify(self, pw: bytes):
        rc = self.lib.argon2_verify(self.encoded, pw, len(pw), ARGON2_ID)
        if rc != 0:
            raise RuntimeError(self.lib.argon2_error_message(rc))

    def hash_raw(self, m, t, p, pw: bytes):
        out = ctypes.create_string_buffer(32)
        rc = self.lib.argon2id_hash_raw(t, m, p, pw, len(pw), SALT, len(SALT), out, 32)
        if rc != 0:
            raise RuntimeError(self.lib.argon2_error_message(rc))


class CffiRef:
    """argon2-cffi-bindings' bundled libargon2 (`_argon2_cffi_bindings._ffi`)."""

    name = "cffi_bindings"

    def __init__(self):
        from _argon2_cffi_bindings import ffi, lib  # noqa: PLC0415

        self.ffi, self.lib = ffi, lib
        self.encoded = b""

    def _hash(self, m, t, p, pw: bytes, encoded: bool):
        ffi, lib = self.ffi, self.lib
        out = ffi.new("uint8_t[]", 32)
        enc_len = lib.argon2_encodedlen(t, m, p, len(SALT), 32, lib.Argon2_id) if encoded else 0
        enc = ffi.new("char[]", enc_len) if encoded else ffi.NULL
        rc = lib.argon2_hash(t, m, p, pw, len(pw), SALT, len(SALT), out, 32, enc, enc_len,
                             lib.Argon2_id, lib.ARGON2_VERSION_13)
        if rc != lib.ARGON2_OK:
            raise RuntimeError(ffi.string(lib.argon2_error_message(rc)))
        return ffi.string(enc) if encoded else None

    def setup(self, m, t, p, pw: bytes):
        self.encoded = self._hash(m, t, p, pw, True)

    def verify(self, pw: bytes):
        rc = self.lib.argon2_verify(self.encoded, pw, len(pw), self.lib.Argon2_id)
        if rc != self.lib.ARGON2_OK:
            raise RuntimeError(self.ffi.string(self.lib.argon2_error_message(rc)))

    def hash_raw(self, m, t, p, pw: bytes):
        self._hash(m, t, p, pw, False)


def timed_c(fn) -> tuple[int, int]:
    """Wall and process CPU time of one in-process C call (the C library's threads included)."""
    c0, t0 = c.time.process_time_ns(), c.time.perf_counter_ns()
    fn()
    return c.time.perf_counter_ns() - t0, c.time.process_time_ns() - c0


SETS = [("vaultty default", c.DEFAULT), ("OWASP floor", c.OWASP), ("256 MiB", c.BIG)]
IMPLS = ["vaultty_fresh", "vaultty_prepared", "debian_libargon2", "cffi_bindings",
         "mmap_experiment"]


def main():
    rounds = int(os.environ.get("BENCH_HASH_ROUNDS", "15"))
    pw = c.PASSWORD.encode()
    wait = c.wait_for_quiet("hash")
    probe = c.Probe()
    deb, cffi = DebianRef(), CffiRef()
    sets_out = []
    figures = []
    for label, (m, t, p) in SETS:
        _, how = probe.set_params(m, t, p)
        deb.setup(m, t, p, pw)
        cffi.setup(m, t, p, pw)
        calls = {
            "vaultty_fresh": lambda: probe.verify(False),
            "vaultty_prepared": lambda: probe.verify(True),
            "debian_libargon2": lambda: timed_c(lambda: deb.verify(pw)),
            "cffi_bindings": lambda: timed_c(lambda: cffi.verify(pw)),
            "mmap_experiment": probe.verify_mmap,
        }
        for name in IMPLS:  # warm-up: thread pools, code and the probe's workspace
            calls[name]()
        timings, cond = c.alternate({k: calls[k] for k in IMPLS}, rounds, [probe.pid])
        stats = {k: c.timing_stats(timings[k]) for k in IMPLS}
        med = {k: stats[k]["median_ms"] for k in IMPLS}
        ratios = {
            "fresh/debian": round(med["vaultty_fresh"] / med["debian_libargon2"], 3),
            "fresh/cffi": round(med["vaultty_fresh"] / med["cffi_bindings"], 3),
            "prepared/debian": round(med["vaultty_prepared"] / med["debian_libargon2"], 3),
            "prepared/cffi": round(med["vaultty_prepared"] / med["cffi_bindings"], 3),
            "mmap_experiment/debian": round(med["mmap_experiment"] / med["debian_libargon2"], 3),
        }
        c.log(f"{label} m={m} t={t} p={p}: " + ", ".join(f"{k} {v} ms" for k, v in med.items())
              + f"; ratios {ratios}; {cond}")
        sets_out.append({"label": label, "m_kib": m, "t": t, "p": p, "hash_params": how,
                         "stats": stats, "ratios": ratios, "conditions": cond})
        figures.append(c.figure(
            f"1.{label}", f"verify, vaultty fresh / Debian ref (portable), m={m} t={t} p={p}",
            ratios["fresh/debian"], "x", "<= 1.0x", ratios["fresh/debian"] <= 1.0,
            "scripts/bench.sh hash", cond,
            note=(f"vaultty fresh {med['vaultty_fresh']} ms, prepared {med['vaultty_prepared']} ms; "
                  f"Debian libargon2 {med['debian_libargon2']} ms; "
                  f"argon2-cffi-bindings {med['cffi_bindings']} ms; "
                  f"fresh/cffi {ratios['fresh/cffi']}x, prepared/cffi {ratios['prepared/cffi']}x; "
                  f"mmap experiment {med['mmap_experiment']} ms")))
    probe.close()
    import codepaths  # noqa: PLC0415

    c.save("hash", {"machine": c.machine(), "wait": wait, "rounds": rounds, "sets": sets_out,
                    "code_paths": codepaths.main(),
                    "figures": figures,
                    "glibc_tunables": c.FRESH_MEMORY_TUNABLE})


if __name__ == "__main__":
    main()
