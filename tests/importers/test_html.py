"""HTML field text to plain text (used by Anki text files with #html:true and by .apkg notes)."""

from __future__ import annotations

import pytest

from mlcards.importers._html import html_to_text, looks_like_html


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("one<br>two<br/>three", "one\ntwo\nthree"),
        ("a<br><br>b", "a\n\nb"),
        ("<div>first</div><div>second</div>", "first\nsecond"),
        ("x &amp; y &lt;z&gt; &quot;q&quot; &#8364;5 &euro;6", 'x & y <z> "q" €5 €6'),
        ("<b>bold</b> and <i>italic</i>", "bold and italic"),
        ("<ul><li>one</li><li>two</li></ul>after", "- one\n- two\nafter"),
        ("  lots \n of\t\tspace  ", "lots of space"),
        ("<script>alert('x')</script>shown<style>p{}</style>", "shown"),
        ('<img src="cat.jpg"> caption [sound:meow.mp3]', "caption"),
        ("&nbsp;padded&nbsp;", "padded"),
        ("plain text without markup", "plain text without markup"),
        ("<p>unclosed <b>tag", "unclosed tag"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_handlers_in_markup_are_never_run() -> None:
    # Attributes are dropped with their tags; nothing is evaluated or fetched.
    out = html_to_text('<a href="javascript:alert(1)" onclick="boom()">link</a><iframe src="http://x"></iframe>')
    assert out == "link"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a<br>b", True), ("x &amp; y", True), ("<div>z</div>", True), ("a < b and c > d", False), ("AT&T", False)],
)
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected
