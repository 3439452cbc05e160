from django.urls import path

from virtualspaces import views

app_name = "virtualspaces"

urlpatterns = [
    path("spaces/<int:pk>/", views.space_home, name="space_home"),
]
