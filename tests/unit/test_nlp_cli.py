"""The `nlp` click group: eval prints the figures, classify speaks JSON lines."""

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
