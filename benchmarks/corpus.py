"""Seeded synthetic corpus for the benchmarks.

``generate(folder, n_docs, seed)`` writes files that together hold about ``n_docs`` articles of
300-3,000 words: filler prose (a Zipf-distributed vocabulary of real and made-up words) with the
taxonomy's pathfinders, mentors, organisations and places (taxonomy.toml, places.csv) mixed in
at rates like the real news texts', plus the pathfinders' description cues ("homeless people in
Leicester ... NHS"). About 8% of files are HTML pages, about 4% are multi-article blog archives
("Category Archives: ..."), the rest plain text with the headline / byline / date / source lines
the seeds have. About 6% of the documents are planted text reuse for the reuse detector: an
origin article and one to three later copies from other outlets, each a reprint with edited
words, a reprint with its paragraphs reordered (one dropped, one of its own added), or an
article quoting one or two of the origin's paragraphs among its own; ``generate`` returns the
document pairs that share planted text (``reuse_pairs``). The same seed always gives the same
bytes.

Run ``python benchmarks/corpus.py DIR N`` to write a corpus by hand.
"""

from __future__ import annotations

import csv
import math
import random
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"

FUNCTION_WORDS = (
    "the of and to a in that is was for on it with as be by at this are from have has an not but "
    "which or will their they its were been had would more also who we can said there all he one "
    "about than other new some could into after when up them so only these out over what most such "
    "many may those while under where because both through between should before each our own very "
    "just any how much however since then even"
).split()

DOMAIN_WORDS = (
    "mutual mutuals public services service staff employee employees council government minister "
    "health care social enterprise enterprises cooperative co-operative pathfinder pathfinders "
    "spin-out spin-outs ownership owned community budget cuts reform cabinet office coalition "
    "society big local authority authorities frontline workers workforce model models contract "
    "contracts commissioning commissioners provider providers sector private voluntary charity "
    "trust board members partnership support project projects pilot pilots scheme schemes "
    "funding investment finance financial savings efficiency value money tax taxpayers "
    "unions union pension pensions transfer tupe procurement tender outsourcing market markets "
    "competition choice users patients residents families children young people adults older "
    "housing homeless homelessness education college colleges school schools training youth "
    "disability learning mental wellbeing nursing therapy clinic clinics hospital primary "
    "trust trusts commissioning policy policies plan plans strategy announcement announced "
    "report reports review evidence research survey data results risk risks benefits "
    "innovation entrepreneurial independence independent accountable accountability "
    "governance shareholders shares dividend surplus profit profits profit-making "
    "leadership managers management chief executive director directors chair chairman "
    "spokesman spokeswoman statement interview conference launch launched week month year "
    "years today yesterday april may june july august september october november december "
    "january february march first second third last next across national regional city town"
).split()

# Made-up words give the long tail of a real vocabulary (and terms no query will hit).
_SYLLABLES = ("ba be bi bo bu ca ce co cu da de di do du fa fe fi fo ga ge go la le li lo lu ma "
              "me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti "
              "to tu va ve vi vo za ze zo ar er ir or ur al el il ol an en in on un st tr pr "
              "ment tion ness able ing ed ly").split()

FIRST_NAMES = ("David Sarah James Helen Peter Claire Andrew Emma Richard Lucy Michael Rachel Simon "
               "Kate John Anna Mark Ruth Paul Jane Nick Alison Tom Fiona Chris Laura").split()
LAST_NAMES = ("Bicknell Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright "
              "Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Hughes Edwards "
              "Turner Harris Cooper Martin Lewis Baker Morris").split()
PUBLISHERS = ("Local Government Chronicle", "Public Finance", "Guardian Society", "Third Sector",
              "Health Service Journal", "Civil Service World", "Co-operative News",
              "Computer Weekly", "Nursing Times", "Children and Young People Now",
              "Inside Housing", "The Times", "Financial Times", "BBC News", "Municipal Journal")
MONTHS = ("January February March April May June July August September October November "
          "December").split()
ARCHIVE_TOPICS = ("mutualisation", "public services", "employee ownership", "big society",
                  "social enterprise", "health reform")


@dataclass
class Knowledge:
    pathfinders: list[dict]
    mentors: list[dict]
    organisations: list[dict]
    places: list[dict]  # name, aliases, common_word
    cue_sentences: dict[str, list[list[str]]] = field(default_factory=dict)


