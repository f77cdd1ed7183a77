#!/usr/bin/env python3
"""Turns the benchmarks' printed output into JSON, docs/benchmarks.md and PNG plots.

    scripts/bench_report.py RESULTS_DIR [DOCS_DIR]

RESULTS_DIR holds one `<benchmark>.txt` per benchmark run by scripts/bench.sh (its
stdout) and `meta.json` (date, machine, MicroPython version, irqio commit). Missing
benchmarks are left out of the page, with the reason bench.sh recorded. Writes
RESULTS_DIR/results.json, DOCS_DIR/benchmarks.md and DOCS_DIR/benchmarks/*.png
(DOCS_DIR defaults to docs/ of this repository).

A figure is one of three kinds, all from the same run:
  bars   groups (a scenario, a call) each with one value per series (irqio's object
         and the upstream way it replaces);
  cdf    raw samples per series: the share of wakes at or below each latency;
  lines  a value per series at each x (record size, number of busy tasks).
Each figure may name pairs (a case, irqio's value, upstream's value): the headline
table is made of those, as ratios.
"""

import datetime
import json
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def figure(fid, title, unit, better, groups, source, kind="bars", **extra):
    fig = {"id": fid, "kind": kind, "title": title, "unit": unit, "better": better, "groups": groups,
           "source": source, "pairs": [], "notes": ""}
    fig.update(extra)
    return fig


def pair(fig, case, irqio_name, upstream_name, group=None, label=None):
    """Adds a headline pair from the figure's own values (group defaults to the case)."""
    values = fig["groups"].get(group or case, {})
    if irqio_name in values and upstream_name in values:
        fig["pairs"].append({"case": label or case, "irqio": irqio_name, "irqio_value": values[irqio_name],
                             "upstream": upstream_name, "upstream_value": values[upstream_name]})


def samples(text):
    """{key: [values]} from `samples|key...|v v v` lines (key parts joined by ', ')."""
    out = {}
    for line in text.splitlines():
        if line.startswith("samples|"):
            *key, values = line.split("|")[1:]
            out[", ".join(key)] = [float(v) for v in values.split()]
    return out


TSF_UP, TSF_IRQIO, TSF_PRIO = "asyncio.ThreadSafeFlag", "irqio.ThreadSafeFlag", "irqio, priority=True"

# --- one parser per benchmark's output ---------------------------------------------------


def parse_tsf_latency(text):
    median, p99 = {}, {}
    for name, m, p in re.findall(r"^(\S+ThreadSafeFlag)\s+(\d+)\s+(\d+)\s*$", text, re.M):
        median[name], p99[name] = int(m), int(p)
    bars = figure("tsf_latency", "Thread -> task wake latency (unix)", "µs", "lower",
                  {"median": median, "p99": p99}, "benchmarks/tsf_latency.py")
    pair(bars, "median", TSF_IRQIO, TSF_UP, label="unix: thread set() -> task wakes, median")
    raw = samples(text)
    figs = [bars]
    if raw:
        figs.append(figure("tsf_latency_cdf", "Thread -> task wake latency, distribution (unix, producer thread)",
                           "µs", "lower", raw, "benchmarks/tsf_latency.py", kind="cdf"))
    return figs


def parse_hinch_latency(text):
    groups = {"median": {}, "p99": {}, "max": {}}
    for name, m, p, mx in re.findall(r"^(\S.*?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$", text, re.M):
        if name.startswith(("asyncio", "irqio")):
            groups["median"][name], groups["p99"][name], groups["max"][name] = float(m), float(p), float(mx)
    title = "Hinch's case: tasks block 50/30/25/10 ms, thread -> task wake latency (unix)"
    bars = figure("hinch_latency", title, "ms", "lower", groups, "benchmarks/hinch_latency.py")
    pair(bars, "median", TSF_PRIO, TSF_UP, label="Hinch's case (unix, tasks block up to 50 ms), median")
    pair(bars, "max", TSF_PRIO, TSF_UP, label="Hinch's case, max")
    figs = [bars]
    raw = samples(text)
    if raw:
        figs.append(figure("hinch_latency_cdf", title.replace("latency", "latency, distribution"), "ms", "lower",
                           raw, "benchmarks/hinch_latency.py", kind="cdf"))
    return figs


