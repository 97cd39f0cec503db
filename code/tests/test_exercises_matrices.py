"""The checkers of the matrix chapters (4 to 6) against their catalogues of answers."""

from __future__ import annotations

import numpy as np
from exercise_cases import (
    Cases,
    catalogue_tests,
)

import softmax_derivative as sd
from softmax_derivative.exercises import (
    check_batch_jacobian,
    check_chain_jacobian,
    check_jacobian,
    check_jacobian_memory,
    check_off_diagonal_entry,
    check_quadratic_form,
    check_reciprocal_gradient,
    matrices,
)


def total(z):
    return np.exp(z).sum()


def batch_right(S):
    return S[:, :, None] * (np.eye(S.shape[-1]) - S[:, None, :])


def batch_sample_delta(S):
    N, L = S.shape
    delta = (np.arange(N)[:, None] == np.arange(L)).astype(float)
    return S[:, :, None] * (delta[:, :, None] - S[:, None, :])


def variance(s, v):
    mean = np.sum(s * v, axis=-1)
    return np.sum(s * v**2, axis=-1) - mean**2


def js(W, x):
    return sd.jacobian(sd.softmax(W @ x))


def entry_loop(s):
    L = len(s)
    return [[s[j] * ((j == k) - s[k]) for k in range(L)] for j in range(L)]


