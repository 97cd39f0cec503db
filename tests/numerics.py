"""Print the numerical configuration the notebooks run under, and check it is portable.

NumPy ignores (with a hidden ImportWarning) a name in NPY_DISABLE_CPU_FEATURES that is not
one of its targets, so a setting written for another NumPy would silently test nothing: this
fails unless NumPy dispatches no SIMD target above its baseline and OpenBLAS runs one thread
on another core than the native one (the Makefile's PORTABLE_ENV).
"""

import os
import subprocess
import sys
import warnings

VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "NPY_DISABLE_CPU_FEATURES")
VARIABLES += ("NUMBA_CPU_NAME", "NUMBA_NUM_THREADS")
BLAS = "[p for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas']"  # run twice


def main() -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import numpy._core._multiarray_umath as core  # parses NPY_DISABLE_CPU_FEATURES
    import threadpoolctl  # noqa: F401 - used by BLAS

    blas = [(p["internal_api"], p["architecture"], p["num_threads"]) for p in eval(BLAS)]
    dispatched = [t for t in core.__cpu_dispatch__ if core.__cpu_features__.get(t)]
    for name in VARIABLES:
        print(f"{name}={os.environ.get(name, '')}")
    print(f"blas: {blas}\nsimd_baseline: {list(core.__cpu_baseline__)}")
    print(f"simd_dispatched: {dispatched}\nnumpy_warnings: {[str(w.message) for w in caught]}")
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}  # a native interpreter
    code = f"import numpy, threadpoolctl; print({BLAS}[0]['architecture'])"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    native = run.stdout.strip()
    problems = [f"NumPy did not accept the setting: {w.message}" for w in caught]
    problems += [f"NumPy still dispatches {dispatched}"] if dispatched else []
    problems += [] if blas else ["no BLAS found"]
    for api, architecture, threads in blas:
        problems += (
            [f"{api} runs its native core {architecture}"] if architecture == native else []
        )
        problems += [f"{api} runs {threads} threads, not 1"] if threads != 1 else []
    for problem in problems:
        print(f"not the portable configuration: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
