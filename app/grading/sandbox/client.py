"""nbclient's NotebookClient, adapted to a kernel we started ourselves and to hostile output.

``adopt`` wraps a running SandboxedKernel in an AsyncKernelManager so that
nbclient's liveness checks ask our process (not a heartbeat, which a busy
kernel may miss). ``CappedClient`` keeps at most ``output_bytes`` of outputs:
past that it truncates, adds a note and stops the cell at once rather than
letting a flood run on until the timeout. Widget (comm) traffic and display
updates are ignored, since nbclient would otherwise keep them in memory
without bound.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import zmq
import zmq.asyncio
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import KernelProvisionerBase
from nbclient import NotebookClient
from nbformat import NotebookNode
from nbformat.v4 import new_output

from app.grading.sandbox.contract import OUTPUT_LIMIT
from app.grading.sandbox.kernel import SandboxedKernel, is_alive


class _AdoptedProvisioner(KernelProvisionerBase):
    """Tells the kernel manager whether our kernel lives; starting and stopping are ours."""

    def __init__(self, kernel: SandboxedKernel, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kernel = kernel

    @property
    def has_process(self) -> bool:
        """A kernel is always attached (the manager asks before trusting poll)."""
        return True

    async def poll(self) -> int | None:
        """None while the kernel runs, else its exit status."""
        return None if is_alive(self.kernel) else (self.kernel.process.returncode or -1)

    async def wait(self) -> int | None:
        """Not used: the executor waits for the kernel when it stops it."""
        return await self.poll()

    async def send_signal(self, signum: int) -> None:
        """Not used: interrupting is never needed, a stopped run kills the kernel."""

    async def kill(self, restart: bool = False) -> None:
        """Not used: kernel.stop_kernel is the only way a kernel ends."""

    async def terminate(self, restart: bool = False) -> None:
        """Not used, like kill."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> dict[str, Any]:
        """Never called: the kernel was launched by kernel.start_kernel."""
        raise NotImplementedError("adopted kernels are started by the executor")

    async def cleanup(self, restart: bool = False) -> None:
        """Nothing to clean: the executor deletes the kernel's run directory."""


def new_context(output_bytes: int) -> zmq.asyncio.Context:
    """A ZeroMQ context whose sockets drop any single message too large to hold safely."""
    context = zmq.asyncio.Context()
    # Without a cap one message (print("x" * 10**9)) would be read whole into
    # the web process before the output cap could see it.
    context.setsockopt(zmq.MAXMSGSIZE, max(8 * 2**20, 4 * output_bytes))
    context.setsockopt(zmq.LINGER, 0)
    return context


def adopt(kernel: SandboxedKernel, context: zmq.asyncio.Context) -> AsyncKernelManager:
    """A kernel manager attached to an already running kernel."""
    manager = AsyncKernelManager(context=context, transport="ipc")
    manager.load_connection_info(kernel.connection)
    manager.provisioner = _AdoptedProvisioner(kernel=kernel, parent=manager)
    return manager


class CappedClient(NotebookClient):
    """A NotebookClient that caps the outputs it keeps and can stop the running cell."""

    def __init__(self, nb: NotebookNode, output_bytes: int, **kwargs: Any) -> None:
        """``output_bytes`` caps all outputs kept in ``nb``, summed over cells."""
        super().__init__(nb, **kwargs)
        self.output_bytes = output_bytes
        self.kept_bytes = 0
        self.stop_reason: str | None = None

    def stop(self, reason: str) -> None:
        """End the running cell now; async_execute_cell then raises DeadKernelError."""
        if self.stop_reason is None:
            self.stop_reason = reason
        task = getattr(self, "task_poll_for_reply", None)
        if task is not None and not task.done():
            task.cancel()

    def output(
        self,
        outs: list[NotebookNode],
        msg: dict[str, Any],
        display_id: str | None,
        cell_index: int,
    ) -> NotebookNode | None:
        """Keep an output while the cap allows; past it keep what fits, add a note, stop."""
        if self.stop_reason is not None:
            return None
        out = super().output(outs, msg, display_id, cell_index)
        if out is None:
            return None
        size = len(json.dumps(out))
        if self.kept_bytes + size <= self.output_bytes:
            self.kept_bytes += size
            return out
        outs.remove(out)
        room = self.output_bytes - self.kept_bytes
        if out.get("output_type") == "stream" and room > 0:
            out["text"] = out["text"][:room]
            outs.append(out)
        self.kept_bytes = self.output_bytes
        self.stop(OUTPUT_LIMIT)
        return None

    def handle_comm_msg(self, outs: list[NotebookNode], msg: dict[str, Any], idx: int) -> None:
        """Ignore widget traffic: grading never needs it and nbclient would store it all."""

    def _update_display_id(self, display_id: str, msg: dict[str, Any]) -> None:
        """Ignore display updates, which could otherwise grow outputs past the cap."""


async def watch_dropped_output(kc: Any, client: CappedClient, kernel: SandboxedKernel) -> None:
    """Stop the run when ZeroMQ drops an oversized output (until cancelled).

    A disconnect also happens when the kernel dies; nbclient reports that
    itself, so a disconnect only counts while the kernel is still alive.
    """
    socket = kc.iopub_channel.socket
    monitor = socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
    try:
        while True:
            await monitor.recv_multipart()
            await asyncio.sleep(0.5)  # time for a dying kernel's process to end
            if is_alive(kernel):
                client.stop(OUTPUT_LIMIT)
    finally:
        socket.disable_monitor()
        monitor.close(linger=0)


def note(text: str) -> NotebookNode:
    """A stderr output carrying the executor's explanation inside the notebook."""
    return new_output("stream", name="stderr", text=f"[Data Academy] {text}\n")
