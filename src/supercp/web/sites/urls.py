"""/sites: the web sites' pages."""

from __future__ import annotations

from django.urls import path

from supercp.web.sites import views

urlpatterns = [
    path("sites", views.index, name="sites"),
    path("sites/<str:domain>", views.show, name="site"),
    path("sites/<str:domain>/suspend", views.suspend, name="site-suspend"),
    path("sites/<str:domain>/unsuspend", views.unsuspend, name="site-unsuspend"),
]
