"""Re-grading without re-doing work (``--cache DIR``): files kept by the digest of their bytes.

Two kinds of entry, both JSON text in one SQLite database (never pickle: a cache folder may be
shared, and loading a pickle can run code), keyed by the SHA-256 of the file's bytes so that an
edited file simply misses:

* a **graded result** (``result_codec``), with the scoring fingerprint of the rubric it was
  graded under: a digest of every part of the rubric except its identity (``title``,
  ``version``, ``source``) and its rating bands and quotas. Validation and scoring read nothing
  else, so when a later rubric has the same fingerprint (a rating threshold moved, a band added,
  the version bumped) the stored result is exact apart from ``scoring.rating.rating_fields``,
  which are recomputed (``rerate``): the file is neither parsed, validated nor scored again.
  In a batch, the result's rendered line (JSON) is stored too, with the places its renderer
  wrote the rating fields at (the next rating's too), and re-used with those fields' text
  replaced (``reports/json_line.py``); so are the unit's ``UnitFacts`` (what the batch summary
  reads), so that a unit whose next rating still holds is served without decoding its result
  at all when the writer needs nothing more than the line (JSON, jsonl).
  Files that fail are not stored as results: their problems are found afresh each time.
* the **parsed evidence**: what reading the YAML produced, its plain values and where each
  indicator's key is, with decimals written as text so that they come back exact. Any other
  rubric edit (a weight, a rule, a penalty, an indicator added) re-validates and re-scores the
  unchanged files from these values without parsing them. A cached document that has to locate
  a problem parses the file's bytes at that moment, so every message is what a fresh read gives.

Where and how the rows are kept (one SQLite database per code version, every row sealed with
the folder's key and the large ones packed, other versions' databases removed) is
``cache_store``'s part; this module decides what is stored and when a stored result still holds.
The cache is an optimisation only: an unreadable, corrupt or unwritable entry is a miss, never
an error. Workbooks are not cached.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from lianchuang_cli.caching.cache_store import CacheStore, Row
from lianchuang_cli.caching.entry_codec import decode_entry, encode_entry
from lianchuang_cli.caching.result_codec import (
    decode_criterion,
    decode_result,
    encode_criterion,
    encode_result,
)
from lianchuang_cli.errors import InputError, Problem
from lianchuang_cli.forms.xlsx_layout import is_workbook
from lianchuang_cli.grading.pipeline import (
    checked_against,
    grade,
    grade_file,
    plan_for,
    rubric_named,
)
from lianchuang_cli.grading.rubrics import PLAIN, RubricLoader
from lianchuang_cli.model.evidence import requested_rubric
from lianchuang_cli.model.rubric import LoadedRubric
from lianchuang_cli.reading.document import Document, Location
from lianchuang_cli.reading.yaml_reader import SourceDocument, parse_yaml, read_yaml_bytes
from lianchuang_cli.reports.json_line import (
    Render,
    RenderedLine,
    decode_line,
    encode_slots,
    rating_values,
    refill,
)
from lianchuang_cli.scoring.rating import kept_band_fields, rating_target, rerate
from lianchuang_cli.scoring.results import FileFailure, FileOutcome, UnitFacts, UnitResult
from lianchuang_cli.scoring.tally import losses

_INDICATORS = ("indicators",)


RATING_PARTS = frozenset({"title", "version", "source", "ratings", "quotas"})
"""The rubric's parts that neither validation nor scoring read (``scoring.rating.rating_fields``)."""

_fingerprints: dict[str, str] = {}
"""A pure memo: the scoring fingerprint by the rubric's sha256 (its bytes decide it)."""


