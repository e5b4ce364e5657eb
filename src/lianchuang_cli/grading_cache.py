"""Re-grading without re-doing work (``--cache DIR``): files kept by the digest of their bytes.

Two kinds of entry, both JSON text in one SQLite database (never pickle: a cache folder may be
shared, and loading a pickle can run code), keyed by the SHA-256 of the file's bytes so that an
edited file simply misses:

* a **graded result** (``result_codec``), with the scoring fingerprint of the rubric it was
  graded under: a digest of every part of the rubric except its identity (``title``,
  ``version``, ``source``) and its rating bands and quotas. Validation and scoring read nothing
  else, so when a later rubric has the same fingerprint (a rating threshold moved, a band added,
  the version bumped) the stored result is exact apart from ``scoring.unit.rating_fields``,
  which are recomputed (``rerate``): the file is neither parsed, validated nor scored again.
  In a batch, the result's rendered line (JSON) is stored too, and re-used with the rating
  fields' text replaced when the next rating still holds (``render_reuse``); so are the unit's
  ``UnitFacts`` (what the batch summary reads), so that such a unit is served without decoding
  its result at all when the writer needs nothing more than the line (JSON, jsonl).
  Files that fail are not stored as results: their problems are found afresh each time.
* the **parsed evidence**: what reading the YAML produced, its plain values and where each
  indicator's key is, with decimals written as text so that they come back exact. Any other
  rubric edit (a weight, a rule, a penalty, an indicator added) re-validates and re-scores the
  unchanged files from these values without parsing them. A cached document that has to locate
  a problem parses the file's bytes at that moment, so every message is what a fresh read gives.

The database is named for the tool version and the package's code fingerprint (the one the
rubric cache uses: versions, and each module's name, size and modification time), so other
code never reads an entry. Every row is sealed with the folder's key (``cache_trust``): a row
that was edited, damaged or copied from another folder is a miss, counted in ``rejected``;
a folder others may write is refused (``UnsafeCacheFolder``). The cache is an optimisation
only: an unreadable, corrupt or unwritable entry is a miss, never an error. Workbooks are not
cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from lianchuang_cli import __version__, cache_packing, cache_trust, render_reuse
from lianchuang_cli.cache_packing import Packer
from lianchuang_cli.errors import InputError, Problem
from lianchuang_cli.grading import checked_against, grade_file, rubric_named
from lianchuang_cli.model.evidence import check_evidence, requested_rubric
from lianchuang_cli.model.rubric import LoadedRubric
from lianchuang_cli.reading.document import Location
from lianchuang_cli.reading.xlsx_layout import is_workbook
from lianchuang_cli.reading.yaml_reader import SourceDocument, _read_regular_file, parse_yaml
from lianchuang_cli.render_reuse import Render
from lianchuang_cli.result_codec import (
    decode_criterion,
    decode_result,
    encode_criterion,
    encode_result,
)
from lianchuang_cli.results import FileFailure, FileOutcome, UnitFacts, UnitResult
from lianchuang_cli.rubric_cache import code_fingerprint
from lianchuang_cli.scoring.summary import losses
from lianchuang_cli.scoring.unit import kept_band_fields, rating_target, rerate, score_unit

ENTRY_FORMAT = 9
"""Bump when the entry layout changes."""

_DECIMAL = "$d"
"""The one key of the object standing for a decimal; real keys starting with "$" get one more."""

_INDICATORS = ("indicators",)


RATING_PARTS = frozenset({"title", "version", "source", "ratings", "quotas"})
"""The rubric's parts that neither validation nor scoring read (``scoring.unit.rating_fields``)."""

_fingerprints: dict[str, str] = {}


def scoring_fingerprint(loaded: LoadedRubric) -> str:
    """Digest of everything in a rubric but ``RATING_PARTS``: equal for a threshold edit."""
    found = _fingerprints.get(loaded.sha256)
    if found is None:
        parts = loaded.rubric.model_dump(mode="json", exclude=set(RATING_PARTS))
        text = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        found = hashlib.sha256(text.encode()).hexdigest()[:32]
        _fingerprints[loaded.sha256] = found
    return found


