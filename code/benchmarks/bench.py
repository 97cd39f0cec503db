"""Benchmark of the softmax kernels: ratios, medians over repeated runs, in one process.

Run it with ``make bench`` (or ``python code/benchmarks/bench.py``). For each shape
``(N, L)``, each of float64 and float32 and each of ``softmax``, ``log_softmax`` and
``backward`` it times

- the **bound**: one elementwise NumPy pass over the same arrays, written into ``out``
  (``np.multiply(s, grad, out=out)`` for the backward: read two arrays, write one;
  ``np.negative(z, out=out)`` for the forward functions: read one, write one),
- the naive NumPy expression, the package's function (``out=``) and the fused kernel of
  :mod:`softmax_derivative.fused` (``out=``); for softmax also the same fused loop with
  the C library's scalar ``exp`` (what ``math.exp`` compiles to in numba); for the
  backward also the same loop without its check of ``s`` and without the Python wrapper,
- PyTorch's CPU kernel when torch is installed (it is optional): as usually called (it
  allocates its result) and writing into an existing tensor (``torch_out``),
- for the backward: the per-sample loop and the batched Jacobian where they fit in memory
  and finish in reasonable time.

Single-threaded table (float64 and float32): the thread variables of the BLAS libraries
are set to 1 before NumPy is imported, ``torch.set_num_threads(1)``, the serial fused
kernels; each call is timed with the CPU time of the calling thread
(``time.thread_time``), so that the time the process waits for a core on a shared machine
does not count. Two-thread table (float64): the parallel fused kernels on numba's threads
against PyTorch with two threads, timed with the wall clock.

Every sample of every method is taken in turn (interleaved, in a new random order each
time), so that a change of load hits all of them alike, and after one untimed call, so
that it finds its own arrays in the cache; a method's time in one run is the minimum of
``--repeats`` samples; the ratios of one run divide times of that run. The whole
comparison is run ``--runs`` times and each ratio reported as its median with the lowest
and highest run. Only ratios are stored, in a JSON file that the book's performance
chapter reads.
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
os.environ["NUMBA_NUM_THREADS"] = "2"  # the parallel kernels of the two-thread table

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402

import softmax_derivative as sd  # noqa: E402
from softmax_derivative import fused  # noqa: E402

try:
    import torch
except ImportError:  # torch is optional
    torch = None

SHAPES = [(4096, 10), (65536, 10), (1024, 1000), (256, 32000), (16, 131072), (4096, 4096)]
DTYPES = ["float64", "float32"]
FUNCTIONS = ["softmax", "log_softmax", "backward"]
#: The batched Jacobian (N L^2 numbers) only while it needs at most this many bytes.
JACOBIAN_BYTES = 2**28
#: The per-sample loop only while its N Jacobians hold at most this many numbers in all.
LOOP_NUMBERS = 2**22
#: Methods slower than this (seconds a call: the loop, the Jacobian, the NumPy expressions
#: at the largest shape) get three samples per run instead of ``--repeats``.
SLOW = 0.05
#: The scaling sweep: every backward against L at N = SWEEP_N (float64, one thread).
SWEEP_N = 32
SWEEP_L = [4, 16, 64, 256, 1024]

DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "chapters" / "data" / "benchmarks.json"


# ---------------------------------------------------------------- timing


def _sample(function: Callable[[], object], number: int, clock) -> float:
    start = clock()
    for _ in range(number):
        function()
    return (clock() - start) / number


def time_interleaved(
    functions: dict[str, Callable[[], object]], repeats: int, clock, budget: float = 0.0005
) -> dict[str, float]:
    """Seconds per call of each function: the minimum over ``repeats`` interleaved samples.

    A sample is as many calls as take about ``budget`` seconds (at least one), after one
    untimed call: each function starts from its own arrays in the cache, not from what the
    function before it left there. One sample of every function is taken in turn, in a new
    (seeded) random order each time, ``repeats`` times (three for a function slower than
    :data:`SLOW`), so that a change of the machine's load affects all of them alike and no
    function always follows the same other one; the minimum is the least disturbed sample.
    """
    numbers = {}
    for name, f in functions.items():
        f()  # warm up: compilation, caches, allocator
        numbers[name] = max(1, int(budget / max(_sample(f, 1, clock), 1e-7)))
    best = dict.fromkeys(functions, float("inf"))
    order = list(functions)
    shuffle = random.Random(0).shuffle
    for repeat in range(repeats):
        shuffle(order)
        for name in order:
            f = functions[name]
            if repeat >= 3 and best[name] > SLOW:
                continue
            f()
            best[name] = min(best[name], _sample(f, numbers[name], clock))
    return best


# ---------------------------------------------------------------- the competitors


def naive_softmax(z: np.ndarray) -> np.ndarray:
    """The textbook NumPy expression: every step a pass over memory and a temporary."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def naive_log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def naive_backward(s: np.ndarray, grad: np.ndarray) -> np.ndarray:
    return s * (grad - (grad * s).sum(axis=-1, keepdims=True))


