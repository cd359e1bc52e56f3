"""The package's shape: no import cycles between skgen modules (imports inside
functions included), small modules, small estimator facades."""

import ast
import io
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "skgen"
MAX_MODULE_CODE_LINES = 400
MAX_ESTIMATOR_CODE_LINES = 300


def _module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules():
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(importer, is_package, node):
    """The skgen modules an import statement (anywhere in the file) loads."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = importer if is_package else importer.rpartition(".")[0]
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    target = (base + "." + node.module if node.module else base) if node.level else node.module
    # "from package import name" may load a submodule called name.
    return [target] + [f"{target}.{alias.name}" for alias in node.names]


def import_graph():
    """``{module: {modules it imports}}``. Importing ``a.b.c`` also runs the
    ``__init__`` of every package above it that does not contain the
    importer (a sibling inside a package does not re-enter its package);
    the root package ``skgen`` is left out: it imports nothing eagerly."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for target in _resolve(name, is_package, node):
                if target not in modules or target == "skgen":
                    continue
                edges.add(target)
                parts = target.split(".")
                for depth in range(2, len(parts)):
                    package = ".".join(parts[:depth])
                    if not (name == package or name.startswith(package + ".")):
                        edges.add(package)
        edges.discard(name)
        graph[name] = edges
    return graph


def find_cycle(graph):
    """One import cycle as a list of modules, or None."""
    state = {}
    stack = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def code_lines(source):
    """Line numbers holding code: not blank, not comments, not docstrings."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                docstrings.update(range(first.lineno, first.end_lineno + 1))
    lines = set()
    skipped = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skipped:
            lines.update(range(token.start[0], token.end[0] + 1))
    return lines - docstrings, tree


def test_there_is_no_import_cycle():
    graph = layered_graph()
    assert graph["skgen.gan"] >= {"skgen._tabular._kind", "skgen._core._base"}  # the graph sees the imports
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function():
    source = "def later():\n    from ..gan import GANSampler\n"
    graph = import_graph()
    node = ast.parse(source).body[0].body[0]
    graph["skgen._io._registry"] = graph["skgen._io._registry"] | set(_resolve("skgen._io._registry", False, node))
    graph["skgen._io._registry"] &= set(graph)
    assert find_cycle(graph) is not None


@pytest.mark.parametrize("name", sorted(_modules()))
def test_modules_stay_small(name):
    lines, _ = code_lines(_modules()[name].read_text())
    assert len(lines) <= MAX_MODULE_CODE_LINES, f"{name} has {len(lines)} code lines"


@pytest.mark.parametrize("module, cls", [("gan", "GANSampler"), ("autoencoder", "AutoencoderTransformer")])
def test_estimator_facades_stay_small(module, cls):
    lines, tree = code_lines((PACKAGE / f"{module}.py").read_text())
    (node,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls]
    body = [line for line in lines if node.lineno <= line <= node.end_lineno]
    assert len(body) < MAX_ESTIMATOR_CODE_LINES, f"{cls} has {len(body)} code lines"


# The layers, bottom first: a module imports only from its own layer and the layers below
# (imports inside functions included). docs/architecture.rst draws the same table; a test
# below holds the two together.
LAYERS = {
    "io": ["_io", "_version"],
    "core": ["_core", "_distributed"],
    "metrics": ["metrics", "_image_metrics"],
    "training": ["_nets", "_privacy", "_modules", "_data", "_callbacks", "_progress"],
    "data kinds": ["_gan_kind", "_tabular", "_images", "constraints", "_autoencoder", "_sample_stream",
                   "_sampling_strategy"],
    "estimators": ["autoencoder", "gan", "oversampling"],
    "public API": ["__init__", "__main__", "cli", "_show_versions"],
}


# Imports that shims for old pickles make (one name each, looked up lazily), with the version that
# removes them; neither the layer check nor the cycle check counts them.
SHIM_IMPORTS = {("skgen._data", "skgen._tabular._datasets"): "0.5.0"}


def layered_graph():
    """:func:`import_graph` without the shims' imports (and the package import each implies)."""
    graph = import_graph()
    for (module, target), _ in SHIM_IMPORTS.items():
        graph[module] = {t for t in graph[module] if t != target and not target.startswith(t + ".")}
    return graph


def _top_level(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer_of():
    return {name: depth for depth, names in enumerate(LAYERS.values()) for name in names}


def test_every_top_level_module_has_a_layer():
    names = {_top_level(m) for m in _modules()}
    assert names == set(_layer_of()), f"not in LAYERS: {names - set(_layer_of())}; gone: {set(_layer_of()) - names}"


def test_no_module_imports_a_higher_layer():
    depth = _layer_of()
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in layered_graph().items()
        for target in targets
        if depth[_top_level(target)] > depth[_top_level(module)]
    )
    assert not upward, "imports going up a layer:\n" + "\n".join(upward)


def test_the_layer_check_sees_an_upward_import():
    graph = import_graph()
    graph["skgen._io._json"] = graph["skgen._io._json"] | {"skgen.constraints"}
    depth = _layer_of()
    assert any(depth[_top_level(t)] > depth[_top_level(m)] for m, ts in graph.items() for t in ts)


def _documented_layers():
    """``{label: set of file names}`` from the layer diagram of docs/architecture.rst."""
    text = (PACKAGE.parent / "docs" / "architecture.rst").read_text()
    block = text.split(".. code-block:: text", 1)[1].split("\n\n", 2)[1]
    layers, label = {}, None
    for line in block.splitlines():
        head = line[4:17].strip()
        if head and head != "|":
            label = head
        if label is not None:
            layers.setdefault(label, set()).update(
                token for token in line[17:].split() if token.endswith((".py", "/")))
    return layers


def test_the_architecture_page_draws_the_same_layers():
    modules = _modules()

    def file_name(name):
        return "__init__.py" if name == "__init__" else (f"{name}/" if f"skgen.{name}" in modules and
                                                         modules[f"skgen.{name}"].name == "__init__.py" else
                                                         f"{name}.py")

    documented = _documented_layers()
    assert list(documented) == list(reversed(LAYERS)), list(documented)
    for label, names in LAYERS.items():
        assert documented[label] == {file_name(n) for n in names}, label
