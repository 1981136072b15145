"""Rule files as data that a spaCy component holds, saves and loads, like spaCy's own rulers.

The rules of one kind (``models/<kind>/``: lexicons, patterns, gazetteers) travel as one
``RuleFiles`` value: read from the bundled package data or ``UNGOV_MODELS_DIR``, validated against
``models/schema.json`` when read, written next to the pipeline by ``nlp.to_disk`` and read back by
``spacy.load``. While a component runs, its rules are the *current* rules of their kind
(``using``), so the readers in the extractor modules (``current(kind)``) see the rules of the
pipeline that is running, not a process-wide directory. Anything compiled from rules is cached
per ``RuleFiles`` (by content digest), so two pipelines with different rules can share a process.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from functools import cached_property, lru_cache, wraps
from pathlib import Path
from typing import Any, TypeVar

from pipeline import settings

T = TypeVar("T")
RULE_SUFFIXES = (".json", ".jsonl", ".txt")
KINDS = ("actors", "commitments", "dates", "meetings", "metadata")  # one folder of models/ each
SCHEMA_FILE = "schema.json"
_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "number": (int, float),
    "integer": int,
    "boolean": bool,
}


class RuleError(ValueError):
    """A rule file that does not match the schema: names the file, the line and what is wrong."""


class RuleFiles:
    """The rule files of one kind: file name -> text, compared and cached by content."""

    def __init__(self, kind: str, files: dict[str, str]) -> None:
        self.kind = kind
        self.files = dict(sorted(files.items()))

    @classmethod
    def read(cls, kind: str, directory: Path, schema: dict | None = None) -> RuleFiles:
        """Read ``directory`` (one kind's folder) and validate every file against the schema."""
        directory = Path(directory)
        if not directory.is_dir():
            raise RuleError(f"{directory}: no rule folder for {kind!r}")
        files = {
            p.name: p.read_text(encoding="utf-8")
            for p in sorted(directory.iterdir())
            if p.is_file() and p.suffix in RULE_SUFFIXES and not p.name.startswith(".")
        }
        rules = cls(kind, files)
        rules.validate(schema if schema is not None else bundled_schema(), directory)
        return rules

    def write(self, directory: Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in self.files.items():
            (directory / name).write_text(text, encoding="utf-8")

    @cached_property
    def digest(self) -> str:
        h = hashlib.sha256(self.kind.encode())
        for name, text in self.files.items():
            h.update(f"\x1e{name}\x1f".encode())
            h.update(text.encode("utf-8"))
        return h.hexdigest()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RuleFiles) and other.kind == self.kind and other.digest == self.digest

    def __hash__(self) -> int:
        return hash((self.kind, self.digest))

    def __repr__(self) -> str:
        return f"RuleFiles({self.kind!r}, {len(self.files)} files, {self.digest[:10]})"

    def text(self, name: str) -> str:
        try:
            return self.files[name]
        except KeyError:
            raise RuleError(f"{self.kind}/{name}: rule file missing") from None

    def json(self, name: str) -> Any:
        return _parsed_json(self, name)

    def jsonl(self, name: str) -> list[dict]:
        return _parsed_jsonl(self, name)

    # -- validation ------------------------------------------------------------------------------
    def validate(self, schema: dict, where: Path | str | None = None) -> None:
        """Every file has a schema entry; JSON keys and JSONL fields are known and typed; values
        drawn from a closed set (pattern ids, normalizers, checks, actor types) are in it."""
        place = Path(where) if where is not None else Path(self.kind)
        specs = schema.get(self.kind)
        if specs is None:
            raise RuleError(f"{place}: no schema for rule kind {self.kind!r}")
        for name, spec in specs.items():
            if spec.get("required", True) and name not in self.files:
                raise RuleError(f"{place / name}: required rule file missing")
        for name in self.files:
            spec = specs.get(name)
            if spec is None:
                raise RuleError(f"{place / name}: unknown rule file (schema knows {', '.join(sorted(specs))})")
            if name.endswith(".jsonl"):
                self._check_lines(place / name, spec)
            elif name.endswith(".json"):
                try:
                    data = json.loads(self.files[name])
                except json.JSONDecodeError as exc:
                    raise RuleError(f"{place / name}, line {exc.lineno}: invalid JSON ({exc.msg})") from None
                _check_object(data, spec, f"{place / name}", self.files[name])

    def _check_lines(self, path: Path, spec: dict) -> None:
        for number, line in enumerate(self.files[path.name].splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise RuleError(f"{path}, line {number}: invalid JSON ({exc.msg})") from None
            _check_object(record, spec, f"{path}, line {number}", None)


def _check_object(data: Any, spec: dict, where: str, source: str | None) -> None:
    if not isinstance(data, dict):
        raise RuleError(f"{where}: expected a JSON object")
    fields: dict = spec.get("fields", {})
    for key, value in data.items():
        if key.startswith("_"):  # comments and documentation
            continue
        field = fields.get(key)
        at = f"{where}, line {_line_of(source, key)}" if source is not None else where
        if field is None:
            if spec.get("open"):  # a table keyed by data (e.g. role titles), values typed alike
                field = spec["open"]
            else:
                raise RuleError(f"{at}: unknown key {key!r} (known: {', '.join(sorted(fields))})")
        expected = _JSON_TYPES[field["type"]]
        if not isinstance(value, expected) or (field["type"] != "boolean" and isinstance(value, bool)):
            raise RuleError(f"{at}: {key!r} must be a JSON {field['type']}, got {type(value).__name__}")
        allowed = field.get("enum")
        if allowed is not None:
            values = value if isinstance(value, list) else [value]
            unknown = [v for v in values if v not in allowed]
            if unknown:
                raise RuleError(f"{at}: unknown {key} {unknown[0]!r} (known: {', '.join(allowed)})")
    for key in spec.get("required_fields", ()):
        if key not in data:
            raise RuleError(f"{where}: required key {key!r} missing")


def _line_of(source: str | None, key: str) -> int:
    """The line of a top-level key in a JSON file's text (1 when it cannot be told)."""
    if not source:
        return 1
    at = source.find(json.dumps(key) + ":")
    return source.count("\n", 0, at) + 1 if at >= 0 else 1


@lru_cache(maxsize=64)
def _parsed_json(rules: RuleFiles, name: str) -> Any:
    return json.loads(rules.text(name))


@lru_cache(maxsize=64)
def _parsed_jsonl(rules: RuleFiles, name: str) -> list[dict]:
    return [
        json.loads(line)
        for line in rules.text(name).splitlines()
        if line.strip() and not line.lstrip().startswith("//")
    ]


# -- where the rules come from ---------------------------------------------------------------------
def models_dir() -> Path:
    """The rule folder: ``UNGOV_MODELS_DIR`` (or ``settings.MODELS_DIR`` set by a caller), else the
    package data installed with the code."""
    return Path(settings.MODELS_DIR)


@lru_cache(maxsize=8)
def _schema_at(directory: str) -> dict:
    path = Path(directory) / SCHEMA_FILE
    if not path.is_file():
        path = settings.BUNDLED_MODELS_DIR / SCHEMA_FILE
    return json.loads(path.read_text(encoding="utf-8"))


def bundled_schema() -> dict:
    return _schema_at(str(models_dir()))


@lru_cache(maxsize=32)
def _read_cached(kind: str, directory: str, stamp: tuple) -> RuleFiles:
    return RuleFiles.read(kind, Path(directory) / kind)


def _stamp(directory: Path) -> tuple:
    """Names, sizes and mtimes of a rule folder: a file edited in place is read again."""
    try:
        return tuple(sorted((p.name, st.st_size, st.st_mtime_ns) for p in directory.iterdir() for st in [p.stat()]))
    except OSError:
        return ()


def load(kind: str, directory: str | Path | None = None) -> RuleFiles:
    """The rules of ``kind`` from ``directory`` (a models folder holding ``<kind>/``), default
    the configured one; read and validated once per content."""
    base = Path(directory) if directory else models_dir()
    return _read_cached(kind, str(base), _stamp(base / kind))


_CURRENT: dict[str, ContextVar[RuleFiles | None]] = {}


def _var(kind: str) -> ContextVar[RuleFiles | None]:
    if kind not in _CURRENT:
        _CURRENT[kind] = ContextVar(f"ungov_rules_{kind}", default=None)
    return _CURRENT[kind]


def current(kind: str) -> RuleFiles:
    """The rules of ``kind`` in effect: those of the component that is running, else the default."""
    rules = _var(kind).get()
    return rules if rules is not None else load(kind)


@contextmanager
def using(*rule_sets: RuleFiles) -> Iterator[None]:
    """Make these rules current for their kinds while the block runs."""
    with ExitStack() as stack:
        for rules in rule_sets:
            token = _var(rules.kind).set(rules)
            stack.callback(_var(rules.kind).reset, token)
        yield


def per_rules(kind: str) -> Callable[[Callable[[], T]], Callable[[], T]]:
    """Cache a no-argument function that compiles something from the current ``kind`` rules,
    once per rule content (instead of once per process)."""

    def wrap(build: Callable[[], T]) -> Callable[[], T]:
        @lru_cache(maxsize=4)
        def for_rules(_rules: RuleFiles) -> T:
            return build()  # ``_rules`` is current while it runs

        @wraps(build)
        def compiled() -> T:
            return for_rules(current(kind))

        compiled.cache_clear = for_rules.cache_clear  # type: ignore[attr-defined]
        return compiled

    return wrap


class RuleBacked:
    """Mixin of our spaCy components: the rules they hold, ``initialize``, and serialization.

    ``nlp.to_disk`` writes each kind's files into the component's folder and ``spacy.load`` reads
    them back (validated), so a saved pipeline carries its rules the way an EntityRuler carries
    its patterns. A subclass names its ``rule_kinds`` and rebuilds what it compiled from them in
    ``rules_changed``.
    """

    rule_kinds: tuple[str, ...] = ()

    def load_rules(self, rules_dir: str | Path | None = None) -> None:
        self.rules = {kind: load(kind, rules_dir) for kind in self.rule_kinds}
        self.rules_changed()

    def rules_changed(self) -> None:
        """Rebuild what the component compiled from its rules (matchers, tables)."""

    def using_rules(self):
        return using(*self.rules.values())

    def __call__(self, doc):
        """Run ``find`` with this component's rules current (what its helper modules read)."""
        with self.using_rules():
            return self.find(doc)

    def find(self, doc):
        raise NotImplementedError

    def initialize(self, get_examples=None, *, nlp=None, rules_dir: str | None = None) -> None:
        """``nlp.initialize()``: (re)load the rules, from ``rules_dir`` when the config names one."""
        self.load_rules(rules_dir)

    def to_disk(self, path: str | Path, *, exclude: tuple = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for kind, rules in self.rules.items():
            rules.write(path / kind)
        schema = {kind: bundled_schema()[kind] for kind in self.rules}
        (path / SCHEMA_FILE).write_text(json.dumps(schema, indent=1, sort_keys=True), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: tuple = ()):
        path = Path(path)
        schema = json.loads((path / SCHEMA_FILE).read_text(encoding="utf-8"))
        self.rules = {kind: RuleFiles.read(kind, path / kind, schema) for kind in self.rule_kinds}
        self.rules_changed()
        return self

    def to_bytes(self, *, exclude: tuple = ()) -> bytes:
        return json.dumps({kind: rules.files for kind, rules in self.rules.items()}).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: tuple = ()):
        files = json.loads(data)
        schema = bundled_schema()
        self.rules = {}
        for kind in self.rule_kinds:
            rules = RuleFiles(kind, files[kind])
            rules.validate(schema, f"<bytes>/{kind}")
            self.rules[kind] = rules
        self.rules_changed()
        return self
