"""Links to scikit-learn, SciPy and matplotlib without downloading their inventories.

intersphinx needs the network at build time; this build must work without it.
These three projects publish one page per public class and function under a
fixed address pattern, so a reference such as
``:class:`~sklearn.pipeline.Pipeline``` can be resolved offline: the name must
exist in the installed package (so a typo is still a broken reference), and a
method or attribute links to its class's page, at its anchor. Anything else
falls through to Sphinx (and to ``nitpick_ignore_regex`` in ``conf.py``).
"""

import importlib
import inspect

from docutils import nodes

SITES = {
    "sklearn": "https://scikit-learn.org/stable/modules/generated/{}.html",
    "scipy": "https://docs.scipy.org/doc/scipy/reference/generated/{}.html",
    "matplotlib": "https://matplotlib.org/stable/api/_as_gen/{}.html",
}


def _lookup(name):
    """``(object, its parent)`` for a dotted name, or ``(None, None)``."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        parent = None
        try:
            for attr in parts[cut:]:
                parent, obj = obj, getattr(obj, attr)
        except AttributeError:
            return None, None
        return obj, parent
    return None, None


def url_for(name):
    """The address of ``name``'s page, or None when it is not one of ours to resolve."""
    site = SITES.get(name.split(".")[0])
    if site is None:
        return None
    obj, parent = _lookup(name)
    if obj is None or inspect.ismodule(obj):
        return None
    if inspect.isclass(obj) or inspect.ismodule(parent) or name.startswith("matplotlib."):
        return site.format(name)  # (matplotlib has a page per method too)
    # a method or attribute: the class's page, at the member's anchor
    return site.format(name.rsplit(".", 1)[0]) + "#" + name


def resolve(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    uri = url_for(target)
    if uri is None:
        return None
    ref = nodes.reference("", "", internal=False, refuri=uri, reftitle=target)
    ref.append(contnode)
    return ref


def setup(app):
    app.connect("missing-reference", resolve)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
