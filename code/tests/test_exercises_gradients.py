"""The checkers of the gradient chapters: right answers pass, each known mistake is named."""

from __future__ import annotations

import numpy as np
import pytest

import softmax_derivative as sd
from softmax_derivative.exercises import (
    check_backward,
    check_backward_loop,
    check_central_difference,
    check_cross_entropy_grad,
    check_mse_softmax_grad,
    check_step_size,
    gradients,
)

CHECKERS = [
    check_backward,
    check_backward_loop,
    check_cross_entropy_grad,
    check_mse_softmax_grad,
    check_central_difference,
    check_step_size,
]


def test_every_checker_is_exported_and_tested():
    assert sorted(gradients.__all__) == sorted(c.__name__ for c in CHECKERS)


def assert_verdict(verdict, expected):
    """``expected`` None: the answer passes; else the message starts with ``expected``."""
    if expected is None:
        assert verdict.passed, verdict.message
    else:
        assert not verdict.passed
        assert verdict.message.startswith(expected), verdict.message


# --- check_backward -------------------------------------------------------------------


def dot(s, g):
    return np.sum(s * g, axis=-1, keepdims=True)


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda s, g: s * (g - dot(s, g)), None),
        (lambda s, g: s * g, "you forgot to subtract the weighted sum"),
        (lambda s, g: -s * (g - dot(s, g)), "the sign is flipped"),
        (
            lambda s, g: s * (g - np.sum(g * s, axis=0, keepdims=True)),
            "the sum runs over the wrong axis",
        ),
        (lambda s, g: g - dot(s, g), "you forgot to multiply by s"),
        (lambda s, g: (s * (g - dot(s, g))).T, "the result is transposed"),
        (lambda s, g: s * g + 1, "the values differ"),
    ],
)
def test_check_backward(fn, expected):
    assert_verdict(check_backward(fn), expected)


# --- check_backward_loop --------------------------------------------------------------


def make_loop(jacobian_of):
    def loop(s, grad):
        dz = np.empty_like(grad)
        for i, (s_i, g_i) in enumerate(zip(s, grad, strict=True)):
            dz[i] = jacobian_of(s_i.reshape(-1, 1)) @ g_i
        return dz

    return loop


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (make_loop(lambda c: np.diagflat(c) - c @ c.T), None),
        (sd.backward_loop, None),
        (make_loop(lambda c: -(c @ c.T)), "you forgot the diagonal term"),
        (make_loop(lambda c: c @ c.T - np.diagflat(c)), "the sign is flipped"),
        (make_loop(lambda c: np.diagflat(c) - c.T @ c), "s_i s_i^T must be the outer product"),
        (make_loop(lambda c: np.diag(c) - c @ c.T), "np.diag of an (L, 1) column"),
        (lambda s, g: sd.backward_loop(s, g).T, "the result is transposed"),
        (lambda s, g: np.zeros_like(g), "the values differ"),
    ],
)
def test_check_backward_loop(fn, expected):
    assert_verdict(check_backward_loop(fn), expected)


def test_check_backward_loop_wrong_shape():
    verdict = check_backward_loop(lambda s, g: g[0])
    assert not verdict.passed
    assert "shape" in verdict.message


# --- check_cross_entropy_grad ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda z, y: (sd.softmax(z) - y) / len(z), None),
        (lambda z, y: sd.cross_entropy_grad(sd.softmax(z), y), None),
        (lambda z, y: sd.softmax(z) - y, "the loss is the mean over the batch"),
        (lambda z, y: (y - sd.softmax(z)) / len(z), "the sign is flipped"),
        (lambda z, y: (z - y) / len(z), "apply softmax to the logits first"),
        (lambda z, y: -y / sd.softmax(z) / len(z), "you returned -y / y_hat"),
    ],
)
def test_check_cross_entropy_grad(fn, expected):
    assert_verdict(check_cross_entropy_grad(fn), expected)


# --- check_mse_softmax_grad -----------------------------------------------------------


