# Everyday commands. Each target works on a fresh machine with Python 3.11, make and apt.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo lets staff log in without an authenticator app; `make run DEMO_TOTP=true` asks for one
# (production always does).
DEMO_TOTP ?= false

.PHONY: run test lint format bench translations clean nginx

$(INSTALLED): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "Installing python3-venv with apt (Debian needs it to create a virtual environment)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq python3-venv; \
	  rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

instance/secret_key:
	@mkdir -p instance
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))' > $@
	@chmod 600 $@

translations: $(INSTALLED)
	$(BIN)/portal translations compile

# nginx buffers requests in front of gunicorn's sync workers, so slow clients cannot hold them.
NGINX := $(shell command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; })

nginx:
	@[ -n "$(NGINX)" ] || { \
	  echo "Installing nginx-light with apt (the buffering proxy in front of gunicorn)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); export DEBIAN_FRONTEND=noninteractive; \
	  $$SUDO apt-get update -qq && { $$SUDO apt-get install -y -qq nginx-light || $$SUDO apt-get install -y -qq nginx; }; }

run: $(INSTALLED) instance/secret_key translations nginx
	$(BIN)/portal db upgrade
	PORTAL_STAFF_TOTP_REQUIRED=$(DEMO_TOTP) $(BIN)/portal demo load
	@echo "Messages (SMS, e-mail) are written to this log"
	PORTAL_STAFF_TOTP_REQUIRED=$(DEMO_TOTP) PORTAL_SECRET_KEY="$$(cat instance/secret_key)" \
	  PORTAL_DEV_BASE_URL=http://$(HOST):$(PORT) HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) deploy/run-local

test: $(INSTALLED) translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(INSTALLED) translations
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/booking.py
	$(BIN)/python bench/staff_queue.py
	$(BIN)/python bench/mixed.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
