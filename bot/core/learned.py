"""The learned scorer: a linear classifier trained on labelled questions when the knowledge loads.

Every labelled question (an entry's `examples`, the question files beside the knowledge) is a
training sample for its answer, and so is each of those answers' own title, hints and text.
Questions are turned into features by the question reader: corrected word stems, pairs of
neighbouring stems, the knowledge's synonyms, the roles named (as one feature per role, whatever
name was used) and what the reader understood (a yes/no question, a comparison, an unknown job).

scikit-learn trains a linear support vector machine; answering needs only its weights, which are
kept in a cache keyed by everything that went into training, so a restart with unchanged
knowledge neither trains again nor loads scikit-learn.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.core.knowledge import Entry, Knowledge, LabelledQuestion
from bot.core.language import stem
from bot.core.reader import Question, QuestionReader

logger = logging.getLogger(__name__)

FEATURES_VERSION = 2  # bump when features change, so cached weights are not reused
CACHE_KEEP = 8  # trained weights kept in the cache: a few megabytes each
_FLAGS = (
    "compares",
    "names_pair",
    "offers_choice",
    "yes_no",
    "asks_who",
    "asks_help",
    "asks_identity",
    "describes_role",
    "asks_about_people",
)


@dataclass(frozen=True)
class LearnedSettings:
    """How the learned scorer trains and how its margins become probabilities."""

    regularisation: float = 1.0  # LinearSVC's C: larger fits the training questions more closely
    temperature: float = 6.0  # margins are multiplied by this before the softmax
    min_count: int = 1  # features seen fewer times than this in training are dropped


class Featurizer:
    """Turns a read question into the named features the learned scorer weighs."""

    def __init__(self, knowledge: Knowledge) -> None:
        self._synonyms = {said: stem(word) for said, word in knowledge.vocabulary.synonyms.items() if " " not in said}

    def features(self, question: Question) -> list[str]:
        in_role = {i for start, end, _ in question.role_spans for i in range(start, end)}
        role_at = {start: role for start, _, role in question.role_spans}
        stems: list[str] = []
        for i, word in enumerate(question.words):
            if i in role_at:
                stems.append(f"@role:{role_at[i]}")
            elif i not in in_role:
                stems.append(stem(word))
        features = list(stems)
        features += [f"{first} {second}" for first, second in itertools.pairwise(stems)]
        features += [self._synonyms[word] for word in question.words if word in self._synonyms]
        features += [f"@{flag}" for flag in _FLAGS if getattr(question, flag)]
        features.append(f"@roles:{min(len(question.roles), 2)}")
        if question.unknown_roles:
            features.append("@unknown_role")
        if question.names:
            features.append("@name")
        return features


class LearnedScorer:
    """Probabilities over answer labels for a question's features."""

    def __init__(
        self,
        labels: Sequence[str],
        vocabulary: Sequence[str],
        idf: npt.NDArray[np.float64],
        weights: npt.NDArray[np.float64],
        bias: npt.NDArray[np.float64],
        settings: LearnedSettings,
    ) -> None:
        self.labels = tuple(labels)
        self._index = {feature: position for position, feature in enumerate(vocabulary)}
        self._vocabulary = tuple(vocabulary)
        self._idf = idf
        self._weights = weights  # one row per feature, one column per label
        self._bias = bias
        self.settings = settings

    def probabilities(self, features: Iterable[str]) -> dict[str, float]:
        """Every label with its probability."""
        positions, values = self._vector(features)
        margins = self._bias + values @ self._weights[positions] if positions else self._bias
        scaled = margins * self.settings.temperature
        exp = np.exp(scaled - scaled.max())
        return dict(zip(self.labels, (exp / exp.sum()).tolist(), strict=True))

    def best(self, features: Iterable[str]) -> str:
        """The most probable label."""
        shares = self.probabilities(features)
        return max(shares, key=shares.__getitem__)

    def knows_any(self, stems: Iterable[str]) -> bool:
        """Whether any of these word stems was seen in training: without one, the scorer only guesses."""
        return any(stem in self._index for stem in stems)

    def _vector(self, features: Iterable[str]) -> tuple[list[int], npt.NDArray[np.float64]]:
        """Sublinear tf-idf, normalised to unit length, of the known features."""
        index = self._index
        counts = Counter([index[feature] for feature in features if feature in index])
        positions = list(counts)
        if not positions:
            return positions, np.zeros(0)
        values = self._idf[positions]
        if len(positions) < sum(counts.values()):  # a feature seen twice counts 1 + log 2
            values = values * np.array([1.0 + math.log(count) for count in counts.values()])
        return positions, values / math.sqrt(float(values @ values))

    def to_arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        return {
            "labels": np.array(self.labels),
            "vocabulary": np.array(self._vocabulary),
            "idf": self._idf,
            "weights": self._weights,
            "bias": self._bias,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[np.generic]], settings: LearnedSettings) -> LearnedScorer:
        return cls(
            [str(label) for label in arrays["labels"]],
            [str(feature) for feature in arrays["vocabulary"]],
            arrays["idf"].astype(np.float64),
            arrays["weights"].astype(np.float64),
            arrays["bias"].astype(np.float64),
            settings,
        )