def parse_eventstream(text):
    latency_part, _, burst_part = text.partition("bursts:")
    median, p99, delivered = {}, {}, {}
    for name, m, p in re.findall(r"^\s+(\S+)\s+(\d+)\s+(\d+)\s*$", latency_part, re.M):
        median[name], p99[name] = int(m), int(p)
    for name, d in re.findall(r"^\s+(\S+)\s+(\d+)\s+-?\d+\s+\S+\s*$", burst_part, re.M):
        delivered[name] = int(d)
    lat = figure("eventstream_latency", "Interrupt event -> consuming code latency (unix, producer thread)", "µs",
                 "lower", {"median": median, "p99": p99}, "benchmarks/eventstream.py")
    pair(lat, "median", "irqio.EventStream", "micropython.schedule",
         label="unix: event from a thread -> consuming code, median")
    bursts = figure("eventstream_bursts", "Events delivered from 40 bursts of 32 (unix)", "events", "higher",
                    {"delivered": delivered}, "benchmarks/eventstream.py")
    pair(bursts, "delivered", "irqio.EventStream", "micropython.schedule",
         label="unix: events delivered of 40 bursts of 32")
    return [lat, bursts]


def parse_ringio_throughput(text):
    rate = {name: float(v) for name, v in re.findall(r"^\s+(\S+RingIO)\s+([\d.]+) MB/s", text, re.M)}
    main = figure("ringio_throughput", "Throughput through StreamReader.read(256), 64-byte writes (unix)",
                  "MB/s", "higher", {"64-byte writes": rate}, "benchmarks/ringio_throughput.py")
    pair(main, "64-byte writes", "irqio.RingIO", "micropython.RingIO",
         label="unix: bytes/s through StreamReader, 64-byte writes")
    figs = [main]
    sweep = {}
    for size, name, v in re.findall(r"^sweep (\d+) (\S+) ([\d.]+)\s*$", text, re.M):
        sweep.setdefault(name, {})[int(size)] = float(v)
    if sweep:
        figs.append(figure("ringio_throughput_sizes", "Throughput through StreamReader.read(256) against write size "
                           "(unix, 1 KiB ring)", "MB/s", "higher", sweep, "benchmarks/ringio_throughput.py",
                           kind="lines", xlabel="bytes per write()", logx=True, logy=True))
    return figs


def parse_heap(text, where):
    rows = {name.strip(): float(v) for name, v in re.findall(r"^(\S.*?)\s+([\d.]+)\s*$", text, re.M)
            if not name.startswith("heap per event")}
    return rows


HEAP_CASES = (
    # (label, upstream row, irqio row)
    ("flag wait, blocking", "asyncio.ThreadSafeFlag wait, blocking", "irqio.ThreadSafeFlag wait, blocking"),
    ("flag wait(priority=True), blocking", "asyncio.ThreadSafeFlag wait, blocking",
     "irqio wait(priority=True), blocking"),
    ("flag wait, already set", "asyncio.ThreadSafeFlag wait, ready", "irqio.ThreadSafeFlag wait, ready"),
    ("ring via StreamReader.readinto", "micropython.RingIO StreamReader.readinto",
     "irqio.RingIO StreamReader.readinto"),
    ("ring areadinto(buf)", "micropython.RingIO StreamReader.readinto", "irqio.RingIO areadinto(buf)"),
    ("events get_into(buf)", None, "EventStream get_into(buf)"),
    ("events get_into(priority=True)", None, "EventStream get_into(priority=True)"),
    ("events get() (a tuple each)", None, "EventStream get()"),
)


def heap_figure(rows_by_where):
    """Heap per event: one group per consumer path, upstream and irqio per platform."""
    groups = {}
    for label, upstream, ours in HEAP_CASES:
        values = {}
        for where, rows in rows_by_where.items():
            if upstream and upstream in rows:
                values[f"upstream, {where}"] = rows[upstream]
            if ours in rows:
                values[f"irqio, {where}"] = rows[ours]
        if values:
            groups[label] = values
    fig = figure("heap_per_event", "Heap allocated per event by each consumer path, once warm", "bytes", "lower",
                 groups, "benchmarks/heap_per_event.py", horizontal=True,
                 notes="Upstream's way for each path: asyncio.ThreadSafeFlag.wait() for the flag, "
                       "StreamReader(micropython.RingIO).readinto() for the ring; upstream has no event stream. "
                       "Rows of the benchmark's own output are in build/bench/heap_per_event*.txt.")
    where = "Pico" if "Pico" in rows_by_where else "unix"  # the headline: the board's, else unix's
    for label in ("flag wait, blocking", "ring areadinto(buf)"):
        pair(fig, label, f"irqio, {where}", f"upstream, {where}", label=f"{where}: heap per event, {label}")
    return fig


