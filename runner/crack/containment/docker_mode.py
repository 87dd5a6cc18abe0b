"""The docker mode: the grading in a container of the learner's language, through the SDK.

The image is built from ``learner_template/<lang>/Dockerfile`` on a base image made
locally (``scripts/docker-base-image.sh``: debootstrap + ``docker import``, no registry),
tagged by a hash of the Dockerfile and the base, so a changed template rebuilds and an
unchanged one is reused. The container has no network but loopback, memory, CPU and
process limits, a read-only root with a tmpfs for /tmp, and only the working copy mounted
writable. crack itself (its interpreter, packages and challenges) is mounted read-only at
the same paths, so the child grader runs the very code the learner installed, and tester
and program share the container's loopback.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crack.containment.remote import InsideSpec, inside_command
from crack.paths import data_root, learner_templates_dir

if TYPE_CHECKING:
    from crack.grading import GradingPlan

BASE_IMAGE = "crack-base:bookworm"
TESTER_HEADROOM_MB = 768
"""The container holds the tester too: its memory comes on top of the program's limit
(the program's own limit is enforced inside, by the memory watch)."""
CRACK_ENGINE_STATE = "/var/lib/crack-docker"
CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class DockerUnavailable(Exception):
    pass


def base_image() -> str:
    return os.environ.get("CRACK_DOCKER_BASE", BASE_IMAGE)


def engine_address() -> str:
    """DOCKER_HOST if set, else crack's own engine (scripts/docker-engine.sh) if it runs,
    else the system's."""
    if os.environ.get("DOCKER_HOST"):
        return os.environ["DOCKER_HOST"]
    state = Path(os.environ.get("CRACK_DOCKER_STATE", CRACK_ENGINE_STATE))
    if (state / "docker.sock").exists():
        return f"unix://{state / 'docker.sock'}"
    return "unix:///var/run/docker.sock"


def client() -> Any:
    """A client for the engine at DOCKER_HOST, or DockerUnavailable saying how to get one."""
    try:
        import docker
    except ImportError:
        raise DockerUnavailable("the docker Python package is not installed (pip install docker)") from None
    where = engine_address()
    try:
        engine = docker.DockerClient(base_url=where, timeout=120)
        engine.ping()
    except Exception as exc:
        raise DockerUnavailable(
            f"no Docker engine answers at {where} ({type(exc).__name__}). Start one with "
            "`scripts/docker-engine.sh` and set DOCKER_HOST to the socket it prints, or use "
            "--isolation namespace / none"
        ) from None
    return engine


def language_image(engine: Any, language: str) -> str:
    """The image for ``language``, built when missing or out of date."""
    template = learner_templates_dir() / language
    dockerfile = template / "Dockerfile"
    if not dockerfile.is_file():
        raise DockerUnavailable(f"there is no {dockerfile}: the '{language}' template has no image")
    base = base_image()
    try:
        base_id = engine.images.get(base).id
    except Exception:
        raise DockerUnavailable(
            f"the base image {base} is missing: build it once with `scripts/docker-base-image.sh`"
        ) from None
    digest = hashlib.sha256(dockerfile.read_bytes() + base_id.encode()).hexdigest()[:12]
    tag = f"crack-{language}:{digest}"
    try:
        engine.images.get(tag)
        return tag
    except Exception:
        pass
    try:
        engine.images.build(
            path=str(template),
            dockerfile="Dockerfile",
            tag=tag,
            buildargs={"BASE": base},
            network_mode="host",  # apt reaches the package mirror; the gradings get no network
            rm=True,
            forcerm=True,
        )
    except Exception as exc:
        raise DockerUnavailable(f"building the {language} image from {dockerfile} failed: {exc}") from None
    return tag


def _crack_mounts(spec: InsideSpec) -> dict[str, dict[str, str]]:
    """Host directories the child grader needs, mounted read-only at the same paths."""
    import crack

    paths = {
        Path(sys.prefix),
        Path(crack.__file__).resolve().parents[1],
        data_root().resolve(),
        Path(spec.challenge_dir).resolve(),
    }
    base = Path(sys.base_prefix).resolve()
    if not (base == Path("/usr") or base.is_relative_to(Path("/usr"))):
        paths.add(base)  # an interpreter outside the system dirs (pyenv, a venv's base)
    executable = Path(sys.executable).resolve()
    if not any(executable.is_relative_to(p) for p in paths) and not executable.is_relative_to("/usr"):
        paths.add(executable.parent)
    mounts = {str(p): {"bind": str(p), "mode": "ro"} for p in sorted(paths)}
    mounts[spec.cwd] = {"bind": spec.cwd, "mode": "rw"}
    return mounts


class DockerLauncher:
    mode = "docker"

    def __init__(self, engine: Any, image: str) -> None:
        self.engine = engine
        self.image = image
        self.container: Any = None
        self.state: dict[str, Any] = {}

    @classmethod
    def prepare(cls, language: str, plan: GradingPlan) -> DockerLauncher:
        engine = client()
        return cls(engine, language_image(engine, language))

    def start(self, spec: InsideSpec) -> Iterator[str]:
        limits = spec.limits
        memory = f"{int(limits.get('memory_mb', 2048)) + TESTER_HEADROOM_MB}m"  # type: ignore[call-overload]
        cpus = limits.get("cpus")
        self.container = self.engine.containers.run(
            self.image,
            command=[*inside_command(), spec.to_json()],
            detach=True,
            network_mode="none",
            mem_limit=memory,
            memswap_limit=memory,
            pids_limit=int(limits.get("pids", 512)) + 64,  # type: ignore[call-overload]
            # The program's share, plus one core for the tester beside it.
            nano_cpus=int((float(cpus) + 1) * 1e9) if cpus else None,  # type: ignore[arg-type]
            read_only=True,
            tmpfs={"/tmp": "rw,exec,nosuid,size=1g"},
            volumes=_crack_mounts(spec),
            working_dir=spec.cwd,
            environment={
                "PATH": CONTAINER_PATH,
                "HOME": "/tmp",
                "TMPDIR": "/tmp",
                "LANG": "C.UTF-8",
                "PYTHONUNBUFFERED": "1",
                "PYTHONDONTWRITEBYTECODE": "1",
                "CRACK_INSIDE": "docker",
            },
            hostname="crack-grading",
            # DAC_READ_SEARCH lets the program's unprivileged user read its working copy
            # wherever it lives (setpriv passes on that one capability, as in the other
            # modes); SYS_PTRACE lets the tester (root) see that user's sockets in /proc to
            # know when it listens. The program itself gets neither of the latter.
            cap_add=["DAC_READ_SEARCH", "SYS_PTRACE"],
        )
        try:
            pending = b""
            for chunk in self.container.logs(stream=True, follow=True, stdout=True, stderr=True):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    yield line.decode("utf-8", errors="replace")
            if pending:
                yield pending.decode("utf-8", errors="replace")
        finally:
            self._finish()

    def _finish(self) -> None:
        try:
            self.container.wait(timeout=10)
            self.container.reload()
            self.state = self.container.attrs.get("State", {})
        except Exception:
            self.state = {}
        try:
            self.container.remove(force=True)
        except Exception:
            pass

    def interrupt(self) -> None:
        try:
            self.container.kill(signal="SIGINT")
        except Exception:
            pass

    def kill(self) -> None:
        try:
            self.container.kill()
        except Exception:
            pass

    def ended(self) -> str | None:
        if not self.state:
            return None
        if self.state.get("OOMKilled"):
            return "was killed: the container went over its memory limit"
        return f"exited with code {self.state.get('ExitCode')}"