@numba.njit(cache=True, fastmath={"reassoc", "contract"}, error_model="numpy")
def softmax_scalar_exp(z, out):
    """The fused softmax loop with the C library's ``exp``, one number at a time (what
    numba compiles ``math.exp`` to): the cost of the exponential, for comparison."""
    for i in range(z.shape[0]):
        m = z[i, 0]
        for j in range(z.shape[1]):
            m = z[i, j] if z[i, j] > m else m
        total = 0.0
        for j in range(z.shape[1]):
            out[i, j] = math.exp(z[i, j] - m)
            total += out[i, j]
        scale = z.dtype.type(1 / total)
        for j in range(z.shape[1]):
            out[i, j] *= scale
    return out


@numba.njit(cache=True, fastmath={"reassoc", "contract"}, error_model="numpy")
def backward_unchecked(s, grad, out):
    """The fused backward loop without its check of ``s``: what the check costs."""
    for i in range(s.shape[0]):
        dot = 0.0
        for j in range(s.shape[1]):
            dot += s[i, j] * grad[i, j]
        row_dot = s.dtype.type(dot)
        for j in range(s.shape[1]):
            out[i, j] = s[i, j] * (grad[i, j] - row_dot)
    return out


def inputs(n: int, length: int, dtype: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, length)).astype(dtype)
    grad = rng.standard_normal((n, length)).astype(dtype)
    return z, sd.softmax(z), grad


def single_thread_cases(n, length, dtype) -> dict[str, dict[str, Callable[[], object]]]:
    """The methods of the single-threaded table, by function, for one shape and dtype."""
    z, s, grad = inputs(n, length, dtype)
    out = np.empty_like(z)
    itemsize = np.dtype(dtype).itemsize
    cases = {
        "softmax": {
            "bound": lambda: np.negative(z, out=out),
            "naive": lambda: naive_softmax(z),
            "package": lambda: sd.softmax(z, out=out),
            "fused": lambda: fused.softmax(z, out=out),
            "fused_scalar_exp": lambda: softmax_scalar_exp(z, out),
        },
        "log_softmax": {
            "bound": lambda: np.negative(z, out=out),
            "naive": lambda: naive_log_softmax(z),
            "package": lambda: sd.log_softmax(z, out=out),
            "fused": lambda: fused.log_softmax(z, out=out),
        },
        "backward": {
            "bound": lambda: np.multiply(s, grad, out=out),
            "naive": lambda: naive_backward(s, grad),
            "package": lambda: sd.backward(s, grad, out=out),
            "fused": lambda: fused.backward(s, grad, out=out),
            # the same loop without its check of s, called directly: what the check and
            # the Python wrapper cost
            "fused_unchecked": lambda: backward_unchecked(s, grad, out),
        },
    }
    if n * length * length * itemsize <= JACOBIAN_BYTES:
        cases["backward"]["jacobian"] = lambda: sd.backward_via_jacobian(s, grad)
    if n * length * length <= LOOP_NUMBERS:
        cases["backward"]["loop"] = lambda: sd.backward_loop(s, grad)
    if torch is not None:
        tz, ts, tg, tout = (torch.from_numpy(x) for x in (z, s, grad, out))
        cases["softmax"]["torch"] = lambda: torch.softmax(tz, -1)
        cases["log_softmax"]["torch"] = lambda: torch.log_softmax(tz, -1)
        cases["backward"]["torch"] = lambda: torch._softmax_backward_data(tg, ts, -1, ts.dtype)
        # The same kernels writing into an existing tensor, as the fused ones do (out=)
        cases["softmax"]["torch_out"] = lambda: torch._softmax(tz, -1, False, out=tout)
        cases["log_softmax"]["torch_out"] = lambda: torch._log_softmax(tz, -1, False, out=tout)
        cases["backward"]["torch_out"] = lambda: torch._softmax_backward_data(
            tg, ts, -1, ts.dtype, grad_input=tout
        )
    return cases


