import sqlite3
from fractions import Fraction

import pytest
from sqlite_utils import Database

from db import fraction_text, in_list, parse_fraction, select_rows


@pytest.mark.parametrize(
    ("values", "sql", "params"),
    [
        (None, "1", []),
        ([], "0", []),
        (set(), "0", []),
        ([7], "b.branch_id in (?)", [7]),
        ({3, 1, 2}, "b.branch_id in (?,?,?)", [1, 2, 3]),
        (["2026-02", "2026-01"], "b.branch_id in (?,?)", ["2026-01", "2026-02"]),
    ],
)
def test_in_list_builds_one_placeholder_a_value(values, sql, params):
    assert in_list("b.branch_id", values) == (sql, params)


@pytest.mark.parametrize(("values", "found"), [(None, [1, 2, 3]), ([], []), ([2], [2]), ([3, 1, 9], [1, 3])])
def test_in_list_selects_the_listed_rows(values, found):
    conn = sqlite3.connect(":memory:")
    conn.execute("create table t (n integer)")
    conn.executemany("insert into t values (?)", [(1,), (2,), (3,)])
    clause, params = in_list("n", values)
    assert [n for (n,) in conn.execute(f"select n from t where {clause} order by n", params)] == found


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(0), "0/1"),
        (Fraction(1), "1/1"),
        (Fraction(3, 4), "3/4"),
        (Fraction(-2, 6), "-1/3"),
        (Fraction(500, 3), "500/3"),
    ],
)
def test_fractions_are_stored_as_numerator_slash_denominator(value, text):
    assert fraction_text(value) == text
    assert parse_fraction(text) == value


def test_no_fraction_parses_to_none():
    assert parse_fraction(None) is None


def test_select_rows_reads_dicts_without_a_savepoint():
    db = Database(sqlite3.connect(":memory:", isolation_level=None))
    db.execute("create table t (n integer, name text)")
    db.execute("insert into t values (1, 'a'), (2, 'b')")
    statements = []
    db.conn.set_trace_callback(statements.append)
    assert select_rows(db, "select n, name from t where n > ? order by n", [0]) == [
        {"n": 1, "name": "a"},
        {"n": 2, "name": "b"},
    ]
    assert select_rows(db, "select n from t where n > 5") == []
    assert statements == ["select n, name from t where n > 0 order by n", "select n from t where n > 5"]
