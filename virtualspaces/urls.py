app_name = "virtualspaces"

urlpatterns: list = []