def two_thread_cases(n, length, dtype) -> dict[str, dict[str, Callable[[], object]]]:
    """The methods of the two-thread table: the bound, the serial and parallel fused
    kernels, PyTorch with two threads."""
    z, s, grad = inputs(n, length, dtype)
    out = np.empty_like(z)
    cases = {
        "softmax": {
            "bound": lambda: np.negative(z, out=out),
            "fused": lambda: fused.softmax(z, out=out),
            "fused_parallel": lambda: fused.softmax(z, out=out, parallel=True),
        },
        "log_softmax": {
            "bound": lambda: np.negative(z, out=out),
            "fused": lambda: fused.log_softmax(z, out=out),
            "fused_parallel": lambda: fused.log_softmax(z, out=out, parallel=True),
        },
        "backward": {
            "bound": lambda: np.multiply(s, grad, out=out),
            "fused": lambda: fused.backward(s, grad, out=out),
            "fused_parallel": lambda: fused.backward(s, grad, out=out, parallel=True),
        },
    }
    if torch is not None:
        tz, ts, tg = (torch.from_numpy(x) for x in (z, s, grad))
        cases["softmax"]["torch"] = lambda: torch.softmax(tz, -1)
        cases["log_softmax"]["torch"] = lambda: torch.log_softmax(tz, -1)
        cases["backward"]["torch"] = lambda: torch._softmax_backward_data(tg, ts, -1, ts.dtype)
    return cases


def check_agreement() -> None:
    """The competitors compute the same thing (else their times would mean nothing)."""
    z, s, grad = inputs(64, 100, "float64")
    for method in (fused.softmax, naive_softmax):
        np.testing.assert_allclose(method(z), s, rtol=1e-12)
    np.testing.assert_allclose(softmax_scalar_exp(z, np.empty_like(z)), s, rtol=1e-12)
    np.testing.assert_allclose(fused.backward(s, grad), sd.backward(s, grad), rtol=1e-9)
    unchecked = backward_unchecked(s, grad, np.empty_like(s))
    np.testing.assert_allclose(unchecked, sd.backward(s, grad), rtol=1e-9)
    if torch is not None:
        tz, ts, tg = (torch.from_numpy(x) for x in (z, s, grad))
        np.testing.assert_allclose(torch.softmax(tz, -1).numpy(), s, rtol=1e-12)
        dz = torch._softmax_backward_data(tg, ts, -1, ts.dtype).numpy()
        np.testing.assert_allclose(dz, sd.backward(s, grad), rtol=1e-9, atol=1e-15)
        out = torch.empty_like(ts)
        torch._log_softmax(tz, -1, False, out=out)
        np.testing.assert_allclose(out.numpy(), sd.log_softmax(z), rtol=1e-12)


# ---------------------------------------------------------------- runs and summaries


def measure(
    make_cases, shapes, dtypes, repeats: int, runs: int, clock, threads: int
) -> list[dict]:
    """Ratios to the bound and to torch of every method, median and range over ``runs``."""
    ratios: dict[tuple, dict[str, list[list[float]]]] = {}
    for run in range(runs):
        for dtype in dtypes:
            for n, length in shapes:
                print(f"  run {run + 1}/{runs}, {threads} thread(s): {dtype} ({n}, {length})",
                      file=sys.stderr, flush=True)  # fmt: skip
                for function, methods in make_cases(n, length, dtype).items():
                    times = time_interleaved(methods, repeats, clock)
                    entry = ratios.setdefault((function, dtype, n, length), {})
                    for reference in ("bound", "torch", "torch_out"):
                        if reference in times:
                            per_run = {m: t / times[reference] for m, t in times.items()}
                            entry.setdefault(reference, []).append(per_run)
    records = []
    for (function, dtype, n, length), by_reference in ratios.items():
        record = {"function": function, "dtype": dtype, "N": n, "L": length}
        for reference, per_run in by_reference.items():
            record[f"ratio_to_{reference}"] = {
                method: summary([r[method] for r in per_run]) for method in per_run[0]
            }
        records.append(record)
    return records


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "low": min(values),
        "high": max(values),
        "runs": len(values),
    }


