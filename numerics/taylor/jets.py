"""Truncated Taylor series (jets) in mpmath: the k-th coefficient of each elementary operation by its recurrence.

A jet is an object array of mpf whose first axis is the order: ``a[j]`` is the coefficient of τʲ (an array of the
node's shape: a vector of coordinates, a matrix, or one entry). Every operation below returns coefficient ``k`` of
its result from coefficients ``0..k`` of its operands; a recursive one (division, exp, sqrt, …) also reads
coefficients ``0..k−1`` of its own result ``out``. The sums are ``mpmath.fdot`` at the working precision of the
enclosing ``mpmath.workdps`` context. With c = a·b, e = exp(a), … (Griewank & Walther, *Evaluating Derivatives*,
ch. 13; Jorba & Zou 2005):

    (a·b)_k = Σ_{j≤k} a_j b_{k−j}                  (a/b)_k = (a_k − Σ_{1≤j≤k} b_j c_{k−j}) / b_0
    √a: c_k = (a_k − Σ_{1≤j<k} c_j c_{k−j}) / 2c_0   a^r: c_k = Σ_{j<k} (r(k−j) − j) a_{k−j} c_j / (k a_0)
    exp: e_k = Σ_{1≤j≤k} j a_j e_{k−j} / k         log: c_k = (a_k − Σ_{1≤j<k} j c_j a_{k−j} / k) / a_0
    sinh/cosh: s_k = Σ j a_j c_{k−j} / k, c_k = Σ j a_j s_{k−j} / k (sin/cos alike, with a sign)
    tanh: t_k = Σ j a_j u_{k−j} / k with u = 1 − t²
    asinh: c_k = (k a_k − Σ_{1≤j<k} j c_j s_{k−j}) / (k s_0) with s = √(1 + a²)

Operands broadcast when one has a single entry. :class:`Workspace` holds the jets of a program's nodes during one
expansion (what the generated ``*_taylor`` modules write into); :class:`Jet` wraps one series for direct use.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import mpmath
import numpy as np

Array = np.ndarray


# --- helpers ---------------------------------------------------------------------------------------------------
def flat(a: Array, lo: int, hi: int) -> Array:
    """Coefficients lo..hi−1 of the jet ``a`` as a (terms × entries) array."""
    return a[lo:hi].reshape(hi - lo, -1)


def flat_reversed(a: Array, lo: int, hi: int) -> Array:
    """Coefficients hi−1 down to lo of the jet ``a`` as a (terms × entries) array."""
    part = a[hi - 1::-1] if lo == 0 else a[hi - 1:lo - 1:-1]
    return part.reshape(hi - lo, -1)


def entry_shape(*values: Any) -> tuple[int, ...]:
    """Broadcast shape of the entries of the given jets' coefficients (or constants)."""
    return np.broadcast_shapes(*(np.shape(v) for v in values))


def dot_columns(A: Array, B: Array) -> Array:
    """``mpmath.fdot`` of matching columns of two (terms × entries) arrays; a one-entry column broadcasts."""
    n = max(A.shape[1], B.shape[1])
    out = np.empty(n, dtype=object)
    wide_a, wide_b = A.shape[1] > 1, B.shape[1] > 1
    for i in range(n):
        out[i] = mpmath.fdot(A[:, i if wide_a else 0], B[:, i if wide_b else 0])
    return out


def cauchy(a: Array, b: Array, lo: int, k: int) -> Array:
    """Σ_{j=lo}^{k} a_j b_{k−j} per entry (flat; needs lo <= k)."""
    return dot_columns(flat(a, lo, k + 1), flat_reversed(b, 0, k - lo + 1))


def weighted(a: Array, lo: int, hi: int) -> Array:
    """(j·a_j) for j = lo..hi−1, as a (terms × entries) array."""
    return np.arange(lo, hi, dtype=object)[:, None] * flat(a, lo, hi)


def elementwise(f: Callable[[Any], Any], values: Any) -> Array:
    """``f`` applied to every entry (mpmath's functions take one number)."""
    arr = np.asarray(values, dtype=object)
    return np.array([f(x) for x in arr.flat], dtype=object).reshape(arr.shape)


def shaped(values: Array, *jets: Any) -> Array:
    """A flat result reshaped to the broadcast entry shape of the operands' coefficients."""
    return values.reshape(entry_shape(*(j[0] for j in jets)))


