"""PHQ-9 and GAD-7: the published wording, scoring at every band boundary, the item-9 flag, strict answers."""

import pytest

from meddiary import scales
from meddiary.errors import UsageError

PHQ9 = scales.INSTRUMENTS["phq9"]
GAD7 = scales.INSTRUMENTS["gad7"]


def answers_for(inst, total: int, item9: int = 0) -> list[int]:
    """Answers adding up to `total` (item 9 fixed for PHQ-9), filled from the first item."""
    n = len(inst.items)
    fixed = [item9] if inst.key == "phq9" else []
    rest = total - sum(fixed)
    free = n - len(fixed)
    out = []
    for _ in range(free):
        out.append(min(3, rest))
        rest -= out[-1]
    assert rest == 0
    return out + fixed


PHQ9_BOUNDARIES = [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
                   (15, "moderately severe"), (19, "moderately severe"), (20, "severe"), (27, "severe")]
GAD7_BOUNDARIES = [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
                   (15, "severe"), (21, "severe")]


@pytest.mark.parametrize(("total", "band"), PHQ9_BOUNDARIES)
def test_phq9_bands(total, band):
    item9 = max(0, total - 24)  # only the top totals need item 9
    result = scales.score(PHQ9, answers_for(PHQ9, total, item9))
    assert (result["total"], result["severity"], result["item9"]) == (total, band, item9)


@pytest.mark.parametrize(("total", "band"), GAD7_BOUNDARIES)
def test_gad7_bands(total, band):
    result = scales.score(GAD7, answers_for(GAD7, total))
    assert (result["total"], result["severity"], result["item9"]) == (total, band, None)


def test_item9_at_a_minimal_total_is_flagged():
    result = scales.score(PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert result == {"instrument": "phq9", "answers": [0, 0, 0, 0, 0, 0, 0, 0, 1], "total": 1,
                      "severity": "minimal", "item9": 1}
    assert scales.item9_flagged(result)


@pytest.mark.parametrize("answers", [[1, 1, 1, 1, 1, 1, 1, 1, 0], [3, 3, 3, 3, 3, 3, 3, 3, 0]])
def test_item9_zero_is_not_flagged_whatever_the_total(answers):
    assert not scales.item9_flagged(scales.score(PHQ9, answers))


def test_gad7_has_no_item9():
    assert not scales.item9_flagged(scales.score(GAD7, [3] * 7))


def test_published_wording():
    assert len(PHQ9.items) == 9 and len(GAD7.items) == 7
    assert PHQ9.stem == "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    assert GAD7.stem == "Over the last 2 weeks, how often have you been bothered by the following problems?"
    assert [words for _, words in scales.OPTIONS] == ["Not at all", "Several days", "More than half the days",
                                                      "Nearly every day"]
    assert PHQ9.items[0] == "Little interest or pleasure in doing things"
    assert PHQ9.items[8] == "Thoughts that you would be better off dead or of hurting yourself in some way"
    assert GAD7.items[0] == "Feeling nervous, anxious, or on edge"
    assert GAD7.items[6] == "Feeling afraid, as if something awful might happen"
    assert scales.STATEMENT == "No permission required to reproduce, translate, display or distribute."


def test_band_text():
    assert scales.band_text(PHQ9) == "0–4 minimal, 5–9 mild, 10–14 moderate, 15–19 moderately severe, 20–27 severe"
    assert scales.band_text(GAD7) == "0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe"


BAD_ANSWERS = [
    # (instrument, --answers, a piece of the message)
    ("phq9", "0,0,0,0,0,0,0,0", "PHQ-9 has 9 items but --answers gave 8"),
    ("phq9", "0,0,0,0,0,0,0,0,0,0", "PHQ-9 has 9 items but --answers gave 10"),
    ("gad7", "0,1,2", "GAD-7 has 7 items but --answers gave 3"),
    ("gad7", "0,0,0,0,0,0,4", "bad answer '4'"),
    ("gad7", "0,0,0,0,0,0,a", "bad answer 'a'"),
    ("gad7", "0,0,0,0,0,0,-1", "bad answer '-1'"),
    ("gad7", "0,0,0,0,0,0,1.0", "bad answer '1.0'"),
    ("gad7", "0,0,0,0,0,0,", "bad answer ''"),
    ("gad7", "0,0,0,0,0,0,\u0661", "bad answer"),  # an Arabic-Indic 1
    ("gad7", "", "bad answer ''"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_ANSWERS)
def test_bad_answers(name, text, message):
    with pytest.raises(UsageError, match="each 0, 1, 2 or 3") as err:
        scales.parse_answers(scales.instrument(name), text)
    assert message in str(err.value)


def test_answers_may_have_spaces():
    assert scales.parse_answers(GAD7, " 0, 1,2 ,3,0,0,0") == [0, 1, 2, 3, 0, 0, 0]


@pytest.mark.parametrize("name", ["phq9", "PHQ9", "phq-9", " gad7 ", "GAD-7"])
def test_instrument_names(name):
    assert scales.instrument(name).key in ("phq9", "gad7")


def test_unknown_instrument():
    with pytest.raises(UsageError, match="use phq9 or gad7"):
        scales.instrument("bdi")


def test_item9_message_names_the_crisis_line_and_says_no_one_is_told():
    text = " ".join(scales.item9_message(1, None))
    assert "988" not in text and "local emergency number" in text and "a local crisis line" in text
    assert "not monitored" in text and "tells no one" in text
    assert "Samaritans 116 123" in " ".join(scales.item9_message(2, "Samaritans 116 123"))
