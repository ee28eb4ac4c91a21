"""Code similarity within a class: per kata, each pair of students' files compared by copydetect.

copydetect (the ``similarity`` extra) turns a file into fingerprints: Python's tokens with every
name, function and string made one letter, then hashes of each run of ``NOISE`` characters of
that.  Two files are similar where they share fingerprints; each student's *share* is the part
of their own code (what is left once the kata's given code is taken out) that the other file
holds too.  A pair counts for a kata when either share reaches the threshold (as copydetect's
own report counts it) and they share at least ``MIN_MATCH`` characters of renamed code; a pair
similar in several katas comes first.

The kata's given code (its stub in each language, and the cells of its generated notebook) is
boilerplate: its fingerprints are taken out of every file before comparing, so code that every
student was handed never counts.  Everything runs here, on this machine; nothing is sent
anywhere.  Similar code is a reason to look, never proof: a short task has few ways to be solved.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from pytest_torchkata.i18n import tr

DEFAULT_THRESHOLD = 0.6
NOISE = 25  # copydetect's default: a shared run shorter than 25 characters (after renaming) never counts
# Less matching code than this (characters of renamed code, about two lines) never makes a pair: a
# student who wrote one line shares most of it with anyone who wrote the same obvious line.
MIN_MATCH = 60
EXTRA = 'pip install "pytest-torchkata[similarity]"'


class MissingLibrary(Exception):
    """copydetect is not installed; the message says how to install it."""


def engine() -> Any:
    """The copydetect module, or MissingLibrary saying how to install it."""
    try:
        import copydetect
        from copydetect import utils  # noqa: F401 - get_token_coverage, used below
    except ImportError as exc:
        raise MissingLibrary(tr("the similarity report needs the copydetect library, which is not "
                                "installed here; install it with: {extra}",
                                "相似度报告需要 copydetect 库，这里没有安装；请用这条命令安装：{extra}",
                                extra=EXTRA)) from exc
    return copydetect


@dataclass(frozen=True)
class Document:
    """One student's file for one kata, as Python text (a notebook's code cells, joined)."""

    student: str
    kata: str
    file: str  # its name in the submission: NAME.py or NAME.ipynb
    code: str


@dataclass(frozen=True)
class Skipped:
    """A file that was not compared, and why."""

    student: str
    file: str
    why: str


@dataclass
class Match:
    """Two students' files of one kata that share code."""

    kata: str
    a: Document
    b: Document
    share_a: float  # the part of A's own code that B's file holds too, 0..1
    share_b: float
    spans_a: list[tuple[int, int]]  # the shared code: character ranges in A's text
    spans_b: list[tuple[int, int]]

    @property
    def score(self) -> float:
        return max(self.share_a, self.share_b)


@dataclass
class Pair:
    """Two students and the katas in which their code is similar (best first)."""

    a: str
    b: str
    matches: list[Match] = field(default_factory=list)

    @property
    def katas(self) -> list[str]:
        return [m.kata for m in self.matches]

    @property
    def best(self) -> float:
        return max(m.score for m in self.matches)


@dataclass
class Similarity:
    """What ``compare`` found: the pairs over the threshold (several katas first), and what
    was left out."""

    threshold: float
    students: list[str]
    katas: list[str]  # the katas compared (at least two files each)
    pairs: list[Pair]
    skipped: list[Skipped] = field(default_factory=list)
    without_stub: list[str] = field(default_factory=list)  # katas whose given code was not found


def fingerprint(copydetect: Any, text: str, boilerplate: set[int]) -> Any:
    """copydetect's fingerprint of ``text`` without the boilerplate's fingerprints.

    The boilerplate is taken out here rather than by copydetect's own ``boilerplate`` argument:
    that one (0.5.0) uses numpy's intersect1d with ``assume_unique=True`` on a list that repeats
    any fingerprint the file repeats, so it also drops repeated code that is not boilerplate."""
    found = copydetect.CodeFingerprint("kata.py", NOISE, 1, fp=io.StringIO(text), language="python")
    given = found.hashes & boilerplate
    for value in given:
        del found.hash_idx[value]
    found.hashes = found.hashes - given
    found.token_coverage = copydetect.utils.get_token_coverage(found.hash_idx, NOISE, len(found.filtered_code))
    return found


def boilerplate_hashes(texts: list[str]) -> set[int]:
    """Every fingerprint of the given code ``texts`` (each run of NOISE characters, not a sample)."""
    copydetect = engine()
    hashes: set[int] = set()
    for text in texts:
        hashes |= copydetect.CodeFingerprint("stub.py", NOISE, 1, fp=io.StringIO(text), language="python").hashes
    return hashes


