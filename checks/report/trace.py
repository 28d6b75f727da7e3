"""Which derivations and generated formulas a claim's check uses, found by tracing one run of it.

Tracing (rather than reading the source) follows the check through its instances, cached runs and helpers to the
functions it really calls, whatever module they are imported from. Only the entry points are kept: a call into
``derivations.*`` (or ``numerics.generated.*``) from outside that package. The global trace function returns
``None``, so no line events are traced and the run costs little more than usual.
"""
from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

from checks.context import Context
from checks.registry import Claim
from checks.runner import Row, run_claim

ROOT = Path(__file__).resolve().parent.parent.parent
DERIVATIONS = str(ROOT / "derivations") + "/"
GENERATED = str(ROOT / "numerics" / "generated") + "/"


@dataclass(frozen=True)
class Called:
    """A function of a derivation or of the generated formulas that the check called."""

    module: str
    name: str
    file: str
    line: int
    doc: str
    formula: str = ""

    @property
    def generated(self) -> bool:
        """True for a generated formula (``numerics/generated``)."""
        return self.module.startswith("numerics.generated.")

    @property
    def source(self) -> str:
        """For a generated formula: the derivation module and formula it is generated from."""
        if not self.generated:
            return ""
        base = self.module.rsplit(".", 1)[-1]
        return f"derivations/{base}.py formulas(): {self.name.removesuffix('_mp')}"


def area(filename: str) -> str:
    """'derivations', 'generated' or '' for a code object's file."""
    if filename.startswith(GENERATED):
        return "generated"
    if filename.startswith(DERIVATIONS):
        return "derivations"
    return ""


def describe(code: CodeType, globals_: dict[str, Any]) -> Called:
    """The called function's module, name, place, first docstring line and (generated) returned formula."""
    module = str(globals_.get("__name__", "?"))
    name = getattr(code, "co_qualname", code.co_name)
    fn = globals_.get(code.co_name)
    doc = (inspect.getdoc(fn) or "").strip().split("\n")[0] if getattr(fn, "__code__", None) is code else ""
    formula = ""
    if area(code.co_filename) == "generated":
        try:
            lines = inspect.getsource(code).splitlines()
            formula = next((ln.strip()[len("return "):] for ln in lines if ln.strip().startswith("return ")), "")
        except (OSError, TypeError):
            formula = ""
    rel = str(Path(code.co_filename).resolve().relative_to(ROOT))
    return Called(module, name, rel, code.co_firstlineno, doc, formula)


def traced_run(claim: Claim, ctx: Context) -> tuple[Row, list[Called]]:
    """Run one claim (serially) and return its row and the derivations and generated formulas it entered, in the
    order first called."""
    seen: dict[CodeType, Called] = {}

    def tracer(frame: FrameType, event: str, arg: Any) -> None:
        code = frame.f_code
        where = area(code.co_filename)
        if where and code not in seen and code.co_name != "<module>":
            caller = frame.f_back
            if caller is None or area(caller.f_code.co_filename) != where:
                seen[code] = describe(code, frame.f_globals)
        return None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        row = run_claim(claim, replace(ctx, sweep="serial"))
    finally:
        sys.settrace(previous)
    return row, list(seen.values())