TABLES = [
    Cases(
        check_jacobian,
        right={
            "diag minus outer": lambda s: np.diag(s) - np.outer(s, s),
            "package": sd.jacobian,
            "broadcasting": lambda s: s[:, None] * (np.eye(s.size) - s[None, :]),
            "loop over entries": entry_loop,
            "transposed (symmetric)": lambda s: (np.diag(s) - np.outer(s, s)).T,
        },
        wrong={
            "sign": (lambda s: np.outer(s, s) - np.diag(s), "the sign is flipped"),
            "diagonal forgotten": (lambda s: -np.outer(s, s), "you forgot the diagonal term"),
            "diagonal only": (lambda s: np.diag(s * (1 - s)), "you kept only the diagonal"),
            "column instead of diag": (
                lambda s: s[:, None] - np.outer(s, s),
                "only the diagonal entries are S_j (1 - S_j)",
            ),
            "inner product": (lambda s: np.diag(s) - s @ s, "s s^T is the outer product"),
            "outer of 1 - s": (
                lambda s: np.outer(s, 1 - s),
                "only the diagonal entries are S_j (1 - S_j)",
            ),
            "a vector": (lambda s: s, "the result has shape"),
            "other": (lambda s: np.diag(s) - np.outer(s, s) + 1e-3, "the values differ"),
            "NaN": (lambda s: np.full((s.size, s.size), np.nan), "the result contains NaN"),
        },
    ),
    Cases(
        check_off_diagonal_entry,
        right={
            "formula": lambda s, j, k: -s[j] * s[k],
            "from the Jacobian": lambda s, j, k: sd.jacobian(s)[j, k],
            "Kronecker form": lambda s, j, k: s[j] * ((j == k) - s[k]),
        },
        wrong={
            "sign": (lambda s, j, k: s[j] * s[k], "the sign is flipped"),
            "diagonal formula": (lambda s, j, k: s[j] * (1 - s[k]), "is the j = k formula"),
            "diagonal formula expanded": (
                lambda s, j, k: s[j] - s[j] * s[k],
                "is the j = k formula",
            ),
            "zero": (lambda s, j, k: 0.0, "the derivative of e^{z_j} is 0, but"),
            "S_j squared": (lambda s, j, k: -(s[j] ** 2), "you squared S_j"),
            "S_k squared": (lambda s, j, k: -(s[k] ** 2), "you squared S_k"),
            "sum derivative": (lambda s, j, k: -s[k], "that is the derivative of the sum"),
            "a matrix": (
                lambda s, j, k: -np.outer(s, s),
                "fn(s, 0, 1) returned an array of shape (5, 5)",
            ),
            "other": (lambda s, j, k: -s[j] * s[k] * 1.01, "the values differ, e.g. for j ="),
            "slightly off": (
                lambda s, j, k: -s[j] * s[k] * (1 + 1e-6),
                "(differs by",
            ),
        },
    ),
    Cases(
        check_reciprocal_gradient,
        right={
            "formula": lambda z: -np.exp(z) / total(z) ** 2,
            "from the softmax": lambda z: -sd.softmax(z) / total(z),
            "loop": lambda z: [-np.exp(v) / total(z) ** 2 for v in z],
        },
        wrong={
            "sign": (lambda z: np.exp(z) / total(z) ** 2, "the sign is flipped"),
            "inner derivative forgotten": (
                lambda z: np.full_like(z, -1 / total(z) ** 2),
                "you forgot the inner derivative",
            ),
            "a scalar": (lambda z: -1 / total(z) ** 2, "the result has shape ()"),
            "not squared": (lambda z: -np.exp(z) / total(z), "the derivative of 1/x is -1/x^2"),
            "S_k squared": (lambda z: -(sd.softmax(z) ** 2), "that is -S_k^2"),
            "summed": (
                lambda z: -(np.exp(z) / total(z) ** 2).sum(),
                "you returned a single number",
            ),
            "other": (lambda z: -np.exp(z) / total(z) ** 3, "the values differ"),
        },
    ),
    Cases(
        check_batch_jacobian,
        right={
            "broadcasting": batch_right,
            "einsum": lambda S: (
                np.einsum("ij,jk->ijk", S, np.eye(S.shape[1])) - np.einsum("ij,ik->ijk", S, S)
            ),
            "loop over rows": lambda S: np.stack([np.diagflat(s) - np.outer(s, s) for s in S]),
            "package": sd.jacobian,
        },
        wrong={
            "sign": (lambda S: -batch_right(S), "the sign is flipped"),
            "diagonal forgotten": (
                lambda S: -S[:, :, None] * S[:, None, :],
                "you forgot the diagonal term",
            ),
            "sample delta": (batch_sample_delta, "the delta compares output j with input k"),
            "flattened batch": (
                lambda S: np.diagflat(S) - np.outer(S, S),
                "np.diagflat and np.outer flatten",
            ),
            "batch axis last": (
                lambda S: np.moveaxis(batch_right(S), 0, -1),
                "the batch axis must come first",
            ),
            "diagonals only": (lambda S: S * (1 - S), "you returned only the diagonals"),
            "summed over the batch": (
                lambda S: np.diag(S.sum(axis=0)) - S.T @ S,
                "S.T @ S sums over the batch",
            ),
            "axes swapped": (
                lambda S: batch_right(S).transpose(1, 0, 2),
                "the result has shape (5, 4, 5)",
            ),
            "other": (lambda S: batch_right(S) + 1e-3, "the values differ"),
        },
    ),
    Cases(
        check_quadratic_form,
        right={
            "variance": variance,
            "through the Jacobians": lambda s, v: np.einsum("ij,ijk,ik->i", v, sd.jacobian(s), v),
            "centred": lambda s, v: np.sum(
                s * (v - np.sum(s * v, axis=-1, keepdims=True)) ** 2, axis=-1
            ),
            "loop over rows": lambda s, v: [
                v_i @ (np.diag(s_i) - np.outer(s_i, s_i)) @ v_i
                for s_i, v_i in zip(s, v, strict=True)
            ],
        },
        wrong={
            "sign": (lambda s, v: -variance(s, v), "the sign is flipped"),
            "s s^T forgotten": (
                lambda s, v: np.sum(s * v**2, axis=-1),
                "you forgot the - s s^T part",
            ),
            "unweighted variance": (
                lambda s, v: np.var(v, axis=-1),
                "np.var weights every class equally",
            ),
            "sum of squares": (
                lambda s, v: np.sum(s * v**2, axis=-1) - np.sum((s * v) ** 2, axis=-1),
                "square the weighted mean",
            ),
            "not summed": (
                lambda s, v: s * v**2 - (s * v) * np.sum(s * v, axis=-1, keepdims=True),
                "sum over the classes (axis=-1)",
            ),
            "batch axis": (
                lambda s, v: np.sum(s * v**2, axis=0) - np.sum(s * v, axis=0) ** 2,
                "the sum runs over the wrong axis",
            ),
            "whole batch": (
                lambda s, v: np.sum(s * v**2) - np.sum(s * v) ** 2,
                "you summed over the whole batch",
            ),
            "other": (lambda s, v: variance(s, v) + 1e-3, "the values differ"),
        },
    ),
    Cases(
        check_chain_jacobian,
        right={
            "product": lambda W, x: js(W, x) @ W,
            "finite differences": lambda W, x: sd.numerical_jacobian(
                lambda u: sd.softmax(W @ u), x
            ),
            "loop over outputs": lambda W, x: [row @ W for row in js(W, x)],
        },
        wrong={
            "order": (lambda W, x: W @ js(W, x), "the factors are in the wrong order"),
            "transposed product": (lambda W, x: (js(W, x) @ W).T, "the denominator layout"),
            "inner Jacobian forgotten": (lambda W, x: js(W, x), "you forgot the inner Jacobian"),
            "softmax of x": (
                lambda W, x: sd.jacobian(sd.softmax(x)) @ W,
                "evaluate the softmax Jacobian at",
            ),
            "W transposed": (lambda W, x: js(W, x) @ W.T, "use W itself, not its transpose"),
            "other": (lambda W, x: js(W, x) @ W + 1e-3, "the values differ"),
            "cut": (lambda W, x: (js(W, x) @ W)[:, :3], "the result has shape (5, 3)"),
        },
    ),
    Cases(
        check_jacobian_memory,
        right={
            "formula": lambda N, L, b: N * L * L * b,
            "via nbytes": lambda N, L, b: np.zeros((1, 1), dtype=np.int8).nbytes * N * L**2 * b,
            "a float": lambda N, L, b: float(N * L**2 * b),
        },
        wrong={
            "L not squared": (lambda N, L, b: N * L * b, "each Jacobian is L x L"),
            "entries": (lambda N, L, b: N * L**2, "that is the number of entries"),
            "bits": (lambda N, L, b: N * L**2 * b * 8, "that counts bits"),
            "full tensor": (lambda N, L, b: (N * L) ** 2 * b, "samples do not interact"),
            "one sample": (lambda N, L, b: L**2 * b, "there is one Jacobian per sample"),
            "off by one": (
                lambda N, L, b: N * L**2 * b + 1,
                "fn(3, 7, 2): got 295, expected 294 bytes (differs by 1)",
            ),
            "a list": (
                lambda N, L, b: [N, L, b],
                "fn(256, 10, 8) returned an array of shape (3,)",
            ),
            "a string": (lambda N, L, b: "big", "fn(256, 10, 8) returned array('big'"),
        },
    ),
]


(
    test_every_right_answer_passes,
    test_every_wrong_answer_is_named,
    test_every_checker_has_one_table,
    test_writing_into_the_inputs_is_graded_on_the_answer,
) = catalogue_tests(TABLES, matrices)


def test_check_off_diagonal_entry_never_asks_for_the_diagonal():
    asked = []

    def record(s, j, k):
        asked.append((j, k))
        return -s[j] * s[k]

    assert check_off_diagonal_entry(record)
    assert sorted(asked) == [(j, k) for j in range(5) for k in range(5) if j != k]
