import pytest

from tests.conftest import publish


@pytest.fixture
def october(db, company):
    """A small, hand-checked October 2026, one September and one November audit.

    A mini audit's percent: greet (weight 1) earns 1 per yes of hello and smile, pay (weight 2)
    earns 2 for a receipt, out of 4 when nothing is N/A; a receipt "no" is a critical failure,
    capped at critical_cap 0. The period is read in each visit's own offset (DESIGN.md).
    October: N1 100 and 75 (mean 87.5); N2 50; S1 0 (capped) plus an all-N/A audit; S2 none.
    """
    # N1: mean 87.5; Ann and Bob are named for the greeting
    publish(db, company, "N1", "2026-10-03T10:00:00+01:00", "yes", "yes", "yes", "ann")  # 4/4 = 100
    publish(db, company, "N1", "2026-10-20T15:00:00+01:00", "yes", "no", "yes", "bob")  # 3/4 = 75
    # N2: 00:30 on 1 November at +01:00 counts in November, though it is 23:30 UTC on 31 October;
    # 23:30 on 31 October at +00:00 counts in October
    publish(db, company, "N2", "2026-11-01T00:30:00+01:00", "yes", "yes", "yes")
    publish(db, company, "N2", "2026-10-31T23:30:00+00:00", "no", "no", "yes")  # 2/4 = 50
    # S1: a critical failure (receipt no): 2/4 = 50 capped at 0
    publish(db, company, "S1", "2026-10-10T12:00:00+01:00", "yes", "yes", "no")
    # S1: an all-N/A audit: counts as an audit, not in the average
    publish(db, company, "S1", "2026-10-11T12:00:00+01:00", "na", "na", "na")
    # a submitted but unpublished audit never counts
    publish(db, company, "S1", "2026-10-12T12:00:00+01:00", "yes", "yes", "yes", status="submitted")
    # September, for the change
    publish(db, company, "N1", "2026-09-15T10:00:00+01:00", "yes", "no", "no", "ann")  # 1/4 = 25 capped 0
    return company
