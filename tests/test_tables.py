"""The table contract: typed Parquet read back, CSV conventions, validation, atomic writes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.extract.meetings import ga_session
from pipeline.isodate import iso_date
from pipeline.tables import SCHEMAS, SchemaError, read_table, to_arrow, write_table, write_tables

ACTOR = {
    "actor_id": "international-organization-for-migration",
    "name": "International Organization for Migration",
    "type": "un_body",
    "aliases": ["IOM", "OIM"],
    "review_status": "unreviewed",
}
DATE = {
    "date_id": "abc",
    "doc_id": "d1",
    "text": "16.00 – 17.00h",
    "start_char": 10,
    "end_char": 24,
    "kind": "time",
    "granularity": "time",
    "start": "2022-02-15T16:00",
    "end": "2022-02-15T17:00",
    "review_status": "unreviewed",
}


def test_parquet_has_real_types_and_reads_back(tmp_path):
    write_table("actors", [ACTOR], tmp_path)
    write_table("dates", [DATE, dict(DATE, date_id="d2", start="2017-11-21", end="2017-11-30", kind="date")], tmp_path)
    schema = pq.read_schema(tmp_path / "actors.parquet")
    assert schema.field("aliases").type == pa.list_(pa.string())
    dates = pq.read_table(tmp_path / "dates.parquet")
    assert pa.types.is_timestamp(dates.schema.field("start").type)
    frame = read_table("dates", tmp_path)
    assert frame.loc[0, "start"] == pd.Timestamp("2022-02-15 16:00")
    assert frame.loc[1, "end"] == pd.Timestamp("2017-11-30")
    assert list(read_table("actors", tmp_path).loc[0, "aliases"]) == ["IOM", "OIM"]


def test_csv_uses_iso_dates_and_pipe_joined_lists(tmp_path):
    write_table("actors", [ACTOR], tmp_path)
    write_table("dates", [DATE, dict(DATE, date_id="d2", start="2017-11-21", end="2017-11-30", kind="date")], tmp_path)
    raw = (tmp_path / "actors.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM opens correctly in spreadsheets
    actors = pd.read_csv(tmp_path / "actors.csv", encoding="utf-8-sig")
    assert actors.loc[0, "aliases"] == "IOM|OIM"
    dates = pd.read_csv(tmp_path / "dates.csv", encoding="utf-8-sig")
    assert list(dates["start"]) == ["2022-02-15T16:00", "2017-11-21"]


def test_documents_date_is_a_date_column(tmp_path):
    row = {c.name: None for c in SCHEMAS["documents"]}
    row.update(doc_id="x", source_path="a.txt", file_name="a.txt", status="ok", doc_date="2018-07-07")
    write_table("documents", [row], tmp_path)
    assert pq.read_schema(tmp_path / "documents.parquet").field("doc_date").type == pa.date32()
    assert read_table("documents", tmp_path).loc[0, "doc_date"] == dt.date(2018, 7, 7)


@pytest.mark.parametrize(
    "row,message",
    [
        (dict(ACTOR, type="alien"), "type"),
        (dict(ACTOR, actor_id=None), "actor_id"),
        (dict(ACTOR, review_status="maybe"), "review_status"),
    ],
)
def test_rows_that_break_the_contract_are_refused(row, message):
    with pytest.raises(SchemaError, match=message):
        to_arrow("actors", [row])


def test_one_iso_reader_for_cells_anchors_and_meetings():
    """Table cells, date anchors and meeting sessions read ISO values with one function: the day a
    value starts with; a cell that must hold a date refuses junk, the lenient readers give None."""
    assert iso_date("2023-12-22T10:00:00") == iso_date(dt.datetime(2023, 12, 22, 10)) == dt.date(2023, 12, 22)
    assert iso_date(dt.date(2023, 12, 22)) == dt.date(2023, 12, 22)
    assert [iso_date(v) for v in (None, "", float("nan"), "22/12/2023", "2023-02-30")] == [None] * 5
    with pytest.raises(ValueError):
        iso_date("22/12/2023", strict=True)
    assert ga_session("2023-09-12T10:00:00") == 78 and ga_session("not a date") is None
    row = {c.name: None for c in SCHEMAS["documents"]}
    row.update(doc_id="x", source_path="a.txt", file_name="a.txt", status="ok", doc_date="22/12/2023")
    with pytest.raises(SchemaError, match="doc_date"):
        to_arrow("documents", [row])
    row["doc_date"] = "2023-12-22T10:00:00"
    assert to_arrow("documents", [row]).column("doc_date").to_pylist() == [dt.date(2023, 12, 22)]


def test_a_failed_write_leaves_the_previous_tables_whole(tmp_path):
    write_tables({"actors": [ACTOR]}, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(SchemaError):
        write_tables({"actors": [ACTOR], "dates": [dict(DATE, kind="someday")]}, tmp_path)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # validation happens before any file is replaced; no temp files left
    assert all(not name.endswith(".tmp") for name in after)