class CachedDocument:
    """A YAML evidence document served from the cache; it parses its bytes only to locate problems.

    It answers like the ``SourceDocument`` the same bytes give (``reading.document.Document``).
    """

    form: ClassVar[str] = "yaml"
    reading_problems: ClassVar[tuple[Problem, ...]] = ()

    def __init__(
        self, name: str, data: Any, sha256: str, indicator_keys: dict[str, Location], raw: bytes
    ) -> None:
        self.name = name
        self.data = data
        self.sha256 = sha256
        self._indicator_keys = indicator_keys
        self._raw = raw
        self._source: SourceDocument | None = None

    def _parsed(self) -> SourceDocument:
        if self._source is None:
            self._source = parse_yaml(self._raw, name=self.name)
        return self._source

    def location(self, loc: Sequence[str | int], *, key: bool = False) -> Location:
        """Where the value at ``loc`` (or its key) is."""
        return self._parsed().location(loc, key=key)

    def key_locations(self, loc: Sequence[str | int]) -> dict[str, Location]:
        """Where each key of the mapping at ``loc`` is; the indicators' come from the entry."""
        if tuple(loc) == _INDICATORS:
            return dict(self._indicator_keys)
        return self._parsed().key_locations(loc)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line of the file."""
        return self._parsed().line_text(line)

    def problem(self, loc: Sequence[str | int], message: str, *, key: bool = False) -> Problem:
        """A problem located at ``loc``."""
        return self._parsed().problem(loc, message, key=key)

    def in_order(self, problems: Iterable[Problem]) -> list[Problem]:
        """Problems from the top of the file down."""
        return self._parsed().in_order(problems)


class _Unread(CachedDocument):
    """The document of a stored result, unread: only a rubric that does not fit the file finds a
    problem in it, and that file is then graded afresh, which locates the problem exactly."""

    def problem(self, loc: Sequence[str | int], message: str, *, key: bool = False) -> Problem:
        """An unlocated problem (never shown)."""
        return Problem(self.name, 1, 1, message)


class EvidenceCache:
    """A folder holding one SQLite database of parsed entries, shared by concurrent workers.

    SQLite rather than a file per entry: creating a small file costs about 0.3 ms on a typical
    disk, more than parsing the YAML; an insert costs a twentieth of that. Each process opens its
    own connection (connections must not cross ``fork``). New entries are written
    ``WRITE_EVERY`` at a time in one short transaction (the write lock is held only that long,
    so parallel workers do not wait on each other), and the rest when the cache object goes away
    or the process ends; entries not yet written are served from memory meanwhile.
    """

    def __init__(self, folder: Path) -> None:
        """Open the cache in ``folder``; raises ``UnsafeCacheFolder`` if others may write it."""
        self.folder = folder
        self.database = (
            folder / f"evidence-v{__version__}-{ENTRY_FORMAT}-{code_fingerprint()[:16]}.db"
        )
        self._key = cache_trust.folder_key(folder)
        self._pending = _Pending(os.getpid(), str(self.database), self._key or b"")
        self.rejected = 0
        """Stored rows whose seal did not match (edited, damaged or foreign), in this process."""
        weakref.finalize(self, self._pending.flush)

    def flush(self) -> None:
        """Write the entries made so far."""
        self._pending.flush()

    def _connection(self) -> sqlite3.Connection | None:
        if self._key is None:  # the folder cannot be used: every read is a miss
            return None
        key = (os.getpid(), str(self.database))
        if key not in _connections:
            _connections[key] = _open(self.database)
            _remove_stale_databases(self.database)
        return _connections[key]

    def read(self, path: str | Path) -> SourceDocument | CachedDocument:
        """Read a YAML evidence file, from the cache when its bytes have been parsed before.

        Raises ``InputError`` exactly as ``read_yaml`` does.
        """
        name = str(path)
        raw = _read_regular_file(path, name)
        return self._document(name, raw, hashlib.sha256(raw).hexdigest())

    def _document(self, name: str, raw: bytes, sha256: str) -> SourceDocument | CachedDocument:
        connection = self._connection()
        found = None if connection is None else self._load(connection, sha256)
        if found is not None:
            data, keys = found
            return CachedDocument(name, data, sha256, keys, raw)
        doc = parse_yaml(raw, name=name)
        if connection is not None:
            _store(self._pending, sha256, doc)
        return doc

    def _load(
        self, connection: sqlite3.Connection, digest: str
    ) -> tuple[Any, dict[str, Location]] | None:
        """A parsed entry: pending in memory, or stored and sealed with this folder's key."""
        text = self._pending.entries.get(digest)
        if text is None:
            try:
                row = connection.execute(
                    "SELECT entry, seal FROM entries WHERE digest = ?", (digest,)
                ).fetchone()
            except sqlite3.Error:
                return None
            if row is None:
                return None
            packed, mark = row
            if not isinstance(packed, bytes) or not cache_trust.matches(
                mark, entry_seal(self._pending.key, digest, packed)
            ):
                self.rejected += 1
                return None
            text = self._pending.packer.unpack(connection, "entry", packed)
            if text is None:
                return None
        return _decode_entry(text)

    def _load_result(self, connection: sqlite3.Connection, digest: str) -> _Stored | None:
        """The stored row, sealed with this folder's key (its result is checked when decoded)."""
        row = self._pending.results.get(digest)
        if row is None:
            try:
                row = connection.execute(
                    "SELECT request, result, render, line, slots, facts, seal, result_seal"
                    " FROM results WHERE digest = ?",
                    (digest,),
                ).fetchone()
            except sqlite3.Error:
                return None
            if row is None:
                return None
            if not all(part is None or isinstance(part, bytes) for part in row) or not all(
                map(cache_trust.matches, row[6:], row_seals(self._pending.key, digest, row[:6]))
            ):
                self.rejected += 1
                return None
            packer = self._pending.packer
            line = row[3]
            if line is not None:
                line = packer.unpack(connection, "line", line)
                if line is None:
                    return None
            packed_result = row[1]
            return _stored(
                (row[0], b"", row[2], line, row[4], row[5]),
                lambda: packer.unpack(connection, "result", packed_result),
            )
        return _stored(row, None)

    def grade(self, path: str | Path, *, rubric_path: Path | None = None) -> FileOutcome:
        """``grading.grade_file``, from a stored result when one still holds (see the module)."""
        outcome = self.grade_rendered(path, rubric_path=rubric_path)[0]
        assert not isinstance(outcome, UnitFacts)  # only asked for gives facts
        return outcome

    def grade_rendered(
        self,
        path: str | Path,
        *,
        rubric_path: Path | None = None,
        render: Render | None = None,
        facts: bool = False,
    ) -> tuple[FileOutcome | UnitFacts, bytes | None]:
        """``grade``, and a graded result's ``render(result)`` line when ``render`` is given.

        A stored result whose next rating still holds gets the line rendered when it was
        stored, with the rating fields' text replaced (``render_reuse``). With ``facts``, such a
        result is not even decoded: its ``UnitFacts`` come back with the line (for a caller
        that needs nothing else of the result, like a batch writing JSON lines).
        """
        if is_workbook(path):
            outcome = grade_file(path, rubric_path=rubric_path)
            return outcome, _rendered(outcome, render)
        name = str(path)
        try:
            raw = _read_regular_file(path, name)
        except InputError as exc:
            return FileFailure(name, tuple(exc.problems)), None
        sha256 = hashlib.sha256(raw).hexdigest()
        connection = self._connection()
        stored = None if connection is None else self._load_result(connection, sha256)
        if stored is not None:
            served = _still_holds(
                stored, name, raw, sha256, rubric_path, render, self._pending, facts=facts
            )
            if served is not None:
                return served
        try:
            doc = self._document(name, raw, sha256)
            rubric, version = requested_rubric(doc)
            loaded = rubric_named(doc, rubric, version, rubric_path=rubric_path)
        except InputError as exc:
            return FileFailure(name, tuple(exc.problems)), None
        try:
            evidence = check_evidence(doc, loaded)
        except InputError as exc:
            return checked_against(loaded, FileFailure(name, tuple(exc.problems))), None
        result = score_unit(loaded, evidence)
        line = _rendered(result, render)
        if connection is not None:
            vetoes = [loaded.veto_index[event.id].name for event in evidence.vetoes]
            target = list(rating_target(loaded, result))
            request = _Request(scoring_fingerprint(loaded), rubric, version, vetoes, target)
            template = None
            if render is not None and line is not None:
                shown = render_reuse.shape(render, result)
                if shown is not None:
                    template = render_reuse.make_template(line, result, shown)
            _store_result(self._pending, sha256, request, result, render, template)
        return result, line


