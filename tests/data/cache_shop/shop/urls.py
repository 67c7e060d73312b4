from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("orders/", views.orders, name="orders"),
    path("addresses/", views.addresses, name="addresses"),
    path("thread/", views.thread, name="thread"),
    path("pay/", views.pay, name="pay"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("basket/", views.basket, name="basket"),
    path("feed/", views.feed, name="feed"),
    path("search/", views.search, name="search"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
]
