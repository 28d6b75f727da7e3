"""Which claims reach which code: instrumented sources and a tracer that also sees through ``lru_cache``.

:func:`instrument` puts a call ``__mutation_trace__("path:function")`` at the top of every outermost function
of a target file (``numerics/smgd_kernels.py`` knows this builtin's name: its numba kernels record the
generated formulas they inline). :class:`Tracer` records, per claim, the names it reaches; installed with
:meth:`Tracer.install`, it replaces ``functools.lru_cache`` so that a cached result charges the functions
and seconds of its computation to every claim that uses it.
"""
from __future__ import annotations

import ast
import builtins
import functools
import time
from typing import Callable, Hashable

from tools.mutation.mutants import has_docstring

#: The builtin the instrumented sources call.
TRACE_BUILTIN = "__mutation_trace__"
#: Pseudo-claims that collect what importing the project and building the formulas reach.
IMPORT, FORMULAS = "<import>", "<formulas>"


def instrument(source: str, rel: str) -> str:
    """``source`` with a call ``__mutation_trace__('rel:f')`` at the start of every outermost function ``f``
    (module functions and methods), the name of :attr:`tools.mutation.mutants.Mutant.traced_name`."""

    class Tracer(ast.NodeTransformer):
        depth = 0

        def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
            if self.depth == 0:
                call = ast.Call(ast.Name(TRACE_BUILTIN, ast.Load()), [ast.Constant(f"{rel}:{node.name}")], [])
                start = 1 if has_docstring(node.body) else 0
                node.body = node.body[:start] + [ast.Expr(call)] + node.body[start:]
            self.depth += 1
            self.generic_visit(node)
            self.depth -= 1
            return node

    return ast.unparse(ast.fix_missing_locations(Tracer().visit(ast.parse(source))))


def cache_key(args: tuple, kwargs: dict, typed: bool = False) -> Hashable:
    """The key under which :class:`Tracer` remembers one call of a cached function: the positional arguments,
    the keyword arguments sorted by name and, with ``typed``, the types of all of them.

    Two calls that ``functools.lru_cache`` answers from one entry get equal keys (it compares arguments by
    ``==`` too); calls that differ only in the order of their keywords, which lru_cache keeps apart, share one
    key, which only merges the records of two equal computations.
    """
    items = tuple(sorted(kwargs.items()))
    if not typed:
        return args, items
    return args, items, tuple(type(a) for a in args), tuple(type(v) for _, v in items)


class Tracer:
    """Records, per claim, the traced functions it reaches, also through ``functools.lru_cache``: each cached
    result remembers the functions (and seconds) its computation took, and a cache hit charges both to
    the claim that hits it. So one sequential run gives what running each claim alone would.

    ``current`` is the claim being run (or :data:`IMPORT`, :data:`FORMULAS`); ``used`` maps each to the
    names it reached, ``extra`` to the seconds of the cached computations it reused.
    """

    def __init__(self) -> None:
        self.current = IMPORT
        self.used: dict[str, set[str]] = {}
        self.extra: dict[str, float] = {}
        self.seen: dict[str, set[tuple[int, Hashable]]] = {}
        self.stack: list[set[str]] = []
        self.misses = 0

    def record(self, name: str) -> None:
        """Called by the instrumented functions: ``name`` was reached by the current claim (and computation)."""
        self.used.setdefault(self.current, set()).add(name)
        for frame in self.stack:
            frame.add(name)

    def install(self) -> None:
        """Make the instrumented sources report here, and every ``lru_cache``/``cache`` decorated from now on
        a traced one (call before importing the project)."""
        setattr(builtins, TRACE_BUILTIN, self.record)
        traced = self.lru_cache(functools.lru_cache)
        functools.lru_cache = traced  # type: ignore[assignment]
        functools.cache = lambda fn: traced(None)(fn)  # type: ignore[assignment]

    def lru_cache(self, real: Callable) -> Callable:
        """A drop-in for ``real`` (``functools.lru_cache``) whose cached functions charge their records."""
        tracer = self

        def traced_lru_cache(maxsize: object = 128, typed: bool = False) -> Callable:
            if callable(maxsize):  # used bare: @lru_cache
                return traced_lru_cache(128, typed)(maxsize)

            def decorate(fn: Callable) -> Callable:
                deps: dict[Hashable, tuple[set[str], float]] = {}

                def miss(*a: object, **k: object) -> object:
                    tracer.misses += 1
                    frame: set[str] = set()
                    tracer.stack.append(frame)
                    t0 = time.perf_counter()
                    try:
                        return fn(*a, **k)
                    finally:
                        tracer.stack.pop()
                        deps[cache_key(a, k, typed)] = (frame, time.perf_counter() - t0)

                cached = real(maxsize, typed)(miss)

                @functools.wraps(fn)
                def call(*a: object, **k: object) -> object:
                    before = tracer.misses
                    out = cached(*a, **k)
                    key = cache_key(a, k, typed)
                    names, seconds = deps.get(key, (set(), 0.0))
                    tracer.charge(id(deps), key, names, seconds, hit=tracer.misses == before)
                    return out

                call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
                call.cache_info = cached.cache_info  # type: ignore[attr-defined]
                return call

            return decorate

        return traced_lru_cache

    def charge(self, cache: int, key: Hashable, names: set[str], seconds: float, hit: bool) -> None:
        """Charge a cached call's records to the current claim: the ``names`` its computation reached, and on
        the claim's first hit of the entry the ``seconds`` it cost."""
        for name in names:
            self.record(name)
        seen = self.seen.setdefault(self.current, set())
        if hit and (cache, key) not in seen:
            self.extra[self.current] = self.extra.get(self.current, 0.0) + seconds
        seen.add((cache, key))


def disable_tracing() -> None:
    """Make the instrumented sources' calls do nothing (a run that needs no records)."""
    setattr(builtins, TRACE_BUILTIN, lambda name: None)
