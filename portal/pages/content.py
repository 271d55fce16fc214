"""Information pages: Markdown files with TOML front matter, one folder per locale.

translations/<gettext locale>/pages/<slug>.md:

    +++
    title = "…"
    summary = "…"
    status = "unreviewed"          # source (nb only), reviewed or unreviewed
    source_hash = "0123456789abcdef"  # source_hash() of the Norwegian page it was made from
    +++
    Markdown with {{placeholders}} that the profile fills in.
"""

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

SOURCE = "nb"
# The order of the topics on the home page.
SLUGS = (
    "introduction-programme",
    "family-reunification",
    "settlement",
    "self-settlement",
    "secondary-settlement",
    "alternative-reception",
    "contact",
    "privacy",
    "accessibility",
)
# What a reader of a page can do next: the flows its text sends them to ("register", "book a
# time"), as (flow, booking topic or None). The page template shows them as buttons in the reader's
# language, so no translated text needs a link of its own.
PAGE_ACTIONS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "family-reunification": (("register", None), ("book", "family_reunification")),
    "introduction-programme": (("book", "introduction_programme"),),
    "self-settlement": (("book", None),),
    "contact": (("book", None),),
}
FRONT_MATTER_FENCE = "+++"
# Groups of digits with spaces, dots or dashes between them (51 91 40 20, 0032, 2024-06-01)
# would be reordered inside right-to-left text; they are isolated left to right.
DIGIT_GROUPS = re.compile(r"\d+(?:[ .\-/:]\d+)+")


def _isolate_digit_groups(state) -> None:
    """markdown-it core rule: wrap digit groups of text tokens in <bdi dir="ltr">."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = []
        for token in block.children:
            if token.type != "text" or not DIGIT_GROUPS.search(token.content):
                children.append(token)
                continue
            position = 0
            for match in DIGIT_GROUPS.finditer(token.content):
                children.append(_text(token.content[position : match.start()]))
                children.append(_html('<bdi dir="ltr">'))
                children.append(_text(match.group(0)))
                children.append(_html("</bdi>"))
                position = match.end()
            children.append(_text(token.content[position:]))
        block.children = [child for child in children if child.content or child.type != "text"]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _html(content: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = content
    return token


_markdown = MarkdownIt("commonmark", {"html": False, "typographer": False})
_markdown.core.ruler.push("isolate_digit_groups", _isolate_digit_groups)


class PageFormatError(ValueError):
    """A page file does not have the expected front matter."""


@dataclass(frozen=True)
class PageFile:
    """A page file as stored on disk."""

    title: str
    summary: str
    status: str
    source_hash: str | None
    body: str


@dataclass(frozen=True)
class Page:
    """A page as shown to a reader of one locale."""

    slug: str
    title: str
    summary: str
    body_html: str  # Markdown rendered, placeholders not yet filled
    status: str  # source, reviewed, unreviewed, outdated or missing
    content_locale: str  # the gettext locale the text is written in (nb when missing)
    actions: tuple[tuple[str, str | None], ...] = ()  # PAGE_ACTIONS


def parse_page(text: str) -> PageFile:
    """Split front matter and body; refuse files without title, summary and status."""
    if not text.startswith(FRONT_MATTER_FENCE):
        raise PageFormatError("a page must start with +++ front matter")
    try:
        _, front, body = text.split(FRONT_MATTER_FENCE, 2)
        meta = tomllib.loads(front)
        return PageFile(
            title=meta["title"],
            summary=meta["summary"],
            status=meta["status"],
            source_hash=meta.get("source_hash"),
            body=body.strip(),
        )
    except (ValueError, KeyError) as error:
        raise PageFormatError(f"bad front matter: {error}") from error


def source_hash(page: PageFile) -> str:
    """Fingerprint of what a translator translates: title, summary and body."""
    material = f"{page.title}\n{page.summary}\n\n{page.body}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


class PageLibrary:
    """Reads and renders pages from one translations folder; results are cached per process."""

    def __init__(self, root: str):
        self.root = Path(root)
        self._cached_page = lru_cache(maxsize=512)(self._load)

    def path(self, gettext_locale: str, slug: str) -> Path:
        return self.root / gettext_locale / "pages" / f"{slug}.md"

    def read(self, gettext_locale: str, slug: str) -> PageFile | None:
        path = self.path(gettext_locale, slug)
        if not path.is_file():
            return None
        return parse_page(path.read_text(encoding="utf-8"))

    def status(self, gettext_locale: str, slug: str) -> str:
        """source / reviewed / unreviewed / outdated / missing for one translation."""
        page = self.read(gettext_locale, slug)
        if page is None:
            return "missing"
        if gettext_locale == SOURCE or page.status == "source":
            return "source"
        source = self.read(SOURCE, slug)
        if source is not None and page.source_hash != source_hash(source):
            return "outdated"
        return page.status

    def get(self, gettext_locale: str, slug: str) -> Page | None:
        """The page for a reader of gettext_locale; None for an unknown slug."""
        if slug not in SLUGS:
            return None
        return self._cached_page(gettext_locale, slug)

    def clear(self) -> None:
        self._cached_page.cache_clear()

    def _load(self, gettext_locale: str, slug: str) -> Page | None:
        status = self.status(gettext_locale, slug)
        content_locale = SOURCE if status == "missing" else gettext_locale
        page = self.read(content_locale, slug)
        if page is None:
            return None
        return Page(
            slug=slug,
            title=page.title,
            summary=page.summary,
            body_html=_markdown.render(page.body),
            status=status,
            content_locale=content_locale,
            actions=PAGE_ACTIONS.get(slug, ()),
        )
