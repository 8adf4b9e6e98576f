"""The command line: `rolebot ...` in process, and as a user runs it (`python -m bot`, the installed
command, the built package) in a separate process."""

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from bot.procfile import PROJECT_ROOT
from tests.conftest import DATA
from tests.support.command_line import run_cli
from tests.support.processes import run_bot


def test_ask_prints_the_answer_as_slack_would_read():
    result = run_cli("ask", "who owns the budget?")
    assert result.returncode == 0
    assert "Budget and Financial Management" in result.stdout
    assert "The Delivery Manager." in result.stdout
    assert "*" not in result.stdout  # mrkdwn is rendered, not shown raw


def test_ask_json_gives_one_object_with_the_agreed_fields():
    result = run_cli("ask", "--json", "does a DL handle risk?")
    record = json.loads(result.stdout)
    assert set(record) == {"question", "answer", "score", "suggestions", "blocks", "text"}
    assert record["question"] == "does a DL handle risk?"
    assert record["answer"] == "delivery-lead/risk-management"
    assert 0 <= record["score"] <= 100
    assert record["blocks"][0]["type"] == "header"
    assert record["text"].startswith("Yes")


def test_ask_json_declined_question_has_a_null_answer():
    record = json.loads(run_cli("ask", "--json", "order lunch").stdout)
    assert (record["answer"], record["score"]) == (None, 0)


def test_ask_json_lines_answers_every_input_line_in_order():
    result = run_cli("ask", "--json", "-", stdin="compare\n\nwho handles risk?\norder lunch\n")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record["answer"] for record in records] == ["compare", "help", "delivery-lead/risk-management", None]
    assert [record["question"] for record in records] == ["compare", "", "who handles risk?", "order lunch"]


def test_ask_with_another_knowledge_file():
    result = run_cli("ask", "--json", "--knowledge", str(DATA / "three_roles.yaml"), "who runs retros?")
    assert json.loads(result.stdout)["answer"] == "scrum-master/ceremonies"


def test_eval_prints_accuracy_and_passes_its_minimum():
    result = run_cli("eval", "--min-accuracy", "0.95")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "accuracy: " in result.stdout
    assert "out-of-scope declined: 1.000" in result.stdout


def test_eval_lists_misses_and_fails_below_the_minimum(tmp_path):
    questions = tmp_path / "questions.yaml"
    questions.write_text(
        '- {q: "who handles risk", expect: delivery-lead/risk-management}\n'
        '- {q: "who owns the budget", expect: delivery-lead/risk-management}\n'
        '- {q: "order lunch", expect: none}\n'
    )
    result = run_cli("eval", str(questions), "--min-accuracy", "0.9")
    assert result.returncode == 1
    assert "'who owns the budget': expected delivery-lead/risk-management, got " in result.stdout
    assert "accuracy: 0.667 (2/3)" in result.stdout
    assert "in-scope accuracy: 0.500 (1/2)" in result.stdout
    assert "out-of-scope declined: 1.000 (1/1)" in result.stdout


def test_eval_rejects_an_expectation_that_is_not_an_answer(tmp_path):
    questions = tmp_path / "questions.yaml"
    questions.write_text('- {q: "risk", expect: delivery-lead/risky}\n')
    result = run_cli("eval", str(questions))
    assert result.returncode == 2
    assert f"{questions}, line 1: " in result.stderr
    assert "'delivery-lead/risky', which is not an answer" in result.stderr


def test_eval_minimum_must_be_a_share():
    result = run_cli("eval", "--min-accuracy", "2")
    assert result.returncode == 2
    assert "'2' is not a number from 0 to 1" in result.stderr


def test_check_accepts_the_shipped_file():
    result = run_cli("check")
    assert result.returncode == 0
    assert "OK" in result.stdout


def test_check_rejects_a_broken_file_with_line_and_fix_and_no_traceback(tmp_path):
    broken = tmp_path / "roles.yaml"
    broken.write_text(
        (PROJECT_ROOT / "knowledge" / "roles.yaml").read_text().replace("    aliases: [DL, ", "    aliases: [DM, ", 1)
    )
    result = run_cli("check", str(broken))
    assert result.returncode == 2
    assert f"{broken}, line " in result.stderr
    assert "claimed by role" in result.stderr
    assert "fix:" in result.stderr
    assert "Traceback" not in result.stderr


def test_console_answers_slash_commands_mentions_and_plain_questions_until_input_ends():
    result = run_bot("console", stdin="/role compare\n@Role Bot who owns the budget?\nwho handles risk?\n/foo\n")
    assert result.returncode == 0
    assert "Delivery Lead vs Delivery Manager" in result.stdout
    assert "Budget and Financial Management" in result.stdout
    assert "Risk Management" in result.stdout
    assert "Unknown command /foo" in result.stdout
    assert "role> " not in result.stdout  # no prompts when input is not a terminal


def test_installed_rolebot_command_runs():
    rolebot = Path(sys.executable).parent / "rolebot"
    result = subprocess.run([str(rolebot), "check"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr


def test_console_picks_a_did_you_mean_choice_by_its_number_and_shows_each_question_in_a_batch():
    result = run_cli("console", stdin="who coordinates?\n2\n")
    assert result.returncode == 0
    out = result.stdout
    assert "> who coordinates?\n" in out
    assert "  1) Team Coordination (Delivery Lead)" in out
    assert "  2) Cross-Functional Coordination (Delivery Manager)" in out
    picked = out.split("> 2\n", 1)[1]
    assert picked.startswith("Cross-Functional Coordination\n")


def test_console_says_when_a_number_has_nothing_to_choose_from():
    result = run_cli("console", stdin="3\n")
    assert "There is nothing to choose from just now: ask a question." in result.stdout


def test_console_takes_a_digit_that_is_not_a_number_as_a_question_not_a_crash():
    result = run_cli("console", stdin="who coordinates?\n\u00b2\n")  # "²" is a digit, but not a number
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    assert "> \u00b2\n" in result.stdout


def test_the_built_package_carries_every_layer_and_the_shipped_knowledge_and_answers(tmp_path):
    source = tmp_path / "source"  # a copy, so that building leaves nothing in the project
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source / name)
    for name in ("bot", "knowledge"):
        shutil.copytree(PROJECT_ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("rolebot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "bot/core/english.yaml",
        "bot/blocks/render.py",
        "bot/slack/web.py",
        "bot/handlers/commands.py",
        "bot/store/migrations/env.py",
        "bot/store/migrations/versions/0001_questions.py",
        "bot/knowledge/roles.yaml",
        "bot/knowledge/questions.yaml",
    ):
        assert name in names
    installed = tmp_path / "installed"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(installed), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    # The installed copy, not this project, answers: run from elsewhere with it first on the path.
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(installed)!r})\n"
        "import bot\n"
        f"assert bot.__file__.startswith({str(installed)!r}), bot.__file__\n"
        "from bot.cli import main\n"
        "sys.exit(main(['ask', 'who owns the budget?']))\n"
    )
    answered = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False
    )
    assert answered.returncode == 0, answered.stderr
    assert "Budget and Financial Management" in answered.stdout


def test_forget_refuses_what_is_not_a_slack_user_id():
    result = run_cli("forget", "<!channel>")
    assert result.returncode == 2
    assert "is not a Slack user id" in result.stderr
