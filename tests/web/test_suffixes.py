"""The Public Suffix List: its rules, and the names customers may not take as a site or zone."""

import pytest

from supercp.web.core.suffixes import is_public_suffix, parse

LIST = """\
// a comment
uk
co.uk
*.ck
!www.ck
公司.cn
github.io  trailing text is ignored
"""


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("co.uk", True),
        ("example.co.uk", False),
        ("github.io", True),
        ("alice.github.io", False),
        ("any.ck", True),  # the wildcard
        ("www.ck", False),  # its exception
        ("xn--55qx5d.cn", True),  # an IDN rule, compared in A-label form
        ("example.com", False),
    ],
)
def test_the_rules(name, suffix):
    assert is_public_suffix(name, parse(LIST)) is suffix


@pytest.mark.parametrize(
    ("name", "suffix"),
    [("co.uk", True), ("github.io", True), ("example.co.uk", False), ("example.com", False)],
)
def test_the_installed_list(name, suffix):
    # Debian's publicsuffix package (the installer's): the list the panel uses.
    assert is_public_suffix(name) is suffix
