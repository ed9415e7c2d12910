"""The scale-out sample loads with the real DockerSpawner and keeps the hub's promises."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from dockerspawner import DockerSpawner
from jupyterhub.app import JupyterHub

from app.hub.launch import write_settings
from app.hub.settings import CONFIG_FILE, SETTINGS_ENV

SAMPLE = CONFIG_FILE.parent / "samples" / "docker_config.py"


def _load(app, monkeypatch, path):
    monkeypatch.setenv(SETTINGS_ENV, str(write_settings(app)))
    hub = JupyterHub()
    hub.load_config_file(str(path))
    return hub


def test_the_docker_sample_loads_the_hub_configuration_and_a_real_docker_spawner(
    make_app, monkeypatch
):
    app = make_app(ACADEMY_BASE_URL="http://academy.internal")
    hub = _load(app, monkeypatch, SAMPLE)
    assert hub.spawner_class is DockerSpawner
    assert hub.authenticator_class.__name__ == "GenericOAuthenticator"  # sign-in unchanged
    learner = SimpleNamespace(name="learner@academy.example", id=1, url="/user/learner/")
    spawner = DockerSpawner(config=hub.config, user=learner)
    assert spawner.cmd == ["python", "-I", "-m", "jupyterhub.singleuser"]
    assert "--ServerApp.terminals_enabled=False" in spawner.args
    assert "--ServerApp.allow_root=True" not in spawner.args
    # Kernels only through the sandbox, in the container as on one machine.
    lake = app.config["ACADEMY_LAKE_DIR"] or f"{app.instance_path}/lake"
    assert "--SandboxProvisioner.lake_dir=" + str(Path(lake).resolve()) in spawner.args
    assert (
        "--ServerApp.kernel_spec_manager_class=app.hub.singleuser.AcademyKernelSpecs"
        in spawner.args
    )
    assert spawner.environment["JUPYTER_PATH"] == "/opt/academy"
    workspace = f"{app.config['ACADEMY_WORKSPACES_DIR']}/{{username}}"
    assert spawner.volumes[workspace] == "/home/jovyan/work"
    assert spawner.volumes[str(Path(lake).resolve())]["mode"] == "ro"
    names = {service["name"] for service in hub.config.JupyterHub.services}
    assert names == {"academy", "idle-culler"}


def test_the_embedded_configuration_loads_its_workspace_spawner(make_app, monkeypatch):
    app = make_app(ACADEMY_BASE_URL="http://127.0.0.1:5000", ACADEMY_HUB_IDLE_MINUTES=7)
    hub = _load(app, monkeypatch, CONFIG_FILE)
    assert hub.spawner_class.__name__ == "WorkspaceSpawner"
    assert hub.config.GenericOAuthenticator.admin_groups == {"admin"}
    culler = next(s for s in hub.config.JupyterHub.services if s["name"] == "idle-culler")
    assert "--timeout=420" in culler["command"]
    roles = {role["name"]: role["scopes"] for role in hub.config.JupyterHub.load_roles}
    assert roles["academy"] == ["read:users:name", "read:servers", "servers", "access:servers"]
    handlers = {path: handler.__name__ for path, handler, _ in hub.config.JupyterHub.extra_handlers}
    assert handlers == {"/academy-return": "AcademyReturnHandler"}
    # A start is answered at once, so the academy's page shows its progress.
    assert hub.config.JupyterHub.tornado_settings == {"slow_spawn_timeout": 0}
