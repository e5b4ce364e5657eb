"""Benchmark: batch grading against the YAML parse floor, peak memory, start-up, re-grading.

Run with ``python benchmarks/bench_batch.py --files 5000`` (after ``pip install -e .``).

It writes N realistic village evidence files into a temporary folder (the shipped examples with
every indicator's value, the unit's name and code varied at random from the rubric's own ranges,
plus a few invalid files), then measures, in one run and on the same files:

* the floor: a fresh Python process that reads every file with
  ``yaml.load(..., Loader=yaml.CSafeLoader)`` and does nothing else;
* the grading pipeline in this process (read, validate, score, JSON per file), no start-up;
* the command line end to end with JSON output: ``batch --jobs 1`` and ``batch --jobs 2`` when the
  ``batch`` command exists, otherwise ``score FILES --format json``; output goes to a file;
* with ``--cache`` support: a first pass filling an empty cache, then a re-grade of the unchanged
  files after a rubric edit (a rating threshold moved), which must not parse them again;
* peak memory of each command: the largest sum of resident memory over the command's whole process
  tree (workers included), sampled every 10 ms from /proc (Linux);
* start-up: ``python -c pass``, ``lianchuang --help`` and ``lianchuang score ONE_FILE`` (table and
  JSON), wall and CPU time, taking turns; also from a copy of the package with compiled bytecode,
  as ``pip install`` leaves it (an editable checkout under ``PYTHONDONTWRITEBYTECODE`` compiles
  every module on every run).

With ``--phases``, ``batch --jobs 1`` and ``--jobs 2`` are also traced phase by phase
(``batch_phases.py``): on a shared machine the wall-clock speed-up of ``--jobs 2`` is not
reliable, so it is derived from the CPU and wall time of each phase, as two idle cores would show.

Times are medians over ``--rounds`` runs; ratios are between figures of this same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.model.rubric import shipped_rubrics_dir
from lianchuang_cli.model.rules import (
    CheckRule,
    ChoiceRule,
    CountRule,
    JudgementRule,
    LinearRule,
    PercentageRule,
    TiersRule,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "village"
INVALID_EXAMPLES = ROOT / "examples" / "invalid"

FLOOR_SCRIPT = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    try:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        pass
"""


# ---------------------------------------------------------------- generating the evidence files


def _number(value: float, places: int = 1) -> str:
    # A value strictly between -1 and 1 reads as a fraction written for a percentage (0.4 = 40 %):
    # the tool asks about it, so realistic files keep clear of that band.
    if 0 < abs(value) < 1:
        value += 1 if value > 0 else -1
    return f"{value:.{places}f}".rstrip("0").rstrip(".") if places else str(round(value))