def load_knowledge() -> Knowledge:
    with open(RESOURCES / "taxonomy.toml", "rb") as fh:
        tax = tomllib.load(fh)
    places = []
    with open(RESOURCES / "places.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if not row.get("name"):
                continue
            places.append({"name": row["name"].strip(),
                           "aliases": [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()],
                           "common_word": (row.get("common_word") or "0").strip() in ("1", "true", "yes"),
                           "type": (row.get("type") or "").strip()})
    return Knowledge(tax.get("pathfinder", []), tax.get("mentor", []), tax.get("organisation", []), places)


class Writer:
    """Writes prose. All randomness comes from ``rng``."""

    def __init__(self, rng: random.Random, k: Knowledge):
        self.rng = rng
        self.k = k
        made_up = set()
        while len(made_up) < 6000:
            made_up.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
        self.content = DOMAIN_WORDS + sorted(made_up)
        # Zipf weights over the content vocabulary: domain words are the frequent ones.
        self.weights = [1.0 / (i + 8) ** 1.05 for i in range(len(self.content))]
        self.cum = list(_accumulate(self.weights))
        self.pf_weights = list(_accumulate([1.0 / (i + 1) for i in range(len(k.pathfinders))]))
        self.mentor_weights = list(_accumulate([1.0 / (i + 1) ** 0.7 for i in range(len(k.mentors))]))
        # big places (cities, regions, counties) are named far more often than small towns
        self.places = [p for p in k.places if not p["common_word"]]
        big = {"city": 8.0, "region": 6.0, "county": 3.0, "unitary": 2.0, "london_borough": 2.0,
               "metropolitan_borough": 1.5}
        self.place_weights = list(_accumulate([big.get(p["type"], 1.0) for p in self.places]))
        self.common_places = [p for p in k.places if p["common_word"]]

    # -- words and sentences

    def word(self) -> str:
        r = self.rng.random()
        if r < 0.45:
            return self.rng.choice(FUNCTION_WORDS)
        return self.rng.choices(self.content, cum_weights=self.cum)[0]

    def sentence(self, insert: str | None = None) -> str:
        n = self.rng.randint(8, 26)
        words = [self.word() for _ in range(n)]
        if insert:
            pos = self.rng.randint(2, max(2, n - 1))
            words[pos:pos] = ["in" if self.rng.random() < 0.5 else "with", insert]
        if self.rng.random() < 0.25:
            words[self.rng.randint(1, len(words) - 2)] += ","
        words[0] = words[0][:1].upper() + words[0][1:]
        end = "." if self.rng.random() < 0.93 else self.rng.choice(("?", "!"))
        return " ".join(words) + end

    def title(self) -> str:
        words = [self.rng.choices(self.content, cum_weights=self.cum)[0] for _ in range(self.rng.randint(4, 10))]
        words = [w[:1].upper() + w[1:] if self.rng.random() < 0.7 else w for w in words]
        if self.rng.random() < 0.3:
            words.insert(self.rng.randint(1, len(words) - 1), "mutuals:" if self.rng.random() < 0.5 else "pathfinder")
        return " ".join(words)

    # -- entity names

    def pathfinder_name(self, pf: dict) -> str:
        names = [pf["name"], *pf.get("aliases", [])]
        return self.rng.choice(names)

    def cue_sentence(self, pf: dict) -> str | None:
        cues = pf.get("cues") or []
        if not cues:
            return None
        cue = self.rng.choice(cues)
        terms = [self.rng.choice(group).rstrip("*") for group in cue]
        words = [self.word() for _ in range(self.rng.randint(6, 14))]
        for t in terms:
            words.insert(self.rng.randint(1, len(words)), t)
        words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words) + "."

    def entity_plan(self) -> list[str]:
        """Names to weave into one article, at roughly the real texts' rates."""
        rng = self.rng
        names: list[str] = []
        self._cues = []
        if rng.random() < 0.35:  # about a third of articles name a pathfinder
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                pf = self.k.pathfinders[_pick(rng, self.pf_weights)]
                for _ in range(rng.randint(1, 3)):
                    if rng.random() < 0.25 and (cue := self.cue_sentence(pf)):
                        self._cues.append(cue)
                    else:
                        names.append(self.pathfinder_name(pf))
        if rng.random() < 0.22:  # mentors: fewer articles
            for _ in range(rng.choice((1, 1, 2, 3, 5))):
                m = self.k.mentors[_pick(rng, self.mentor_weights)]
                names.append(rng.choice([m["name"], *m.get("aliases", [])]))
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 3)):
                o = rng.choice(self.k.organisations)
                names.append(rng.choice([o["name"], *o.get("aliases", [])]))
        if rng.random() < 0.8:  # most articles name a place or several
            for _ in range(rng.choice((1, 1, 2, 2, 3, 4, 6))):
                p = self.places[_pick(rng, self.place_weights)]
                names.append(rng.choice([p["name"], *p["aliases"]]) if p["aliases"] and rng.random() < 0.2 else p["name"])
        if rng.random() < 0.1 and self.common_places:
            names.append(rng.choice(self.common_places)["name"] + " Borough Council")
        return names

    def body(self, n_words: int) -> list[str]:
        """Paragraphs totalling about ``n_words`` words, with this article's entities."""
        names = self.entity_plan()
        cues = list(self._cues)
        paras: list[str] = []
        total = 0
        while total < n_words:
            sentences = []
            for _ in range(self.rng.randint(2, 6)):
                insert = names.pop() if names and self.rng.random() < 0.35 else None
                if cues and self.rng.random() < 0.2:
                    s = cues.pop()
                else:
                    s = self.sentence(insert)
                sentences.append(s)
                total += s.count(" ") + 1
            if self.rng.random() < 0.12:
                sentences.append(f"“{self.sentence()[:-1]},” said {self.person()}.")
            paras.append(" ".join(sentences))
        # anything not yet placed goes in the last paragraphs
        if names or cues:
            paras.append(" ".join([self.sentence(n) for n in names] + cues))
        return paras

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def date(self) -> tuple[int, int, int]:
        year = self.rng.choices((2009, 2010, 2011, 2012, 2013, 2014, 2015, 2016),
                                weights=(1, 6, 5, 4, 3, 2, 1, 1))[0]
        return year, self.rng.randint(1, 12), self.rng.randint(1, 28)

    def n_words(self, lo: int = 300, hi: int = 3000) -> int:
        # log-normal around ~700 words, clipped to [lo, hi]
        return int(min(hi, max(lo, self.rng.lognormvariate(math.log(700), 0.6))))


