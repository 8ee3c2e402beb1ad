"""Two app hosts on one PostgreSQL, each with its own index directory: an organization
published through host A is found by search through host B within 2 seconds."""

import time

import pytest
from sqlalchemy import select

from matcher.models import Organization, Service
from tests.conftest import TEST_DB
from tests.fixtures_accounts import PASSWORD, make_user
from tests.servers import Browser, gunicorn_hosts

pytestmark = pytest.mark.skipif(
    TEST_DB != "postgres", reason="two hosts share one PostgreSQL: runs in the postgres pass"
)


def _hits(host: Browser, query: str) -> set[str]:
    return {r["id"] for r in host.json(f"/api/v1/search?q={query}&per_page=50")["results"]}


def test_a_publication_on_host_a_is_searchable_on_host_b_within_two_seconds(
    session, database_url, tmp_path
):
    service = session.scalars(
        select(Service)
        .join(Organization)
        .where(Service.status == "active", Organization.published.is_(True))
        .order_by(Service.name)
    ).first()
    org = service.organization
    org.published = False  # awaiting approval when both hosts start
    session.commit()
    admin = make_user(session, "admin")
    query = service.name.split()[0]

    hosts = [tmp_path / "index-a", tmp_path / "index-b"]
    with gunicorn_hosts(database_url, hosts, tmp_path) as (server_a, server_b):
        host_a, host_b = Browser(server_a.base_url), Browser(server_b.base_url)
        assert service.id not in _hits(host_b, query)

        host_a.login(admin.email, PASSWORD)
        token = host_a.csrf_token("/admin/freshness")
        approved_at = time.monotonic()
        status, _page = host_a.request(
            f"/admin/organizations/{org.id}/published", {"published": "1", "csrf_token": token}
        )
        assert status == 200
        while service.id not in _hits(host_b, query):
            assert time.monotonic() - approved_at < 2.0, server_b.log()[-2000:]
            time.sleep(0.05)
        assert service.id in _hits(host_a, query)
        assert '"request_id"' in server_b.log()  # JSON access log with the request id
