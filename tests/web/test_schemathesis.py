"""Schemathesis against /api/v1/openapi.json: no 5xx, and every answer is the one documented.

The schema is loaded from the panel itself and every request goes through Django's WSGI
handler in this process (``schemathesis.openapi.from_wsgi``): the same middleware and URLs as
the served panel, but in the test's own thread, so requests share pytest-django's database
connection and see (and roll back with) the test's transaction. The ASGI app would run views in
other threads, which needs ``transactional_db`` and a table flush after every test.

Checks: Schemathesis's defaults (no 5xx; status code, content type, headers and body as
documented; schema-invalid input refused with a 4xx; no answer without credentials; 405 for
undocumented methods), as an admin's token, as a read-only token (every change must be a
documented 403 ``read-only``), and as a logged-in session with its CSRF token (the only way to
create tokens). The success answers that random input rarely reaches (an account's whole life,
a token's) are sent as explicit cases and checked by the same checks.

Real Linux users: POST /accounts is fuzzed too, not excluded, because it is the endpoint that
matters most. Random input that passes every rule (a name matching ^[a-z][a-z0-9_-]{0,31}$ that
is not reserved and not on the system, a strong password) creates a real user through the
daemon, and the daemon refuses names that already exist (unmanaged users) or are reserved, so
nothing that exists is touched. ``cleanup`` then deletes, through the service layer, every
HostingAccount of the test's database that the daemon manages (the daemon removes each Linux
user and its home) and, as a safety net, asks the daemon to remove any account the API
answered 201 for that it still lists.

Exceptions, each with its reason:
- POST /accounts: the ``positive_data_acceptance`` check is off, because the API has rules the
  schema cannot state (Django's password validators besides the length, the e-mail format):
  schema-valid input is refused with a documented 400.
- POST and PATCH /sites: ``positive_data_acceptance`` is off too, because a host name may be
  given in Unicode (so the schema states only its length) and is refused with a documented
  400 when it is none.
- /dns: ``positive_data_acceptance`` is off for all of it, for the same reason (zone names)
  and because a record's data, a secondary's address and a template are checked with
  dnspython's and the zone's rules, which no schema states.
- POST /plans and PUT /plans/{name}: ``positive_data_acceptance`` is off, because a default
  mailbox quota above the largest is refused with a documented 400: a rule between two
  fields, which the schema cannot state.

Zones: random input that passes every rule creates a zone in PowerDNS's real database (as
an admin's zone of a random name; an existing zone is never touched, its name is taken).
``cleanup`` removes from PowerDNS every zone of the test's database.

The read-only run generates schema-valid input only, so that every change reaches the
read-only refusal (request bodies are validated before any endpoint runs, so an invalid body is
a 400 for every credential); whatever the answer, no change may be audited, and every change
is audited in its own transaction.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, settings

from supercp.protocol.client import DaemonClient
from supercp.protocol.names import ACCOUNT_NAME_PATTERN
from supercp.web.accounts import services as accounts
from supercp.web.accounts.models import HostingAccount
from supercp.web.core import services as core
from supercp.web.core.authz import Actor
from supercp.web.core.models import AuditEvent, Role, User
from supercp.web.core.services import MAX_TOKEN_DAYS
from supercp.web.dns import pdns
from supercp.web.dns.models import Zone
from supercp.web.plans import services as plans
from tests.web.conftest import PASSWORD, SOCKET, make_user

OPENAPI = "/api/v1/openapi.json"
ACCOUNTS = "/api/v1/accounts"
TOKENS = "/api/v1/tokens"
SITES = "/api/v1/sites"
DNS = "/api/v1/dns"
PLANS = "/api/v1/plans"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Examples per operation and generation phase; SUPERCP_FUZZ_EXAMPLES=500 for a long run, and
# SUPERCP_FUZZ_RANDOM=1 for new input each run (the default is the same input every run).
EXAMPLES = int(os.environ.get("SUPERCP_FUZZ_EXAMPLES", "25"))
DETERMINISTIC = os.environ.get("SUPERCP_FUZZ_RANDOM", "") != "1"


class InProcessWSGI:
    """Django's WSGI handler, called the way Django's test Client calls it.

    A real request ends with close_old_connections, which closes a connection that is inside
    a transaction and so breaks the test's transaction; the test Client leaves it out too.
    """

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            body = list(response)
            response.close()  # sends request_finished, as the WSGI server would
            return body
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


def load(*, positive_only: bool = False, session: bool = False) -> schemathesis.BaseSchema:
    """The panel's schema, with this module's generation settings and exceptions.

    ``session``: requests carry a session cookie, which Schemathesis cannot tell from the
    cookies it generates itself, so its check that credentials are enforced would misfire;
    the token runs make that check for every operation.
    """
    config: dict[str, Any] = {
        "checks": {"ignored_auth": {"enabled": not session}},
        "generation": {
            "max-examples": EXAMPLES,
            "deterministic": DETERMINISTIC,
            "database": "none",
            "mode": "positive" if positive_only else "all",
        },
        "operations": [
            {
                "include-method": "POST",
                "include-path": ACCOUNTS,
                "checks": {"positive_data_acceptance": {"enabled": False}},
            },
            # By name: include-path and include-method would match either, not both.
            *(
                {"include-name": name, "checks": {"positive_data_acceptance": {"enabled": False}}}
                for name in (
                    f"POST {SITES}",
                    f"PATCH {SITES}/{{domain}}",
                    f"POST {PLANS}",
                    f"PUT {PLANS}/{{name}}",
                )
            ),
            {
                "include-path-regex": f"^{DNS}/",
                "checks": {"positive_data_acceptance": {"enabled": False}},
            },
        ],
    }
    return schemathesis.openapi.from_wsgi(
        OPENAPI, InProcessWSGI(), config=schemathesis.Config.from_dict(config)
    )


schema = load()
read_only_schema = load(positive_only=True)
session_schema = load(session=True)
# Each fixture holds for one operation's examples (one database transaction per operation).
per_operation = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


# --- who asks ---------------------------------------------------------------------------------


@pytest.fixture
def admin() -> Actor:
    return Actor(make_user("admin", Role.ADMIN), ip="192.0.2.1")


@pytest.fixture
def cleanup(admin: Actor) -> Iterator[list[str]]:
    """Names the API said it created; every account it made is removed from the system."""
    created: list[str] = []
    yield created
    # Zones the API made: out of PowerDNS's real database.
    with pdns.transaction() as tx:
        for domain in tx.domains(sorted(Zone.objects.values_list("name", flat=True))).values():
            tx.delete_domain(domain.id)
    Zone.objects.all().delete()
    with DaemonClient(SOCKET) as c:
        managed = {a["name"] for a in c.call("accounts.list")["accounts"]}
    in_db = set(HostingAccount.objects.values_list("name", flat=True))
    # Through the service layer, which has the daemon remove the Linux user and its home.
    for name in sorted(in_db & managed):
        accounts.delete_account(admin, name)
    # A row the API deleted without its user (should never happen): the daemon directly.
    with DaemonClient(SOCKET) as c:
        for name in sorted(set(created) & managed - in_db):
            c.call("accounts.remove", {"name": name})


@pytest.fixture
def seeded(admin: Actor) -> list[str]:
    """Two accounts in the database only (no Linux users), so lists have items to check.

    Only a change calls the daemon, and random input does not guess these names; if it did
    (suspending makes the Linux user), ``cleanup`` would remove what the daemon made.
    """
    names = ["sch" + get_random_string(12, "abcdef0123456789") for _ in range(2)]
    rita = make_user("rita", Role.RESELLER, max_accounts=5)
    for name, reseller in zip(names, (None, rita), strict=True):
        user = User.objects.create_user(
            name, f"{name}@example.test", role=Role.CUSTOMER, reseller=reseller
        )
        HostingAccount.objects.create(
            name=name, user=user, reseller=reseller, plan=plans.default_plan()
        )
    return names


@dataclass(frozen=True)
class Credentials:
    """What a client sends to authenticate: headers and cookies for ``Case.call``."""

    headers: dict[str, str]
    cookies: dict[str, str] | None = None

    def __call__(self, case: schemathesis.Case, created: list[str]) -> schemathesis.Response:
        """Send the case with these credentials; every check runs on the answer."""
        response = case.call_and_validate(headers=self.headers, cookies=self.cookies)
        if case.method == "POST" and case.path == ACCOUNTS and response.status_code == 201:
            created.append(response.json()["name"])
        return response

    def client(self) -> Client:
        """A Django test client that sends the same credentials."""
        client = Client(headers=self.headers)
        for name, value in (self.cookies or {}).items():
            client.cookies[name] = value
        return client


def bearer(actor: Actor, **options: Any) -> Credentials:
    token = core.issue_token(actor.user, "schemathesis", **options).plaintext
    return Credentials({"Authorization": f"Bearer {token}"})


def logged_in(actor: Actor, *, csrf: bool = True) -> Credentials:
    """A browser's session cookie, and the CSRF token as Inertia sends it."""
    client = Client()
    client.force_login(actor.user)
    secret = get_random_string(32)
    cookies = {"supercp_session": client.cookies["supercp_session"].value, "XSRF-TOKEN": secret}
    return Credentials({"X-XSRF-TOKEN": secret} if csrf else {}, cookies)


