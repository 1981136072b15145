"""Readers turn files into Documents: one clean text, blocks with offsets, and metadata."""

from pipeline.ingest.reader import discover_files, ingest_file

__all__ = ["discover_files", "ingest_file"]
