"""super-cli plan … and account create --plan, plan and usage, run in-process on the test
database (zones in the real PowerDNS, accounts through the installed daemon)."""

from __future__ import annotations

import json

from supercp.cli.main import main
from supercp.web.accounts.models import HostingAccount
from supercp.web.core.models import AuditEvent
from supercp.web.dns import services as dns
from supercp.web.dns.services import NewZone
from supercp.web.plans import services as plans
from supercp.web.plans.models import Plan
from supercp.web.plans.services import PlanValues
from tests.web.conftest import user_exists


def cli(capsys, *args: str) -> tuple[int, dict]:
    code = main(["--json", *args])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1, lines
    return code, json.loads(lines[0])


def test_a_plan_from_create_through_update_to_delete(capsys):
    code, body = cli(
        capsys,
        "plan",
        "create",
        "Gold",
        "--sites",
        "5",
        "--dns-zones",
        "unlimited",
        "--php-versions",
        "8.2,8.3",
        "--php-max-children",
        "3",
        "--no-shell",
    )
    assert (code, body["created"]) == (0, True), body
    made = body["plan"]
    assert (made["name"], made["reseller"], made["accounts"]) == ("Gold", None, 0)
    assert (made["sites"], made["dns_zones"], made["disk_mb"]) == (5, None, None)
    assert (made["php_versions"], made["php_max_children"]) == (["8.2", "8.3"], 3)
    assert made["shell_access"] is False
    assert "Gold" in [p["name"] for p in cli(capsys, "plan", "list")[1]["plans"]]

    code, body = cli(
        capsys,
        "plan",
        "update",
        "Gold",
        "--sites",
        "unlimited",
        "--aliases",
        "7",
        "--rename",
        "Platinum",
    )
    assert code == 0, body
    changed = body["plan"]
    assert (changed["name"], changed["sites"], changed["aliases"]) == ("Platinum", None, 7)
    # What no option named keeps the plan's values.
    assert (changed["php_versions"], changed["php_max_children"]) == (["8.2", "8.3"], 3)
    assert cli(capsys, "plan", "show", "Platinum") == (0, {"plan": changed})
    assert cli(capsys, "plan", "show", "Gold")[1]["error"]["code"] == "not-found"

    code, body = cli(capsys, "plan", "delete", "Platinum")
    assert (code, body) == (0, {"plan": "Platinum", "reseller": None, "deleted": True})
    assert not Plan.objects.filter(name="Platinum").exists()
    assert AuditEvent.objects.get(action="plan.delete", target="Platinum").actor is None


def test_plan_update_default_makes_it_the_plan_new_accounts_get(capsys):
    assert cli(capsys, "plan", "create", "Gold")[0] == 0
    code, body = cli(capsys, "plan", "update", "Gold", "--default")
    assert (code, body["plan"]["is_default"]) == (0, True)
    assert plans.default_plan().name == "Gold"


def test_a_limit_that_is_no_number_is_refused_naming_the_field(capsys):
    code, body = cli(capsys, "plan", "create", "Bad", "--dns-zones", "lots")
    assert code == 1
    assert (body["error"]["code"], body["error"]["field"]) == ("validation", "dns_zones")
    code, body = cli(capsys, "plan", "create", "Bad", "--sites", "-1")
    assert (code, body["error"]["field"]) == (1, "sites")
    assert not Plan.objects.filter(name="Bad").exists()
    # Neither is it taken by an update.
    cli(capsys, "plan", "create", "Good", "--mailboxes", "UNLIMITED")
    code, body = cli(capsys, "plan", "update", "Good", "--mailboxes", "5x")
    assert (code, body["error"]["field"]) == (1, "mailboxes")
    assert Plan.objects.get(name="Good").mailboxes is None


def test_a_resellers_plan_is_reached_with_reseller(capsys, world):
    plans.create_plan(world.rita, PlanValues("Basic", sites=2))
    assert cli(capsys, "plan", "show", "Basic")[1]["error"]["code"] == "not-found"
    code, body = cli(capsys, "plan", "update", "Basic", "--reseller", "rita", "--sites", "3")
    assert (code, body["plan"]["reseller"], body["plan"]["sites"]) == (0, "rita", 3)
    code, body = cli(capsys, "plan", "delete", "Basic", "--reseller", "rita")
    assert (code, body["deleted"]) == (0, True)


def test_account_create_puts_the_account_on_the_plan_named(capsys, account_name):
    cli(capsys, "plan", "create", "Small", "--dns-zones", "1")
    name = account_name()
    code, body = cli(capsys, "account", "create", name, "--plan", "Small")
    assert (code, body["plan"]) == (0, "Small"), body
    assert HostingAccount.objects.get(name=name).plan.name == "Small"
    # A plan without shell access gives no login shell, and an unknown plan no account.
    for args, field in [
        (("--plan", "Small", "--shell"), "login_shell"),
        (("--plan", "Nope"), "plan"),
    ]:
        other = account_name()
        code, body = cli(capsys, "account", "create", other, *args)
        assert (code, body["error"]["field"]) == (1, field)
        assert not user_exists(other)


