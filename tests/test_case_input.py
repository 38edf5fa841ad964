"""Reading case files: every kind of bad input gets a clear one-line problem, good input in
every accepted spelling is understood."""

from __future__ import annotations

from pathlib import Path

import pytest

from expert.case import load_case
from expert.knowledge import KnowledgeBase
from expert.problems import InputError


def write(tmp_path: Path, text: str | bytes, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems(tiny_kb: KnowledgeBase, path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_case(path, tiny_kb)
    lines = [p.line() for p in info.value.problems]
    assert all(line.startswith(str(path)) for line in lines)
    return lines


def test_yaml_11_booleans_and_forgiving_case(tmp_path: Path, tiny_kb: KnowledgeBase) -> None:
    case = load_case(write(tmp_path, "id: c\nanswers:\n  tilt: yes\n  sitting: off\n"
                                     "  carry: LEFT\n  back_pain: {value: true, certainty: 0.5}\n"),
                     tiny_kb)
    assert {k: (a.value, a.certainty) for k, a in case.answers.items()} == {
        "tilt": ("yes", 1.0), "sitting": ("no", 1.0), "carry": ("left", 1.0),
        "back_pain": ("yes", 0.5)}


def test_json_case(tmp_path: Path, tiny_kb: KnowledgeBase) -> None:
    path = write(tmp_path, '{"id": "j", "answers": {"tilt": true, "carry": "both"}}', "c.json")
    assert load_case(path, tiny_kb).answers["carry"].side == "both"


def test_unknown_id_suggests_the_right_one(tmp_path: Path, tiny_kb: KnowledgeBase) -> None:
    [line] = problems(tiny_kb, write(tmp_path, "id: c\nanswers:\n  tilts: yes\n"))
    assert "answers.tilts" in line and "unknown observation id" in line
    assert "did you mean 'tilt'?" in line


def test_side_on_an_unsided_id(tmp_path: Path, tiny_kb: KnowledgeBase) -> None:
    [line] = problems(tiny_kb, write(tmp_path, "id: c\nanswers:\n  tilt: left\n"))
    assert "answers.tilt" in line and "not sided" in line


def test_bad_values_and_certainties_are_all_reported(tmp_path: Path,
                                                     tiny_kb: KnowledgeBase) -> None:
    lines = problems(tiny_kb, write(tmp_path, "id: c\nanswers:\n  tilt: maybe\n"
                                              "  carry: {value: left, certainty: 1.5}\n"))
    assert len(lines) == 2
    assert any("answers.tilt" in x and "'maybe' is not an answer" in x for x in lines)
    assert any("answers.carry" in x and "certainty" in x for x in lines)


def test_missing_id_wrong_types_and_unknown_keys(tmp_path: Path, tiny_kb: KnowledgeBase) -> None:
    lines = problems(tiny_kb, write(tmp_path, "answers: [tilt]\nsubject: {age: old}\nnote: x\n"))
    text = "\n".join(lines)
    assert "id: required key is missing" in text
    assert "answers" in text and "subject.age" in text and "note: unknown key" in text


def test_unknown_expected_muscle(tmp_path: Path, tiny_kb: KnowledgeBase) -> None:
    [line] = problems(tiny_kb, write(tmp_path, "id: c\nexpected:\n  overactive: [hip_flexr]\n"))
    assert "expected.overactive" in line and "did you mean 'hip_flexor'?" in line


def test_duplicate_answer_is_an_error_not_silently_dropped(tmp_path: Path,
                                                          tiny_kb: KnowledgeBase) -> None:
    [line] = problems(tiny_kb, write(tmp_path, "id: c\nanswers:\n  tilt: yes\n  tilt: no\n"))
    assert "duplicate key 'tilt'" in line and "line 4" in line


@pytest.mark.parametrize(("content", "message"), [
    ("id: c\nanswers: {tilt: yes\n", "malformed YAML at line"),
    ("", "is empty"),
    ("   \n\n", "is empty"),
    (b"id: c\nanswers:\n  tilt: \xff\xfe\n", "is not UTF-8"),
    ("- just\n- a list\n", "a case is a mapping"),
])
def test_unreadable_files(tmp_path: Path, tiny_kb: KnowledgeBase, content: str | bytes,
                          message: str) -> None:
    [line] = problems(tiny_kb, write(tmp_path, content))
    assert message in line


def test_malformed_json(tmp_path: Path, tiny_kb: KnowledgeBase) -> None:
    [line] = problems(tiny_kb, write(tmp_path, '{"id": "c", "answers": }', "c.json"))
    assert "malformed JSON at line 1" in line


def test_huge_file(tmp_path: Path, tiny_kb: KnowledgeBase) -> None:
    path = write(tmp_path, "id: c\nnotes: |\n" + "  x\n" * 400_000)
    [line] = problems(tiny_kb, path)
    assert "MiB; the limit is 1 MiB" in line


def test_directory_and_missing_file(tmp_path: Path, tiny_kb: KnowledgeBase) -> None:
    [line] = problems(tiny_kb, tmp_path)
    assert "is a directory" in line
    [line] = problems(tiny_kb, tmp_path / "nope.yaml")
    assert "no such file" in line
