"""Settings come from the environment with safe embedded defaults."""

import re
from pathlib import Path

from flask import Flask

from app import create_app
from app.config import Config, normalise_database_url, sqlite_file


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"


def test_embedded_default_keeps_database_and_secret_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = tmp_path / "instance"
    app = create_app(
        {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": None}, instance_path=str(instance)
    )
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'academy.sqlite'}"
    key = (instance / "secret_key").read_text()
    assert app.config["SECRET_KEY"] == key and len(key) == 64
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0
    assert (instance / "academy.sqlite").stat().st_mode & 0o077 == 0  # only we may read it
    again = create_app(
        {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": None}, instance_path=str(instance)
    )
    assert again.config["SECRET_KEY"] == key


def _app_sources():
    import app as package

    root = Path(package.__file__).parent
    return [(path.relative_to(root.parent), path.read_text()) for path in root.rglob("*.py")]


def test_settings_are_read_without_a_second_default():
    # A default belongs in Config, once; config.get(KEY, default) would hide a second one.
    offenders = [
        f"{path}:{text[: m.start()].count(chr(10)) + 1}"
        for path, text in _app_sources()
        for m in re.finditer(r"config\.get\(", text)
    ]
    assert offenders == []


def test_every_setting_the_code_reads_is_declared_in_config():
    read = {
        key
        for _, text in _app_sources()
        for key in re.findall(r"config\[\"([A-Z][A-Z0-9_]+)\"\]", text)
    }
    flask_own = set(Flask.default_config)
    undeclared = sorted(key for key in read if not hasattr(Config, key) and key not in flask_own)
    assert read and undeclared == []


def test_a_sqlite_file_from_database_url_is_created_owner_only(tmp_path, monkeypatch):
    path = tmp_path / "elsewhere" / "academy.sqlite"
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}, instance_path=str(tmp_path / "i"))
    assert path.exists() and path.stat().st_mode & 0o077 == 0


def test_only_sqlite_files_are_database_files():
    assert sqlite_file("sqlite:////srv/a.sqlite") == Path("/srv/a.sqlite")
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql+psycopg://db/academy") is None