def test_account_plan_moves_an_account_unless_it_uses_more(capsys, world, zone_name):
    bob = world.bob_account.name
    dns.create_zone(world.bob, NewZone(zone_name()))
    dns.create_zone(world.bob, NewZone(zone_name()))
    cli(capsys, "plan", "create", "Small", "--dns-zones", "1")
    cli(capsys, "plan", "create", "Big", "--dns-zones", "2")
    code, body = cli(capsys, "account", "plan", bob, "Small")
    assert code == 1
    assert (body["error"]["code"], body["error"]["field"]) == ("over-plan", "dns_zones")
    world.bob_account.refresh_from_db()
    assert world.bob_account.plan.is_default

    assert cli(capsys, "account", "plan", bob, "Big") == (
        0,
        {"account": bob, "plan": "Big", "reseller": None},
    )
    world.bob_account.refresh_from_db()
    assert world.bob_account.plan.name == "Big"
    assert cli(capsys, "plan", "show", "Big")[1]["plan"]["accounts"] == 1
    event = AuditEvent.objects.get(action="account.plan", target=bob)
    assert (event.actor_name, event.details["previous"]) == (
        "root (super-cli)",
        plans.default_plan().name,
    )


def test_account_plan_gives_a_resellers_customer_the_resellers_plan(capsys, world):
    plans.create_plan(world.rita, PlanValues("Rita basic"))
    alice = world.alice_account.name
    code, body = cli(capsys, "account", "plan", alice, "Rita basic", "--reseller", "rita")
    assert (code, body["reseller"]) == (0, "rita"), body
    code, body = cli(capsys, "account", "plan", world.bob_account.name, "Rita basic")
    assert (code, body["error"]["code"]) == (1, "not-found")


def test_account_usage_shows_each_limit_with_its_use(capsys, world, zone_name):
    cli(capsys, "plan", "create", "Small", "--dns-zones", "3")
    bob = world.bob_account.name
    cli(capsys, "account", "plan", bob, "Small")
    dns.create_zone(world.bob, NewZone(zone_name()))
    code, body = cli(capsys, "account", "usage", bob)
    assert (code, body["account"], body["plan"]) == (0, bob, "Small")
    by_limit = {r["limit"]: (r["allowed"], r["used"]) for r in body["limits"]}
    assert by_limit["dns_zones"] == (3, 1)
    assert by_limit["sites"] == (None, 0)
    # No module counts mailboxes yet.
    assert by_limit["mailboxes"] == (None, None)
    assert cli(capsys, "account", "usage", "sctnobody")[1]["error"]["code"] == "not-found"


def test_plan_totals_gives_a_reseller_its_totals_and_takes_them_away(capsys, world):
    cli(capsys, "plan", "create", "Rita totals", "--sites", "10")
    code, body = cli(capsys, "plan", "totals", "rita", "Rita totals")
    assert (code, body) == (0, {"reseller": "rita", "totals": "Rita totals"})
    assert plans.totals_of(world.rita.user) == Plan.objects.get(name="Rita totals")
    assert cli(capsys, "plan", "show", "Rita totals")[1]["plan"]["resellers"] == ["rita"]
    assert cli(capsys, "plan", "delete", "Rita totals")[1]["error"]["code"] == "plan-in-use"
    # PLAN or --none, not both nor neither.
    for args in [("rita",), ("rita", "Rita totals", "--none")]:
        code, body = cli(capsys, "plan", "totals", *args)
        assert (code, body["error"]["code"]) == (1, "usage")

    assert cli(capsys, "plan", "totals", "rita", "--none") == (
        0,
        {"reseller": "rita", "totals": None},
    )
    assert plans.totals_of(world.rita.user) is None
    code, body = cli(capsys, "plan", "totals", "nobody", "--none")
    assert (code, body["error"]["field"]) == (1, "reseller")


def test_plan_commands_print_tables_for_humans(capsys, world):
    assert main(["plan", "create", "Small", "--sites", "2"]) == 0
    assert main(["account", "plan", world.bob_account.name, "Small"]) == 0
    assert main(["plan", "list"]) == 0
    assert main(["plan", "show", "Small"]) == 0
    assert main(["account", "usage", world.bob_account.name]) == 0
    shown = capsys.readouterr().out
    assert "Created plan Small" in shown
    assert "plan(s)" in shown
    assert "sites: 2" in shown
    assert "unlimited" in shown
    assert "—" in shown
