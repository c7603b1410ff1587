"""Demo visits: open assignments for the demo auditor and a few months of submitted audits whose
answers follow each branch's (made-up) quality, so comparisons have something to show."""

import hashlib
import io
import math
import random
import struct
import uuid
import wave
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from PIL import Image
from sqlite_utils import Database

from audits import recordings, review, store
from audits.document import utc
from audits.photos import process
from audits.schemas import load_document
from checklists.model import Checklist
from checklists.scoring import visible_items
from checklists.store import list_checklists, load_checklist
from db import now, transaction
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


def month_start(today: date, months_back: int) -> date:
    """The first day of the month `months_back` calendar months before today's."""
    index = today.year * 12 + today.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def seed_audits(
    db: Database, months: int = 24, per_month: int = 2, today: date | None = None, recent: int = 4
) -> int:
    """Add open assignments and `months` months of audits: the `recent` newest months through the
    app's own save, submit and review (photos, appeals, actions), the older ones published in bulk;
    nothing when they exist."""
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
    plans = []
    for branch in branches:
        quality = 0.7 + 0.28 * rng.random()
        staff = [e["employee_id"] for e in org_store.list_employees(db, branch["branch_id"])]
        plans.append(BranchPlan(branch["branch_id"], quality, staff if branch["staff_informed"] else []))
        for month_back in range(min(months, recent), 0, -1):
            first = month_start(today, month_back)
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
    _seed_review(db)
    older = [month_start(today, back) for back in range(months, recent, -1)]
    count += publish_in_bulk(db, plans, older, per_month, checklists, auditor["user_id"], rng)
    # The demo company's events are made up: nobody is mailed about them.
    db.execute("delete from mail_queue where recipient like '%@demo.visitscore.app'")
    return count


def _seed_review(db: Database) -> None:
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


@dataclass
class BranchPlan:
    """A demo branch: its made-up quality and the staff who may be named (none where uninformed)."""

    branch_id: int
    quality: float
    staff: list[int]


# Bulk audits copy one of a few scored templates per checklist and quality level: the engine scores
# each template once and SQL copies its audit, section and item rows for every visit.
QUALITY_LEVELS = 8
VARIANTS = 12
_TEMPLATE_TABLES = """
create temp table if not exists seed_templates (
    template_id integer primary key, checklist_id text, checklist_version integer, document text,
    percent real, percent_value real, earned text, possible text, passed integer,
    critical_failure integer);
create temp table if not exists seed_template_sections (
    template_id integer, section_id text, earned text, possible text, percent real, percent_value real,
    about_employee integer);
create temp table if not exists seed_template_items (
    template_id integer, item_id text, section_id text, status text, fraction text, lost integer,
    failed integer);
create temp table if not exists seed_visits (
    audit_id text primary key, template_id integer, branch_id integer, employee_id integer,
    visited_at text, visited_utc text, period_month text);
delete from seed_templates; delete from seed_template_sections; delete from seed_template_items;
delete from seed_visits;
"""


def _level(quality: float) -> int:
    return max(0, min(QUALITY_LEVELS - 1, round((quality - 0.6) / 0.05)))


def _store_templates(db: Database, checklists: list[Checklist], rng: random.Random) -> None:
    """Score VARIANTS demo answer sets per checklist and quality level with the engine."""
    db.conn.executescript(_TEMPLATE_TABLES)
    templates, sections, items = [], [], []
    for index, checklist in enumerate(checklists):
        employee_sections = {s.id for s in checklist.sections if s.about == "employee"}
        for level in range(QUALITY_LEVELS):
            for variant in range(VARIANTS):
                template_id = (index * QUALITY_LEVELS + level) * VARIANTS + variant
                answers, _photos = demo_answers(checklist, 0.6 + 0.05 * level, rng)
                for answer in answers.values():  # photos are not generated in bulk
                    answer.pop("photos", None)
                    if isinstance(answer.get("value"), list):
                        del answer["value"]
                document = load_document(
                    {
                        "checklist_id": checklist.id,
                        "checklist_version": checklist.version,
                        "branch_id": 1,  # a placeholder: json_set puts each visit's branch in
                        "visited_at": "2000-01-01T00:00:00+00:00",
                        "revision": 1,
                        "answers": {k: v for k, v in answers.items() if v},
                    }
                )
                rows = store.bulk_rows(str(template_id), document, checklist, 0)
                audit = rows["audit"]
                templates.append(
                    {"template_id": template_id} | {k: audit[k] for k in _TEMPLATE_AUDIT_COLUMNS}
                )
                sections += [
                    {
                        **{k: v for k, v in row.items() if k not in ("audit_id", "employee_id")},
                        "template_id": template_id,
                        "about_employee": int(row["section_id"] in employee_sections),
                    }
                    for row in rows["sections"]
                ]
                items += [
                    {**{k: v for k, v in row.items() if k != "audit_id"}, "template_id": template_id}
                    for row in rows["items"]
                ]
    db["seed_templates"].insert_all(templates)
    db["seed_template_sections"].insert_all(sections)
    db["seed_template_items"].insert_all(items)


_TEMPLATE_AUDIT_COLUMNS = (
    "checklist_id",
    "checklist_version",
    "document",
    "percent",
    "percent_value",
    "earned",
    "possible",
    "passed",
    "critical_failure",
)


def _document_sql(checklists: list[Checklist]) -> str:
    """The SQL expression of a visit's document: its template's, with the branch, the time and, at
    informed branches, the employee named in every section about an employee (keys in sorted order,
    as canonical() writes them)."""
    cases = []
    for checklist in checklists:
        paths = sorted(s.id for s in checklist.sections if s.about == "employee")
        if paths:
            sets = ", ".join(f"'$.employees.\"{p}\"', v.employee_id" for p in paths)
            cases.append(f"when t.checklist_id = '{checklist.id}' then json_set(d, {sets})")
    with_staff = f"case {' '.join(cases)} else d end" if cases else "d"
    base = "json_set(t.document, '$.branch_id', v.branch_id, '$.visited_at', v.visited_at)"
    return f"(select case when v.employee_id is null then d else {with_staff} end from (select {base} as d))"


