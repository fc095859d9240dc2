"""/accounts: the hosting accounts' pages."""

from __future__ import annotations

from django.urls import path

from supercp.web.accounts import views

urlpatterns = [
    path("accounts", views.index, name="accounts"),
    path("accounts/<str:name>", views.show, name="account"),
    path("accounts/<str:name>/suspend", views.suspend, name="account-suspend"),
    path("accounts/<str:name>/unsuspend", views.unsuspend, name="account-unsuspend"),
    path("accounts/<str:name>/plan", views.plan, name="account-plan"),
]
