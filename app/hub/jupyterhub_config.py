"""JupyterHub's configuration for the academy's hub: ``jupyterhub -f`` loads this file.

Started by ``flask academy hub start``, which writes every value this file reads into a
JSON file (owner-only, in the hub's state folder) and names it in ACADEMY_HUB_SETTINGS;
so each setting is declared once, in app/config.py. The samples in ``samples/`` load
this file and change only the spawner.
"""

import json
import os
from pathlib import Path

from app.hub.handlers import academy_return_handler

c = get_config()  # noqa: F821 (JupyterHub defines get_config for its configuration files)
settings = json.loads(Path(os.environ["ACADEMY_HUB_SETTINGS"]).read_text())
state = Path(settings["state_dir"])
python = settings["python"]
academy = settings["academy_url"]

# Where the hub listens (through its proxy), its own API, the proxy's API; its state.
c.JupyterHub.bind_url = settings["hub_url"]
c.JupyterHub.hub_bind_url = settings["hub_api_bind_url"]
c.ConfigurableHTTPProxy.api_url = settings["proxy_api_url"]
c.ConfigurableHTTPProxy.command = settings["proxy_command"]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")

# Signing in: the academy is the identity provider, so the hub goes straight to it.
c.JupyterHub.authenticator_class = "generic-oauth"
c.Authenticator.auto_login = True
c.GenericOAuthenticator.login_service = "Data Academy"
c.GenericOAuthenticator.client_id = settings["oauth_client_id"]
c.GenericOAuthenticator.client_secret = settings["oauth_client_secret"]
c.GenericOAuthenticator.oauth_callback_url = settings["oauth_callback_url"]
c.GenericOAuthenticator.authorize_url = f"{academy}/oauth/authorize"
c.GenericOAuthenticator.token_url = f"{academy}/oauth/token"
c.GenericOAuthenticator.userdata_url = f"{academy}/oauth/userinfo"
c.GenericOAuthenticator.scope = [settings["oauth_scope"]]
c.GenericOAuthenticator.username_claim = "email"
# The academy's role is the learner's one group: every role may sign in (the academy
# answers only for active accounts), and only academy admins are hub admins.
c.GenericOAuthenticator.manage_groups = True
c.GenericOAuthenticator.auth_state_groups_key = "oauth_user.groups"
c.GenericOAuthenticator.allowed_groups = {"learner", "instructor", "admin"}
c.GenericOAuthenticator.admin_groups = {"admin"}
# The hub keeps the learner's academy token (encrypted) and shows it to the academy again
# before each server starts and every few minutes: a deactivated account is then let go.
c.CryptKeeper.keys = [settings["crypt_key"]]
c.GenericOAuthenticator.enable_auth_state = True
c.Authenticator.refresh_pre_spawn = True
c.Authenticator.auth_refresh_age = 300
# Also when the academy (not the learner) asks for the server: without this the hub lets
# a cross-user spawn through on stale sign-in details, with only a warning.
c.Authenticator.auth_refresh_strict = True

# One JupyterLab per learner, started on demand on their workspace, without terminals;
# its kernels in the grading sandbox (app/hub/workspace.py, server_args). -I: the
# server's Python never imports from its working folder or a user site.
c.JupyterHub.spawner_class = "app.hub.workspace.WorkspaceSpawner"
c.WorkspaceSpawner.workspaces_dir = settings["workspaces_dir"]
c.WorkspaceSpawner.servers_dir = settings["servers_dir"]
c.WorkspaceSpawner.jupyter_path = settings["jupyter_path"]
c.WorkspaceSpawner.lake_dir = settings["lake_dir"]
c.WorkspaceSpawner.restricted_lake_dir = settings["restricted_lake_dir"]
c.WorkspaceSpawner.kernel_memory_mb = settings["kernel_memory_mb"]
c.WorkspaceSpawner.kernel_processes = settings["kernel_processes"]
c.WorkspaceSpawner.kernel_cpu_minutes = settings["kernel_cpu_minutes"]
c.Spawner.cmd = [python, "-I", "-m", "jupyterhub.singleuser"]
c.Spawner.args = []
if os.geteuid() == 0:
    # The embedded spawner runs servers as the hub's own user; JupyterLab refuses root
    # (a container, CI) without this. At scale servers run as an unprivileged user.
    c.Spawner.args.append("--ServerApp.allow_root=True")
c.Spawner.default_url = "/lab"
# A JupyterLab can take a while to come up on a busy machine.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

# The academy's "Open in JupyterLab": after the hub's sign-in, back to the academy (the
# hub's own `next` stays on the hub); and a start the academy asks for is answered at
# once (202), so the academy's page shows the server's progress instead of hanging.
c.JupyterHub.extra_handlers = [academy_return_handler(academy)]
c.JupyterHub.tornado_settings = {"slow_spawn_timeout": 0}

# The academy calls the hub's API with the fewest scopes that do its job; the idle
# culler stops servers nobody has used for the configured time.
c.JupyterHub.services = [
    {"name": "academy", "api_token": settings["service_token"]},
    {
        "name": "idle-culler",
        "command": [
            python,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={settings['idle_timeout_seconds']}",
        ],
    },
]
c.JupyterHub.load_roles = [
    {"name": "academy", "scopes": settings["service_scopes"], "services": ["academy"]},
    {"name": "idle-culler", "scopes": settings["culler_scopes"], "services": ["idle-culler"]},
]
