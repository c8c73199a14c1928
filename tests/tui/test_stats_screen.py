"""The stats screen: the issue's two-day history shows the same figures as `mlcards stats`."""

from __future__ import annotations

import pytest

from mlcards import answering, stats
from mlcards.store import Store
from mlcards.tui.app import make_app
from mlcards.tui.screens.stats import StatsScreen, heatmap_content
from tests.tui._support import SIZE, TODAY, at_day, card_id, clock, make_db, screen_text, settle, squash, static_text

TERMS = ("neuron", "weight", "bias", "activation")


def two_day_db(tmp_path):
    """Day 1 (29 Nov): four new cards graded 4. Day 2 (30 Nov, today): 4, 4, 2, 4, then the 2 re-drilled to 5."""
    db = make_db(tmp_path / "stats.db")
    ids = [card_id(db, t, "recall") for t in TERMS]
    with Store.open(db) as store:
        for cid in ids:
            answering.answer(store, cid, 4, at_day(29), duration_ms=3000)
        for cid, grade in zip(ids, (4, 4, 2, 4)):
            answering.answer(store, cid, grade, at_day(30, 10), duration_ms=5000)
        answering.answer(store, ids[2], 5, at_day(30, 11), duration_ms=2000)
    return db


async def open_stats(app, pilot):
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    assert isinstance(app.screen, StatsScreen)
    return app.screen


async def test_stats_screen_shows_the_figures_of_the_two_day_history(tmp_path):
    db = two_day_db(tmp_path)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_stats(app, pilot)
        s = screen.summary
        assert (s.day.answers, s.reviews_total, s.streaks.current, s.retention_30d.rate) == (5, 9, 2, 0.75)
        today = squash(static_text(app, "#tile-today"))
        assert "5 answers" in today and "0 new · 4 review · 1 re-drill" in today and "22s" in today
        assert "2 days" in static_text(app, "#tile-streak")
        retention = squash(static_text(app, "#tile-retention"))
        assert "75% of 4 reviews" in retention
        cards = squash(static_text(app, "#tile-cards"))
        assert "1 learning" in cards and "3 young" in cards and "0 mature" in cards
        title = static_text(app, "#stats-title")
        assert "all decks" in title and "last 30 days" in title

        await pilot.press("r")  # 30 -> 90 days
        await settle(pilot)
        assert screen.summary.range == "90" and "last 90 days" in static_text(app, "#stats-title")
        await pilot.press("r", "r", "r")  # 365, all, then back to 7
        await settle(pilot)
        assert screen.summary.range == "7"

        await pilot.press("d")  # all decks -> the one deck
        await settle(pilot)
        assert screen.summary.deck == "Neural Nets" and "Neural Nets" in static_text(app, "#stats-title")
        await pilot.press("q")
        await settle(pilot)
        assert not isinstance(app.screen, StatsScreen)


def test_heatmap_marks_study_days_and_leaves_the_future_blank(tmp_path):
    db = two_day_db(tmp_path)
    with Store.open(db) as store:
        hm = stats.heatmap(store, TODAY)
    text = heatmap_content(hm, TODAY, weeks=4).plain.splitlines()
    assert text[1].startswith("Mon") and text[7].startswith("Sun")
    # 30 Nov 2026 is a Monday: the last column holds today on Monday and blanks for the rest of the week
    assert text[1].rstrip().endswith("■") and text[2].rstrip() == "" or text[2].endswith("  ")
    assert "less" in text[-1] and "more" in text[-1]


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
def test_stats_screen_snapshot(snap_compare, tmp_path, size):
    db = two_day_db(tmp_path)
    assert snap_compare(make_app(db, clock=clock), press=["s"], run_before=settle, terminal_size=size)


