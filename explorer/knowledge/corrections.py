"""Knowledge a user corrects: aliases, new entities and rejected mentions, saved in the user's
override file (``<data dir>/taxonomy.toml``, the layout of the bundled taxonomy.toml, merged
over it by :func:`explorer.knowledge.taxonomy.load`).

Every correction is appended to that file as an entry of the existing layout, so whatever the
user wrote there by hand (comments included) stays as it was:

- an alias:     ``[[mentor]] id = "kpmg" aliases = ["Klynveld Peat Marwick Goerdeler"]``
  (an entry with a bundled id adds its aliases to the bundled ones); a removed alias:
  ``[[mentor]] id = "tribal" remove_aliases = ["Tribal"]``;
- an entity:    ``[[organisation]] id = "x" name = "X" aliases = [...]`` (``region = "..."``
  for a place, one of the 12 regions);
- a rejection:  ``[[rejection]] doc_id = "..." start = 10 end = 14 entity = "mentor:kpmg"
  surface = "KPMG"``: that mention in that document is wrong. It only matches while the
  document still has those words at those offsets.

- an edit:      ``[[place]] id = "x" name = "New name" region = "Wales"`` (a renamed entity keeps
  its old name as an alias, so no mention is lost);
- a hidden built-in entity: ``[[mentor]] id = "tribal" disabled = true``.

Each correction is one entry; :func:`entries` numbers them in file order and :func:`undo`
takes one out again (an added entity goes with every entry of its own). Undoing the last
correction gives the file back byte for byte as it was before it (its line ends, a last line
without one, the user's comments); undoing the correction that created the file takes it away.

Each function returns a :class:`Change` that is not saved yet: the new text of the file and
what must be re-tagged (the documents that hold a name the change adds or takes away, those
that mention an edited entity, and the document of a rejection). :func:`save` writes it;
previewing and applying it (re-tagging only those documents) is explorer/retag.py's work.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from explorer import paths
from explorer.knowledge import taxonomy as tax_mod
from explorer.knowledge.taxonomy import Entity, Taxonomy
from explorer.model import EDITABLE_KINDS, plural  # (EDITABLE_KINDS: what add-entity creates)

OVERRIDE_NAME = "taxonomy.toml"
PLACES_NAME = "places.csv"
_ENTRY_KINDS = ("pathfinder", "mentor", "organisation", "place", "topic")
_ID = re.compile(r"[a-z0-9][a-z0-9_]{0,63}")
_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z_]+)\s*\]\]\s*(?:#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[\[?\s*[A-Za-z_\"'][^\]]*\]\]?\s*(?:#.*)?$")


class CorrectionError(Exception):
    """A correction cannot be made; the message says why in one line."""


@dataclass
class Change:
    description: str
    texts: list[str] = field(default_factory=list)  # names: documents holding one are re-tagged
    doc_ids: list[str] = field(default_factory=list)  # documents re-tagged whatever they hold
    entities: list[str] = field(default_factory=list)  # keys: documents mentioning one are re-tagged
    fingerprint_before: str = ""  # of the knowledge before the change
    new_text: str | None = None  # the override file with the change (None: nothing to write)
    path: Path | None = None
    delete: bool = False  # take the file away (undoing the correction that created it); new_text is ""
    notes: list[str] = field(default_factory=list)  # what an import merged, skipped or replaced


@dataclass
class Entry:
    """One correction in the user's file: the ``index``-th ``[[table]]`` entry, at ``line``."""

    n: int  # 1-based, in file order: what `explorer knowledge undo N` takes
    table: str
    index: int
    line: int
    entity: str  # the key it concerns ("mentor:kpmg")
    what: str  # "entity", "alias", "removed alias", "edit", "hidden", "rejection", "other"
    text: str  # one line saying what it does
    raw: dict

    def as_dict(self) -> dict:
        return {"n": self.n, "what": self.what, "entity": self.entity, "text": self.text, "line": self.line}


def override_path(data: Path) -> Path:
    return paths.user_override(OVERRIDE_NAME, data)


def save(change: Change) -> None:
    """Write the change to the override file (atomically), or take the file away."""
    if change.path is None:
        return
    if change.delete:
        try:
            change.path.unlink(missing_ok=True)
        except OSError as exc:
            raise CorrectionError(f"cannot remove {change.path}: {exc.strerror or exc}") from None
    elif change.new_text is not None:
        _write_atomic(change.path, change.new_text)


def find_entity(tax: Taxonomy, ref: str) -> Entity:
    """An entity by key ("mentor:kpmg"), id ("kpmg"), name or alias; one clear error otherwise."""
    ref = ref.strip()
    if ":" in ref and (e := tax.get(ref)) is not None:
        return e
    low = ref.lower()
    found = [e for e in tax.entities.values() if e.id.lower() == low]
    if not found:
        found = [e for e in tax.entities.values() if low in (n.lower() for n in e.names())]
    if len(found) == 1:
        return found[0]
    if not found:
        raise CorrectionError(f"no entity {ref!r} (see `explorer knowledge list --all`)")
    raise CorrectionError(f"{ref!r} is ambiguous: {', '.join(sorted(e.key for e in found))}; give KIND:ID")


def add_alias(data: Path, ref: str, alias: str) -> Change:
    tax = tax_mod.load(data)
    e = find_entity(tax, ref)
    alias = " ".join(alias.split())
    if len(alias) < 2:
        raise CorrectionError("an alias needs at least two characters")
    if alias.lower() in (n.lower() for n in e.names()):
        raise CorrectionError(f"{alias!r} is already a name of {e.key}")
    return _appended(data, tax, [(e.kind, {"id": e.id, "aliases": [alias]})], f"{e.key}: alias {alias!r} added",
                     texts=[alias])


def remove_alias(data: Path, ref: str, alias: str) -> Change:
    """Stop recognising ``alias`` as a name of an entity (bundled aliases too)."""
    tax = tax_mod.load(data)
    e = find_entity(tax, ref)
    alias = " ".join(alias.split())
    if alias.lower() == e.name.lower():
        raise CorrectionError(f"{alias!r} is the name of {e.key}, not an alias")
    if alias.lower() not in (a.lower() for a in e.aliases):
        raise CorrectionError(f"{alias!r} is not an alias of {e.key}")
    return _appended(data, tax, [(e.kind, {"id": e.id, "remove_aliases": [alias]})],
                     f"{e.key}: alias {alias!r} removed", texts=[alias])


def _region(region: str) -> str:
    if region in tax_mod.REGIONS:
        return region
    match = [r for r in tax_mod.REGIONS if r.lower() == region.strip().lower()]
    if not match:
        raise CorrectionError(f"unknown region {region!r}; one of: {', '.join(tax_mod.REGIONS)}")
    return match[0]


def add_entity(data: Path, kind: str, eid: str, name: str, region: str | None = None,
               aliases: list[str] | tuple[str, ...] = ()) -> Change:
    tax = tax_mod.load(data)
    if kind not in EDITABLE_KINDS:
        raise CorrectionError(f"kind must be one of {', '.join(EDITABLE_KINDS)}, not {kind!r}")
    if not _ID.fullmatch(eid):
        raise CorrectionError(f"id {eid!r} must be lower-case letters, digits and _ (e.g. {tax_mod.slug(name) or 'my_entity'})")
    if tax.get(f"{kind}:{eid}") is not None:
        raise CorrectionError(f"{kind}:{eid} exists already; add an alias to it instead")
    name = " ".join(name.split())
    if len(name) < 2:
        raise CorrectionError("a name needs at least two characters")
    if region is not None:
        region = _region(region)
    if kind == "place" and region is None:
        raise CorrectionError("a place needs --region (one of the 12 regions)")
    aliases = [" ".join(a.split()) for a in aliases if a.strip()]
    entry: dict = {"id": eid, "name": name, "aliases": aliases}
    if region is not None:
        entry["region"] = region
    return _appended(data, tax, [(kind, entry)], f"{kind}:{eid} {name!r} added", texts=[name, *aliases])


def edit_entity(data: Path, ref: str, name: str | None = None, region: str | None = None) -> Change:
    """Rename an entity (its old name stays an alias, so no mention is lost) and/or move it to
    another region (places and pathfinders: the kinds that give a document a region)."""
    tax = tax_mod.load(data)
    e = find_entity(tax, ref)
    name = " ".join(name.split()) if name is not None else None
    if not name and region is None:
        raise CorrectionError("nothing to change: give a new name or region")
    entry: dict = {"id": e.id}
    said = []
    if name:
        if len(name) < 2:
            raise CorrectionError("a name needs at least two characters")
        if name == e.name:
            raise CorrectionError(f"{e.key} is already named {name!r}")
        entry["name"] = name
        if e.name in e.search_names() and e.name.lower() not in (a.lower() for a in e.aliases):
            entry["aliases"] = [e.name]  # still recognised under its old name
        said.append(f"renamed {e.name!r} -> {name!r}")
    if region is not None:
        if e.kind not in ("place", "pathfinder"):
            raise CorrectionError(f"{e.key} is a {e.kind}: only places and pathfinders give a document a region")
        region = _region(region)
        if e.regions == [region]:
            raise CorrectionError(f"{e.key} is already in {region}")
        entry["region"] = region
        said.append(f"region {', '.join(e.regions) or '(none)'} -> {region}")
    return _appended(data, tax, [(e.kind, entry)], f"{e.key}: {'; '.join(said)}",
                     texts=[*e.names(), *([name] if name else [])], entities=[e.key])


def remove_entity(data: Path, ref: str) -> Change:
    """Take out an entity the user added (every entry of it in the file), or hide a built-in one
    (a ``disabled = true`` entry, which `undo` takes back)."""
    tax = tax_mod.load(data)
    e = find_entity(tax, ref)
    if tax_mod.load(None).get(e.key) is not None:
        return _appended(data, tax, [(e.kind, {"id": e.id, "disabled": True})],
                         f"{e.key} {e.name!r} hidden (a built-in entity; undo brings it back)",
                         texts=e.names(), entities=[e.key])
    mine = [x for x in entries(data) if x.entity == e.key and x.table != "rejection"]
    if not mine:
        raise CorrectionError(f"{e.key} comes from {PLACES_NAME} in the data dir; delete its row there")
    return _without(data, tax, mine, f"{e.key} {e.name!r} removed")


def reject(data: Path, doc_id: str, start: int, end: int, key: str, surface: str) -> Change:
    """Mark one mention (found by the caller in the index) as wrong."""
    tax = tax_mod.load(data)
    if (doc_id, start, end, key, surface) in tax.rejections:
        raise CorrectionError(f"that mention of {key} in {doc_id} is already rejected")
    return _appended(data, tax, [("rejection", {"doc_id": doc_id, "start": start, "end": end, "entity": key,
                                                "surface": surface})],
                     f"{key} at {doc_id} {start}-{end} ({surface!r}) rejected", doc_ids=[doc_id])


def undo(data: Path, n: int) -> Change:
    """Take correction ``n`` (as :func:`entries` numbers them) out of the file. An added entity
    goes with every entry of its own; a rejection's mention comes back."""
    items = entries(data)
    if not items:
        raise CorrectionError("no corrections to undo")
    if not 1 <= n <= len(items):
        raise CorrectionError(f"no correction {n}; `explorer knowledge list` numbers them 1-{len(items)}")
    item = items[n - 1]
    targets = [item]
    if item.what == "entity":
        targets = [x for x in items if x.entity == item.entity and x.table != "rejection"]
    tax = tax_mod.load(data)
    verb = "mention back" if item.what == "rejection" else "undone"
    return _without(data, tax, targets, f"correction {n} {verb}: {item.text}")


