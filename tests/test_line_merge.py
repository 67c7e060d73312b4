"""text.line_merge: taking one change back out of a text edited since, keeping every edit made since."""

from __future__ import annotations

import pytest

from assetopt.text.line_merge import MergeConflict, undo_keeping_edits

BEFORE = "{% load static %}\n<head>\n<link a>\n<link b>\n<link c>\n</head>\n"
WRITTEN = '{% load static assetopt %}\n<head>\n{% bundle "css" %}\n<link a>\n<link b>\n<link c>\n{% endbundle %}\n</head>\n'


@pytest.mark.parametrize(
    "now, expected",
    [
        pytest.param(WRITTEN, BEFORE, id="untouched_gets_its_old_text"),
        pytest.param(
            WRITTEN.replace("<link b>\n", "<link b>\n<link mine>\n"),
            BEFORE.replace("<link b>\n", "<link b>\n<link mine>\n"),
            id="link_added_inside_the_bundle_stays",
        ),
        pytest.param(WRITTEN.replace("<link b>\n", ""), BEFORE.replace("<link b>\n", ""), id="link_removed_inside_the_bundle_stays_removed"),
        pytest.param(
            WRITTEN.replace("<link a>\n<link b>\n", "<link b>\n<link a>\n"),
            BEFORE.replace("<link a>\n<link b>\n", "<link b>\n<link a>\n"),
            id="reordered_links_stay_reordered",
        ),
        pytest.param(
            WRITTEN.replace("{% endbundle %}\n", "{% endbundle %}\n<link beside>\n"),
            BEFORE.replace("<link c>\n", "<link c>\n<link beside>\n"),
            id="link_added_after_the_block_stays",
        ),
        pytest.param(
            WRITTEN.replace("</head>\n", "</head>\n<body>new</body>\n"),
            BEFORE + "<body>new</body>\n",
            id="edit_far_away_stays",
        ),
    ],
)
def test_undo_keeps_every_edit_that_does_not_touch_the_change(now: str, expected: str) -> None:
    assert undo_keeping_edits(WRITTEN, now, BEFORE) == expected


def test_line_endings_are_kept() -> None:
    crlf = lambda text: text.replace("\n", "\r\n")  # noqa: E731
    now = crlf(WRITTEN.replace("<link c>\n", "<link c>\n<link d>\n"))
    assert undo_keeping_edits(crlf(WRITTEN), now, crlf(BEFORE)) == crlf(BEFORE.replace("<link c>\n", "<link c>\n<link d>\n"))


@pytest.mark.parametrize(
    "now, lineno, written",
    [
        pytest.param("{# mine #}" + WRITTEN, 1, ("{% load static assetopt %}\n",), id="the_changed_load_line_edited"),
        pytest.param(WRITTEN.replace("{% endbundle %}\n", "{% endbundle %}{# x #}\n"), 7, ("{% endbundle %}\n",), id="the_inserted_line_edited"),
        pytest.param(WRITTEN.replace("{% endbundle %}\n", ""), 7, ("{% endbundle %}\n",), id="the_inserted_line_deleted"),
    ],
)
def test_an_edit_of_a_line_the_change_wrote_is_a_conflict_naming_the_line(now: str, lineno: int, written: tuple[str, ...]) -> None:
    assert undo_keeping_edits(WRITTEN, now, BEFORE) == MergeConflict(lineno=lineno, written=written)


def test_two_insertions_at_one_place_are_a_conflict_not_a_guess_of_their_order() -> None:
    # the change inserted "new" after line 1; an edit inserted "mine" at the same place
    assert isinstance(undo_keeping_edits("a\nnew\nb\n", "a\nnew\nmine\nb\n", "a\nb\n"), str)  # after the inserted line: fine
    assert undo_keeping_edits("a\nb\n", "a\nmine\nb\n", "a\nother\nb\n") == MergeConflict(lineno=2, written=())
