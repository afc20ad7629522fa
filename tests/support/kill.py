"""`accessgraph load` killed with SIGKILL while its write transaction is open: the probe the kill tests share."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

CLI = "import sys; from service.cli import main; sys.exit(main())"
ROOT = Path(__file__).resolve().parents[2]


def load_killed_midway(path: Path, at: str = ": wrote ") -> list[str]:
    """Runs `accessgraph load PATH --batch-size 100` and kills it with SIGKILL at its first line holding `at`
    (by default ": wrote ": a batch is in the open transaction); returns the stderr lines it wrote until then.

    Raises:
        AssertionError: the load was not killed that way (it failed, or finished first).
    """
    seen: list[str] = []
    with subprocess.Popen(
        [sys.executable, "-c", CLI, "load", str(path), "--batch-size", "100"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=dict(os.environ), cwd=ROOT,
    ) as process:
        watchdog = threading.Timer(180, process.kill)
        watchdog.start()
        try:
            assert process.stderr is not None
            for line in process.stderr:
                seen.append(line)
                if at in line:
                    process.send_signal(signal.SIGKILL)
                    break
            process.wait(timeout=60)
        finally:
            watchdog.cancel()
    assert process.returncode == -signal.SIGKILL, "".join(seen)
    return seen
