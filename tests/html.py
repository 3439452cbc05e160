"""A small HTML reader for view tests: find elements by tag and attributes, read their text.
Standard library only; enough for asserting what a page shows, not a full HTML5 parser."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    children: list["Element | str"] = field(default_factory=list)
    parent: "Element | None" = None

    @property
    def text(self) -> str:
        """The text content with whitespace collapsed, as a reader hears it."""
        parts: list[str] = []

        def walk(node: "Element | str") -> None:
            if isinstance(node, str):
                parts.append(node)
            else:
                for child in node.children:
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str | bool) -> list["Element"]:
        """Descendants with the tag and attributes; `True` means "present", `False` "absent".
        Attribute names use `_` for `-` (aria_disabled="true"), `class_` for `class`."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        found = []
        for element in self.iter():
            if tag is not None and element.tag != tag:
                continue
            if all(_matches(element.attrs, name, value) for name, value in wanted.items()):
                found.append(element)
        return found

    def find(self, tag: str | None = None, **attrs: str | bool) -> "Element | None":
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def by_id(self, element_id: str) -> "Element | None":
        return self.find(id=element_id)

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()


def _matches(attrs: dict, name: str, value) -> bool:
    if value is True:
        return name in attrs
    if value is False:
        return name not in attrs
    if name == "class":
        return value in (attrs.get("class") or "").split()
    return attrs.get(name) == value


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), parent=self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, dict(attrs), parent=self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(content) -> Element:
    """Parse a response, or its bytes or text."""
    content = getattr(content, "content", content)
    builder = _Builder()
    builder.feed(content.decode() if isinstance(content, bytes) else content)
    builder.close()
    return builder.root
