"""Fuzzing with hypothesis: any text through search, the place resolver, the HSDS importer
and every public form fails cleanly or not at all. ENLACE_FUZZ_EXAMPLES raises the
number of examples for a long local run (CI keeps it small)."""

import copy
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, func, select

from matcher.access.policy import POLICY
from matcher.directory import geo
from matcher.hsds import HSDSError, importer
from matcher.models import Service, Submission
from matcher.operations import index_sync
from matcher.search.engine import SearchError, request_from_params, search
from matcher.search.index import get_index

FUZZ = settings(
    max_examples=int(os.environ.get("ENLACE_FUZZ_EXAMPLES", "25")),
    deadline=None,
    derandomize=True,  # the same examples on every CI run: a failure reproduces
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MARKER = "<em>fz"
FIELD_RE = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"([^>]*)>')
SKIPPED_FIELDS = {"csrf_token", "website_url", "next"}  # token, honeypot, redirect target


@pytest.fixture
def index(app, session):
    index_dir = Path(app.config["ENLACE_INDEX_DIR"])
    index_sync.sync(session, index_dir)
    yield get_index(index_dir)
    get_index(index_dir).close()


@FUZZ
@given(q=st.text(max_size=200), locale=st.sampled_from(["en", "es"]), near=st.text(max_size=40))
def test_any_unicode_query_gives_a_well_formed_answer(session, index, q, locale, near):
    try:
        request = request_from_params({"q": q, "near": near}, locale)
        response = search(session, index, request).to_dict()
    except SearchError as error:
        assert str(error)  # a message fit for users, e.g. an unknown place
        return
    assert set(response) >= {"total", "results", "page", "per_page", "facets"}
    assert response["total"] >= len(response["results"])
    for result in response["results"]:
        assert result["id"] and isinstance(result["name"], str)


@FUZZ
@given(text=st.text(max_size=120))
def test_the_place_resolver_raises_only_place_error(text):
    try:
        place = geo.resolve_place(text)
    except geo.PlaceError:
        return
    assert -90 <= place.point.latitude <= 90 if hasattr(place, "point") else place is not None


def _counts(session) -> dict[str, int]:
    metadata = MetaData()
    metadata.reflect(session.get_bind())
    return {
        name: session.scalar(select(func.count()).select_from(table))
        for name, table in metadata.tables.items()
    }


@pytest.fixture
def exported_tables(runner, tmp_path):
    out = tmp_path / "export.json"
    assert runner.invoke(args=["export-hsds", "--format", "json", str(out)]).exit_code == 0
    return importer.read(out)


VALUES = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True),
    st.booleans(),
)


