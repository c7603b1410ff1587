"""Demo visits: open assignments for the demo auditor and a few months of submitted audits whose
answers follow each branch's (made-up) quality, so comparisons have something to show."""

import io
import math
import random
import struct
import uuid
import wave
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from PIL import Image
from sqlite_utils import Database

from audits import recordings, review, store
from audits.photos import process
from audits.schemas import load_document
from checklists.model import Checklist
from checklists.scoring import visible_items
from checklists.store import list_checklists, load_checklist
from db import transaction
from org import store as org_store

LONDON = ZoneInfo("Europe/London")
COMMENTS = (
    "Nobody at the door when I came in.",
    "Had to ask twice.",
    "Employee was on the phone.",
    "Queue of six people.",
)


def _demo_photo(rng: random.Random):
    out = io.BytesIO()
    Image.new("RGB", (640, 480), tuple(rng.randrange(60, 220) for _ in range(3))).save(out, "JPEG")
    return process(out.getvalue())


def demo_call(rng: random.Random, seconds: float = 4.0, rate: int = 8000) -> bytes:
    """A few seconds of telephone-like audio as WAV: two rings, then a murmur of varying pitch."""
    frames = bytearray()
    for n in range(int(seconds * rate)):
        t = n / rate
        if t < 1.6:  # ring, pause, ring (UK double ring: 400 + 450 Hz)
            on = (t % 0.6) < 0.4
            value = (math.sin(2 * math.pi * 400 * t) + math.sin(2 * math.pi * 450 * t)) / 2 if on else 0.0
        else:  # a voice-like murmur: a pitch that drifts, with syllable-like bursts
            pitch = 140 + 40 * math.sin(2 * math.pi * 0.7 * t)
            envelope = max(0.0, math.sin(2 * math.pi * 3.1 * t)) ** 2
            value = envelope * (math.sin(2 * math.pi * pitch * t) + 0.4 * math.sin(4 * math.pi * pitch * t))
        value += rng.uniform(-0.02, 0.02)  # line noise
        frames += struct.pack("<h", int(max(-1.0, min(1.0, value * 0.5)) * 32767))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return out.getvalue()


def _answer(item, good: bool, rng: random.Random):
    if item.type == "yes_no":
        return "yes" if good else "no"
    if item.type == "scale":
        return int(item.max) if good else int(item.min) + rng.randrange(0, max(1, int(item.max - item.min)))
    if item.type == "choice":
        ranked = sorted(item.options, key=lambda o: -o.score)
        return ranked[0].label if good else rng.choice(ranked[1:]).label
    if item.type == "number":
        limits = [float(b.max) for b in item.bands if b.max is not None]
        return round(rng.uniform(0, limits[0]), 1) if good else round(limits[-1] + rng.uniform(0.5, 4), 1)
    return "Asked about a product for a gift; was shown two options." if item.type == "text" else None


def demo_answers(checklist: Checklist, quality: float, rng: random.Random) -> tuple[dict, list[str]]:
    """Answers to every shown item, good with probability quality; the ids of photos they need."""
    answers: dict[str, dict] = {}
    photos: list[str] = []
    for _section, item in checklist.items():
        if item.id not in visible_items(checklist, answers):
            continue
        if item.allow_na and rng.random() < 0.08:
            answers[item.id] = {"na": True}
            continue
        # Critical standards (allergies, prices, honesty) are failed far less often than the rest.
        good = rng.random() < (1 - (1 - quality) / 4 if item.critical else quality)
        answer: dict = {}
        if item.type == "photo":
            photo_id = str(uuid.uuid4())
            photos.append(photo_id)
            answer["value"] = [photo_id]
        else:
            answer["value"] = _answer(item, good, rng)
        if not good and item.scored and item.comment_on_fail:
            answer["comment"] = rng.choice(COMMENTS)
        if not good and item.scored and item.photo_on_fail:
            photo_id = str(uuid.uuid4())
            photos.append(photo_id)
            answer["photos"] = [photo_id]
        answers[item.id] = answer
    return answers, photos


