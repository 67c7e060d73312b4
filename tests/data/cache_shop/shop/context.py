from .data import mine


def notifications(request):
    return {"notifications": mine(request, "notifications")}
