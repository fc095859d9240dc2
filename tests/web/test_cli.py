"""super-cli admin … and api-token …, run in-process on the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client

from supercp.cli.main import main
from supercp.protocol.errors import Forbidden, ValidationFailed
from supercp.web.accounts.models import HostingAccount, State
from supercp.web.core import security
from supercp.web.core import services as core
from supercp.web.core.authz import Actor
from supercp.web.core.models import ApiToken, AuditEvent, Role, User
from supercp.web.core.security import PENDING_2FA
from tests.web.conftest import PASSWORD, make_user, user_exists

ACCOUNTS = "/api/v1/accounts"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def cli(capsys, *args: str) -> tuple[int, dict]:
    code = main(["--json", *args])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1, lines
    return code, json.loads(lines[0])


def test_admin_create_prints_a_one_time_password_that_works(capsys):
    code, body = cli(capsys, "admin", "create", "ada", "--email", "ada@example.test")
    assert code == 0
    assert (body["name"], body["role"]) == ("ada", "admin")
    user = User.objects.get(username="ada")
    assert user.role == Role.ADMIN
    assert user.email == "ada@example.test"
    assert user.check_password(body["password"])
    assert body["password"] not in user.password
    assert AuditEvent.objects.filter(action="user.create", target="ada").get().actor is None


def test_admin_create_if_none_makes_the_first_admin_only(capsys):
    code, body = cli(capsys, "admin", "create", "admin", "--if-none")
    assert (code, body["name"]) == (0, "admin")
    assert User.objects.get(username="admin").check_password(body["password"])
    code, body = cli(capsys, "admin", "create", "other", "--if-none")
    assert (code, body) == (0, {"name": None})
    assert not User.objects.filter(username="other").exists()


def test_admin_create_refuses_a_taken_name(capsys):
    assert cli(capsys, "admin", "create", "ada")[0] == 0
    code, body = cli(capsys, "admin", "create", "ada")
    assert code == 1
    assert body["error"]["code"] == "user-exists"


def test_admin_reset_password_replaces_the_password(capsys):
    _, first = cli(capsys, "admin", "create", "ada")
    code, second = cli(capsys, "admin", "reset-password", "ada")
    assert code == 0
    user = User.objects.get(username="ada")
    assert user.check_password(second["password"])
    assert not user.check_password(first["password"])


def test_reset_password_of_nobody_is_not_found(capsys):
    code, body = cli(capsys, "admin", "reset-password", "nobody")
    assert code == 1
    assert body["error"]["code"] == "not-found"


def test_reset_password_revokes_the_users_tokens_and_ends_their_sessions(capsys):
    ada, bob = make_user("ada", Role.ADMIN), make_user("bob", Role.ADMIN)
    tokens = [core.issue_token(ada, f"t{i}").plaintext for i in range(2)]
    old = core.issue_token(ada, "old")
    core.revoke_token(Actor(ada), old.token.public_id)
    bobs_token = core.issue_token(bob, "b").plaintext
    signed_in, bobs_session = Client(), Client()
    signed_in.force_login(ada)
    bobs_session.force_login(bob)
    # Past the old password, waiting for the second factor.
    owing = SessionStore()
    owing[PENDING_2FA] = {"user": ada.pk, "at": time.time()}
    owing.create()

    code, body = cli(capsys, "admin", "reset-password", "ada")
    assert code == 0
    assert (body["tokens_revoked"], body["sessions_ended"]) == (2, 2)
    for token in tokens:
        assert Client().get(ACCOUNTS, headers=bearer(token)).status_code == 401
    assert signed_in.get(ACCOUNTS).status_code == 401
    assert not Session.objects.filter(session_key=owing.session_key).exists()
    # Nobody else's.
    assert Client().get(ACCOUNTS, headers=bearer(bobs_token)).status_code == 200
    assert bobs_session.get(ACCOUNTS).status_code == 200
    event = AuditEvent.objects.get(action="user.reset-password", target="ada")
    assert event.details == {"tokens_revoked": 2, "sessions_ended": 2}


def test_reset_password_says_what_it_ended(capsys):
    ada = make_user("ada", Role.ADMIN)
    core.issue_token(ada, "t")
    assert main(["admin", "reset-password", "ada"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "New password for ada (admin):" in text
    assert "Revoked 1 API token and ended 0 sessions." in text


def lock(name: str) -> None:
    for _ in range(security.ACCOUNT_LIMIT):
        with pytest.raises(ValidationFailed):
            security.check_password_login(name, "wrong password", "192.0.2.7")


def test_admin_unlock_lifts_the_sign_in_lock(capsys):
    make_user("ada", Role.ADMIN)
    lock("ada")
    with pytest.raises(Forbidden, match="Too many failed sign-ins"):
        security.check_password_login("ada", PASSWORD, "192.0.2.8")

    assert cli(capsys, "admin", "unlock", "ada") == (0, {"name": "ada", "was_locked": True})
    assert security.check_password_login("ada", PASSWORD, "192.0.2.8").username == "ada"
    event = AuditEvent.objects.get(action="auth.unlock", target="ada")
    assert (event.actor, event.actor_name, event.details) == (
        None,
        "root (super-cli)",
        {"was_locked": True},
    )
    # Failures count again from the unlock on.
    lock("ada")
    assert security.throttled("ada", None) is not None


def test_admin_unlock_of_a_login_that_is_not_locked_says_so(capsys):
    make_user("ada", Role.ADMIN)
    assert main(["admin", "unlock", "ada"]) == 0
    assert "ada was not locked" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="auth.unlock", target="ada").count() == 1


def test_admin_unlock_of_nobody_is_not_found(capsys):
    code, body = cli(capsys, "admin", "unlock", "nobody")
    assert code == 1
    assert (body["error"]["code"], body["error"]["field"]) == ("not-found", "name")


def test_api_token_create_prints_a_token_that_authenticates(capsys):
    cli(capsys, "admin", "create", "ada")
    code, body = cli(
        capsys, "api-token", "create", "--user", "ada", "--read-only", "--expires-days", "7"
    )
    assert code == 0
    assert body["read_only"] is True
    assert body["expires_at"]
    token = ApiToken.objects.get(public_id=body["id"])
    assert body["token"] not in token.secret_hash
    client = Client(headers={"authorization": f"Bearer {body['token']}"})
    assert client.get("/api/v1/accounts").status_code == 200
    assert client.post("/api/v1/accounts/x/suspend").status_code == 403


def test_api_token_create_for_an_unknown_user_fails(capsys):
    code, body = cli(capsys, "api-token", "create", "--user", "nobody")
    assert code == 1
    assert body["error"]["field"] == "user"


def test_a_broken_panel_config_is_reported_not_a_traceback(tmp_path):
    config = tmp_path / "panel.toml"
    config.write_text("no_such_key = 1\n")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-m", "supercp.cli.main", "--json", "admin", "create", "ada"],
        env={**env, "SUPERCP_PANEL_CONFIG": str(config)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"]["code"] == "panel-config"
    assert "Traceback" not in done.stderr


# --- super-cli account …: through the panel's service layer, with the installed daemon ------


def test_account_create_list_delete(capsys, account_name):
    name = account_name()
    code, created = cli(capsys, "account", "create", name, "--email", "carol@example.test")
    assert code == 0
    assert created["created"] is True
    assert created["account"]["name"] == name
    assert created["account"]["home"] == f"/home/{name}"
    assert user_exists(name)
    # The panel knows it too: the account, and a customer login with the printed password.
    account = HostingAccount.objects.get(name=name)
    assert account.user.check_password(created["password"])
    assert account.user.email == "carol@example.test"
    event = AuditEvent.objects.get(action="account.create", target=name)
    assert (event.actor, event.actor_name) == (None, "root (super-cli)")

    code, listed = cli(capsys, "account", "list")
    assert code == 0
    row = next(a for a in listed["accounts"] if a["name"] == name)
    assert row["uid"] == created["account"]["uid"]
    assert (row["state"], row["suspended"], row["reseller"]) == ("active", False, None)

    assert cli(capsys, "account", "delete", name) == (0, {"name": name, "removed": True})
    assert not user_exists(name)
    assert not HostingAccount.objects.filter(name=name).exists()
    assert name not in [a["name"] for a in cli(capsys, "account", "list")[1]["accounts"]]


def test_account_create_for_a_reseller_keeps_to_the_limit(capsys, world, account_name):
    world.rita.user.max_accounts = 1
    world.rita.user.save()
    code, body = cli(capsys, "account", "create", account_name(), "--reseller", "rita")
    assert code == 1
    assert body["error"]["code"] == "account-limit"


def test_an_account_the_panel_does_not_know_is_not_found(capsys):
    code, body = cli(capsys, "account", "delete", "carol")
    assert code == 1
    assert body == {
        "error": {"code": "not-found", "message": "no account 'carol'", "field": "name"}
    }


def test_account_suspend_and_unsuspend_keep_the_shell(capsys, account_name):
    name = account_name()
    cli(capsys, "account", "create", name, "--shell")
    code, body = cli(capsys, "account", "suspend", name)
    assert code == 0
    assert body["created"] is False
    assert body["account"]["suspended"] is True
    assert body["account"]["shell"] == "/bin/bash"
    assert HostingAccount.objects.get(name=name).state == State.SUSPENDED
    assert cli(capsys, "account", "unsuspend", name)[1]["account"]["suspended"] is False
    assert cli(capsys, "account", "suspend", "sctnobody")[1]["error"]["code"] == "not-found"


def test_account_commands_print_tables_for_humans(capsys, account_name):
    name = account_name()
    assert main(["account", "create", name]) == 0
    assert main(["account", "list"]) == 0
    out = capsys.readouterr().out
    assert f"Created account {name}" in out
    assert "one-time password" in out
    assert "account(s)" in out
