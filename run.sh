#!/usr/bin/env bash
# Runs the bot: with TELEGRAM_BOT_TOKEN in .env the real bot, otherwise the offline demo.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then "$PY" -m venv .venv; fi
.venv/bin/pip install -q -e .
exec .venv/bin/nhacviec "${@:-start}"
