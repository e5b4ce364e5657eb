"""Check that two versions of the code grade files identically: run it under each, diff the output.

Run with ``PYTHONPATH=OLD/src python benchmarks/same_results.py PATH... > old.txt``, the same with
the new code into ``new.txt``, then ``cmp old.txt new.txt``. PATHs are evidence files or folders
(searched recursively; a folder holding a county tree is also graded as a tree with
``--tree``). For every file it prints one line: the file name and a digest of

* the validated evidence (``check_evidence``: unit, each value with its exact type and digits,
  each indicator entry with the fields it was given, events, profile) or the problems found;
* the result's ``repr`` (every field, Decimals with their exponent: ``2.00`` is not ``2``);
* the JSON the batch writes for it.

``--full`` prints those texts instead of digests, to see what differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from lianchuang_cli.errors import InputError
from lianchuang_cli.grading.pipeline import read_evidence, rubric_for
from lianchuang_cli.model.evidence import check_evidence
from lianchuang_cli.reports.json_report import outcome_to_dict
from lianchuang_cli.scoring.results import FileFailure
from lianchuang_cli.scoring.unit import score_unit

SUFFIXES = (".yaml", ".yml", ".xlsx")


def evidence_text(evidence: object) -> str:
    """Everything ``check_evidence`` returned except the document itself, types included."""
    parts = []
    for name in ("unit", "values", "entries", "locations", "penalties", "bonuses", "vetoes"):
        parts.append(f"{name}={getattr(evidence, name)!r}")
    values = getattr(evidence, "values")  # noqa: B009
    parts.append(repr({k: type(v).__name__ for k, v in values.items()}))
    entries = getattr(evidence, "entries")  # noqa: B009
    parts.append(repr({k: sorted(e.model_fields_set) for k, e in entries.items()}))
    parts.append(f"profile={getattr(evidence, 'profile')!r}")  # noqa: B009
    return "\n".join(parts)


def grade(path: Path) -> list[str]:
    try:
        doc = read_evidence(path)
        loaded = rubric_for(doc)
        evidence = check_evidence(doc, loaded)
    except InputError as exc:
        failure = FileFailure(str(path), tuple(exc.problems))
        return [repr(failure), json.dumps(outcome_to_dict(failure), ensure_ascii=False)]
    result = score_unit(loaded, evidence)
    return [
        evidence_text(evidence),
        repr(result),
        json.dumps(outcome_to_dict(result), ensure_ascii=False),
    ]


def tree_text(root: Path) -> str:
    from lianchuang_cli.tree.grade import grade_tree

    return repr(grade_tree(root))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--full", action="store_true", help="print the texts, not digests")
    parser.add_argument("--tree", action="append", type=Path, default=[], help="a county tree")
    args = parser.parse_args()
    files: list[Path] = []
    for path in args.paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES))
        else:
            files.append(path)
    for path in files:
        texts = grade(path)
        if args.full:
            print(path, *texts, sep="\n")
        else:
            digests = [hashlib.sha256(t.encode()).hexdigest()[:16] for t in texts]
            print(path, *digests)
    for root in args.tree:
        text = tree_text(root)
        print(root, text if args.full else hashlib.sha256(text.encode()).hexdigest()[:16])


if __name__ == "__main__":
    main()
