"""The checkers of the derivation chapters (1 to 4) against their catalogues of answers."""

from __future__ import annotations

import math

import numpy as np
from exercise_cases import (
    Cases,
    batch_max,
    catalogue_tests,
    mean_shift,
    naive,
    shifted_by,
    stable,
    stable_loop,
)

from softmax_derivative import jacobian, softmax
from softmax_derivative.exercises import (
    check_derivative_entry,
    check_diagonal,
    check_diagonal_from_logits,
    check_quotient_rule,
    check_softmax,
    check_sum_derivative,
    check_temperature,
    derivation,
)

try:
    import scipy.special
except ImportError:  # pragma: no cover - scipy comes with scikit-learn in the book's env
    scipy = None


def stable_lists(z):
    rows = []
    for row in z.tolist():
        e = [np.exp(v - max(row)) for v in row]
        rows.append([v / sum(e) for v in e])
    return rows


def stable_math(z):
    """Pure Python: math.exp of each entry minus the row's maximum."""
    rows = []
    for row in z.tolist():
        top = max(row)
        e = [math.exp(v - top) for v in row]
        rows.append([v / math.fsum(e) for v in e])
    return rows


def stable_while(z):
    out = np.empty_like(z)
    i = 0
    while i < len(z):
        e = np.exp(z[i] - np.max(z[i]))
        out[i] = e / np.sum(e)
        i += 1
    return out


def stable_in_place(z):
    """Overwrites its argument: shift, exponentiate and normalise z itself."""
    z -= z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


def via_log_sum_exp(z):
    m = z.max(axis=-1, keepdims=True)
    return np.exp(z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))


def via_log_softmax(z):
    shifted = z - np.max(z, axis=1)[:, None]
    return np.exp(shifted - np.log(np.sum(np.exp(shifted), axis=1))[:, None])


def with_scipy(z):
    return scipy.special.softmax(z, axis=-1)


def with_scipy_log_sum_exp(z):
    return np.exp(z - scipy.special.logsumexp(z, axis=-1, keepdims=True))


first_entry_shift = shifted_by(lambda z: z[:, :1])
last_entry_shift = shifted_by(lambda z: z[:, -1:])
median_shift = shifted_by(lambda z: np.median(z, axis=-1, keepdims=True))
constant_shift = shifted_by(lambda z: 100.0)
batch_mean_shift = shifted_by(lambda z: z.mean())
absolute_max_shift = shifted_by(lambda z: np.abs(z).max(axis=-1, keepdims=True))


def unstable_log_sum_exp(z):
    return np.exp(z - np.log(np.exp(z).sum(axis=-1, keepdims=True)))


def clipped(z):
    return naive(np.clip(z, -700, 700))


def scipy_forms(make):
    """``make(form)`` for each scipy form, none without scipy."""
    if scipy is None:  # pragma: no cover
        return {}
    return {"scipy": make(with_scipy), "scipy logsumexp": make(with_scipy_log_sum_exp)}


