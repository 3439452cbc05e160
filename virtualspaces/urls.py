from django.urls import path

from virtualspaces import views

app_name = "virtualspaces"

urlpatterns = [
    path("spaces/public/", views.public_spaces, name="public_spaces"),
    path("spaces/<int:pk>/", views.space_home, name="space_home"),
]
