"""/plans: the hosting plans' pages."""

from __future__ import annotations

from django.urls import path

from supercp.web.plans import views

urlpatterns = [
    path("plans", views.index, name="plans"),
    path("plans/new", views.new, name="plan-new"),
    path("plans/totals", views.totals, name="plans-totals"),
    # A plan's form (GET), its change (POST) and its deletion (DELETE): one URL for a plan
    # of any name, "new" and "totals" too.
    path("plans/<str:name>/edit", views.edit, name="plan-edit"),
]
