"""Merge deckwork/part*.toml into decks/ml-glossary.toml (cluster by cluster, master-list order)."""
import json, re, sys, tomllib
from pathlib import Path

HERE = Path(__file__).parent
ORDER = ["foundations", "optimization", "generalization", "neural-networks", "losses-metrics", "data",
         "classic-ml", "unsupervised", "math", "vision", "sequence-models", "nlp-llm", "generative",
         "reinforcement-learning", "responsible-ai", "mlops", "recsys"]
TITLES = {"foundations": "Foundations and workflow", "optimization": "Optimization",
          "generalization": "Generalization, regularization and validation",
          "neural-networks": "Neural-network building blocks", "losses-metrics": "Losses and metrics",
          "data": "Data and features", "classic-ml": "Classic machine learning", "unsupervised": "Unsupervised learning",
          "math": "Probability, statistics and linear algebra", "vision": "CNNs and vision",
          "sequence-models": "Sequence models and transformers", "nlp-llm": "NLP and large language models",
          "generative": "Generative models", "reinforcement-learning": "Reinforcement learning",
          "responsible-ai": "Fairness and responsible AI", "mlops": "Deployment and MLOps",
          "recsys": "Recommender systems"}
FIELDS = ["term", "aliases", "definition", "explanation", "example", "related", "is_a", "part_of",
          "contrasts_with", "same_as", "used_for", "tags"]

terms = []
for p in sorted(HERE.glob("part*.toml")):
    terms += tomllib.loads(p.read_text())["terms"]
by_cluster = {c: [] for c in ORDER}
for t in terms:
    t["aliases"] = [a for a in t.get("aliases", []) if a.casefold() != t["term"].casefold()]
    by_cluster[t["tags"][0]].append(t)

out = ['name = "ML Glossary"',
       'description = "Machine-learning vocabulary in seventeen clusters, from foundations and optimization to '
       'transformers, LLMs, reinforcement learning, responsible AI, MLOps and recommender systems."', ""]
for c in ORDER:
    out += ["# " + "-" * 75, f"# {TITLES[c]}", "# " + "-" * 75, ""]
    for t in by_cluster[c]:
        out.append("[[terms]]")
        for f in FIELDS:
            v = t.get(f)
            if v in (None, [], ""):
                continue
            out.append(f"{f} = {json.dumps(v, ensure_ascii=False)}")
        out.append("")
text = "\n".join(out)
tomllib.loads(text)  # it parses
dest = HERE.parent / "decks" / "ml-glossary.toml"
dest.write_text(text)
print(f"{len(terms)} terms -> {dest}", {c: len(v) for c, v in by_cluster.items()})
