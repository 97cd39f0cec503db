"""Checkers for the training chapter: a minibatch SGD epoch and the distillation gradient."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..forward import softmax
from ..gradcheck import numerical_jacobian
from ..losses import cross_entropy_from_logits, cross_entropy_grad
from ._grading import Feedback, mismatch

__all__ = ["check_sgd_epoch", "check_distillation_grad"]


def _quietly(fn: Callable, *args):
    """Call the learner's function: ``(result, None)`` or ``(None, feedback)``.

    NumPy's warnings from the learner's arithmetic (an overflowing ``exp``) are silenced:
    the checker reports what the result shows.
    """
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn(*args), None
    except Exception as error:  # noqa: BLE001 - any error becomes feedback
        return None, Feedback(False, f"your function raised {type(error).__name__}: {error}")


# ---------------------------------------------------------------- minibatch SGD


def _linear_softmax_grad(W, b, X, labels):
    """The mean cross-entropy of ``softmax(X W^T + b)`` and its gradients for W and b."""
    Z = X @ W.T + b
    dZ = cross_entropy_grad(softmax(Z), labels)
    return cross_entropy_from_logits(Z, labels), dZ.T @ X, dZ.sum(axis=0)


@dataclass(frozen=True)
class _Step:
    W: np.ndarray
    b: np.ndarray
    ids: tuple[int, ...]
    labels_match: bool


class _RecordingGrad:
    """The gradient handed to the learner: it records the weights and the samples of each call.

    A sample is recognised by its row of ``X`` (the rows are distinct), so the record
    shows which samples each step used whatever order or indexing produced the batch.
    """

    def __init__(self, X: np.ndarray, labels: np.ndarray) -> None:
        self.rows = {row.tobytes(): i for i, row in enumerate(X)}
        self.labels = labels
        self.steps: list[_Step] = []

    def __call__(self, W, b, X, labels):
        X_batch, labels_batch = np.atleast_2d(np.asarray(X, dtype=np.float64)), labels
        given = np.asarray(labels_batch)
        if given.ndim == 2:  # one-hot rows
            given = given.argmax(axis=-1)
        ids = tuple(self.rows.get(row.tobytes(), -1) for row in X_batch)
        known = all(i >= 0 for i in ids)
        match = known and np.array_equal(given, self.labels[list(ids)])
        self.steps.append(
            _Step(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64), ids, match)
        )
        return _linear_softmax_grad(W, b, X_batch, labels_batch)


def _sgd_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ten distinct samples of 3 features in 3 classes, and starting weights and bias."""
    rng = np.random.default_rng(20240611)
    X = rng.normal(size=(10, 3))
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 1])
    return X, labels, rng.normal(size=(3, 3)) / 2, rng.normal(size=3) / 2


def _close(a, b) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


def _batch(step: _Step) -> tuple[np.ndarray, np.ndarray]:
    X, labels, _, _ = _sgd_data()
    return X[list(step.ids)], labels[list(step.ids)]


def _step_mistake(W, b, before: _Step, step: float, n_total: int, last: bool) -> str:
    """Name the rule that took ``before`` (a correct state) to ``(W, b)``, if it is known."""
    _, dW, db = _linear_softmax_grad(before.W, before.b, *_batch(before))
    n = len(before.ids)
    known = {
        "the step went up the gradient: subtract it, W - step * dW": (
            before.W + step * dW,
            before.b + step * db,
        ),
        f"a step moved W by {n} times step * dW: grad already returns the mean over "
        "the batch; do not multiply by the batch size": (
            before.W - n * step * dW,
            before.b - n * step * db,
        ),
        f"a step moved W by {n}/{n_total} of step * dW: grad already averages over the "
        "batch; do not divide by N": (
            before.W - n / n_total * step * dW,
            before.b - n / n_total * step * db,
        ),
        "a step moved W by dW, not step * dW: multiply the gradient by step": (
            before.W - dW,
            before.b - db,
        ),
        "b was not updated: b - step * db after each batch": (
            before.W - step * dW,
            before.b,
        ),
        "W was not updated: W - step * dW after each batch": (before.W, before.b - step * db),
    }
    if not last:
        known[
            "W and b did not change after a step: each gradient must be taken at the "
            "weights the previous step produced"
        ] = (before.W, before.b)
    for message, (W_wrong, b_wrong) in known.items():
        if _close(W, W_wrong) and _close(b, b_wrong):
            return message
    return ""


