"""The metrics folder is emptied at start; a folder named by mistake loses nothing else."""
from __future__ import annotations

from bot.infra.files import empty_dir


def test_only_prometheus_files_are_removed(tmp_path):
    for name in ("counter_101.db", "gauge_all_101.db", "histogram_7.db", "liaison.db", "spool.jsonl"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "media").mkdir()

    empty_dir(tmp_path)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["liaison.db", "media", "spool.jsonl"]