def scoring_fingerprint(loaded: LoadedRubric) -> str:
    """Digest of everything in a rubric but ``RATING_PARTS``: equal for a threshold edit.

    A band's conditions on the units below (``requires``) count: scoring states them in the
    result (``band_conditions``), which re-rating does not recompute.
    """
    found = _fingerprints.get(loaded.sha256)
    if found is None:
        parts = loaded.rubric.model_dump(mode="json", exclude=set(RATING_PARTS))
        parts["band_requires"] = {
            band.name: [condition.model_dump(mode="json") for condition in band.requires]
            for band in loaded.rubric.ratings
            if band.requires  # a band without conditions may come or go: re-rating handles it
        }
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
    """Parsed evidence and graded results kept in a cache folder (``cache_store``), shared by
    concurrent workers. Rubrics are loaded by ``loader``."""

    def __init__(self, folder: Path, loader: RubricLoader = PLAIN) -> None:
        """Open the cache in ``folder``; raises ``UnsafeCacheFolder`` if others may write it."""
        self.folder = folder
        self.loader = loader
        self._store = CacheStore(folder)
        self._ahead: dict[str, tuple[bytes, str] | InputError] = {}

    @property
    def database(self) -> Path:
        """The SQLite database of this code version in the folder."""
        return self._store.database

    @property
    def rejected(self) -> int:
        """Stored rows whose seal did not match (edited, damaged or foreign), in this process."""
        return self._store.rejected

    def flush(self) -> None:
        """Write the entries made so far."""
        self._store.flush()

    def read_ahead(self, paths: Sequence[str | Path]) -> None:
        """Read the YAML files among ``paths`` and fetch their stored results in one statement
        (``CacheStore.fetch_results``); ``grade_rendered`` then takes each file's bytes, or the
        error reading them gave, from here. Forgets what an earlier call read."""
        ahead: dict[str, tuple[bytes, str] | InputError] = {}
        for path in paths:
            if is_workbook(path):
                continue
            name = str(path)
            try:
                raw = read_yaml_bytes(path, name)
            except InputError as exc:
                ahead[name] = exc
                continue
            ahead[name] = (raw, hashlib.sha256(raw).hexdigest())
        self._ahead = ahead
        self._store.fetch_results([item[1] for item in ahead.values() if isinstance(item, tuple)])

    def read(self, path: str | Path) -> SourceDocument | CachedDocument:
        """Read a YAML evidence file, from the cache when its bytes have been parsed before.

        Raises ``InputError`` exactly as ``read_yaml`` does.
        """
        name = str(path)
        raw = read_yaml_bytes(path, name)
        return self._document(name, raw, hashlib.sha256(raw).hexdigest())

    def _document(self, name: str, raw: bytes, sha256: str) -> SourceDocument | CachedDocument:
        text = self._store.entry(sha256)
        found = None if text is None else decode_entry(text)
        if found is not None:
            data, keys = found
            return CachedDocument(name, data, sha256, keys, raw)
        doc = parse_yaml(raw, name=name)
        _store(self._store, sha256, doc)
        return doc

    @staticmethod
    def _read_hashed(path: str | Path, name: str) -> tuple[bytes, str]:
        raw = read_yaml_bytes(path, name)
        return raw, hashlib.sha256(raw).hexdigest()

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

        A stored result gets the line rendered when it was stored, with the rating fields' text
        replaced (``json_line.refill``). With ``facts``, a result whose next rating still holds
        is not even decoded: its ``UnitFacts`` come back with the line (for a caller that needs
        nothing else of the result, like a batch writing JSON lines).
        """
        name = str(path)
        ahead = self._ahead.pop(name, None)  # only YAML files are read ahead
        if ahead is None and is_workbook(path):
            outcome = grade_file(path, rubric_path=rubric_path, loader=self.loader)
            return outcome, _rendered(outcome, render)
        try:
            if isinstance(ahead, InputError):
                raise ahead
            raw, sha256 = ahead or self._read_hashed(path, name)
        except InputError as exc:
            return FileFailure(name, tuple(exc.problems)), None
        rubric_of = partial(rubric_named, rubric_path=rubric_path, loader=self.loader)
        found = self._store.result_row(sha256)
        stored = None if found is None else _stored(*found)
        if stored is not None:
            served = _still_holds(stored, name, raw, sha256, rubric_of, render, self._store, facts)
            if served is not None:
                return served
        try:
            doc = self._document(name, raw, sha256)
            rubric, version = requested_rubric(doc)
            plan = plan_for(rubric_of(doc, rubric, version))
        except InputError as exc:
            return FileFailure(name, tuple(exc.problems)), None
        loaded = plan.loaded
        try:
            evidence = plan.check(doc)
        except InputError as exc:
            return checked_against(loaded, FileFailure(name, tuple(exc.problems))), None
        result = grade(doc, plan, evidence=evidence)
        line = None if render is None else render(result)
        if self._store.usable():
            vetoes = [loaded.veto_index[event.id].name for event in evidence.vetoes]
            target = list(rating_target(loaded, result))
            request = _Request(scoring_fingerprint(loaded), rubric, version, vetoes, target)
            _store_result(self._store, sha256, request, result, render, line)
        return result, None if line is None else line.text


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
    line = decode_line(stored.line, stored.slots)
    if line is None or not isinstance(stored.facts, bytes):
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
            rating_reason=fields["rating_reason"],
            ratings=fields["ratings"],
            vetoed=vetoed,
            veto_reasons=tuple(str(reason) for reason in reasons),
            gap_count=int(gaps),
            losses=tuple((str(i), str(n), str(c), Decimal(d)) for i, n, c, d in lost),
        )
    except (ValueError, TypeError, ArithmeticError, LookupError):
        return None
    return unit, refill(line, rating_values(unit, next_rating=False))


def _rendered(outcome: FileOutcome, render: Render | None) -> bytes | None:
    return None if render is None or not isinstance(outcome, UnitResult) else render(outcome).text


def _render_name(render: Render) -> str:
    return f"{render.__module__}.{render.__qualname__}"


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
    rubric_of: Callable[[Document, str, str | None], LoadedRubric],
    render: Render | None,
    store: CacheStore,
    facts: bool,
) -> tuple[UnitResult | UnitFacts, bytes | None] | None:
    """The stored result re-rated under today's rubric (and its line), or None if that rubric
    scores otherwise. A result stored without a line of this ``render`` (by ``score``, say) is
    stored again with one."""
    request = stored.request
    unparsed = _Unread(name, None, sha256, {}, raw)
    try:
        loaded = rubric_of(unparsed, request.rubric, request.version)
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
        if line.slots:
            again = request._replace(target=list(rating_target(loaded, result)))
            _store_result(store, sha256, again, result, render, line)
        return result, line.text
    # Only the rating fields differ from the result the line was rendered from, and the line
    # says where each is (the next rating's too): re-filled, even when re-rating searched the
    # next rating again.
    kept_line = decode_line(stored.line, stored.slots)
    if kept_line is None:
        return result, render(result).text
    return result, refill(kept_line, rating_values(result))


def _store(store: CacheStore, digest: str, doc: SourceDocument) -> None:
    keys = {key: [at.line, at.column] for key, at in doc.key_locations(_INDICATORS).items()}
    text = encode_entry(doc.data, keys)
    if text is not None:  # else a value JSON cannot hold exactly: this file is not cached
        store.add_entry(digest, text)


class _Stored(NamedTuple):
    """A stored result row: request and result JSON, and the rendered line with its slots if any."""

    request: _Request
    result: Callable[[], bytes | None]
    """The result's JSON, unpacked only when asked for (a unit served from its line never is)."""
    render: str | None
    line: bytes | None
    slots: str | None
    facts: bytes | None


def _stored(row: Row, unpack: Callable[[], bytes | None] | None) -> _Stored | None:
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
    store: CacheStore,
    digest: str,
    request: _Request,
    result: UnitResult,
    render: Render | None,
    line: RenderedLine | None,
) -> None:
    try:
        text = _utf8(json.dumps(encode_result(result), ensure_ascii=False, separators=(",", ":")))
        asked = _utf8(json.dumps(list(request), ensure_ascii=False, separators=(",", ":")))
    except (TypeError, ValueError):
        return
    if render is None or line is None or not line.slots:
        store.add_result(digest, (asked, text, None, None, None, None))
    else:
        slots = _utf8(encode_slots(line.slots))
        facts = _utf8(json.dumps(_facts_row(result), ensure_ascii=False, separators=(",", ":")))
        name = _utf8(_render_name(render))
        store.add_result(digest, (asked, text, name, line.text, slots, facts))


def _utf8(text: str) -> bytes:
    # surrogateescape: a file name with undecodable bytes stays exact through the round trip.
    return text.encode("utf-8", "surrogateescape")