def mse_through_softmax(upstream_of):
    def grad(z, t):
        s = sd.softmax(z)
        return sd.backward(s, upstream_of(s, t, len(z)))

    return grad


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (mse_through_softmax(lambda s, t, n: (s - t) / n), None),
        (mse_through_softmax(lambda s, t, n: sd.mse_grad(s, t)), None),
        (mse_through_softmax(lambda s, t, n: 2 * (s - t) / n), "there is a factor 2 too many"),
        (mse_through_softmax(lambda s, t, n: s - t), "the loss is the mean over the batch"),
        (mse_through_softmax(lambda s, t, n: (t - s) / n), "the sign is flipped"),
        (lambda z, t: (sd.softmax(z) - t) / len(z), "that is dL/dS"),
        (
            lambda z, t: sd.softmax(z) * (1 - sd.softmax(z)) * (sd.softmax(z) - t) / len(z),
            "you used only the diagonal",
        ),
        (lambda z, t: np.ones_like(z), "the values differ"),
    ],
)
def test_check_mse_softmax_grad(fn, expected):
    assert_verdict(check_mse_softmax_grad(fn), expected)


# --- check_central_difference ---------------------------------------------------------


def per_coordinate(formula):
    def fd(f, z, h):
        return np.array([formula(f, z, h * e, h) for e in np.eye(len(z))])

    return fd


def in_place(f, z, h):
    out = np.empty_like(z)
    for k in range(len(z)):
        z[k] += h
        up = f(z)
        z[k] -= 2 * h
        out[k] = (up - f(z)) / (2 * h)  # z[k] is left at z[k] - h
    return out


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (per_coordinate(lambda f, z, d, h: (f(z + d) - f(z - d)) / (2 * h)), None),
        (
            lambda f, z, h: sd.numerical_jacobian(f, z, eps=h),
            None,
        ),
        (
            per_coordinate(lambda f, z, d, h: (f(z + d) - f(z)) / h),
            "that is the forward difference",
        ),
        (
            per_coordinate(lambda f, z, d, h: (f(z) - f(z - d)) / h),
            "that is the backward difference",
        ),
        (per_coordinate(lambda f, z, d, h: (f(z + d) - f(z - d)) / h), "divide by 2h"),
        (
            per_coordinate(lambda f, z, d, h: (f(z - d) - f(z + d)) / (2 * h)),
            "the sign is flipped",
        ),
        (
            lambda f, z, h: np.full(z.shape, (f(z + h) - f(z - h)) / (2 * h)),
            "you moved every coordinate at once",
        ),
        (lambda f, z, h: (f(z + h) - f(z - h)) / (2 * h), "you returned one number"),
        (in_place, "your function changed z in place"),
        (lambda f, z, h: np.ones_like(z), "the values differ"),
    ],
)
def test_check_central_difference(fn, expected):
    assert_verdict(check_central_difference(fn), expected)


# --- check_step_size ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda eps, s: eps ** (1 / 2) if s == "forward" else eps ** (1 / 3), None),
        (lambda eps, s: 2 * eps ** (1 / 2) if s == "forward" else 3 * eps ** (1 / 3), None),
        (lambda eps, s: eps, "h = eps is far too small"),
        (
            lambda eps, s: eps ** (1 / 3) if s == "forward" else eps ** (1 / 2),
            "the exponents are swapped",
        ),
        (lambda eps, s: 1e-8 if s == "forward" else 1e-5, "your step ignores the precision"),
        (lambda eps, s: eps ** (1 / 2), "for the central difference in float64"),
        (lambda eps, s: -1.0, "fn("),
        (lambda eps, s: [eps, eps], "fn("),
    ],
)
def test_check_step_size(fn, expected):
    assert_verdict(check_step_size(fn), expected)


def test_feedback_reads_as_a_verdict():
    assert repr(check_step_size(lambda eps, s: eps)).startswith("Not yet: ")
    assert repr(check_backward(sd.backward)).startswith("Correct: ")
