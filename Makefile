# Every target creates .venv when it is missing; nothing is installed outside it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCALES := handlers/locales
POT := $(LOCALES)/messages.pot
CATALOGS := $(wildcard $(LOCALES)/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: install chat run test bench lint models translations extract update-translations clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "mesbot needs Python 3.11 or newer (set PYTHON=python3.X)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) translations

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy --domain messages --input-file $< --output-file $@

translations: $(COMPILED)

extract: $(STAMP)
	$(BIN)/pybabel extract --mapping-file babel.cfg --project mesbot --no-location \
		--sort-output --output-file $(POT) handlers

update-translations: extract
	$(BIN)/pybabel update --domain messages --input-file $(POT) --output-dir $(LOCALES) \
		--no-fuzzy-matching --ignore-obsolete

chat: install
	$(BIN)/mesbot chat

run: install
	$(BIN)/mesbot run

# Tests at once: they mostly wait on the stand-in server, subprocesses and the database.
TEST_WORKERS ?= 4

test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS)
	@if [ -n "$$MESBOT_TEST_POSTGRES_URL" ]; then \
		echo "The whole suite again, with the app on PostgreSQL"; \
		MESBOT_TEST_BACKEND=postgresql $(BIN)/python -m pytest -n $(TEST_WORKERS); \
	else \
		echo "MESBOT_TEST_POSTGRES_URL is not set: the PostgreSQL run is skipped"; \
	fi

# The PostgreSQL series (one and two instances behind a load balancer) runs on this server.
BENCH_POSTGRES_URL ?= $(MESBOT_TEST_POSTGRES_URL)

bench: install
	$(BIN)/python bench/faq_bench.py
	$(BIN)/python bench/e2e_bench.py
	@if [ -n "$(BENCH_POSTGRES_URL)" ]; then \
		$(BIN)/python bench/e2e_bench.py --postgres "$(BENCH_POSTGRES_URL)" --instances 1,2; \
	else \
		echo "BENCH_POSTGRES_URL (or MESBOT_TEST_POSTGRES_URL) is not set: no PostgreSQL series"; \
	fi
	$(BIN)/python bench/broadcast_bench.py
	$(BIN)/python bench/review_bench.py
	$(BIN)/python bench/miniapp_bench.py

lint: install
	$(BIN)/ruff check .

# The learned weights shipped in faq/models/, rebuilt from faq/training/ and the FAQ content.
models: install
	$(BIN)/python faq/training/build_models.py

clean:
	rm -rf $(VENV) $(COMPILED) .pytest_cache
