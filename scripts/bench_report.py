#!/usr/bin/env python3
"""Turns the benchmarks' printed tables into JSON, docs/benchmarks.md and PNG plots.

    scripts/bench_report.py RESULTS_DIR [DOCS_DIR]

RESULTS_DIR holds one `<benchmark>.txt` per benchmark run by scripts/bench.sh (its
stdout) and `meta.json` (date, machine, MicroPython version, irqio commit). Missing
benchmarks are left out of the page, with the reason bench.sh recorded. Writes
RESULTS_DIR/results.json, DOCS_DIR/benchmarks.md and DOCS_DIR/benchmarks/*.png
(DOCS_DIR defaults to docs/ of this repository).

A figure is a set of groups (a scenario, a record size), each with one value per
series (irqio's object and the upstream way it replaces), all from the same run.
"""

import json
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def figure(fid, title, unit, better, groups, source):
    return {"id": fid, "title": title, "unit": unit, "better": better, "groups": groups, "source": source}


# --- one parser per benchmark's printed table ----------------------------------------


def parse_tsf_latency(text):
    median, p99 = {}, {}
    for name, m, p in re.findall(r"^(\S+ThreadSafeFlag)\s+(\d+)\s+(\d+)\s*$", text, re.M):
        median[name], p99[name] = int(m), int(p)
    return [figure("tsf_latency", "Thread -> task wake latency (unix)", "µs", "lower",
                   {"median": median, "p99": p99}, "benchmarks/tsf_latency.py")]


def parse_eventstream(text):
    latency_part, _, burst_part = text.partition("bursts:")
    median, p99, delivered = {}, {}, {}
    for name, m, p in re.findall(r"^\s+(\S+)\s+(\d+)\s+(\d+)\s*$", latency_part, re.M):
        median[name], p99[name] = int(m), int(p)
    for name, d in re.findall(r"^\s+(\S+)\s+(\d+)\s+-?\d+\s+\S+\s*$", burst_part, re.M):
        delivered[name] = int(d)
    return [
        figure("eventstream_latency", "Interrupt event -> consuming code latency (unix, producer thread)", "µs",
               "lower", {"median": median, "p99": p99}, "benchmarks/eventstream.py"),
        figure("eventstream_bursts", "Events delivered from 40 bursts of 32 (unix)", "events", "higher",
               {"delivered": delivered}, "benchmarks/eventstream.py"),
    ]


def parse_ringio_throughput(text):
    rate = {name: float(v) for name, v in re.findall(r"^\s+(\S+RingIO)\s+([\d.]+) MB/s", text, re.M)}
    return [figure("ringio_throughput", "Throughput through StreamReader.read(256), 64-byte writes (unix)",
                   "MB/s", "higher", {"64-byte writes": rate}, "benchmarks/ringio_throughput.py")]


def parse_ringio_write_cost(text):
    groups = {}
    for size, upstream, irqio in re.findall(r"^\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+[\d.]+x\s*$", text, re.M):
        groups[f"{size}-byte write()"] = {"micropython.RingIO": float(upstream), "irqio.RingIO": float(irqio)}
    return [figure("ringio_write_cost", "Instructions per RingIO.write() from Python (callgrind, unix)",
                   "instructions", "lower", groups, "benchmarks/ringio_write_cost.py")]


def parse_eventstream_cost(text):
    cost = {name: float(v) for name, v in re.findall(r"^\s+(\S+)\s+(\d+)\s+[\d.]+x irqio", text, re.M)}
    return [figure("eventstream_cost", "Instructions per event delivered to asyncio code (callgrind, unix)",
                   "instructions", "lower", {"per event": cost}, "benchmarks/eventstream_cost.py")]


def parse_irq_latency_rp2emu(text):
    median, p99 = {}, {}
    for scenario, name, m, p, _ in re.findall(r"^(idle|\d+ busy tasks)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$",
                                              text, re.M):
        median.setdefault(scenario, {})[name] = int(m)
        p99.setdefault(scenario, {})[name] = int(p)
    groups = {f"{s}, median": v for s, v in median.items()}
    groups.update({f"{s}, p99": v for s, v in p99.items()})
    return [figure("irq_latency_rp2emu", "Hard IRQ -> task wake latency (emulated Pico, board time)", "µs",
                   "lower", groups, "benchmarks/irq_latency_rp2emu.sh")]


PARSERS = {
    "tsf_latency": parse_tsf_latency,
    "eventstream": parse_eventstream,
    "ringio_throughput": parse_ringio_throughput,
    "ringio_write_cost": parse_ringio_write_cost,
    "eventstream_cost": parse_eventstream_cost,
    "irq_latency_rp2emu": parse_irq_latency_rp2emu,
}


