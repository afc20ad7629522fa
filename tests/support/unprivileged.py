"""Running a command that file modes apply to, even when the tests run as root (CI does).

Root reads any file through CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH. Dropping both from the bounding set
(`setpriv`, util-linux) makes a root process obey file modes like any user, while it stays the owner of the
checkout, the interpreter and the virtualenv: `runuser -u nobody` would also need every one of those to be
readable by nobody, which a checkout or interpreter under /root is not.
"""

from __future__ import annotations

import os
import shutil

import pytest


def obeying_file_modes(argv: list[str]) -> list[str]:
    """`argv`, run so that a file with mode 0000 (or a folder without x) is refused to it."""
    if os.geteuid() != 0:
        return argv
    if shutil.which("setpriv") is None:
        pytest.fail(
            "running as root without util-linux's setpriv: install util-linux, or run the tests as a non-root user"
        )
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", *argv]
