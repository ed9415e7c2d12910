"""The sandbox as a kernel provisioner: real kernels started by jupyter_client's own manager.

This is how a learner's JupyterLab server starts kernels (through the ``academy``
kernelspec); tests/hub/test_kernels.py does the same through a real hub and server.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbformat.v4 import new_notebook
from traitlets.config import Config

from app.grading.exercises.authored import Exercise, Limits
from app.grading.sandbox.cells import setup_source, workspace_setup_source
from app.grading.sandbox.command import LEARNER_UID_FIRST, can_switch_uid
from app.grading.sandbox.contract import RESTRICTED_GID
from app.grading.sandbox.execute import _with_hidden_cells
from app.grading.sandbox.kernel import boot_log
from app.grading.sandbox.provisioner import SCRATCH_FOLDER, SandboxProvisioner
from app.hub.launch import KERNEL_NAME, write_kernelspec
from app.lake.pipeline.database import open_lake
from app.lake.pipeline.restrict import build_of, restricted_folder
from tests.grading.support import require_bwrap

UID = LEARNER_UID_FIRST + 4242
EMAIL = "SELECT buyer_email FROM raw.responses WHERE buyer_email <> '' ORDER BY response_id LIMIT 1"


@pytest.fixture
def learner(built_lake):
    """A learner's workspace (outside pytest's root-only tmp_path), with a notebook folder."""
    root = Path(tempfile.mkdtemp(prefix="academy-lab-"))
    root.chmod(0o755)
    workspace = root / "workspace"
    (workspace / "exercises").mkdir(parents=True)
    if can_switch_uid():  # as the learner's server gives what it makes (app/hub/singleuser.py)
        os.chown(workspace / "exercises", UID, UID)
    jupyter_path = root / "jupyter"
    write_kernelspec(jupyter_path)
    yield {"workspace": workspace, "jupyter_path": jupyter_path, "lake": built_lake.lake}
    shutil.rmtree(root, ignore_errors=True)


def _manager(learner) -> AsyncKernelManager:
    require_bwrap()
    config = Config()
    config.SandboxProvisioner.workspace = str(learner["workspace"])
    config.SandboxProvisioner.uid = UID
    config.SandboxProvisioner.lake_dir = str(learner["lake"])
    config.SandboxProvisioner.memory_mb = 256
    config.SandboxProvisioner.processes = 128
    config.SandboxProvisioner.cpu_minutes = 10
    specs = KernelSpecManager(kernel_dirs=[str(learner["jupyter_path"] / "kernels")])
    return AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs, config=config)


async def _run(manager: AsyncKernelManager, code: str, timeout: float = 60) -> dict:
    """Execute ``code`` in the manager's kernel; its stdout and error name."""
    client = manager.client()
    client.start_channels()
    try:
        try:
            await client.wait_for_ready(timeout=120)
        except RuntimeError as died:
            raise AssertionError(boot_log(manager.provisioner.kernel)) from died
        out: list[str] = []
        errors: list[str] = []

        def collect(message):
            if message["msg_type"] == "stream":
                out.append(message["content"]["text"])
            elif message["msg_type"] == "error":
                errors.append(message["content"]["ename"])

        await client.execute_interactive(code, output_hook=collect, timeout=timeout)
        return {"stdout": "".join(out), "error": errors[0] if errors else None}
    finally:
        client.stop_channels()