# --- linear operations -----------------------------------------------------------------------------------------
def add(a: Array, b: Array, k: int) -> Array:
    """(a + b)_k."""
    return a[k] + b[k]


def sub(a: Array, b: Array, k: int) -> Array:
    """(a − b)_k."""
    return a[k] - b[k]


def neg(a: Array, k: int) -> Array:
    """(−a)_k."""
    return -a[k]


def scale(a: Array, c: Any, k: int) -> Array:
    """(c·a)_k for a constant c (a number or an array of entries)."""
    return a[k] * c  # the array first: mpf * ndarray makes mpmath try to convert the array


def shift(a: Array, c: Any, k: int) -> Array:
    """(a + c)_k for a constant c: c enters coefficient 0 only."""
    if k == 0:
        return a[0] + c
    shape = entry_shape(a[k], c)
    return a[k] if shape == np.shape(a[k]) else np.broadcast_to(a[k], shape).copy()


def constant(c: Any, like: Array, k: int) -> Array:
    """Coefficient k of the constant c (with the entry shape of ``like`` and c broadcast)."""
    zero = 0 * like[0] + 0 * np.asarray(c, dtype=object)
    return zero + c if k == 0 else zero


def integrate(f: Array, k: int) -> Array:
    """Coefficient k + 1 of y with y' = f: f_k/(k + 1)."""
    return f[k] / (k + 1)


def integrate_constant(c: Any, like: Array, k: int) -> Array:
    """Coefficient k + 1 of y with y' = c, a constant (``like``, a jet, gives the entry shape)."""
    return constant(c, like, k) / (k + 1)


def total(a: Array, k: int) -> Array:
    """(Σ over entries of a)_k, as a one-entry array."""
    return np.array([mpmath.fsum(np.asarray(a[k]).flat)], dtype=object)


def matvec(M: Array, a: Array, k: int) -> Array:
    """(M a)_k for a constant matrix M and a vector jet a."""
    col = a[k]
    return np.array([mpmath.fdot(row, col) for row in M], dtype=object)


def transpose(a: Array, k: int) -> Array:
    """(aᵀ)_k of a matrix jet."""
    return np.ascontiguousarray(a[k].T)


def matmul_const(a: Any, b: Any, k: int) -> Array:
    """(A B)_k when one factor is a constant matrix (a 2-d array, not a jet)."""
    if isinstance(a, np.ndarray) and a.ndim == 3:
        return _matprod(a[k], b)
    return _matprod(a, b[k])


def _matprod(A: Array, B: Array) -> Array:
    out = np.empty((A.shape[0], B.shape[1]), dtype=object)
    for r in range(A.shape[0]):
        for c in range(B.shape[1]):
            out[r, c] = mpmath.fdot(A[r, :], B[:, c])
    return out


# --- products and quotients ------------------------------------------------------------------------------------
def mul(a: Array, b: Array, k: int) -> Array:
    """(a·b)_k = Σ_{j≤k} a_j b_{k−j}, entrywise."""
    return shaped(cauchy(a, b, 0, k), a, b)


