"""The paper's own text around a claim: which lines of its seed file (``shared/seeds/``) state it.

The lines are found from the claim's id anchor (``theorem1`` -> "Theorem 1", ``eq27`` -> "(27)", ``fig4`` ->
"Figure 4", ``appC-3-1`` -> "C.3.1", ``lemmaA-1`` -> "Lemma A.1"), then from the equations the entry names, then
from its section; a line that states or numbers the thing (a heading, "Theorem 1.", an equation's number alone)
wins over a line that mentions it. When none of these is found, the passage is the run of lines sharing the most
words with the claim's statement, and says so (``how == "statement"``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from checks.registry import ID_PATTERN, Claim

#: The words a paper uses for each kind of anchor (the first is the one it defines the thing with).
LABELS = {"theorem": ("Theorem",), "prop": ("Proposition", "Prop."), "lemma": ("Lemma",),
          "cor": ("Corollary", "Cor."), "fig": ("Figure", "Fig."), "table": ("Table",), "remark": ("Remark",),
          "property": ("Property",), "assumption": ("Assumption",),
          "def": ("Definition", "Def.")}
#: How the lines were found, from the most to the least direct.
HOWS = ("anchor", "equation", "section", "statement")
STRIP = "#*_ |>-•"


@dataclass(frozen=True)
class Passage:
    """Lines ``first``..``last`` (1-based, inclusive) of a seed file, and how they were found."""

    seed_file: str
    first: int
    last: int
    lines: tuple[str, ...]
    found: str
    how: str

    def quoted(self, width: int = 0) -> str:
        """The lines with their numbers, as ``  747 | text`` (cut at ``width`` characters when given)."""
        out = []
        for n, text in enumerate(self.lines, self.first):
            line = f"{n:>6} | {text}"
            out.append(line if not width or len(line) <= width else line[: width - 1] + "…")
        return "\n".join(out)


def seeds_dir(start: Path | None = None) -> Path | None:
    """The folder ``shared/seeds`` beside this checkout or beside one of its parent folders, if present."""
    here = (start or Path(__file__)).resolve()
    for folder in here.parents:
        candidate = folder / "shared" / "seeds"
        if candidate.is_dir():
            return candidate
    return None


@lru_cache(maxsize=8)
def seed_lines(name: str) -> tuple[str, ...]:
    """The lines of seed file ``name`` (empty when the seeds are not beside this checkout)."""
    folder = seeds_dir()
    if folder is None or not (folder / name).is_file():
        return ()
    return tuple((folder / name).read_text(encoding="utf-8", errors="replace").splitlines())


def number_of(text: str) -> str:
    """The paper's numbering of an anchor's number: '-' stands for a dot (``C-3-1`` -> ``C.3.1``)."""
    return text.replace("-", ".")


def targets_of_anchor(claim: Claim) -> list[tuple[str, str]]:
    """(kind, number) of what the id's anchor points to: ``eq24to26`` -> [("eq", "24"), ("eq", "25"), ...]."""
    match = ID_PATTERN.fullmatch(claim.id)
    if match is None:
        return []
    anchor = match.group("anchor")
    kind = re.match(r"[a-z]+?(?=[A-Z0-9]|$)", anchor)
    if kind is None:
        return []
    head, rest = kind.group(0), anchor[len(kind.group(0)):]
    span = re.fullmatch(r"([0-9]+)to([0-9]+)", rest)
    if span:
        lo, hi = int(span.group(1)), int(span.group(2))
        return [(head, str(n)) for n in range(lo, hi + 1)]
    rest = re.sub(r"(?<=[0-9])[a-z]{1,2}$", "", rest)  # sub-figures: fig2a -> Figure 2
    return [(head, number_of(rest))] if rest else []


def targets_of_text(ref: str) -> list[tuple[str, str]]:
    """(kind, number) of an entry's equation or section reference: "27", "Fig. 2(a)", "Lemma 4", "App. C.3.1"."""
    ref = ref.strip()
    if re.fullmatch(r"[0-9]+", ref):
        return [("eq", ref)]
    for kind, words in LABELS.items():
        for word in words:
            m = re.match(re.escape(word) + r"\s*([A-Z]?[0-9.]*[0-9]|[A-Z])\b", ref, flags=re.IGNORECASE)
            if m:
                return [(kind, m.group(1))]
    m = re.match(r"(?:App\.|Appendix)?\s*([A-G](?:\.[0-9]+)*)\b", ref)
    if m:
        return [("app", m.group(1))]
    m = re.match(r"(?:§|Sec\.|Section)?\s*([0-9]+(?:\.[0-9]+)*)$", ref)
    if m:
        return [("sec", m.group(1))]
    m = re.match(r"(?:poster: )?(?:Poster )?([0-9])\b", ref)
    return [("poster", m.group(1))] if m else []


