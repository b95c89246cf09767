"""Imports go down the declared order of features (survey/floors.py), and no packages (nor
the modules of one package) import each other in a cycle. Every module under survey/ is
parsed, never imported, so nothing runs; an import inside a function or under
``if TYPE_CHECKING`` counts like any other."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import survey
from survey.floors import FLOORS

SURVEY_DIR = Path(survey.__file__).resolve().parent


def _module_name(path: Path, root: Path) -> str:
    parts = (root.name, *path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(tree: ast.Module, module: str, is_package: bool):
    """(line, dotted name) of each module this one imports from the app package; for
    ``from a import b`` the name is ``a.b`` (b may be a module) and the test reads ``a``'s
    floor when ``a.b`` is no module."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def _resolve(name: str, modules: set[str]) -> str | None:
    """The longest known module ``name`` starts with, or None outside the app package."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _top(module: str) -> str:
    """The top-level name under the app package: ``survey.targets.forms`` → ``targets``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _node(module: str, packages: set[str]) -> str:
    """What a cycle is counted between: the package a module belongs to (its __init__ belongs
    to the package itself); a top-level module such as ``survey.db`` stands for itself."""
    if module in packages or module.count(".") == 1:
        return module
    return module.rpartition(".")[0]


def _cycles(edges: dict[str, dict[str, tuple[str, int]]]) -> list[list[str]]:
    """Strongly connected groups of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def layer_problems(root: Path, floors=FLOORS) -> list[str]:
    """Every import that goes up a floor, every top-level name without a floor, and every
    package cycle, each as ``path:line: what``."""
    floor = {name: number for number, (_, names) in enumerate(floors) for name in names}
    floor_name = {number: name for number, (name, _) in enumerate(floors)}
    paths = sorted(root.rglob("*.py"))
    modules = {_module_name(path, root): path for path in paths}
    packages = {_module_name(path, root) for path in paths if path.name == "__init__.py"}
    known = set(modules)
    problems: list[str] = []
    # package → imported package → (path, line) of the first import that makes the edge;
    # the same between the modules of one package
    edges: dict[str, dict[str, tuple[str, int]]] = {}
    module_edges: dict[str, dict[str, tuple[str, int]]] = {}
    for module, path in modules.items():
        shown = path.relative_to(root.parent)
        source_top = _top(module)
        if source_top not in floor:
            problems.append(f"{shown}:1: survey.{source_top} has no floor in survey/floors.py")
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        seen = set()
        for line, name in _imported_modules(tree, module, module in packages):
            target = _resolve(name, known)
            if target is None or (line, target) in seen:
                continue
            seen.add((line, target))
            target_top = _top(target)
            if floor.get(target_top, -1) > floor[source_top]:
                problems.append(
                    f"{shown}:{line}: {module} (floor {floor_name[floor[source_top]]}) imports"
                    f" {target} from the higher floor {floor_name[floor[target_top]]}"
                )
            source_node, target_node = _node(module, packages), _node(target, packages)
            if source_node != target_node:
                edges.setdefault(source_node, {}).setdefault(target_node, (shown, line))
            elif target != module:
                module_edges.setdefault(module, {}).setdefault(target, (shown, line))
    for group in _cycles(edges):
        links = [
            f"{where[0]}:{where[1]}: {source} imports {target}"
            for source in group
            for target, where in sorted(edges[source].items())
            if target in group
        ]
        problems.append("package cycle " + " ↔ ".join(group) + "\n  " + "\n  ".join(links))
    for group in _cycles(module_edges):
        links = [
            f"{where[0]}:{where[1]}: {source} imports {target}"
            for source in group
            for target, where in sorted(module_edges[source].items())
            if target in group
        ]
        problems.append("module cycle " + " ↔ ".join(group) + "\n  " + "\n  ".join(links))
    return problems


def test_imports_go_down_the_floors():
    problems = layer_problems(SURVEY_DIR)
    assert not problems, "\n".join(problems)


def test_every_floor_name_is_placed_once():
    names = [name for _, members in FLOORS for name in members]
    assert len(names) == len(set(names)), names
    on_disk = {
        path.stem if path.is_file() else path.name
        for path in SURVEY_DIR.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").is_file()
    }
    assert on_disk <= set(names), on_disk - set(names)


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "survey"
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


TOY_FLOORS = (
    ("core", ("db",)),
    ("agencies", ("agencies",)),
    ("accounts", ("accounts",)),
    ("reports and follow-up", ("reports", "followup")),
    ("app", ("survey",)),
)


def test_the_layer_test_passes_a_tree_that_imports_down(tmp_path):
    root = _tree(
        tmp_path,
        {
            "__init__.py": "from survey.accounts import models\n",
            "db.py": "",
            "agencies/__init__.py": "",
            "agencies/models.py": "from survey.db import Base\n",
            "accounts/__init__.py": "",
            "accounts/models.py": "from survey.agencies.models import Agency\n",
            "accounts/views.py": "from . import forms\n",
            "accounts/forms.py": "from .models import User\n",
            "reports/__init__.py": "",
            "reports/views.py": "from survey.followup import queries\n",
            "followup/__init__.py": "",
            "followup/queries.py": "import survey.accounts.models\n",
        },
    )
    assert layer_problems(root, TOY_FLOORS) == []


def test_the_layer_test_fails_on_an_import_from_a_higher_floor(tmp_path):
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "db.py": "",
            "agencies/__init__.py": "",
            "agencies/queries.py": """\
                from survey.db import Base


                def scope(user):
                    from survey.accounts.models import User  # hidden in a function: still counts

                    return User
            """,
            "accounts/__init__.py": "",
            "accounts/models.py": "",
        },
    )
    problems = layer_problems(root, TOY_FLOORS)
    assert len(problems) == 1, problems
    assert problems[0].startswith("survey/agencies/queries.py:5: survey.agencies.queries"), problems
    assert "higher floor accounts" in problems[0]


def test_the_layer_test_fails_on_a_package_cycle_on_one_floor(tmp_path):
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "reports/__init__.py": "",
            "reports/views.py": "from survey.followup.queries import open_items\n",
            "followup/__init__.py": "",
            "followup/queries.py": "\n\nfrom survey.reports import views\n",
        },
    )
    problems = layer_problems(root, TOY_FLOORS)
    assert len(problems) == 1, problems
    assert problems[0].startswith("package cycle survey.followup ↔ survey.reports"), problems
    assert "survey/followup/queries.py:3: survey.followup imports survey.reports" in problems[0]
    assert "survey/reports/views.py:1: survey.reports imports survey.followup" in problems[0]


def test_the_layer_test_fails_on_a_cycle_between_subpackages(tmp_path):
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "accounts/__init__.py": "",
            "accounts/public/__init__.py": "from survey.accounts.admin import views\n",
            "accounts/admin/__init__.py": "",
            "accounts/admin/views.py": "from ..public import forms\n",
            "accounts/public/forms.py": "",
        },
    )
    problems = layer_problems(root, TOY_FLOORS)
    assert len(problems) == 1, problems
    assert "survey.accounts.admin ↔ survey.accounts.public" in problems[0]
    assert "survey/accounts/admin/views.py:1:" in problems[0]


def test_the_layer_test_fails_on_a_cycle_between_the_modules_of_one_package(tmp_path):
    # Today's shape before the responses split: the blueprint module imported its page
    # modules so that their routes registered, and they imported it back.
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "accounts/__init__.py": "",
            "accounts/respondent.py": "respond = 1\nfrom survey.accounts import open_link_views\n",
            "accounts/open_link_views.py": "from survey.accounts import respondent as pages\n",
        },
    )
    problems = layer_problems(root, TOY_FLOORS)
    assert len(problems) == 1, problems
    assert problems[0].startswith(
        "module cycle survey.accounts.open_link_views ↔ survey.accounts.respondent"
    ), problems
    assert "survey/accounts/respondent.py:2: survey.accounts.respondent imports" in problems[0]


def test_the_layer_test_fails_on_a_package_without_a_floor(tmp_path):
    root = _tree(tmp_path, {"__init__.py": "", "scores/__init__.py": ""})
    problems = layer_problems(root, TOY_FLOORS)
    assert problems == [
        "survey/scores/__init__.py:1: survey.scores has no floor in survey/floors.py"
    ], problems
