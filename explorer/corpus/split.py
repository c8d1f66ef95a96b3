"""One file's paragraphs -> one or more articles, with the metadata the text states.

A blog archive or category page ("Category Archives: mutualisation") holds many posts; each
becomes an article. Metadata lines (dates, bylines, "Author: Publisher |", source and URL lines)
are read into fields and taken out of the text. Nothing is invented: a date is only set when a
metadata line or the page's metadata states it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# --------------------------------------------------------------------------- dates

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")]
    )
    for m in names
}
_MON = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATE_PATTERNS = [
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<day>[0-3]\d)\b"),  # 2010-08-13
    re.compile(rf"\b{_DAY}\s+{_MON}\s*,?\s+{_YEAR}\b", re.I),  # 17 Aug 2010
    re.compile(rf"\b{_MON}\s+{_DAY}\s*,?\s+{_YEAR}\b", re.I),  # August 13th, 2010
    re.compile(r"\b(?P<day>[0-3]?\d)/(?P<m>[01]?\d)/(?P<year>(?:19|20)\d\d)\b"),  # 13/08/2010 (UK order)
    re.compile(rf"\b{_MON}\s+{_YEAR}\b", re.I),  # August 2010
    # "11 Aug 10": a two-digit year only after a day and a month name, where it cannot be a day
    re.compile(rf"\b{_DAY}\s+{_MON}\s*,?\s+'?(?P<yy>\d\d)\b(?![:/.]\d)", re.I),
]


def parse_date(text: str) -> tuple[str, tuple[int, int]] | None:
    """The first date stated in ``text`` as ISO 8601 (``YYYY-MM-DD``, or ``YYYY-MM`` when no day
    is given), with its span. None when no valid date is there."""
    best: tuple[str, tuple[int, int]] | None = None
    invalid: list[tuple[int, int]] = []  # "31 February 2010" must not become "2010-02"
    for pat in _DATE_PATTERNS:
        for m in pat.finditer(text):
            if any(m.start() < b and a < m.end() for a, b in invalid):
                continue
            g = m.groupdict()
            if g.get("yy"):
                yy = int(g["yy"])
                year = 2000 + yy if 2000 + yy <= date.today().year else 1900 + yy
            else:
                year = int(g["year"])
            month = int(g["m"]) if g.get("m") else _MONTHS.get((g.get("mon") or "").lower().rstrip("."))
            if not month or not 1 <= month <= 12:
                continue
            if g.get("day"):
                day = int(g["day"])
                if not _valid_day(year, month, day):
                    invalid.append(m.span())
                    continue
                iso = f"{year:04d}-{month:02d}-{day:02d}"
            else:
                iso = f"{year:04d}-{month:02d}"
            if best is None or m.start() < best[1][0]:
                best = (iso, m.span())
            break
    return best


def normalise_date(value: str) -> str | None:
    """A user- or page-supplied date as ISO 8601 (possibly partial), or None."""
    value = (value or "").strip()
    if not value:
        return None
    m = re.fullmatch(r"((?:19|20)\d\d)(?:-([01]\d)(?:-([0-3]\d))?)?(?:[T ].*)?", value)
    if m:
        y, mo, d = m.group(1), m.group(2), m.group(3)
        if mo and not 1 <= int(mo) <= 12:
            return None
        if d and not _valid_day(int(y), int(mo), int(d)):
            return None
        return "-".join(x for x in (y, mo, d) if x)
    found = parse_date(value)
    return found[0] if found else None


def _valid_day(year: int, month: int, day: int) -> bool:
    import calendar

    return 1 <= day <= calendar.monthrange(year, month)[1]


# --------------------------------------------------------------------------- metadata lines

_NAME_TOKEN = r"[A-Z][\w'’.-]*"
_PERSON = rf"{_NAME_TOKEN}(?:\s+(?:(?:de|van|von|der|le|la|du|da)\s+)?{_NAME_TOKEN}){{0,3}}"
_BYLINE = re.compile(rf"^by\s+(?P<name>{_PERSON})(?:\s*[,|–-]\s*.{{0,60}})?$", re.I | re.U)
_AUTHOR_LINE = re.compile(r"^(?:author|written by|words by)\s*:\s*(?P<value>.+?)\s*\|?\s*$", re.I)
_SOURCE_LINE = re.compile(r"^(?:source|publisher|published by|publication)\s*:\s*(?P<value>.+?)\s*\|?\s*$", re.I)
_CAPTURE_LINE = re.compile(r"^(?:archived|captured|retrieved|accessed|saved|crawled|snapshot)\b.{0,80}$", re.I)
_PAGE_LABELS = {
    "press release", "press releases", "news", "news story", "news release", "latest news", "news and events",
    "quote of the week", "blog", "blog post", "speech", "speeches", "guidance", "opinion", "comment",
    "comment and analysis", "feature", "features", "analysis", "policy paper", "statement", "written statement",
    "home", "skip to content", "skip to main content", "menu", "share", "share this page", "share this",
    "related articles", "related content", "related links", "most read", "most popular", "popular posts",
    "recent posts", "categories", "archives", "tags", "search", "you are here", "print", "email",
    "case study", "briefing", "media centre", "newsroom", "announcement", "announcements", "article",
}
_BULLET_MARK = re.compile(r"^\s*(?:[•●▪◦‣∙·*–—-]|\d{1,2}[.)])\s+")

# Publisher by web host, when neither the page, the metadata sheet nor a "Source:" line names
# one. A host matches itself and its subdomains; the longest match wins.
KNOWN_HOSTS = {
    "gov.uk": "GOV.UK", "cabinetoffice.gov.uk": "Cabinet Office", "dh.gov.uk": "Department of Health",
    "communities.gov.uk": "Department for Communities and Local Government", "number10.gov.uk": "Prime Minister's Office",
    "parliament.uk": "UK Parliament", "hansard.parliament.uk": "Hansard", "publications.parliament.uk": "Hansard",
    "theyworkforyou.com": "TheyWorkForYou (Hansard)",
    "theguardian.com": "The Guardian", "guardian.co.uk": "The Guardian", "bbc.co.uk": "BBC News",
    "bbc.com": "BBC News", "ft.com": "Financial Times", "telegraph.co.uk": "The Telegraph",
    "independent.co.uk": "The Independent", "thetimes.co.uk": "The Times", "lgcplus.com": "Local Government Chronicle",
    "publicfinance.co.uk": "Public Finance", "communitycare.co.uk": "Community Care", "hsj.co.uk": "Health Service Journal",
    "thirdsector.co.uk": "Third Sector", "civilserviceworld.com": "Civil Service World", "localgov.co.uk": "LocalGov",
    "publicservice.co.uk": "PublicService.co.uk", "nhs.uk": "NHS", "england.nhs.uk": "NHS England",
    "kingsfund.org.uk": "The King's Fund", "uk.coop": "Co-operatives UK", "socialenterprise.org.uk": "Social Enterprise UK",
    "nao.org.uk": "National Audit Office", "local.gov.uk": "Local Government Association", "lga.gov.uk": "Local Government Association",
    "pioneerspost.com": "Pioneers Post", "newstatesman.com": "New Statesman", "spectator.co.uk": "The Spectator",
    "economist.com": "The Economist", "dailymail.co.uk": "Daily Mail", "mirror.co.uk": "Daily Mirror",
    "inews.co.uk": "i", "computerweekly.com": "Computer Weekly", "employeeownership.co.uk": "Employee Ownership Association",
}
_ARCHIVE_URL = re.compile(r"^https?://(?:web\.)?archive\.org/web/(?P<stamp>\d{4,14})[a-z_]*/(?P<url>.+)$", re.I)
_URL_PATH_DATE = re.compile(rf"/(?P<year>(?:19|20)\d\d)/(?:(?P<m>[01]?\d)|(?P<mon>{'|'.join(_MONTHS)}))/(?P<day>[0-3]?\d)(?:/|$)", re.I)


def original_url(url: str) -> str:
    """The page a web-archive address captured (its timestamp is a capture date, not the
    publication date); other addresses unchanged."""
    m = _ARCHIVE_URL.match(url.strip())
    if not m:
        return url
    inner = m.group("url")
    return inner if re.match(r"https?://", inner, re.I) else "http://" + inner


def publisher_for(url: str) -> str:
    """The publisher of a known web host, or ""."""
    try:
        host = (urlsplit(original_url(url)).hostname or "").lower()
    except ValueError:
        return ""
    host = host.removeprefix("www.")
    best = ""
    for known in KNOWN_HOSTS:
        if (host == known or host.endswith("." + known)) and len(known) > len(best):
            best = known
    return KNOWN_HOSTS.get(best, "")


def date_from_url(url: str) -> str | None:
    """A date stated in a URL path ("/2010/aug/12/", "/2010/08/12/"), never a web-archive
    capture timestamp."""
    m = _URL_PATH_DATE.search(urlsplit(original_url(url)).path if url else "")
    if not m:
        return None
    year, day = int(m.group("year")), int(m.group("day"))
    month = int(m.group("m")) if m.group("m") else _MONTHS[m.group("mon").lower()]
    if not 1 <= month <= 12 or not _valid_day(year, month, day):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


_URL_LINE = re.compile(r"^(?:(?:url|link|source url|originally published at|original)\s*:?\s*)?(?P<url>https?://\S+)$", re.I)
_DATE_LABELS = re.compile(
    r"\b(headlines?|news|posted|published|date|dated|updated|on|at|by|last|modified|press release|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|[|:,.\-–—]", re.I)
_ORG_WORDS = re.compile(
    r"\b(chronicle|times|news|guardian|journal|magazine|gazette|post|review|monitor|today|weekly|"
    r"daily|herald|telegraph|independent|bbc|press|online|mail|echo|observer|standard|finance|"
    r"government|council|office|department|agency|group|partnership|ltd|limited|media|network|"
    r"institute|association|society|trust|services?|express|mirror|economist|week|radio|tv|"
    r"channel|blog|wire|reuters|associated|staff|editor|desk|team|insider|digest|bulletin|"
    r"publishing|publications?|uk|nhs|plc)\b|\.(com|org|net|co\.uk|gov\.uk)\b",
    re.I,
)


def looks_like_person(name: str) -> bool:
    """A person's name: 2-4 capitalised words, none of them a publication or organisation word."""
    return bool(re.fullmatch(_PERSON, name)) and 2 <= len(name.split()) <= 5 and not _ORG_WORDS.search(name)