def entries(data: Path) -> list[Entry]:
    """Every entry of the user's file, numbered in file order, each with what it does."""
    path = override_path(data)
    if not path.is_file():
        return []
    text = _read(path)
    raw = _loads(text, path)
    bundled = tax_mod.load(None)
    out: list[Entry] = []
    seen_new: set[str] = set()
    for table, index, line in _entry_order(text, raw):
        entry = raw[table][index]
        if not isinstance(entry, dict):
            continue
        if table == "rejection":
            key = str(entry.get("entity", ""))
            what, said = "rejection", (f"{entry.get('surface', '')!r} is not {key} in {entry.get('doc_id')} "
                                       f"{entry.get('start')}-{entry.get('end')}")
        else:
            eid = str(entry.get("id") or tax_mod.slug(str(entry.get("name", ""))))
            key = f"{table}:{eid}"
            what, said = _what(entry, key, bundled.get(key) is None and key not in seen_new)
            if what == "entity":
                seen_new.add(key)
        out.append(Entry(len(out) + 1, table, index, line, key, what, said, entry))
    return out


def _what(entry: dict, key: str, new: bool) -> tuple[str, str]:
    if entry.get("disabled"):
        return "hidden", f"{key} hidden"
    region = entry.get("region") or ", ".join(entry.get("regions", []))
    aliases = [str(a) for a in entry.get("aliases", [])]
    if new:
        extra = (f" [{region}]" if region else "") + (f" aliases: {', '.join(aliases)}" if aliases else "")
        return "entity", f"{key} {str(entry.get('name', key.split(':', 1)[1]))!r} added{extra}"
    parts = []
    if "name" in entry:
        parts.append(f"renamed {str(entry['name'])!r}")
    if region:
        parts.append(f"region {region}")
    if parts:
        return "edit", f"{key} " + ", ".join(parts)
    if aliases and not set(entry) - {"id", "aliases"}:
        return "alias", f"{key} alias {', '.join(map(repr, aliases))}"
    removed = [str(a) for a in entry.get("remove_aliases", [])]
    if removed and not set(entry) - {"id", "remove_aliases"}:
        return "removed alias", f"{key} no alias {', '.join(map(repr, removed))}"
    return "other", f"{key} ({', '.join(sorted(set(entry) - {'id'}))})"


def _entry_order(text: str, raw: dict) -> list[tuple[str, int, int]]:
    """(table, index, line) of every [[table]] entry, in file order: tomllib gives each table's
    entries in order but not how tables interleave, nor their lines, so the headers are read
    from the text (and checked against what tomllib found)."""
    tables = [k for k in (*_ENTRY_KINDS, "rejection") if isinstance(raw.get(k), list)]
    seen: dict[str, int] = {}
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        m = _HEADER.match(line)
        if m and m.group(1) in tables:
            k = m.group(1)
            out.append((k, seen.get(k, 0), i))
            seen[k] = seen.get(k, 0) + 1
    if any(seen.get(k, 0) != len(raw[k]) for k in tables):  # a header inside a string...: table order
        out = [(k, i, 0) for k in tables for i in range(len(raw[k]))]
    return out


def corrections(data: Path) -> dict:
    """What the user's file changes: added aliases, added entities, rejections, and every entry
    numbered (``entries``)."""
    path = override_path(data)
    out: dict = {"file": str(path), "aliases": [], "removed_aliases": [], "entities": [], "rejections": [],
                 "other": 0, "problems": [], "entries": []}
    if not path.is_file():
        return out
    raw = _load(path)
    bundled = tax_mod.load(None)
    added: dict[str, dict] = {}
    for kind in _ENTRY_KINDS:
        for entry in raw.get(kind, []):
            if not isinstance(entry, dict):
                continue
            eid = str(entry.get("id") or tax_mod.slug(str(entry.get("name", ""))))
            key = f"{kind}:{eid}"
            known = bundled.get(key)
            if known is not None and key not in added:
                for a in entry.get("aliases", []):
                    out["aliases"].append({"entity": key, "name": known.name, "alias": str(a)})
                for a in entry.get("remove_aliases", []):
                    out["removed_aliases"].append({"entity": key, "name": known.name, "alias": str(a)})
                if set(entry) - {"id", "aliases", "remove_aliases"}:
                    out["other"] += 1  # names, regions, hidden entities, hand-written cues...
            elif key in added:
                added[key]["aliases"] = list(dict.fromkeys(added[key]["aliases"] + [str(a) for a in entry.get("aliases", [])]))
            else:
                added[key] = {"entity": key, "kind": kind, "id": eid, "name": str(entry.get("name", eid)),
                              "region": entry.get("region") or ", ".join(entry.get("regions", [])),
                              "aliases": [str(a) for a in entry.get("aliases", [])]}
    out["entities"] = list(added.values())
    out["rejections"] = [dict(r) for r in raw.get("rejection", []) if isinstance(r, dict)]
    out["entries"] = [e.as_dict() for e in entries(data)]
    current = tax_mod.load(data)
    out["problems"] = [p for p in current.problems if path.name in p]
    return out


