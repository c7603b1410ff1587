import sqlite3

import pytest

from db import in_list


@pytest.mark.parametrize(
    ("values", "sql", "params"),
    [
        ([], "0", []),
        (set(), "0", []),
        ([7], "b.branch_id in (?)", [7]),
        ({3, 1, 2}, "b.branch_id in (?,?,?)", [1, 2, 3]),
        (["2026-02", "2026-01"], "b.branch_id in (?,?)", ["2026-01", "2026-02"]),
    ],
)
def test_in_list_builds_one_placeholder_a_value(values, sql, params):
    assert in_list("b.branch_id", values) == (sql, params)


@pytest.mark.parametrize(("values", "found"), [([], []), ([2], [2]), ([3, 1, 9], [1, 3])])
def test_in_list_selects_the_listed_rows(values, found):
    conn = sqlite3.connect(":memory:")
    conn.execute("create table t (n integer)")
    conn.executemany("insert into t values (?)", [(1,), (2,), (3,)])
    clause, params = in_list("n", values)
    assert [n for (n,) in conn.execute(f"select n from t where {clause} order by n", params)] == found
