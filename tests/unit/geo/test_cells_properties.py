"""Properties of covers: every circle that contains a point is found through the point's cell."""
import math

import pygeohash
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chalicelib.geo import cells
from chalicelib.geo.cells import (
    EARTH_RADIUS_M,
    MAX_CELLS,
    MAX_RADIUS_M,
    MIN_RADIUS_M,
    PRECISIONS,
    contains,
    cover,
    distance_m,
    point_cells,
)

radii = st.one_of(st.floats(MIN_RADIUS_M, 200), st.floats(MIN_RADIUS_M, MAX_RADIUS_M))
# Anywhere, with weight on the poles and the antimeridian, where covers are easiest to get wrong.
latitudes = st.one_of(st.floats(-90, 90), st.floats(89.5, 90), st.floats(-90, -89.5))
longitudes = st.one_of(st.floats(-180, 180), st.floats(179.5, 180), st.floats(-180, -179.5))
precisions = st.sampled_from(PRECISIONS)


def cell_size(precision: int) -> tuple[float, float]:
    lat_bits = 5 * precision // 2
    return 180 / 2**lat_bits, 360 / 2 ** (5 * precision - lat_bits)


def snapped(value: float, start: float, size: float, nudge: int) -> float:
    """`value` moved to the nearest cell edge, then `nudge` floats up or down, kept in [start, -start]."""
    edge = start + round((value - start) / size) * size
    for _ in range(abs(nudge)):
        edge = math.nextafter(edge, math.copysign(math.inf, nudge))
    return min(-start, max(start, edge))


@st.composite
def points(draw, near: tuple[float, float] | None = None):
    """A latitude and longitude: anywhere (or given), and often moved onto a cell edge at some precision."""
    lat, lon = near or (draw(latitudes), draw(longitudes))
    height, width = cell_size(draw(precisions))
    if draw(st.booleans()):
        lat = snapped(lat, -90.0, height, draw(st.integers(-1, 1)))
    if draw(st.booleans()):
        lon = snapped(lon, -180.0, width, draw(st.integers(-1, 1)))
    return lat, lon


def destination(lat: float, lon: float, bearing: float, distance: float) -> tuple[float, float]:
    """The point `distance` metres from (lat, lon) along the initial bearing (degrees)."""
    phi, theta, delta = math.radians(lat), math.radians(bearing), distance / EARTH_RADIUS_M
    phi2 = math.asin(max(-1.0, min(1.0, math.sin(phi) * math.cos(delta)
                                   + math.cos(phi) * math.sin(delta) * math.cos(theta))))
    lon2 = lon + math.degrees(math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi),
                                         math.cos(delta) - math.sin(phi) * math.sin(phi2)))
    return max(-90.0, min(90.0, math.degrees(phi2))), wrapped(lon2)


def wrapped(lon: float) -> float:
    return lon if -180 <= lon <= 180 else (lon + 180) % 360 - 180


def covered(circle: tuple[float, float, float], point: tuple[float, float]) -> bool:
    found = cover(*circle)
    return point_cells(*point)[found.precision] in found.cells


@settings(max_examples=200, deadline=None)
@given(centre=points(), radius=radii, bearing=st.floats(0, 360), fraction=st.floats(0, 1))
def test_a_point_inside_a_circle_is_in_its_cover(centre, radius, bearing, fraction):
    point = destination(*centre, bearing, fraction * radius)
    assume(contains(*centre, radius, *point))

    assert covered((*centre, radius), point)


@settings(max_examples=200, deadline=None)
@given(centre=points(), radius=radii, bearing=st.floats(0, 360), fraction=st.floats(0, 1), data=st.data())
def test_a_point_inside_a_circle_and_on_a_cell_edge_is_in_its_cover(centre, radius, bearing, fraction, data):
    point = data.draw(points(near=destination(*centre, bearing, fraction * radius)))
    assume(contains(*centre, radius, *point))

    assert covered((*centre, radius), point)


@settings(max_examples=200, deadline=None)
@given(centre=points(), data=st.data())
def test_a_point_on_the_rim_and_on_a_cell_edge_is_in_its_cover(centre, data):
    # The radius is the point's own distance, so the point lies exactly on the rim.
    rim = data.draw(points(near=destination(*centre, data.draw(st.floats(0, 360)), data.draw(radii))))
    radius = distance_m(*centre, *rim)
    assume(MIN_RADIUS_M <= radius <= MAX_RADIUS_M)

    assert contains(*centre, radius, *rim)
    assert covered((*centre, radius), rim)


@settings(max_examples=200, deadline=None)
@given(centre=points(), radius=radii)
def test_a_cover_is_one_to_max_cells_distinct_cells_at_its_precision(centre, radius):
    found = cover(*centre, radius)

    assert found.precision in PRECISIONS
    assert 1 <= len(found.cells) <= MAX_CELLS
    assert list(found.cells) == sorted(set(found.cells))
    assert all(len(cell) == found.precision for cell in found.cells)
    assert point_cells(*centre)[found.precision] in found.cells


