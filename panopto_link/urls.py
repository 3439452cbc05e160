app_name = "panopto_link"

urlpatterns: list = []
