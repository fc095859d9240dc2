"""Starting jobs, running them in the worker, and who may look at them.

A job is started inside the caller's transaction: the Job row and the backend's task row
are committed together, so the worker never sees a task without its job. The worker runs the
task as the user who started it (``actor_of``), through the same service functions a view
would call, so authorization is decided again when the work is done.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any, ParamSpec

from django.utils import timezone
from django_tasks.base import Task

from supercp.protocol.errors import NotFound, SuperCPError
from supercp.web.core.authz import Actor
from supercp.web.jobs.models import Job, Status

log = logging.getLogger(__name__)
P = ParamSpec("P")
# Work done by a task: gets the job (to report progress) and the actor; returns the result
# text shown on the job's page.
Work = Callable[[Job, Actor], str]


def start(actor: Actor, title: str, task: Task[P, str], /, **kwargs: Any) -> Job:
    """Record a job for ``actor`` and enqueue ``task(job_id, **kwargs)`` for the worker."""
    if actor.cli or actor.user.pk is None:
        # Jobs are for the panel's users; super-cli waits for its work itself.
        raise NotFound("jobs need a panel user", code="not-found")
    job = Job.objects.create(name=title, user=actor.user, ip=actor.ip)
    enqueued = task.enqueue(str(job.id), **kwargs)  # type: ignore[arg-type]
    job.task_result_id = uuid.UUID(str(enqueued.id))
    job.save(update_fields=["task_result_id"])
    return job


def get_job(actor: Actor, job_id: str) -> Job:
    """The job, if the actor started it or is an admin; otherwise not found."""
    try:
        wanted = uuid.UUID(job_id)
    except ValueError as err:
        raise NotFound("no such job", code="not-found") from err
    jobs = Job.objects.all() if actor.is_admin else Job.objects.filter(user=actor.user)
    found = jobs.filter(pk=wanted).first()
    if found is None:
        raise NotFound("no such job", code="not-found")
    return found


def actor_of(job: Job) -> Actor:
    """The actor the job acts as: the user who started it, from where they started it."""
    return Actor(user=job.user, ip=job.ip)


def set_progress(job: Job, percent: int) -> None:
    """Store the job's progress (0-100) at once, outside any transaction of the work."""
    job.progress = max(0, min(100, percent))
    Job.objects.filter(pk=job.pk).update(progress=job.progress)


def run(job_id: str, work: Work) -> str:
    """Run one job's work in the worker, recording its status, result or error."""
    job = Job.objects.select_related("user").get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=Status.RUNNING, progress=0)
    job.progress = 0
    try:
        result = work(job, actor_of(job))
    except SuperCPError as err:
        _finish(job, Status.FAILED, error=err.message)
        raise
    except BaseException:
        log.exception("job %s (%s) failed", job.pk, job.name)
        _finish(
            job,
            Status.FAILED,
            error="The job failed unexpectedly; the worker's log has the details.",
        )
        raise
    _finish(job, Status.SUCCESSFUL, result=result)
    return result


def _finish(
    job: Job, status: Status, *, result: str | None = None, error: str | None = None
) -> None:
    fields: dict[str, Any] = {"status": status, "result": result, "error": error}
    fields["finished_at"] = timezone.now()
    if status == Status.SUCCESSFUL:
        fields["progress"] = 100
    Job.objects.filter(pk=job.pk).update(**fields)


def as_props(job: Job) -> dict[str, Any]:
    """The job as the Jobs/Show page takes it."""
    return {
        "id": str(job.pk),
        "name": job.name,
        "status": job.status,
        "progress": job.progress,
        "result": job.result,
        "error": job.error,
    }