def _run(fn: Callable, batch_size: int, seed: int, step: float):
    """One call of the learner's epoch on fresh copies: ``(steps, W, b)`` or a feedback."""
    X, labels, W0, b0 = _sgd_data()
    grad = _RecordingGrad(X, labels)
    X_in, labels_in = X.copy(), labels.copy()
    rng = np.random.default_rng(seed)
    args = (grad, W0.copy(), b0.copy(), X_in, labels_in, step, batch_size, rng)
    result, error = _quietly(fn, *args)
    if error is not None:
        return error
    if not (np.array_equal(X_in, X) and np.array_equal(labels_in, labels)):
        return Feedback(
            False,
            "your function changed X or labels: shuffle an order of indices, not the "
            "caller's data",
        )
    if not (isinstance(result, tuple | list) and len(result) == 2):
        return Feedback(False, "return the pair (W, b) of the new weights and bias")
    W, b = (np.asarray(r, dtype=np.float64) for r in result)
    if W.shape != W0.shape or b.shape != b0.shape:
        return Feedback(
            False,
            f"the returned W has shape {W.shape} and b {b.shape}; expected {W0.shape} "
            f"and {b0.shape}",
        )
    return grad.steps, W, b


def _grade_epoch(steps: list[_Step], W, b, batch_size: int, step: float) -> Feedback | None:
    """Check the samples of an epoch's steps and the update between them."""
    X, labels, W0, b0 = _sgd_data()
    N = len(X)
    if not steps:
        return Feedback(
            False,
            "your function never called grad: take each step's gradient with "
            "grad(W, b, X_batch, labels_batch)",
        )
    if any(i < 0 for s in steps for i in s.ids):
        return Feedback(False, "grad received rows that are not rows of X")
    if not all(s.labels_match for s in steps):
        return Feedback(
            False,
            "the labels passed to grad are not those of the samples passed with them: "
            "index X and labels with the same order",
        )
    used = [i for s in steps for i in s.ids]
    if any(len(s.ids) == N for s in steps) and batch_size < N:
        return Feedback(
            False,
            f"grad received all {N} samples at once: each step uses one batch of at "
            "most batch_size samples",
        )
    repeated = sorted({i for i in used if used.count(i) > 1})
    if repeated:
        return Feedback(
            False,
            f"samples {repeated} were used more than once in the epoch: draw one "
            "permutation per epoch and cut it into batches",
        )
    unused = sorted(set(range(N)) - set(used))
    if unused:
        return Feedback(
            False,
            f"samples {unused} were never used in the epoch: every sample is used once "
            "(the last batch may be smaller than batch_size)",
        )
    sizes = [len(s.ids) for s in steps]
    count = math.ceil(N / batch_size)
    if max(sizes) > batch_size or len(steps) != count:
        return Feedback(
            False,
            f"the batches had sizes {sizes}; with N = {N} and batch_size = {batch_size} "
            f"an epoch is {count} step{'s' * (count > 1)} of at most batch_size samples",
        )
    # Each call must receive the state the previous step produced from a correct state.
    correct = steps[0]
    if not (_close(correct.W, W0) and _close(correct.b, b0)):
        return Feedback(False, "the first call of grad did not receive the W and b given")
    for t in range(1, len(steps) + 1):
        _, dW, db = _linear_softmax_grad(correct.W, correct.b, *_batch(correct))
        W_next, b_next = correct.W - step * dW, correct.b - step * db
        got_W, got_b = (steps[t].W, steps[t].b) if t < len(steps) else (W, b)
        if not (_close(got_W, W_next) and _close(got_b, b_next)):
            what = (
                f"the weights passed to call {t + 1} of grad"
                if t < len(steps)
                else "the returned W and b"
            )
            last = t == len(steps)
            mistake = _step_mistake(got_W, got_b, correct, step, N, last)
            if last and not mistake and _close(W, W0) and _close(b, b0):
                mistake = "you returned the W and b you were given, not the new ones"
            elif last and not mistake and _close(W, correct.W) and _close(b, correct.b):
                mistake = "you returned W and b before the last step, not after it"
            return Feedback(
                False,
                mistake
                or f"{what} differ from W - step * dW, b - step * db after the batch before",
            )
        if t < len(steps):
            correct = _Step(W_next, b_next, steps[t].ids, True)
    return None


