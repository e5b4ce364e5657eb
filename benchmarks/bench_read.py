"""Benchmark: CPU time of reading evidence files, fast line reader against libyaml.

Run with ``python benchmarks/bench_read.py DIR`` (e.g. a folder kept by
``bench_batch.py --keep DIR``; default: the shipped examples).

Measures, in this one process and on the same files, the CPU time per file (median of
``--rounds``) of:

* the floor: ``yaml.load(bytes, Loader=yaml.CSafeLoader)``;
* ``parse_yaml`` (bytes already in memory) with the fast line reader disabled, i.e. libyaml
  composing a node tree and the values built from it, as before the fast reader existed;
* ``parse_yaml`` as shipped (the fast reader, libyaml for what it declines);
* ``read_yaml`` (open, read, parse) both ways;
* ``key_locations(["indicators"])`` on the parsed documents, both ways.

It also counts the files the fast reader declines. The garbage collector is set as ``batch``
sets it (``settle_heap_for_batch``), unless ``--default-gc``: node trees are many small objects,
and with the default thresholds collecting them costs libyaml's path about a third more.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import yaml

from lianchuang_cli.commands.common import settle_heap_for_batch
from lianchuang_cli.errors import InputError
from lianchuang_cli.reading import yaml_fast, yaml_reader

ROOT = Path(__file__).resolve().parents[1]


def cpu_ms_per_file(action: Callable[[Any], object], items: list[Any], rounds: int) -> float:
    """Median CPU time of ``action`` over all ``items``, per item, in milliseconds."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        for item in items:
            with suppress(InputError, yaml.YAMLError):
                action(item)
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000 / len(items)


@contextmanager
def libyaml_only() -> Iterator[None]:
    """Make the fast reader decline everything, as if it did not exist."""
    scan = yaml_fast.scan
    yaml_fast.scan = lambda text: None
    try:
        yield
    finally:
        yaml_fast.scan = scan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "examples" / "village")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--default-gc", action="store_true", help="keep the default GC settings")
    args = parser.parse_args()
    if not args.default_gc:
        settle_heap_for_batch()
    paths = sorted(args.folder.glob("*.yaml"))
    raws = [path.read_bytes() for path in paths]

    def parse(raw: bytes) -> yaml_reader.SourceDocument:
        return yaml_reader.parse_yaml(raw, name="x.yaml")

    def read(path: Path) -> object:
        return yaml_reader.read_yaml(path)

    def floor(raw: bytes) -> object:
        return yaml.load(raw, Loader=yaml.CSafeLoader)

    docs = []
    for raw in raws:
        with suppress(InputError):
            docs.append(parse(raw))
    texts = [doc.text for doc in docs]
    declined = sum(yaml_fast.scan(text) is None for text in texts)
    scan = yaml_fast.scan

    figures: dict[str, float] = {}
    figures["floor: yaml.load CSafeLoader"] = cpu_ms_per_file(floor, raws, args.rounds)
    with libyaml_only():
        figures["parse_yaml, libyaml only"] = cpu_ms_per_file(parse, raws, args.rounds)
        figures["read_yaml, libyaml only"] = cpu_ms_per_file(read, paths, args.rounds)
        slow_docs = [parse(doc.text.encode()) for doc in docs]
    figures["parse_yaml, fast reader"] = cpu_ms_per_file(parse, raws, args.rounds)
    figures["read_yaml, fast reader"] = cpu_ms_per_file(read, paths, args.rounds)
    figures["scan alone"] = cpu_ms_per_file(scan, texts, args.rounds)

    def indicators(doc: yaml_reader.SourceDocument) -> object:
        return doc.key_locations(["indicators"])

    figures["key_locations, libyaml tree"] = cpu_ms_per_file(indicators, slow_docs, args.rounds)
    figures["key_locations, fast reader"] = cpu_ms_per_file(indicators, docs, args.rounds)

    gc = "default GC" if args.default_gc else "GC as in batch"
    print(
        f"{len(paths)} files from {args.folder}; {len(docs)} valid YAML, {declined} declined; {gc}"
    )
    for label, value in figures.items():
        print(f"{label:32s} {value:7.3f} ms/file CPU")


if __name__ == "__main__":
    main()
