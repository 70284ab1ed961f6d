"""Structured logs: every record carries the id of the request that produced it."""

from __future__ import annotations

import logging

from territoire.core import requestcontext


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = requestcontext.request_id.get()
        return True