@pytest.fixture
def token(admin: Actor) -> Credentials:
    return bearer(admin)


@pytest.fixture
def read_only_token(admin: Actor) -> Credentials:
    return bearer(admin, read_only=True)


@pytest.fixture
def browser(admin: Actor) -> Credentials:
    return logged_in(admin)


# --- fuzzing ----------------------------------------------------------------------------------


@schema.parametrize()
@per_operation
def test_every_answer_to_an_admin_token_is_documented(case, token, seeded, cleanup):
    token(case, cleanup)


@read_only_schema.parametrize()
@per_operation
def test_a_read_only_token_reads_and_every_change_is_a_documented_403(
    case, read_only_token, seeded, cleanup
):
    changes = AuditEvent.objects.count()
    response = read_only_token(case, cleanup)
    assert AuditEvent.objects.count() == changes, response.text
    # Probes with undocumented methods (405) are Schemathesis's own business.
    if case.method.upper() in UNSAFE and case.method.upper() == case.operation.method.upper():
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "read-only"
    else:
        assert response.status_code != 403, response.text


@session_schema.parametrize()
@per_operation
def test_every_answer_to_a_logged_in_session_is_documented(case, browser, seeded, cleanup):
    browser(case, cleanup)


# --- success paths, as explicit cases ----------------------------------------------------------


