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
    graph = import_graph()
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
