"""Finding and applying mutants: the mutation sites of a source file, their stable keys, and mutated sources.

A mutant is addressed two ways. Its ``index`` (source order within one file) selects it in one snapshot of
the sources (``--mutants PATH:INDEX``, the stored outcomes). Its ``key`` describes it without the file or
the position, so that it survives edits elsewhere in the file and code moving between files: the
qualified name of the enclosing outermost function, what changes (with the text around it), and an
occurrence number when the same change occurs more than once in that function; see :func:`mutant_key`.
"""
from __future__ import annotations

import ast
import difflib
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

#: The repository whose sources are mutated (run the tool from its root).
ROOT = Path(__file__).resolve().parents[2]
#: The packages a mutant can change: every child imports them afresh from its work copy.
PROJECT_PACKAGES = ("checks", "derivations", "numerics")
#: Binary operators swapped by the "operator" mutants.
SWAPS: dict[type, type] = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}


@dataclass(frozen=True)
class Mutant:
    """One planted error: which file, which function and line, what was changed, and its stable key."""

    path: str
    index: int
    line: int
    function: str
    description: str
    key: str

    @property
    def traced_name(self) -> str:
        """The name tracing records for the mutated function: ``path:function``."""
        return f"{self.path}:{self.function}"

    def where(self) -> str:
        """One line for reports: file, index, line, function and what changed."""
        return f"`{self.path}` #{self.index} line {self.line} ({self.function}): {self.description}"


@dataclass(frozen=True)
class Site:
    """A mutation site as the enumeration finds it.

    ``function`` is the outermost enclosing function (the name tracing records), ``qualname`` the same with
    its enclosing classes; ``description`` is for reports (long texts cut), ``change`` for the key (long texts
    abbreviated with a hash, see :func:`abbreviate`).
    """

    line: int
    function: str
    qualname: str
    description: str
    change: str


def abbreviate(text: str, limit: int = 72) -> str:
    """``text`` on one line; if longer than ``limit``, its start, "…" and 8 hex digits of a hash of all of it
    (so two long texts that start alike stay apart)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return f"{text[:limit - 12]}…[{hashlib.sha256(text.encode()).hexdigest()[:8]}]"


def _text(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # noqa: BLE001 - a node ast.unparse cannot print alone
        return type(node).__name__


def has_docstring(body: list[ast.stmt]) -> bool:
    """Whether a function or module body starts with a docstring."""
    return bool(body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
        and isinstance(body[0].value.value, str)


class Mutator(ast.NodeTransformer):
    """Enumerates the mutation sites inside function bodies, in source order, into ``sites``; with ``target``
    set, applies that one (the tree returned by :meth:`visit` is the mutant)."""

    def __init__(self, target: int | None = None) -> None:
        self.target = target
        self.sites: list[Site] = []
        self.in_function = 0
        self.function = ""
        self.classes: list[str] = []
        self.ancestry: list[ast.AST] = []

    def visit(self, node: ast.AST) -> ast.AST:
        self.ancestry.append(node)
        try:
            return super().visit(node)
        finally:
            self.ancestry.pop()

    def _site(self, node: ast.AST, description: str, change: str) -> bool:
        qualname = ".".join([*self.classes, self.function])
        self.sites.append(Site(getattr(node, "lineno", 0), self.function, qualname, description, change))
        return self.target == len(self.sites) - 1

    def _parent_text(self) -> str:
        return abbreviate(_text(self.ancestry[-2]))

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        if self.in_function:
            return self.generic_visit(node)
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.in_function += 1
        outer, self.function = self.function, self.function or node.name
        start = 1 if has_docstring(node.body) else 0
        node.body = node.body[:start] + [self.visit(stmt) for stmt in node.body[start:]]
        self.in_function -= 1
        self.function = outer
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if self.in_function and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            description = f"constant {node.value!r} -> {node.value + 1!r}"
            if self._site(node, description, f"{description} in {self._parent_text()}"):
                return ast.copy_location(ast.Constant(node.value + 1), node)
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if self.in_function and isinstance(node.op, ast.USub):
            operand = _text(node.operand)
            if self._site(node, f"sign dropped: -{operand[:40]}",
                          f"sign dropped: -{abbreviate(operand)} in {self._parent_text()}"):
                return node.operand
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if not self.in_function:
            return node
        full = _text(node)
        cut, whole = full[:50], abbreviate(full)
        if type(node.op) in SWAPS:
            new = SWAPS[type(node.op)]
            what = f"operator {type(node.op).__name__} -> {new.__name__} in "
            if self._site(node, what + cut, what + whole):
                return ast.copy_location(ast.BinOp(node.left, new(), node.right), node)
        if isinstance(node.op, ast.Pow):
            if self._site(node, f"exponent raised by 1 in {cut}", f"exponent raised by 1 in {whole}"):
                raised = ast.BinOp(node.right, ast.Add(), ast.Constant(1))
                return ast.copy_location(ast.BinOp(node.left, ast.Pow(), raised), node)
        if isinstance(node.op, (ast.Add, ast.Sub)):
            if self._site(node, f"term dropped: {cut}", f"term dropped: {whole}"):
                return node.left
        return node


def sites_of(source: str) -> list[Site]:
    """Every mutation site of a module's source, in source order (a site's position is its mutant's index)."""
    mutator = Mutator()
    mutator.visit(ast.parse(source))
    return mutator.sites


