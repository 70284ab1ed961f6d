"""Rate limits: per API key when one is sent, per client IP otherwise."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle


class KeyOrIpThrottle(SimpleRateThrottle):
    scope = "territoire"

    def __init__(self) -> None:
        super().__init__(settings.API_RATE_ANON)

    def allow_request(self, request: HttpRequest) -> bool:
        key = getattr(request, "api_key", None)
        self.rate = settings.API_RATE_KEY if key is not None else settings.API_RATE_ANON
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        key = getattr(request, "api_key", None)
        ident = f"key-{key.pk}" if key is not None else f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
