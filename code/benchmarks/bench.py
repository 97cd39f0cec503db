"""Benchmark of the softmax kernels: ratios measured in one run, in one process.

Run it with ``make bench`` (or ``python code/benchmarks/bench.py``). For each shape
``(N, L)`` and each of float64 and float32 it times

- ``softmax``, ``log_softmax`` and ``backward`` of the package,
- the **memory bound**: one elementwise NumPy pass over the same arrays (read one array
  and write one for the forward functions, read two and write one for the backward),
- the naive NumPy expression of each function,
- for the backward: the per-sample loop and the batched Jacobian (where the Jacobian fits
  in memory),
- PyTorch's CPU kernels ``torch.softmax``, ``torch.log_softmax`` and
  ``torch._softmax_backward_data`` when torch is installed (it is optional).

Everything runs on one thread: the BLAS thread variables are set below before NumPy is
imported and ``torch.set_num_threads(1)``. Each time is the minimum over interleaved
repeats, so every ratio compares runs made under the same machine load. The headline
numbers are ratios (time / bound, time / torch); the absolute times are stored as well.
The results go to a JSON file that the book's performance chapter reads.
"""

from __future__ import annotations

import os

for _variable in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ[_variable] = "1"  # before NumPy is imported: single-threaded BLAS

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import timeit  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import softmax_derivative as sd  # noqa: E402
from softmax_derivative import _kernels  # noqa: E402

try:
    import torch
except ImportError:  # torch is optional
    torch = None
else:
    torch.set_num_threads(1)

SHAPES = [(4096, 10), (65536, 10), (1024, 1000), (256, 32000), (16, 131072)]
DTYPES = ["float64", "float32"]
#: Build the batched Jacobian (N * L * L numbers) only while it needs at most this many bytes.
JACOBIAN_BYTES = 2**28
#: Run the per-sample loop only while one sample's Jacobian needs at most this many bytes.
LOOP_BYTES = 2**24
#: Shapes of the scaling sweep (loop / batched Jacobian / O(L) backward against L).
SWEEP_N = 32
SWEEP_L = [4, 8, 16, 32, 64, 128, 256, 512, 1024]

DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "chapters" / "data" / "benchmarks.json"


# ---------------------------------------------------------------- timing


def _calibrate(function: Callable[[], object], budget: float) -> int:
    """How many calls make one timing sample of about ``budget`` seconds (at least one)."""
    start = timeit.default_timer()
    function()
    elapsed = timeit.default_timer() - start
    return max(1, int(budget / max(elapsed, 1e-7)))


def time_interleaved(
    functions: dict[str, Callable[[], object]], repeats: int = 15, budget: float = 0.005
) -> dict[str, float]:
    """Seconds per call of each function: the minimum over ``repeats`` interleaved samples.

    One short sample of every function is taken in turn, ``repeats`` times, so that a change
    in the machine's load affects all of them alike; the minimum is the least disturbed
    run. A function slower than 0.2 s a call (the per-sample loop) gets three samples.
    """
    numbers = {name: _calibrate(f, budget) for name, f in functions.items()}
    best = dict.fromkeys(functions, float("inf"))
    for repeat in range(repeats):
        for name, f in functions.items():
            if repeat >= 3 and best[name] > 0.2:
                continue
            elapsed = timeit.timeit(f, number=numbers[name]) / numbers[name]
            best[name] = min(best[name], elapsed)
    return best


# ---------------------------------------------------------------- the competitors