def mutant_key(site: Site, occurrence: int, occurrences: int) -> str:
    """The stable key of a mutant: ``"<qualname>: <change>"``, plus ``" #<occurrence>"`` (1-based, in source
    order) when the same change occurs ``occurrences`` > 1 times in that function.

    It names neither the file nor a position, so it still matches after the function moves to another file
    or code elsewhere in the file changes, e.g. ``"r_theorem3: constant 4 -> 5 in 4 * xi ** 2"``.
    """
    return f"{site.qualname}: {site.change}" + (f" #{occurrence}" if occurrences > 1 else "")


def relative_path(path: Path, root: Path = ROOT) -> str:
    """``path`` relative to ``root``, with forward slashes."""
    return path.resolve().relative_to(root.resolve()).as_posix()


def mutants_of(path: Path, root: Path = ROOT) -> list[Mutant]:
    """Every mutant of a source file, in source order."""
    sites = sites_of(path.read_text(encoding="utf-8"))
    rel = relative_path(path, root)
    total = Counter((s.qualname, s.change) for s in sites)
    seen: Counter[tuple[str, str]] = Counter()
    out = []
    for index, site in enumerate(sites):
        seen[site.qualname, site.change] += 1
        key = mutant_key(site, seen[site.qualname, site.change], total[site.qualname, site.change])
        out.append(Mutant(rel, index, site.line, site.function, site.description, key))
    return out


def apply_source(source: str, index: int) -> str:
    """``source`` with mutant ``index`` applied."""
    tree = Mutator(index).visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree))


def apply(path: Path, index: int) -> str:
    """Source text of ``path`` with mutant ``index`` applied."""
    return apply_source(path.read_text(encoding="utf-8"), index)


def show(path: Path, index: int, root: Path = ROOT, context: int = 60) -> str:
    """Mutant ``index`` of ``path``: where it is, its key, and the changed text with ``context`` characters
    around it."""
    muts = mutants_of(path, root)
    if not 0 <= index < len(muts):
        raise ValueError(f"{path} has mutants 0..{len(muts) - 1}, not {index}")
    before = ast.unparse(ast.parse(path.read_text(encoding="utf-8"))).splitlines()
    after = apply(path, index).splitlines()
    out = [muts[index].where(), f"  key: {muts[index].key}"]
    for old, new in zip(before, after):
        if old != new:
            sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
            for tag, i1, i2, j1, j2 in sm.get_opcodes():
                if tag != "equal":
                    out.append(f"  ...{old[max(0, i1 - context):i1]}[{old[i1:i2]} -> {new[j1:j2]}]"
                               f"{old[i2:i2 + context]}...")
    return "\n".join(out)


def function_sources(text: str) -> dict[str, str]:
    """The source (as ast.unparse prints it) of every module-level function of ``text``, by name."""
    return {n.name: ast.unparse(n) for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)}


def default_targets(root: Path = ROOT) -> list[Path]:
    """Every derivation module with formulas and every generated file."""
    derivations = [p for p in (root / "derivations").glob("*.py") if p.stem not in ("__init__", "__main__", "codegen")]
    generated = [p for p in (root / "numerics" / "generated").glob("*.py") if p.stem != "__init__"]
    return sorted(derivations + generated)
