"""Benchmark: from the click on Open in JupyterLab to a usable notebook, and what a server costs.

    make bench-lab                  # python bench/lab.py --runs 5 --servers 6

A real academy (werkzeug, threaded) and a real JupyterHub with its proxy, on loopback,
with learners' kernels in the bubblewrap sandbox, as ``make run`` has them. Chromium
(Debian's) signs a learner in to the academy once; then each run opens the exercise page
and clicks **Open in JupyterLab**, and the clock stops at two points:

- **notebook shown**: JupyterLab has rendered the learner's copy (its cells are on the page);
- **kernel ready**: the notebook's kernel, in the sandbox with the lake opened, is idle,
  so a cell can run.

Runs alternate **cold** (the learner's server stopped first, as the idle culler leaves
it) and **warm** (the server running since the previous run, its kernel too), side by
side in one run so the machine's load falls on both alike. The very first open, which
also signs the learner in to the hub through the academy, is reported on its own.

Then **memory**: ``--servers`` learners each open the notebook and leave it idle, one
server and one kernel each. Each server's cost is the proportional set size (PSS,
shared pages divided among the processes sharing them) summed over the server and every
process under it (the kernel's prlimit, bubblewrap and Python), read from
``/proc/<pid>/smaps_rollup``; RSS is reported beside it. How many idle servers this
machine holds is its total memory over the median PSS.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import click
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.services import create_user  # noqa: E402
from app.config import PROJECT_ROOT, TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.hub.client import HubClients, HubUnavailable  # noqa: E402
from app.hub.launch import hub_command  # noqa: E402
from app.lake.pipeline.build import build_lake  # noqa: E402

EXERCISE = "sq101-first-queries"
PASSWORD = "benchmark-password"
LEARNER = "lab-bench-{}@example.com"


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, timeout: float = 180, pause: float = 0.2):
    """Call ``check`` until it is truthy (its value) or ``timeout`` passes (None)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(pause)
    return None


