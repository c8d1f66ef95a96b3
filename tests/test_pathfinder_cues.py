"""Pathfinder cues on paraphrased descriptions (written for these tests, in news, blog, Hansard and
press-release styles) and on look-alike texts that must not be tagged."""

import pytest

from explorer.knowledge.taxonomy import REGIONS


def pathfinders(tagger, text):
    return {m.entity_id for m in tagger.tag(text) if m.kind == "pathfinder"}


PARAPHRASES = {
    "swindon": [
        "Staff in Swindon want to bring adult and social care together with community health in a new co-operative.",
        "Swindon is the boldest of the pilots. Community health staff and adult social care workers would join one employee-owned body.",
        "The Swindon scheme:\n• merging community health services with adult social care\n• run as a social enterprise owned by its staff",
    ],
    "awarding_body_157": [
        "A consortium of further education colleges plans an awards body run as a mutual.",
        "Colleges in the 157 Group have set out to create a qualifications body. It would be a mutual owned by its member FE colleges.",
        "Among the pathfinders is a new awarding organisation, set up by a consortium of FE colleges.",
    ],
    "london_partnership": [
        "The London Partnership wants to reduce multiple disadvantage through a new community interest company.",
        "A CIC aimed at reducing multiple and complex disadvantage among Londoners was also chosen.",
        "In London, a pathfinder will tackle multiple disadvantage with a social enterprise.",
    ],
    "dh_learning_disability": [
        "The Department of Health's regional learning disabilities team is to become a community interest company.",
        "Mr Smith: The learning disability team at the DH covering London and the South East will spin out as a mutual.",
        "Officials from the Department of Health who support learning disability services in London and the South East hope to form a social enterprise.",
    ],
    "hammersmith_fulham": [
        "Hammersmith & Fulham is looking at a mutual for its children's services, possibly with commercial partners.",
        "Children's social workers in Hammersmith and Fulham could spin out into an employee-owned company.",
        "In Hammersmith and Fulham, the council is exploring new models of delivery for services to children.",
    ],
    "ne_essex": [
        "The community services arm of North East Essex PCT is spinning out as a community interest company.",
        "North East Essex primary care trust will transfer its community health staff to a social enterprise.",
        "NHS staff in north-east Essex are forming a community interest company to run community services.",
    ],
    "mansfield": [
        "Housing support workers in Mansfield plan a social enterprise for vulnerable tenants.",
        "In Mansfield, public sector staff will come together in a mutual. It will deliver housing support to vulnerable people.",
        "Mansfield's pathfinder brings housing support workers from several public bodies into one social enterprise.",
    ],
    "lambeth": [
        "Lambeth's resource centre for people with sensory impairments will be co-produced with its users.",
        "In Lambeth, rehabilitation services for people with physical or sensory impairment may become a mutual.",
        "The Lambeth centre supports people with sight and hearing loss; staff are exploring rehabilitation services run with service users.",
    ],
    "leicester": [
        "NHS staff who care for homeless people in Leicester are setting up a social enterprise.",
        "Leicester's homeless health service will be run by its own GPs and nurses as an employee-owned company.",
        "Doctors and nurses serving Leicester's homeless population:\n- plan to leave the PCT\n- and form a social enterprise",
        # named outright as the pathfinder, with no health word: the product's own example question
        "The Leicester homelessness pathfinder has now spun out.",
        "Which sources mention the Leicester homeless pathfinder?",
    ],
    "newton_rigg": [
        "Lecturers and support staff at Newton Rigg want to run the college themselves.",
        "A Cumbrian agricultural college could be run by a trust set up by its teaching staff.",
        "Staff at the college near Penrith, in Cumbria, are planning to form a mutual to run it.",
    ],
    "kensington_chelsea": [
        "Youth workers in Kensington and Chelsea are to form an employee-led mutual.",
        "The Royal Borough of Kensington & Chelsea is looking at a staff-owned company for youth support. It would be among the first pathfinders.",
        "Epic CIC, the youth services mutual, took over from the council in 2011.",
    ],
    "westminster": [
        "Westminster City Council's children's services staff may move into an arm's-length mutual.",
        "Westminster Council is working with employees in children's services on a possible spin-out.",
        "The pathfinder at the City of Westminster covers services for children and families.",
    ],
}


@pytest.mark.parametrize("pid,text", [(p, t) for p, ts in PARAPHRASES.items() for t in ts])
def test_paraphrased_description_is_tagged(tagger, pid, text):
    assert pid in pathfinders(tagger, text)


