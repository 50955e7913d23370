"""Tests of colmind.cli."""
