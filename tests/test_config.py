"""Configuration comes from ENLACE_* variables, with safe local defaults."""

import pytest

from matcher.config import ConfigError, load_config, normalize_database_url


def test_secret_key_is_generated_once_and_kept_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("ENLACE_SECRET_KEY", raising=False)
    monkeypatch.setenv("ENLACE_ENV", "development")
    first = load_config(tmp_path)["SECRET_KEY"]
    second = load_config(tmp_path)["SECRET_KEY"]
    assert len(first) == 64
    assert first == second
    assert (tmp_path / "secret_key").read_text() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("ENLACE_SECRET_KEY", raising=False)
    monkeypatch.setenv("ENLACE_ENV", "production")
    with pytest.raises(ConfigError, match="ENLACE_SECRET_KEY"):
        load_config(tmp_path)


def test_database_and_index_locations_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ENLACE_DATABASE_URL", "postgresql://u@db:5432/enlace")
    monkeypatch.setenv("ENLACE_INDEX_DIR", "/srv/enlace/indexes")
    monkeypatch.setenv("ENLACE_SECRET_KEY", "k")
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql://u@db:5432/enlace"
    assert config["ENLACE_INDEX_DIR"] == "/srv/enlace/indexes"


def test_default_database_is_a_sqlite_file_under_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("ENLACE_DATABASE_URL", raising=False)
    monkeypatch.setenv("ENLACE_SECRET_KEY", "k")
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/enlace.db"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_postgres_urls_use_the_pinned_psycopg_driver(given, expected):
    assert normalize_database_url(given) == expected
