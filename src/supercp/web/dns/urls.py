"""/dns: the DNS pages (zones, their records, the admins' settings and templates)."""

from __future__ import annotations

from django.urls import path

from supercp.web.dns import views

urlpatterns = [
    path("dns", views.index, name="dns"),
    path("dns/settings", views.settings, name="dns-settings"),
    path("dns/templates", views.templates, name="dns-templates"),
    path("dns/templates/<str:name>", views.template, name="dns-template"),
    path("dns/zones/<str:zone>", views.show, name="dns-zone"),
    path("dns/zones/<str:zone>/export", views.export, name="dns-zone-export"),
    path("dns/zones/<str:zone>/import", views.import_zone, name="dns-zone-import"),
    path("dns/zones/<str:zone>/secure", views.secure, name="dns-zone-secure"),
    path("dns/zones/<str:zone>/unsecure", views.unsecure, name="dns-zone-unsecure"),
    path("dns/zones/<str:zone>/secondaries", views.secondaries, name="dns-zone-secondaries"),
    path("dns/zones/<str:zone>/records", views.records, name="dns-records"),
    path("dns/zones/<str:zone>/records/<int:record_id>", views.record, name="dns-record"),
]