def check_sgd_epoch(fn: Callable) -> Feedback:
    """Grade ``fn(grad, W, b, X, labels, step, batch_size, rng)``: one epoch of minibatch SGD.

    The learner shuffles the samples once with ``rng`` (for example
    ``order = rng.permutation(len(X))``), cuts the order into batches of ``batch_size``
    samples (the last may be smaller), and for each batch calls
    ``grad(W, b, X_batch, labels_batch)``, which returns ``(loss, dW, db)`` (the mean over
    the batch), and steps ``W - step * dW``, ``b - step * db``. It returns the new
    ``(W, b)`` and leaves ``X`` and ``labels`` unchanged.

    The checker hands ``fn`` a gradient that records the weights and the samples of each
    call, and verifies: with ``batch_size = N`` the epoch is one full-batch gradient step;
    with smaller batches every sample is used once, with its own label, in an order drawn
    from ``rng`` (the same for the same seed, another for another seed, not the data's
    order), and each call receives the weights the step before produced.

    Parameters
    ----------
    fn : callable
        ``fn(grad, W, b, X, labels, step, batch_size, rng)`` returning ``(W, b)``.

    Returns
    -------
    Feedback
        Names the usual mistakes: no shuffling, a shuffle outside ``rng``, ``X`` and
        ``labels`` shuffled apart, the last batch dropped, samples drawn with replacement,
        the whole data set in every step, a flipped sign, the batch mean multiplied by
        its size, a gradient at stale weights, ``b`` never updated.

    Examples
    --------
    >>> from softmax_derivative.exercises import check_sgd_epoch
    >>> def sgd_epoch(grad, W, b, X, labels, step, batch_size, rng):
    ...     order = rng.permutation(len(X))
    ...     for start in range(0, len(X), batch_size):
    ...         batch = order[start : start + batch_size]
    ...         _, dW, db = grad(W, b, X[batch], labels[batch])
    ...         W, b = W - step * dW, b - step * db
    ...     return W, b
    >>> check_sgd_epoch(sgd_epoch)
    Correct: one epoch with batch_size = N is one full-batch step; with batch_size = 4 ...
    """
    N = len(_sgd_data()[0])
    run = _run(fn, N, seed=1, step=0.5)
    if isinstance(run, Feedback):
        return run
    verdict = _grade_epoch(*run, N, 0.5)
    if verdict is not None:
        return Feedback(False, f"with batch_size = N = {N}: {verdict.message}")
    runs = {}
    for name, seed in [("first", 2), ("again", 2), ("other", 3)]:
        run = _run(fn, 4, seed, step=0.3)
        if isinstance(run, Feedback):
            return run
        verdict = _grade_epoch(*run, 4, 0.3)
        if verdict is not None:
            return Feedback(False, f"with batch_size = 4: {verdict.message}")
        runs[name] = [i for s in run[0] for i in s.ids]
    if runs["first"] == list(range(N)):
        return Feedback(
            False,
            "the batches came in the data's order: shuffle once per epoch, e.g. "
            "order = rng.permutation(len(X))",
        )
    if runs["first"] != runs["again"]:
        return Feedback(
            False,
            "two epochs with the same rng seed used different orders: draw the order "
            "from rng, not from np.random",
        )
    if runs["first"] == runs["other"]:
        return Feedback(
            False,
            "the order was the same for two rng seeds: draw it from the rng you are given",
        )
    return Feedback(
        True,
        f"one epoch with batch_size = N is one full-batch step; with batch_size = 4 "
        f"each of the {N} samples is used once, with its label, in an order drawn from "
        "rng, and each step is W - step * dW, b - step * db at the weights of the step "
        "before",
    )


# ---------------------------------------------------------------- distillation


def _distillation_inputs() -> tuple[np.ndarray, np.ndarray]:
    """Student and teacher logits: three moderate rows and two of spread logits.

    Only a softmax shifted by each row's own maximum survives the spread rows: their mean,
    minimum or last entry leaves an exponential that overflows, the first entry of row 4
    is not its maximum, and the batch's maximum underflows every exponential of the
    moderate rows.
    """
    rng = np.random.default_rng(20240612)
    z, v = rng.normal(size=(5, 6)) * 2, rng.normal(size=(5, 6)) * 2
    z[3] = v[3] = [4000.0, -4000.0, -4000.0, -4000.0, -4000.0, -4000.0]
    z[4] = v[4] = [-4000.0, 4000.0, -4000.0, -4000.0, -4000.0, -4000.0]
    return z, v


def _distillation_loss(z, v, T):
    return T**2 * cross_entropy_from_logits(z / T, softmax(v / T))


