"""Checkers for the gradient chapters: backpropagation, cross-entropy, MSE, finite differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..backward import backward
from ..forward import softmax
from ..losses import cross_entropy_grad, one_hot
from ._form import graded_loop
from ._grading import (
    SPREAD_LOGITS,
    Feedback,
    call,
    check_spread_logits,
    diagnose,
    fixed_logits,
)

__all__ = [
    "check_backward",
    "check_backward_loop",
    "check_cross_entropy_grad",
    "check_mse_softmax_grad",
    "check_central_difference",
    "check_step_size",
]


def check_backward(fn: Callable) -> Feedback:
    r"""Grade ``fn(s, grad)``: the gradient with respect to the logits for a batch (N, L).

    The right answer is the :math:`O(L)` formula of :func:`~softmax_derivative.backward`,
    :math:`S_{i,k}\big(g_{i,k} - \sum_j g_{i,j} S_{i,j}\big)`.

    Parameters
    ----------
    fn : callable
        ``fn(s, grad)`` with softmax outputs ``s`` and upstream gradient ``grad`` of shape
        (N, L).

    Returns
    -------
    Feedback
        Names the usual mistakes: the weighted sum forgotten, a flipped sign, the sum over
        the wrong axis, the factor ``s`` forgotten, a transposed result.

    Examples
    --------
    >>> from softmax_derivative.exercises import check_backward
    >>> check_backward(lambda s, g: s * g)
    Not yet: you forgot to subtract the weighted sum: s * (grad - sum(grad * s, axis=-1))
    """
    z = fixed_logits()
    s = softmax(z)
    grad = np.random.default_rng(7).normal(size=s.shape)
    result, error = call(fn, s.copy(), grad.copy())
    if error is not None:
        return error
    expected = backward(s, grad)
    dot = np.sum(grad * s, axis=-1, keepdims=True)
    mistakes = {
        "you forgot to subtract the weighted sum: s * (grad - sum(grad * s, axis=-1))": s * grad,
        "the sign is flipped": -expected,
        "the sum runs over the wrong axis: sum over the classes (axis=-1), keepdims=True": s
        * (grad - np.sum(grad * s, axis=0, keepdims=True)),
        "you forgot to multiply by s: the result is s * (grad - <grad, s>)": grad - dot,
        "the result is transposed: return shape (N, L), like s": expected.T,
        "you summed over the whole batch: each row has its own <grad, s>, "
        "np.sum(grad * s, axis=-1, keepdims=True)": s * (grad - np.sum(grad * s)),
        "you used only the diagonal S_j (1 - S_j) of the Jacobian: every output depends on "
        "every logit, so subtract the weighted sum <grad, s>": s * (1 - s) * grad,
    }
    return diagnose(result, expected, mistakes, "s * (grad - <grad, s>) for every row")


def check_backward_loop(fn: Callable) -> Feedback:
    r"""Grade ``fn(s, grad)``: the per-sample loop of Jacobian-vector products, batch (N, L).

    For each row the learner builds :math:`J_i = \operatorname{diag}(s_i) - s_i s_i^{\mathsf T}`
    and returns the rows :math:`J_i g_i` as an (N, L) array.

    Parameters
    ----------
    fn : callable
        ``fn(s, grad)`` with ``s`` and ``grad`` of shape (N, L).

    Returns
    -------
    Feedback
        Passed if the values are right and the function's code (with the functions of
        its own module or notebook that it calls) loops (a ``for`` or ``while`` loop, a
        comprehension or ``map``) and does not call the package's ``backward``; the code
        is read from the compiled function, so a lambda, a ``functools.partial`` or a
        function defined in a notebook cell are read alike. For
        a function without Python code only the values are graded, and the message says
        so. Otherwise a message naming the mistake it recognised (the diagonal forgotten,
        the inner product ``s^T s`` in place of the outer product ``s s^T``, ``np.diag`` of
        a column, a flipped sign, a transposed result, no loop, a call of ``backward``).

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative.exercises import check_backward_loop
    >>> def loop(s, grad):
    ...     dz = np.empty_like(grad)
    ...     for i, (s_i, g_i) in enumerate(zip(s, grad)):
    ...         col = s_i.reshape(-1, 1)
    ...         dz[i] = (np.diagflat(col) - col @ col.T) @ g_i
    ...     return dz
    >>> check_backward_loop(loop)
    Correct: (diag(s_i) - s_i s_i^T) g_i for every sample i, and your function has a loop
    >>> check_backward_loop(lambda s, g: -np.einsum("ij,ik,ik->ij", s, s, g))
    Not yet: you forgot the diagonal term: each Jacobian is diag(s_i) - s_i s_i^T
    >>> check_backward_loop(lambda s, g: s * (g - np.sum(g * s, axis=-1, keepdims=True)))
    Not yet: the values are right, but your function has no loop ...
    """
    s = softmax(fixed_logits())
    grad = np.random.default_rng(11).normal(size=s.shape)
    result, error = call(fn, s.copy(), grad.copy())
    if error is not None:
        return error
    expected = backward(s, grad)
    dot = np.sum(grad * s, axis=-1, keepdims=True)
    total = grad.sum(axis=-1, keepdims=True)
    mistakes = {
        "you forgot the diagonal term: each Jacobian is diag(s_i) - s_i s_i^T": -s * dot,
        "the sign is flipped: J_i = diag(s_i) - s_i s_i^T, not s_i s_i^T - diag(s_i)": -expected,
        "s_i s_i^T must be the outer product (L x L): reshape s_i to a column (L, 1) and "
        "take column @ column.T, not column.T @ column": s * grad
        - np.sum(s * s, axis=-1, keepdims=True) * total,
        "np.diag of an (L, 1) column returns its first entry, not a matrix: use "
        "np.diagflat(column) (or np.diag(s_i) of the 1-D row)": s[:, :1] * total - s * dot,
        "the result is transposed: return shape (N, L), like grad": expected.T,
    }
    verdict = diagnose(
        result, expected, mistakes, "(diag(s_i) - s_i s_i^T) g_i for every sample i"
    )
    if not verdict:
        return verdict
    return graded_loop(
        fn,
        verdict.message,
        "build each J_i = diag(s_i) - s_i s_i^T and multiply it by g_i in a loop over the "
        "samples (for i in range(len(s)): ...)",
    )


def check_cross_entropy_grad(fn: Callable) -> Feedback:
    """Grade ``fn(logits, y)``: the gradient of the mean cross-entropy w.r.t. the logits.

    ``y`` holds one-hot rows; the loss is averaged over the N rows of the batch, so the
    right answer is ``(softmax(logits) - y) / N``.

    Parameters
    ----------
    fn : callable
        ``fn(logits, y)`` with ``logits`` and one-hot ``y`` of shape (N, L).

    Returns
    -------
    Feedback
        Names the usual mistakes: the ``1/N`` forgotten, a flipped sign, the softmax
        forgotten, the gradient with respect to the probabilities returned instead. The
        answer is also graded on ``SPREAD_LOGITS`` (see :func:`check_softmax`), where a
        softmax shifted by anything but each row's maximum overflows.

    Examples
    --------
    >>> from softmax_derivative import softmax
    >>> from softmax_derivative.exercises import check_cross_entropy_grad
    >>> check_cross_entropy_grad(lambda z, y: softmax(z) - y)
    Not yet: the loss is the mean over the batch: divide by N = len(logits)
    """
    z = fixed_logits()
    y = one_hot(np.array([0, 2, 4, 1]), z.shape[-1])
    result, error = call(fn, z.copy(), y.copy())
    if error is not None:
        return error
    p = softmax(z)
    N = z.shape[0]
    expected = cross_entropy_grad(p, y)
    mistakes = {
        "the loss is the mean over the batch: divide by N = len(logits)": p - y,
        "the sign is flipped: the gradient is (y_hat - y) / N": (y - p) / N,
        "apply softmax to the logits first: the gradient is (softmax(z) - y) / N": (z - y) / N,
        "you returned -y / y_hat, the gradient with respect to the probabilities": -y / p / N,
        "the loss is the mean over the N rows: divide by N = len(logits), not by the N * L "
        "entries": (p - y) / z.size,
        "the softmax normalises each row (axis=-1), not the batch axis": (
            np.exp(z) / np.exp(z).sum(axis=0, keepdims=True) - y
        )
        / N,
    }
    verdict = diagnose(result, expected, mistakes, "(y_hat - y) / N")
    if not verdict:
        return verdict
    y_spread = one_hot(np.array([0, 2, 1, 0, 1, 2, 0, 1, 2]), SPREAD_LOGITS.shape[-1])
    return check_spread_logits(
        lambda z: fn(z, y_spread.copy()),
        lambda p: (p - y_spread) / len(p),
        _STABLE_SOFTMAX,
        verdict.message,
    )


#: The advice that ends every message about a softmax inside a gradient that overflows.
_STABLE_SOFTMAX = (
    "compute the softmax stably (subtract each row's maximum first) or call sd.softmax"
)


def check_mse_softmax_grad(fn: Callable) -> Feedback:
    r"""Grade ``fn(logits, t)``: the gradient of the mean MSE of ``softmax(logits)``.

    The loss is :math:`\frac1N \sum_i \frac12 \sum_j (S_{i,j} - t_{i,j})^2` with
    :math:`S = \operatorname{softmax}(z)`; the learner returns
    :math:`\partial \mathcal{L} / \partial z`, shape (N, L).

    Parameters
    ----------
    fn : callable
        ``fn(logits, t)`` with ``logits`` and targets ``t`` of shape (N, L).

    Returns
    -------
    Feedback
        Names the usual mistakes: the factor 2 of a loss without the ½, the missing
        ``1/N``, stopping at :math:`\partial \mathcal{L}/\partial S`, only the diagonal
        of the Jacobian, a flipped sign. The answer is also graded on ``SPREAD_LOGITS``
        (see :func:`check_softmax`), where a softmax shifted by anything but each row's
        maximum overflows.

    Examples
    --------
    >>> from softmax_derivative import backward, softmax
    >>> from softmax_derivative.exercises import check_mse_softmax_grad
    >>> def grad(z, t):
    ...     s = softmax(z)
    ...     return backward(s, (s - t) / len(z))
    >>> check_mse_softmax_grad(grad)
    Correct: backward(S, (S - t) / N): S * ((S - t) - <S - t, S>) / N
    >>> check_mse_softmax_grad(lambda z, t: (softmax(z) - t) / len(z))
    Not yet: that is dL/dS, the gradient with respect to the softmax outputs: push it back through the softmax with backward(S, (S - t) / N)
    """  # noqa: E501
    z = fixed_logits()
    t = one_hot(np.array([1, 0, 3, 2]), z.shape[-1])
    result, error = call(fn, z.copy(), t.copy())
    if error is not None:
        return error
    s = softmax(z)
    N = z.shape[0]
    upstream = (s - t) / N
    expected = backward(s, upstream)
    mistakes = {
        "there is a factor 2 too many: with the 1/2 in the loss, dL/dS = S - t, not 2 (S - t)": (
            2 * expected
        ),
        "the loss is the mean over the batch: divide by N = len(logits)": N * expected,
        "the sign is flipped: dL/dS = S - t, not t - S": -expected,
        "that is dL/dS, the gradient with respect to the softmax outputs: push it back "
        "through the softmax with backward(S, (S - t) / N)": upstream,
        "you used only the diagonal S_j (1 - S_j) of the Jacobian: every output depends on "
        "every logit, so the off-diagonal -S_j S_k terms count too": s * (1 - s) * upstream,
        "the loss is the mean over the N rows: divide by N = len(logits), not by the N * L "
        "entries": expected / z.shape[-1],
        "you summed <S - t, S> over the whole batch: each row has its own sum, "
        "axis=-1, keepdims=True": s * (upstream - np.sum(upstream * s)),
    }
    verdict = diagnose(
        result, expected, mistakes, "backward(S, (S - t) / N): S * ((S - t) - <S - t, S>) / N"
    )
    if not verdict:
        return verdict
    t_spread = one_hot(np.array([1, 0, 2, 2, 1, 0, 2, 1, 0]), SPREAD_LOGITS.shape[-1])

    def gradient(p: np.ndarray) -> np.ndarray:
        upstream = (p - t_spread) / len(p)
        return p * (upstream - np.sum(upstream * p, axis=-1, keepdims=True))

    return check_spread_logits(
        lambda z: fn(z, t_spread.copy()), gradient, _STABLE_SOFTMAX, verdict.message
    )


def _test_function() -> tuple[Callable, np.ndarray, float]:
    """A smooth scalar function of 5 logits, the point and the step used by the checker."""
    weights = np.array([1.0, -2.0, 0.5, 3.0, -1.0])
    z0 = fixed_logits()[0]
    return (lambda z: float(weights @ softmax(z))), z0, 1e-3


#: How many units in the last place a restored entry may be off: an in-place move
#: ``z[k] += h; z[k] -= 2 * h; z[k] += h`` rounds three times by at most half a unit of
#: ``|z[k]| + 2h`` each; a real change (``z[k]`` left at ``z[k] - h``) is about
#: ``h / ulp`` units, 10^12 or more here.
_RESTORED = 16


def check_central_difference(fn: Callable) -> Feedback:
    r"""Grade ``fn(f, z, h)``: the gradient of a scalar ``f`` at ``z`` by central differences.

    The right answer is :math:`\big(f(z + h e_k) - f(z - h e_k)\big) / (2h)` for every
    ``k``, one coordinate at a time. The checker uses ``h = 1e-3`` so that the forward
    difference, whose error is :math:`O(h)`, is told apart from the central one.

    Parameters
    ----------
    fn : callable
        ``fn(f, z, h)``: ``f`` maps a 1-D array to a float, ``z`` is a 1-D float array,
        ``h`` the step. It returns an array of the shape of ``z``.

    Returns
    -------
    Feedback
        Names the usual mistakes: a forward or backward difference, dividing by ``h``
        instead of ``2h``, a flipped sign, moving every coordinate at once, changing ``z``
        in place. Moving ``z[k]`` in place and restoring it is right: an entry that is
        back within a few units in the last place (the rounding of ``+ h``, ``- 2h``,
        ``+ h``) counts as restored.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative.exercises import check_central_difference
    >>> def forward(f, z, h):
    ...     return np.array([(f(z + h * e) - f(z)) / h for e in np.eye(len(z))])
    >>> check_central_difference(forward)
    Not yet: that is the forward difference (f(z + h e_k) - f(z)) / h, whose error is O(h): use (f(z + h e_k) - f(z - h e_k)) / (2h)
    """  # noqa: E501
    f, z0, h = _test_function()
    basis = np.eye(z0.size)
    z = z0.copy()
    result, error = call(fn, f, z, h)
    if error is not None:
        return error
    if z.shape != z0.shape or z.dtype != z0.dtype:
        return Feedback(False, "your function replaced z in place: work on a copy")
    moved = np.abs(z - z0)
    changed = np.flatnonzero(~(moved <= _RESTORED * np.spacing(np.abs(z0) + 2 * h)))
    if changed.size:
        k = int(changed[0])
        return Feedback(
            False,
            f"your function changed z in place: after the call z[{k}] is off by "
            f"{moved[k]:.2g} (step h = {h:g}); restore each entry or work on a copy",
        )
    f0 = f(z0)
    plus = np.array([f(z0 + h * e) for e in basis])
    minus = np.array([f(z0 - h * e) for e in basis])
    expected = (plus - minus) / (2 * h)
    everything = (f(z0 + h) - f(z0 - h)) / (2 * h)
    if result.shape == ():
        return Feedback(
            False,
            "you returned one number: perturb one coordinate at a time (z + h e_k) and "
            f"return an array of shape {z0.shape}",
        )
    mistakes = {
        "that is the forward difference (f(z + h e_k) - f(z)) / h, whose error is O(h): use "
        "(f(z + h e_k) - f(z - h e_k)) / (2h)": (plus - f0) / h,
        "that is the backward difference (f(z) - f(z - h e_k)) / h, whose error is O(h): use "
        "(f(z + h e_k) - f(z - h e_k)) / (2h)": (f0 - minus) / h,
        "divide by 2h, not h: the two points z + h e_k and z - h e_k are 2h apart": 2 * expected,
        "the sign is flipped: it is f(z + h e_k) - f(z - h e_k), in that order": -expected,
        "you moved every coordinate at once: perturb one coordinate at a time (z + h e_k)": (
            np.full(z0.shape, everything)
        ),
    }
    return diagnose(result, expected, mistakes, "(f(z + h e_k) - f(z - h e_k)) / (2h) for each k")


def check_step_size(fn: Callable) -> Feedback:
    r"""Grade ``fn(eps, scheme)``: a good finite-difference step for machine epsilon ``eps``.

    ``scheme`` is ``"forward"`` or ``"central"``. Balancing the truncation error
    (:math:`O(h)` forward, :math:`O(h^2)` central) against the rounding error
    :math:`O(\varepsilon/h)` gives :math:`h \approx \varepsilon^{1/2}` and
    :math:`h \approx \varepsilon^{1/3}`; any answer within a factor 10 of these passes.
    It is asked for float64 and float32.

    Parameters
    ----------
    fn : callable
        ``fn(eps, scheme)`` returning a positive float.

    Returns
    -------
    Feedback
        Names the usual mistakes: ``h = eps`` (rounding dominates), the two exponents
        swapped, a fixed step that ignores the precision.

    Examples
    --------
    >>> from softmax_derivative.exercises import check_step_size
    >>> check_step_size(lambda eps, scheme: eps ** 0.5 if scheme == "forward" else eps ** (1 / 3))
    Correct: h ~ eps^(1/2) for the forward and eps^(1/3) for the central difference
    >>> check_step_size(lambda eps, scheme: eps)
    Not yet: h = eps is far too small: the rounding error eps/h is then of order 1
    """
    epsilons = [float(np.finfo(np.float64).eps), float(np.finfo(np.float32).eps)]
    powers = {"forward": 1 / 2, "central": 1 / 3}
    got = {}
    for eps in epsilons:
        for scheme in powers:
            value, error = call(fn, eps, scheme)
            if error is not None:
                return error
            if value.shape != () or not np.isfinite(value) or float(value) <= 0:
                return Feedback(
                    False, f"fn({eps:.3g}, {scheme!r}) should be one positive number, got {value}"
                )
            got[eps, scheme] = float(value)

    def near(h: float, target: float) -> bool:
        return abs(np.log10(h / target)) <= 1

    if all(near(got[e, s], e ** powers[s]) for e in epsilons for s in powers):
        return Feedback(
            True, "h ~ eps^(1/2) for the forward and eps^(1/3) for the central difference"
        )
    if all(near(got[e, s], e) for e in epsilons for s in powers):
        return Feedback(
            False, "h = eps is far too small: the rounding error eps/h is then of order 1"
        )
    if all(
        near(got[e, s], e ** powers[t])
        for e in epsilons
        for s, t in zip(powers, ("central", "forward"), strict=True)
    ):
        return Feedback(
            False,
            "the exponents are swapped: eps^(1/2) for the forward difference (error O(h)), "
            "eps^(1/3) for the central one (error O(h^2))",
        )
    if all(got[epsilons[0], s] == got[epsilons[1], s] for s in powers):
        return Feedback(
            False,
            "your step ignores the precision: float32 (eps ~ 1e-7) needs a larger step than "
            "float64 (eps ~ 2e-16); scale h with a power of eps",
        )
    for s in powers:
        for e in epsilons:
            if not near(got[e, s], e ** powers[s]):
                which = "float64" if e == epsilons[0] else "float32"
                return Feedback(
                    False,
                    f"for the {s} difference in {which} you gave h = {got[e, s]:.3g}; "
                    f"balancing truncation and rounding gives about eps^{powers[s]:.2g} = "
                    f"{e ** powers[s]:.3g}",
                )
    raise AssertionError("unreachable")  # pragma: no cover
