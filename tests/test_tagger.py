"""explorer.knowledge: taxonomy + tagger. Expected tags per seed were derived by reading the seeds."""

import pytest

from explorer.corpus.document import documents_from_file
from explorer.indexer import analyse_document
from explorer.knowledge import taxonomy
from explorer.knowledge.tagger import Tagger
from explorer.paths import seeds_dir

ALL_PATHFINDERS = {"swindon", "awarding_body_157", "london_partnership", "dh_learning_disability",
                   "hammersmith_fulham", "ne_essex", "mansfield", "lambeth", "leicester", "newton_rigg",
                   "kensington_chelsea", "westminster"}
ANNOUNCEMENT_MENTORS = {"john_lewis", "pwc", "kpmg", "tribal", "baxi", "care_and_share", "shca",
                        "central_surrey_health", "local_partnerships", "godrevy", "greenwich_leisure", "opm"}

EXPECTED = {
    "000": (
        {"swindon", "kensington_chelsea", "westminster"},
        ANNOUNCEMENT_MENTORS,
        {"South West", "London"},
    ),
    "001": (
        {"swindon", "awarding_body_157"},
        {"john_lewis", "tribal", "baxi", "care_and_share", "pwc", "kpmg"},
        {"South West"},
    ),
    "002": (
        {"mansfield", "newton_rigg", "swindon", "ne_essex", "westminster", "lambeth", "leicester"},
        {"kpmg", "pwc", "john_lewis", "cooperatives_uk"},
        {"East Midlands", "North West", "South West", "East of England", "London"},
    ),
    "003": (
        ALL_PATHFINDERS,
        ANNOUNCEMENT_MENTORS | {"turning_point"},
        {"London", "South East", "South West", "East Midlands", "East of England", "North West"},
    ),
}


def tags(doc, tagger, tax):
    rows, facets, _ = analyse_document(doc, tagger, tax)

    def ids(kind):
        return {r["entity"].split(":", 1)[1] for r in rows if r["kind"] == kind}

    return ids("pathfinder"), ids("mentor"), set(facets["region"]), rows


def test_bundled_knowledge_is_complete(tax):
    assert {e.id for e in tax.of_kind("pathfinder")} == ALL_PATHFINDERS
    assert len(tax.of_kind("mentor")) == 14
    assert len(tax.of_kind("place")) >= 500
    assert tax.problems == []
    for e in tax.of_kind("pathfinder"):
        assert e.sectors and set(e.sectors) <= set(taxonomy.SECTORS)
        assert set(e.regions) <= set(taxonomy.REGIONS)
    assert tax.get("pathfinder:awarding_body_157").regions == []  # a national body


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_tags(prefix, tagger, tax):
    path = next(seeds_dir().glob(prefix + "*"))
    (doc,) = documents_from_file(path, path.name)
    pathfinders, mentors, regions, _ = tags(doc, tagger, tax)
    want_p, want_m, want_r = EXPECTED[prefix]
    assert pathfinders == want_p
    assert mentors == want_m
    assert regions == want_r


def test_archive_posts(tagger, tax):
    path = next(seeds_dir().glob("004*"))
    posts = documents_from_file(path, path.name)
    results = [tags(d, tagger, tax) for d in posts]
    assert all(not p for p, _, _, _ in results)  # no post names a pathfinder
    assert results[1][2] == {"North East"}  # Newcastle Council
    assert {i for i, (_, m, _, _) in enumerate(results) if m} == {7, 9}  # Co-operatives UK in posts 8 and 10
    assert all(r == set() for i, (_, _, r, _) in enumerate(results) if i != 1)


def test_every_tag_keeps_its_provenance(tagger, tax):
    path = next(seeds_dir().glob("002*"))
    (doc,) = documents_from_file(path, path.name)
    _, _, _, rows = tags(doc, tagger, tax)
    for r in rows:
        assert doc.text[r["start"]:r["end"]] == r["surface"]
        p = doc.passages[r["passage"]]
        assert p.start <= r["start"] < p.end
    leicester = [r for r in rows if r["entity"] == "pathfinder:leicester"]
    # the span runs from the health word ("NHS") past the spin-out words to the town: everything
    # the cue needed
    assert [r["surface"] for r in leicester] == [
        "NHS employees forming a social enterprise to provide services for homeless people in Leicester"]


def m(tagger, text):
    return [(x.key, x.surface) for x in tagger.tag(text)]


def test_place_inside_an_organisation_name_is_not_a_place(tagger):
    found = m(tagger, "Help came from Sunderland Home Care Associates, Central Surrey Health and Greenwich Leisure.")
    assert found == [("mentor:shca", "Sunderland Home Care Associates"),
                     ("mentor:central_surrey_health", "Central Surrey Health"),
                     ("mentor:greenwich_leisure", "Greenwich Leisure")]
    assert ("place:sunderland", "Sunderland") in m(tagger, "Care workers in Sunderland set up a co-operative.")