def _facts_row(result: UnitResult) -> list[Any]:
    """What ``UnitFacts`` holds beyond the file name and the rating fields, as JSON values."""
    return [
        result.unit_name,
        result.unit_code,
        result.township,
        result.county,
        [encode_criterion(criterion) for criterion in result.criteria],
        str(result.score),
        str(result.base_score),
        result.vetoed,
        list(result.veto_reasons),
        len(result.gaps),
        [[iid, name, criterion, str(lost)] for iid, name, criterion, lost in losses(result)],
    ]


def _refilled(stored: _Stored, name: str, loaded: LoadedRubric) -> tuple[UnitFacts, bytes] | None:
    """A stored unit's facts and line re-rated under ``loaded`` without decoding its result,
    when the bands still give the stored rating target (so its next rating, already in the
    line, holds); None when they do not, or when anything stored is malformed."""
    template = render_reuse.decode_template(stored.line, stored.slots)
    if template is None or not isinstance(stored.facts, bytes):
        return None
    try:
        (
            unit_name,
            code,
            township,
            county,
            criteria_rows,
            score,
            base,
            vetoed,
            reasons,
            gaps,
            lost,
        ) = json.loads(stored.facts)
        if not isinstance(vetoed, bool):
            return None
        criteria = tuple(decode_criterion(row) for row in criteria_rows)
        score = Decimal(score)
        fields = kept_band_fields(loaded, criteria, score, vetoed, tuple(stored.request.target))
        if fields is None:
            return None
        unit = UnitFacts(
            file=name,
            unit_name=unit_name,
            unit_code=code,
            township=township,
            county=county,
            rubric_id=fields["rubric_id"],
            rubric_title=fields["rubric_title"],
            rubric_version=fields["rubric_version"],
            rubric_sha256=fields["rubric_sha256"],
            criteria=criteria,
            score=score,
            base_score=Decimal(base),
            rating=fields["rating"],
            ratings=fields["ratings"],
            vetoed=vetoed,
            veto_reasons=tuple(str(reason) for reason in reasons),
            gap_count=int(gaps),
            losses=tuple((str(i), str(n), str(c), Decimal(d)) for i, n, c, d in lost),
        )
    except (ValueError, TypeError, ArithmeticError, LookupError):
        return None
    return unit, render_reuse.fill(template, unit)


