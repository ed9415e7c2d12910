"""Settings come from the environment with safe embedded defaults."""

from app import create_app
from app.config import normalise_database_url


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
