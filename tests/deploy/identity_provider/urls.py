from django.urls import include, path

urlpatterns = [path("idp-sim/", include("portal.idp_simulator.urls"))]
