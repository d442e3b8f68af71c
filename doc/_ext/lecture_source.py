"""``:source:`` links: from a formula in the docs to the line of code that computes it.

Usage in reStructuredText::

    :source:`_mlp.py|e = np.subtract(Y, Yhat`

finds the one line of ``sklearn_lecture/_mlp.py`` that contains the text after
``|``, and links to that line of the module's highlighted source page (written by
:mod:`sphinx.ext.viewcode`, which works offline). The link reads ``_mlp.py:175``.
An explicit title is allowed: ``:source:`the update <_optimizers.py|theta -= alpha>```.

Lines are found by their text, not their number, so the links follow the code
as it changes; a text that matches no line, or more than one, is a warning
(an error under ``sphinx-build -W``). A linked module gets its source page even
when none of its objects is documented (the private modules where the lecture's
formulas live are not in the API reference).

The extension also gives every line of viewcode's pages an anchor
(``id="line-N"``), which the links point to.
"""

from pathlib import Path

from docutils import nodes
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging
from sphinx.util.nodes import split_explicit_title

logger = logging.getLogger(__name__)

PACKAGE = "sklearn_lecture"
PACKAGE_DIR = Path(__file__).resolve().parents[2] / PACKAGE


def find_line(path, needle):
    """The 1-based number of the one line of ``path`` that contains ``needle``.

    Raises ValueError when no line, or more than one, contains it.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if needle in line]
    if len(hits) != 1:
        where = "no line" if not hits else f"{len(hits)} lines ({', '.join(map(str, hits))})"
        raise ValueError(
            f"{needle!r} is on {where} of {path.name}: make the text match exactly one line"
        )
    return hits[0]


def source_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    env = inliner.document.settings.env
    has_title, title, target = split_explicit_title(text)
    filename, sep, needle = target.partition("|")
    if not sep or not needle:
        msg = inliner.reporter.warning(
            f":source: needs 'file.py|text on the line', got {text!r}", line=lineno
        )
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    path = PACKAGE_DIR / filename
    try:
        line = find_line(path, needle)
    except (OSError, ValueError) as exc:
        msg = inliner.reporter.warning(f":source: {exc}", line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    module = PACKAGE + "." + filename.removesuffix(".py").replace("/", ".")
    page = "_modules/" + module.replace(".", "/")
    depth = env.docname.count("/")
    uri = "../" * depth + page + ".html#line-" + str(line)
    env.lecture_source_links = getattr(env, "lecture_source_links", set())
    env.lecture_source_links.add((env.docname, lineno, page, line))
    label = title if has_title else f"{filename}:{line}"
    node = nodes.reference(rawtext, "", nodes.literal(label, label), refuri=uri,
                           classes=["lecture-source"])
    return [node], []


def add_line_anchors(app):
    """Before viewcode highlights the modules: one anchor per line, ``id="line-N"``.

    Runs at html-collect-pages, after every document page has been written, so
    only viewcode's module pages get the anchors.
    """
    highlighter = getattr(app.builder, "highlighter", None)
    if highlighter is not None:
        highlighter.formatter_args["lineanchors"] = "line"
        highlighter.formatter_args["anchorlinenos"] = False
    return []


def register_source_pages(app, env):
    """Ask viewcode for the source page of every module a :source: link points to.

    viewcode writes pages only for modules with a documented object; the links also
    point into private modules. Runs after reading, so it holds in incremental builds.
    """
    modules = env.__dict__.setdefault("_viewcode_modules", {})
    for _docname, _lineno, page, _line in getattr(env, "lecture_source_links", ()):
        modname = page.removeprefix("_modules/").replace("/", ".")
        if not modules.get(modname):
            analyzer = ModuleAnalyzer.for_module(modname)
            analyzer.find_tags()
            modules[modname] = (analyzer.code, analyzer.tags, {}, modname)
    return []


def check_links(app, exception):
    """Every :source: link must land on a page viewcode wrote, on an existing line."""
    if exception is not None or app.builder.format != "html":
        return
    for docname, lineno, page, line in sorted(getattr(app.env, "lecture_source_links", ())):
        html = Path(app.outdir) / (page + ".html")
        if not html.exists():
            logger.warning(
                f":source: links to {page}.html, which viewcode did not write: document "
                f"an object of that module (autodoc) so that its source page exists",
                location=(docname, lineno),
            )
        elif f'id="line-{line}"' not in html.read_text(encoding="utf-8"):
            logger.warning(f":source: {page}.html has no line {line}",
                           location=(docname, lineno))


def purge(app, env, docname):
    links = getattr(env, "lecture_source_links", None)
    if links:
        env.lecture_source_links = {link for link in links if link[0] != docname}


def merge(app, env, docnames, other):
    links = getattr(other, "lecture_source_links", set())
    env.lecture_source_links = getattr(env, "lecture_source_links", set()) | links


def setup(app):
    app.add_role("source", source_role)
    app.connect("html-collect-pages", add_line_anchors, priority=100)
    app.connect("env-updated", register_source_pages)
    app.connect("build-finished", check_links)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
