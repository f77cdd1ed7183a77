"""scripts/bench_report.py reads what the benchmarks print: a sample of each format
gives the figures and headline pairs the page is made of. Host-only (no board, no
plotting); no timing is asserted, the values are made up."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("bench_report", ROOT / "scripts" / "bench_report.py")
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)

TSF = """thread -> task wake latency, unix port, 4 samples each (us)
                           median      p99
asyncio.ThreadSafeFlag        556     1088
irqio.ThreadSafeFlag           50      106
median ratio upstream/irqio: 11.1x
samples|asyncio.ThreadSafeFlag|500 556 600 1088
samples|irqio.ThreadSafeFlag|40 50 60 106
"""

IRQ = """hard IRQ -> task wake latency, 2 samples per row (us, board time)
scenario               waiter                    median     p99     max  discarded
idle                   asyncio.ThreadSafeFlag       122     184     185          0
idle                   irqio.ThreadSafeFlag         110     119     122          0
idle                   irqio, priority=True         110     120     121          0
3 busy tasks           asyncio.ThreadSafeFlag       827     936     938          0
3 busy tasks           irqio, priority=True         217     319     324          0
3 tasks block 1-5 ms   asyncio.ThreadSafeFlag     11474   16903   17282          0
3 tasks block 1-5 ms   irqio, priority=True        1567    4844    5091          0
samples|idle|asyncio.ThreadSafeFlag|122 184
samples|idle|irqio.ThreadSafeFlag|110 119
"""

ISR = """instructions per producer call from Python (callgrind; N = 2000..12000; drained every 256; heap 192K)
  empty native call                       859.4
  call                 way                                     total      net
  flag set()           asyncio.ThreadSafeFlag.set()           1381.4    522.0
  flag set()           irqio.ThreadSafeFlag.set()              866.4      7.0
  event post           list.append + asyncio flag.set()      18165.5  17306.1
  event post           irqio.EventStream.post()               1148.6    289.2
"""

LOAD = """1 kHz hard IRQ for 10 s of board time, 3 busy task(s), consumer work 10 iterations
path                                events collections   median      p99      max   lost
asyncio.ThreadSafeFlag + list         9000           4     1200     5000    12000      0
irqio get_into(priority=True)         9990           0      250      400      900      0
(latency in us, board time; median and p99 to 50 us buckets)
"""

SIZES = """== rp2 RPI_PICO MicroPython 1.25.0
built 2026-11-29 07:11 UTC
irqio in rp2 RPI_PICO 1.25.0
                flash (text+rodata)  static RAM (data+bss)
  Rust library                 4699                      0
  C shim                       6757                     22
  total                       11456                     22
  whole firmware, with irqio minus without: 12328 bytes of flash
"""


def ids(figs):
    return [f["id"] for f in figs]


def test_wake_latency_with_raw_samples():
    figs = report.parse_tsf_latency(TSF)
    assert ids(figs) == ["tsf_latency", "tsf_latency_cdf"]
    assert figs[0]["groups"]["median"] == {"asyncio.ThreadSafeFlag": 556, "irqio.ThreadSafeFlag": 50}
    assert figs[1]["groups"]["irqio.ThreadSafeFlag"] == [40, 50, 60, 106]
    assert report.verdict(figs[0]["pairs"][0], "lower") == "11.1x better"


def test_irq_latency_scenarios_load_and_cdfs():
    figs = {f["id"]: f for f in report.parse_irq_latency_rp2emu(IRQ)}
    assert figs["irq_latency_rp2emu_median"]["groups"]["3 tasks block 1-5 ms"]["irqio, priority=True"] == 1567
    assert figs["irq_latency_load"]["groups"]["asyncio.ThreadSafeFlag, median"] == {0: 122, 3: 827}
    assert list(figs["irq_latency_cdf_idle"]["groups"]) == ["asyncio.ThreadSafeFlag", "irqio.ThreadSafeFlag"]
    cases = [p["case"] for p in figs["irq_latency_rp2emu_median"]["pairs"]]
    assert len(cases) == 3


def test_interrupt_side_cost_net_of_the_call():
    (fig,) = report.parse_isr_cost(ISR)
    assert fig["groups"]["event post"] == {"upstream": 17306.1, "irqio": 289.2}
    assert "859.4" in fig["notes"]


def test_load_and_sizes():
    lat, gcs = report.parse_load_1khz_rp2emu(LOAD)
    assert lat["groups"]["max"]["irqio get_into(priority=True)"] == 900
    assert gcs["groups"]["collections"]["asyncio.ThreadSafeFlag + list"] == 4
    (sizes,) = report.parse_sizes(SIZES)
    assert sizes["groups"]["rp2 RPI_PICO MicroPython 1.25.0"]["whole firmware growth"] == 12328


def test_page_and_readme_block(tmp_path):
    figs = report.parse_tsf_latency(TSF) + report.parse_isr_cost(ISR)
    text = report.page({"date": "today"}, figs, {"load_1khz_rp2emu": "skipped"})
    assert "## Headline" in text and "(benchmarks/tsf_latency_cdf.png)" in text and "`load_1khz_rp2emu`" in text
    readme = tmp_path / "README.md"
    readme.write_text("a\n" + report.README_BEGIN + "\nold\n" + report.README_END + "\nb\n")
    assert report.update_readme(readme, {"date": "today"}, figs)
    new = readme.read_text()
    assert "old" not in new and "(docs/benchmarks.md#tsf_latency)" in new and new.endswith("\nb\n")
