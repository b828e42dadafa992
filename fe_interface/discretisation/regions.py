"""Blocks and colours: which regions share temperature values.

Temperature is continuous inside a region and across perfect-contact facets, and may
jump across resistive interfaces.  Regions joined by perfect contact form a *block*.
Blocks are *coloured* so that two blocks that share a mesh vertex get different colours
(greedy, largest degree first, the same on every rank).  The broken space
(:mod:`fe_interface.discretisation.space`) gives every dof one copy per colour present
at it: a 50-layer stack needs two colours, a triple junction three, whatever the number
of materials.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from fe_interface.errors import InputError
from fe_interface.mesh.topology import find_root

__all__ = ["Colouring", "colour_regions"]


class Colouring(NamedTuple):
    """Assignment of regions (cell tags) to colours (function spaces)."""

    colour_of_region: dict[int, int]
    num_colours: int
    block_of_region: dict[int, int]


def colour_regions(
    regions: Sequence[int],
    perfect_pairs: set[tuple[int, int]],
    resistive_pairs: Mapping[tuple[int, int], str],
    vertex_pairs: set[tuple[int, int]],
) -> Colouring:
    """Group regions into blocks (perfect contact) and colour the blocks.

    Args:
        regions: all region tags.
        perfect_pairs: region pairs in perfect contact somewhere.
        resistive_pairs: region pairs separated by a resistive interface -> its name.
        vertex_pairs: region pairs sharing at least one mesh vertex.

    Raises:
        InputError: a resistive interface inside one block (the two regions are also
            joined by perfect contact, directly or through other regions).
    """
    parent = {r: r for r in regions}
    for a, b in sorted(perfect_pairs):
        ra, rb = find_root(parent, a), find_root(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    block = {r: find_root(parent, r) for r in regions}
    for (a, b), name in sorted(resistive_pairs.items()):
        if block[a] == block[b]:
            raise InputError(
                f"interface {name!r} separates regions {a} and {b}, which are also joined by "
                "perfect contact (directly or through other regions): tag every facet between "
                "them as the interface, or split the regions"
            )
    blocks = sorted(set(block.values()))
    conflicts: dict[int, set[int]] = {b: set() for b in blocks}
    for a, b in vertex_pairs:
        ba, bb = block[a], block[b]
        if ba != bb:
            conflicts[ba].add(bb)
            conflicts[bb].add(ba)
    # Greedy colouring, largest degree first (deterministic on every rank).
    colour: dict[int, int] = {}
    for b in sorted(blocks, key=lambda b: (-len(conflicts[b]), b)):
        used = {colour[n] for n in conflicts[b] if n in colour}
        colour[b] = next(c for c in range(len(blocks) + 1) if c not in used)
    ncol = max(colour.values()) + 1 if colour else 0
    return Colouring({r: colour[block[r]] for r in regions}, ncol, block)
