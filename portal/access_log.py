"""gunicorn's access log without private tokens: %(U)s already drops query strings, and this
logger replaces the token of a short link (/k/<token>) in the path and the request line."""

import re

from gunicorn.glogging import Logger

SHORT_LINK = re.compile(r"/k/[^/?\s]+")


def redact(text: str) -> str:
    return SHORT_LINK.sub("/k/…", text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms
