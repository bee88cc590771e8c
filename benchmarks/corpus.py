"""A deterministic synthetic seeds directory of any size, for benchmarks and load-fault tests.

N claims in files of 20-100 claims each, one ~4 KB document per file with curly quotes, every
quote a real, unique, whole-word slice of its document, every claim of a typed kind with
vocabulary terms and quantities as the real seeds have them. Same arguments, same bytes.

    uv run python benchmarks/corpus.py OUT_DIR --claims 100000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path

import yaml

WORDS = (
    "report witnesses said officials province camp border security testimony authorities river "
    "market school grounds district county village families crowd gathered public trial charges "
    "prison facility detention inspection campaign ministry record year month defectors interviews"
).split()
METHODS = ("shooting", "hanging", "beating_to_death")
OFFENCES = ("theft_of_food", "distributing_south_korean_media", "drug_crimes", "religious_activities")
PUNISHMENTS = ("public_execution", "execution")
MEASURES = ("arrivals_in_south_korea", "total_settled_in_south_korea")

VOCABULARIES = {
    "organisation_kinds": ("Organisation kinds", ("ngo", "government_body", "media_outlet")),
    "execution_methods": ("Execution methods", METHODS),
    "offences": ("Offences", OFFENCES),
    "punishments": ("Punishments", PUNISHMENTS),
    "defection_measures": ("Defection measures", MEASURES),
    "evidence_methods": ("Evidence methods", ("interviews",)),
    "execution_locations": ("Execution locations", ("river_banks",)),
    "attribution_modes": ("How a claim is attributed", ("direct", "reported", "summarised", "own_voice")),
}


def _vocabularies() -> str:
    lines = ["vocabularies:"]
    for name, (label, terms) in VOCABULARIES.items():
        lines += [f"  {name}:", f"    label: {label}", "    terms:"]
        lines += [
            f"      {t}: {{label: {t.replace('_', ' ').title()}, definition: Synthetic term {t}.}}" for t in terms
        ]
    return "\n".join(lines) + "\n"


def _organisations(count: int) -> str:
    lines = ["organisations:"]
    for i in range(count):
        kind = ("ngo", "government_body", "media_outlet")[i % 3]
        lines.append(f"  - {{id: org-{i}, name: Synthetic organisation {i}, kind: {kind}, aliases: [SO{i}]}}")
    return "\n".join(lines) + "\n"


def _sentence(rng: random.Random, tag: str, claim_type: str, number: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 8)))
    if claim_type == "defection_figure":
        return f"In case {tag} the ministry counted {number} arrivals, the “{words}” said."
    return f"In case {tag} the {words} were “{rng.choice(WORDS)}” according to witnesses."


def _claim_yaml(
    index: int, file_no: int, org_count: int, claim_type: str, sentence: str, number: int, rng: random.Random
) -> str:
    claimant = f"org-{(file_no + index) % org_count}"
    head = (
        f"  - id: c-{file_no}-{index}\n    claimant: {claimant}\n    made_in: report-{file_no}\n"
        f"    attribution: reported\n    type: {claim_type}\n"
    )
    if claim_type == "execution_method":
        value = f"    value: {{method: {rng.choice(METHODS)}}}\n"
    elif claim_type == "offence":
        value = f"    value: {{offence: {rng.choice(OFFENCES)}, punishment: {rng.choice(PUNISHMENTS)}}}\n"
    elif claim_type == "defection_figure":
        value = (
            f"    value: {{quantity: {{exact: {number}, phrase: '{number}'}}, measure: {rng.choice(MEASURES)}, "
            f"period: {2010 + number % 13}}}\n"
        )
    else:
        value = ""
    quote = sentence.replace("'", "''")
    return head + value + f"    statement: Synthetic claim {index} of file {file_no}.\n    quote: '{quote}'\n"


def generate(
    root: Path, claims: int, *, seed: int = 42, organisations: int = 50, as_json: bool = False
) -> dict[str, int]:
    """Write the corpus under `root` (which must not exist); returns what was written.

    With `as_json`, the per-document files are JSON (a machine-made bulk import) instead of YAML.
    """
    rng = random.Random(seed)
    (root / "documents").mkdir(parents=True)
    (root / "vocabularies.yaml").write_text(_vocabularies(), encoding="utf-8")
    (root / "organisations.yaml").write_text(_organisations(organisations), encoding="utf-8")
    sources = ["sources:"]
    written, file_no = 0, 0
    types = ("execution_method", "offence", "defection_figure", "statement")
    while written < claims:
        size = min(rng.randint(20, 100), claims - written)
        body_parts, claim_parts = [], []
        for index in range(size):
            claim_type = types[index % len(types)]
            number = rng.randint(10, 5000)
            sentence = _sentence(rng, f"{file_no}x{index}", claim_type, number)
            body_parts.append(sentence)
            claim_parts.append(_claim_yaml(index, file_no, organisations, claim_type, sentence, number, rng))
        text = f"Synthetic article {file_no}\n\n" + "\n".join(
            " ".join(body_parts[i : i + 3]) for i in range(0, len(body_parts), 3)
        ) + "\n"
        doc_name = f"doc-{file_no:06d}.txt"
        (root / "documents" / doc_name).write_text(text, encoding="utf-8")
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        sources.append(
            f"  - {{id: report-{file_no}, title: Synthetic report {file_no}, "
            f"publisher: org-{file_no % organisations}, published: 2020-01-01}}"
        )
        header = (
            f"document:\n  id: article-{file_no}\n  file: documents/{doc_name}\n  sha256: {sha}\n"
            f"  title: Synthetic article {file_no}\n  publisher: org-{(file_no + 1) % organisations}\n"
            f"  published: 2020-01-02\n  reports_on: [report-{file_no}]\nclaims:\n"
        )
        yaml_text = header + "".join(claim_parts)
        if as_json:
            data = yaml.load(yaml_text, Loader=yaml.CSafeLoader)
            (root / f"article-{file_no:06d}.json").write_text(json.dumps(data, default=str), encoding="utf-8")
        else:
            (root / f"article-{file_no:06d}.yaml").write_text(yaml_text, encoding="utf-8")
        written += size
        file_no += 1
    (root / "sources.yaml").write_text("\n".join(sources) + "\n", encoding="utf-8")
    return {"claims": written, "files": file_no, "organisations": organisations}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to create")
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", action="store_true", help="write the document files as JSON")
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.claims, seed=args.seed, as_json=args.json)))


if __name__ == "__main__":
    main()
