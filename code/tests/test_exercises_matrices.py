"""The checkers of the matrix chapters: right answers pass, each known mistake is named."""

from __future__ import annotations

import numpy as np
import pytest

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

CHECKERS = [
    check_jacobian,
    check_off_diagonal_entry,
    check_reciprocal_gradient,
    check_batch_jacobian,
    check_quadratic_form,
    check_chain_jacobian,
    check_jacobian_memory,
]


def test_every_checker_is_exported_and_tested():
    assert sorted(matrices.__all__) == sorted(c.__name__ for c in CHECKERS)


def grade(checker, fn, expected):
    verdict = checker(fn)
    if expected is None:
        assert verdict.passed, verdict.message
        assert repr(verdict).startswith("Correct: ")
    else:
        assert not verdict.passed
        assert verdict.message.startswith(expected), verdict.message
        assert repr(verdict).startswith("Not yet: ")


# --- check_jacobian -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda s: np.diag(s) - np.outer(s, s), None),
        (lambda s: sd.jacobian(s), None),
        (lambda s: np.outer(s, s) - np.diag(s), "the sign is flipped"),
        (lambda s: -np.outer(s, s), "you forgot the diagonal term"),
        (lambda s: np.diag(s * (1 - s)), "you kept only the diagonal"),
        (lambda s: s[:, None] - np.outer(s, s), "only the diagonal entries are S_j (1 - S_j)"),
        (lambda s: np.diag(s) - s @ s, "s s^T is the outer product"),
        (lambda s: np.outer(s, 1 - s), "only the diagonal entries are S_j (1 - S_j)"),
        (lambda s: s, "the result has shape"),
        (lambda s: np.diag(s) - np.outer(s, s) + 1e-3, "the values differ"),
        (lambda s: np.full((s.size, s.size), np.nan), "the result contains NaN"),
    ],
)
def test_check_jacobian(fn, expected):
    grade(check_jacobian, fn, expected)


# --- check_off_diagonal_entry ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda s, j, k: -s[j] * s[k], None),
        (lambda s, j, k: sd.jacobian(s)[j, k], None),
        (lambda s, j, k: s[j] * ((j == k) - s[k]), None),
        (lambda s, j, k: s[j] * s[k], "the sign is flipped"),
        (lambda s, j, k: s[j] * (1 - s[k]), "S_j (1 - S_k) is the j = k formula"),
        (lambda s, j, k: s[j] - s[j] * s[k], "S_j (1 - S_k) is the j = k formula"),
        (lambda s, j, k: 0.0, "the derivative of e^{z_j} is 0, but"),
        (lambda s, j, k: -(s[j] ** 2), "you squared S_j"),
        (lambda s, j, k: -(s[k] ** 2), "you squared S_k"),
        (lambda s, j, k: -s[k], "that is the derivative of the sum"),
        (lambda s, j, k: -np.outer(s, s), "fn(s, 0, 1) returned an array of shape (5, 5)"),
        (lambda s, j, k: -s[j] * s[k] * 1.01, "the values differ, e.g. for j ="),
    ],
)
def test_check_off_diagonal_entry(fn, expected):
    grade(check_off_diagonal_entry, fn, expected)


def test_check_off_diagonal_entry_never_asks_for_the_diagonal():
    asked = []

    def record(s, j, k):
        asked.append((j, k))
        return -s[j] * s[k]

    assert check_off_diagonal_entry(record)
    assert asked and all(j != k for j, k in asked)


# --- check_reciprocal_gradient --------------------------------------------------------


def total(z):
    return np.exp(z).sum()


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda z: -np.exp(z) / total(z) ** 2, None),
        (lambda z: -sd.softmax(z) / total(z), None),
        (lambda z: np.exp(z) / total(z) ** 2, "the sign is flipped"),
        (lambda z: np.full_like(z, -1 / total(z) ** 2), "you forgot the inner derivative"),
        (lambda z: -1 / total(z) ** 2, "the result has shape ()"),
        (lambda z: -np.exp(z) / total(z), "the derivative of 1/x is -1/x^2"),
        (lambda z: -(sd.softmax(z) ** 2), "that is -S_k^2"),
        (lambda z: -(np.exp(z) / total(z) ** 2).sum(), "you returned a single number"),
        (lambda z: -np.exp(z) / total(z) ** 3, "the values differ"),
    ],
)
def test_check_reciprocal_gradient(fn, expected):
    grade(check_reciprocal_gradient, fn, expected)


# --- check_batch_jacobian -------------------------------------------------------------


def batch_right(S):
    return S[:, :, None] * (np.eye(S.shape[-1]) - S[:, None, :])


