"""The preview (``sitegen serve``): saves in the watched folders in, rebuilt pages served on loopback out."""
