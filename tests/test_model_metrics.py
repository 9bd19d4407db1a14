"""The runtime-built `ModelMetrics` descriptor: agrees with the .proto, decodes real bytes."""

from __future__ import annotations

import re
from importlib import resources

from nb1s.harness.nb101.model_metrics import FIELDS, EvaluationData, ModelMetrics


def _proto_fields() -> dict[str, list[tuple[str, int, str, str]]]:
    text = resources.files("nb1s.harness.nb101").joinpath("model_metrics.proto").read_text()
    messages: dict[str, list[tuple[str, int, str, str]]] = {}
    for name, body in re.findall(r"message (\w+) \{(.*?)\n\}", text, re.S):
        messages[name] = [(f, int(n), label, t) for label, t, f, n in
                          re.findall(r"(optional|repeated) (\w+) (\w+) = (\d+);", body)]
    return messages


def test_descriptor_matches_the_proto_file() -> None:
    proto = _proto_fields()
    assert set(proto) == set(FIELDS) == {"ModelMetrics", "EvaluationData"}
    for message, cls in (("ModelMetrics", ModelMetrics), ("EvaluationData", EvaluationData)):
        descriptor = {f.name: f for f in cls.DESCRIPTOR.fields}
        assert [(f, n) for f, n, _, _ in proto[message]] == [
            (f.name, f.number) for f in cls.DESCRIPTOR.fields]
        for name, _, label, type_name in proto[message]:
            field = descriptor[name]
            assert field.is_repeated == (label == "repeated")
            expected = {"double": field.TYPE_DOUBLE, "int32": field.TYPE_INT32,
                        "string": field.TYPE_STRING}.get(type_name, field.TYPE_MESSAGE)
            assert field.type == expected
    assert ModelMetrics.DESCRIPTOR.full_name == "nasbench.ModelMetrics"


def test_decodes_hand_encoded_wire_bytes() -> None:
    # field 2 varint 227274; field 3 double 1.5; field 1 message {field 5 double 0.25}
    wire = (b"\x10" + bytes([0xCA, 0xEF, 0x0D])
            + b"\x19" + bytes.fromhex("000000000000f83f")
            + b"\x0a\x09" + b"\x29" + bytes.fromhex("000000000000d03f"))
    message = ModelMetrics.FromString(wire)
    assert message.trainable_parameters == 227274
    assert message.total_time == 1.5
    assert len(message.evaluation_data) == 1
    assert message.evaluation_data[0].test_accuracy == 0.25
    assert not message.evaluation_data[0].HasField("train_accuracy")


def test_round_trip_keeps_doubles_exact() -> None:
    message = ModelMetrics(trainable_parameters=49_979_274, total_time=2.5)
    point = message.evaluation_data.add(current_epoch=108.0, training_time=5521.803,
                                        test_accuracy=0.9432091116905212,
                                        checkpoint_path="gs://bucket/model.ckpt")
    again = ModelMetrics.FromString(message.SerializeToString())
    assert again == message
    assert again.evaluation_data[0].test_accuracy == point.test_accuracy
    assert again.evaluation_data[0].checkpoint_path == "gs://bucket/model.ckpt"
