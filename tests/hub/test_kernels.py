"""Learners' kernels on a real hub: each in the grading sandbox, none reaching another's files.

Two learners sign in through the academy, their servers start on the real hub, and code
runs in real kernels over the server's own API, as JupyterLab sends it.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from app.config import PROJECT_ROOT
from app.grading.sandbox.command import LEARNER_UID_FIRST, can_switch_uid
from app.hub.client import HubClients
from tests.factories import PASSWORD, make_user
from tests.hub.kernels import ServerKernel
from tests.hub.support import academy_session, hub_sign_in, learner_server, wait_for

pytestmark = pytest.mark.slow

ADA = "ada@academy.example"
BOB = "bob@academy.example"


@pytest.fixture(scope="module")
def learners(hub_academy, hub):
    """Ada's and Bob's running servers: for each, its URL and their browser's headers."""
    client = HubClients.get(hub_academy)
    servers = {}
    for email in (ADA, BOB):
        with hub_academy.app_context():
            make_user(email)
        session = academy_session(hub_academy.config["ACADEMY_BASE_URL"], email, PASSWORD)
        hub_sign_in(session, hub)
        servers[email] = learner_server(session, hub, email, client)
    yield servers
    for email in servers:
        client.stop_server(email)
    for email in servers:
        wait_for(lambda email=email: client.server(email) is None)


@pytest.fixture
def ada(learners):
    """A kernel in Ada's server, shut down after the test."""
    server, headers = learners[ADA]
    kernel = ServerKernel(server, headers)
    yield kernel
    kernel.close()


def _workspace(app, email) -> Path:
    return Path(app.config["ACADEMY_WORKSPACES_DIR"]) / email


def test_a_learners_server_offers_only_the_sandboxed_kernel(learners):
    server, headers = learners[ADA]
    specs = requests.get(f"{server}/api/kernelspecs", headers=headers, timeout=60).json()
    assert specs["default"] == "academy" and set(specs["kernelspecs"]) == {"academy"}
    # jupyter_client would start its native python3 kernel by name, unsandboxed, in the
    # server's own account, whatever the server's allowed kernelspecs say.
    for name in ("python3", "python", "../academy"):
        refused = requests.post(
            f"{server}/api/kernels", json={"name": name}, headers=headers, timeout=60
        )
        assert refused.status_code >= 400, name
        session = requests.post(
            f"{server}/api/sessions",
            json={"path": "x.ipynb", "type": "notebook", "kernel": {"name": name}},
            headers=headers,
            timeout=60,
        )
        assert session.status_code >= 400, name
    running = requests.get(f"{server}/api/kernels", headers=headers, timeout=60).json()
    assert all(kernel["name"] == "academy" for kernel in running)


def test_a_kernel_runs_sandboxed_as_the_learner_with_the_lake_and_no_secrets(hub_academy, ada):
    instance = hub_academy.instance_path
    done = ada.run(
        "import os\n"
        "print(os.getuid(), os.getcwd())\n"
        "print(lake.sql('SELECT count(*) FROM trusted.advert').fetchall()[0][0])\n"
        f"print(os.path.exists({instance!r}), os.path.exists({str(PROJECT_ROOT / 'app')!r}),\n"
        f"      os.path.exists({str(PROJECT_ROOT / 'exercises')!r}))\n"
        "print(sorted(k for k in os.environ if 'TOKEN' in k or 'SECRET' in k or 'KEY' in k))\n"
    )
    assert done["status"] == "ok", done
    who, count, seen, secrets = done["stdout"].splitlines()
    uid, cwd = who.split()
    if can_switch_uid():
        assert int(uid) > LEARNER_UID_FIRST
    assert cwd == "/workspace"
    assert int(count) > 0
    assert seen == "False False False"  # the academy's instance folder, code, exercises
    assert secrets == "[]"


def test_learner_a_cannot_read_bs_files_from_a_kernel(hub_academy, learners, ada):
    server, headers = learners[BOB]
    bob = ServerKernel(server, headers)
    try:
        assert bob.run("open('/workspace/bob-only.txt', 'w').write('mine')")["status"] == "ok"
    finally:
        bob.close()
    bobs = _workspace(hub_academy, BOB)
    assert (bobs / "bob-only.txt").read_text() == "mine"
    done = ada.run(
        "import os\n"
        f"for path in ({str(bobs / 'bob-only.txt')!r}, '/workspace/../{BOB}/bob-only.txt',\n"
        f"             {str(bobs.parent)!r}):\n"
        "    print(os.path.exists(path))\n"
        "print('bob-only.txt' in os.listdir('/workspace'))\n"
        # Its own processes only: not the server's, nor Bob's kernels.
        "print(len([p for p in os.listdir('/proc') if p.isdigit()]) < 10)\n"
    )
    assert done["stdout"].split() == ["False", "False", "False", "False", "True"], done


def test_learner_a_cannot_read_bs_files_through_the_api(learners):
    ada_server, ada_headers = learners[ADA]
    bob_server, _ = learners[BOB]
    theirs = requests.get(
        f"{bob_server}/api/contents/", headers=ada_headers, timeout=60, allow_redirects=False
    )
    assert theirs.status_code in (302, 403)  # the hub gives Ada no access to Bob's server
    for path in (f"../{quote(BOB)}/bob-only.txt", f"..%2F{quote(BOB)}%2Fbob-only.txt"):
        climbing = requests.get(
            f"{ada_server}/api/contents/{path}", headers=ada_headers, timeout=60
        )
        assert climbing.status_code in (400, 404), path


