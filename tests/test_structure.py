"""The layout the README promises: dependencies point one way, and each trainer reads in few files."""

import ast
from pathlib import Path

import pytest

from tests.helpers import REPO

PROBLEMS = ("p1_dcgan", "p2_acgan", "p3_dann", "bonus_uda")


def module_file(name: str) -> Path | None:
    """The project file of module `name` (package or module), None for anything outside the project."""
    path = REPO.joinpath(*name.split("."))
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    return path.with_suffix(".py") if path.with_suffix(".py").is_file() else None


def is_main_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)


def walk(node: ast.AST):
    """ast.walk, leaving out `if __name__ == "__main__":` blocks (a model file's command line, not its import)."""
    yield node
    for child in ast.iter_child_nodes(node):
        if not is_main_block(child):
            yield from walk(child)


def imports(file: Path) -> set[Path]:
    """Project files `file` imports, at module level or inside functions, packages on the way included."""
    found = set()
    for node in walk(ast.parse(file.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            found |= {f for i in range(1, len(parts) + 1) if (f := module_file(".".join(parts[:i])))}
    return found


def closure(file: Path) -> set[Path]:
    seen, todo = set(), [file]
    while todo:
        f = todo.pop()
        if f not in seen:
            seen.add(f)
            todo += imports(f) - seen
    return seen


def has_code(file: Path) -> bool:
    """False for a package marker holding only its docstring."""
    return any(
        not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)) for n in ast.parse(file.read_text()).body
    )


def test_common_imports_no_problem_folder_and_problems_not_each_other():
    for file in REPO.glob("common/**/*.py"):
        assert not {f.parts[len(REPO.parts)] for f in imports(file)} - {"common"}, file
    for problem in PROBLEMS:
        for file in (REPO / problem).glob("*.py"):
            assert not {f.parts[len(REPO.parts)] for f in imports(file)} - {"common", problem}, file


@pytest.mark.parametrize("problem", PROBLEMS)
def test_a_trainer_reads_in_at_most_ten_project_files(problem):
    files = sorted(str(f.relative_to(REPO)) for f in closure(REPO / problem / "train.py") if has_code(f))
    assert len(files) <= 10, files
