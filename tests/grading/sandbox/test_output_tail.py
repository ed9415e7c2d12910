"""A kernel's own stdout/stderr: drained from its pipe, only the end kept in memory."""

from __future__ import annotations

import os

from app.grading.sandbox.kernel import OutputTail


def test_only_the_last_bytes_are_kept_however_much_is_written():
    read_end, write_end = os.pipe()
    tail = OutputTail(os.fdopen(read_end, "rb"), keep=1000)
    with os.fdopen(write_end, "wb") as writer:
        for i in range(200):
            writer.write(f"{i:04d}".encode() * 1024)  # 800 KB in all
    tail._thread.join(10)
    kept = tail.text(5000)
    assert len(kept) == 1000 and kept.endswith("0199") and "0000" not in kept
    assert tail.text(8) == "01990199"
