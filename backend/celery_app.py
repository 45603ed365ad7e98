"""The Celery application shared by the dashboard (to send), workers and beat."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

from backend.logs import stamp_with_run

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("dataops")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Task modules are named by string so that backend never imports tasks.
app.conf.imports = ("tasks.conversion", "tasks.loads", "tasks.system", "tasks.tables")
if app.conf.broker_url.startswith("filesystem"):
    # The stock filesystem transport lets a worker read a message before it is written.
    app.conf.broker_transport = "backend.broker:Transport"


@after_setup_logger.connect
@after_setup_task_logger.connect
def _stamp_logs_with_run(logger, **kwargs) -> None:
    stamp_with_run(logger)