# --- the headline ratio ------------------------------------------------------------------


def ratio(fig, values):
    """How many times better irqio is than the (first) upstream series, or None."""
    irqio = next((v for k, v in values.items() if k.startswith("irqio")), None)
    upstream = next((v for k, v in values.items() if not k.startswith("irqio")), None)
    if not irqio or not upstream:
        return None
    return upstream / irqio if fig["better"] == "lower" else irqio / upstream


# --- plots ---------------------------------------------------------------------------------


def plot(fig, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(fig["groups"])
    series = []
    for values in fig["groups"].values():
        series += [s for s in values if s not in series]
    width = 0.8 / max(1, len(series))
    figure_, axes = plt.subplots(figsize=(max(6, 1.6 * len(groups) + 2), 4))
    for i, name in enumerate(series):
        xs = [g + (i - (len(series) - 1) / 2) * width for g in range(len(groups))]
        ys = [fig["groups"][group].get(name, 0) for group in groups]
        bars = axes.bar(xs, ys, width, label=name)
        axes.bar_label(bars, fmt="%g", fontsize=8)
    axes.set_xticks(range(len(groups)), groups)
    axes.set_ylabel(f"{fig['unit']} ({fig['better']} is better)")
    axes.set_title(textwrap.fill(fig["title"], 55))
    axes.legend()
    figure_.tight_layout()
    figure_.savefig(path, dpi=100)
    plt.close(figure_)


# --- the page ------------------------------------------------------------------------------


def page(meta, figures, missing):
    out = [
        "# irqio benchmarks",
        "",
        "Generated by `scripts/bench.sh` from one run; do not edit by hand. Each figure is",
        "irqio against the upstream way it replaces, measured in the same run of the same",
        "firmware.",
        "",
        f"- date: {meta.get('date', '?')}",
        f"- machine: {meta.get('machine', '?')}",
        f"- MicroPython: {meta.get('micropython', '?')}",
        f"- irqio commit: {meta.get('commit', '?')}",
        "",
        "## Headline",
        "",
        "| figure | case | irqio | upstream | irqio is |",
        "| --- | --- | --- | --- | --- |",
    ]
    for fig in figures:
        for group, values in fig["groups"].items():
            r = ratio(fig, values)
            irqio = ", ".join(f"{v:g}" for k, v in values.items() if k.startswith("irqio"))
            upstream = ", ".join(f"{k} {v:g}" for k, v in values.items() if not k.startswith("irqio"))
            verdict = "n/a" if not r else f"{r:.2f}x better" if r >= 1 else f"{1 / r:.2f}x worse"
            out.append(f"| [{fig['title']}](#{fig['id']}) | {group} | {irqio} {fig['unit']} | {upstream} | {verdict} |")
    for fig in figures:
        out += ["", f'<a id="{fig["id"]}"></a>', f"## {fig['title']}", "",
                f"Source: `{fig['source']}`. Unit: {fig['unit']}, {fig['better']} is better.", "",
                f"![{fig['title']}](benchmarks/{fig['id']}.png)", ""]
        series = []
        for values in fig["groups"].values():
            series += [s for s in values if s not in series]
        out += ["| case | " + " | ".join(series) + " |", "| --- |" + " --- |" * len(series)]
        for group, values in fig["groups"].items():
            out.append(f"| {group} | " + " | ".join(f"{values[s]:g}" if s in values else "" for s in series) + " |")
    if missing:
        out += ["", "## Not measured in this run", ""]
        out += [f"- `{name}`: {why}" for name, why in sorted(missing.items())]
    return "\n".join(out) + "\n"


def main():
    results = Path(sys.argv[1])
    docs = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs"
    meta = json.loads((results / "meta.json").read_text()) if (results / "meta.json").exists() else {}
    figures, missing = [], dict(meta.get("skipped", {}))
    for name, parse in PARSERS.items():
        txt = results / f"{name}.txt"
        if not txt.exists():
            missing.setdefault(name, "not run")
            continue
        parsed = [f for f in parse(txt.read_text()) if any(f["groups"].values())]
        if not parsed:
            missing[name] = f"no figures found in its output ({txt})"
        figures += parsed
    (results / "results.json").write_text(json.dumps({"meta": meta, "figures": figures}, indent=2) + "\n")
    (docs / "benchmarks").mkdir(parents=True, exist_ok=True)
    for fig in figures:
        plot(fig, docs / "benchmarks" / f"{fig['id']}.png")
    (docs / "benchmarks.md").write_text(page(meta, figures, missing))
    print(f"{len(figures)} figures: {docs / 'benchmarks.md'}, plots in {docs / 'benchmarks'}/")


if __name__ == "__main__":
    main()
