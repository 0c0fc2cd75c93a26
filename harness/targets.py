"""Targets: one contract, five forms. A spec names a server; `running()` starts a fresh one
(when the form allows), yields it live, and always stops it.

| form | started as |
| --- | --- |
| `module:Class` | a server class in this process (harness.inprocess.InProcessServer) |
| `cmd:COMMAND` | a command line with `{port}`, in its own process group (harness.serving.command) |
| `asgi:module:app`, `asgi:module:factory()` | an ASGI app under uvicorn, forked fresh (harness.serving.asgi) |
| `ws://…`, `wss://…` | an external server, never restarted: its state carries over between replays |
| `cluster:N:TARGET` | N instances of a `module:Class` or `cmd:` target sharing one Redis (harness.serving.cluster) |
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable

from harness.config import ClusterConfig, HarnessConfig, TargetTable, Timeouts, load_config
from harness.errors import TargetError

LOOPBACK = "127.0.0.1"
USAGE = "want an alias, module:Class, cmd:COMMAND with {port}, asgi:module:app, ws://host:port or cluster:N:TARGET"
CLUSTER_PREFIX = "cluster:"
CLUSTER_MEMBERS = ("class", "cmd")  # forms a cluster's instances may take


@dataclass(frozen=True)
class TargetSpec:
    """A resolved target (nothing imported or started yet)."""

    spec: str  # as written (an alias, or a full form)
    kind: str  # "class", "cmd", "asgi", "url" or "cluster"
    value: str  # the full form without its prefix
    keywords: tuple[str, ...] = ()  # settings a server class takes as its own keywords
    env: tuple[tuple[str, str], ...] = ()  # extra environment of a started process
    count: int = 1  # instances started (a cluster's N)
    member: TargetSpec | None = None  # a cluster's instances' target
    cluster: ClusterConfig = ClusterConfig()  # what a cluster's instances share
    root: str = "."  # the project's directory (of its pyproject.toml): where a started process runs,
    # and the first place its import path is looked up

    @property
    def in_process(self) -> bool:
        """A server class run inside the harness process."""
        return self.kind == "class"

    @property
    def restartable(self) -> bool:
        """False for an external URL: the harness cannot give each replay a fresh server."""
        return self.kind != "url"

    @property
    def module(self) -> str:
        return self.value.partition(":")[0] if self.kind in ("class", "asgi") else ""

    @property
    def attr(self) -> str:
        return self.value.partition(":")[2] if self.kind in ("class", "asgi") else ""

    @property
    def url(self) -> str:
        return self.value if self.kind == "url" else ""


@dataclass(frozen=True)
class LiveTarget:
    """A started target: its URL; for an in-process server, its Python side (a
    harness.serverside.ServerControl, else None); `arrived` is set whenever the server publishes
    on its event bus. A cluster is its first instance, with every instance in `instances`."""

    url: str
    server: Any | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    instances: tuple[LiveTarget, ...] = ()
    pid: int | None = None  # the process (group leader) of a started command, else None

    @property
    def count(self) -> int:
        """How many instances connections are spread over (1 for a single server)."""
        return len(self.instances) or 1

    def instance(self, index: int | None) -> LiveTarget:
        """Instance `index` of a cluster (None: the first); a single server is every instance."""
        return self.instances[index or 0] if self.instances else self


def _dotted(path: str) -> bool:
    return all(part.isidentifier() for part in path.split("."))


def _class_form(value: str) -> str | None:
    module, sep, attr = value.partition(":")
    return None if sep and module and _dotted(module) and attr.isidentifier() else USAGE


def _asgi_form(value: str) -> str | None:
    module, sep, attr = value.partition(":")
    attr = attr.removesuffix("()")
    ok = sep and module and _dotted(module) and attr.isidentifier()
    return None if ok else "want asgi:module:app or asgi:module:factory()"


def _cmd_form(value: str) -> str | None:
    try:
        words = shlex.split(value)
    except ValueError as exc:
        return f"cannot split the command line: {exc}"
    if not words:
        return "empty command"
    return None if "{port}" in value else "the command has no {port} placeholder"


def _url_form(value: str) -> str | None:
    return None


# prefix -> (kind, check of the rest: None or the reason it is bad)
_FORMS: dict[str, tuple[str, Callable[[str], str | None]]] = {
    "cmd:": ("cmd", _cmd_form),
    "asgi:": ("asgi", _asgi_form),
    "ws://": ("url", _url_form),
    "wss://": ("url", _url_form),
}


@functools.lru_cache(maxsize=8)
def _project_config(path: Path) -> HarnessConfig:
    return load_config(path)


def project_config() -> HarnessConfig:
    """The configuration of the working directory's pyproject.toml (what the CLI reads too)."""
    return _project_config(Path("pyproject.toml").resolve())


def target_table(config: HarnessConfig | None) -> TargetTable:
    """The `[tool.harness.targets]` of `config`; for a configuration built in code that sets
    none, the working directory's project's."""
    if config is not None and (config.source is not None or config.targets != TargetTable()):
        return config.targets
    return project_config().targets


