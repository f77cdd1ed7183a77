"""irqio's public Python surface, three ways: what the firmware has (dir() on a
board), what the type stubs declare (stubs/irqio.pyi) and what the reference
documents (docs/api.md). test_stubs.py and test_docs.py compare them.

Names are "module.name" for module attributes ("irqio.RingIO") and "Class.name"
for what an instance has ("RingIO.write"). Public: no leading underscore, plus the
dunders a user relies on (async iteration, the version).
"""

import ast
import re

from conftest import ROOT

STUB = ROOT / "stubs" / "irqio.pyi"
API_DOC = ROOT / "docs" / "api.md"
HEADER = ROOT / "include" / "irqio.h"

CLASSES = ("ThreadSafeFlag", "RingIO", "EventStream")
PUBLIC_DUNDERS = {"__aiter__", "__anext__", "__version__"}

def is_public(name):
    return not name.startswith("_") or name in PUBLIC_DUNDERS


# Prints, for the module and an instance of each class, its public names, whether
# each is callable, and the value of each integer constant.
_SURFACE_SCRIPT = """
import irqio
def show(prefix, obj):
    for name in dir(obj):
        if name.startswith("_") and name not in ("__aiter__", "__anext__", "__version__"):
            continue
        value = getattr(obj, name)
        kind = "class" if isinstance(value, type) else "callable" if callable(value) else "value"
        const = value if name.isupper() and isinstance(value, int) else None
        print(prefix + "." + name, kind, const)
show("irqio", irqio)
show("ThreadSafeFlag", irqio.ThreadSafeFlag())
show("RingIO", irqio.RingIO(8))
show("EventStream", irqio.EventStream(4))
"""


def firmware_surface(board):
    """{"RingIO.write": ("callable", None), "RingIO.REJECT": ("value", 1), ...}"""
    surface = {}
    for line in board.run(_SURFACE_SCRIPT).splitlines():
        name, kind, const = line.split()
        surface[name] = (kind, None if const == "None" else int(const))
    return surface


def _is_property(node):
    return any(isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list)


def stub_surface(path=STUB):
    """The stubs' public names in the same form as firmware_surface(): methods are
    "callable", classes "class", properties and annotated attributes "value" (with
    the stub's value for integer constants)."""
    tree = ast.parse(path.read_text())
    surface = {}

    def assignment(node, prefix):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name = node.target.id
            value = node.value.value if isinstance(node.value, ast.Constant) else None
            if is_public(name):
                surface[f"{prefix}.{name}"] = ("value", value if name.isupper() else None)

    for node in tree.body:
        if isinstance(node, ast.ClassDef) and is_public(node.name):
            surface[f"irqio.{node.name}"] = ("class", None)
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_public(item.name):
                    kind = "value" if _is_property(item) else "callable"
                    surface[f"{node.name}.{item.name}"] = (kind, None)
                assignment(item, node.name)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_public(node.name):
            surface[f"irqio.{node.name}"] = ("callable", None)
        else:
            assignment(node, "irqio")
    return surface


# docs/api.md documents each name in a heading: "### `irqio.RingIO(...)`" for a
# module attribute, "#### `RingIO.write(buf[, max_len])`" for a member. A heading
# may list several names ("#### `RingIO.TRUNCATE`, `RingIO.REJECT`, ...").
_DOC_NAME = re.compile(r"`((?:irqio|" + "|".join(CLASSES) + r")\.[A-Za-z_][A-Za-z0-9_]*)")
_C_NAME = re.compile(r"`((?:irqio|IRQIO)_[A-Za-z0-9_]*)")


def _headings(section=None):
    """Headings of docs/api.md, from the `## section` heading on (or all of them)."""
    lines = API_DOC.read_text().splitlines()
    if section is not None:
        start = lines.index(f"## {section}")
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines = lines[start:end]
    return [line for line in lines if line.startswith("#")]


def documented_python_names():
    names = set()
    for heading in _headings("Python API"):
        names.update(_DOC_NAME.findall(heading))
    return names


def documented_c_names():
    names = set()
    for heading in _headings("C API"):
        names.update(_C_NAME.findall(heading))
    return names


def header_c_names(path=HEADER):
    """Functions, types, enum constants and macros declared in include/irqio.h."""
    text = re.sub(r"//[^\n]*|/\*.*?\*/", "", path.read_text(), flags=re.S)
    names = set()
    names.update(re.findall(r"\b(irqio_[a-z0-9_]+)\s*\(", text))  # functions
    names.update(re.findall(r"}\s*(irqio_[a-z0-9_]+)\s*;", text))  # typedef'd structs and enums
    names.update(re.findall(r"^\s*(IRQIO_[A-Z0-9_]+)\s*(?:=|,|\n)", text, flags=re.M))  # enum constants
    names.update(re.findall(r"#define\s+(IRQIO_[A-Z0-9_]+)\s+\S", text))  # value macros
    names.update(re.findall(r"enum\s+(irqio_[a-z0-9_]+)", text))
    names.discard("IRQIO_H")
    return names
