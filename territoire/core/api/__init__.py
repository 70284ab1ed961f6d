from territoire.core.api.site import api

__all__ = ["api"]
