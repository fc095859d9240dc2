"""The pages of core: sign-in, dashboard, resellers, API tokens, audit log, profile."""

from __future__ import annotations

from django.urls import path

from supercp.web.core import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login", views.login, name="login"),
    path("login/2fa", views.login_two_factor, name="login-2fa"),
    path("logout", views.logout, name="logout"),
    path("password/forgot", views.forgot_password, name="password-forgot"),
    path("password/reset/<str:uidb64>/<str:token>", views.reset_password, name="password-reset"),
    path("resellers", views.resellers, name="resellers"),
    path("tokens", views.tokens, name="tokens"),
    path("tokens/<str:token_id>", views.revoke_token, name="token"),
    path("audit", views.audit, name="audit"),
    path("profile", views.profile, name="profile"),
    path("profile/password", views.change_password, name="profile-password"),
    path("profile/2fa/setup", views.two_factor_setup, name="profile-2fa-setup"),
    path("profile/2fa/enable", views.two_factor_enable, name="profile-2fa-enable"),
    path("profile/2fa/disable", views.two_factor_disable, name="profile-2fa-disable"),
]