def square(a: Array, k: int) -> Array:
    """(a²)_k, using the symmetry of the Cauchy sum (half the products)."""
    half = (k + 1) // 2
    out = 2 * dot_columns(flat(a, 0, half), flat_reversed(a, k - half + 1, k + 1)) if half else 0
    if k % 2 == 0:
        mid = flat(a, k // 2, k // 2 + 1)[0]
        out = out + mid * mid
    return shaped(np.asarray(out, dtype=object), a)


def matmul(a: Array, b: Array, k: int) -> Array:
    """(A B)_k = Σ_{j≤k} A_j B_{k−j} for matrix jets (one fdot per entry over j and the inner index)."""
    rows, inner, cols = a.shape[1], a.shape[2], b.shape[2]
    A = a[:k + 1]
    B = b[k::-1]
    out = np.empty((rows, cols), dtype=object)
    for r in range(rows):
        ar = A[:, r, :].reshape(-1)
        for c in range(cols):
            out[r, c] = mpmath.fdot(ar, B[:, :, c].reshape(-1))
    assert inner == b.shape[1]
    return out


def div(out: Array, a: Array, b: Array, k: int) -> Array:
    """(a/b)_k = (a_k − Σ_{1≤j≤k} b_j (a/b)_{k−j}) / b_0 (b_0 ≠ 0)."""
    b0 = flat(b, 0, 1)[0]
    num = flat(a, k, k + 1)[0] - (cauchy(b, out, 1, k) if k else 0)
    return shaped(num / b0, a, b)


def rdiv(out: Array, c: Any, b: Array, k: int) -> Array:
    """(c/b)_k for a constant c: (c δ_k0 − Σ_{1≤j≤k} b_j (c/b)_{k−j}) / b_0."""
    b0 = flat(b, 0, 1)[0]
    cc = np.asarray(c, dtype=object).reshape(-1)
    num = cc + 0 * b0 if k == 0 else -cauchy(b, out, 1, k)
    return (num / b0).reshape(entry_shape(b[0], c))


# --- powers and elementary functions --------------------------------------------------------------------------
def sqrt(out: Array, a: Array, k: int) -> Array:
    """(√a)_k = (a_k − Σ_{1≤j<k} c_j c_{k−j}) / (2 c_0) (a_0 > 0)."""
    if k == 0:
        return elementwise(mpmath.sqrt, a[0])
    inner = dot_columns(flat(out, 1, k), flat_reversed(out, 1, k)) if k > 1 else 0
    return shaped((flat(a, k, k + 1)[0] - inner) / (2 * flat(out, 0, 1)[0]), a)


def power(out: Array, a: Array, r: Any, k: int) -> Array:
    """(a^r)_k = Σ_{j<k} (r(k−j) − j) a_{k−j} c_j / (k a_0) for a real constant r (a_0 ≠ 0)."""
    if k == 0:
        return elementwise(lambda x: mpmath.power(x, r), a[0])
    j = np.arange(k, dtype=object)
    wts = (r * (k - j) - j)[:, None] * flat_reversed(a, 1, k + 1)
    return shaped(dot_columns(wts, flat(out, 0, k)) / (k * flat(a, 0, 1)[0]), a)


def exp(out: Array, a: Array, k: int) -> Array:
    """(e^a)_k = Σ_{1≤j≤k} j a_j e_{k−j} / k."""
    if k == 0:
        return elementwise(mpmath.exp, a[0])
    return shaped(dot_columns(weighted(a, 1, k + 1), flat_reversed(out, 0, k)) / k, a)


def log(out: Array, a: Array, k: int) -> Array:
    """(ln a)_k = (a_k − Σ_{1≤j<k} j c_j a_{k−j} / k) / a_0 (a_0 > 0)."""
    if k == 0:
        return elementwise(mpmath.log, a[0])
    inner = dot_columns(weighted(out, 1, k), flat_reversed(a, 1, k)) / k if k > 1 else 0
    return shaped((flat(a, k, k + 1)[0] - inner) / flat(a, 0, 1)[0], a)


def _rotation(a: Array, other: Array, k: int) -> Array:
    """Σ_{1≤j≤k} j a_j o_{k−j} / k (the shared recurrence of sinh/cosh and sin/cos)."""
    return shaped(dot_columns(weighted(a, 1, k + 1), flat_reversed(other, 0, k)) / k, a)


def sinh(a: Array, cosh_a: Array, k: int) -> Array:
    """(sinh a)_k, reading coefficients 0..k−1 of cosh a (its companion node)."""
    return elementwise(mpmath.sinh, a[0]) if k == 0 else _rotation(a, cosh_a, k)


def cosh(a: Array, sinh_a: Array, k: int) -> Array:
    """(cosh a)_k, reading coefficients 0..k−1 of sinh a."""
    return elementwise(mpmath.cosh, a[0]) if k == 0 else _rotation(a, sinh_a, k)


def sin(a: Array, cos_a: Array, k: int) -> Array:
    """(sin a)_k, reading coefficients 0..k−1 of cos a."""
    return elementwise(mpmath.sin, a[0]) if k == 0 else _rotation(a, cos_a, k)


def cos(a: Array, sin_a: Array, k: int) -> Array:
    """(cos a)_k = −Σ j a_j (sin a)_{k−j} / k."""
    return elementwise(mpmath.cos, a[0]) if k == 0 else -_rotation(a, sin_a, k)


def tanh(a: Array, u: Array, k: int) -> Array:
    """(tanh a)_k = Σ_{1≤j≤k} j a_j u_{k−j} / k, reading coefficients 0..k−1 of u = 1 − tanh²a (its companion)."""
    return elementwise(mpmath.tanh, a[0]) if k == 0 else _rotation(a, u, k)


def asinh(out: Array, a: Array, s: Array, k: int) -> Array:
    """(arcsinh a)_k = (k a_k − Σ_{1≤j<k} j c_j s_{k−j}) / (k s_0) with s = √(1 + a²) (a node of its own)."""
    if k == 0:
        return elementwise(mpmath.asinh, a[0])
    inner = dot_columns(weighted(out, 1, k), flat_reversed(s, 1, k)) if k > 1 else 0
    return shaped((k * flat(a, k, k + 1)[0] - inner) / (k * flat(s, 0, 1)[0]), a, s)


# --- non-smooth operations: |a| and sign(a), with the side of a zero decided by the series ----------------------
def decide_signs(signs: Array, coefficient: Array, zero: Any) -> None:
    """Fix the still undecided entries (0) of ``signs`` from this coefficient where it is not numerically zero."""
    vals = np.asarray(coefficient, dtype=object).reshape(-1)
    for i in np.flatnonzero(signs == 0):
        if abs(vals[i]) > zero:
            signs[i] = 1 if vals[i] > 0 else -1


def absolute(a: Array, k: int, signs: Array, zero: Any) -> Array:
    """(|a|)_k = s·a_k with s the sign of a just after the expansion point: the sign of its first coefficient above
    ``zero`` (so |a| is expanded on the side the series moves to, also from a zero of a); 0 while undecided."""
    decide_signs(signs, a[k], zero)
    return (signs.reshape(np.shape(a[k])) * a[k]).astype(object)


def sign(a: Array, k: int, signs: Array, zero: Any) -> Array:
    """(sign a)_k: s at order 0 (decided as in :func:`absolute`, over all orders), 0 above."""
    decide_signs(signs, a[k], zero)
    if k == 0:
        return np.asarray(signs.reshape(np.shape(a[0])), dtype=object) * mpmath.mpf(1)
    return 0 * a[k]


# --- storage ---------------------------------------------------------------------------------------------------
class Workspace:
    """The jets of a program's nodes during one expansion: ``w[i]`` is node i's jet (None until its coefficient 0
    is written), ``w[i, k] = value`` writes coefficient k (allocating ``orders`` coefficients on the first write).
    ``signs(i)`` is the side record of the non-smooth node i; ``zero`` is the level below which a coefficient counts
    as zero when deciding a side."""

    def __init__(self, count: int, orders: int, zero: Any) -> None:
        self.jets: list[Array | None] = [None] * count
        self.orders = orders
        self.zero = zero
        self.sides: dict[int, Array] = {}

    def __getitem__(self, i: int) -> Array | None:
        return self.jets[i]

    def __setitem__(self, key: tuple[int, int], value: Any) -> None:
        i, k = key
        jet = self.jets[i]
        if jet is None:
            value = np.asarray(value, dtype=object)
            jet = self.jets[i] = np.empty((self.orders,) + value.shape, dtype=object)
        jet[k] = value

    def signs(self, i: int, argument: Array) -> Array:
        """The sign record of the non-smooth node i of the jet ``argument`` (one integer per entry, 0 = undecided)."""
        if i not in self.sides:
            self.sides[i] = np.zeros(int(np.prod(np.shape(argument[0]))), dtype=int)
        return self.sides[i]


@dataclass(frozen=True)
class JetProgram:
    """A flow's right-hand side compiled into jet operations (``numerics/generated/*_taylor.py``).

    ``constants(*parameters)`` evaluates the subexpressions free of the state (inside the caller's precision);
    ``coefficients(k, w, c)`` writes coefficient k of every node and k + 1 of every state block into the
    :class:`Workspace` ``w`` (state blocks are its first ``len(blocks)`` nodes). ``kinks`` are the nodes whose
    zeros make the right-hand side non-smooth (arguments of |·| and sign)."""

    name: str
    blocks: tuple[str, ...]
    parameters: tuple[str, ...]
    nodes: int
    kinks: tuple[int, ...]
    constants: Callable[..., tuple]
    coefficients: Callable[[int, Workspace, tuple], None]
    doc: str


# --- one series for direct use ----------------------------------------------------------------------------------
class Jet:
    """A truncated Taylor series with ``n`` coefficients (entries of any shape), closed under the operations above.

    ``Jet.variable(x0, n)`` is x0 + τ; ``Jet.constant(c, n)`` is c. Arithmetic with numbers and other jets, ``**``
    with a constant exponent, and the methods exp, log, sqrt, sinh, cosh, sin, cos, tanh, asinh build new series by
    the recurrences (each call runs them over all ``n`` orders at the working precision)."""

    def __init__(self, coefficients: Any) -> None:
        arr = np.asarray(coefficients, dtype=object)
        self.c = arr.reshape(arr.shape + (1,)) if arr.ndim == 1 else arr

    @classmethod
    def variable(cls, x0: Any, n: int) -> Jet:
        """x0 + τ."""
        c = np.zeros((n, 1), dtype=object) * mpmath.mpf(0)
        c[0, 0] = mpmath.mpf(x0)
        if n > 1:
            c[1, 0] = mpmath.mpf(1)
        return cls(c)

    @classmethod
    def constant(cls, value: Any, n: int) -> Jet:
        """The constant ``value``."""
        c = np.zeros((n, 1), dtype=object) * mpmath.mpf(0)
        c[0, 0] = mpmath.mpf(value)
        return cls(c)

    @property
    def n(self) -> int:
        return self.c.shape[0]

    def coefficients(self) -> list[Any]:
        """The coefficients as a list (entries of one-entry series unwrapped)."""
        return [row[0] if row.size == 1 else row for row in self.c]

    def _build(self, step: Callable[[Array, int], Array]) -> Jet:
        out = np.empty(self.c.shape, dtype=object)
        for k in range(self.n):
            out[k] = step(out, k)
        return Jet(out)

    def _other(self, other: Any) -> Jet:
        return other if isinstance(other, Jet) else Jet.constant(other, self.n)

    def __add__(self, other: Any) -> Jet:
        o = self._other(other)
        return self._build(lambda out, k: add(self.c, o.c, k))

    __radd__ = __add__

    def __sub__(self, other: Any) -> Jet:
        o = self._other(other)
        return self._build(lambda out, k: sub(self.c, o.c, k))

    def __rsub__(self, other: Any) -> Jet:
        return self._other(other) - self

    def __neg__(self) -> Jet:
        return self._build(lambda out, k: neg(self.c, k))

    def __mul__(self, other: Any) -> Jet:
        if not isinstance(other, Jet):
            return self._build(lambda out, k: scale(self.c, other, k))
        return self._build(lambda out, k: square(self.c, k) if other is self else mul(self.c, other.c, k))

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Jet:
        if not isinstance(other, Jet):
            return self * (1 / mpmath.mpf(other))
        return self._build(lambda out, k: div(out, self.c, other.c, k))

    def __rtruediv__(self, other: Any) -> Jet:
        return self._build(lambda out, k: rdiv(out, other, self.c, k))

    def __pow__(self, r: Any) -> Jet:
        return self._build(lambda out, k: power(out, self.c, r, k))

    def exp(self) -> Jet:
        return self._build(lambda out, k: exp(out, self.c, k))

    def log(self) -> Jet:
        return self._build(lambda out, k: log(out, self.c, k))

    def sqrt(self) -> Jet:
        return self._build(lambda out, k: sqrt(out, self.c, k))

    def _pair(self, first: Callable, second: Callable) -> tuple[Jet, Jet]:
        one, two = np.empty(self.c.shape, dtype=object), np.empty(self.c.shape, dtype=object)
        for k in range(self.n):
            one[k] = first(self.c, two, k)
            two[k] = second(self.c, one, k)
        return Jet(one), Jet(two)

    def sinh(self) -> Jet:
        return self._pair(sinh, cosh)[0]

    def cosh(self) -> Jet:
        return self._pair(sinh, cosh)[1]

    def sin(self) -> Jet:
        return self._pair(sin, cos)[0]

    def cos(self) -> Jet:
        return self._pair(sin, cos)[1]

    def tanh(self) -> Jet:
        t, u = np.empty(self.c.shape, dtype=object), np.empty(self.c.shape, dtype=object)
        for k in range(self.n):
            t[k] = tanh(self.c, u, k)
            u[k] = (1 if k == 0 else 0) - square(t, k)
        return Jet(t)

    def asinh(self) -> Jet:
        s = (1 + self * self).sqrt()
        return self._build(lambda out, k: asinh(out, self.c, s.c, k))

    def __abs__(self) -> Jet:
        signs = np.zeros(int(np.prod(self.c.shape[1:])), dtype=int)
        zero = mpmath.mpf(2) ** (-mpmath.mp.prec)
        return self._build(lambda out, k: absolute(self.c, k, signs, zero))
