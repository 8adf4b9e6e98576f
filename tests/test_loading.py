"""A broken knowledge file gets one clear message: the file, the line, and what to fix."""

import textwrap
import time
from pathlib import Path

import pytest

from bot.core.loading import KnowledgeError, load_knowledge

VALID = """\
roles:
  - id: delivery-lead
    name: Delivery Lead
    aliases: [DL]
    summary: Runs delivery day to day.
    focus: Operational.
    responsibilities:
      - id: risk-management
        title: Risk Management
        text: Identifies risks.
  - id: delivery-manager
    name: Delivery Manager
    aliases: [DM]
    summary: Shapes delivery strategy.
    focus: Strategic.
    responsibilities:
      - id: budget
        title: Budget
        text: Manages budgets.
comparisons:
  - roles: [delivery-lead, delivery-manager]
    differences:
      - id: focus
        title: Focus
        sides:
          delivery-lead: Execution.
          delivery-manager: Strategy.
"""


def _load(tmp_path: Path, text: str):
    path = tmp_path / "roles.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_knowledge(path)


def _error(tmp_path: Path, text: str) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as caught:
        _load(tmp_path, text)
    error = caught.value
    assert str(tmp_path / "roles.yaml") in str(error)
    assert "fix:" in str(error)
    return error


def test_a_valid_file_loads_with_every_entry(tmp_path):
    knowledge = _load(tmp_path, VALID)
    assert [entry.id for entry in knowledge.entries] == [
        "role/delivery-lead",
        "delivery-lead/risk-management",
        "role/delivery-manager",
        "delivery-manager/budget",
        "difference/focus",
    ]


def test_yaml_syntax_error_names_the_line(tmp_path):
    error = _error(tmp_path, VALID.replace("    aliases: [DL]", "    aliases: [DL"))
    assert error.line in (4, 5)
    assert "not valid YAML" in error.problem


def test_bad_indentation_names_the_line(tmp_path):
    error = _error(tmp_path, VALID.replace("    focus: Operational.", "  focus: Operational."))
    assert error.line == 6


def test_duplicate_responsibility_id_names_the_second_one(tmp_path):
    text = VALID.replace(
        "        text: Identifies risks.\n",
        "        text: Identifies risks.\n      - id: risk-management\n        title: Again\n        text: Twice.\n",
    )
    error = _error(tmp_path, text)
    assert error.line == 11
    assert "already used on line 8" in error.problem


def test_duplicate_role_id(tmp_path):
    error = _error(tmp_path, VALID.replace("  - id: delivery-manager", "  - id: delivery-lead"))
    assert error.line == 11
    assert "'delivery-lead' is already used" in error.problem


def test_entry_without_text(tmp_path):
    error = _error(tmp_path, VALID.replace("        text: Identifies risks.\n", ""))
    assert error.line == 8
    assert "has no 'text'" in error.problem
    assert "add a 'text:' line" in error.fix


def test_empty_text(tmp_path):
    error = _error(tmp_path, VALID.replace("        text: Identifies risks.", '        text: ""'))
    assert error.line == 10
    assert "is empty" in error.problem


def test_wrong_type_says_what_was_expected(tmp_path):
    error = _error(tmp_path, VALID.replace("    aliases: [DL]", "    aliases: DL"))
    assert error.line == 4
    assert "should be a list" in error.problem


def test_yes_no_looking_value_is_explained(tmp_path):
    error = _error(tmp_path, VALID.replace("        title: Budget", "        title: yes"))
    assert error.line == 18
    assert "quotes" in error.fix


def test_comparison_naming_an_unknown_role_suggests_the_right_one(tmp_path):
    error = _error(
        tmp_path, VALID.replace("roles: [delivery-lead, delivery-manager]", "roles: [delivery-lead, delivery-manger]")
    )
    assert error.line == 21
    assert "'delivery-manger', which is not in the file" in error.problem
    assert "did you mean 'delivery-manager'" in error.fix


def test_alias_claimed_by_two_roles(tmp_path):
    error = _error(tmp_path, VALID.replace("    aliases: [DM]", "    aliases: [DM, dl]"))
    assert error.line == 13
    assert "'dl' is claimed by role 'delivery-manager' and by role 'delivery-lead'" in error.problem


def test_unknown_field_suggests_the_intended_one(tmp_path):
    error = _error(
        tmp_path,
        VALID.replace("        text: Manages budgets.", "        text: Manages budgets.\n        hint: [money]"),
    )
    assert error.line == 20
    assert "unknown field 'hint'" in error.problem
    assert "did you mean 'hints'" in error.fix


def test_a_key_given_twice_in_one_block(tmp_path):
    error = _error(tmp_path, VALID.replace("    focus: Strategic.", "    focus: Strategic.\n    focus: Again."))
    assert error.line == 16
    assert "'focus' is given twice" in error.problem


def test_difference_missing_one_roles_side(tmp_path):
    error = _error(tmp_path, VALID.replace("          delivery-manager: Strategy.\n", ""))
    assert "has no text for 'delivery-manager'" in error.problem
    assert error.line == 25


def test_id_that_is_not_a_slug(tmp_path):
    error = _error(tmp_path, VALID.replace("      - id: budget", "      - id: Budget Stuff"))
    assert error.line == 17
    assert "use an id such as 'budget-stuff'" in error.fix


def test_an_id_too_long_to_record_names_its_line_and_a_shorter_one(tmp_path):
    long_id = "budget-" + "-".join(["and-money"] * 10)
    error = _error(tmp_path, VALID.replace("      - id: budget", f"      - id: {long_id}"))
    assert error.line == 17
    assert "at most 60" in str(error)
    assert "use a shorter id, such as 'budget-and-money" in error.fix


def test_empty_file(tmp_path):
    error = _error(tmp_path, "")
    assert "should be a block of fields" in error.problem


def test_missing_file_names_it(tmp_path):
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tmp_path / "nowhere.yaml")
    assert "nowhere.yaml: the file does not exist" in str(caught.value)


def test_python_objects_in_yaml_are_refused_by_the_safe_loader(tmp_path):
    error = _error(
        tmp_path, VALID.replace("Runs delivery day to day.", "!!python/object/apply:os.system [echo hacked]")
    )
    assert "YAML tag (such as !!python/...) that is not allowed" in error.problem


def test_a_folder_instead_of_a_file(tmp_path):
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tmp_path)
    assert "this is a folder, not a file" in str(caught.value)


def test_indentation_error_points_at_the_lines_to_check(tmp_path):
    error = _error(tmp_path, VALID.replace("        title: Budget", "       title: Budget"))
    assert error.line == 18
    assert "check the indentation of the lines from 17 to 18" in error.fix


def test_a_field_indented_into_the_wrong_block_is_named(tmp_path):
    error = _error(tmp_path, VALID.replace("        text: Manages budgets.", "    text: Manages budgets."))
    assert error.line == 19
    assert "role 'delivery-manager' has an unknown field 'text'" in error.problem


def test_a_file_over_the_size_limit_is_refused_at_once_with_its_size(tmp_path):
    # A valid file, padded with a long comment: reading it all would take minutes and gigabytes.
    started = time.monotonic()
    error = _error(tmp_path, VALID + "# " + "x" * 5_100_000 + "\n")
    assert time.monotonic() - started < 1
    assert "5.1 MB, over the 5 MB" in error.problem
