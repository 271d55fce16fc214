"""gunicorn's access log without private tokens: %(U)s already drops query strings, and this
logger replaces the token of a short link (/k/<token>) in the path and the request line."""

import logging

from gunicorn.glogging import Logger

from portal.logs import EscapingFormatter, redact


class RedactingLogger(Logger):
    """gunicorn's logger, with short-link tokens redacted and control characters escaped in every
    line it writes (its error log quotes request lines and headers a client chose)."""

    def _set_handler(self, log, output, fmt, stream=None):
        if isinstance(fmt, logging.Formatter) and not isinstance(fmt, EscapingFormatter):
            fmt = EscapingFormatter(fmt._fmt, fmt.datefmt)
        super()._set_handler(log, output, fmt, stream)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms
