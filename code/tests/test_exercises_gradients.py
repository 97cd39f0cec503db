"""The checkers of the gradient chapters (7 to 9) against their catalogues of answers."""

from __future__ import annotations

import functools
import textwrap

import numpy as np
from exercise_cases import (
    Cases,
    batch_max,
    catalogue_tests,
    mean_shift,
    naive,
    stable_loop,
)

import softmax_derivative as sd
from softmax_derivative.exercises import (
    _form,
    check_backward,
    check_backward_loop,
    check_central_difference,
    check_cross_entropy_grad,
    check_mse_softmax_grad,
    check_step_size,
    gradients,
)


def dot(s, g):
    return np.sum(s * g, axis=-1, keepdims=True)


def right_backward(s, g):
    return s * (g - dot(s, g))


def log_sum_exp_shifted(z):
    """log(sum(exp(z - max))), each row's log-sum-exp less its maximum."""
    return np.log(np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True))


def backward_in_place(s, g):
    g -= dot(s, g)
    g *= s
    return g


def cross_entropy_grad_in_place(z, y):
    p = sd.softmax(z)
    p -= y
    p /= len(z)
    return p


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
    """Moves z[k] in place and restores it: z[k] comes back up to rounding."""
    out = np.empty_like(z)
    for k in range(len(z)):
        z[k] += h
        up = f(z)
        z[k] -= 2 * h
        down = f(z)
        z[k] += h
        out[k] = (up - down) / (2 * h)
    return out


def central_restoring(f, z, h):
    """Moves z[k] in place and puts back the saved value: z comes back exactly."""
    out = np.empty_like(z)
    for k in range(len(z)):
        saved = z[k]
        z[k] = saved + h
        up = f(z)
        z[k] = saved - h
        out[k] = (up - f(z)) / (2 * h)
        z[k] = saved
    return out


def central_try_finally(f, z, h):
    out = np.empty_like(z)
    for k in range(len(z)):
        try:
            z[k] += h
            up = f(z)
            z[k] -= 2 * h
            out[k] = (up - f(z)) / (2 * h)
        finally:
            z[k] += h
    return out


def central_not_restored(f, z, h):
    out = np.empty_like(z)
    for k in range(len(z)):
        z[k] += h
        up = f(z)
        z[k] -= 2 * h
        out[k] = (up - f(z)) / (2 * h)  # z[k] is left at z[k] - h
    return out


def central_alias_restore(f, z, h):
    original = z  # not a copy: restoring from it restores nothing
    out = np.empty_like(z)
    for k in range(len(z)):
        z[k] += h
        up = f(z)
        z[k] -= 2 * h
        out[k] = (up - f(z)) / (2 * h)
        z[k] = original[k]
    return out


# ---------------------------------------------------------------- loop answers


def loop_calling_backward(s, g):
    dz = np.empty_like(g)
    for i in range(len(s)):
        dz[i] = sd.backward(s[i], g[i])
    return dz


def scaffold_then_vectorised(s, grad):
    for _i in range(len(s)):
        pass
    return sd.backward(s, grad)


def while_loop(s, grad):
    dz = np.empty_like(grad)
    i = 0
    while i < len(s):
        dz[i] = (np.diag(s[i]) - np.outer(s[i], s[i])) @ grad[i]
        i += 1
    return dz


def jvp(s_i, g_i):
    return (np.diag(s_i) - np.outer(s_i, s_i)) @ g_i


class RowByRow:
    """A callable object whose ``__call__`` loops."""

    def __call__(self, s, grad):
        return np.stack([jvp(s_i, g_i) for s_i, g_i in zip(s, grad, strict=True)])


def scaled_loop(s, grad, scale=1.0):
    return scale * np.array([jvp(a, b) for a, b in zip(s, grad, strict=True)])