@settings(max_examples=40, deadline=None)
@given(region=points(), reach=st.sampled_from([100, 1000, 10_000, MAX_RADIUS_M]), data=st.data())
def test_every_circle_containing_a_point_is_found_through_its_cells(region, reach, data):
    spread = math.degrees(reach / EARTH_RADIUS_M) * 1.5
    offsets = st.floats(-spread, spread)

    def nearby() -> tuple[float, float]:
        lat = max(-90.0, min(90.0, region[0] + data.draw(offsets)))
        return data.draw(points(near=(lat, wrapped(region[1] + data.draw(offsets)))))

    circles = [(*nearby(), data.draw(st.floats(MIN_RADIUS_M, reach))) for _ in range(data.draw(st.integers(1, 8)))]
    covers = [cover(*circle) for circle in circles]
    for _ in range(20):
        point = nearby()
        cells = point_cells(*point)
        containing = {i for i, circle in enumerate(circles) if contains(*circle, *point)}
        found = {i for i, each in enumerate(covers) if cells[each.precision] in each.cells}
        assert containing <= found


@settings(max_examples=200, deadline=None)
@given(lat=st.floats(-80, 80), lon=st.floats(-180, 180), radius=radii)
def test_a_cover_away_from_the_poles_is_not_much_bigger_than_its_circle(lat, lon, radius):
    found = cover(lat, lon, radius)
    height, width = cell_size(found.precision)
    cell_area = math.radians(height) * math.radians(width) * math.cos(math.radians(lat)) * EARTH_RADIUS_M**2

    assert len(found.cells) * cell_area <= 20 * math.pi * radius**2


@st.composite
def cells_near(draw, centre: tuple[float, float]) -> tuple[float, float, float, float]:
    """The south, north, west and east of a cell at some precision: mostly within a few radii of the centre, else
    anywhere or on the far side of the world (where the nearest end of a meridian edge can be the far one)."""
    height, width = cell_size(draw(precisions))
    where = draw(st.sampled_from(["near", "near", "anywhere", "far side"]))
    if where == "near":
        distance = draw(st.one_of(st.floats(0, 3 * MAX_RADIUS_M), st.floats(0, 2_000_000)))
        lat, lon = draw(points(near=destination(*centre, draw(st.floats(0, 360)), distance)))
    elif where == "anywhere":
        lat, lon = draw(points())
    else:
        lat, lon = draw(latitudes), wrapped(centre[1] + 180 + draw(st.floats(-60, 60)))
    south = -90 + cells._index(lat, -90.0, height, round(180 / height)) * height
    west = -180 + cells._index(lon, -180.0, width, round(360 / width)) * width
    return south, south + height, west, west + width


@settings(max_examples=150, deadline=None)
@given(centre=points(), data=st.data())
def test_the_distance_to_a_cell_is_never_more_than_to_any_of_its_points_and_no_less_than_to_its_nearest(centre, data):
    south, north, west, east = data.draw(cells_near(centre))
    found = cells._rectangle_distance_m(*centre, south, north, west, east)
    steps = 128
    fractions = [i / steps for i in range(steps + 1)] + data.draw(st.lists(st.floats(0, 1), max_size=8))
    boundary = [(south + (north - south) * f, lon) for f in fractions for lon in (west, east)]
    boundary += [(lat, west + (east - west) * f) for f in fractions for lat in (south, north)]
    inner = fractions[::16] + fractions[steps + 1:]
    interior = [(south + (north - south) * f, west + (east - west) * g) for f in inner for g in inner]
    nearest_sample = min(distance_m(*centre, *point) for point in boundary)
    tolerance = 1e-6 + 1e-9 * found

    assert found >= 0
    assert min(nearest_sample, *(distance_m(*centre, *point) for point in interior)) >= found - tolerance
    if south <= centre[0] <= north and (centre[1] - west) % 360 <= east - west:
        assert found == 0
    else:
        # The nearest point lies on an edge, within half a step (in metres at most this) of a sample.
        step_m = EARTH_RADIUS_M * math.radians(max(north - south, east - west)) / steps
        assert found >= nearest_sample - step_m / 2 - tolerance


def touching_by_brute_force(circle: tuple[float, float, float], precision: int) -> set[str]:
    """The cells at `precision` of the circle's bounding box, and a ring around it, that come within reach."""
    lat, lon, radius = circle
    box = cells._bounding_box(*circle)
    height, width = cell_size(precision)
    rows, columns = round(180 / height), round(360 / width)
    row_span = range(max(0, cells._index(box.south, -90.0, height, rows) - 1),
                     min(rows, cells._index(box.north, -90.0, height, rows) + 2))
    column_set = {column % columns for west, east in box.lon_ranges
                  for column in range(cells._index(west, -180.0, width, columns) - 1,
                                      cells._index(east, -180.0, width, columns) + 2)}
    reach = cells._reach_m(radius)
    return {
        pygeohash.encode(-90 + (row + 0.5) * height, -180 + (column + 0.5) * width, precision)
        for row in row_span for column in column_set
        if cells._rectangle_distance_m(lat, lon, -90 + row * height, -90 + (row + 1) * height,
                                       -180 + column * width, -180 + (column + 1) * width) <= reach
    }


@settings(max_examples=100, deadline=None)
@given(centre=points(), radius=radii)
def test_a_cover_is_every_cell_its_circle_touches_at_the_finest_precision_where_they_fit(centre, radius):
    found = cover(*centre, radius)
    finer = [precision for precision in PRECISIONS if precision > found.precision]

    assert set(found.cells) == touching_by_brute_force((*centre, radius), found.precision)
    if finer:
        assert len(touching_by_brute_force((*centre, radius), finer[0])) > MAX_CELLS
