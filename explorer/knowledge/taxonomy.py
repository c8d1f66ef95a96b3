"""What we know about the domain: pathfinders, mentors, organisations (taxonomy.toml) and
places (places.csv), with a user override file in the data dir merged over the bundled ones."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from explorer import paths
from explorer.corpus.split import csv_problem

KINDS = ("pathfinder", "mentor", "place", "organisation", "topic")
# The fields an entry of taxonomy.toml may have (the bundled file and a user's alike).
ENTRY_FIELDS = frozenset({"id", "name", "aliases", "remove_aliases", "sectors", "regions", "region", "later_names",
                          "lead_body", "cues", "terms", "common_word", "name_is_label", "disabled", "type"})
SECTORS = (
    "Health", "Adult social care", "Children's services", "Youth services", "Education",
    "Housing", "Disability", "Homelessness", "Social inclusion",
)
REGIONS = (
    "North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands",
    "East of England", "London", "South East", "South West", "Wales", "Scotland", "Northern Ireland",
)


class TaxonomyError(Exception):
    """A knowledge file is malformed; the message names the file and the entry."""


@dataclass
class Entity:
    kind: str
    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    lead_body: str = ""
    later_names: list[str] = field(default_factory=list)
    cues: list[list[list[str]]] = field(default_factory=list)
    place_type: str = ""
    common_word: bool = False
    name_is_label: bool = False  # the name describes (a town + a service); only aliases and cues find it

    def search_names(self) -> list[str]:
        """The written forms the tagger looks for."""
        names = self.names()
        return names[1:] if self.name_is_label and names and names[0] == self.name.strip() else names

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    def names(self) -> list[str]:
        """Every written form: the canonical name first, then aliases, without repeats."""
        seen: dict[str, None] = {}
        for n in [self.name, *self.aliases]:
            n = n.strip()
            if n and n.lower() not in {s.lower() for s in seen}:
                seen[n] = None
        return list(seen)

    def as_dict(self) -> dict:
        d = {"kind": self.kind, "id": self.id, "name": self.name, "aliases": self.aliases}
        if self.kind == "pathfinder":
            d.update(sectors=self.sectors, regions=self.regions, lead_body=self.lead_body,
                     later_names=self.later_names)
        if self.kind == "place":
            d.update(regions=self.regions, place_type=self.place_type)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Entity:
        """The entity ``as_dict`` wrote (as the index's entities table keeps it)."""
        return cls(kind=d["kind"], id=d["id"], name=d["name"], aliases=list(d.get("aliases") or []),
                   sectors=list(d.get("sectors") or []), regions=list(d.get("regions") or []),
                   lead_body=d.get("lead_body") or "", later_names=list(d.get("later_names") or []),
                   place_type=d.get("place_type") or "")




def mention_values(e: Entity, via: str, role: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """What one mention of ``e`` (found ``via`` name, cue or incidental, with a mentor's
    ``role``) gives its document: facet values {facet: [values]} and full-text field values
    {field: [values]} (model.KNOWLEDGE_FACETS and KNOWLEDGE_FIELDS). The indexer unions these over a document's mentions; the engine asks
    which mentions gave a value a query matched (to show them in a snippet)."""
    facets: dict[str, list[str]] = {}
    ft: dict[str, list[str]] = {}
    if e.kind == "pathfinder":
        facets = {"pathfinder": [e.name], "sector": list(e.sectors), "region": list(e.regions)}
        ft = {"pathfinder": [e.name, e.id], "sector": list(e.sectors), "region": list(e.regions)}
    elif e.kind == "mentor":
        facets = {"mentor": [e.name], "mentor_role": [role or "other"]}
        ft = {"mentor": [e.name, e.id, *e.aliases]}
    elif e.kind == "topic":
        facets = {"topic": [e.name]}
    elif e.kind == "place" and via != "incidental":  # a place in an organisation's name is no region
        facets = {"region": list(e.regions)}
        ft = {"region": list(e.regions)}
    return facets, ft


@dataclass
class Taxonomy:
    entities: dict[str, Entity]  # by key "kind:id"
    sources: list[str] = field(default_factory=list)  # files it was read from
    problems: list[str] = field(default_factory=list)
    term_sets: dict[str, list[str]] = field(default_factory=dict)  # [terms] table: "@name" in a cue
    # [[rejection]] entries of the user's file: a mention a user marked wrong, by document and
    # offsets, with the entity and the words it covered (so an edited document is not affected)
    rejections: set[tuple[str, int, int, str, str]] = field(default_factory=set)

    def rejects(self, doc_id: str, key: str, start: int, end: int, surface: str) -> bool:
        return (doc_id, start, end, key, surface) in self.rejections

    def of_kind(self, kind: str) -> list[Entity]:
        return [e for e in self.entities.values() if e.kind == kind]

    def get(self, key: str) -> Entity | None:
        return self.entities.get(key)

    def fingerprint(self) -> str:
        """Changes whenever the knowledge changes, so the indexer knows to re-tag everything."""
        h = hashlib.sha256()
        for key in sorted(self.entities):
            e = self.entities[key]
            h.update(repr((key, e.name, sorted(e.aliases), e.sectors, e.regions, e.cues, e.common_word,
                           e.name_is_label)).encode())
        h.update(repr(sorted(self.term_sets.items())).encode())
        h.update(repr(sorted(self.rejections)).encode())
        return h.hexdigest()[:16]

    def resolve(self, kind: str, value: str) -> Entity | None:
        """An entity of ``kind`` by id, name or alias, case-insensitively."""
        v = value.strip().lower()
        for e in self.of_kind(kind):
            if v == e.id.lower() or v in (n.lower() for n in e.names()):
                return e
        return None


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def load(data_dir: Path | None = None, override_text: str | None = None) -> Taxonomy:
    """The bundled knowledge with the user's overrides (``<data dir>/taxonomy.toml`` and
    ``<data dir>/places.csv``) merged over it. ``override_text``, if given, is read in place of
    the user's taxonomy.toml (a correction not saved yet: its preview)."""
    entities: dict[str, Entity] = {}
    sources: list[str] = []
    problems: list[str] = []
    term_sets: dict[str, list[str]] = {}
    rejections: set[tuple[str, int, int, str, str]] = set()
    bundled_toml = paths.resource("taxonomy.toml")
    _merge(entities, _read_toml(bundled_toml), bundled_toml, problems, term_sets)
    sources.append(str(bundled_toml))
    bundled_places = paths.resource("places.csv")
    for e in read_places(bundled_places, problems):
        entities[e.key] = e
    sources.append(str(bundled_places))
    if data_dir is not None:
        user_toml = paths.user_override("taxonomy.toml", data_dir)
        if override_text is not None or user_toml.is_file():
            try:
                data_toml = _read_toml(user_toml) if override_text is None else _toml_text(override_text, user_toml)
                _merge(entities, data_toml, user_toml, problems, term_sets)
                rejections |= read_rejections(data_toml, user_toml, problems)
                sources.append(str(user_toml))
            except TaxonomyError as exc:
                problems.append(f"{exc}; the file is ignored")
        user_places = paths.user_override("places.csv", data_dir)
        if user_places.is_file():
            for e in read_places(user_places, problems):
                old = entities.get(e.key)
                if old is not None:
                    e.aliases = list(dict.fromkeys(old.aliases + e.aliases))
                entities[e.key] = e
            sources.append(str(user_places))
    return Taxonomy(entities, sources, problems, term_sets, rejections)


def read_rejections(data: dict, path: Path, problems: list[str]) -> set[tuple[str, int, int, str, str]]:
    out = set()
    for n, raw in enumerate(data.get("rejection", []), start=1):
        try:
            out.add((str(raw["doc_id"]), int(raw["start"]), int(raw["end"]), str(raw["entity"]), str(raw["surface"])))
        except (KeyError, TypeError, ValueError):
            problems.append(f"{path.name}: rejection {n} needs doc_id, start, end, entity and surface; ignored")
    return out


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _toml_text(text: str, path: Path) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"{path}: not valid TOML ({exc})") from None


def _line_of(path: Path, key: str, nth: int = 1) -> int | None:
    """The line of ``path`` where the ``nth`` ``[[key]]`` table (or a ``key = ...`` value)
    starts: tomllib gives values, not their places, and a message should say where to look."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    pattern = re.compile(rf"^\s*(\[\[\s*{re.escape(key)}\s*\]\]|{re.escape(key)}\s*=)")
    seen = 0
    for i, line in enumerate(lines, start=1):
        if pattern.match(line):
            seen += 1
            if seen == nth:
                return i
    return None


def _where(path: Path, key: str, nth: int = 1) -> str:
    line = _line_of(path, key, nth)
    return f"{path.name} line {line}" if line else path.name


def _type_name(value: object) -> str:
    return {int: "a number", float: "a number", str: "text", bool: "true/false", dict: "a table",
            list: "a list"}.get(type(value), type(value).__name__)


def _merge(entities: dict[str, Entity], data: dict, path: Path, problems: list[str],
           term_sets: dict[str, list[str]]) -> None:
    terms = data.get("terms", {})
    if isinstance(terms, dict):
        for name, values in terms.items():
            if isinstance(values, list):
                term_sets[str(name)] = list(dict.fromkeys(term_sets.get(str(name), []) + [str(v) for v in values]))
            else:
                problems.append(f"{_where(path, 'terms')}: terms.{name} must be a list; ignored")
    else:
        problems.append(f"{_where(path, 'terms')}: 'terms' must be a table, not {_type_name(terms)}; ignored")
    for kind in ("pathfinder", "mentor", "organisation", "place", "topic"):
        entries = data.get(kind, [])
        if not isinstance(entries, list):
            problems.append(f"{_where(path, kind)}: '{kind}' must be a list of [[{kind}]] tables, "
                            f"not {_type_name(entries)}; ignored")
            continue
        for n, raw in enumerate(entries, start=1):
            if not isinstance(raw, dict):
                problems.append(f"{_where(path, kind)}: {kind} entry {n} must be a table, not {_type_name(raw)}; ignored")
                continue
            if not raw.get("id") and not raw.get("name"):
                problems.append(f"{_where(path, kind, n)}: {kind} entry {n} has neither id nor name; ignored")
                continue
            eid = str(raw.get("id") or slug(str(raw["name"])))
            key = f"{kind}:{eid}"
            if raw.get("disabled"):
                entities.pop(key, None)
                continue
            old = entities.get(key)
            e = old or Entity(kind=kind, id=eid, name=str(raw.get("name") or eid))
            try:
                if "name" in raw:
                    e.name = str(raw["name"])
                if "aliases" in raw:
                    e.aliases = list(dict.fromkeys((e.aliases if old else []) + [str(a) for a in raw["aliases"]]))
                for a in raw.get("remove_aliases", []):
                    e.aliases = [x for x in e.aliases if x.lower() != str(a).lower()]
                for attr in ("sectors", "regions", "later_names"):
                    if attr in raw:
                        setattr(e, attr, [str(x) for x in raw[attr]])
                if "region" in raw:
                    e.regions = [str(raw["region"])]
                if "type" in raw:  # a place's type, as in places.csv ("town", "region"...)
                    e.place_type = str(raw["type"])
                if "lead_body" in raw:
                    e.lead_body = str(raw["lead_body"])
                if "cues" in raw:
                    e.cues = [[[str(t) for t in group] for group in cue] for cue in raw["cues"]]
                if "terms" in raw:  # a topic's words: one cue of one group
                    e.cues = [[[str(t) for t in raw["terms"]]]]
                if "common_word" in raw:
                    e.common_word = bool(raw["common_word"])
                if "name_is_label" in raw:
                    e.name_is_label = bool(raw["name_is_label"])
            except (TypeError, ValueError):
                problems.append(f"{_where(path, kind, n)}: {kind} {eid!r} has a field of the wrong type; ignored")
                continue
            bad = [s for s in e.sectors if s not in SECTORS] + [r for r in e.regions if r not in REGIONS]
            if bad:
                problems.append(f"{path.name}: {kind} {eid!r}: unknown sector/region {', '.join(bad)}")
            entities[key] = e


def read_places(path: Path, problems: list[str]) -> list[Entity]:
    out: list[Entity] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.append(f"{path}: missing; no place names will be recognised")
        return out
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot read ({exc})")
        return out
    reader = csv.DictReader(io.StringIO(text, newline=""))
    last_line = 1
    try:
        for row in reader:
            n, last_line = last_line + 1, reader.line_num
            name = (row.get("name") or "").strip()
            region = (row.get("region") or "").strip()
            if not name or region not in REGIONS:
                problems.append(f"{path.name} line {n}: needs a name and one of the 12 regions; ignored")
                continue
            aliases = [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()]
            out.append(Entity(kind="place", id=slug(name), name=name, aliases=aliases, regions=[region],
                              place_type=(row.get("type") or "").strip(),
                              common_word=(row.get("common_word") or "0").strip() in ("1", "true", "yes")))
    except csv.Error as exc:
        problems.append(f"{path} line {last_line + 1}: {csv_problem(exc)}; the whole file is ignored")
        return []
    return out