def defined_by_exec():
    """A loop made by exec, as a function of a script without a file would be."""
    namespace = {"np": np}
    exec(  # noqa: S102 - the test's own text
        textwrap.dedent(
            """
            def loop(s, grad):
                out = np.empty_like(grad)
                for i in range(len(s)):
                    out[i] = (np.diag(s[i]) - np.outer(s[i], s[i])) @ grad[i]
                return out
            """
        ),
        namespace,
    )
    return namespace["loop"]


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
            "in place": backward_in_place,
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
            "1-D rows": rows(lambda s, g: (np.diag(s) - np.outer(s, s)) @ g),
            "transposed Jacobian": rows(lambda s, g: (np.diag(s) - np.outer(s, s)).T @ g),
            "Jacobian of each row": rows(lambda s, g: sd.jacobian(s) @ g),
            "einsum per row": rows(lambda s, g: np.einsum("jk,k->j", sd.jacobian(s), g)),
            "while loop": while_loop,
            "map": lambda s, g: np.array(list(map(jvp, s, g))),
            "lambda with a comprehension": lambda s, g: [
                jvp(a, b) for a, b in zip(s, g, strict=True)
            ],
            "callable object": RowByRow(),
            "functools.partial": functools.partial(scaled_loop, scale=1.0),
            "defined by exec": defined_by_exec(),
            "a helper of its own loops": lambda s, g: while_loop(s, g),
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
            "transposed": (
                lambda s, g: column_loop(lambda c: np.diagflat(c) - c @ c.T)(s, g).T,
                "the result is transposed",
            ),
            "one row": (lambda s, g: g[0], "shape"),
            "other": (lambda s, g: np.zeros_like(g), "the values differ"),
            "vectorised package": (sd.backward, "the package's own backward:"),
            "vectorised formula": (right_backward, "has no loop"),
            "vectorised lambda": (
                lambda s, g: s * (g - np.sum(s * g, axis=-1, keepdims=True)),
                "has no loop",
            ),
            "batch of Jacobians": (sd.backward_via_jacobian, "own backward_via_jacobian"),
            "einsum over the batch": (
                lambda s, g: np.einsum("ijk,ik->ij", sd.jacobian(s), g),
                "has no loop",
            ),
            "partial of the formula": (functools.partial(right_backward), "has no loop"),
            "loop calling backward": (loop_calling_backward, "calls backward"),
            "a helper of its own without a loop": (
                lambda s, g: right_backward(s, g),
                "in it or in a function of yours it calls",
            ),
            "the package's loop, called": (
                lambda s, g: sd.backward_loop(s, g),
                "calls backward_loop",
            ),
            "the package's loop": (sd.backward_loop, "the package's own backward_loop"),
            "loop left empty": (scaffold_then_vectorised, "calls backward"),
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
            "own stable softmax": lambda z, y: (stable_loop(z) - y) / len(z),
            "in place": cross_entropy_grad_in_place,
            "from the log-softmax": lambda z, y: (
                (np.exp(z - z.max(axis=-1, keepdims=True) - log_sum_exp_shifted(z)) - y)
                / z.shape[0]
            ),
        },
        wrong={
            "1/N forgotten": (lambda z, y: sd.softmax(z) - y, "the mean over the batch"),
            "no shift": (lambda z, y: (naive(z) - y) / len(z), "e^z overflows"),
            "mean shift": (lambda z, y: (mean_shift(z) - y) / len(z), "each row's mean"),
            "whole-batch maximum": (
                lambda z, y: (batch_max(z) - y) / len(z),
                "maximum of the whole batch",
            ),
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
            "own stable softmax, loop": lambda z, t: [
                sd.backward(s_i, (s_i - t_i) / len(z))
                for s_i, t_i in zip(stable_loop(z), t, strict=True)
            ],
        },
        wrong={
            "no shift": (
                lambda z, t: (
                    (lambda s: s * ((s - t) - np.sum((s - t) * s, axis=-1)[:, None]))(naive(z))
                    / len(z)
                ),
                "e^z overflows",
            ),
            "mean shift": (
                lambda z, t: (
                    (lambda s: s * ((s - t) - np.sum((s - t) * s, axis=-1)[:, None]))(
                        mean_shift(z)
                    )
                    / len(z)
                ),
                "each row's mean",
            ),
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
            "in place, moved back": central_in_place,
            "in place, try/finally": central_try_finally,
            "copy per coordinate": lambda f, z, h: np.array(
                [
                    (
                        f(np.where(np.arange(z.size) == k, z + h, z))
                        - f(np.where(np.arange(z.size) == k, z - h, z))
                    )
                    / (2 * h)
                    for k in range(z.size)
                ]
            ),
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
            "z not restored": (central_not_restored, "changed z in place: after the call z[0]"),
            "restored from an alias": (central_alias_restore, "your function changed z in place"),
            "other": (lambda f, z, h: np.ones_like(z), "the values differ"),
        },
        changes_inputs_is_fine=False,
    ),
    Cases(
        check_step_size,
        right={
            "the balance": lambda eps, s: eps ** (1 / 2) if s == "forward" else eps ** (1 / 3),
            "square and cube roots": lambda eps, s: (
                np.sqrt(eps) if s == "forward" else np.cbrt(eps)
            ),
            "a table of exponents": lambda eps, s: eps ** {"forward": 0.5, "central": 1 / 3}[s],
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


(
    test_every_right_answer_passes,
    test_every_wrong_answer_is_named,
    test_every_checker_has_one_table,
    test_writing_into_the_inputs_is_graded_on_the_answer,
) = catalogue_tests(TABLES, gradients)


def test_a_loop_without_python_code_is_graded_on_its_values_and_says_so(monkeypatch):
    monkeypatch.setattr(_form, "form_of", lambda fn: None)
    verdict = check_backward_loop(sd.backward)
    assert verdict.passed
    assert "the values only" in verdict.message and "loop was not checked" in verdict.message


def test_the_in_place_tolerance_is_rounding_not_a_step():
    """A restored entry may be off by a few units in the last place, not by a step."""

    def off_by(units):
        def answer(f, z, h):
            result = sd.numerical_jacobian(f, z, eps=h)
            z[2] = z[2] + units * np.spacing(abs(z[2]) + 2 * h)
            return result

        return answer

    f, z0, h = gradients._test_function()
    z = z0.copy()
    central_in_place(f, z, h)
    assert not np.array_equal(z, z0), "the catalogue's in-place answer no longer rounds"
    assert check_central_difference(off_by(3))
    verdict = check_central_difference(off_by(1000))
    assert not verdict and "changed z in place: after the call z[2] is off by" in verdict.message


def test_a_right_loop_is_told_what_was_seen_and_no_more():
    verdict = check_backward_loop(while_loop)
    assert verdict.message == (
        "(diag(s_i) - s_i s_i^T) g_i for every sample i, and your function has a loop"
    )
