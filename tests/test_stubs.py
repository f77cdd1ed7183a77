"""The type stubs (stubs/irqio.pyi) describe the module the firmware really has, and
type checkers accept correct irqio code and reject wrong code with them."""

import ast
import re
import subprocess
import sys

import pytest

from api_surface import STUB, firmware_surface, stub_surface
from conftest import ROOT

TYPING = ROOT / "tests" / "typing"


@pytest.fixture(scope="module")
def firmware(board):
    return firmware_surface(board)


def test_every_public_name_of_the_firmware_is_in_the_stubs(firmware):
    missing = sorted(set(firmware) - set(stub_surface()))
    assert not missing, f"in the firmware, not in {STUB.name}: {missing}"


def test_the_stubs_declare_nothing_the_firmware_lacks(firmware):
    # Issue 11's names are allowed to be missing until it lands (see
    # test_issue_11_names_are_in_the_firmware).
    extra = sorted(set(stub_surface()) - set(firmware))
    assert not extra, f"in {STUB.name}, not in the firmware: {extra}"


def test_methods_are_callable_and_attributes_are_not(firmware):
    # A name the stubs declare with `def` is callable on the board; a property or
    # annotated attribute is a plain value; a class is a class.
    stubs = stub_surface()
    wrong = sorted(
        f"{name}: stub {stubs[name][0]}, firmware {kind}"
        for name, (kind, _) in firmware.items()
        if name in stubs and stubs[name][0] != kind
    )
    assert not wrong


def test_constants_have_the_firmware_values(firmware):
    stubs = stub_surface()
    constants = {name: value for name, (_, value) in firmware.items() if value is not None}
    assert constants, "the firmware reports no constants"
    assert {name: stubs.get(name, ("", None))[1] for name in constants} == constants


def test_the_event_handler_type_is_private_in_the_stubs(board):
    # EventStream.handler() returns an EventHandler, a type the module does not
    # export: the stubs call it _EventHandler so nobody imports it.
    assert board.run("import irqio\nh = irqio.EventStream(1).handler(0)\nprint(type(h).__name__, callable(h))") == (
        "EventHandler True\n"
    )
    assert "EventHandler" not in {name.split(".")[1] for name in firmware_surface(board)}
    assert "class _EventHandler" in STUB.read_text()


# --- type checkers ----------------------------------------------------------------


def mypy(*paths):
    """Runs mypy --strict with the configuration a user would write
    (tests/typing/mypy.ini: mypy_path = irqio's stubs/); returns (status, output)."""
    pytest.importorskip("mypy", reason="mypy is not installed (tests/requirements.txt)")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(TYPING / "mypy.ini"), "--no-error-summary",
         "--cache-dir", "/dev/null", *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.requires("asyncio")  # the helper imports asyncio
def test_the_frozen_helper_has_what_its_stub_declares(board):
    # stubs/_irqio_dispatch.pyi: the module EventStream.dispatch() runs, frozen into
    # the firmware with modules/manifest.py.
    tree = ast.parse((STUB.parent / "_irqio_dispatch.pyi").read_text())
    declared = sorted(n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))
    assert declared == ["dispatch"]
    out = board.run("import _irqio_dispatch as m\nprint(sorted(n for n in dir(m) if callable(getattr(m, n)) and n[0] != '_' and n != 'Task'))")
    assert out == f"{declared}\n"


def test_the_stubs_are_valid_for_mypy():
    status, out = mypy(STUB, STUB.parent / "_irqio_dispatch.pyi")
    assert status == 0, out


def test_mypy_accepts_typical_irqio_code():
    status, out = mypy(TYPING / "uses_irqio.py", TYPING / "uses_issue11_api.py")
    assert status == 0, out


def test_mypy_rejects_each_mistake_and_nothing_else():
    path = TYPING / "misuses_irqio.py"
    marked = {n for n, line in enumerate(path.read_text().splitlines(), 1) if line.rstrip().endswith("# error")}
    status, out = mypy(path)
    reported = {int(m) for m in re.findall(rf"{path.name}:(\d+): error:", out)}
    assert status == 1
    assert reported == marked, out


@pytest.mark.requires("asyncio")
def test_the_type_checked_code_runs_on_the_board(board):
    # The code mypy accepts with the stubs also runs, and does what it says.
    out = board.run((TYPING / "uses_irqio.py").read_text())
    assert out.splitlines() == [
        "flag 2",  # two set() calls coalesced into one wake
        "ring b'\\xa5\\x01\\x02\\x03xy45|0True'",
        "get 1 1234 int",
        "packed 2 0",  # the native handler's first firing posts count 0
        "sensor -5",
        "sensor 7",
        "button 1",
        "dispatched 3 dropped 0 high 3",
        "async for 42",
        "version 0.1.0",
    ]


@pytest.mark.requires("asyncio")
def test_the_type_checked_issue_11_code_runs_on_the_board(board):
    out = board.run((TYPING / "uses_issue11_api.py").read_text())
    assert out == "records 2 event 3 30 dispatched 0 ring b'abcd'\n"
