"""Knowledge-independent text handling: Slack markup, tokens, word lists, stems."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Slack encodes mentions, channels and links as <...>; see Slack's message formatting docs.
_SLACK_TOKEN = re.compile(r"<([^<>]*)>")
_EMOJI_CODE = re.compile(r":[a-z0-9_+\-']+:")
# Control characters (NUL, terminal escapes) are never part of a question and must not be echoed.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Chat shorthand people type, expanded before anything else reads the words.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "mgmt": ("management",),
    "mgmnt": ("management",),
    "mgr": ("manager",),
    "mgrs": ("managers",),
    "mngr": ("manager",),
    "proj": ("project",),
    "projs": ("projects",),
    "dept": ("department",),
    "depts": ("departments",),
    "org": ("organization",),
    "orgs": ("organizations",),
    "biz": ("business",),
    "diff": ("difference",),
    "diffs": ("differences",),
    "vs": ("versus",),
    "v": ("versus",),
    "u": ("you",),
    "r": ("are",),
    "ur": ("your",),
    "ppl": ("people",),
    "kpis": ("kpi",),
    "dev": ("development",),
    "devs": ("developers",),
    "exec": ("executive",),
    "execs": ("executives",),
    "pnl": ("budget",),
    "lol": (),
    "lmao": (),
    "haha": (),
    "tbh": (),
    "imo": (),
    "fyi": (),
    "tldr": (),
    "eg": ("example",),
    "ex": ("example",),
    "resp": ("responsibility",),
    "resps": ("responsibilities",),
    "xfn": ("cross", "functional"),
    "info": ("information",),
    "w": ("with",),
    "pls": ("please",),
    "plz": ("please",),
    "thx": ("thanks",),
    "im": ("i", "am"),
    "whats": ("what", "is"),
    "whos": ("who", "is"),
    "wats": ("what", "is"),
    "wat": ("what",),
    "dont": ("do", "not"),
    "doesnt": ("does", "not"),
    "isnt": ("is", "not"),
    "arent": ("are", "not"),
    "theyre": ("they", "are"),
}

# Words that carry no meaning for matching. Question words that do matter
# ("who", "why", "which") are read as intents elsewhere.
STOPWORDS = _words(
    """
    a about above after again all also am an and any anyone anybody are as at be because been before
    being below between both but by can could did do does doing done down during each either else
    ever every everyone everybody few for from further get gets getting got had has have having he
    her here hers him his how i if in into is it its itself just kind let lets like likely ll me
    mine more most much must my myself no nor not now of off often on once only or other our ours
    out over own please pretty quite rather re really s same say says saying she should so some
    someone somebody something sort such sure t tell than thank thanks that the their theirs them
    then there these they thing things this those though through to too two under until up us
    usually ve very want wants was way we well were what whatever when where whether which while who
    whom whose will with would yeah yes yet you your yours yourself hey hi hello hiya yo ok okay
    anyway btw actually basically exactly generally normally typically really mostly usual d m nah
    bit lot lots quick q question questions wondering curious new here trying figure understand know
    knows knew think thought stuff guy guys folks y n e g etc need needs make makes making made go
    goes going gonna keep keeps keeping main primary general real world whole even still person
    persons might may happen happens happening understanding good morning afternoon evening sorry
    short shortly brief briefly answer answers sentence sentences nutshell simple simply simplest
    sense friend dumb noob silly one ones really totally actual lol whatever key see next people
    senior junior month months monthly week weeks weekly quarter quarterly daily today tomorrow
    yesterday now concrete practical typical typically part
    """
)

# Verbs that only say someone is in charge ("who handles risk?"): the object is what matters.
OWNERSHIP_WORDS = _words(
    """
    handle handles handling handled manage manages managing managed management own owns owning owned
    run runs running deal deals dealing dealt take takes taking charge look looks looking helps
    helping helped ensure ensures ensuring ensured accountable accountability supposed expected hook
    job jobs owner owners build builds building create creates creating creation set sets setting come comes
    """
)

# Everyday words for things the knowledge file words differently. Each maps to words
# that do appear in it; matches through them count for a little less than a direct hit.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "talk": ("communication", "interact"),
    "talks": ("communication", "interact"),
    "talking": ("communication", "interact"),
    "speak": ("communication", "interact"),
    "chat": ("communication", "interact"),
    "communicate": ("communication", "interact"),
    "together": ("collaboration",),
    "sync": ("coordination", "aligned"),
    "slip": ("delays", "timeline"),
    "slips": ("delays", "timeline"),
    "late": ("delays", "deadlines"),
    "behind": ("delays", "timeline"),
    "schedule": ("timeline", "deadlines"),
    "due": ("deadlines",),
    "aim": ("goals",),
    "aiming": ("goals",),
    "target": ("goals",),
    "targets": ("goals",),
    "big": ("broader",),
    "bigger": ("broader",),
    "larger": ("broader",),
    "wider": ("broader",),
    "smaller": ("specific",),
    "narrower": ("specific",),
    "cash": ("money", "budget"),
    "dollars": ("money", "budget"),
    "monitor": ("track", "metrics"),
    "monitors": ("track", "metrics"),
    "eye": ("track", "monitor"),
    "watch": ("track", "monitor"),
    "watches": ("track", "monitor"),
    "watching": ("track", "monitor"),
    "early": ("proactively", "identifying"),
    "stats": ("metrics", "numbers"),
    "statistics": ("metrics", "numbers"),
    "suppliers": ("vendors", "external partners"),
    "supplier": ("vendors", "external partners"),
    "faster": ("streamline", "efficiency"),
    "smoother": ("streamline", "efficiency"),
    "leaner": ("streamline", "efficiency"),
    "waste": ("inefficiencies",),
    "customer": ("client",),
    "customers": ("client",),
    "inform": ("updates",),
    "informed": ("updates",),
    "promotion": ("career",),
    "promoted": ("career",),
    "care": ("matter", "focus"),
    "wide": ("broader",),
    "heading": ("direction",),
    "step": ("processes",),
    "steps": ("processes",),
    "duplicated": ("inefficiencies",),
    "duplication": ("inefficiencies",),
    "outside": ("external",),
    "liaise": ("liaison", "bridge"),
    "liaises": ("liaison", "bridge"),
    "liaising": ("liaison", "bridge"),
    "liase": ("liaison", "bridge"),
    "liases": ("liaison", "bridge"),
    "marketing": ("departments",),
    "sales": ("departments",),
    "ops": ("departments",),
    "legal": ("departments",),
    "eng": ("departments", "engineering"),
    "crew": ("team",),
    "squad": ("team",),
    "engineers": ("developers", "team"),
    "engineer": ("developers", "team"),
    "ship": ("deliverables",),
    "ships": ("deliverables",),
    "shipping": ("deliverables",),
    "shipped": ("deliverables",),
    "release": ("deliverables",),
    "releases": ("deliverables",),
    "slow": ("inefficiencies", "streamline"),
    "clunky": ("inefficiencies", "streamline"),
    "broken": ("inefficiencies", "improvements"),
    "fix": ("improve",),
    "fixing": ("improve",),
    "better": ("improve",),
    "fast": ("streamline", "efficiency"),
    "quicker": ("streamline", "efficiency"),
    "find": ("identifying",),
    "finds": ("identifying",),
    "spot": ("identifying",),
    "spots": ("identifying",),
    "spotting": ("identifying",),
    "flag": ("identifying",),
    "flags": ("identifying",),
    "flagged": ("identifying",),
    "catch": ("identifying",),
    "figures": ("metrics", "numbers"),
    "hours": ("resources", "capacity"),
    "bandwidth": ("resources", "capacity"),
    "wasted": ("efficiently", "inefficiencies"),
    "initiative": ("project",),
    "initiatives": ("project",),
    "year": ("long-term",),
    "years": ("long-term",),
    "yearly": ("long-term",),
    "correct": ("right",),
    "choose": ("assigned", "right"),
    "chooses": ("assigned", "right"),
    "choosing": ("assigned", "right"),
    "pick": ("assigned", "right"),
    "picks": ("assigned", "right"),
    "picking": ("assigned", "right"),
    "sprint": ("deadlines",),
    "stuck": ("obstacles", "blockers"),
    "blocked": ("obstacles", "blockers"),
    "overspend": ("budget", "over budget"),
    "overspending": ("budget", "over budget"),
    "overrun": ("budget", "over budget"),
    "split": ("distinction",),
    "splitting": ("distinction",),
    "gain": ("benefit", "value"),
    "call": ("decisions",),
    "calls": ("decisions",),
    "useful": ("benefit", "value"),
    "usefulness": ("benefit", "value"),
    "contact": ("interact", "communication"),
    "gains": ("benefit", "value"),
    "sprints": ("deadlines",),
    "sponsor": ("stakeholders",),
    "sponsors": ("stakeholders",),
    "sponsoring": ("stakeholders",),
    "clear": ("removing", "obstacles"),
    "clears": ("removing", "obstacles"),
    "company": ("organizations",),
    "companies": ("organizations",),
    "business": ("organizations",),
    "decide": ("decisions",),
    "decides": ("decisions",),
}

# Words asking for a comparison between roles.
COMPARE_WORDS = _words(
    """
    difference differences differ differs differentiate differentiates distinguish distinguishes
    distinction distinctions compare compared compares comparing comparison versus contrast
    contrasting separates separating similarity similarities overlap overlaps distinguishing
    differing differentiating comparisons contrasts vs
    """
)

# Words that ask for a comparison only when a role is named: "how are DL and DM different"
# compares, "who gets different departments together" does not.
WEAK_COMPARE_WORDS = _words(
    """
    different differently similar alike same separate distinct
    """
)

# Words asking what a role is, rather than something specific about it.
ROLE_WORDS = _words(
    """
    role roles job jobs position positions title titles description descriptions responsibilities
    responsibility responsible duties duty involve involves involved entail entails explain describe
    overview summary jd work works do does doing day purpose function mean means meaning stand
    stands define definition expect provide give show walk through summarize summary outline list
    detail details clarify elaborate breakdown rundown
    """
)

HELP_WORDS = _words(
    """
    help usage commands command instructions ask asking use using options menu start hi hello hey
    hiya yo topics cover covers covered bot support assist assists capable able
    """
)

EXAMPLE_WORDS = _words(
    """
    example examples instance illustrate illustration scenario scenarios case
    """
)

YES_NO_OPENERS = _words(
    """
    does do is are can should would will could did has have was were am shall
    """
)

WHO_WORDS = _words(
    """
    who whose whom
    """
)

# "both roles", "each role", "the two roles": the pair of roles, named without naming them.
PAIR_WORDS = _words("both each two these those")

# Nouns that name a job. A question built around one the knowledge file does not
# know ("what does a scrum master do?") is declined rather than answered wrongly.
ROLE_NOUNS = _words(
    """
    manager lead leader master owner architect engineer developer designer analyst director
    officer consultant coach tester administrator admin executive president vp ceo cto cfo coo cio
    cpo recruiter accountant specialist coordinator supervisor planner scientist programmer intern
    lawyer secretary receptionist pm po sm ba qa hr founder partner controller chief
    headmaster
    treasurer auditor clerk steward
    """
)

# Words that, before "manager" or "lead", name a different job: "project manager", "tech lead".
JOB_MODIFIERS = _words(
    """
    project projects product program programme tech technical team engineering account sales
    marketing scrum agile release service operations it hr office general line people portfolio
    change test qa support customer brand content community design ux data security site store
    facility facilities studio dev development software finance financial risk quality client senior
    junior associate
    """
)

_BRITISH = re.compile(r"(?<=\w{3})(is)(ation|ations|e|ed|es|ing|er|ers)$")
_BRITISH_YSE = re.compile(r"(?<=\w{3})ys(e|ed|es|ing)$")

_stemmer = snowballstemmer.stemmer("english")


def clean_slack_text(text: str) -> str:
    """Turn Slack-encoded message text into plain words.

    Mentions, channel references and links are dropped (a link's label names the page,
    not the question), entities (&amp; &lt; &gt;) are decoded, and control characters go.
    """

    text = _SLACK_TOKEN.sub(" ", text)
    text = html.unescape(text)
    text = _CONTROL.sub(" ", text)
    return _EMOJI_CODE.sub(" ", text)


# Set phrases whose words mislead one by one. Rewritten before words are split, for both the
# questions and the knowledge file.
_PHRASES = [
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (
            r"\bwho(?:m)?\s+(?:do|should|can|could|would|will|must)\s+(?:i|we)\s+"
            r"(?:talk|speak|go|turn|reach out|ask|contact|escalate|ping|message|chat|pitch|propose|suggest|raise"
            r"|bring|flag|send|take|call|email|phone)(?:\s+(?:to|with))?\b",
            "who",
        ),
        (r"\bday[\s-]+to[\s-]+day\b", "operational"),
        (r"\bkeep(?:s|ing)?\s+an?\s+eye\s+on\b", "monitor"),
        (r"\b(?:on the hook|in charge)\s+(?:for|of)\b", "responsible for"),
        (r"\bout the door\b", "execution"),
        (r"\b(?:big|bigger|long[\s-]term|strategic)[\s-]+(?:\w+\s+)?picture\b", "strategic"),
        (r"\blines?\s+up\b|\blining\s+up\b", "align"),
        (r"\b(?:other|several|many|multiple|different|various)\s+teams?\b", "multiple teams"),
        (r"\bhands[\s-]+on\b", "handson"),
        (r"\b(?:is that|is it|am i|are they|was i|right|correct)\s+(?:right|correct|true|so)\b\s*\??\s*$", ""),
        (r"\bwho\s+(?:works|is working|should work|will work)\s+on\s+what\b", "who assigns tasks"),
        (r"\b(?:senior|upper|top|executive)\s+(?:management|leadership|leaders|managers)\b", "executives"),
        (r"\bplan b\b", "contingency"),
        (r"\b(?:several|many|more|lots of|a lot of|various|numerous|different)\s+projects\b", "multiple projects"),
        (r"\b(?:just|only)?\s*(?:one|a single|1)\s+(?:specific\s+)?project\b", "single project"),
        (r"\b(?:just|only)?\s*(?:one|a single|1)\s+(?:specific\s+)?team\b", "single team"),
        (r"\bin line with\b", "aligned with"),
        (r"\bin common\b", "similarities"),
        (r"\bbottom line\b", " "),
        (r"\bin terms of\b", " "),
    )
]


# Past this, a message is not a question but a paste; reading all of it would only cost time.
MAX_QUESTION_CHARS = 2000


def plain_text(text: str) -> str:
    """A message as the plain question it asks: Slack markup removed, spaces folded, length capped.

    Done once per message: decoding entities twice would turn a typed "&lt;" into "<".
    """
    return " ".join(clean_slack_text(text[: MAX_QUESTION_CHARS * 4]).split())[:MAX_QUESTION_CHARS]


def tokenize(text: str) -> list[str]:
    """Lower-case words of the text, with chat shorthand expanded and British -ise spelt -ize.

    Both questions and the knowledge file go through this, so the spelling only has to agree.
    """
    normalized = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    for pattern, replacement in _PHRASES:
        normalized = pattern.sub(replacement, normalized)
    words: list[str] = []
    for word in _WORD.findall(normalized):
        words.extend(ABBREVIATIONS.get(word, (_BRITISH_YSE.sub(r"yz\1", _BRITISH.sub(r"iz\2", word)),)))
    return words


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The word's stem, so that 'manages', 'managing' and 'management' meet."""
    return _stemmer.stemWord(word)


def escape_mrkdwn(text: str) -> str:
    """Escape Slack's three control characters so user text can never ping or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
