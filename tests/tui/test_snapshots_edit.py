"""Snapshots of the add form, the edit form's refusal and the delete confirmation, at 100x30 and 80x24.

Regenerate with ``pytest tests/tui/test_snapshots_edit.py --snapshot-update`` and look at the report.
"""

from __future__ import annotations

import pytest
from textual.widgets import TextArea

from mlcards.tui.app import make_app
from mlcards.tui.screens.edit import EditTermScreen
from tests.tui._support import clock, make_db, settle, term_id

SIZES = pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])


@pytest.fixture
def snap_db(tmp_path):
    return make_db(tmp_path / "snap.db")


@SIZES
def test_add_form(snap_compare, snap_db, fake_time, size):
    assert snap_compare(make_app(snap_db, clock=clock), press=["a", *"dropout"], run_before=settle, terminal_size=size)


@SIZES
def test_edit_form_refusal_is_in_view(snap_compare, snap_db, fake_time, size):
    """An emptied definition, the form scrolled to its last field, ctrl+s: the message is at the top, in view."""

    async def refuse(pilot):
        await settle(pilot)
        pilot.app.push_screen(EditTermScreen(term_id(snap_db, "neuron")))
        await settle(pilot)
        pilot.app.screen.query_one("#edit-definition", TextArea).text = ""
        pilot.app.screen.query_one("#edit-box").scroll_end(animate=False)
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(make_app(snap_db, clock=clock), run_before=refuse, terminal_size=size)


@SIZES
def test_delete_deck_confirmation(snap_compare, snap_db, fake_time, size):
    assert snap_compare(make_app(snap_db, clock=clock), press=["D"], run_before=settle, terminal_size=size)