def column_max(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def row_min(z):
    e = np.exp(z - z.min(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def max_without_keepdims(z):
    e = np.exp(z - z.max(axis=-1))
    return e / e.sum(axis=-1, keepdims=True)


def diagonal_of(probabilities):
    return lambda z: probabilities(z) * (1 - probabilities(z))


def naive_diagonal(z):
    e = np.exp(z)
    total = e.sum(axis=-1, keepdims=True)
    return e * (total - e) / total**2


def powered(z, T):
    """softmax(z)^(1/T), renormalised: equal to softmax(z / T)."""
    p = softmax(z) ** (1 / T)
    return p / p.sum(axis=-1, keepdims=True)


def quotient_in_place(q, dq, h, dh):
    dq *= h
    dq -= q * dh
    dq /= h**2
    return dq


def entry_right(s, j, k):
    return s[j] * ((j == k) - s[k])


TABLES = [
    Cases(
        check_softmax,
        right={
            "package": softmax,
            "vectorised": stable,
            "loop over rows": stable_loop,
            "while loop": stable_while,
            "nested lists": stable_lists,
            "pure Python": stable_math,
            "in place": stable_in_place,
            "log-sum-exp": via_log_sum_exp,
            "log-softmax": via_log_softmax,
            "logaddexp.reduce": lambda z: np.exp(
                z - np.logaddexp.reduce(z, axis=-1, keepdims=True)
            ),
            **scipy_forms(lambda form: form),
        },
        wrong={
            "batch axis": (lambda z: naive(z, axis=0), "batch axis"),
            "whole array sum": (lambda z: np.exp(z) / np.exp(z).sum(), "whole array"),
            "norm": (
                lambda z: np.exp(z) / np.linalg.norm(np.exp(z), axis=-1, keepdims=True),
                "Euclidean norm",
            ),
            "column maximum": (column_max, "each column's maximum"),
            "log-softmax": (lambda z: np.log(stable(z)), "log(softmax(z))"),
            "no shift": (naive, "e^z overflows for logits of 1000"),
            "constant shift": (constant_shift, "e^z overflows for logits of 1000"),
            "mean shift": (mean_shift, "you subtracted each row's mean"),
            "minimum shift": (row_min, "you subtracted each row's minimum"),
            "first entry shift": (first_entry_shift, "you subtracted each row's first entry"),
            "last entry shift": (last_entry_shift, "you subtracted each row's last entry"),
            "whole-batch maximum": (batch_max, "maximum of the whole batch"),
            "log-sum-exp without the shift": (unstable_log_sum_exp, "log(sum(exp(z))) directly"),
            "median shift": (median_shift, "your function returned [nan,"),
            "batch mean shift": (batch_mean_shift, "your function returned [nan,"),
            "shift by the largest |z|": (absolute_max_shift, "your function returned [nan,"),
            "clipped logits": (clipped, "for the logits [1000.,  999.,  998.], entry 0: got"),
            "slightly off for large logits": (
                lambda z: stable(z) * (1 + 1e-6 * (np.abs(z).max() > 100)),
                "entry 0: got 1.000001, expected 1 (differs by 1e-06)",
            ),
            "max without keepdims": (max_without_keepdims, "raised ValueError"),
            "transposed": (lambda z: stable(z).T, "shape"),
            "one row": (lambda z: stable(z)[0], "shape"),
            "logits back": (lambda z: z, "the values differ"),
        },
    ),
    Cases(
        check_temperature,
        right={
            "package": lambda z, T: softmax(z / T),
            "vectorised": lambda z, T: stable(z / T),
            "loop over rows": lambda z, T: stable_loop(z / T),
            "pure Python": lambda z, T: stable_math(z / T),
            "scaled shift": lambda z, T: naive((z - z.max(axis=-1, keepdims=True)) / T),
            "log-sum-exp": lambda z, T: via_log_sum_exp(z / T),
            "power of the softmax, renormalised": powered,
            "in place": lambda z, T: stable_in_place(np.divide(z, T, out=z)),
            **scipy_forms(lambda form: lambda z, T: form(z / T)),
        },
        wrong={
            "times T": (lambda z, T: softmax(z * T), "multiplied the logits by T"),
            "probabilities over T": (lambda z, T: softmax(z) / T, "divided the probabilities"),
            "T ignored": (lambda z, T: softmax(z), "does not depend on T"),
            "not renormalised": (lambda z, T: softmax(z) ** (1 / T), "renormalise"),
            "numerator only": (
                lambda z, T: np.exp(z / T) / np.exp(z).sum(axis=-1, keepdims=True),
                "denominator must use z / T",
            ),
            "batch axis": (lambda z, T: naive(z / T, axis=0), "axis=-1"),
            "no shift": (lambda z, T: naive(z / T), "at T = 0.01, where z / T reaches 1000"),
            "mean shift": (lambda z, T: mean_shift(z / T), "each row's mean"),
            "minimum shift": (lambda z, T: row_min(z / T), "each row's minimum"),
            "first entry shift": (lambda z, T: first_entry_shift(z / T), "first entry"),
            "whole-batch maximum": (lambda z, T: batch_max(z / T), "maximum of the whole batch"),
            "log-sum-exp without the shift": (
                lambda z, T: unstable_log_sum_exp(z / T),
                "log(sum(exp(z))) directly",
            ),
        },
    ),
    Cases(
        check_quotient_rule,
        right={
            "formula": lambda q, dq, h, dh: (dq * h - q * dh) / h**2,
            "expanded": lambda q, dq, h, dh: dq / h - q * dh / h**2,
            "loop": lambda q, dq, h, dh: [
                (dq[i] * h[i] - q[i] * dh[i]) / h[i] ** 2 for i in range(len(q))
            ],
            "in place": quotient_in_place,
        },
        wrong={
            "swapped terms": (lambda q, dq, h, dh: (q * dh - dq * h) / h**2, "swapped"),
            "sum": (lambda q, dq, h, dh: (dq * h + q * dh) / h**2, "product rule"),
            "h not squared": (lambda q, dq, h, dh: (dq * h - q * dh) / h, "square of h"),
            "quotient of derivatives": (lambda q, dq, h, dh: dq / dh, "quotient of the deriv"),
            "derivatives multiplied": (
                lambda q, dq, h, dh: (dq * h - dq * dh) / h**2,
                "multiplied the derivatives",
            ),
            "wrong shape": (lambda q, dq, h, dh: np.zeros(3), "shape"),
        },
    ),
    Cases(
        check_sum_derivative,
        right={
            "np.exp": np.exp,
            "loop": lambda z: [[np.exp(v) for v in row] for row in z],
            "softmax times the sum": lambda z: softmax(z) * np.exp(z).sum(axis=-1, keepdims=True),
            "in place": lambda z: np.exp(z, out=z),
        },
        wrong={
            "every term": (lambda z: np.exp(z).sum(axis=-1, keepdims=True) + 0 * z, "every term"),
            "one": (np.ones_like, "not 1"),
            "zero": (np.zeros_like, "does not vanish"),
            "L times": (lambda z: z.shape[-1] * np.exp(z), "not in all L"),
            "softmax": (softmax, "log(sum e^z)"),
            "transposed": (lambda z: np.exp(z).T, "transposed"),
        },
    ),
    Cases(
        check_diagonal,
        right={
            "formula": lambda s: s * (1 - s),
            "expanded": lambda s: s - s**2,
            "diagonal of the Jacobians": lambda s: np.diagonal(jacobian(s), axis1=-2, axis2=-1),
            "loop": lambda s: [[v * (1 - v) for v in row] for row in s],
            "in place": lambda s: np.multiply(s, 1 - s, out=s),
        },
        wrong={
            "sign": (lambda s: -s * (1 - s), "sign"),
            "square": (lambda s: s * s, "not S_j^2"),
            "off-diagonal formula": (lambda s: -s * s, "the case j != k"),
            "factor S_j forgotten": (lambda s: 1 - s, "factor S_j"),
            "factor 1 - S_j forgotten": (lambda s: s, "factor (1 - S_j)"),
            "transposed": (lambda s: (s * (1 - s)).T, "transposed"),
        },
    ),
    Cases(
        check_diagonal_from_logits,
        right={
            "package softmax": diagonal_of(softmax),
            "vectorised": diagonal_of(stable),
            "loop over rows": diagonal_of(stable_loop),
            "log-sum-exp": diagonal_of(via_log_sum_exp),
            "expanded": lambda z: softmax(z) - softmax(z) ** 2,
            "pure Python": lambda z: [[p * (1 - p) for p in row] for row in stable_math(z)],
            **scipy_forms(diagonal_of),
        },
        wrong={
            "no softmax": (lambda z: z * (1 - z), "apply the softmax first"),
            "denominators squared twice": (
                lambda z: naive_diagonal(z) / np.exp(z).sum(axis=-1, keepdims=True) ** 2,
                "squared",
            ),
            "sign": (lambda z: -diagonal_of(softmax)(z), "sign"),
            "square": (lambda z: softmax(z) ** 2, "not S_j^2"),
            "batch axis": (diagonal_of(lambda z: naive(z, axis=0)), "axis=-1"),
            "no shift": (diagonal_of(naive), "e^z overflows for logits of 1000"),
            "no shift, one fraction": (naive_diagonal, "your function returned [nan,"),
            "mean shift": (diagonal_of(mean_shift), "you subtracted each row's mean"),
            "minimum shift": (diagonal_of(row_min), "you subtracted each row's minimum"),
            "whole-batch maximum": (diagonal_of(batch_max), "maximum of the whole batch"),
            "transposed": (lambda z: diagonal_of(softmax)(z).T, "shape"),
        },
    ),
    Cases(
        check_derivative_entry,
        right={
            "Kronecker form": entry_right,
            "two cases": lambda s, j, k: s[j] * (1 - s[j]) if j == k else -s[j] * s[k],
            "from the Jacobian": lambda s, j, k: jacobian(s)[j, k],
        },
        wrong={
            "diagonal sign": (
                lambda s, j, k: -s[j] * (1 - s[j]) if j == k else -s[j] * s[k],
                "j = k has the wrong",
            ),
            "diagonal square": (
                lambda s, j, k: s[j] * s[j] if j == k else -s[j] * s[k],
                "not S_j^2",
            ),
            "delta forgotten": (lambda s, j, k: -s[j] * s[k], "forgot the S_j delta_jk"),
            "diagonal otherwise wrong": (
                lambda s, j, k: 0.0 if j == k else -s[j] * s[k],
                "the case j = k is not",
            ),
            "off-diagonal sign": (
                lambda s, j, k: s[j] * (1 - s[j]) if j == k else s[j] * s[k],
                "j != k has the wrong",
            ),
            "off-diagonal zero": (
                lambda s, j, k: s[j] * (1 - s[j]) if j == k else 0.0,
                "not 0",
            ),
            "off-diagonal otherwise wrong": (
                lambda s, j, k: s[j] * (1 - s[j]) if j == k else 1.0,
                "the case j != k is not",
            ),
            "every sign": (lambda s, j, k: -entry_right(s, j, k), "every entry"),
            "both wrong": (lambda s, j, k: 1.0, "both cases are wrong"),
            "an array": (lambda s, j, k: s, "expected a number"),
        },
    ),
]


(
    test_every_right_answer_passes,
    test_every_wrong_answer_is_named,
    test_every_checker_has_one_table,
    test_writing_into_the_inputs_is_graded_on_the_answer,
) = catalogue_tests(TABLES, derivation)
