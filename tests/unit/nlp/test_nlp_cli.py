"""The `nlp` click group: eval prints the figures, classify speaks JSON Lines (or
one array with --json), train refuses to train on nothing."""

import json

from click.testing import CliRunner

from bot.nlp.cli import nlp


def test_eval_prints_accuracy_macro_f1_per_class_and_confusion(tmp_path):
    rows = [
        {"text": "村里自来水停了三天了", "label": "城乡建设"},
        {"title": "低保", "text": "低保怎么申请", "label": "民政"},
        {"text": "有人偷电动车", "label": "政法"},
        {"text": "宅基地被邻居占了", "label": "国土资源"},
    ]
    f = tmp_path / "small.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(nlp, ["eval", str(f)])
    assert result.exit_code == 0, result.output
    assert "macro-F1=1.0000" in result.output
    assert "accuracy=1.0000" in result.output
    assert "per-class F1" in result.output
    assert "confusion" in result.output


def test_classify_reads_lines_and_writes_json_lines():
    result = CliRunner().invoke(nlp, ["classify"], input="你好\n煤气泄漏了快来人\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [x["intent"] for x in lines] == ["greeting", "opinion"]
    assert lines[1]["urgent"] is True
    assert {"category", "confidence", "intent", "urgent"} <= set(lines[0])
    assert "煤气" in result.output  # ensure_ascii=False


def test_train_writes_an_artifact_and_takes_corrections(tmp_path):
    data = tmp_path / "tiny"
    data.mkdir()
    rows = [{"id": f"r{i}", "text": t, "label": lab} for i, (t, lab) in enumerate(
        [("学校老师收费", "教育文体"), ("学校学生上学难", "教育文体"), ("老师体罚学生", "教育文体"),
         ("幼儿园收费太高", "教育文体"), ("学校食堂太差", "教育文体"),
         ("自来水停了", "城乡建设"), ("路灯坏了", "城乡建设"), ("物业乱收费", "城乡建设"),
         ("拆迁补偿太低", "城乡建设"), ("自来水管爆了", "城乡建设")] * 2)]
    (data / "train.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    corrections = tmp_path / "corrections.jsonl"
    corrections.write_text(json.dumps({"text": "村里低保评得不公平", "label": "民政"}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "model.npz"
    result = CliRunner().invoke(nlp, ["train", "--data", str(data), "--out", str(out), "--corrections", str(corrections)])
    assert result.exit_code == 0, result.output
    assert out.exists() and out.stat().st_size > 0
    assert '"threshold"' in result.output


def test_classify_skips_blank_lines():
    result = CliRunner().invoke(nlp, ["classify"], input="你好\n\n   \n\t\r\n煤气泄漏了快来人\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [x["text"] for x in lines] == ["你好", "煤气泄漏了快来人"]
    assert CliRunner().invoke(nlp, ["classify"], input="\n  \n").output == ""


def test_classify_json_is_one_array_and_jsonl_one_object_a_line():
    text = "你好\n\n路灯坏了\n"
    as_array = json.loads(CliRunner().invoke(nlp, ["classify", "--json"], input=text).output)
    assert [x["text"] for x in as_array] == ["你好", "路灯坏了"]
    for args in (["classify"], ["classify", "--jsonl"]):
        lines = CliRunner().invoke(nlp, args, input=text).output.splitlines()
        assert [json.loads(line) for line in lines] == as_array
    assert json.loads(CliRunner().invoke(nlp, ["classify", "--json"], input="").output) == []
    assert CliRunner().invoke(nlp, ["classify", "--json", "--jsonl"], input=text).exit_code != 0


def test_train_without_data_says_where_it_looked_and_trains_nothing(tmp_path, monkeypatch):
    from bot.nlp import cli

    monkeypatch.delenv("LIAISON_DATASETS", raising=False)
    monkeypatch.setattr(cli, "DEFAULT_DATA", tmp_path / "nothing-here" / "datasets")
    out = tmp_path / "model.npz"
    result = CliRunner().invoke(nlp, ["train", "--out", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert f"没有设置环境变量 LIAISON_DATASETS，找的是默认位置 {tmp_path / 'nothing-here' / 'datasets'}" in result.output
    assert "它不存在" in result.output
    assert "--data 文件夹" in result.output and "LIAISON_DATASETS" in result.output

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("LIAISON_DATASETS", str(empty))
    result = CliRunner().invoke(nlp, ["train", "--out", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert f"环境变量 LIAISON_DATASETS 指向的文件夹 {empty}，它里面没有数据集" in result.output

    result = CliRunner().invoke(nlp, ["train", "--data", str(empty), "--out", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert f"--data 给出的文件夹里没有数据集：{empty}" in result.output


def test_train_reads_the_data_sets_in_liaison_datasets(tmp_path, monkeypatch):
    from bot.nlp import train

    for name in ("a", "b"):
        (tmp_path / "sets" / name).mkdir(parents=True)
        (tmp_path / "sets" / name / "train.jsonl").write_text("{}\n", encoding="utf-8")
    (tmp_path / "sets" / "notes").mkdir()  # not a data set
    used = []

    def fake_train(dirs, extra, out, seed):
        used.extend(dirs)
        out.write_bytes(b"model")
        return {"threshold": 0.5}

    monkeypatch.setattr(train, "train", fake_train)
    monkeypatch.setenv("LIAISON_DATASETS", str(tmp_path / "sets"))
    out = tmp_path / "model.npz"
    result = CliRunner().invoke(nlp, ["train", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert used == [tmp_path / "sets" / "a", tmp_path / "sets" / "b"]
    assert f"模型已写入 {out}" in result.output
    used.clear()
    assert CliRunner().invoke(nlp, ["train", "--data", str(tmp_path / "sets" / "b"), "--out", str(out)]).exit_code == 0
    assert used == [tmp_path / "sets" / "b"]


def test_train_without_seed_examples_says_where_it_looked_and_that_it_needs_a_checkout(tmp_path, monkeypatch):
    from bot.nlp import cli, datasets

    out = tmp_path / "model.npz"
    monkeypatch.setenv("LIAISON_SEEDS", str(tmp_path / "mine"))
    result = CliRunner().invoke(nlp, ["train", "--out", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert f"环境变量 LIAISON_SEEDS 指向的文件夹 {tmp_path / 'mine'}，它不存在" in result.output
    assert "不随安装包发布" in result.output and "代码仓库" in result.output

    monkeypatch.delenv("LIAISON_SEEDS")
    (tmp_path / "data" / "seeds").mkdir(parents=True)
    (tmp_path / "data" / "seeds" / "seed_urgency.jsonl").write_text("", encoding="utf-8")
    monkeypatch.setattr(datasets, "DEFAULT_SEEDS", tmp_path / "data" / "seeds")
    result = CliRunner().invoke(nlp, ["train", "--out", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert f"找的是代码仓库里的 data/seeds 文件夹 {tmp_path / 'data' / 'seeds'}" in result.output
    assert "里面缺少 seed_categories.jsonl、seed_intents.jsonl、keywords.json" in result.output

    # An installed package: no checkout around the code.
    monkeypatch.setattr(cli, "REPO_ROOT", tmp_path / "site-packages")
    result = CliRunner().invoke(nlp, ["train", "--out", str(out)])
    assert result.exit_code == 1 and "这里是安装好的包，不是代码仓库" in result.output


def test_training_reads_the_seed_examples_in_liaison_seeds(tmp_path, monkeypatch):
    from bot.nlp import train

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "seed_categories.jsonl").write_text(json.dumps({"text": "路灯坏了", "label": "城乡建设"}, ensure_ascii=False) + "\n",
                                                 encoding="utf-8")
    (seeds / "seed_intents.jsonl").write_text(json.dumps({"text": "你好", "intent": "greeting"}, ensure_ascii=False) + "\n",
                                              encoding="utf-8")
    (seeds / "keywords.json").write_text(json.dumps({"城乡建设": ["路灯"]}, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("LIAISON_SEEDS", str(seeds))
    data = train.collect([], train.SEED)
    assert data["keywords"] == {"城乡建设": ["路灯"]}
    assert [r["text"] for r in data["train"]] == ["路灯坏了"]
