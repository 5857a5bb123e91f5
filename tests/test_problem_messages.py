"""Input problems in French and English: every code has both templates, filled by what its site passes."""

from __future__ import annotations

import gzip

import re
from pathlib import Path

import pytest

from engine.input_problems import Problem, describe, listing, templates
from engine.readers import InputError, read_table
from engine.records import tables_from_json

ROOT = Path(__file__).resolve().parents[1]
HEADER = "SK_ID_CURR,TARGET,NAME_CONTRACT_TYPE,AMT_INCOME_TOTAL,AMT_CREDIT,AMT_ANNUITY,DAYS_BIRTH"
ROW = "100001,0,Cash loans,202500.0,{credit},24700.5,-9461"
QUOTED = '"12,5"'


def _sources() -> str:
    return "".join(path.read_text("utf-8") for folder in ("engine", "storage") for path in (ROOT / folder).glob("*.py"))


def codes_in_source() -> set[str]:
    """The codes problems are made with (``code="…"``)."""
    return set(re.findall(r'\bcode\s*=\s*"(\w+)"', _sources()))


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        read_table(path)
    return caught.value.errors


def assert_worded(problem: Problem, french: str) -> None:
    assert problem.code in templates()
    assert describe(problem, "en") == problem.message
    assert describe(problem, "fr") == french
    assert describe(problem, "fr") != problem.message


def test_every_code_in_the_source_has_french_and_english_templates() -> None:
    used = codes_in_source()
    assert len(used) > 40
    missing = [code for code in sorted(used) if set(templates().get(code, {})) != {"fr", "en"}]
    assert not missing
    literals = set(re.findall(r'"(\w+)"', _sources()))  # codes also reach problems through helpers (the what-if's)
    assert not set(templates()) - used - literals, "templates of codes no longer used"


def test_text_in_a_number_column(tmp_path: Path) -> None:
    path = tmp_path / "application.csv"
    path.write_text(f"{HEADER}\n{ROW.format(credit='abc')}\n", "utf-8")
    [problem] = problems_of(path)
    assert (problem.column, problem.row, problem.message) == ("AMT_CREDIT", 2, '"abc" is not a number')
    assert_worded(problem, "« abc » n'est pas un nombre")


def test_decimal_comma_in_a_comma_separated_file(tmp_path: Path) -> None:
    path = tmp_path / "application.csv"
    path.write_text(f"{HEADER}\n{ROW.format(credit=QUOTED)}\n", "utf-8")
    [problem] = problems_of(path)
    assert problem.message == '"12,5" uses "," as decimal mark but this file uses "."'
    assert_worded(problem, "« 12,5 » utilise « , » comme séparateur décimal, mais ce fichier utilise « . »")


def test_missing_required_column(tmp_path: Path) -> None:
    path = tmp_path / "application.csv"
    row = ROW.format(credit="1.5").removeprefix("100001,")
    path.write_text(f"{HEADER.removeprefix('SK_ID_CURR,')}\n{row}\n", "utf-8")
    [problem] = problems_of(path)
    assert (problem.column, problem.row) == ("SK_ID_CURR", 1)
    assert problem.message == ("its columns make no Home Credit table: the nearest, application, lacks SK_ID_CURR "
                               "(1 required column)")
    assert_worded(problem, "ses colonnes ne forment aucune table Home Credit : il manque à la plus proche, "
                           "application, SK_ID_CURR (1 colonne obligatoire)")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "application.csv"
    path.write_bytes(b"")
    [problem] = problems_of(path)
    assert problem.message == "the file is empty"
    assert_worded(problem, "le fichier est vide")


def test_counted_and_listed_lines(tmp_path: Path) -> None:
    path = tmp_path / "application.csv"
    rows = [ROW.format(credit="1.5").replace("100001", "") for _ in range(12)]
    path.write_text("\n".join([HEADER, *rows]) + "\n", "utf-8")
    [problem] = problems_of(path)
    assert problem.message == "SK_ID_CURR is empty on 12 lines: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more"
    assert_worded(problem, "SK_ID_CURR est vide sur 12 lignes : 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 et 2 autres")


def test_several_files_for_one_table(tmp_path: Path) -> None:
    from engine.readers import read_tables

    (tmp_path / "application.csv").write_text(f"{HEADER}\n{ROW.format(credit='1.5')}\n", "utf-8")
    (tmp_path / "bureau.csv").write_text("SK_ID_CURR,SK_ID_BUREAU\n100001,1\n", "utf-8")
    (tmp_path / "bureau.csv.gz").write_bytes(gzip.compress(b"SK_ID_CURR,SK_ID_BUREAU\n100001,2\n"))
    with pytest.raises(InputError) as caught:
        read_tables(tmp_path)
    [problem] = caught.value.errors
    assert problem.message == "several files for the bureau table: bureau.csv, bureau.csv.gz"
    assert_worded(problem, "plusieurs fichiers pour la table bureau : bureau.csv, bureau.csv.gz")


def test_json_records() -> None:
    with pytest.raises(InputError) as caught:
        tables_from_json({"application": {"SK_ID_CURR": 1, "AMT_CREDIT": "abc"}})
    [problem] = [p for p in caught.value.errors if p.column == "AMT_CREDIT"]
    assert problem.message == "'abc' is not a number"
    assert_worded(problem, "'abc' n'est pas un nombre")


def test_problems_without_a_code_keep_their_message() -> None:
    assert describe(Problem("a.csv", "something odd"), "fr") == "something odd"
    assert describe(Problem("a.csv", "something odd", code="no_such_code"), "en") == "something odd"


def test_the_items_left_unlisted_are_counted_in_each_language() -> None:
    assert listing(list(range(11)), lang="fr") == "0, 1, 2, 3, 4, 5, 6, 7, 8, 9 et 1 autre"
    assert listing(list(range(11)), lang="en") == "0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 1 more"
    assert listing([1, 2], total=1_002, lang="fr").endswith("et 992 autres")
    assert listing([1, 2], total=1_002, lang="en").endswith("and 992 more")
