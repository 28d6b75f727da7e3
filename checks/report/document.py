"""The report as data: run metadata, the tally and one record per claim (the JSON report's document).

Every format is built from this document, so a report can be rebuilt from a saved JSON report without rerunning
(``python -m checks --from-json quick.json --format html``). A record is a claim's entry (``Claim.to_dict``) and
its result (``Result.to_dict``) in one dict.
"""
from __future__ import annotations

import json
import platform
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

from checks.context import Context
from checks.registry import Claim
from checks.runner import Row
from checks.verdict import Verdict

Record = dict[str, Any]
Document = dict[str, Any]


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_metadata() -> dict[str, Any]:
    """The machine a run's numbers came from: CPU, cores, and each BLAS/OpenMP library with its thread count
    (verdicts must not depend on them; the record lets a reader compare runs)."""
    import os

    from threadpoolctl import threadpool_info

    pools = [{"api": p.get("user_api"), "library": p.get("internal_api"), "file": Path(str(p.get("filepath", ""))).name,
              "version": p.get("version"), "threads": p.get("num_threads")} for p in threadpool_info()]
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "platform": platform.platform(), "thread_pools": pools}


def run_metadata(ctx: Context) -> dict[str, Any]:
    """What a reader needs to reproduce the run: seed, tier, precision, library versions and the machine."""
    import mpmath
    import numpy
    import scipy
    import sympy

    return {"seed": ctx.seed, "tier": ctx.tier, "dps": ctx.dps, "python": platform.python_version(),
            "versions": {"numpy": numpy.__version__, "scipy": scipy.__version__,
                         "sympy": sympy.__version__, "mpmath": mpmath.__version__},
            "machine": machine_metadata()}


def is_erratum(rec: Record) -> bool:
    """A refuted claim whose verdict rests on the statement as printed (an erratum of the paper's mathematics);
    a record without a basis counts as printed."""
    return rec["verdict"] == Verdict.REFUTED.value and rec.get("basis", "printed") == "printed"


def is_disagreement(rec: Record) -> bool:
    """A refuted claim whose verdict rests on our reading of lost text or on settings the paper does not give."""
    return rec["verdict"] == Verdict.REFUTED.value and rec.get("basis", "printed") != "printed"


def rests_on(rec: Record) -> str:
    """What a disagreement depends on, in words (the entry's reading or settings)."""
    if rec.get("basis") == "reconstructed":
        return f"our reading of text lost in extraction: {rec.get('reconstruction', '(not stated)')}"
    return f"settings the paper does not give: {rec.get('depends_on', '(not stated)')}"


def tally(rows: Sequence[Row]) -> dict[str, int]:
    """Number of rows per verdict, in the verdicts' order."""
    counts = Counter(r.result.verdict for r in rows)
    return {v.value: counts.get(v, 0) for v in Verdict}


def record(row: Row) -> Record:
    """One claim's record: its entry and its result (and, when its first reads of shared runs cost time, that
    time as ``shared_seconds``, apart from its own ``seconds``)."""
    rec = {**row.claim.to_dict(), **row.result.to_dict()}
    if getattr(row, "shared_seconds", 0.0) > 0:
        rec["shared_seconds"] = round(row.shared_seconds, 3)
    return rec


def document(rows: Sequence[Row], ctx: Context) -> Document:
    """The report's document: run metadata, tally, and every entry with its keys, verdict and evidence."""
    return {"run": run_metadata(ctx), "tally": tally(rows), "claims": [record(r) for r in rows]}


def to_json(rows: Sequence[Row], ctx: Context) -> str:
    """The JSON report (:func:`document` as text)."""
    return json.dumps(document(rows, ctx), indent=2, ensure_ascii=False)


def listing_json(claims: Sequence[Claim]) -> str:
    """``--list --format json``: the entries without running them."""
    return json.dumps([c.to_dict() for c in claims], indent=2, ensure_ascii=False)


def load_document(path: Path) -> Document:
    """Read a JSON report written by ``--format json``; ValueError (one line) when it is not one."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{str(path)!r} is not JSON ({exc.msg}, line {exc.lineno})") from None
    if not (isinstance(doc, dict) and isinstance(doc.get("run"), dict) and isinstance(doc.get("claims"), list)
            and all(isinstance(c, dict) and {"id", "verdict", "summary"} <= c.keys() for c in doc["claims"])):
        raise ValueError(f"{str(path)!r} is not a JSON report of python -m checks (run, claims with id and verdict)")
    doc.setdefault("tally", {v.value: sum(c["verdict"] == v.value for c in doc["claims"]) for v in Verdict})
    return doc


def by_id(doc: Document) -> dict[str, Record]:
    """The document's records by claim id."""
    return {c["id"]: c for c in doc["claims"]}


def is_numeric(rec: Record) -> bool:
    """A claim decided by numbers: every verdict but PROVED."""
    return rec.get("verdict") != Verdict.PROVED.value


def basis_of(rec: Record) -> str:
    """The claim's basis ("printed", "reconstructed", "settings") when the report has one, else ""."""
    return str(rec.get("basis") or "")


def rerun_command(claim_id: str, run: dict[str, Any]) -> str:
    """The one command that reruns a claim with the run's seed, tier and precision and shows all its evidence."""
    return (f"python -m checks show {claim_id} --tier {run.get('tier', 'quick')} --seed {run.get('seed', 0)} "
            f"--dps {run.get('dps', 50)}")


def header_line(run: dict[str, Any]) -> str:
    """"Seed 0, tier quick, 50 digits; Python 3.11.7, numpy …": the run in one line."""
    versions = ", ".join(f"{k} {v}" for k, v in run.get("versions", {}).items())
    return (f"Seed {run.get('seed')}, tier {run.get('tier')}, {run.get('dps')} digits; Python {run.get('python')}"
            + (f", {versions}" if versions else "") + ".")


def compact_json(value: Any, indent: int = 0) -> str:
    """JSON text with objects and nested lists on indented lines but lists of plain values on one line."""
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {compact_json(v, indent + 2)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(inner + compact_json(v, indent + 2) for v in value) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)
