"""Mentor roles (mentor / model / other) and topics read from the text, from the tagger through
the index to the facets and the mention export. Texts written for these tests."""

import csv

import pytest

from explorer import indexer
from explorer.export import export
from explorer.query import Engine, Query


def roles(tagger, text):
    return [(m.entity_id, m.role) for m in tagger.tag(text) if m.kind == "mentor"]


@pytest.mark.parametrize("text,want", [
    ("Staff want a John Lewis-style mutual for community nursing.", [("john_lewis", "model")]),
    ("The co-operative was inspired by the John Lewis Partnership.", [("john_lewis", "model")]),
    ("It will be owned by its staff, like John Lewis.", [("john_lewis", "model")]),
    ("Ministers want to follow the John Lewis model in the public sector.", [("john_lewis", "model")]),
    ("KPMG will mentor the Swindon team through the transition.", [("kpmg", "mentor")]),
    ("Each pathfinder gets pro bono advice from PwC and Tribal.", [("pwc", "mentor"), ("tribal", "mentor")]),
    ("Co-operatives UK is supporting the staff with legal templates.", [("cooperatives_uk", "mentor")]),
    ("KPMG reported its annual results on Monday.", [("kpmg", "other")]),
    ("The John Lewis Partnership paid a staff bonus of 15 per cent.", [("john_lewis", "other")]),
])
def test_mentor_role(tagger, text, want):
    assert roles(tagger, text) == want


def test_co_operatives_uk_stays_a_mentor(tagger):
    (m,) = [m for m in tagger.tag("A spokesperson for Co-operatives UK said the plan was sound.")]
    assert (m.kind, m.role) == ("mentor", "other")


def test_topics_need_two_words_and_keep_provenance(tagger):
    text = ("The probation service is to be split up. Private firms will supervise low-risk offenders, "
            "and the rest of probation stays public.")
    topics = [m for m in tagger.tag(text) if m.kind == "topic"]
    assert {m.entity_id for m in topics} == {"criminal_justice"}
    assert all(text[m.start:m.end] == m.surface for m in topics) and len(topics) == 3
    # one passing word is not a topic
    assert not [m for m in tagger.tag("He once visited a hospital.") if m.kind == "topic"]


@pytest.fixture(scope="module")
def role_index(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("roles")
    (corpus / "a.txt").write_text(
        "Nurses plan a John Lewis-style mutual\n\nCommunity nurses and health visitors in Bristol want to run "
        "their service as a John Lewis-style mutual, owned by staff. Patients would notice little.\n",
        encoding="utf-8")
    (corpus / "b.txt").write_text(
        "Mentors named\n\nKPMG and Baxi Partnership will mentor the new co-operative, advising its board.\n",
        encoding="utf-8")
    (corpus / "c.txt").write_text(
        "Probation shake-up\n\nProbation officers fear the reform of probation; offenders may be "
        "supervised by private firms.\n", encoding="utf-8")
    data = tmp_path_factory.mktemp("roles-data")
    indexer.run(data, corpus, workers=0)
    return data


def test_mentor_role_facet_filters_documents(role_index):
    e = Engine(role_index)
    try:
        counts = {v.value: v.count for v in e.search(Query("")).facets["mentor_role"]}
        assert counts == {"model": 1, "mentor": 1}
        hits = e.search(Query("", facets={"mentor_role": ["model"]})).hits
        assert [h.file for h in hits] == ["a.txt"]
        topics = {v.value: v.count for v in e.search(Query("")).facets["topic"]}
        assert topics.get("Criminal justice") == 1 and topics.get("Health") == 1
        assert not e.search(Query("")).facets["sector"]  # no pathfinder named: the sector facet stays empty
    finally:
        e.close()


def test_mention_export_carries_the_role(role_index, tmp_path):
    e = Engine(role_index)
    try:
        export(e, Query(""), tmp_path / "m.csv", level="mentions")
    finally:
        e.close()
    with open(tmp_path / "m.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    got = {(r["entity_id"], r["role"]) for r in rows if r["kind"] == "mentor"}
    assert got == {("john_lewis", "model"), ("kpmg", "mentor"), ("baxi", "mentor")}
