"""Text -> mentions of known entities, each with its offsets and surface text (provenance).

Rules, in the order they apply:
1. Names (canonical names and aliases of every entity) are found in one pass with an
   Aho-Corasick automaton over the lower-cased text, then checked for word boundaries and case:
   an all-capital acronym (KPMG, PCT) must match exactly; in other names every word written with
   a capital must be capitalised in the text ("Local Partnerships" is a mentor, "local
   partnerships" is not).
2. Longest match wins among overlapping names, so a place inside an organisation's name
   ("Sunderland Home Care Associates", "North East Essex PCT") is not a place mention.
3. Places that are also ordinary words or common names (Reading, Lincoln) are only taken when
   they neither start a sentence nor stand next to another capitalised word.
4. Pathfinder cues: a pathfinder is also recognised where one sentence holds every term group of
   one of its cues ("NHS employees ... homeless people in Leicester"). The mention spans the
   matched terms. A bare town name is never enough.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from explorer.knowledge.taxonomy import Entity, Taxonomy

# Capitalised words that may follow a place name without making it part of another name.
_PLACE_FOLLOWERS = {"Council", "City", "Borough", "County", "District", "Metropolitan", "Town", "PCT",
                    "NHS", "Primary", "Hospital", "Hospitals", "College", "University", "Police", "Fire"}
_KIND_PRIORITY = {"pathfinder": 0, "mentor": 1, "organisation": 2, "place": 3}
_SENTENCE_END = re.compile(r"(?<=[.!?;])[”\"’')\]]*\s+|\n+")


@dataclass(frozen=True)
class Mention:
    key: str  # "kind:id"
    kind: str
    start: int
    end: int
    surface: str
    via: str = "name"  # "name" or "cue"

    @property
    def entity_id(self) -> str:
        return self.key.split(":", 1)[1]


@dataclass(frozen=True)
class _Entry:
    key: str
    kind: str
    name: str
    exact: bool
    caps: tuple[int, ...]  # offsets in the name whose letter must be upper-case in the text
    common_word: bool


def _fold(text: str) -> str:
    """Lower-case without changing length (so offsets stay valid), apostrophes unified."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.replace("’", "'").replace("‘", "'")


def _is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(name) <= 8


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


class Tagger:
    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list[_Entry]] = {}
        for e in taxonomy.entities.values():
            for name in e.names():
                folded = _fold(name)
                if len(folded.strip()) < 2:
                    continue
                caps = tuple(i for i, c in enumerate(name)
                             if c.isupper() and (i == 0 or not _word_char(name[i - 1])))
                entries.setdefault(folded, []).append(
                    _Entry(e.key, e.kind, name, _is_acronym(name), caps, e.common_word))
        for folded, group in entries.items():
            group.sort(key=lambda x: _KIND_PRIORITY.get(x.kind, 9))
            self._automaton.add_word(folded, (folded, tuple(group)))
        if entries:
            self._automaton.make_automaton()
        self._has_words = bool(entries)
        self._cues = [(e, self._compile_cues(e)) for e in taxonomy.of_kind("pathfinder") if e.cues]

    # ------------------------------------------------------------------ names

    def _name_candidates(self, text: str, folded: str) -> Iterable[tuple[int, int, _Entry]]:
        if not self._has_words:
            return
        n = len(text)
        for end_idx, (word, group) in self._automaton.iter(folded):
            start = end_idx - len(word) + 1
            end = end_idx + 1
            if start > 0 and _word_char(folded[start - 1]) and _word_char(folded[start]):
                continue
            if end < n and _word_char(folded[end]) and _word_char(folded[end - 1]):
                continue
            surface = text[start:end]
            for entry in group:
                if self._case_ok(entry, surface) and (not entry.common_word or self._context_ok(text, start, end)):
                    yield start, end, entry
                    break

    @staticmethod
    def _case_ok(entry: _Entry, surface: str) -> bool:
        if entry.exact:
            return surface.replace("’", "'") == entry.name.replace("’", "'")
        return all(surface[i].isupper() for i in entry.caps if i < len(surface))

    @staticmethod
    def _context_ok(text: str, start: int, end: int) -> bool:
        """A place that is also a common word: not at a sentence start, not beside a capitalised
        word (which would make it part of a name: "Abraham Lincoln", "Reading Festival")."""
        after = re.match(r"\s+([\w’'-]+)", text[end:end + 40])
        if after and after.group(1) in _PLACE_FOLLOWERS:
            return True  # "Westminster City Council", "Reading Borough Council"
        before = text[max(0, start - 40):start].rstrip()
        if not before or before[-1] in ".!?:;\"“‘•\n" or before.endswith("\n"):
            return False
        prev_word = re.search(r"([\w’'-]+)\W*$", before)
        if prev_word and prev_word.group(1)[0].isupper():
            return False
        return not (after and after.group(1)[0].isupper())

    # ------------------------------------------------------------------ cues

    @staticmethod
    def _compile_cues(e: Entity) -> list[list[re.Pattern[str]]]:
        compiled = []
        for cue in e.cues:
            groups = []
            for group in cue:
                alts = []
                for term in group:
                    prefix = term.endswith("*")
                    t = re.escape(term.rstrip("*")).replace("'", "['’]").replace("’", "['’]").replace(r"\ ", r"\s+")
                    alts.append(rf"\b{t}\w*" if prefix else rf"\b{t}\b")
                groups.append(re.compile("|".join(alts), re.I))
            compiled.append(groups)
        return compiled

    def _cue_mentions(self, text: str) -> list[Mention]:
        out: list[Mention] = []
        sentences: list[tuple[int, int]] | None = None
        for entity, cues in self._cues:
            for groups in cues:
                if not groups[0].search(text):
                    continue
                if sentences is None:
                    sentences = _sentences(text)
                for s_start, s_end in sentences:
                    sentence = text[s_start:s_end]
                    found = [g.search(sentence) for g in groups]
                    if all(found):
                        a = min(m.start() for m in found) + s_start
                        b = max(m.end() for m in found) + s_start
                        out.append(Mention(entity.key, "pathfinder", a, b, text[a:b], "cue"))
        return out

    # ------------------------------------------------------------------ public

    def tag(self, text: str) -> list[Mention]:
        """All mentions in ``text``, sorted by position."""
        folded = _fold(text)
        candidates = sorted(self._name_candidates(text, folded),
                            key=lambda c: (-(c[1] - c[0]), c[0], _KIND_PRIORITY.get(c[2].kind, 9)))
        taken: list[tuple[int, int]] = []
        mentions: list[Mention] = []
        for start, end, entry in candidates:
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            mentions.append(Mention(entry.key, entry.kind, start, end, text[start:end], "name"))
        named = [(m.key, m.start, m.end) for m in mentions if m.kind == "pathfinder"]
        seen_cues: set[tuple[str, int, int]] = set()
        for m in self._cue_mentions(text):
            if any(k == m.key and m.start < b and a < m.end for k, a, b in named):
                continue  # the pathfinder is already named right there
            if (m.key, m.start, m.end) not in seen_cues:
                seen_cues.add((m.key, m.start, m.end))
                mentions.append(m)
        mentions.sort(key=lambda m: (m.start, -m.end, m.key))
        return mentions


def _sentences(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out