def _in(coroutine):
    """Run ``coroutine`` to its end on a thread of its own: a browser test before may have
    left an event loop running on this one (Playwright's sync API does)."""
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def test_a_lab_kernel_runs_in_the_sandbox_with_the_learners_folders(learner):
    async def scenario():
        manager = _manager(learner)
        await manager.start_kernel(cwd=str(learner["workspace"] / "exercises"))
        try:
            assert isinstance(manager.provisioner, SandboxProvisioner)
            done = await _run(
                manager,
                "import os\n"
                "print(os.getuid(), os.getcwd())\n"
                "print(lake.sql('SELECT count(*) FROM trusted.advert').fetchall()[0][0] > 0)\n"
                "open('saved.csv', 'w').write('n\\n1\\n')\n"
                "lake.sql('CREATE TABLE user.mine AS SELECT 7 AS n')\n"
                "print(sorted(os.listdir('/')))\n",
            )
        finally:
            await manager.shutdown_kernel(now=True)
        return done

    done = _in(scenario())
    assert done["error"] is None, done
    who, count, listing = done["stdout"].splitlines()
    uid, cwd = who.split()
    assert uid == (str(UID) if can_switch_uid() else uid)
    assert cwd == "/workspace/exercises" and count == "True"
    assert "instance" not in listing and "exercises" not in listing
    saved = learner["workspace"] / "exercises" / "saved.csv"
    assert saved.read_text() == "n\n1\n"
    if can_switch_uid():
        assert saved.stat().st_uid == UID
    assert (learner["workspace"] / SCRATCH_FOLDER / "user.duckdb").is_file()


def test_an_idle_lab_kernel_holds_no_pandas_until_a_cell_uses_it(learner):
    """pandas is ~80 MB resident: a JupyterLab kernel loads it on first use, as `pd` or
    through DuckDB's .df(), and then it is the real pandas."""

    async def scenario():
        manager = _manager(learner)
        await manager.start_kernel(cwd=str(learner["workspace"]))
        try:
            return await _run(
                manager,
                "import sys\n"
                "print(sorted(m for m in ('pandas.core.frame', 'pyarrow') if m in sys.modules))\n"
                "frame = lake.sql('SELECT count(*) AS n FROM trusted.advert').df()\n"
                "print(isinstance(frame, pd.DataFrame), int(frame.n[0]) > 0)\n"
                "print(pd.DataFrame({'a': [1, 2]}).a.sum(), type(pd).__name__)\n",
            )
        finally:
            await manager.shutdown_kernel(now=True)

    done = _in(scenario())
    assert done["error"] is None, done
    assert done["stdout"].splitlines() == ["[]", "True True", "3 module"]


def test_the_user_zone_outlives_the_kernel_and_the_instance_stays_out_of_reach(learner, site):
    async def scenario():
        outputs = []
        for code in (
            "lake.sql('CREATE TABLE user.kept AS SELECT 42 AS n')",
            "print(lake.sql('SELECT n FROM user.kept').fetchall()[0][0])\n"
            f"print(os.path.exists({str(site['instance'] / 'secret_key')!r}))\n"
            f"print(os.path.exists({str(site['exercises'])!r}))",
        ):
            manager = _manager(learner)
            await manager.start_kernel()
            try:
                outputs.append(await _run(manager, "import os\n" + code))
            finally:
                await manager.shutdown_kernel(now=True)
        return outputs

    first, second = _in(scenario())
    assert first["error"] is None and second["error"] is None, (first, second)
    assert second["stdout"].split() == ["42", "False", "False"]


def test_stopping_one_kernel_spares_the_learners_other_and_leaves_no_run_folder(learner):
    async def scenario():
        one, two = _manager(learner), _manager(learner)
        await one.start_kernel()
        await two.start_kernel()
        try:
            await _run(one, "1")
            run_dir = one.provisioner.kernel.run_dir
            assert run_dir.is_dir()
            await one.shutdown_kernel()
            left = run_dir.exists()
            still = await _run(two, "print('still here')")
        finally:
            await two.shutdown_kernel(now=True)
        return left, still

    left, still = _in(scenario())
    assert left is False
    assert still["stdout"] == "still here\n"


def test_a_lab_kernel_is_interrupted_by_message_and_restarts(learner):
    async def scenario():
        manager = _manager(learner)
        await manager.start_kernel()
        try:
            client = manager.client()
            client.start_channels()
            await client.wait_for_ready(timeout=120)
            client.execute("import time; time.sleep(60)")
            await asyncio.sleep(1.0)
            await manager.interrupt_kernel()
            reply = None
            while reply is None or reply["parent_header"].get("msg_type") != "execute_request":
                reply = await client.get_shell_msg(timeout=30)
            client.stop_channels()
            await manager.restart_kernel(now=True)
            after = await _run(manager, "print(lake.sql('SELECT 1').fetchall()[0][0])")
        finally:
            await manager.shutdown_kernel(now=True)
        return reply, after

    reply, after = _in(scenario())
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert after == {"stdout": "1\n", "error": None}


