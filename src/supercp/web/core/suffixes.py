"""The Public Suffix List: names under which anyone may register (co.uk, github.io).

A customer who took such a name as a site or a zone would block every other owner's names
below it on this server (a zone inside or above another owner's name is refused), so only
administrators may use one. The list is Debian's ``publicsuffix`` package, which the
installer puts in and Debian keeps current; its rules are read once, in A-label form.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import idna

log = logging.getLogger(__name__)

LIST = Path("/usr/share/publicsuffix/public_suffix_list.dat")


@dataclass(frozen=True)
class Rules:
    names: frozenset[str]  # "co.uk": the name is a suffix
    wildcards: frozenset[str]  # "ck" from "*.ck": every name one label below is
    exceptions: frozenset[str]  # "www.ck" from "!www.ck": but not this one


def parse(text: str) -> Rules:
    """The rules of a list in the PSL's format (comments, one rule a line)."""
    found: dict[str, set[str]] = {"": set(), "*.": set(), "!": set()}
    for line in text.splitlines():
        rule = line.split(maxsplit=1)[0] if line.strip() else ""
        if not rule or rule.startswith("//"):
            continue
        kind = "!" if rule.startswith("!") else "*." if rule.startswith("*.") else ""
        name = rule.removeprefix(kind)
        try:
            ascii_name = name if name.isascii() else idna.encode(name, uts46=True).decode()
        except idna.IDNAError:
            continue  # a rule no host name can match
        found[kind].add(ascii_name.lower())
    return Rules(frozenset(found[""]), frozenset(found["*."]), frozenset(found["!"]))


@functools.cache
def _installed() -> Rules | None:
    try:
        return parse(LIST.read_text(encoding="utf-8"))
    except OSError as err:
        log.warning("no public suffix list (%s): public suffixes are not refused", err)
        return None


def is_public_suffix(name: str, rules: Rules | None = None) -> bool:
    """Whether the A-label ``name`` is itself a public suffix (not a name below one)."""
    rules = rules or _installed()
    if rules is None or name in rules.exceptions:
        return False
    parent = name.partition(".")[2]
    return name in rules.names or (bool(parent) and parent in rules.wildcards)
