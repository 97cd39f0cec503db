# The two commands of the README: `make book` and `make test`.
# Everything runs inside .venv, created here from requirements.lock.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
JB_FLAGS := -n -W --keep-going
export HYPOTHESIS_PROFILE ?= ci

# The environment: requirements.txt (the direct dependencies, edited by hand) is resolved by
# `make lock` into requirements.lock: every package at an exact version, with its hashes, for
# CPython 3.11 (any 3.11.x) on x86-64 Linux. `make install` installs the lock alone, hash-checked
# and without resolving, then the book's own package (code/) editable; tests/test_environment.py
# checks that .venv is exactly the lock. The lock tool (uv, pinned in requirements-dev.txt) has
# its own small venv. `make lock LOCK_FLAGS=--upgrade` moves every unpinned dependency forward.
LOCK       := requirements.lock
DEV_LOCK   := requirements-dev.lock
LOCK_VENV  := .venv-lock
UV         := $(LOCK_VENV)/bin/uv
LOCK_FLAGS ?=

# `make book` builds from the notebooks' stored outputs (EXECUTE=off): make test has shown with
# nbval that they are current. EXECUTE=force re-executes every notebook on this machine;
# EXECUTE=auto only those with a cell that has no output (Jupyter Book's execute_notebooks).
EXECUTE ?= off

# The site's own copy of MathJax 3 (npm's mathjax, pinned in package-lock.json): only the
# es5 component and its fonts go to $(SITE_ASSETS), which _config.yml's html_extra_path
# copies into _build/html, so the published site renders math with no network.
SITE_ASSETS := _build/site-assets
MATHJAX_SRC := node_modules/mathjax/es5
MATHJAX_DIR := $(SITE_ASSETS)/mathjax
MATHJAX_JS  := $(MATHJAX_DIR)/tex-chtml-full.js
NPM_STAMP   := node_modules/.package-lock.json
SERVE_PORT  ?= 8000
LAB_PORT    ?= 8888

# The whole book as one PDF and as one offline zip (site, notebooks, requirements.txt), both
# written into the site, which links them from every page (_config.yml's book_downloads).
BOOK_FILE   := softmax-derivative-book
PDF_BUILD   := _build/pdf
PDF         := $(PDF_BUILD)/_build/latex/$(BOOK_FILE).pdf
ARCHIVE     := _build/html/$(BOOK_FILE).zip

.PHONY: help install lock site-assets book test test-code test-book test-notebooks test-notebooks-portable \
	book-stored test-site serve bench mutate clean
.PHONY: pdf test-pdf archive downloads lab test-lab test-plain

help:
	@echo "make install  create .venv with everything the notebooks need"
	@echo "make book   build the site into _build/html (EXECUTE=force: re-execute every notebook)"
	@echo "make test   run every test: package, notebooks (nbval), book build, site checks"
	@echo "make serve  serve _build/html on http://127.0.0.1:$(SERVE_PORT)"
	@echo "make test-site  only the browser check of the site already in _build/html"
	@echo "make lab    open the notebooks in JupyterLab on http://127.0.0.1:$(LAB_PORT)"
	@echo "make test-lab   open and run every notebook in JupyterLab in a headless browser"
	@echo "make test-plain  check and run the plain notebooks (Colab, downloads) of the built book"
	@echo "make pdf    the whole book as one PDF (needs TeX, see README), copied into the site"
	@echo "make test-pdf   check the PDF: every chapter, no unresolved reference, no missing glyph"
	@echo "make archive    the site and the notebooks as one zip, written into the site"
	@echo "make downloads  pdf, test-pdf, then archive (with the PDF) and its check (.ci/run)"
	@echo "make lock   resolve requirements.txt into requirements.lock (every package, hashes)"
	@echo "make mutate  mutation-test the core modules (minutes; not part of make test)"
	@echo "make bench  time the kernels (minutes; not part of make test), write chapters/data/benchmarks.json"

install: $(STAMP)

$(STAMP): $(LOCK) code/pyproject.toml
	$(PYTHON) -m venv --clear $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e ./code
	@# Build matplotlib's font cache now, so no notebook prints the one-time message.
	MPLBACKEND=Agg $(PY) -c "import matplotlib.pyplot"
	touch $@

$(UV): requirements-dev.txt
	$(PYTHON) -m venv --clear $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet "$$(grep -E '^uv==' requirements-dev.txt)"

# The package itself is not in the lock: it is this repository, installed editable. The tools of
# requirements-dev.txt get their own lock, at the versions of requirements.lock where they meet.
UV_COMPILE := $(UV) pip compile --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" $(LOCK_FLAGS)

