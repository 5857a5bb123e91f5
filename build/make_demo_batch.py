"""Write the demo batch shipped in ``resources/demo/``: application_test clients and their history.

    python build/make_demo_batch.py ../shared/data/home-credit resources/demo

Every table is filtered to the application_test clients (bureau_balance through their bureau
credits) and written as zstd Parquet, which the readers take like any CSV.
"""

from __future__ import annotations

import sys
from pathlib import Path

from engine.readers import read_tables


def main(source: Path, out: Path) -> None:
    frames = read_tables(source, application="test").frames
    clients = frames["application"].select("SK_ID_CURR")
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        if name == "application":
            kept, file = frame.drop("TARGET", strict=False), "application_test"
        elif name == "bureau_balance":
            credits = frames["bureau"].join(clients, on="SK_ID_CURR").select("SK_ID_BUREAU")
            kept, file = frame.join(credits, on="SK_ID_BUREAU", how="semi"), name
        else:
            kept, file = frame.join(clients, on="SK_ID_CURR", how="semi"), name
        kept.write_parquet(out / f"{file}.parquet", compression="zstd", compression_level=19)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