def measure_sweep(repeats: int, runs: int) -> list[dict]:
    """Loop, batched Jacobian, package and fused backward against L, relative to the bound."""
    per_length: dict[int, list[dict[str, float]]] = {}
    for _ in range(runs):
        for length in SWEEP_L:
            z, s, grad = inputs(SWEEP_N, length, "float64", seed=1)
            out = np.empty_like(s)
            methods = {
                "bound": lambda s=s, grad=grad, out=out: np.multiply(s, grad, out=out),
                "fused": lambda s=s, grad=grad, out=out: fused.backward(s, grad, out=out),
                "package": lambda s=s, grad=grad, out=out: sd.backward(s, grad, out=out),
                "jacobian": lambda s=s, grad=grad: sd.backward_via_jacobian(s, grad),
                "loop": lambda s=s, grad=grad: sd.backward_loop(s, grad),
            }
            times = time_interleaved(methods, repeats, time.thread_time)
            per_length.setdefault(length, []).append(
                {m: t / times["bound"] for m, t in times.items()}
            )
    return [
        {
            "N": SWEEP_N,
            "L": length,
            "ratio_to_bound": {m: summary([r[m] for r in runs_]) for m in runs_[0]},
        }
        for length, runs_ in per_length.items()
    ]


# ---------------------------------------------------------------- report


def table(records: list[dict], methods: list[str], title: str) -> str:
    """Median ratios (and their range) as text."""
    head = f"{'function':<12}{'dtype':<8}{'N':>6}{'L':>7} | " + " ".join(
        f"{m:>16}" for m in methods
    )
    lines = [title, head, "-" * len(head)]
    for r in records:
        cells = []
        for m in methods:
            reference, _, method = m.partition(":")
            value = r.get(f"ratio_to_{reference}", {}).get(method)
            cells.append(
                "-"
                if value is None
                else f"{value['median']:.2f} ({value['low']:.2f}-{value['high']:.2f})"
            )
        lines.append(
            f"{r['function']:<12}{r['dtype']:<8}{r['N']:>6}{r['L']:>7} | "
            + " ".join(f"{c:>16}" for c in cells)
        )
    return "\n".join(lines)


def environment(runs: int, repeats: int) -> dict:
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "torch": None if torch is None else torch.__version__,
        "machine": platform.machine(),
        "processor": _cpu_name(),
        "cores": os.cpu_count(),
        "last_level_cache": _last_level_cache(),
        "runs": runs,
        "repeats": repeats,
        "timing": (
            "one thread: CPU time of the calling thread, minimum of the interleaved "
            "samples of a run, each after one untimed call; two threads: wall clock; "
            "ratios of times of the same run, median and range over the runs"
        ),
    }


def _last_level_cache() -> str | None:
    """The size of the largest CPU cache, as Linux reports it (such as "32768K")."""
    caches = sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*/size"))
    try:
        return caches[-1].read_text().strip() if caches else None
    except OSError:
        return None


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
    parser.add_argument("--repeats", type=int, default=15, help="samples per method and run")
    parser.add_argument("--runs", type=int, default=5, help="runs of the whole comparison")
    parser.add_argument("--quick", action="store_true", help="two small shapes, no sweep")
    args = parser.parse_args(argv)

    shapes = SHAPES[:2] if args.quick else SHAPES
    check_agreement()
    if torch is None:
        print("torch is not installed: its columns are skipped.")
    if torch is not None:
        torch.set_num_threads(1)
    one = measure(
        single_thread_cases, shapes, DTYPES, args.repeats, args.runs, time.thread_time, 1
    )
    numba.set_num_threads(2)
    if torch is not None:
        torch.set_num_threads(2)
    two = measure(
        two_thread_cases, shapes, ["float64"], args.repeats, args.runs, time.perf_counter, 2
    )
    sweep = [] if args.quick else measure_sweep(args.repeats, args.runs)

    methods = ["bound:package", "bound:fused", "bound:torch", "torch:fused", "torch_out:fused"]
    print(table(one, methods, "one thread: time / bound, median (range) over the runs"))
    methods = ["bound:fused", "bound:fused_parallel", "bound:torch", "torch:fused_parallel"]
    print(table(two, methods, "\ntwo threads: time / bound and fused parallel / torch"))
    result = {
        "environment": environment(args.runs, args.repeats),
        "one_thread": one,
        "two_threads": two,
        "sweep": sweep,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
