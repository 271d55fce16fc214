"""Baseline for bench/pages.py: a bare Flask app rendering a template of the same size as a
portal page, with no translation, no cache and no middleware.

BENCH_TEMPLATE names a file holding the portal's own rendered HTML; it is used as a Jinja template.
"""

import os
from pathlib import Path

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)
    source = Path(os.environ["BENCH_TEMPLATE"]).read_text(encoding="utf-8")
    # Compiled once, as Flask does for template files; {% raw %} keeps the bytes as they are.
    template = app.jinja_env.from_string("{% raw %}" + source + "{% endraw %}")

    @app.get("/<lang>/<slug>")
    def page(lang, slug):
        return template.render()

    return app
