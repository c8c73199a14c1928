"""HTML field text (Anki notes, ``#html:true`` text files) to plain text.

Parsed with the standard library's ``html.parser``: nothing is fetched, rendered or executed.
Entities are decoded, ``<br>`` and block elements become line breaks, list items become ``- ``
lines, every other tag is dropped, ``<script>``/``<style>`` content is discarded, and Anki's
``[sound:...]`` media references are removed (media is not imported).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = frozenset(
    "address article aside blockquote dd details div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody thead tfoot tr ul".split()
)
_SKIP = frozenset({"script", "style", "head", "title", "template"})
_WS = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_SOUND = re.compile(r"\[sound:[^\[\]\n]*\]")  # "[" excluded: a scan stops at the next one (linear)
_MANY_BREAKS = re.compile(r"\n{3,}")
_LOOKS_HTML = re.compile(
    r"</?(?:br|div|p|b|i|u|s|em|strong|span|font|img|a|ul|ol|li|sub|sup|hr|code|pre|table|tr|td|th|h[1-6])\b[^<>]*>"
    r"|&(?:[a-zA-Z]{2,8}|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});",
    re.IGNORECASE,
)


_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")  # [^<>]: a scan stops at the next "<", so scans never overlap
_DECLARATION = re.compile(r"<[!?][^<>]*>")


def _defuse(html: str) -> str:
    """The HTML with every ``<`` that opens no complete tag, comment or declaration written as ``&lt;``.

    ``html.parser`` rescans the rest of the input at each ``<`` it cannot finish (50 KB of ``<a ``
    took 40 s, of unclosed ``<!--`` 6 s); after this pass every ``<`` it meets closes nearby. This
    pass is linear: each ``<`` is looked at once, and a missing ``-->`` is searched for only once.
    """
    out: list[str] = []
    i = 0
    comments_close = True  # until a search for "-->" fails: then none closes further on either
    while True:
        j = html.find("<", i)
        if j == -1:
            out.append(html[i:])
            return "".join(out)
        out.append(html[i:j])
        if html.startswith("<!--", j):
            k = html.find("-->", j + 4) if comments_close else -1
            if k != -1:
                out.append(html[j : k + 3])
                i = k + 3
                continue
            comments_close = False
        else:
            m = _TAG.match(html, j) or _DECLARATION.match(html, j)
            if m:
                out.append(m.group())
                i = m.end()
                continue
        out.append("&lt;")
        i = j + 1


def looks_like_html(text: str) -> bool:
    """Does this text contain common HTML tags or entities? (Anki's fallback when ``#html`` is absent.)"""
    return bool(_LOOKS_HTML.search(text))


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0
        # does the text so far end with a line break (ignoring spaces)? None: no text yet. Kept as
        # parts are added, so a block boundary costs O(1) (rescanning the parts made <p> x 50,000
        # quadratic).
        self._ends_with_break: bool | None = None

    def _add(self, part: str) -> None:
        self.parts.append(part)
        if part.strip(" "):
            self._ends_with_break = part.endswith("\n")

    def _newline(self) -> None:
        self._add("\n")

    def _block(self) -> None:
        """A block boundary: a line break unless the text already ends with one."""
        if self._ends_with_break is False:
            self._add("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
        elif tag == "br":
            self._newline()
        elif tag == "li":
            self._block()
            self._add("- ")
        elif tag in _BLOCK:
            self._block()
        elif tag in ("td", "th"):
            self._add(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._newline()
        elif tag in _BLOCK:
            self._block()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK:
            self._block()

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._add(_WS.sub(" ", data))


def html_to_text(value: str) -> str:
    """Plain text of an HTML fragment: whitespace collapsed as a browser would, line breaks kept."""
    if "<" not in value and "&" not in value:
        text = _WS.sub(" ", value)
    else:
        parser = _TextExtractor()
        parser.feed(_defuse(value))
        parser.close()
        text = "".join(parser.parts)
    if "[sound:" in text:
        text = _SOUND.sub("", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return _MANY_BREAKS.sub("\n\n", "\n".join(lines)).strip()