def _rendered(outcome: FileOutcome, render: Render | None) -> bytes | None:
    return None if render is None or not isinstance(outcome, UnitResult) else render(outcome)


def _render_name(render: Render) -> str:
    return f"{render.__module__}.{render.__qualname__}"


WRITE_EVERY = 64
"""New entries written per transaction (a commit costs more than several inserts)."""


class _Pending:
    """Entries made by one process and not yet written, by digest."""

    def __init__(self, pid: int, database: str, key: bytes) -> None:
        self.pid = pid
        self.database = database
        self.key = key
        self.packer = Packer(key)
        self.entries: dict[str, bytes] = {}
        self.results: dict[str, _Row] = {}

    def added(self) -> None:
        if len(self.entries) + len(self.results) >= WRITE_EVERY:
            self.flush()

    def flush(self) -> None:
        """Write everything pending in one transaction; on any failure the entries are dropped."""
        entries, results = self.entries, self.results
        self.entries, self.results = {}, {}
        # A process forked from this one holds a copy of these entries: only their maker writes.
        connection = _connections.get((self.pid, self.database))
        if os.getpid() != self.pid or connection is None or not (entries or results):
            return
        try:
            # IMMEDIATE: the write lock from the start, so that a first dictionary read inside
            # the transaction cannot go stale while another process writes one.
            connection.execute("BEGIN IMMEDIATE")
            try:
                texts = self.packer.pack(connection, "entry", list(entries.values()))
                connection.executemany(
                    "INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                    [
                        (digest, text, entry_seal(self.key, digest, text))
                        for digest, text in zip(entries, texts, strict=True)
                    ],
                )
                rows = list(results.values())
                packed = iter(self.packer.pack(connection, "result", [row[1] for row in rows]))
                lines = iter(self.packer.pack(connection, "line", [r[3] for r in rows if r[3]]))
                results = {
                    digest: (row[0], next(packed), row[2], row[3] and next(lines), *row[4:])
                    for digest, row in zip(results, rows, strict=True)
                }
                connection.executemany(
                    "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (digest, *row, *row_seals(self.key, digest, row))
                        for digest, row in results.items()
                    ],
                )
            finally:
                connection.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")