def _accumulate(ws):
    total = 0.0
    for w in ws:
        total += w
        yield total


def _pick(rng: random.Random, cum: list[float]) -> int:
    import bisect

    return bisect.bisect_left(cum, rng.random() * cum[-1])


# --------------------------------------------------------------------------- file kinds


def text_article(w: Writer) -> str:
    rng = w.rng
    lines = [w.title()]
    if rng.random() < 0.6:
        lines.append(f"By {w.person()}")
    if rng.random() < 0.8:
        y, m, d = w.date()
        lines.append(rng.choice((f"{d} {MONTHS[m - 1][:3]} {y}", f"{MONTHS[m - 1]} {d}, {y}",
                                 f"{y}-{m:02d}-{d:02d}")))
    if rng.random() < 0.5:
        lines.append(rng.choice(("Source: ", "Author: ")) + rng.choice(PUBLISHERS) + " |")
    paras = w.body(w.n_words())
    sep = "\n\n" if rng.random() < 0.7 else "\n"
    return sep.join(lines + paras) + "\n"


def html_article(w: Writer) -> str:
    rng = w.rng
    title = w.title()
    y, m, d = w.date()
    pub = rng.choice(PUBLISHERS)
    paras = w.body(w.n_words())
    ps = "\n".join(f"<p>{_esc(p)}</p>" for p in paras)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{_esc(title)} | {_esc(pub)}</title>"
        f"<meta name=\"author\" content=\"{w.person()}\">"
        f"<meta property=\"og:site_name\" content=\"{_esc(pub)}\">"
        f"<meta property=\"article:published_time\" content=\"{y}-{m:02d}-{d:02d}\">"
        "<script>var tracking = 1;</script><style>p{margin:0}</style></head>\n<body>"
        "<nav><a href=\"/\">Home</a> <a href=\"/news\">News</a> <a href=\"/jobs\">Jobs</a></nav>\n"
        f"<article><h1>{_esc(title)}</h1>\n{ps}\n</article>\n"
        "<aside>Most read: council budgets, pensions, procurement</aside>"
        "<footer>Copyright. All rights reserved. Cookies policy.</footer></body></html>\n"
    )


def archive_file(w: Writer, posts: int) -> str:
    rng = w.rng
    out = [f"Category Archives: {rng.choice(ARCHIVE_TOPICS)}"]
    author = w.person()
    for _ in range(posts):
        out.append(w.title())
        out.append(f"By {author}")
        out.extend(w.body(w.n_words(300, 1200)))
    return "\n\n".join(out) + "\n"


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# --------------------------------------------------------------------------- planted reuse


def _edit(w: Writer, para: str, rate: float) -> str:
    """``para`` with about ``rate`` of its words replaced, dropped or doubled by an insertion."""
    words = para.split()
    out = []
    for word in words:
        r = w.rng.random()
        if r < rate / 3:
            out.append(w.word())
        elif r < 2 * rate / 3:
            continue
        elif r < rate:
            out.extend((word, w.word()))
        else:
            out.append(word)
    return " ".join(out)