LOOK_ALIKES = [
    # a town and one broad word: another service in that town
    "A homeless shelter in Leicester run by volunteers has doubled its beds this winter.",
    "A charity runs a homeless hostel in Leicester; the Swindon pilot is a mutual.",
    "Leicester City Council cut its homelessness budget by a fifth.",
    "Mansfield District Council built 200 new council houses last year.",
    "Swindon's community health services were rated good by inspectors.",
    "A new youth club opened in Kensington and Chelsea on Saturday.",
    "Westminster children's centres will stay open, the minister said.",
    "MPs at Westminster debated children's mental health on Tuesday.",
    "Kendal College in Cumbria reported record enrolments.",
    "Hammersmith and Fulham children's centres face cuts.",
    # a council department's name is not the mutual
    "Westminster children's services were rated outstanding by Ofsted.",
    "Hammersmith and Fulham Children's Services appointed a new director.",
    "Swindon Community Health and Adult Social Care teams moved offices.",
    "Lambeth council will close two libraries.",
    # other mutuals, including later waves, are not the wave-1 pathfinders
    "Young Lambeth Co-operative, a youth services mutual, was launched in 2013.",
    "Your Healthcare, the Kingston community health social enterprise, spun out in 2010.",
    "City Health Care Partnership in Hull became an employee-owned community interest company.",
    "Leicestershire Partnership NHS Trust runs mental health services across the county.",
    "The second wave of pathfinders included a children's centre mutual in Surrey.",
    "An awards ceremony for FE colleges was held in Birmingham.",
    "The London Marathon raised money for people with learning disabilities.",
    # "the <Town> pathfinder" where the town or region has two or more: the phrase does not say which
    "The London pathfinder has signed its first contract.",
    "Staff at the pathfinder in London voted on Tuesday.",
    "The East Midlands pathfinder was praised in the report.",
    # the town and the word "pathfinder", but not the town's pathfinder
    "The Swindon branch of the pathfinder programme met on Tuesday.",
    "The pathfinders met in Swindon on Tuesday.",
    "Leicester City Council said the pathfinder programme was too small.",
    "Lambeth Council's cabinet discussed the government's pathfinder scheme.",
    "A Swindon pathfinding day for Scouts was held in the park.",
    # a town inside an organisation's name, with no "pathfinder"
    "Swindon Borough Council said it would set its budget in March.",
    "Mansfield District Council and Leicester City Council both froze council tax.",
    "Westminster City Council said it would sell two car parks.",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_is_not_a_pathfinder(tagger, text):
    assert pathfinders(tagger, text) == set()


# The town's pathfinder, named by its town alone: where the town has one pathfinder in the
# taxonomy, "the <Town> pathfinder" can only be that one (resources/taxonomy.toml: one group of
# phrases per such pathfinder).
ONE_PATHFINDER_TOWNS = {
    "swindon": "Swindon", "leicester": "Leicester", "mansfield": "Mansfield", "lambeth": "Lambeth",
    "westminster": "Westminster", "hammersmith_fulham": "Hammersmith and Fulham",
    "kensington_chelsea": "Kensington & Chelsea", "ne_essex": "North East Essex", "newton_rigg": "Cumbria",
}
TOWN_FORMS = [
    "The {} pathfinder has signed its first contract.",
    "{}'s pathfinder was praised in the report.",
    "Staff at the pathfinder in {} voted on Tuesday.",
    "Two of the {} pathfinders’ managers spoke at the conference.",
]


@pytest.mark.parametrize("form", TOWN_FORMS)
@pytest.mark.parametrize("pid,town", list(ONE_PATHFINDER_TOWNS.items()))
def test_the_towns_pathfinder_is_tagged(tagger, pid, town, form):
    assert pathfinders(tagger, form.format(town)) == {pid}


def test_no_region_with_two_pathfinders_guesses(tagger, tax):
    """Every region (and London, the one town with several) holding two or more pathfinders:
    "the <Region> pathfinder" names none of them."""
    crowded = [r for r in REGIONS if len([e for e in tax.of_kind("pathfinder") if r in e.regions]) >= 2]
    assert "London" in crowded and "East Midlands" in crowded
    for region in crowded:
        for form in TOWN_FORMS:
            assert pathfinders(tagger, form.format(region)) == set(), (region, form)


def test_town_phrase_cues_name_a_town_of_one_pathfinder(tax):
    """The data rule behind the phrases: the place a phrase cue names is no region, and no other
    pathfinder's names, lead body or cues speak of it."""
    seen = {}
    for e in tax.of_kind("pathfinder"):
        for cue in e.cues:
            for term in (t for group in cue for t in group if t.startswith('"')):
                place = term.strip('"').replace("pathfinder in ", "").replace(" pathfinder", "")
                assert place not in REGIONS, (e.id, term)
                others = [o.id for o in tax.of_kind("pathfinder") if o is not e and place.lower() in knowledge_text(o)]
                assert others == [], (e.id, place, others)
                seen.setdefault(e.id, set()).add(place)
    assert set(seen) == set(ONE_PATHFINDER_TOWNS)


def knowledge_text(e):
    return " ".join([e.name, e.lead_body, *e.aliases, *(t for cue in e.cues for group in cue for t in group)]).lower()


def test_cue_window_is_limited(tagger):
    # the town and the service are in the same paragraph but three sentences apart
    text = ("Leicester has a new mayor. The budget was set in March. Turnout was low. "
            "Elsewhere, NHS staff in Bristol formed a social enterprise for homeless people.")
    assert "leicester" not in pathfinders(tagger, text)
    # and not across a paragraph break
    text = "Staff in Mansfield voted on Tuesday.\n\nIn Derby, a housing support social enterprise opened."
    assert "mansfield" not in pathfinders(tagger, text)


def test_bullets_pair_with_their_lead_in_only(tagger):
    text = ("The Swindon plan covers:\n• community health\n• adult social care\n\n"
            "Other news:\n• a co-operative bakery opened")
    assert "swindon" not in pathfinders(tagger, text)  # no spin-out word near the Swindon lead-in
    text = "Swindon will set up a co-operative for:\n• community health\n• adult social care"
    assert "swindon" in pathfinders(tagger, text)


def test_headline_pairs_with_the_sentence_under_it(tagger):
    text = "Housing support staff go it alone\n\nWorkers in Mansfield are setting up a social enterprise."
    assert "mansfield" in pathfinders(tagger, text)
    # but not with a later paragraph
    text = "Housing support staff go it alone\n\nIt was a wet day.\n\nWorkers in Mansfield set up a social enterprise."
    assert "mansfield" not in pathfinders(tagger, text)


def test_lead_in_takes_the_sentence_before_it(tagger):
    text = ("Staff in Swindon want a company owned by its employees. It would:\n"
            "• run community nursing\n• take on adult social care")
    assert "swindon" in pathfinders(tagger, text)
