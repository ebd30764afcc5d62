"""typer's refusals of a command line in Chinese: every one a student meets (a value that
is not a number, a misspelt option, a missing argument, an extra word, an unknown
command) is said from fcnn's ``cli`` catalog, with the usage line and the help hint, and
no English is left; in English the sentences say the same. Running ``fcnn`` changes
nothing for a program that only imports fcnn (typer's printers and words, the language)."""

from __future__ import annotations

import pytest
import typer.rich_utils as rich_help
from typer.testing import CliRunner

from fcnn.cli import app
from fcnn.i18n import get_language
from test_i18n import clean_environment  # noqa: F401

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("clean_environment")

# command line → (a piece of the Chinese box, the same in English)
REFUSALS = {
    ("train", "--epochs", "abc"): ("'--epochs' 的值无效：'abc' 不是整数", "'abc' is not a whole"),
    ("train", "--epochs", "1.5"): ("'1.5' 不是整数", "Invalid value for '--epochs'"),
    ("train", "--lr", "fast"): ("'--lr' 的值无效：'fast' 不是数", "'fast' is not a number"),
    ("train", "--epochss", "3"): ("没有选项 --epochss（你是不是想写 --epochs", "did you mean"),
    ("train", "--bogus"): ("没有选项 --bogus", "No such option: --bogus"),
    ("evaluate",): ("缺少参数 'RUN'。", "Missing argument 'RUN'."),
    ("predict", "run"): ("缺少参数 'CSV'。", "Missing argument 'CSV'."),
    ("demo", "one", "two"): ("多出了参数：one two。", "Got unexpected extra argument(s): one two."),
    ("nosuch",): ("没有命令 'nosuch'。", "No such command 'nosuch'."),
    ("plot", "nope"): ("没有命令 'nope'。", "No such command 'nope'."),
    ("train", "--epochs"): ("选项 '--epochs' 后面需要一个值。", "Option '--epochs' needs a value."),
}  # fmt: skip

# typer's English that must not be left in a Chinese refusal
ENGLISH = (
    "Invalid value",
    "Usage:",
    "Try '",
    "for help",
    "No such",
    "Missing",
    "unexpected",
    "Possible options",
    "Input should be",
    "requires",
    "Error",
)


def refuse(*args):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.output + repr(result.exception)
    return " ".join(result.output.split())  # the box's lines joined, its borders kept


@pytest.mark.parametrize("line", list(REFUSALS), ids=" ".join)
def test_a_refused_command_line_reads_in_chinese(line):
    chinese, english = REFUSALS[line]
    said = refuse("--lang", "zh", *line)
    assert chinese in said, said
    assert "错误" in said  # the box's title
    for word in ENGLISH:
        assert word not in said, (word, said)
    if line != ("train", "--epochs"):  # click gives no usage line for a value left out
        assert "用法：" in said and "查看帮助" in said
    assert english in refuse("--lang", "en", *line)


def test_a_refusal_before_the_command_reads_in_chinese_too():
    """``--lang`` is read before click parses the line, so a bad top-level option is
    refused in the language asked for."""
    said = refuse("--lang", "zh", "--bogus")
    assert "没有选项 --bogus" in said and "Usage:" not in said


def test_the_environment_chooses_the_language_of_a_refusal(monkeypatch):
    monkeypatch.setenv("FCNN_LANG", "zh")
    assert "'abc' 不是整数" in refuse("train", "--epochs", "abc")


def test_running_fcnn_leaves_typer_and_the_language_as_they_were():
    printers = rich_help.rich_format_error, rich_help.rich_abort_error
    names = ("ERRORS_PANEL_TITLE", "RICH_HELP", "OPTIONS_PANEL_TITLE")
    words = [getattr(rich_help, name) for name in names]
    refuse("--lang", "zh", "train", "--epochs", "abc")
    runner.invoke(app, ["--lang", "zh", "train", "--help"])
    assert (rich_help.rich_format_error, rich_help.rich_abort_error) == printers
    assert words == [getattr(rich_help, name) for name in names]
    assert get_language() == "en"
