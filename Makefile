# The two commands: `make run` (set up everything, serve with demo data, a worker and the
# scheduler, started and stopped together; see Procfile) and `make test`.
# Both need Python 3.11 and Node.js with npm (for the charts' library and htmx) on the machine. Settings come
# from the environment (see .env.example).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1:8000
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist), each test file whole on one worker, the longest first
# (tests/xdist_workers.py LONGEST_FIRST); `TEST_WORKERS=0`
# runs it in this one process. Each worker has its own test database and Redis database
# (tests/xdist_workers.py: REDIS_URL's database D for the first, D + 1 for the next...).
TEST_WORKERS ?= auto
XDIST  := -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder
NPM    ?= npm
# Front-end libraries: installed from the npm registry (versions pinned in package-lock.json) and
# copied into this git-ignored static folder. Nothing third-party is committed.
VENDOR := agency/static/vendor

.PHONY: run setup install test test-fast test-browser lint migrations-check check worker beat serve clean fuzz

run: setup ## set up, then serve on http://127.0.0.1:8000 with demo data, a worker and the scheduler
	HOST=$(HOST) $(VENV)/bin/honcho --procfile Procfile start

# The translations compile beside the migration (neither needs the other; bench/first_start.py times
# the first start); the demo seed skips the system checks that `migrate` has just run.
setup: install ## install, migrate, compile translations, seed demo data
	$(PY) manage.py compile_translations & translations=$$!; \
		$(PY) manage.py migrate --noinput && wait $$translations
	$(PY) manage.py seed_demo --skip-checks

install: $(VENV)/.installed $(VENDOR)/chart.umd.min.js $(VENDOR)/htmx.min.js

$(VENDOR)/chart.umd.min.js: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --ignore-scripts
	mkdir -p $(VENDOR)
	cp node_modules/chart.js/dist/chart.umd.min.js.map $(VENDOR)/  # named by the file; collectstatic needs it
	cp node_modules/chart.js/dist/chart.umd.min.js $@

# htmx: the pages' partial swaps (lists, the inbox, the review page); it names no source map.
$(VENDOR)/htmx.min.js: $(VENDOR)/chart.umd.min.js  # after its npm ci
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

test: install ## run the test suite (PostgreSQL + Redis + real worker when DATABASE_URL/REDIS_URL are set)
	$(PY) manage.py compile_translations
	$(PY) -m pytest -ra $(XDIST) $(PYTEST_ARGS)

test-fast: install ## the suite without the tests marked slow (real workers and other processes): at your desk
	$(PY) manage.py compile_translations
	$(PY) -m pytest -ra $(XDIST) -m "not slow" $(PYTEST_ARGS)

test-browser: install ## only the browser tests (Debian's chromium: apt-get install chromium)
	$(PY) manage.py compile_translations
	$(PY) -m pytest -ra $(XDIST) -m browser tests/browser $(PYTEST_ARGS)

fuzz: install ## fuzz the API against its OpenAPI schema as every role, longer than the test suite's run
	FUZZ_ROLES=$${FUZZ_ROLES:-all} FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-25} \
		$(PY) -m pytest -ra -n $(TEST_WORKERS) --dist loadfile tests/agency/test_api_fuzz*.py $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

check: lint migrations-check

worker: install ## a Celery worker (on Redis with REDIS_URL, else on the embedded broker)
	$(VENV)/bin/celery -A project worker -l INFO --concurrency 2

beat: install ## the one Celery beat (the scheduler)
	$(VENV)/bin/celery -A project beat -l INFO

serve: install ## production-style server, as docker-compose runs it
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn -c python:project.gunicorn project.wsgi --bind 0.0.0.0:8000 --workers 3 --access-logfile -

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache node_modules $(VENDOR)