def operation(
    method: str, path: str, of: schemathesis.BaseSchema = schema
) -> Callable[..., schemathesis.Case]:
    return of[path][method].Case


def test_an_accounts_whole_life_is_documented(token, cleanup):
    name = "sch" + get_random_string(12, "abcdef0123456789")
    body = {"name": name, "email": "carol@example.test", "password": PASSWORD}
    one = {"path_parameters": {"name": name}}
    steps: list[tuple[schemathesis.Case, int]] = [
        (operation("POST", ACCOUNTS)(body=body), 201),
        (operation("POST", ACCOUNTS)(body=body), 409),
        (operation("GET", ACCOUNTS)(query={"search": name}), 200),
        (operation("GET", f"{ACCOUNTS}/{{name}}")(**one), 200),
        (operation("POST", f"{ACCOUNTS}/{{name}}/suspend")(**one), 200),
        (operation("POST", f"{ACCOUNTS}/{{name}}/unsuspend")(**one), 200),
        (operation("DELETE", f"{ACCOUNTS}/{{name}}")(**one), 204),
        (operation("GET", f"{ACCOUNTS}/{{name}}")(**one), 404),
        (operation("DELETE", f"{ACCOUNTS}/{{name}}")(**one), 404),
    ]
    for case, status in steps:
        response = token(case, cleanup)
        assert response.status_code == status, (case.method, case.formatted_path, response.text)


def test_a_sites_whole_life_is_documented(token, cleanup):
    account = "sch" + get_random_string(12, "abcdef0123456789")
    made = token(operation("POST", ACCOUNTS)(body={"name": account, "password": PASSWORD}), cleanup)
    assert made.status_code == 201, made.text
    domain = f"{account}.example.test"
    body = {"domain": domain, "account": account, "www": True}
    one = {"path_parameters": {"domain": domain}}
    steps: list[tuple[schemathesis.Case, int]] = [
        (operation("GET", f"{SITES}/php-versions")(), 200),
        (operation("POST", SITES)(body=body), 201),
        (operation("POST", SITES)(body=body), 409),
        (operation("GET", SITES)(query={"search": domain}), 200),
        (operation("GET", f"{SITES}/{{domain}}")(**one), 200),
        (operation("PATCH", f"{SITES}/{{domain}}")(**one, body={"redirect_aliases": True}), 200),
        (operation("POST", f"{SITES}/{{domain}}/suspend")(**one), 200),
        (operation("POST", f"{SITES}/{{domain}}/unsuspend")(**one), 200),
        (operation("GET", f"{SITES}/{{domain}}/logs")(**one, query={"kind": "error"}), 200),
        (operation("DELETE", f"{SITES}/{{domain}}")(**one, query={"remove_files": True}), 204),
        (operation("GET", f"{SITES}/{{domain}}")(**one), 404),
    ]
    for case, status in steps:
        response = token(case, cleanup)
        assert response.status_code == status, (case.method, case.formatted_path, response.text)


