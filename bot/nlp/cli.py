"""`nlp` command group: train, eval, classify. Needs no Flask app context."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import click

from .datasets import CHECKOUT_DATA, SEED_FILES, SEEDS_ENV, missing_seeds, read_jsonl, seeds_dir

REPO_ROOT = CHECKOUT_DATA.parent  # the checkout (development data only; the app never reads it)
# Where `nlp train` looks for data sets without --data: LIAISON_DATASETS when
# set, else a `shared/datasets` folder beside the checkout (absent in a fresh clone).
DATASETS_ENV = "LIAISON_DATASETS"
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "datasets"
# A data set is a folder holding one of these (see bot/nlp/train.py).
DATA_SET_FILES = ("train.jsonl", "label_tree.jsonl")


def data_root() -> Path:
    given = os.environ.get(DATASETS_ENV, "").strip()
    return Path(given).expanduser() if given else DEFAULT_DATA


def _is_data_set(path: Path) -> bool:
    return any((path / name).is_file() for name in DATA_SET_FILES)


def data_sets(folder: Path) -> list[Path]:
    """`folder` itself if it is a data set, else the data sets in it."""
    if not folder.is_dir():
        return []
    if _is_data_set(folder):
        return [folder]
    return sorted(p for p in folder.iterdir() if p.is_dir() and _is_data_set(p))


def _default_dirs() -> list[Path]:
    return data_sets(data_root())


def _no_data(given: tuple[Path, ...]) -> str:
    """Where `nlp train` looked, and what to pass instead (for staff, in Chinese)."""
    what = "数据集是含 train.jsonl 或 label_tree.jsonl 的文件夹"
    if given:
        return (f"没有找到训练数据：--data 给出的文件夹里没有数据集：{'、'.join(str(p) for p in given)}"
                f"（{what}）。")
    root = data_root()
    found = "不存在" if not root.is_dir() else "里面没有数据集"
    if os.environ.get(DATASETS_ENV, "").strip():
        looked = f"找的是环境变量 {DATASETS_ENV} 指向的文件夹 {root}，它{found}"
    else:
        looked = f"没有设置环境变量 {DATASETS_ENV}，找的是默认位置 {root}（代码旁边的 ../shared/datasets），它{found}"
    return (f"没有找到训练数据：{looked}（{what}）。\n"
            f"请用 --data 文件夹 指明数据集（可写多次，也可以是放数据集的上一级文件夹），"
            f"或把环境变量 {DATASETS_ENV} 设为放数据集的文件夹。没有训练，模型没有改动。")


def _no_seeds(folder: Path, missing: list[str]) -> str:
    """Where `nlp train` looked for our seed examples, and that training needs a
    checkout (they are development data, not in the installed package)."""
    if os.environ.get(SEEDS_ENV, "").strip():
        looked = f"找的是环境变量 {SEEDS_ENV} 指向的文件夹 {folder}"
    elif (REPO_ROOT / "pyproject.toml").is_file():
        looked = f"没有设置环境变量 {SEEDS_ENV}，找的是代码仓库里的 data/seeds 文件夹 {folder}"
    else:
        looked = (f"没有设置环境变量 {SEEDS_ENV}，找的是代码旁边的 data/seeds 文件夹 {folder}"
                  f"（这里是安装好的包，不是代码仓库）")
    state = "它不存在" if not folder.is_dir() else f"里面缺少 {'、'.join(missing)}"
    return (f"没有找到种子样本：{looked}，{state}。\n"
            f"种子样本（{'、'.join(SEED_FILES)}）是开发数据，只在代码仓库的 data/seeds/ 里，不随安装包发布："
            f"训练要在代码仓库（git clone 下来的文件夹）里运行，"
            f"或把环境变量 {SEEDS_ENV} 设为放种子样本的文件夹。没有训练，模型没有改动。")


def _corrections_source() -> Callable[[], list[dict]] | None:
    """Where `--include-corrections` gets staff corrections: the app's CLI passes
    a reader of its database in its context object, so this package stays free
    of app imports."""
    return getattr(click.get_current_context().obj, "corrections_source", None)


@click.group("nlp")
def nlp() -> None:
    """消息分类模型：训练、评估、分类。"""


@nlp.command("train")
@click.option("--data", "data", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              metavar="文件夹",
              help=f"数据集文件夹，或放数据集的文件夹（可写多次）；默认：环境变量 {DATASETS_ENV} 指向的文件夹，"
                   "没有设置时为代码旁边的 ../shared/datasets。")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="模型文件写到哪里（默认：替换 bot/nlp/artifacts 里的模型）。")
@click.option("--corrections", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="分类更正文件（JSON Lines，每行 text 和 label）。")
@click.option("--include-corrections", is_flag=True, help="也用数据库里工作人员的分类更正来训练。")
@click.option("--seed", metavar="数字", type=int, default=None, help="随机数种子。")
def train_cmd(data: tuple[Path, ...], out: Path | None, corrections: Path | None, include_corrections: bool,
              seed: int | None) -> None:
    """训练分类模型并写出模型文件。没有找到训练数据时不训练，退出码为 1。
    除了数据集，还要用我们自己的种子样本：在代码仓库的 data/seeds/ 里
    （不随安装包发布），或由环境变量 LIAISON_SEEDS 指明。"""
    seeds = seeds_dir()
    if missing := missing_seeds(seeds):
        raise click.ClickException(_no_seeds(seeds, missing))
    from .model import ARTIFACT_PATH
    from .train import SEED, train

    dirs = [d for folder in data for d in data_sets(folder)] if data else _default_dirs()
    if not dirs:
        raise click.ClickException(_no_data(data))
    extra = read_jsonl(corrections) if corrections else None
    if include_corrections:
        corrections_source = _corrections_source()
        if corrections_source is None:
            raise click.UsageError("--include-corrections 要从数据库读更正，请用 liaison nlp train 运行")
        stored = corrections_source()
        click.echo(f"加入工作人员的分类更正 {len(stored)} 条")
        extra = (extra or []) + stored
    out = out or ARTIFACT_PATH
    metrics = train(dirs, extra, out, seed=SEED if seed is None else seed)
    click.echo(json.dumps(metrics, ensure_ascii=False, indent=1))
    click.echo(f"训练数据：{'、'.join(str(d) for d in dirs)}")
    click.echo(f"种子样本：{seeds}")
    click.echo(f"模型已写入 {out}（{out.stat().st_size / 1e6:.1f} MB）")


@nlp.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def eval_cmd(file: Path) -> None:
    """用带标注的文件 FILE（JSON Lines，每行 text/title/label）评估模型：
    准确率（accuracy）、macro-F1、各类 F1（per-class F1）和混淆矩阵（confusion）。"""
    from . import classify
    from .datasets import read_jsonl, row_text
    from .evaluate import report, scores

    rows = [r for r in read_jsonl(file) if "label" in r]
    pred = [classify(row_text(r)).category for r in rows]
    click.echo(report(scores([r["label"] for r in rows], pred)))


@nlp.command("classify")
@click.option("--json", "as_json", is_flag=True, help="读完后输出一个 JSON 数组（所有结果）。")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="每行一个 JSON 对象，边读边写（默认就是这样）。")
def classify_cmd(as_json: bool, as_jsonl: bool) -> None:
    """从标准输入每行读一条消息并分类。默认每行输出一个 JSON 对象（JSON Lines）；
    加 --json 则读完后输出一个 JSON 数组。空行和只有空格的行跳过。"""
    from . import classify

    if as_json and as_jsonl:
        raise click.UsageError("--json 和 --jsonl 只能选一个。")
    results = []
    for line in sys.stdin:
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        result = asdict(classify(line))
        result["alternatives"] = [list(a) for a in result["alternatives"]]
        item = {"text": line, **result}
        if as_json:
            results.append(item)
        else:
            click.echo(json.dumps(item, ensure_ascii=False))
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False))


@nlp.command("train-refiner")
@click.option("--data", "data", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              metavar="文件夹", help="数据集文件夹（同 nlp train）。")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="复核模型写到哪里（默认：替换 bot/nlp/artifacts/refiner.npz）。")
@click.option("--cache", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="句向量缓存文件（.npz，只存摘要和向量，不存原文；放在代码仓库外），再次训练时省去编码。")
@click.option("--fast-dev", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="已训练好的开发阶段快速模型（nlp train 不在开发集上重训的版本）；默认当场训练一个。")
@click.option("--seed", metavar="数字", type=int, default=None, help="随机数种子。")
def train_refiner_cmd(data: tuple[Path, ...], out: Path | None, cache: Path | None, fast_dev: Path | None,
                      seed: int | None) -> None:
    """训练分类复核模型（后台用完整句子编码器复核快速模型拿不准的分类）。
    需要安装 liaison[refine]（句子编码器）和 liaison[train]；数据与 nlp train 相同。"""
    seeds = seeds_dir()
    if missing := missing_seeds(seeds):
        raise click.ClickException(_no_seeds(seeds, missing))
    from .refine import REFINER_PATH, available

    if not available():
        raise click.ClickException("没有安装句子编码器：请先 pip install 'liaison[refine]'。没有训练，复核模型没有改动。")
    from .train import SEED
    from .train_refiner import train_refiner

    dirs = [d for folder in data for d in data_sets(folder)] if data else _default_dirs()
    if not dirs:
        raise click.ClickException(_no_data(data))
    out = out or REFINER_PATH
    metrics = train_refiner(dirs, out, seed=SEED if seed is None else seed, cache=cache, fast_dev=fast_dev,
                            log=click.echo)
    click.echo(json.dumps(metrics, ensure_ascii=False, indent=1))
    click.echo(f"复核模型已写入 {out}（{out.stat().st_size / 1e3:.0f} KB）")
