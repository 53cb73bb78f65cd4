from django.db import DataError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from fanpin.core.errors import ApplicationError


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, "errors": exc.details}, status=400)
    if isinstance(exc, DataError) and "NUL" in str(exc):  # PostgreSQL refuses NUL in text
        return Response({"detail": "提交的内容含有不允许的字符（NUL），请删除后再提交。"}, status=400)
    return drf_exception_handler(exc, context)
