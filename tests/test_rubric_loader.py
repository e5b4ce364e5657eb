"""How rubrics are loaded is passed in (``RubricLoader``), to worker processes too; never set."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner

from lianchuang_cli.batching import engine
from lianchuang_cli.batching.engine import grade_batch
from lianchuang_cli.caching import cache_trust, rubric_cache
from lianchuang_cli.caching.rubric_cache import RubricCache
from lianchuang_cli.commands.cli import main
from lianchuang_cli.grading import rubrics
from lianchuang_cli.grading.expectations import Trees, check_example
from lianchuang_cli.grading.rubrics import PLAIN, RubricLoader
from lianchuang_cli.lint import engine as lint_engine
from tests.conftest import EXAMPLES, ROOT, RUBRICS

VILLAGES = [
    str(EXAMPLES / "village" / name) for name in ("taoyuan_excellent.yaml", "hexi_vetoed.yaml")
]
MARKED_TITLE = "细则缓存中的标题"


@pytest.fixture
def forget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing loaded yet in this process (as at the start of a run)."""
    monkeypatch.setattr(rubrics, "_loaded", {})


def marked_cache(folder: Path) -> RubricLoader:
    """A loader whose cache holds the village rubric under another title (sealed as genuine), so
    that a result graded from the cache shows it: checking the rubric again would not."""
    loader = RubricLoader(RubricCache(folder))
    loaded = loader.load(RUBRICS / "village.yaml")
    entry = rubric_cache._entry(folder, loaded.sha256)
    data = loaded.rubric.model_copy(update={"title": MARKED_TITLE}).model_dump_json().encode()
    key = cache_trust.folder_key(folder)
    assert key is not None
    mark = cache_trust.seal(key, loaded.sha256.encode(), data)
    entry.write_bytes(mark.hex().encode() + b"\n" + data)
    rubrics._loaded.clear()
    return RubricLoader(RubricCache(folder))


