"""Public surfaces only: no module, benchmark, notebook or test imports a private name (``_name``) of another
module or reaches one through a module (``mod._name``); what others need is made public."""
from __future__ import annotations

import ast
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("checks", "numerics", "derivations", "benchmarks", "tests", "notebooks", "tools")
#: Underscored names that are documented public API of their library.
DOCUMENTED = {"os._exit"}


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_module(dotted: str) -> bool:
    try:
        return importlib.util.find_spec(dotted) is not None
    except (ImportError, ValueError):
        return False


def sources() -> list[tuple[str, str]]:
    """(label, Python source) of every file and notebook code cell in the scanned folders."""
    out = []
    for folder in FOLDERS:
        base = ROOT / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            if "generated" not in path.parts:
                out.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
        for path in sorted(base.rglob("*.ipynb")):
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
            code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in code.split("\n"))
            out.append((str(path.relative_to(ROOT)), code))
    return out


def private_uses(label: str, source: str) -> list[str]:
    """``label:line name`` for each import of another module's private name and each ``module._name``."""
    tree = ast.parse(source)
    modules: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if any(is_private(part) for part in alias.name.split(".")):
                    found.append(f"{label}:{node.lineno} import {alias.name}")
                modules.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if any(is_private(part) for part in node.module.split(".")):
                found.append(f"{label}:{node.lineno} from {node.module}")
            for alias in node.names:
                if is_private(alias.name):
                    found.append(f"{label}:{node.lineno} from {node.module} import {alias.name}")
                elif is_module(f"{node.module}.{alias.name}"):
                    modules.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and is_private(node.attr) and isinstance(node.value, ast.Name)
                and node.value.id in modules and f"{node.value.id}.{node.attr}" not in DOCUMENTED):
            found.append(f"{label}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_the_scanner_finds_private_uses():
    src = "import numerics.flow as F\nfrom checks.verdict import _x\nfrom checks import runner\nrunner._y\nF._z\n"
    assert [u.split(" ", 1)[1] for u in private_uses("t", src)] == [
        "from checks.verdict import _x", "runner._y", "F._z"]
    assert private_uses("t", "import numpy as np\nnp.__version__\nclass A:\n    def f(self):\n        self._x\n") == []


@pytest.mark.parametrize("label, source", sources(), ids=lambda v: v if v.endswith((".py", ".ipynb")) else "")
def test_no_private_name_of_another_module_is_used(label, source):
    assert private_uses(label, source) == []