def busy_db(tmp_path):
    """A long deck name, long term names, 120 studied cards (three-digit bars) and twelve lapsed ones:
    what made the 80x24 stats overlap (`1131.70-1.89`), cut a tile's line and cut headers."""
    from mlcards.models import Deck

    deck = Deck(
        name="Machine learning glossary, second edition",
        terms=[dict(term=f"multi-class classification variant {i}", definition=f"Meaning {i}.") for i in range(120)],
    )
    db = make_db(tmp_path / "busy.db", deck)
    with Store.open(db) as store:
        rows = store.db.execute("SELECT c.id FROM cards c WHERE c.kind = 'recall' ORDER BY c.id").fetchall()
        for i, (cid,) in enumerate(rows):
            if i < 12:
                for day, grade in ((20, 5), (21, 5), (27, 1)):
                    answering.answer(store, cid, grade, at_day(day))
            else:
                answering.answer(store, cid, 5, at_day(29))
    return db


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
async def test_nothing_overlaps_or_is_cut(tmp_path, size):
    from textual.widgets import DataTable, Static

    app = make_app(busy_db(tmp_path), clock=clock)
    async with app.run_test(size=size) as pilot:
        screen = await open_stats(app, pilot)
        for tile in screen.query(".tile").results(Static):
            lines = str(tile.visual).splitlines()
            assert tile.content_region.height >= len(lines), tile.id  # no line of a tile is cut
            assert all(len(line) <= tile.content_region.width for line in lines), tile.id  # none wraps
        for hist_id in ("#hist-intervals", "#hist-easiness"):
            hist = screen.query_one(hist_id, Static)
            lines = str(hist.visual).splitlines()
            assert all(len(line) <= hist.content_region.width for line in lines), (hist_id, lines)
        for table in screen.query(DataTable).results(DataTable):
            assert table.virtual_size.width <= table.content_region.width, table.id  # every header whole
        hardest = screen.query_one("#stats-hardest", DataTable)
        assert [str(c.label) for c in hardest.columns.values()][-1] == "Leech"
        assert str(hardest.get_row_at(0)[0]).endswith("…")  # a long term name is cut, with a mark


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
def test_stats_screen_lower_half_snapshot(snap_compare, tmp_path, size):
    """The histograms and the tables of the busy history, scrolled to the end."""
    db = busy_db(tmp_path)
    assert snap_compare(make_app(db, clock=clock), press=["s", "end"], run_before=settle, terminal_size=size)


async def test_practice_answers_show_apart_from_the_reviews(tmp_path):
    db = two_day_db(tmp_path)
    with Store.open(db) as store:
        cid = card_id(db, "loss", "recall")
        answering.practice(store, cid, 5, at_day(30, 9), source="quiz")
        answering.practice(store, cid, 1, at_day(30, 9), source="quiz")
        answering.practice(store, cid, 4, at_day(28), source="custom")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_stats(app, pilot)
        practice = squash(static_text(app, "#tile-practice"))
        assert "Practice 2 answers today" in practice and "50% right · 3 in all (67%)" in practice
        assert "5 answers" in squash(static_text(app, "#tile-today"))  # the reviews are unchanged
        queue = squash(static_text(app, "#tile-queue"))
        assert "Due today 2 cards" in queue and "2 new · 0 learning · 0 review" in queue


async def test_the_tiles_say_computing_until_the_figures_arrive(tmp_path, monkeypatch):
    import threading

    release = threading.Event()
    real = stats.summary

    def slow_summary(*args, **kwargs):  # the figures arrive only when the test says so
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(stats, "summary", slow_summary)
    db = two_day_db(tmp_path)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(StatsScreen())
        for _ in range(3):
            await pilot.pause()
        tiles = [static_text(app, f"#tile-{t}") for t in ("today", "queue", "streak", "retention", "cards", "practice")]
        assert all(t.endswith("computing…") for t in tiles), tiles  # never an empty box
        assert "computing…" in screen_text(app)
        release.set()
        await settle(pilot)
        assert "5 answers" in static_text(app, "#tile-today")
