"""Sample: the academy's hub at scale, each learner's JupyterLab in a Docker container.

Run it as the embedded hub is run, naming this file instead (``jupyterhub -f`` with
ACADEMY_HUB_SETTINGS from ``flask academy hub start``'s settings file): it loads the
same configuration, sign-in through the academy, services, scopes and idle culling
included, and changes only where servers run. Edit the marked values for your site;
tests/hub/test_samples.py loads it with the real DockerSpawner.

KubeSpawner works the same way: ``spawner_class = "kubespawner.KubeSpawner"``, an
image, and a persistent volume claim per learner in place of the bind mount below.

The image is the academy's own (this repository installed from its lock file, with
JupyterLab and bubblewrap), because the learner's server must start kernels only
through the academy's provisioner, in the same sandbox as grading: inside the
container the server runs as an unprivileged user, so bubblewrap makes its namespaces
in a user namespace (the container must allow that: Docker's default seccomp profile
does not, hence the ``security_opt`` below), and every kernel runs as that user.

Not in this sample: the restricted tier's real values for granted learners. The embedded
spawner gives a granted learner's server the build's restricted folder as its lake
(``WorkspaceSpawner.lakes``); here that would be a second, per-learner volume mount
chosen in a ``pre_spawn_hook`` from the same claim, with the image's user in the
restricted folder's group. Until then every container reads the masked lake.
"""

import json
import os
from pathlib import Path

from app.hub.workspace import server_args

c = get_config()  # noqa: F821 (JupyterHub defines get_config for its configuration files)
load_subconfig(str(Path(__file__).resolve().parent.parent / "jupyterhub_config.py"))  # noqa: F821
settings = json.loads(Path(os.environ["ACADEMY_HUB_SETTINGS"]).read_text())

c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
# Edit: the academy's image (jupyterhub-singleuser of the hub's major version, JupyterLab,
# bubblewrap, and this repository installed with `uv sync --locked`).
c.DockerSpawner.image = "registry.example/data-academy-lab:latest"
# Edit: a Docker network the hub's container shares with the learners' containers.
c.DockerSpawner.network_name = "academy-hub"
c.JupyterHub.hub_bind_url = "http://0.0.0.0:8081"
c.JupyterHub.hub_connect_url = "http://academy-hub:8081"
# The image's own command, not the hub's Python; terminals stay off, and never as root.
# Kernels only through the sandbox, as in the embedded mode (app/hub/workspace.py).
WORKSPACE = "/home/jovyan/work"
c.DockerSpawner.cmd = ["python", "-I", "-m", "jupyterhub.singleuser"]
c.DockerSpawner.args = [
    *server_args(
        workspace=WORKSPACE,
        uid=1000,  # the image's user: kernels run as it, in bubblewrap's user namespace
        owner_uid=0,
        lake_dir=settings["lake_dir"],
        memory_mb=settings["kernel_memory_mb"],
        processes=settings["kernel_processes"],
        cpu_minutes=settings["kernel_cpu_minutes"],
    ),
]
# The image holds the academy's kernelspec (`flask academy hub kernelspec /opt/academy`).
c.DockerSpawner.environment = {"JUPYTER_PATH": "/opt/academy", "PYTHONNOUSERSITE": "1"}
c.DockerSpawner.extra_host_config = {"security_opt": ["seccomp=unconfined"]}
# The learner's persistent workspace (the same folder the embedded hub uses) and the
# lake, read-only, at the path its views name.
c.DockerSpawner.notebook_dir = WORKSPACE
c.DockerSpawner.volumes = {
    f"{settings['workspaces_dir']}/{{username}}": WORKSPACE,
    settings["lake_dir"]: {"bind": settings["lake_dir"], "mode": "ro"},
}
c.DockerSpawner.remove = True  # a stopped server's container goes; its workspace stays
