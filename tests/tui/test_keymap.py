"""The `keymap` setting remaps keys by binding id; the footer and the help follow."""

from __future__ import annotations

from mlcards.tui.screens.help import HelpScreen
from mlcards.tui.screens.home import HomeScreen
from mlcards.tui.screens.review import ReviewScreen
from tests.tui._support import SIZE, make_db, reviews, screen_text, settle, static_text


async def test_remapped_keys_work_and_are_shown(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db", settings={"keymap": {"review.reveal": "j", "home.review_all": "g", "review.grade5": "p"}})
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "g Review" in screen_text(app)
        await pilot.press("r")  # r no longer starts a review
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("g")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert "j Reveal" in screen_text(app)

        await pilot.press("space")  # space was replaced by j
        await settle(pilot)
        assert screen.phase == "front"
        await pilot.press("j")
        await settle(pilot)
        assert screen.phase == "back"
        await pilot.press("5")  # remapped away: nothing happens
        await settle(pilot)
        assert reviews(db) == []
        await pilot.press("p")
        await settle(pilot)
        assert [r["grade"] for r in reviews(db)] == [5]
        assert static_text(app, "#front") == "weight"

        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        help_text = static_text(app, "#help-box Static")
        assert any(line.split() == ["j", "Reveal"] for line in help_text.splitlines())
        assert any(line.split() == ["p", "Grade", "5"] for line in help_text.splitlines())


def test_the_core_knows_every_binding_id_of_the_app():
    """`mlcards.keys.BINDING_IDS` (what the keymap setting is checked against) equals the app's ids."""
    import importlib
    import pkgutil

    from textual.binding import Binding

    import mlcards.tui.screens as screens
    from mlcards.keys import BINDING_IDS
    from mlcards.tui.app import MlcardsApp

    found: set[str] = set()
    classes: list[type] = [MlcardsApp]
    for info in pkgutil.iter_modules(screens.__path__):
        module = importlib.import_module(f"mlcards.tui.screens.{info.name}")
        classes += [v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__]
    for cls in classes:
        for klass in cls.__mro__:
            for b in vars(klass).get("BINDINGS", []):
                if isinstance(b, Binding) and b.id:
                    found.add(b.id)
    assert found == set(BINDING_IDS)


def test_an_unknown_binding_id_is_refused_naming_the_known_ones(tmp_path):
    from tests.conftest import run_cli

    db = tmp_path / "k.db"
    bad = run_cli("settings", "keymap", '{"review.revael": "j"}', db=db)
    assert bad.returncode == 1
    line = bad.stderr.strip().splitlines()[-1]  # after a note that a new database was created
    assert line.startswith("error: ") and "unknown binding id 'review.revael'" in line
    assert "review.reveal" in line and "home.review_all" in line
    good = run_cli("settings", "keymap", '{"review.reveal": "j"}', db=db)
    assert good.returncode == 0


async def test_remapping_one_of_two_bindings_on_a_key_keeps_the_other(tmp_path, app_for):
    """review.reveal and review.accept share space/enter: moving reveal to j leaves accept on space and
    enter; moving grade1 to x leaves choose1 on 1 (Textual's keymap dropped every binding of a key)."""
    db = make_db(tmp_path / "cards.db", settings={"keymap": {"review.reveal": "j", "review.grade1": "x"}})
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("j")
        await settle(pilot)
        assert screen.phase == "back"
        await pilot.press("space")  # accepts the suggested 4
        await settle(pilot)
        assert [r["grade"] for r in reviews(db)] == [4]
        await pilot.press("j", "enter")
        await settle(pilot)
        assert [r["grade"] for r in reviews(db)] == [4, 4]
        await pilot.press("j", "x")  # grade 1 on its new key
        await settle(pilot)
        assert [r["grade"] for r in reviews(db)] == [4, 4, 1]
        keys = {b.binding.id: k for k, b in screen.active_bindings.items()}
        assert keys["review.reveal"] == "j"
