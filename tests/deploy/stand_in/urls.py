from django.urls import include, path

urlpatterns = [path("panopto-sim/", include("panopto_link.simulator.urls"))]
