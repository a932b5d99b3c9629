"""Geohash covers of circles, so a point's cells find every circle that contains it.

A cover is the cells that touch the circle (not the whole of its bounding box), at the finest precision where at most
MAX_CELLS do.

The guarantee: if contains(circle, P) then point_cells(P)[cover(circle).precision] is in cover(circle).cells.

Where the index is crowded a cover is refined (`refined`): a crowded cell on the circle's edge gives way to its
children that touch the circle, so points near the edge meet fewer circles that do not hold them. The cells stay
disjoint, and the guarantee becomes: if contains(circle, P) then exactly one of point_cells(P).values() is in the
refined cover.
"""
import math
from collections.abc import Callable, Iterable
from typing import NamedTuple

import pygeohash

EARTH_RADIUS_M = 6_371_008.8
MIN_RADIUS_M, MAX_RADIUS_M = 10, 50_000
MAX_CELLS = 32
# Precision 1 is never needed: at precision 2 even a circle around a pole (one row of 32 cells) fits MAX_CELLS.
PRECISIONS: tuple[int, ...] = (2, 3, 4, 5, 6, 7, 8)

# Widens the bounding box, and the reach within which a cell counts as touching the circle, so points that contains()
# accepts through float rounding (nanometres) are never left out.
_SLACK_M = 0.001
_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"


class Cover(NamedTuple):
    """The cells a circle is indexed under: distinct geohashes of length `precision`, sorted."""

    precision: int
    cells: tuple[str, ...]


class _Box(NamedTuple):
    """A latitude band and one or two longitude ranges (two when the circle crosses the antimeridian)."""

    south: float
    north: float
    lon_ranges: tuple[tuple[float, float], ...]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((phi2 - phi1) / 2) ** 2
         + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def contains(lat: float, lon: float, radius_m: float, point_lat: float, point_lon: float) -> bool:
    """Whether the point lies in the circle (distance <= radius)."""
    return distance_m(lat, lon, point_lat, point_lon) <= radius_m


def cover(lat: float, lon: float, radius_m: float) -> Cover:
    """The cells that touch the circle, at the finest precision where at most MAX_CELLS of them do."""
    lat, lon = _coordinates(lat, lon)
    radius_m = _checked(radius_m, "radius_m", MIN_RADIUS_M, MAX_RADIUS_M)
    reach_m = _reach_m(radius_m)
    box = _bounding_box(lat, lon, radius_m)
    # The box holds every touching cell, so where its grid fits MAX_CELLS so do they; start at the finest such
    # precision. (The cells just outside the box that rounding may keep could, in principle, push it over.)
    index = next((i for i in reversed(range(len(PRECISIONS))) if _count(box, PRECISIONS[i]) <= MAX_CELLS), 0)
    # At precision 2 the box always fits (see PRECISIONS), so the loop ends there at the latest.
    while (found := _touching(lat, lon, reach_m, PRECISIONS[index], MAX_CELLS if index else math.inf)) is None:
        index -= 1
    # Going finer never lowers the count (every touching cell holds a touching cell of the next precision), so the
    # first precision past MAX_CELLS ends the search.
    best = Cover(PRECISIONS[index], _geohashes(found, PRECISIONS[index]))
    for precision in PRECISIONS[index + 1:]:
        found = _touching(lat, lon, reach_m, precision, MAX_CELLS)
        if found is None:
            break
        best = Cover(precision, _geohashes(found, precision))
    return best


class Refined(NamedTuple):
    """A refined cover's cells, and whether the budget held it back: a split did not fit, so a larger budget could
    refine it further."""

    cells: tuple[str, ...]
    held_back: bool


def refined(lat: float, lon: float, radius_m: float, cells: Iterable[str],
            crowded: Callable[[list[str]], dict[str, int]], cost: Callable[[str], int], budget: int) -> Refined:
    """The cells with crowded ones on the circle's edge replaced by their children that touch the circle, round after
    round, while the summed cost stays within the budget. `crowded` tells how crowded each crowded cell among those
    asked is (the others left out). Within a round the splits that shed the most of the cell outside the circle per
    item added, weighted by crowding, go first: they spare the most reads by points the circle does not hold."""
    reach_m = _reach_m(radius_m)
    kept, spent, held_back = set(cells), sum(cost(cell) for cell in cells), False
    edge = [cell for cell in kept if len(cell) < PRECISIONS[-1] and not inside(lat, lon, radius_m, cell)]
    while edge:
        children = {cell: _touching_children(lat, lon, reach_m, cell) for cell in edge}
        extra = {cell: sum(cost(child) for child in children[cell]) - cost(cell) for cell in edge}
        # Only splits that could still fit are worth asking about.
        fitting = [cell for cell in edge if spent + extra[cell] <= budget]
        held_back |= len(fitting) < len(edge)
        crowding = crowded(fitting)
        split: list[str] = []
        for cell in sorted(crowding, key=lambda cell: (-crowding[cell] * _shed(cell, children[cell], extra[cell]),
                                                       cell)):
            if spent + extra[cell] > budget:
                held_back = True
                continue  # a smaller split further down the list may still fit
            kept.remove(cell)
            kept.update(children[cell])
            spent += extra[cell]
            split.extend(children[cell])
        edge = [cell for cell in split if len(cell) < PRECISIONS[-1] and not inside(lat, lon, radius_m, cell)]
    return Refined(tuple(sorted(kept)), held_back)