def parse_sched_pass(text):
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^(\S.{33})\s+(\d+)\s+(\d+)\s+[\d.]+\s*$", line)
        if m:
            rows[m.group(1).strip()] = {"asyncio's step": int(m.group(2)), "irqio's native step": int(m.group(3))}
    return rows


def sched_pass_figure(rows_by_where):
    groups = {f"{where}: {name}": values for where, rows in rows_by_where.items() for name, values in rows.items()}
    fig = figure("sched_pass_cost", "Scheduler passes per second, 3 tasks on sleep_ms(0): asyncio's step vs "
                 "irqio's native step", "passes/s", "higher", groups, "benchmarks/sched_pass_cost.py", logy=True,
                 notes="What the native scheduler step that irqio installs (the first time a task blocks on an irqio "
                       "object) costs on passes where nothing is ready. Best of 3 windows of 500 ms; board time on "
                       "the emulated Pico. On unix the two steps run one after the other (the native one cannot be "
                       "taken out again), so a change in the machine's load between them shows as a difference.")
    # the headline: the board's (board time); unix's runs the two steps one after the
    # other (the native one cannot be taken out again), so the machine's load moves it
    where = "Pico" if "Pico" in rows_by_where else "unix"
    pair(fig, f"{where}: nothing else waiting", "irqio's native step", "asyncio's step",
         label=f"{where}: scheduler passes per second (irqio's step installed)")
    return fig


def parse_sched_pass_cost(text):
    return [sched_pass_figure({"unix": parse_sched_pass(text)})]


def parse_heap_per_event(text):
    return [heap_figure({"unix": parse_heap(text, "unix")})]


def parse_idle_wakeups(text):
    rate = {name: float(v) for name, n, v in re.findall(r"^\s+(\S.*?)\s+(\d+)\s+([\d.]+)\s*$", text, re.M)}
    groups = {}
    if "loop asleep" in rate:
        groups["nothing waiting"] = {"loop asleep": rate["loop asleep"]}
    groups["a task waits on a flag"] = {k: v for k, v in rate.items() if k.endswith("ThreadSafeFlag")}
    groups["a task reads a ring (StreamReader)"] = {k: v for k, v in rate.items() if k.endswith("RingIO")}
    fig = figure("idle_wakeups", "Idle wake-ups: poll() calls per second while a task waits for an event that never comes (unix)",
                 "calls/s", "lower", groups, "benchmarks/idle_wakeups.py")
    pair(fig, "a task waits on a flag", TSF_IRQIO, TSF_UP, label="unix: idle poll() calls per second, flag")
    pair(fig, "a task reads a ring (StreamReader)", "irqio.RingIO", "micropython.RingIO",
         label="unix: idle poll() calls per second, ring")
    return [fig]


def parse_ringio_write_cost(text):
    groups = {}
    for size, upstream, irqio in re.findall(r"^\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+[\d.]+x\s*$", text, re.M):
        groups[f"{size}-byte write()"] = {"micropython.RingIO": float(upstream), "irqio.RingIO": float(irqio)}
    return [figure("ringio_write_cost", "Instructions per RingIO.write() from Python, call included "
                   "(callgrind, unix)", "instructions", "lower", groups, "benchmarks/ringio_write_cost.py")]


def parse_eventstream_cost(text):
    cost = {name: float(v) for name, v in re.findall(r"^\s+(\S+)\s+(\d+)\s+[\d.]+x irqio", text, re.M)}
    fig = figure("eventstream_cost", "Instructions per event delivered to asyncio code, both sides "
                 "(callgrind, unix)", "instructions", "lower", {"per event": cost}, "benchmarks/eventstream_cost.py")
    pair(fig, "per event", "irqio.EventStream.get_into", "asyncio.ThreadSafeFlag+list",
         label="unix: instructions per event, producer + consumer (get_into)")
    return [fig]