def _value_text(
    rule: object, points: Decimal, original: str, good: bool, rng: random.Random, scale: float
) -> str:
    """A new value for one indicator, in the form the example used, within the rule's ranges.

    ``good`` values earn full points; the others are spread over the whole range. Every count of
    people or households (a ``whole``) is the example's times the file's ``scale``: the rubric's
    ``same_counts`` compares them across indicators, so one village keeps one 党员总数.
    """
    if isinstance(rule, CheckRule):
        return "true" if good or rng.random() < 0.5 else "false"
    if isinstance(rule, CountRule):
        return str(rule.required + rng.choice((0, 0, 1)) if good else rng.randint(0, rule.required))
    if isinstance(rule, ChoiceRule):
        best = max(rule.options.values())
        options = [name for name, pts in rule.options.items() if pts == best or not good]
        return rng.choice(options)
    if isinstance(rule, PercentageRule):
        threshold = float(rule.threshold) / 100
        share = rng.uniform(threshold, 1) if good else rng.uniform(max(0, threshold - 0.2), 1)
        if counts := re.search(r"whole: (\d+)", original):
            whole = max(2, round(int(counts.group(1)) * scale))
            part = min(whole, -(-whole * share // 1) if good else round(whole * share))
            return f"{{part: {part:.0f}, whole: {whole}}}"
        return _number(min(100.0, share * 100 + (0.05 if good else 0)))
    if isinstance(rule, TiersRule):
        top, bottom = float(rule.bands[0].min), float(rule.bands[-1].min)
        high = float(rule.max_value) if rule.max_value is not None else top + 2
        low = top if good else bottom - (top - bottom) / 3
        if rule.min_value is not None:
            low = max(low, float(rule.min_value))
        return _number(rng.uniform(low, high) if high > low else high)
    if isinstance(rule, LinearRule):
        zero, full = float(rule.zero_at), float(rule.full_at)
        low = full if good else max(zero, float(rule.min_value or zero))
        return _number(rng.uniform(low, full * 1.5), 2)
    if isinstance(rule, JudgementRule):
        top = float(points)
        score = top if good else rng.choice([x / 2 for x in range(int(top * 2))])
        reason = "工作落实较好" if score == top else "部分工作未按期完成，群众有意见"
        return f'{{score: {_number(score)}, reason: "{reason}"}}'
    return original  # a rule kind this generator does not know: keep the example's value


_KEY_LINE = re.compile(r"^  ([a-z_]+):\s*$")
_VALUE_LINE = re.compile(r"^    value: (.*)$")


def vary(text: str, index: int, rng: random.Random) -> str:
    """Rewrite one example: a new unit name and code, and a new value for every indicator."""
    loaded = load_rubric(shipped_rubrics_dir() / "village.yaml")
    # The examples' comments state their expected scores, which no longer hold.
    lines = [line for line in text.splitlines() if not line.startswith("# 预期")]
    quality = rng.choice((0.95, 0.9, 0.85, 0.8, 0.7, 0.6))
    # Not below 1: a breaches total (党员 outside the 两委) keep the example's number and must stay within.
    scale = rng.uniform(1, 1.3)
    section, current = "", ""
    for number, line in enumerate(lines):
        if line and not line.startswith((" ", "#")):
            section = line.split(":")[0]
            continue
        if section == "unit":
            if line.startswith("  name: "):
                lines[number] = f"  name: 样本{index:06d}村党支部"
            elif line.startswith("  code: "):
                lines[number] = f'  code: "33{index:010d}"'
        elif section == "indicators":
            if match := _KEY_LINE.match(line):
                current = match.group(1)
            elif (match := _VALUE_LINE.match(line)) and current in loaded.indicator_index:
                indicator = loaded.indicator_index[current][1]
                good = rng.random() < quality
                new = _value_text(
                    indicator.rule, indicator.points, match.group(1), good, rng, scale
                )
                lines[number] = f"    value: {new}"
    text = "\n".join(lines) + "\n"
    if rng.random() < 0.9:  # vetoes are rare: keep one in ten of the vetoed example's copies
        text = re.sub(r"^vetoes:\n(  - .*\n)+", "vetoes: []\n", text, flags=re.MULTILINE)
    return text


def generate(folder: Path, count: int, *, seed: int, invalid_every: int) -> None:
    """Write ``count`` evidence files into ``folder``; every ``invalid_every``-th one is invalid."""
    rng = random.Random(seed)
    examples = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.yaml"))]
    invalid = [p.read_bytes() for p in sorted(INVALID_EXAMPLES.glob("*.yaml"))]
    for index in range(count):
        target = folder / f"v{index:06d}.yaml"
        if invalid_every and index % invalid_every == invalid_every - 1:
            target.write_bytes(invalid[(index // invalid_every) % len(invalid)])
        else:
            text = vary(examples[index % len(examples)], index, rng)
            target.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- measuring commands


def _tree_rss_bytes(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, from /proc."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * page
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    cpu_seconds: float = float("nan")


def run_command(argv: Sequence[str], *, cwd: Path, stdout: Path) -> Run:
    """Run a command to completion; return its wall time and the peak RSS of its process tree."""
    peak = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(stdout, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.PIPE)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss_bytes(process.pid))
                done.wait(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        _, stderr = process.communicate()
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode not in (0, 1, 2):
        raise SystemExit(f"{' '.join(argv[:4])}… failed ({process.returncode}):\n{stderr.decode()}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return Run(seconds, peak / 2**20, cpu)


def median_run(action: Callable[[], Run], rounds: int) -> Run:
    runs = [action() for _ in range(rounds)]
    return Run(
        statistics.median(r.seconds for r in runs),
        max(r.peak_mb for r in runs),
        statistics.median(r.cpu_seconds for r in runs),
    )


def lianchuang() -> list[str]:
    """The installed console script, as a user runs it (falls back to ``python -m``)."""
    script = Path(sys.executable).with_name("lianchuang")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lianchuang_cli"]


def command_help(*argv: str) -> str:
    result = subprocess.run([*lianchuang(), *argv, "--help"], capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else ""


# ---------------------------------------------------------------- in-process pipeline


def in_process(files: list[Path]) -> float:
    """Seconds to read, validate, score and write JSON for every file, without start-up."""
    from lianchuang_cli.commands.common import settle_heap_for_batch
    from lianchuang_cli.grading.pipeline import grade_file
    from lianchuang_cli.reports.json_report import outcome_to_dict

    grade_file(files[0])  # rubric loaded once, as in any real run
    settle_heap_for_batch()
    start = time.perf_counter()
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for path in files:
            sink.write(json.dumps(outcome_to_dict(grade_file(path)), ensure_ascii=False))
    return time.perf_counter() - start


# ---------------------------------------------------------------- the report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=5000, help="evidence files to generate")
    parser.add_argument("--rounds", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--startup-rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--invalid-every", type=int, default=200, help="0: no invalid files")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument(
        "--phases",
        action="store_true",
        help="also trace batch --jobs 1 and 2 in phases (start-up, pool, grading, tail; wall and "
        "CPU of the parent and of each worker), from this checkout and from a compiled copy (also "
        "with spawned workers, as on Windows), and "
        "derive the --jobs 2 speed-up on 2 idle cores (batch_phases.py)",
    )
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated parts to leave out: inprocess, jobs1, cache, startup "
        "(e.g. --files 50000 --skip inprocess,jobs1,cache,startup for the memory check)",
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    batch_help = command_help("batch")
    has_batch = bool(batch_help)
    has_cache = "--cache" in batch_help
    tool = lianchuang()
    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"command: python benchmarks/bench_batch.py {' '.join(sys.argv[1:])}")
    print(
        f"load average before the run: {os.getloadavg()[0]:.2f} (other work on the machine skews times)"
    )

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        # A rubric cache of this run's own: the user's is shared with whatever else runs on the
        # machine (other checkouts, other versions), which may push this version's entry out
        # between runs and make start-up check the rubric afresh.
        os.environ["LIANCHUANG_CACHE_HOME"] = str(scratch / "rubric-cache")
        folder = args.keep or scratch / "evidence"
        folder.mkdir(parents=True, exist_ok=True)
        if not any(folder.glob("*.yaml")):
            generate(folder, args.files, seed=args.seed, invalid_every=args.invalid_every)
        files = sorted(folder.glob("*.yaml"))
        n = len(files)
        size = sum(f.stat().st_size for f in files) / n
        print(f"files: {n} (mean {size / 1024:.1f} KB), rounds: {args.rounds}")
        out = scratch / "out.json"

        rows: list[tuple[str, Run]] = []
        floor = median_run(
            lambda: run_command(
                [sys.executable, "-c", FLOOR_SCRIPT, str(folder)], cwd=folder, stdout=out
            ),
            args.rounds,
        )
        rows.append(("floor: yaml.load CSafeLoader, 1 process", floor))
        if "inprocess" not in skip:
            inproc = statistics.median(in_process(files) for _ in range(args.rounds))
            rows.append(("pipeline in-process (no start-up, JSON)", Run(inproc, float("nan"))))

        def cli(*argv: str) -> Run:
            return median_run(
                lambda: run_command([*tool, *argv], cwd=folder, stdout=out), args.rounds
            )

        by_jobs: dict[int, Run] = {}
        if has_batch:
            for jobs in (1, 2):
                if jobs == 1 and "jobs1" in skip:
                    continue
                by_jobs[jobs] = cli("batch", ".", "--jobs", str(jobs), "--format", "json")
                rows.append((f"batch --jobs {jobs} --format json", by_jobs[jobs]))
        else:
            names = [f.name for f in files]
            by_jobs[1] = cli("score", *names, "--format", "json")
            rows.append(("score FILES --format json (no batch yet)", by_jobs[1]))

        if args.phases:
            import batch_phases

            compiled = install_compiled(scratch / "compiled")
            batch_phases.measure(
                folder,
                scratch,
                rounds=args.rounds,
                builds={
                    "this checkout": None,
                    "installed (compiled bytecode)": {**os.environ, "PYTHONPATH": str(compiled)},
                    "installed, workers spawned (as on Windows)": {
                        **os.environ,
                        "PYTHONPATH": str(compiled),
                        "LIANCHUANG_TRACE_START_METHOD": "spawn",
                    },
                },
            )

        cache_rows: list[tuple[str, Run]] = []
        if has_cache and "cache" not in skip:
            edited = scratch / "village_edited.yaml"
            rubric_text = (shipped_rubrics_dir() / "village.yaml").read_text(encoding="utf-8")
            edited.write_text(
                rubric_text.replace("{name: 良好, min_score: 80}", "{name: 良好, min_score: 81}"),
                encoding="utf-8",
            )

            def cached(rubric: Path, cache: Path, fresh: bool) -> Run:
                if fresh:
                    shutil.rmtree(cache, ignore_errors=True)
                argv = ["batch", ".", "--jobs", "1", "--format", "json", "--cache", str(cache)]
                return run_command([*tool, *argv, "--rubric", str(rubric)], cwd=folder, stdout=out)

            cache_dir, filled = scratch / "cache", scratch / "cache-filled"
            original = shipped_rubrics_dir() / "village.yaml"
            first = median_run(lambda: cached(original, cache_dir, True), args.rounds)
            cached(original, filled, True)

            def regrade() -> Run:
                # Every round starts from the cache the first pass left: a round must not be
                # helped by what an earlier re-grade stored.
                shutil.rmtree(cache_dir, ignore_errors=True)
                shutil.copytree(filled, cache_dir)
                return cached(edited, cache_dir, False)

            again = median_run(regrade, args.rounds)
            cache_rows = [
                ("batch --jobs 1 --cache (empty cache)", first),
                ("same, unchanged files, edited rubric", again),
            ]
            stored = sum(p.stat().st_size for p in filled.iterdir() if p.is_file())
            print(f"cache folder after the runs: {stored / n / 1024:.1f} KB a file (target ≤ 15)")

        print()
        print(
            f"{'measurement':<44} {'seconds':>8} {'ms/file':>8} {'/floor':>7} "
            f"{'peak MB':>8} {'CPU s':>7}"
        )
        for label, run in rows + cache_rows:
            print(
                f"{label:<44} {run.seconds:8.2f} {run.seconds / n * 1e3:8.3f} "
                f"{run.seconds / floor.seconds:7.2f} {run.peak_mb:8.0f} {run.cpu_seconds:7.2f}"
            )
        print()
        print("targets (issue 15; ratios between figures of this run):")
        if 1 in by_jobs:
            wall = by_jobs[1].seconds / floor.seconds
            cpu = by_jobs[1].cpu_seconds / floor.cpu_seconds
            command = "batch --jobs 1" if has_batch else "score FILES"
            print(
                f"  {command} / floor = {wall:.2f}x wall, {cpu:.2f}x CPU time "
                f"(target ≤ 1.25: {_met(cpu <= 1.25)} by CPU)"
            )
        if len(by_jobs) == 2:
            speed_up = by_jobs[1].seconds / by_jobs[2].seconds
            overhead = by_jobs[2].cpu_seconds / by_jobs[1].cpu_seconds
            print(
                f"  speed-up of --jobs 2 over --jobs 1 = {speed_up:.2f}x wall "
                f"(target ≥ 1.7: {_met(speed_up >= 1.7)}; needs two idle cores); CPU of --jobs 2 "
                f"(parent and workers) = {overhead:.2f}x that of --jobs 1"
            )
        if cache_rows:
            ratio = cache_rows[0][1].seconds / cache_rows[1][1].seconds
            cpu_ratio = cache_rows[0][1].cpu_seconds / cache_rows[1][1].cpu_seconds
            print(
                f"  re-grade with cache after a rubric edit: {ratio:.1f}x faster wall, "
                f"{cpu_ratio:.1f}x CPU (target ≥ 5: {_met(min(ratio, cpu_ratio) >= 5)})"
            )
        print(f"national scale, 490,000 villages at the --jobs {max(by_jobs)} rate: ", end="")
        rate = by_jobs[max(by_jobs)].seconds / n
        print(f"{490_000 * rate / 60:.0f} minutes")

        if "startup" in skip:
            return
        example = str(sorted(EXAMPLES.glob("*.yaml"))[0])
        installed = install_compiled(Path(scratch_name) / "installed")
        as_installed = {**os.environ, "PYTHONPATH": str(installed)}
        installed_tool = [sys.executable, "-c", CONSOLE_SCRIPT]
        commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
            "python -c pass": ([sys.executable, "-c", "pass"], None),
            "lianchuang --help": ([*tool, "--help"], None),
            "lianchuang score ONE_FILE": ([*tool, "score", example], None),
            "lianchuang score ONE_FILE (json)": (
                [*tool, "score", example, "--format", "json"],
                None,
            ),
            "installed: --help": ([*installed_tool, "--help"], as_installed),
            "installed: score ONE_FILE": ([*installed_tool, "score", example], as_installed),
            "installed: score ONE_FILE (json)": (
                [*installed_tool, "score", example, "--format", "json"],
                as_installed,
            ),
        }
        timed = time_interleaved(commands, args.startup_rounds)
        bare = timed["python -c pass"]
        targets = {"--help": 150, "score ONE_FILE": 300}
        print()
        print(
            f"start-up: median of {args.startup_rounds} interleaved runs; wall ms and the "
            "process's CPU ms, each also as the difference from python -c pass"
        )
        for label, run in timed.items():
            target = next((t for name, t in targets.items() if label.endswith(name)), None)
            print(
                f"{label:34s}: {run.seconds * 1e3:6.0f} ms (+{(run.seconds - bare.seconds) * 1e3:.0f}"
                f"{f'; target +{target}' if target else ''})"
                f"   CPU {run.cpu_seconds * 1e3:4.0f} ms (+{(run.cpu_seconds - bare.cpu_seconds) * 1e3:.0f})"
            )
        print(
            "installed: a copy of the package with its bytecode compiled, as `pip install` leaves "
            "it; the rows above run this checkout"
            + (
                " with PYTHONDONTWRITEBYTECODE set, so every run compiles the package's modules"
                if os.environ.get("PYTHONDONTWRITEBYTECODE")
                else ""
            )
        )


def _met(met: bool) -> str:
    return "met" if met else "NOT met"


CONSOLE_SCRIPT = "import re, sys; from lianchuang_cli.entry import run; sys.exit(run())"
"""What the ``lianchuang`` console script runs."""


def install_compiled(folder: Path) -> Path:
    """Copy the package (with its shipped rubrics, as a wheel lays them out) into ``folder`` and
    compile its bytecode; return the folder to put on PYTHONPATH."""
    import compileall

    package = folder / "lianchuang_cli"
    shutil.copytree(
        ROOT / "src" / "lianchuang_cli", package, ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(ROOT / "rubrics", package / "rubrics")
    compileall.compile_dir(package, quiet=1)
    return folder


def time_interleaved(
    commands: dict[str, tuple[list[str], dict[str, str] | None]], rounds: int
) -> dict[str, Run]:
    """Median wall and CPU time of each command, the commands taking turns round by round (so
    that a burst of other work on the machine weighs on all of them alike); one untimed run
    first, as a user's second run (the rubric cache filled)."""
    for argv, env in commands.values():
        subprocess.run(argv, check=False, capture_output=True, env=env)
    runs: dict[str, list[Run]] = {label: [] for label in commands}
    for _ in range(rounds):
        for label, (argv, env) in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(argv, check=False, capture_output=True, env=env)
            seconds = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            runs[label].append(Run(seconds, 0.0, cpu))
    return {
        label: Run(
            statistics.median(r.seconds for r in done),
            0.0,
            statistics.median(r.cpu_seconds for r in done),
        )
        for label, done in runs.items()
    }


if __name__ == "__main__":
    main()
