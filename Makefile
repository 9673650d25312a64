.PHONY: start test test-pg lint bench

start:
	python3 dev.py start

test:
	python3 dev.py test

test-pg:
	PLANERKA_TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test \
	PLANERKA_TEST_REDIS_URL=redis://127.0.0.1:6379/15 python3 dev.py test

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

bench:
	python3 dev.py bench
