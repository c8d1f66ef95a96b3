"""Pathfinder Explorer: explore texts about the UK's 2010 pathfinder mutuals."""

__version__ = "0.1.0"
