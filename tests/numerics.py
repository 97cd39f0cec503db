"""Print the numerical configuration the notebooks run under; with --portable, check it.

`make test` runs nbval twice: natively and under another machine's arithmetic (the Makefile's
PORTABLE_ENV). NumPy ignores a name in NPY_DISABLE_CPU_FEATURES that is not one of its
dispatch targets (it only emits an ImportWarning, hidden by default), so a setting written for
another NumPy version would silently test nothing. With --portable this script fails unless
NumPy dispatches no SIMD target above its baseline and OpenBLAS runs one thread on another
core than the native one.

    python tests/numerics.py              # the configuration of this shell
    env $(PORTABLE_ENV) python tests/numerics.py --portable
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

#: The variables that choose the arithmetic (kernels, SIMD paths, threads).
VARIABLES = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_NUM_THREADS",
    "NPY_DISABLE_CPU_FEATURES",
    "NUMBA_CPU_NAME",
    "NUMBA_NUM_THREADS",
)


def configuration() -> dict:
    """The BLAS core and threads, NumPy's SIMD targets in use and what NumPy warned about."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import numpy as np  # noqa: F401 - NumPy parses NPY_DISABLE_CPU_FEATURES on import
        from numpy._core._multiarray_umath import (
            __cpu_baseline__,
            __cpu_dispatch__,
            __cpu_features__,
        )
    from threadpoolctl import threadpool_info

    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    return {
        "blas": [
            (pool["internal_api"], pool["architecture"], pool["num_threads"]) for pool in blas
        ],
        "simd_baseline": list(__cpu_baseline__),
        "simd_dispatched": [t for t in __cpu_dispatch__ if __cpu_features__.get(t)],
        "numpy_warnings": [str(w.message) for w in caught],
    }


def native_blas_architecture() -> str:
    """OpenBLAS's core when nothing in VARIABLES is set (a fresh interpreter)."""
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    code = (
        "import numpy, threadpoolctl; print([p['architecture'] for p in "
        "threadpoolctl.threadpool_info() if p['user_api'] == 'blas'][0])"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def main(argv: list[str]) -> int:
    config = configuration()
    for name in VARIABLES:
        print(f"{name}={os.environ.get(name, '')}")
    for key, value in config.items():
        print(f"{key}: {value}")
    if "--portable" not in argv:
        return 0
    problems = []
    if config["numpy_warnings"]:
        problems.append(f"NumPy did not accept the setting: {config['numpy_warnings']}")
    if config["simd_dispatched"]:
        problems.append(f"NumPy still dispatches {config['simd_dispatched']}")
    if not config["blas"]:
        problems.append("no BLAS found")
    native = native_blas_architecture()
    for api, architecture, threads in config["blas"]:
        if architecture == native:
            problems.append(f"{api} runs its native core {architecture}")
        if threads != 1:
            problems.append(f"{api} runs {threads} threads, not 1")
    for problem in problems:
        print(f"not the portable configuration: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