class _Request(NamedTuple):
    """What a stored result was graded under, and what re-rating it needs."""

    scoring: str
    rubric: str
    version: str | None
    vetoes: list[str]
    target: list[str | None]


def _still_holds(
    stored: _Stored,
    name: str,
    raw: bytes,
    sha256: str,
    rubric_path: Path | None,
    render: Render | None,
    pending: _Pending,
    *,
    facts: bool = False,
) -> tuple[UnitResult | UnitFacts, bytes | None] | None:
    """The stored result re-rated under today's rubric (and its line), or None if that rubric
    scores otherwise. A result stored without a line of this ``render`` (by ``score``, say) is
    stored again with one."""
    request = stored.request
    unparsed = _Unread(name, None, sha256, {}, raw)
    try:
        loaded = rubric_named(unparsed, request.rubric, request.version, rubric_path=rubric_path)
    except InputError:
        return None
    if scoring_fingerprint(loaded) != request.scoring:
        return None
    if facts and render is not None and stored.render == _render_name(render):
        light = _refilled(stored, name, loaded)
        if light is not None:
            return light
    try:
        text = stored.result()
        if text is None:
            return None
        kept = decode_result(json.loads(text), name)
    except (ValueError, TypeError, ArithmeticError, IndexError):
        return None
    result = rerate(loaded, kept, tuple(request.vetoes), tuple(request.target))
    if render is None:
        return result, None
    if stored.render != _render_name(render):
        line = render(result)
        shown = render_reuse.shape(render, result)
        made = None if shown is None else render_reuse.make_template(line, result, shown)
        if made is not None:
            again = request._replace(target=list(rating_target(loaded, result)))
            _store_result(pending, sha256, again, result, render, made)
        return result, line
    template = None
    if (
        result.next_rating == kept.next_rating
        and result.next_rating_note == kept.next_rating_note
        and result.rating_reason == kept.rating_reason
    ):
        template = render_reuse.decode_template(stored.line, stored.slots)
    return result, render(result) if template is None else render_reuse.fill(template, result)


_connections: dict[tuple[int, str], sqlite3.Connection | None] = {}


STALE_AFTER = 600
"""Seconds after its last write that another version's database is removed (one still being
written by a run of that version is left alone)."""