def training_samples(
    featurizer: Featurizer, reader: QuestionReader, labelled: Sequence[LabelledQuestion]
) -> list[tuple[list[str], str]]:
    """(features, label) for every labelled question, and each labelled entry's own texts.

    A question with several acceptable answers trains its first.
    """
    knowledge = reader.knowledge
    samples = [(featurizer.features(reader.read(question.text)), question.expect[0]) for question in labelled]
    taught = {label for _, label in samples}
    for entry in knowledge.entries:
        if entry.id in taught:
            samples += [(featurizer.features(reader.read(text)), entry.id) for text in _entry_texts(entry)]
    return samples


def _entry_texts(entry: Entry) -> list[str]:
    return [", ".join((entry.title, *entry.hints)), entry.text]


def train(samples: Sequence[tuple[list[str], str]], settings: LearnedSettings) -> LearnedScorer | None:
    """Train on the samples (None when there are fewer than two labels to tell apart)."""
    labels = sorted({label for _, label in samples})
    if len(labels) < 2:
        return None
    from scipy.sparse import csr_matrix  # training only: answering needs neither
    from sklearn.svm import LinearSVC

    document_counts = Counter(feature for features, _ in samples for feature in set(features))
    vocabulary = sorted(feature for feature, count in document_counts.items() if count >= settings.min_count)
    {feature: position for position, feature in enumerate(vocabulary)}
    total = len(samples)
    idf = np.array([math.log((1 + total) / (1 + document_counts[feature])) + 1.0 for feature in vocabulary])
    scorer = LearnedScorer(
        labels, vocabulary, idf, np.zeros((len(vocabulary), len(labels))), np.zeros(len(labels)), settings
    )
    rows, columns, values = [], [], []
    for row, (features, _) in enumerate(samples):
        positions, weights = scorer._vector(features)
        rows += [row] * len(positions)
        columns += positions
        values += weights.tolist()
    matrix = csr_matrix((values, (rows, columns)), shape=(total, len(vocabulary)))
    model = LinearSVC(C=settings.regularisation)
    model.fit(matrix, [label for _, label in samples])
    coef = np.asarray(model.coef_)
    bias = np.asarray(model.intercept_)
    if len(labels) == 2:  # a binary model has one column: the second label's margin
        coef = np.vstack([-coef[0], coef[0]])
        bias = np.array([-bias[0], bias[0]])
    return LearnedScorer(labels, vocabulary, idf, coef.T.copy(), bias, settings)


def trained(
    featurizer: Featurizer, reader: QuestionReader, labelled: Sequence[LabelledQuestion], settings: LearnedSettings
) -> LearnedScorer | None:
    """The scorer for this knowledge and these labelled questions: from the cache when they were
    trained on before (without reading a question), else trained now and cached."""
    if not labelled:
        return None
    path = cache_dir() / f"learned-{_cache_key(reader.knowledge, labelled, settings)}.npz"
    try:
        with np.load(path) as arrays:
            return LearnedScorer.from_arrays(dict(arrays), settings)
    except (OSError, ValueError, KeyError):
        pass
    scorer = train(training_samples(featurizer, reader, labelled), settings)
    if scorer is not None:
        _save(path, scorer)
    return scorer


def _save(path: Path, scorer: LearnedScorer) -> None:
    """Write atomically, and keep only the most recent few (each edit of the knowledge trains anew).

    A cache that cannot be written only costs training at the next start.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        with partial.open("wb") as file:
            np.savez(file, **scorer.to_arrays())  # type: ignore[arg-type]  # numpy's stub misreads **kwargs
        partial.replace(path)
        cached = sorted(path.parent.glob("learned-*.npz"), key=lambda found: found.stat().st_mtime, reverse=True)
        for stale in cached[CACHE_KEEP:]:
            stale.unlink(missing_ok=True)
    except OSError as error:
        logger.info("could not cache the learned scorer in %s: %s", path.parent, error)


def cache_dir() -> Path:
    """Where trained weights are kept: ROLE_CACHE_DIR, else the user's cache folder."""
    configured = os.environ.get("ROLE_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rolebot"


def _cache_key(knowledge: Knowledge, labelled: Sequence[LabelledQuestion], settings: LearnedSettings) -> str:
    """A digest of everything training depends on: the code and word lists that turn questions into
    features, the settings, the knowledge's entries, names and vocabulary, and the labelled questions."""
    digest = hashlib.sha256()
    for source in _FEATURE_SOURCES:
        digest.update(source.read_bytes())
    vocabulary = knowledge.vocabulary
    digest.update(
        json.dumps(
            [
                FEATURES_VERSION,
                _package_version("pyspellchecker"),
                asdict(settings),
                [(e.id, e.title, e.text, e.hints) for e in knowledge.entries],
                [(role.id, role.name, role.aliases) for role in knowledge.roles],
                [dict(vocabulary.synonyms), dict(vocabulary.phrases)],
                [sorted(vocabulary.job_words), sorted(vocabulary.job_modifiers)],
                [(question.text, question.expect[0]) for question in labelled],
            ]
        ).encode()
    )
    return digest.hexdigest()[:32]


_HERE = Path(__file__).parent
_FEATURE_SOURCES = [_HERE / name for name in ("learned.py", "reader.py", "language.py", "english.py", "english.yaml")]


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return ""
