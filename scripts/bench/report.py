"""Prints the summary table of the last run (target/bench/results/*.json) and writes it as
Markdown to target/bench/summary.md (the source of BENCHMARKS.md's tables)."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import common as c  # noqa: E402

PARTS = ["hash", "latency", "login", "scale", "ui", "concurrency"]


def fmt_value(f: dict) -> str:
    v, u = f["value"], f["unit"]
    return f"{v} {u}" if u not in ("x", "%") else f"{v}{u}"


def fmt_met(f: dict) -> str:
    return {True: "yes", False: "NO", None: "-"}[f["met"]]


def fmt_cond(f: dict) -> str:
    k = f.get("conditions") or {}
    if not k:
        return ""
    s = f"load {k.get('load_start', '?')}->{k.get('load_end', '?')}"
    if "foreign_cpu_pct" in k:
        s += f", others {k['foreign_cpu_pct']}% CPU"
    if k.get("steal_pct"):
        s += f", steal {k['steal_pct']}%"
    return s


def main():
    found = []
    for part in PARTS:
        p = c.RESULTS / f"{part}.json"
        if p.exists():
            found.append(json.loads(p.read_text()))
    if not found:
        print("no results yet: run scripts/bench.sh first")
        return 1
    t = c.Table(["figure", "value", "target", "met", "conditions", "measured"])
    md = ["| # | figure | value | target | met | conditions (1-min load start->end; other processes' share of the CPUs; hypervisor steal) | command |",
          "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in found:
        for f in r.get("figures", []):
            t.rows.append([f"{f['id']} {f['name']}"[:78], fmt_value(f), f["target"], fmt_met(f),
                           fmt_cond(f), r["when"]])
            md.append(f"| {f['id']} | {f['name']} | **{fmt_value(f)}** | {f['target']} | "
                      f"{fmt_met(f)} | {fmt_cond(f)} | `{f['command']}` |")
    print(t.render())
    print()
    notes = []
    for r in found:
        for f in r.get("figures", []):
            if f.get("note"):
                notes.append(f"- {f['id']}: {f['note']}")
    print("\n".join(notes))
    m = found[-1]["machine"]
    build = (c.OUT / "build.txt").read_text().split("\n") if (c.OUT / "build.txt").exists() \
        else [m["git_head"], *m["git_dirty"]]
    dirty = [x.split()[-1] for x in build[1:] if x.strip()]
    mline = (f"Machine: {m['nproc']} CPUs, {m['cpu_model']} ({', '.join(m['simd'])}), "
             f"{m['mem_gib']} GiB, Linux {m['kernel']}, THP {m['thp']}; {m['rustc']}; "
             f"vaultty built at {build[0]}"
             + (f" with uncommitted changes in {', '.join(dirty)}" if dirty else ""))
    waits = "; ".join(f"{r['part']}: waited {r['wait']['waited_s']} s, load at start "
                      f"{r['wait']['load_at_start'][0]}{'' if r['wait']['quiet'] else ' (NOT quiet)'}"
                      for r in found if "wait" in r)
    print()
    print(mline)
    print("Load wait:", waits)
    (c.OUT / "summary.md").write_text("\n".join(md) + "\n\n" + "\n".join(notes) + "\n\n"
                                      + mline + "\n\nLoad wait: " + waits + "\n")
    print(f"\n(Markdown: {c.OUT / 'summary.md'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