def _byline(p: str) -> str | None:
    m = _BYLINE.match(p)
    if m and looks_like_person(m.group("name")):
        return m.group("name")
    return None


def _date_line(p: str) -> str | None:
    """A short line that states a date and little else ("17 Aug 2010 News")."""
    if len(p) > 80:
        return None
    found = parse_date(p)
    if not found:
        return None
    rest = p[: found[1][0]] + " " + p[found[1][1]:]
    rest = _DATE_LABELS.sub(" ", rest)
    return found[0] if len(rest.split()) <= 2 else None


# --------------------------------------------------------------------------- articles


@dataclass
class Article:
    title: str
    paragraphs: list[str]  # the article's text, title first when the title is part of the text
    author: str = ""
    source: str = ""
    date: str = ""
    url: str = ""
    title_in_text: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


_ARCHIVE_HEADER = re.compile(
    r"^((category|tag|monthly|yearly|daily|author|blog)\s+)?archives?(\s+for)?\s*[:\-–]?|^posts\s+(tagged|in category)\b",
    re.I,
)


def split_articles(paras: list[str], meta: dict[str, str] | None = None) -> list[Article]:
    """Split one file's cleaned paragraphs into articles and read their metadata."""
    meta = dict(meta or {})
    if not paras:
        return []
    header = bool(_ARCHIVE_HEADER.match(paras[0])) and len(paras[0]) < 120
    bylines = sum(1 for p in paras if _byline(p))
    if header or bylines >= 2:
        body = paras[1:] if header else paras
        starts = _post_starts(body)
        if len(starts) >= 2 or header:
            if not starts or starts[0] != 0:
                starts = [0] + starts
            posts = [body[a:b] for a, b in zip(starts, starts[1:] + [len(body)], strict=True)]
            articles = [_article(p, {}, in_archive=True) for p in posts if p]
            return [a for a in articles if a.paragraphs]
    return [_article(paras, meta, in_archive=False)]


