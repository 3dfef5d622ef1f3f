import random

import pytest

from goldkit.clusters import connected_components


def test_chains_merge_and_lone_items_stay_singletons():
    groups = connected_components(["x", "a"], [("a", "b"), ("c", "d"), ("b", "c"), ("e", "f")])
    assert sorted(sorted(g) for g in groups) == [["a", "b", "c", "d"], ["e", "f"], ["x"]]


def test_no_items_and_no_pairs_give_nothing():
    assert connected_components([], []) == []


@pytest.mark.parametrize("seed", range(20))
def test_components_equal_a_breadth_first_search(seed):
    rng = random.Random(seed)
    nodes = list(range(rng.randint(1, 30)))
    pairs = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(rng.randint(0, 25))]
    neighbours: dict[int, set[int]] = {n: set() for n in nodes}
    for a, b in pairs:
        neighbours[a].add(b)
        neighbours[b].add(a)
    expected, seen = [], set()
    for start in nodes:
        if start in seen:
            continue
        component, queue = set(), [start]
        while queue:
            node = queue.pop()
            if node not in component:
                component.add(node)
                queue.extend(neighbours[node] - component)
        seen |= component
        expected.append(frozenset(component))
    assert sorted(map(frozenset, connected_components(nodes, pairs)), key=min) == sorted(expected, key=min)
