# The book's commands: `make help` lists them. Everything runs in one environment, .venv,
# made by `make install` from requirements.lock (the first command of a fresh clone).

PYTHON ?= python3
BIN    := .venv/bin
PY     := $(BIN)/python
STAMP  := .venv/.installed
PYTEST := $(PY) -m pytest -q
JB     := $(BIN)/jupyter-book build -n -W --keep-going
NBVAL  := $(PYTEST) --nbval --nbval-current-env --nbval-sanitize-with nbval-sanitize.cfg
export HYPOTHESIS_PROFILE ?= ci
NB ?= chapters/*.ipynb
SERVE_PORT ?= 8000
LAB_PORT   ?= 8888
BOOK_FILE := softmax-derivative-book
PDF       := _build/pdf/_build/latex/$(BOOK_FILE).pdf
ARCHIVE   := _build/html/$(BOOK_FILE).zip

.PHONY: help install notebook book serve lab test test-all pdf lock mutate bench metrics clean \
	site-assets nbval nbval-portable browser lint package checks downloads test-plain test-lab \
	slides test-slides

help:  # the targets a person runs: those with a "##"
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)/make \1\t\2/p' Makefile | expand -t 15

install: $(STAMP)  ## .venv from requirements.lock (hash-checked), the package editable
$(STAMP): requirements.lock code/pyproject.toml
	$(PYTHON) -m venv --clear .venv
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e ./code
	MPLBACKEND=Agg $(PY) -c "import matplotlib.pyplot"  # the font cache, before any notebook
	touch $@

# Without a working .venv, any uv 0.13: `python3 -m venv /tmp/uv && /tmp/uv/bin/pip install
# uv==0.13.8 && make lock UV=/tmp/uv/bin/uv`. LOCK_FLAGS=--upgrade moves unpinned packages.
UV ?= $(BIN)/uv
lock:  ## resolve requirements.txt into requirements.lock
	$(UV) pip compile --quiet --generate-hashes --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" \
		--no-emit-package softmax-derivative $(LOCK_FLAGS) requirements.txt -o requirements.lock

notebook: $(STAMP)  ## NB=chapters/X.ipynb: re-execute, store outputs in the tested form
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace $(NB)
	$(PY) -m tools.notebook_form $(NB)

# npm's MathJax 3 (package-lock.json) into _build/site-assets, which the site copies.
MATHJAX := _build/site-assets/mathjax
site-assets: $(MATHJAX)/tex-chtml-full.js
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@
$(MATHJAX)/tex-chtml-full.js: node_modules/.package-lock.json
	rm -rf $(MATHJAX) && mkdir -p $(MATHJAX)/output/chtml/fonts
	cp node_modules/mathjax/LICENSE $(MATHJAX)/
	cp -R node_modules/mathjax/es5/output/chtml/fonts/woff-v2 $(MATHJAX)/output/chtml/fonts/
	cp node_modules/mathjax/es5/tex-chtml-full.js $@

book: $(STAMP) site-assets  ## the site, from the notebooks' stored outputs, into _build/html
	$(JB) .
	$(PY) -m tools.slides

slides: $(STAMP) site-assets  ## the lecture slides, a reveal.js deck per chapter, into the site
	$(PY) -m tools.slides

# --all: every warning; then the checks on two cores, each to its end (-k).
test: $(STAMP) site-assets  ## every check but the slides', PDF's and JupyterLab's (two minutes)
	$(JB) --all .
	$(PY) -m tools.slides
	$(PY) -m tools.make_archive $(ARCHIVE)
	$(MAKE) --no-print-directory -k -j2 --output-sync=target \
		browser nbval nbval-portable package checks lint

nbval: $(STAMP)
	$(NBVAL) chapters

# Another machine's arithmetic: OpenBLAS's generic kernels, NumPy's x86-64-v2 baseline only,
# numba's generic CPU, one thread each (tests/numerics.py checks that it took effect).
PORTABLE_ENV := OPENBLAS_CORETYPE=Prescott OPENBLAS_NUM_THREADS=1 \
	NPY_DISABLE_CPU_FEATURES=X86_V3,X86_V4,AVX512_ICL,AVX512_SPR \
	NUMBA_CPU_NAME=generic NUMBA_NUM_THREADS=1
nbval-portable: $(STAMP)
	env $(PORTABLE_ENV) $(PY) tests/numerics.py
	env $(PORTABLE_ENV) $(NBVAL) -p no:cacheprovider chapters

browser: $(STAMP)
	$(PYTEST) -p no:cacheprovider tests/test_site*.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/actionlint
	$(BIN)/zizmor --offline --min-severity medium .github/workflows/

package: $(STAMP)
	cd code && ../$(PYTEST) -p no:cacheprovider

checks: $(STAMP)
	$(PYTEST) -p no:cacheprovider tests --ignore-glob='tests/test_site*.py' \
		--ignore=tests/test_pdf.py --ignore=tests/test_lab.py --ignore=tests/test_slides.py

# What CI runs (.ci/run).
ALL := test test-slides downloads test-plain test-lab
test-all: $(ALL)  ## make test, then the slides, PDF, zip, plain notebooks, JupyterLab

test-slides test-lab: $(STAMP)
	$(PYTEST) -p no:cacheprovider tests/test_$(subst test-,,$@).py

pdf: $(STAMP)  ## the book as one PDF (needs TeX, see README), copied into the site
	rm -f $(PDF)
	$(JB) --builder pdflatex --path-output _build/pdf .
	mkdir -p _build/html && cp $(PDF) _build/html/$(BOOK_FILE).pdf

downloads: pdf
	$(PYTEST) tests/test_pdf.py
	$(PY) -m tools.make_archive $(ARCHIVE)
	$(PYTEST) tests/test_archive.py tests/test_placeholders.py

test-plain: $(STAMP)
	$(NBVAL) _build/html/_notebooks

serve: $(STAMP)  ## serve _build/html on http://127.0.0.1:8000 (SERVE_PORT=...)
	@test -f _build/html/index.html || { echo "No site in _build/html: make book first."; exit 1; }
	$(PY) -m http.server $(SERVE_PORT) --bind 127.0.0.1 --directory _build/html

# As root (containers), JupyterLab starts only with --allow-root.
lab: $(STAMP)  ## JupyterLab on the chapters, http://127.0.0.1:8888 (LAB_PORT=...)
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(LAB_PORT) --ServerApp.root_dir=chapters \
		$$(if [ "$$(id -u)" -eq 0 ]; then echo --allow-root; fi)

# mutmut edits the modules code/setup.cfg names, one small change at a time (in code/mutants),
# and runs their fast tests on each; `cd code && ../.venv/bin/mutmut show NAME` shows one.
mutate: $(STAMP)  ## mutation-test the core modules (minutes)
	rm -rf code/mutants
	cd code && ../$(BIN)/mutmut run --max-children 2 > /dev/null
	cd code && ../$(BIN)/mutmut export-cicd-stats > /dev/null && ../$(BIN)/mutmut results
	$(PY) -c "import json; s = json.load(open('code/mutants/mutmut-cicd-stats.json')); \
		k, n = s['killed'] + s['timeout'], s['total'] - s['skipped']; print(f'score {k}/{n}')"

# PY=/other/venv/bin/python: in an environment with PyTorch too (README, "Benchmarks").
OWN_PY := $(if $(filter $(BIN)/python,$(PY)),$(STAMP))
bench: $(OWN_PY)  ## time the kernels into chapters/data/benchmarks.json (minutes)
	$(PY) code/benchmarks/bench.py --output chapters/data/benchmarks.json

metrics: $(STAMP)
	$(PY) -m tools.book_metrics

clean:
	rm -rf _build