def _shed(cell: str, children: list[str], extra: int) -> float:
    """The area (square degrees) a split drops from the cover, the children that miss the circle, per item it adds
    (a split that adds none counts as half an item)."""
    height, width = _cell_size(len(cell) + 1)
    return (len(_BASE32) - len(children)) * height * width / max(extra, 0.5)


def inside(lat: float, lon: float, radius_m: float, cell: str) -> bool:
    """Whether every point of the cell lies in the circle: a circle indexed there holds every point the cell does.

    The farthest point of a cell from the centre is a corner (along a parallel or a meridian the distance has no
    maximum inside an edge), and a cell is called inside only with a margin, so rounding can only make it an edge cell.
    """
    box = pygeohash.get_bounding_box(cell)
    corners = ((box.min_lat, box.min_lon), (box.min_lat, box.max_lon), (box.max_lat, box.min_lon),
               (box.max_lat, box.max_lon))
    return all(distance_m(lat, lon, *corner) < radius_m - _SLACK_M for corner in corners)


def _touching_children(lat: float, lon: float, reach_m: float, cell: str) -> list[str]:
    """The cells one precision finer within `cell` that come within `reach_m` of the centre."""
    children = [cell + character for character in _BASE32]
    return [child for child in children if _cell_distance_m(lat, lon, child) <= reach_m]


def _cell_distance_m(lat: float, lon: float, cell: str) -> float:
    """The great-circle distance from the centre to the nearest point of the cell."""
    box = pygeohash.get_bounding_box(cell)
    return _rectangle_distance_m(lat, lon, box.min_lat, box.max_lat, box.min_lon, box.max_lon)


def point_cells(lat: float, lon: float) -> dict[int, str]:
    """The point's cell at every precision in PRECISIONS."""
    lat, lon = _coordinates(lat, lon)
    # A geohash's prefixes are the point's cells at the coarser precisions.
    finest = pygeohash.encode(lat, lon, PRECISIONS[-1])
    return {precision: finest[:precision] for precision in PRECISIONS}


def _coordinates(lat: float, lon: float) -> tuple[float, float]:
    """Latitude and longitude as floats in range, or ValueError."""
    return _checked(lat, "lat", -90, 90), _checked(lon, "lon", -180, 180)


def _checked(value: float, name: str, low: float, high: float) -> float:
    """`value` as a float when it is a finite number in [low, high]; ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return float(value)


def _bounding_box(lat: float, lon: float, radius_m: float) -> _Box:
    """The latitude/longitude box around the circle; all longitudes when the circle holds a pole."""
    reach = (radius_m + _SLACK_M) / EARTH_RADIUS_M
    reach_deg = math.degrees(reach)
    south, north = max(-90.0, lat - reach_deg), min(90.0, lat + reach_deg)
    if lat + reach_deg >= 90 or lat - reach_deg <= -90:
        return _Box(south, north, ((-180.0, 180.0),))
    # The circle's extreme longitudes on a sphere; the ratio stays below 1 as the circle misses both poles.
    half_width = math.degrees(math.asin(min(1.0, math.sin(reach) / math.cos(math.radians(lat)))))
    west, east = lon - half_width, lon + half_width
    # Touching ±180 counts as crossing: pygeohash puts -180 in the first column and 180 in the last.
    if west <= -180:
        return _Box(south, north, ((-180.0, east), (west + 360, 180.0)))
    if east >= 180:
        return _Box(south, north, ((west, 180.0), (-180.0, east - 360)))
    return _Box(south, north, ((west, east),))


def _cell_size(precision: int) -> tuple[float, float]:
    """A cell's height and width in degrees at `precision` (5 bits a character, longitude bit first)."""
    lat_bits = 5 * precision // 2
    return 180 / 2**lat_bits, 360 / 2 ** (5 * precision - lat_bits)


def _grid(box: _Box, precision: int) -> tuple[range, list[range]]:
    """The row indices and the column index ranges of the cells the box touches at `precision`."""
    height, width = _cell_size(precision)
    rows = _span(box.south, box.north, -90.0, height, round(180 / height))
    columns = [_span(west, east, -180.0, width, round(360 / width)) for west, east in box.lon_ranges]
    return rows, columns


