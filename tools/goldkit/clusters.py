"""Group items by pairwise links: connected components with a union-find (one implementation for all rooms)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

T = TypeVar("T", bound=Hashable)


def connected_components(items: Iterable[T], pairs: Iterable[tuple[T, T]]) -> list[set[T]]:
    """Return the connected components of `items` plus every member of `pairs`, in first-seen order.

    Union-find with path halving; an item that appears in no pair is a singleton component.
    """
    parent: dict[T, T] = {}

    def find(item: T) -> T:
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for item in items:
        find(item)
    for a, b in pairs:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[root_a] = root_b
    groups: dict[T, set[T]] = {}
    for item in list(parent):
        groups.setdefault(find(item), set()).add(item)
    return list(groups.values())
