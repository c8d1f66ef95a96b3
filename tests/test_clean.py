"""explorer.corpus.clean: paragraphs, boilerplate, repeats."""

from explorer.corpus.clean import clean, paragraphs
from explorer.corpus.read import read_path
from explorer.paths import seeds_dir


def seed(prefix: str) -> str:
    return read_path(next(seeds_dir().glob(prefix + "*"))).text


def test_wordpress_comment_form_never_reaches_the_text():
    text = "\n\n".join(clean(seed("002")).paragraphs)
    for furniture in ("Leave a Reply", "You are commenting using", "Log Out", "Connecting to %s",
                      "Google photo", "Twitter picture", "Facebook photo", "Fill in your details"):
        assert furniture not in text
    assert text.rstrip().endswith("by Jill Theobald")


def test_repeated_lead_is_collapsed():
    paras = clean(seed("003")).paragraphs
    lead = "Francis Maude, minister for the Cabinet Office, has announced the first 12 mutuals"
    assert sum(p.startswith(lead) for p in paras) == 1


def test_repeats_that_are_not_back_to_back_are_kept():
    text = "A long paragraph about Swindon and its mutual.\n\nSomething else.\n\nA long paragraph about Swindon and its mutual."
    assert len(clean(text).paragraphs) == 3


def test_lines_are_paragraphs_but_hard_wrapped_prose_is_joined():
    assert paragraphs("First line of text.\nSecond line of text.") == ["First line of text.", "Second line of text."]
    wrapped = ("The pathfinders will be supported by expert mentors from some\n"
               "of the country's most successful businesses and leaders in\n"
               "employee ownership models and all the mentors have offered\n"
               "their support for free.")
    assert len(paragraphs(wrapped)) == 1


def test_bullets_are_normalised():
    assert clean("  • An awarding body\n  * Another item").paragraphs == ["• An awarding body", "• Another item"]
