"""The checkers of the training chapter against their catalogues of answers."""

from __future__ import annotations

import math

import numpy as np
from exercise_cases import Cases, catalogue_tests

import softmax_derivative as sd
from softmax_derivative.exercises import check_distillation_grad, check_sgd_epoch, training

# ---------------------------------------------------------------- minibatch SGD


def epoch(order_of, batches_of, update, shuffle_apart=False):
    """An SGD epoch assembled from its parts, so that each wrong answer changes one part.

    ``order_of(rng, N)`` gives the order of the samples, ``batches_of(order, B)`` cuts it
    into batches, ``update(W, b, dW, db, step, n, N)`` makes one step on a batch of ``n``.
    """

    def sgd_epoch(grad, W, b, X, labels, step, batch_size, rng):
        N = len(X)
        order = order_of(rng, N)
        label_order = order_of(rng, N) if shuffle_apart else order
        for batch, label_batch in zip(
            batches_of(order, batch_size), batches_of(label_order, batch_size), strict=True
        ):
            _, dW, db = grad(W, b, X[batch], labels[label_batch])
            W, b = update(W, b, dW, db, step, len(batch), N)
        return W, b

    return sgd_epoch


def permutation(rng, N):
    return rng.permutation(N)


def slices(order, B):
    return [order[i : i + B] for i in range(0, len(order), B)]


def descend(W, b, dW, db, step, n, N):
    return W - step * dW, b - step * db


right_epoch = epoch(permutation, slices, descend)


def loop_with_slicing(grad, W, b, X, labels, step, batch_size, rng):
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]
        _, dW, db = grad(W, b, X[batch], labels[batch])
        W = W - step * dW
        b = b - step * db
    return W, b


def shuffled_copies(grad, W, b, X, labels, step, batch_size, rng):
    order = rng.permutation(len(X))
    X_s, y_s = X[order], labels[order]
    start = 0
    while start < len(X):
        stop = start + batch_size
        _, dW, db = grad(W, b, X_s[start:stop], y_s[start:stop])
        W, b = W - step * dW, b - step * db
        start = stop
    return W, b


def in_place_update(grad, W, b, X, labels, step, batch_size, rng):
    idx = np.arange(len(X))
    rng.shuffle(idx)
    for batch in np.array_split(idx, math.ceil(len(X) / batch_size)):
        _, dW, db = grad(W, b, X[batch], labels[batch])
        W -= step * dW
        b -= step * db
    return W, b


def one_hot_labels(grad, W, b, X, labels, step, batch_size, rng):
    Y = sd.one_hot(labels, 3)
    order = rng.permutation(len(X))
    for batch in np.split(order, range(batch_size, len(X), batch_size)):
        _, dW, db = grad(W, b, X[batch], Y[batch])
        W, b = W - step * dW, b - step * db
    return W, b


def stale_gradients(grad, W, b, X, labels, step, batch_size, rng):
    W0, b0 = W, b
    for batch in slices(rng.permutation(len(X)), batch_size):
        _, dW, db = grad(W0, b0, X[batch], labels[batch])
        W, b = W - step * dW, b - step * db
    return W, b


def whole_data_every_step(grad, W, b, X, labels, step, batch_size, rng):
    for _batch in slices(rng.permutation(len(X)), batch_size):
        _, dW, db = grad(W, b, X, labels)
        W, b = W - step * dW, b - step * db
    return W, b


def shuffle_in_place(grad, W, b, X, labels, step, batch_size, rng):
    order = rng.permutation(len(X))
    X[:], labels[:] = X[order], labels[order]
    for start in range(0, len(X), batch_size):
        _, dW, db = grad(W, b, X[start : start + batch_size], labels[start : start + batch_size])
        W, b = W - step * dW, b - step * db
    return W, b


def only_first_batch(grad, W, b, X, labels, step, batch_size, rng):
    batch = rng.permutation(len(X))[:batch_size]
    _, dW, db = grad(W, b, X[batch], labels[batch])
    return W - step * dW, b - step * db


def returns_start(grad, W, b, X, labels, step, batch_size, rng):
    right_epoch(grad, W.copy(), b.copy(), X, labels, step, batch_size, rng)
    return W, b


def keyword_arguments(grad, W, b, X, labels, step, batch_size, rng):
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]
        _, dW, db = grad(W=W, b=b, X=X[batch], labels=labels[batch])
        W, b = W - step * dW, b - step * db
    return W, b


def no_grad_call(grad, W, b, X, labels, step, batch_size, rng):
    _, dW, db = training._linear_softmax_grad(W, b, X, labels)
    return W - step * dW, b - step * db