def _post_starts(body: list[str]) -> list[int]:
    starts = []
    for i in range(len(body) - 1):
        nxt = body[i + 1]
        if _byline(body[i]) or not _headline_like(body[i]):
            continue
        if _byline(nxt):
            starts.append(i)
        elif i > 0 and len(nxt) >= 120 and _strong_headline(body[i]) and not _headline_like(body[i - 1]):
            starts.append(i)
    return starts


def _headline_like(p: str) -> bool:
    words = p.split()
    return 0 < len(words) <= 25 and len(p) <= 200 and not p.endswith((".", ",", ";", ":")) and not _byline(p)


def _strong_headline(p: str) -> bool:
    """A headline with no byline after it must look like one: "Topic: what happened", or mostly
    capitalised words."""
    if re.search(r"\w:\s+\S", p):
        return True
    long_words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", p) if len(w) >= 4]
    caps = sum(1 for w in long_words if w[0].isupper())
    return len(long_words) >= 2 and caps >= 0.6 * len(long_words)


def _article(paras: list[str], meta: dict[str, str], in_archive: bool) -> Article:
    paras = list(paras)
    notes: list[str] = []
    author = meta.get("author", "")
    source = meta.get("source", "")
    date = normalise_date(meta.get("date", "")) or ""
    url = meta.get("url", "")
    # Metadata lines in the header region (up to eight short paragraphs, through a standfirst:
    # it ends at the second long paragraph) and at the end (last three).
    head_idx: list[int] = []
    long_seen = 0
    for i, p in enumerate(paras[:8]):
        if len(p) >= 200:
            long_seen += 1
            if long_seen > 1:
                break
        head_idx.append(i)
    tail_idx = list(range(max(len(head_idx), len(paras) - 3), len(paras)))
    drop: set[int] = set()
    for i in head_idx + tail_idx:
        p = paras[i]
        if (name := _byline(p)) is not None:
            author = author or name
            drop.add(i)
        elif i in head_idx and 0 < i <= 3 and _bare_author(p, paras, i, drop):
            author = author or p.strip()
            drop.add(i)
        elif _CAPTURE_LINE.match(p) and len(p) <= 100:
            drop.add(i)  # "Archived on 15 Aug 2010": a capture date, not the publication date
        elif m := _AUTHOR_LINE.match(p):
            value = m.group("value").strip(" |")
            if looks_like_person(value):
                author = author or value
            else:
                source = source or value
            drop.add(i)
        elif m := _SOURCE_LINE.match(p):
            value = m.group("value").strip(" |")
            link = re.search(r"https?://\S+", value)
            if link:  # "Source: https://..." gives the address; the publisher comes from elsewhere
                url = url or link.group().rstrip(".,;)")
                value = value[:link.start()].strip(" ,;|–-")
            if value:
                source = source or value
            drop.add(i)
        elif m := _URL_LINE.match(p):
            url = url or m.group("url")
            drop.add(i)
        elif d := _date_line(p):
            date = date or d
            drop.add(i)
    paras = [p for i, p in enumerate(paras) if i not in drop]
    if not source and url:
        source = publisher_for(url)
    if not date and url and (d := date_from_url(url)):
        date = d
        notes.append("date taken from the URL path")
    title = meta.get("title", "").strip()
    if title.lower().strip(" :|") in _PAGE_LABELS:
        title = ""
    labels = 0  # page-type labels ("Press release", "News") above the headline stay in the text
    while not title and labels < len(paras) - 1 and paras[labels].lower().strip(" :|") in _PAGE_LABELS:
        labels += 1
    title_in_text = True
    if title:
        if not paras or _norm(paras[0]) != _norm(title):
            title_in_text = False
    elif paras and _headline_like(paras[labels]) and (in_archive or len(paras) == 1 or len(paras[labels]) <= 160):
        title = paras[labels]
    elif paras:
        title = _title_from_sentence(paras[labels])
        title_in_text = False
        notes.append("no headline; title taken from the first sentence")
    return Article(title=title, paragraphs=paras, author=author, source=source, date=date, url=url,
                   title_in_text=title_in_text, notes=notes)