@settings(FUZZ, max_examples=max(4, FUZZ.max_examples // 6))
@given(data=st.data())
def test_a_mutated_hsds_row_is_imported_or_rejected_with_nothing_written(
    session, exported_tables, data
):
    tables = copy.deepcopy(exported_tables)
    table = data.draw(st.sampled_from(sorted(name for name, rows in tables.items() if rows)))
    row = data.draw(st.sampled_from(tables[table]))
    field = data.draw(st.sampled_from(sorted(row.values)))
    row.values[field] = data.draw(VALUES)
    before = _counts(session)
    try:
        importer.load(session, tables)
        session.flush()
    except HSDSError as error:
        session.rollback()
        assert str(error)
        assert _counts(session) == before
        return
    finally:
        session.rollback()
    assert _counts(session) == before  # rolled back: this test only checks it loads


def _public_forms(app) -> list:
    forms = []
    for rule in app.url_map.iter_rules():
        if {"GET", "POST"} <= rule.methods and "anonymous" in POLICY.get(rule.endpoint, ()):
            forms.append(rule)
    return sorted(forms, key=lambda rule: rule.rule)


@FUZZ
@given(data=st.data())
def test_every_public_form_takes_any_text_without_a_server_error_and_escapes_it(app, session, data):
    client = app.test_client()
    service_id = session.scalars(select(Service.id).order_by(Service.id)).first()
    for rule in _public_forms(app):
        args = {name: service_id if name == "service_id" else "x" for name in rule.arguments}
        path = rule.build(args, append_unknown=False)[1]
        page = client.get(path)
        if page.status_code != 200:
            continue  # e.g. a token link with a bad token: nothing to fill in
        fields = [
            name
            for name, attrs in FIELD_RE.findall(page.get_data(as_text=True))
            if name not in SKIPPED_FIELDS and 'type="hidden"' not in attrs
        ]
        values = {name: MARKER + data.draw(st.text(max_size=80), label=name) for name in fields}
        response = client.post(path, data=values)
        assert response.status_code < 500, f"{path}: {response.status_code}"
        assert MARKER not in response.get_data(as_text=True), f"{path} echoes unescaped input"


@FUZZ
@given(message=st.text(min_size=1, max_size=300).filter(lambda t: t.strip() and "\x00" not in t))
def test_a_correction_is_stored_verbatim_and_shown_escaped(app, session, message):
    service_id = session.scalars(select(Service.id).order_by(Service.id)).first()
    text = MARKER + message
    response = app.test_client().post(f"/services/{service_id}/correction", data={"message": text})
    assert response.status_code in (302, 400), response.status_code
    session.expire_all()
    if response.status_code == 302:
        stored = session.scalars(
            select(Submission).order_by(Submission.submitted_at.desc())
        ).first()
        assert stored.payload["message"] == text.strip()


# --- every route of the access policy, as a role it admits, with hostile bodies ----------

HOSTILE = [
    "<script>alert(1)</script>",
    "\x00",
    "' OR 1=1--",
    "/\r\nSet-Cookie: x=1",
    "../../etc/passwd",
    "ABCDE",
    "123",
    "25:99",
    "NaN",
    "-1",
    "1e309",
    "9" * 10_000,
    "\ufb00\u202e\u200b",
]
HOSTILE_JSON = [121, True, 3.7, float("nan"), float("inf"), -1, [1], {"a": None}, None, ""]
JSON_KEYS = ["barriers", "language", "near", "age", "q", "status", "email", "name"]
TEMPLATE_FIELDS = sorted(
    {
        name
        for path in (Path(__file__).resolve().parent.parent / "templates").rglob("*.html")
        for name, _attrs in FIELD_RE.findall(path.read_text())
        if "{" not in name
    }
    - {"csrf_token"}
)
SCALARS = st.one_of(
    st.sampled_from(HOSTILE_JSON), st.integers(), st.floats(), st.text(max_size=30),
    st.sampled_from(HOSTILE),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(JSON_KEYS) | st.text(max_size=12), inner, max_size=5),
    max_leaves=12,
)
TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
ROLE_ORDER = ("admin", "coordinator", "partner", "liaison", "anonymous")


@pytest.fixture
def world(app, session, admin_user, coordinator_user, liaison_user, partner_user, partner_org,
          school):
    """A signed-in client per role and a real id for every URL argument."""
    from tests.fixtures_accounts import login
    from tests.needs_support import make_record, make_referral
    from tests.test_registration_review import org_form

    clients = {"anonymous": app.test_client()}
    for role, user in (("admin", admin_user), ("coordinator", coordinator_user),
                       ("liaison", liaison_user), ("partner", partner_user)):
        clients[role] = app.test_client()
        login(clients[role], user)
    draft = clients["partner"].post("/partners/register", data=org_form(name="Fuzz Center"))
    record = make_record(session, coordinator_user)
    referral = make_referral(session, coordinator_user, record, partner_org, consent=True)
    service_id = session.scalars(select(Service.id).order_by(Service.id)).first()
    known = {
        "service_id": service_id, "organization_id": partner_org.id,
        "submission_id": draft.headers["Location"].split("/")[3], "record_id": record.id,
        "referral_id": referral.id, "consent_id": record.consents[0].id,
        "user_id": liaison_user.id, "school_key": school.key, "key": "supply", "index": 0,
        "locale": "es", "code": "mix", "filename": "enlace.css",
    }
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods))):
        if rule.endpoint not in POLICY or rule.endpoint == "auth.logout":
            continue
        role = next(r for r in ROLE_ORDER if r in POLICY[rule.endpoint])
        path = rule.build({n: known.get(n, "x") for n in rule.arguments}, append_unknown=False)[1]
        fields = TEMPLATE_FIELDS
        if "GET" in rule.methods:  # the page's own fields, filled in as a person would
            page = clients[role].get(path)
            html = page.get_data(as_text=True) if page.mimetype == "text/html" else ""
            fields = sorted({name for name, _a in FIELD_RE.findall(html)} - {"csrf_token"})
        routes.append((role, path, "POST" in rule.methods, fields or ["q", "next"]))
    return clients, routes


def _call(clients, role, path, post, body) -> None:
    client = clients[role]
    if not post:
        response = client.get(path, query_string=body)
    elif isinstance(body, dict) and all(isinstance(v, str) for v in body.values()):
        response = client.post(path, data=body)
    else:
        response = client.post(path, json=body)
    assert response.status_code < 500, f"{role} {path} {body!r:.200}: {response.status}"


def test_every_route_answers_each_hostile_value_in_every_field_without_a_server_error(world):
    """A sweep: each hostile text in every field of each form (or query), each hostile
    JSON value under every key a JSON body reads."""
    clients, routes = world
    for role, path, post, fields in routes:
        for value in HOSTILE:
            _call(clients, role, path, post, dict.fromkeys(fields, value))
        if post:
            for value in HOSTILE_JSON:
                _call(clients, role, path, post, {"barriers": ["dental"], **dict.fromkeys(
                    JSON_KEYS[1:], value)})
                _call(clients, role, path, post, dict.fromkeys(JSON_KEYS, value))


@settings(FUZZ, max_examples=max(3, FUZZ.max_examples // 5))
@given(data=st.data())
def test_every_route_answers_random_json_and_form_bodies_without_a_server_error(world, data):
    clients, routes = world
    for role, path, post, fields in routes:
        if post and data.draw(st.booleans(), label=f"json {path}"):
            body = data.draw(JSON, label=path)
        else:
            body = data.draw(st.dictionaries(st.sampled_from(fields), TEXT | st.lists(TEXT,
                                             max_size=3)), label=path)
        _call(clients, role, path, post, body)