def _spans(slices: Any) -> list[tuple[int, int]]:
    if len(slices) == 0 or len(slices[0]) == 0:
        return []
    return [(int(start), int(end)) for start, end in zip(slices[0], slices[1])]


def _covered(found: Any, shared: set[int]) -> int:
    """How many characters (of renamed code) the ``shared`` fingerprints cover in ``found``: the
    same count as copydetect's overlap, in plain Python (copydetect makes an array per fingerprint)."""
    covered = end = 0
    for start in sorted(p for value in shared for p in found.hash_idx[value]):
        covered += min(NOISE, start + NOISE - end) if start < end else NOISE
        end = max(end, start + NOISE)
    return covered


def _may_reach(a: Any, b: Any, threshold: float) -> bool:
    """Whether the pair can be listed: a quick count that spares copydetect's slower comparison."""
    shared = a.hashes & b.hashes
    covered_a, covered_b = _covered(a, shared), _covered(b, shared)
    return (max(covered_a, covered_b) >= MIN_MATCH
            and max(covered_a / a.token_coverage, covered_b / b.token_coverage) >= threshold)


def compare_kata(documents: list[Document], boilerplate: set[int], threshold: float) -> list[Match]:
    """The pairs of ``documents`` (one kata, one file per student) whose share reaches
    ``threshold`` (and who share ``MIN_MATCH`` characters at least).  Only pairs that share a
    fingerprint at all are counted, and only those that may reach the threshold are compared
    by copydetect."""
    copydetect = engine()
    made: dict[str, Any] = {}  # the same text (a stub handed back as it came) is fingerprinted once
    prints = [made.get(doc.code) or made.setdefault(doc.code, fingerprint(copydetect, doc.code, boilerplate))
              for doc in documents]
    holders: dict[int, list[int]] = defaultdict(list)
    for i, found in enumerate(prints):
        for value in found.hashes:
            holders[value].append(i)
    candidates = {pair for held in holders.values() for pair in combinations(held, 2)}
    matches = []
    compared: dict[tuple[int, int], Any] = {}  # two texts met before (copies of one file) are compared once
    for i, j in sorted(candidates):
        key = (id(prints[i]), id(prints[j]))
        if key not in compared:
            compared[key] = (copydetect.compare_files(prints[i], prints[j])
                             if _may_reach(prints[i], prints[j], threshold) else None)
        if compared[key] is None:
            continue
        overlap, (share_i, share_j), (slices_i, slices_j) = compared[key]
        share_i, share_j = min(float(share_i), 1.0), min(float(share_j), 1.0)
        if overlap >= MIN_MATCH and max(share_i, share_j) >= threshold:
            matches.append(Match(documents[i].kata, documents[i], documents[j], round(share_i, 3),
                                 round(share_j, 3), _spans(slices_i), _spans(slices_j)))
    return matches


def compare(documents: list[Document], boilerplate: dict[str, set[int]], threshold: float = DEFAULT_THRESHOLD,
            skipped: list[Skipped] | None = None) -> Similarity:
    """Compare, kata by kata, every pair of students' files; ``boilerplate`` maps a kata to the
    fingerprints of its given code (``boilerplate_hashes``)."""
    by_kata: dict[str, list[Document]] = defaultdict(list)
    for doc in documents:
        by_kata[doc.kata].append(doc)
    pairs: dict[tuple[str, str], Pair] = {}
    compared = []
    for kata, docs in by_kata.items():
        if len(docs) < 2:
            continue
        compared.append(kata)
        for match in compare_kata(docs, boilerplate.get(kata, set()), threshold):
            key = tuple(sorted((match.a.student, match.b.student)))
            if key != (match.a.student, match.b.student):  # A is always the first name
                match = Match(match.kata, match.b, match.a, match.share_b, match.share_a, match.spans_b,
                              match.spans_a)
            pairs.setdefault(key, Pair(*key)).matches.append(match)  # type: ignore[arg-type]
    for pair in pairs.values():
        pair.matches.sort(key=lambda m: (-m.score, m.kata))
    ordered = sorted(pairs.values(), key=lambda p: (-len(p.matches), -p.best, p.a, p.b))
    students = sorted({doc.student for doc in documents})
    return Similarity(threshold, students, compared, ordered, list(skipped or []),
                      [k for k in compared if not boilerplate.get(k)])