# --------------------------------------------------------------------------- sharing


def export_file(data: Path, dest: Path) -> tuple[int, int]:
    """Write every correction of the user (the override file's entries and the rows of the data
    dir's places.csv, as [[place]] entries) to ``dest``, one TOML file a team can share. Returns
    (entries, places)."""
    path = override_path(data)
    places_path = paths.user_override(PLACES_NAME, data)
    raw = _load(path) if path.is_file() else {}
    out: list[tuple[str, dict]] = []
    for item in entries(data) if path.is_file() else []:
        out.append((item.table, item.raw))
    problems: list[str] = []
    places = []
    if places_path.is_file():
        places = tax_mod.read_places(places_path, problems)
        if problems:
            raise CorrectionError(f"{problems[0]}; fix it before sharing")
    for e in places:  # after the override entries: places.csv is merged last (taxonomy.load)
        entry: dict = {"id": e.id, "name": e.name, "aliases": e.aliases, "region": e.regions[0]}
        if e.place_type:
            entry["type"] = e.place_type
        if e.common_word:
            entry["common_word"] = True
        out.append(("place", entry))
    if not out:
        raise CorrectionError("no corrections to export (no override file or places.csv in the data dir yet)")
    for table, entry in out:
        if any(isinstance(v, dict) for v in entry.values()):
            raise CorrectionError(f"{path.name}: a {table} entry has a nested table, which a shared file cannot carry")
    skipped = " Your [terms] table is not in it (it changes every cue; share it by hand)." if "terms" in raw else ""
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (f"# Pathfinder Explorer: knowledge corrections, exported {when}: {plural(len(out) - len(places), 'entry', 'entries')} of\n"
            f"# taxonomy.toml and {plural(len(places), 'place')} of places.csv (as [[place]] entries, at the end).{skipped}\n"
            "# Add them to yours with `explorer knowledge import FILE` (or Knowledge > Import in the app).\n"
            + "".join("\n" + _entry_text(k, e) for k, e in out))
    _loads(text, dest)  # reads back
    _write_atomic(dest, text)
    return len(out) - len(places), len(places)


