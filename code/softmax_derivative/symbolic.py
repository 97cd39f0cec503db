"""Symbolic softmax with sympy: build the expressions, differentiate, verify each step.

The book checks every algebraic step it states with these helpers, both for a concrete
number of classes ``L`` (plain symbols ``z_1 ... z_L``) and for a general ``L`` (indexed
symbols under a ``Sum``).
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "DerivationError",
    "logits",
    "softmax",
    "jacobian",
    "kronecker_jacobian",
    "general_softmax",
    "is_identity",
    "verify",
]


class DerivationError(AssertionError):
    """A stated step of a derivation is not an identity."""


def logits(L: int, name: str = "z") -> tuple[sp.Symbol, ...]:
    """The real symbols ``z_1, ..., z_L``.

    Examples
    --------
    >>> from softmax_derivative.symbolic import logits
    >>> logits(3)
    (z_1, z_2, z_3)
    """
    if isinstance(L, bool) or not isinstance(L, int) or L < 1:
        raise ValueError(f"L must be a positive int, got {L!r}")
    return sp.symbols(f"{name}_1:{L + 1}", real=True)


def softmax(z) -> list[sp.Expr]:
    r"""The softmax expressions :math:`e^{z_j} / \sum_l e^{z_l}` of the symbols ``z``.

    Examples
    --------
    >>> from softmax_derivative.symbolic import logits, softmax
    >>> softmax(logits(2))[0]
    exp(z_1)/(exp(z_1) + exp(z_2))
    """
    z = tuple(z)
    if not z:
        raise ValueError("z must hold at least one symbol")
    total = sp.Add(*(sp.exp(zl) for zl in z))
    return [sp.exp(zj) / total for zj in z]


def jacobian(z) -> sp.Matrix:
    r"""The matrix of :math:`\partial S_j / \partial z_k` obtained by differentiating.

    Row ``j``, column ``k`` (numerator layout).

    Examples
    --------
    >>> from softmax_derivative.symbolic import logits, jacobian
    >>> jacobian(logits(2)).shape
    (2, 2)
    """
    z = tuple(z)
    S = softmax(z)
    return sp.Matrix(len(z), len(z), lambda j, k: sp.diff(S[j], z[k]))


def kronecker_jacobian(z) -> sp.Matrix:
    r"""The closed form :math:`S_j(\delta_{jk} - S_k)` as a matrix, for comparison.

    Examples
    --------
    >>> from softmax_derivative.symbolic import logits, jacobian, kronecker_jacobian
    >>> from softmax_derivative.symbolic import is_identity
    >>> z = logits(3)
    >>> is_identity(jacobian(z), kronecker_jacobian(z))
    True
    """
    z = tuple(z)
    S = softmax(z)
    return sp.Matrix(len(z), len(z), lambda j, k: S[j] * (sp.KroneckerDelta(j, k) - S[k]))


def general_softmax():
    r"""Softmax for a general number of classes, with indexed symbols.

    Returns
    -------
    S_j : sympy.Expr
        :math:`e^{z_j} / \sum_{l=1}^{L} e^{z_l}`.
    z : sympy.IndexedBase
        The logits; ``z[k]`` is one of them.
    j, k : sympy.Idx
        Output index and input index, each running over ``1..L``.
    l : sympy.Symbol
        The summation index (a positive integer symbol, not an ``Idx``: ``Sum`` does not
        rewrite the bounds of an ``Idx`` bound variable, so with an ``Idx`` here
        ``S_j.subs(L, 3).doit()`` would not give the softmax of three classes).
    L : sympy.Symbol
        The number of classes (a positive integer).

    Examples
    --------
    >>> from softmax_derivative.symbolic import general_softmax
    >>> S_j, z, j, k, l, L = general_softmax()
    >>> S_j
    exp(z[j])/Sum(exp(z[l]), (l, 1, L))
    """
    L = sp.Symbol("L", integer=True, positive=True)
    j, k = (sp.Idx(name, (1, L)) for name in "jk")
    l = sp.Symbol("l", integer=True, positive=True)
    z = sp.IndexedBase("z", real=True)
    S_j = sp.exp(z[j]) / sp.Sum(sp.exp(z[l]), (l, 1, L))
    return S_j, z, j, k, l, L


def is_identity(lhs, rhs) -> bool:
    """Whether ``lhs - rhs`` simplifies to zero (expressions or matrices).

    Examples
    --------
    >>> import sympy as sp
    >>> from softmax_derivative.symbolic import is_identity
    >>> x = sp.Symbol("x")
    >>> is_identity(sp.exp(2 * x), sp.exp(x) ** 2)
    True
    >>> is_identity(sp.exp(x), sp.exp(-x))
    False
    """
    difference = sp.simplify(sp.expand(lhs - rhs))
    if isinstance(difference, sp.MatrixBase):
        return all(sp.simplify(entry) == 0 for entry in difference)
    return difference == 0


def verify(lhs, rhs, step: str = "step") -> bool:
    """Raise :class:`DerivationError` naming ``step`` unless ``lhs == rhs`` identically.

    Examples
    --------
    >>> import sympy as sp
    >>> from softmax_derivative.symbolic import verify
    >>> x = sp.Symbol("x")
    >>> verify(sp.diff(sp.exp(x), x), sp.exp(x), "d/dx e^x = e^x")
    True
    >>> verify(sp.diff(sp.exp(x), x), 0, "wrong")
    Traceback (most recent call last):
    ...
    softmax_derivative.symbolic.DerivationError: wrong: ...
    """
    if not is_identity(lhs, rhs):
        raise DerivationError(f"{step}: {lhs} is not identically equal to {rhs}")
    return True
