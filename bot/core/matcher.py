"""Finding the knowledge entry a free-text question is about.

Each entry is indexed by the stems of its title, hints and text. A question's content
words are weighed by how rare they are across entries (so "budget" counts for more than
"project"), and an entry's score is the share of that weight it covers, from 0 to 100.
Unknown words count against every entry, which is what makes off-topic questions fail.
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Literal

from bot.core.knowledge import COMPARE, DECLINE, HELP, Entry, Knowledge, LabelledQuestion
from bot.core.language import COMPARE_WORDS, STOPWORDS, Phrases, plain_text, stem, tokenize
from bot.core.learned import Featurizer, LearnedScorer, LearnedSettings, trained
from bot.core.loading import plain_key
from bot.core.reader import Question, QuestionReader

DeclineReason = Literal["out-of-scope", "ambiguous", "unknown-role", "people"]

_WHY = stem("why")


@dataclass(frozen=True)
class MatchSettings:
    """Every threshold and weight the matcher uses, in one place."""

    min_score: float = 50.0  # below this an entry is not answered with
    min_score_with_role: float = 30.0  # the same, when the question names a known role
    ambiguity_margin: float = 5.0  # a runner-up this close to the best makes the question ambiguous
    suggestion_score: float = 25.0  # entries at least this good may be suggested
    max_suggestions: int = 3
    ranked_limit: int = 60  # at most this many entries, the best before boosts, are ranked
    compare_override: float = 60.0  # in a comparison question, a specific entry this good wins
    title_weight: float = 1.0
    hint_weight: float = 1.0
    text_weight: float = 0.6
    same_role_boost: float = 1.1  # the entry belongs to the one role the question names
    difference_boost: float = 1.15  # the question compares and the entry is a difference
    difference_penalty: float = 0.8  # the question does not compare and the entry is a difference
    who_boost: float = 1.05  # a "who ..." question and the entry is a responsibility
    corrected_penalty: float = 0.95  # words had to be corrected
    evidence_words: float = 2.0  # matched weight equal to this many rare words makes a 50% match on its own
    short_question_words: int = 4  # past this many content words, unknown words count for less
    generic_share: float = 0.25  # a word in this share of entries or more says little on its own
    generic_only_factor: float = 0.5  # an entry that matched only such words
    min_prefix: int = 5  # a stem this long or longer stands for the longer stems it starts
    related_stem_credit: float = 0.85  # how much a related stem counts, against an exact one
    synonym_credit: float = 0.85  # how much a synonym counts, against the word itself
    interchangeable_kinds: frozenset[str] = frozenset({"example"})  # ties among these are not ambiguous
    shared_difference_share: float = 0.7  # see Matcher._shared_difference
    title_boost: float = 1.1  # every content word of the question is in the entry's title
    why_weight: float = 0.5  # "why" alone says little about which entry is meant
    # With a learned scorer: how sure it must be to answer, and how much the word scores add.
    answer_confidence: float = 0.35  # the best answer's share of the probability
    choice_confidence: float = 0.5  # the two best together: offer both as "did you mean"
    word_score_weight: float = 0.25  # the word score (0 to 1) added to the learned probability
    close_runner_up: float = 0.75  # a runner-up with this share of the best's probability is a real choice
    overrule_reader: float = 0.5  # the learned share that answers though the reader would decline
    tie_confidence: float = 0.9  # below this learned share, a word tie makes the question a choice
    tie_words: int = 1  # a question of this few content words that matches two entries alike is a choice
    sure_decline: float = 0.6  # a decline this likely offers no "did you mean"
    suggestion_share: float = 0.1  # a declined question suggests answers at least this likely


@dataclass(frozen=True)
class Match:
    """The entry to answer with (None when declined), its score and runner-ups."""

    entry_id: str | None  # an entry id, "compare", "help", or None
    score: int
    suggestions: tuple[str, ...]
    question: Question
    reason: DeclineReason | None = None  # why it was declined
    roles: tuple[str, str] | None = None  # the pair to compare, for "compare"


@dataclass
class _Index:
    postings: dict[str, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    idf: dict[str, float] = field(default_factory=dict)


class Matcher:
    """Matches questions against one knowledge file."""

    def __init__(
        self,
        knowledge: Knowledge,
        settings: MatchSettings | None = None,
        labelled: tuple[LabelledQuestion, ...] | None = None,
        learned_settings: LearnedSettings | None = None,
    ) -> None:
        """Index the knowledge and train on its labelled questions (or on `labelled`, when given)."""
        self.knowledge = knowledge
        self.settings = settings or MatchSettings()
        self.reader = QuestionReader(knowledge)
        labelled = knowledge.labelled() if labelled is None else labelled
        self._answers_for = {plain_key(plain_text(question.text)): question.expect for question in labelled}
        learned_settings = learned_settings or LearnedSettings()
        self.featurizer = Featurizer(knowledge)
        self.learned: LearnedScorer | None = trained(self.featurizer, self.reader, labelled, learned_settings)
        self._entries = knowledge.entries
        phrases = self.reader.phrases
        self._index = _build_index(self._entries, self.settings, self.reader.role_name_stems, phrases)
        self._stems = tuple(sorted(self._index.postings))  # sorted, for finding longer forms by prefix
        self._unknown_idf = math.log(1 + len(self._entries))
        self._idf_floor = math.log(1 + 1 / self.settings.generic_share)
        self._synonyms = {
            stem(said): tuple(_stems(word, phrases)) for said, word in knowledge.vocabulary.synonyms.items()
        }
        self._related = lru_cache(maxsize=16384)(self._related_uncached)
        self._positions = {entry.id: position for position, entry in enumerate(self._entries)}
        self._title_stems = {entry.id: frozenset(_stems(entry.title, phrases)) for entry in self._entries}

    def match(self, text: str) -> Match:
        """The best answer for a free-text question, as Slack sends it (markup and all)."""
        return self.match_plain(plain_text(text))

    def match_plain(self, plain: str) -> Match:
        """The best answer for a question already made plain with language.plain_text."""
        known = self._answers_for.get(plain_key(plain))
        if known and known[0] != DECLINE:
            return self._labelled_match(self.reader.read(plain), known[0])
        question, ranked = self._read(plain)
        reason = self._reader_decline(question)
        if known:
            return self._decline(question, reason or "out-of-scope", [])
        learned = self.learned
        if learned and learned.knows_any(self._meaningful(question)) and not self._unlearned_entry_wins(ranked):
            return self._learned_match(question, ranked, learned, reason)
        if reason:
            return self._decline(question, reason, [f"role/{role}" for role in question.roles])
        if question.compares or len(question.roles) >= 2:
            comparison = self._comparison_match(question, ranked)
            if comparison:
                return comparison
        if not question.content:
            return self._contentless_match(question)
        return self._content_match(question, ranked)

    def _read(self, text: str) -> tuple[Question, list[tuple[str, float]]]:
        """The question and its ranked entries; its question clause alone when the whole matches
        weakly and the clause does better."""
        question = self.reader.read(text)
        ranked = self.rank(question)
        if question.focus:
            # Context before the actual question can drown it.
            focused = dataclasses.replace(question, content=question.focus)
            ranked_focus = self.rank(focused)
            weak = not ranked or ranked[0][1] < self.settings.min_score
            if weak and ranked_focus and (not ranked or ranked_focus[0][1] > ranked[0][1]):
                return focused, ranked_focus
        return question, ranked

    def _labelled_match(self, question: Question, label: str) -> Match:
        """A question someone labelled with an answer: that answer."""
        if label == COMPARE:
            pair = self.knowledge.pair_for(question.roles)
            return (
                Match(COMPARE, 100, (), question, roles=pair) if pair else self._decline(question, "out-of-scope", [])
            )
        return Match(label, 100, (), question)

    def _unlearned_entry_wins(self, ranked: list[tuple[str, float]]) -> bool:
        """Whether the word scores clearly point at an entry the learned scorer was never taught."""
        learned = self.learned
        return bool(
            learned and ranked and ranked[0][0] not in learned.labels and ranked[0][1] >= self.settings.min_score
        )

    def _reader_decline(self, question: Question) -> DeclineReason | None:
        """Why the reader would decline: the question is about people, or about a job the knowledge lacks."""
        if question.asks_about_people:
            return "people"
        if question.unknown_roles and self._about_unknown_role(question):
            return "unknown-role"
        return None

    def _meaningful(self, question: Question) -> list[str]:
        """Stems of the question's words that say something: not stop words, not role names."""
        in_role = {i for start, end, _ in question.role_spans for i in range(start, end)}
        return [stem(word) for i, word in enumerate(question.words) if i not in in_role and word not in STOPWORDS]

    def _learned_match(
        self,
        question: Question,
        ranked: list[tuple[str, float]],
        learned: LearnedScorer,
        reader_decline: DeclineReason | None,
    ) -> Match:
        """Answer, offer a choice, or decline, from the learned probabilities and the word scores.

        When the reader would decline (a job the knowledge lacks, a question about people), only a
        confident answer overrides it: "the product owner keeps asking how it's going, whose job is
        that?" is about stakeholder updates, not about product owners."""
        s = self.settings
        scores = learned.probabilities(self.featurizer.features(question))
        for entry_id, score in ranked[:5]:
            if entry_id in scores:
                scores[entry_id] += s.word_score_weight * min(score, 100.0) / 100.0
        total = sum(scores.values())
        best = sorted(((score / total, label) for label, score in scores.items()), reverse=True)
        (first, label), (second, runner_up) = best[0], best[1]
        others = [other for share, other in best[1:4] if other not in (DECLINE, HELP) and share > s.suggestion_share]
        if label == DECLINE:  # a sure decline suggests nothing: the likeliest entries would be noise
            return self._decline(question, reader_decline or "out-of-scope", others if first < s.sure_decline else [])
        if reader_decline and first < s.overrule_reader:
            return self._decline(question, reader_decline, [f"role/{role}" for role in question.roles])
        shared = self._shared_difference(question, ranked) if self._other_roles_duty(question, label) else None
        if shared and self.knowledge.entry(shared[0]).kind == "difference":
            return Match(shared[0], _percent(shared[1]), (label,), question)
        close = second >= s.close_runner_up * first and runner_up not in (DECLINE, HELP)
        if close and first + second >= s.choice_confidence:
            return self._decline(question, "ambiguous", [label, runner_up])
        unsure = first < s.tie_confidence
        tied = self._word_tie(ranked, label) if unsure and len(question.content) <= s.tie_words else None
        if tied:
            return self._decline(question, "ambiguous", [label, tied])
        if first >= s.answer_confidence:
            if label == HELP:
                return Match(HELP, _percent(100 * first), (), question)
            if label == COMPARE:
                pair = self.knowledge.pair_for(question.roles)
                if pair is None:  # a file of one role has nothing to compare
                    return self._decline(question, "out-of-scope", others)
                return Match(COMPARE, _percent(100 * first), tuple(others), question, roles=pair)
            return Match(label, _percent(100 * first), self._alongside(label, others, ranked), question)
        if first + second >= s.choice_confidence and runner_up not in (DECLINE, HELP):
            return self._decline(question, "ambiguous", [label, runner_up])
        return self._decline(question, "out-of-scope", [label, *others])

    def _other_roles_duty(self, question: Question, label: str) -> bool:
        """A yes/no question about one role, answered with another role's responsibility."""
        if not (question.yes_no and len(question.roles) == 1 and self.knowledge.has_entry(label)):
            return False
        entry = self.knowledge.entry(label)
        return entry.kind == "responsibility" and entry.role_id != question.roles[0]

    def _alongside(self, answer: str, likely: list[str], ranked: list[tuple[str, float]]) -> tuple[str, ...]:
        """Entries to offer beside an answer: the next most likely, then the best word matches."""
        words = [entry_id for entry_id, score in ranked if score >= self.settings.suggestion_score]
        picks = [entry_id for entry_id in dict.fromkeys([*likely, *words]) if entry_id not in (answer, COMPARE)]
        return tuple(picks[: self.settings.max_suggestions])

    def _word_tie(self, ranked: list[tuple[str, float]], label: str) -> str | None:
        """The other entry when the words match it as well as the chosen one ("who coordinates?"):
        nothing in the question tells them apart, so the asker should choose."""
        s = self.settings
        if len(ranked) < 2 or label not in (ranked[0][0], ranked[1][0]):
            return None
        (first, top), (second, runner_up) = ranked[0], ranked[1]
        if runner_up < s.min_score or top - runner_up > s.ambiguity_margin:
            return None
        kinds = {self.knowledge.entry(first).kind, self.knowledge.entry(second).kind}
        if kinds <= s.interchangeable_kinds:
            return None
        return second if label == first else first

    def _comparison_match(self, question: Question, ranked: list[tuple[str, float]]) -> Match | None:
        """A question comparing roles: a specific entry if it asks for one, else the comparison."""
        s = self.settings
        # "who gives status updates, the DL or the DM?" asks for one entry, not the comparison.
        asks_for_one = question.asks_who or question.yes_no or question.offers_choice or question.words[:1] == ("why",)
        # "walk me through the consulting example of the two roles" names the pair without comparing.
        named_only = question.names_pair and len(question.roles) < 2 and not _compare_words(question)
        override = s.min_score if asks_for_one or named_only else s.compare_override
        if ranked and ranked[0][1] >= override:
            return self._answer(question, ranked)
        pair_named = len(question.roles) >= 2 or question.names_pair
        if pair_named or not question.content or self._all_known(question):
            pair = self.knowledge.pair_for(question.roles)
            if pair:
                score = 100 if not question.content else 80
                return Match("compare", score, self._runner_ups(ranked, None), question, roles=pair)
        return None

    def _contentless_match(self, question: Question) -> Match:
        """Nothing but a role name, or nothing at all: the role, or help."""
        if len(question.roles) == 1:
            return Match(f"role/{question.roles[0]}", 90 if question.corrected else 100, (), question)
        return Match("help", 100 if question.asks_help or not question.words else 60, (), question)

    def _content_match(self, question: Question, ranked: list[tuple[str, float]]) -> Match:
        s = self.settings
        threshold = s.min_score_with_role if question.roles else s.min_score
        if len(question.roles) == 1 and question.describes_role:
            threshold = s.min_score  # "an overview of the DM role": only a clear topic beats the role itself
        if ranked and ranked[0][1] >= threshold:
            return self._answer(question, ranked)
        if len(question.roles) == 1 and question.asks_identity:
            # "what does a DM do all day" — the words say little, the role says what is wanted.
            return Match(f"role/{question.roles[0]}", round(threshold), self._runner_ups(ranked, None), question)
        extra = [f"role/{role}" for role in question.roles]
        return self._decline(question, "out-of-scope", extra + list(self._runner_ups(ranked, None)))

    def rank(self, question: Question) -> list[tuple[str, float]]:
        """Entries by score, best first, those with any overlap only (at most `ranked_limit` of them).

        Boosts can take a score past 100; it is capped only when reported, so that ties at the
        top still tell which entry is ahead.
        """
        s = self.settings
        weights: dict[int, float] = defaultdict(float)
        specific: set[int] = set()  # entries that matched at least one word that is not generic
        total = unknown = 0.0
        for word in question.content:
            weight = s.why_weight if word == _WHY else 1.0
            related = self._related(word)
            if not related:
                unknown += weight * self._unknown_idf
                continue
            total += weight * max(self._index.idf[term] * credit for term, credit in related)
            best: dict[int, float] = {}
            for term, credit in related:
                idf = self._index.idf[term]
                postings = self._index.postings[term]
                if idf >= self._idf_floor:
                    specific.update(postings)
                factor = idf * credit
                if not best:
                    best = {entry: factor * field_weight for entry, field_weight in postings.items()}
                    continue
                for entry, field_weight in postings.items():
                    best[entry] = max(best.get(entry, 0.0), factor * field_weight)
            for entry, value in best.items():
                weights[entry] += weight * value
        # Unknown words count in full in a short question ("budget for the party") and less in a
        # long one, where they are mostly context around the question.
        total += unknown * min(1.0, s.short_question_words / len(question.content)) if question.content else 0.0
        if not total:
            return []
        # On a large knowledge file a common word matches thousands of entries alike. Only the best
        # can matter to a decision, and scoring every one was most of the time an answer took. The
        # score grows with the matched weight, so the best by weight are the best by score.
        matched: list[tuple[int, float]] = list(weights.items())
        if len(matched) > s.ranked_limit:
            matched = heapq.nlargest(s.ranked_limit, matched, key=itemgetter(1))
        # Several strong words agreeing make a match even in a long message full of context.
        evidence_scale = s.evidence_words * self._unknown_idf
        candidates = [
            (position, 100.0 * max(value / total, value / (value + evidence_scale))) for position, value in matched
        ]
        content = frozenset(question.content)
        scored = []
        for position, score in candidates:
            scored_entry = self._entries[position]
            boost = self._boost(scored_entry, question, content)
            scored.append((scored_entry.id, score * boost * (1.0 if position in specific else s.generic_only_factor)))
        scored.sort(key=lambda item: -item[1])
        return scored

    def _boost(self, entry: Entry, question: Question, content: frozenset[str]) -> float:
        s = self.settings
        boost = s.corrected_penalty if question.corrected else 1.0
        # Not for yes/no questions: they are as often about the wrong role ("does a DL own the budget?").
        if len(question.roles) == 1 and entry.role_id == question.roles[0] and not question.yes_no:
            boost *= s.same_role_boost
        if entry.kind == "difference":
            boost *= s.difference_boost if question.compares else s.difference_penalty
        if content <= self._title_stems[entry.id]:
            boost *= s.title_boost
        if question.asks_who and entry.kind == "responsibility":
            boost *= s.who_boost
        return boost

    def _answer(self, question: Question, ranked: list[tuple[str, float]]) -> Match:
        s = self.settings
        shared = self._shared_difference(question, ranked)
        if shared:
            return Match(shared[0], _percent(shared[1]), self._runner_ups(ranked, shared[0]), question)
        best_id, best = ranked[0]
        kind = self.knowledge.entry(best_id).kind
        close = [
            entry
            for entry, score in ranked[1:]
            if score >= best - s.ambiguity_margin
            and not (kind in s.interchangeable_kinds and self.knowledge.entry(entry).kind == kind)
        ]
        if close:
            return self._decline(question, "ambiguous", [best_id, *close])
        return Match(best_id, _percent(best), self._runner_ups(ranked, best_id), question)

    def _shared_difference(self, question: Question, ranked: list[tuple[str, float]]) -> tuple[str, float] | None:
        """The entry for a yes/no question about one role, when that is not simply the best one.

        "does the DL talk to stakeholders?": the DL's own responsibility, when it is as good as the
        best. "does a DM engage stakeholders?": a difference covering the DM, when it is nearly as
        good as the other role's responsibility: both roles do it, differently, so "no" would be wrong.
        """
        if not (question.yes_no and len(question.roles) == 1) or not ranked:
            return None  # no entry scored at all: nothing to prefer
        s = self.settings
        asked = question.roles[0]
        top = ranked[0][1]
        entries = [(self.knowledge.entry(entry_id), score) for entry_id, score in ranked]
        own = [(e.id, sc) for e, sc in entries if e.kind == "responsibility" and e.role_id == asked]
        if own and own[0][1] >= top - s.ambiguity_margin:
            return own[0]
        if entries[0][0].kind == "difference" and asked in entries[0][0].roles:
            return ranked[0]
        if entries[0][0].kind == "responsibility" and entries[0][0].role_id != asked:
            floor = top * s.shared_difference_share
            shared = [(e.id, sc) for e, sc in entries if e.kind == "difference" and asked in e.roles and sc >= floor]
            return shared[0] if shared else None
        return None

    def _runner_ups(self, ranked: list[tuple[str, float]], answer: str | None) -> tuple[str, ...]:
        s = self.settings
        picks = [entry for entry, score in ranked if entry != answer and score >= s.suggestion_score]
        return tuple(picks[: s.max_suggestions])

    def _decline(self, question: Question, reason: DeclineReason, suggestions: list[str]) -> Match:
        unique = tuple(self._distinct(suggestions))[: self.settings.max_suggestions]
        if reason == "ambiguous":  # the choices in the knowledge's own order, however they scored
            unique = tuple(sorted(unique, key=self._position))
        return Match(None, 0, unique, question, reason=reason)

    def _distinct(self, suggestions: list[str]) -> list[str]:
        """Suggestions that are different things: each once, and no role beside one of its own
        responsibilities (the responsibility is the more useful choice)."""
        unique = list(dict.fromkeys(suggestions))
        owners = {
            self.knowledge.entry(label).role_id
            for label in unique
            if self.knowledge.has_entry(label) and self.knowledge.entry(label).kind == "responsibility"
        }
        return [label for label in unique if not (label.startswith("role/") and label[5:] in owners)]

    def _position(self, label: str) -> int:
        return self._positions.get(label, len(self._positions))

    def _about_unknown_role(self, question: Question) -> bool:
        """Whether a job title the file lacks is what the question is about."""
        if len(question.roles) >= 2:
            return False  # both known roles are named: the other word is not the subject
        if question.roles:
            return question.compares
        return question.asks_identity or question.compares or not question.content

    def _all_known(self, question: Question) -> bool:
        return all(self._related(word) for word in question.content)

    def _related_uncached(self, word: str) -> tuple[tuple[str, float], ...]:
        """Indexed stems that stand for this word: itself, a synonym, or a longer or shorter form.

        Typos are fixed earlier, on whole words; stems are not fuzzy-matched, since near stems
        of real words are often unrelated ("parti" and "part").
        """
        s = self.settings
        related = [(term, s.synonym_credit) for term in self._synonyms.get(word, ()) if term in self._index.idf]
        if word in self._index.idf:
            return ((word, 1.0), *related)
        if len(word) >= s.min_prefix:
            shorter = [word[:end] for end in range(s.min_prefix, len(word)) if word[:end] in self._index.idf]
            start = bisect.bisect_left(self._stems, word)
            end = bisect.bisect_left(self._stems, word + "\uffff")
            longer = self._stems[start:end]
            for term in (*shorter, *longer):
                if min(len(term), len(word)) >= 0.6 * max(len(term), len(word)):
                    related.append((term, s.related_stem_credit))
        return tuple(dict(sorted(related, key=lambda item: item[1])).items())