def parse_isr_cost(text, where="unix"):
    groups = {}
    base = re.search(r"^\s+empty native call\s+([\d.]+)", text, re.M)
    ways = []
    for group, name, total, net in re.findall(r"^\s{2}(\S.{19})\s(\S.{35})\s+([\d.]+)\s+(-?[\d.]+)\s*$", text, re.M):
        name = name.strip()
        side = "irqio" if name.startswith("irqio") else "upstream"
        groups.setdefault(group.strip(), {})[side] = float(net)
        ways.append(f"{group.strip()}: {side} {name}")
    pico = where != "unix"
    fig = figure("isr_cycles_rp2emu" if pico else "isr_cost",
                 "Interrupt-side cost: {} per producer call, net of the call itself ({})".format(
                     "CPU cycles" if pico else "instructions", "emulated Pico, board time" if pico else "callgrind, unix"),
                 "cycles" if pico else "instructions", "lower", groups,
                 "benchmarks/isr_cycles.py on the emulated Pico" if pico else "benchmarks/isr_cost.py", logy=True,
                 notes="Net of an empty native method call from the same loop ({} per call). A plain set() "
                       "loop finds the flag already set after the first call; set(), clear() makes each set() "
                       "find it clear (clear() included, net of the loop calling the empty method twice). On unix, "
                       "system calls (irqio's eventfd) count as the one instruction that enters the kernel. "
                       "The ways compared: {}.".format(
                           base.group(1) if base else "?", "; ".join(ways)))
    for group in groups:
        pair(fig, group, "irqio", "upstream",
             label=f"{where}: {fig['unit']} per {group}, net of the call")
    return [fig]


def parse_isr_cycles_rp2emu(text):
    return parse_isr_cost(text, "Pico")


def parse_irq_latency_rp2emu(text):
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^(\S.{21}) (\S.{23})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$", line)
        if m and not line.startswith("scenario"):
            rows.setdefault(m.group(1).strip(), {})[m.group(2).strip()] = [int(m.group(i)) for i in (3, 4, 5)]
    figs = []
    src = "benchmarks/irq_latency.py on the emulated Pico"
    for which, i in (("median", 0), ("p99", 1)):
        groups = {s: {w: v[i] for w, v in waiters.items()} for s, waiters in rows.items()}
        fig = figure(f"irq_latency_rp2emu_{which}", f"Hard IRQ -> task wake latency, {which} "
                     "(emulated Pico, board time)", "µs", "lower", groups, src, logy=True)
        if which == "median":
            pair(fig, "idle", TSF_IRQIO, TSF_UP, label="Pico: hard IRQ -> task wakes, idle loop, median")
            for s in groups:
                if s != "idle":
                    pair(fig, s, TSF_PRIO, TSF_UP, label=f"Pico: hard IRQ -> task wakes, {s}, median "
                         "(wait(priority=True))")
        figs.append(fig)
    # latency against the number of busy tasks (the scenarios with busy tasks)
    load = {}
    for s, waiters in rows.items():
        m = re.match(r"^(idle|(\d+) busy tasks)$", s)
        if m:
            n = int(m.group(2) or 0)
            for w, v in waiters.items():
                load.setdefault(f"{w}, median", {})[n] = v[0]
                load.setdefault(f"{w}, p99", {})[n] = v[1]
    if load:
        figs.append(figure("irq_latency_load", "Hard IRQ -> task wake latency against the number of busy tasks "
                           "(emulated Pico)", "µs", "lower", load, src, kind="lines",
                           xlabel="other tasks, each looping on sleep_ms(0)"))
    raw = samples(text)
    for s in rows:
        series = {k.split(", ", 1)[1]: v for k, v in raw.items() if k.startswith(s + ", ")}
        if series:
            slug = re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")
            figs.append(figure(f"irq_latency_cdf_{slug}", f"Hard IRQ -> task wake latency, distribution: {s} "
                               "(emulated Pico)", "µs", "lower", series, src, kind="cdf"))
    return figs


def parse_heap_per_event_rp2emu(text):
    return []  # merged with the unix rows in main() (also sched_pass_cost_rp2emu)


