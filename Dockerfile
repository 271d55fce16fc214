# Ankomst in a slim container: non-root, translations compiled at build time.
# docker build -t ankomst . ; see deploy/compose.yaml for the app, the outbox worker, PostgreSQL
# and Redis together.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PORTAL_INSTANCE_DIR=/var/lib/ankomst

RUN groupadd --system ankomst && useradd --system --gid ankomst --home-dir /opt/ankomst ankomst \
    && mkdir -p /opt/ankomst /var/lib/ankomst && chown ankomst:ankomst /var/lib/ankomst
WORKDIR /opt/ankomst

COPY pyproject.toml ./
COPY portal ./portal
COPY templates ./templates
COPY translations ./translations
COPY deploy ./deploy
# Editable: the package finds templates/ and translations/ beside it (portal.config.ROOT); a
# plain install would look for them in site-packages and send untranslated messages.
RUN pip install --editable . && portal translations compile

USER ankomst
EXPOSE 8000
CMD ["sh", "-c", "portal db upgrade && exec gunicorn --config deploy/gunicorn.conf.py --bind 0.0.0.0:8000 'portal:create_app()'"]