def test_a_lab_kernel_cannot_make_links_or_reach_the_network(learner):
    async def scenario():
        manager = _manager(learner)
        await manager.start_kernel()
        try:
            return await _run(
                manager,
                "import os, socket\n"
                "for make in (os.symlink, os.link):\n"
                "    try:\n"
                "        make('/workspace/exercises', '/workspace/link')\n"
                "    except OSError as error:\n"
                "        print(type(error).__name__)\n"
                "try:\n"
                "    socket.create_connection(('127.0.0.1', 22), timeout=2)\n"
                "except OSError as error:\n"
                "    print(type(error).__name__)\n",
            )
        finally:
            await manager.shutdown_kernel(now=True)

    done = _in(scenario())
    assert done["stdout"].split() == ["PermissionError", "PermissionError", "PermissionError"]
    assert not os.path.lexists(learner["workspace"] / "link")


def test_a_lab_kernel_runs_exactly_the_graders_set_up():
    exercise = Exercise(
        id="x",
        folder=Path("."),
        title="x",
        module="SQ101",
        questions=(),
        limits=Limits(memory_mb=300),
    )
    graded = _with_hidden_cells(new_notebook(), setup_source(exercise), "")
    assert graded.cells[0].source == workspace_setup_source(300)


def test_a_kernel_starts_in_the_workspace_when_asked_for_a_folder_outside_it(tmp_path):
    provisioner = SandboxProvisioner(
        workspace=str(tmp_path / "ws"), uid=UID, lake_dir=str(tmp_path), kernel_id="k"
    )
    assert provisioner.folders(str(tmp_path)).cwd == ""
    assert provisioner.folders(str(tmp_path / "ws" / "a" / "b")).cwd == "a/b"
    assert provisioner.folders(None).scratch == (tmp_path / "ws" / SCRATCH_FOLDER).resolve()


def test_a_provisioner_missing_its_limits_refuses_to_start_a_kernel(tmp_path):
    provisioner = SandboxProvisioner(
        workspace=str(tmp_path), uid=UID, lake_dir=str(tmp_path), memory_mb=256, kernel_id="k"
    )
    with pytest.raises(RuntimeError, match="need processes, cpu_minutes set"):
        _in(provisioner.pre_launch())


def test_a_granted_learners_kernel_reads_the_real_values_and_no_one_elses_does(learner):
    # Under a grant the spawner gives the build's restricted folder as the lake, and the
    # build beside it for the views of everything else (app/hub/workspace.py).
    restricted = restricted_folder(learner["lake"])
    with open_lake(restricted) as con:
        real = con.execute(EMAIL).fetchone()[0]
    code = (
        "import os\n"
        "print(os.getgid())\n"
        f"print(lake.sql({EMAIL!r}).fetchall()[0][0])\n"
        "print(lake.sql('SELECT count(*) FROM trusted.advert').fetchall()[0][0] > 0)\n"
    )

    async def scenario(granted: bool):
        manager = _manager(learner)
        if granted:
            manager.config.SandboxProvisioner.lake_dir = str(restricted)
            manager.config.SandboxProvisioner.base_lake_dir = str(build_of(restricted))
        await manager.start_kernel(cwd=str(learner["workspace"]))
        try:
            return await _run(manager, code)
        finally:
            await manager.shutdown_kernel(now=True)

    granted, ungranted = _in(scenario(True)), _in(scenario(False))
    assert granted["error"] is None and ungranted["error"] is None, (granted, ungranted)
    gid, email, joined = granted["stdout"].splitlines()
    assert email == real != "[restricted]" and joined == "True"
    other_gid, masked, _ = ungranted["stdout"].splitlines()
    assert masked == "[restricted]"
    if can_switch_uid():
        # Only a granted kernel is in the group that may open a restricted folder.
        assert int(gid) == RESTRICTED_GID and int(other_gid) == UID
        assert restricted.stat().st_gid == RESTRICTED_GID
        assert restricted.stat().st_mode & 0o777 == 0o750