def test_region_name_inside_a_pathfinder_name(tagger):
    found = m(tagger, "North East Essex PCT is spinning out.")
    assert found[0] == ("pathfinder:ne_essex", "North East Essex PCT")
    assert not any(k == "place:north_east" for k, _ in found)


def test_case_rules(tagger):
    assert m(tagger, "Advice from KPMG and PwC.") == [("mentor:kpmg", "KPMG"), ("mentor:pwc", "PwC")]
    assert m(tagger, "kpmg said") == []
    assert m(tagger, "local partnerships between councils") == []
    assert m(tagger, "a tribal loyalty") == []
    assert m(tagger, "Staff at Tribal helped.") == [("mentor:tribal", "Tribal")]
    assert ("mentor:cooperatives_uk", "Co-Operatives UK") in m(tagger, "from the Co-Operatives UK site")


def test_a_bare_town_is_a_place_not_a_pathfinder(tagger):
    assert m(tagger, "The match was played in Leicester.") == [("place:leicester", "Leicester")]
    text = "NHS employees forming a social enterprise to provide services for homeless people in Leicester."
    assert ("pathfinder:leicester", text[:-1]) in m(tagger, text)
    # the town, its homeless people and a mutual, but not a health service: some other service
    assert [k for k, _s in m(tagger, "Several mutuals are trading. In Leicester, a housing charity runs a hostel "
                                     "for homeless men.") if k.startswith("pathfinder")] == []


def test_a_month_in_a_date_is_not_a_place(tagger):
    for text in ("Published on 14 March 2011 by the council.", "It opened in March 2014, late.",
                 "The report (12th of March) said so."):
        assert [k for k, _s in m(tagger, text) if k.startswith("place")] == [], text
    assert ("place:march", "March") in m(tagger, "The depot in March, Cambridgeshire, closed.")


def test_a_place_term_finds_the_name_of_its_people(tagger):
    text = "New company to help Londoners facing multiple disadvantage set up as a community interest company."
    assert [k for k, _s in m(tagger, text) if k.startswith("pathfinder")] == ["pathfinder:london_partnership"]


def test_header_lines_give_the_first_sentence_its_subject(tagger):
    text = ("News release\n\nChildren's services staff to explore mutual model\n\nWestminster City Council, "
            "14 March 2011\n\nStaff who work with families are to explore setting up a mutual.\n\n"
            "Later, a paragraph about something else in Westminster.\n")
    assert [k for k, _s in m(tagger, text) if k.startswith("pathfinder")] == ["pathfinder:westminster"]
    # the same lines in the middle of a text are no header
    body = "A first paragraph of the story, which ends here.\n\n" + text
    assert [k for k, _s in m(tagger, body) if k.startswith("pathfinder")] == []


def test_common_word_places_need_context(tagger):
    assert m(tagger, "Reading the report, we found little.") == []
    assert m(tagger, "Council staff in Reading voted.") == [("place:reading", "Reading")]
    assert ("place:westminster", "Westminster") in m(tagger, "Westminster City Council announced it.")


def test_user_override_adds_aliases_and_entities(tmp_path):
    (tmp_path / "taxonomy.toml").write_text(
        '[[mentor]]\nid = "kpmg"\naliases = ["Klynveld Peat Marwick Goerdeler"]\n\n'
        '[[mentor]]\nid = "mutual_ventures_m"\nname = "Mutual Ventures"\naliases = []\n\n'
        '[[mentor]]\nid = "godrevy"\ndisabled = true\n', encoding="utf-8")
    (tmp_path / "places.csv").write_text("name,aliases,type,region,common_word\nPenzance Harbour,,town,South West,0\n",
                                         encoding="utf-8")
    tax = taxonomy.load(tmp_path)
    tagger = Tagger(tax)
    assert m(tagger, "Klynveld Peat Marwick Goerdeler") == [("mentor:kpmg", "Klynveld Peat Marwick Goerdeler")]
    assert m(tagger, "KPMG") == [("mentor:kpmg", "KPMG")]  # bundled aliases kept
    assert m(tagger, "Mutual Ventures and Godrevy") == [("mentor:mutual_ventures_m", "Mutual Ventures")]
    assert m(tagger, "in Penzance Harbour today") == [("place:penzance_harbour", "Penzance Harbour")]


def test_broken_override_is_reported_not_fatal(tmp_path):
    (tmp_path / "taxonomy.toml").write_text("[[mentor]\nid = ", encoding="utf-8")
    tax = taxonomy.load(tmp_path)
    assert any("not valid TOML" in p for p in tax.problems)
    assert tax.get("mentor:kpmg") is not None
