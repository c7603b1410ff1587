import pytest

from tests.conftest import publish


@pytest.fixture
def october(db, company):
    """A small, hand-checked October 2026 (and one September audit)."""
    # N1: 100% and 50% (hello yes, smile no: 1 of 2 greet; receipt yes 2 of 2 -> 3/4 = 75%?)
    publish(db, company, "N1", "2026-10-03T10:00:00+01:00", "yes", "yes", "yes", "ann")  # 4/4 = 100
    publish(db, company, "N1", "2026-10-20T15:00:00+01:00", "yes", "no", "yes", "bob")  # 3/4 = 75
    # N2: an audit at 00:30 local time on 1 November counts in November, not October (23:30 UTC on 31 Oct)
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
