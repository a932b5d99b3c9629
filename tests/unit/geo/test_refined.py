"""A refined cover keeps the guarantee: a point in the circle lies in exactly one of its (disjoint) cells."""
import math
import random

import pytest

from chalicelib.geo.cells import contains, cover, inside, point_cells, refined


def everything_crowded(cells):
    return dict.fromkeys(cells, 4)


@pytest.mark.parametrize("circle", [(33.749, -84.3884, 750), (0.0, 179.999, 400), (6.52, 3.38, 1800)])
def test_every_point_of_the_circle_is_in_exactly_one_cell_of_a_refined_cover(circle):
    cells = set(refined(*circle, cover(*circle).cells, everything_crowded, lambda cell: 1, 98).cells)
    rng = random.Random(1)
    lat, lon, radius = circle
    for _ in range(2000):
        north, east = rng.uniform(-radius, radius), rng.uniform(-radius, radius)
        point = (lat + north / 111_320, (lon + east / (111_320 * math.cos(math.radians(lat))) + 180) % 360 - 180)
        if contains(*circle, *point):
            assert len(cells & set(point_cells(*point).values())) == 1, point


def test_refining_stays_within_the_budget_and_says_the_budget_held_it_back():
    circle = (33.749, -84.3884, 750)
    base = cover(*circle).cells
    cells, held_back = refined(*circle, base, everything_crowded, lambda cell: 1, 48)
    assert len(base) < len(cells) <= 48 and held_back
    assert refined(*circle, base, lambda cells: {}, lambda cell: 1, 48) == (base, False)


def test_a_refinement_the_budget_did_not_stop_is_not_held_back_and_goes_on_from_where_it_stopped():
    circle = (33.749, -84.3884, 750)
    base = cover(*circle).cells
    whole = refined(*circle, base, everything_crowded, lambda cell: 1, 10**6)
    assert not whole.held_back
    partial = refined(*circle, base, everything_crowded, lambda cell: 1, 48).cells
    assert refined(*circle, partial, everything_crowded, lambda cell: 1, 10**6) == whole


def test_a_cell_is_inside_only_when_all_of_it_is_in_the_circle():
    assert inside(33.749, -84.3884, 750, point_cells(33.749, -84.3884)[7])
    assert not inside(33.749, -84.3884, 750, point_cells(33.749, -84.3884)[6])


def _children(circle, cell):
    """The cell's children that touch the circle: one split, nothing crowded after it."""
    return refined(*circle, [cell], lambda asked: {cell: 4} if cell in asked else {}, lambda cell: 1, 10**6).cells


def test_of_equally_crowded_cells_the_split_that_drops_most_per_item_goes_first():
    """Splitting a cell the edge barely enters drops most of it for few items; one the circle nearly fills drops
    little for many. With room for one split, the first is made, whatever order the crowded cells were named in."""
    circle = (33.749, -84.3884, 750)
    base = cover(*circle).cells
    edge = {cell: _children(circle, cell) for cell in base if not inside(*circle, cell)}
    splits = sorted((cell for cell in edge if len(edge[cell]) > 1), key=lambda cell: len(edge[cell]))
    sliver, filled = splits[0], splits[-1]
    assert len(edge[sliver]) < len(edge[filled])
    # The cell the circle fills named first; the room of the larger split only.
    room = len(base) + len(edge[filled]) - 1
    cells = refined(*circle, base, lambda asked: {cell: 4 for cell in (filled, sliver) if cell in asked},
                    lambda cell: 1, room).cells
    assert set(edge[sliver]) <= set(cells) and filled in cells
