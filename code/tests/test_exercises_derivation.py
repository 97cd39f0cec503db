"""The checkers of the derivation chapters against their catalogues of answers."""

from __future__ import annotations

import numpy as np
from exercise_cases import Cases

from softmax_derivative import jacobian, softmax
from softmax_derivative.exercises import (
    check_derivative_entry,
    check_diagonal,
    check_diagonal_from_logits,
    check_quotient_rule,
    check_softmax,
    check_sum_derivative,
    check_temperature,
)


def stable(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def stable_loop(z):
    out = np.empty_like(z)
    for i, row in enumerate(z):
        e = np.exp(row - row.max())
        out[i] = e / e.sum()
    return out


def stable_lists(z):
    rows = []
    for row in z.tolist():
        e = [np.exp(v - max(row)) for v in row]
        rows.append([v / sum(e) for v in e])
    return rows


def via_log_sum_exp(z):
    m = z.max(axis=-1, keepdims=True)
    return np.exp(z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))


def naive(z, axis=-1):
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def batch_max(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


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


def entry_right(s, j, k):
    return s[j] * ((j == k) - s[k])


TABLES = [
    Cases(
        check_softmax,
        right={
            "package": softmax,
            "vectorised": stable,
            "loop over rows": stable_loop,
            "nested lists": stable_lists,
            "log-sum-exp": via_log_sum_exp,
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
            "no shift": (naive, "large logits overflow"),
            "minimum shift": (row_min, "large logits overflow"),
            "whole-batch maximum": (batch_max, "maximum of the whole batch"),
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
            "scaled shift": lambda z, T: naive((z - z.max(axis=-1, keepdims=True)) / T),
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
            "no shift": (lambda z, T: naive(z / T), "T = 0.01"),
            "whole-batch maximum": (lambda z, T: batch_max(z / T), "maximum of the whole batch"),
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
            "no shift": (naive_diagonal, "large logits overflow"),
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
