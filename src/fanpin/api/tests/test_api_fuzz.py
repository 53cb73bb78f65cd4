"""The API fuzzed from its own OpenAPI schema (schemathesis): every endpoint, with generated path
parameters, filters and bodies, as a signed-in county user — no request may make the server fail
(500), whatever it sends; bad input gets a 4xx answer."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

RAW = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
schema = schemathesis.openapi.from_dict(RAW)
schema.app = get_wsgi_application()


@pytest.fixture
def token(db, make_user):
    # The raw WSGI handler closes the database connection after each request (request_finished), which
    # would end the test's transaction on PostgreSQL; Django's own test client stops that the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    user = make_user("county", "140321", username="api_fuzz")
    yield Token.objects.create(user=user).key
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_server_fail(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    case.validate_response(response, checks=[not_a_server_error])
