"""Running code in a real kernel of a Jupyter server, over its REST and WebSocket API.

What JupyterLab does when a learner runs a cell, without the browser: start a kernel
(``POST /api/kernels``), send ``execute_request`` on its channels WebSocket, and
collect what comes back until the kernel is idle again.
"""

from __future__ import annotations

import json
import time
import uuid

import requests
import websocket


class ServerKernel:
    """One kernel of a Jupyter server at ``base`` (``.../user/<name>`` or a bare server)."""

    def __init__(self, base: str, headers: dict[str, str], path: str = "") -> None:
        self.base = base.rstrip("/")
        self.headers = headers
        body = {"name": "academy", "path": path}
        response = requests.post(
            f"{self.base}/api/kernels", json=body, headers=headers, timeout=120
        )
        assert response.status_code == 201, response.text
        self.id = response.json()["id"]
        ws_url = self.base.replace("http", "ws", 1) + f"/api/kernels/{self.id}/channels"
        header = [f"{key}: {value}" for key, value in headers.items()]
        self.socket = websocket.create_connection(ws_url, header=header, timeout=120)

    def run(self, code: str, timeout: float = 120) -> dict:
        """Execute ``code``; its stdout, stderr, error name and status ("ok"/"error"/"died")."""
        msg_id = uuid.uuid4().hex
        self.socket.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "username": "test",
                        "session": uuid.uuid4().hex,
                        "version": "5.3",
                        "date": "",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": {"code": code, "silent": False, "store_history": False},
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        result = {"stdout": "", "stderr": "", "error": None, "status": None}
        idle = False  # the reply (shell) and the idle status (IOPub) come in either order
        # The server's WebSocket pings restart a socket's own timeout: keep a deadline.
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no reply within {timeout:g} s: {result}")
            self.socket.settimeout(left)
            # Control frames too (pings are answered as they come), so the deadline holds.
            opcode, data = self.socket.recv_data(control_frame=True)
            if opcode != websocket.ABNF.OPCODE_TEXT:
                continue
            message = json.loads(data)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                if message.get("msg_type") == "status" and (
                    message["content"].get("execution_state") in ("dead", "restarting")
                ):
                    result["status"] = "died"
                    return result
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                result[content["name"]] += content["text"]
            elif kind == "error":
                result["error"] = content["ename"]
            elif kind == "execute_reply":
                result["status"] = content["status"]
            elif kind == "status" and content["execution_state"] in ("dead", "restarting"):
                result["status"] = "died"
                return result
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            if idle and result["status"] is not None:
                return result

    def close(self) -> None:
        """Close the channels and shut the kernel down."""
        self.socket.close()
        requests.delete(f"{self.base}/api/kernels/{self.id}", headers=self.headers, timeout=60)