def _compare_words(question: Question) -> bool:
    return any(word in COMPARE_WORDS for word in question.words)


def _percent(score: float) -> int:
    return round(min(100.0, score))


def _stems(text: str, phrases: Phrases) -> list[str]:
    return [stem(word) for word in tokenize(text, phrases) if word not in STOPWORDS and len(word) >= 2]


def _build_index(
    entries: tuple[Entry, ...], settings: MatchSettings, role_names: frozenset[str], phrases: Phrases
) -> _Index:
    index = _Index()
    for position, entry in enumerate(entries):
        # Texts name the roles everywhere; questions name them through role detection instead.
        fields = [(entry.title, settings.title_weight), (entry.text, settings.text_weight)]
        fields += [(hint, settings.hint_weight) for hint in entry.hints]
        for text, weight in fields:
            for term in _stems(text, phrases):
                if term in role_names:
                    continue
                postings = index.postings[term]
                postings[position] = max(postings.get(position, 0.0), weight)
    # Rarity counts where a word is a title or hint word: "focus" is the Focus difference's word
    # even though many texts say "focused".
    count = len(entries)
    for term, postings in index.postings.items():
        strong = sum(1 for weight in postings.values() if weight >= settings.hint_weight)
        index.idf[term] = math.log(1 + count / (strong or len(postings)))
    index.postings = dict(index.postings)
    return index
