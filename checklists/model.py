"""The checklist model: what a validated checklist file becomes. Plain frozen dataclasses."""

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

SCORED_TYPES = ("yes_no", "scale", "choice", "number")
UNSCORED_TYPES = ("text", "photo")
ITEM_TYPES = SCORED_TYPES + UNSCORED_TYPES
# Where a checklist is used: at the branch (visit) or on recorded calls of the branch (phone).
CHANNELS = ("visit", "phone")


def exact(number: int | float) -> Fraction:
    """A file's number as an exact fraction: 0.1 is one tenth, not the nearest binary float."""
    return Fraction(str(number)) if isinstance(number, float) else Fraction(number)


@dataclass(frozen=True)
class Band:
    max: Fraction | None  # None catches every value
    score: Fraction


@dataclass(frozen=True)
class Option:
    label: str
    score: Fraction


@dataclass(frozen=True)
class ShowIf:
    item: str
    values: tuple


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    type: str
    weight: Fraction = Fraction(1)
    critical: bool = False
    allow_na: bool = False
    standard: str = ""
    guidance: str = ""
    unit: str = ""
    min: Fraction = Fraction(1)
    max: Fraction = Fraction(5)
    options: tuple[Option, ...] = ()
    bands: tuple[Band, ...] = ()
    show_if: ShowIf | None = None
    comment_on_fail: bool = False
    photo_on_fail: bool = False
    answer_required: bool = False

    @property
    def scored(self) -> bool:
        return self.type in SCORED_TYPES


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    items: tuple[Item, ...]
    weight: Fraction = Fraction(1)
    about: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Checklist:
    id: str
    title: str
    sections: tuple[Section, ...]
    pass_mark: Fraction = Fraction(0)
    critical_cap: Fraction = Fraction(0)
    description: str = ""
    version: int | None = None
    channel: str = "visit"

    def items(self) -> Iterator[tuple[Section, Item]]:
        for section in self.sections:
            for item in section.items:
                yield section, item

    def item(self, item_id: str) -> Item:
        for _section, item in self.items():
            if item.id == item_id:
                return item
        raise KeyError(item_id)


def _item(data: dict) -> Item:
    show_if = data.get("show_if")
    require = data.get("require", {})
    return Item(
        id=data["id"],
        text=data["text"],
        type=data["type"],
        weight=exact(data.get("weight", 1)),
        critical=data.get("critical", False),
        allow_na=data.get("allow_na", False),
        standard=data.get("standard", ""),
        guidance=data.get("guidance", ""),
        unit=data.get("unit", ""),
        min=exact(data.get("min", 1)),
        max=exact(data.get("max", 5)),
        options=tuple(Option(o["label"], exact(o["score"])) for o in data.get("options", ())),
        bands=tuple(
            Band(None if b.get("max") is None else exact(b["max"]), exact(b["score"]))
            for b in data.get("bands", ())
        ),
        show_if=ShowIf(show_if["item"], tuple(show_if["in"])) if show_if else None,
        comment_on_fail=require.get("comment_on_fail", False),
        photo_on_fail=require.get("photo_on_fail", False),
        answer_required=require.get("answer", False),
    )


def checklist_from_dict(data: dict, version: int | None = None) -> Checklist:
    """Build the model from a validated checklist document."""
    return Checklist(
        id=data["id"],
        title=data["title"],
        description=data.get("description", ""),
        pass_mark=exact(data.get("pass_mark", 0)),
        critical_cap=exact(data.get("critical_cap", 0)),
        version=version,
        channel=data.get("channel", "visit"),
        sections=tuple(
            Section(
                id=s["id"],
                title=s["title"],
                weight=exact(s.get("weight", 1)),
                about=s.get("about"),
                description=s.get("description", ""),
                items=tuple(_item(i) for i in s["items"]),
            )
            for s in data["sections"]
        ),
    )