def _count(box: _Box, precision: int) -> int:
    """How many cells cover the box at `precision`."""
    rows, columns = _grid(box, precision)
    return len(rows) * sum(len(span) for span in columns)


def _reach_m(radius_m: float) -> float:
    """How near a cell must come to the centre to be kept: the radius, the slack, and a margin for rounding that grows
    with the radius, so a cell holding a point that contains() accepts is never dropped."""
    return radius_m + _SLACK_M + 1e-9 * radius_m


def _touching(lat: float, lon: float, reach_m: float, precision: int, most: float) -> list[tuple[int, int]] | None:
    """The (row, column) of every cell at `precision` with a point within `reach_m` of the centre; None past `most`.

    What the circle touches is contiguous: its rows are the ones its latitudes span, and within a row the touching
    longitudes form an interval around the centre's (the circle is symmetric about the centre's meridian). So the
    scan walks out from the centre's cell, row by row, and each way along a row, and turns back at the first miss.
    """
    height, width = _cell_size(precision)
    rows, columns = round(180 / height), round(360 / width)
    centre_row, centre_column = _index(lat, -90.0, height, rows), _index(lon, -180.0, width, columns)
    found: list[tuple[int, int]] = []
    for start, step, stop in ((centre_row, 1, rows), (centre_row - 1, -1, -1)):
        for row in range(start, stop, step):
            south = -90.0 + row * height
            touched = _touching_columns(lat, lon, reach_m, south, south + height, centre_column, width, columns,
                                        most - len(found))
            if not touched:
                break
            found.extend((row, column) for column in touched)
            if len(found) > most:
                return None
    return found


def _touching_columns(lat: float, lon: float, reach_m: float, south: float, north: float, centre: int, width: float,
                      count: int, most: float) -> list[int]:
    """The columns of the row [south, north] whose cells come within `reach_m`: out from `centre`, at most most + 1."""
    def touches(column: int) -> bool:
        west = -180.0 + column * width
        return _rectangle_distance_m(lat, lon, south, north, west, west + width) <= reach_m

    if not touches(centre):
        return []
    found = [centre]
    east = 1  # Eastward from the centre, with wrap-around; then westward, up to the first column already seen.
    while east < count and len(found) <= most and touches((centre + east) % count):
        found.append((centre + east) % count)
        east += 1
    west = 1
    while west < count - east and len(found) <= most and touches((centre - west) % count):
        found.append((centre - west) % count)
        west += 1
    return found


def _geohashes(found: list[tuple[int, int]], precision: int) -> tuple[str, ...]:
    """The geohashes of the cells at these (row, column)s, each encoded from its centre (never on a cell edge)."""
    height, width = _cell_size(precision)
    return tuple(sorted({
        pygeohash.encode(-90.0 + (row + 0.5) * height, -180.0 + (column + 0.5) * width, precision)
        for row, column in found
    }))


def _rectangle_distance_m(lat: float, lon: float, south: float, north: float, west: float, east: float) -> float:
    """The great-circle distance from (lat, lon) to the nearest point of the cell [south, north] x [west, east].

    -180 <= west <= east <= 180 and the centre's longitude may be any; 0 when the centre is in the cell.
    """
    if (lon - west) % 360.0 <= east - west:
        # The centre's meridian crosses the cell: no point of the cell is nearer than the latitude gap.
        return distance_m(lat, lon, min(north, max(south, lat)), lon)
    # Otherwise the nearest point is on the west or east edge (the nearest point of a parallel is the one with the
    # smallest longitude difference, here a corner).
    phi = math.radians(lat)
    nearest = math.inf
    for meridian in (west, east):
        along = math.cos(math.radians(meridian - lon))
        if along > 0:
            # Within 90 degrees of longitude the distance along the meridian falls to the foot of the perpendicular
            # from the centre and rises after it.
            foot = math.degrees(math.atan2(math.sin(phi), math.cos(phi) * along))
            nearest = min(nearest, distance_m(lat, lon, min(north, max(south, foot)), meridian))
        else:
            # Farther, it rises to a farthest point and falls after it: the nearest point is an end.
            nearest = min(nearest, distance_m(lat, lon, south, meridian), distance_m(lat, lon, north, meridian))
    return nearest


def _span(low: float, high: float, start: float, size: float, count: int) -> range:
    """The indices of the cells from the one holding `low` to the one holding `high`."""
    return range(_index(low, start, size, count), _index(high, start, size, count) + 1)


def _index(value: float, start: float, size: float, count: int) -> int:
    """The cell pygeohash puts `value` in: start + i*size <= value < start + (i+1)*size, the last cell closed."""
    index = min(count - 1, math.floor((value - start) / size))
    # Edges are exact (dyadic), as are pygeohash's; rounding can carry value - start up onto an edge, never below one.
    if index > 0 and value < start + index * size:
        index -= 1
    return index
