"""The monitoring rules and department matching, written once as Ibis expressions.

No Django here: functions take Ibis tables and plain parameters and return Ibis tables, so the same
expressions run on DuckDB (default) or on Apache Spark. Amounts are integers in cents (fen), so both
engines compute exactly the same figures; rounding is half up, as in fanpin.registry.income.
"""
