"""Reads and writes of checklists and their versions. A version, once stored, never changes."""

import hashlib
import json
from functools import lru_cache

from sqlite_utils import Database

from checklists.model import Checklist, checklist_from_dict
from checklists.spec import canonical_json
from db import now, select_rows, transaction
from errors import AppError


def _hash(doc: dict) -> str:
    return hashlib.sha256(canonical_json(doc).encode()).hexdigest()


def save_checklist(db: Database, doc: dict, user_id: int | None = None) -> tuple[str, int, bool]:
    """Store a validated checklist (normal form) as a new version unless the newest version has
    the same content. Returns (checklist_id, version, created)."""
    checklist_id, content_hash, stamp = doc["id"], _hash(doc), now()
    with transaction(db):
        rows = list(db.query("select latest_version from checklists where checklist_id = ?", [checklist_id]))
        latest = rows[0]["latest_version"] if rows else 0
        if latest:
            newest = db["checklist_versions"].get((checklist_id, latest))
            if newest["content_hash"] == content_hash:
                return checklist_id, latest, False
        version = latest + 1
        summary = {"title": doc["title"], "latest_version": version, "updated_at": stamp}
        if rows:
            db["checklists"].update(checklist_id, summary)
        else:
            db["checklists"].insert({"checklist_id": checklist_id, "created_at": stamp, **summary})
        db["checklist_versions"].insert(
            {
                "checklist_id": checklist_id,
                "version": version,
                "title": doc["title"],
                "spec": json.dumps(doc, ensure_ascii=False),
                "content_hash": content_hash,
                "created_at": stamp,
                "created_by": user_id,
            }
        )
    return checklist_id, version, True


def get_version(db: Database, checklist_id: str, version: int | None = None) -> dict:
    """A stored version (the newest when version is None) with its document under "spec"."""
    if version is None:
        sql = """select v.* from checklist_versions v join checklists c
                 on c.checklist_id = v.checklist_id and c.latest_version = v.version
                 where v.checklist_id = ?"""
        params = [checklist_id]
    else:
        sql = "select * from checklist_versions where checklist_id = ? and version = ?"
        params = [checklist_id, version]
    rows = list(db.query(sql, params))
    if not rows:
        what = f"Checklist {checklist_id!r}" + (f" version {version}" if version is not None else "")
        raise AppError(f"{what} does not exist.", 404)
    return {**rows[0], "spec": json.loads(rows[0]["spec"])}


@lru_cache(maxsize=512)
def _model(content_hash: str, version: int, spec_text: str) -> Checklist:
    # A stored version never changes, so its model is built once per process.
    return checklist_from_dict(json.loads(spec_text), version)


def find_checklist(db: Database, checklist_id: str, version: int | None = None) -> Checklist | None:
    """The model of a stored version (the newest when version is None), ready for the scoring
    engine; None when there is no such checklist or version."""
    if version is None:
        rows = list(db.query("select latest_version from checklists where checklist_id = ?", [checklist_id]))
        version = rows[0]["latest_version"] if rows else 0
    rows = select_rows(
        db,
        "select content_hash, spec from checklist_versions where checklist_id = ? and version = ?",
        [checklist_id, version],
    )
    return _model(rows[0]["content_hash"], version, rows[0]["spec"]) if rows else None


def load_checklist(db: Database, checklist_id: str, version: int | None = None) -> Checklist:
    """The model of a stored version (the newest when version is None); 404 when there is none."""
    checklist = find_checklist(db, checklist_id, version)
    if checklist is None:
        what = f"Checklist {checklist_id!r}" + (f" version {version}" if version is not None else "")
        raise AppError(f"{what} does not exist.", 404)
    return checklist


def list_checklists(db: Database) -> list[dict]:
    return list(db.query("select * from checklists order by title"))


def list_versions(db: Database, checklist_id: str) -> list[dict]:
    rows = list(
        db.query(
            """select v.checklist_id, v.version, v.title, v.created_at, u.email as created_by
               from checklist_versions v left join users u on u.user_id = v.created_by
               where v.checklist_id = ? order by v.version desc""",
            [checklist_id],
        )
    )
    if not rows:
        raise AppError(f"Checklist {checklist_id!r} does not exist.", 404)
    return rows
