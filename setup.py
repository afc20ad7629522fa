"""Ships the Cypher statements inside the package, so an installed accessgraph (a wheel, the Docker image)
finds them without a source checkout.

`cypher/` stays at the repository root, where the project keeps every statement. setuptools can only
package files that live inside a package folder, so the build copies `cypher/*.cypher` into
`service/_cypher/` of the build tree; `service.cypher.cypher_dir()` looks there when it does not run
from a checkout. Everything else is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCE = Path(__file__).resolve().parent / "cypher"
PACKAGED = Path("service") / "_cypher"


class BuildPyWithCypher(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads cypher/ of the checkout directly
            return
        statements = sorted(SOURCE.glob("*.cypher"))
        if not statements:
            raise SystemExit(f"no Cypher statements in {SOURCE}: the package would not work")
        target = Path(self.build_lib) / PACKAGED
        shutil.rmtree(target, ignore_errors=True)  # no statement left over from an earlier build
        target.mkdir(parents=True)
        for statement in statements:
            shutil.copyfile(statement, target / statement.name)


setup(cmdclass={"build_py": BuildPyWithCypher})
