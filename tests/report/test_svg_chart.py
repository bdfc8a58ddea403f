from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from harness.report.svg_chart import Series, gap_free_segments, line_chart, nice_ceiling


def parse(svg: str) -> ET.Element:
    # The markup is well-formed XML even without the namespace declaration.
    return ET.fromstring(svg)


def points_of(element: ET.Element) -> list[tuple[float, float]]:
    return [tuple(map(float, pair.split(","))) for pair in element.attrib["points"].split()]


def test_one_polyline_per_series_inside_the_view_box():
    svg = parse(
        line_chart(
            [0, 1, 2, 3],
            [Series("ok", [1, 4, 2, 3]), Series("failed", [0, 0, 1, 0])],
            title="Requests",
        )
    )
    lines = svg.findall("polyline")
    assert [line.attrib["data-series"] for line in lines] == ["ok", "failed"]
    width, height = map(float, svg.attrib["viewBox"].split()[2:])
    ok_points = points_of(lines[0])
    assert len(ok_points) == 4
    assert all(0 <= x <= width and 0 <= y <= height for x, y in ok_points)
    # Larger values sit higher (smaller y); x grows left to right.
    assert ok_points[1][1] < ok_points[2][1] < ok_points[0][1]
    assert [x for x, _ in ok_points] == sorted(x for x, _ in ok_points)


def test_missing_values_break_the_line():
    svg = parse(
        line_chart([0, 1, 2, 3, 4], [Series("p50", [1.0, 2.0, None, 3.0, None])], title="TTFT")
    )
    assert len(svg.findall("polyline")) == 1
    assert len(svg.findall("circle")) == 1


def test_no_data_is_said_plainly():
    svg = parse(line_chart([0, 1], [Series("p50", [None, None])], title="TTFT"))
    assert svg.findall("polyline") == []
    assert any(text.text == "no data" for text in svg.iter("text"))


def test_text_is_escaped_and_there_are_no_urls():
    svg = line_chart([0, 1], [Series("<b>&", [1, 2])], title='a "quoted" <title>')
    root = parse(svg)
    assert root.find("title").text == 'a "quoted" <title>'
    assert "<b>" not in svg
    assert "http" not in svg


def test_y_axis_tops_out_at_a_round_number():
    svg = parse(line_chart([0, 1], [Series("ok", [0, 7.3])], title="x", y_unit="/s"))
    labels = {text.text for text in svg.iter("text")}
    assert {"0/s", "5/s", "10/s"} <= labels


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(7.3, 10), (1.0, 1), (0.0123, 0.02), (230, 250), (0, 1), (41, 50)],
)
def test_nice_ceiling(value, ceiling):
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_gap_free_segments():
    assert gap_free_segments([0, 1, 2, 3], [None, 1, None, 2]) == [[(1, 1)], [(3, 2)]]
    assert gap_free_segments([0, 1], [5, 6]) == [[(0, 5), (1, 6)]]
