"""tools.scaling: resampled, re-keyed copies of the real extract (small sizes only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from engine.schema import tables
from tools.scaling import (
    BUREAU_ID0,
    CURR_ID0,
    HISTORY,
    PREV_ID0,
    default_source,
    read_table,
    scale_data,
    split_clients,
    synthesise_installments,
)

pytestmark = pytest.mark.shared_data

TRAIN, TEST, SEED = 300, 50, 7
PREV_CHILDREN = ("POS_CASH_balance", "credit_card_balance", "installments_payments")


@pytest.fixture(scope="module")
def scaled(home_credit: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("scaled")
    return out, scale_data(home_credit, out, train_clients=TRAIN, test_clients=TEST, seed=SEED)


@pytest.fixture(scope="module")
def source(home_credit: Path) -> dict[str, pl.DataFrame]:
    return {
        name: read_table(home_credit, name)
        for name in ("application_train", "application_test", *HISTORY[:5])
    }


@pytest.fixture(scope="module")
def out(scaled: tuple[Path, dict[str, int]]) -> dict[str, pl.DataFrame]:
    folder, rows = scaled
    return {Path(name).stem: pl.read_csv(folder / name, infer_schema_length=None) for name in rows}


@pytest.fixture(scope="module")
def origin(out: dict[str, pl.DataFrame], source: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """(NEW_CURR, SRC_CURR): each copy matched to the source client whose application row it repeats."""
    parts = []
    for name in ("application_train", "application_test"):
        values = [c for c in source[name].columns if c != "SK_ID_CURR"]
        parts.append(
            out[name]
            .rename({"SK_ID_CURR": "NEW_CURR"})
            .join(source[name].rename({"SK_ID_CURR": "SRC_CURR"}), on=values, nulls_equal=True)
            .select("NEW_CURR", "SRC_CURR")
        )
    return pl.concat(parts)


def _per_client(table: pl.DataFrame) -> pl.DataFrame:
    return table.group_by("SK_ID_CURR").len("N")


def _without_keys(table: pl.DataFrame, order: list[str]) -> pl.DataFrame:
    return table.drop("SK_ID_CURR", "SK_ID_BUREAU", "SK_ID_PREV", strict=False).sort(order, nulls_last=True)


def test_files_and_columns(scaled: tuple[Path, dict[str, int]], out: dict[str, pl.DataFrame]) -> None:
    folder, rows = scaled
    assert sorted(p.name for p in folder.iterdir()) == sorted(rows)
    assert rows["application_train.csv"] == TRAIN and rows["application_test.csv"] == TEST
    for name, frame in out.items():
        assert frame.height == rows[f"{name}.csv"]
        spec = tables()["application" if name.startswith("application") else name]
        assert set(frame.columns) <= set(spec.columns), name
    assert out["installments_payments"].columns == list(tables()["installments_payments"].columns)


def test_every_copy_matches_one_source_client(origin: pl.DataFrame) -> None:
    assert origin.height == TRAIN + TEST
    assert origin["NEW_CURR"].n_unique() == TRAIN + TEST


def test_row_counts_follow_the_sampled_clients(
    out: dict[str, pl.DataFrame], source: dict[str, pl.DataFrame], origin: pl.DataFrame
) -> None:
    for name in ("bureau", "previous_application", "POS_CASH_balance", "credit_card_balance"):
        expected = origin.join(_per_client(source[name]), left_on="SRC_CURR", right_on="SK_ID_CURR")[
            "N"
        ].sum()
        assert out[name].height == expected, name
    balance = source["bureau_balance"].join(
        source["bureau"].select("SK_ID_BUREAU", "SK_ID_CURR"), on="SK_ID_BUREAU"
    )
    expected = origin.join(_per_client(balance), left_on="SRC_CURR", right_on="SK_ID_CURR")["N"].sum()
    assert out["bureau_balance"].height == expected


def test_ids_are_new_dense_and_unique(out: dict[str, pl.DataFrame]) -> None:
    curr = pl.concat([out["application_train"]["SK_ID_CURR"], out["application_test"]["SK_ID_CURR"]])
    assert curr.sort().to_list() == list(range(CURR_ID0, CURR_ID0 + TRAIN + TEST))
    bureau = out["bureau"]["SK_ID_BUREAU"]
    assert bureau.is_unique().all() and bureau.min() >= BUREAU_ID0
    prev = out["previous_application"]["SK_ID_PREV"]
    assert prev.is_unique().all() and prev.min() >= PREV_ID0
    assert out["bureau_balance"].select("SK_ID_BUREAU", "MONTHS_BALANCE").is_unique().all()
    for name in PREV_CHILDREN:  # a credit belongs to exactly one client, also when it is shared by copies
        owners = out[name].group_by("SK_ID_PREV").agg(pl.col("SK_ID_CURR").n_unique())
        assert (owners["SK_ID_CURR"] == 1).all(), name


def test_history_points_at_existing_clients_and_credits(out: dict[str, pl.DataFrame]) -> None:
    curr = pl.concat(
        [out["application_train"]["SK_ID_CURR"], out["application_test"]["SK_ID_CURR"]]
    ).implode()
    for name in ("bureau", "previous_application", *PREV_CHILDREN):
        assert out[name]["SK_ID_CURR"].is_in(curr).all(), name
    assert out["bureau_balance"]["SK_ID_BUREAU"].is_in(out["bureau"]["SK_ID_BUREAU"].implode()).all()


def test_duplicated_clients_get_distinct_histories(
    out: dict[str, pl.DataFrame], origin: pl.DataFrame
) -> None:
    twins = origin.filter(pl.col("SRC_CURR").is_duplicated()).sort("SRC_CURR", "NEW_CURR")
    assert twins.height >= 2, "300 draws out of 5,000 clients should repeat one (seed 7 does)"
    bureau = out["bureau"].filter(pl.col("SK_ID_CURR").is_in(twins["NEW_CURR"].implode()))
    assert bureau["SK_ID_BUREAU"].is_unique().all()


def test_one_copy_has_its_client_history_except_keys(
    out: dict[str, pl.DataFrame], source: dict[str, pl.DataFrame], origin: pl.DataFrame
) -> None:
    rich = origin.join(_per_client(source["bureau"]), left_on="SRC_CURR", right_on="SK_ID_CURR").join(
        _per_client(source["POS_CASH_balance"]), left_on="SRC_CURR", right_on="SK_ID_CURR"
    )
    new, src = rich.sort("N", "NEW_CURR", descending=True).row(0)[:2]
    for name in ("bureau", "previous_application", "POS_CASH_balance", "credit_card_balance"):
        mine = out[name].filter(pl.col("SK_ID_CURR") == new)
        theirs = source[name].filter(pl.col("SK_ID_CURR") == src)
        order = [c for c in mine.columns if c not in ("SK_ID_CURR", "SK_ID_BUREAU", "SK_ID_PREV")]
        assert _without_keys(mine, order).equals(_without_keys(theirs, order)), name
    # bureau credits keep their source order, so the k-th new credit is the k-th source credit
    new_ids = out["bureau"].filter(pl.col("SK_ID_CURR") == new)["SK_ID_BUREAU"].sort()
    src_ids = source["bureau"].filter(pl.col("SK_ID_CURR") == src)["SK_ID_BUREAU"].sort()
    for new_id, src_id in zip(new_ids, src_ids, strict=True):
        mine = out["bureau_balance"].filter(pl.col("SK_ID_BUREAU") == new_id).drop("SK_ID_BUREAU")
        theirs = source["bureau_balance"].filter(pl.col("SK_ID_BUREAU") == src_id).drop("SK_ID_BUREAU")
        assert mine.sort("MONTHS_BALANCE").equals(theirs.sort("MONTHS_BALANCE"))


def test_same_seed_same_bytes_other_seed_other_sample(
    home_credit: Path, scaled: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    folder, rows = scaled
    for name, seed in (("same", SEED), ("other", SEED + 1)):
        scale_data(home_credit, tmp_path / name, train_clients=TRAIN, test_clients=TEST, seed=seed)
    for name in rows:
        assert (tmp_path / "same" / name).read_bytes() == (folder / name).read_bytes(), name
    assert (tmp_path / "other" / "application_train.csv").read_bytes() != (
        folder / "application_train.csv"
    ).read_bytes()


def test_parquet_holds_the_same_rows_as_csv(
    home_credit: Path, scaled: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    folder, rows = scaled
    counts = scale_data(
        home_credit, tmp_path, train_clients=TRAIN, test_clients=TEST, seed=SEED, fmt="parquet"
    )
    assert {Path(n).stem: r for n, r in counts.items()} == {Path(n).stem: r for n, r in rows.items()}
    parquet = pl.read_parquet(tmp_path / "bureau.parquet")
    csv = pl.read_csv(folder / "bureau.csv", infer_schema_length=None)
    assert parquet.equals(csv)


def test_installments_are_plausible(out: dict[str, pl.DataFrame]) -> None:
    inst = out["installments_payments"]
    assert inst.height > 0
    assert inst.null_count().sum_horizontal().item() == 0
    assert (inst["AMT_INSTALMENT"] > 0).all() and (inst["AMT_PAYMENT"] > 0).all()
    assert (inst["DAYS_INSTALMENT"] < 0).all() and (inst["DAYS_ENTRY_PAYMENT"] < 0).all()
    delay = (inst["DAYS_ENTRY_PAYMENT"] - inst["DAYS_INSTALMENT"]).abs()
    assert delay.median() <= 15 and (delay <= 60).mean() > 0.95
    ratio = inst["AMT_PAYMENT"] / inst["AMT_INSTALMENT"]
    assert (ratio - 1).abs().median() < 1e-6  # most instalments are paid in full, as in the real rows
    assert set(inst["NUM_INSTALMENT_VERSION"].unique()) == {0.0, 1.0}
    loans = inst.filter(pl.col("NUM_INSTALMENT_VERSION") == 1)
    orphans = loans.join(out["previous_application"], on=["SK_ID_PREV", "SK_ID_CURR"], how="anti")
    assert orphans.is_empty()  # loan instalments come from the copy's own previous applications


def test_loan_instalments_follow_the_schedule(home_credit: Path, source: dict[str, pl.DataFrame]) -> None:
    sample = pl.read_csv(home_credit.parent / "home-credit-fragments" / "installments_payments_sample.csv")
    inst = synthesise_installments(
        source["previous_application"], source["credit_card_balance"], sample, np.random.default_rng(0)
    )
    loans = inst.filter(pl.col("NUM_INSTALMENT_VERSION") == 1).join(
        source["previous_application"], on=["SK_ID_PREV", "SK_ID_CURR"]
    )
    assert (loans["NUM_INSTALMENT_NUMBER"] <= loans["CNT_PAYMENT"]).all()
    assert (loans["AMT_INSTALMENT"] == loans["AMT_ANNUITY"]).all()
    assert (
        loans["DAYS_INSTALMENT"] == loans["DAYS_FIRST_DUE"] + 30 * (loans["NUM_INSTALMENT_NUMBER"] - 1)
    ).all()
    numbers = loans.group_by("SK_ID_PREV").agg(pl.col("NUM_INSTALMENT_NUMBER").max(), pl.len())
    assert (numbers["NUM_INSTALMENT_NUMBER"] == numbers["len"]).all()
    assert 20 < inst.height / source["application_train"].height / 2 < 45  # rows per client, Kaggle has ~38


@pytest.mark.parametrize("clients", [1, 7, 1000, 356_255])
def test_split_clients_keeps_the_kaggle_proportion(clients: int) -> None:
    train, test = split_clients(clients)
    assert train + test == clients and train >= 1 and test >= 0
    assert abs(train / clients - 307_511 / 356_255) <= 1 / clients


def test_scale_data_runs_from_any_folder(home_credit: Path, tmp_path: Path) -> None:
    """The default source is found from the environment or beside the source tree, not the current folder."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root), "CREDITSCORE_SHARED_DATA": str(home_credit.parent)}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--home", str(tmp_path / "home"), "scale-data", "--clients", "12",
         "--out", "scaled"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "application_train.csv: 10 rows" in done.stdout and "application_test.csv: 2 rows" in done.stdout
    assert pl.read_csv(elsewhere / "scaled" / "application_train.csv").height == 10


def test_a_missing_extract_is_said_plainly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from desktop.cli import main

    monkeypatch.setenv("CREDITSCORE_SHARED_DATA", str(tmp_path / "nowhere"))
    assert default_source() == tmp_path / "nowhere" / "home-credit"
    assert main(["--home", str(tmp_path / "home"), "scale-data", "--clients", "10", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "not the real extract (no such folder)" in err and "--source" in err and "Traceback" not in err
    (tmp_path / "empty").mkdir()
    assert main(["--home", str(tmp_path / "home"), "scale-data", "--clients", "10", "--out", str(tmp_path / "o"),
                 "--source", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert "not the real extract (no POS_CASH_balance, application_train, bureau" in err and "Traceback" not in err
