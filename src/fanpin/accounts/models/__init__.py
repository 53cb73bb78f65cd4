from fanpin.accounts.models.login_attempt import LoginFailure
from fanpin.accounts.models.user import User

__all__ = ["LoginFailure", "User"]
