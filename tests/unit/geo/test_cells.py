"""Geohash covers of circles: distances, cover sizes, and the places where cells are easy to miss."""
import math

import pygeohash
import pytest

from chalicelib.geo import cells
from chalicelib.geo.cells import (
    EARTH_RADIUS_M,
    MAX_CELLS,
    MAX_RADIUS_M,
    MIN_RADIUS_M,
    PRECISIONS,
    Cover,
    contains,
    cover,
    distance_m,
    point_cells,
)

ATLANTA = (33.7490, -84.3884)


def covered(circle: tuple[float, float, float], point: tuple[float, float]) -> bool:
    found = cover(*circle)
    return point_cells(*point)[found.precision] in found.cells


def assert_covered(circle, point):
    assert contains(*circle, *point), "the example's point must lie in its circle"
    assert covered(circle, point)


def test_distance_of_one_kilometre_north_and_between_cities():
    north = ATLANTA[0] + math.degrees(1000 / EARTH_RADIUS_M)

    assert distance_m(*ATLANTA, north, ATLANTA[1]) == pytest.approx(1000, rel=0.005)
    assert distance_m(*ATLANTA, 40.7128, -74.0060) == pytest.approx(1_200_000, rel=0.01)  # New York
    assert distance_m(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343_500, rel=0.01)  # London-Paris


def test_distance_is_symmetric_zero_at_the_point_and_half_the_world_at_the_antipode():
    assert distance_m(*ATLANTA, *ATLANTA) == 0
    assert distance_m(10, 20, -30, 40) == distance_m(-30, 40, 10, 20)
    assert distance_m(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_M)
    assert distance_m(90, 0, 90, 123) == pytest.approx(0, abs=1e-6)


def test_contains_includes_the_rim():
    edge = distance_m(*ATLANTA, 33.75, -84.39)

    assert contains(*ATLANTA, edge, 33.75, -84.39)
    assert not contains(*ATLANTA, edge - 0.01, 33.75, -84.39)


def test_point_cells_are_pygeohash_cells_at_every_precision():
    cells = point_cells(*ATLANTA)

    assert tuple(cells) == PRECISIONS
    assert cells == {p: pygeohash.encode(*ATLANTA, p) for p in PRECISIONS}


@pytest.mark.parametrize("circle", [(*ATLANTA, 10), (0, 0, 1000), (89.99, 0, 20_000), (90, 0, MAX_RADIUS_M),
                                    (-60, 179.9, MAX_RADIUS_M), (45, -45, 3333)])
def test_a_cover_is_a_few_distinct_sorted_cells_at_its_precision(circle):
    found = cover(*circle)

    assert isinstance(found, Cover) and found.precision in PRECISIONS
    assert 1 <= len(found.cells) <= MAX_CELLS
    assert list(found.cells) == sorted(set(found.cells))
    assert all(len(cell) == found.precision for cell in found.cells)


def test_smaller_circles_get_finer_cells():
    radii = [MIN_RADIUS_M, 20, 50, 100, 300, 1000, 3000, 10_000, 30_000, MAX_RADIUS_M]
    precisions = [cover(*ATLANTA, radius).precision for radius in radii]

    assert precisions[0] == 8
    assert precisions[-1] <= 4
    assert precisions == sorted(precisions, reverse=True)


def test_a_ten_metre_circle_takes_a_handful_of_cells():
    assert len(cover(*ATLANTA, MIN_RADIUS_M).cells) <= 4


def test_a_circle_on_the_equator_covers_both_hemispheres():
    circle = (0.0, 30.0, 1000)
    found = cover(*circle)

    assert {pygeohash.decode(cell).latitude > 0 for cell in found.cells} == {True, False}
    assert_covered(circle, (0.005, 30.0))
    assert_covered(circle, (-0.005, 30.0))
    assert_covered(circle, (0.0, 30.0))


def test_a_circle_on_the_prime_meridian_covers_both_sides():
    circle = (51.4779, 0.0, 500)

    assert_covered(circle, (51.4779, -0.004))
    assert_covered(circle, (51.4779, 0.004))
    assert_covered(circle, (51.4779, 0.0))


def test_a_circle_astride_the_antimeridian_covers_both_sides():
    circle = (10.0, 179.999, 5000)
    found = cover(*circle)

    assert {pygeohash.decode(cell).longitude > 0 for cell in found.cells} == {True, False}
    assert_covered(circle, (10.0, -179.999))
    assert_covered(circle, (10.01, -179.98))
    assert_covered(circle, (10.0, 180.0))
    assert_covered(circle, (10.0, -180.0))