def batch_sample_delta(S):
    N, L = S.shape
    delta = (np.arange(N)[:, None] == np.arange(L)).astype(float)
    return S[:, :, None] * (delta[:, :, None] - S[:, None, :])


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (batch_right, None),
        (
            lambda S: (
                np.einsum("ij,jk->ijk", S, np.eye(S.shape[1])) - np.einsum("ij,ik->ijk", S, S)
            ),
            None,
        ),
        (lambda S: np.stack([np.diagflat(s) - np.outer(s, s) for s in S]), None),
        (lambda S: -batch_right(S), "the sign is flipped"),
        (lambda S: -S[:, :, None] * S[:, None, :], "you forgot the diagonal term"),
        (batch_sample_delta, "the delta compares output j with input k"),
        (lambda S: np.diagflat(S) - np.outer(S, S), "np.diagflat and np.outer flatten"),
        (lambda S: np.moveaxis(batch_right(S), 0, -1), "the batch axis must come first"),
        (lambda S: S * (1 - S), "you returned only the diagonals"),
        (lambda S: np.diag(S.sum(axis=0)) - S.T @ S, "S.T @ S sums over the batch"),
        (lambda S: batch_right(S).transpose(1, 0, 2), "the result has shape (5, 4, 5)"),
        (lambda S: batch_right(S) + 1e-3, "the values differ"),
    ],
)
def test_check_batch_jacobian(fn, expected):
    grade(check_batch_jacobian, fn, expected)


# --- check_quadratic_form -------------------------------------------------------------


def variance(s, v):
    mean = np.sum(s * v, axis=-1)
    return np.sum(s * v**2, axis=-1) - mean**2


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (variance, None),
        (lambda s, v: np.einsum("ij,ijk,ik->i", v, sd.jacobian(s), v), None),
        (
            lambda s, v: np.sum(s * (v - np.sum(s * v, axis=-1, keepdims=True)) ** 2, axis=-1),
            None,
        ),
        (lambda s, v: -variance(s, v), "the sign is flipped"),
        (lambda s, v: np.sum(s * v**2, axis=-1), "you forgot the - s s^T part"),
        (lambda s, v: np.var(v, axis=-1), "np.var weights every class equally"),
        (
            lambda s, v: np.sum(s * v**2, axis=-1) - np.sum((s * v) ** 2, axis=-1),
            "square the weighted mean",
        ),
        (
            lambda s, v: s * v**2 - (s * v) * np.sum(s * v, axis=-1, keepdims=True),
            "sum over the classes (axis=-1)",
        ),
        (
            lambda s, v: np.sum(s * v**2, axis=0) - np.sum(s * v, axis=0) ** 2,
            "the sum runs over the wrong axis",
        ),
        (lambda s, v: variance(s, v) + 1e-3, "the values differ"),
    ],
)
def test_check_quadratic_form(fn, expected):
    grade(check_quadratic_form, fn, expected)


# --- check_chain_jacobian -------------------------------------------------------------


def js(W, x):
    return sd.jacobian(sd.softmax(W @ x))


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda W, x: js(W, x) @ W, None),
        (lambda W, x: sd.numerical_jacobian(lambda u: sd.softmax(W @ u), x), None),
        (lambda W, x: W @ js(W, x), "the factors are in the wrong order"),
        (lambda W, x: (js(W, x) @ W).T, "that is the denominator layout"),
        (lambda W, x: js(W, x), "you forgot the inner Jacobian"),
        (lambda W, x: sd.jacobian(sd.softmax(x)) @ W, "evaluate the softmax Jacobian at"),
        (lambda W, x: js(W, x) @ W.T, "use W itself, not its transpose"),
        (lambda W, x: js(W, x) @ W + 1e-3, "the values differ"),
        (lambda W, x: (js(W, x) @ W)[:, :3], "the result has shape (5, 3)"),
    ],
)
def test_check_chain_jacobian(fn, expected):
    grade(check_chain_jacobian, fn, expected)


# --- check_jacobian_memory ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda N, L, b: N * L * L * b, None),
        (lambda N, L, b: np.zeros((1, 1), dtype=np.int8).nbytes * N * L**2 * b, None),
        (lambda N, L, b: float(N * L**2 * b), None),
        (lambda N, L, b: N * L * b, "each Jacobian is L x L"),
        (lambda N, L, b: N * L**2, "that is the number of entries"),
        (lambda N, L, b: N * L**2 * b * 8, "that counts bits"),
        (lambda N, L, b: (N * L) ** 2 * b, "samples do not interact"),
        (lambda N, L, b: L**2 * b, "there is one Jacobian per sample"),
        (lambda N, L, b: N * L**2 * b + 1, "fn(3, 7, 2) returned 295; expected 294 bytes"),
        (lambda N, L, b: [N, L, b], "fn(256, 10, 8) returned an array of shape (3,)"),
        (lambda N, L, b: "big", "fn(256, 10, 8) returned array('big'"),
    ],
)
def test_check_jacobian_memory(fn, expected):
    grade(check_jacobian_memory, fn, expected)


def test_checkers_do_not_modify_their_own_inputs():
    """A learner's function that writes into its arguments cannot change the grading."""

    def vandal(S):
        expected = batch_right(S)
        S[...] = 0.0
        return expected

    assert check_batch_jacobian(vandal)
    assert check_batch_jacobian(batch_right)
