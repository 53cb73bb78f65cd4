from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's validator with its message in Chinese: Django 5.2 changed the message's msgid and its
    zh-hans catalogue has no translation for the new one, so the page showed it in English."""

    def get_error_message(self) -> str:
        return f"密码长度太短。密码必须包含至少 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码必须包含至少 {self.min_length} 个字符。"