def parse_load_1khz_rp2emu(text):
    rows = {}
    head = re.search(r"^1 kHz hard IRQ for (\d+) s", text, re.M)
    for line in text.splitlines():
        m = re.match(r"^(\S.{33})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)(?:\s+(\d+))?\s*$", line)
        if m:
            rows[m.group(1).strip()] = [int(v) if v else 0 for v in m.groups()[1:]]
    if not rows:
        return []
    up = next((k for k in rows if k.startswith("asyncio")), None)
    ours = next((k for k in rows if k.startswith("irqio")), None)
    seconds = head.group(1) if head else "?"
    lat = figure("load_1khz_latency", f"1 kHz hard IRQ with 3 busy tasks, IRQ -> consumer latency "
                 f"({seconds} s of board time per phase, emulated Pico)", "µs", "lower",
                 {q: {k: v[i] for k, v in rows.items()} for q, i in (("median", 2), ("p99", 3), ("max", 4))},
                 "benchmarks/load_1khz.py on the emulated Pico", logy=True,
                 notes="Median and p99 are rounded up to 50 µs buckets; a value of 20000 is the histogram's end "
                       "(20 ms or more).")
    gcs = figure("load_1khz_gc", f"1 kHz hard IRQ: garbage collections and events ({seconds} s per phase, "
                 "emulated Pico)", "count", "lower",
                 {"collections": {k: v[1] for k, v in rows.items()}, "events lost": {k: v[5] for k, v in rows.items()}},
                 "benchmarks/load_1khz.py on the emulated Pico")
    if up and ours:
        pair(lat, "median", ours, up, label="Pico, 1 kHz IRQ + 3 busy tasks: IRQ -> consumer, median")
        pair(lat, "max", ours, up, label="Pico, 1 kHz IRQ + 3 busy tasks: IRQ -> consumer, max")
        pair(gcs, "collections", ours, up, label=f"Pico, 1 kHz IRQ: garbage collections in {seconds} s")
    return [lat, gcs]


def parse_sizes(text):
    groups, built = {}, []
    blocks = re.split(r"^== ", text, flags=re.M)[1:]
    def minutes(stamp):  # "YYYY-MM-DD HH:MM UTC"
        return datetime.datetime.strptime(stamp[:16], "%Y-%m-%d %H:%M").timestamp() / 60

    stamps = [minutes(m.group(1)) for m in re.finditer(r"^built (.*)$", text, re.M)]
    newest = max(stamps, default=0)
    for block in blocks:
        label = block.splitlines()[0].strip()
        m = re.search(r"^built (.*)$", block, re.M)
        if m:
            built.append(f"{label}: {m.group(1)}")
            if minutes(m.group(1)) < newest - 30:  # not from the same round of builds
                label += " (an older build)"
        m_rust = re.search(r"^\s+Rust library\s+(\d+)\s+(\d+)", block, re.M)
        m_c = re.search(r"^\s+C shim\s+(\d+)\s+(\d+)", block, re.M)
        if not (m_rust and m_c):
            continue
        groups[label] = {"Rust library flash": int(m_rust.group(1)), "C shim flash": int(m_c.group(1)),
                         "static RAM": int(m_rust.group(2)) + int(m_c.group(2))}
        m = re.search(r"with irqio minus without: (\d+) bytes", block)
        if m:
            groups[label]["whole firmware growth"] = int(m.group(1))
    if not groups:
        return []
    return [figure("sizes", "irqio's flash and static RAM per target and MicroPython version (linker maps)",
                   "bytes", "lower", groups, "scripts/size-report.py", horizontal=True,
                   notes="Read from the linker maps of the firmware in build/ (the targets tier of scripts/test.sh "
                         "builds them). \"whole firmware growth\" is the same firmware with irqio minus without "
                         "(its code, QSTRs, the frozen dispatch helper): the 10 KiB target. Heap per object: "
                         "README, \"Targets and size\". Firmware built: " + "; ".join(built) + " (a build more than 30 minutes older than the newest is marked: it may predate changes to "
                         "irqio; the script that builds its target rebuilds it).")]


PARSERS = {
    "tsf_latency": parse_tsf_latency,
    "hinch_latency": parse_hinch_latency,
    "eventstream": parse_eventstream,
    "ringio_throughput": parse_ringio_throughput,
    "heap_per_event": parse_heap_per_event,
    "idle_wakeups": parse_idle_wakeups,
    "ringio_write_cost": parse_ringio_write_cost,
    "eventstream_cost": parse_eventstream_cost,
    "isr_cost": parse_isr_cost,
    "irq_latency_rp2emu": parse_irq_latency_rp2emu,
    "isr_cycles_rp2emu": parse_isr_cycles_rp2emu,
    "heap_per_event_rp2emu": parse_heap_per_event_rp2emu,
    "sched_pass_cost": parse_sched_pass_cost,
    "sched_pass_cost_rp2emu": parse_heap_per_event_rp2emu,
    "load_1khz_rp2emu": parse_load_1khz_rp2emu,
    "sizes": parse_sizes,
}


