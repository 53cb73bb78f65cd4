from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class AreaTokenAuthentication(TokenAuthentication):
    """Token login that also refuses expired and locked accounts."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if user.is_expired or user.is_locked:
            raise exceptions.AuthenticationFailed("账号已过期或被锁定。")
        return user, token