def seed_audits(db: Database, months: int = 4, per_month: int = 2, today: date | None = None) -> int:
    """Add open assignments and `months` months of submitted audits; nothing when they exist."""
    auditor = org_store.user_by_email(db, "auditor@demo.visitscore.app")
    if auditor is None or db["audits"].count_where("auditor_id = ?", [auditor["user_id"]]):
        return 0
    rng = random.Random(2026)
    today = today or datetime.now(UTC).date()
    checklists = [load_checklist(db, c["checklist_id"]) for c in list_checklists(db)]
    branches = org_store.list_branches(db)
    for offset in (-6, -2, 3, 8, 15, 24):
        branch = rng.choice(branches)
        store.create_assignment(
            db,
            branch["branch_id"],
            rng.choice(checklists).id,
            auditor["user_id"],
            "",
            (today + timedelta(days=offset)).isoformat(),
            "Ask for help choosing a gift under £30.",
            auditor["user_id"],
        )
    count = 0
    for branch in branches:
        quality = 0.7 + 0.28 * rng.random()
        staff = [e["employee_id"] for e in org_store.list_employees(db, branch["branch_id"])]
        for month_back in range(months, 0, -1):
            first = (today.replace(day=1) - timedelta(days=28 * month_back)).replace(day=1)
            for _ in range(per_month):
                checklist = rng.choice(checklists)
                visited = datetime(
                    first.year,
                    first.month,
                    rng.randint(1, 27),
                    rng.randint(9, 18),
                    rng.choice((0, 15, 30, 45)),
                    tzinfo=LONDON,
                )
                answers, photo_ids = demo_answers(checklist, quality, rng)
                document = {
                    "checklist_id": checklist.id,
                    "checklist_version": checklist.version,
                    "branch_id": branch["branch_id"],
                    "visited_at": visited.isoformat(),
                    "started_at": visited.isoformat(),
                    "ended_at": (visited + timedelta(minutes=rng.randint(12, 35))).isoformat(),
                    "revision": 1,
                    "answers": answers,
                    "employees": {
                        s.id: rng.choice(staff) for s in checklist.sections if s.about == "employee" and staff
                    },
                }
                audit_id = str(uuid.uuid4())
                audit, _ = store.save_audit(db, audit_id, load_document(document), auditor)
                for photo_id in photo_ids:
                    store.save_photo(db, photo_id, audit, auditor, _demo_photo(rng))
                if checklist.channel == "phone":
                    call = recordings.process(demo_call(rng))
                    store.save_recording(db, str(uuid.uuid4()), audit, auditor, call)
                store.submit_audit(db, audit_id, auditor, at=visited + timedelta(hours=1))
                count += 1
    _seed_review(db, rng)
    # The demo company's events are made up: nobody is mailed about them.
    db.execute("delete from mail_queue where recipient like '%@demo.visitscore.app'")
    return count


