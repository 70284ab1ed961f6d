"""Background work: send a newly published report to an external operator's webhook."""

from __future__ import annotations

import json
import logging
import urllib.request

from django.tasks import task

from territoire.reports.models import Report

logger = logging.getLogger(__name__)


@task()
def post_webhook(report_id: int) -> bool:
    """POST the report (Open311 fields, no personal data) as JSON to the operator."""
    from territoire.reports.open311 import request_dict

    report = Report.objects.select_related("category", "tenant").filter(pk=report_id).first()
    if report is None or report.category is None or not report.category.operator_webhook:
        return False
    url = report.category.operator_webhook
    if not url.startswith(("https://", "http://")):
        return False
    body = json.dumps(request_dict(report), ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310
            return 200 <= response.status < 300
    except OSError:
        logger.warning("webhook failed", extra={"report": report_id, "url": url})
        return False
