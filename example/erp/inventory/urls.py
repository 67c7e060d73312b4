from django.urls import path

from erp.inventory import views

app_name = "inventory"

urlpatterns = [
    path("products/", views.products, name="products"),
    path("products/search/", views.product_search, name="product_search"),
    path("products/<str:sku>/", views.product_detail, name="product_detail"),
    path("stock-moves/", views.stock_moves, name="stock_moves"),
    path("warehouses/", views.warehouses, name="warehouses"),
    path("warehouses/map/", views.warehouse_map, name="warehouse_map"),
]
