"""Jobs: the panel's record of a background task, with the progress pages show."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    READY = "ready"
    RUNNING = "running"
    SUCCESSFUL = "successful"
    FAILED = "failed"


class Job(models.Model):
    """One long operation started by a user and run by the worker (django-tasks)."""

    # Random, so job URLs reveal nothing about how many jobs others ran.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    # Who started it: the job acts as this user, and only they (and admins) may see it.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ip = models.GenericIPAddressField(null=True)
    # The backend's task result (django_tasks_db), for the worker's side of the story.
    task_result_id = models.UUIDField(null=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.READY)
    progress = models.PositiveSmallIntegerField(null=True)
    result = models.TextField(null=True)
    error = models.TextField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"