def test_a_zones_whole_life_is_documented(token, cleanup):
    zone = "sch" + get_random_string(12, "abcdef0123456789") + ".supercp-test"
    one = {"path_parameters": {"zone": zone}}
    record = {"name": "www", "type": "A", "content": "192.0.2.1", "ttl": 300}
    steps: list[tuple[schemathesis.Case, int]] = [
        (operation("POST", f"{DNS}/zones")(body={"name": zone}), 201),
        (operation("POST", f"{DNS}/zones")(body={"name": zone}), 409),
        (operation("GET", f"{DNS}/zones")(query={"search": zone}), 200),
        (operation("GET", f"{DNS}/zones/{{zone}}")(**one), 200),
        (operation("POST", f"{DNS}/zones/{{zone}}/records")(**one, body=record), 201),
        (operation("POST", f"{DNS}/zones/{{zone}}/records")(**one, body=record), 409),
        (operation("GET", f"{DNS}/zones/{{zone}}/records")(**one), 200),
        (operation("GET", f"{DNS}/zones/{{zone}}/export")(**one), 200),
        (
            operation("POST", f"{DNS}/zones/{{zone}}/import")(
                **one, body={"zone_file": "www 300 IN A 192.0.2.2\n"}
            ),
            200,
        ),
        (
            operation("PUT", f"{DNS}/zones/{{zone}}/secondaries")(
                **one, body={"secondaries": ["192.0.2.53"]}
            ),
            200,
        ),
        (operation("GET", f"{DNS}/zones/{{zone}}/secondaries")(**one), 200),
        (operation("POST", f"{DNS}/zones/{{zone}}/secure")(**one, body={}), 200),
        (operation("GET", f"{DNS}/zones/{{zone}}/dnssec")(**one), 200),
        (operation("POST", f"{DNS}/zones/{{zone}}/unsecure")(**one), 200),
        (operation("GET", f"{DNS}/templates")(), 200),
        (operation("GET", f"{DNS}/templates/{{name}}")(path_parameters={"name": "default"}), 200),
        (operation("GET", f"{DNS}/settings")(), 200),
        (operation("PATCH", f"{DNS}/settings")(body={"ttl": 600}), 200),
        (operation("DELETE", f"{DNS}/zones/{{zone}}")(**one), 204),
        (operation("GET", f"{DNS}/zones/{{zone}}")(**one), 404),
    ]
    for case, status in steps:
        response = token(case, cleanup)
        assert response.status_code == status, (case.method, case.formatted_path, response.text)
    listed = token(operation("GET", f"{DNS}/zones")(), cleanup).json()
    assert zone not in [z["name"] for z in listed["items"]]


def test_a_records_whole_life_is_documented(token, cleanup):
    zone = "sch" + get_random_string(12, "abcdef0123456789") + ".supercp-test"
    assert token(operation("POST", f"{DNS}/zones")(body={"name": zone}), cleanup).status_code == 201
    made = token(
        operation("POST", f"{DNS}/zones/{{zone}}/records")(
            path_parameters={"zone": zone},
            body={"name": "mail", "type": "MX", "content": "10 mx.example.net"},
        ),
        cleanup,
    )
    assert made.status_code == 201, made.text
    one = {"path_parameters": {"zone": zone, "record_id": made.json()["id"]}}
    path = f"{DNS}/zones/{{zone}}/records/{{record_id}}"
    for case, status in (
        (operation("GET", path)(**one), 200),
        (operation("PATCH", path)(**one, body={"ttl": 900}), 200),
        (operation("DELETE", path)(**one), 204),
        (operation("GET", path)(**one), 404),
    ):
        response = token(case, cleanup)
        assert response.status_code == status, (case.method, case.formatted_path, response.text)


def test_a_plans_whole_life_is_documented(token, cleanup):
    make_user("sam", Role.RESELLER)
    account = "sch" + get_random_string(12, "abcdef0123456789")
    gold = {"path_parameters": {"name": "Sch-gold"}}
    on = {"path_parameters": {"name": account}}
    totals = operation("PUT", f"{PLANS}/resellers/{{reseller}}/totals")
    steps: list[tuple[schemathesis.Case, int]] = [
        (operation("POST", PLANS)(body={"name": "Sch-gold", "sites": 5}), 201),
        (operation("POST", PLANS)(body={"name": "Sch-gold"}), 409),
        (operation("POST", PLANS)(body={"name": "Sch-silver", "php_versions": ["8.2"]}), 201),
        (operation("GET", PLANS)(), 200),
        (operation("GET", f"{PLANS}/{{name}}")(**gold), 200),
        (operation("PUT", f"{PLANS}/{{name}}")(**gold, body={"name": "Sch-gold", "sites": 6}), 200),
        (
            operation("POST", ACCOUNTS)(
                body={"name": account, "password": PASSWORD, "plan": "Sch-gold"}
            ),
            201,
        ),
        (operation("GET", f"{ACCOUNTS}/{{name}}/usage")(**on), 200),
        (operation("DELETE", f"{PLANS}/{{name}}")(**gold), 409),
        (operation("PUT", f"{ACCOUNTS}/{{name}}/plan")(**on, body={"plan": "Sch-silver"}), 200),
        (totals(path_parameters={"reseller": "sam"}, body={"plan": "Sch-silver"}), 200),
        (totals(path_parameters={"reseller": "sam"}, body={"plan": None}), 200),
        (operation("DELETE", f"{PLANS}/{{name}}")(**gold), 204),
        (operation("GET", f"{PLANS}/{{name}}")(**gold), 404),
    ]
    for case, status in steps:
        response = token(case, cleanup)
        assert response.status_code == status, (case.method, case.formatted_path, response.text)