@pytest.mark.parametrize("centre_lon", [180.0, -180.0])
def test_a_circle_centred_on_the_antimeridian_covers_both_of_its_spellings(centre_lon):
    circle = (0.0, centre_lon, MIN_RADIUS_M)

    assert_covered(circle, (0.0, 180.0))
    assert_covered(circle, (0.0, -180.0))
    assert_covered(circle, (0.00005, -179.99995))


def test_a_circle_around_the_north_pole_covers_the_far_side():
    circle = (89.99, 0.0, 20_000)

    assert_covered(circle, (89.99, 180.0))
    assert_covered(circle, (89.95, -90.0))
    assert_covered(circle, (90.0, 0.0))
    assert_covered(circle, (90.0, -180.0))


@pytest.mark.parametrize("pole", [90.0, -90.0])
def test_a_circle_centred_on_a_pole_covers_every_longitude(pole):
    circle = (pole, 0.0, MIN_RADIUS_M)
    near = math.copysign(90 - math.degrees(5 / EARTH_RADIUS_M), pole)

    for lon in (-180.0, -179.5, -90.0, 0.0, 45.0, 179.99, 180.0):
        assert_covered(circle, (pole, lon))
        assert_covered(circle, (near, lon))


def test_a_polar_circle_fits_at_precision_two():
    found = cover(89.9, 0.0, MAX_RADIUS_M)

    assert found.precision == PRECISIONS[0] == 2
    assert len(found.cells) == MAX_CELLS


def test_the_point_on_the_equator_and_prime_meridian_is_covered_from_every_quadrant():
    offset = 0.00005
    for lat_sign in (1, -1):
        for lon_sign in (1, -1):
            assert_covered((lat_sign * offset, lon_sign * offset, MIN_RADIUS_M), (0.0, 0.0))


def test_a_cells_corner_is_covered_by_circles_on_each_side():
    box = pygeohash.get_bounding_box("djgzzxy")  # a precision-7 cell in Atlanta
    corners = [(box.min_lat, box.min_lon), (box.min_lat, box.max_lon), (box.max_lat, box.min_lon),
               (box.max_lat, box.max_lon)]
    exact = pygeohash.decode_exactly("djgzzxy")
    assert (exact.latitude - exact.latitude_error, exact.longitude - exact.longitude_error) == corners[0]

    for corner in corners:
        for dlat in (-0.00005, 0.0, 0.00005):
            for dlon in (-0.00005, 0.0, 0.00005):
                assert_covered((corner[0] + dlat, corner[1] + dlon, MIN_RADIUS_M), corner)


def test_a_point_on_the_rim_and_on_a_cell_edge_is_covered():
    edge = pygeohash.get_bounding_box("djgzzxy").max_lat
    for radius in (MIN_RADIUS_M, 123.0, 4567.0):
        centre_lat = edge - math.degrees(radius / EARTH_RADIUS_M)
        rim = distance_m(centre_lat, ATLANTA[1], edge, ATLANTA[1])

        assert_covered((centre_lat, ATLANTA[1], rim), (edge, ATLANTA[1]))