# --- the headline ratio ------------------------------------------------------------------


def fmt(v):
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:.4g}" if abs(v) < 1e4 else f"{v:.0f}"


def verdict(p, better):
    ours, theirs = p["irqio_value"], p["upstream_value"]
    if ours == theirs:
        return "same"
    if better == "lower":
        if ours == 0:
            return "none at all"
        r = theirs / ours
    else:
        if theirs == 0:
            return "upstream: none"
        r = ours / theirs
    if 0.99 <= r <= 1.01:
        return "the same (within 1%)"
    return f"{r:.1f}x better" if r >= 1 else f"{1 / r:.1f}x worse"


# --- plots ---------------------------------------------------------------------------------


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def series_of(fig):
    series = []
    for values in fig["groups"].values():
        series += [s for s in values if s not in series]
    return series


PALETTE = {
    TSF_UP: "#d95f02", "micropython.RingIO": "#d95f02", "micropython.schedule": "#7f7f7f",
    "asyncio.ThreadSafeFlag+list": "#d95f02", "irqio.EventStream.get_into": "#2ca02c",
    "asyncio.ThreadSafeFlag + list": "#d95f02", "list.append": "#d95f02",
    "Python Pin handler": "#d95f02", "asyncio flag": "#d95f02", TSF_IRQIO: "#1f77b4", TSF_PRIO: "#2ca02c",
    "irqio.RingIO": "#1f77b4", "irqio.EventStream": "#1f77b4", "irqio EventStream": "#1f77b4", "irqio flag": "#1f77b4",
    "irqio get_into": "#2ca02c", "loop asleep": "#7f7f7f", "upstream, unix": "#d95f02", "upstream, Pico": "#fdae6b",
    "irqio, unix": "#1f77b4", "irqio, Pico": "#9ecae1", "asyncio's step": "#d95f02", "irqio's native step": "#1f77b4",
    "Rust library flash": "#1f77b4", "C shim flash": "#9ecae1", "static RAM": "#2ca02c",
    "whole firmware growth": "#7f7f7f", "upstream": "#d95f02", "irqio": "#1f77b4",
}


def colour(name, i):
    """irqio's series in blues/greens, upstream's in oranges/greys, stable across plots."""
    keys = [k for k in PALETTE if name.startswith(k)]
    return PALETTE[max(keys, key=len)] if keys else f"C{i}"


def finish(plt, figure_, axes, fig, path, **legend):
    """Title, legend and file: the same for every plot."""
    axes.set_title(textwrap.fill(fig["title"], 70), fontsize=10)
    axes.legend(fontsize=8, **legend)
    figure_.tight_layout()
    figure_.savefig(path, dpi=100)
    plt.close(figure_)


def plot_bars(fig, path):
    plt = _plt()
    groups = list(fig["groups"])
    series = series_of(fig)
    horizontal = fig.get("horizontal")
    size = (9, max(3, 0.3 * len(groups) * max(1, len(series)) + 1.5)) if horizontal else \
        (max(6, 1.7 * len(groups) + 2), 4.5)
    figure_, axes = plt.subplots(figsize=size)
    values_all = [v for values in fig["groups"].values() for v in values.values()]
    width = 0.8 / max(len(values) for values in fig["groups"].values())
    for i, name in enumerate(series):
        # each group's bars centred on it, only the series it has
        xs, ys = [], []
        for g, group in enumerate(groups):
            present = [s for s in series if s in fig["groups"][group]]
            if name in present:
                xs.append(g + (present.index(name) - (len(present) - 1) / 2) * width)
                ys.append(fig["groups"][group][name])
        if horizontal:
            bars = axes.barh(xs, ys, width, label=name, color=colour(name, i))
        else:
            bars = axes.bar(xs, ys, width, label=name, color=colour(name, i))
        axes.bar_label(bars, labels=[fmt(v) for v in ys], fontsize=7, padding=2)
    unit = f"{fig['unit']} ({fig['better']} is better)"
    labels = [textwrap.fill(g, 22) for g in groups]
    log = fig.get("logy") and min((v for v in values_all if v > 0), default=1) * 30 < max(values_all, default=1)
    if horizontal:
        axes.set_yticks(range(len(groups)), labels)
        axes.invert_yaxis()
        axes.set_xlabel(unit)
        if log:
            axes.set_xscale("log")
        axes.margins(x=0.15)
    else:
        axes.set_xticks(range(len(groups)), labels, fontsize=8)
        axes.set_ylabel(unit)
        if log:
            axes.set_yscale("log")
        axes.margins(y=0.12)
    finish(plt, figure_, axes, fig, path)


