"""Connections to the engines that run fanpin.matching.engine: DuckDB (in process, default) or Apache
Spark through PySpark (FANPIN_SPARK_MASTER: a cluster URL in production, local mode otherwise).
One SparkSession per process, created on first use."""

from __future__ import annotations

import os
import threading

from fanpin.core.errors import ApplicationError

ENGINES = ("duckdb", "spark")
_spark_lock = threading.Lock()
_spark_session = None


def spark_session():
    global _spark_session
    with _spark_lock:
        if _spark_session is None:
            try:
                from pyspark.sql import SparkSession
            except ImportError:
                raise ApplicationError(
                    "未安装 Spark 引擎（pyspark）：pip install 'fanpin[spark]'，或使用 duckdb 引擎。"
                ) from None
            from fanpin.settings import env

            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            master = env.spark_master()
            builder = (
                SparkSession.builder.master(master)
                .appName("fanpin")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.shuffle.partitions", "8")
                .config("spark.sql.ansi.enabled", "false")
                # In-memory tables reach Spark through pandas; without Arrow, an integer column with
                # nulls (a float column in pandas) would arrive as all nulls.
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            )
            if master.startswith("local"):
                builder = builder.config("spark.driver.bindAddress", "127.0.0.1")
            _spark_session = builder.getOrCreate()
            _spark_session.sparkContext.setLogLevel("ERROR")
        return _spark_session


def connect(engine: str):
    import ibis

    if engine == "duckdb":
        return ibis.duckdb.connect()
    if engine == "spark":
        return ibis.pyspark.connect(spark_session())
    raise ApplicationError(f"计算引擎应为 {' 或 '.join(ENGINES)}。")