class Site:
    """The academy and its hub on loopback, in a folder of their own, stopped by close()."""

    def __init__(self, folder: Path, lake: Path, learners: int) -> None:
        settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
        settings.update(
            TESTING=False,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'academy.sqlite'}",
            ACADEMY_COURSES_DIR=str(PROJECT_ROOT / "courses"),
            ACADEMY_EXERCISES_DIR=str(PROJECT_ROOT / "exercises"),
            ACADEMY_NOTEBOOKS_DIR=str(PROJECT_ROOT / "notebooks"),
            ACADEMY_HUB_URL=f"http://127.0.0.1:{free_port()}",
            ACADEMY_HUB_API_BIND_URL=f"http://127.0.0.1:{free_port()}",
            ACADEMY_HUB_PROXY_API_URL=f"http://127.0.0.1:{free_port()}",
            ACADEMY_HUB_CLIENT_SECRET=None,
            ACADEMY_HUB_SERVICE_TOKEN=None,
            ACADEMY_HUB_DIR=None,
            ACADEMY_WORKSPACES_DIR=None,
            ACADEMY_LAKE_DIR=str(lake),
            ACADEMY_GRADING_SANDBOX="bwrap",
        )
        self.app = create_app(settings, instance_path=str(folder / "instance"))
        with self.app.app_context():
            db.create_all()
            for number in range(learners):
                create_user(LEARNER.format(number), "Learner", password=PASSWORD)
            db.session.commit()
        with self.app.app_context():
            synced = self.app.test_cli_runner().invoke(args=["academy", "sync"])
        if synced.exit_code != 0:
            raise SystemExit(f"academy sync failed: {synced.output} {synced.exception!r}")
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.app.config["ACADEMY_BASE_URL"] = self.url
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        command, environment, state = hub_command(self.app)
        self.log = open(state / "hub.log", "wb")  # noqa: SIM115 (closed in close())
        self.hub = subprocess.Popen(
            command, env=environment, cwd=state, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.hub_url = self.app.config["ACADEMY_HUB_URL"]
        if not wait_for(self._hub_answers):
            raise SystemExit((state / "hub.log").read_text()[-3000:])
        self.client = HubClients.get(self.app)

    def _hub_answers(self) -> bool:
        try:
            return requests.get(f"{self.hub_url}/hub/api/", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    def stop_server(self, email: str) -> None:
        """Stop the learner's server and wait until the hub says it has stopped."""
        # The hub answers a stop only once the server is down, which may take a while.
        with contextlib.suppress(HubUnavailable):
            self.client.stop_server(email)
        wait_for(lambda: self.client.server(email) is None)

    def close(self) -> None:
        self.hub.send_signal(signal.SIGTERM)
        try:
            self.hub.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.hub.pid, signal.SIGKILL)
        self.log.close()
        self.server.shutdown()


def chromium():
    """Debian's Chromium, through Playwright."""
    from playwright.sync_api import sync_playwright

    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if path is None:
        raise SystemExit("Chromium not found: install Debian's chromium or set CHROMIUM_PATH")
    playwright = sync_playwright().start()
    flags = ["--no-sandbox", "--disable-dev-shm-usage", "--no-first-run"]
    return playwright, playwright.chromium.launch(executable_path=path, args=flags)


def signed_in_page(browser, site: Site, email: str):
    """A browser page signed in to the academy as ``email``."""
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(180_000)
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
    return page


def open_in_lab(page, site: Site) -> tuple[float, float]:
    """Click Open in JupyterLab on the exercise page; seconds to the notebook, to its kernel."""
    page.goto(f"{site.url}/exercises/{EXERCISE}")
    button = page.get_by_role("button", name="Open in JupyterLab")
    button.wait_for()
    clicked = time.perf_counter()
    button.click()
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.wait_for()
    shown = time.perf_counter() - clicked
    # The status bar names the kernel and its state once JupyterLab is connected to it.
    page.get_by_role("button", name=re.compile(r"Data Academy lake\) \| Idle")).wait_for()
    return shown, time.perf_counter() - clicked


def _tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _rollup(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in bytes; (0, 0) if it has gone."""
    values = {"Pss:": 0, "Rss:": 0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, *rest = line.split()
            if name in values:
                values[name] = int(rest[0]) * 1024
    except OSError:
        pass
    return values["Pss:"], values["Rss:"]


def server_pid(email: str) -> int | None:
    """The learner's jupyter-server process (its environment names the learner)."""
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"JUPYTERHUB_USER={email}".encode() in environ.read_bytes().split(b"\0"):
                cmdline = (environ.parent / "cmdline").read_bytes()
                if b"jupyterhub.singleuser" in cmdline:
                    return int(environ.parent.name)
        except OSError:
            continue
    return None


def running_kernels(site: Site, email: str) -> list[dict]:
    """The kernels the learner's server runs, from its own API (with the academy's token)."""
    token = site.app.config["ACADEMY_HUB_SERVICE_TOKEN"]
    response = requests.get(
        f"{site.client.user_url(email)}/api/kernels",
        headers={"Authorization": f"token {token}"},
        timeout=60,
    )
    response.raise_for_status()
    return response.json()


def server_memory(email: str) -> dict:
    """What the learner's server and everything under it hold: PSS and RSS, in MB."""
    pid = server_pid(email)
    if pid is None:
        raise RuntimeError(f"no server process for {email}")
    processes = _tree(pid)
    pss = rss = 0
    for each in processes:
        one_pss, one_rss = _rollup(each)
        pss, rss = pss + one_pss, rss + one_rss
    server_pss, server_rss = _rollup(pid)
    mb = 2**20
    return {
        "processes": len(processes),
        "pss_mb": round(pss / mb, 1),
        "rss_mb": round(rss / mb, 1),
        "server_pss_mb": round(server_pss / mb, 1),
        "server_rss_mb": round(server_rss / mb, 1),
    }


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


@click.command()
@click.option("--runs", default=5, help="Cold and warm opens, alternating, of each.")
@click.option("--servers", default=6, help="Idle learner servers to measure memory over.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write JSON here.")
@click.option("--keep", is_flag=True, help="Keep the run's folder (the hub's log) afterwards.")
def main(runs: int, servers: int, out: Path | None, keep: bool) -> None:
    """Open in JupyterLab, cold and warm; then the memory of idle servers with a kernel."""
    folder = Path(tempfile.mkdtemp(prefix="academy-bench-lab-"))
    lake = build_lake(folder / "lake", seed=42, scale=1).lake
    site = Site(folder, lake, learners=max(1, servers))
    playwright, browser = chromium()
    results: dict = {"runs": runs, "cpus": os.cpu_count()}
    try:
        learner = LEARNER.format(0)
        page = signed_in_page(browser, site, learner)
        results["first_open_s"] = [round(value, 2) for value in open_in_lab(page, site)]
        cold: list[tuple[float, float]] = []
        warm: list[tuple[float, float]] = []
        for _ in range(runs):
            site.stop_server(learner)
            cold.append(open_in_lab(page, site))
            warm.append(open_in_lab(page, site))
        for name, series in (("cold", cold), ("warm", warm)):
            results[name] = {
                "notebook_shown_s": [round(s, 2) for s, _ in series],
                "kernel_ready_s": [round(k, 2) for _, k in series],
                "median_notebook_shown_s": _median([s for s, _ in series]),
                "median_kernel_ready_s": _median([k for _, k in series]),
            }
        page.context.close()
        memory = []
        for number in range(servers):
            email = LEARNER.format(number)
            page = signed_in_page(browser, site, email)
            open_in_lab(page, site)
            page.context.close()  # the browser leaves; the server and its kernel stay, idle
        time.sleep(10)  # let the servers and kernels settle
        for number in range(servers):
            email = LEARNER.format(number)
            kernels = running_kernels(site, email)
            memory.append({**server_memory(email), "kernels": len(kernels)})
        # One idle kernel each is what is asked; a server whose kernel is gone is shown
        # but not counted.
        counted = [m for m in memory if m["kernels"] == 1]
        pss = [m["pss_mb"] for m in counted]
        total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
        results["memory"] = {
            "servers": memory,
            "median_pss_mb": _median(pss),
            "counted": len(counted),
            "median_rss_mb": _median([m["rss_mb"] for m in counted]),
            "median_server_only_pss_mb": _median([m["server_pss_mb"] for m in memory]),
            "machine_total_mb": round(total_mb),
            "idle_servers_this_machine_holds": int(total_mb // statistics.median(pss)),
        }
    finally:
        browser.close()
        playwright.stop()
        site.close()
        if keep:
            click.echo(f"kept {folder}", err=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    text = json.dumps(results, indent=2)
    click.echo(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n")


if __name__ == "__main__":
    main()
