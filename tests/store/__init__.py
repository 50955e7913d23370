"""Tests of colmind.store."""