def plot_cdf(fig, path):
    plt = _plt()
    figure_, axes = plt.subplots(figsize=(7, 4.5))
    for i, (name, values) in enumerate(fig["groups"].items()):
        xs = sorted(values)
        ys = [(k + 1) / len(xs) for k in range(len(xs))]
        axes.step(xs, ys, where="post", label=f"{name} (n={len(xs)})", color=colour(name, i))
    allv = [v for values in fig["groups"].values() for v in values]
    if allv and min(allv) > 0 and max(allv) / min(allv) > 30:
        axes.set_xscale("log")
    axes.set_xlabel(f"wake latency, {fig['unit']} ({fig['better']} is better)")
    axes.set_ylabel("share of wakes at or below")
    axes.set_ylim(0, 1.02)
    axes.grid(True, alpha=0.3)
    finish(plt, figure_, axes, fig, path, loc="lower right")


def plot_lines(fig, path):
    plt = _plt()
    figure_, axes = plt.subplots(figsize=(7, 4.5))
    for i, (name, points) in enumerate(fig["groups"].items()):
        xs = sorted(points, key=float)
        axes.plot([float(x) for x in xs], [points[x] for x in xs], marker="o", label=name, color=colour(name, i),
                  linestyle="--" if name.endswith("p99") else "-")
    if fig.get("logx"):
        axes.set_xscale("log", base=2)
    if fig.get("logy"):
        axes.set_yscale("log")
    xs = sorted({float(x) for points in fig["groups"].values() for x in points})
    axes.set_xticks(xs, [f"{x:g}" for x in xs])
    axes.set_xlabel(fig.get("xlabel", ""))
    axes.set_ylabel(f"{fig['unit']} ({fig['better']} is better)")
    axes.grid(True, alpha=0.3)
    finish(plt, figure_, axes, fig, path)


def plot(fig, path):
    {"bars": plot_bars, "cdf": plot_cdf, "lines": plot_lines}[fig["kind"]](fig, path)


# --- the page ------------------------------------------------------------------------------


def quantile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * q))]


def table(fig):
    if fig["kind"] == "cdf":
        out = [f"| series | samples | median {fig['unit']} | p90 | p99 | max |", "| --- | --- | --- | --- | --- | --- |"]
        for name, values in fig["groups"].items():
            out.append(f"| {name} | {len(values)} | " + " | ".join(
                f"{quantile(values, q):g}" for q in (0.5, 0.9, 0.99)) + f" | {max(values):g} |")
        return out
    if fig["kind"] == "lines":
        xs = sorted({x for points in fig["groups"].values() for x in points}, key=float)
        out = [f"| series | " + " | ".join(f"{x:g}" if isinstance(x, (int, float)) else str(x) for x in xs) + " |",
               "| --- |" + " --- |" * len(xs)]
        for name, points in fig["groups"].items():
            out.append(f"| {name} | " + " | ".join(fmt(points[x]) if x in points else "" for x in xs) + " |")
        return out
    series = series_of(fig)
    out = ["| case | " + " | ".join(series) + " |", "| --- |" + " --- |" * len(series)]
    for group, values in fig["groups"].items():
        out.append(f"| {group} | " + " | ".join(fmt(values[s]) if s in values else "" for s in series) + " |")
    return out


def headline(figures, link):
    """The headline table: every pair, as a ratio; figure links prefixed by link."""
    out = ["| case | irqio | upstream | irqio is | figure |", "| --- | --- | --- | --- | --- |"]
    for fig in figures:
        for p in fig["pairs"]:
            out.append(f"| {p['case']} | {fmt(p['irqio_value'])} {fig['unit']} ({p['irqio']}) | "
                       f"{fmt(p['upstream_value'])} {fig['unit']} ({p['upstream']}) | "
                       f"{verdict(p, fig['better'])} | [{fig['id']}]({link}#{fig['id']}) |")
    return out