def _remove_stale_databases(current: Path) -> None:
    """Remove the databases of other code versions: their entries can never be read again."""
    now = time.time()
    with contextlib.suppress(OSError):
        for database in current.parent.glob("evidence-*.db"):
            if database == current:
                continue
            parts = [database, *(database.with_name(database.name + end) for end in _SIDE_FILES)]
            written = max((p.stat().st_mtime for p in parts if p.exists()), default=now)
            if now - written > STALE_AFTER:
                for part in parts:
                    with contextlib.suppress(FileNotFoundError):
                        part.unlink()


_SIDE_FILES = ("-wal", "-shm", "-journal")


def _open(database: Path) -> sqlite3.Connection | None:
    """Open (creating if needed) the entries database, or None when it cannot be used."""
    try:
        # Owner-only from the start (SQLite gives its -wal and -shm files the same mode).
        cache_trust.create_private(database)
        # Autocommit, and wait for another worker's write rather than fail at once.
        connection = sqlite3.connect(database, timeout=30, isolation_level=None)
        # Entries are tens of kilobytes: 16 KB pages halve the cost of writing them and make
        # reading one faster (fewer overflow pages) for about a fifth more disk space than 4 KB
        # pages (larger ones waste more); only a new database takes the size.
        connection.execute("PRAGMA page_size=16384")
        # WAL with NORMAL sync: no flush to disk per insert; a crash can lose the last entries,
        # never corrupt the others, and a lost entry is only a miss.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        # Every column is UTF-8 bytes (BLOB): the seal is checked on the bytes as stored,
        # without encoding text again.
        connection.execute(
            "CREATE TABLE IF NOT EXISTS entries (digest TEXT PRIMARY KEY, entry BLOB NOT NULL,"
            " seal BLOB NOT NULL)"
        )
        connection.execute(
            "CREATE TABLE IF NOT EXISTS results (digest TEXT PRIMARY KEY, request BLOB NOT NULL,"
            " result BLOB NOT NULL, render BLOB, line BLOB, slots BLOB, facts BLOB,"
            " seal BLOB NOT NULL, result_seal BLOB NOT NULL)"
        )
        connection.execute(cache_packing.SCHEMA)
    except (OSError, sqlite3.Error):
        return None
    return connection


def entry_seal(key: bytes, digest: str, entry: bytes) -> bytes:
    """The seal of a parsed entry (``cache_trust``)."""
    return cache_trust.seal(key, b"entry", digest.encode(), entry)


def row_seals(key: bytes, digest: str, row: _Row) -> tuple[bytes, bytes]:
    """The seals of a result row: of everything but the result, and of the result (checked
    apart, so that a unit served from its line and facts never hashes its full result)."""
    return (
        cache_trust.seal(key, b"row", digest.encode(), row[0], *row[2:]),
        cache_trust.seal(key, b"result", digest.encode(), row[1]),
    )


def _decode_entry(text: bytes) -> tuple[Any, dict[str, Location]] | None:
    """A parsed entry's values and indicator key positions; None if it does not decode."""
    try:
        # Escaped "$" keys are rare: only entries that have them pay for the full key check.
        hook = _decode if b'"$$' in text else _decode_decimal
        stored = json.loads(text, object_hook=hook)
        keys = {key: Location(line, column) for key, (line, column) in stored["keys"].items()}
        return stored["data"], keys
    except (ValueError, ArithmeticError, KeyError, TypeError):
        return None


def _store(pending: _Pending, digest: str, doc: SourceDocument) -> None:
    keys = {key: [at.line, at.column] for key, at in doc.key_locations(_INDICATORS).items()}
    payload = {"data": doc.data, "keys": keys}
    try:
        text = _dumps_fast(payload)
        if text is None:  # some key or text starts with "$": escape keys, the slow exact way
            text = json.dumps(_encode(payload), ensure_ascii=False)
    except TypeError:  # a value JSON cannot hold exactly: do not cache this file
        return
    pending.entries[digest] = _utf8(text)
    pending.added()