def publish_in_bulk(
    db: Database,
    plans: list[BranchPlan],
    months: list[date],
    per_month: int,
    checklists: list[Checklist],
    auditor_id: int,
    rng: random.Random,
) -> int:
    """Published audits for every branch, `per_month` in each of the months, written with
    INSERT ... SELECT from engine-scored templates: no Python work per answer."""
    if not plans or not months:
        return 0
    _store_templates(db, checklists, rng)
    db.conn.create_function(
        "sha256_hex", 1, lambda text: hashlib.sha256(text.encode()).hexdigest(), deterministic=True
    )
    stamp = now()
    document = _document_sql(checklists)
    count = 0
    for first in months:
        visits = []
        for plan in plans:
            level = _level(plan.quality)
            for _ in range(per_month):
                checklist_index = rng.randrange(len(checklists))
                visited = datetime(
                    first.year, first.month, rng.randint(1, 27), rng.randint(9, 18), 0, tzinfo=LONDON
                ).isoformat()
                visits.append(
                    (
                        str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        (checklist_index * QUALITY_LEVELS + level) * VARIANTS + rng.randrange(VARIANTS),
                        plan.branch_id,
                        rng.choice(plan.staff) if plan.staff else None,
                        visited,
                        utc(visited),
                        visited[:7],
                    )
                )
        with transaction(db):
            db.conn.executemany("insert into seed_visits values (?, ?, ?, ?, ?, ?, ?)", visits)
            db.execute(
                f"""insert into audits (audit_id, checklist_id, checklist_version, branch_id, auditor_id,
                        status, revision, document, document_hash, visited_at, visited_utc, period_month,
                        percent, percent_value, earned, possible, passed, critical_failure,
                        created_at, updated_at, submitted_at, published_at)
                    with docs as materialized (
                        select v.*, t.*, {document} as doc
                          from seed_visits v join seed_templates t using (template_id))
                    select audit_id, checklist_id, checklist_version, branch_id, ?, 'published', 1, doc,
                           sha256_hex(doc), visited_at, visited_utc, period_month, percent,
                           percent_value, earned, possible, passed, critical_failure, ?, ?, ?, ?
                      from docs order by audit_id""",
                [auditor_id, stamp, stamp, stamp, stamp],
            )
            db.execute(
                """insert into audit_sections (audit_id, section_id, earned, possible, percent,
                        percent_value, employee_id)
                   select v.audit_id, s.section_id, s.earned, s.possible, s.percent, s.percent_value,
                          case when s.about_employee then v.employee_id end
                     from seed_visits v join seed_template_sections s using (template_id)
                    order by v.audit_id"""
            )
            db.execute(
                """insert into audit_items (audit_id, item_id, section_id, status, fraction, lost, failed)
                   select v.audit_id, i.item_id, i.section_id, i.status, i.fraction, i.lost, i.failed
                     from seed_visits v join seed_template_items i using (template_id)
                    order by v.audit_id"""
            )
            store.update_rollups(db, "a.audit_id in (select audit_id from seed_visits)")
            db.execute("delete from seed_visits")
        count += len(visits)
    return count


def seed_large(
    db: Database, branches: int = 1000, regions: int = 10, months: int = 24, per_month: int = 17
) -> int:
    """A company at real size: `branches` branches in `regions` regions with `per_month` published
    audits each month for `months` months (about 4 million item results), written in bulk."""
    from org.seed import FIRST_NAMES, LAST_NAMES

    if db["branches"].count_where("code like 'L%-%'") >= branches:
        return 0
    rng = random.Random(1000)
    checklists = [load_checklist(db, c["checklist_id"]) for c in list_checklists(db)]
    auditor = org_store.user_by_email(db, "auditor@demo.visitscore.app")
    today = datetime.now(UTC).date()
    with transaction(db):
        region_ids = [org_store.ensure_region(db, f"Region {r + 1:02d}") for r in range(regions)]
        first_id = (db.execute("select max(branch_id) from branches").fetchone()[0] or 0) + 1
        db["branches"].insert_all(
            {
                "branch_id": first_id + n,
                "code": f"L{n % regions + 1:02d}-{n:04d}",
                "name": f"Branch {n:04d}",
                "region_id": region_ids[n % regions],
                "address": "",
                "active": 1,
                "staff_informed": int(n % 10 < 7),
            }
            for n in range(branches)
        )
        db["employees"].insert_all(
            {
                "branch_id": first_id + n,
                "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            }
            for n in range(branches)
            for _ in range(4)
        )
        staff: dict[int, list[int]] = {}
        for row in db.query(
            "select branch_id, employee_id from employees where branch_id >= ? order by employee_id",
            [first_id],
        ):
            staff.setdefault(row["branch_id"], []).append(row["employee_id"])
    plans = [
        BranchPlan(first_id + n, 0.65 + 0.33 * rng.random(), staff[first_id + n] if n % 10 < 7 else [])
        for n in range(branches)
    ]
    previous = db.execute("pragma cache_size").fetchone()[0]
    db.execute("pragma cache_size = -262144")  # 256 MB while building the indexes in bulk
    try:
        return publish_in_bulk(
            db,
            plans,
            [month_start(today, back) for back in range(months, 0, -1)],
            per_month,
            checklists,
            auditor["user_id"],
            rng,
        )
    finally:
        db.execute(f"pragma cache_size = {previous}")
