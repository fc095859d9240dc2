"""services.* against the real services the installer set up."""

import pytest

from supercp.protocol.errors import InvalidParams

SERVICES = ["nginx", "php-fpm", "mariadb", "postfix", "dovecot", "pdns", "pure-ftpd"]


def test_every_managed_service_is_installed_and_running(client):
    statuses = client.call("services.status")["services"]
    assert {s["name"] for s in statuses} == set(SERVICES)
    for s in statuses:
        assert s["version"], s
        assert s["state"] == "running", s


@pytest.mark.parametrize("service", SERVICES)
def test_reload_leaves_each_service_running(client, service):
    after = client.call("services.reload", {"service": service})["services"]
    assert after
    assert all(s["state"] == "running" for s in after), after


def test_restart_brings_a_service_back(client):
    after = client.call("services.restart", {"service": "nginx"})["services"]
    assert [s["state"] for s in after] == ["running"]


@pytest.mark.parametrize("service", ["ssh", "cron", "nginx; id", "../nginx", "NGINX"])
def test_services_outside_the_allow_list_are_refused(client, service):
    with pytest.raises(InvalidParams) as caught:
        client.call("services.restart", {"service": service})
    assert caught.value.field == "service"
