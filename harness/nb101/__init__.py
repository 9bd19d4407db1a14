"""NAS-Bench-101 data: the official tfrecord format, the importer, the memory-mapped index and the
nasbench-compatible API.
"""
