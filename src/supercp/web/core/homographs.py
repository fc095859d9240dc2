# ruff: noqa: RUF002  (the examples are look-alike letters on purpose)
"""Names that look like other names (UTS #39): refused before they become a site or a zone.

Two kinds, checked per label with ICU's spoof checker (PyICU), the reference implementation
of Unicode's security mechanisms:

- a label that mixes scripts beyond what UTS #39 calls *highly restrictive* (one script, or
  Latin with Han and the Japanese, Chinese or Korean scripts that go with it): "аlice" with
  a Cyrillic "а" is refused, "bücher" and "日本語テキスト" are not. Invisible characters
  and digits of different numbering systems in one label are refused with it;
- a label in one script other than Latin that looks exactly like a plain ASCII label (its
  UTS #39 skeleton is ASCII letters, digits and hyphens): "аррӏе", all Cyrillic, shows as
  "apple". Such a label is taken only under a top-level domain of its own script (".рф"),
  where browsers show it in Unicode too and its readers expect that script.

Without these, two customers' sites can look the same in every list, and a phishing copy of
a bank's name can be hosted here under that name's Unicode twin.
"""

from __future__ import annotations

import functools
import re

import icu
import idna

# What a plain host name label is made of: a skeleton of only these looks like one.
_LDH = re.compile(r"^[a-z0-9-]+$")
# Scripts that do not decide a label's script (digits, hyphens, combining marks).
_NEUTRAL = {icu.UScriptCode.COMMON, icu.UScriptCode.INHERITED}


@functools.cache
def _checker() -> icu.SpoofChecker:
    # Configured once; checking with a configured checker is thread-safe in ICU.
    checker = icu.SpoofChecker()
    checker.setRestrictionLevel(icu.URestrictionLevel.HIGHLY_RESTRICTIVE)
    checker.setChecks(
        icu.USpoofChecks.RESTRICTION_LEVEL
        | icu.USpoofChecks.INVISIBLE
        | icu.USpoofChecks.MIXED_NUMBERS
    )
    return checker


def _unicode(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return idna.decode(label)
    except (idna.IDNAError, UnicodeError):
        return label


def _scripts(label: str) -> set[int]:
    return {icu.Script.getScript(ch).getScriptCode() for ch in label} - _NEUTRAL


def lookalike(name: str) -> str | None:
    """Why ``name`` (A-label form) could pass for another name, or None when it cannot."""
    labels = [_unicode(label) for label in name.split(".")]
    tld_scripts = _scripts(labels[-1]) if not labels[-1].isascii() else set()
    checker = _checker()
    for label in labels:
        if label.isascii():
            continue
        if checker.check(label):
            return f"its label '{label}' mixes scripts or hides characters"
        scripts = _scripts(label)
        if _LDH.match(checker.getSkeleton(0, label).lower()) and not scripts <= tld_scripts:
            script = "/".join(sorted(icu.Script(code).getName() for code in scripts))
            return f"its label '{label}' is {script} letters that all look like Latin ones"
    return None
