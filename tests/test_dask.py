"""Scale-out: the same flow on a local Dask cluster of two workers gives the same tables."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from pipeline.runner import run_library
from tests.conftest import CORPUS

pytestmark = pytest.mark.flow


def test_dask_task_runner_matches_a_plain_run(tmp_path):
    pytest.importorskip("prefect_dask", reason="prefect-dask is part of the test extra")
    from flows.corpus_flow import flow_with_runner

    folder = tmp_path / "in"
    shutil.copytree(CORPUS, folder)
    plain, distributed = tmp_path / "plain", tmp_path / "dask"
    run_library([folder], plain)
    flow = flow_with_runner("dask", n_workers=2)
    summary = flow([str(folder)], str(distributed), batch_size=2, distributed=True)
    assert summary["processed"] == 5 and summary["failed"] == 0
    for name, key in (
        ("documents", "doc_id"),
        ("dates", "date_id"),
        ("mentions", "mention_id"),
        ("commitments", "commitment_id"),
        ("actors", "actor_id"),
    ):
        a = pd.read_parquet(plain / f"{name}.parquet").sort_values(key).reset_index(drop=True)
        b = pd.read_parquet(distributed / f"{name}.parquet").sort_values(key).reset_index(drop=True)
        drop = [c for c in ("processed_at", "source_path") if c in a]
        pd.testing.assert_frame_equal(a.drop(columns=drop), b.drop(columns=drop), check_like=True)
