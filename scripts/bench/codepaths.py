"""Which Argon2 code path each C reference was built from: the portable reference (ref.c,
scalar 64-bit arithmetic: `imul` + `ror` for BlaMka and the rotations) or the optimized one
(opt.c, SSE2 intrinsics: `pmuludq` for BlaMka's 32x32->64 multiply; `pshufb` with SSSE3;
`vpmuludq`/ymm with AVX2). Counts those instructions in each library's disassembly.

Debian's build: debian/rules exports OPTTARGET=$(DEB_TARGET_GNU_CPU), i.e. "x86_64"; upstream's
Makefile compiles opt.c with -march=$(OPTTARGET) as a test and falls back to ref.c when that
fails, and GCC has no -march=x86_64 (it is spelled x86-64), so amd64 builds ref.c. The
disassembly confirms it (no pmuludq).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

INSNS = ["pmuludq", "vpmuludq", "pshufb", "ymm", "ror ", "imul "]


def libraries() -> dict[str, Path]:
    libs = {"debian_libargon2": Path("/usr/lib/x86_64-linux-gnu/libargon2.so.1")}
    try:
        import _argon2_cffi_bindings  # noqa: PLC0415

        libs["cffi_bindings"] = next(Path(_argon2_cffi_bindings.__file__).parent.glob("_ffi*.so"))
    except (ImportError, StopIteration):
        pass
    return libs


def inspect(path: Path) -> dict:
    try:
        dis = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(path)],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        return {"path": str(path), "error": str(e)}
    counts = {i.strip(): dis.count(i) for i in INSNS}
    if counts["vpmuludq"] or counts["ymm"]:
        verdict = "opt.c (AVX2)"
    elif counts["pmuludq"]:
        verdict = "opt.c (SSE2" + (", SSSE3)" if counts["pshufb"] else ", no SSSE3/AVX)")
    else:
        verdict = "ref.c (portable, scalar)"
    return {"path": str(path.resolve()), "counts": counts, "code_path": verdict}


def main() -> dict:
    out = {name: inspect(p) for name, p in libraries().items()}
    # vaultty itself: RustCrypto's argon2 crate, whose compression function has an AVX2
    # version selected at run time (cpufeatures) and a portable one.
    root = Path(__file__).resolve().parents[2]
    v = inspect(root / "target" / "release" / "vaultty")
    if "counts" in v:
        has_avx2 = "avx2" in Path("/proc/cpuinfo").read_text()
        v["code_path"] = ("argon2 crate, AVX2 compress compiled in"
                          if v["counts"]["vpmuludq"] else "argon2 crate, portable only") + (
            "; this CPU has AVX2, so it runs" if has_avx2 else "; this CPU lacks AVX2")
    out["vaultty"] = v
    try:
        from importlib.metadata import version  # noqa: PLC0415

        out.setdefault("cffi_bindings", {})["version"] = version("argon2-cffi-bindings")
    except Exception:  # noqa: BLE001
        pass
    try:
        deb = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libargon2-1"],
                             capture_output=True, text=True).stdout
        out["debian_libargon2"]["version"] = deb
    except OSError:
        pass
    return out


if __name__ == "__main__":
    json.dump(main(), sys.stdout, indent=2)
    print()
