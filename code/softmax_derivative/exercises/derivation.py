"""Checkers for the derivation chapters: the softmax itself and one entry of its derivative."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..forward import softmax
from ..jacobian import jacobian
from ._grading import Feedback, call, close, diagnose, fixed_logits

__all__ = ["check_softmax", "check_derivative_entry"]


def check_softmax(fn: Callable) -> Feedback:
    """Grade ``fn(z)``, a softmax along the last axis of a batch ``z`` of shape (N, L).

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative.exercises import check_softmax
    >>> def naive(z):
    ...     with np.errstate(over="ignore", invalid="ignore"):
    ...         return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    >>> check_softmax(naive)
    Not yet: large logits overflow: subtract each row's maximum before exponentiating
    """
    z = fixed_logits()
    result, error = call(fn, z.copy())
    if error:
        return error
    expected = softmax(z)
    e = np.exp(z)
    mistakes = {
        "you normalised over the batch axis (axis 0); normalise each row (axis=-1)": e
        / e.sum(axis=0, keepdims=True),
        "you divided by the sum over the whole array; normalise each row (axis=-1)": e / e.sum(),
    }
    verdict = diagnose(result, expected, mistakes, "each row is the softmax of its logits")
    if not verdict:
        return verdict
    big = np.array([[1000.0, 999.0, -1000.0]])
    result, error = call(fn, big.copy())
    if error:
        return error
    if not close(result, softmax(big)):
        return Feedback(
            False, "large logits overflow: subtract each row's maximum before exponentiating"
        )
    return Feedback(True, "each row is the softmax of its logits, even for logits of 1000")


def check_derivative_entry(fn: Callable) -> Feedback:
    r"""Grade ``fn(s, j, k)``, one entry :math:`\partial S_j/\partial z_k` from a vector ``s``.

    Examples
    --------
    >>> from softmax_derivative.exercises import check_derivative_entry
    >>> check_derivative_entry(lambda s, j, k: s[j] * ((j == k) - s[k]))
    Correct: both cases, j = k and j != k
    """
    s = softmax(fixed_logits()[0])
    L = s.size
    pairs = [(j, k) for j in range(L) for k in range(L)]
    got = []
    for j, k in pairs:
        value, error = call(fn, s.copy(), j, k)
        if error:
            return error
        if value.shape != ():
            return Feedback(
                False, f"fn(s, {j}, {k}) returned shape {value.shape}; expected a number"
            )
        got.append(float(value))
    got = np.array(got).reshape(L, L)
    expected = jacobian(s)
    diag = np.eye(L, dtype=bool)
    if close(got, expected):
        return Feedback(True, "both cases, j = k and j != k")
    if close(got[~diag], expected[~diag]):
        d = np.diag(got)
        if close(d, -s * (1 - s)):
            return Feedback(False, "the case j = k has the wrong sign: it is S_j (1 - S_j)")
        if close(d, s * s):
            return Feedback(False, "the case j = k is S_j (1 - S_j), not S_j^2")
        if close(d, -s * s):
            return Feedback(False, "for j = k you forgot the S_j delta_jk term: S_j (1 - S_j)")
        return Feedback(False, "the case j != k is right; the case j = k is not")
    if close(got[diag], expected[diag]):
        if close(got[~diag], -expected[~diag]):
            return Feedback(False, "the case j != k has the wrong sign: it is -S_j S_k")
        if close(got[~diag], np.zeros(L * L - L)):
            return Feedback(False, "for j != k the derivative is -S_j S_k, not 0")
        return Feedback(False, "the case j = k is right; the case j != k is not")
    if close(got, -expected):
        return Feedback(False, "every entry has the wrong sign")
    return Feedback(False, "both cases are wrong: start from the quotient rule")
