"""The checkers of the gradient chapters against their catalogues of answers."""

from __future__ import annotations

import numpy as np
from exercise_cases import Cases

import softmax_derivative as sd
from softmax_derivative.exercises import (
    check_backward,
    check_backward_loop,
    check_central_difference,
    check_cross_entropy_grad,
    check_mse_softmax_grad,
    check_step_size,
)


def dot(s, g):
    return np.sum(s * g, axis=-1, keepdims=True)


def right_backward(s, g):
    return s * (g - dot(s, g))


def rows(formula):
    """A loop over the rows of (s, g) that applies ``formula`` to each pair of rows."""

    def loop(s, g):
        return np.array([formula(s_i, g_i) for s_i, g_i in zip(s, g, strict=True)])

    return loop


def column_loop(jacobian_of_column):
    """The loop of the exercise: each row as a column (L, 1), its Jacobian times g_i."""

    def loop(s, grad):
        dz = np.empty_like(grad)
        for i, (s_i, g_i) in enumerate(zip(s, grad, strict=True)):
            dz[i] = jacobian_of_column(s_i.reshape(-1, 1)) @ g_i
        return dz

    return loop


def through_softmax(upstream_of):
    """The MSE exercise: dL/dS from ``upstream_of(s, t, N)``, pushed back through softmax."""

    def grad(z, t):
        s = sd.softmax(z)
        return sd.backward(s, upstream_of(s, t, len(z)))

    return grad


def per_coordinate(formula):
    def fd(f, z, h):
        return np.array([formula(f, z, h * e, h) for e in np.eye(len(z))])

    return fd


def central_in_place(f, z, h):
    out = np.empty_like(z)
    for k in range(len(z)):
        z[k] += h
        up = f(z)
        z[k] -= 2 * h
        out[k] = (up - f(z)) / (2 * h)  # z[k] is left at z[k] - h
    return out


def central_restoring(f, z, h):
    out = np.empty_like(z)
    for k in range(len(z)):
        saved = z[k]
        z[k] = saved + h
        up = f(z)
        z[k] = saved - h
        out[k] = (up - f(z)) / (2 * h)
        z[k] = saved
    return out


