# The two commands of the README: `make book` and `make test`.
# Everything runs inside .venv, created here from requirements.txt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
JB_FLAGS := -n -W --keep-going
export HYPOTHESIS_PROFILE ?= ci

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

.PHONY: help install site-assets book test test-code test-notebooks book-fresh test-site serve bench clean
.PHONY: pdf test-pdf archive downloads lab test-lab test-plain

help:
	@echo "make install  create .venv with everything the notebooks need"
	@echo "make book   build the site into _build/html"
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
	@echo "make bench  time the kernels (minutes; not part of make test), write chapters/data/benchmarks.json"

install: $(STAMP)

$(STAMP): requirements.txt code/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@# Build matplotlib's font cache now, so no notebook prints the one-time message.
	MPLBACKEND=Agg $(PY) -c "import matplotlib.pyplot"
	touch $@

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

book: $(STAMP) site-assets
	$(BIN)/jupyter-book build $(JB_FLAGS) .

test: test-code
	@# nbval and the book build each execute every notebook: on two cores they run side by side.
	$(MAKE) --no-print-directory -j2 --output-sync=target test-notebooks book-fresh
	$(MAKE) --no-print-directory archive
	@# The PDF check runs in `make test-pdf`, after `make pdf` (TeX is not needed here);
	@# the JupyterLab check in `make test-lab` (.ci/run runs both after this).
	$(PY) -m pytest -q tests --ignore=tests/test_pdf.py --ignore=tests/test_lab.py

test-code: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd code && ../$(PY) -m pytest -q

test-notebooks: $(STAMP)
	$(PY) -m pytest -q --nbval --nbval-current-env --nbval-sanitize-with nbval-sanitize.cfg chapters

# The build of `make test` starts from scratch (--all): every notebook is executed again and
# every warning is seen, not only those of the pages changed since the last build.
book-fresh: $(STAMP) site-assets
	$(BIN)/jupyter-book build --all $(JB_FLAGS) .

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
