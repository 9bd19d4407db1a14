"""The `nasbench.ModelMetrics` protobuf, built at run time from a descriptor.

NAS-Bench-101 stores each record's metrics as a base64 `ModelMetrics` proto2 message.
Decoding goes through the maintained protobuf runtime (upb), not a hand-rolled parser.
Instead of shipping `protoc`-generated code (tied to one protobuf major version) the
descriptor of `model_metrics.proto` is assembled here with `descriptor_pb2` and turned
into message classes with `message_factory.GetMessageClass`, which every protobuf
release since 4.x offers: installing nb1s on a fresh machine never needs `protoc`.
A private descriptor pool keeps these classes from clashing with Google's own
`nasbench` package or TensorFlow if either is loaded in the same process.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PROTO_FILE = "nb1s/nasbench/model_metrics.proto"
PACKAGE = "nasbench"

_F = descriptor_pb2.FieldDescriptorProto
#: (message, [(field name, number, label, type, message type or "")]) exactly as in
#: model_metrics.proto next to this module.
FIELDS: dict[str, list[tuple[str, int, int, int, str]]] = {
    "EvaluationData": [
        ("current_epoch", 1, _F.LABEL_OPTIONAL, _F.TYPE_DOUBLE, ""),
        ("training_time", 2, _F.LABEL_OPTIONAL, _F.TYPE_DOUBLE, ""),
        ("train_accuracy", 3, _F.LABEL_OPTIONAL, _F.TYPE_DOUBLE, ""),
        ("validation_accuracy", 4, _F.LABEL_OPTIONAL, _F.TYPE_DOUBLE, ""),
        ("test_accuracy", 5, _F.LABEL_OPTIONAL, _F.TYPE_DOUBLE, ""),
        ("checkpoint_path", 6, _F.LABEL_OPTIONAL, _F.TYPE_STRING, ""),
    ],
    "ModelMetrics": [
        ("evaluation_data", 1, _F.LABEL_REPEATED, _F.TYPE_MESSAGE, ".nasbench.EvaluationData"),
        ("trainable_parameters", 2, _F.LABEL_OPTIONAL, _F.TYPE_INT32, ""),
        ("total_time", 3, _F.LABEL_OPTIONAL, _F.TYPE_DOUBLE, ""),
    ],
}


def _file_descriptor() -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(name=PROTO_FILE, package=PACKAGE,
                                               syntax="proto2")
    for message_name, fields in FIELDS.items():
        message = proto.message_type.add(name=message_name)
        for name, number, label, ftype, type_name in fields:
            field = message.field.add(name=name, number=number, label=label, type=ftype)
            if type_name:
                field.type_name = type_name
    return proto


def _build_classes() -> tuple[Any, Any]:
    pool = descriptor_pool.DescriptorPool()
    pool.Add(_file_descriptor())
    metrics = message_factory.GetMessageClass(
        pool.FindMessageTypeByName(f"{PACKAGE}.ModelMetrics"))
    evaluation = message_factory.GetMessageClass(
        pool.FindMessageTypeByName(f"{PACKAGE}.EvaluationData"))
    return metrics, evaluation


#: Message classes: `ModelMetrics.FromString(raw)`, `ModelMetrics().SerializeToString()`.
ModelMetrics, EvaluationData = _build_classes()
