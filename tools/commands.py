"""The command lines a check ran, kept for docs/DEPLOY.md ("Commands this run used").

A command is recorded from the very argument list (and environment) handed to subprocess,
and only inside `step()`: what the report shows ran. Queries the checks poll (inspect, show
stat) are not recorded. Secrets never reach the text: a variable whose name says it is one
(SECRET, TOKEN, PASSWORD, KEY) shows `…`, every other occurrence of its value does too, and
so do a URL's password and a bearer token. They are redacted when recorded, so the raw value
is not even kept. Values that change from run to run (loopback ports, temporary folders,
names) are shown by a name such as `$NODE1_PORT` once `name()`d.
"""

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HIDDEN = "…"
SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|(?:^|_)KEY(?:_|$)")
URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", re.IGNORECASE)
BEARER = re.compile(r"(\bBearer\s+)[^\s\"']+")
SAFE_WORD = re.compile(r"[\w@%+=:,./-]+")
LINE_WIDTH = 96


def is_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name.upper()))


@dataclass
class Command:
    args: list[str]
    env: dict[str, str] | None  # the whole environment the process got, when not inherited
    files: list[tuple[str, dict[str, str]]]  # environment files its arguments name


@dataclass
class Sent:
    to: str  # what it was sent to, e.g. "HAProxy's runtime API ($RUN_DIR/haproxy.sock)"
    line: str


@dataclass
class Note:
    text: str


@dataclass
class Recorder:
    secrets: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)  # raw value -> placeholder
    files: dict[str, dict[str, str]] = field(default_factory=dict)  # path -> redacted env
    steps: list[tuple[str, list]] = field(default_factory=list)
    current: list | None = None

    # --- what is kept, and how ---------------------------------------------------------------

    def hide(self, value: str) -> None:
        """Never show `value`, wherever it appears."""
        if value:
            self.secrets.add(value)

    def hide_secrets_of(self, env: Mapping[str, str]) -> None:
        for key, value in env.items():
            if is_secret_name(key):
                self.hide(value)

    def name(self, value: str | int, placeholder: str) -> None:
        """Show `value` (a port, a temporary path) as `placeholder` in the report."""
        self.names[str(value)] = placeholder

    def redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, HIDDEN)
        text = BEARER.sub(rf"\1{HIDDEN}", text)
        return URL_PASSWORD.sub(rf"\1{HIDDEN}@", text)

    def _env(self, env: Mapping[str, str]) -> dict[str, str]:
        self.hide_secrets_of(env)
        return {
            key: HIDDEN if is_secret_name(key) and value else self.redact(value)
            for key, value in env.items()
        }

    # --- recording ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def step(self, heading: str) -> Iterator[None]:
        """Record the commands run inside the block under `heading`."""
        entries: list = []
        self.steps.append((heading, entries))
        self.current = entries
        try:
            yield
        finally:
            self.current = None

    def wrote(self, path: Path | str, env: Mapping[str, str]) -> None:
        """An environment file was written at `path` with `env` (redacted when kept)."""
        self.files[str(path)] = self._env(env)

    def ran(self, args: Sequence[str], *, env: Mapping[str, str] | None = None) -> None:
        if self.current is None:
            return
        kept_env = self._env(env) if env is not None else None
        args = [str(arg) for arg in args]
        files = [(arg, self.files[arg]) for arg in args if arg in self.files]
        self.current.append(Command([self.redact(a) for a in args], kept_env, files))

    def sent(self, to: str, line: str) -> None:
        if self.current is not None:
            self.current.append(Sent(to, self.redact(line)))

    def note(self, text: str) -> None:
        if self.current is not None:
            self.current.append(Note(self.redact(text)))

    # --- the report --------------------------------------------------------------------------

    def placeholders(self, text: str) -> str:
        for value in sorted(self.names, key=len, reverse=True):
            if value.isdigit():  # a port: never part of a longer number or word
                text = re.sub(rf"(?<!\w){value}(?!\w)", self.names[value], text)
            else:
                text = text.replace(value, self.names[value])
        return text

    def word(self, text: str) -> str:
        """One shell word, quoted only when it needs it; placeholders stay expandable."""
        if not text or SAFE_WORD.fullmatch(text.replace(HIDDEN, "x")) is None:
            text = '"' + re.sub(r'(["\\$`])', r"\\\1", text) + '"'
        return self.placeholders(text)

    def shell(self, words: list[str]) -> str:
        """Words joined into lines of at most LINE_WIDTH characters, continued with `\\`; an
        option and the word after it stay on one line."""
        units: list[str] = []
        for word in words:
            if units and units[-1].startswith("-") and " " not in units[-1]:
                if not word.startswith("-"):
                    units[-1] += " " + word
                    continue
            units.append(word)
        lines = [""]
        for word in units:
            if lines[-1] and len(lines[-1]) + 1 + len(word) > LINE_WIDTH:
                lines[-1] += " \\"
                lines.append("    ")
            lines[-1] += (" " if lines[-1].strip() else "") + word
        return "\n".join(lines)

    def _file_lines(self, path: str, env: dict[str, str], shown: dict[str, str] | None) -> list:
        lines = [f"{key}={self.word(value)}" for key, value in env.items()]
        title = f"# {self.placeholders(path)}, written by the check (mode 0600)"
        if shown is not None:
            before = [f"{key}={self.word(value)}" for key, value in shown.items()]
            changed = [line for line in lines if line not in before]
            gone = [key for key in shown if key not in env]
            if not changed and not gone:
                return [f"{title}: as above"]
            lines = changed + [f"(without {key})" for key in gone]
            title += ": as above, except"
        return [title + ":"] + [f"#   {line}" for line in lines]

    def markdown(self) -> str:
        out = []
        shown_file: dict[str, str] | None = None
        for heading, entries in self.steps:
            if not entries:
                continue
            block: list[str] = []
            for entry in entries:
                if isinstance(entry, Note):
                    block.append(f"# {self.placeholders(entry.text)}")
                elif isinstance(entry, Sent):
                    block.append(f"# sent to {self.placeholders(entry.to)}:")
                    block.append(self.placeholders(entry.line))
                else:
                    for path, env in entry.files:
                        block += self._file_lines(path, env, shown_file)
                        shown_file = env
                    words = [self.word(a) for a in entry.args]
                    if entry.env is not None:
                        env_words = [f"{k}={self.word(v)}" for k, v in entry.env.items()]
                        words = ["env", "-i", *env_words, *words]
                    block.append(self.shell(words))
            out.append(f"### {heading}\n\n```sh\n" + "\n".join(block) + "\n```\n")
        return "\n".join(out)


RECORDER = Recorder()


def ran(args: Sequence[str], *, env: Mapping[str, str] | None = None) -> None:
    """Record a command about to run, if a step is being recorded."""
    RECORDER.ran(args, env=env)
