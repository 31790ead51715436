.PHONY: install check test lint bench

install:
	bash scripts/install --dev

check:
	bash scripts/test

lint:
	.venv/bin/ruff check .
	.venv/bin/mypy

test:
	.venv/bin/python -m pytest -n 2

bench:
	.venv/bin/python bench/bank_search.py
	.venv/bin/python bench/runner.py
	.venv/bin/python bench/adaptive.py
