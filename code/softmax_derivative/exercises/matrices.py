"""Checkers for the matrix chapters: the case j != k, the Kronecker form and the Jacobian."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..forward import softmax
from ..jacobian import jacobian
from ._grading import (
    Feedback,
    call,
    call_for_numbers,
    close,
    diagnose,
    diagnose_counts,
    fixed_logits,
    mismatch,
)

__all__ = [
    "check_jacobian",
    "check_off_diagonal_entry",
    "check_reciprocal_gradient",
    "check_batch_jacobian",
    "check_quadratic_form",
    "check_chain_jacobian",
    "check_jacobian_memory",
]


def check_jacobian(fn: Callable) -> Feedback:
    """Grade ``fn(s)``, the (L, L) Jacobian of the softmax from its output vector ``s``.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative.exercises import check_jacobian
    >>> check_jacobian(lambda s: -np.outer(s, s))
    Not yet: you forgot the diagonal term: the Jacobian is diag(s) - s s^T
    """
    s = softmax(fixed_logits()[0])
    result, error = call(fn, s.copy())
    if error is not None:
        return error
    expected = jacobian(s)
    outer = np.outer(s, s)
    mistakes = {
        "the sign is flipped: the Jacobian is diag(s) - s s^T, not s s^T - diag(s)": -expected,
        "you forgot the diagonal term: the Jacobian is diag(s) - s s^T": -outer,
        "you kept only the diagonal: the off-diagonal entries are -S_j S_k": np.diag(s - s**2),
        "s s^T is the outer product (an L x L matrix), not the inner product s . s": (
            np.diag(s) - s @ s
        ),
        "only the diagonal entries are S_j (1 - S_j); the others are -S_j S_k (a column "
        "s[:, None] minus s s^T gives S_j (1 - S_k) everywhere: use np.diag(s))": np.outer(
            s, 1 - s
        ),
    }
    return diagnose(result, expected, mistakes, "diag(s) - s s^T")


def check_off_diagonal_entry(fn: Callable) -> Feedback:
    r"""Grade ``fn(s, j, k)``: :math:`\partial S_j / \partial z_k` for ``j != k`` only.

    ``s`` is one softmax output vector; ``fn`` is called for every pair ``j != k``.

    Examples
    --------
    >>> from softmax_derivative.exercises import check_off_diagonal_entry
    >>> check_off_diagonal_entry(lambda s, j, k: -s[j] * s[k])
    Correct: dS_j/dz_k = -S_j S_k for every j != k
    >>> check_off_diagonal_entry(lambda s, j, k: s[j] * (1 - s[k]))
    Not yet: S_j (1 - S_k) is the j = k formula: for j != k the derivative of e^{z_j} ...
    """
    s = softmax(fixed_logits()[0])
    L = s.size
    pairs = [(j, k) for j in range(L) for k in range(L) if j != k]
    got, error = call_for_numbers(
        fn, [(s.copy(), j, k) for j, k in pairs], show=lambda c: f"s, {c[1]}, {c[2]}"
    )
    if error is not None:
        return error
    sj = np.array([s[j] for j, _ in pairs])
    sk = np.array([s[k] for _, k in pairs])
    mistakes = {
        "the sign is flipped: for j != k the derivative is -S_j S_k (raising z_k lowers S_j)": (
            sj * sk
        ),
        "S_j (1 - S_k) is the j = k formula: for j != k the derivative of e^{z_j} with "
        "respect to z_k is 0, so the first term of the quotient rule vanishes": sj * (1 - sk),
        "the derivative of e^{z_j} is 0, but the denominator still depends on z_k: "
        "the answer is -S_j S_k, not 0": np.zeros_like(got),
        "you squared S_j: the two factors are S_j and S_k": -(sj**2),
        "you squared S_k: the two factors are S_j and S_k": -(sk**2),
        "that is the derivative of the sum of exponentials, not of S_j: "
        "divide by the squared sum as well (-S_j S_k)": -sk,
    }
    if close(got, -sj * sk):
        return Feedback(True, "dS_j/dz_k = -S_j S_k for every j != k")
    for message, wrong in mistakes.items():
        if close(got, wrong):
            return Feedback(False, message)
    worst = int(np.argmax(np.abs(got + sj * sk)))
    j, k = pairs[worst]
    return Feedback(
        False,
        f"the values differ, e.g. for j = {j}, k = {k}: "
        + mismatch(got[worst], -sj[worst] * sk[worst]),
    )


def check_reciprocal_gradient(fn: Callable) -> Feedback:
    r"""Grade ``fn(z)``: the gradient of :math:`1/\Sigma`, :math:`\Sigma = \sum_l e^{z_l}`.

    ``z`` is one vector of logits; the answer is the vector with entries
    :math:`\partial (1/\Sigma) / \partial z_k = -e^{z_k} / \Sigma^2`.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative.exercises import check_reciprocal_gradient
    >>> check_reciprocal_gradient(lambda z: -np.exp(z) / np.exp(z).sum() ** 2)
    Correct: d(1/Sigma)/dz_k = -e^{z_k} / Sigma^2
    >>> check_reciprocal_gradient(lambda z: -1 / np.exp(z).sum() ** 2 + 0 * z)
    Not yet: you forgot the inner derivative: d(Sigma)/dz_k = e^{z_k} multiplies -1/Sigma^2
    """
    z = fixed_logits()[0]
    result, error = call(fn, z.copy())
    if error is not None:
        return error
    e = np.exp(z)
    total = e.sum()
    expected = -e / total**2
    mistakes = {
        "the sign is flipped: 1/Sigma falls when z_k grows, so the derivative is "
        "-e^{z_k}/Sigma^2": -expected,
        "you forgot the inner derivative: d(Sigma)/dz_k = e^{z_k} multiplies -1/Sigma^2": (
            np.full_like(z, -1 / total**2)
        ),
        "the derivative of 1/x is -1/x^2: the denominator is squared (-e^{z_k}/Sigma^2)": -e
        / total,
        "that is -S_k^2: the numerator is e^{z_k}, not e^{2 z_k}": -((e / total) ** 2),
        "you returned a single number: return one derivative per logit, a vector like z": (
            np.asarray(expected.sum())
        ),
    }
    return diagnose(result, expected, mistakes, "d(1/Sigma)/dz_k = -e^{z_k} / Sigma^2")


def check_batch_jacobian(fn: Callable) -> Feedback:
    """Grade ``fn(S)``: the Jacobians of a batch ``S`` of shape (N, L), as shape (N, L, L).

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative.exercises import check_batch_jacobian
    >>> check_batch_jacobian(lambda S: S[:, :, None] * (np.eye(S.shape[1]) - S[:, None, :]))
    Correct: J[i] = diag(S[i]) - S[i] S[i]^T for every sample i
    >>> check_batch_jacobian(lambda S: np.diagflat(S) - np.outer(S, S))
    Not yet: np.diagflat and np.outer flatten a batch into one long vector: build ...
    """
    S = softmax(fixed_logits())
    N, L = S.shape
    result, error = call(fn, S.copy())
    if error is not None:
        return error
    expected = jacobian(S)
    outer = S[:, :, None] * S[:, None, :]
    sample_delta = (np.arange(N)[:, None] == np.arange(L)[None, :]).astype(float)
    mistakes = {
        "the sign is flipped: J = diag(s) - s s^T": -expected,
        "you forgot the diagonal term S_j delta_jk: J = diag(s) - s s^T": -outer,
        "the delta compares output j with input k (delta_jk), not the sample i with j": (
            S[:, :, None] * (sample_delta[:, :, None] - S[:, None, :])
        ),
        "np.diagflat and np.outer flatten a batch into one long vector: build each "
        "(L, L) matrix per row, e.g. with broadcasting or np.einsum": (
            np.diagflat(S) - np.outer(S, S)
        ),
        "the batch axis must come first: return shape (N, L, L)": np.moveaxis(expected, 0, -1),
        "you returned only the diagonals S_j (1 - S_j): return the full (N, L, L) matrices": S
        * (1 - S),
        "S.T @ S sums over the batch: each sample needs its own outer product": (
            np.diag(S.sum(axis=0)) - S.T @ S
        ),
    }
    return diagnose(
        result, expected, mistakes, "J[i] = diag(S[i]) - S[i] S[i]^T for every sample i"
    )


def check_quadratic_form(fn: Callable) -> Feedback:
    r"""Grade ``fn(s, v)``: :math:`v^{\mathsf T} J v` for every row, without building ``J``.

    ``s`` and ``v`` have shape (N, L); the answer has shape (N,) and equals the variance
    of ``v`` under the distribution ``s``: :math:`\sum_j S_j v_j^2 - (\sum_j S_j v_j)^2`.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative.exercises import check_quadratic_form
    >>> def var(s, v):
    ...     mean = np.sum(s * v, axis=-1)
    ...     return np.sum(s * v**2, axis=-1) - mean**2
    >>> check_quadratic_form(var)
    Correct: v^T J v = sum_j S_j v_j^2 - (sum_j S_j v_j)^2, the variance of v under S
    >>> check_quadratic_form(lambda s, v: np.var(v, axis=-1))
    Not yet: np.var weights every class equally: weight class j by S_j
    """
    s = softmax(fixed_logits())
    v = np.random.default_rng(11).normal(size=s.shape)
    result, error = call(fn, s.copy(), v.copy())
    if error is not None:
        return error
    second = np.sum(s * v**2, axis=-1)
    mean = np.sum(s * v, axis=-1)
    expected = second - mean**2
    mistakes = {
        "the sign is flipped: v^T J v = sum S_j v_j^2 - (sum S_j v_j)^2 is never negative": (
            -expected
        ),
        "you forgot the - s s^T part: subtract (sum_j S_j v_j)^2": second,
        "np.var weights every class equally: weight class j by S_j": np.var(v, axis=-1),
        "square the weighted mean, (sum_j S_j v_j)^2, not the sum of S_j^2 v_j^2": second
        - np.sum((s * v) ** 2, axis=-1),
        "sum over the classes (axis=-1): return one number per row, shape (N,)": s * v**2
        - (s * v) * mean[:, None],
        "the sum runs over the wrong axis: sum over the classes (axis=-1)": np.sum(
            s * v**2, axis=0
        )
        - np.sum(s * v, axis=0) ** 2,
        "you summed over the whole batch: each row has its own v^T J v, sum over axis=-1": (
            np.asarray(np.sum(s * v**2) - np.sum(s * v) ** 2)
        ),
    }
    return diagnose(
        result,
        expected,
        mistakes,
        "v^T J v = sum_j S_j v_j^2 - (sum_j S_j v_j)^2, the variance of v under S",
    )


def check_chain_jacobian(fn: Callable) -> Feedback:
    r"""Grade ``fn(W, x)``: the Jacobian of :math:`x \mapsto \operatorname{softmax}(W x)`.

    Numerator layout: row ``j`` is output ``S_j``, column ``d`` is input ``x_d``, so the
    answer is :math:`J_{\mathrm{softmax}}(Wx)\, W`. ``W`` is square here, so a transposed
    or reversed product has the right shape and is recognised by its values.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import jacobian, softmax
    >>> from softmax_derivative.exercises import check_chain_jacobian
    >>> check_chain_jacobian(lambda W, x: jacobian(softmax(W @ x)) @ W)
    Correct: J_softmax(W x) W, one row per output
    >>> check_chain_jacobian(lambda W, x: W @ jacobian(softmax(W @ x)))
    Not yet: the factors are in the wrong order: the outer function's Jacobian comes ...
    """
    rng = np.random.default_rng(5)
    W = rng.normal(size=(5, 5))
    x = rng.normal(size=5)
    result, error = call(fn, W.copy(), x.copy())
    if error is not None:
        return error
    Js = jacobian(softmax(W @ x))
    expected = Js @ W
    mistakes = {
        "the factors are in the wrong order: the outer function's Jacobian comes first, "
        "J_softmax(W x) @ W": W @ Js,
        "that is the denominator layout (the transpose): the Jacobian has one row per "
        "output S_j and one column per input x_d": expected.T,
        "you forgot the inner Jacobian: the derivative of W x with respect to x is W": Js,
        "evaluate the softmax Jacobian at the logits W x, not at x": jacobian(softmax(x)) @ W,
        "use W itself, not its transpose: the derivative of W x with respect to x is W": (
            Js @ W.T
        ),
    }
    return diagnose(result, expected, mistakes, "J_softmax(W x) W, one row per output")


def check_jacobian_memory(fn: Callable) -> Feedback:
    """Grade ``fn(N, L, itemsize)``: the bytes a batch of N Jacobians of size L x L takes.

    Examples
    --------
    >>> from softmax_derivative.exercises import check_jacobian_memory
    >>> check_jacobian_memory(lambda N, L, itemsize: N * L * L * itemsize)
    Correct: N * L^2 * itemsize bytes
    >>> check_jacobian_memory(lambda N, L, itemsize: N * L * itemsize)
    Not yet: each Jacobian is L x L: the memory grows with L^2, not L
    """
    cases = [(256, 10, 8), (32, 1000, 4), (3, 7, 2), (1, 50257, 8)]
    got, error = call_for_numbers(fn, cases)
    if error is not None:
        return error
    N, L, b = (np.array(column, dtype=float) for column in zip(*cases, strict=True))
    expected = N * L**2 * b
    mistakes = {
        "each Jacobian is L x L: the memory grows with L^2, not L": N * L * b,
        "that is the number of entries: multiply by itemsize to get bytes": N * L**2,
        "that counts bits: itemsize is already in bytes": N * L**2 * b * 8,
        "samples do not interact: store N blocks of L x L, not the full (N, L, N, L) tensor": (
            N * L
        )
        ** 2
        * b,
        "there is one Jacobian per sample: multiply by N": L**2 * b,
    }
    return diagnose_counts(got, expected, mistakes, "N * L^2 * itemsize bytes", cases)
