from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    # Production serves hashed files from collectstatic's manifest; tests render
    # templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