SGD = Cases(
    check_sgd_epoch,
    right={
        "assembled": right_epoch,
        "loop with slicing": loop_with_slicing,
        "shuffled copies, while loop": shuffled_copies,
        "in place, rng.shuffle, array_split": in_place_update,
        "one-hot labels, np.split": one_hot_labels,
        "keyword arguments": keyword_arguments,
    },
    wrong={
        "not shuffled": (
            epoch(lambda rng, N: np.arange(N), slices, descend),
            "the data's order",
        ),
        "np.random": (
            epoch(lambda rng, N: np.random.permutation(N), slices, descend),  # noqa: NPY002
            "draw the order from rng, not from np.random",
        ),
        "a fixed seed": (
            epoch(lambda rng, N: np.random.default_rng(0).permutation(N), slices, descend),
            "the same for two rng seeds",
        ),
        "X and labels shuffled apart": (
            epoch(permutation, slices, descend, shuffle_apart=True),
            "index X and labels with the same order",
        ),
        "last batch dropped": (
            epoch(permutation, lambda o, B: slices(o, B)[: len(o) // B], descend),
            "the last batch may be smaller",
        ),
        "with replacement": (
            epoch(lambda rng, N: rng.integers(0, N, size=N), slices, descend),
            "used more than once",
        ),
        "one batch per sample": (
            epoch(permutation, lambda o, B: slices(o, 1), descend),
            "the batches had sizes [1, 1,",
        ),
        "sign": (
            epoch(permutation, slices, lambda W, b, dW, db, s, n, N: (W + s * dW, b + s * db)),
            "went up the gradient",
        ),
        "sum, not mean": (
            epoch(
                permutation,
                slices,
                lambda W, b, dW, db, s, n, N: (W - n * s * dW, b - n * s * db),
            ),
            "by 10 times step * dW",
        ),
        "divided by N": (
            epoch(
                permutation,
                slices,
                lambda W, b, dW, db, s, n, N: (W - n / N * s * dW, b - n / N * s * db),
            ),
            "do not divide by N",
        ),
        "step fixed at 0.5": (
            epoch(permutation, slices, lambda W, b, dW, db, s, n, N: (W - 0.5 * dW, b - 0.5 * db)),
            "with batch_size = 4: the weights passed to call 2 of grad differ",
        ),
        "step forgotten": (
            epoch(permutation, slices, lambda W, b, dW, db, s, n, N: (W - dW, b - db)),
            "multiply the gradient by step",
        ),
        "bias not updated": (
            epoch(permutation, slices, lambda W, b, dW, db, s, n, N: (W - s * dW, b)),
            "b was not updated",
        ),
        "stale weights": (stale_gradients, "taken at the weights the previous step"),
        "whole data every step": (whole_data_every_step, "received all 10 samples"),
        "shuffled in place": (shuffle_in_place, "changed X or labels"),
        "one batch only": (only_first_batch, "were never used"),
        "returns the start": (returns_start, "returned the W and b you were given"),
        "no call of grad": (no_grad_call, "never called grad"),
        "only W returned": (lambda *args: right_epoch(*args)[0], "return the pair (W, b)"),
    },
    changes_inputs_is_fine=False,
)


def test_one_epoch_of_batch_size_n_is_one_full_batch_step():
    X, labels, W0, b0 = training._sgd_data()
    grad = training._RecordingGrad(X, labels)
    W, b = right_epoch(grad, W0, b0, X, labels, 0.5, len(X), np.random.default_rng(7))
    _, dW, db = training._linear_softmax_grad(W0, b0, X, labels)
    np.testing.assert_allclose(W, W0 - 0.5 * dW, rtol=1e-12)
    np.testing.assert_allclose(b, b0 - 0.5 * db, rtol=1e-12)
    assert len(grad.steps) == 1 and sorted(grad.steps[0].ids) == list(range(len(X)))


def test_the_record_names_each_sample_of_a_batch():
    X, labels, W0, b0 = training._sgd_data()
    grad = training._RecordingGrad(X, labels)
    grad(W0, b0, X[[4, 1]], labels[[4, 1]])
    grad(W0, b0, X[[2]], labels[[3]])
    assert [s.ids for s in grad.steps] == [(4, 1), (2,)]
    assert [s.labels_match for s in grad.steps] == [True, False]


def test_the_mistake_is_reported_with_the_batch_size_it_showed_at():
    verdict = check_sgd_epoch(SGD.wrong["sign"][0])
    assert verdict.message.startswith("with batch_size = N = 10: ")
    verdict = check_sgd_epoch(SGD.wrong["divided by N"][0])
    assert verdict.message.startswith("with batch_size = 4: ")


# ---------------------------------------------------------------- distillation


def q_minus_p(z, v, T):
    return sd.softmax(z / T) - sd.softmax(v / T)


def log_sum_exp_form(z, v, T):
    def soft(u):
        m = u.max(axis=-1, keepdims=True)
        return np.exp(u - m - np.log(np.exp(u - m).sum(axis=-1, keepdims=True)))

    return T * (soft(z / T) - soft(v / T)) / len(z)


def row_loop(z, v, T):
    out = np.empty_like(z)
    for i in range(len(z)):
        out[i] = T * (sd.softmax(z[i] / T) - sd.softmax(v[i] / T)) / len(z)
    return out


def naive_softmax(u):
    e = np.exp(u)
    return e / e.sum(axis=-1, keepdims=True)


def mean_shift_softmax(u):
    return naive_softmax(u - u.mean(axis=-1, keepdims=True))


def first_entry_softmax(u):
    return naive_softmax(u - u[..., :1])


def batch_max_softmax(u):
    return naive_softmax(u - u.max())


def with_softmax(softmax):
    return lambda z, v, T: T * (softmax(z / T) - softmax(v / T)) / len(z)


DISTILLATION = Cases(
    check_distillation_grad,
    right={
        "formula": lambda z, v, T: T * q_minus_p(z, v, T) / len(z),
        "package": lambda z, v, T: T * sd.cross_entropy_grad(sd.softmax(z / T), sd.softmax(v / T)),
        "T^2 times 1/T": lambda z, v, T: T**2 * (q_minus_p(z, v, T) / T) / z.shape[0],
        "log-sum-exp": log_sum_exp_form,
        "loop over rows": row_loop,
    },
    wrong={
        "both factors forgotten": (
            lambda z, v, T: q_minus_p(z, v, T) / len(z),
            "without the factors T^2 and 1/T",
        ),
        "1/T forgotten": (
            lambda z, v, T: T**2 * q_minus_p(z, v, T) / len(z),
            "the factor 1/T of the chain rule is missing",
        ),
        "T^2 forgotten": (
            lambda z, v, T: q_minus_p(z, v, T) / (T * len(z)),
            "the factor T^2 of the loss is missing",
        ),
        "sign": (lambda z, v, T: -T * q_minus_p(z, v, T) / len(z), "the sign is flipped"),
        "sum, not mean": (lambda z, v, T: T * q_minus_p(z, v, T), "divide by N = len(z)"),
        "divided by N L": (
            lambda z, v, T: T * q_minus_p(z, v, T) / z.size,
            "not by the N * L entries",
        ),
        "teacher not softened": (
            lambda z, v, T: T * (sd.softmax(z / T) - sd.softmax(v)) / len(z),
            "soften the teacher too",
        ),
        "student not softened": (
            lambda z, v, T: T * (sd.softmax(z) - sd.softmax(v / T)) / len(z),
            "soften the student too",
        ),
        "multiplied by T": (
            lambda z, v, T: T * (sd.softmax(z * T) - sd.softmax(v * T)) / len(z),
            "divide the logits by T",
        ),
        "rows summed": (
            lambda z, v, T: T * q_minus_p(z, v, T).sum(axis=0) / len(z),
            "the rows were summed",
        ),
        "transposed": (
            lambda z, v, T: (T * q_minus_p(z, v, T) / len(z)).T,
            "the result has shape (6, 5)",
        ),
        "naive exp": (with_softmax(naive_softmax), "NaN or infinity in rows [3, 4]"),
        "mean shift": (with_softmax(mean_shift_softmax), "subtract each row's maximum"),
        "first-entry shift": (with_softmax(first_entry_softmax), "in rows [4]"),
        "batch-maximum shift": (
            with_softmax(batch_max_softmax),
            "in rows [0, 1, 2]: a softmax that subtracts each row's own maximum",
        ),
        "other": (lambda z, v, T: np.ones_like(z), "differs from central differences"),
    },
)

TABLES = [SGD, DISTILLATION]


(
    test_every_right_answer_passes,
    test_every_wrong_answer_is_named,
    test_every_checker_has_one_table,
    test_writing_into_the_inputs_is_graded_on_the_answer,
) = catalogue_tests(TABLES, training)


def test_the_distillation_reference_is_the_formula():
    z, v = training._distillation_inputs()
    for T in (0.5, 2.0, 5.0):
        fd = sd.numerical_jacobian(lambda zz, T=T: training._distillation_loss(zz, v, T), z, 1e-5)
        exact = T * q_minus_p(z, v, T) / len(z)
        np.testing.assert_allclose(fd, exact, atol=1e-8)


def test_the_distillation_mismatch_shows_the_difference():
    verdict = check_distillation_grad(lambda z, v, T: T * q_minus_p(z, v, T) / len(z) + 1e-4)
    assert not verdict.passed
    assert "(differs by 0.0001)" in verdict.message