#: Words before an equation's number that make it a reference in prose, not the display it numbers.
REFERENCE = re.compile(r"(?:eqs?\.|equations?|in|and|see|of|by|from|to|or|with|using)\s*$", re.IGNORECASE)
ENUMERATION = re.compile(r"^(?:\d+\.|[-•])\s+")


def score_line(kind: str, number: str, line: str) -> int:
    """3 when the line states or numbers the thing ``kind`` ``number`` (a heading, "Theorem 1.", an equation's
    number at the end of its display), 1 when it mentions it, else 0."""
    num = re.escape(number)
    end = r"(?![0-9]|\.[0-9])"
    bare = ENUMERATION.sub("", line.replace("*", "").strip(STRIP))
    if kind == "eq":
        tail = re.search(rf"\(({num})\)\W{{0,3}}$|\\tag\{{{num}\}}", bare)
        if tail and not REFERENCE.search(bare[:tail.start()]):
            return 3
        return 1 if re.search(rf"\({num}\)", line) else 0
    if kind in ("sec", "app", "poster"):
        if re.match(rf"(?:Appendix\s+|Section\s+)?{num}\.?{end}\s+[A-Z]", line.strip(STRIP)):
            return 3
        return 1 if re.search(rf"(?:Section|Appendix|App\.|§)\s*{num}{end}", line) else 0
    if kind == "footnote":  # the extraction glues a footnote's mark to its text: "1The approximation ..."
        return 3 if re.match(rf"{num}[A-Z][a-z]", line.strip()) else 0
    words = "|".join(re.escape(w) for w in LABELS.get(kind, ()))
    if not words:
        return 0
    if re.match(rf"(?:{words})\s*{num}{end}(?:\s*[.:(]|\s*$)", bare, re.IGNORECASE):
        return 3
    return 1 if re.search(rf"(?:{words})\s*{num}{end}", line, re.IGNORECASE) else 0


def best_line(lines: tuple[str, ...], kind: str, number: str) -> tuple[int, int] | None:
    """(index, score) of the first line with the best score for the thing, or None."""
    best: tuple[int, int] | None = None
    for i, text in enumerate(lines):
        score = score_line(kind, number, text)
        if score and (best is None or score > best[1]):
            best = (i, score)
            if score == 3:
                break
    return best


def window(kind: str, index: int, total: int, context: int) -> tuple[int, int]:
    """The lines shown around a found line (0-based, inclusive): an equation's number follows its display,
    a statement follows its label."""
    before, after = (context, 2) if kind == "eq" else (2, context)
    return max(0, index - before), min(total - 1, index + after)


def by_statement(lines: tuple[str, ...], statement: str) -> int:
    """The index of the line sharing the most distinctive words (4+ letters) with the statement."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", statement)}
    if not words:
        return 0
    scores = [len(words & {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}) for text in lines]
    return max(range(len(lines)), key=scores.__getitem__)


def section_refs(section: str) -> list[str]:
    """The parts of an entry's section ("3.2.1 / App. C.3.3", "poster: Poster 4") as references."""
    parts = [p.strip() for p in re.split(r"/", section.replace("poster:", "")) if p.strip()]
    return [p if not re.fullmatch(r"[A-G](?:\.[0-9]+)+", p) else f"App. {p}" for p in parts]


def section_targets(ref: str) -> list[tuple[str, str]]:
    """(kind, number) of a section reference: a bare number is a section here, not an equation."""
    return [("sec", number) if kind == "eq" else (kind, number) for kind, number in targets_of_text(ref)]


def locate(claim: Claim, context: int = 8) -> Passage | None:
    """The passage of the paper that states ``claim`` (None when the seeds are not beside this checkout)."""
    lines = seed_lines(claim.seed_file)
    if not lines:
        return None
    tries = [("anchor", t) for t in targets_of_anchor(claim)]
    tries += [("equation", t) for ref in claim.equations for t in targets_of_text(ref)]
    if not claim.id.split(".")[1].startswith("footnote"):  # a footnote is far from its section's heading
        tries += [("section", t) for ref in section_refs(claim.section) for t in section_targets(ref)]
    if claim.source == "poster":
        tries = [(how, ("poster", num) if kind in ("sec", "eq") else (kind, num)) for how, (kind, num) in tries
                 if kind != "app"]
    for how in HOWS[:3]:
        found = [(t, best_line(lines, *t)) for h, t in tries if h == how]
        hits = [(t, hit) for t, hit in found if hit is not None]
        if hits:
            (kind, number), (index, _) = max(hits, key=lambda th: th[1][1])
            first, last = window(kind, index, len(lines), context)
            return Passage(claim.seed_file, first + 1, last + 1, lines[first:last + 1], f"{kind} {number}", how)
    index = by_statement(lines, claim.statement)
    first, last = max(0, index - 2), min(len(lines) - 1, index + context)
    return Passage(claim.seed_file, first + 1, last + 1, lines[first:last + 1], "statement words", "statement")
