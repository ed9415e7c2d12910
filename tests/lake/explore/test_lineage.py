"""Lineage: upstream and downstream of a dataset, laid out zone by zone."""

from app.lake.dictionary import DATASETS
from app.lake.explore.lineage import lineage_layout, related


def test_lineage_goes_both_ways():
    around = related(DATASETS, "refined.response")
    assert {"raw.responses", "transient.response_drop", "trusted.response"} <= around
    assert "trusted.stock" not in around
    picture = lineage_layout(list(DATASETS), "refined.response")
    x = {p.node.code: p.x for p in picture.nodes}
    assert x["transient.response_drop"] < x["raw.responses"] < x["refined.response"]
    assert x["refined.response"] < x["trusted.response"]
