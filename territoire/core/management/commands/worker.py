"""``territoire worker``: run background tasks from Redis (production)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

# The job class of django-tasks-rq runs the Task object that Django's tasks API enqueued.
JOB_CLASS = "django_tasks_rq.backend.Job"


class Command(BaseCommand):
    help = "Run a pool of background workers on the Redis queue (TASKS_BACKEND=rq)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--burst", action="store_true", help="stop when the queue is empty")
        parser.add_argument("--processes", type=int, default=1, help="workers in the pool")

    def handle(self, *args: Any, **opts: Any) -> None:
        if settings.TASKS_BACKEND != "rq":
            raise CommandError(
                "Background tasks run inline (TASKS_BACKEND=immediate): set REDIS_URL to use "
                "a worker pool."
            )
        if opts["processes"] > 1 and not opts["burst"]:
            call_command(
                "rqworker-pool", "default", num_workers=opts["processes"], job_class=JOB_CLASS
            )
        else:
            call_command(
                "rqworker",
                "default",
                burst=opts["burst"],
                with_scheduler=False,
                job_class=JOB_CLASS,
            )
