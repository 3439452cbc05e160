from django.urls import path

from panopto_link import views

app_name = "panopto_link"

urlpatterns = [
    path("studies/information/panopto/", views.studies_panopto, name="studies_panopto"),
    path("panopto/launch/<int:space_pk>/", views.launch, name="launch"),
    path("panopto/videos/<int:space_pk>/pick/", views.pick_videos, name="pick_videos"),
    path("panopto/videos/<int:space_pk>/<int:video_pk>/open/", views.open_video, name="open_video"),
    path(
        "panopto/videos/<int:space_pk>/<int:video_pk>/manage/",
        views.manage_video,
        name="manage_video",
    ),
    path(
        "panopto/videos/<int:space_pk>/<int:video_pk>/remove/",
        views.remove_video,
        name="remove_video",
    ),
    path("panopto/videos/<int:space_pk>/linked/", views.videos_linked, name="videos_linked"),
    path("lti/deep-linking/return/", views.deep_linking_return, name="deep_linking_return"),
]
