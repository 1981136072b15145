"""The rule files (lexicons, patterns, gazetteers, schema) as package data: see pipeline/rules.py."""
