"""Check a deck part against the plan: python3 deckwork/check.py deckwork/part1.toml [...]"""
import re, sys, tomllib, unicodedata
from pathlib import Path

PLAN = Path(__file__).with_name("PLAN.md").read_text()
master_text = PLAN.split("## Master list")[1].split("## Renamed")[0]
MASTER, OWNER = {}, {}
section, part = None, None
for block in re.split(r"^(?=### )", master_text, flags=re.M):
    m = re.match(r"### (\S+) \[(part\d)\]", block)
    if not m:
        continue
    section, part = m.groups()
    body = " ".join(block.splitlines()[1:])  # names may wrap across lines
    for name in body.split(";"):
        name = " ".join(name.split())
        if name:
            MASTER[name.lower()] = section; OWNER[name.lower()] = part

FIELDS = {"term", "aliases", "definition", "explanation", "example", "related", "is_a", "part_of",
          "contrasts_with", "used_for", "same_as", "tags"}
LINKS = ("related", "is_a", "part_of", "contrasts_with", "used_for", "same_as")
BRITISH = re.compile(r"\b(\w*(optimis|regularis|normalis|generalis|minimis|maximis|initialis|standardis|"
                     r"tokenis|summaris|categoris|visualis|organis|recognis|characteris|parameteris|"
                     r"quantis|vectoris|emphasis(?!e?\b)|analys(?!is|es)|neighbour|behaviour|colour|modelling|"
                     r"labelled|labelling|favour|centre|travelled|modelled|penalis)\w*)", re.I)
STOP = {"with", "from", "that", "this", "into", "over", "under", "between", "model", "models", "data",
        "learning", "function", "error", "rate", "set", "the", "and", "for"}


def norm(s): return re.sub(r"[\s\-_]+", " ", unicodedata.normalize("NFKD", s).casefold()).strip()


def main(paths):
    terms = []
    for p in paths:
        data = tomllib.loads(Path(p).read_text())
        for t in data.get("terms", []):
            terms.append((p, t))
    names = {t["term"].lower() for _, t in terms}
    known = set(MASTER) | names
    problems = 0
    def bad(p, t, msg):
        nonlocal problems
        problems += 1
        print(f"{p}: {t.get('term')!r}: {msg}")
    seen = set()
    for p, t in terms:
        extra = set(t) - FIELDS
        if extra: bad(p, t, f"unknown fields {extra}")
        for f in ("term", "definition", "explanation", "example", "tags"):
            if not t.get(f): bad(p, t, f"missing {f}")
        k = norm(t["term"])
        if k in seen: bad(p, t, "duplicate term")
        seen.add(k)
        if t["term"].lower() not in MASTER: print(f"{p}: {t['term']!r}: note: not in the master list (fine if in your own cluster)")
        nlinks = 0
        for f in LINKS:
            for other in t.get(f, []):
                nlinks += 1
                if other.lower() not in known: bad(p, t, f"{f} -> {other!r} is not in the master list")
                if other.lower() == t["term"].lower(): bad(p, t, "links to itself")
        if not 2 <= nlinks <= 6: bad(p, t, f"{nlinks} links (want 2-6)")
        d = norm(t.get("definition", ""))
        for name in [t["term"], *t.get("aliases", [])]:
            if re.search(r"\b" + re.escape(norm(name)) + r"\b", d): bad(p, t, f"definition contains {name!r}")
        for w in re.findall(r"[a-z]{4,}", norm(t["term"])):
            if w not in STOP and re.search(r"\b" + w + r"\w*", d): print(f"{p}: {t['term']!r}: warning: definition uses the term's word {w!r}")
        for f in ("term", "definition", "explanation", "example"):
            v = t.get(f) or ""
            for m in BRITISH.finditer(v): bad(p, t, f"British spelling in {f}: {m.group(0)!r}")
            if any(unicodedata.category(c) in ("Cc", "Cf") for c in v): bad(p, t, f"control/invisible character in {f}")
            if re.search(r"\[/?[a-z]+\]|<[a-z]+>|\*\*", v): bad(p, t, f"markup in {f}")
        tags = t.get("tags", [])
        if tags and tags[0] not in set(MASTER.values()): bad(p, t, f"first tag {tags[0]!r} is not a cluster tag")
    print(f"{len(terms)} terms, {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