def _reprint_file(w: Writer, title: str, date: tuple[int, int, int], source: str, paras: list[str]) -> str:
    y, m, d = date
    return "\n\n".join([title, f"{y}-{m:02d}-{d:02d}", f"Source: {source} |", *paras]) + "\n"


def plant_reuse(folder: Path, w: Writer, groups: int, start: int, prefix: str = "") -> tuple[int, int, list[list[str]]]:
    """Write ``groups`` origin articles with 1-3 copies each. Returns (documents written, next
    file number, the sorted document-id pairs that share planted text)."""
    rng = w.rng
    pairs: set[tuple[str, str]] = set()
    docs = 0
    i = start
    for g in range(groups):
        paras: list[str] = []
        while len(paras) < 5:
            paras = w.body(w.n_words(350, 900))
        y, m, d = w.date()
        origin_date = (y, m, min(d, 20))
        sub = folder / f"{(i // 1000):03d}"
        sub.mkdir(exist_ok=True)
        origin = f"{prefix}{i:07d}_origin{g:05d}"
        (sub / f"{origin}.txt").write_text(
            _reprint_file(w, w.title(), origin_date, f"Planted Origin Press {g}", paras), encoding="utf-8")
        i += 1
        docs += 1
        members: list[tuple[str, set[int]]] = [(origin, set(range(len(paras))))]
        for c in range(rng.randint(1, 3)):
            kind = rng.choice(("edit", "reorder", "partial"))
            if kind == "edit":
                used = list(range(len(paras)))
                body = [_edit(w, paras[k], 0.04) for k in used]
            elif kind == "reorder":
                used = list(range(len(paras)))
                rng.shuffle(used)
                used = used[:-1]
                body = [_edit(w, paras[k], 0.02) for k in used]
                body.insert(rng.randint(0, len(body)), " ".join(w.sentence() for _ in range(4)))
            else:
                used = sorted(rng.sample(range(len(paras)), rng.randint(1, 2)))
                body = w.body(w.n_words(300, 600))
                for k in used:
                    body.insert(rng.randint(0, len(body)), "“" + _edit(w, paras[k], 0.02) + "”")
            name = f"{prefix}{i:07d}_copy{g:05d}_{c}_{kind}"
            sub = folder / f"{(i // 1000):03d}"
            sub.mkdir(exist_ok=True)
            date = (origin_date[0], origin_date[1], origin_date[2] + 1 + c)
            (sub / f"{name}.txt").write_text(
                _reprint_file(w, w.title(), date, f"Planted Copy Desk {g}-{c}", body), encoding="utf-8")
            i += 1
            docs += 1
            members.append((name, set(used)))
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                if members[a][1] & members[b][1]:
                    pairs.add(tuple(sorted((members[a][0], members[b][0]))))
    return docs, i, sorted(list(p) for p in pairs)


# --------------------------------------------------------------------------- corpus


def generate(folder: Path, n_docs: int, seed: int = 1, start: int = 0, prefix: str = "", reuse: bool = True) -> dict:
    """Write files holding about ``n_docs`` articles into ``folder``. Returns counts, and the
    document pairs that share planted text (``reuse_pairs``)."""
    folder.mkdir(parents=True, exist_ok=True)
    k = load_knowledge()
    rng = random.Random(seed)
    w = Writer(rng, k)
    docs = files = html = archives = 0
    i = start
    planted, pairs = 0, []
    if reuse and n_docs >= 20:
        planted, i, pairs = plant_reuse(folder, w, max(1, n_docs // 50), i, prefix)
        docs = files = planted
    while docs < n_docs:
        r = rng.random()
        sub = folder / f"{(i // 1000):03d}"
        sub.mkdir(exist_ok=True)
        name = f"{prefix}{i:07d}_{rng.getrandbits(32):08x}"
        if r < 0.04 and n_docs - docs >= 3:
            posts = rng.randint(3, min(8, n_docs - docs))
            (sub / f"{name}.txt").write_text(archive_file(w, posts), encoding="utf-8")
            docs += posts
            archives += 1
        elif r < 0.12:
            (sub / f"{name}.html").write_text(html_article(w), encoding="utf-8")
            docs += 1
            html += 1
        else:
            (sub / f"{name}.txt").write_text(text_article(w), encoding="utf-8")
            docs += 1
        files += 1
        i += 1
    return {"docs": docs, "files": files, "html": html, "archives": archives, "next": i,
            "planted": planted, "reuse_pairs": pairs}


if __name__ == "__main__":
    out = generate(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    print(out)