def titles(loader: RubricLoader, jobs: int) -> list[str]:
    with grade_batch(VILLAGES, jobs=jobs, loader=loader) as graded:
        return [ranked.result.rubric_title for ranked in graded.results()]


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_load_through_the_loader_they_are_given(
    method: str, forget: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers, forked or spawned (Windows), take the rubric from the loader's cache instead of
    checking it again, and grade as this process does."""
    monkeypatch.setattr(engine, "START_METHOD", method)
    loader = marked_cache(tmp_path)
    assert titles(loader, jobs=2) == [MARKED_TITLE] * 2
    rubrics._loaded.clear()
    assert titles(loader, jobs=1) == [MARKED_TITLE] * 2
    assert MARKED_TITLE not in titles(PLAIN, jobs=1)  # plain loading: the file, checked


def test_a_loader_travels_as_its_cache_folder(tmp_path: Path) -> None:
    """Pickling keeps the folder and leaves the run's own state (its key, its counts) behind."""
    cache = RubricCache(tmp_path)
    cache._rejected = 3
    again = pickle.loads(pickle.dumps(RubricLoader(cache)))
    assert again.cache is not None
    assert again.cache.folder == tmp_path
    assert again.notices() == []
    assert pickle.loads(pickle.dumps(PLAIN)).cache is None


def no_checks(*args: object, **kwargs: object) -> None:
    raise AssertionError("a rubric was checked again although the loader's cache holds it")


COUNTY = EXAMPLES / "county-demo"
COMMANDS = [
    ["score", str(EXAMPLES / "village" / "taoyuan_excellent.yaml")],
    ["score", VILLAGES[0], "--rubric", "village", "--format", "json"],
    ["batch", str(EXAMPLES / "village"), "--quota", "优秀=50", "--format", "csv"],
    ["validate", VILLAGES[0]],
    ["rubric", "show", "township"],
    ["schema", "county"],
    ["diff", "village", "village"],
    ["grade-tree", str(COUNTY), "--previous", str(COUNTY / "last-year-2025.json")],
]


def test_with_a_warm_cache_no_command_checks_a_rubric_again(
    forget: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every rubric a command loads comes through the run's loader (none is loaded plainly on
    the side): with the loader's cache warm, no command runs the checks."""
    loader = RubricLoader(RubricCache(tmp_path))
    for level in ("village", "township", "county"):
        loader.load(RUBRICS / f"{level}.yaml")
    rubrics._loaded.clear()
    monkeypatch.setattr(lint_engine, "lint_file", no_checks)
    pack = str(tmp_path / "pack")
    publishing = [
        ["publish", str(EXAMPLES / "village"), "-o", pack, "--jobs", "1"],
        ["verify", pack, "--jobs", "1"],
    ]
    for args in [*COMMANDS, *publishing]:
        done = CliRunner().invoke(main, args, obj=loader)
        assert done.exception is None or isinstance(done.exception, SystemExit), args
        assert done.exit_code in (0, 1), (args, done.output)
    # ``check --examples`` checks the rubric files it is given, by design; its examples do not.
    trees: Trees = {}
    for example in (VILLAGES[0], COUNTY / "county.yaml"):
        assert check_example(Path(example), trees, loader) == ()


COMMANDS_DIR = ROOT / "src" / "lianchuang_cli" / "commands"


def core_modules(tree: ast.Module) -> set[str]:
    """Names a command module binds to a module of the core (``from lianchuang_cli.x import y``
    where ``y`` is a module, or ``import lianchuang_cli.x as y``)."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lianchuang_cli"):
            for alias in node.names:
                module = f"{node.module}.{alias.name}"
                path = ROOT / "src" / Path(*module.split("."))
                if path.with_suffix(".py").is_file() or path.is_dir():
                    bound.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            bound.update(a.asname or a.name for a in node.names if a.name.startswith("lianchuang"))
    return bound


def test_commands_never_set_state_of_the_core() -> None:
    """The command line passes what it decides (the rubric loader, options) down as arguments:
    no command module assigns to a core module's attribute or calls a setter on one."""
    found = []
    for path in sorted(COMMANDS_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = core_modules(tree)
        for node in ast.walk(tree):
            line = getattr(node, "lineno", 0)
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id in modules
                ):
                    found.append(f"{path.name}:{line} assigns {target.value.id}")
            if isinstance(node, ast.Call):
                call = node.func
                if isinstance(call, ast.Name) and call.id == "setattr" and node.args:
                    first = node.args[0]
                    if isinstance(first, ast.Name) and first.id in modules:
                        found.append(f"{path.name}:{line} setattr on {first.id}")
                if not isinstance(call, ast.Attribute) or not isinstance(call.value, ast.Name):
                    continue
                setter = call.attr in ("use", "configure") or call.attr.startswith("set_")
                if setter and call.value.id in modules:
                    found.append(f"{path.name}:{line} calls {call.value.id}.{call.attr}")
    assert found == []


GLOBAL_STATEMENTS = {
    "batching/engine.py": "a worker's share of the parent's spools, set by the pool initializer",
    "caching/rubric_cache.py": "code_fingerprint's memo of this process's modules",
    "commands/interrupts.py": "the command line's own Ctrl-C handling",
    "reading/yaml_reader.py": "PyYAML imported on first use (start-up time)",
}
"""Modules allowed a ``global`` statement, and why: none of them is a setting the command line
makes for the core (that is passed in instead)."""


def test_module_state_is_rebound_only_where_listed() -> None:
    """A setter of process-wide state needs a ``global`` statement: each one is accounted for."""
    package = ROOT / "src" / "lianchuang_cli"
    found = set()
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "global " not in text:
            continue
        tree = ast.parse(text)
        if any(isinstance(node, ast.Global) for node in ast.walk(tree)):
            found.add(path.relative_to(package).as_posix())
    assert found == set(GLOBAL_STATEMENTS)


def test_a_relative_path_names_the_file_where_the_process_is_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forget: None
) -> None:
    """The same relative path in two folders is two rubrics, loaded each from its own folder."""
    text = (RUBRICS / "village.yaml").read_text(encoding="utf-8")
    for name, title in (("a", "甲县细则"), ("b", "乙县细则")):
        (tmp_path / name).mkdir()
        edited = text.replace("\ntitle: ", f"\ntitle: {title}#", 1)
        assert edited != text
        (tmp_path / name / "rubric.yaml").write_text(edited, encoding="utf-8")
    titles = []
    for name in ("a", "b"):
        monkeypatch.chdir(tmp_path / name)
        titles.append(PLAIN.load(Path("rubric.yaml")).rubric.title)
    assert [t.split("#")[0] for t in titles] == ["甲县细则", "乙县细则"]