def parse_target(spec: str, config: HarnessConfig | None = None) -> TargetSpec:
    """Resolve an alias (`[tool.harness.targets] aliases`) and check the form (no import yet)."""
    table = target_table(config)
    project = config or project_config()
    full = table.aliases.get(spec, spec)
    if full.startswith(CLUSTER_PREFIX):
        return _cluster_spec(spec, full[len(CLUSTER_PREFIX):], config)
    prefix = next((p for p in _FORMS if full.startswith(p)), "")
    kind, check = _FORMS.get(prefix, ("class", _class_form))
    value = full if kind == "url" else full[len(prefix):]
    problem = check(value)
    if problem is not None:
        raise TargetError(f"bad target {spec!r}: {problem}")
    return TargetSpec(spec, kind, value, table.constructor_keywords, tuple(project.env.items()),
                      root=str(project.root.resolve()))


def _cluster_spec(spec: str, value: str, config: HarnessConfig | None) -> TargetSpec:
    """`cluster:N:TARGET`: N >= 1 instances of an in-process class or `cmd:` target."""
    count, sep, inner = value.partition(":")
    if not sep or not (count.isascii() and count.isdigit()) or int(count) < 1:
        raise TargetError(f"bad target {spec!r}: want cluster:N:TARGET with N a whole number >= 1")
    if not inner:
        raise TargetError(f"bad target {spec!r}: cluster:N:TARGET names no TARGET")
    try:
        member = parse_target(inner, config)
    except TargetError as exc:
        reason = str(exc).removeprefix(f"bad target {inner!r}: ")
        raise TargetError(f"bad target {spec!r}: its TARGET {inner!r}: {reason}") from None
    if member.kind not in CLUSTER_MEMBERS:
        raise TargetError(f"bad target {spec!r}: a cluster's TARGET must be module:Class or cmd:COMMAND "
                          f"(an alias of one), not {member.kind} {inner!r}")
    cluster = (config or project_config()).cluster
    return TargetSpec(spec, "cluster", value, member.keywords, member.env, int(count), member, cluster, root=member.root)


def on_import_path(target: TargetSpec) -> None:
    """Put the target's project directory first on sys.path, as pytest does with its rootdir: an
    import path in a configuration is relative to its project, wherever the harness runs from."""
    if target.root not in sys.path:
        sys.path.insert(0, target.root)


def load_server_class(target: TargetSpec) -> Any:
    """Import the attribute a `module:attr` names (a server class, or an ASGI app), from the
    target's project first."""
    on_import_path(target)
    try:
        module = importlib.import_module(target.module)
    except Exception as exc:  # an import error of the target is reported, not raised through
        raise TargetError(f"cannot import {target.module!r}: {exc!r}") from None
    namespace = vars(module)
    if target.attr.removesuffix("()") not in namespace:
        raise TargetError(f"{target.module!r} has no attribute {target.attr!r}")
    return namespace[target.attr.removesuffix("()")]


def constructor_arguments(settings: dict[str, Any] | None, keywords: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Keyword arguments for a server class: the recording's settings, with the `keywords` the
    constructor takes itself (default: the project's `constructor_keywords`) moved out."""
    keywords = target_table(None).constructor_keywords if keywords is None else keywords
    remaining = dict(settings or {})
    own = {key: remaining.pop(key) for key in keywords if key in remaining}
    return {"settings": remaining, "host": LOOPBACK, "port": 0, **own}


def _launchers() -> dict[str, Callable[..., contextlib.AbstractAsyncContextManager]]:
    from harness.inprocess import serve_class
    from harness.serving.asgi import serve_asgi
    from harness.serving.cluster import serve_cluster
    from harness.serving.command import serve_command

    return {"class": serve_class, "cmd": serve_command, "asgi": serve_asgi, "url": _serve_url,
            "cluster": serve_cluster}


@contextlib.asynccontextmanager
async def _serve_url(target: TargetSpec, settings: dict[str, Any] | None, timeouts: Timeouts):
    yield LiveTarget(target.url)


@contextlib.asynccontextmanager
async def running(
    target: TargetSpec, settings: dict[str, Any] | None, timeouts: Timeouts | None = None
) -> AsyncIterator[LiveTarget]:
    """Start the target fresh with `settings` (bounded by `timeouts.start`), yield it live, always
    stop it (bounded by `timeouts.close`). A server that died meanwhile raises TargetError."""
    launch = _launchers()[target.kind]
    async with launch(target, settings, timeouts or Timeouts()) as live:
        yield live


def check_target(target: TargetSpec) -> None:
    """Fail early (TargetError) on a target that cannot start at all: a class or ASGI app that
    does not import, or is not what its form needs; a cluster whose Redis is not there."""
    if target.kind == "cluster":
        from harness.serving.cluster import check_cluster

        check_target(target.member)
        check_cluster(target)
    elif target.in_process:
        load_server_class(target)
    elif target.kind == "asgi":
        from harness.serving.asgi import check_app

        check_app(target)
