"""Checkers for the derivation chapters (1 to 3): the softmax, its temperature, the quotient
rule, the derivative of the sum of exponentials and the diagonal of the Jacobian."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..forward import softmax
from ..jacobian import jacobian
from ._grading import (
    Feedback,
    call,
    call_for_numbers,
    check_spread_logits,
    close,
    diagnose,
    fixed_logits,
)

__all__ = [
    "check_softmax",
    "check_temperature",
    "check_quotient_rule",
    "check_sum_derivative",
    "check_diagonal",
    "check_diagonal_from_logits",
    "check_derivative_entry",
]


def _wrong_axis(z: np.ndarray) -> np.ndarray:
    e = np.exp(z)
    return e / e.sum(axis=0, keepdims=True)


def _column_shift(z: np.ndarray) -> np.ndarray:
    """The mistake of subtracting each column's maximum (axis 0): rows are no longer shifted
    by one constant each, so they change."""
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


#: The advice that ends every message about a softmax that overflows.
_ROW_MAXIMUM = "subtract each row's own maximum, z.max(axis=-1, keepdims=True), first"


def check_softmax(fn: Callable) -> Feedback:
    """Grade ``fn(z)``, a softmax along the last axis of a batch ``z`` of shape (N, L).

    Parameters
    ----------
    fn : callable
        The learner's softmax: logits of shape (N, L) to probabilities of shape (N, L).

    Returns
    -------
    Feedback
        Passed if every row is right, also for the logits of ``SPREAD_LOGITS`` (rows
        such as [1000, -1000, -1000], rows 2000 apart, a spread of 6e5), which only a
        shift by each row's own maximum (or a log-sum-exp computed from it) survives;
        otherwise the mistake found (wrong axis, sum over the whole array, no shift, a
        shift by the row's mean, minimum, first or last entry, or by the maximum of the
        whole batch, an overflowing log-sum-exp).

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative.exercises import check_softmax
    >>> def naive(z):
    ...     with np.errstate(over="ignore", invalid="ignore"):
    ...         return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    >>> check_softmax(naive)
    Not yet: e^z overflows for logits of 1000 (e^710 is already inf in float64) and ...
    >>> def shifted_by_mean(z):
    ...     e = np.exp(z - z.mean(axis=-1, keepdims=True))
    ...     return e / e.sum(axis=-1, keepdims=True)
    >>> check_softmax(shifted_by_mean)
    Not yet: you subtracted each row's mean: for the logits [1000, -1000, -1000] the mean ...
    >>> def shifted_by_max(z):
    ...     e = np.exp(z - z.max(axis=-1, keepdims=True))
    ...     return e / e.sum(axis=-1, keepdims=True)
    >>> check_softmax(shifted_by_max)
    Correct: each row is the softmax of its logits, even for logits of 1000
    """
    z = fixed_logits()
    result, error = call(fn, z.copy())
    if error is not None:
        return error
    expected = softmax(z)
    e = np.exp(z)
    mistakes = {
        "you normalised over the batch axis (axis 0); normalise each row (axis=-1)": _wrong_axis(
            z
        ),
        "you divided by the sum over the whole array; normalise each row (axis=-1)": e / e.sum(),
        "you divided by the Euclidean norm of e^z; softmax divides by the sum of e^z": e
        / np.linalg.norm(e, axis=-1, keepdims=True),
        "you subtracted each column's maximum (axis 0): subtract each row's maximum, "
        "z.max(axis=-1, keepdims=True)": _column_shift(z),
        "that is log(softmax(z)): exponentiate it": np.log(expected),
    }
    verdict = diagnose(result, expected, mistakes, "each row is the softmax of its logits")
    if not verdict:
        return verdict
    return check_spread_logits(
        fn,
        lambda p: p,
        _ROW_MAXIMUM,
        "each row is the softmax of its logits, even for logits of 1000",
    )


def check_temperature(fn: Callable) -> Feedback:
    r"""Grade ``fn(z, T)``, the softmax at temperature ``T``: :math:`\mathrm{softmax}(z / T)`.

    Parameters
    ----------
    fn : callable
        The learner's function: logits of shape (N, L) and a temperature ``T > 0`` to
        probabilities of shape (N, L).

    Returns
    -------
    Feedback
        Passed if ``fn(z, T) == softmax(z / T)`` for T = 3, 0.5 and 1, and at T = 0.01
        for logits whose ``z / T`` are the rows of ``SPREAD_LOGITS`` (as in
        :func:`check_softmax`); otherwise the mistake found (multiplied by T, divided the
        probabilities by T, ignored T, forgot to renormalise, only the numerator scaled,
        and at T = 0.01 no shift or a shift other than each row's maximum).

    Examples
    --------
    >>> from softmax_derivative import softmax
    >>> from softmax_derivative.exercises import check_temperature
    >>> check_temperature(lambda z, T: softmax(z * T))
    Not yet: you multiplied the logits by T; divide them: softmax(z / T) (at T = 3)
    >>> check_temperature(lambda z, T: softmax(z / T))
    Correct: softmax(z / T), also for a temperature of 0.01
    """
    z = fixed_logits()
    for T in (3.0, 0.5, 1.0):
        result, error = call(fn, z.copy(), T)
        if error is not None:
            return error
        e = np.exp(z)
        mistakes = {
            "you multiplied the logits by T; divide them: softmax(z / T)": softmax(z * T),
            "you divided the probabilities by T; divide the logits: softmax(z / T)": softmax(z)
            / T,
            "the result does not depend on T: divide the logits by T before the softmax": (
                softmax(z)
            ),
            "e^(z/T) must be divided by its own row sum: renormalise after raising to 1/T": (
                softmax(z) ** (1 / T)
            ),
            "the denominator must use z / T too: sum(exp(z / T)), not sum(exp(z))": np.exp(z / T)
            / e.sum(axis=-1, keepdims=True),
            "normalise each row (axis=-1), not the batch axis": _wrong_axis(z / T),
        }
        verdict = diagnose(result, softmax(z / T), mistakes, "softmax(z / T)")
        if not verdict:
            return Feedback(False, f"{verdict.message} (at T = {T:g})")
    cold = 0.01
    verdict = check_spread_logits(
        lambda z: fn(z * cold, cold),
        lambda p: p,
        "subtract each row's maximum of z / T first (or call a stable softmax on z / T)",
        "softmax(z / T), also for a temperature of 0.01",
    )
    if verdict:
        return verdict
    return Feedback(False, f"at T = 0.01, where z / T reaches 1000: {verdict.message}")


def check_quotient_rule(fn: Callable) -> Feedback:
    r"""Grade ``fn(q, dq, h, dh)``, the derivative of :math:`q/h` from the values and the
    derivatives of numerator and denominator.

    Parameters
    ----------
    fn : callable
        The learner's function of four arrays of the same shape: :math:`q(x)`,
        :math:`q'(x)`, :math:`h(x)`, :math:`h'(x)`. It returns :math:`(q/h)'(x)`.

    Returns
    -------
    Feedback
        Passed if the result is :math:`(q' h - q h') / h^2`; otherwise the mistake found
        (swapped terms, a sum instead of a difference, the denominator not squared, the
        quotient of the derivatives).

    Examples
    --------
    >>> from softmax_derivative.exercises import check_quotient_rule
    >>> check_quotient_rule(lambda q, dq, h, dh: (dq * h - q * dh) / h)
    Not yet: the denominator is the square of h: divide by h**2
    >>> check_quotient_rule(lambda q, dq, h, dh: (dq * h - q * dh) / h**2)
    Correct: (q' h - q h') / h^2
    """
    rng = np.random.default_rng(11)
    q, dq, dh = rng.normal(size=(3, 6))
    h = rng.uniform(0.5, 2.0, size=6) * rng.choice([-1.0, 1.0], size=6)
    result, error = call(fn, q.copy(), dq.copy(), h.copy(), dh.copy())
    if error is not None:
        return error
    expected = (dq * h - q * dh) / h**2
    mistakes = {
        "the terms of the numerator are swapped (the sign is flipped): q' h - q h'": (
            q * dh - dq * h
        )
        / h**2,
        "the numerator is a difference, q' h - q h'; a sum is the product rule": (dq * h + q * dh)
        / h**2,
        "the denominator is the square of h: divide by h**2": (dq * h - q * dh) / h,
        "the derivative of a quotient is not the quotient of the derivatives": dq / dh,
        "the numerator is q' h - q h': you multiplied the derivatives together": (dq * h - dq * dh)
        / h**2,
    }
    return diagnose(result, expected, mistakes, "(q' h - q h') / h^2")


def check_sum_derivative(fn: Callable) -> Feedback:
    r"""Grade ``fn(z)``: the derivatives :math:`\partial/\partial z_{i,k}\sum_l e^{z_{i,l}}`.

    Parameters
    ----------
    fn : callable
        The learner's function: logits ``z`` of shape (N, L) to an array of shape (N, L)
        whose entry ``[i, k]`` is the derivative of row ``i``'s sum of exponentials with
        respect to ``z[i, k]``.

    Returns
    -------
    Feedback
        Passed if the result is :math:`e^{z_{i,k}}`; otherwise the mistake found (kept
        every term of the sum, differentiated to 1 or 0, counted the term L times, the
        softmax instead).

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative.exercises import check_sum_derivative
    >>> check_sum_derivative(lambda z: np.ones_like(z))
    Not yet: the derivative of e^(z_k) with respect to z_k is e^(z_k), not 1
    >>> check_sum_derivative(np.exp)
    Correct: only the term l = k survives: e^(z_k)
    """
    z = fixed_logits()
    result, error = call(fn, z.copy())
    if error is not None:
        return error
    e = np.exp(z)
    total = e.sum(axis=-1, keepdims=True)
    mistakes = {
        "you kept every term of the sum: only the term l = k depends on z_k": np.broadcast_to(
            total, z.shape
        ),
        "the derivative of e^(z_k) with respect to z_k is e^(z_k), not 1": np.ones_like(z),
        "the term l = k does not vanish: it gives e^(z_k)": np.zeros_like(z),
        "z_k appears in one term of the sum, not in all L of them": z.shape[-1] * e,
        "that is the derivative of log(sum e^z), the softmax; differentiate the sum itself": (
            softmax(z)
        ),
        "the result is transposed: return shape (N, L), like z": e.T,
    }
    return diagnose(result, e, mistakes, "only the term l = k survives: e^(z_k)")


def check_diagonal(fn: Callable) -> Feedback:
    r"""Grade ``fn(s)``: the diagonal :math:`\partial S_{i,j}/\partial z_{i,j}` from outputs.

    Parameters
    ----------
    fn : callable
        The learner's function: softmax outputs ``s`` of shape (N, L) to the diagonal
        entries of every row's Jacobian, shape (N, L).

    Returns
    -------
    Feedback
        Passed if the result is :math:`S_{i,j}(1 - S_{i,j})`; otherwise the mistake found
        (wrong sign, :math:`S_j^2`, a missing factor, the off-diagonal formula, transposed).

    Examples
    --------
    >>> from softmax_derivative.exercises import check_diagonal
    >>> check_diagonal(lambda s: s * s)
    Not yet: the diagonal is S_j (1 - S_j), not S_j^2
    >>> check_diagonal(lambda s: s * (1 - s))
    Correct: S_j (1 - S_j) for every j
    """
    s = softmax(fixed_logits())
    result, error = call(fn, s.copy())
    if error is not None:
        return error
    expected = np.einsum("...jj->...j", jacobian(s))
    mistakes = {
        "the sign is flipped: the diagonal is S_j (1 - S_j)": -expected,
        "the diagonal is S_j (1 - S_j), not S_j^2": s * s,
        "-S_j S_k is the case j != k; for j = k the quotient rule gives S_j (1 - S_j)": -s * s,
        "you forgot the factor S_j: the diagonal is S_j (1 - S_j)": 1 - s,
        "you forgot the factor (1 - S_j): the diagonal is S_j (1 - S_j)": s,
        "the result is transposed: return shape (N, L), like s": expected.T,
    }
    return diagnose(result, expected, mistakes, "S_j (1 - S_j) for every j")


def check_diagonal_from_logits(fn: Callable) -> Feedback:
    r"""Grade ``fn(z)``: the diagonal :math:`\partial S_{i,j}/\partial z_{i,j}` from logits.

    Parameters
    ----------
    fn : callable
        The learner's function: logits ``z`` of shape (N, L) to the diagonal entries of
        every row's Jacobian, shape (N, L). It must not overflow for logits of 1000.

    Returns
    -------
    Feedback
        Passed if the result is :math:`S_{i,j}(1 - S_{i,j})` with :math:`S = \mathrm{softmax}(z)`,
        also for the logits of ``SPREAD_LOGITS`` (as in :func:`check_softmax`); otherwise
        the mistake found (the softmax forgotten, the denominators of the third source's
        slip squared twice, the wrong sign, wrong axis, no shift or a shift other than
        each row's maximum).

    Examples
    --------
    >>> from softmax_derivative import softmax
    >>> from softmax_derivative.exercises import check_diagonal_from_logits
    >>> check_diagonal_from_logits(lambda z: z * (1 - z))
    Not yet: apply the softmax first: S = softmax(z), then S (1 - S)
    >>> check_diagonal_from_logits(lambda z: softmax(z) * (1 - softmax(z)))
    Correct: S_j (1 - S_j) from the logits, even for logits of 1000
    """
    z = fixed_logits()
    result, error = call(fn, z.copy())
    if error is not None:
        return error
    s = softmax(z)
    e = np.exp(z)
    total = e.sum(axis=-1, keepdims=True)
    wrong_axis = _wrong_axis(z)
    mistakes = {
        "apply the softmax first: S = softmax(z), then S (1 - S)": z * (1 - z),
        "each denominator is the sum once, not squared: e^z/sum * (sum - e^z)/sum": e
        * (total - e)
        / total**4,
        "the sign is flipped: the diagonal is S_j (1 - S_j)": -s * (1 - s),
        "the diagonal is S_j (1 - S_j), not S_j^2": s * s,
        "normalise each row (axis=-1), not the batch axis": wrong_axis * (1 - wrong_axis),
    }
    verdict = diagnose(result, s * (1 - s), mistakes, "S_j (1 - S_j) from the logits")
    if not verdict:
        return verdict
    return check_spread_logits(
        fn,
        lambda p: p * (1 - p),
        "compute S = softmax(z) stably (subtract each row's maximum), then S (1 - S)",
        "S_j (1 - S_j) from the logits, even for logits of 1000",
    )


def check_derivative_entry(fn: Callable) -> Feedback:
    r"""Grade ``fn(s, j, k)``, one entry :math:`\partial S_j/\partial z_k` from a vector ``s``.

    Parameters
    ----------
    fn : callable
        The learner's function: a softmax output vector ``s`` of length L and two indices
        to the number :math:`\partial S_j / \partial z_k`.

    Returns
    -------
    Feedback
        Passed if both cases are right; otherwise which case is wrong and how.

    Examples
    --------
    >>> from softmax_derivative.exercises import check_derivative_entry
    >>> check_derivative_entry(lambda s, j, k: s[j] * ((j == k) - s[k]))
    Correct: both cases, j = k and j != k
    """
    s = softmax(fixed_logits()[0])
    L = s.size
    pairs = [(j, k) for j in range(L) for k in range(L)]
    with np.errstate(all="ignore"):
        got, error = call_for_numbers(
            fn, [(s.copy(), j, k) for j, k in pairs], show=lambda c: f"s, {c[1]}, {c[2]}"
        )
    if error is not None:
        return error
    got = got.reshape(L, L)
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
