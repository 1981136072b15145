"""Incremental state beside the outputs: which file had which content under which pipeline version.

Per-document results are cached as JSON under ``<out>/.state/results/<doc_id>.json`` together with
the pipeline version that made them. A later run hashes each file (a stat and a read, nothing
more) and reuses the cached result when content and version are unchanged. Files that disappeared
simply are not in the next listing, so their rows leave the tables. Every write is atomic.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.ingest.errors import IngestError
from pipeline.ingest.reader import display_name, doc_id_for, read_limited
from pipeline.tables import atomic_write_text

STATE_DIR = ".state"


class RunState:
    def __init__(self, out_dir: Path) -> None:
        self.root = Path(out_dir) / STATE_DIR
        self.results_dir = self.root / "results"
        self.index_path = self.root / "index.json"
        self.previous_files: list[str] = []
        self.previous_fingerprint: str | None = None
        if self.index_path.is_file():
            try:
                index = json.loads(self.index_path.read_text(encoding="utf-8"))
                self.previous_files = index.get("files", [])
                self.previous_fingerprint = index.get("fingerprint")
            except (json.JSONDecodeError, OSError, AttributeError):
                self.previous_files = []

    def cached(self, path: Path, version: str) -> dict | None:
        """The cached result for this file's current bytes and this version, if any."""
        try:
            data = read_limited(path)  # never a whole oversized file, never a pipe
        except (OSError, IngestError):
            return None
        doc_id, _ = doc_id_for(data)
        cache = self.results_dir / f"{doc_id}.json"
        if not cache.is_file():
            return None
        try:
            entry = json.loads(cache.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, OSError):
            return None
        if entry.get("version") != version or not (self.root.parent / "texts" / f"{doc_id}.txt").is_file():
            return None
        result = entry["result"]
        result["document"] = dict(
            result["document"], source_path=display_name(str(path)), file_name=display_name(path.name)
        )
        return result

    def store(self, result: dict, version: str) -> None:
        """Cache a successful result; failures are retried on the next run."""
        doc = result["document"]
        if doc["status"] != "ok" or not doc["doc_id"]:
            return
        atomic_write_text(
            self.results_dir / f"{doc['doc_id']}.json", json.dumps({"version": version, "result": result}, default=str)
        )

    def commit(self, files: list[str], keep_doc_ids: set[str], fingerprint: str | None = None) -> int:
        """Record this run's file list and drop cached results and texts of documents no longer present."""
        removed = len(set(self.previous_files) - set(files))
        atomic_write_text(self.index_path, json.dumps({"files": sorted(files), "fingerprint": fingerprint}))
        if self.results_dir.is_dir():
            for cache in self.results_dir.glob("*.json"):
                if cache.stem not in keep_doc_ids:
                    cache.unlink(missing_ok=True)
        texts = self.root.parent / "texts"
        if texts.is_dir():
            for text in texts.glob("*.txt"):
                if text.stem not in keep_doc_ids:
                    os.unlink(text)
        return removed
