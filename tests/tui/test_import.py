"""The import screen: typed path or file tree, preview of what changes, ctrl+y imports in a worker."""

from __future__ import annotations

import json

from textual.widgets import Input, ProgressBar

from mlcards.tui.screens.home import HomeScreen
from mlcards.tui.screens.importer import DeckTree, ImportScreen
from tests.tui._support import (
    SIZE,
    answer_before,
    at_day,
    card_id,
    query,
    schedule,
    screen_text,
    settle,
    squash,
    static_text,
)

OPTICS = {
    "name": "Optics",
    "description": "Light.",
    "terms": [
        {"term": "lens", "definition": "Bends light to focus it.", "related": ["prism"]},
        {"term": "prism", "definition": "Splits white light into colours.", "related": ["lens", "mirror"]},
        {"term": "mirror", "definition": "Reflects light.", "related": ["prism"]},
    ],
}


async def open_import(app, pilot) -> ImportScreen:
    await settle(pilot)
    await pilot.press("i")
    await settle(pilot)
    assert isinstance(app.screen, ImportScreen)
    return app.screen


async def test_typed_path_preview_then_confirm(db, app_for, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "optics.json").write_text(json.dumps(OPTICS), encoding="utf-8")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        assert "Formats: .json, .toml" in squash(static_text(app, "#import-preview"))
        assert not screen.check_action("confirm", ())  # nothing previewed yet
        await pilot.press("ctrl+o")
        assert screen.query_one("#import-path", Input).has_focus
        await pilot.press(*"optics.json", "enter")  # relative to the working folder
        await settle(pilot)
        preview = static_text(app, "#import-preview")
        assert preview.startswith("What will change\noptics.json · deck file")
        assert "Optics (new deck)" in preview
        assert "3 added: lens, prism, mirror" in preview
        assert "ctrl+y imports it" in static_text(app, "#import-status")
        assert "^y Import" in screen_text(app)
        assert query(db, "SELECT name FROM decks WHERE name = 'Optics'") == []  # a preview writes nothing

        await pilot.press("ctrl+y")
        await settle(pilot)
        status = static_text(app, "#import-status")
        assert status.startswith("Imported. ") and "Optics" in status
        bar = screen.query_one("#import-progress", ProgressBar)
        assert bar.display and bar.percentage == 1.0
        assert not screen.check_action("confirm", ())  # once is enough
        rows = query(
            db,
            "SELECT t.term, COUNT(c.id) AS cards FROM terms t JOIN decks d ON d.id = t.deck_id "
            "JOIN cards c ON c.term_id = t.id WHERE d.name = 'Optics' GROUP BY t.id ORDER BY t.position",
        )
        assert rows == [{"term": "lens", "cards": 3}, {"term": "prism", "cards": 3}, {"term": "mirror", "cards": 3}]

        # study a card, change the file, import again: updated in place, the schedule kept
        lens = card_id(db, "lens", "recall")
        answer_before(db, lens, 5, at_day(29))
        before = schedule(db, lens)
        changed = dict(OPTICS, terms=[dict(OPTICS["terms"][0], definition="Focuses light."), *OPTICS["terms"][1:],
                                      {"term": "laser", "definition": "A narrow beam of one colour."}])
        (tmp_path / "optics.json").write_text(json.dumps(changed), encoding="utf-8")
        screen.query_one("#import-path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        preview = static_text(app, "#import-preview")
        assert "(new deck)" not in preview
        assert "1 added: laser" in preview and "1 updated: lens" in preview and "2 unchanged: prism, mirror" in preview
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert schedule(db, lens) == before
        assert query(db, "SELECT definition FROM terms WHERE key = 'lens'") == [{"definition": "Focuses light."}]
        assert query(db, "SELECT COUNT(*) AS n FROM terms WHERE key = 'laser'") == [{"n": 1}]

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "Optics" in screen_text(app)


async def test_invalid_files_show_one_line_error_and_import_nothing(db, app_for, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.json").write_text('{"name": "Bad",\n "terms": [{"term": "x"}]}', encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"name": "Broken",\n "terms": [\n', encoding="utf-8")
    decks = query(db, "SELECT name FROM decks")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        path = screen.query_one("#import-path", Input)
        for name, message in (
            ("bad.json", "bad.json:2: terms[0] ('x'): definition: is required"),
            ("broken.json", "broken.json:"),
            ("missing.json", "missing.json"),
        ):
            path.focus()
            path.value = name
            await pilot.press("enter")
            await settle(pilot)
            text = static_text(app, "#import-preview")
            head, _, error = text.partition("\n\n")
            assert head == "Cannot import"
            assert error.startswith("error: ") and message in error and "\n" not in error
            assert "Traceback" not in screen_text(app)
            assert static_text(app, "#import-status") == "Fix the file and pick it again."
            assert not screen.check_action("confirm", ())
            await pilot.press("ctrl+y")  # nothing to import
            await settle(pilot)
            assert not screen.query_one("#import-progress", ProgressBar).display
        assert isinstance(app.screen, ImportScreen)
    assert query(db, "SELECT name FROM decks") == decks


async def test_pick_a_file_in_the_tree(db, app_for, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "optics.json").write_text(json.dumps(OPTICS), encoding="utf-8")
    (tmp_path / "notes.bin").write_bytes(b"\x00")  # not importable: not listed
    (tmp_path / "z[bold]odd.json").write_text("{}", encoding="utf-8")  # a file name is not markup either
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        tree = screen.query_one("#import-tree", DeckTree)
        assert tree.has_focus
        await settle(pilot)
        labels = [str(node.label) for node in tree.root.children]
        assert labels == ["optics.json", "z[bold]odd.json"]  # cards.db and notes.bin are filtered out
        assert "z[bold]odd.json" in screen_text(app)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert screen.query_one("#import-path", Input).value == str(tmp_path / "optics.json")
        assert "3 added: lens, prism, mirror" in static_text(app, "#import-preview")
        await pilot.press("ctrl+y")
        await settle(pilot)
    assert query(db, "SELECT COUNT(*) AS n FROM terms t JOIN decks d ON d.id = t.deck_id WHERE d.name = 'Optics'") == [{"n": 3}]


async def test_a_failure_during_the_import_is_shown_and_rolls_back(db, app_for, tmp_path, monkeypatch):
    from mlcards.store import Store

    monkeypatch.chdir(tmp_path)
    (tmp_path / "optics.json").write_text(json.dumps(OPTICS), encoding="utf-8")
    real = Store.apply_deck

    def failing(self, deck, *args, dry_run=False, progress=None, **kwargs):
        if dry_run:
            return real(self, deck, *args, dry_run=True, **kwargs)

        def explode(done, total):
            if done >= 2:
                raise RuntimeError("disk on fire")
            if progress:
                progress(done, total)

        return real(self, deck, *args, progress=explode, **kwargs)

    monkeypatch.setattr(Store, "apply_deck", failing)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        screen.query_one("#import-path", Input).value = "optics.json"
        screen.query_one("#import-path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "3 added" in static_text(app, "#import-preview")
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert app.is_running and app.screen is screen
        assert "error: RuntimeError: disk on fire" in static_text(app, "#import-preview")
        assert not screen.running
    assert query(db, "SELECT name FROM decks WHERE name = 'Optics'") == []  # all or nothing


async def test_a_package_with_a_review_log_offers_with_history_off_by_default(db, app_for, tmp_path, monkeypatch):
    from textual.widgets import Checkbox

    from tests.importers.test_imports import package_with_history

    monkeypatch.chdir(tmp_path)
    package = package_with_history(tmp_path)  # two review-log entries
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        box = screen.query_one("#import-history", Checkbox)
        assert not box.display and not screen.check_action("toggle_history", ())

        for with_history in (False, True):
            screen.query_one("#import-path", Input).value = package.name
            screen.query_one("#import-path", Input).focus()
            await pilot.press("enter")
            await settle(pilot)
            assert "2 Anki review-log entries" in static_text(app, "#import-preview")
            assert box.display and not box.value  # off by default, as on the command line
            if with_history:
                await pilot.press("ctrl+r")
                await settle(pilot)
                assert box.value
            await pilot.press("ctrl+y")
            await settle(pilot)
            status = squash(static_text(app, "#import-status"))
            assert status.startswith("Imported. ")
            if with_history:
                assert "2 Anki review-log entries brought over, 0 left" in status
            else:
                assert "2 Anki review-log entries left in the file" in status
                assert query(db, "SELECT COUNT(*) AS n FROM reviews") == [{"n": 0}]
            assert not box.display
    assert query(db, "SELECT COUNT(*) AS n FROM reviews WHERE source = 'anki'") == [{"n": 2}]


async def test_after_an_import_the_preview_is_read_again_and_the_tree_follows_the_folder(
    db, app_for, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "optics.json").write_text(json.dumps(OPTICS), encoding="utf-8")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        tree = screen.query_one("#import-tree", DeckTree)
        await settle(pilot)
        assert [str(n.label) for n in tree.root.children] == ["optics.json"]
        await pilot.press("down", "enter")  # the tree's first file
        await settle(pilot)
        assert "3 added: lens, prism, mirror" in static_text(app, "#import-preview")
        await pilot.press("ctrl+y")
        await settle(pilot)
        # the preview no longer claims three terms would be added: it was read against the new state
        preview = static_text(app, "#import-preview")
        assert "Read again after the import" in preview
        assert "3 unchanged: lens, prism, mirror" in preview and "added" not in preview
        assert static_text(app, "#import-status").startswith("Imported. ")
        assert not screen.check_action("confirm", ())  # nothing left to import
        # a file written meanwhile (another terminal's export) shows up without leaving the screen
        (tmp_path / "more.json").write_text(json.dumps(dict(OPTICS, name="More")), encoding="utf-8")
        screen.check_files()  # what the screen's timer runs every FILES_POLL_S
        await settle(pilot)
        await tree.reload()  # (awaits the reload the check started)
        await settle(pilot)
        assert [str(n.label) for n in tree.root.children] == ["more.json", "optics.json"]
        (tmp_path / "more.json").unlink()
        await pilot.press("f5")  # or by hand
        await settle(pilot)
        await pilot.pause(0.2)
        assert [str(n.label) for n in tree.root.children] == ["optics.json"]