def import_file(data: Path, src: Path) -> Change:
    """Merge the entries of a shared file into the user's file. An entry the user has already
    (the same table and fields) is skipped; one that renames or moves an entity the user's
    knowledge has otherwise is taken, and named in ``notes``."""
    text = _read(src)
    raw = _loads(text, src)
    unknown = [k for k in raw if k not in (*_ENTRY_KINDS, "rejection", "terms")]
    if unknown:
        raise CorrectionError(f"{_where(text, src, unknown[0])}: unknown table {unknown[0]!r}; a corrections file holds "
                              f"[[{']], [['.join(_ENTRY_KINDS)}]] and [[rejection]] entries")
    if "terms" in raw:
        raise CorrectionError(f"{_where(text, src, 'terms')}: [terms] cannot be imported (it would change every cue); "
                              f"edit {OVERRIDE_NAME} by hand")
    order = _entry_order(text, raw)
    for table, index, line in order:
        entry = raw[table][index]
        at = f"{src.name} line {line}" if line else src.name
        if not isinstance(entry, dict):
            raise CorrectionError(f"{at}: a {table} entry must be a table")
        allowed = {"doc_id", "start", "end", "entity", "surface"} if table == "rejection" else tax_mod.ENTRY_FIELDS
        bad = sorted(set(entry) - allowed)
        if bad:
            raise CorrectionError(f"{at}: {table} entry has an unknown field {bad[0]!r}")
        if any(isinstance(v, dict) for v in entry.values()):
            raise CorrectionError(f"{at}: a {table} entry has a nested table; not a corrections file")
    problems: list[str] = []
    scratch = tax_mod.load(None)
    tax_mod._merge(scratch.entities, raw, src, problems, {})
    tax_mod.read_rejections(raw, src, problems)
    if problems:
        raise CorrectionError(problems[0])
    if not order:
        raise CorrectionError(f"{src.name}: no entries to import")
    before = tax_mod.load(data)
    path = override_path(data)
    mine = _load(path) if path.is_file() else {}
    take: list[tuple[str, dict]] = []
    texts: list[str] = []
    doc_ids: list[str] = []
    keys: list[str] = []
    notes: list[str] = []
    same = 0
    for table, index, _line in order:
        entry = raw[table][index]
        if entry in mine.get(table, []) or (table, entry) in take:
            same += 1
            continue
        take.append((table, entry))
        if table == "rejection":
            doc_ids.append(str(entry["doc_id"]))
            continue
        key = f"{table}:{entry.get('id') or tax_mod.slug(str(entry.get('name', '')))}"
        old = before.get(key)
        texts.extend(str(x) for x in [entry.get("name", ""), *entry.get("aliases", [])] if str(x).strip())
        if old is not None:
            keys.append(key)
            texts.extend(old.names())
            if "name" in entry and str(entry["name"]) != old.name:
                notes.append(f"{key}: name {old.name!r} replaced by {str(entry['name'])!r}")
            new_regions = [str(entry["region"])] if "region" in entry else [str(r) for r in entry.get("regions", old.regions)]
            if new_regions != old.regions:
                notes.append(f"{key}: region {', '.join(old.regions) or '(none)'} replaced by {', '.join(new_regions)}")
            if entry.get("disabled"):
                notes.append(f"{key}: hidden")
    if not take:
        raise CorrectionError(f"{src.name}: all {same} entries are in your corrections already; nothing imported")
    change = _appended(data, before, take, f"{plural(len(take), 'entry', 'entries')} imported from {src.name}"
                       + (f" ({same} you had already skipped)" if same else ""),
                       texts=list(dict.fromkeys(texts)), doc_ids=list(dict.fromkeys(doc_ids)),
                       entities=list(dict.fromkeys(keys)))
    change.notes = notes
    return change


# --------------------------------------------------------------------------- the file


def _read(path: Path) -> str:
    """The file's text with its line ends as written (CRLF stays CRLF), so that what a
    correction leaves alone is written back byte for byte."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise CorrectionError(f"file not found: {path}") from None
    except UnicodeDecodeError:
        raise CorrectionError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise CorrectionError(f"cannot read {path}: {exc.strerror or exc}") from None


def _loads(text: str, path: Path) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CorrectionError(f"{path}: not valid TOML ({exc})") from None


def _load(path: Path) -> dict:
    return _loads(_read(path), path)


def _where(text: str, path: Path, table: str) -> str:
    rx = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?")
    for i, line in enumerate(text.splitlines(), start=1):
        if rx.match(line):
            return f"{path.name} line {i}"
    return path.name


def _entry_text(kind: str, entry: dict, nl: str = "\n") -> str:
    # JSON strings, numbers, booleans and arrays are valid TOML values.
    lines = [f"[[{kind}]]"] + [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in entry.items()]
    return nl.join(lines) + nl


# What a new override file starts with; undoing its last correction takes the file away again.
_NEW_FILE = ("# Pathfinder Explorer: your corrections to the bundled knowledge (same layout as the bundled\n"
             "# taxonomy.toml; entries here are merged over it). Written by `explorer knowledge` and the app;\n"
             "# you may edit it by hand.\n")


def _newline(text: str) -> str:
    """The file's line end: CRLF if its first line ends so, else LF."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _appended(data: Path, tax: Taxonomy, new: list[tuple[str, dict]], description: str, **what) -> Change:
    """The change that appends ``new`` entries to the user's file (not written yet).

    Each entry goes after a blank line, in the file's own line ends. A file whose last line has no
    line end gets one, and then the entry with no blank line: :func:`_without` reads that back
    as "take the line end away again", so undo gives the file back byte for byte."""
    path = override_path(data)
    if path.is_file():
        old = _read(path)
        _loads(old, path)  # never append to a file the loader cannot read: the user must fix it first
    else:
        old = _NEW_FILE
    nl = _newline(old)
    entries_text = nl.join(_entry_text(k, e, nl) for k, e in new)  # a blank line between entries
    text = old + nl + entries_text if old else entries_text
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # e.g. a hand-written table left open at the end
        raise CorrectionError(f"{path}: the correction would not read back ({exc}); fix the file first") from None
    return Change(description, fingerprint_before=tax.fingerprint(), new_text=text, path=path, **what)


