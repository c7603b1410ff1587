"""Head office's dashboard: employee ranking for a region or a branch (one query), employee
scorecards linked wherever staff are informed, exact region means, and the period picker."""

import re

from org import store as org_store
from reports import store
from reports.periods import parse_period
from tests.conftest import publish


def region_id(db, name):
    return db.execute("select region_id from regions where name = ?", [name]).fetchone()[0]


def test_the_ranking_reads_all_employees_rollup_rows_in_one_query(db, october):
    seen = []
    db.conn.set_trace_callback(seen.append)
    rows = store.employee_ranking(db, parse_period("2026-10"), {october["N1"], october["N2"]})
    db.conn.set_trace_callback(None)
    assert [(r["name"], float(r["percent"]), r["audits"]) for r in rows] == [
        ("Ann Lee", 100.0, 1),
        ("Bob Ray", 50.0, 1),
    ]
    assert len([q for q in seen if "employee_rollup" in q]) == 1
    assert not [q for q in seen if "audit_sections" in q]  # the rollup kept on publish, not the sections
    # the same numbers as each employee's own scorecard figure
    for row in rows:
        assert (
            store.employee_percent(db, parse_period("2026-10"), row["employee_id"], True)[0] == row["percent"]
        )


def test_the_dashboard_ranks_employees_of_a_region_and_of_a_branch(client, actions, db, october):
    actions.login_as("admin")
    everyone = client.get("/reports?period=2026-10").get_data(as_text=True)
    assert "Choose a region or a branch to rank its employees." in everyone
    for query in (f"region={region_id(db, 'North')}", f"branch={october['N1']}"):
        page = client.get(f"/reports?period=2026-10&{query}").get_data(as_text=True)
        ranking = page[page.index('<section id="employees">') :]
        ranking = ranking[: ranking.index("</section>")]
        assert re.findall(r'<th scope="row">([^<]+)</th>', ranking) == ["Ann Lee", "Bob Ray"]
        assert f'href="/reports/employees/{october["ann"]}/scorecard.pdf?period=2026-10"' in ranking
    south = client.get(f"/reports?period=2026-10&region={region_id(db, 'South')}").get_data(as_text=True)
    assert "No employee was named in October 2026." in south


def test_employee_scorecards_are_linked_from_the_branch_page_and_the_managers_home(
    client, actions, db, october
):
    actions.login_as("manager", branches=[october["N1"], october["N2"]])
    home = client.get("/").get_data(as_text=True)
    staff = home[home.index("Employee scorecards") :]
    for employee in ("ann", "bob"):
        link = f"/reports/employees/{october[employee]}/scorecard.pdf?period=2026-10"
        assert link in staff
        assert client.get(link).mimetype == "application/pdf"
    branch = client.get(f"/branches/{october['N1']}").get_data(as_text=True)
    assert f"/reports/employees/{october['ann']}/scorecard.pdf?period=2026-10" in branch
    assert "/reports/employees/" not in client.get(f"/branches/{october['N2']}").get_data(as_text=True)


def test_a_branch_whose_staff_are_not_informed_links_no_scorecard(client, actions, db, october):
    actions.login_as("manager", branches=[october["N2"]])
    assert "Employee scorecards" not in client.get("/").get_data(as_text=True)


def test_a_region_score_is_the_exact_mean_rounded_once(client, actions, db, company):
    publish(db, company, "N1", "2026-10-03T10:00:00+01:00", "no", "na", "yes")  # 2/3 = 66.666…
    publish(db, company, "N2", "2026-10-04T10:00:00+01:00", "no", "no", "yes")  # 2/4 = 50
    actions.login_as("admin")
    page = client.get("/reports?period=2026-10").get_data(as_text=True).replace("\n", "")
    assert 'North</th><td class="num strong">58.3<' in page  # (200/3 + 50) / 2 = 58.33…, not 58.4


def test_the_period_picker_defaults_to_the_latest_period_with_results(client, actions, db, october):
    actions.login_as("manager", branches=[october["S1"]])
    page = client.get("/reports").get_data(as_text=True)
    picker = page[
        page.index('<select id="period"') : page.index("</select>", page.index('<select id="period"'))
    ]
    assert '<option value="2026-10" selected>October 2026</option>' in picker
    assert (
        '<option value="2026-Q4">Q4 2026</option>' in picker
        and '<option value="2026">2026</option>' in picker
    )
    assert '<option value="2026-11"' not in picker  # N2's November audit is not this manager's


