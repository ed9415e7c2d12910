"""Sample: the academy's hub at scale, each learner's JupyterLab in a Docker container.

Run it as the embedded hub is run, naming this file instead (``jupyterhub -f`` with
ACADEMY_HUB_SETTINGS from ``flask academy hub start``'s settings file): it loads the
same configuration, sign-in through the academy, services, scopes and idle culling
included, and changes only where servers run. Edit the marked values for your site;
tests/hub/test_samples.py loads it with the real DockerSpawner.

KubeSpawner works the same way: ``spawner_class = "kubespawner.KubeSpawner"``, an
image, and a persistent volume claim per learner in place of the bind mount below.
"""

import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub defines get_config for its configuration files)
load_subconfig(str(Path(__file__).resolve().parent.parent / "jupyterhub_config.py"))  # noqa: F821
settings = json.loads(Path(os.environ["ACADEMY_HUB_SETTINGS"]).read_text())

c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
# Edit: an image with jupyterhub-singleuser and JupyterLab (the hub's major version).
c.DockerSpawner.image = "quay.io/jupyter/minimal-notebook:latest"
# Edit: a Docker network the hub's container shares with the learners' containers.
c.DockerSpawner.network_name = "academy-hub"
c.JupyterHub.hub_bind_url = "http://0.0.0.0:8081"
c.JupyterHub.hub_connect_url = "http://academy-hub:8081"
# The image's own command, not the hub's Python; terminals stay off, and never as root.
c.DockerSpawner.cmd = ["jupyterhub-singleuser"]
c.DockerSpawner.args = ["--ServerApp.terminals_enabled=False"]
# The learner's persistent workspace: the same folder the embedded hub uses.
c.DockerSpawner.notebook_dir = "/home/jovyan/work"
c.DockerSpawner.volumes = {
    f"{settings['workspaces_dir']}/{{username}}": "/home/jovyan/work",
}
c.DockerSpawner.remove = True  # a stopped server's container goes; its workspace stays
