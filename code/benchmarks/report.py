"""The stored benchmark run as Markdown tables: the tables and targets of README.md.

Run it with ``python code/benchmarks/report.py [results.json]`` (by default
``chapters/data/benchmarks.json``, which ``make bench`` writes). It needs only the
standard library, and prints what the run stored: ratios, never times.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "chapters" / "data" / "benchmarks.json"

#: The fused kernels' targets: (function, shapes, reference, at most), on float64 medians.
LONG_ROWS = [(1024, 1000), (256, 32000), (16, 131072), (4096, 4096)]
TARGETS = [
    ("backward", LONG_ROWS, "torch", 1.15),
    ("backward", LONG_ROWS, "bound", 1.35),
    ("backward", [(4096, 10), (65536, 10)], "torch", 0.2),
    ("softmax", [(4096, 10), (65536, 10)], "torch", 1.0),
]


def cell(value: dict | None) -> str:
    if value is None:
        return "–"
    return f"{value['median']:.2f} ({value['low']:.2f}–{value['high']:.2f})"


def one_thread(results: dict, dtype: str) -> str:
    methods = ["naive", "package", "fused", "fused_scalar_exp", "fused_unchecked", "torch",
               "torch_out"]  # fmt: skip
    head = (
        "| function | N | L | naive | package | fused | fused, scalar exp "
        "| fused, unchecked | PyTorch | PyTorch `out=` | fused / PyTorch "
        "| fused / PyTorch `out=` |\n|---|--:|--:|" + "--:|" * 10
    )
    lines = [f"**{dtype}, one thread**: time / bound, median (lowest–highest run)", "", head]
    for r in results["one_thread"]:
        if r["dtype"] != dtype:
            continue
        cells = [cell(r["ratio_to_bound"].get(m)) for m in methods]
        for against in ("torch", "torch_out"):
            cells.append(cell(r.get(f"ratio_to_{against}", {}).get("fused")))
        lines.append(f"| `{r['function']}` | {r['N']} | {r['L']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def two_threads(results: dict) -> str:
    head = (
        "| function | dtype | N | L | fused, 1 thread | fused, parallel | PyTorch "
        "| parallel / PyTorch |\n|---|---|--:|--:|--:|--:|--:|--:|"
    )
    lines = ["**two threads** (wall clock): time / bound of one thread", "", head]
    for r in results["two_threads"]:
        bound = r["ratio_to_bound"]
        cells = [cell(bound.get(m)) for m in ("fused", "fused_parallel", "torch")]
        cells.append(cell(r.get("ratio_to_torch", {}).get("fused_parallel")))
        lines.append(
            f"| `{r['function']}` | {r['dtype']} | {r['N']} | {r['L']} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def median(results: dict, function: str, n: int, length: int, against: str, method: str):
    for r in results["one_thread"]:
        if (r["function"], r["dtype"], r["N"], r["L"]) == (function, "float64", n, length):
            value = r.get(f"ratio_to_{against}", {}).get(method)
            return None if value is None else value["median"]
    return None


def targets(results: dict) -> str:
    lines = [
        "**targets** (float64 medians of the fused kernel)",
        "",
        "| function | N | L | target | measured | met | without the check |",
        "|---|--:|--:|---|--:|---|--:|",
    ]
    for function, shapes, against, limit in TARGETS:
        references = [against, "torch_out"] if against == "torch" else [against]
        for n, length in shapes:
            for reference in references:
                value = median(results, function, n, length, reference, "fused")
                name = {"torch_out": "PyTorch `out=`", "torch": "PyTorch"}.get(
                    reference, reference
                )
                met = "–" if value is None else ("yes" if value <= limit else "**no**")
                shown = "–" if value is None else f"{value:.2f}"
                unchecked = median(results, function, n, length, reference, "fused_unchecked")
                extra = "" if unchecked is None or against != "bound" else f"{unchecked:.2f}"
                lines.append(
                    f"| `{function}` | {n} | {length} | <= {limit} x {name} | {shown} | {met} "
                    f"| {extra} |"
                )
    return "\n".join(lines)


def report(results: dict) -> str:
    env = results["environment"]
    about = (
        f"Run of {env['date']}: {env['processor']}, {env['cores']} cores, last-level cache "
        f"{env['last_level_cache']}, Python {env['python']}, numpy {env['numpy']}, numba "
        f"{env['numba']}, torch {env['torch']}; {env['runs']} runs of {env['repeats']} "
        "samples."
    )
    parts = [about, one_thread(results, "float64"), one_thread(results, "float32")]
    parts += [two_threads(results), targets(results)]
    return "\n\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT
    print(report(json.loads(path.read_text())), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