def naive_softmax(z: np.ndarray) -> np.ndarray:
    """The textbook NumPy expression: three temporaries, every pass over main memory."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def naive_log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def naive_backward(s: np.ndarray, grad: np.ndarray) -> np.ndarray:
    return s * (grad - (grad * s).sum(axis=-1, keepdims=True))


def _inputs(n: int, length: int, dtype: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, length)).astype(dtype)
    grad = rng.standard_normal((n, length)).astype(dtype)
    return z, sd.softmax(z), grad


def _torch_cases(z, s, grad) -> dict[str, dict[str, Callable[[], object]]]:
    if torch is None:
        return {}
    tz, ts, tg = (torch.from_numpy(x) for x in (z, s, grad))
    np.testing.assert_allclose(torch.softmax(tz, -1).numpy(), s, rtol=1e-4, atol=1e-6)
    return {
        "softmax": {"torch": lambda: torch.softmax(tz, -1)},
        "log_softmax": {"torch": lambda: torch.log_softmax(tz, -1)},
        "backward": {"torch": lambda: torch._softmax_backward_data(tg, ts, -1, ts.dtype)},
    }


def measure_shape(n: int, length: int, dtype: str, repeats: int) -> list[dict]:
    """Every function and competitor at one shape and dtype; one record per function."""
    z, s, grad = _inputs(n, length, dtype)
    out = np.empty_like(z)
    itemsize = np.dtype(dtype).itemsize
    backward_cases = {
        "package": lambda: sd.backward(s, grad, out=out),
        "bound": lambda: np.multiply(s, grad, out=out),
        "naive": lambda: naive_backward(s, grad),
    }
    if n * length * length * itemsize <= JACOBIAN_BYTES:
        backward_cases["jacobian"] = lambda: sd.backward_via_jacobian(s, grad)
    if length * length * itemsize <= LOOP_BYTES and n * length * length <= 2**26:
        backward_cases["loop"] = lambda: sd.backward_loop(s, grad)
    cases = {
        "softmax": {
            "package": lambda: sd.softmax(z, out=out),
            "bound": lambda: np.negative(z, out=out),
            "naive": lambda: naive_softmax(z),
        },
        "log_softmax": {
            "package": lambda: sd.log_softmax(z, out=out),
            "bound": lambda: np.negative(z, out=out),
            "naive": lambda: naive_log_softmax(z),
        },
        "backward": backward_cases,
    }
    for function, extra in _torch_cases(z, s, grad).items():
        cases[function].update(extra)
    records = []
    for function, functions in cases.items():
        times = time_interleaved(functions, repeats=repeats)
        record = {"function": function, "dtype": dtype, "N": n, "L": length}
        record["seconds"] = times
        record["ratio_to_bound"] = {k: v / times["bound"] for k, v in times.items()}
        if "torch" in times:
            record["ratio_to_torch"] = {k: v / times["torch"] for k, v in times.items()}
        records.append(record)
    return records


def measure_sweep(repeats: int) -> list[dict]:
    """Loop, batched Jacobian and O(L) backward against L at N = SWEEP_N (float64)."""
    records = []
    for length in SWEEP_L:
        z, s, grad = _inputs(SWEEP_N, length, "float64", seed=1)
        times = time_interleaved(
            {
                "loop": lambda s=s, grad=grad: sd.backward_loop(s, grad),
                "jacobian": lambda s=s, grad=grad: sd.backward_via_jacobian(s, grad),
                "package": lambda s=s, grad=grad: sd.backward(s, grad),
            },
            repeats=repeats,
            budget=0.01,
        )
        records.append({"N": SWEEP_N, "L": length, "seconds": times})
    return records


def measure_primitives(repeats: int) -> dict[str, dict[str, float]]:
    """Nanoseconds per element of single NumPy operations, in cache and from main memory.

    These explain the kernel ratios: what one elementwise pass costs when its block is in
    cache compared with when it streams from main memory, what ``exp`` costs, and what a
    row reduction along a short axis costs with a NumPy reduction and with BLAS.
    """
    return {dtype: _primitives(dtype, repeats) for dtype in DTYPES}


def _primitives(dtype: str, repeats: int) -> dict[str, float]:
    rng = np.random.default_rng(2)
    a, b = (rng.random(_kernels.BLOCK_ELEMENTS).astype(dtype) for _ in range(2))
    out = np.empty_like(a)
    big_a, big_b = (rng.random(2**24).astype(dtype) for _ in range(2))
    big_out = np.empty_like(big_a)
    negative = -10 * a
    rows = rng.random((3276, 10)).astype(dtype)
    ones = np.ones(10, dtype)
    functions = {
        "multiply, in cache": (lambda: np.multiply(a, b, out=out), a.size),
        "multiply, main memory": (lambda: np.multiply(big_a, big_b, out=big_out), big_a.size),
        "exp, in cache": (lambda: np.exp(negative, out=out), a.size),
        "row sums L=10, sum(axis=-1)": (lambda: rows.sum(axis=-1), rows.size),
        "row sums L=10, BLAS rows @ ones": (lambda: rows @ ones, rows.size),
        "row max L=10, max(axis=-1)": (lambda: rows.max(axis=-1), rows.size),
    }
    times = time_interleaved({k: f for k, (f, _) in functions.items()}, repeats=repeats)
    return {k: times[k] / size * 1e9 for k, (_, size) in functions.items()}


# ---------------------------------------------------------------- report


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def table(records: list[dict]) -> str:
    """The ratio table as text: time / bound and time / torch of every method."""
    methods = ["package", "naive", "loop", "jacobian", "torch"]
    head = f"{'function':<12}{'dtype':<9}{'N':>7}{'L':>8} | " + " ".join(
        f"{m:>9}" for m in methods
    )
    head += " | package/torch"
    lines = ["time / memory bound (1.00 = one elementwise pass over the same arrays)", head]
    lines.append("-" * len(head))
    for r in records:
        ratios = r["ratio_to_bound"]
        cells = " ".join(f"{_fmt(ratios.get(m)):>9}" for m in methods)
        torch_ratio = r.get("ratio_to_torch", {}).get("package")
        lines.append(
            f"{r['function']:<12}{r['dtype']:<9}{r['N']:>7}{r['L']:>8} | {cells} | "
            f"{_fmt(torch_ratio):>13}"
        )
    return "\n".join(lines)


def environment() -> dict:
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": None if torch is None else torch.__version__,
        "machine": platform.machine(),
        "processor": _cpu_name(),
        "threads": "1 (BLAS thread variables = 1, torch.set_num_threads(1))",
        "timing": "minimum over interleaved repeats, one process, one run",
    }


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON results file")
    parser.add_argument("--repeats", type=int, default=15, help="interleaved samples per method")
    parser.add_argument("--quick", action="store_true", help="two small shapes, no sweep")
    args = parser.parse_args(argv)

    shapes = SHAPES[:2] if args.quick else SHAPES
    print("Single-threaded: BLAS thread variables set to 1 before NumPy was imported; ", end="")
    if torch is None:
        print("torch not installed, its columns are skipped.")
    else:
        print(f"torch {torch.__version__} with torch.set_num_threads(1).")
    records = []
    for dtype in DTYPES:
        for n, length in shapes:
            print(f"  measuring {dtype} ({n}, {length}) ...", file=sys.stderr, flush=True)
            records.extend(measure_shape(n, length, dtype, args.repeats))
    sweep = [] if args.quick else measure_sweep(args.repeats)
    primitives = measure_primitives(args.repeats)
    print(table(records))
    print("\nnanoseconds per element of single NumPy operations")
    for dtype, values in primitives.items():
        print(f"  {dtype}: " + ", ".join(f"{k} {v:.2f}" for k, v in values.items()))
    result = {
        "environment": environment(),
        "shapes": records,
        "sweep": sweep,
        "primitives_ns_per_element": primitives,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