def _norm(s: str) -> str:
    return " ".join(re.findall(r"\w+", s.lower()))


def _bare_author(p: str, paras: list[str], i: int, drop: set[int]) -> bool:
    """A line holding only a person's name, under the title (or under other metadata lines)."""
    if len(p) > 40 or p.rstrip().endswith((".", "!", "?", ":")) or not looks_like_person(p.strip()):
        return False
    above = [j for j in range(i) if j not in drop]
    return len(above) == 1 and _headline_like(paras[above[0]])


def _title_from_sentence(p: str, limit: int = 100) -> str:
    p = _BULLET_MARK.sub("", p)
    m = re.match(r"(.+?[.!?])(\s|$)", p)
    sentence = m.group(1) if m else p
    if len(sentence) <= limit:
        return sentence.rstrip(".")
    cut = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return cut + "…"


# --------------------------------------------------------------------------- metadata.csv

METADATA_COLUMNS = ("file", "title", "date", "source", "author", "url")


class SheetError(Exception):
    """``metadata.csv`` cannot be read as a table; one line naming the file, line and problem."""


@dataclass
class MetadataSheet:
    """The optional ``metadata.csv`` in a corpus root: per-file (or per ``file#n`` article)
    values that override what extraction found. Empty cells override nothing."""

    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    _by_file: tuple[int, dict[str, list[str]]] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> MetadataSheet:
        """The sheet at ``path`` (an empty one when there is none). Rows with a bad cell are
        dropped with a problem each; a sheet that is not a table at all (an unclosed quote
        running to the end of the file, past the csv field limit) raises SheetError, so the
        caller can stop before anything is indexed without the user's overrides."""
        sheet = cls()
        if not path.is_file():
            return sheet
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SheetError(f"{path}: cannot read ({exc.strerror or exc})") from None
        try:
            raw = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raw = data.decode("cp1252", errors="replace")
        # newline="": a line break inside a quoted cell belongs to the cell ("staff\nspin out")
        reader = csv.reader(io.StringIO(raw, newline=""))
        last_line = 0
        try:
            header = next(reader, [])
            last_line = reader.line_num
            fields = [f.strip().lower() for f in header]
            if "file" not in fields:
                sheet.problems.append(f"{path.name}: no 'file' column; ignored (columns: {', '.join(METADATA_COLUMNS)})")
                return sheet
            for cells in reader:
                n, last_line = last_line + 1, reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                row = {fields[i]: c.strip() for i, c in enumerate(cells) if i < len(fields) and fields[i]}
                sheet._add(path.name, n, row)
        except csv.Error as exc:
            raise SheetError(f"{path} line {last_line + 1}: {csv_problem(exc)}") from None
        return sheet

    def _add(self, name: str, n: int, row: dict[str, str]) -> None:
        key = row.get("file", "").replace("\\", "/").strip()
        if not key:
            self.problems.append(f"{name} line {n}: empty 'file' cell; row ignored")
            return
        values = {k: row[k] for k in METADATA_COLUMNS[1:] if row.get(k)}
        if "date" in values:
            iso = normalise_date(values["date"])
            if iso is None:
                self.problems.append(f"{name} line {n}: date {values['date']!r} not understood; ignored")
                del values["date"]
            else:
                values["date"] = iso
        self.rows[key] = values

    def subset(self, rel_path: str) -> MetadataSheet:
        """The rows :meth:`lookup` can use for the file ``rel_path``: what a worker process
        needs for one file, instead of a copy of the whole sheet."""
        if not self.rows:
            return self
        if self._by_file is None or self._by_file[0] != len(self.rows):
            by_file: dict[str, list[str]] = {}
            for key in self.rows:
                by_file.setdefault(key, []).append(key)
                base, sep, n = key.rpartition("#")
                if sep and n.isdigit():
                    by_file.setdefault(base, []).append(key)
            self._by_file = (len(self.rows), by_file)
        name = rel_path.rsplit("/", 1)[-1]
        keys = self._by_file[1].get(rel_path, []) + (self._by_file[1].get(name, []) if name != rel_path else [])
        return MetadataSheet(rows={k: self.rows[k] for k in keys})

    def lookup(self, rel_path: str, n: int | None) -> dict[str, str]:
        """Overrides for article ``n`` (1-based, None for a single-article file) of a file given
        by its path relative to the corpus root (or its bare file name)."""
        name = rel_path.rsplit("/", 1)[-1]
        found: dict[str, str] = {}
        for key in (rel_path, name):
            found = {**self.rows.get(key, {}), **found}
        if n is not None:
            found.pop("title", None)  # one title for every post of an archive would be wrong
            for key in (f"{rel_path}#{n}", f"{name}#{n}"):
                found = {**found, **self.rows.get(key, {})}
        return found


def csv_problem(exc: csv.Error) -> str:
    """A csv module error in the user's terms."""
    msg = str(exc)
    if "field larger than field limit" in msg:
        return ("a quoted cell never ends (a stray double quote?) and runs on past "
                f"{csv.field_size_limit():,} characters")
    if "new-line character seen in unquoted field" in msg or "unexpected end of data" in msg:
        return "a quoted cell is not closed (a stray double quote?)"
    return msg


def apply_overrides(article: Article, values: dict[str, str]) -> Article:
    if not values:
        return article
    changed: dict[str, Any] = {k: v for k, v in values.items() if k in ("title", "date", "source", "author", "url")}
    return replace(article, **changed)
