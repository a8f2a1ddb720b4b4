"""PHQ-9 and GAD-7: the published English items, their scoring and severity bands, and the PHQ-9 item-9 flag.

Pure: no clock, no store, no printing. The wording is the instruments' own (Kroenke, Spitzer, Williams;
developed with an educational grant from Pfizer Inc.) and must not be paraphrased.
"""

from meddiary.errors import UsageError

STATEMENT = "No permission required to reproduce, translate, display or distribute."
CREDIT = ("Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
          "with an educational grant from Pfizer Inc.")

# (value, the answer's words), the same for both instruments.
OPTIONS = ((0, "Not at all"), (1, "Several days"), (2, "More than half the days"), (3, "Nearly every day"))

PHQ9_STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety "
    "or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)

GAD7_STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"
GAD7_ITEMS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)


class Instrument:
    __slots__ = ("key", "title", "stem", "items", "bands")

    def __init__(self, key: str, title: str, stem: str, items: tuple[str, ...], bands: tuple[tuple[int, str], ...]):
        self.key, self.title, self.stem, self.items = key, title, stem, items
        self.bands = bands  # (lowest total, severity), ascending

    @property
    def max_total(self) -> int:
        return 3 * len(self.items)


INSTRUMENTS = {
    "phq9": Instrument("phq9", "PHQ-9", PHQ9_STEM, PHQ9_ITEMS,
                       ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately severe"), (20, "severe"))),
    "gad7": Instrument("gad7", "GAD-7", GAD7_STEM, GAD7_ITEMS,
                       ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe"))),
}
ITEM9 = 9  # PHQ-9's item about thoughts of being better off dead or of self-harm (1-based)
# Each instrument asks about the last 2 weeks: the same one again within fewer calendar days than this
# gets a gentle note (and is still recorded).
REPEAT_DAYS = 14


def instrument(name: str) -> Instrument:
    key = name.strip().lower().replace("-", "")
    if key not in INSTRUMENTS:
        raise UsageError(f"unknown questionnaire {name!r}: use phq9 or gad7")
    return INSTRUMENTS[key]


def option_text(value: int) -> str:
    return OPTIONS[value][1]


def parse_answer(text: str) -> int:
    """One answer, 0 to 3 (ASCII digits only)."""
    t = text.strip()
    if t not in ("0", "1", "2", "3"):
        raise UsageError(f"bad answer {text!r}: each answer is 0, 1, 2 or 3")
    return int(t)


def parse_answers(inst: Instrument, text: str) -> list[int]:
    """'0,1,2,…' -> the answers; every item answered, each 0 to 3 (no proration)."""
    n = len(inst.items)
    example = ",".join(["0"] * n)
    parts = [p.strip() for p in text.split(",")]
    bad = next((p for p in parts if p not in ("0", "1", "2", "3")), None)
    if bad is not None:
        raise UsageError(f"bad answer {bad!r} in --answers: give {n} answers, each 0, 1, 2 or 3, e.g. --answers {example}")
    if len(parts) != n:
        raise UsageError(f"{inst.title} has {n} items but --answers gave {len(parts)}: "
                         f"answer every item, each 0, 1, 2 or 3, e.g. --answers {example}")
    return [int(p) for p in parts]


def severity(inst: Instrument, total: int) -> str:
    if not 0 <= total <= inst.max_total:
        raise ValueError(f"{inst.title} total {total} is outside 0–{inst.max_total}")
    return [name for low, name in inst.bands if total >= low][-1]


def band_text(inst: Instrument) -> str:
    """'0–4 minimal, 5–9 mild, …'"""
    highs = [low - 1 for low, _ in inst.bands[1:]] + [inst.max_total]
    return ", ".join(f"{low}–{high} {name}" for (low, name), high in zip(inst.bands, highs))


def score(inst: Instrument, answers: list[int]) -> dict:
    """The stored result: {"instrument", "answers", "total", "severity", "item9"} (item9: PHQ-9 only, else None)."""
    if len(answers) != len(inst.items) or any(a not in (0, 1, 2, 3) for a in answers):
        raise UsageError(f"{inst.title} needs {len(inst.items)} answers, each 0, 1, 2 or 3")
    total = sum(answers)
    return {"instrument": inst.key, "answers": list(answers), "total": total, "severity": severity(inst, total),
            "item9": answers[ITEM9 - 1] if inst.key == "phq9" else None}


def item9_flagged(result: dict) -> bool:
    """PHQ-9 item 9 answered above 0, whatever the total."""
    return result.get("instrument") == "phq9" and (result.get("item9") or 0) > 0


DEFAULT_CRISIS_LINE = "988 (Suicide & Crisis Lifeline, US: call or text)"  # only for US zones (meddiary.crisis)


def item9_message(value: int, crisis_line: str | None) -> list[str]:
    """What is shown at once, before anything else, when item 9 is answered above 0. Calm; no advice on
    medication; honest that nobody is told."""
    from meddiary import crisis

    line = crisis_line or crisis.GENERIC  # None: no line set and none known for the zone's country
    return [
        f"You answered \"{option_text(value)}\" to the question about thoughts that you would be better off dead "
        "or of hurting yourself. That answer matters, and you deserve support with it.",
        "meddiary is not monitored: it tells no one, and no one will see this answer unless you show them.",
        "If you might act on these thoughts, or feel unsafe now, call your local emergency number "
        "(112 in Europe, 911 in the US, 999 in the UK) or go to an emergency department.",
        f"To talk to someone now: {line}. You can also tell your prescriber, your doctor or someone you trust.",
    ]
