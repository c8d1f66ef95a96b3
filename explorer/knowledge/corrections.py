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

Each function returns a :class:`Change` naming what must be re-tagged: the documents that hold
a new name, and the document of a rejection. Applying it (re-tagging only those documents) is
the indexer's work, not this module's (see explorer/retag.py).
"""

from __future__ import annotations

import contextlib
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

OVERRIDE_NAME = "taxonomy.toml"
EDITABLE_KINDS = ("organisation", "mentor", "place")  # what add-entity creates
_ENTRY_KINDS = ("pathfinder", "mentor", "organisation", "place", "topic")
_ID = re.compile(r"[a-z0-9][a-z0-9_]{0,63}")


class CorrectionError(Exception):
    """A correction cannot be made; the message says why in one line."""


@dataclass
class Change:
    description: str
    texts: list[str] = field(default_factory=list)  # names: documents holding one are re-tagged
    doc_ids: list[str] = field(default_factory=list)  # documents re-tagged whatever they hold
    fingerprint_before: str = ""  # of the knowledge before the change


def override_path(data: Path) -> Path:
    return paths.user_override(OVERRIDE_NAME, data)


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
    _append(data, [(e.kind, {"id": e.id, "aliases": [alias]})])
    return Change(f"{e.key}: alias {alias!r} added", texts=[alias], fingerprint_before=tax.fingerprint())


def remove_alias(data: Path, ref: str, alias: str) -> Change:
    """Stop recognising ``alias`` as a name of an entity (bundled aliases too)."""
    tax = tax_mod.load(data)
    e = find_entity(tax, ref)
    alias = " ".join(alias.split())
    if alias.lower() == e.name.lower():
        raise CorrectionError(f"{alias!r} is the name of {e.key}, not an alias")
    if alias.lower() not in (a.lower() for a in e.aliases):
        raise CorrectionError(f"{alias!r} is not an alias of {e.key}")
    _append(data, [(e.kind, {"id": e.id, "remove_aliases": [alias]})])
    return Change(f"{e.key}: alias {alias!r} removed", texts=[alias], fingerprint_before=tax.fingerprint())


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
    if region is not None and region not in tax_mod.REGIONS:
        match = [r for r in tax_mod.REGIONS if r.lower() == region.strip().lower()]
        if not match:
            raise CorrectionError(f"unknown region {region!r}; one of: {', '.join(tax_mod.REGIONS)}")
        region = match[0]
    if kind == "place" and region is None:
        raise CorrectionError("a place needs --region (one of the 12 regions)")
    aliases = [" ".join(a.split()) for a in aliases if a.strip()]
    entry: dict = {"id": eid, "name": name, "aliases": aliases}
    if region is not None:
        entry["region"] = region
    _append(data, [(kind, entry)])
    return Change(f"{kind}:{eid} {name!r} added", texts=[name, *aliases], fingerprint_before=tax.fingerprint())


def reject(data: Path, doc_id: str, start: int, end: int, key: str, surface: str) -> Change:
    """Mark one mention (found by the caller in the index) as wrong."""
    tax = tax_mod.load(data)
    if (doc_id, start, end, key, surface) in tax.rejections:
        raise CorrectionError(f"that mention of {key} in {doc_id} is already rejected")
    _append(data, [("rejection", {"doc_id": doc_id, "start": start, "end": end, "entity": key, "surface": surface})])
    return Change(f"{key} at {doc_id} {start}-{end} ({surface!r}) rejected", doc_ids=[doc_id],
                  fingerprint_before=tax.fingerprint())


def corrections(data: Path) -> dict:
    """What the user's file changes: added aliases, added entities, rejections."""
    path = override_path(data)
    out: dict = {"file": str(path), "aliases": [], "removed_aliases": [], "entities": [], "rejections": [],
                 "other": 0, "problems": []}
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
                    out["other"] += 1  # hand-written changes (names, cues, disabled...)
            elif key in added:
                added[key]["aliases"] = list(dict.fromkeys(added[key]["aliases"] + [str(a) for a in entry.get("aliases", [])]))
            else:
                added[key] = {"entity": key, "kind": kind, "id": eid, "name": str(entry.get("name", eid)),
                              "region": entry.get("region") or ", ".join(entry.get("regions", [])),
                              "aliases": [str(a) for a in entry.get("aliases", [])]}
    out["entities"] = list(added.values())
    out["rejections"] = [dict(r) for r in raw.get("rejection", []) if isinstance(r, dict)]
    current = tax_mod.load(data)
    out["problems"] = [p for p in current.problems if path.name in p]
    return out


