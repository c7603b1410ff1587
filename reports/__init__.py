"""Aggregation, comparisons, PDF scorecards, charts and exports."""
