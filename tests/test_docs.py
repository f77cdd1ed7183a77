"""The documentation describes what exists: the API reference (docs/api.md) names
every public name of the module on the board and of include/irqio.h, and nothing
else; the porting page names every port hook; the guide's examples exist and are
tested; links between the pages resolve."""

import re

import pytest

from api_surface import (
    API_DOC,
    documented_c_names,
    documented_python_names,
    firmware_surface,
    header_c_names,
    stub_surface,
)
from conftest import ROOT

DOCS = ROOT / "docs"
PORT_HEADER = ROOT / "src" / "c" / "irqio_port.h"

@pytest.fixture(scope="module")
def firmware(board):
    return set(firmware_surface(board))


def test_every_public_name_of_the_module_is_documented(firmware):
    undocumented = sorted(firmware - documented_python_names())
    assert not undocumented, f"not in {API_DOC.name}: {undocumented}"


def test_nothing_documented_is_missing_from_the_module(firmware):
    missing = sorted(documented_python_names() - firmware)
    assert not missing, f"in {API_DOC.name}, not on the board: {missing}"


def test_the_reference_and_the_stubs_describe_the_same_names():
    assert documented_python_names() == set(stub_surface())


def test_every_name_in_the_c_header_is_documented():
    undocumented = sorted(header_c_names() - documented_c_names())
    assert not undocumented, f"in include/irqio.h, not in {API_DOC.name}: {undocumented}"


def test_nothing_documented_is_missing_from_the_c_header():
    missing = sorted(documented_c_names() - header_c_names())
    assert not missing, f"in {API_DOC.name}, not in include/irqio.h: {missing}"


def test_the_porting_page_describes_every_port_hook():
    hooks = set(re.findall(r"\b(irqio_port_[a-z_]+)\s*\(", PORT_HEADER.read_text()))
    assert len(hooks) >= 6
    text = (DOCS / "porting.md").read_text()
    assert sorted(h for h in hooks if f"`{h}" not in text) == []


def test_the_porting_page_names_every_port_in_the_repository():
    ports = {p.name for p in (ROOT / "ports").iterdir() if (p / "irqio_port.c").exists()}
    text = (DOCS / "porting.md").read_text()
    assert sorted(p for p in ports if f"ports/{p}/" not in text) == []


def guide_examples():
    return sorted(set(re.findall(r"examples/([a-z_0-9]+\.py)", (DOCS / "guide.md").read_text())))


def test_every_example_the_guide_names_exists_and_is_tested():
    tests = (ROOT / "tests" / "test_examples.py").read_text()
    examples = guide_examples()
    assert len(examples) >= 3
    assert [e for e in examples if not (ROOT / "examples" / e).exists()] == []
    assert [e for e in examples if f'"{e}"' not in tests] == []


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_relative_links_resolve(page):
    path = DOCS / page
    targets = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text())
    broken = [t for t in targets if not (path.parent / t).exists()]
    assert not broken
