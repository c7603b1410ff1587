"""Net Promoter Score arithmetic: pure, exact, rounded only for display."""

from dataclasses import dataclass
from fractions import Fraction

MIN_SCORE, MAX_SCORE = 0, 10
MAX_COMMENT = 2000


class ResponseError(ValueError):
    """A survey answer that cannot be stored; fields holds the message per form field."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("; ".join(m for messages in fields.values() for m in messages))
        self.fields = fields


def category(score: int) -> str:
    """promoter (9-10), passive (7-8) or detractor (0-6)."""
    if score >= 9:
        return "promoter"
    if score >= 7:
        return "passive"
    return "detractor"


@dataclass(frozen=True)
class Tally:
    responses: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @property
    def nps(self) -> Fraction | None:
        """100 * (promoters - detractors) / responses, exact; None without responses."""
        if not self.responses:
            return None
        return Fraction(100 * (self.promoters - self.detractors), self.responses)


def tally(scores: list[int]) -> Tally:
    kinds = [category(s) for s in scores]
    return Tally(len(kinds), kinds.count("promoter"), kinds.count("passive"), kinds.count("detractor"))


def parse_response(score_text: str | None, comment: str | None) -> tuple[int, str]:
    """The score (a whole number 0..10) and the trimmed comment; ResponseError otherwise."""
    problems: dict[str, list[str]] = {}
    text = (score_text or "").strip()
    score = None
    if not text:
        problems["score"] = ["Choose a score from 0 to 10."]
    elif not text.isdecimal() or not MIN_SCORE <= int(text) <= MAX_SCORE:
        problems["score"] = [f"{text[:20]!r} is not a score: choose a whole number from 0 to 10."]
    else:
        score = int(text)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        problems["comment"] = [f"At most {MAX_COMMENT} characters, please."]
    if problems:
        raise ResponseError(problems)
    return score, comment