@pytest.mark.parametrize(("centre", "rim"), [
    ((4.0, 0.0), (3.9990234374999996, 0.0)),  # one float below a precision-6 cell edge
    ((88.2476806640625, 0.0), (88.24218749999999, 0.0)),
])
def test_a_point_on_the_rim_one_float_off_a_cell_edge_is_covered(centre, rim):
    # Without slack in the bounding box, rounding in lat - radius drops the row below the edge.
    assert_covered((*centre, distance_m(*centre, *rim)), rim)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_the_grid_index_is_the_cell_pygeohash_picks_on_and_beside_every_edge(precision):
    height, width = cells._cell_size(precision)
    rows, columns = round(180 / height), round(360 / width)
    for row in (0, 1, rows // 2, rows // 2 + 1, rows - 1, rows):
        for column in (0, 1, columns // 2, columns // 2 + 1, columns - 1, columns):
            edge = (-90 + row * height, -180 + column * width)
            for lat in (math.nextafter(edge[0], -math.inf), edge[0], math.nextafter(edge[0], math.inf)):
                for lon in (math.nextafter(edge[1], -math.inf), edge[1], math.nextafter(edge[1], math.inf)):
                    lat, lon = min(90.0, max(-90.0, lat)), min(180.0, max(-180.0, lon))
                    centre = (-90 + (cells._index(lat, -90.0, height, rows) + 0.5) * height,
                              -180 + (cells._index(lon, -180.0, width, columns) + 0.5) * width)
                    assert pygeohash.encode(*centre, precision) == pygeohash.encode(lat, lon, precision)


@pytest.mark.parametrize(("lat", "lon", "radius"), [
    (90.0001, 0, 100), (-90.0001, 0, 100), (0, 180.0001, 100), (0, -180.0001, 100),
    (math.nan, 0, 100), (0, math.inf, 100), (0, 0, math.nan), (0, 0, MIN_RADIUS_M - 0.01),
    (0, 0, MAX_RADIUS_M + 0.01), (0, 0, -5), (True, 0, 100), ("1", 0, 100), (None, 0, 100),
])
def test_cover_refuses_invalid_circles(lat, lon, radius):
    with pytest.raises(ValueError):
        cover(lat, lon, radius)


@pytest.mark.parametrize(("lat", "lon"), [(90.5, 0), (0, -181), (math.nan, 0), (0, math.inf), ("0", 0)])
def test_point_cells_refuses_invalid_points(lat, lon):
    with pytest.raises(ValueError):
        point_cells(lat, lon)


def test_integer_coordinates_and_radii_are_fine():
    assert cover(0, 0, 100) == cover(0.0, 0.0, 100.0)
    assert point_cells(0, 0) == point_cells(0.0, 0.0)


def test_a_cover_leaves_out_the_corner_cells_its_circle_misses():
    middle = pygeohash.encode(*ATLANTA, 7)
    centre = pygeohash.decode_exactly(middle)[:2]
    sides = {direction: pygeohash.get_adjacent(middle, direction) for direction in ("top", "bottom", "left", "right")}
    corners = [pygeohash.get_adjacent(sides[north_south], east_west)
               for north_south in ("top", "bottom") for east_west in ("left", "right")]
    # 90 m reaches past the middle cell's sides (64 m and 76 m away) but not to its corners (99 m away).
    circle = (*centre, 90)

    assert cells._count(cells._bounding_box(*circle), 7) == 9
    assert cover(*circle) == Cover(7, tuple(sorted([middle, *sides.values()])))
    for corner in corners:
        box = pygeohash.get_bounding_box(corner)
        grid = [(box.min_lat + (box.max_lat - box.min_lat) * i / 20, box.min_lon + (box.max_lon - box.min_lon) * j / 20)
                for i in range(21) for j in range(21)]
        assert not any(contains(*circle, *point) for point in grid)


def test_a_circle_gets_finer_cells_than_its_bounding_box_would_allow():
    circle = (*ATLANTA, 63)

    assert cells._count(cells._bounding_box(*circle), 8) > MAX_CELLS
    assert cover(*circle).precision == 8
    assert len(cover(*circle).cells) <= MAX_CELLS


def brute_distance_m(centre, south, north, west, east, steps=400):
    """The least distance from the centre to points spread over the cell's edges."""
    edges = [(south + (north - south) * i / steps, lon) for i in range(steps + 1) for lon in (west, east)]
    edges += [(lat, west + (east - west) * i / steps) for i in range(steps + 1) for lat in (south, north)]
    return min(distance_m(*centre, *point) for point in edges)


@pytest.mark.parametrize(("centre", "cell"), [
    ((33.7, -84.4), (33.6, 33.8, -84.5, -84.3)),  # inside
    ((33.9, -84.4), (33.6, 33.8, -84.5, -84.3)),  # due north: the latitude gap
    ((33.9, -84.2), (33.6, 33.8, -84.5, -84.3)),  # north-east: the corner
    ((60.0, -84.0), (59.0, 61.0, -80.0, -70.0)),  # east: the foot of the perpendicular, not a corner
    ((10.0, 179.99), (9.0, 11.0, -180.0, -179.0)),  # across the antimeridian
    ((10.0, -180.0), (9.0, 11.0, 179.0, 180.0)),
    ((1.0, 0.0), (-80.0, -70.0, 170.0, 180.0)),  # over the south pole, though the centre is north of the equator
    ((89.9, 0.0), (84.375, 90.0, 90.0, 101.25)),  # a cell at the pole, 90 degrees of longitude away
    ((-90.0, 0.0), (-90.0, -84.375, 123.75, 135.0)),
])
def test_the_distance_to_a_cell_is_the_distance_to_its_nearest_point(centre, cell):
    south, north, west, east = cell
    inside = south <= centre[0] <= north and west <= centre[1] <= east
    expected = 0 if inside else brute_distance_m(centre, *cell)

    # Near the nearest point the distance is flat, so a sample at most a few kilometres off is within a metre of it.
    assert expected - 1 <= cells._rectangle_distance_m(*centre, *cell) <= expected + 1e-6
