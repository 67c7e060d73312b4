from django import forms
from django.shortcuts import render
from django.views.generic import TemplateView

from .data import ORDERS, mine


class PayForm(forms.Form):
    card = forms.CharField()

    def clean(self):
        raise forms.ValidationError(f"{self.data.get('holder', '')}: card {self.cleaned_data.get('card', '')} was declined")


def home(request):
    return render(request, "home.html")


def orders(request):
    return render(request, "orders.html", {"orders": mine(request, "orders")})


def addresses(request):
    return render(request, "addresses.html", {"addresses": mine(request, "addresses")})


def thread(request):
    return render(request, "thread.html", {"thread": {"participants": mine(request, "participants")}})


def pay(request):
    form = PayForm(request.POST) if request.method == "POST" else PayForm()
    if request.method == "POST":
        form.is_valid()
    return render(request, "pay.html", {"form": form})


def search(request):  # the query is read by the view: the template cannot see that its output depends on it
    q = request.GET.get("q", "")
    return render(request, "search.html", {"hits": [o for o in mine(request, "orders") if q and q in o.item]})


def feed(request):
    return render(request, "feed.html", {"orders": mine(request, "orders")})


def order_detail(request, pk):
    return render(request, "order_detail.html", {"order": ORDERS[pk]})


class ProfileView(TemplateView):  # puts `view` (and so view.request.user) in the context
    template_name = "profile.html"


def basket(request):
    """A visitor's cart lives in the session (anonymous too): ?add=olives puts olives in it."""
    if "add" in request.GET:
        request.session["cart"] = [*request.session.get("cart", []), request.GET["add"]]
    return render(request, "basket.html", {"orders": mine(request, "orders")})
