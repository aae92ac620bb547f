"""Ordna: the purchaser-provider model of a Swedish municipality."""

__version__ = "0.1.0"
