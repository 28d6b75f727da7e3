"""Compile a flow's SymPy right-hand side into Taylor-coefficient recurrences: one jet operation per node.

A :class:`FlowSpec` names the state blocks (SymPy symbols: a ``Symbol`` is a vector of coordinates and every
operation on it is entrywise; a ``MatrixSymbol`` is a matrix, with matrix products), their right-hand sides, and the
run-time parameters (numbers, data vectors, data matrices). :func:`render` turns it into Python source for
``numerics/generated/<topic>_taylor.py``: a function ``<name>_constants(parameters…)`` that evaluates every
subexpression free of the state once, and ``<name>_coefficients(k, w, c)`` that computes coefficient k of every
node of the right-hand side (after common-subexpression elimination: SymPy's structural equality, one node per
distinct subexpression, n-ary sums and products split into binary ones) with the recurrences of
``numerics.taylor.jets``, then coefficient k + 1 of every state block. Non-smooth nodes (|x|, sign x) are recorded
as kinks: the integrator ends a step where their argument crosses zero.

Two functions beyond SymPy's: ``MatVec(M, x)`` (a constant matrix M times the vector x) and ``CoordSum(x)`` (the sum
over the coordinates of x), for right-hand sides that couple coordinates through data (g = Hθ − b).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import sympy as sp
from sympy.printing.pycode import MpmathPrinter


class MatVec(sp.Function):
    """M x for a constant matrix M (a parameter) and a vector expression x."""

    nargs = 2


class CoordSum(sp.Function):
    """Σ_i x_i over the coordinates of a vector expression x (a one-entry result)."""

    nargs = 1


@dataclass(frozen=True)
class FlowSpec:
    """An autonomous flow y' = f(y): state blocks (name, symbol) in order, one right-hand side per block, and the
    parameters the generated code takes at run time (symbols of numbers, data vectors or matrices)."""

    name: str
    state: tuple[tuple[str, sp.Basic], ...]
    rhs: tuple[sp.Basic, ...]
    parameters: tuple[sp.Basic, ...]
    doc: str

    def __post_init__(self) -> None:
        if len(self.state) != len(self.rhs):
            raise ValueError(f"flow {self.name}: {len(self.state)} state blocks but {len(self.rhs)} right-hand sides")
        known = {s for _, s in self.state} | set(self.parameters)
        for e in self.rhs:
            missing = sp.sympify(e).free_symbols - known
            missing = {m for m in missing if not any(m in p.free_symbols for p in known)}
            if missing:
                raise ValueError(f"flow {self.name} uses {sorted(map(str, missing))}, neither state nor parameters")


@dataclass(frozen=True)
class Ref:
    """A compiled subexpression: node ``index`` of the workspace, or constant ``index`` of ``c``."""

    kind: str  # "node" or "const"
    index: int

    def code(self) -> str:
        return f"w[{self.index}]" if self.kind == "node" else f"c[{self.index}]"


@dataclass
class Compiler:
    """Builds the node list of one flow (see the module docstring)."""

    spec: FlowSpec
    printer: MpmathPrinter = field(default_factory=lambda: MpmathPrinter({"fully_qualified_modules": True}))
    lines: list[str] = field(default_factory=list)
    constants: list[sp.Basic] = field(default_factory=list)
    memo: dict[sp.Basic, Ref] = field(default_factory=dict)
    kinks: list[int] = field(default_factory=list)
    count: int = 0

    def __post_init__(self) -> None:
        for name, sym in self.spec.state:
            self.memo[sym] = Ref("node", self.count)
            self.count += 1
        self.state_symbols = {sym for _, sym in self.spec.state}

    # --- bookkeeping ---------------------------------------------------------------------------------------------
    def constant(self, e: sp.Basic) -> Ref:
        e = sp.sympify(e)
        if e not in self.memo:
            self.memo[e] = Ref("const", len(self.constants))
            self.constants.append(e)
        return self.memo[e]

    def new_node(self) -> Ref:
        self.count += 1
        return Ref("node", self.count - 1)

    def emit(self, call: str, comment: sp.Basic | str, *, target: Ref | None = None) -> Ref:
        """Emit ``w[i, k] = J.<call>`` for a new node (or ``target``); ``{out}`` in ``call`` is the node itself."""
        node = target or self.new_node()
        text = str(comment).replace("\n", " ")
        text = text if len(text) <= 60 else text[:57] + "..."
        self.lines.append(f"    w[{node.index}, k] = J.{call.format(out=node.code())}  # {text}")
        return node

    def is_constant(self, e: sp.Basic) -> bool:
        return not (e.free_symbols & self.state_symbols)

    # --- expressions ---------------------------------------------------------------------------------------------
    def ref(self, e: sp.Basic) -> Ref:
        e = sp.sympify(e)
        if e in self.memo:
            return self.memo[e]
        if self.is_constant(e):
            if isinstance(e, sp.MatrixExpr) and not isinstance(e, sp.MatrixSymbol):
                raise ValueError(f"constant matrix expressions must be parameters, got {e}")
            return self.constant(e)
        out = self.build(e)
        self.memo[e] = out
        return out

    def build(self, e: sp.Basic) -> Ref:
        if isinstance(e, sp.MatrixExpr):
            return self.build_matrix(e)
        if isinstance(e, sp.Add):
            return self.build_sum(e.args, e)
        if isinstance(e, sp.Mul):
            return self.build_product(e)
        if isinstance(e, sp.Pow):
            return self.build_power(e.base, e.exp, e)
        return self.build_function(e)

    def build_sum(self, terms: Sequence[sp.Basic], whole: sp.Basic) -> Ref:
        fixed = [t for t in terms if self.is_constant(t)]
        moving = [t for t in terms if not self.is_constant(t)]
        acc: Ref | None = None
        for t in moving:
            negated = t.could_extract_minus_sign() and not isinstance(t, sp.MatrixExpr) or (
                isinstance(t, sp.MatMul) and t.args[0] == -1)
            r = self.ref(-t) if negated else self.ref(t)
            if acc is None:
                acc = self.emit(f"neg({r.code()}, k)", t) if negated else r
            else:
                acc = self.emit(f"{'sub' if negated else 'add'}({acc.code()}, {r.code()}, k)", whole)
        assert acc is not None
        if fixed:
            c = self.constant(sp.Add(*fixed) if not isinstance(whole, sp.MatrixExpr) else fixed[0])
            if len(fixed) > 1 and isinstance(whole, sp.MatrixExpr):
                raise ValueError(f"at most one constant matrix term per sum, got {fixed}")
            acc = self.emit(f"shift({acc.code()}, {c.code()}, k)", whole)
        return acc

    def build_product(self, e: sp.Mul) -> Ref:
        fixed = [f for f in e.args if self.is_constant(f)]
        num, den = [], []
        for f in e.args:
            if self.is_constant(f):
                continue
            if isinstance(f, sp.Pow) and f.exp.is_Number and f.exp < 0:
                den.append(f.base ** (-f.exp))
            else:
                num.append(f)
        coef = sp.Mul(*fixed)
        acc = self.chain(num, "mul") if num else None
        if den:
            d = self.chain(den, "mul")
            if acc is None:
                return self.emit(f"rdiv({{out}}, {self.constant(coef).code()}, {d.code()}, k)", e)
            acc = self.emit(f"div({{out}}, {acc.code()}, {d.code()}, k)", sp.Mul(*num) / sp.Mul(*den))
        assert acc is not None
        if coef == -1:
            return self.emit(f"neg({acc.code()}, k)", e)
        if coef != 1:
            return self.emit(f"scale({acc.code()}, {self.constant(coef).code()}, k)", e)
        return acc

    def chain(self, factors: list[sp.Basic], op: str) -> Ref:
        """Product of several non-constant factors, left to right (a product of the same factors is one node)."""
        acc = self.ref(factors[0])
        so_far = factors[0]
        for f in factors[1:]:
            so_far = so_far * f
            if so_far in self.memo:
                acc = self.memo[so_far]
                continue
            acc = self.emit(f"{op}({acc.code()}, {self.ref(f).code()}, k)", so_far)
            self.memo[so_far] = acc
        return acc

    def build_power(self, base: sp.Basic, ex: sp.Basic, whole: sp.Basic) -> Ref:
        if not self.is_constant(ex):
            return self.ref(sp.exp(ex * sp.log(base)))
        b = self.ref(base)
        if ex.is_Integer and ex > 0:
            if ex == 1:
                return b
            if ex == 2:
                return self.emit(f"square({b.code()}, k)", whole)
            if ex % 2 == 0:
                return self.emit(f"square({self.ref(base ** (ex // 2)).code()}, k)", whole)
            return self.emit(f"mul({self.ref(base ** (ex - 1)).code()}, {b.code()}, k)", whole)
        if ex.is_Integer and ex < 0:
            pos = self.ref(base ** (-ex))
            return self.emit(f"rdiv({{out}}, {self.constant(sp.Integer(1)).code()}, {pos.code()}, k)", whole)
        if ex == sp.Rational(1, 2):
            return self.emit(f"sqrt({{out}}, {b.code()}, k)", whole)
        if ex == -sp.Rational(1, 2):
            root = self.ref(sp.sqrt(base))
            return self.emit(f"rdiv({{out}}, {self.constant(sp.Integer(1)).code()}, {root.code()}, k)", whole)
        return self.emit(f"power({{out}}, {b.code()}, {self.constant(ex).code()}, k)", whole)

    def build_function(self, e: sp.Basic) -> Ref:
        if isinstance(e, MatVec):
            M, x = e.args
            return self.emit(f"matvec({self.constant(M).code()}, {self.ref(x).code()}, k)", e)
        if isinstance(e, CoordSum):
            return self.emit(f"total({self.ref(e.args[0]).code()}, k)", e)
        if isinstance(e, (sp.Abs, sp.sign)):
            a = self.ref(e.args[0])
            node = self.new_node()
            self.kinks.append(a.index)
            op = "absolute" if isinstance(e, sp.Abs) else "sign"
            return self.emit(f"{op}({a.code()}, k, w.signs({node.index}, {a.code()}), w.zero)", e, target=node)
        simple = {sp.exp: "exp", sp.log: "log"}
        for cls, name in simple.items():
            if isinstance(e, cls):
                return self.emit(f"{name}({{out}}, {self.ref(e.args[0]).code()}, k)", e)
        pairs = {sp.sinh: ("sinh", "cosh", sp.cosh), sp.cosh: ("cosh", "sinh", sp.sinh),
                 sp.sin: ("sin", "cos", sp.cos), sp.cos: ("cos", "sin", sp.sin)}
        for cls, (name, other, other_cls) in pairs.items():
            if isinstance(e, cls):
                return self.build_pair(e, name, other, other_cls)
        if isinstance(e, sp.tanh):
            a = self.ref(e.args[0])
            t, sq, neg_sq, u = (self.new_node() for _ in range(4))  # u = 1 − tanh², read lagged by tanh
            self.emit(f"tanh({a.code()}, {u.code()}, k)", e, target=t)
            self.emit(f"square({t.code()}, k)", e ** 2, target=sq)
            self.emit(f"neg({sq.code()}, k)", -e ** 2, target=neg_sq)
            self.emit(f"shift({neg_sq.code()}, {self.constant(sp.Integer(1)).code()}, k)", 1 - e ** 2, target=u)
            return t
        if isinstance(e, sp.asinh):
            x = e.args[0]
            s = self.ref(sp.sqrt(1 + x ** 2))
            return self.emit(f"asinh({{out}}, {self.ref(x).code()}, {s.code()}, k)", e)
        raise ValueError(f"the Taylor compiler has no recurrence for {type(e).__name__}: {e}")

    def build_pair(self, e: sp.Basic, name: str, other: str, other_cls: Any) -> Ref:
        a = self.ref(e.args[0])
        mine, partner = self.new_node(), self.new_node()
        self.memo[other_cls(e.args[0])] = partner
        self.emit(f"{name}({a.code()}, {partner.code()}, k)", e, target=mine)
        self.emit(f"{other}({a.code()}, {mine.code()}, k)", other_cls(e.args[0]), target=partner)
        return mine

    def build_matrix(self, e: sp.MatrixExpr) -> Ref:
        if isinstance(e, sp.MatAdd):
            return self.build_sum(e.args, e)
        if isinstance(e, sp.Transpose):
            return self.emit(f"transpose({self.ref(e.arg).code()}, k)", e)
        if isinstance(e, sp.MatMul):
            scalars = [a for a in e.args if not isinstance(a, sp.MatrixExpr)]
            mats = [a for a in e.args if isinstance(a, sp.MatrixExpr)]
            if any(not self.is_constant(s) for s in scalars):
                raise ValueError(f"time-varying scalar factors of a matrix product are not supported: {e}")
            acc = self.ref(mats[0])
            for f in mats[1:]:
                r = self.ref(f)
                op = "matmul" if acc.kind == "node" and r.kind == "node" else "matmul_const"
                acc = self.emit(f"{op}({acc.code()}, {r.code()}, k)", f"({acc.code()})·{f}")
            coef = sp.Mul(*scalars)
            if coef == -1:
                return self.emit(f"neg({acc.code()}, k)", e)
            if coef != 1:
                return self.emit(f"scale({acc.code()}, {self.constant(coef).code()}, k)", e)
            return acc
        raise ValueError(f"the Taylor compiler has no recurrence for the matrix expression {type(e).__name__}: {e}")

    # --- the whole flow ------------------------------------------------------------------------------------------
    def state_updates(self) -> list[str]:
        out = []
        for (name, sym), f in zip(self.spec.state, self.spec.rhs):
            i = self.memo[sym].index
            r = self.ref(f)
            if r.kind == "node":
                out.append(f"    w[{i}, k + 1] = J.integrate({r.code()}, k)  # {name}' = {str(f)[:60]}")
            else:
                out.append(f"    w[{i}, k + 1] = J.integrate_constant({r.code()}, w[{i}], k)  # {name}' = {f}")
        return out


def render_flow(spec: FlowSpec) -> str:
    """Source of the constants function, the coefficient function and the JetProgram of one flow."""
    comp = Compiler(spec)
    updates = comp.state_updates()
    pr = comp.printer
    names = [pr.doprint(p) for p in spec.parameters]
    consts = [pr.doprint(c) for c in comp.constants]
    blocks = ", ".join(repr(n) for n, _ in spec.state)
    const_body = ("    return (" + ",\n            ".join(consts) + ("," if len(consts) == 1 else "") + ")\n"
                  if consts else "    return ()\n")
    return (f"def {spec.name}_constants({', '.join(names)}):\n"
            f'    """The {len(consts)} subexpressions of {spec.name}\'s right-hand side free of the state."""\n'
            + const_body + "\n\n"
            f"def {spec.name}_coefficients(k, w, c):\n"
            f'    """Coefficient k of the {comp.count - len(spec.state)} nodes of {spec.name}\'s right-hand side, then '
            f'coefficient k + 1 of its state\n    blocks (w: the workspace, state blocks first; c: the constants)."""\n'
            + "\n".join(comp.lines + updates) + "\n\n\n"
            f"{spec.name} = J.JetProgram(\n"
            f"    name={spec.name!r},\n"
            f"    blocks=({blocks}{',' if len(spec.state) == 1 else ''}),\n"
            f"    parameters=({', '.join(repr(n) for n in names)}{',' if len(names) == 1 else ''}),\n"
            f"    nodes={comp.count},\n"
            f"    kinks=({', '.join(map(str, comp.kinks))}{',' if len(comp.kinks) == 1 else ''}),\n"
            f"    constants={spec.name}_constants,\n"
            f"    coefficients={spec.name}_coefficients,\n"
            f"    doc={spec.doc!r},\n"
            ")\n")


HEADER = ('"""GENERATED by `python -m derivations regenerate` from derivations/taylor_flows.py (right-hand sides) and\n'
          'derivations/taylor.py (the compiler); do not edit.\n\n{doc}\n"""\n'
          "import mpmath  # noqa: F401 (used by the constants of some flows)\n\n"
          "from numerics.taylor import jets as J\n")


def render(doc: str, specs: Sequence[FlowSpec]) -> str:
    """Source text of one ``numerics/generated/<topic>_taylor.py``."""
    return HEADER.format(doc=doc) + "\n\n" + "\n\n".join(render_flow(s) for s in specs)


def compile_program(spec: FlowSpec) -> Any:
    """The JetProgram of ``spec``, compiled in memory (for tests and notebooks; the numerics use generated files)."""
    scope: dict[str, Any] = {}
    exec(compile(render("in memory", [spec]), f"<taylor {spec.name}>", "exec"), scope)  # noqa: S102
    return scope[spec.name]
