"""Root URLs. Business modules are mounted from core's registry (core/modules.py)."""

from django.urls import include, path

from territoire.core import modules
from territoire.core import urls as core_urls
from territoire.core import views as core_views
from territoire.core.api import api

handler400 = "territoire.core.views.error_400"
handler403 = "territoire.core.views.error_403"
handler404 = "territoire.core.views.error_404"
handler500 = "territoire.core.views.error_500"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("compte/", include("allauth.urls")),
    path("", include((core_urls.global_urlpatterns, "site"), namespace="site")),
]

for module in modules.modules():
    if module.root_urls:
        urlpatterns.append(path("", include(module.root_urls)))

tenant_patterns = [path("", include((core_urls.tenant_urlpatterns, "core"), namespace="core"))]
for module in modules.modules():
    if module.public_urls:
        tenant_patterns.append(
            path(
                f"{module.prefix}/",
                include((module.public_urls, module.label), namespace=module.label),
            )
        )
    if module.staff_urls:
        tenant_patterns.append(
            path(
                f"gestion/{module.prefix}/",
                include((module.staff_urls, module.label), namespace=f"{module.label}_staff"),
            )
        )

urlpatterns.append(path("<slug:tenant>/", include(tenant_patterns)))