lock: $(UV)
	$(UV_COMPILE) requirements.txt --no-emit-package softmax-derivative -o $(LOCK)
	$(UV_COMPILE) requirements-dev.txt --constraint $(LOCK) -o $(DEV_LOCK)

site-assets: $(MATHJAX_JS)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(MATHJAX_JS): $(NPM_STAMP)
	rm -rf $(MATHJAX_DIR)
	mkdir -p $(MATHJAX_DIR)/output/chtml/fonts
	cp node_modules/mathjax/LICENSE $(MATHJAX_DIR)/
	cp -R $(MATHJAX_SRC)/output/chtml/fonts/woff-v2 $(MATHJAX_DIR)/output/chtml/fonts/
	cp $(MATHJAX_SRC)/tex-chtml-full.js $@

# _config.yml with execute_notebooks set to what follows `execute-` (the copy of
# tools/stored_outputs_config.py, whose local extension paths work from _build/).
_build/_config.execute-%.yml: _config.yml tools/stored_outputs_config.py
	$(PY) tools/stored_outputs_config.py $@
	sed -i -E "s/^(  execute_notebooks:).*/\1 '$*'/" $@
	@grep -qx "  execute_notebooks: '$*'" $@ || { echo "$@: no execute_notebooks line"; exit 1; }

book: $(STAMP) site-assets _build/_config.execute-$(EXECUTE).yml
	$(BIN)/jupyter-book build --config _build/_config.execute-$(EXECUTE).yml $(JB_FLAGS) .

# Each notebook is executed once per numerical configuration, by nbval, which compares every
# output with the stored one: natively and under another configuration (below), side by side
# on two cores. Then the site is built from the stored outputs, and tests/ checks them.
# The site is built from the stored outputs (no notebook runs in the build), then, side by
# side on two cores: nbval runs every notebook natively and under another machine's arithmetic,
# comparing each output with the stored one the site shows; the browser check of the site; the
# package's tests; the other checks of the book. make test passes only if all of them do, so a
# site that `make test` passes shows outputs nbval has compared. The PDF check runs in
# `make test-pdf`, after `make pdf` (TeX is not needed here); the JupyterLab check in
# `make test-lab` (.ci/run runs both after this).
test: $(STAMP)
	$(MAKE) --no-print-directory book-stored
	$(MAKE) --no-print-directory archive
	$(MAKE) --no-print-directory -j2 --output-sync=target \
		test-site test-notebooks test-notebooks-portable test-code test-book

# The checks of tests/ that are not the browser's, the PDF's or JupyterLab's.
test-book: $(STAMP)
	$(PY) -m pytest -q tests --ignore=tests/test_site.py --ignore=tests/test_pdf.py \
		--ignore=tests/test_lab.py

test-code: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd code && ../$(PY) -m pytest -q

NBVAL := $(PY) -m pytest -q --nbval --nbval-current-env --nbval-sanitize-with nbval-sanitize.cfg

test-notebooks: $(STAMP)
	$(NBVAL) chapters

# Another machine's arithmetic: OpenBLAS's generic x86-64 kernels, one BLAS thread; none of
# NumPy's SIMD dispatch targets above its x86-64-v2 baseline (the names numpy.show_runtime()
# lists; NumPy ignores unknown names, so tests/numerics.py checks the setting took effect);
# numba's generic CPU, one thread. A stored output that prints a digit rounding decides
# fails here. Reproduce one notebook: see README, "How the tests work".
PORTABLE_ENV := OPENBLAS_CORETYPE=Prescott OPENBLAS_NUM_THREADS=1 \
	NPY_DISABLE_CPU_FEATURES=X86_V3,X86_V4,AVX512_ICL,AVX512_SPR \
	NUMBA_CPU_NAME=generic NUMBA_NUM_THREADS=1

test-notebooks-portable: $(STAMP)
	env $(PORTABLE_ENV) $(PY) tests/numerics.py --portable
	env $(PORTABLE_ENV) $(NBVAL) -p no:cacheprovider chapters

# The site of `make test`, built from scratch (--all, so every warning is seen) from the stored
# outputs that nbval has just compared: no notebook is executed again.
book-stored: $(STAMP) site-assets _build/_config.execute-off.yml
	$(BIN)/jupyter-book build --all --config _build/_config.execute-off.yml $(JB_FLAGS) .

# The browser check alone, on the site already in _build/html (tests/test_site.py).
test-site: $(STAMP)
	$(PY) -m pytest -q tests/test_site.py

# The PDF, built by XeLaTeX from the notebooks' stored outputs (nothing is executed), with a
# copy of _config.yml that turns execution off; then copied into the site.
pdf: $(STAMP)
	rm -f $(PDF)
	$(PY) tools/stored_outputs_config.py $(PDF_BUILD)/_config.yml
	$(BIN)/jupyter-book build $(JB_FLAGS) --builder pdflatex \
		--config $(PDF_BUILD)/_config.yml --path-output $(PDF_BUILD) .
	test -f $(PDF)
	mkdir -p _build/html
	cp $(PDF) _build/html/$(BOOK_FILE).pdf