def _seed_review(db: Database, rng: random.Random) -> None:
    """Publish most audits; leave the newest few in the queue, return one; let the demo manager
    acknowledge, plan actions and appeal, and head office decide one appeal."""
    reviewer = org_store.user_by_email(db, "reviewer@demo.visitscore.app")
    manager = org_store.user_by_email(db, "manager@demo.visitscore.app")
    rows = list(
        db.query("select audit_id, branch_id from audits where status = 'submitted' order by visited_utc")
    )
    waiting = {r["audit_id"] for r in rows[-6:]}
    for row in rows:
        if row["audit_id"] not in waiting:
            review.approve(db, row["audit_id"], reviewer)
    review.return_to_auditor(
        db,
        rows[-1]["audit_id"],
        reviewer,
        "The wait time looks too short for a Saturday; please check your notes.",
    )
    if manager is None:
        return
    own = set(manager["branch_ids"])
    mine = [r["audit_id"] for r in reversed(rows) if r["branch_id"] in own and r["audit_id"] not in waiting]
    for index, audit_id in enumerate(mine[:4]):
        audit = store.get_audit(db, audit_id)
        _checklist, result = store.audit_score(db, audit)
        lost = review.lost_points(result)
        if index:
            review.acknowledge(db, audit_id, manager)
        if lost and index < 3:
            due = (datetime.fromisoformat(audit["published_at"]) + timedelta(days=21)).date().isoformat()
            action_id = review.add_action(
                db, audit_id, manager, lost[0], "Refresher briefing at the morning huddle", due
            )
            if index == 2:
                review.complete_action(db, action_id, manager, "Done at Monday's huddle; everyone signed.")
        if lost and index in (0, 1):
            [appeal_id] = review.open_appeals(
                db, audit_id, manager, [lost[-1]], "Our CCTV shows the standard was met; footage kept.", 3650
            )
            if index == 1:
                review.decide_appeal(
                    db, appeal_id, reviewer, "rejected", "The footage does not cover the counter.", None
                )


def seed_large(
    db: Database, branches: int = 1000, regions: int = 10, months: int = 24, per_month: int = 4
) -> int:
    """A company at real size: `branches` branches in `regions` regions with `per_month` published
    audits each month for `months` months, scored by the engine and written in bulk."""
    from org.seed import FIRST_NAMES, LAST_NAMES

    if db["branches"].count_where("code like 'L%-%'") >= branches:
        return 0
    rng = random.Random(1000)
    checklists = [load_checklist(db, c["checklist_id"]) for c in list_checklists(db)]
    auditor = org_store.user_by_email(db, "auditor@demo.visitscore.app")
    today = datetime.now(UTC).date().replace(day=1)
    count = 0
    with transaction(db):
        branch_rows = []
        for n in range(branches):
            region = f"Region {n % regions + 1:02d}"
            branch_id = org_store.create_branch(
                db, f"L{n % regions + 1:02d}-{n:04d}", f"Branch {n:04d}", region, "", True, n % 10 < 7
            )
            staff = [
                db["employees"]
                .insert(
                    {"branch_id": branch_id, "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"}
                )
                .last_pk
                for _ in range(4)
            ]
            branch_rows.append((branch_id, staff, 0.65 + 0.33 * rng.random(), n % 10 < 7))
    for month_back in range(months, 0, -1):
        first = (today - timedelta(days=28 * month_back)).replace(day=1)
        audits, sections, items = [], [], []
        for branch_id, staff, quality, informed in branch_rows:
            for _ in range(per_month):
                checklist = rng.choice(checklists)
                visited = datetime(
                    first.year, first.month, rng.randint(1, 27), rng.randint(9, 18), 0, tzinfo=LONDON
                )
                answers, _photos = demo_answers(checklist, quality, rng)
                for answer in answers.values():  # photos are not generated at this size
                    answer.pop("photos", None)
                    if isinstance(answer.get("value"), list):
                        del answer["value"]
                answers = {k: v for k, v in answers.items() if v}
                document = load_document(
                    {
                        "checklist_id": checklist.id,
                        "checklist_version": checklist.version,
                        "branch_id": branch_id,
                        "visited_at": visited.isoformat(),
                        "revision": 1,
                        "answers": answers,
                        "employees": {
                            s.id: rng.choice(staff)
                            for s in checklist.sections
                            if s.about == "employee" and informed
                        },
                    }
                )
                audit_id = str(uuid.uuid4())
                rows = store.bulk_rows(audit_id, document, checklist, auditor["user_id"])
                audits.append(rows["audit"])
                sections += rows["sections"]
                items += rows["items"]
        with transaction(db):
            db["audits"].insert_all(audits, batch_size=1000)
            db["audit_sections"].insert_all(sections, batch_size=2000)
            db["audit_items"].insert_all(items, batch_size=5000)
        count += len(audits)
    return count
