"""Laying out the prerequisite graph."""

from app.catalogue.graph import NODE_H, NODE_W, GraphNode, layout


def nodes(*specs):
    return [GraphNode(code, code, level) for code, level in specs]


def test_levels_run_left_to_right():
    result = layout(nodes(("A", 100), ("B", 200), ("C", 300)), [("A", "B"), ("B", "C")])
    x = {p.node.code: p.x for p in result.nodes}
    assert x["A"] < x["B"] < x["C"]
    assert [heading for heading, _ in result.columns][0].startswith("100")


def test_nodes_never_overlap():
    graph = nodes(*[(f"A{i}", 100) for i in range(6)], *[(f"B{i}", 200) for i in range(4)])
    result = layout(graph, [])
    boxes = [(p.x, p.y) for p in result.nodes]
    for i, (x1, y1) in enumerate(boxes):
        for x2, y2 in boxes[i + 1 :]:
            assert abs(x1 - x2) >= NODE_W or abs(y1 - y2) >= NODE_H
    assert all(p.y + NODE_H <= result.height for p in result.nodes)
    assert all(p.x + NODE_W <= result.width for p in result.nodes)


def test_edges_only_between_drawn_nodes():
    result = layout(nodes(("A", 100), ("B", 200)), [("A", "B"), ("X", "B")])
    assert [(e.source, e.target) for e in result.edges] == [("A", "B")]
    assert result.edges[0].path.startswith("M")


def test_barycentre_ordering_untangles_crossed_edges():
    graph = nodes(("A", 100), ("B", 100), ("Y", 200), ("Z", 200))
    # A -> Z and B -> Y would cross if the 200 column stayed alphabetical.
    result = layout(graph, [("A", "Z"), ("B", "Y")])
    y = {p.node.code: p.y for p in result.nodes}
    assert (y["A"] < y["B"]) == (y["Z"] < y["Y"])


def test_long_titles_are_cut_with_an_ellipsis():
    result = layout([GraphNode("A", "x" * 80, 100)], [])
    assert result.nodes[0].label.endswith("…")
    assert len(result.nodes[0].label) <= 29


def test_same_level_prerequisite_loops_to_the_left():
    result = layout(nodes(("A", 100), ("B", 100)), [("A", "B")])
    assert result.edges[0].path.startswith(f"M{result.nodes[0].x},")
