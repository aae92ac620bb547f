from ordna.core.navigation import nav_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    from ordna.accounts.selectors import memberships_of

    return {"nav_items": nav_for(request), "my_memberships": memberships_of(user)}