def check_distillation_grad(fn: Callable) -> Feedback:
    r"""Grade ``fn(z, v, T)``: the gradient of the distillation loss for the student's logits.

    ``z`` (student) and ``v`` (teacher) are logits of shape (N, L). With the softened
    teacher :math:`p = \operatorname{softmax}(v/T)` and student
    :math:`q = \operatorname{softmax}(z/T)`, the loss is :math:`T^2` times the mean over
    the rows of the cross-entropy :math:`-\sum_j p_j \log q_j`, and its gradient is
    :math:`T\,(q - p)/N` :cite:`hinton2015distilling`. The checker compares the result
    with central differences of that loss at three temperatures, on a batch with a row of
    logits :math:`\pm 4000`, which only a softmax shifted by each row's maximum survives.

    Parameters
    ----------
    fn : callable
        ``fn(z, v, T)`` with ``z`` and ``v`` of shape (N, L) and ``T > 0``, returning an
        array of shape (N, L).

    Returns
    -------
    Feedback
        Names the usual mistakes: the factor :math:`T^2` or the :math:`1/T` of the chain
        rule forgotten, a flipped sign, a sum over the rows instead of the mean, the
        teacher or the student not softened, an overflowing softmax.

    Examples
    --------
    >>> from softmax_derivative import softmax
    >>> from softmax_derivative.exercises import check_distillation_grad
    >>> def grad(z, v, T):
    ...     return T * (softmax(z / T) - softmax(v / T)) / len(z)
    >>> check_distillation_grad(grad)
    Correct: T (q - p) / N: it matches central differences of T^2 * mean CE(p, q) ...
    >>> check_distillation_grad(lambda z, v, T: (softmax(z / T) - softmax(v / T)) / len(z))
    Not yet: at T = 2: that is the gradient without the factors T^2 and 1/T: ...
    """
    z, v = _distillation_inputs()
    N = len(z)
    temperatures = (2.0, 5.0, 0.5)
    for T in temperatures:
        result, error = _quietly(fn, z.copy(), v.copy(), T)
        if error is not None:
            return error
        result = np.asarray(result, dtype=np.float64)
        q, p = softmax(z / T), softmax(v / T)
        reference = numerical_jacobian(lambda zz, T=T: _distillation_loss(zz, v, T), z, 1e-5)
        scale = np.abs(reference).max()
        if result.shape != z.shape:
            if _close(result, T * (q - p).sum(axis=0) / N):
                return Feedback(False, "the rows were summed: return one row of the "
                                "gradient per sample, shape (N, L)")  # fmt: skip
            return Feedback(
                False, f"the result has shape {result.shape}; expected {z.shape} like z"
            )
        if not np.all(np.isfinite(result)):
            rows = sorted({int(i) for i in np.nonzero(~np.isfinite(result))[0]})
            spread = (
                ": these rows hold logits of +-4000; subtract each row's maximum "
                "before exp, as sd.softmax does"
            )
            other = (
                ": a softmax that subtracts each row's own maximum, as sd.softmax does, "
                "keeps every row finite"
            )
            return Feedback(
                False,
                f"at T = {T:g} the result has NaN or infinity in rows {rows}"
                + (spread if set(rows) <= {3, 4} else other),
            )
        if np.allclose(result, reference, rtol=1e-6, atol=1e-6 * scale):
            continue
        mistakes = {
            "that is the gradient without the factors T^2 and 1/T: the loss is T^2 times "
            "the cross-entropy, and d(z/T)/dz = 1/T, so the gradient is T (q - p) / N": (
                (q - p) / N
            ),
            "the factor 1/T of the chain rule is missing: d(z/T)/dz = 1/T, so the "
            "gradient is T (q - p) / N": T**2 * (q - p) / N,
            "the factor T^2 of the loss is missing: the gradient of T^2 * CE is T (q - p) / N": (
                q - p
            )
            / (T * N),
            "the sign is flipped: the gradient is T (q - p) / N, student minus teacher": (
                T * (p - q) / N
            ),
            "the loss is the mean over the rows: divide by N = len(z)": T * (q - p),
            "the loss is the mean over the N rows: divide by N, not by the N * L entries": (
                T * (q - p) / z.size
            ),
            "soften the teacher too: p = softmax(v / T)": T * (q - softmax(v)) / N,
            "soften the student too: q = softmax(z / T)": T * (softmax(z) - p) / N,
            "divide the logits by T, do not multiply: softmax(z / T)": (
                T * (softmax(z * T) - softmax(v * T)) / N
            ),
        }
        for message, wrong in mistakes.items():
            if np.allclose(result, wrong, rtol=1e-6, atol=1e-6 * scale):
                return Feedback(False, f"at T = {T:g}: {message}")
        worst = np.unravel_index(np.argmax(np.abs(result - reference)), z.shape)
        return Feedback(
            False,
            f"at T = {T:g} the result differs from central differences of the loss, most "
            f"at index {tuple(map(int, worst))}: " + mismatch(result[worst], reference[worst]),
        )
    shown = ", ".join(f"{T:g}" for T in sorted(temperatures))
    return Feedback(
        True,
        f"T (q - p) / N: it matches central differences of T^2 * mean CE(p, q) at "
        f"T = {shown}, also for rows of logits +-4000",
    )
