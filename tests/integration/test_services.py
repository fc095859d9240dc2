"""services.* against the real services the installer set up."""

import pytest

from supercp.protocol.errors import InvalidParams, NotFound

SERVICES = ["nginx", "php-fpm", "mariadb", "pdns"]
# Allow-listed, but installed only with the modules that configure them (deploy/os.sh).
LATER = ["postfix", "dovecot", "pure-ftpd"]


def test_every_service_the_installer_sets_up_is_installed_and_running(client):
    statuses = client.call("services.status")["services"]
    assert {s["name"] for s in statuses} == {*SERVICES, *LATER}
    for s in statuses:
        if s["name"] in SERVICES:
            assert s["version"], s
            assert s["state"] == "running", s


@pytest.mark.parametrize("service", LATER)
def test_mail_and_ftp_are_not_installed_on_package_defaults(client, service):
    (status,) = client.call("services.status", {"service": service})["services"]
    assert status["state"] == "not-installed", status
    with pytest.raises(NotFound) as caught:
        client.call("services.reload", {"service": service})
    assert caught.value.code == "not-installed"


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