def test_the_sort_order_can_be_reversed(client, actions, october):
    actions.login_as("admin")
    best_first = client.get("/reports?period=2026-10").get_data(as_text=True)
    table = best_first[best_first.index("League table") : best_first.index("<h2>Regions")]
    assert 'aria-sort="descending"><a href="/reports?sort=rank&amp;reverse=1' in table
    worst_first = client.get("/reports?period=2026-10&sort=rank&reverse=1").get_data(as_text=True)
    table = worst_first[worst_first.index("League table") : worst_first.index("<h2>Regions")]
    # lowest score first; the branch with no score still last
    assert re.findall(r'href="/branches/\d+">([^<]+)</a>', table) == [
        "Southend",
        "Newtown",
        "Northgate",
        "Seaside",
    ]
    assert 'aria-sort="ascending"><a href="/reports?sort=rank&amp;period=2026-10' in table
    by_name_reversed = client.get("/reports?period=2026-10&sort=branch&reverse=1").get_data(as_text=True)
    table = by_name_reversed[by_name_reversed.index("League table") : by_name_reversed.index("<h2>Regions")]
    assert re.findall(r'href="/branches/\d+">([^<]+)</a>', table) == [
        "Southend",
        "Seaside",
        "Northgate",
        "Newtown",
    ]


def test_the_dashboards_employee_intervals_need_no_query_of_their_own(db, october):
    from org import store as org_store
    from reports.dashboard import dashboard

    branches = org_store.list_branches(db)
    seen = []
    db.conn.set_trace_callback(seen.append)
    data = dashboard(db, parse_period("2026-10"), branches, None, "rank", "#0b5d54", with_employees=True)
    db.conn.set_trace_callback(None)
    assert [e["name"] for e in data["employees"]] == ["Ann Lee", "Bob Ray"]
    assert len([q for q in seen if "employee_rollup" in q]) == 1  # the ranking's, intervals included
    assert not [q for q in seen if "audit_sections" in q]


def section(page: str, heading: str) -> str:
    start = page.index(f"<h2>{heading}")
    return page[start : page.index("</section>", start)]


def test_a_thousand_branch_company_reads_the_league_table_a_page_at_a_time(client, actions, db, october):
    for n in range(1, 211):  # 214 branches in all; only the four of the mini company were audited
        org_store.create_branch(db, f"X{n:03d}", f"Extra {n:03d}", "East")
    actions.login_as("admin")
    first = client.get("/reports?period=2026-10").get_data(as_text=True)
    league = section(first, "League table")
    ranked = re.findall(r'<th scope="row"><a href="/branches/(\d+)">([^<]+)</a>', league)
    assert len(ranked) == 100
    assert [name for _id, name in ranked[:3]] == ["Northgate", "Newtown", "Southend"]  # 87.5, 50, 0
    assert "Branches 1–100 of 214" in league and "page 1 of 3" in league
    assert 'rel="next" href="/reports?page=2&amp;period=2026-10' in league
    # The heat map and the table of NPS and KPIs follow the page; ranks and means span every branch.
    heat = section(first, "Sections by branch")
    assert re.findall(r'<tr><th scope="row">([^<]+)</th>', heat) == ["Northgate", "Newtown", "Southend"]
    sources = first[first.index('<section id="sources">') :]
    assert len(re.findall(r"<tr data-branch=", sources)) == 100

    last = client.get("/reports?period=2026-10&sort=branch&page=3").get_data(as_text=True)
    league = section(last, "League table")
    names = [
        name for _id, name in re.findall(r'<th scope="row"><a href="/branches/(\d+)">([^<]+)</a>', league)
    ]
    assert names == [*(f"Extra {n}" for n in range(201, 211)), "Newtown", "Northgate", "Seaside", "Southend"]
    assert "Branches 201–214 of 214" in league and 'rel="next"' not in league
    heat = section(last, "Sections by branch")
    assert re.findall(r'<tr><th scope="row">([^<]+)</th>', heat) == ["Newtown", "Northgate", "Southend"]
    # A page past the end shows the last one.
    beyond = client.get("/reports?period=2026-10&sort=branch&page=99").get_data(as_text=True)
    assert "Branches 201–214 of 214" in beyond
