"""The hub's secrets and folders: from the environment, else generated into the instance folder."""

from __future__ import annotations

import json
from importlib.metadata import entry_points

import pytest

from app.config import PROJECT_ROOT
from app.grading.sandbox.provisioner import SandboxProvisioner
from app.hub.launch import hub_command
from app.hub.settings import hub_settings
from app.hub.workspace import workspace_for


def _owner_only(path) -> bool:
    return path.stat().st_mode & 0o077 == 0


def test_secrets_are_generated_once_into_the_instance_folder_owner_only(make_app, tmp_path):
    unset = {
        "ACADEMY_HUB_CLIENT_SECRET": None,
        "ACADEMY_HUB_SERVICE_TOKEN": None,
        "ACADEMY_HUB_CRYPT_KEY": None,
        "ACADEMY_HUB_DIR": None,
        "ACADEMY_WORKSPACES_DIR": None,
    }
    app = make_app(**unset)
    hub_dir = tmp_path / "instance" / "hub"
    secret = (hub_dir / "oauth_client_secret").read_text()
    token = (hub_dir / "service_token").read_text()
    assert app.config["ACADEMY_HUB_CLIENT_SECRET"] == secret and len(secret) == 64
    assert app.config["ACADEMY_HUB_SERVICE_TOKEN"] == token and token != secret
    for name in ("oauth_client_secret", "service_token", "crypt_key"):
        assert _owner_only(hub_dir / name), name
    assert len(bytes.fromhex(app.config["ACADEMY_HUB_CRYPT_KEY"])) == 32  # what the hub needs
    assert app.config["ACADEMY_WORKSPACES_DIR"] == str(tmp_path / "instance" / "workspaces")
    again = make_app(**unset)
    assert again.config["ACADEMY_HUB_SERVICE_TOKEN"] == token


def test_secrets_from_the_environment_are_used_and_not_written(make_app, tmp_path):
    app = make_app(
        ACADEMY_HUB_CLIENT_SECRET="from-env-secret",
        ACADEMY_HUB_SERVICE_TOKEN="from-env-token",
        ACADEMY_HUB_DIR=None,
    )
    assert app.config["ACADEMY_HUB_CLIENT_SECRET"] == "from-env-secret"
    assert not (tmp_path / "instance" / "hub" / "service_token").exists()


def test_the_hubs_settings_file_is_owner_only_and_holds_what_the_config_reads(make_app):
    app = make_app(ACADEMY_BASE_URL="http://127.0.0.1:5000/", ACADEMY_HUB_IDLE_MINUTES=45)
    command, environment, folder = hub_command(app)
    settings_file = folder / "settings.json"
    assert environment["ACADEMY_HUB_SETTINGS"] == str(settings_file)
    assert _owner_only(settings_file) and _owner_only(folder / "jupyterhub.sqlite")
    assert command[1:3] == ["-m", "jupyterhub"]
    settings = hub_settings(app)
    assert settings["academy_url"] == "http://127.0.0.1:5000"
    assert settings["idle_timeout_seconds"] == 45 * 60
    assert settings["oauth_callback_url"] == "http://127.0.0.1:8000/hub/oauth_callback"


def test_the_hub_needs_to_know_where_the_academy_is(make_app):
    with pytest.raises(ValueError, match="ACADEMY_BASE_URL"):
        hub_settings(make_app(ACADEMY_BASE_URL=""))


def test_a_workspace_stays_inside_the_workspaces_folder(tmp_path):
    assert workspace_for(tmp_path, "a@b.example") == tmp_path / "a@b.example"
    for name in ("../escape", "a/b", "", "."):
        with pytest.raises(ValueError):
            workspace_for(tmp_path, name)


def test_the_start_command_says_what_is_missing_instead_of_starting(make_app):
    app = make_app(ACADEMY_BASE_URL="")
    result = app.test_cli_runner().invoke(args=["academy", "hub", "start"])
    assert (
        result.exit_code == 1 and "ACADEMY_BASE_URL must say where the academy is" in result.output
    )


def test_make_run_starts_the_site_and_the_hub_together():
    lines = (PROJECT_ROOT / "Procfile").read_text().splitlines()
    assert [line.split(":", 1)[0] for line in lines] == ["web", "hub"]
    assert lines[1].endswith("academy hub start")


def test_the_kernelspec_names_the_sandbox_and_interrupts_by_message(make_app, tmp_path):
    app = make_app()
    result = app.test_cli_runner().invoke(args=["academy", "hub", "kernelspec", str(tmp_path)])
    assert result.exit_code == 0, result.output
    spec = json.loads((tmp_path / "kernels" / "academy" / "kernel.json").read_text())
    assert spec["metadata"]["kernel_provisioner"]["provisioner_name"] == "academy-sandbox"
    assert spec["interrupt_mode"] == "message"
    # Installed as an entry point, so jupyter_client finds the provisioner by that name.
    found = entry_points(group="jupyter_client.kernel_provisioners", name="academy-sandbox")
    assert [point.load() for point in found] == [SandboxProvisioner]


def test_the_hub_starts_learners_kernels_with_the_academys_limits(make_app):
    app = make_app(
        ACADEMY_BASE_URL="http://127.0.0.1:5000",
        ACADEMY_LAB_KERNEL_MEMORY_MB=333,
    )
    settings = hub_settings(app)
    assert settings["kernel_memory_mb"] == 333
    assert settings["jupyter_path"].startswith(app.config["ACADEMY_HUB_DIR"])
    assert not settings["servers_dir"].startswith(app.config["ACADEMY_WORKSPACES_DIR"])