_Row = tuple[bytes, bytes, bytes | None, bytes | None, bytes | None, bytes | None]
"""A result row as stored: request, result, render name, line, slots and facts (UTF-8 bytes)."""


class _Stored(NamedTuple):
    """A stored result row: request and result JSON, and the rendered line's template if any."""

    request: _Request
    result: Callable[[], bytes | None]
    """The result's JSON, unpacked only when asked for (a unit served from its line never is)."""
    render: str | None
    line: bytes | None
    slots: str | None
    facts: bytes | None


def _stored(row: _Row, unpack: Callable[[], bytes | None] | None) -> _Stored | None:
    """The row read (its result is decoded only once the request fits); None if malformed.
    ``unpack`` gives a stored row's result; a pending row holds it as it is."""
    try:
        asked, result, render, line, slots, facts = row
        scoring, rubric, version, vetoes, target = json.loads(asked)
        request = _Request(scoring, rubric, version, vetoes, target)
        if not (
            isinstance(scoring, str)
            and isinstance(rubric, str)
            and (version is None or isinstance(version, str))
            and isinstance(vetoes, list)
            and all(isinstance(v, str) for v in vetoes)
            and isinstance(target, list)
            and all(t is None or isinstance(t, str) for t in target)
        ):
            return None
        return _Stored(
            request,
            (lambda: result) if unpack is None else unpack,
            None if render is None else render.decode(),
            line,
            None if slots is None else slots.decode(),
            facts,
        )
    except (ValueError, TypeError):
        return None


def _store_result(
    pending: _Pending,
    digest: str,
    request: _Request,
    result: UnitResult,
    render: Render | None,
    template: render_reuse.Template | None,
) -> None:
    try:
        text = _utf8(json.dumps(encode_result(result), ensure_ascii=False, separators=(",", ":")))
        asked = _utf8(json.dumps(list(request), ensure_ascii=False, separators=(",", ":")))
    except (TypeError, ValueError):
        return
    if render is None or template is None:
        pending.results[digest] = (asked, text, None, None, None, None)
    else:
        line, slots = render_reuse.encode_template(template)
        facts = json.dumps(_facts_row(result), ensure_ascii=False, separators=(",", ":"))
        name = _utf8(_render_name(render))
        pending.results[digest] = (asked, text, name, line, _utf8(slots), _utf8(facts))
    pending.added()


def _utf8(text: str) -> bytes:
    # surrogateescape: a file name with undecodable bytes stays exact through the round trip.
    return text.encode("utf-8", "surrogateescape")


def _dumps_fast(payload: Any) -> str | None:
    """The entry through the C encoder, decimals tagged by its fallback hook; None if unsure.

    Every ``"$`` in the text is then a decimal tag unless a key or a text starts with "$": when
    the count differs from the decimals tagged, the caller escapes keys with ``_encode``.
    """
    tagged = 0

    def tag(value: Any) -> Any:
        nonlocal tagged
        if type(value) is not Decimal:
            raise TypeError(type(value).__name__)
        tagged += 1
        return {_DECIMAL: str(value)}

    text = json.dumps(payload, ensure_ascii=False, default=tag)
    return text if text.count('"$') == tagged else None


def _encode(value: Any) -> Any:
    """Plain values as JSON-ready values: decimals tagged, keys starting with "$" escaped."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is Decimal:
        return {_DECIMAL: str(value)}
    if kind is dict:
        if any(type(k) is not str for k in value):
            raise TypeError("key")
        return {(f"${k}" if k.startswith("$") else k): _encode(v) for k, v in value.items()}
    if kind is list:
        return [_encode(item) for item in value]
    raise TypeError(kind.__name__)


def _decode_decimal(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _DECIMAL in obj:
        return Decimal(obj[_DECIMAL])
    return obj


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _DECIMAL in obj:
        return Decimal(obj[_DECIMAL])
    if any(key.startswith("$") for key in obj):
        return {(key[1:] if key.startswith("$") else key): value for key, value in obj.items()}
    return obj
