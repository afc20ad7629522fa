"""The local Neo4j 5.26 Community server: provisioned from Maven Central, run by Neo4j's own launcher.

Layout of the cache folder (default `.neo4j/` in the checkout):

    pom.xml                    the Maven project that resolves org.neo4j:neo4j 5.26.x and its runtime jars
    dist/lib/*.jar             the server's class path, complete only when dist/manifest.json matches it
    dist/manifest.json         version and jar sizes, written last: its absence means "not provisioned"
    <instance>/lib             a link to dist/lib (Neo4j's launcher wants NEO4J_HOME/lib)
    <instance>/conf/neo4j.conf written by us on every start: loopback only, auth on, usage reports off
    <instance>/{data,logs,run} the database, its logs, the launcher's pid file
    <instance>/credentials.json  generated password and Bolt port (mode 0600)

An instance folder and its data are private to the user who provisioned them (0700; auth files and
credentials.json 0600), and are made so again at every start. The jars are not secret and stay shared.

Instances share the jars: `home` is the one the CLI runs, `test` the one the test suite empties at will.

The server is started by `org.neo4j.server.startup.Neo4jCommand` (what `bin/neo4j` runs), which
daemonises `org.neo4j.server.CommunityEntryPoint` with the JVM options from neo4j.conf.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from service.database.settings import (
    DEFAULT_BOLT_PORT,
    LocalCredentials,
    cache_dir,
    read_credentials,
    write_credentials,
)
from service.errors import ProvisioningError

VERSION_RANGE = "[5.26.0,5.27.0)"
LAUNCHER = "org.neo4j.server.startup.Neo4jCommand"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
# Jars without which the server cannot start or serve Bolt; a cache missing one is repaired.
REQUIRED_JARS = ("neo4j", "neo4j-bolt", "neo4j-kernel", "neo4j-server", "neo4j-dbms", "neo4j-command-line")

_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.accessgraph</groupId>
  <artifactId>neo4j-server-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>neo4j</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""

# Neo4j's recommended JVM flags (from the distribution's neo4j.conf), minus AlwaysPreTouch,
# which would touch the whole heap at every start.
_JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
)

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class ServerConfig:
    """What neo4j.conf says; sized for the 2-core, 24 GB machines accessgraph targets."""

    bolt_port: int = DEFAULT_BOLT_PORT
    http_port: int | None = None
    heap: str = "4g"
    page_cache: str = "4g"

    @classmethod
    def from_env(
        cls, bolt_port: int | None = None, http_port: int | None = None, *, stored_port: int | None = None
    ) -> ServerConfig:
        """The port, in this order: given, `ACCESSGRAPH_NEO4J_BOLT_PORT`, the one the instance last ran on
        (`stored_port`, from its credentials.json), 7687."""
        env_port = os.environ.get("ACCESSGRAPH_NEO4J_BOLT_PORT")
        return cls(
            bolt_port=bolt_port or (int(env_port) if env_port else stored_port or DEFAULT_BOLT_PORT),
            http_port=http_port,
            heap=os.environ.get("ACCESSGRAPH_NEO4J_HEAP", "4g"),
            page_cache=os.environ.get("ACCESSGRAPH_NEO4J_PAGECACHE", "4g"),
        )

    def render(self, home: Path) -> str:
        lines = [
            "# Written by `accessgraph neo4j start`; edits are overwritten at the next start.",
            f"server.directories.data={home / 'data'}",
            f"server.directories.logs={home / 'logs'}",
            f"server.directories.run={home / 'run'}",
            f"server.directories.plugins={home / 'plugins'}",
            f"server.directories.import={home / 'import'}",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{self.bolt_port}",
            f"server.bolt.advertised_address=127.0.0.1:{self.bolt_port}",
            "server.bolt.enabled=true",
            f"server.http.enabled={'true' if self.http_port else 'false'}",
            "server.https.enabled=false",
            "dbms.security.auth_enabled=true",
            "dbms.usage_report.enabled=false",
            f"server.memory.heap.initial_size={self.heap}",
            f"server.memory.heap.max_size={self.heap}",
            f"server.memory.pagecache.size={self.page_cache}",
            "db.tx_log.rotation.retention_policy=2 days 2G",
        ]
        if self.http_port:
            lines.append(f"server.http.listen_address=127.0.0.1:{self.http_port}")
        lines += [f"server.jvm.additional={flag}" for flag in _JVM_FLAGS]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    version: str | None
    bolt_port: int | None


class LocalServer:
    """One provisioned Neo4j in one cache folder."""

    def __init__(self, folder: Path | None = None, instance: str = "home") -> None:
        self.folder = folder or cache_dir()
        self.home = self.folder / instance
        self.lib = self.folder / "dist" / "lib"
        self.manifest = self.folder / "dist" / "manifest.json"

    # -- provisioning -------------------------------------------------------------------------

    def provisioned_version(self) -> str | None:
        """The version whose jars are all present, or None when the cache is absent or incomplete."""
        try:
            manifest = json.loads(self.manifest.read_text(encoding="utf-8"))
            jars: dict[str, int] = manifest["jars"]
            version = str(manifest["version"])
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None
        for name, size in jars.items():
            path = self.lib / name
            if not path.is_file() or path.stat().st_size != size:
                return None
        return version

    def provision(self, progress: Progress = _quiet) -> str:
        """Resolve Neo4j Community 5.26.x from Maven Central into the cache; repair a broken cache.

        Returns the version provisioned. Raises ProvisioningError with what to do when Java or Maven
        is missing or Maven cannot resolve the server.
        """
        version = self.provisioned_version()
        if version is not None:
            return version
        if self.lib.exists() or self.manifest.exists():
            progress(f"cache in {self.lib.parent} is incomplete (interrupted download or missing jars): repairing")
        _require_tool("java", "Install Java 17 or 21 (Debian: apt-get install openjdk-17-jre-headless).")
        mvn = _require_tool("mvn", "Install Maven (Debian: apt-get install maven), or use Docker (README).")
        requested = os.environ.get("ACCESSGRAPH_NEO4J_VERSION", VERSION_RANGE)
        self.folder.mkdir(parents=True, exist_ok=True)
        pom = self.folder / "pom.xml"
        pom.write_text(_POM.format(version=requested), encoding="utf-8")
        staging = self.lib.with_name("lib.partial")
        shutil.rmtree(staging, ignore_errors=True)
        self.manifest.unlink(missing_ok=True)
        progress(f"resolving org.neo4j:neo4j {requested} and its runtime jars from Maven Central")
        result = subprocess.run(
            [
                mvn,
                "-B",
                "-q",
                "-f",
                str(pom),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={staging}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
            raise ProvisioningError(f"Maven could not resolve Neo4j {requested}:\n{tail}")
        version = _server_version(staging)
        missing = [jar for jar in REQUIRED_JARS if not (staging / f"{jar}-{version}.jar").is_file()]
        if missing:
            raise ProvisioningError(f"Maven resolved Neo4j {version} without {', '.join(missing)}")
        shutil.rmtree(self.lib, ignore_errors=True)
        staging.replace(self.lib)
        jars = {p.name: p.stat().st_size for p in sorted(self.lib.glob("*.jar"))}
        partial = self.manifest.with_suffix(".partial")
        partial.write_text(json.dumps({"version": version, "jars": jars}, indent=1), encoding="utf-8")
        partial.replace(self.manifest)
        progress(f"provisioned Neo4j Community {version}: {len(jars)} jars in {self.lib}")
        return version

    # -- configuration and credentials ----------------------------------------------------------

    def credentials(self, config: ServerConfig) -> LocalCredentials:
        """The stored credentials, created (with a fresh random password) on first use."""
        existing = read_credentials(self.home)
        if existing is not None and existing.bolt_port == config.bolt_port:
            return existing
        if existing is not None:
            updated = LocalCredentials(existing.username, existing.password, config.bolt_port)
            write_credentials(self.home, updated)
            return updated
        if self._auth_initialised():
            raise ProvisioningError(
                f"{self.home / 'credentials.json'} is missing but the database in {self.home / 'data'} "
                "already has a password; run `accessgraph neo4j reset` to start afresh (deletes the data)"
            )
        created = LocalCredentials("neo4j", secrets.token_urlsafe(24), config.bolt_port)
        write_credentials(self.home, created)
        return created

    def configure(self, config: ServerConfig) -> LocalCredentials:
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.make_private()
        for sub in ("conf", "data", "logs", "run", "plugins", "import"):
            (self.home / sub).mkdir(mode=0o700, exist_ok=True)
        link = self.home / "lib"
        if not link.is_symlink() or link.resolve() != self.lib.resolve():
            if link.is_symlink() or link.is_file():
                link.unlink()
            elif link.is_dir():
                shutil.rmtree(link)
            link.symlink_to(self.lib.resolve(), target_is_directory=True)
        (self.home / "conf" / "neo4j.conf").write_text(config.render(self.home), encoding="utf-8")
        credentials = self.credentials(config)
        if not self._auth_initialised():
            self._set_initial_password(credentials.password)
        self.make_private()
        return credentials

    def make_private(self) -> None:
        """Only the owner may enter the instance or its data, or read its password and auth files.

        Applied at every start, so an instance provisioned before this rule (0755 folders, a 0644
        auth.ini) is closed too.
        """
        modes = {self.home: 0o700, self.home / "data": 0o700, self.home / "credentials.json": 0o600}
        modes.update({path: 0o600 for path in (self.home / "data" / "dbms").glob("auth*")})
        for path, mode in modes.items():
            try:
                if path.exists() and stat.S_IMODE(path.stat().st_mode) != mode:
                    path.chmod(mode)
            except PermissionError as exc:
                raise ProvisioningError(
                    f"cannot make {path} private (mode {mode:04o}): it belongs to another user; run "
                    "accessgraph as the user that provisioned this Neo4j, or set ACCESSGRAPH_NEO4J_DIR to a "
                    "folder of your own"
                ) from exc

    def _set_initial_password(self, password: str) -> None:
        # On the command line the password would show in `ps` to every local user while AdminTool runs.
        # neo4j-admin reads arguments from an `@file` (picocli's argument files, documented for every
        # admin command); `--` keeps a password that starts with "-" from being read as an option, and the
        # generated password's URL-safe alphabet needs no quoting there.
        fd, name = tempfile.mkstemp(prefix="initial-password.", dir=self.home)  # mode 0600
        argument_file = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(f"-- {password}\n")
            self._java(ADMIN_TOOL, "dbms", "set-initial-password", f"@{argument_file}")
        except ProvisioningError as exc:  # AdminTool's complaint may quote its arguments
            raise ProvisioningError(str(exc).replace(password, "<password>")) from None
        finally:
            argument_file.unlink(missing_ok=True)

    def _auth_initialised(self) -> bool:
        data = self.home / "data"
        return (data / "dbms" / "auth.ini").exists() or (data / "databases" / "system").exists()

    # -- process ---------------------------------------------------------------------------------

    def pid(self) -> int | None:
        pid_file = self.home / "run" / "neo4j.pid"
        try:
            pid = int(pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        return pid

    def launch(self) -> None:
        self._java(LAUNCHER, "start")

    def shutdown(self) -> None:
        self._java(LAUNCHER, "stop")

    def _java(self, main_class: str, *args: str) -> str:
        env = {
            **os.environ,
            "NEO4J_HOME": str(self.home),
            "NEO4J_CONF": str(self.home / "conf"),
        }
        env.pop("JAVA_OPTS", None)
        env.pop("HEAP_SIZE", None)
        java = _require_tool("java", "Install Java 17 or 21.")
        result = subprocess.run(
            [java, "-cp", f"{self.lib}/*", main_class, *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        output = (result.stdout + result.stderr).strip()
        if result.returncode != 0:
            log = self.home / "logs" / "neo4j.log"
            raise ProvisioningError(
                f"`neo4j {' '.join(args[:2])}` failed (exit {result.returncode}):\n{_tail(output, 15)}\nsee {log}"
            )
        return output

    def log_tail(self, lines: int = 20) -> str:
        for name in ("neo4j.log", "debug.log"):
            path = self.home / "logs" / name
            if path.is_file():
                return _tail(path.read_text(encoding="utf-8", errors="replace"), lines)
        return "(no log written)"

    def reset(self) -> None:
        """Forget the database and its password; the jars stay."""
        shutil.rmtree(self.home / "data", ignore_errors=True)
        (self.home / "credentials.json").unlink(missing_ok=True)


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _server_version(lib: Path) -> str:
    versions = [
        match.group(1)
        for jar in lib.glob("neo4j-5.*.jar")
        if (match := re.fullmatch(r"neo4j-(5\.\d+\.\d+)\.jar", jar.name))
    ]
    if len(versions) != 1:
        raise ProvisioningError(f"expected one org.neo4j:neo4j jar in {lib}, found {versions or 'none'}")
    return versions[0]


def _require_tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ProvisioningError(f"`{name}` is not on PATH. {hint}")
    return path


def _tail(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[-lines:])