def test_a_link_into_the_instance_folder_is_not_followed_by_the_server(hub_academy, learners):
    server, headers = learners[ADA]
    link = _workspace(hub_academy, ADA) / "looks-harmless.txt"
    # Kernels cannot make links (test_a_kernel_has_no_network_and_makes_no_links); one
    # made some other way still leads nowhere.
    link.symlink_to(Path(hub_academy.instance_path) / "hub" / "service_token")
    try:
        response = requests.get(
            f"{server}/api/contents/looks-harmless.txt", headers=headers, timeout=60
        )
        assert response.status_code == 404
        assert hub_academy.config["ACADEMY_HUB_SERVICE_TOKEN"] not in response.text
    finally:
        link.unlink()


def test_a_kernel_has_no_network_and_makes_no_links(hub_academy, hub, ada):
    academy = hub_academy.config["ACADEMY_BASE_URL"].rsplit(":", 1)[1]
    hub_port = hub.rsplit(":", 1)[1]
    done = ada.run(
        "import os, socket\n"
        f"for port in ({academy}, {hub_port}):\n"
        "    try:\n"
        "        socket.create_connection(('127.0.0.1', port), timeout=3)\n"
        "        print('connected')\n"
        "    except OSError as error:\n"
        "        print(type(error).__name__)\n"
        "try:\n"
        "    socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "    print('udp')\n"
        "except OSError as error:\n"
        "    print(type(error).__name__)\n"
        "for make in (os.symlink, os.link):\n"
        "    try:\n"
        "        make('/workspace', '/workspace/elsewhere')\n"
        "        print('linked')\n"
        "    except OSError as error:\n"
        "        print(type(error).__name__)\n"
    )
    assert "connected" not in done["stdout"] and "linked" not in done["stdout"], done
    assert len(done["stdout"].split()) == 5 and "udp" not in done["stdout"], done


def test_a_kernel_hits_its_memory_limit_and_survives(hub_academy, ada):
    allowance = int(hub_academy.config["ACADEMY_LAB_KERNEL_MEMORY_MB"])
    # Filled, not only reserved (untouched zero pages are not resident), and beyond all
    # the kernel may hold: the allowance plus the kernel's own overhead, /scratch and /tmp.
    done = ada.run(f"hog = b'x' * ({allowance * 4} * 2**20)")
    assert done["error"] == "MemoryError" or done["status"] == "died", done
    if done["status"] != "died":
        assert ada.run("print('still here')")["stdout"] == "still here\n"


def test_files_the_server_saves_are_the_learners_to_change(hub_academy, learners, ada):
    server, headers = learners[ADA]
    folder = requests.put(
        f"{server}/api/contents/made-by-lab",
        json={"type": "directory"},
        headers=headers,
        timeout=60,
    )
    assert folder.status_code in (200, 201), folder.text
    saved = requests.put(
        f"{server}/api/contents/made-by-lab/data.txt",
        json={"type": "file", "format": "text", "content": "one\n"},
        headers=headers,
        timeout=60,
    )
    assert saved.status_code in (200, 201), saved.text
    done = ada.run(
        "open('/workspace/made-by-lab/data.txt', 'a').write('two\\n')\n"
        "open('/workspace/made-by-lab/beside.txt', 'w').write('three\\n')\n"
    )
    assert done["status"] == "ok", done
    folder_path = _workspace(hub_academy, ADA) / "made-by-lab"
    assert (folder_path / "data.txt").read_text() == "one\ntwo\n"
    if can_switch_uid():
        assert os.stat(folder_path).st_uid > LEARNER_UID_FIRST


def test_nothing_a_kernel_leaves_in_the_workspace_runs_in_the_server(hub_academy, hub, learners):
    server, headers = learners[BOB]
    workspace = _workspace(hub_academy, BOB)
    pwned = workspace / "PWNED"
    marker = f"open({str(pwned)!r}, 'w')"  # a host path: only the server could write it
    bait = {
        ".jupyter/jupyter_server_config.py": marker,
        "jupyter_server_config.py": marker,
        "sitecustomize.py": marker,
        "usercustomize.py": marker,
        "jupyterhub.py": marker,
        ".local/lib/python3.11/site-packages/evil.pth": f"import os; {marker}",
    }
    kernel = ServerKernel(server, headers)
    try:
        code = "import os\n" + "".join(
            f"os.makedirs(os.path.dirname('/workspace/{path}') or '.', exist_ok=True)\n"
            f"open('/workspace/{path}', 'w').write({text!r})\n"
            for path, text in bait.items()
        )
        assert kernel.run(code)["status"] == "ok"
    finally:
        kernel.close()
    client = HubClients.get(hub_academy)
    client.stop_server(BOB)
    assert wait_for(lambda: client.server(BOB) is None) is True
    client.start_server(BOB)
    assert wait_for(lambda: (client.server(BOB) or {}).get("ready")) is True
    assert all((workspace / path).is_file() for path in bait)
    assert not pwned.exists()
