"""Places and regions: constituencies, titles, organisation names and region names in lower case.
Texts written for these tests."""

import pytest

from explorer.corpus.document import Document
from explorer.corpus.passages import passages
from explorer.indexer import analyse_document


def places(tagger, text):
    return [(m.entity_id, m.surface, m.via) for m in tagger.tag(text) if m.kind == "place"]


def regions(tagger, tax, text):
    doc = Document(doc_id="t", file="t.txt", ordinal=0, title="", source="", author="", date="", url="",
                   text=text, passages=passages(text))
    _, facets, _ = analyse_document(doc, tagger, tax)
    return set(facets["region"])


@pytest.mark.parametrize("text", [
    "Andrew Selous, the MP for South West Bedfordshire, asked the minister a question.",
    "The Member for Horsham spoke next.",
    "Lord Maude of Horsham, the former Cabinet Office minister, gave evidence.",
    "Baroness Stowell of Beeston agreed.",
    "The Bishop of Leicester rose to speak.",
    "Jon Ashworth (Leicester South) (Lab): Will the minister answer?",
    "Alistair Burt, the Member of Parliament for North East Bedfordshire, replied.",
    "A question from the Conservative member for Mid Bedfordshire.",
])
def test_constituencies_and_titles_are_not_places(tagger, tax, text):
    assert places(tagger, text) == []
    assert regions(tagger, tax, text) == set()


def test_place_outside_a_title_is_still_a_place(tagger):
    assert places(tagger, "Lord Maude visited Horsham on Friday.") == [("horsham", "Horsham", "name")]
    assert places(tagger, "Staff in West Sussex voted.") == [("west_sussex", "West Sussex", "name")]
    assert [p[0] for p in places(tagger, "Youth workers in south London and East London")] == ["london", "london"]


@pytest.mark.parametrize("text,place", [
    ("A report by Leeds Metropolitan University found savings.", "leeds"),
    ("Nurses at Leicester Royal Infirmary were surveyed.", "leicester"),
    ("Academics at the University of Bristol disagree.", "bristol"),
    ("Kendal College offers apprenticeships.", "kendal"),
    ("Sheffield Hospitals NHS Trust said nothing.", "sheffield"),
])
def test_place_in_an_organisation_name_is_incidental(tagger, tax, text, place):
    assert [(p[0], p[2]) for p in places(tagger, text)] == [(place, "incidental")]
    assert regions(tagger, tax, text) == set()


def test_london_borough_of(tagger, tax):
    found = places(tagger, "The London Borough of Barnet outsourced its services.")
    assert ("london", "London", "incidental") in found
    assert ("barnet", "Barnet", "name") in found  # the borough itself: the council is about it


@pytest.mark.parametrize("text,region", [
    ("Mutuals are spreading across the South-East.", "South East"),
    ("Most spin-outs are in the north-west, the report says.", "North West"),
    ("Councils in the north east and the south west were slower.", "North East"),
    ("Care workers in the west midlands formed a co-operative.", "West Midlands"),
    ("The North-West has the most social enterprises.", "North West"),
])
def test_lower_case_and_hyphenated_regions(tagger, tax, text, region):
    assert region in regions(tagger, tax, text)


@pytest.mark.parametrize("text", [
    "The car park is in the north-east corner of the site.",
    "Turn to the south-west of the town centre.",
    "Head north east for a mile.",
    "The path runs south-west across the field.",
])
def test_compass_words_are_not_regions(tagger, tax, text):
    assert regions(tagger, tax, text) == set()


@pytest.mark.parametrize("text", [
    "Mr Jim Dobbin (Heywood and Middleton): To ask the Minister what support is given.",
    "MPs at Westminster debated the plans on Tuesday.",
    "The mood in Westminster has changed, ministers say.",
])
def test_hansard_members_and_westminster_as_parliament(tagger, tax, text):
    assert regions(tagger, tax, text) == set()


def test_westminster_the_place_is_still_a_place(tagger, tax):
    assert regions(tagger, tax, "Westminster City Council will close two libraries.") == {"London"}
    assert regions(tagger, tax, "Rents in Westminster rose again.") == {"London"}
