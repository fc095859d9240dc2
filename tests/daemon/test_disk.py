"""Measuring a home's disk use by walking it: what counts once, what is never followed."""

from __future__ import annotations

import os

from supercp.daemon.system.disk import measure


def test_allocated_bytes_count_not_lengths_and_a_hard_link_counts_once(tmp_path):
    home = tmp_path / "home"
    (home / "site").mkdir(parents=True)
    data = home / "site" / "data.bin"
    data.write_bytes(os.urandom(256 * 1024))
    # A sparse file: a length of 1 GiB, almost nothing on disk.
    with (home / "sparse.img").open("wb") as fh:
        fh.truncate(2**30)
    os.link(data, home / "same-data.bin")
    found = measure(home, budget=10)
    assert found.complete
    # home, site/, data.bin (its second link not again), sparse.img
    assert found.entries == 4
    allocated = sum(
        os.lstat(p).st_blocks * 512 for p in (home, home / "site", data, home / "sparse.img")
    )
    assert found.bytes == allocated
    assert 256 * 1024 <= found.bytes < 2**30


def test_a_link_out_of_the_home_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "big.bin").write_bytes(os.urandom(512 * 1024))
    home = tmp_path / "home"
    home.mkdir()
    (home / "escape").symlink_to(outside)
    found = measure(home, budget=10)
    assert found.entries == 2
    assert found.bytes < 512 * 1024


def test_a_walk_out_of_time_says_it_is_incomplete(tmp_path):
    home = tmp_path / "home"
    for n in range(20):
        (home / f"d{n}").mkdir(parents=True)
    found = measure(home, budget=-1)
    assert not found.complete
    assert found.entries >= 1


def test_a_missing_home_takes_nothing(tmp_path):
    found = measure(tmp_path / "gone", budget=10)
    assert (found.bytes, found.entries, found.complete) == (0, 0, True)
