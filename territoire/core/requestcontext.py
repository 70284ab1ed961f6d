"""Per-request facts (request id, client IP) that logs and the audit log need.

Stored in context variables by RequestIdMiddleware so that services, which must not
depend on HTTP, can still record where an action came from.
"""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")
client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
