"""Prompt templates: load the TOML files in `prompts/` (and user directories), render them.

A template is data, one TOML file each (see prompts/README.md). `{question}` is the only
placeholder and is substituted literally, so LaTeX braces such as `\\boxed{}` survive.
Built-ins ship as the package resource `rlvr_audit.prompts`; user files override them by name.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Problem, Prompt, stable_hash

PLACEHOLDER = "{question}"
_FIX_DIR = "pass --templates-dir DIR with your own TOML templates"


@dataclass(frozen=True)
class Template:
    """One prompt format. `chat`: `system` (None = the chat template's default) and `user`
    messages; `raw`: `text` sent as is. `prefill` starts the assistant's answer."""

    name: str
    kind: Literal["chat", "raw"]
    description: str = ""
    source: str = ""
    system: str | None = None
    user: str | None = None
    text: str | None = None
    prefill: str = ""
    stop: tuple[str, ...] = ()
    include_stop: bool = False
    max_tokens: int = 3072
    recommended_profile: str = ""
    verified: bool = True
    path: str | None = field(default=None, compare=False)

    @property
    def hash(self) -> str:
        """Content hash of everything that changes the prompt or where a completion ends."""
        return stable_hash(
            {
                "kind": self.kind,
                "system": self.system,
                "user": self.user,
                "text": self.text,
                "prefill": self.prefill,
                "stop": list(self.stop),
                "include_stop": self.include_stop,
            }
        )


_STR_KEYS = ("name", "kind", "description", "source", "system", "user", "text", "prefill", "recommended_profile")
_KNOWN_KEYS = {*_STR_KEYS, "stop", "include_stop", "max_tokens", "verified"}


def parse_template(text: str, origin: str) -> Template:
    """A Template from TOML text; an AuditError naming `origin` and the problem otherwise."""

    def bad(problem: str) -> AuditError:
        return AuditError(f"template file {origin}: {problem}", "fix the file (see prompts/README.md)")

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise bad(f"invalid TOML ({exc})") from exc
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise bad(f"unknown key(s) {unknown}; allowed: {sorted(_KNOWN_KEYS)}")
    for key in _STR_KEYS:
        if key in data and not isinstance(data[key], str):
            raise bad(f"'{key}' must be a string")
    name = data.get("name", "").strip()
    if not name or any(c.isspace() for c in name) or "," in name:
        raise bad("'name' must be a non-empty name without spaces or commas")
    kind = data.get("kind")
    if kind not in ("chat", "raw"):
        raise bad(f'\'kind\' must be "chat" or "raw", got {kind!r}')
    if kind == "raw":
        if "system" in data or "user" in data:
            raise bad("a raw template has 'text', not 'system'/'user'")
        if PLACEHOLDER not in data.get("text", ""):
            raise bad(f"'text' must contain {PLACEHOLDER}")
    else:
        if "text" in data:
            raise bad("a chat template has 'system' and 'user', not 'text'")
        if PLACEHOLDER not in data.get("user", ""):
            raise bad(f"'user' must contain {PLACEHOLDER}")
        if PLACEHOLDER in data.get("system", ""):
            raise bad(f"{PLACEHOLDER} belongs in 'user', not 'system'")
    stop = data.get("stop", [])
    if not isinstance(stop, list) or not all(isinstance(s, str) and s for s in stop):
        raise bad("'stop' must be a list of non-empty strings")
    include_stop = data.get("include_stop", False)
    verified = data.get("verified", True)
    if not isinstance(include_stop, bool) or not isinstance(verified, bool):
        raise bad("'include_stop' and 'verified' must be true or false")
    max_tokens = data.get("max_tokens", 3072)
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise bad("'max_tokens' must be a positive integer")
    return Template(
        name=name,
        kind=kind,
        description=data.get("description", ""),
        source=data.get("source", ""),
        system=data.get("system"),
        user=data.get("user"),
        text=data.get("text"),
        prefill=data.get("prefill", ""),
        stop=tuple(stop),
        include_stop=include_stop,
        max_tokens=max_tokens,
        recommended_profile=data.get("recommended_profile", ""),
        verified=verified,
        path=origin,
    )


def _builtin_sources() -> list[tuple[str, str]]:
    """(origin, TOML text) of every built-in template, sorted by file name."""
    try:
        from importlib.resources import files

        root: Any = files("rlvr_audit.prompts")
        entries = [e for e in root.iterdir() if e.name.endswith(".toml")]
    except (ImportError, OSError, TypeError, ValueError, AttributeError):
        # Editable installs cannot import the prompts/ -> rlvr_audit.prompts mapping as a
        # namespace package; the source tree holds the same files.
        root = Path(__file__).resolve().parents[1] / "prompts"
        entries = list(root.glob("*.toml")) if root.is_dir() else []
    return sorted(((str(e), e.read_text(encoding="utf-8")) for e in entries), key=lambda t: t[0])


@functools.lru_cache(maxsize=1)
def _builtin_templates() -> tuple[Template, ...]:
    found = _parse_all(_builtin_sources())
    if not found:
        raise AuditError("no built-in templates found (broken install?)", "reinstall rlvr-audit")
    return tuple(found.values())


def _parse_all(sources: Iterable[tuple[str, str]]) -> dict[str, Template]:
    out: dict[str, Template] = {}
    for origin, text in sources:
        tpl = parse_template(text, origin)
        if tpl.name in out:
            raise AuditError(
                f"template '{tpl.name}' is defined twice: {out[tpl.name].path} and {origin}",
                "give each template file a unique name",
            )
        out[tpl.name] = tpl
    return out


def _user_sources(extra: str | Path) -> list[tuple[str, str]]:
    path = Path(extra).expanduser()
    if path.is_dir():
        files = sorted(path.glob("*.toml"))
    elif path.is_file():
        files = [path]
    else:
        raise AuditError(f"templates path {path} does not exist", _FIX_DIR)
    out = []
    for f in files:
        try:
            out.append((str(f), f.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise AuditError(f"cannot read template file {f} ({exc})", "fix the file") from exc
    return out


def load_templates(extra_dirs: Sequence[str | Path] = ()) -> dict[str, Template]:
    """Built-in templates plus those in `extra_dirs` (directories of *.toml, or files).

    Later sources override earlier ones by name: built-ins < extra_dirs[0] < extra_dirs[1].
    """
    if isinstance(extra_dirs, (str, Path)):
        extra_dirs = [extra_dirs]
    templates = {t.name: t for t in _builtin_templates()}
    for extra in extra_dirs:
        templates.update(_parse_all(_user_sources(extra)))
    return templates


def get_template(name: str, extra_dirs: Sequence[str | Path] = ()) -> Template:
    """The template called `name`; an AuditError listing the known names otherwise."""
    templates = load_templates(extra_dirs)
    if name not in templates:
        raise AuditError(
            f"'{name}' is not a known template",
            f"use one of: {', '.join(sorted(templates))}; or {_FIX_DIR}",
        )
    return templates[name]


def render(template: Template, problem: Problem) -> Prompt:
    """The prompt for one problem: chat -> messages, raw -> text. Braces stay literal."""
    q = problem.question
    common = dict(prefill=template.prefill, stop=template.stop, include_stop=template.include_stop)
    if template.kind == "chat":
        messages: list[tuple[str, str]] = []
        if template.system is not None:
            messages.append(("system", template.system))
        messages.append(("user", (template.user or PLACEHOLDER).replace(PLACEHOLDER, q)))
        return Prompt(kind="chat", messages=tuple(messages), **common)
    return Prompt(kind="raw", text=(template.text or PLACEHOLDER).replace(PLACEHOLDER, q), **common)


def describe_templates(extra_dirs: Sequence[str | Path] = ()) -> list[dict[str, Any]]:
    """Rows for `rlvr-audit list templates`."""
    rows = []
    for name, tpl in sorted(load_templates(extra_dirs).items()):
        description = tpl.description if tpl.verified else f"[unverified] {tpl.description}"
        rows.append(
            {
                "name": name,
                "kind": tpl.kind,
                "max_tokens": tpl.max_tokens,
                "stop": ", ".join(repr(s) for s in tpl.stop) or "-",
                "profile": tpl.recommended_profile or "-",
                "hash": tpl.hash[:8],
                "description": description,
            }
        )
    return rows