README_BEGIN = "<!-- bench-headline: written by scripts/bench.sh (scripts/bench_report.py); edit there -->"
README_END = "<!-- /bench-headline -->"


def update_readme(readme, meta, figures):
    """Puts the headline table between README's markers, if it has them."""
    text = readme.read_text()
    if README_BEGIN not in text or README_END not in text:
        return False
    before, rest = text.split(README_BEGIN, 1)
    _, after = rest.split(README_END, 1)
    block = [README_BEGIN, "",
             f"From [docs/benchmarks.md](docs/benchmarks.md) ({meta.get('date', '?')}, irqio "
             f"{meta.get('commit', '?')}, {meta.get('machine', '?')}):", ""]
    block += headline(figures, "docs/benchmarks.md") + ["", README_END]
    readme.write_text(before + "\n".join(block) + after)
    return True


def page(meta, figures, missing):
    out = [
        "# irqio benchmarks",
        "",
        "Generated by `scripts/bench.sh` from one run; do not edit by hand. Each figure is",
        "irqio against the upstream way it replaces, measured in the same run of the same",
        "firmware. Unix figures are wall-clock time on a shared machine and vary from run",
        "to run; emulated-Pico figures are the board's own (virtual) time and instruction",
        "counts are callgrind's, both repeatable for a given firmware.",
        "",
        f"- date: {meta.get('date', '?')}",
        f"- machine: {meta.get('machine', '?')}",
        f"- MicroPython: unix {meta.get('micropython', '?')}; emulated Pico (rp2 RPI_PICO) "
        f"{meta.get('micropython_rp2', '?')}",
        f"- irqio commit: {meta.get('commit', '?')}",
    ]
    if meta.get("note"):
        out += [f"- {meta['note']}"]
    out += ["", "## Headline", ""] + headline(figures, "")
    if missing:
        out += ["", "Not measured in this run (or measured differently):", ""]
        out += [f"- `{name}`: {why}" for name, why in sorted(missing.items())]
    out += ["", "## Figures", ""]
    out += [f"- [{fig['title']}](#{fig['id']})" for fig in figures]
    for fig in figures:
        out += ["", f'<a id="{fig["id"]}"></a>', f"### {fig['title']}", "",
                f"Source: `{fig['source']}`. Unit: {fig['unit']}, {fig['better']} is better.", ""]
        if fig.get("notes"):
            out += [fig["notes"], ""]
        out += [f"![{fig['title']}](benchmarks/{fig['id']}.png)", ""]
        out += table(fig)
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
        if name == "heap_per_event":
            rows = {"unix": parse_heap(txt.read_text(), "unix")}
            pico = results / "heap_per_event_rp2emu.txt"
            if pico.exists():
                rows["Pico"] = parse_heap(pico.read_text(), "Pico")
            parsed = [heap_figure(rows)]
        elif name == "sched_pass_cost":
            rows = {"unix": parse_sched_pass(txt.read_text())}
            pico = results / "sched_pass_cost_rp2emu.txt"
            if pico.exists():
                rows["Pico"] = parse_sched_pass(pico.read_text())
            parsed = [sched_pass_figure(rows)]
        else:
            parsed = parse(txt.read_text())
        parsed = [f for f in parsed if any(f["groups"].values())]
        if name == "isr_cycles_rp2emu" and parsed:
            # the board's cycles make the headline; unix's instruction counts stay in their figure
            for f in figures:
                if f["id"] == "isr_cost":
                    f["pairs"] = []
        if not parsed and name not in ("heap_per_event_rp2emu", "sched_pass_cost_rp2emu"):
            missing[name] = f"no figures found in its output ({txt})"
        figures += parsed
    (results / "results.json").write_text(json.dumps({"meta": meta, "figures": figures}, indent=2) + "\n")
    (docs / "benchmarks").mkdir(parents=True, exist_ok=True)
    for old in (docs / "benchmarks").glob("*.png"):
        old.unlink()
    for fig in figures:
        plot(fig, docs / "benchmarks" / f"{fig['id']}.png")
    (docs / "benchmarks.md").write_text(page(meta, figures, missing))
    if docs.resolve() == (ROOT / "docs").resolve() and update_readme(ROOT / "README.md", meta, figures):
        print("README.md: headline table updated")
    print(f"{len(figures)} figures: {docs / 'benchmarks.md'}, plots in {docs / 'benchmarks'}/")


if __name__ == "__main__":
    main()
