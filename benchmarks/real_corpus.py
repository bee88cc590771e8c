"""A real-shaped corpus: the project's own seeds copied until there are about N claims.

Whatever `seeds/` holds now (its files, their comments and block text, its documents) is copied
into `copy-00001/`, `copy-00002/`, ... Each copy renames every id the seeds define (claims,
sources, documents, organisations, places, assessments, claimants described on claims) with a
`-c<N>` suffix, and every organisation's and place's alias with ` c<N>`, wherever a whole YAML
value is one, and gets its own document bytes: the copy's number is appended to each
document as a last line, so every quote is still found and every hash differs (the `sha256:` and
`file:` values follow). Files that only define vocabularies are shared by every copy, once, at
the top. Nothing here knows the seeds' ids or counts: they are read from the files.

    uv run python benchmarks/real_corpus.py OUT_DIR --claims 50000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
SUFFIXES = (".yaml", ".yml")
DEFINING = ("organisations", "places", "sources", "assessments", "claims")
"""Sections whose items each define an id; `document` defines one too."""


def _seed_files(root: Path) -> list[Path]:
    return sorted(
        Path(d) / name for d, _, names in os.walk(root) for name in names
        if name.endswith(SUFFIXES) and not name.startswith(".")
    )  # fmt: skip


def _load(path: Path) -> Any:
    return yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader) or {}


def _defined_ids(data: Any) -> Iterator[str]:
    """Every `id:` anywhere (items of every section, the document, claimants described on claims)."""
    if isinstance(data, dict):
        if isinstance(data.get("id"), str):
            yield data["id"]
        for value in data.values():
            yield from _defined_ids(value)
    elif isinstance(data, list):
        for item in data:
            yield from _defined_ids(item)


def _aliases(data: dict[str, Any]) -> list[str]:
    """Aliases of organisations and places: a name must lead to one of them, so each copy has its own."""
    return [
        alias for section in ("organisations", "places") for item in data.get(section) or []
        if isinstance(item, dict) for alias in item.get("aliases") or [] if isinstance(alias, str)
    ]  # fmt: skip


def _whole_value(keys: list[str]) -> re.Pattern[str]:
    """Any of `keys` written as a whole YAML value: after `: `, `- `, `[`, `{` or `, `, up to the
    end of the line, a comment, `,`, `]` or `}`; optionally in quotes."""
    alternatives = "|".join(re.escape(key) for key in sorted(keys, key=len, reverse=True))
    before = r"(?:(?<=: )|(?<=- )|(?<=\[)|(?<=\{)|(?<=, ))"
    after = r"(?=[ \t]*$|[ \t]+#|,|\]|\})"
    return re.compile(rf"{before}(['\"]?)({alternatives})\1{after}", re.MULTILINE)


class Template:
    """The seeds read once; `write_copy` makes one renamed copy of them."""

    def __init__(self, seeds: Path = SEEDS) -> None:
        self.seeds = seeds
        self.shared: list[Path] = []
        self.copied: list[tuple[Path, str, Any]] = []  # path, text, parsed data
        ids: list[str] = []
        aliases: list[str] = []
        self.documents: dict[str, tuple[bytes, str | None]] = {}  # file value -> (bytes, sha256 value)
        for path in _seed_files(seeds):
            data = _load(path)
            if set(data) <= {"vocabularies"}:
                self.shared.append(path)
                continue
            if "vocabularies" in data:
                raise SystemExit(f"{path}: defines vocabularies beside other things; the copier cannot share it")
            self.copied.append((path, path.read_text(encoding="utf-8"), data))
            ids += _defined_ids(data)
            aliases += _aliases(data)
            document = data.get("document")
            if isinstance(document, dict):
                sha = document.get("sha256")  # seeds may leave it out (the tests' own do)
                self.documents[document["file"]] = ((seeds / document["file"]).read_bytes(), sha)
        self.ids = sorted(set(ids))
        self.aliases = sorted(set(aliases) - set(self.ids))
        self.claims = sum(len(data.get("claims") or []) for _, _, data in self.copied)
        shas = [sha for _, sha in self.documents.values() if sha]
        self.pattern = _whole_value([*self.ids, *self.aliases, *self.documents, *shas])

    def write_copy(self, out: Path, number: int) -> None:
        """Copy `number` under out/copy-NNNNN/, with its ids, document paths and hashes renamed."""
        folder = f"copy-{number:05d}"
        renamed = {key: f"{key}-c{number}" for key in self.ids}
        renamed.update({alias: f"{alias} c{number}" for alias in self.aliases})
        for file_value, (raw, sha) in self.documents.items():
            new_file = f"{folder}/{file_value}"
            body = raw + (b"" if raw.endswith(b"\n") else b"\n") + f"[benchmark copy {number}]\n".encode()
            target = out / new_file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            renamed[file_value] = new_file
            if sha:
                renamed[sha] = hashlib.sha256(body).hexdigest()
        for path, text, data in self.copied:
            new_text = self.pattern.sub(lambda match: match[1] + renamed[match[2]] + match[1], text)
            target = out / folder / path.relative_to(self.seeds)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(new_text, encoding="utf-8")
            if number == 1:  # the renaming is checked once: it is the same text substitution in every copy
                _check_renamed(path, data, _load(target), renamed)


def _check_renamed(path: Path, before: Any, after: Any, renamed: dict[str, str]) -> None:
    """Every value that changed was a whole id (or path, hash); no defined id was left behind."""
    for old, new in zip(_scalars(before), _scalars(after), strict=True):
        if old != new and renamed.get(old) != new:
            raise SystemExit(f"{path}: renaming changed {old!r} into {new!r}, which is not a whole id")
        if old == new and isinstance(old, str) and old in renamed:
            raise SystemExit(f"{path}: {old!r} was not renamed (written in a form the copier does not know)")


def _scalars(data: Any) -> Iterator[Any]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _scalars(value)
    elif isinstance(data, list):
        for item in data:
            yield from _scalars(item)
    else:
        yield data


def generate(root: Path, claims: int, seeds: Path = SEEDS) -> dict[str, int]:
    """Write about `claims` claims of copies of `seeds` under `root` (which must not exist)."""
    template = Template(seeds)
    if template.claims == 0:
        raise SystemExit(f"{seeds} holds no claims to copy")
    root.mkdir(parents=True)
    for path in template.shared:
        target = root / path.relative_to(seeds)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    copies = max(1, math.ceil(claims / template.claims))
    for number in range(1, copies + 1):
        template.write_copy(root, number)
    return {
        "claims": copies * template.claims,
        "copies": copies,
        "claims_per_copy": template.claims,
        "seed_files": len(template.shared) + copies * len(template.copied),
        "documents": copies * len(template.documents),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to create")
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--seeds", type=Path, default=SEEDS, help="the seeds to copy (default: the project's)")
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.claims, args.seeds)))


if __name__ == "__main__":
    main()
