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
   matched terms. A bare town name is never enough; a town in a phrase with "pathfinder" ("the
   Swindon pathfinder", "the pathfinder in Swindon") is a cue of the town's one pathfinder, where
   the taxonomy gives it one.
"""

from __future__ import annotations

import bisect
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
    via: str = "name"  # "name", "cue", or "incidental" (a place inside an organisation's name)
    role: str = ""  # a mentor's: "mentor", "model" or "other"

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
    place_type: str = ""


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
            for name in e.search_names():
                folded = _fold(name)
                if len(folded.strip()) < 2:
                    continue
                caps = tuple(i for i, c in enumerate(name)
                             if c.isupper() and (i == 0 or not _word_char(name[i - 1])))
                entries.setdefault(folded, []).append(
                    _Entry(e.key, e.kind, name, _is_acronym(name), caps, e.common_word, e.place_type))
        for folded, group in entries.items():
            group.sort(key=lambda x: _KIND_PRIORITY.get(x.kind, 9))
            self._automaton.add_word(folded, (folded, tuple(group)))
        if entries:
            self._automaton.make_automaton()
        self._has_words = bool(entries)
        self._groups: dict[tuple[str, ...], _TermGroup] = {}
        self._cues = [(e, self._compile_cues(e)) for e in taxonomy.of_kind("pathfinder") if e.cues]
        self._topics = [(e, _TermGroup([t for c in e.cues for g in c for t in g])) for e in taxonomy.of_kind("topic") if e.cues]
        self._keys = ahocorasick.Automaton()  # the first words of every cue and topic term
        all_keys = {k for g in [*self._groups.values(), *(g for _e, g in self._topics)] for k in g.keys}
        for k in all_keys:
            self._keys.add_word(k, k)
        self._has_keys = bool(all_keys)
        if all_keys:
            self._keys.make_automaton()
        self._regions = {_fold(e.name): e.key for e in taxonomy.of_kind("place") if e.place_type == "region"}

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
        word (which would make it part of a name: "Abraham Lincoln", "Reading Festival"), not a
        month in a date ("14 March 2011", "March 2014")."""
        if text[start:end].lower() in _MONTHS and (re.search(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?$", text[max(0, start - 12):start])
                                                   or re.match(r",?\s+\d{1,2}(?:st|nd|rd|th)?\b|,?\s+(?:1[89]|20)\d\d\b", text[end:end + 12])):
            return False
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

    def _region_words(self, text: str) -> Iterable[tuple[int, int, str]]:
        """Regions written in lower case or hyphenated ("across the south-east", "in the
        North-West"), only after "the" and not as a compass direction ("the north-east of the
        town", "the north-east corner")."""
        for m in _REGION_WORDS.finditer(text):
            key = self._regions.get(_fold(re.sub(r"[\s-]+", " ", m.group(1))))
            if key is None:
                continue
            after = text[m.end():m.end() + 30]
            if re.match(r"\s+of\s+(?!England\b)", after) or re.match(rf"\s+(?:{_COMPASS_NOUNS})\b", after, re.I):
                continue
            if re.match(r"\s+[A-Z]", after) and not re.match(r"\s+(?:England|English)\b", after):
                continue  # part of a longer name ("the North East Essex PCT")
            yield m.start(1), m.end(1), key

    # ------------------------------------------------------------------ cues

    def _compile_cues(self, e: Entity) -> list[list[_TermGroup]]:
        compiled = []
        for cue in e.cues:
            groups = []
            for group in cue:
                terms = [t for x in group for t in (self.taxonomy.term_sets.get(x[1:], []) if x.startswith("@") else [x])]
                key = tuple(terms)
                if key not in self._groups:  # one shared group per term list ("@spin_out")
                    self._groups[key] = _TermGroup(terms)
                groups.append(self._groups[key])
            compiled.append(groups)
        return compiled

    def _cue_mentions(self, text: str, words: _Starts) -> list[Mention]:
        out: list[Mention] = []
        windows: list[tuple[int, int]] | None = None
        for entity, cues in self._cues:
            for groups in cues:
                # every group's matches over the whole text, once; then each window takes its own
                found: list[list[tuple[int, int]]] = []
                for g in groups:
                    found.append(g.spans(text, words))
                    if not found[-1]:
                        break
                if len(found) < len(groups) or not all(found):
                    continue
                if windows is None:
                    windows = _windows(text)
                starts = [[a for a, _ in f] for f in found]
                for w_start, w_end in windows:
                    inside = []
                    for f, st in zip(found, starts, strict=True):
                        i, j = bisect.bisect_left(st, w_start), bisect.bisect_left(st, w_end)
                        inside.append([m for m in f[i:j] if m[1] <= w_end])
                    span = _closest(inside)
                    if span is not None:
                        out.append(Mention(entity.key, "pathfinder", span[0], span[1], text[span[0]:span[1]], "cue"))
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
            via = "name"
            if entry.kind == "place":
                place_via = _place_role(text, start, end, entry.place_type)
                if place_via is None:
                    continue  # a constituency or a peer's title: not a place mention at all
                via = place_via
            role = _mentor_role(text, start, end) if entry.kind == "mentor" else ""
            mentions.append(Mention(entry.key, entry.kind, start, end, text[start:end], via, role))
        for start, end, key in self._region_words(text):
            if not any(start < b and a < end for a, b in taken):
                taken.append((start, end))
                mentions.append(Mention(key, "place", start, end, text[start:end], "name"))
        named = [(m.key, m.start, m.end) for m in mentions if m.kind == "pathfinder"]
        kept: list[tuple[str, int, int]] = []
        words = _Starts(self._keys, folded, self._has_keys)
        # shortest first: where two cues (or two windows) of one pathfinder overlap, the tighter
        # span is the evidence and the wider one is not a second mention
        for m in sorted(self._cue_mentions(text, words), key=lambda m: (m.end - m.start, m.start)):
            if any(k == m.key and m.start < b and a < m.end for k, a, b in named):
                continue  # the pathfinder is already named right there
            if not any(k == m.key and m.start < b and a < m.end for k, a, b in kept):
                kept.append((m.key, m.start, m.end))
                mentions.append(m)
        mentions.extend(self._topic_mentions(text, words))
        mentions.sort(key=lambda m: (m.start, -m.end, m.key))
        return mentions

    def _topic_mentions(self, text: str, words: _Starts) -> list[Mention]:
        """Sector words of the text itself ("hospital", "probation"); a topic needs at least
        TOPIC_MIN_HITS of them, so one passing word does not make it a topic of the document."""
        out: list[Mention] = []
        for e, group in self._topics:
            found = [Mention(e.key, "topic", a, b, text[a:b], "cue") for a, b in group.spans(text, words)]
            if len(found) >= TOPIC_MIN_HITS:
                out.extend(found)
        return out


TOPIC_MIN_HITS = 2
_MODEL_BEFORE = re.compile(r"(?:\blike|\binspired\s+by|\bmodell?ed\s+(?:on|after)|\bbased\s+on|\bin\s+the\s+mould\s+of|"
                           r"\bemulat\w*|\bcopy(?:ing)?|\bexample\s+of|\bversions?\s+of|\bsuch\s+as|\bà\s+la|"
                           r"\bfollow\w*\s+(?:in\s+the\s+footsteps\s+of|the\s+lead\s+of))\s+(?:the\s+|a\s+|an\s+)?$", re.I)
_MODEL_AFTER = re.compile(r"(?:['’]s)?(?:[-‑–\s]+(?:style|type|like|esque)\b|\s+(?:model|template|blueprint|way|approach)\b)", re.I)
_MENTOR_WORDS = re.compile(r"\b(?:mentor\w*|advis\w*|advice|support\w*|help\w*|guid\w*|coach\w*|expertise|"
                           r"pro\s+bono|assist\w*|partner(?:ed|ing)\s+with|work(?:ing)?\s+with|buddy\w*)\b", re.I)


def _mentor_role(text: str, start: int, end: int) -> str:
    """How a text presents a mentor it names: "model" when it is held up as the model ("a John
    Lewis-style mutual", "inspired by John Lewis", "the John Lewis model"); "mentor" when its
    sentence speaks of mentoring, advising or supporting; "other" otherwise."""
    if _MODEL_BEFORE.search(text[max(0, start - 60):start]) or _MODEL_AFTER.match(text[end:end + 20]):
        return "model"
    for a, b in _sentences(text[max(0, start - 400):end + 400]):
        a, b = a + max(0, start - 400), b + max(0, start - 400)
        if a <= start < b:
            return "mentor" if _MENTOR_WORDS.search(text[a:b]) else "other"
    return "other"


_REGION_WORDS = re.compile(r"\b[Tt]he\s+((?:north|south|North|South|NORTH|SOUTH)[\s-]+(?:east|west|East|West)"
                           r"|(?:east|west|East|West)[\s-]+(?:midlands|Midlands))\b")
_COMPASS_NOUNS = ("corner|side|sides|wind|winds|part|parts|edge|end|quarter|flank|tip|border|boundary|entrance|"
                  "wall|gate|direction|face|wing|tower|approach|fringe|outskirts|suburbs")
_TITLE_BEFORE = re.compile(r"\b(?:Lord|Lady|Baroness|Baron|Viscount|Viscountess|Earl|Countess|Duke|Duchess|Marquess|"
                           r"Bishop|Archbishop|Dean)\s+(?:[A-Z][\w'’.-]*\s+){0,3}of\s+(?:the\s+)?$")
_MEMBER_BEFORE = re.compile(r"\b(?:MP|MPs|Member|member|Members|members)(?:\s+of\s+Parliament)?\s+for\s+(?:the\s+)?"
                            r"(?:[A-Z][\w'’.-]*,?\s+(?:and\s+)?){0,3}$")
_COMPASS_BEFORE = re.compile(r"\b(?:North|South|East|West|Mid|North\s+East|North\s+West|South\s+East|South\s+West)\s+$")
_COMPASS_AFTER = re.compile(r"\s+(?:North|South|East|West|Central)(?:\s+and\s+[A-Z][\w'’-]*)?\b(?!\s+[A-Z])")
_HANSARD_AFTER = re.compile(r"(?:\s+(?:North|South|East|West|Central))*\)\s*\((?:Lab|Con|LD|Lib\s+Dem|SNP|DUP|Green|"
                            r"Ind|PC|UKIP|Lab/Co-op|Co-op)\b")
_ORG_AFTER = re.compile(r"\s+(?:(?:Metropolitan|City|Royal|General|Teaching|Community|University|Trinity|Sixth\s+Form|"
                        r"Technical)\s+)?(?:University|College|Hospital|Hospitals|Infirmary|Polytechnic|Academy|School|"
                        r"Football\s+Club|FC|United|Rovers|Building\s+Society|Airport|Cathedral|Prison|Borough\s+of)\b")
_ORG_BEFORE = re.compile(r"\b(?:University|College|Bank|Archdiocese|Diocese)\s+of\s+(?:the\s+)?$")


_MEMBER_PAREN_BEFORE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame)\.?\s+(?:[A-Z][\w'’.-]*\s+){0,3}\("
                                  r"(?:[A-Z][\w'’.-]*,?\s+(?:and\s+)?)*$")
# Places whose name also stands for an institution: not a place mention in a sentence about it
# ("MPs at Westminster" is Parliament), unless the name is followed by a council word.
_METONYMS = {
    "Westminster": re.compile(r"\b(?:MPs?|Parliament\w*|Commons|Lords|politic\w*|Whitehall|minister\w*|"
                              r"Government|government|bubble|Speaker)\b"),
}


def _place_role(text: str, start: int, end: int, place_type: str) -> str | None:
    """How a place name is used: None inside a constituency name ("MP for South West
    Bedfordshire", "Leicester South") or a peer's title ("Lord Maude of Horsham"); "incidental"
    inside an organisation's name ("Leicester Royal Infirmary", "University of Leicester",
    "London Borough of Barnet"); else "name", a place the document is about."""
    before = text[max(0, start - 80):start]
    after = text[end:end + 60]
    if (_TITLE_BEFORE.search(before) or _MEMBER_BEFORE.search(before) or _HANSARD_AFTER.match(after)
            or _MEMBER_PAREN_BEFORE.search(before)):
        return None
    institution = _METONYMS.get(text[start:end])
    if institution is not None and not re.match(r"\s+(?:City\s+)?Council|['’]s\s+council|\s+(?:Borough|City)\b", after):
        sentence = text[max(0, start - 150):end + 150]
        a, b = start - max(0, start - 150), end - max(0, start - 150)
        sentence = re.split(r"[.!?]\s", sentence[:a])[-1] + sentence[a:b] + re.split(r"[.!?]\s", sentence[b:])[0]
        if institution.search(sentence):
            return None  # "MPs at Westminster": Parliament, not the place
    if place_type not in ("region", "london_borough", "country") and _COMPASS_BEFORE.search(before):
        return None  # "South West Bedfordshire", "North East Derbyshire"
    if place_type not in ("region", "country") and _COMPASS_AFTER.match(after) and before.rstrip().endswith(("(", "for")):
        return None
    if _ORG_AFTER.match(after) or _ORG_BEFORE.search(before):
        return "incidental"
    return "name"


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


def _windows(text: str) -> list[tuple[int, int]]:
    """Where a cue may match: each sentence, each pair of adjacent sentences of one paragraph,
    and a lead-in ending in a colon with each bullet of the list that follows it."""
    sentences = _sentences(text)
    out = list(sentences)
    for i, (a, b) in enumerate(sentences):
        if i + 1 < len(sentences):
            c, d = sentences[i + 1]
            lead_in = text[a:b].rstrip().endswith(":")
            same_paragraph = "\n\n" not in text[b:c].replace("\r", "") and not _BULLET.match(text[c:d])
            if same_paragraph or lead_in:
                out.append((a, d))
        if text[a:b].rstrip().endswith(":"):
            # the lead-in, with the sentence before it in its paragraph, and each of its bullets
            first = a
            if i > 0 and "\n\n" not in text[sentences[i - 1][1]:a].replace("\r", ""):
                first = sentences[i - 1][0]
            for c, d in sentences[i + 1:]:
                if not _BULLET.match(text[c:d]):
                    break
                out.append((first, d))
    # the header lines at the top (a label, the headline, a dateline or byline: short lines with
    # no sentence end) with the first sentence under them, which they give its subject:
    # "Westminster City Council, 14 March 2011" over "Staff who work with children... a mutual"
    head = 0
    while head < min(len(sentences), 5) and _is_headline(text[sentences[head][0]:sentences[head][1]]):
        head += 1
    if 0 < head < len(sentences):
        out.append((sentences[0][0], sentences[head][1]))
    return out


_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"}


def _is_headline(s: str) -> bool:
    return len(s) <= 120 and "\n" not in s.strip() and not s.rstrip().endswith((".", ":", ";", ","))


def _closest(found: list[list[tuple[int, int]]]) -> tuple[int, int] | None:
    """The shortest span holding one match (start, end) of every group, if it is within the
    distance limit."""
    if not all(found):
        return None
    best: tuple[int, int] | None = None
    for a0, b0 in found[0]:
        a, b = a0, b0
        for matches in found[1:]:
            ma, mb = min(matches, key=lambda x: max(b, x[1]) - min(a, x[0]))
            a, b = min(a, ma), max(b, mb)
        if best is None or b - a < best[1] - best[0]:
            best = (a, b)
    if best is None or best[1] - best[0] > CUE_DISTANCE:
        return None
    return best


_SUFFIXES = ("isations", "izations", "isation", "ization", "ations", "ation", "ments", "ment", "ings", "ing",
             "ies", "ied", "ers", "er", "ed", "es", "s", "e", "y")


def _stem(word: str) -> str:
    """A crude English stem for prefix matching ("reducing", "reduce" -> "reduc")."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _term_pattern(term: str) -> str:
    """A cue term as a regex: lower-case words match by stem and may have one or two other words
    between them ("adult and social care" for "adult social care"); a capitalised word (a place or
    a body) matches as written, with an optional possessive (and, ending the term, the name of
    its people: "London" finds "Londoners"); an all-capital one matches its case;
    a word ending in ``*`` matches any word starting with it. A term written in double quotes
    (``'"pathfinder in Swindon"'``) is a phrase: its words stand next to each other, with no
    other word between them, and a lower-case word matches as written (or its plural or
    possessive), not by stem ("pathfinders" but not "pathfinding")."""
    phrase = _is_phrase(term)
    words = re.findall(r"[^\s\-–/]+", term.strip('"') if phrase else term)
    parts: list[str] = []
    for i, w in enumerate(words):
        prefix = w.endswith("*")
        w = w.rstrip("*")
        esc = _quote(w)
        if not w[-1:].isalnum():
            p = esc  # "&"
        elif w.isupper() and len(w) > 1:
            p = rf"(?-i:{esc})(?:['’]s)?\b"
        elif prefix:
            p = rf"{esc}[\w'’]*"
        elif w[:1].isupper() and len(w) > 3 and i == len(words) - 1:
            p = rf"{esc}(?:{_DEMONYM})?(?:['’]s)?\b"  # "London" finds "Londoners", "Cumbria" "Cumbrian"
        elif w[:1].isupper() or len(w) <= 3:
            p = rf"{esc}(?:['’]s)?\b"
        elif phrase:
            p = rf"{esc}(?:s|['’]s|s['’])?(?!\w)"  # the word as written, or its plural or possessive
        else:
            p = _quote(_stem(re.sub(r"['’]s$", "", w.lower()))) + r"[\w'’]*"
        if i:
            loose = not phrase and not w[:1].isupper() and not words[i - 1][:1].isupper()
            parts.append(_GAP if loose else r"[\s\-–]+")
        parts.append(p)
    return r"\b" + "".join(parts)


class _TermGroup:
    """Terms of which any one may match, as one regex. The regex only runs where a word of the
    text starts with a term's first word (or its stem): :class:`_Starts` finds those places for
    every group in one pass."""

    def __init__(self, terms: list[str]):
        self.keys = sorted({k for k in (_term_key(t) for t in terms) if k})
        self.rx = re.compile("|".join(_term_pattern(t) for t in terms), re.I)

    def spans(self, text: str, starts: _Starts) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        end = -1
        for pos in starts.of(self.keys):
            if pos < end:
                continue
            m = self.rx.match(text, pos)
            if m:
                out.append((m.start(), m.end()))
                end = m.end()
        return out


class _Starts:
    """Where each cue key begins a word of one text (an Aho-Corasick pass over the folded text)."""

    def __init__(self, automaton, folded: str, enabled: bool):
        self.at: dict[str, list[int]] = {}
        self._cache: dict[tuple[str, ...], list[int]] = {}
        if not enabled:
            return
        for end_idx, key in automaton.iter(folded):
            start = end_idx - len(key) + 1
            if start == 0 or not _word_char(folded[start - 1]):
                self.at.setdefault(key, []).append(start)

    def of(self, keys: list[str]) -> list[int]:
        k = tuple(keys)
        if k not in self._cache:
            self._cache[k] = sorted({p for key in keys for p in self.at.get(key, ())})
        return self._cache[k]


def _term_key(term: str) -> str:
    """The prefix every match of a cue term starts with, lower-cased (see _term_pattern)."""
    if _is_phrase(term):
        term = term.strip('"')
    words = re.findall(r"[^\s\-–/]+", term)
    w = words[0].rstrip("*") if words else ""
    if not w[-1:].isalnum() or w.isupper() or term.split()[0].endswith("*") or w[:1].isupper() or len(w) <= 3:
        key = w.lower()
    else:
        key = _stem(re.sub(r"['’]s$", "", w.lower()))
    return re.sub(r"['’].*", "", key).replace("’", "'")  # up to an apostrophe, which may be written either way


def _is_phrase(term: str) -> bool:
    return len(term) > 2 and term.startswith('"') and term.endswith('"')


def _quote(word: str) -> str:
    return re.escape(word).replace("'", "['’]").replace("’", "['’]")


_DEMONYM = r"(?-i:ers?|ians?|ns?)"  # the people of a place: Londoner(s), Cumbrian(s), Swindonian(s)
_GAP = r"[^\w'’]+(?:[\w'’]+[^\w'’]+){0,2}?"  # one or two words may stand between cue words
_BULLET = re.compile(r"\s*(?:[•●▪◦‣∙·*–—-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s")
CUE_DISTANCE = 320  # characters: the longest span a cue may cover