def _without(data: Path, tax: Taxonomy, items: list[Entry], description: str) -> Change:
    """The change that takes ``items`` out of the user's file, leaving every other line (comments
    included) as it was; checked by reading the result back. Taking out what :func:`_appended`
    wrote gives back the file as it was before, byte for byte: the blank line before the entry
    goes with it; an entry with no blank line before it that ended the file was written after a
    last line without a line end, which loses it again; and a file that held nothing but the
    header this module starts it with is taken away."""
    path = override_path(data)
    text = _read(path)
    raw = _loads(text, path)
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    unended: list[int] = []  # the first line of entries written after a last line with no line end
    for item in items:
        if not item.line:
            raise CorrectionError(f"{path.name}: cannot find where {item.text} is written; take it out by hand")
        first = item.line - 1
        last = first + 1
        while last < len(lines) and not _ANY_HEADER.match(lines[last]):
            last += 1
        while last - 1 > first and (not lines[last - 1].strip() or lines[last - 1].lstrip().startswith("#")):
            last -= 1  # blank lines and comments before the next table belong to it
        if first > 0 and lines[first - 1] in ("\n", "\r\n"):
            first -= 1  # the blank line written before the entry
        elif first > 0:
            unended.append(first)
            if last + 1 < len(lines) and lines[last] in ("\n", "\r\n") and _ANY_HEADER.match(lines[last + 1]):
                last += 1  # the next entry now follows that last line as this one did
        drop.update(range(first, last))
    new_text = "".join(line for i, line in enumerate(lines) if i not in drop)
    if any(all(i in drop for i in range(first, len(lines))) for first in unended):
        new_text = new_text.removesuffix("\n").removesuffix("\r")
    want = {k: list(v) if isinstance(v, list) else v for k, v in raw.items()}
    for item in sorted(items, key=lambda x: -x.index):
        del want[item.table][item.index]
    want = {k: v for k, v in want.items() if v != []}
    if _loads(new_text, path) != want:
        raise CorrectionError(f"{path.name} line {items[0].line}: cannot take this entry out safely; edit the file by hand")
    after = tax_mod.load(data, override_text=new_text)
    texts: list[str] = []
    keys: list[str] = []
    doc_ids: list[str] = []
    for item in items:
        if item.table == "rejection":
            doc_ids.append(str(item.raw.get("doc_id", "")))
            continue
        keys.append(item.entity)
        for t in (tax, after):
            if (e := t.get(item.entity)) is not None:
                texts.extend(e.names())
        texts.extend(str(a) for a in [*item.raw.get("aliases", []), *item.raw.get("remove_aliases", [])])
    gone = new_text == _NEW_FILE
    return Change(description, texts=list(dict.fromkeys(texts)), doc_ids=list(dict.fromkeys(doc_ids)),
                  entities=list(dict.fromkeys(keys)), fingerprint_before=tax.fingerprint(),
                  new_text="" if gone else new_text, path=path, delete=gone)


def _write_atomic(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise CorrectionError(f"cannot write {path}: {exc.strerror or exc}") from None
