"""Tests of colmind.automations."""
