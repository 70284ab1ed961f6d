"""Open311 GeoReport v2, mounted at the root: ``/open311/v2/…`` (a contract: keep the paths)."""

from django.urls import re_path

from territoire.reports import open311

FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    re_path(rf"^open311/v2/discovery{FMT}", open311.discovery, name="open311_discovery"),
    re_path(rf"^open311/v2/services{FMT}", open311.services_list, name="open311_services"),
    re_path(
        rf"^open311/v2/services/(?P<code>[^/]+?){FMT}",
        open311.service_definition,
        name="open311_service",
    ),
    re_path(rf"^open311/v2/requests{FMT}", open311.requests_endpoint, name="open311_requests"),
    re_path(
        rf"^open311/v2/requests/(?P<pk>[^/]+?){FMT}",
        open311.request_detail,
        name="open311_request",
    ),
    re_path(
        rf"^open311/v2/tokens/(?P<token>[^/]+?){FMT}", open311.token_detail, name="open311_token"
    ),
]
