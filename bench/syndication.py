"""A labelled syndication drop: wire stories republished with the edits outlets make, plus hard negatives.

    python bench/syndication.py --stories 3000 --days 10 --seed 1 [--out DIR]   # DIR: raw files to ingest
    python bench/syndication.py --stories 3000 --days 10 --seed 1 --labels     # JSON summary only

Every article is a pure function of (seed, story, copy): string-seeded `random.Random`.

- Stories: 4-12 paragraphs of 1-3 sentences of 10-28 words, drawn (Zipf-like) from a lexicon of
  30,000 made-up words plus English function words, with names and numbers, so two unrelated
  stories share few word 3-grams, as real news does. The first paragraph opens with a dateline.
- Copies (label = the story): 0-12 per story, on the story's day or 1-3 days later, each with a
  random subset of: headline rewritten, dateline dropped, byline added, footer / "Related:" /
  copyright lines added, spellings changed (a few words respelt), a sentence dropped, a paragraph
  dropped, the end trimmed (1-3 paragraphs), abridged (first 40-70 % of paragraphs kept),
  paragraphs merged or split; 5 % of copies are byte-identical re-deliveries.
- Hard negatives (their own labels): follow-up stories 1-5 days later that reuse 2-3 background
  paragraphs of an earlier story among 3-8 new ones; templated earnings, market-close and match
  reports that share their wording and differ in names and numbers.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path

START = dt.date(2024, 3, 1)
FUNCTION_WORDS = ("the of and to in a that for on with as by at from is was said it has have had be "
                  "will would but not are were their its this which after over more than about also who "
                  "into two new been they he she his her up out year one last first").split()
MONTHS = "Jan Feb March April May June July Aug Sept Oct Nov Dec".split()
SPELLING = {"ize": "ise", "or": "our", "er": "re", "l": "ll", "ense": "ence"}


@dataclass
class Article:
    label: str  # the story it is a copy of (ground truth cluster)
    day: int
    name: str
    title: str
    paragraphs: list[str]
    kind: str  # original, copy, duplicate, follow_up, templated


class Lexicon:
    def __init__(self, seed: int, size: int = 30_000) -> None:
        rng = random.Random(f"lexicon:{seed}")
        syllables = [a + b for a in "bcdfghjklmnprstvwz" for b in ("a", "e", "i", "o", "u", "ai", "ou", "ea")]
        words = set()
        while len(words) < size:
            words.add("".join(rng.choice(syllables) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))) +
                      rng.choice(("", "", "n", "s", "r", "ize", "or", "er", "ense", "l")))
        self.words = sorted(words)
        rng.shuffle(self.words)
        # Zipf-like: word k drawn with weight 1 / (k + 10)
        self.weights = [1.0 / (k + 10) for k in range(size)]
        self.cumulative = []
        total = 0.0
        for w in self.weights:
            total += w
            self.cumulative.append(total)

    def word(self, rng: random.Random) -> str:
        if rng.random() < 0.42:
            return rng.choice(FUNCTION_WORDS)
        return rng.choices(self.words, cum_weights=self.cumulative, k=1)[0]

    def name(self, rng: random.Random) -> str:
        return " ".join(rng.choice(self.words).capitalize() for _ in range(rng.choice((1, 2, 2))))


def _sentence(rng: random.Random, lexicon: Lexicon, names: list[str]) -> str:
    words = []
    for _ in range(rng.randint(10, 28)):
        roll = rng.random()
        if roll < 0.05:
            words.append(rng.choice(names))
        elif roll < 0.08:
            words.append(str(rng.randint(2, 5000)))
        else:
            words.append(lexicon.word(rng))
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice((".", ".", ".", "?", "!")) if text else text


def _story(rng: random.Random, lexicon: Lexicon, *, paragraphs: tuple[int, int] = (4, 12)) -> list[str]:
    names = [lexicon.name(rng) for _ in range(4)]
    return [" ".join(_sentence(rng, lexicon, names) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(*paragraphs))]


def _dateline(rng: random.Random, lexicon: Lexicon, day: int) -> str:
    when = START + dt.timedelta(days=day)
    return f"{lexicon.name(rng).upper()}, {MONTHS[when.month - 1]} {when.day} (Wire) - "


def _respell(rng: random.Random, text: str) -> str:
    out = []
    for word in text.split(" "):
        if rng.random() < 0.04:
            for old, new in SPELLING.items():
                if word.endswith(old):
                    word = word[: -len(old)] + new
                    break
        out.append(word)
    return " ".join(out)


def _copy(rng: random.Random, lexicon: Lexicon, paragraphs: list[str]) -> list[str]:
    """A republished copy with a random subset of the edits outlets make."""
    body = list(paragraphs)
    if rng.random() < 0.5 and " - " in body[0]:  # dateline dropped
        body[0] = body[0].split(" - ", 1)[1]
    if rng.random() < 0.3 and len(body) > 2:  # end trimmed
        body = body[: len(body) - rng.randint(1, min(3, len(body) - 2))]
    if rng.random() < 0.2 and len(body) > 3:  # abridged
        body = body[: max(2, round(len(body) * rng.uniform(0.4, 0.7)))]
    if rng.random() < 0.25 and len(body) > 3:  # a paragraph dropped
        del body[rng.randrange(1, len(body))]
    if rng.random() < 0.3:  # a sentence dropped
        i = rng.randrange(len(body))
        sentences = body[i].split(". ")
        if len(sentences) > 1:
            del sentences[rng.randrange(len(sentences))]
            body[i] = ". ".join(sentences)
    if rng.random() < 0.4:  # spellings changed
        body = [_respell(rng, p) for p in body]
    if rng.random() < 0.3 and len(body) > 2:  # two paragraphs merged
        i = rng.randrange(len(body) - 1)
        body[i:i + 2] = [body[i] + " " + body[i + 1]]
    if rng.random() < 0.3:  # a paragraph split
        i = rng.randrange(len(body))
        sentences = body[i].split(". ")
        if len(sentences) > 1:
            cut = rng.randrange(1, len(sentences))
            body[i:i + 1] = [". ".join(sentences[:cut]) + ".", ". ".join(sentences[cut:])]
    if rng.random() < 0.4:  # byline
        body.insert(0, f"By {lexicon.name(rng)}")
    if rng.random() < 0.5:  # footers
        body += rng.sample([f"Related: {lexicon.name(rng)} {lexicon.word(rng)} {lexicon.word(rng)}",
                            f"Copyright {rng.randint(2019, 2024)} {lexicon.name(rng)}. All rights reserved.",
                            "Follow us for the latest news.", f"Reporting by {lexicon.name(rng)}; editing by "
                            f"{lexicon.name(rng)}"], k=rng.randint(1, 3))
    return body


TEMPLATES = {
    "earnings": [
        "{C} reported {Q} net income of {N} million dollars, or {M} cents a share, compared with {N} million a year earlier.",
        "Revenue rose {P} percent to {N} million dollars, the company said in a statement on {D}.",
        "Analysts polled by the agency had expected earnings of {M} cents a share on revenue of {N} million dollars.",
        "Shares of {C} rose {P} percent to {N} dollars in early trading.",
        "The company raised its full-year forecast to between {N} and {N} million dollars.",
    ],
    "market": [
        "The main index closed up {P} percent at {N} points on {D}, while the broader market gained {P} percent.",
        "Turnover stood at {N} million shares, compared with a daily average of {N} million over the past month.",
        "{C} led the gainers, rising {P} percent, while {C} fell {P} percent.",
        "The currency traded at {N} to the dollar, and the benchmark bond yield stood at {P} percent.",
        "Oil prices rose {P} percent to {N} dollars a barrel.",
    ],
    "match": [
        "{C} beat {C} {S} on {D} to move {M} points clear at the top of the table.",
        "{C} scored in the {M} minute and {C} added a second after {M} minutes.",
        "The visitors had {M} shots on goal and {P} percent of possession in front of {N} spectators.",
        "{C} are next in action against {C} on {D}, with {M} games of the season left.",
    ],
}


def _templated(rng: random.Random, lexicon: Lexicon, kind: str) -> list[str]:
    days = "Monday Tuesday Wednesday Thursday Friday".split()

    def fill(template: str) -> str:
        out = template
        for slot, make in (("{C}", lambda: lexicon.name(rng)), ("{Q}", lambda: rng.choice(["first-quarter", "second-quarter", "third-quarter", "fourth-quarter"])),
                           ("{N}", lambda: f"{rng.randint(10, 9999)}.{rng.randint(1, 9)}"), ("{M}", lambda: str(rng.randint(2, 99))),
                           ("{P}", lambda: f"{rng.randint(0, 30)}.{rng.randint(1, 9)}"), ("{D}", lambda: rng.choice(days)),
                           ("{S}", lambda: f"{rng.randint(0, 5)}-{rng.randint(0, 5)}")):
            while slot in out:
                out = out.replace(slot, make(), 1)
        return out

    # 3-5 of the kind's sentences in a random order, two or three to a paragraph, and a closing line
    sentences = [fill(t) for t in rng.sample(TEMPLATES[kind], k=min(len(TEMPLATES[kind]), rng.randint(3, 5)))]
    paragraphs = [" ".join(sentences[i:i + rng.randint(2, 3)]) for i in range(0, len(sentences), 2)]
    return paragraphs + [_sentence(rng, lexicon, [lexicon.name(rng)])]


def generate(stories: int, days: int, seed: int) -> list[Article]:
    lexicon = Lexicon(seed)
    articles: list[Article] = []
    originals: list[tuple[int, list[str]]] = []
    for s in range(stories):
        rng = random.Random(f"story:{seed}:{s}")
        label = f"s{s}"
        roll = rng.random()
        day = rng.randrange(days)
        if roll < 0.15:  # templated report (hard negative among its kind)
            kind = rng.choice(sorted(TEMPLATES))
            body, kind_name = _templated(rng, lexicon, kind), "templated"
        elif roll < 0.27 and originals:  # follow-up reusing background paragraphs of an earlier story
            base_day, base = originals[rng.randrange(len(originals))]
            day = min(days - 1, base_day + rng.randint(1, 5))
            body = _story(rng, lexicon, paragraphs=(3, 8))
            for paragraph in rng.sample(base[1:] or base, k=min(len(base[1:] or base), rng.randint(2, 3))):
                body.insert(rng.randrange(1, len(body) + 1), paragraph)
            kind_name = "follow_up"
        else:
            body = _story(rng, lexicon)
            body[0] = _dateline(rng, lexicon, day) + body[0]
            originals.append((day, body))
            kind_name = "original"
        title = " ".join(lexicon.word(rng) for _ in range(rng.randint(5, 10))).capitalize()
        articles.append(Article(label, day, f"{s:06d}-0", title, body, kind_name))
        copies = 0 if rng.random() < 0.4 else min(12, int(rng.expovariate(1 / 3.0)) + 1)
        for c in range(1, copies + 1):
            crng = random.Random(f"copy:{seed}:{s}:{c}")
            copy_day = min(days - 1, day + crng.choices((0, 1, 2, 3), weights=(60, 25, 10, 5))[0])
            if crng.random() < 0.05:
                articles.append(Article(label, copy_day, f"{s:06d}-{c}", title, list(body), "duplicate"))
                continue
            new_title = " ".join(lexicon.word(crng) for _ in range(crng.randint(5, 10))).capitalize()
            articles.append(Article(label, copy_day, f"{s:06d}-{c}", new_title, _copy(crng, lexicon, body), "copy"))
    return articles


def write_raw(articles: list[Article], out: Path) -> None:
    """The drop as raw files in the contract's layout: DAY/NAME.txt, breadcrumb, headline, paragraphs."""
    for article in articles:
        folder = out / (START + dt.timedelta(days=article.day)).isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        text = "\n\n".join(["World - Wire", article.title, *article.paragraphs]) + "\n"
        (folder / f"{article.name}.txt").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=3000)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="write the drop as raw files here (labels in OUT/../labels.json)")
    args = parser.parse_args()
    articles = generate(args.stories, args.days, args.seed)
    kinds: dict[str, int] = {}
    for a in articles:
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
    if args.out:
        write_raw(articles, args.out)
        labels = {f"{(START + dt.timedelta(days=a.day)).isoformat()}/{a.name}.txt": a.label for a in articles}
        (args.out.parent / f"{args.out.name}-labels.json").write_text(json.dumps(labels))
    print(json.dumps({"articles": len(articles), "stories": args.stories, "kinds": kinds}))


if __name__ == "__main__":
    main()
