"""`nlp` command group: train, eval, classify. Needs no Flask app context."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import click

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "datasets"


def _default_dirs() -> list[Path]:
    if not DEFAULT_DATA.is_dir():
        return []
    return sorted(p for p in DEFAULT_DATA.iterdir() if p.is_dir())


# Where `--include-corrections` gets staff corrections: the app's CLI plugs in
# a reader of its database, so this package stays free of app imports.
corrections_source: Callable[[], list[dict]] | None = None


@click.group("nlp")
def nlp() -> None:
    """消息分类模型：训练、评估、分类。"""


@nlp.command("train")
@click.option("--data", "data", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Data set directory (repeatable); default: every set in ../shared/datasets.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Artifact path.")
@click.option("--corrections", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="JSON Lines of staff corrections: text, label.")
@click.option("--include-corrections", is_flag=True, help="Also learn from staff corrections in the database.")
@click.option("--seed", type=int, default=None)
def train_cmd(data: tuple[Path, ...], out: Path | None, corrections: Path | None, include_corrections: bool,
              seed: int | None) -> None:
    """Train the classifier and write the artifact."""
    from .model import ARTIFACT_PATH
    from .train import SEED, read_jsonl, train

    dirs = list(data) or _default_dirs()
    extra = read_jsonl(corrections) if corrections else None
    if include_corrections:
        if corrections_source is None:
            raise click.UsageError("--include-corrections needs the liaison app (run it as `liaison nlp train`)")
        stored = corrections_source()
        click.echo(f"including {len(stored)} staff corrections")
        extra = (extra or []) + stored
    out = out or ARTIFACT_PATH
    metrics = train(dirs, extra, out, seed=SEED if seed is None else seed)
    click.echo(json.dumps(metrics, ensure_ascii=False, indent=1))
    click.echo(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")


@nlp.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def eval_cmd(file: Path) -> None:
    """Accuracy, macro-F1, per-class F1 and confusion for a JSONL of text/title/label."""
    from . import classify
    from .evaluate import report, scores
    from .train import read_jsonl, row_text

    rows = [r for r in read_jsonl(file) if "label" in r]
    pred = [classify(row_text(r)).category for r in rows]
    click.echo(report(scores([r["label"] for r in rows], pred)))


@nlp.command("classify")
def classify_cmd() -> None:
    """Read one message per line on stdin, write one JSON object per line."""
    from . import classify

    for line in sys.stdin:
        line = line.rstrip("\r\n")
        result = asdict(classify(line))
        result["alternatives"] = [list(a) for a in result["alternatives"]]
        click.echo(json.dumps({"text": line, **result}, ensure_ascii=False))
