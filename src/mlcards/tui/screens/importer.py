"""Import: pick a file, see what would change, confirm; the import runs in a worker with a progress bar.

The work is ``mlcards.imports`` (the use case ``mlcards import`` runs too): parse, preview, apply in one
transaction. A package that carries an Anki review log shows a "with history" toggle, off by default
as on the command line; after the import the status says how many entries were brought over or left.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Checkbox, DirectoryTree, Footer, Input, ProgressBar, Static

from mlcards.errors import MlcardsError
from mlcards.text import one_line, safe_line
from mlcards.tui.widgets.text import plain_line

if TYPE_CHECKING:
    from mlcards.imports import ImportResult, Plan
    from mlcards.store import Store
    from mlcards.tui.base import MlcardsAppBase



def _supported_suffixes() -> set[str]:
    from mlcards.importers import FORMATS

    return {ext for f in FORMATS for ext in f.extensions}


class DeckTree(DirectoryTree):
    """A directory tree showing folders and importable files only (no hidden entries)."""

    def process_label(self, label: str | Text) -> Text:
        """File names are data: never markup, control characters shown as visible escapes."""
        return Text(safe_line(label.plain if isinstance(label, Text) else label))

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        suffixes = _supported_suffixes()
        return [
            p for p in paths
            if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() in suffixes)
        ]


class ImportScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+o", "focus_path", "Type a path", id="import.path"),
        Binding("ctrl+r", "toggle_history", "With history", id="import.history"),
        Binding("ctrl+t", "focus_tree", "Files", id="import.tree"),
        Binding("ctrl+y", "confirm", "Import", id="import.confirm", priority=True),
        Binding("f5", "refresh_files", "Refresh files", key_display="F5", id="import.refresh"),
        Binding("escape", "back", "Back", id="import.back"),
    ]

    FILES_POLL_S = 2.0
    """How often the file tree checks whether files appeared or went in the folders it shows."""

    def __init__(self, start: Path | None = None):
        super().__init__()
        self.start = start or Path.cwd()
        self.previewed: Path | None = None
        self.previewed_deck: str | None = None
        self.preview_ok = False
        self.running = False
        self.pending: Plan | None = None
        self.imported: Content | None = None
        """What the last import did, kept in the status while the preview is read again afterwards."""
        self._listing: tuple[tuple[str, ...], ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="import"):
            yield Static(Content.styled("Import a deck", "bold $accent"))
            yield Input(id="import-path", compact=True, placeholder="path to a deck file (Enter previews)…")
            yield Input(id="import-deck", compact=True, placeholder="deck name (optional: defaults to the file's own)")
            with Horizontal(id="import-body"):
                yield DeckTree(self.start, id="import-tree")
                with VerticalScroll(id="import-preview-box"):
                    yield Static(id="import-preview")
            yield Checkbox("with history", id="import-history", compact=True)
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Static(id="import-status")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        from mlcards.importers import supported

        self.query_one("#import-progress", ProgressBar).display = False
        self.query_one("#import-history", Checkbox).display = False
        self.query_one("#import-preview", Static).update(
            Content.assemble(
                "Pick a file on the left (Enter) or type its path above.\n\n",
                ("Formats: ", "bold"),
                supported(),
            )
        )
        self.query_one("#import-tree", DeckTree).focus()
        self._listing = self.listing()
        self.set_interval(self.FILES_POLL_S, self.check_files)

    # --- the file tree follows the folders ----------------------------------------------------------

    def listing(self) -> tuple[tuple[str, ...], ...]:
        """The names in every folder the tree shows (its root and the folders opened in it)."""
        tree = self.query_one("#import-tree", DeckTree)
        folders = [Path(tree.path)]
        stack = [tree.root]
        while stack:
            node = stack.pop()
            for child in node.children:
                if child.is_expanded and child.data is not None:
                    folders.append(Path(child.data.path))
                    stack.append(child)
        out = []
        for folder in folders:
            try:
                out.append((str(folder), *sorted(p.name for p in folder.iterdir())))
            except OSError:
                out.append((str(folder),))
        return tuple(out)

    def check_files(self) -> None:
        listing = self.listing()
        if listing != self._listing:
            self._listing = listing
            self.query_one("#import-tree", DeckTree).reload()

    def action_refresh_files(self) -> None:
        self._listing = self.listing()
        self.query_one("#import-tree", DeckTree).reload()

    def on_screen_resume(self) -> None:
        self.check_files()

    # --- choosing ----------------------------------------------------------------------------------

    @on(DirectoryTree.FileSelected, "#import-tree")
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        # shown, not reused: the preview reads event.path itself, so a file name with control
        # characters is displayed with visible escapes and still opens
        self.query_one("#import-path", Input).value = safe_line(str(event.path))
        self.preview(event.path)

    @on(Input.Submitted)
    def _path_submitted(self, event: Input.Submitted) -> None:
        path = self.query_one("#import-path", Input).value.strip()
        if path:
            self.preview(Path(path).expanduser())

    def deck_name(self) -> str | None:
        return self.query_one("#import-deck", Input).value.strip() or None

    def preview(self, path: Path, *, status: Content | None = None) -> None:
        if self.running:
            return
        if status is None:
            self.imported = None
        self.previewed = path
        self.previewed_deck = self.deck_name()
        self.preview_ok = False
        self.show_history_toggle(0)
        self.set_status(status or Content.styled(f"Reading {safe_line(path.name)}…", "$text-muted"))
        self.refresh_bindings()
        self.run_preview(path, self.previewed_deck)

    @work(thread=True, exclusive=True, group="import")
    def run_preview(self, path: Path, deck_name: str | None) -> None:
        from mlcards import imports

        try:
            plan = imports.plan([path], deck_name=deck_name)
            result = imports.preview(self.worker_store(), plan)
        except MlcardsError as e:
            self.app.call_from_thread(self.show_error, str(e))
            return
        except Exception as e:  # an unexpected failure is shown, never a crash
            self.app.call_from_thread(self.show_error, f"{path}: {type(e).__name__}: {e}")
            return
        self.app.call_from_thread(self.show_preview, path, result)

    def worker_store(self) -> Store:
        return cast("MlcardsAppBase", self.app).worker_store()

    def show_error(self, message: str) -> None:
        self.preview_ok = False
        self.query_one("#import-preview", Static).update(
            Content.assemble(("Cannot import\n\n", "bold $error"), Content(safe_line(f"error: {message}")))
        )
        self.set_status(Content.styled("Fix the file and pick it again.", "$error"))
        self.refresh_bindings()

    def show_preview(self, path: Path, result: ImportResult) -> None:
        if path != self.previewed:
            return
        formats = " + ".join(dict.fromkeys(f.parsed.format for f in result.plan.files))
        again = self.imported is not None
        title = "Read again after the import: what importing it once more would change\n" if again else "What will change\n"
        parts: list[Content] = [Content.assemble((title, "bold"), Content(safe_line(f"{path.name} · {formats}")))]
        for r in result.decks:
            lines = [Content.assemble(plain_line(r.deck, "bold $accent"), " (new deck)" if r.created else "")]
            for label, items, style in (
                ("added", r.added, "$success"),
                ("updated", r.updated, "$warning"),
                ("unchanged", r.unchanged, "$text-muted"),
                ("kept, missing from the file", r.missing, "$text-muted"),
            ):
                if not items:
                    continue
                sample = ", ".join(items[:12]) + (f", … ({len(items) - 12} more)" if len(items) > 12 else "")
                lines.append(Content.assemble((f"  {len(items)} {label}: ", style), plain_line(sample)))
            parts.append(Content("\n").join(lines))
        for f in result.plan.files:
            for notice in f.parsed.notices:
                parts.append(Content.assemble(("note: ", "bold"), plain_line(notice)))
        entries = result.plan.history_entries
        if entries:
            parts.append(
                Content.assemble(
                    ("review log: ", "bold"),
                    f"{entries} Anki review-log entries; brought over only with 'with history' "
                    "(ctrl+r): statistics only, card schedules unchanged",
                )
            )
        self.query_one("#import-preview", Static).update(Content("\n\n").join(parts))
        # after an import, ctrl+y stays off unless the file changes something again (picking the file
        # again offers everything, the review log included)
        self.preview_ok = not again or any(r.created or r.added or r.updated for r in result.decks)
        self.show_history_toggle(entries if self.preview_ok else 0)
        self.pending = result.plan
        if self.imported is not None:  # read again after an import: says what importing it again would do
            self.set_status(self.imported)
            self.imported = None
        else:
            self.set_status(Content.assemble(("ctrl+y", "bold"), " imports it (one transaction: all or nothing) · Esc goes back"))
        self.refresh_bindings()

    # --- importing ---------------------------------------------------------------------------------

    def show_history_toggle(self, entries: int) -> None:
        """The "with history" toggle, shown (off) for a file carrying ``entries`` review-log entries."""
        box = self.query_one("#import-history", Checkbox)
        box.value = False
        box.label = f"with history: bring over {entries} Anki review-log entries"
        box.display = entries > 0

    def history_entries(self) -> int:
        return self.pending.history_entries if self.pending is not None and self.preview_ok else 0

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return self.preview_ok and not self.running
        if action == "toggle_history":
            return self.history_entries() > 0 and not self.running
        return True

    def action_toggle_history(self) -> None:
        if self.history_entries() and not self.running:
            self.query_one("#import-history", Checkbox).toggle()

    def action_confirm(self) -> None:
        if not self.preview_ok or self.running:
            return
        if self.deck_name() != self.previewed_deck and self.previewed is not None:
            self.notify("The deck name changed: showing what that import would change first.", timeout=4)
            self.preview(self.previewed)
            return
        self.running = True
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = True
        bar.update(total=100, progress=0)
        self.set_status(Content("Importing…"))
        self.refresh_bindings()
        assert self.pending is not None  # preview_ok
        with_history = self.history_entries() > 0 and self.query_one("#import-history", Checkbox).value
        self.run_import(self.pending, with_history)

    @work(thread=True, exclusive=True, group="import")
    def run_import(self, plan: Plan, with_history: bool) -> None:
        from mlcards import imports

        bar = self.query_one("#import-progress", ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, progress=100 * done / max(1, total))

        try:
            result = imports.apply(self.worker_store(), plan, with_history=with_history, progress=progress)
        except MlcardsError as e:
            self.app.call_from_thread(self.finish, None, str(e))
            return
        except Exception as e:  # an unexpected failure is shown (the transaction rolled back), never a crash
            self.app.call_from_thread(self.finish, None, f"{type(e).__name__}: {e}")
            return
        self.app.call_from_thread(self.finish, result, None)

    def finish(self, result: ImportResult | None, error: str | None) -> None:
        self.running = False
        self.preview_ok = False
        self.query_one("#import-history", Checkbox).display = False
        bar = self.query_one("#import-progress", ProgressBar)
        if error or result is None:
            bar.display = False
            self.show_error(error or "the import did not finish")
            return
        bar.update(progress=100)
        summary = "; ".join(r.summary() for r in result.decks)
        if result.history:
            summary += "; " + history_summary(result)
        done = Content.assemble(("Imported. ", "bold $success"), plain_line(summary))
        self.set_status(done)
        self.notify(f"Imported: {one_line(summary)}", timeout=5, markup=False)  # deck names are not markup
        self.refresh_bindings()
        self.action_refresh_files()  # an import may have written next to the file (a backup, a new file)
        if self.previewed is not None:  # the old preview is stale now: read the file against the new state
            self.imported = done
            self.preview(self.previewed, status=done)

    def set_status(self, content: Content) -> None:
        self.query_one("#import-status", Static).update(content)

    def action_focus_path(self) -> None:
        self.query_one("#import-path", Input).focus()

    def action_focus_tree(self) -> None:
        self.query_one("#import-tree", DeckTree).focus()

    def action_back(self) -> None:
        if self.running:
            self.notify("The import is still running; it finishes in a moment.", timeout=3)
            return
        self.app.pop_screen()


def history_summary(result: ImportResult) -> str:
    """How many review-log entries were brought over and how many were left (in the file, or skipped)."""
    if not result.with_history:
        return f"{result.history_left} Anki review-log entries left in the file (tick 'with history' to bring them over)"
    return f"{result.history_added} Anki review-log entries brought over, {result.history_left} left (already here or no matching card)"
