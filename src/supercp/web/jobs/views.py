"""/jobs/<id>: one background job's progress (polled by the page with partial reloads)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from supercp.web.core.pages import actor, login_required, render
from supercp.web.jobs import services


@require_GET
@login_required
def show(request: HttpRequest, job_id: str) -> HttpResponse:
    job = services.get_job(actor(request), job_id)
    return render(request, "Jobs/Show", {"job": services.as_props(job)})
