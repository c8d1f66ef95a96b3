"""Metadata from texts as people save them: source/URL lines, publishers by host, dates and
bylines past a standfirst, two-digit years, URL-path dates, archive captures, page labels.
Texts written for these tests."""

import pytest

from explorer.corpus.split import date_from_url, parse_date, publisher_for, split_articles

BODY = ("The council's cabinet agreed on Tuesday to let its youth service staff form a mutual, "
        "the first in the county to do so. Unions said they would ballot members before any transfer. "
        "The new body would bid for the contract when it is put out to tender next spring.")


def one(paras, meta=None):
    (a,) = split_articles(paras, meta)
    return a


def test_source_url_line_sets_url_and_publisher_from_the_host():
    a = one(["Mutual plan for youth service", "Source: https://www.theguardian.com/society/2010/aug/12/mutuals", BODY])
    assert a.url == "https://www.theguardian.com/society/2010/aug/12/mutuals"
    assert a.source == "The Guardian"  # never the raw URL
    assert a.date == "2010-08-12" and "date taken from the URL path" in a.notes
    assert "Source:" not in a.text


@pytest.mark.parametrize("line", ["URL: https://hansard.parliament.uk/Commons/2011-02-15/debates/x",
                                  "Link: https://hansard.parliament.uk/Commons/2011-02-15/debates/x"])
def test_url_and_link_lines(line):
    a = one(["Public Service Mutuals debate", line, BODY])
    assert a.url.startswith("https://hansard.parliament.uk/") and a.source == "Hansard"


def test_named_source_with_url_keeps_the_name():
    a = one(["Nurses go it alone", "Source: Nursing Times, https://www.nursingtimes.net/news/1", BODY])
    assert (a.source, a.url) == ("Nursing Times", "https://www.nursingtimes.net/news/1")


def test_metadata_sheet_and_page_win_over_the_host_table():
    a = one(["Title here", "URL: https://www.gov.uk/government/news/x", BODY], {"source": "Cabinet Office"})
    assert a.source == "Cabinet Office"


@pytest.mark.parametrize("url,publisher", [
    ("https://www.gov.uk/government/news/mutuals", "GOV.UK"),
    ("http://www.cabinetoffice.gov.uk/news/pathfinder", "Cabinet Office"),
    ("https://news.bbc.co.uk/1/hi/uk_politics/1.stm", "BBC News"),
    ("https://web.archive.org/web/20100815093000/http://www.cabinetoffice.gov.uk/news/x", "Cabinet Office"),
    ("https://example.org/blog/post", ""),
    ("not a url at all", ""),
])
def test_publisher_for(url, publisher):
    assert publisher_for(url) == publisher


def test_web_archive_timestamp_is_not_a_publication_date():
    assert date_from_url("https://web.archive.org/web/20100815093000/http://www.example.org/news/item") is None
    assert date_from_url("https://web.archive.org/web/20120101000000/https://www.theguardian.com/x/2010/aug/12/y") == "2010-08-12"
    a = one(["Pathfinders named", "URL: https://web.archive.org/web/20100815093000/http://www.example.org/news/1",
             "Archived on 15 August 2010", BODY])
    assert a.date == ""  # never invented from the capture
    assert "Archived on" not in a.text


def test_url_path_dates_are_a_fallback_only():
    a = one(["Title", "12 September 2010", "URL: https://www.theguardian.com/society/2010/aug/12/x", BODY])
    assert a.date == "2010-09-12" and "date taken from the URL path" not in a.notes
    assert date_from_url("https://example.org/2010/02/31/x") is None


def test_date_and_byline_after_a_standfirst():
    standfirst = ("Ministers hope staff-owned mutuals will transform public services, but unions fear "
                  "privatisation by the back door and a loss of hard-won terms and conditions for staff.")
    a = one(["Mutuals: the next big thing?", standfirst, "URL: https://www.example.org/a", "By Jane Harper",
             "Tuesday 11 Aug 10", BODY, BODY])
    assert (a.author, a.date) == ("Jane Harper", "2010-08-11")
    assert standfirst in a.text and "Jane Harper" not in a.text


def test_byline_and_date_at_the_end():
    a = one(["Mutuals: the next big thing?", BODY, BODY, BODY, BODY, BODY, "By Tom Wells", "Posted 3 March 2011"])
    assert (a.author, a.date) == ("Tom Wells", "2011-03-03")


@pytest.mark.parametrize("text,iso", [
    ("11 Aug 10", "2010-08-11"),
    ("3rd March '11", "2011-03-03"),
    ("14 Feb 99", "1999-02-14"),
    ("10 Downing Street", None),  # no month name
    ("Aug 10", None),  # a day or a year? not unambiguous
    ("31 Feb 10", None),
])
def test_two_digit_years(text, iso):
    found = parse_date(text)
    assert (found[0] if found else None) == iso


def test_bare_author_line_under_the_title():
    a = one(["Why mutuals matter", "Sarah O'Connell", BODY])
    assert a.author == "Sarah O'Connell" and "Sarah O'Connell" not in a.text
    # an organisation's name or a sentence is no author
    assert one(["Why mutuals matter", "Local Government Association", BODY]).author == ""
    assert one(["Why mutuals matter", "Francis Maude spoke.", BODY]).author == ""
    # a name further down the text is not a byline
    assert one(["Why mutuals matter", BODY, "Sarah O'Connell", BODY]).author == ""


@pytest.mark.parametrize("label", ["Press release", "News", "Quote of the week", "Related articles"])
def test_page_type_labels_are_not_titles(label):
    a = one([label, "Staff to run Swindon care services", BODY])
    assert a.title == "Staff to run Swindon care services"
    assert label in a.text  # nothing lost


def test_bullet_mark_stripped_from_a_fallback_title():
    a = one(["• Staff in Leicester will form a social enterprise to care for homeless people, with support from the PCT and the council. " + BODY])
    assert a.title.startswith("Staff in Leicester") and "•" not in a.title


def test_html_page_without_a_site_name_gets_its_publisher_from_the_host():
    from explorer.corpus.document import documents_from_bytes

    html = ("<html><head><title>Mutual news</title>"
            "<link rel='canonical' href='https://www.theguardian.com/society/2010/aug/12/mutuals'></head>"
            f"<body><article><h1>Mutual news</h1><p>{BODY}</p><p>{BODY}</p></article></body></html>").encode()
    (d,) = documents_from_bytes(html, "page.html", "html")
    assert (d.source, d.url) == ("The Guardian", "https://www.theguardian.com/society/2010/aug/12/mutuals")
    assert d.date == "2010-08-12" and "date taken from the URL path" in d.notes