def export_file(data: Path, dest: Path) -> int:
    """Copy the user's corrections to ``dest`` (a file a team can share); returns how many
    entries it holds."""
    path = override_path(data)
    if not path.is_file():
        raise CorrectionError("no corrections to export (the override file does not exist yet)")
    text = path.read_text(encoding="utf-8")
    _load(path)  # refuse to share a broken file
    _write_atomic(dest, text)
    raw = tomllib.loads(text)
    return sum(len(raw.get(k, [])) for k in (*_ENTRY_KINDS, "rejection"))


def import_file(data: Path, src: Path) -> Change:
    """Add the entries of a shared corrections file to the user's file."""
    raw = _load(src)
    unknown = [k for k in raw if k not in (*_ENTRY_KINDS, "rejection", "terms")]
    if unknown:
        raise CorrectionError(f"{src.name}: unknown table {unknown[0]!r}; a corrections file holds "
                              f"[[{']], [['.join(_ENTRY_KINDS)}]] and [[rejection]] entries")
    if "terms" in raw:
        raise CorrectionError(f"{src.name}: [terms] cannot be imported (it would change every cue); edit {OVERRIDE_NAME} by hand")
    problems: list[str] = []
    scratch = tax_mod.load(None)
    tax_mod._merge(scratch.entities, raw, src, problems, {})
    tax_mod.read_rejections(raw, src, problems)
    if problems:
        raise CorrectionError(problems[0])
    before = tax_mod.load(data)
    entries: list[tuple[str, dict]] = []
    texts: list[str] = []
    doc_ids: list[str] = []
    for kind in (*_ENTRY_KINDS, "rejection"):
        for entry in raw.get(kind, []):
            if any(isinstance(v, dict) for v in entry.values()):
                raise CorrectionError(f"{src.name}: a {kind} entry has a nested table; not a corrections file")
            entries.append((kind, entry))
            if kind == "rejection":
                doc_ids.append(str(entry["doc_id"]))
            else:
                texts.extend(str(x) for x in [entry.get("name", ""), *entry.get("aliases", [])] if str(x).strip())
    if not entries:
        raise CorrectionError(f"{src.name}: no entries to import")
    _append(data, entries)
    return Change(f"{len(entries)} entries imported from {src.name}", texts=list(dict.fromkeys(texts)),
                  doc_ids=list(dict.fromkeys(doc_ids)), fingerprint_before=before.fingerprint())


# --------------------------------------------------------------------------- the file


def _load(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorrectionError(f"file not found: {path}") from None
    except UnicodeDecodeError:
        raise CorrectionError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise CorrectionError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise CorrectionError(f"cannot read {path}: {exc.strerror or exc}") from None


def _entry_text(kind: str, entry: dict) -> str:
    # JSON strings, numbers, booleans and arrays are valid TOML values.
    lines = [f"[[{kind}]]"] + [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in entry.items()]
    return "\n".join(lines) + "\n"


def _append(data: Path, entries: list[tuple[str, dict]]) -> None:
    path = override_path(data)
    if path.is_file():
        _load(path)  # never append to a file the loader cannot read: the user must fix it first
        old = path.read_text(encoding="utf-8")
    else:
        old = ("# Pathfinder Explorer: your corrections to the bundled knowledge (same layout as the bundled\n"
               "# taxonomy.toml; entries here are merged over it). Written by `explorer knowledge` and the app;\n"
               "# you may edit it by hand.\n")
    text = old + ("" if old.endswith("\n") else "\n") + "".join("\n" + _entry_text(k, e) for k, e in entries)
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # e.g. a hand-written table left open at the end
        raise CorrectionError(f"{path}: the correction would not read back ({exc}); fix the file first") from None
    _write_atomic(path, text)


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
