"""Generate N synthetic agreements in the real fact-file format (varied values, some facts missing or unverified,
evidence on every fact, sizes like the shipped files). Deterministic for a given seed.

    python bench/generate.py N OUT_DIR [--seed S]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORDS = (
    "the participants will provide support security assistance ukraine partner shall consult within hours "
    "agreement cooperation defence training equipment sanctions russia territory borders recognised years "
    "commitment military economic financial intelligence sharing industry reconstruction accession nato union"
).split()


def quote(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 22))).capitalize() + "."


def value(rng: random.Random, spec: dict) -> object:
    kind = spec["type"]
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "integer":
        return rng.choice([10, 24, 48, 72, rng.randint(1, 200)])
    if kind == "number":
        return round(rng.uniform(1, 5000), 1)
    if kind == "string":
        return rng.choice(["EUR", "GBP", "USD", "Agreement on Security Cooperation"])
    if kind == "date":
        return f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if kind == "list":
        return sorted(rng.sample(spec["values"], rng.randint(0, len(spec["values"]))), key=spec["values"].index)
    return rng.choice(spec["values"])


def agreement(i: int, rng: random.Random, paths: dict) -> dict:
    n_sources = rng.randint(3, 8)
    sources = [
        {"id": f"s{j}", "title": f"Source {j}: " + quote(rng)[:60], "url": f"https://example.org/agreements/{i}/source-{j}",
         "type": rng.choice(["text", "official-summary", "secondary"])}
        for j in range(n_sources)
    ]
    facts = {}
    for path, spec in paths.items():
        roll = rng.random()
        if roll < 0.15:
            continue  # not stated
        if roll < 0.22:
            facts[path] = {"evidence": "unverified", "note": "Not confirmed: " + quote(rng)}
            continue
        facts[path] = {
            "value": value(rng, spec), "source": f"s{rng.randrange(n_sources)}", "clause": f"Art. {rng.randint(1, 20)}",
            "quote": quote(rng), "evidence": rng.choice(["text", "official", "secondary"]),
        }
    return {
        "id": f"syn{i:06d}-2024", "title": f"Synthetic agreement {i}", "kind": "bilateral-agreement",
        "parties": [rng.choice(["GB", "DE", "FR", "NO", "PL", "EU"]), "UA"], "signed": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "place": rng.choice(["Kyiv", "Berlin", "Paris", "Oslo"]), "sources": sources, "facts": facts,
    }


def generate(n: int, out: Path, seed: int = 1) -> list[Path]:
    paths = yaml.safe_load((ROOT / "rules" / "vocabulary.yaml").read_text())["paths"]
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files = []
    for i in range(n):
        file = out / f"syn{i:06d}.yaml"
        # quote every string so that values such as NO or 2024-01-01 stay strings for any YAML reader
        file.write_text(yaml.safe_dump(agreement(i, rng, paths), sort_keys=False, allow_unicode=True, width=120, default_style=None))
        files.append(file)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    files = generate(args.n, args.out, args.seed)
    size = sum(f.stat().st_size for f in files)
    print(f"{len(files)} files, {size / len(files) / 1024:.1f} KiB each on average", file=sys.stderr)


if __name__ == "__main__":
    main()