def test_a_tokens_whole_life_is_documented(browser, cleanup):
    revoke = operation("DELETE", f"{TOKENS}/{{token_id}}", session_schema)
    made = operation("POST", TOKENS, session_schema)(
        body={"name": "ci", "read_only": True, "expires_days": 30}
    )
    created = browser(made, cleanup)
    assert created.status_code == 201, created.text
    token_id = created.json()["id"]
    new = Credentials({"Authorization": f"Bearer {created.json()['token']}"})
    listed = new(operation("GET", TOKENS)(), cleanup)
    assert [t["id"] for t in listed.json()] == [token_id]
    # A token may not make tokens, nor (being read-only) revoke itself.
    assert new(operation("POST", TOKENS)(body={"name": "more"}), cleanup).status_code == 403
    own = revoke(path_parameters={"token_id": token_id})
    assert new(own, cleanup).status_code == 403
    assert browser(own, cleanup).status_code == 204
    assert new(operation("GET", TOKENS)(), cleanup).status_code == 401
    assert browser(revoke(path_parameters={"token_id": "0" * 16}), cleanup).status_code == 404


def test_a_session_without_its_csrf_token_gets_a_documented_403(admin, cleanup):
    made = operation("POST", TOKENS, session_schema)(body={"name": "x"})
    response = logged_in(admin, csrf=False)(made, cleanup)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf"


# --- regressions of earlier findings ------------------------------------------------------------


def test_a_page_number_past_any_end_is_not_a_server_error(token):
    response = token.client().get(ACCOUNTS, {"page": 10**30})
    assert response.status_code in (200, 400), response.content


def test_a_body_over_the_upload_limit_is_not_a_server_error(token):
    body = '{"name": "%s"}' % ("a" * 3_000_000)
    response = token.client().post(ACCOUNTS, body, content_type="application/json")
    assert response.status_code in (400, 413), response.content


def test_a_session_post_with_a_malformed_multipart_type_is_not_a_server_error(browser):
    response = browser.client().generic(
        "POST", TOKENS, b'{"name": "x"}', content_type="multipart/form-data"
    )
    # Either refused as malformed or read as the JSON it is; never a server error.
    assert response.status_code < 500, response.content


def _account_in() -> dict[str, Any]:
    doc = Client().get(OPENAPI).json()
    return doc["components"]["schemas"]["AccountIn"]["properties"]


def test_the_schema_states_the_account_name_rule():
    assert _account_in()["name"].get("pattern") == ACCOUNT_NAME_PATTERN


def test_the_schema_states_the_password_minimum():
    assert _account_in()["password"]["minLength"] == 12


def test_an_integral_float_is_taken_as_an_integer(browser):
    body = {"name": "x", "expires_days": 3.0}
    response = browser.client().post(TOKENS, body, content_type="application/json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("days", ['"3"', "3.5", "true", "1e400", "NaN"])
def test_anything_but_an_integral_number_is_still_refused(browser, days):
    body = f'{{"name": "x", "expires_days": {days}}}'
    response = browser.client().post(TOKENS, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == "expires_days"


def test_the_schema_states_the_token_lifetime_bounds():
    doc = Client().get(OPENAPI).json()
    days = doc["components"]["schemas"]["TokenIn"]["properties"]["expires_days"]["anyOf"][0]
    assert (days["minimum"], days["maximum"]) == (1, MAX_TOKEN_DAYS)


def test_an_undocumented_method_is_a_405_with_the_apis_json_error(token):
    response = token.client().put(ACCOUNTS)
    assert response.status_code == 405
    assert sorted(response["Allow"].split(", ")) == ["GET", "POST"]
    assert response.json()["error"]["code"] == "method-not-allowed"
