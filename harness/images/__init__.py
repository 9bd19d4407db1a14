"""Image data for the one-shot search: CIFAR-10's python batches, the digits stand-in, augmentation
and device batches.
"""
