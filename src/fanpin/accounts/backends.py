from django.contrib.auth.backends import ModelBackend


class AreaUserBackend(ModelBackend):
    """Password login that also refuses expired and locked accounts."""

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return not (getattr(user, "is_expired", False) or getattr(user, "is_locked", False))