TABLES = [
    Cases(
        check_backward,
        right={
            "package": sd.backward,
            "vectorised": right_backward,
            "einsum": lambda s, g: s * (g - np.einsum("ij,ij->i", g, s)[:, None]),
            "matrix product": lambda s, g: s * (g - np.diag(g @ s.T)[:, None]),
            "loop over rows": rows(lambda s, g: s * (g - g @ s)),
            "via the Jacobians": sd.backward_via_jacobian,
        },
        wrong={
            "weighted sum forgotten": (lambda s, g: s * g, "forgot to subtract the weighted"),
            "sign": (lambda s, g: -right_backward(s, g), "the sign is flipped"),
            "batch axis": (
                lambda s, g: s * (g - np.sum(g * s, axis=0, keepdims=True)),
                "the sum runs over the wrong axis",
            ),
            "whole batch": (lambda s, g: s * (g - np.sum(g * s)), "summed over the whole batch"),
            "factor s forgotten": (lambda s, g: g - dot(s, g), "forgot to multiply by s"),
            "diagonal only": (lambda s, g: s * (1 - s) * g, "only the diagonal"),
            "transposed": (lambda s, g: right_backward(s, g).T, "the result is transposed"),
            "sum without keepdims": (
                lambda s, g: s * (g - np.sum(g * s, axis=-1)),
                "raised ValueError",
            ),
            "other": (lambda s, g: s * g + 1, "the values differ"),
        },
    ),
    Cases(
        check_backward_loop,
        right={
            "columns": column_loop(lambda c: np.diagflat(c) - c @ c.T),
            "package loop": sd.backward_loop,
            "1-D rows": rows(lambda s, g: (np.diag(s) - np.outer(s, s)) @ g),
            "transposed Jacobian": rows(lambda s, g: (np.diag(s) - np.outer(s, s)).T @ g),
        },
        wrong={
            "diagonal forgotten": (column_loop(lambda c: -(c @ c.T)), "forgot the diagonal"),
            "sign": (column_loop(lambda c: c @ c.T - np.diagflat(c)), "the sign is flipped"),
            "inner product": (
                column_loop(lambda c: np.diagflat(c) - c.T @ c),
                "must be the outer product",
            ),
            "np.diag of a column": (
                column_loop(lambda c: np.diag(c) - c @ c.T),
                "np.diag of an (L, 1) column",
            ),
            "transposed": (lambda s, g: sd.backward_loop(s, g).T, "the result is transposed"),
            "one row": (lambda s, g: g[0], "shape"),
            "other": (lambda s, g: np.zeros_like(g), "the values differ"),
        },
    ),
    Cases(
        check_cross_entropy_grad,
        right={
            "formula": lambda z, y: (sd.softmax(z) - y) / len(z),
            "package": lambda z, y: sd.cross_entropy_grad(sd.softmax(z), y),
            "loop over rows": lambda z, y: [
                (sd.softmax(z_i) - y_i) / len(z) for z_i, y_i in zip(z, y, strict=True)
            ],
        },
        wrong={
            "1/N forgotten": (lambda z, y: sd.softmax(z) - y, "the mean over the batch"),
            "divided by N L": (lambda z, y: (sd.softmax(z) - y) / z.size, "not by the N * L"),
            "sign": (lambda z, y: (y - sd.softmax(z)) / len(z), "the sign is flipped"),
            "softmax forgotten": (lambda z, y: (z - y) / len(z), "apply softmax"),
            "softmax over the batch axis": (
                lambda z, y: (np.exp(z) / np.exp(z).sum(axis=0) - y) / len(z),
                "not the batch axis",
            ),
            "gradient for the probabilities": (
                lambda z, y: -y / sd.softmax(z) / len(z),
                "you returned -y / y_hat",
            ),
        },
    ),
    Cases(
        check_mse_softmax_grad,
        right={
            "through backward": through_softmax(lambda s, t, n: (s - t) / n),
            "package mse_grad": through_softmax(lambda s, t, n: sd.mse_grad(s, t)),
            "through the Jacobians": lambda z, t: np.einsum(
                "ijk,ij->ik", sd.jacobian(sd.softmax(z)), (sd.softmax(z) - t) / len(z)
            ),
        },
        wrong={
            "factor 2": (through_softmax(lambda s, t, n: 2 * (s - t) / n), "a factor 2 too many"),
            "1/N forgotten": (through_softmax(lambda s, t, n: s - t), "the mean over the batch"),
            "divided by N L": (
                through_softmax(lambda s, t, n: (s - t) / s.size),
                "not by the N * L",
            ),
            "sign": (through_softmax(lambda s, t, n: (t - s) / n), "the sign is flipped"),
            "stopped at dL/dS": (lambda z, t: (sd.softmax(z) - t) / len(z), "that is dL/dS"),
            "diagonal only": (
                lambda z, t: sd.softmax(z) * (1 - sd.softmax(z)) * (sd.softmax(z) - t) / len(z),
                "only the diagonal",
            ),
            "whole batch": (
                lambda z, t: (lambda s, u: s * (u - np.sum(u * s)))(
                    sd.softmax(z), (sd.softmax(z) - t) / len(z)
                ),
                "over the whole batch",
            ),
            "other": (lambda z, t: np.ones_like(z), "the values differ"),
        },
    ),
    Cases(
        check_central_difference,
        right={
            "per coordinate": per_coordinate(lambda f, z, d, h: (f(z + d) - f(z - d)) / (2 * h)),
            "package": lambda f, z, h: sd.numerical_jacobian(f, z, eps=h),
            "in place, restored": central_restoring,
        },
        wrong={
            "forward": (
                per_coordinate(lambda f, z, d, h: (f(z + d) - f(z)) / h),
                "that is the forward difference",
            ),
            "backward": (
                per_coordinate(lambda f, z, d, h: (f(z) - f(z - d)) / h),
                "that is the backward difference",
            ),
            "divided by h": (
                per_coordinate(lambda f, z, d, h: (f(z + d) - f(z - d)) / h),
                "divide by 2h",
            ),
            "sign": (
                per_coordinate(lambda f, z, d, h: (f(z - d) - f(z + d)) / (2 * h)),
                "the sign is flipped",
            ),
            "every coordinate at once": (
                lambda f, z, h: np.full(z.shape, (f(z + h) - f(z - h)) / (2 * h)),
                "you moved every coordinate at once",
            ),
            "one number": (
                lambda f, z, h: (f(z + h) - f(z - h)) / (2 * h),
                "you returned one number",
            ),
            "z changed in place": (central_in_place, "your function changed z in place"),
            "other": (lambda f, z, h: np.ones_like(z), "the values differ"),
        },
        changes_inputs_is_fine=False,
    ),
    Cases(
        check_step_size,
        right={
            "the balance": lambda eps, s: eps ** (1 / 2) if s == "forward" else eps ** (1 / 3),
            "within a factor 10": lambda eps, s: (
                2 * eps ** (1 / 2) if s == "forward" else 3 * eps ** (1 / 3)
            ),
        },
        wrong={
            "eps": (lambda eps, s: eps, "h = eps is far too small"),
            "swapped": (
                lambda eps, s: eps ** (1 / 3) if s == "forward" else eps ** (1 / 2),
                "the exponents are swapped",
            ),
            "fixed": (lambda eps, s: 1e-8 if s == "forward" else 1e-5, "ignores the precision"),
            "central too small": (
                lambda eps, s: eps ** (1 / 2),
                "for the central difference in float64",
            ),
            "negative": (lambda eps, s: -1.0, "should be one positive number"),
            "a list": (lambda eps, s: [eps, eps], "should be one positive number"),
        },
    ),
]
