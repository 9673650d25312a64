"""core/charts.ChartRenderer: in a chart process and in the worker's one thread, albums drawn
one after another on the long-lived Sheet are the same PNGs as each drawn on its own."""

from __future__ import annotations

import pytest

from core.charts import ChartRenderer
from kpi import charts as ch
from tests.unit.test_charts import specs


@pytest.mark.parametrize("processes", [0, 1], ids=["thread", "process"])
async def test_albums_in_turn_are_the_albums_drawn_alone(processes: int) -> None:
    team_a = specs()
    team_b = list(reversed(specs()[:3]))
    renderer = ChartRenderer(processes)
    try:
        drawn = [await renderer.render(album) for album in (team_a, team_b, team_a)]
    finally:
        renderer.close()
    assert drawn == [ch.render_album(team_a), ch.render_album(team_b), ch.render_album(team_a)]
    assert drawn[0] != drawn[1]
    assert await ChartRenderer(processes).render([]) == []
