"""explorer.corpus.split and document: articles and their metadata, from the seeds as read by a person."""

import pytest

from explorer.corpus.document import documents_from_file
from explorer.corpus.split import MetadataSheet, normalise_date, parse_date
from explorer.paths import seeds_dir


def docs(prefix: str):
    path = next(seeds_dir().glob(prefix + "*"))
    return documents_from_file(path, path.name)


ARCHIVE_TITLES = [
    "All Party Group lauds promise of mutualising public services – but warns against economic motives",
    "Newcastle Council to be in vanguard of public services reform, including using mutuals?",
    "Audit Commission to Offer Procurement Opportunity for Employee-led Mutuals to bid for projects",
    "Mutuals: After the Big Society, the Good Society…",
    "Mutuals: Financial Times report says the Coalition’s Public Service Reform Plan is On Hold until July",
    "Mutuals: “a serious part of the answer in terms of transforming public services and delivery”",
    "Cabinet Office Minister Francis Maude tells private sector: ‘Come and knock on our door’",
    "Report suggests international lessons must be learned on developing public service mutuals",
    "Public service mutuals: will the optimistic or pessimistic view prevail?",
    "Co-Op launches mutuals advice service for local councils",
]


def test_blog_archive_gives_ten_posts_with_titles_and_authors():
    posts = docs("004")
    assert [d.title for d in posts] == ARCHIVE_TITLES
    assert [d.doc_id for d in posts] == [f"004_a8f8493ae2678e73#{n}" for n in range(1, 11)]
    assert [d.author for d in posts] == ["David Bicknell"] * 8 + [""] + ["David Bicknell"]
    assert all("Category Archives" not in d.text and "By David Bicknell" not in d.text for d in posts)
    assert posts[1].text.startswith(ARCHIVE_TITLES[1])
    assert "Nick Forbes" in posts[1].text and "Nick Forbes" not in posts[2].text
    assert posts[-1].text.rstrip().endswith("The Guide is available here")


def test_seed_metadata_is_read_not_invented():
    (d0,) = docs("000")
    assert d0.title == "Maude launches pathfinder mutuals"
    assert (d0.source, d0.author, d0.date) == ("Local Government Chronicle", "", "")
    assert "Author:" not in d0.text
    (d1,) = docs("001")
    assert d1.date == "2010-08-13" and "Headlines:" not in d1.text
    assert d1.title.startswith("Groups of public sector staff are leaving their organisations")
    (d2,) = docs("002")
    assert (d2.title, d2.author, d2.date) == ("Mutuals are go", "Jill Theobald", "")
    (d3,) = docs("003")
    assert (d3.title, d3.date) == ("Public sector pathfinder mutuals announced", "2010-08-17")
    assert all(d.date == "" for d in docs("004"))


def test_passages_have_offsets_into_the_text():
    (d3,) = docs("003")
    assert d3.passages[0].start == 0
    texts = [d3.text[p.start:p.end] for p in d3.passages]
    assert texts[0] == d3.title
    assert "• NHS employees forming a social enterprise to provide joined up services for homeless people in Leicester;" in texts
    assert all(t == t.strip() and t for t in texts)


@pytest.mark.parametrize("text,iso", [
    ("Headlines: August 13th, 2010", "2010-08-13"),
    ("17 Aug 2010 News", "2010-08-17"),
    ("Posted on 3 March 2011", "2011-03-03"),
    ("2012-01-31", "2012-01-31"),
    ("13/08/2010", "2010-08-13"),
    ("Updated: Sept 2011", "2011-09"),
    ("31 February 2010", None),
    ("no date here", None),
])
def test_parse_date(text, iso):
    found = parse_date(text)
    assert (found[0] if found else None) == iso


def test_normalise_date_rejects_nonsense():
    assert normalise_date("2010-13-01") is None
    assert normalise_date("2010-08") == "2010-08"
    assert normalise_date("2010-08-13T10:00:00Z") == "2010-08-13"


def test_metadata_sheet_overrides(tmp_path):
    (tmp_path / "metadata.csv").write_text(
        "file,title,date,source,author,url\n"
        "a.txt,Better title,13 August 2010,Cabinet Office,,https://example.org/a\n"
        "archive.txt,Ignored for posts,,The Blog,,\n"
        "archive.txt#2,,2011-05-01,,,\n"
        ",x,,,,\n"
        "b.txt,,not a date,,,\n", encoding="utf-8")
    sheet = MetadataSheet.load(tmp_path / "metadata.csv")
    assert sheet.lookup("a.txt", None) == {"title": "Better title", "date": "2010-08-13",
                                           "source": "Cabinet Office", "url": "https://example.org/a"}
    assert sheet.lookup("sub/a.txt", None)["title"] == "Better title"  # bare file name also matches
    assert sheet.lookup("archive.txt", 2) == {"source": "The Blog", "date": "2011-05-01"}
    assert sheet.lookup("archive.txt", 1) == {"source": "The Blog"}
    assert len(sheet.problems) == 2