test-pdf: $(STAMP)
	$(PY) -m pytest -q tests/test_pdf.py

# The site in _build/html (with the PDF if built), the notebooks and requirements.txt.
archive: $(STAMP)
	$(PY) tools/make_archive.py $(ARCHIVE)

# Everything the published site offers for download, built into _build/html and checked.
downloads: pdf test-pdf archive
	$(PY) -m pytest -q tests/test_archive.py tests/test_placeholders.py

# Ratios against the memory bound and PyTorch (if installed), one and two threads, medians
# over repeated runs (code/benchmarks/bench.py). PY=... runs it in another environment,
# for example one with torch: then .venv is not needed.
bench: $(if $(filter $(BIN)/python,$(PY)),$(STAMP))
	$(PY) code/benchmarks/bench.py --output chapters/data/benchmarks.json

# Mutation testing (minutes; not part of make test). mutmut runs in .venv-mutate, installed from
# requirements-dev.lock; the book's packages (NumPy, hypothesis ...) come from .venv through a
# .pth file, and the package itself from mutmut's mutated copy in code/mutants. code/setup.cfg
# names the modules and their fast tests. The score: killed / (killed + survived + ...).
MUTATE_VENV := .venv-mutate

$(MUTATE_VENV)/.installed: $(DEV_LOCK) $(STAMP)
	$(PYTHON) -m venv --clear $(MUTATE_VENV)
	$(MUTATE_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r $(DEV_LOCK)
	$(PY) -c "import sysconfig; print(sysconfig.get_path('purelib'))" > \
		"$$($(MUTATE_VENV)/bin/python -c "import sysconfig; print(sysconfig.get_path('purelib'))")/book-environment.pth"
	touch $@

mutate: $(MUTATE_VENV)/.installed
	rm -rf code/mutants
	cd code && ../$(MUTATE_VENV)/bin/mutmut run --max-children 2 > /dev/null
	cd code && ../$(MUTATE_VENV)/bin/mutmut export-cicd-stats > /dev/null
	cd code && ../$(MUTATE_VENV)/bin/mutmut results
	$(PY) -c "import json; s = json.load(open('code/mutants/mutmut-cicd-stats.json')); \
		k, n = s['killed'] + s['timeout'], s['total'] - s['skipped']; \
		print(f'mutation score {k}/{n} = {100 * k / n:.1f} % ({s})')"

# JupyterLab on the chapters, listening on 127.0.0.1 only. As root (containers, cloud
# notebooks) JupyterLab refuses to start without --allow-root, so it is added then, and only then.
lab: $(STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(LAB_PORT) --ServerApp.root_dir=chapters \
		$$(if [ "$$(id -u)" -eq 0 ]; then echo --allow-root; fi)

# The notebooks as a learner sees them: each opened in JupyterLab in a headless Chromium,
# checked for raw MyST and visible solutions, and run (tests/test_lab.py; a few minutes).
test-lab: $(STAMP)
	@status=0; $(PY) -m pytest -q tests/test_lab.py || status=$$?; \
	$(PY) -c "import json; r = json.load(open('_build/lab-check.json')); \
		print({k: v for k, v in r.items() if k != 'per_notebook'})"; exit $$status

# The plain notebooks (Colab, downloads) that the book build writes to _build/html/_notebooks
# (tools/plain_notebooks.py): no MyST left, and each runs to the book's stored outputs.
PLAIN_NOTEBOOKS := _build/html/_notebooks
test-plain: $(STAMP)
	@test -d $(PLAIN_NOTEBOOKS) || { echo "No $(PLAIN_NOTEBOOKS): run 'make book' first."; exit 1; }
	$(PY) tools/plain_notebooks.py --check $(PLAIN_NOTEBOOKS)
	$(PY) -m pytest -q --nbval --nbval-current-env --nbval-sanitize-with nbval-sanitize.cfg \
		$(PLAIN_NOTEBOOKS)

serve: $(STAMP)
	@test -f _build/html/index.html || { echo "No site in _build/html: run 'make book' first."; exit 1; }
	$(PY) -m http.server $(SERVE_PORT) --bind 127.0.0.1 --directory _build/html

clean:
	rm -rf _build

# A report, not a test (tools/book_metrics.py): per page of _toc.yml the words of markdown,
# the sympy and numeric checks, the collapsed cells, the slip boxes, the exercises by kind and
# the code lines over 88 characters, against the limits at the top of the script.
.PHONY: metrics
metrics:
	$(PYTHON) tools/book_metrics.py
