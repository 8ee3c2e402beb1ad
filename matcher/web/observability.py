"""Structured logs: one JSON object per line, each carrying the request id.

A load balancer or the client may send ``X-Request-ID``; a sane value is kept so a
request can be followed across hosts, anything else is replaced by a fresh id. The
id is echoed in the response header and gunicorn's access log (see gunicorn.conf.py).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler
from gunicorn.glogging import Logger as GunicornLogger

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def request_id_from(header_value: str | None) -> str:
    """Keep an incoming id only if it is short and plain (it ends up in every log line)."""
    if header_value and _SANE_REQUEST_ID.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON line: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    """Send every logger's records to stderr as JSON lines (idempotent)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))


class GunicornJsonLogger(GunicornLogger):
    """gunicorn's error and access logs as JSON lines; the access line has the request id."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time) -> None:
        if not self.cfg.accesslog:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        self.access_log.info(
            "request",
            extra={
                "remote": atoms["h"],
                "method": atoms["m"],
                "path": atoms["U"],
                "query": atoms["q"],
                "status": atoms["s"],
                "bytes": atoms["B"],
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "request_id": atoms.get("{x-request-id}o", "-"),
                "user_agent": atoms["a"],
            },
        )


def init_app(app: Flask) -> None:
    configure_logging()
    app.logger.removeHandler(default_handler)

    @app.before_request
    def assign_request_id() -> None:
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response
