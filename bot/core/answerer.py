"""The knowledge in service: what every Slack surface asks for its answers.

The knowledge file and the labelled question files beside it are watched while the bot runs: an
edit takes effect within seconds once it passes the same checks as `rolebot check`; an edit that
does not pass is logged and the last good knowledge stays in service.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path

from bot.core.follow_up import follow_up
from bot.core.knowledge import Knowledge
from bot.core.loading import KnowledgeError, load_knowledge, question_files
from bot.core.matcher import Matcher
from bot.core.routing import Answer, route

WATCH_SECONDS = 2.0
# Answers to recent questions are kept, with the knowledge they came from: people ask the same few
# things ("compare", "who owns the budget?") far more often than anything else, and finding an answer
# costs ten to fifty times what looking one up does. Bounded in count and in the length of what is kept.
ANSWERS_KEPT = 4096
LONGEST_KEPT = 300  # characters; longer questions (scenarios) rarely repeat word for word

logger = logging.getLogger(__name__)


class Answerer:
    """Answers texts from one knowledge file, reloading it when it changes."""

    def __init__(self, knowledge: Knowledge, answers_kept: int = ANSWERS_KEPT) -> None:
        self._answers_kept = answers_kept
        self._served = _Served(Matcher(knowledge), answers_kept)
        self._version = _version_of(knowledge.path)
        self._lock = threading.Lock()
        self.reloads = 0  # edits taken over while running
        self.refused_reloads = 0  # edits refused because they did not pass the checks

    @classmethod
    def from_file(cls, path: Path, answers_kept: int = ANSWERS_KEPT) -> Answerer:
        return cls(load_knowledge(path), answers_kept)

    @property
    def knowledge(self) -> Knowledge:
        return self._served.matcher.knowledge

    def answer(self, text: str) -> tuple[Answer, Knowledge]:
        """The answer to a /role argument, a mention or a DM, and the knowledge it came from
        (render with that one: the file may be reloaded at any moment)."""
        served = self._served  # one read: a reload swaps the matcher and its answers together
        return served.answer(text), served.matcher.knowledge

    def answer_follow_up(self, text: str, last: str, bot_user_id: str = "") -> tuple[Answer | None, Knowledge]:
        """The answer to a reply in a thread whose last answer was `last`, or None when the reply is
        not a question for Role Bot; and the knowledge it came from."""
        matcher = self._served.matcher
        return follow_up(text, last, matcher, bot_user_id), matcher.knowledge

    def refresh(self) -> bool:
        """Reload the knowledge file if it changed and is valid; True when new knowledge took over."""
        path = self.knowledge.path
        version = _version_of(path)
        if version == self._version or not self._lock.acquire(blocking=False):
            return False
        try:
            self._version = version  # a broken edit is reported once, not at every look
            try:
                matcher = Matcher(load_knowledge(path))
            except KnowledgeError as error:
                logger.warning("kept the last good knowledge; the edited file has a problem: %s", error)
                self.refused_reloads += 1
                return False
            self._served = _Served(matcher, self._answers_kept)
            self.reloads += 1
            logger.info("loaded the edited knowledge file %s (%d answers)", path, len(matcher.knowledge.entries))
            return True
        finally:
            self._lock.release()

    def watch(self, every: float = WATCH_SECONDS) -> threading.Thread:
        """Check the knowledge file for edits every few seconds, in a background thread."""

        def keep_watching() -> None:
            pause = threading.Event()  # never set: waits out each interval
            while not pause.wait(every):
                try:
                    self.refresh()
                except Exception as error:  # the watcher must outlive any one bad edit
                    logger.warning("could not check the knowledge file: %s", error)

        thread = threading.Thread(target=keep_watching, name="knowledge-watcher", daemon=True)
        thread.start()
        return thread


class _Served:
    """A matcher and the answers it recently gave."""

    def __init__(self, matcher: Matcher, answers_kept: int) -> None:
        self.matcher = matcher
        self._recent = lru_cache(maxsize=answers_kept)(self._route) if answers_kept else None  # thread-safe

    def answer(self, text: str) -> Answer:
        # Answers are immutable and depend on nothing but the text and the matcher.
        recent = self._recent
        return recent(text) if recent is not None and len(text) <= LONGEST_KEPT else self._route(text)

    def _route(self, text: str) -> Answer:
        return route(text, self.matcher)


def _version_of(path: Path) -> tuple[tuple[str, int, int] | None, ...]:
    """What changes when the knowledge file or a labelled question file beside it (`rolebot review`
    writes one) is edited, added or removed: each one's name, modification time and size."""
    return tuple(_file_version(file) for file in (path, *question_files(path)))


def _file_version(path: Path) -> tuple[str, int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return path.name, status.st_mtime_ns, status.st_size
