"""/jobs: background jobs' pages."""

from __future__ import annotations

from django.urls import path

from supercp.web.jobs import views

urlpatterns = [
    path("jobs/<str:job_id>", views.show, name="job"),
]
