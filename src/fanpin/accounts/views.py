from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render

from fanpin.accounts.forms import LoginForm
from fanpin.accounts.services.login import login_success_record
from fanpin.accounts.services.users import user_change_password
from fanpin.core.errors import ApplicationError


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        login_success_record(user=form.get_user(), ip=self.request.META.get("REMOTE_ADDR"))
        return response


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_change_password(
                actor=request.user, user=request.user, new_password=form.cleaned_data["new_password1"]
            )
        except ApplicationError as exc:
            form.add_error("new_password1", exc.message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def profile(request):
    return render(request, "accounts/profile.html", {"account": request.user})
