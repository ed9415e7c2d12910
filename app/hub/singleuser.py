"""What a learner's JupyterLab server runs with: the sandboxed kernel only, their files only.

The server runs outside the sandbox (as the hub's user: root in the embedded mode), so
it must never start a kernel any other way. jupyter_client always offers its native
``python3`` kernel by name, whatever ``allowed_kernelspecs`` says, and that kernel
would run unsandboxed in the server's own account; ``AcademyKernelSpecs`` knows no
kernel but the ``academy`` one, and only as long as it names the sandbox provisioner.

The learner's kernels, sandboxed as their own uid, write the same folder the server
serves. So the server must never be led out of the workspace by what a kernel left
there, and what the server writes must stay the learner's to change
(``WorkspaceContents``):

- a path whose real location is outside the workspace is answered 404, whatever link
  leads there (kernels cannot make links, see ``sandbox/seccomp.py``; this covers any
  made another way);
- each file or folder the server saves is given to the learner's uid, so their kernel
  may write beside a notebook it was opened from and change what was uploaded.
"""

from __future__ import annotations

import os

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web
from traitlets import Int

from app.grading.sandbox.provisioner import KERNEL_NAME
from app.grading.sandbox.provisioner import NAME as PROVISIONER


class AcademyKernelSpecs(KernelSpecManager):
    """The kernelspecs of a learner's server: the sandboxed ``academy`` kernel, no other."""

    def find_kernel_specs(self) -> dict[str, str]:
        """Only the academy's kernelspec is listed (JupyterLab's launcher shows no other)."""
        return {
            name: path for name, path in super().find_kernel_specs().items() if name == KERNEL_NAME
        }

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        """The academy's kernelspec; any other name, or a spec without the sandbox, is refused."""
        if kernel_name != KERNEL_NAME:
            raise NoSuchKernel(kernel_name)
        spec = super().get_kernel_spec(kernel_name)
        provisioner = spec.metadata.get("kernel_provisioner", {}).get("provisioner_name")
        if provisioner != PROVISIONER:
            raise NoSuchKernel(kernel_name)
        return spec


class WorkspaceContents(AsyncLargeFileManager):  # type: ignore[misc]
    """jupyter_server's own file manager, kept inside the workspace."""

    owner_uid = Int(0, config=True, help="The learner's uid (their kernels'): 0 keeps ours.")

    def _get_os_path(self, path: str) -> str:
        os_path = super()._get_os_path(path)
        root = os.path.realpath(self.root_dir)
        real = os.path.realpath(os_path)
        if real != root and not real.startswith(root + os.sep):
            raise web.HTTPError(404, f"{path} is not in your workspace")
        return os_path

    async def save(self, model: dict, path: str = "") -> dict:
        """Save as jupyter_server does, then give what was written to the learner."""
        saved = await super().save(model, path)
        if self.owner_uid and os.geteuid() == 0:
            os_path = self._get_os_path(path)
            # lchown: should the path have become a link meanwhile, the link is changed,
            # never what it points to.
            os.lchown(os_path, self.owner_uid, self.owner_uid)
        return saved
